//! Refuses, before any trial runs, scenarios whose numbers cannot stay finite or fit in memory.
//!
//! A trial computes capacity as baseline x exp(drift + walk) plus projects. If the baseline,
//! growth or volatility are large enough for that to leave f64's range within the horizon, a
//! run would produce inf or NaN (0 x inf). We bound each city's capacity from above with
//! one-in-a-billion upper quantiles of its draws and six sigmas of the random log growth, and
//! refuse the file naming the input that drives the bound and the first year it is crossed.

use super::diag::Diagnostics;
use super::raw::RawCity;
use super::types::{City, Dynamics, Scenario};
use crate::scenario::dist::{Dist, standard_normal_quantile};
use crate::scenario::grid::Grid;
use toml::Spanned;

pub use crate::units::MAX_CAPACITY;
/// Upper quantile level used to bound a draw: one trial in a billion may lie beyond it.
pub const BOUND_LEVEL: f64 = 1.0 - 1e-9;
/// Most (series x grid time) cells a run may keep; each cell holds a quantile sketch of at
/// least 4 KB per worker thread, so this caps a run's memory near 200 MB per thread.
pub const MAX_CELLS: usize = 50_000;
/// Most memory (bytes) a run may need for one worker thread's statistics plus what the
/// threads share (docs/scenarios.md, "Limits"); a run estimated above it is refused.
pub const MAX_RUN_BYTES: u64 = 1 << 30;
/// Bytes a cell's statistics take at least (its quantile sketch).
const CELL_BYTES: u64 = 4096;
/// Trials a worker keeps per block; each keeps every cell's value (8 bytes).
const BLOCK_TRIALS: u64 = 256;

/// Checks every city's upper bound and the run's size; pushes one diagnostic per problem.
pub(super) fn check(
    scenario: &Scenario,
    raw: &[Spanned<RawCity>],
    steps_key: (&str, Option<std::ops::Range<usize>>),
    diags: &mut Diagnostics,
) {
    let series = scenario.cities.len() + 1;
    let cells = series.saturating_mul(scenario.grid.len());
    if cells > MAX_CELLS {
        diags.push(
            steps_key.1,
            steps_key.0,
            format!(
                "the run would keep {series} series x {} grid times = {cells} cells, more than \
                 the {MAX_CELLS} that fit in memory (a quantile sketch per cell and thread); \
                 lower steps_per_year, shorten the horizon or split the cities into files",
                scenario.grid.len()
            ),
        );
        return;
    }
    let bytes = memory_estimate(scenario);
    if bytes > MAX_RUN_BYTES {
        let n = scenario.cities.len();
        diags.push(
            None,
            "city",
            format!(
                "the run would need about {} of memory per worker thread ({n} cities: \
                 {} ordered pairs for overtaking x {} grid times, {cells} cells of statistics), \
                 more than the limit of {}; split the cities into files or use fewer grid times",
                format_bytes(bytes),
                n.saturating_mul(n.saturating_sub(1)),
                scenario.grid.len(),
                format_bytes(MAX_RUN_BYTES)
            ),
        );
        return;
    }
    let before = diags.items.len();
    for (i, (city, raw_city)) in scenario.cities.iter().zip(raw).enumerate() {
        let multiplier = shock_growth_multiplier(scenario, i);
        if let Some(problem) = first_overflow(city, multiplier, &scenario.grid, &scenario.dynamics)
        {
            let key = format!("city[{}].{}", city.name, problem.culprit);
            diags.push(
                Some(span_of(raw_city.get_ref(), problem.culprit)),
                &key,
                problem.message(city),
            );
        }
    }
    if diags.items.len() == before {
        check_total(scenario, raw, diags);
    }
}

