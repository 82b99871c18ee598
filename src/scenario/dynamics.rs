//! Checks of the growth-dynamics keys: a city's `growth_volatility` and
//! `growth_reversion_years`, and the `[dynamics]` table (docs/scenarios.md, docs/model.md
//! "Growth that moves").

use super::diag::Diagnostics;
use super::fields::bounded;
use super::raw::{RawCity, RawDynamics};
use super::types::{DEFAULT_GROWTH_REVERSION_YEARS, Dynamics};
use toml::Spanned;

/// Largest annual volatility of a growth factor (log growth moves by at most this sd a year).
const MAX_GROWTH_VOLATILITY: f64 = 5.0;
/// Shortest and longest mean-reversion times, years.
const REVERSION_YEARS: (f64, f64) = (0.05, 1000.0);
/// Fewest and most degrees of freedom of heavy-tailed innovations (more than 2 for a finite
/// variance; the innovations are scaled to variance 1).
const TAILS_DF: (f64, f64) = (2.5, 1000.0);

/// A city's (growth volatility, reversion years), each None when invalid. Without
/// `growth_volatility` it is `volatility / growth_reversion_years`: over long horizons the sd
/// of log capacity then grows like volatility x sqrt(years), as the random walk of 0.5.0 did.
pub(super) fn city_dynamics(
    c: &RawCity,
    key: &str,
    volatility: Option<f64>,
    diags: &mut Diagnostics,
) -> (Option<f64>, Option<f64>) {
    let (lo, hi) = REVERSION_YEARS;
    let reversion = match &c.growth_reversion_years {
        Some(v) => bounded(v, &format!("{key}.growth_reversion_years"), lo, hi, diags),
        None => Some(DEFAULT_GROWTH_REVERSION_YEARS),
    };
    let sd = match &c.growth_volatility {
        Some(v) => bounded(
            v,
            &format!("{key}.growth_volatility"),
            0.0,
            MAX_GROWTH_VOLATILITY,
            diags,
        ),
        None => volatility.zip(reversion).map(|(v, r)| v / r),
    };
    (sd, reversion)
}

/// The `[dynamics]` table (all of it defaulted when absent), None when a key is invalid.
pub(super) fn dynamics(
    raw: Option<&Spanned<RawDynamics>>,
    diags: &mut Diagnostics,
) -> Option<Dynamics> {
    let Some(raw) = raw else {
        return Some(Dynamics::default());
    };
    let d = raw.get_ref();
    let defaults = Dynamics::default();
    let (lo, hi) = REVERSION_YEARS;
    let or = |v: &Option<Spanned<f64>>,
              key: &str,
              range: (f64, f64),
              default: f64,
              diags: &mut Diagnostics| {
        v.as_ref().map_or(Some(default), |v| {
            bounded(v, &format!("dynamics.{key}"), range.0, range.1, diags)
        })
    };
    let volatility = or(
        &d.national_volatility,
        "national_volatility",
        (0.0, MAX_GROWTH_VOLATILITY),
        defaults.national_volatility,
        diags,
    );
    let reversion = or(
        &d.national_reversion_years,
        "national_reversion_years",
        (lo, hi),
        defaults.national_reversion_years,
        diags,
    );
    let tails = match &d.national_tails_df {
        Some(v) => bounded(
            v,
            "dynamics.national_tails_df",
            TAILS_DF.0,
            TAILS_DF.1,
            diags,
        )
        .map(Some),
        None => Some(None),
    };
    let shared = or(&d.shared_shock, "shared_shock", (0.0, 1.0), 0.0, diags);
    Some(Dynamics {
        national_volatility: volatility?,
        national_reversion_years: reversion?,
        national_tails_df: tails?,
        shared_shock: shared?,
    })
}
