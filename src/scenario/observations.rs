//! Reports and reporting bases as written: `[[city.observed]]`, `[[observed]]` (with
//! `series`) and `[[basis]]`, checked into [`Observation`]s and [`Basis`]es.

use super::diag::Diagnostics;
use super::fields::{bounded, dist, horizon_index, year};
use super::groups::SeriesNames;
use super::raw::{RawBasis, RawCity, RawObservation};
use super::types::{Basis, Observation, ObservationKind, Series, Tails};
use crate::scenario::dist::Dist;
use crate::scenario::grid::{Grid, YEAR_EPSILON};
use toml::Spanned;

/// Default standard deviation of ln(reported / true).
pub const DEFAULT_ERROR: f64 = 0.10;
/// Largest error accepted: beyond it a report says nothing.
pub const MAX_ERROR: f64 = 5.0;
/// Largest basis lag accepted, years.
pub const MAX_LAG_YEARS: f64 = 10.0;

/// Checks every basis: unique non-empty names, a positive factor, a lag within +-10 years.
pub fn bases(raw: &[Spanned<RawBasis>], diags: &mut Diagnostics) -> Vec<Basis> {
    let mut out = Vec::new();
    for (i, b) in raw.iter().enumerate() {
        let key = format!("basis[{i}]");
        let b = b.get_ref();
        let name = b.name.get_ref().trim().to_string();
        if name.is_empty() || out.iter().any(|x: &Basis| x.name == name) {
            diags.push(
                Some(b.name.span()),
                &format!("{key}.name"),
                "must be a non-empty name, unique among the bases",
            );
        }
        let factor = dist(&b.factor, &format!("{key}.factor"), diags)
            .filter(|d| positive(d, &b.factor, &format!("{key}.factor"), diags));
        let lag = b.lag_years.as_ref().map(|l| {
            dist(l, &format!("{key}.lag_years"), diags).filter(|d| lag_ok(d, l, &key, diags))
        });
        if let (Some(factor), Some(lag)) = (factor, lag.unwrap_or(Some(Dist::Fixed(0.0)))) {
            out.push(Basis {
                name,
                description: b.description.clone().unwrap_or_default(),
                factor,
                lag_years: b.lag_years.as_ref().map(|_| lag),
            });
        }
    }
    out
}

fn positive(d: &Dist, raw: &Spanned<toml::Value>, key: &str, diags: &mut Diagnostics) -> bool {
    let ok = d.support().0 > 0.0 || (d.support().0 == 0.0 && d.prob_below(1e-12) == 0.0);
    if !ok {
        diags.push(
            Some(raw.span()),
            key,
            "a basis factor (value on the basis / installed value) must be positive: \
             give a number > 0 or a distribution with min > 0, e.g. a lognormal",
        );
    }
    ok
}

fn lag_ok(d: &Dist, raw: &Spanned<toml::Value>, key: &str, diags: &mut Diagnostics) -> bool {
    let (lo, hi) = d.support();
    let ok = lo >= -MAX_LAG_YEARS && hi <= MAX_LAG_YEARS;
    if !ok {
        diags.push(
            Some(raw.span()),
            &format!("{key}.lag_years"),
            format!("must lie within -{MAX_LAG_YEARS} and {MAX_LAG_YEARS} years"),
        );
    }
    ok
}

/// Every report: the cities' own (`[[city.observed]]`, series = the city) in file order, then
/// the top-level `[[observed]]` (series named). `grid` is None when `[scenario]` is invalid.
pub fn observations(
    cities: &[Spanned<RawCity>],
    top: &[Spanned<RawObservation>],
    (bases, raw_bases): (&[Basis], &[Spanned<RawBasis>]),
    series_names: &SeriesNames,
    grid: Option<&Grid>,
    diags: &mut Diagnostics,
) -> Vec<Observation> {
    let names = &series_names.cities;
    let declared = raw_bases
        .iter()
        .map(|b| b.get_ref().name.get_ref().as_str())
        .collect();
    let ctx = Context {
        bases,
        declared,
        grid,
    };
    let mut out = Vec::new();
    for (ci, c) in cities.iter().enumerate() {
        for (i, o) in c.get_ref().observed.iter().enumerate() {
            let name = names[ci];
            let city_key = if name.is_empty() {
                ci.to_string()
            } else {
                name.to_string()
            };
            let key = format!("city[{city_key}].observed[{i}]");
            if let Some(s) = &o.get_ref().series {
                diags.push(
                    Some(s.span()),
                    &format!("{key}.series"),
                    "a city's own report has no `series`: it is the city's; use a top-level \
                     [[observed]] to report another series",
                );
            }
            let series = (Series::City(ci), names[ci].to_string());
            out.extend(one(o.get_ref(), &key, Some(series), &ctx, diags));
        }
    }
    for (i, o) in top.iter().enumerate() {
        let key = format!("observed[{i}]");
        let named = series_of(o.get_ref(), &key, series_names, diags);
        if named.is_some() {
            out.extend(one(o.get_ref(), &key, named, &ctx, diags));
        }
    }
    out
}