/// The Total adds the cities up: refuses a scenario whose cities stay below the limit each
/// but whose sum could pass it, naming the city with the largest bound.
fn check_total(scenario: &Scenario, raw: &[Spanned<RawCity>], diags: &mut Diagnostics) {
    let grid = &scenario.grid;
    let bounds: Vec<Vec<f64>> = (0..scenario.cities.len())
        .map(|i| {
            city_bounds(
                &scenario.cities[i],
                shock_growth_multiplier(scenario, i),
                grid,
                &scenario.dynamics,
            )
        })
        .collect();
    let Some(k) =
        (0..grid.len()).find(|&k| !below(bounds.iter().map(|b| b[k]).sum(), MAX_CAPACITY))
    else {
        return;
    };
    let largest = (0..bounds.len())
        .max_by(|&a, &b| bounds[a][k].total_cmp(&bounds[b][k]))
        .unwrap_or(0);
    let city = &scenario.cities[largest];
    diags.push(
        raw.get(largest).map(|r| r.get_ref().name.span()),
        &format!("city[{}]", city.name),
        format!(
            "the Total of the cities could exceed {MAX_CAPACITY:e} P from {} on (the sum of \
             their one-in-a-billion upper bounds; {} alone up to {:.3e} P), beyond what the \
             tables can hold; lower the largest cities' inputs or shorten the horizon",
            crate::units::format_year(grid.time(k)),
            city.name,
            bounds[largest][k]
        ),
    );
}

/// A city's upper bound (P) at each grid time: baseline, growth and walk as in
/// [`first_overflow`], plus every project at its largest.
fn city_bounds(city: &City, shock_multiplier: f64, grid: &Grid, d: &Dynamics) -> Vec<f64> {
    let log_rate = growth_bound(city, shock_multiplier).max(-0.999_999).ln_1p();
    let z = standard_normal_quantile(BOUND_LEVEL);
    let base = upper(&city.baseline).ln();
    let projects: f64 = city
        .projects
        .iter()
        .map(|p| upper(&p.capacity))
        .sum::<f64>()
        + unannounced_upper(city, grid.end() - grid.start);
    (0..grid.len())
        .map(|k| {
            let t = k as f64 * grid.dt();
            (base + t * log_rate + z * random_log_sd(city, d, t)).exp() + projects
        })
        .collect()
}

/// Bytes of one worker's statistics and block buffers plus the tables the workers share
/// (city pairs, the correlation matrix), in u64 arithmetic that cannot overflow in practice.
pub fn memory_estimate(scenario: &Scenario) -> u64 {
    let n = scenario.cities.len() as u64;
    let grid = scenario.grid.len() as u64;
    let cells = (n + 1).saturating_mul(grid);
    let copies = if scenario.cities.iter().any(|c| c.utilisation.is_some()) {
        2
    } else {
        1
    };
    let statistics = cells.saturating_mul(CELL_BYTES + 8 * BLOCK_TRIALS) * copies;
    let pairs = n.saturating_mul(n.saturating_sub(1));
    let overtaking = pairs.saturating_mul(8 * (grid + 2) + 16);
    let correlation = n.saturating_mul(n).saturating_mul(16);
    statistics
        .saturating_add(overtaking)
        .saturating_add(correlation)
}

fn format_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b => format!("{:.0} MB", b as f64 / (1u64 << 20) as f64),
    }
}

/// Largest factor by which shocks can raise this city's growth rate at once (overlapping
/// shocks multiply).
fn shock_growth_multiplier(scenario: &Scenario, city: usize) -> f64 {
    scenario
        .shocks
        .iter()
        .filter(|s| s.cities.contains(&city))
        .map(|s| s.growth_multiplier.max(1.0))
        .product()
}

/// Where a city's upper bound first leaves the finite range, and what drives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Overflow {
    /// Grid time (decimal year) from which the bound exceeds MAX_CAPACITY.
    pub from: f64,
    /// "baseline", "growth", "volatility" or "power".
    pub culprit: &'static str,
    /// ln of the baseline bound, the drift and the walk at `from`.
    pub log_terms: [f64; 3],
    /// Upper bound of the baseline, P.
    pub baseline_hi: f64,
    /// Upper bound of the annual growth rate (shocks included), a share (0.1 = 10%).
    pub growth_hi: f64,
}

