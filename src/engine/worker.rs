//! The engine's fast path: trials run one after another into one aggregate, and are counted a
//! block at a time, column by column.
//!
//! Why blocks: a trial writes one value per cell (series x grid time, 92 in the base scenario).
//! Adding each value as it comes touches every cell's histogram on every trial, and the profile
//! showed those scattered increments and per-value branches as the largest cost after the model
//! itself. Here each trial's values go into a column of a block; every BLOCK_TRIALS trials each
//! cell takes its whole run of values at once (its histogram stays in cache) and every counter
//! is a branch-free loop over the block. The counts are integers, so the result is exactly what
//! `Aggregate::add_trial` (the test-only reference) gives trial by trial (tested).

use crate::engine::aggregate::{
    Aggregate, CROSSING_SUBSTEPS, RunSpec, crossing_bin, crossing_bins, simulate, weigh,
};
use crate::engine::condition::TrialWeights;
use crate::engine::condition_block::ConditionBlock;
use crate::model::TrialBuffer;
use crate::stats::CellStats;

/// Trials gathered before the statistics take them in. The block of the base scenario is
/// 92 cells x 256 trials x 8 bytes = 184 KiB: it stays in a core's cache with the histograms.
pub const BLOCK_TRIALS: usize = 256;

/// The filled part of a block, column by column.
struct Columns<'b> {
    block: &'b [f64],
    grid_len: usize,
    n: usize,
}

impl<'b> Columns<'b> {
    /// The block's values of `series` at grid index `k`, one per trial.
    fn at(&self, series: usize, k: usize) -> &'b [f64] {
        let start = (series * self.grid_len + k) * BLOCK_TRIALS;
        &self.block[start..start + self.n]
    }
}

/// Runs trials into one aggregate; one per thread.
pub struct Worker<'a> {
    spec: &'a RunSpec,
    agg: Aggregate,
    buf: TrialBuffer,
    /// `block[cell * BLOCK_TRIALS + j]`: the cell's value in the block's j-th trial, where
    /// cell = series * grid_len + k as in [`Aggregate::cells`].
    block: Vec<f64>,
    /// Used capacity, the same layout; empty without utilisation.
    used_block: Vec<f64>,
    /// Trials in the block so far.
    filled: usize,
    /// Per trial of the block: 1 while it still waits for a crossing or an overtaking.
    flags: Vec<u64>,
    /// Per trial of the block: the grid times it has spent below a threshold, while counting.
    waited: Vec<u64>,
    /// Per trial of the block: the largest city so far, while counting.
    slots: Vec<usize>,
    /// Per trial of the block: the largest capacity so far, while counting.
    best: Vec<f64>,
    /// Per trial of the block: its multiplicity (1 unless the run is conditioned).
    mult: Vec<u64>,
    /// The current trial's weights, reused from trial to trial.
    weights: TrialWeights,
    /// Conditioned runs: the trials' installed capacities for the projection before the
    /// reports, each with its unconditioned multiplicity; empty otherwise.
    prior: PriorBlock,
    /// Runs with reports: the inputs' and simulated reports' histograms, a block at a time.
    condition: Option<ConditionBlock>,
}

/// A block of trials for [`Aggregate::prior_cells`], the layout of [`Worker`]'s block.
struct PriorBlock {
    block: Vec<f64>,
    mult: Vec<u64>,
    filled: usize,
}

impl PriorBlock {
    /// Puts `values` (one per cell) into the block with multiplicity `m`; when the block is
    /// full, adds it to `cells`.
    fn push(&mut self, values: &[f64], m: u64, cells: &mut [CellStats]) {
        let j = self.filled;
        self.mult[j] = m;
        for (column, v) in self.block.chunks_exact_mut(BLOCK_TRIALS).zip(values) {
            column[j] = *v;
        }
        self.filled += 1;
        if self.filled == BLOCK_TRIALS {
            self.flush(cells);
        }
    }

