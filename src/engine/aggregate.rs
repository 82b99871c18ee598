//! What a run counts ([`RunSpec`]) and the mergeable result of many trials ([`Aggregate`]):
//! cell statistics, threshold hits, ranks and sampled paths. Every merge is exact, so the
//! result does not depend on how trials were split across threads, chunks or shards.

use crate::engine::condition::{ConditionStats, Conditioning, TrialWeights};
use crate::model::{Model, TrialBuffer};
use crate::scenario::Scenario;
use crate::stats::CellStats;
use serde::{Deserialize, Serialize};

/// Default number of whole trajectories kept for charts (the first trials, by number).
pub const DEFAULT_PATH_SAMPLES: usize = 40;

/// What to run: the model, the threshold checks to count, and how many paths to keep.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The scenario compiled for trials.
    pub model: Model,
    /// The scenario's targets, in order, as threshold checks.
    pub targets: Vec<TargetCheck>,
    /// Distinct (series, capacity) pairs of the targets, whose crossing times are counted.
    pub thresholds: Vec<Threshold>,
    /// Ordered (leader, follower) pairs of series (storage indices) whose overtaking is
    /// counted: the scenario's rivalries (by default the largest few cities).
    pub pairs: Vec<(usize, usize)>,
    /// Every city's observations, city by city in file order.
    pub observations: Vec<ObservationCheck>,
    /// Number of trials to run.
    pub trials: u64,
    /// Random seed.
    pub seed: u64,
    /// Number of whole trajectories to keep for charts (the first trials by number).
    pub path_samples: usize,
    /// Reports to weight by (when the scenario conditions) and to score; None without any.
    pub conditioning: Option<Conditioning>,
}

/// Counts trials with capacity >= `capacity` in one series at one grid time.
#[derive(Debug, Clone, Copy)]
pub struct TargetCheck {
    /// Series index: cities in order, then the Total.
    pub series: usize,
    /// Index of the grid time checked.
    pub grid_index: usize,
    /// Capacity to reach, P.
    pub capacity: f64,
    /// The model's probe that reads the series at the target's exact date.
    pub probe: usize,
}

/// A capacity level of one series whose first crossing time, and the share of trials at or
/// above it at every grid time, are counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Series index: cities in order, then the Total.
    pub series: usize,
    /// Capacity level, P.
    pub capacity: f64,
}

/// Counts trials below and equal to a reported value in one series at one grid time, so that
/// the value's mid-rank percentile is exact: 100 * (below + equal / 2) / trials.
#[derive(Debug, Clone, Copy)]
pub struct ObservationCheck {
    /// Series index of the city.
    pub series: usize,
    /// Index of the grid time compared (the first grid time >= the report's date).
    pub grid_index: usize,
    /// Reported capacity, P.
    pub capacity: f64,
    /// The model's probe that reads the series at the report's exact date (plus lag).
    pub probe: usize,
    /// The report's basis, whose factor multiplies installed capacity.
    pub basis: Option<usize>,
}

/// Where one reported value fell among the trials; integer counts, so merges are exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankCounts {
    /// Trials strictly below the reported value.
    pub below: u64,
    /// Trials exactly equal to it.
    pub equal: u64,
}

/// One trial's whole trajectory, every series, kept for charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampledPath {
    /// Trial number.
    pub trial: u64,
    /// Series-major, like [`crate::model::TrialBuffer`].
    pub values: Vec<f64>,
}

/// Sub-steps per grid step at which crossing times are counted (quarterly steps: 2.9 days).
pub const CROSSING_SUBSTEPS: usize = 32;

/// Bins of one threshold's crossing histogram on a grid of `grid_len` times: every sub-step
/// from the start to the last grid time, and "never".
pub fn crossing_bins(grid_len: usize) -> usize {
    (grid_len.max(1) - 1) * CROSSING_SUBSTEPS + 2
}

/// The crossing-histogram bin of a path that first reaches `capacity` at grid index `first`
/// (`path.len()` when never): 0 at the start; between grid times, the time at which the
/// log-linear interpolation of the last value below, v0, and the first at or above, v1,
/// reaches it, a fraction f = ln(c / v0) / ln(v1 / v0) of the step (linear when v0 <= 0),
/// rounded up to the next sub-step, so a crossing counted by grid time k was reached by it.
pub fn crossing_bin(path: &[f64], first: usize, capacity: f64) -> usize {
    let len = path.len();
    if first >= len {
        return crossing_bins(len) - 1;
    }
    if first == 0 {
        return 0;
    }
    let (v0, v1) = (path[first - 1], path[first]);
    let f = if v0 > 0.0 {
        (capacity / v0).ln() / (v1 / v0).ln()
    } else {
        (capacity - v0) / (v1 - v0)
    };
    let sub = ((f * CROSSING_SUBSTEPS as f64).ceil() as usize).clamp(1, CROSSING_SUBSTEPS);
    (first - 1) * CROSSING_SUBSTEPS + sub
}

