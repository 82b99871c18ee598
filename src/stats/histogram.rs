//! A log-linear histogram of positive values: the quantile sketch behind every percentile.
//!
//! Why not a sketch crate: DDSketch (sketches-ddsketch) maps each value through `ln`, which the
//! profile showed to be the largest single cost of a trial. Here a value's bucket is read off
//! its IEEE-754 bits (exponent and the top SUB_BITS mantissa bits), one shift: each octave is
//! split into 2^SUB_BITS buckets of equal width, so a bucket spans at most 2^-SUB_BITS of its
//! lower edge and its geometric midpoint is within 0.1% of any value in it. Counts are
//! integers, so merging is exact and independent of order.

use crate::error::{Error, Result};

use serde::{Deserialize, Serialize};

/// Mantissa bits that pick the bucket within an octave: 512 buckets per doubling.
const SUB_BITS: u32 = 9;
const SHIFT: u32 = 52 - SUB_BITS;
/// Values at or below this (P) are counted as zero.
pub const ZERO_THRESHOLD: f64 = 1e-9;
/// Largest relative distance between a bucket's representative and any value in it.
pub const RELATIVE_ACCURACY: f64 = 0.001;
/// Extra buckets allocated on each side when the range grows, to avoid regrowing often.
const GROWTH_SLACK: u64 = 256;

/// Bucket counts are kept as 32 bits (half the cache footprint of 64, which the profile showed
/// to matter: a trial increments 92 buckets in 92 histograms) plus, once some bucket's count
/// passes 32 bits, a 64-bit carry per bucket counting the wraps. The serialized form is one 64-bit
/// count per bucket, as before.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Buckets", into = "Buckets")]
pub struct LogHistogram {
    /// Bucket key of `counts[0]`.
    offset: u64,
    /// Each bucket's count modulo 2^32.
    counts: Vec<u32>,
    /// Each bucket's count divided by 2^32; empty until some count passes 32 bits, then as long
    /// as `counts`.
    carries: Vec<u64>,
    /// Values at or below ZERO_THRESHOLD (including any negative value).
    zeros: u64,
    total: u64,
    min: f64,
    max: f64,
}

/// The serialized form of a [`LogHistogram`] (part files, format v2): full 64-bit counts.
#[derive(Clone, Serialize, Deserialize)]
struct Buckets {
    offset: u64,
    counts: Vec<u64>,
    zeros: u64,
    total: u64,
    min: f64,
    max: f64,
}

impl From<LogHistogram> for Buckets {
    fn from(h: LogHistogram) -> Self {
        Buckets {
            offset: h.offset,
            counts: (0..h.counts.len()).map(|i| h.count_at(i)).collect(),
            zeros: h.zeros,
            total: h.total,
            min: h.min,
            max: h.max,
        }
    }
}

impl From<Buckets> for LogHistogram {
    fn from(b: Buckets) -> Self {
        let mut h = LogHistogram {
            offset: b.offset,
            counts: b.counts.iter().map(|c| *c as u32).collect(),
            carries: Vec::new(),
            zeros: b.zeros,
            total: b.total,
            min: b.min,
            max: b.max,
        };
        if b.counts.iter().any(|c| *c > u64::from(u32::MAX)) {
            h.carries = b.counts.iter().map(|c| c >> 32).collect();
        }
        h
    }
}

/// Bucket key of a positive finite value: its bits shifted, monotone in the value.
#[inline]
pub fn key(v: f64) -> u64 {
    v.to_bits() >> SHIFT
}

/// Geometric midpoint of the bucket with key `k`.
fn representative(k: u64) -> f64 {
    let lo = f64::from_bits(k << SHIFT);
    let hi = f64::from_bits((k + 1) << SHIFT);
    (lo * hi).sqrt()
}