    /// Adds the block's trials to `cells` and empties it.
    fn flush(&mut self, cells: &mut [CellStats]) {
        let n = self.filled;
        let mult = &self.mult[..n];
        for (cell, column) in cells.iter_mut().zip(self.block.chunks_exact(BLOCK_TRIALS)) {
            cell.add_weighted(&column[..n], mult);
        }
        self.filled = 0;
    }
}

impl<'a> Worker<'a> {
    /// A worker with an empty aggregate for `spec`.
    pub fn new(spec: &'a RunSpec) -> Self {
        let agg = Aggregate::new(spec);
        let prior = PriorBlock {
            block: vec![0.0; agg.prior_cells.len() * BLOCK_TRIALS],
            mult: vec![1; BLOCK_TRIALS],
            filled: 0,
        };
        Worker {
            spec,
            buf: spec.model.buffer(),
            block: vec![0.0; agg.cells.len() * BLOCK_TRIALS],
            used_block: vec![0.0; agg.used_cells.len() * BLOCK_TRIALS],
            agg,
            filled: 0,
            flags: vec![0; BLOCK_TRIALS],
            waited: vec![0; BLOCK_TRIALS],
            slots: vec![0; BLOCK_TRIALS],
            best: vec![0.0; BLOCK_TRIALS],
            mult: vec![1; BLOCK_TRIALS],
            weights: TrialWeights::default(),
            prior,
            condition: spec
                .conditioning
                .as_ref()
                .map(|c| ConditionBlock::new(spec.model.input_count(), c.observations.len())),
        }
    }

    /// Runs trial number `trial` and adds it.
    pub fn run_trial(&mut self, trial: u64) {
        let spec = self.spec;
        simulate(spec, trial, &mut self.buf, &mut self.weights);
        weigh(spec, trial, &self.buf, &mut self.weights);
        self.agg
            .add_trial_record(spec, trial, &self.buf, &self.weights);
        let reports = (
            &mut self.condition,
            &spec.conditioning,
            &mut self.agg.condition,
        );
        if let (Some(block), Some(c), Some(stats)) = reports {
            block.push(c, &self.weights, &self.buf.inputs, stats);
        }
        if self.weights.m > 0 {
            self.push_column(self.weights.m);
        }
        if !self.agg.prior_cells.is_empty() && self.weights.m_prior > 0 {
            let cells = &mut self.agg.prior_cells;
            self.prior
                .push(&self.buf.values, self.weights.m_prior, cells);
        }
    }

    /// Puts the trial in `buf` into the block with multiplicity `m`.
    fn push_column(&mut self, m: u64) {
        let j = self.filled;
        self.mult[j] = m;
        let columns = self.block.chunks_exact_mut(BLOCK_TRIALS);
        for (column, v) in columns.zip(&self.buf.values) {
            column[j] = *v;
        }
        let columns = self.used_block.chunks_exact_mut(BLOCK_TRIALS);
        for (column, v) in columns.zip(&self.buf.used) {
            column[j] = *v;
        }
        self.filled += 1;
        if self.filled == BLOCK_TRIALS {
            self.flush();
        }
    }

    /// The aggregate of every trial run.
    pub fn finish(mut self) -> Aggregate {
        self.flush();
        if let (Some(block), Some(stats)) = (&mut self.condition, &mut self.agg.condition) {
            block.flush(stats);
        }
        self.prior.flush(&mut self.agg.prior_cells);
        self.agg
    }

    /// Adds the block's trials to the statistics and counters and empties it.
    fn flush(&mut self) {
        let n = self.filled;
        if n == 0 {
            return;
        }
        let mult = &self.mult[..n];
        let cells = self
            .agg
            .cells
            .iter_mut()
            .zip(self.block.chunks_exact(BLOCK_TRIALS));
        let used = (self.agg.used_cells.iter_mut()).zip(self.used_block.chunks_exact(BLOCK_TRIALS));
        for (cell, column) in cells.chain(used) {
            cell.add_weighted(&column[..n], mult);
        }
        self.count_thresholds(n);
        self.count_overtakes(n);
        self.count_largest(n);
        self.filled = 0;
    }

