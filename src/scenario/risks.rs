//! Checks of the risk keys (growth fading and periods, power, lifetime, ceiling, utilisation,
//! `[correlation]`, `[[shock]]`), kept apart from the v1 rules they extend.

use super::correlation;
use super::diag::Diagnostics;
use super::fields::{bounded, capacity, dist, growth, year};
use super::raw::{RawCity, RawCorrelation, RawGrowthPeriod, RawPower, RawShock};
use super::types::{Correlation, Fading, GrowthPeriod, Power, Shock, ShockTiming};
use crate::scenario::dist::Dist;
use crate::scenario::grid::{Grid, YEAR_EPSILON};
use std::collections::HashSet;
use toml::Spanned;

/// A lifetime shorter than this (years) has no meaning for data-centre hardware; draws below
/// it are raised to it.
pub const MIN_LIFETIME_YEARS: f64 = 0.25;
/// At most this chance of a draw outside a key's range (such draws are clamped).
const MAX_OUTSIDE_PROBABILITY: f64 = 1e-3;
/// Shocks may speed growth up, but not beyond this factor.
const MAX_GROWTH_MULTIPLIER: f64 = 10.0;
const MAX_HALF_LIFE_YEARS: f64 = 1000.0;

/// The risk keys of one city, each None when invalid (Some(None) when absent).
pub(super) struct CityRisks {
    pub fading: Option<Option<Fading>>,
    pub growth_periods: Option<Vec<GrowthPeriod>>,
    pub power: Option<Option<Power>>,
    pub lifetime: Option<Option<Dist>>,
    pub ceiling: Option<Option<Dist>>,
    pub utilisation: Option<Option<Dist>>,
}

pub(super) fn city_risks(c: &RawCity, key: &str, diags: &mut Diagnostics) -> CityRisks {
    CityRisks {
        fading: fading(c, key, diags),
        growth_periods: growth_periods(&c.growth_periods, key, diags),
        power: optional(c.power.as_ref(), |p| {
            power(p, &format!("{key}.power"), diags)
        }),
        lifetime: optional(c.lifetime.as_ref(), |v| {
            lifetime(v, &format!("{key}.lifetime"), diags)
        }),
        ceiling: optional(c.ceiling.as_ref(), |v| {
            capacity(v, &format!("{key}.ceiling"), diags)
        }),
        utilisation: optional(c.utilisation.as_ref(), |v| {
            share(v, &format!("{key}.utilisation"), diags)
        }),
    }
}

/// Some(None) when the key is absent, Some(Some(x)) when valid, None when invalid.
fn optional<T, U>(v: Option<&T>, check: impl FnOnce(&T) -> Option<U>) -> Option<Option<U>> {
    match v {
        None => Some(None),
        Some(v) => check(v).map(Some),
    }
}

fn fading(c: &RawCity, key: &str, diags: &mut Diagnostics) -> Option<Option<Fading>> {
    match (&c.growth_long_run, &c.growth_half_life_years) {
        (None, None) => Some(None),
        (Some(l), None) => {
            diags.push(
                Some(l.span()),
                &format!("{key}.growth_half_life_years"),
                "missing: `growth_long_run` needs `growth_half_life_years`, the years in which \
                 growth closes half its distance to the long-run rate (a number > 0)",
            );
            None
        }
        (None, Some(h)) => {
            diags.push(
                Some(h.span()),
                &format!("{key}.growth_long_run"),
                "missing: `growth_half_life_years` needs `growth_long_run`, the rate growth \
                 fades toward (a number or a distribution above -1)",
            );
            None
        }
        (Some(l), Some(h)) => {
            let long_run = growth(l, &format!("{key}.growth_long_run"), diags);
            let hkey = format!("{key}.growth_half_life_years");
            let half_life = bounded(h, &hkey, 0.0, MAX_HALF_LIFE_YEARS, diags)
                .and_then(|x| positive_value(x, h, &hkey, diags));
            Some(Some(Fading {
                long_run: long_run?,
                half_life_years: half_life?,
            }))
        }
    }
}

