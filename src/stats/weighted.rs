//! The fast path of [`CellStats::add_weighted`] for conditioned runs, where every trial counts
//! with its integer weight (docs/model.md, "Conditioning"): the values inside the histogram's
//! window go straight to their buckets, n times each (found by `add_all`'s first pass,
//! stats/run.rs), with the same i128 sums as
//! [`CellStats::add_n`]; the rest one at a time through it. Integer counts and sums add in any
//! order, so the statistics are those of `add_n` value by value (tested), and the tables stay
//! byte-identical; only the work per value shrinks (no bucket search, no checks per value).
//! (As in `add_all`, a cell that overflows within a chunk may keep other raw sums than `add_n`
//! would: it reports no mean or sd and merges no sums either way.)

use super::{CellStats, FIXED_POINT_LIMIT, ZERO_THRESHOLD, key, run};

/// Values per call of the window (their total weight must leave every bucket within 32 bits).
const WEIGHTED_CHUNK: usize = 256;

impl CellStats {
    /// Adds `values[i]` `weights[i]` times each.
    pub(super) fn add_weighted_runs(&mut self, values: &[f64], weights: &[u64]) {
        for (values, weights) in values
            .chunks(WEIGHTED_CHUNK)
            .zip(weights.chunks(WEIGHTED_CHUNK))
        {
            if self.overflow {
                self.add_each(values, weights);
            } else {
                self.add_weighted_run(values, weights);
            }
        }
    }

    fn add_weighted_run(&mut self, values: &[f64], weights: &[u64]) {
        let total = weights.iter().fold(0u64, |t, w| t.saturating_add(*w));
        let (from, to) = (key(ZERO_THRESHOLD) + 1, key(FIXED_POINT_LIMIT));
        let Ok(total) = usize::try_from(total) else {
            return self.add_each(values, weights);
        };
        // Empty when `total` more could take a bucket past 32 bits: then every m fits 32 bits.
        let (offset, counts) = self.sketch.window(from, to, total);
        let mut slots = [u32::MAX; WEIGHTED_CHUNK];
        let slots = &mut slots[..values.len()];
        // The run's sums are add_all's, unweighted: not used here.
        let unweighted = &mut run::RunSums::default();
        run::first_pass(values, (offset, counts.len() as u64), slots, unweighted);
        let (mut n, mut lo, mut hi) = (0u64, f64::MAX, 0.0f64);
        // q < 2^40 inside the window and the run's weights sum below 2^32: sum < 2^72 and
        // sum_sq < 2^112, so neither these nor their casts to i128 can wrap.
        let (mut sum, mut sum_sq) = (0u128, 0u128);
        let mut outside = false;
        for ((slot, v), m) in slots.iter().zip(values).zip(weights) {
            let Some(c) = counts.get_mut(*slot as usize) else {
                outside = true;
                continue;
            };
            *c += *m as u32;
            n += m;
            // A weight of 0 adds nothing, not even to the extremes (as in add_n).
            let counted = *m != 0;
            lo = if counted && *v < lo { *v } else { lo };
            hi = if counted && *v > hi { *v } else { hi };
            let q = run::fixed_point(*v);
            let mq = u128::from(*m) * u128::from(q);
            sum += mq;
            sum_sq += mq * u128::from(q);
        }
        self.sketch.note_counted(n, lo, hi);
        self.count += n;
        self.sum += sum as i128;
        self.sum_sq += sum_sq as i128;
        if outside {
            for ((slot, v), m) in slots.iter().zip(values).zip(weights) {
                if *slot == u32::MAX {
                    self.add_n(*v, *m);
                }
            }
        }
    }

