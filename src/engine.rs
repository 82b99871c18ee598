//! Runs many trials in parallel and folds them into mergeable statistics, reproducibly.
//!
//! Trials are numbered; trial i's random numbers depend only on (seed, i). Work is split into
//! fixed chunks of trials and every accumulator merges exactly, so the result is the same bits
//! whatever the number of threads. Memory holds one accumulator per rayon task, never per trial.

use crate::model::{Model, TrialBuffer};
use crate::scenario::{Scenario, Series};
use crate::stats::CellStats;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

/// Trials per unit of parallel work.
pub const CHUNK_TRIALS: u64 = 1024;
/// Default number of whole trajectories kept for charts (the first trials, by number).
pub const DEFAULT_PATH_SAMPLES: usize = 40;

/// What to run: the model, the threshold checks to count, and how many paths to keep.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub model: Model,
    pub targets: Vec<TargetCheck>,
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
}

impl RunSpec {
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let model = Model::new(scenario);
        let total = model.series_count() - 1;
        let targets = scenario
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
        RunSpec {
            model,
            targets,
            observations,
            trials: scenario.trials,
            seed: scenario.seed,
            path_samples: DEFAULT_PATH_SAMPLES,
        }
    }
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
        }
    }

    pub fn cell(&self, series: usize, k: usize) -> &CellStats {
        &self.cells[series * self.grid_len + k]
    }

    pub fn add_trial(&mut self, spec: &RunSpec, trial: u64, buf: &TrialBuffer) {
        let values = &buf.values;
        for (cell, v) in self.cells.iter_mut().zip(values) {
            cell.add(*v);
        }
        for (cell, v) in self.used_cells.iter_mut().zip(&buf.used) {
            cell.add(*v);
        }
        for (hits, binds) in self.cap_binds.iter_mut().zip(&buf.cap_binds) {
            *hits += u64::from(*binds);
        }
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
        if trial < spec.path_samples as u64 {
            self.paths.push(SampledPath {
                trial,
                values: values.to_vec(),
            });
        }
        self.trials += 1;
    }

    /// Adds another aggregate's trials to this one. Exact: the order of merges does not matter.
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
        self.trials += other.trials;
        self.paths.extend(other.paths);
        self.paths.sort_by_key(|p| p.trial);
        self
    }
}

/// Runs trials `range` of the spec in parallel on the current rayon pool, calling `progress`
/// with the number of trials finished after each chunk.
pub fn run_range(
    spec: &RunSpec,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Aggregate {
    fold_range(spec, range, progress, &AtomicBool::new(false))
}

/// Like [`run_range`], but gives up soon after `stop` becomes true (it is checked before every
/// trial) and then returns None: a partial aggregate is never returned.
pub fn run_range_until(
    spec: &RunSpec,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Option<Aggregate> {
    let agg = fold_range(spec, range, progress, stop);
    (!stop.load(Ordering::Relaxed)).then_some(agg)
}

fn fold_range(
    spec: &RunSpec,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Aggregate {
    let first_chunk = range.start / CHUNK_TRIALS;
    let last_chunk = range.end.div_ceil(CHUNK_TRIALS);
    (first_chunk..last_chunk)
        .into_par_iter()
        .fold(
            || (Aggregate::new(spec), spec.model.buffer()),
            |(mut agg, mut buf), chunk| {
                let lo = (chunk * CHUNK_TRIALS).max(range.start);
                let hi = ((chunk + 1) * CHUNK_TRIALS).min(range.end);
                for trial in lo..hi {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    spec.model.run_trial(spec.seed, trial, &mut buf);
                    agg.add_trial(spec, trial, &buf);
                }
                progress(hi - lo);
                (agg, buf)
            },
        )
        .map(|(agg, _)| agg)
        .reduce(|| Aggregate::new(spec), Aggregate::merge)
}

/// Runs every trial of the spec.
pub fn run(spec: &RunSpec, progress: &(dyn Fn(u64) + Sync)) -> Aggregate {
    run_range(spec, 0..spec.trials, progress)
}
