//! What the reports imply and how well the model has done: the conditioning summary
//! (effective sample size, tail diagnostic), the posterior of every sampled input, the
//! calibration of every report (rolling origin and unconditioned), the reports that disagree
//! with the scenario, and the refusal when no trial is consistent with them
//! (docs/model.md, "Conditioning" and "Calibration").

use crate::engine::Aggregate;
use crate::engine::condition::ConditionStats;
use crate::engine::guide::Stage;

use crate::model::Model;
use crate::scenario::{ObservationKind, Scenario};
use crate::stats::CellStats;
use serde::Serialize;

/// Quantile levels read from a predictive histogram for percentiles and scores.
const PREDICTIVE_POINTS: usize = 1000;
/// Reports outside this percentile band of the unconditioned projection are flagged.
pub const DISAGREE_BELOW: f64 = 1.0;
/// See [`DISAGREE_BELOW`].
pub const DISAGREE_ABOVE: f64 = 99.0;

/// The conditioning of a run, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionReport {
    /// Whether the tables are conditioned on the reports.
    pub conditioned: bool,
    /// Reports in the likelihood (a report defining the baseline is left out).
    pub reports_used: usize,
    /// Trials simulated.
    pub trials_simulated: u64,
    /// Sum of the trials' multiplicities: the count the conditioned tables divide by.
    pub weighted_count: u64,
    /// Kish effective sample size of the multiplicities, (sum m)^2 / sum m^2.
    pub effective_sample_size: f64,
    /// Pareto tail shape of the largest weights (k-hat): below 0.5 reliable, 0.5-0.7 usable,
    /// above 0.7 the conditioned tables rest on a few trials.
    pub pareto_k: Option<f64>,
    /// Trials whose weight hit the multiplicity cap.
    pub capped_trials: u64,
    /// How the trials were drawn: the stages that fitted the guide (temperature, effective
    /// size); empty when they came from the prior (docs/model.md, "Guided conditioning").
    pub guide_stages: Vec<Stage>,
    /// Every sampled input before and after conditioning.
    pub posterior: Vec<PosteriorRow>,
    /// Every report placed in the projection made before it and in the unconditioned one.
    pub calibration: Vec<CalibrationRow>,
    /// Coverage and score of the rolling-origin rows.
    pub score: CalibrationScore,
    /// Reports outside the 1-99 percentile band of the unconditioned projection.
    pub disagreements: Vec<String>,
}

/// One sampled input before and after conditioning (values in the input's own unit).
#[derive(Debug, Clone, Serialize)]
pub struct PosteriorRow {
    /// The input's name, e.g. "Beijing.growth".
    pub input: String,
    /// Prior mean.
    pub prior_mean: f64,
    /// Prior 5th, 50th and 95th percentiles.
    pub prior: [f64; 3],
    /// Posterior mean.
    pub posterior_mean: f64,
    /// Posterior 5th, 50th and 95th percentiles.
    pub posterior: [f64; 3],
    /// How far the mean moved, in prior standard deviations.
    pub shift_in_sd: f64,
}

/// Where one report fell in one projection.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationRow {
    /// Series reported.
    pub series: String,
    /// Reference date, decimal year.
    pub at: f64,
    /// Reported value, P.
    pub capacity: f64,
    /// "about", "at_least", "at_most" or "between".
    pub kind: &'static str,
    /// Basis name, or "installed".
    pub basis: String,
    /// Publication date, decimal year.
    pub published: f64,
    /// Reports the projection was conditioned on: 0 for the unconditioned row.
    pub conditioned_on: usize,
    /// True for the unconditioned projection's row.
    pub unconditioned: bool,
    /// Percentile of the report (of the bound, for bounds) in the predictive distribution.
    pub percentile: Option<f64>,
    /// Inside the central 50% band (`about` reports only).
    pub inside_50: Option<bool>,
    /// Inside the central 90% band (`about` reports only).
    pub inside_90: Option<bool>,
    /// CRPS of ln(report) (censored for bounds: the mass on the wrong side of the bound).
    pub crps_log: Option<f64>,
}

/// Coverage of the 50% and 90% bands (ideal 0.5 and 0.9) and the mean log-scale CRPS, over
/// the rolling-origin rows with at least one earlier report... or all rows when none has.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CalibrationScore {
    /// Rows scored.
    pub rows: usize,
    /// Share of `about` reports inside the 50% band.
    pub coverage_50: Option<f64>,
    /// Share of `about` reports inside the 90% band.
    pub coverage_90: Option<f64>,
    /// Mean CRPS on the log scale.
    pub mean_crps_log: Option<f64>,
    /// Probability integral transforms of the `about` reports (their percentiles / 100).
    pub pit: Vec<f64>,
}

