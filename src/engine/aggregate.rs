//! What a run counts ([`RunSpec`]) and the mergeable result of many trials ([`Aggregate`]):
//! cell statistics, threshold hits, ranks and sampled paths. Every merge is exact, so the
//! result does not depend on how trials were split across threads, chunks or shards.

use crate::model::{Model, TrialBuffer};
use crate::scenario::{Scenario, Series};
use crate::stats::CellStats;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Default number of whole trajectories kept for charts (the first trials, by number).
pub const DEFAULT_PATH_SAMPLES: usize = 40;

/// What to run: the model, the threshold checks to count, and how many paths to keep.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub model: Model,
    pub targets: Vec<TargetCheck>,
    /// Distinct (series, capacity) pairs of the targets, whose crossing times are counted.
    pub thresholds: Vec<Threshold>,
    /// Ordered (leader, follower) city pairs whose overtaking is counted: [`city_pairs`].
    pub pairs: Vec<(usize, usize)>,
    pub observations: Vec<ObservationCheck>,
    pub trials: u64,
    pub seed: u64,
    pub path_samples: usize,
}

/// Counts trials with capacity >= `capacity` in one series at one grid time.
#[derive(Debug, Clone, Copy)]
pub struct TargetCheck {
    pub series: usize,
    pub grid_index: usize,
    pub capacity: f64,
}

/// A capacity level of one series whose first crossing time, and the share of trials at or
/// above it at every grid time, are counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub series: usize,
    pub capacity: f64,
}

/// Counts trials below and equal to a reported value in one series at one grid time, so that
/// the value's mid-rank percentile is exact: 100 * (below + equal / 2) / trials.
#[derive(Debug, Clone, Copy)]
pub struct ObservationCheck {
    pub series: usize,
    pub grid_index: usize,
    pub capacity: f64,
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
    pub trial: u64,
    /// Series-major, like [`crate::model::TrialBuffer`].
    pub values: Vec<f64>,
}

/// Everything a run learns, mergeable across chunks, threads and (later) machines.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Aggregate {
    pub series_count: usize,
    pub grid_len: usize,
    /// `cells[s * grid_len + k]`.
    pub cells: Vec<CellStats>,
    /// Used capacity, same layout as `cells`; empty when no city has a utilisation.
    pub used_cells: Vec<CellStats>,
    /// Trials in which city c's power cap binds at grid time k, `cap_binds[c * grid_len + k]`;
    /// empty when no city has a power cap.
    pub cap_binds: Vec<u64>,
    pub target_hits: Vec<u64>,
    /// One per [`RunSpec::observations`], in order.
    pub observation_ranks: Vec<RankCounts>,
    pub trials: u64,
    /// Sorted by trial number.
    pub paths: Vec<SampledPath>,
    /// Per threshold, trials whose capacity first reaches it at grid index k:
    /// `crossing_first[h * (grid_len + 1) + k]`; k = grid_len counts trials that never do.
    pub crossing_first: Vec<u64>,
    /// Per threshold, trials at or above it at grid index k: `threshold_level[h * grid_len + k]`.
    pub threshold_level: Vec<u64>,
    /// Per ordered pair of cities (see [`city_pairs`]), trials in which the follower starts
    /// strictly below the leader and first reaches it at grid index k:
    /// `overtake_first[pair * (grid_len + 2) + k]`; k = grid_len counts followers that start
    /// behind and never reach it, k = grid_len + 1 trials in which the follower does not start behind.
    pub overtake_first: Vec<u64>,
    /// Trials in which city c is the largest at grid index k: `largest[k * cities + c]`
    /// (a tie goes to the city first in the file).
    pub largest: Vec<u64>,
}

/// Every ordered pair (leader, follower) of distinct cities, leader-major.
pub fn city_pairs(cities: usize) -> Vec<(usize, usize)> {
    (0..cities)
        .flat_map(|a| (0..cities).filter(move |b| *b != a).map(move |b| (a, b)))
        .collect()
}

impl RunSpec {
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let model = Model::new(scenario);
        let total = model.series_count() - 1;
        let targets: Vec<TargetCheck> = scenario
            .targets
            .iter()
            .map(|t| TargetCheck {
                series: match t.series {
                    Series::City(i) => i,
                    Series::Total => total,
                },
                grid_index: t.grid_index,
                capacity: t.capacity,
            })
            .collect();
        let observations = observation_checks(scenario);
        let thresholds = distinct_thresholds(&targets);
        RunSpec {
            model,
            pairs: city_pairs(total),
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

/// Every city's observations, city by city in file order.
fn observation_checks(scenario: &Scenario) -> Vec<ObservationCheck> {
    scenario
        .cities
        .iter()
        .enumerate()
        .flat_map(|(series, city)| {
            city.observations.iter().map(move |o| ObservationCheck {
                series,
                grid_index: o.grid_index,
                capacity: o.capacity,
            })
        })
        .collect()
}

impl Aggregate {
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
            cap_binds: if spec.model.has_power() {
                vec![0; spec.model.city_count() * grid_len]
            } else {
                Vec::new()
            },
            target_hits: vec![0; spec.targets.len()],
            observation_ranks: vec![RankCounts::default(); spec.observations.len()],
            trials: 0,
            paths: Vec::new(),
            crossing_first: vec![0; spec.thresholds.len() * (grid_len + 1)],
            threshold_level: vec![0; spec.thresholds.len() * grid_len],
            overtake_first: vec![0; spec.pairs.len() * (grid_len + 2)],
            largest: vec![0; grid_len * (series_count - 1)],
        }
    }

    /// Number of cities (every series but the Total).
    pub fn city_count(&self) -> usize {
        self.series_count - 1
    }

