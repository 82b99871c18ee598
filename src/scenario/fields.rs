//! The checks of single values that every part of validation shares: years, distributions,
//! capacities, growth rates and bounded numbers. Each records a diagnostic and returns None
//! when the value is invalid.

use super::diag::Diagnostics;
use crate::scenario::dist::Dist;
use crate::scenario::grid::{Grid, YEAR_EPSILON, parse_iso_date};
use toml::Spanned;

/// Capacities may have at most this chance of a negative draw (negative draws count as 0).
const MAX_NEGATIVE_PROBABILITY: f64 = 1e-3;
/// Growth may have at most this chance of a draw at or below -100% a year.
const MAX_COLLAPSE_PROBABILITY: f64 = 1e-9;
pub(super) use crate::scenario::grid::{EARLIEST_YEAR, LATEST_YEAR};

/// A decimal year (number) or an ISO date (TOML date or "YYYY-MM-DD" string).
pub(super) fn year(v: &Spanned<toml::Value>, key: &str, diags: &mut Diagnostics) -> Option<f64> {
    let parsed = match v.get_ref() {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        toml::Value::Datetime(dt) if dt.time.is_none() => dt.date.and_then(|d| {
            crate::scenario::grid::decimal_year(
                i32::from(d.year),
                u32::from(d.month),
                u32::from(d.day),
            )
        }),
        toml::Value::String(s) => parse_iso_date(s),
        _ => None,
    };
    match parsed {
        Some(y) if (EARLIEST_YEAR..=LATEST_YEAR).contains(&y) => Some(y),
        Some(y) => {
            diags.push(
                Some(v.span()),
                key,
                format!("must be a year between {EARLIEST_YEAR} and {LATEST_YEAR}, got {y}"),
            );
            None
        }
        None => {
            diags.push(
                Some(v.span()),
                key,
                "must be a decimal year such as 2024.5 or a date such as 2024-07-01",
            );
            None
        }
    }
}

pub(super) fn dist(v: &Spanned<toml::Value>, key: &str, diags: &mut Diagnostics) -> Option<Dist> {
    Dist::parse(v.get_ref(), key, v.span(), diags)
}

/// A capacity in P: at most a small chance of a negative draw, no bounded range below 0.
pub(super) fn capacity(
    v: &Spanned<toml::Value>,
    key: &str,
    diags: &mut Diagnostics,
) -> Option<Dist> {
    let d = dist(v, key, diags)?;
    let (lo, _) = d.support();
    let p_negative = d.prob_below(0.0);
    if (lo.is_finite() && lo < 0.0) || p_negative > MAX_NEGATIVE_PROBABILITY {
        diags.push(
            Some(v.span()),
            key,
            format!(
                "a capacity (P) cannot be negative; this distribution puts {:.3}% below 0. \
                 Use a range with min >= 0, or a lognormal",
                100.0 * p_negative.max(f64::from(lo < 0.0))
            ),
        );
        return None;
    }
    Some(d)
}

/// An annual growth rate: may be negative but not reach -100% a year.
pub(super) fn growth(v: &Spanned<toml::Value>, key: &str, diags: &mut Diagnostics) -> Option<Dist> {
    let d = dist(v, key, diags)?;
    let (lo, _) = d.support();
    let p_collapse = d.prob_below(-1.0) + f64::from(lo == -1.0);
    if (lo.is_finite() && lo <= -1.0) || p_collapse > MAX_COLLAPSE_PROBABILITY {
        diags.push(
            Some(v.span()),
            key,
            "an annual growth rate must stay above -1 (-100% a year); \
             this distribution can reach it. Narrow it or raise its minimum",
        );
        return None;
    }
    Some(d)
}

pub(super) fn non_negative(
    v: &Spanned<toml::Value>,
    key: &str,
    diags: &mut Diagnostics,
) -> Option<Dist> {
    let d = dist(v, key, diags)?;
    if d.support().0 < 0.0 {
        diags.push(
            Some(v.span()),
            key,
            "must not be negative: give a number >= 0 or a distribution with min >= 0",
        );
        return None;
    }
    Some(d)
}

pub(super) fn bounded(
    v: &Spanned<f64>,
    key: &str,
    lo: f64,
    hi: f64,
    diags: &mut Diagnostics,
) -> Option<f64> {
    let x = *v.get_ref();
    if !x.is_finite() || x < lo || x > hi {
        let range = if hi == f64::MAX {
            format!(">= {lo}")
        } else {
            format!("between {lo} and {hi}")
        };
        diags.push(
            Some(v.span()),
            key,
            format!("must be a finite number {range}, got {x}"),
        );
        return None;
    }
    Some(x)
}

/// Index of the first grid time >= `at`, or an error if `at` lies outside [start, end].
pub(super) fn horizon_index(
    at: f64,
    raw: &Spanned<toml::Value>,
    key: &str,
    grid: &Grid,
    diags: &mut Diagnostics,
) -> Option<usize> {
    let inside = at >= grid.start - YEAR_EPSILON && at <= grid.end() + YEAR_EPSILON;
    let k = grid.first_index_at_or_after(at).filter(|_| inside);
    if k.is_none() {
        diags.push(
            Some(raw.span()),
            key,
            format!(
                "{at} is outside the horizon; must lie within [{}, {}]",
                grid.start,
                grid.end()
            ),
        );
    }
    k
}

/// An optional `label`: text of at least one visible character. Some(None) when absent.
pub(super) fn label(
    raw: Option<&Spanned<String>>,
    key: &str,
    diags: &mut Diagnostics,
) -> Option<Option<String>> {
    let Some(raw) = raw else {
        return Some(None);
    };
    let text = raw.get_ref().trim();
    if text.is_empty() {
        diags.push(
            Some(raw.span()),
            key,
            "must be a non-empty text (the name shown on charts)",
        );
        return None;
    }
    Some(Some(text.to_string()))
}