impl ConditionReport {
    /// How the trials were drawn, in a few words: "trials from the prior" or "trials drawn by a
    /// guide (5 stages)".
    pub fn sampler_brief(&self) -> String {
        match self.guide_stages.len() {
            0 => "trials drawn from the prior".to_string(),
            n => format!("trials drawn by a guide ({n} stages)"),
        }
    }

    /// How the trials were drawn, in words: "from the prior" or "by a guide fitted in 5 stages
    /// (docs/model.md, Guided conditioning)".
    pub fn sampler(&self) -> String {
        match self.guide_stages.len() {
            0 => "drawn from the prior".to_string(),
            n => format!(
                "drawn by a guide fitted to the reports in {n} stages (weighting the prior's \
                 trials was not enough; docs/model.md, \"Guided conditioning\")"
            ),
        }
    }

    /// The report of a run with observations; None without.
    pub fn new(scenario: &Scenario, agg: &Aggregate) -> Option<Self> {
        let stats = agg.condition.as_ref()?;
        let names = Model::new(scenario).input_names();
        let posterior = names
            .iter()
            .zip(&stats.input_shifts)
            .zip(stats.prior_inputs.iter().zip(&stats.posterior_inputs))
            .filter_map(|((name, shift), (prior, post))| posterior_row(name, *shift, prior, post))
            .collect();
        let calibration = calibration_rows(scenario, stats);
        Some(ConditionReport {
            conditioned: scenario.condition,
            reports_used: scenario
                .observations
                .iter()
                .filter(|o| o.in_likelihood)
                .count(),
            trials_simulated: stats.simulated,
            weighted_count: stats.sum_m,
            effective_sample_size: stats.kish_ess(),
            pareto_k: pareto_k(&stats.top),
            capped_trials: stats.capped,
            guide_stages: stats.guide_stages.clone(),
            posterior,
            score: score(&calibration),
            disagreements: disagreements(scenario, &calibration),
            calibration,
        })
    }

    /// The posterior rows, largest move first.
    pub fn moved_most(&self, n: usize) -> Vec<&PosteriorRow> {
        let mut rows: Vec<&PosteriorRow> = self.posterior.iter().collect();
        rows.sort_by(|a, b| b.shift_in_sd.abs().total_cmp(&a.shift_in_sd.abs()));
        rows.truncate(n);
        rows
    }
}

fn posterior_row(
    name: &str,
    shift: f64,
    prior: &CellStats,
    post: &CellStats,
) -> Option<PosteriorRow> {
    let q = |c: &CellStats, p: f64| c.percentile(p).map_or(f64::NAN, |v| v + shift);
    let prior_sd = prior.sd().unwrap_or(0.0);
    let (prior_mean, post_mean) = (
        prior.mean()? + shift,
        post.mean().map_or(f64::NAN, |m| m + shift),
    );
    Some(PosteriorRow {
        input: name.to_string(),
        prior_mean,
        prior: [q(prior, 5.0), q(prior, 50.0), q(prior, 95.0)],
        posterior_mean: post_mean,
        posterior: [q(post, 5.0), q(post, 50.0), q(post, 95.0)],
        shift_in_sd: if prior_sd > 0.0 {
            (post_mean - prior_mean) / prior_sd
        } else {
            0.0
        },
    })
}

fn calibration_rows(scenario: &Scenario, stats: &ConditionStats) -> Vec<CalibrationRow> {
    let mut rows = Vec::new();
    for (j, o) in scenario.observations.iter().enumerate() {
        if o.defines_baseline {
            continue;
        }
        let earlier = scenario
            .observations
            .iter()
            .filter(|x| x.in_likelihood && x.published < o.published)
            .count();
        for (unconditioned, cell) in [
            (false, &stats.predictive_earlier[j]),
            (true, &stats.predictive_prior[j]),
        ] {
            let points = log_points(cell);
            let y = o.capacity.ln();
            let about = o.kind == ObservationKind::About;
            let band = |lo: f64, hi: f64| about.then(|| inside(&points, y, lo, hi)).flatten();
            rows.push(CalibrationRow {
                series: o.label.clone(),
                at: o.at,
                capacity: o.capacity,
                kind: o.kind.name(),
                basis: o
                    .basis
                    .map_or("installed".to_string(), |b| scenario.bases[b].name.clone()),
                published: o.published,
                conditioned_on: if unconditioned { 0 } else { earlier },
                unconditioned,
                percentile: (!points.is_empty()).then(|| 100.0 * cdf(&points, y)),
                inside_50: band(0.25, 0.75),
                inside_90: band(0.05, 0.95),
                crps_log: crps(&points, o, y),
            });
        }
    }
    rows
}