    /// Per threshold: trials at or above it at each grid time, and the sub-step at which each
    /// trial first reaches it ([`crossing_bin`]). `waiting` holds 1 for the trials that have not
    /// reached it yet and `waited` counts their grid times below it, the index of the first at
    /// or above: 0/1 arithmetic instead of branches, so the loops vectorise; the interpolation
    /// then takes one pass per trial.
    fn count_thresholds(&mut self, n: usize) {
        let len = self.agg.grid_len;
        let bins = crossing_bins(len);
        let columns = columns(&self.block, len, n);
        let waiting = &mut self.flags[..n];
        let waited = &mut self.waited[..n];
        let mult = &self.mult[..n];
        for (h, t) in self.spec.thresholds.iter().enumerate() {
            waiting.fill(1);
            waited.fill(0);
            for k in 0..len {
                let mut level = 0u64;
                let values = columns.at(t.series, k);
                for (((w, steps), v), m) in
                    waiting.iter_mut().zip(&mut *waited).zip(values).zip(mult)
                {
                    let hit = u64::from(*v >= t.capacity);
                    level += hit * m;
                    *w &= hit ^ 1;
                    *steps += *w;
                }
                self.agg.threshold_level[h * len + k] += level;
            }
            let histogram = &mut self.agg.crossing_first[h * bins..(h + 1) * bins];
            for (j, (first, m)) in waited.iter().zip(mult).enumerate() {
                let first = *first as usize;
                let bin = match first {
                    0 => 0,
                    f if f >= len => bins - 1,
                    f => {
                        let pair = [columns.at(t.series, f - 1)[j], columns.at(t.series, f)[j]];
                        crossing_bin(&pair, 1, t.capacity) + (f - 1) * CROSSING_SUBSTEPS
                    }
                };
                histogram[bin] += m;
            }
        }
    }

    /// Per ordered pair: grid_len + 1 counts trials whose follower does not start behind the
    /// leader; k the trials whose follower starting behind first reaches it at grid index k, and
    /// grid_len those in which it never does. `behind` holds 1 while the follower is still behind.
    fn count_overtakes(&mut self, n: usize) {
        let len = self.agg.grid_len;
        let columns = columns(&self.block, len, n);
        let behind = &mut self.flags[..n];
        let mult = &self.mult[..n];
        let total: u64 = mult.iter().sum();
        let weighted = |flags: &[u64]| flags.iter().zip(mult).map(|(w, m)| w * m).sum::<u64>();
        for (pair, &(a, b)) in self.spec.pairs.iter().enumerate() {
            let counts = &mut self.agg.overtake_first[pair * (len + 2)..(pair + 1) * (len + 2)];
            let (leader, follower) = (columns.at(a, 0), columns.at(b, 0));
            for ((w, l), f) in behind.iter_mut().zip(leader).zip(follower) {
                *w = u64::from(f >= l) ^ 1;
            }
            counts[len + 1] += total - weighted(behind);
            for (k, count) in counts.iter_mut().enumerate().take(len).skip(1) {
                let (leader, follower) = (columns.at(a, k), columns.at(b, k));
                let mut first = 0u64;
                for (((w, l), f), m) in behind.iter_mut().zip(leader).zip(follower).zip(mult) {
                    let reached = u64::from(f >= l);
                    first += (*w & reached) * m;
                    *w &= reached ^ 1;
                }
                *count += first;
            }
            counts[len] += weighted(behind);
        }
    }

    /// Per grid time, the city with the largest capacity (a tie goes to the first in the file).
    fn count_largest(&mut self, n: usize) {
        let cities = self.agg.city_count();
        let columns = columns(&self.block, self.agg.grid_len, n);
        let (best_city, best) = (&mut self.slots[..n], &mut self.best[..n]);
        for k in 0..self.agg.grid_len {
            best_city.fill(0);
            best.copy_from_slice(columns.at(0, k));
            for c in 1..cities {
                let column = columns.at(c, k);
                for ((city, value), v) in best_city.iter_mut().zip(best.iter_mut()).zip(column) {
                    let larger = *v > *value;
                    *city = if larger { c } else { *city };
                    *value = if larger { *v } else { *value };
                }
            }
            for (city, m) in best_city.iter().zip(&self.mult[..n]) {
                self.agg.largest[k * cities + city] += m;
            }
        }
    }
}

