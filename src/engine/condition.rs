//! Conditioning on reports, exactly and reproducibly (docs/model.md, "Conditioning").
//!
//! Each trial i gets a log-likelihood l_i from the reports ([`ObservationModel`]). Its
//! importance weight w_i = exp(l_i - c) becomes an integer weight by randomised rounding,
//! m_i = floor(S w_i + u_i) with S = [`WEIGHT_SCALE`] and u_i uniform on the trial's own
//! "condition" stream, so E(m_i) = S w_i and the rounding adds almost no noise. Every
//! statistic then counts trial i with weight m_i (histogram buckets, sums and counters take
//! integer weights, at no extra cost per trial). Counts are integers, so merges stay exact:
//! conditioned tables are byte-identical for any thread count and shard split. The
//! normaliser c (a log-mean-exp of l over the first trials, the "pilot") is the same in
//! every shard; any c gives the same estimates, it only keeps the integers in range.
//!
//! The same machinery scores the model (calibration): for each report j, the trials are
//! weighted by the reports published before it (a rolling origin) and a simulated report is
//! recorded with that multiplicity, so its percentile, bands and CRPS come from the
//! projection a planner had before it was published.

use crate::engine::guide::{self, GUIDE_BELOW_ESS_SHARE, Guide, Stage};
use crate::engine::smc;
use crate::model::latent::Latent;
use crate::model::observe::ObservationModel;
use crate::model::streams::{StreamKind, stream, stream_key};
use crate::model::{Model, TrialBuffer};
use crate::scenario::Scenario;
use crate::stats::CellStats;
use rand::distr::{Distribution, StandardUniform};
use serde::{Deserialize, Serialize};

/// Trials of the pilot that sets each normaliser: the first ones, by number.
pub const PILOT_TRIALS: u64 = 4096;
/// A trial whose log-likelihood for one report is above this (about 6 standard deviations)
/// counts as consistent with it.
pub const CONSISTENT_LOG_LIKELIHOOD: f64 = -18.0;
/// The integer weight of a trial of average weight: large enough that randomised rounding
/// adds a negligible variance (at most 1/(4 S^2) per trial, relative), small enough that
/// 10^10 trials' weights fit the 64-bit counts.
pub const WEIGHT_SCALE: f64 = 1024.0;
/// Largest weight one trial may get (2^40): a guard against a pilot that missed the
/// likelihood's mode entirely (counted, and reported, when reached).
pub const MAX_MULTIPLICITY: u64 = 1 << 40;

/// What a run conditions on and scores, fixed before the first trial.
#[derive(Debug, Clone)]
pub struct Conditioning {
    /// One per scenario observation (and probe), in order.
    pub observations: Vec<ObservationModel>,
    /// Whether the tables are weighted (else the weights only score the model).
    pub enabled: bool,
    /// For each report j, the reports published strictly before it (its information set).
    pub earlier: Vec<Vec<usize>>,
    /// The reports in the likelihood of the conditioned tables.
    pub all: Vec<usize>,
    /// Log normaliser of the conditioned tables' weights.
    pub scale: f64,
    /// Log normaliser of each report's rolling-origin weights.
    pub earlier_scales: Vec<f64>,
    /// Per sampled input, a shift that makes its values positive for the histograms.
    pub input_shifts: Vec<f64>,
    /// Largest log-weights kept for the tail diagnostic.
    pub tail_keep: usize,
    /// The guide that draws each trial's inputs when weighting the prior's trials is not
    /// enough ([`guide`]); None: trials come from the prior.
    pub guide: Option<Guide>,
    /// Effective share of the prior's pilot under the conditioned weights.
    pub prior_ess_share: f64,
    /// Effective share of the guided pilot (0 without a guide).
    pub guided_ess_share: f64,
    key: u64,
}