/// ln of the predictive's quantiles at PREDICTIVE_POINTS levels (mid-points), ascending;
/// empty when the cell holds no trial.
fn log_points(cell: &CellStats) -> Vec<f64> {
    if cell.count() == 0 {
        return Vec::new();
    }
    (0..PREDICTIVE_POINTS)
        .filter_map(|i| cell.percentile(100.0 * (i as f64 + 0.5) / PREDICTIVE_POINTS as f64))
        .map(|v| v.max(f64::MIN_POSITIVE).ln())
        .collect()
}

fn cdf(points: &[f64], y: f64) -> f64 {
    let below = points.partition_point(|x| *x < y);
    let equal = points[below..].partition_point(|x| *x <= y);
    (below as f64 + 0.5 * equal as f64) / points.len() as f64
}

fn inside(points: &[f64], y: f64, lo: f64, hi: f64) -> Option<bool> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let at = |p: f64| points[((p * n) as usize).min(points.len() - 1)];
    Some(y >= at(lo) && y <= at(hi))
}

/// The CRPS of ln(report) against the step distribution of `points`; for bounds, the
/// integral of the squared predictive mass on the wrong side of the bound.
fn crps(points: &[f64], o: &crate::scenario::Observation, y: f64) -> Option<f64> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let below_sq = |bound: f64| -> f64 {
        // Integral of F(x)^2 over x < bound.
        let mut total = 0.0;
        for (i, x) in points.iter().enumerate() {
            let next = points
                .get(i + 1)
                .copied()
                .unwrap_or(f64::INFINITY)
                .min(bound);
            if *x < bound && next > *x {
                total += ((i + 1) as f64 / n).powi(2) * (next - x);
            }
        }
        total
    };
    let above_sq = |bound: f64| -> f64 {
        // Integral of (1 - F(x))^2 over x > bound.
        let mut total = 0.0;
        let mut previous = bound;
        for (i, x) in points.iter().enumerate() {
            if *x > previous {
                total += (1.0 - i as f64 / n).powi(2) * (x - previous);
                previous = *x;
            }
        }
        total
    };
    Some(match o.kind {
        ObservationKind::About => {
            let mean_abs = points.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
            let spread: f64 = points
                .iter()
                .enumerate()
                .map(|(i, x)| (2.0 * (i + 1) as f64 - n - 1.0) * x)
                .sum::<f64>()
                / (n * n);
            mean_abs - spread
        }
        ObservationKind::AtLeast => below_sq(y),
        ObservationKind::AtMost => above_sq(y),
        ObservationKind::Between => below_sq(y) + above_sq(o.upper.map_or(y, f64::ln)),
    })
}

fn score(rows: &[CalibrationRow]) -> CalibrationScore {
    let rolling: Vec<&CalibrationRow> = rows.iter().filter(|r| !r.unconditioned).collect();
    let share = |f: fn(&CalibrationRow) -> Option<bool>| {
        let v: Vec<bool> = rolling.iter().filter_map(|r| f(r)).collect();
        (!v.is_empty()).then(|| v.iter().filter(|b| **b).count() as f64 / v.len() as f64)
    };
    let crps: Vec<f64> = rolling.iter().filter_map(|r| r.crps_log).collect();
    CalibrationScore {
        rows: rolling.len(),
        coverage_50: share(|r| r.inside_50),
        coverage_90: share(|r| r.inside_90),
        mean_crps_log: (!crps.is_empty()).then(|| crps.iter().sum::<f64>() / crps.len() as f64),
        pit: rolling
            .iter()
            .filter(|r| r.kind == "about")
            .filter_map(|r| r.percentile.map(|p| p / 100.0))
            .collect(),
    }
}