impl Overflow {
    fn message(&self, city: &City) -> String {
        let [_, drift, walk] = self.log_terms;
        format!(
            "capacity could exceed {MAX_CAPACITY:e} P from {} on, beyond what the tables can \
             hold (upper bound from one-in-a-billion draws: baseline up to {:.4e} P, growth up \
             to {:.1}% a year (x{:.3e} by {}), volatility {}, growth_volatility {} (x{:.3e} by random growth)); \
             lower the {} or shorten the horizon (scenario.end)",
            crate::units::format_year(self.from),
            self.baseline_hi,
            100.0 * self.growth_hi,
            drift.exp(),
            crate::units::format_year(self.from),
            city.volatility,
            city.growth_volatility,
            walk.exp(),
            self.culprit,
        )
    }
}

/// The first grid time at which city's capacity bound exceeds MAX_CAPACITY, if any. Checks
/// the growth multiple on its own too, since a zero baseline times an infinite multiple is
/// NaN; and the power cap's own growth, which is computed the same way.
pub fn first_overflow(
    city: &City,
    shock_multiplier: f64,
    grid: &Grid,
    d: &Dynamics,
) -> Option<Overflow> {
    let baseline_hi = upper(&city.baseline);
    let unannounced_hi = unannounced_upper(city, grid.end() - grid.start);
    let projects_hi = city
        .projects
        .iter()
        .map(|p| upper(&p.capacity))
        .sum::<f64>();
    let growth_hi = growth_bound(city, shock_multiplier);
    let log_rate = growth_hi.max(-0.999_999).ln_1p();
    let z = standard_normal_quantile(BOUND_LEVEL);
    let log_limit = MAX_CAPACITY.ln();
    let power_rate = city
        .power
        .as_ref()
        .map(|p| upper(&p.mw_growth).max(-0.999_999).ln_1p() + p.efficiency_growth.ln_1p());
    (0..grid.len()).find_map(|k| {
        let t = k as f64 * grid.dt();
        let log_terms = [
            baseline_hi.ln(),
            t * log_rate,
            z * random_log_sd(city, d, t),
        ];
        let multiple = log_terms[1] + log_terms[2];
        let power = power_rate.map_or(0.0, |r| t * r);
        let exceeded = !below(log_terms[0] + multiple, log_limit)
            || !below(multiple, log_limit)
            || !below(projects_hi + unannounced_hi, MAX_CAPACITY)
            || !below(power, log_limit);
        exceeded.then(|| Overflow {
            from: grid.time(k),
            culprit: culprit(log_terms, power, (projects_hi, unannounced_hi)),
            log_terms,
            baseline_hi,
            growth_hi,
        })
    })
}

/// An upper bound on the sd of a city's random log growth after t years: the integrated
/// Ornstein-Uhlenbeck sds of its deviation and of the national factor (continuous closed form
/// s^2 tau^2 (t - 2 tau (1 - e^(-t/tau)) + tau (1 - e^(-2t/tau)) / 2)), plus the lumps'
/// volatility x sqrt(t) (docs/model.md, "Growth that moves").
pub fn random_log_sd(city: &City, d: &Dynamics, t: f64) -> f64 {
    let integrated = |sigma: f64, tau: f64| {
        let x = t / tau;
        let v = sigma
            * sigma
            * tau
            * tau
            * (t - 2.0 * tau * (-(-x).exp_m1()) - 0.5 * tau * (-2.0 * x).exp_m1());
        v.max(0.0).sqrt()
    };
    integrated(city.growth_volatility, city.growth_reversion_years)
        + integrated(d.national_volatility, d.national_reversion_years)
        + city.volatility * t.sqrt()
}

/// x < limit; false for NaN, so a NaN bound counts as exceeded.
fn below(x: f64, limit: f64) -> bool {
    x < limit
}

/// The input whose term of the log bound is largest.
fn culprit(log_terms: [f64; 3], power: f64, (projects, unannounced): (f64, f64)) -> &'static str {
    if !below(projects + unannounced, MAX_CAPACITY) {
        return if below(unannounced, projects) {
            "project"
        } else {
            "unannounced"
        };
    }
    let named = [
        ("baseline", log_terms[0]),
        ("growth", log_terms[1]),
        ("volatility", log_terms[2]),
        ("power", power),
    ];
    named
        .iter()
        .fold(("baseline", f64::NEG_INFINITY), |best, &(name, v)| {
            if v > best.1 || v.is_nan() {
                (name, v)
            } else {
                best
            }
        })
        .0
}

