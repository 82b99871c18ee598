//! Mergeable statistics of many trials: a quantile sketch and exact sums per (series, time).
//!
//! Every accumulator here merges exactly (integer counts, fixed-point integer sums, min and
//! max), so the result does not depend on how trials were split across threads or in what
//! order the pieces were combined.

use crate::error::{Error, Result};

pub mod histogram;
mod run;
mod weighted;
pub mod wilson;

use crate::stats::histogram::{LogHistogram, ZERO_THRESHOLD, key};
use crate::units::MAX_CAPACITY;
use serde::{Deserialize, Serialize};

/// The percentiles every table reports, in percent.
pub const PERCENTILES: [f64; 7] = [5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0];

/// Relative accuracy of the quantile sketch: each percentile is within 0.1% of a sample value
/// of that rank.
pub const SKETCH_ALPHA: f64 = crate::stats::histogram::RELATIVE_ACCURACY;
/// Sums are kept in units of 1/1024 P as 128-bit integers, so they add exactly.
const FIXED_POINT_SCALE: f64 = 1024.0;
/// Largest magnitude (P) that the fixed-point sums accept; beyond it mean and sd are not
/// reported. At 10^9 P (a million E) a squared value is below 2^80 in fixed point, so even
/// MAX_TRIALS (10^10 < 2^34) of them cannot overflow the 128-bit sums: no check per add.
const FIXED_POINT_LIMIT: f64 = 1e9;

/// Statistics of one cell: one series at one grid time, over all trials.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct CellStats {
    sketch: LogHistogram,
    sum: i128,
    sum_sq: i128,
    count: u64,
    overflow: bool,
}

impl std::fmt::Debug for CellStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CellStats")
            .field("count", &self.count)
            .field("mean", &self.mean())
            .field("p50", &self.percentile(50.0))
            .finish()
    }
}