/// Everything a run learns, mergeable across chunks, threads and (later) machines.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Aggregate {
    /// Number of series: every city plus the Total.
    pub series_count: usize,
    /// Number of grid times.
    pub grid_len: usize,
    /// `cells[s * grid_len + k]`.
    pub cells: Vec<CellStats>,
    /// Used capacity, same layout as `cells`; empty when no city has a utilisation.
    pub used_cells: Vec<CellStats>,
    /// Installed capacity with each trial counted by its unconditioned multiplicity
    /// ([`TrialWeights::m_prior`]), same layout as `cells`: the projection before the reports
    /// (exactly the unconditioned run's when the trials come from the prior); empty unless the
    /// run is conditioned.
    #[serde(default)]
    pub prior_cells: Vec<CellStats>,
    /// Sum of the squared unconditioned multiplicities of the trials in `prior_cells`, for the
    /// effective sample size of the projection before the reports (Kish).
    #[serde(default)]
    pub prior_sum_sq: u128,
    /// Trials in which city c's power cap binds at grid time k, `cap_binds[c * grid_len + k]`;
    /// empty when no city has a power cap.
    pub cap_binds: Vec<u64>,
    /// Trials meeting each target of [`RunSpec::targets`], in order.
    pub target_hits: Vec<u64>,
    /// One per [`RunSpec::observations`], in order.
    pub observation_ranks: Vec<RankCounts>,
    /// Number of trials added so far.
    pub trials: u64,
    /// Sorted by trial number.
    pub paths: Vec<SampledPath>,
    /// Per threshold, trials whose capacity first reaches it in each sub-step: a histogram of
    /// [`crossing_bins`] bins per threshold, `crossing_first[h * crossing_bins(grid_len) + i]`,
    /// bin i the time start + i dt / [`CROSSING_SUBSTEPS`] (bin k [`CROSSING_SUBSTEPS`] is grid
    /// time k) and the last bin the trials that never do. A crossing between grid times k - 1
    /// and k is interpolated log-linearly ([`crossing_bin`]).
    pub crossing_first: Vec<u64>,
    /// Per threshold, trials at or above it at grid index k: `threshold_level[h * grid_len + k]`.
    pub threshold_level: Vec<u64>,
    /// Per ordered pair of [`RunSpec::pairs`], trials in which the follower starts
    /// strictly below the leader and first reaches it at grid index k:
    /// `overtake_first[pair * (grid_len + 2) + k]`; k = grid_len counts followers that start
    /// behind and never reach it, k = grid_len + 1 trials in which the follower does not start behind.
    pub overtake_first: Vec<u64>,
    /// Trials in which city c is the largest at grid index k: `largest[k * cities + c]`
    /// (a tie goes to the city first in the file).
    pub largest: Vec<u64>,
    /// Conditioning and calibration statistics; None without reports.
    #[serde(default)]
    pub condition: Option<ConditionStats>,
    /// Sampled paths kept: the first this many trials that count.
    pub path_limit: usize,
    /// Number of cities (the first series); groups and the Total follow them.
    pub cities: usize,
    /// Largest log-weights kept for the tail diagnostic.
    pub tail_keep: usize,
}

/// The trial's multiplicity and conditioning draws; multiplicity 1 without reports.
pub fn weigh(spec: &RunSpec, trial: u64, buf: &TrialBuffer, out: &mut TrialWeights) {
    match &spec.conditioning {
        Some(c) => c.weigh(spec.seed, trial, buf, out),
        None => (out.m, out.m_prior) = (1, 1),
    }
}

/// Runs trial `trial` of the spec into `buf`: from the prior, or drawn by the conditioning's
/// guide (its importance ratio into `out`, for [`weigh`]).
pub fn simulate(spec: &RunSpec, trial: u64, buf: &mut TrialBuffer, out: &mut TrialWeights) {
    match &spec.conditioning {
        Some(c) => c.simulate(&spec.model, (spec.seed, trial), buf, out),
        None => spec.model.run_trial(spec.seed, trial, buf),
    }
}