struct Context<'a> {
    bases: &'a [Basis],
    /// Every basis name written, valid or not (an invalid basis is reported once, by itself).
    declared: Vec<&'a str>,
    grid: Option<&'a Grid>,
}

fn series_of(
    o: &RawObservation,
    key: &str,
    names: &SeriesNames,
    diags: &mut Diagnostics,
) -> Option<(Series, String)> {
    let Some(s) = &o.series else {
        diags.push(
            None,
            &format!("{key}.series"),
            format!("is missing: name the series reported ({})", names.valid()),
        );
        return None;
    };
    let label = s.get_ref().as_str();
    let found = names.resolve(label);
    if found.is_none() {
        diags.push(
            Some(s.span()),
            &format!("{key}.series"),
            format!(
                "no city or group named \"{label}\"; valid: {}",
                names.valid()
            ),
        );
    }
    found.map(|series| (series, label.to_string()))
}

fn one(
    o: &RawObservation,
    key: &str,
    series: Option<(Series, String)>,
    ctx: &Context,
    diags: &mut Diagnostics,
) -> Option<Observation> {
    let at = year(&o.at, &format!("{key}.at"), diags);
    let grid_index = match (at, ctx.grid) {
        (Some(at), Some(grid)) => horizon_index(at, &o.at, &format!("{key}.at"), grid, diags),
        _ => None,
    };
    let published = match &o.published {
        Some(p) => year(p, &format!("{key}.published"), diags),
        None => at,
    };
    let capacity = bounded(
        &o.capacity,
        &format!("{key}.capacity"),
        0.0,
        f64::MAX,
        diags,
    );
    let kind = kind(o, key, diags);
    let upper = upper(o, key, kind, capacity, diags);
    let error = match &o.error {
        Some(e) => bounded(e, &format!("{key}.error"), 0.0, MAX_ERROR, diags),
        None => Some(DEFAULT_ERROR),
    };
    if kind == Some(ObservationKind::About) && capacity == Some(0.0) {
        diags.push(
            Some(o.capacity.span()),
            &format!("{key}.capacity"),
            "an \"about\" report needs a value above 0 (its error is on the log scale); \
             a figure of nothing is a bound: kind = \"at_most\"",
        );
    }
    if kind == Some(ObservationKind::About) && error == Some(0.0) {
        diags.push(
            o.error.as_ref().map(|e| e.span()),
            &format!("{key}.error"),
            "an \"about\" report needs an error > 0 (e.g. 0.05 for a precise figure); \
             error = 0 is for exact bounds",
        );
    }
    let tails = tails(o, key, diags);
    let basis = basis(o, key, ctx, diags);
    if let (Some(at), Some(Some(b)), Some(grid)) = (at, basis, ctx.grid) {
        lag_inside(at, &ctx.bases[b], grid, o, key, diags);
    }
    let source = source(o, key, diags);
    let (series, label) = series?;
    let at = at?;
    let defines_baseline = basis == Some(None)
        && ctx
            .grid
            .is_some_and(|g| (at - g.start).abs() <= YEAR_EPSILON);
    Some(Observation {
        series,
        label,
        at,
        capacity: capacity?,
        upper: upper?,
        kind: kind?,
        error: error.filter(|e| *e > 0.0 || kind != Some(ObservationKind::About))?,
        tails: tails?,
        basis: basis?,
        published: published?,
        source: source?,
        grid_index: grid_index?,
        defines_baseline,
        in_likelihood: !defines_baseline && o.condition.as_ref().is_none_or(|c| *c.get_ref()),
    })
}