/// What one trial contributes, computed by [`Conditioning::weigh`].
#[derive(Debug, Clone, Default)]
pub struct TrialWeights {
    /// Multiplicity of the trial in the conditioned tables (1 when not conditioning).
    pub m: u64,
    /// ln w of the trial in the conditioned tables.
    pub log_weight: f64,
    /// Per report: the multiplicity under its information set.
    pub earlier_m: Vec<u64>,
    /// Per report: a simulated report on its basis.
    pub reports: Vec<f64>,
    /// Per report: its log-likelihood.
    pub log_likelihoods: Vec<f64>,
    /// ln phi(z) - ln q(z) of the trial's latent draws (0 from the prior).
    pub log_ratio: f64,
    /// Multiplicity of the trial in the unconditioned statistics: 1 from the prior, about
    /// S phi(z) / q(z) from a guide.
    pub m_prior: u64,
    /// The trial's latent normals (guided runs), reused from trial to trial.
    pub z: Vec<f64>,
}

impl Conditioning {
    /// The conditioning of a scenario with observations (None without any), its normalisers
    /// set by a pilot over the first [`PILOT_TRIALS`] trials (deterministic: every shard
    /// computes the same).
    pub fn new(scenario: &Scenario, model: &Model) -> Option<Self> {
        if scenario.observations.is_empty() {
            return None;
        }
        let observations: Vec<ObservationModel> = scenario
            .observations
            .iter()
            .map(ObservationModel::new)
            .collect();
        let all: Vec<usize> = (0..observations.len())
            .filter(|j| observations[*j].in_likelihood)
            .collect();
        let earlier = scenario
            .observations
            .iter()
            .map(|o| {
                all.iter()
                    .copied()
                    .filter(|k| scenario.observations[*k].published < o.published)
                    .collect()
            })
            .collect();
        let mut c = Conditioning {
            tail_keep: tail_keep(scenario.trials),
            observations,
            enabled: scenario.condition,
            earlier,
            all,
            scale: 0.0,
            earlier_scales: Vec::new(),
            input_shifts: Vec::new(),
            guide: None,
            prior_ess_share: 1.0,
            guided_ess_share: 0.0,
            key: stream_key(StreamKind::Condition, &[]),
        };
        let pilot = scenario.trials.min(PILOT_TRIALS);
        c.pilot(model, scenario.seed, pilot);
        if c.enabled && c.prior_ess_share < GUIDE_BELOW_ESS_SHARE {
            let all = c.all.clone();
            let log_likelihood = |buf: &TrialBuffer| -> f64 {
                let ll = c.log_likelihoods(buf);
                all.iter().map(|j| ll[*j]).sum()
            };
            let fitted = smc::adapt(model, (scenario.seed, scenario.trials), &log_likelihood);
            if let Some(g) = fitted {
                let prior = c.clone();
                c.guide = Some(g);
                c.pilot(model, scenario.seed, pilot);
                c.input_shifts = prior.input_shifts.clone();
                // Never worse than weighting the prior's trials.
                if c.guided_ess_share <= c.prior_ess_share {
                    c = prior;
                }
            }
        }
        Some(c)
    }

    /// Runs trial `trial` into `buf`, its inputs drawn by the guide when there is one (its
    /// latents and importance ratio into `out`).
    pub fn simulate(
        &self,
        model: &Model,
        (seed, trial): (u64, u64),
        buf: &mut TrialBuffer,
        out: &mut TrialWeights,
    ) {
        match &self.guide {
            None => {
                out.log_ratio = 0.0;
                model.run_trial(seed, trial, buf);
            }
            Some(g) => {
                out.log_ratio = g.draw(seed, trial, &mut out.z);
                model.run_trial_steered(seed, trial, &mut Latent::guided(&out.z), buf);
            }
        }
    }

