//! Capacity at exact times between grid points ("probes"): the reports' and targets' dates.
//!
//! A probe reads a city at time t in [t_k, t_k+1] without moving any grid value: organic
//! capacity (after retirement and losses) by [`between`] its grid values O_k and O_k+1, the
//! share of the step's change made by t (geometric growth's) moved by a bridge noise s z on the
//! logit scale, with a = (t - t_k) / dt and s = volatility sqrt(a (1 - a) dt), z from the
//! probe's own stream, so the value stays within [O_k, O_k+1]; each project by its
//! exact ramp at t; the power cap by its exact exponential at t (docs/model.md, "Exact
//! times"). A probe on a grid time (a = 0) gives the grid value itself. Reports on a
//! [`Basis`] are read at t + the basis's lag, drawn once per trial like its factor.

use super::latent::{Latent, Steered};
use super::streams::{StreamKind, stream, stream_key};
use crate::model::sampler::standard_normal;
use crate::scenario::grid::{Grid, YEAR_EPSILON};
use crate::scenario::{Basis, Scenario, Series};

/// One probe: a series at a date, perhaps shifted by a basis's lag.
#[derive(Debug, Clone)]
pub struct ProbeModel {
    /// The cities whose capacities the probe sums (one for a city).
    pub cities: Vec<usize>,
    /// Decimal year before any lag.
    pub at: f64,
    /// The basis whose lag shifts the probe, if any.
    pub basis: Option<usize>,
    /// Key of the probe's bridge stream (one per city is derived from it).
    pub key: u64,
    /// A report's probe: its bridge normals are steered by a guide (a target's are not).
    pub steered: bool,
}

/// A reporting basis as drawn in a trial.
#[derive(Debug, Clone)]
pub struct BasisModel {
    factor: Steered,
    lag: Option<Steered>,
    key: u64,
}

/// The probes of a scenario: one per observation (in order), then one per target.
pub fn probes(scenario: &Scenario) -> Vec<ProbeModel> {
    let index = |s: Series| scenario.series_cities(s);
    let observed = scenario.observations.iter().map(|o| ProbeModel {
        cities: index(o.series),
        at: o.at,
        basis: o.basis,
        key: stream_key(
            StreamKind::ProbeObserved,
            &[&o.label, &o.at.to_string(), &o.source],
        ),
        steered: true,
    });
    let targets = scenario.targets.iter().map(|t| ProbeModel {
        cities: index(t.series),
        at: t.at,
        basis: None,
        key: stream_key(StreamKind::ProbeTarget, &[&t.label, &t.at.to_string()]),
        steered: false,
    });
    observed.chain(targets).collect()
}

/// The bases of a scenario, ready to draw.
pub fn bases(bases: &[Basis]) -> Vec<BasisModel> {
    bases
        .iter()
        .map(|b| BasisModel {
            factor: Steered::new(&b.factor),
            lag: b.lag_years.as_ref().map(Steered::new),
            key: stream_key(StreamKind::Basis, &[&b.name]),
        })
        .collect()
}

/// Draws each basis's factor and lag for one trial (a basis without lag draws 0).
pub fn draw_bases(
    bases: &[BasisModel],
    (seed, trial): (u64, u64),
    (factors, lags): (&mut Vec<f64>, &mut Vec<f64>),
    latent: &mut Latent,
) {
    factors.clear();
    lags.clear();
    for b in bases {
        let mut rng = stream(seed, trial, b.key);
        factors.push(b.factor.draw(&mut rng, latent).max(0.0));
        lags.push(b.lag.as_ref().map_or(0.0, |l| l.draw(&mut rng, latent)));
    }
}

/// Each probe's time in this trial: its date plus its basis's lag, held inside the horizon.
pub fn probe_times(probes: &[ProbeModel], lags: &[f64], grid: &Grid, times: &mut Vec<f64>) {
    times.clear();
    times.extend(probes.iter().map(|p| {
        let lag = p.basis.map_or(0.0, |b| lags[b]);
        (p.at + lag).clamp(grid.start, grid.end())
    }));
}

/// Each probe's series at its time: the sum of its cities' values (from `city_probes`,
/// city-major), city by city in order.
pub fn read(probes: &[ProbeModel], city_probes: &[f64], out: &mut [f64]) {
    let np = probes.len();
    for (p, (probe, v)) in probes.iter().zip(out.iter_mut()).enumerate() {
        *v = probe.cities.iter().map(|c| city_probes[c * np + p]).sum();
    }
}