impl LogHistogram {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, v: f64) {
        if self.total == 0 {
            (self.min, self.max) = (v, v);
        } else if v < self.min {
            self.min = v;
        } else if v > self.max {
            self.max = v;
        }
        self.total += 1;
        if v > ZERO_THRESHOLD && v <= f64::MAX {
            let k = key(v);
            let i = k.wrapping_sub(self.offset);
            match self.counts.get_mut(i as usize) {
                Some(c) if k >= self.offset && *c < u32::MAX => *c += 1,
                _ => self.grow_and_add(k, 1),
            }
        } else if v.is_infinite() && v > 0.0 {
            self.grow_and_add(key(f64::MAX), 1);
        } else {
            self.zeros += 1;
        }
    }

    /// Adds `n` copies of `v` at once (an integer weight): the same histogram as `n` calls of
    /// [`LogHistogram::add`].
    pub fn add_n(&mut self, v: f64, n: u64) {
        if n == 0 {
            return;
        }
        self.note_counted(n, v, v);
        if v > ZERO_THRESHOLD && v <= f64::MAX {
            // An existing bucket that stays within 32 bits is incremented here; the rest (and
            // every carry) goes through `grow_and_add`, which gives the same counts.
            let k = key(v);
            let i = k.wrapping_sub(self.offset);
            match self.counts.get_mut(i as usize) {
                Some(c) if k >= self.offset && u64::from(*c) + n <= u64::from(u32::MAX) => {
                    *c += n as u32
                }
                _ => self.grow_and_add(k, n),
            }
        } else if v.is_infinite() && v > 0.0 {
            self.grow_and_add(key(f64::MAX), n);
        } else {
            self.zeros += n;
        }
    }

    /// The existing buckets whose keys lie in [from, to), and the key of the first of them: a
    /// caller counting at most `n` values can increment these directly, then report them with
    /// [`LogHistogram::note_counted`]. Empty until the histogram has grown to that range, and
    /// when n more values could take a bucket past 32 bits (then every value must go through
    /// [`LogHistogram::add`]).
    pub fn window(&mut self, from: u64, to: u64, n: usize) -> (u64, &mut [u32]) {
        if self.total.saturating_add(n as u64) > u64::from(u32::MAX) {
            return (from, &mut []);
        }
        let last = self.offset + self.counts.len() as u64;
        let start = from.clamp(self.offset, last);
        let end = to.clamp(start, last);
        let slice = (start - self.offset) as usize..(end - self.offset) as usize;
        (start, &mut self.counts[slice])
    }

    /// Records `n` more values (counted directly in a [`LogHistogram::window`], or merged), the
    /// smallest `lo` and the largest `hi`: the total, min and max; not the buckets.
    pub fn note_counted(&mut self, n: u64, lo: f64, hi: f64) {
        if n == 0 {
            return;
        }
        if self.total == 0 {
            (self.min, self.max) = (lo, hi);
        } else {
            self.min = self.min.min(lo);
            self.max = self.max.max(hi);
        }
        self.total += n;
    }

    /// The count of bucket `i` (of `counts`).
    fn count_at(&self, i: usize) -> u64 {
        let carry = self.carries.get(i).copied().unwrap_or(0);
        (carry << 32) + u64::from(self.counts[i])
    }

    #[cold]
    fn grow_and_add(&mut self, k: u64, n: u64) {
        if self.counts.is_empty() {
            self.offset = k.saturating_sub(GROWTH_SLACK);
            self.counts = vec![0; 2 * GROWTH_SLACK as usize];
        }
        if k < self.offset {
            let new_offset = k.saturating_sub(GROWTH_SLACK);
            let extra = (self.offset - new_offset) as usize;
            self.counts = prepend_zeros(&self.counts, extra);
            if !self.carries.is_empty() {
                self.carries = prepend_zeros(&self.carries, extra);
            }
            self.offset = new_offset;
        }
        let i = (k - self.offset) as usize;
        if i >= self.counts.len() {
            resize_exact(&mut self.counts, i + 1 + GROWTH_SLACK as usize);
        }
        let sum = u64::from(self.counts[i]) + n;
        if sum > u64::from(u32::MAX) || !self.carries.is_empty() {
            resize_exact(&mut self.carries, self.counts.len());
            self.carries[i] += sum >> 32;
        }
        self.counts[i] = sum as u32;
    }

    /// Adds every count of `other` to this histogram.
    pub fn merge(&mut self, other: &LogHistogram) {
        if other.total == 0 {
            return;
        }
        self.note_counted(other.total, other.min, other.max);
        self.zeros += other.zeros;
        // Grow once to other's whole range, not bucket by bucket.
        let nonzero = |i: &usize| other.count_at(*i) > 0;
        let first = (0..other.counts.len()).find(nonzero);
        let last = (0..other.counts.len()).rev().find(nonzero);
        if let (Some(first), Some(last)) = (first, last) {
            self.grow_and_add(other.offset + first as u64, 0);
            self.grow_and_add(other.offset + last as u64, 0);
        }
        for i in 0..other.counts.len() {
            let c = other.count_at(i);
            if c > 0 {
                self.grow_and_add(other.offset + i as u64, c);
            }
        }
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Checks a histogram read from a file: its buckets add up to its total, they lie where
    /// values below [`crate::units::MAX_CAPACITY`] can fall, and min <= max are finite.
    pub fn check(&self) -> Result<()> {
        let buckets = (0..self.counts.len())
            .try_fold(0u64, |sum, i| sum.checked_add(self.count_at(i)))
            .and_then(|sum| sum.checked_add(self.zeros));
        if buckets != Some(self.total) {
            return Err(Error::Invalid(format!(
                "its histogram's buckets do not add up to its total {}",
                self.total
            )));
        }
        if !self.carries.is_empty() && self.carries.len() != self.counts.len() {
            return Err(Error::Invalid(
                "its histogram's carries do not match its buckets".to_string(),
            ));
        }
        let end = self.offset.checked_add(self.counts.len() as u64);
        if !self.counts.is_empty() && end.is_none_or(|e| e > key(crate::units::MAX_CAPACITY) + 1) {
            return Err(Error::Invalid(
                "its histogram has buckets beyond the largest capacity".to_string(),
            ));
        }
        if self.total > 0 && !(self.min.is_finite() && self.max.is_finite() && self.min <= self.max)
        {
            return Err(Error::Invalid(
                "its histogram's min and max are not a finite range".to_string(),
            ));
        }
        Ok(())
    }

    /// Smallest value added; None when empty.
    pub fn min(&self) -> Option<f64> {
        (self.total > 0).then_some(self.min)
    }

    /// Largest value added; None when empty.
    pub fn max(&self) -> Option<f64> {
        (self.total > 0).then_some(self.max)
    }

    /// The value of rank floor(q (n - 1)) (q in 0..=1), as its bucket's representative clamped
    /// to the observed [min, max]; exact at q = 0 and q = 1. None when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.total - 1) as f64) as u64;
        if rank == 0 {
            return Some(self.min);
        }
        if rank == self.total - 1 {
            return Some(self.max);
        }
        if rank < self.zeros {
            return Some(0f64.clamp(self.min, self.max));
        }
        let mut seen = self.zeros;
        for i in 0..self.counts.len() {
            seen += self.count_at(i);
            if seen > rank {
                let v = representative(self.offset + i as u64);
                return Some(v.clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

/// `v` with `extra` zeros in front, allocated to its exact length: a histogram's range grows a
/// few times per cell, and the amortized doubling of `Vec` would leave up to half of every
/// histogram unused (there are thousands of cells per thread).
fn prepend_zeros<T: Copy + Default>(v: &[T], extra: usize) -> Vec<T> {
    let mut grown = Vec::with_capacity(extra + v.len());
    grown.resize(extra, T::default());
    grown.extend_from_slice(v);
    grown
}

/// Resizes `v` to `len` with zeros, allocating no more than that.
fn resize_exact<T: Copy + Default>(v: &mut Vec<T>, len: usize) {
    v.reserve_exact(len.saturating_sub(v.len()));
    v.resize(len, T::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_narrower_than_the_stated_accuracy() {
        for v in [1e-6, 0.37, 1.0, 999.0, 20_000.0, 3.3e7, 1e15] {
            let rep = representative(key(v));
            assert!((rep / v - 1.0).abs() < RELATIVE_ACCURACY, "{v} -> {rep}");
        }
    }

    #[test]
    fn quantiles_walk_the_counts_in_order() {
        let mut h = LogHistogram::default();
        for v in [0.0, 10.0, 20.0, 30.0, 40.0] {
            h.add(v);
        }
        assert_eq!(h.quantile(0.0), Some(0.0));
        assert_eq!(h.quantile(1.0), Some(40.0));
        let median = h.quantile(0.5).unwrap();
        assert!((median / 20.0 - 1.0).abs() < RELATIVE_ACCURACY);
        assert!((h.quantile(0.3).unwrap() / 10.0 - 1.0).abs() < RELATIVE_ACCURACY);
    }

    /// A histogram of `count` values all equal to 1000, built directly (adding 2^32 values one
    /// by one would take minutes).
    fn thousands(count: u64) -> LogHistogram {
        LogHistogram::from(Buckets {
            offset: key(1000.0),
            counts: vec![count],
            zeros: 0,
            total: count,
            min: 1000.0,
            max: 1000.0,
        })
    }

    fn serialized_counts(h: &LogHistogram) -> Vec<u64> {
        Buckets::from(h.clone()).counts
    }

    #[test]
    fn counts_past_32_bits_carry_through_add_merge_and_serde() {
        let limit = u64::from(u32::MAX);
        // One by one across the 32-bit limit.
        let mut h = thousands(limit - 1);
        for _ in 0..3 {
            h.add(1000.0);
        }
        let bucket = (key(1000.0) - h.offset) as usize;
        assert_eq!(h.count_at(bucket), limit + 2);
        // A merge that carries, into a histogram that must also grow on both sides.
        let mut big = thousands(3_000_000_000);
        big.add(1.0);
        big.add(1e6);
        big.merge(&thousands(3_000_000_000));
        let bucket = (key(1000.0) - big.offset) as usize;
        assert_eq!(big.count_at(bucket), 6_000_000_000);
        assert_eq!(big.count(), 6_000_000_002);
        assert!((big.quantile(0.5).unwrap() / 1000.0 - 1.0).abs() < RELATIVE_ACCURACY);
        assert_eq!(big.quantile(1.0), Some(1e6));
        // The serialized form keeps full counts, and reading it back gives the same histogram.
        let json = serde_json::to_string(&big).unwrap();
        let back: LogHistogram = serde_json::from_str(&json).unwrap();
        assert_eq!(serialized_counts(&back), serialized_counts(&big));
        assert_eq!(back.count_at(bucket), 6_000_000_000);
    }

    #[test]
    fn adding_n_copies_equals_adding_each_even_across_32_bits() {
        let mut weighted = LogHistogram::default();
        let mut each = LogHistogram::default();
        for i in 0..3000u64 {
            let v = ((i * 7919) % 1013) as f64 * 3.7 + (i % 3) as f64 * 1e-10;
            let n = i % 5;
            weighted.add_n(v, n);
            (0..n).for_each(|_| each.add(v));
        }
        assert_eq!(weighted, each);
        // Within 32 bits, then past them (a carry), then within them again.
        let limit = u64::from(u32::MAX);
        let mut h = thousands(limit - 5);
        h.add_n(1000.0, 3);
        let bucket = (key(1000.0) - h.offset) as usize;
        assert_eq!((h.count_at(bucket), h.carries.len()), (limit - 2, 0));
        h.add_n(1000.0, 10);
        assert_eq!(h.count_at(bucket), limit + 8);
        h.add_n(1000.0, 2);
        assert_eq!(h.count_at(bucket), limit + 10);
        assert_eq!(h.count(), limit + 10);
    }

    #[test]
    fn no_window_when_a_bucket_could_pass_32_bits() {
        let limit = u64::from(u32::MAX);
        let mut h = thousands(limit - 10);
        let k = key(1000.0);
        assert_eq!(h.window(k, k + 1, 10).1.len(), 1);
        assert!(h.window(k, k + 1, 11).1.is_empty());
    }

    #[test]
    fn growing_allocates_no_more_buckets_than_it_holds() {
        let mut h = LogHistogram::default();
        for v in [1000.0, 1e6, 1.0, 1e9, 1e-3, 3.0, 2e9] {
            h.add(v);
            assert_eq!(h.counts.capacity(), h.counts.len(), "after {v}");
        }
        let mut merged = LogHistogram::default();
        merged.merge(&h);
        assert_eq!(merged.counts.capacity(), merged.counts.len());
        // The merge grew once to h's range: from its lowest to its highest count, with slack.
        let slack = GROWTH_SLACK as usize;
        let span = (key(2e9) - key(1e-3)) as usize + 1;
        assert_eq!(merged.counts.len(), span + 2 * slack);
        assert_eq!(
            serialized_counts(&merged)[slack..slack + span],
            serialized_counts(&h)[slack..slack + span]
        );
    }

    #[test]
    fn merge_equals_adding_everything_to_one() {
        let values: Vec<f64> = (1..2000).map(|i| (i as f64).powf(1.7)).collect();
        let mut whole = LogHistogram::default();
        values.iter().for_each(|v| whole.add(*v));
        let (mut a, mut b) = (LogHistogram::default(), LogHistogram::default());
        values.iter().step_by(2).for_each(|v| a.add(*v));
        values
            .iter()
            .skip(1)
            .step_by(2)
            .rev()
            .for_each(|v| b.add(*v));
        b.merge(&a);
        for q in [0.05, 0.25, 0.5, 0.9, 0.95] {
            assert_eq!(whole.quantile(q), b.quantile(q));
        }
        assert_eq!(
            (whole.min(), whole.max(), whole.count()),
            (b.min(), b.max(), b.count())
        );
    }
}