/// The largest annual growth rate a trial can use: the upper quantiles of the drawn rate,
/// the long-run rate it fades to and every period's rate, raised by shocks that speed growth.
fn growth_bound(city: &City, shock_multiplier: f64) -> f64 {
    let rates = std::iter::once(upper(&city.growth))
        .chain(city.fading.iter().map(|f| upper(&f.long_run)))
        .chain(city.growth_periods.iter().map(|p| upper(&p.growth)));
    let hi = rates.fold(
        f64::NEG_INFINITY,
        |a, b| if b.is_nan() { b } else { a.max(b) },
    );
    if hi > 0.0 { hi * shock_multiplier } else { hi }
}

/// An upper bound (P) on what unannounced builds add within `years`: a one-in-a-billion
/// Poisson count at the rate's upper bound (mean + 7 sd + 20 builds is above it for every mean)
/// times the size's upper bound.
fn unannounced_upper(city: &City, years: f64) -> f64 {
    city.unannounced.as_ref().map_or(0.0, |u| {
        let mean = upper(&u.rate).min(crate::scenario::MAX_UNANNOUNCED_RATE) * years;
        (mean + 7.0 * mean.sqrt() + 20.0) * upper(&u.size)
    })
}

/// A draw's one-in-a-billion upper bound (its maximum for bounded distributions).
fn upper(d: &Dist) -> f64 {
    let (_, hi) = d.support();
    if hi.is_finite() {
        hi
    } else {
        d.quantile(BOUND_LEVEL)
    }
}

/// The span of the key named as culprit, for the message's line number.
fn span_of(c: &RawCity, culprit: &str) -> std::ops::Range<usize> {
    match culprit {
        "baseline" => c.baseline.span(),
        "volatility" => c.volatility.as_ref().map_or(c.growth.span(), |v| v.span()),
        "power" => c.power.as_ref().map_or(c.growth.span(), |p| p.span()),
        "project" => c.projects.first().map_or(c.growth.span(), |p| p.span()),
        "unannounced" => c.unannounced.as_ref().map_or(c.growth.span(), |u| u.span()),
        _ => c.growth.span(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(text: &str) -> (Scenario, Option<Overflow>) {
        let s = crate::scenario::parse_str(text, "t.toml", "t");
        let scenario = match s {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let overflow = first_overflow(&scenario.cities[0], 1.0, &scenario.grid, &scenario.dynamics);
        (scenario, overflow)
    }

    #[test]
    fn a_fixed_path_crosses_the_limit_where_the_closed_form_says() {
        // 1000 (1 + g)^t reaches 1e300 at t = ln(1e297) / ln(1 + g); with g = 10 that is
        // 285.2 years: from 2185.25 on a quarterly grid, beyond a horizon ending 2180.
        let text = "[scenario]\nstart = 1900.0\nend = 2180.0\n[[city]]\nname = \"A\"\n\
                    baseline = 1000\ngrowth = 10.0\n";
        assert_eq!(city(text).1, None);
        let years = (1e297f64).ln() / 11f64.ln();
        let err = crate::scenario::parse_str(&text.replace("2180.0", "2200.0"), "t.toml", "t")
            .unwrap_err()
            .to_string();
        let expected_from = 1900.0 + (years * 4.0).ceil() / 4.0;
        assert!(
            err.contains(&format!(
                "from {} on",
                crate::units::format_year(expected_from)
            )),
            "{err}"
        );
        assert!(err.contains("key `city[A].growth`"), "{err}");
    }

    #[test]
    fn the_researched_scenarios_stay_far_below_the_limit() {
        for file in ["scenarios/base.toml", "tests/data/all-risks.toml"] {
            let loaded = crate::scenario::load(std::path::Path::new(file)).unwrap();
            for c in &loaded.scenario.cities {
                assert_eq!(
                    first_overflow(c, 10.0, &loaded.scenario.grid, &loaded.scenario.dynamics),
                    None
                );
            }
        }
    }
}