/// Grid step k with t_k <= t < t_k+1 and the fraction a of the step at t (a = 0 on a grid
/// time; the last grid time gives (len - 1, 0)).
pub fn locate(grid: &Grid, t: f64) -> (usize, f64) {
    let last = grid.len() - 1;
    let x = ((t - grid.start) / grid.dt()).max(0.0);
    // x >= 0: truncation is floor (and no libm call).
    let k = (x as usize).min(last);
    if k == last {
        return (last, 0.0);
    }
    let a = x - k as f64;
    // Dates that are grid times up to rounding (e.g. 2026.0 on a quarterly grid from 2024.5).
    let tolerance = YEAR_EPSILON * f64::from(grid.steps_per_year);
    if a < tolerance {
        (k, 0.0)
    } else if a > 1.0 - tolerance {
        (k + 1, 0.0)
    } else {
        (k, a)
    }
}

/// Organic capacity (after retirement and losses, before projects and cap) of city `city` at
/// the time of every probe that reads it, by the monotone bridge of the module's formula (0 for
/// the other probes, which never read it). A report's bridge normal is steered by `latent`
/// (one latent per report and city it reads, whether or not the time falls on the grid).
pub fn organic_at(
    grid: &Grid,
    organic: &[f64],
    (volatility, city): (f64, usize),
    (seed, trial, city_key): (u64, u64, u64),
    (probes, times): (&[ProbeModel], &[f64]),
    (out, latent): (&mut [f64], &mut Latent),
) {
    for ((p, t), v) in probes.iter().zip(times).zip(out.iter_mut()) {
        if !p.cities.contains(&city) {
            // Read by no series of this city: left out of every sum.
            *v = 0.0;
            continue;
        }
        let steered = if p.steered { latent.take() } else { None };
        let (k, a) = locate(grid, *t);
        if a == 0.0 {
            *v = organic[k];
            continue;
        }
        let (lo, hi) = (organic[k], organic[k + 1]);
        let s = volatility * (a * (1.0 - a) * grid.dt()).sqrt();
        let noise = if s > 0.0 && lo != hi {
            let mut rng = stream(seed, trial, p.key ^ city_key);
            let z = standard_normal(&mut rng);
            s * steered.unwrap_or(z)
        } else {
            0.0
        };
        *v = between(lo, hi, a, noise);
    }
}

/// The value a of the way through a step from `lo` to `hi` (docs/model.md, "Exact times"):
/// lo + (hi - lo) w with w the share of the step's change made by then, geometric growth's
/// w0 = ((hi / lo)^a - 1) / (hi / lo - 1) (a when lo or hi is 0 or they are equal), moved by
/// the bridge noise on the logit scale, w = w0 e^n / (w0 e^n + 1 - w0). w stays in [0, 1], so
/// the value stays between `lo` and `hi`: a path that does not fall on the grid does not fall
/// between grid times either; with no noise it is exactly lo (hi / lo)^a.
pub fn between(lo: f64, hi: f64, a: f64, noise: f64) -> f64 {
    if lo == hi {
        return lo;
    }
    let w0 = if lo > 0.0 && hi > 0.0 {
        let log_ratio = (hi / lo).ln();
        (a * log_ratio).exp_m1() / log_ratio.exp_m1()
    } else {
        a
    };
    if noise == 0.0 {
        return if lo > 0.0 && hi > 0.0 {
            lo * (a * (hi / lo).ln()).exp()
        } else {
            lo + (hi - lo) * w0
        };
    }
    let shifted = w0 * noise.exp();
    let w = (shifted / (shifted + 1.0 - w0)).clamp(0.0, 1.0);
    lo + (hi - lo) * w
}

/// Steps that start before the last report's time (plus its basis's longest lag): the walk's
/// steps that reports can inform. Later steps are independent of every report.
pub fn steered_steps(scenario: &Scenario) -> usize {
    let grid = &scenario.grid;
    let until = scenario
        .observations
        .iter()
        .map(|o| {
            let lag = o.basis.and_then(|b| scenario.bases[b].lag_years.as_ref());
            o.at + lag.map_or(0.0, |d| d.support().1.max(0.0))
        })
        .fold(grid.start, f64::max);
    (((until - grid.start) / grid.dt()).ceil().max(0.0) as usize).min(grid.steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_on_the_grid_read_the_grid_value() {
        let grid = Grid {
            start: 2024.5,
            steps_per_year: 4,
            steps: 22,
        };
        assert_eq!(locate(&grid, 2026.0), (6, 0.0));
        assert_eq!(locate(&grid, 2024.5), (0, 0.0));
        assert_eq!(locate(&grid, 2030.0), (22, 0.0));
        let (k, a) = locate(&grid, 2025.125);
        assert_eq!(k, 2);
        assert!((a - 0.5).abs() < 1e-12);
    }
}