impl CellStats {
    /// Adds one trial's value. Validation keeps plausible values below
    /// [`crate::units::MAX_CAPACITY`]; a value beyond it (a one-in-a-billion draw)
    /// or NaN is clamped to it and marks the cell as overflowed, so no table shows inf or NaN.
    #[inline]
    pub fn add(&mut self, v: f64) {
        let v = if v.abs() <= MAX_CAPACITY {
            v
        } else {
            self.overflow = true;
            if v < 0.0 { -MAX_CAPACITY } else { MAX_CAPACITY }
        };
        self.sketch.add(v);
        self.count += 1;
        // One comparison that is also false for NaN and infinities.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        if !(v.abs() <= FIXED_POINT_LIMIT) || self.overflow {
            self.overflow = true;
            return;
        }
        let x = v * FIXED_POINT_SCALE;
        // Round half away from zero by truncation (f64::round is a library call on baseline x86-64).
        let q = (x + 0.5f64.copysign(x)) as i64;
        self.sum += i128::from(q);
        self.sum_sq += i128::from(q) * i128::from(q);
    }

    /// Adds one value `n` times (an integer weight): the same statistics as `n` calls of
    /// [`CellStats::add`].
    pub fn add_n(&mut self, v: f64, n: u64) {
        if n == 0 {
            return;
        }
        let v = if v.abs() <= MAX_CAPACITY {
            v
        } else {
            self.overflow = true;
            if v < 0.0 { -MAX_CAPACITY } else { MAX_CAPACITY }
        };
        self.sketch.add_n(v, n);
        self.count += n;
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        if !(v.abs() <= FIXED_POINT_LIMIT) || self.overflow {
            self.overflow = true;
            return;
        }
        let x = v * FIXED_POINT_SCALE;
        let q = i128::from((x + 0.5f64.copysign(x)) as i64);
        let n = i128::from(n);
        self.sum += n * q;
        self.sum_sq += n * q * q;
    }

    /// Adds many trials' values, each `weights[i]` times: the same statistics as
    /// [`CellStats::add_n`] on each, faster (through [`CellStats::add_all`] when every weight is
    /// 1, else the weighted fast path of `weighted`). As with `add_all`, the raw sums of a cell
    /// that overflows within the call may differ, but an overflowed cell reports no mean or sd
    /// and merges no sums.
    pub fn add_weighted(&mut self, values: &[f64], weights: &[u64]) {
        let len = weights.len().min(values.len());
        if weights.iter().all(|w| *w == 1) {
            return self.add_all(&values[..len]);
        }
        self.add_weighted_runs(&values[..len], &weights[..len]);
    }

    /// Adds many trials' values: the same count, histogram, min, max, mean and sd as
    /// [`CellStats::add`] on each in turn (the raw sums of a cell that overflows within the
    /// call may differ, but an overflowed cell reports no mean or sd and merges no sums).
    /// Fast for ordinary capacities: a value whose histogram bucket already exists and lies
    /// strictly between those of ZERO_THRESHOLD and FIXED_POINT_LIMIT is counted in one
    /// branch-light pass (one bounds check stands for every range check); the rest, and every
    /// value of a cell that has overflowed, go through [`CellStats::add`].
    pub fn add_all(&mut self, values: &[f64]) {
        if self.overflow {
            values.iter().for_each(|v| self.add(*v));
            return;
        }
        // Below 2^23 values of at most 2^40 in fixed point, a u64 sum cannot overflow.
        for run in values.chunks(1 << 23) {
            self.add_ordinary_run(run);
        }
    }

    /// The values of one run in the histogram's window, counted by [`run::count`]; the rest
    /// one at a time.
    fn add_ordinary_run(&mut self, values: &[f64]) {
        let (from, to) = (key(ZERO_THRESHOLD) + 1, key(FIXED_POINT_LIMIT));
        let (offset, counts) = self.sketch.window(from, to, values.len());
        let window = counts.len() as u64;
        let run = run::count(values, offset, counts);
        self.sketch.note_counted(run.n, run.lo, run.hi);
        self.count += run.n;
        self.sum += i128::from(run.sum);
        self.sum_sq += run.sum_of_squares() as i128;
        if run.n < values.len() as u64 {
            for v in values {
                if key(*v).wrapping_sub(offset) >= window {
                    self.add(*v);
                }
            }
        }
    }

    /// [`CellStats::merge`] of statistics that are no longer needed: merging into an empty cell
    /// moves `other`'s buckets in instead of copying them (the same result: merging with an
    /// empty cell changes nothing). Otherwise `other` is merged in and freed whole, so the
    /// memory of a thread's cells is freed together and can be reused in one piece.
    pub fn merge_owned(&mut self, mut other: CellStats) {
        if self.count == 0 {
            std::mem::swap(self, &mut other);
        }
        self.merge(&other);
    }

    /// Adds every count and sum of `other` (exact).
    pub fn merge(&mut self, other: &CellStats) {
        self.sketch.merge(&other.sketch);
        self.count += other.count;
        self.overflow |= other.overflow;
        match (
            self.sum.checked_add(other.sum),
            self.sum_sq.checked_add(other.sum_sq),
        ) {
            (Some(s), Some(s2)) if !self.overflow => {
                self.sum = s;
                self.sum_sq = s2;
            }
            _ => self.overflow = true,
        }
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Checks statistics read from a file (a part of a sharded run) that should hold `trials`
    /// values: the counts agree and the sums are possible for that many values.
    pub fn check(&self, trials: u64) -> Result<()> {
        if self.count != trials || self.sketch.count() != trials {
            return Err(Error::Invalid(format!(
                "it counts {} values (sketch {}) where the part ran {trials} trials",
                self.count,
                self.sketch.count()
            )));
        }
        self.sketch.check()?;
        let limit = i128::from(trials) * (FIXED_POINT_LIMIT * FIXED_POINT_SCALE) as i128;
        if !self.overflow && (self.sum.abs() > limit || self.sum_sq < 0) {
            return Err(Error::Invalid(
                "its sums are impossible for its values".to_string(),
            ));
        }
        Ok(())
    }

    /// Mean in P, None when empty or too large to sum exactly.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0 && !self.overflow)
            .then(|| self.sum as f64 / FIXED_POINT_SCALE / self.count as f64)
    }

    /// Sample standard deviation (n - 1) in P.
    pub fn sd(&self) -> Option<f64> {
        if self.count < 2 || self.overflow {
            return None;
        }
        let n = self.count as f64;
        let mean = self.sum as f64 / n;
        let var = (self.sum_sq as f64 - mean * self.sum as f64) / (n - 1.0);
        Some(var.max(0.0).sqrt() / FIXED_POINT_SCALE)
    }

    /// The p-th percentile (0..=100) in P: the sketch's estimate, kept within the observed range
    /// so that a cell whose trials all agree reports that value exactly.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        self.sketch.quantile(p / 100.0)
    }

    /// Smallest value added, P; None when empty.
    pub fn min(&self) -> Option<f64> {
        self.sketch.min()
    }

    /// Largest value added, P; None when empty.
    pub fn max(&self) -> Option<f64> {
        self.sketch.max()
    }
}