    /// Counts crossing times, levels, overtakes and the largest city of one trial.
    #[cfg(test)]
    fn add_decision_counts(&mut self, spec: &RunSpec, values: &[f64]) {
        let len = self.grid_len;
        let series = |s: usize| &values[s * len..(s + 1) * len];
        for (h, t) in spec.thresholds.iter().enumerate() {
            let path = series(t.series);
            let first = path.iter().position(|v| *v >= t.capacity).unwrap_or(len);
            self.crossing_first[h * (len + 1) + first] += 1;
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

    pub fn cell(&self, series: usize, k: usize) -> &CellStats {
        &self.cells[series * self.grid_len + k]
    }

    /// Adds one trial: the reference for what [`crate::engine::Worker`] does faster, a block of trials at a time.
    #[cfg(test)]
    pub(crate) fn add_trial(&mut self, spec: &RunSpec, trial: u64, buf: &TrialBuffer) {
        for (cell, v) in self.cells.iter_mut().zip(&buf.values) {
            cell.add(*v);
        }
        for (cell, v) in self.used_cells.iter_mut().zip(&buf.used) {
            cell.add(*v);
        }
        let values = &buf.values;
        for (hits, t) in self.target_hits.iter_mut().zip(&spec.targets) {
            if values[t.series * self.grid_len + t.grid_index] >= t.capacity {
                *hits += 1;
            }
        }
        for (rank, o) in self.observation_ranks.iter_mut().zip(&spec.observations) {
            let v = values[o.series * self.grid_len + o.grid_index];
            if v < o.capacity {
                rank.below += 1;
            } else if v == o.capacity {
                rank.equal += 1;
            }
        }
        self.add_decision_counts(spec, values);
        self.add_trial_record(spec, trial, buf);
    }

    /// What is kept of each trial as it runs, block or not: the trial count, where the power cap
    /// binds and the sampled path.
    pub(crate) fn add_trial_record(&mut self, spec: &RunSpec, trial: u64, buf: &TrialBuffer) {
        for (hits, binds) in self.cap_binds.iter_mut().zip(&buf.cap_binds) {
            *hits += u64::from(*binds);
        }
        if trial < spec.path_samples as u64 {
            self.paths.push(SampledPath {
                trial,
                values: buf.values.to_vec(),
            });
        }
        self.trials += 1;
    }

    /// Adds another aggregate's trials to this one. Exact: the order of merges does not matter.
    /// Checks statistics read from a part file against the run they claim to belong to:
    /// every table has the length this scenario gives it, every cell counts the part's
    /// trials, and no count exceeds them. Returns what is wrong, for the merge's message.
    pub fn check(&self, spec: &RunSpec, trials: Range<u64>) -> Result<(), String> {
        let want = Aggregate::new(spec);
        let n = trials.end - trials.start;
        if self.trials != n {
            return Err(format!(
                "it holds {} trials but names the range {trials:?}",
                self.trials
            ));
        }
        let lengths = [
            ("series", self.series_count, want.series_count),
            ("grid times", self.grid_len, want.grid_len),
            ("cells", self.cells.len(), want.cells.len()),
            ("used cells", self.used_cells.len(), want.used_cells.len()),
            ("power counts", self.cap_binds.len(), want.cap_binds.len()),
            (
                "target counts",
                self.target_hits.len(),
                want.target_hits.len(),
            ),
            (
                "observations",
                self.observation_ranks.len(),
                want.observation_ranks.len(),
            ),
            (
                "crossing counts",
                self.crossing_first.len(),
                want.crossing_first.len(),
            ),
            (
                "threshold counts",
                self.threshold_level.len(),
                want.threshold_level.len(),
            ),
            (
                "overtaking counts",
                self.overtake_first.len(),
                want.overtake_first.len(),
            ),
            ("ranking counts", self.largest.len(), want.largest.len()),
        ];
        for (what, got, expected) in lengths {
            if got != expected {
                return Err(format!(
                    "it has {got} {what} where the scenario has {expected}"
                ));
            }
        }
        for (i, cell) in self.cells.iter().chain(&self.used_cells).enumerate() {
            cell.check(n).map_err(|e| format!("cell {i}: {e}"))?;
        }
        let counts = [&self.cap_binds, &self.target_hits, &self.threshold_level];
        if counts.iter().any(|c| c.iter().any(|&v| v > n))
            || self
                .observation_ranks
                .iter()
                .any(|r| r.below.checked_add(r.equal).is_none_or(|s| s > n))
        {
            return Err(format!("a count exceeds its {n} trials"));
        }
        let partitions = [
            (&self.crossing_first, self.grid_len + 1),
            (&self.overtake_first, self.grid_len + 2),
            (&self.largest, self.city_count()),
        ];
        for (counts, group) in partitions {
            let sums_to_n =
                |c: &[u64]| c.iter().try_fold(0u64, |a, &v| a.checked_add(v)) == Some(n);
            if group > 0 && !counts.chunks(group).all(sums_to_n) {
                return Err(format!(
                    "first-time or ranking counts do not add up to its {n} trials"
                ));
            }
        }
        let width = self.series_count * self.grid_len;
        if self
            .paths
            .iter()
            .any(|p| !trials.contains(&p.trial) || p.values.len() != width)
        {
            return Err(
                "a sampled path lies outside its trials or has the wrong length".to_string(),
            );
        }
        Ok(())
    }

    pub fn merge(mut self, other: Aggregate) -> Aggregate {
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.merge(b);
        }
        for (a, b) in self.used_cells.iter_mut().zip(&other.used_cells) {
            a.merge(b);
        }
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
        self
    }
}