    /// Sets the normalisers (log-mean-exp of each set's log-weight: its log-likelihood plus the
    /// trial's importance ratio) and the input shifts, from the first `trials` trials.
    fn pilot(&mut self, model: &Model, seed: u64, trials: u64) {
        let mut buf = model.buffer();
        let mut w = TrialWeights::default();
        let sets: Vec<Vec<usize>> = std::iter::once(self.all.clone())
            .chain(self.earlier.iter().cloned())
            .collect();
        let mut sums: Vec<Vec<f64>> = vec![Vec::new(); sets.len()];
        let (mut lo, mut hi): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
        for trial in 0..trials {
            self.simulate(model, (seed, trial), &mut buf, &mut w);
            let ll = self.log_likelihoods(&buf);
            for (set, s) in sets.iter().zip(sums.iter_mut()) {
                s.push(set.iter().map(|j| ll[*j]).sum::<f64>() + w.log_ratio);
            }
            if lo.is_empty() {
                (lo, hi) = (buf.inputs.clone(), buf.inputs.clone());
            }
            for ((l, h), v) in lo.iter_mut().zip(hi.iter_mut()).zip(&buf.inputs) {
                (*l, *h) = (l.min(*v), h.max(*v));
            }
        }
        let scales: Vec<f64> = sums.iter().map(|s| log_mean_exp(s)).collect();
        let share = guide::ess(&sums[0]) / trials.max(1) as f64;
        match self.guide {
            None => self.prior_ess_share = share,
            Some(_) => self.guided_ess_share = share,
        }
        self.scale = scales[0];
        self.earlier_scales = scales[1..].to_vec();
        // Values down to a whole range below the pilot's minimum stay positive.
        self.input_shifts = lo
            .iter()
            .zip(&hi)
            .map(|(l, h)| l - (h - l).max(l.abs() * 0.5).max(1e-9))
            .collect();
    }

    /// Each report's log-likelihood in the trial in `buf`.
    pub fn log_likelihoods(&self, buf: &TrialBuffer) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.observations.len());
        self.log_likelihoods_into(buf, &mut out);
        out
    }

    fn log_likelihoods_into(&self, buf: &TrialBuffer, out: &mut Vec<f64>) {
        out.clear();
        out.extend(
            self.observations
                .iter()
                .zip(&buf.probes)
                .map(|(o, x)| o.log_likelihood(o.basis_value(*x, &buf.basis_factors))),
        );
    }

    /// The trial's multiplicities, simulated reports and log-likelihoods, into `out` (whose
    /// vectors are reused from trial to trial: nothing is allocated per trial).
    pub fn weigh(&self, seed: u64, trial: u64, buf: &TrialBuffer, out: &mut TrialWeights) {
        self.log_likelihoods_into(buf, &mut out.log_likelihoods);
        let ll = &out.log_likelihoods;
        let mut rng = stream(seed, trial, self.key);
        let u: f64 = StandardUniform.sample(&mut rng);
        let r = out.log_ratio;
        let sum = |set: &[usize]| set.iter().map(|j| ll[*j]).sum::<f64>() + r;
        out.log_weight = sum(&self.all) - self.scale;
        out.m_prior = if self.guide.is_some() {
            multiplicity(r, u)
        } else {
            1
        };
        out.m = if self.enabled {
            multiplicity(out.log_weight, u)
        } else {
            1
        };
        out.earlier_m.clear();
        out.earlier_m.extend(
            self.earlier
                .iter()
                .zip(&self.earlier_scales)
                .map(|(set, scale)| multiplicity(sum(set) - scale, u)),
        );
        out.reports.clear();
        out.reports.extend(
            self.observations
                .iter()
                .zip(&buf.probes)
                .map(|(o, x)| o.simulated_report(o.basis_value(*x, &buf.basis_factors), &mut rng)),
        );
    }
}

/// floor(S exp(log_weight) + u), at most [`MAX_MULTIPLICITY`]; 0 for an impossible trial.
pub fn multiplicity(log_weight: f64, u: f64) -> u64 {
    if log_weight.is_nan() || log_weight == f64::NEG_INFINITY {
        return 0;
    }
    let w = WEIGHT_SCALE * log_weight.min((MAX_MULTIPLICITY as f64).ln()).exp();
    ((w + u).floor() as u64).min(MAX_MULTIPLICITY)
}

/// ln(mean(exp(x))), computed stably; 0 when every x is -infinity (no trial consistent).
pub fn log_mean_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() || xs.is_empty() {
        return 0.0;
    }
    let mean = xs.iter().map(|x| (x - max).exp()).sum::<f64>() / xs.len() as f64;
    max + mean.ln()
}

