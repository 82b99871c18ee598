//! Checks of the lumpy-build keys: a city's `[city.unannounced]` (builds nobody announced) and a
//! project's `slip` (a delay after its announced online date), docs/scenarios.md.

use super::diag::Diagnostics;
use super::fields::{bounded, capacity, non_negative};
use super::raw::{RawProject, RawUnannounced};
use super::types::Unannounced;
use crate::scenario::dist::Dist;
use toml::Spanned;

/// The most builds a year one city's unannounced process may have (draws above are lowered to
/// it): a thousand separate builds a year in one place is no longer "lumpy".
pub const MAX_UNANNOUNCED_RATE: f64 = 1000.0;
/// The longest ramp of an unannounced build, years.
const MAX_RAMP_YEARS: f64 = 100.0;
/// At most this chance of a rate draw above [`MAX_UNANNOUNCED_RATE`].
const MAX_OUTSIDE_PROBABILITY: f64 = 1e-6;

/// The reference class of slips (`slip = "reference"`): the delay, in years, between a Chinese
/// data-centre or computing-centre project's announced online date and the date it went into
/// service, a lognormal with 5th and 95th percentiles 0.05 and 4 years (median 0.45 years).
/// Fitted to the records of docs/data/slips.csv (docs/sources.md, "Slips"); the record is thin,
/// and its spread is an assumption stated there.
pub const SLIP_REFERENCE: Dist = Dist::LogNormal { p5: 0.05, p95: 4.0 };

/// The word that asks for [`SLIP_REFERENCE`].
pub const SLIP_REFERENCE_NAME: &str = "reference";

/// `[city.unannounced]`: Some(None) when absent, Some(Some(u)) when valid, None when invalid.
pub(super) fn unannounced(
    raw: Option<&Spanned<RawUnannounced>>,
    key: &str,
    diags: &mut Diagnostics,
) -> Option<Option<Unannounced>> {
    let Some(raw) = raw else {
        return Some(None);
    };
    let u = raw.get_ref();
    let rate = rate(&u.rate, &format!("{key}.rate"), diags);
    let size = capacity(&u.size, &format!("{key}.size"), diags);
    let ramp_years = match &u.ramp_years {
        Some(r) => bounded(r, &format!("{key}.ramp_years"), 0.0, MAX_RAMP_YEARS, diags),
        None => Some(0.0),
    };
    Some(Some(Unannounced {
        rate: rate?,
        size: size?,
        ramp_years: ramp_years?,
    }))
}

/// Builds a year: no draw below 0, at most one in a million above the maximum.
fn rate(v: &Spanned<toml::Value>, key: &str, diags: &mut Diagnostics) -> Option<Dist> {
    let d = non_negative(v, key, diags)?;
    if d.support().1 > MAX_UNANNOUNCED_RATE
        && 1.0 - d.prob_below(MAX_UNANNOUNCED_RATE) > MAX_OUTSIDE_PROBABILITY
    {
        diags.push(
            Some(v.span()),
            key,
            format!(
                "builds a year must stay between 0 and {MAX_UNANNOUNCED_RATE}: give a number \
                 or a distribution within that range (e.g. {{ dist = \"uniform\", min = 0.5, \
                 max = 2 }})"
            ),
        );
        return None;
    }
    Some(d)
}

/// A project's `slip`: Some(None) when absent, Some(Some(delay)) when valid, None when invalid.
pub(super) fn slip(p: &RawProject, key: &str, diags: &mut Diagnostics) -> Option<Option<Dist>> {
    let Some(v) = &p.slip else {
        return Some(None);
    };
    if let toml::Value::String(s) = v.get_ref() {
        if s == SLIP_REFERENCE_NAME {
            return Some(Some(SLIP_REFERENCE));
        }
        diags.push(
            Some(v.span()),
            key,
            format!(
                "\"{s}\" is not a reference class; valid: \"{SLIP_REFERENCE_NAME}\" (Chinese \
                 data-centre projects, docs/sources.md), or a delay in years: a number >= 0 or \
                 a distribution with no draw below 0"
            ),
        );
        return None;
    }
    non_negative(v, key, diags).map(Some)
}