fn disagreements(scenario: &Scenario, rows: &[CalibrationRow]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.unconditioned)
        .filter_map(|r| {
            let p = r.percentile?;
            let outside = !(DISAGREE_BELOW..=DISAGREE_ABOVE).contains(&p);
            let relevant = match r.kind {
                "at_least" => p > DISAGREE_ABOVE,
                "at_most" => p < DISAGREE_BELOW,
                _ => outside,
            };
            relevant.then(|| {
                format!(
                    "{} {} P on {} ({}) lies at the {p:.2}th percentile of the unconditioned \
                     projection of '{}': the scenario and this report disagree; conditioned \
                     tables there are set by the shape of a tail",
                    r.series,
                    r.capacity,
                    crate::units::iso_date(r.at),
                    r.kind,
                    scenario.name
                )
            })
        })
        .collect()
}

/// The Pareto tail shape k of the largest importance weights (PSIS, Vehtari et al.), fitted
/// to the exceedances of the kept weights over the smallest of them by the
/// Zhang-Stephens (2009) profile estimator with the weak prior of Vehtari et al.
pub fn pareto_k(top: &[(f64, u64)]) -> Option<f64> {
    if top.len() < 6 {
        return None;
    }
    let max = top[0].0;
    let threshold = (top[top.len() - 1].0 - max).exp();
    let mut x: Vec<f64> = top[..top.len() - 1]
        .iter()
        .map(|(lw, _)| (lw - max).exp() - threshold)
        .filter(|v| *v > 0.0)
        .collect();
    x.sort_by(f64::total_cmp);
    gpd_shape(&x)
}

/// Shape k of a generalised Pareto fitted to positive exceedances `x` (ascending).
fn gpd_shape(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 5 {
        return None;
    }
    let nf = n as f64;
    let candidates = 30 + (nf.sqrt() as usize);
    let quarter = x[((nf / 4.0 + 0.5) as usize).max(1) - 1];
    let theta: Vec<f64> = (1..=candidates)
        .map(|j| {
            let b = 1.0 - (candidates as f64 / (j as f64 - 0.5)).sqrt();
            b / (3.0 * quarter) + 1.0 / x[n - 1]
        })
        .collect();
    let k_of = |t: f64| x.iter().map(|v| (-t * v).ln_1p()).sum::<f64>() / nf;
    let log_lik: Vec<f64> = theta
        .iter()
        .map(|t| {
            let k = k_of(*t);
            nf * ((-t / k).ln() - k - 1.0)
        })
        .collect();
    let weights: Vec<f64> = log_lik
        .iter()
        .map(|l| 1.0 / log_lik.iter().map(|m| (m - l).exp()).sum::<f64>())
        .collect();
    let total: f64 = weights.iter().filter(|w| w.is_finite()).sum();
    let t_post: f64 = theta
        .iter()
        .zip(&weights)
        .filter(|(_, w)| w.is_finite())
        .map(|(t, w)| t * w)
        .sum::<f64>()
        / total;
    let k = k_of(t_post);
    // A weak prior pulls k toward 0.5 (Vehtari et al.): 10 pseudo-observations.
    let k = (nf * k + 10.0 * 0.5) / (nf + 10.0);
    k.is_finite().then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_shape_of_pareto_draws_is_recovered() {
        // Exceedances of a generalised Pareto with shape 0.5 and scale 1, at evenly spaced
        // quantiles: x = ((1 - p)^-k - 1) / k.
        let k = 0.5;
        let n = 400;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let p = (i as f64 + 0.5) / n as f64;
                ((1.0 - p).powf(-k) - 1.0) / k
            })
            .collect();
        let fitted = gpd_shape(&x).unwrap();
        assert!((fitted - k).abs() < 0.08, "{fitted}");
        // Light tails (exponential: shape 0) give a small k.
        let e: Vec<f64> = (0..n)
            .map(|i| -(1.0 - (i as f64 + 0.5) / n as f64).ln())
            .collect();
        assert!(gpd_shape(&e).unwrap() < 0.15);
    }

    #[test]
    fn crps_of_a_point_mass_is_the_distance() {
        let points = vec![1.0; 10];
        let o = crate::scenario::Observation {
            series: crate::scenario::Series::Total,
            label: "Total".into(),
            at: 2025.0,
            capacity: 1.0,
            upper: None,
            kind: ObservationKind::About,
            error: 0.1,
            tails: crate::scenario::Tails::Normal,
            basis: None,
            published: 2025.0,
            source: "s".into(),
            grid_index: 0,
            defines_baseline: false,
            in_likelihood: true,
        };
        assert!((crps(&points, &o, 3.0).unwrap() - 2.0).abs() < 1e-12);
    }
}