/// How many of the largest weights the tail diagnostic fits: min(N / 5, 3 sqrt N)
/// (Vehtari et al., Pareto smoothed importance sampling), at least 5.
pub fn tail_keep(trials: u64) -> usize {
    let n = trials as f64;
    (n / 5.0).min(3.0 * n.sqrt()).ceil().max(5.0) as usize
}

/// The conditioning statistics of many trials; integer counts and kept values, so merges
/// are exact.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConditionStats {
    /// Trials run (the conditioned tables count sum_m instead).
    pub simulated: u64,
    /// Sum of the multiplicities.
    pub sum_m: u64,
    /// Sum of the squared multiplicities (for the Kish effective sample size).
    pub sum_m_sq: u128,
    /// Sum of the unconditioned multiplicities (the trials, unless a guide drew them).
    #[serde(default)]
    pub sum_m_prior: u64,
    /// Trials that reached [`MAX_MULTIPLICITY`].
    pub capped: u64,
    /// Per report: trials consistent with it (log-likelihood above
    /// [`CONSISTENT_LOG_LIKELIHOOD`]).
    pub consistent: Vec<u64>,
    /// The largest log-weights (with their trial numbers), largest first, for the tail
    /// diagnostic.
    pub top: Vec<(f64, u64)>,
    /// Per sampled input (shifted by [`Conditioning::input_shifts`]): every trial once.
    pub prior_inputs: Vec<CellStats>,
    /// Per sampled input (shifted): each trial m times.
    pub posterior_inputs: Vec<CellStats>,
    /// Per report: simulated reports, every trial once (the unconditioned projection).
    pub predictive_prior: Vec<CellStats>,
    /// Per report: simulated reports weighted by the reports published before it.
    pub predictive_earlier: Vec<CellStats>,
    /// The shift of each input's histograms (from the pilot, the same in every part), so that
    /// the report adds it back without running the pilot again.
    #[serde(default)]
    pub input_shifts: Vec<f64>,
    /// The stages that fitted the guide which drew the trials (empty: drawn from the prior).
    #[serde(default)]
    pub guide_stages: Vec<Stage>,
}

impl ConditionStats {
    /// Empty statistics for `c` and `inputs` sampled inputs.
    pub fn new(c: &Conditioning, inputs: usize) -> Self {
        let n = c.observations.len();
        ConditionStats {
            consistent: vec![0; n],
            prior_inputs: vec![CellStats::default(); inputs],
            posterior_inputs: vec![CellStats::default(); inputs],
            predictive_prior: vec![CellStats::default(); n],
            predictive_earlier: vec![CellStats::default(); n],
            input_shifts: c.input_shifts.clone(),
            guide_stages: c.guide.as_ref().map_or(Vec::new(), |g| g.stages.clone()),
            ..ConditionStats::default()
        }
    }

    /// Adds one trial: [`ConditionStats::add_counts`] and [`ConditionStats::add_cells`].
    pub fn add(&mut self, c: &Conditioning, trial: u64, w: &TrialWeights, inputs: &[f64]) {
        self.add_counts(c, trial, w);
        self.add_cells(c, w, inputs);
    }

    /// Adds one trial's counters and its place among the largest weights, not its inputs'
    /// and reports' histograms (which [`ConditionStats::add_cells`] or a
    /// [`crate::engine::condition_block::ConditionBlock`] add).
    pub fn add_counts(&mut self, c: &Conditioning, trial: u64, w: &TrialWeights) {
        self.simulated += 1;
        self.sum_m += w.m;
        self.sum_m_sq += u128::from(w.m) * u128::from(w.m);
        self.sum_m_prior += w.m_prior;
        self.capped += u64::from(w.m == MAX_MULTIPLICITY);
        for (n, ll) in self.consistent.iter_mut().zip(&w.log_likelihoods) {
            *n += u64::from(*ll > CONSISTENT_LOG_LIKELIHOOD);
        }
        if w.log_weight.is_finite() {
            self.insert_top((w.log_weight, trial), c.tail_keep);
        }
    }

    fn keep_top(&mut self, more: &[(f64, u64)], keep: usize) {
        self.top.extend_from_slice(more);
        self.top.sort_by(top_order);
        self.top.truncate(keep);
    }