    fn add_each(&mut self, values: &[f64], weights: &[u64]) {
        for (v, m) in values.iter().zip(weights) {
            self.add_n(*v, *m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Values of every kind ([`run::tests::values_of_every_kind`]) and their weights.
    fn values_and_weights(rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> (Vec<f64>, Vec<u64>) {
        let values = run::tests::values_of_every_kind(rng);
        // Weights 0, 1 and the conditioning's typical hundreds.
        let weights = (0..values.len() as u64)
            .map(|i| match i % 5 {
                0 => 0,
                1 => 1,
                _ => rng.next_u64() % 3000,
            })
            .collect();
        (values, weights)
    }

    /// `add_weighted` on cells grown by `grow`, against `add_n` value by value: the same
    /// statistics, bucket by bucket and sum by sum.
    fn check(grow: &[f64], values: &[f64], weights: &[u64]) -> CellStats {
        let (mut fast, mut slow) = (CellStats::default(), CellStats::default());
        grow.iter().for_each(|v| fast.add(*v));
        grow.iter().for_each(|v| slow.add(*v));
        fast.add_weighted(values, weights);
        for (v, m) in values.iter().zip(weights) {
            slow.add_n(*v, *m);
        }
        assert!(!fast.overflow);
        assert_eq!(
            (fast.count, fast.sum, fast.sum_sq),
            (slow.count, slow.sum, slow.sum_sq)
        );
        assert_eq!(
            serde_json::to_string(&fast).unwrap(),
            serde_json::to_string(&slow).unwrap()
        );
        fast
    }

    /// Cells grown by every value, as a worker's are after its first blocks, so nearly all go
    /// through the fast path (checked, so the test cannot pass on the slow path alone); then
    /// cells that grow during the call; then a weight of 2^33, after which no window is given
    /// (a bucket could pass 32 bits) and every value takes `add_n`.
    #[test]
    fn add_weighted_equals_add_n_value_by_value() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(8);
        let (values, mut weights) = values_and_weights(&mut rng);
        let mut grown = check(&values, &values, &weights);
        let (from, to) = (key(ZERO_THRESHOLD) + 1, key(FIXED_POINT_LIMIT));
        let (offset, counts) = grown.sketch.window(from, to, 1 << 20);
        let inside = (values.iter())
            .filter(|v| key(**v).wrapping_sub(offset) < counts.len() as u64)
            .count();
        assert!(
            inside > values.len() * 9 / 10,
            "{inside} of {}",
            values.len()
        );
        check(&values[..200], &values, &weights);
        weights[1000] = 1 << 33;
        check(&values[..200], &values, &weights);
    }

    /// Values that overflow the sums mark the cell, beside values that take the window (1.1
    /// and 1.3: the cell's buckets around 1.0 exist).
    #[test]
    fn overflowing_values_mark_the_cell() {
        for v in [FIXED_POINT_LIMIT * 1.5, f64::NAN, f64::INFINITY] {
            let mut cell = CellStats::default();
            [1.0, 1.1, 1.3].iter().for_each(|x| cell.add(*x));
            cell.add_weighted(&[1.1, v, 1.3], &[2, 3, 4]);
            assert!(cell.overflow, "{v}");
            assert_eq!(cell.count, 12);
            assert_eq!(cell.mean(), None);
        }
    }

    /// A value of weight 0 counts nowhere, not even in the extremes, on the fast path too: 1.2
    /// and 0.8 lie in buckets the cell already has (checked) but must not move its max or min.
    #[test]
    fn a_weight_of_zero_leaves_the_extremes_alone() {
        let mut fast = CellStats::default();
        fast.add(1.0);
        let mut slow = fast.clone();
        let (from, to) = (key(ZERO_THRESHOLD) + 1, key(FIXED_POINT_LIMIT));
        let (offset, counts) = fast.sketch.window(from, to, 4);
        for v in [1.2, 0.8] {
            assert!(key(v).wrapping_sub(offset) < counts.len() as u64, "{v}");
        }
        fast.add_weighted(&[1.1, 1.2, 0.8], &[2, 0, 0]);
        slow.add_n(1.1, 2);
        assert_eq!(
            serde_json::to_string(&fast).unwrap(),
            serde_json::to_string(&slow).unwrap()
        );
        assert_eq!(fast.count, 3);
    }
}