/// Quantile levels used to turn a sketch back into a histogram: the midpoints of 4,000 equal
/// slices of probability, so each slice carries 1/4,000 of the trials.
pub const HISTOGRAM_QUANTILE_LEVELS: usize = 4_000;

/// Share of trials per equal-width bin of capacity, recovered from a cell's quantile sketch.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Left edge of the first bin, P.
    pub lo: f64,
    /// Width of every bin, P.
    pub bin_width: f64,
    /// Share of trials (0..=1) in each bin, left to right.
    pub shares: Vec<f64>,
    /// Share of trials below `lo`.
    pub below: f64,
    /// Share of trials at or above the last bin's right edge.
    pub above: f64,
}

impl Histogram {
    /// Bins [lo, hi) into `bins` equal bins. Each of the quantiles at probability levels
    /// (j + 1/2) / L, j = 0..L, stands for 1/L of the trials and goes to the bin holding it:
    /// this inverts the sketch's quantile function into bin shares without keeping any trial.
    pub fn from_cell(cell: &CellStats, lo: f64, hi: f64, bins: usize) -> Option<Histogram> {
        let levels = HISTOGRAM_QUANTILE_LEVELS;
        let quantiles: Option<Vec<f64>> = (0..levels)
            .map(|j| cell.percentile(100.0 * (j as f64 + 0.5) / levels as f64))
            .collect();
        Some(Histogram::from_quantiles(&quantiles?, lo, hi, bins))
    }

    /// Bins equally likely quantiles (each standing for the same share of trials).
    pub fn from_quantiles(quantiles: &[f64], lo: f64, hi: f64, bins: usize) -> Histogram {
        let bin_width = (hi - lo) / bins as f64;
        let weight = 1.0 / quantiles.len() as f64;
        let mut hist = Histogram {
            lo,
            bin_width,
            shares: vec![0.0; bins],
            below: 0.0,
            above: 0.0,
        };
        for q in quantiles {
            let slot = ((q - lo) / bin_width).floor();
            if slot < 0.0 {
                hist.below += weight;
            } else if slot >= bins as f64 {
                hist.above += weight;
            } else {
                hist.shares[slot as usize] += weight;
            }
        }
        hist
    }

    /// Left edge of bin `i`, P.
    pub fn edge(&self, i: usize) -> f64 {
        self.lo + i as f64 * self.bin_width
    }
}