    /// [`ConditionStats::keep_top`] of one trial into a `top` already in order: the same list,
    /// without sorting it again for every trial (the sort was a quarter of an unconditioned run
    /// of base, whose reports are scored).
    fn insert_top(&mut self, item: (f64, u64), keep: usize) {
        let at = self
            .top
            .partition_point(|x| top_order(x, &item) == std::cmp::Ordering::Less);
        if at < keep {
            self.top.insert(at, item);
            self.top.truncate(keep);
        }
    }

    /// Adds another part's statistics. Exact.
    pub fn merge(&mut self, other: &ConditionStats, keep: usize) {
        self.simulated += other.simulated;
        self.sum_m += other.sum_m;
        self.sum_m_sq += other.sum_m_sq;
        self.sum_m_prior += other.sum_m_prior;
        self.capped += other.capped;
        for (a, b) in self.consistent.iter_mut().zip(&other.consistent) {
            *a += b;
        }
        self.keep_top(&other.top, keep);
        for (a, b) in [
            (&mut self.prior_inputs, &other.prior_inputs),
            (&mut self.posterior_inputs, &other.posterior_inputs),
            (&mut self.predictive_prior, &other.predictive_prior),
            (&mut self.predictive_earlier, &other.predictive_earlier),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
    }

    /// Kish's effective sample size of the multiplicities: (sum m)^2 / sum m^2.
    pub fn kish_ess(&self) -> f64 {
        if self.sum_m_sq == 0 {
            return 0.0;
        }
        (self.sum_m as f64).powi(2) / self.sum_m_sq as f64
    }
}

/// Largest log-weight first, then the smaller trial number: a total order (trials differ).
fn top_order(a: &(f64, u64), b: &(f64, u64)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserting trial by trial keeps what sorting everything and truncating keeps, ties of
    /// log-weight included (the smaller trial first).
    #[test]
    fn inserting_into_the_top_equals_sorting_everything() {
        for keep in [0, 1, 5, 64] {
            let mut inserted = ConditionStats::default();
            let mut all = Vec::new();
            for trial in 0..2_000u64 {
                let w = ((trial * 7919) % 613) as f64 * 0.25 - 40.0;
                inserted.insert_top((w, trial), keep);
                all.push((w, trial));
            }
            let mut sorted = ConditionStats::default();
            sorted.keep_top(&all, keep);
            assert_eq!(inserted.top, sorted.top, "keep {keep}");
            assert_eq!(inserted.top.len(), keep);
        }
    }

    #[test]
    fn kish_ess_matches_its_formula_on_known_weights() {
        let mut s = ConditionStats::default();
        for m in [1u64, 2, 3, 0, 4] {
            s.sum_m += m;
            s.sum_m_sq += u128::from(m * m);
        }
        // (1 + 2 + 3 + 0 + 4)^2 / (1 + 4 + 9 + 0 + 16) = 100 / 30.
        assert!((s.kish_ess() - 100.0 / 30.0).abs() < 1e-12);
    }

    #[test]
    fn multiplicities_round_weights_without_bias() {
        assert_eq!(multiplicity(f64::NEG_INFINITY, 0.99), 0);
        assert_eq!(multiplicity(0.0, 0.0), 1024);
        let w = 2.5 / WEIGHT_SCALE;
        assert_eq!(multiplicity(w.ln(), 0.4), 2);
        assert_eq!(multiplicity(w.ln(), 0.5), 3);
        // Mean over a grid of u equals the weight.
        let n = 100_000;
        let w = 0.3 / WEIGHT_SCALE;
        let mean = (0..n)
            .map(|i| multiplicity(w.ln(), (i as f64 + 0.5) / n as f64))
            .sum::<u64>() as f64
            / n as f64;
        assert!((mean - 0.3).abs() < 1e-4);
    }

    #[test]
    fn log_mean_exp_is_stable() {
        assert!((log_mean_exp(&[-1000.0, -1000.0]) + 1000.0).abs() < 1e-12);
        assert_eq!(log_mean_exp(&[f64::NEG_INFINITY]), 0.0);
        assert!((log_mean_exp(&[0.0, 2f64.ln()]) - 1.5f64.ln()).abs() < 1e-12);
    }
}