/// A report on a basis with a lag measures capacity at its date plus the lag: every possible
/// lag must keep that date inside the horizon (else the projection cannot say what it measures).
fn lag_inside(
    at: f64,
    basis: &Basis,
    grid: &Grid,
    o: &RawObservation,
    key: &str,
    diags: &mut Diagnostics,
) {
    let Some(lag) = &basis.lag_years else {
        return;
    };
    let (lo, hi) = lag.support();
    let (first, last) = (at + lo, at + hi);
    if first < grid.start - YEAR_EPSILON || last > grid.end() + YEAR_EPSILON {
        diags.push(
            o.basis.as_ref().map(|b| b.span()),
            &format!("{key}.basis"),
            format!(
                "this report (at {at}) on basis \"{}\" measures capacity from {first} to {last} \
                 with its lag_years, outside the horizon [{}, {}]: extend scenario.start or \
                 scenario.end, or bound the lag",
                basis.name,
                grid.start,
                grid.end()
            ),
        );
    }
}

fn kind(o: &RawObservation, key: &str, diags: &mut Diagnostics) -> Option<ObservationKind> {
    let Some(k) = &o.kind else {
        return Some(ObservationKind::About);
    };
    let kind = match k.get_ref().as_str() {
        "about" => ObservationKind::About,
        "at_least" => ObservationKind::AtLeast,
        "at_most" => ObservationKind::AtMost,
        "between" => ObservationKind::Between,
        other => {
            diags.push(
                Some(k.span()),
                &format!("{key}.kind"),
                format!(
                    "unknown kind \"{other}\"; valid: \"about\" (the value, with error), \
                     \"at_least\" (exceeds X), \"at_most\" (an upper bound), \"between\" \
                     (with `upper`)"
                ),
            );
            return None;
        }
    };
    Some(kind)
}

fn upper(
    o: &RawObservation,
    key: &str,
    kind: Option<ObservationKind>,
    capacity: Option<f64>,
    diags: &mut Diagnostics,
) -> Option<Option<f64>> {
    let ukey = format!("{key}.upper");
    match (kind, &o.upper) {
        (Some(ObservationKind::Between), None) => {
            diags.push(None, &ukey, "a \"between\" report needs `upper` (P)");
            None
        }
        (Some(ObservationKind::Between), Some(u)) => {
            let v = bounded(u, &ukey, 0.0, f64::MAX, diags)?;
            if capacity.is_some_and(|c| v <= c) {
                diags.push(Some(u.span()), &ukey, "must be above `capacity`");
                return None;
            }
            Some(Some(v))
        }
        (Some(_), Some(u)) => {
            diags.push(
                Some(u.span()),
                &ukey,
                "only a \"between\" report has `upper`",
            );
            None
        }
        (_, None) => Some(None),
        (None, Some(_)) => None,
    }
}

fn tails(o: &RawObservation, key: &str, diags: &mut Diagnostics) -> Option<Tails> {
    match o.tails.as_ref().map(|t| (t, t.get_ref().as_str())) {
        None | Some((_, "normal")) => Some(Tails::Normal),
        Some((_, "heavy")) => Some(Tails::Heavy),
        Some((t, other)) => {
            diags.push(
                Some(t.span()),
                &format!("{key}.tails"),
                format!("unknown tails \"{other}\"; valid: \"normal\", \"heavy\""),
            );
            None
        }
    }
}

fn basis(
    o: &RawObservation,
    key: &str,
    ctx: &Context,
    diags: &mut Diagnostics,
) -> Option<Option<usize>> {
    let bases = ctx.bases;
    let Some(b) = &o.basis else {
        return Some(None);
    };
    match bases.iter().position(|x| x.name == *b.get_ref()) {
        Some(i) => Some(Some(i)),
        // Written but invalid: its own error says why; the report is not checked further.
        None if ctx.declared.contains(&b.get_ref().as_str()) => None,
        None => {
            let names: Vec<&str> = bases.iter().map(|x| x.name.as_str()).collect();
            diags.push(
                Some(b.span()),
                &format!("{key}.basis"),
                format!(
                    "no [[basis]] named \"{}\"; defined: {}",
                    b.get_ref(),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            );
            None
        }
    }
}

fn source(o: &RawObservation, key: &str, diags: &mut Diagnostics) -> Option<String> {
    let source = o.source.get_ref().trim();
    if source.is_empty() {
        diags.push(
            Some(o.source.span()),
            &format!("{key}.source"),
            "must name where the value was reported (document and date), \
             e.g. \"Securities Times, 2024-08-02\"",
        );
        return None;
    }
    Some(source.to_string())
}