/// Exact p-th percentile (0..=100) of a sample by linear interpolation between order statistics
/// (the usual "type 7" definition); used to check the sketch.
pub fn exact_percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p / 100.0;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::distr::Distribution;

    #[test]
    fn sketch_percentiles_are_within_half_a_percent_of_exact() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let d = rand_distr::LogNormal::new(10.0, 0.8).unwrap();
        let mut values: Vec<f64> = (0..50_000).map(|_| d.sample(&mut rng)).collect();
        let mut cell = CellStats::default();
        values.iter().for_each(|v| cell.add(*v));
        values.sort_by(f64::total_cmp);
        for p in PERCENTILES {
            let exact = exact_percentile(&values, p);
            let est = cell.percentile(p).unwrap();
            assert!(
                (est / exact - 1.0).abs() < 0.005,
                "p{p}: sketch {est} vs exact {exact}"
            );
        }
    }

    #[test]
    fn merging_in_any_split_gives_identical_statistics() {
        let values: Vec<f64> = (0..1000)
            .map(|i| (i as f64 * 0.37).sin().abs() * 1e4)
            .collect();
        let mut whole = CellStats::default();
        values.iter().for_each(|v| whole.add(*v));
        let mut a = CellStats::default();
        let mut b = CellStats::default();
        values[..313].iter().for_each(|v| a.add(*v));
        values[313..].iter().rev().for_each(|v| b.add(*v));
        b.merge(&a);
        assert_eq!(whole.mean().unwrap().to_bits(), b.mean().unwrap().to_bits());
        assert_eq!(whole.sd().unwrap().to_bits(), b.sd().unwrap().to_bits());
        for p in PERCENTILES {
            assert_eq!(whole.percentile(p), b.percentile(p));
        }
    }

    #[test]
    fn merging_owned_cells_gives_what_merging_copies_gives() {
        let cell = |from: usize, to: usize| {
            let mut c = CellStats::default();
            (from..to).for_each(|i| c.add((i as f64 * 0.61).cos().abs() * 1e5));
            c
        };
        let mut copied = CellStats::default();
        copied.merge(&cell(0, 700));
        copied.merge(&cell(700, 1000));
        let mut owned = CellStats::default();
        owned.merge_owned(cell(0, 700));
        owned.merge_owned(cell(700, 1000));
        let stats = |c: &CellStats| {
            let mut out = vec![
                c.count(),
                c.mean().unwrap().to_bits(),
                c.sd().unwrap().to_bits(),
            ];
            out.extend(
                PERCENTILES
                    .iter()
                    .map(|p| c.percentile(*p).unwrap().to_bits()),
            );
            out
        };
        assert_eq!(stats(&owned), stats(&copied));
        assert_eq!(stats(&owned), stats(&cell(0, 1000)));
    }

    #[test]
    fn constant_cells_report_the_constant_exactly() {
        let mut cell = CellStats::default();
        (0..100).for_each(|_| cell.add(1234.5));
        assert_eq!(cell.percentile(5.0), Some(1234.5));
        assert_eq!(cell.percentile(95.0), Some(1234.5));
        assert_eq!(cell.mean(), Some(1234.5));
        assert_eq!(cell.sd(), Some(0.0));
    }

    #[test]
    fn mean_and_sd_match_a_direct_computation() {
        let values = [1.0, 2.0, 3.0, 4.0, 10.0];
        let mut cell = CellStats::default();
        values.iter().for_each(|v| cell.add(*v));
        assert_eq!(cell.mean(), Some(4.0));
        let var = values.iter().map(|v| (v - 4.0) * (v - 4.0)).sum::<f64>() / 4.0;
        assert!((cell.sd().unwrap() - var.sqrt()).abs() < 1e-9);
    }

    /// Bin shares from the sketch against the closed-form probability of each bin. The
    /// tolerance adds the three known errors: Monte Carlo (5 standard errors of a proportion
    /// over n trials), the quantile grid (each of a bin's two edges can misplace up to one
    /// level, 1/L each) and the sketch (each edge moves by at most alpha * x, carrying at most
    /// density * alpha * x of probability).
    fn check_histogram_against_cdf(values: &[f64], cdf: impl Fn(f64) -> f64, max_x_density: f64) {
        let mut cell = CellStats::default();
        values.iter().for_each(|v| cell.add(*v));
        let (lo, hi, bins) = (0.5, 3.0, 10);
        let hist = Histogram::from_cell(&cell, lo, hi, bins).unwrap();
        let n = values.len() as f64;
        let grid = 2.0 / HISTOGRAM_QUANTILE_LEVELS as f64;
        let sketch = 2.0 * SKETCH_ALPHA * max_x_density;
        for (i, share) in hist.shares.iter().enumerate() {
            let exact = cdf(hist.edge(i + 1)) - cdf(hist.edge(i));
            let tol = 5.0 * (exact * (1.0 - exact) / n).sqrt() + grid + sketch;
            assert!(
                (share - exact).abs() < tol,
                "bin {i}: {share} vs {exact} (tol {tol})"
            );
        }
        let below = cdf(lo);
        let tol = 5.0 * (below * (1.0 - below) / n).sqrt() + grid + sketch;
        assert!(
            (hist.below - below).abs() < tol,
            "below: {} vs {below}",
            hist.below
        );
        let total: f64 = hist.shares.iter().sum::<f64>() + hist.below + hist.above;
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn histogram_of_uniform_trials_matches_closed_form() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let d = rand_distr::Uniform::new(0.0, 4.0).unwrap();
        let values: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
        // density 1/4 on [0, 4): x * f(x) <= 1
        check_histogram_against_cdf(&values, |x| (x / 4.0).clamp(0.0, 1.0), 1.0);
    }

    #[test]
    fn histogram_of_exponential_trials_matches_closed_form() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(12);
        let d = rand_distr::Exp::new(1.0).unwrap();
        let values: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
        // x * e^-x peaks at 1/e
        check_histogram_against_cdf(&values, |x| 1.0 - (-x).exp(), (-1.0f64).exp());
    }

    #[test]
    fn histogram_puts_each_quantile_in_its_bin() {
        let hist = Histogram::from_quantiles(&[-1.0, 0.0, 0.5, 1.0, 2.0], 0.0, 2.0, 2);
        assert_eq!(hist.shares, vec![0.4, 0.2]);
        assert_eq!(hist.below, 0.2);
        assert_eq!(hist.above, 0.2);
    }

    #[test]
    fn huge_values_drop_mean_but_keep_percentiles() {
        let mut cell = CellStats::default();
        cell.add(1e300);
        cell.add(1.0);
        assert_eq!(cell.mean(), None);
        assert!(cell.percentile(50.0).is_some());
    }
}