impl RunSpec {
    /// Compiles a scenario and lists what to count for it; conditions on its reports (which
    /// runs the conditioning's pilot and, when needed, fits its guide: a fixed cost).
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let mut spec = RunSpec::layout(scenario);
        spec.conditioning = Conditioning::new(scenario, &spec.model);
        spec
    }

    /// What [`RunSpec::from_scenario`] counts, without the conditioning (no pilot is run): for
    /// analyses that only need the layout, and for timing the engine.
    pub fn layout(scenario: &Scenario) -> Self {
        let model = Model::new(scenario);
        let n_obs = scenario.observations.len();
        let targets: Vec<TargetCheck> = scenario
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| TargetCheck {
                probe: n_obs + i,
                series: scenario.series_index(t.series),
                grid_index: t.grid_index,
                capacity: t.capacity,
            })
            .collect();
        let observations = observation_checks(scenario);
        let thresholds = distinct_thresholds(&targets);
        RunSpec {
            conditioning: None,
            model,
            pairs: scenario
                .rivalries
                .iter()
                .map(|(a, b)| (scenario.series_index(*a), scenario.series_index(*b)))
                .collect(),
            targets,
            thresholds,
            observations,
            trials: scenario.trials,
            seed: scenario.seed,
            path_samples: DEFAULT_PATH_SAMPLES,
        }
    }
}