fn growth_periods(
    raw: &[Spanned<RawGrowthPeriod>],
    key: &str,
    diags: &mut Diagnostics,
) -> Option<Vec<GrowthPeriod>> {
    let mut out = Vec::new();
    let mut ok = true;
    let mut previous: Option<f64> = None;
    for (i, p) in raw.iter().enumerate() {
        let pkey = format!("{key}.growth_period[{i}]");
        let p = p.get_ref();
        let from = year(&p.from, &format!("{pkey}.from"), diags);
        let g = growth(&p.growth, &format!("{pkey}.growth"), diags);
        if let (Some(prev), Some(f)) = (previous, from)
            && f <= prev + YEAR_EPSILON
        {
            diags.push(
                Some(p.from.span()),
                &format!("{pkey}.from"),
                format!(
                    "periods must be listed in increasing order of `from`; {f} does not \
                     come after {prev}"
                ),
            );
            ok = false;
        }
        previous = from.or(previous);
        match (from, g) {
            (Some(from), Some(growth)) => out.push(GrowthPeriod { from, growth }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn power(p: &Spanned<RawPower>, key: &str, diags: &mut Diagnostics) -> Option<Power> {
    let p = p.get_ref();
    let mw = positive(&p.mw, &format!("{key}.mw"), diags);
    let mw_growth = match &p.mw_growth {
        Some(v) => growth(v, &format!("{key}.mw_growth"), diags),
        None => Some(Dist::Fixed(0.0)),
    };
    let p_per_mw = positive(&p.p_per_mw, &format!("{key}.p_per_mw"), diags);
    let efficiency_growth = match &p.efficiency_growth {
        Some(v) => above_minus_one(v, &format!("{key}.efficiency_growth"), diags),
        None => Some(0.0),
    };
    Some(Power {
        mw: mw?,
        mw_growth: mw_growth?,
        p_per_mw: p_per_mw?,
        efficiency_growth: efficiency_growth?,
    })
}

/// A lifetime in years: at most 0.1% of draws below [`MIN_LIFETIME_YEARS`].
fn lifetime(v: &Spanned<toml::Value>, key: &str, diags: &mut Diagnostics) -> Option<Dist> {
    let d = dist(v, key, diags)?;
    let (lo, _) = d.support();
    if (lo.is_finite() && lo < MIN_LIFETIME_YEARS)
        || d.prob_below(MIN_LIFETIME_YEARS) > MAX_OUTSIDE_PROBABILITY
    {
        diags.push(
            Some(v.span()),
            key,
            format!(
                "a lifetime is a number of years >= {MIN_LIFETIME_YEARS}; give a number or a \
                 distribution with min >= {MIN_LIFETIME_YEARS} (e.g. {{ dist = \"uniform\", \
                 min = 4, max = 6 }})"
            ),
        );
        return None;
    }
    Some(d)
}

/// A share in [0, 1]: bounded distributions inside it, unbounded ones nearly so.
fn share(v: &Spanned<toml::Value>, key: &str, diags: &mut Diagnostics) -> Option<Dist> {
    let d = dist(v, key, diags)?;
    let (lo, hi) = d.support();
    let bounded_outside = (lo.is_finite() && lo < 0.0) || (hi.is_finite() && hi > 1.0);
    let tails_outside = (!lo.is_finite() || !hi.is_finite())
        && d.prob_below(0.0) + (1.0 - d.prob_below(1.0)) > MAX_OUTSIDE_PROBABILITY;
    if bounded_outside || tails_outside {
        diags.push(
            Some(v.span()),
            key,
            "must be a share between 0 and 1: a number or a distribution within [0, 1] \
             (e.g. { dist = \"pert\", min = 0.2, mode = 0.4, max = 0.8 })",
        );
        return None;
    }
    Some(d)
}

fn positive(v: &Spanned<f64>, key: &str, diags: &mut Diagnostics) -> Option<f64> {
    let x = bounded(v, key, 0.0, f64::MAX, diags)?;
    positive_value(x, v, key, diags)
}

fn positive_value(x: f64, v: &Spanned<f64>, key: &str, diags: &mut Diagnostics) -> Option<f64> {
    if x == 0.0 {
        diags.push(Some(v.span()), key, "must be a number > 0, got 0");
        return None;
    }
    Some(x)
}

fn above_minus_one(v: &Spanned<f64>, key: &str, diags: &mut Diagnostics) -> Option<f64> {
    let x = *v.get_ref();
    if !x.is_finite() || x <= -1.0 {
        diags.push(
            Some(v.span()),
            key,
            format!("must be an annual rate above -1 (-100% a year), got {x}"),
        );
        return None;
    }
    Some(x)
}

/// `[correlation]`: exactly one of `growth` (every pair) or `matrix` (city order).
pub(super) fn correlation(
    c: &Spanned<RawCorrelation>,
    city_names: &[&str],
    diags: &mut Diagnostics,
) -> Option<Correlation> {
    let n = city_names.len();
    let raw = c.get_ref();
    let (rank, span, key) = match (&raw.growth, &raw.matrix) {
        (Some(r), None) => {
            let r_value = bounded(r, "correlation.growth", -1.0, 1.0, diags)?;
            let m = (0..n)
                .map(|i| (0..n).map(|j| if i == j { 1.0 } else { r_value }).collect())
                .collect();
            (m, r.span(), "correlation.growth")
        }
        (None, Some(m)) => (m.get_ref().clone(), m.span(), "correlation.matrix"),
        _ => {
            diags.push(
                Some(c.span()),
                "correlation",
                "give exactly one of `growth` (one rank correlation for every pair of cities) \
                 or `matrix` (a full matrix in city order)",
            );
            return None;
        }
    };
    match correlation::checked_factor(&rank, n) {
        Ok(factor) => Some(Correlation { rank, factor }),
        Err(why) => {
            let order = city_names.join(", ");
            diags.push(
                Some(span),
                key,
                format!("is not a valid correlation matrix for the cities ({order}): {why}"),
            );
            None
        }
    }
}

pub(super) fn shocks(
    raw: &[Spanned<RawShock>],
    city_names: &[&str],
    grid: &Grid,
    diags: &mut Diagnostics,
) -> Vec<Shock> {
    let mut seen = HashSet::new();
    raw.iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let name = s.get_ref().name.get_ref();
            let key = format!("shock[{}]", if name.is_empty() { i.to_string() } else { name.clone() });
            if name.trim().is_empty() || !seen.insert(name.clone()) {
                diags.push(
                    Some(s.get_ref().name.span()),
                    &format!("{key}.name"),
                    "must be a non-empty name, unique among shocks (it keys the shock's random stream)",
                );
            }
            shock(s, &key, city_names, grid, diags)
        })
        .collect()
}

fn shock(
    s: &Spanned<RawShock>,
    key: &str,
    city_names: &[&str],
    grid: &Grid,
    diags: &mut Diagnostics,
) -> Option<Shock> {
    let r = s.get_ref();
    let timing = shock_timing(s, key, grid, diags);
    let cities = shock_cities(r, key, city_names, diags);
    let growth_multiplier = match &r.growth_multiplier {
        Some(m) => bounded(
            m,
            &format!("{key}.growth_multiplier"),
            0.0,
            MAX_GROWTH_MULTIPLIER,
            diags,
        ),
        None => Some(1.0),
    };
    let capacity_loss = match &r.capacity_loss {
        Some(l) => bounded(l, &format!("{key}.capacity_loss"), 0.0, 1.0, diags),
        None => Some(0.0),
    };
    let duration_years = match &r.duration_years {
        Some(d) => positive(d, &format!("{key}.duration_years"), diags),
        None if r.growth_multiplier.is_some() => {
            diags.push(
                Some(s.span()),
                &format!("{key}.duration_years"),
                "missing: a shock with `growth_multiplier` needs `duration_years` (> 0), how \
                 long growth stays multiplied",
            );
            None
        }
        None => Some(0.0),
    };
    if r.growth_multiplier.is_none() && r.capacity_loss.is_none() {
        diags.push(
            Some(s.span()),
            &format!("{key}.growth_multiplier"),
            "a shock needs an effect: `growth_multiplier` (with `duration_years`), \
             `capacity_loss`, or both",
        );
        return None;
    }
    let label = super::fields::label(r.label.as_ref(), &format!("{key}.label"), diags);
    Some(Shock {
        name: r.name.get_ref().clone(),
        label: label?,
        timing: timing?,
        cities: cities?,
        growth_multiplier: growth_multiplier?,
        capacity_loss: capacity_loss?,
        duration_years: duration_years?,
    })
}

fn shock_timing(
    s: &Spanned<RawShock>,
    key: &str,
    grid: &Grid,
    diags: &mut Diagnostics,
) -> Option<ShockTiming> {
    let r = s.get_ref();
    match (&r.annual_probability, &r.at) {
        (Some(p), None) => bounded(p, &format!("{key}.annual_probability"), 0.0, 1.0, diags)
            .map(ShockTiming::Annual),
        (None, Some(at)) => {
            let t = year(at, &format!("{key}.at"), diags)?;
            if t < grid.start - YEAR_EPSILON || t > grid.end() + YEAR_EPSILON {
                diags.push(
                    Some(at.span()),
                    &format!("{key}.at"),
                    format!(
                        "{t} is outside the horizon; must lie within [{}, {}]",
                        grid.start,
                        grid.end()
                    ),
                );
                return None;
            }
            Some(ShockTiming::At(t))
        }
        _ => {
            diags.push(
                Some(s.span()),
                &format!("{key}.annual_probability"),
                "give exactly one of `annual_probability` (chance it starts within any year, \
                 0 to 1) or `at` (a year at which it surely starts)",
            );
            None
        }
    }
}

fn shock_cities(
    r: &RawShock,
    key: &str,
    city_names: &[&str],
    diags: &mut Diagnostics,
) -> Option<Vec<usize>> {
    let Some(list) = &r.cities else {
        return Some((0..city_names.len()).collect());
    };
    if list.get_ref().is_empty() {
        diags.push(
            Some(list.span()),
            &format!("{key}.cities"),
            "must name at least one city (leave the key out to hit every city)",
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for name in list.get_ref() {
        match city_names.iter().position(|c| c == name.get_ref()) {
            Some(i) if !out.contains(&i) => out.push(i),
            Some(_) => {
                diags.push(
                    Some(name.span()),
                    &format!("{key}.cities"),
                    format!("\"{}\" is listed twice", name.get_ref()),
                );
                ok = false;
            }
            None => {
                diags.push(
                    Some(name.span()),
                    &format!("{key}.cities"),
                    format!(
                        "no city named \"{}\"; valid: {}",
                        name.get_ref(),
                        city_names.join(", ")
                    ),
                );
                ok = false;
            }
        }
    }
    out.sort_unstable();
    ok.then_some(out)
}