fn columns(block: &[f64], grid_len: usize, n: usize) -> Columns<'_> {
    Columns { block, grid_len, n }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Aggregate, RunSpec};
    use crate::stats::{CellStats, PERCENTILES};

    /// Every statistic and counter of `a` and `b`, as exact bits.
    fn fingerprint(a: &Aggregate) -> Vec<u64> {
        let mut out = vec![a.trials];
        out.push(a.prior_sum_sq as u64);
        let reports = a.condition.iter().flat_map(|c| {
            let inputs = c.prior_inputs.iter().chain(&c.posterior_inputs);
            inputs
                .chain(&c.predictive_prior)
                .chain(&c.predictive_earlier)
        });
        out.extend(
            a.condition
                .iter()
                .flat_map(|c| [c.simulated, c.sum_m, c.capped]),
        );
        let tables = a.cells.iter().chain(&a.used_cells).chain(&a.prior_cells);
        for cell in tables.chain(reports) {
            out.push(cell.count());
            out.extend(cell.mean().map(f64::to_bits));
            out.extend(cell.sd().map(f64::to_bits));
            out.extend(
                PERCENTILES
                    .iter()
                    .filter_map(|p| cell.percentile(*p))
                    .map(f64::to_bits),
            );
        }
        for counts in [
            &a.target_hits,
            &a.cap_binds,
            &a.crossing_first,
            &a.threshold_level,
            &a.overtake_first,
            &a.largest,
        ] {
            out.extend(counts.iter().copied());
        }
        out.extend(a.observation_ranks.iter().flat_map(|r| [r.below, r.equal]));
        out.extend(a.paths.iter().map(|p| p.trial));
        out
    }

    fn spec_of(path: &str, trials: u64) -> RunSpec {
        let loaded = crate::scenario::load(std::path::Path::new(path)).expect(path);
        let mut spec = RunSpec::from_scenario(&loaded.scenario);
        spec.trials = trials;
        spec
    }

    /// The block path against the trial-by-trial reference, on scenarios with targets,
    /// observations, several cities, a power cap, utilisation, values beyond the exact sums'
    /// limit and around the zero threshold, a conditioned run, over a part block at the end.
    #[test]
    fn blocks_count_exactly_what_trial_by_trial_counts() {
        let mut covered = [false; 7];
        let scenarios = [
            "scenarios/base.toml",
            "scenarios/china-2025.toml",
            "tests/data/all-risks.toml",
            "tests/data/edge-values.toml",
        ];
        for path in scenarios {
            let spec = spec_of(path, 3 * BLOCK_TRIALS as u64 + 17);
            let mut worker = Worker::new(&spec);
            let mut reference = Aggregate::new(&spec);
            let mut buf = spec.model.buffer();
            for trial in 0..spec.trials {
                worker.run_trial(trial);
                reference.add_trial(&spec, trial, &mut buf);
            }
            let blocked = worker.finish();
            assert_eq!(fingerprint(&blocked), fingerprint(&reference), "{path}");
            let zero = crate::stats::histogram::ZERO_THRESHOLD;
            let straddles_zero = |c: &CellStats| c.min() < Some(zero) && c.max() > Some(zero);
            for (seen, present) in covered.iter_mut().zip([
                !blocked.target_hits.is_empty(),
                !blocked.observation_ranks.is_empty(),
                !blocked.cap_binds.is_empty(),
                !blocked.used_cells.is_empty(),
                blocked.cells.iter().any(|c| c.mean().is_none()),
                blocked.cells.iter().any(straddles_zero),
                !blocked.prior_cells.is_empty(),
            ]) {
                *seen |= present;
            }
        }
        // Targets, observations, a power cap, utilisation, cells beyond the exact sums' limit
        // cells on both sides of the zero threshold and a conditioned run's projection before
        // the reports were all exercised.
        assert_eq!(covered, [true; 7]);
    }
}