/// The targets' (series, capacity) pairs, each once, in order of first appearance.
fn distinct_thresholds(targets: &[TargetCheck]) -> Vec<Threshold> {
    let mut out: Vec<Threshold> = Vec::new();
    for t in targets {
        let h = Threshold {
            series: t.series,
            capacity: t.capacity,
        };
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// Every report, in the scenario's order (its probe has the same index).
fn observation_checks(scenario: &Scenario) -> Vec<ObservationCheck> {
    scenario
        .observations
        .iter()
        .enumerate()
        .map(|(probe, o)| ObservationCheck {
            series: scenario.series_index(o.series),
            grid_index: o.grid_index,
            capacity: o.capacity,
            probe,
            basis: o.basis,
        })
        .collect()
}

impl Aggregate {
    /// An empty aggregate (no trials) sized for `spec`.
    pub fn new(spec: &RunSpec) -> Self {
        let series_count = spec.model.series_count();
        let grid_len = spec.model.grid.len();
        Aggregate {
            series_count,
            grid_len,
            cells: vec![CellStats::default(); series_count * grid_len],
            used_cells: if spec.model.has_utilisation() {
                vec![CellStats::default(); series_count * grid_len]
            } else {
                Vec::new()
            },
            prior_cells: if spec.conditioning.as_ref().is_some_and(|c| c.enabled) {
                vec![CellStats::default(); series_count * grid_len]
            } else {
                Vec::new()
            },
            prior_sum_sq: 0,
            cap_binds: if spec.model.has_power() {
                vec![0; spec.model.city_count() * grid_len]
            } else {
                Vec::new()
            },
            target_hits: vec![0; spec.targets.len()],
            observation_ranks: vec![RankCounts::default(); spec.observations.len()],
            trials: 0,
            paths: Vec::new(),
            crossing_first: vec![0; spec.thresholds.len() * crossing_bins(grid_len)],
            threshold_level: vec![0; spec.thresholds.len() * grid_len],
            overtake_first: vec![0; spec.pairs.len() * (grid_len + 2)],
            largest: vec![0; grid_len * spec.model.city_count()],
            cities: spec.model.city_count(),
            condition: spec
                .conditioning
                .as_ref()
                .map(|c| ConditionStats::new(c, spec.model.input_count())),
            path_limit: spec.path_samples,
            tail_keep: spec.conditioning.as_ref().map_or(0, |c| c.tail_keep),
        }
    }

    /// Number of cities (every series but the Total).
    pub fn city_count(&self) -> usize {
        self.cities
    }

    /// Counts crossing times, levels, overtakes and the largest city of one trial.
    #[cfg(test)]
    fn add_decision_counts(&mut self, spec: &RunSpec, values: &[f64]) {
        let len = self.grid_len;
        let series = |s: usize| &values[s * len..(s + 1) * len];
        for (h, t) in spec.thresholds.iter().enumerate() {
            let path = series(t.series);
            let first = path.iter().position(|v| *v >= t.capacity).unwrap_or(len);
            let bin = crossing_bin(path, first, t.capacity);
            self.crossing_first[h * crossing_bins(len) + bin] += 1;
            let level = &mut self.threshold_level[h * len..(h + 1) * len];
            for (count, v) in level.iter_mut().zip(path) {
                *count += u64::from(*v >= t.capacity);
            }
        }
        for (pair, &(a, b)) in spec.pairs.iter().enumerate() {
            let (leader, follower) = (series(a), series(b));
            let slot = if follower[0] >= leader[0] {
                len + 1
            } else {
                (1..len).find(|k| follower[*k] >= leader[*k]).unwrap_or(len)
            };
            self.overtake_first[pair * (len + 2) + slot] += 1;
        }
        let cities = self.city_count();
        for k in 0..len {
            let largest = (1..cities).fold(0, |best, c| {
                if values[c * len + k] > values[best * len + k] {
                    c
                } else {
                    best
                }
            });
            self.largest[k * cities + largest] += 1;
        }
    }

    /// The statistics of series `series` at grid index `k`.
    pub fn cell(&self, series: usize, k: usize) -> &CellStats {
        &self.cells[series * self.grid_len + k]
    }

    /// Adds one trial m times: the reference for what [`crate::engine::Worker`] does faster,
    /// a block of trials at a time.
    #[cfg(test)]
    pub(crate) fn add_trial(&mut self, spec: &RunSpec, trial: u64, buf: &mut TrialBuffer) {
        let mut weights = TrialWeights::default();
        simulate(spec, trial, buf, &mut weights);
        weigh(spec, trial, buf, &mut weights);
        let m = weights.m;
        for (cell, v) in self.cells.iter_mut().zip(&buf.values) {
            cell.add_n(*v, m);
        }
        for (cell, v) in self.used_cells.iter_mut().zip(&buf.used) {
            cell.add_n(*v, m);
        }
        if !self.prior_cells.is_empty() {
            for (cell, v) in self.prior_cells.iter_mut().zip(&buf.values) {
                cell.add_n(*v, weights.m_prior);
            }
        }
        for _ in 0..m {
            self.add_decision_counts(spec, &buf.values);
        }
        self.add_trial_record(spec, trial, buf, &weights);
        if let (Some(stats), Some(c)) = (&mut self.condition, &spec.conditioning) {
            stats.add_cells(c, &weights, &buf.inputs);
        }
    }

    /// What is counted of each trial as it runs, block or not: its multiplicity (the trial
    /// count), target hits at their exact dates, where the power cap binds, the sampled path
    /// (the first `path_samples` trials that count), where each report falls in the
    /// unconditioned projection, and the conditioning statistics.
    pub(crate) fn add_trial_record(
        &mut self,
        spec: &RunSpec,
        trial: u64,
        buf: &TrialBuffer,
        weights: &TrialWeights,
    ) {
        let m = weights.m;
        for (hits, t) in self.target_hits.iter_mut().zip(&spec.targets) {
            *hits += m * u64::from(buf.probes[t.probe] >= t.capacity);
        }
        for (hits, binds) in self.cap_binds.iter_mut().zip(&buf.cap_binds) {
            *hits += m * u64::from(*binds);
        }
        if m > 0 && self.paths.len() < spec.path_samples {
            self.paths.push(SampledPath {
                trial,
                values: buf.values.to_vec(),
            });
        }
        self.trials += m;
        if !self.prior_cells.is_empty() {
            self.prior_sum_sq += u128::from(weights.m_prior).pow(2);
        }
        for (rank, o) in self.observation_ranks.iter_mut().zip(&spec.observations) {
            let v = buf.probes[o.probe] * o.basis.map_or(1.0, |b| buf.basis_factors[b]);
            rank.below += weights.m_prior * u64::from(v < o.capacity);
            rank.equal += weights.m_prior * u64::from(v == o.capacity);
        }
        if let (Some(stats), Some(c)) = (&mut self.condition, &spec.conditioning) {
            stats.add_counts(c, trial, weights);
        }
    }

    /// Adds another aggregate's trials to this one. Exact: the order of merges does not matter.
    /// Cells are merged into an empty aggregate by moving them, not copying, so merging the
    /// threads' aggregates needs no third copy of the histograms.
    pub fn merge(mut self, mut other: Aggregate) -> Aggregate {
        for (a, b) in self.cells.iter_mut().zip(&mut other.cells) {
            a.merge_owned(std::mem::take(b));
        }
        for (a, b) in self.used_cells.iter_mut().zip(&mut other.used_cells) {
            a.merge_owned(std::mem::take(b));
        }
        for (a, b) in self.prior_cells.iter_mut().zip(&mut other.prior_cells) {
            a.merge_owned(std::mem::take(b));
        }
        self.prior_sum_sq += other.prior_sum_sq;
        for (a, b) in self.cap_binds.iter_mut().zip(&other.cap_binds) {
            *a += b;
        }
        for (a, b) in self.target_hits.iter_mut().zip(&other.target_hits) {
            *a += b;
        }
        for (a, b) in self
            .observation_ranks
            .iter_mut()
            .zip(&other.observation_ranks)
        {
            a.below += b.below;
            a.equal += b.equal;
        }
        for (mine, theirs) in [
            (&mut self.crossing_first, &other.crossing_first),
            (&mut self.threshold_level, &other.threshold_level),
            (&mut self.overtake_first, &other.overtake_first),
            (&mut self.largest, &other.largest),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        self.trials += other.trials;
        self.paths.extend(other.paths);
        self.paths.sort_by_key(|p| p.trial);
        self.paths.truncate(self.path_limit);
        if let (Some(a), Some(b)) = (&mut self.condition, &other.condition) {
            a.merge(b, self.tail_keep);
        }
        self
    }
}
