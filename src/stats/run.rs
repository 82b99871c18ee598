//! The fast path of [`CellStats::add_all`]: a run of values inside the histogram's window,
//! counted in two passes per chunk of [`RUN_CHUNK`] values. First each value's bucket and its
//! exact fixed-point terms, branch-free (compiled for AVX2 where the processor has it, so the
//! compiler vectorises it); then the bucket increments and the extremes. The square of
//! q < 2^40 is summed as its 20-bit halves' products, each sum below 2^63 for runs of up to
//! 2^23 values, so no 128-bit arithmetic runs per value: the sums are the same integers as
//! [`CellStats::add`]'s.

#[cfg(test)]
use super::{CellStats, FIXED_POINT_LIMIT, ZERO_THRESHOLD};
use super::{FIXED_POINT_SCALE, key};

/// Values per pass of [`CellStats::add_all`]'s fast path.
const RUN_CHUNK: usize = 256;
/// 2^52: adding it to a non-negative double below 2^52 rounds it to an integer in the
/// mantissa's low bits.
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// The counted values' number, extremes and fixed-point sums, q = floor(1024 v + 1/2) < 2^40,
/// with the sum of q^2 kept as those of qh^2, qh ql and ql^2 for q = 2^20 qh + ql.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct RunSums {
    pub(super) n: u64,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) sum: u64,
    high_sq: u64,
    cross: u64,
    low_sq: u64,
}

impl Default for RunSums {
    fn default() -> Self {
        RunSums {
            n: 0,
            lo: f64::MAX,
            hi: 0.0,
            sum: 0,
            high_sq: 0,
            cross: 0,
            low_sq: 0,
        }
    }
}

impl RunSums {
    /// The sum of q^2: (sum qh^2) 2^40 + 2 (sum qh ql) 2^20 + sum ql^2.
    pub(super) fn sum_of_squares(&self) -> u128 {
        (u128::from(self.high_sq) << 40) + (u128::from(self.cross) << 21) + u128::from(self.low_sq)
    }

    /// Adds `v` when `inside` (a value in (ZERO_THRESHOLD, FIXED_POINT_LIMIT)), by selects:
    /// nothing of an outside value (perhaps negative, huge or NaN) reaches the sums. Not the
    /// extremes: the caller takes them with the bucket increments.
    #[inline(always)]
    fn add(&mut self, v: f64, inside: bool) {
        let q = if inside { fixed_point(v) } else { 0 };
        let (qh, ql) = ((q >> 20) & 0xF_FFFF, q & 0xF_FFFF);
        self.sum += q;
        self.high_sq += qh * qh;
        self.cross += qh * ql;
        self.low_sq += ql * ql;
        self.n += u64::from(inside);
    }
}

/// q = floor(1024 v + 1/2) for 0 <= 1024 v + 1/2 < 2^52 from IEEE operations alone (so loops
/// vectorise): round to an integer, step down if that rounded up; the same as
/// [`CellStats::add`]'s truncation through i64. Meaningless outside that range (callers
/// select it away).
#[inline(always)]
pub(super) fn fixed_point(v: f64) -> u64 {
    let y = v * FIXED_POINT_SCALE + 0.5;
    let rounded = (y + TWO_52) - TWO_52;
    let floor = if rounded > y { rounded - 1.0 } else { rounded };
    (floor + TWO_52).to_bits().wrapping_sub(TWO_52.to_bits())
}

/// Each value's bucket within the window at `offset` of `window` buckets (`u32::MAX` when
/// outside) into `slots`, and its terms into `run`: four values per instruction where the
/// processor has AVX2 (checked at run time), two otherwise; the same integers either way.
/// Also the weighted fast path's (stats/weighted.rs) bucket search.
pub(super) fn first_pass(values: &[f64], window: (u64, u64), slots: &mut [u32], run: &mut RunSums) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 was found on this processor just now.
        return unsafe { first_pass_avx2(values, window, slots, run) };
    }
    first_pass_portable(values, window, slots, run);
}

#[inline(always)]
fn first_pass_portable(
    values: &[f64],
    (offset, window): (u64, u64),
    slots: &mut [u32],
    run: &mut RunSums,
) {
    let mut local = *run;
    for (v, slot) in values.iter().zip(slots.iter_mut()) {
        let i = key(*v).wrapping_sub(offset);
        let inside = i < window;
        *slot = if inside { i as u32 } else { u32::MAX };
        local.add(*v, inside);
    }
    *run = local;
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn first_pass_avx2(values: &[f64], window: (u64, u64), slots: &mut [u32], run: &mut RunSums) {
    first_pass_portable(values, window, slots, run);
}

/// Counts `values` (at most 2^23) into `counts`, the histogram's window of buckets from key
/// `offset`: the buckets of the values inside it, and their number, extremes and sums.
pub(super) fn count(values: &[f64], offset: u64, counts: &mut [u32]) -> RunSums {
    let window = counts.len() as u64;
    let mut run = RunSums::default();
    let mut slots = [u32::MAX; RUN_CHUNK];
    for chunk in values.chunks(RUN_CHUNK) {
        first_pass(chunk, (offset, window), &mut slots, &mut run);
        // The increments, and the extremes (a float min-max reduction would keep the first
        // pass from vectorising).
        for (slot, v) in slots.iter().zip(chunk) {
            if let Some(c) = counts.get_mut(*slot as usize) {
                *c += 1;
                run.lo = if *v < run.lo { *v } else { run.lo };
                run.hi = if *v > run.hi { *v } else { run.hi };
            }
        }
    }
    run
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::distr::Distribution;

    /// Values of every kind, none overflowing the sums: ordinary draws, rounding ties
    /// (1024 v + 1/2 an integer), integers, the window's edges, values outside it (zero,
    /// negative, tiny) and values near the fixed-point limit (also weighted.rs's tests').
    pub(in crate::stats) fn values_of_every_kind(
        rng: &mut rand_xoshiro::Xoshiro256PlusPlus,
    ) -> Vec<f64> {
        let d = rand_distr::LogNormal::new(9.0, 2.0).unwrap();
        let mut values: Vec<f64> = (0..3000).map(|_| d.sample(rng)).collect();
        for k in [0u64, 1, 2, 3, 1023, 20_000 * 1024, (1 << 39) + 1] {
            values.extend([(k as f64 + 0.5) / 1024.0, k as f64 / 1024.0]);
        }
        values.extend([
            0.0,
            -3.0,
            1e-300,
            ZERO_THRESHOLD,
            FIXED_POINT_LIMIT,
            999_999_999.999,
        ]);
        values.extend((0..300).map(|i| 21_500.0 + i as f64 / 2048.0));
        values
    }

    /// The fast path counts and sums exactly what one value at a time does: rounding ties
    /// (1024 v + 1/2 an integer), integers, the window's edges, values outside it (zero,
    /// negative, tiny) and ordinary draws; and values that overflow the sums (beyond the
    /// fixed-point limit, NaN, infinite) mark the cell either way (its sums then depend on the
    /// order and are never reported).
    #[test]
    fn add_all_equals_adding_one_value_at_a_time() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let values = values_of_every_kind(&mut rng);
        let (mut fast, mut slow) = (CellStats::default(), CellStats::default());
        // Grown first, as a worker's cells are after their first block.
        values[..100].iter().for_each(|v| fast.add(*v));
        values[..100].iter().for_each(|v| slow.add(*v));
        fast.add_all(&values);
        values.iter().for_each(|v| slow.add(*v));
        assert_eq!(
            (fast.count, fast.sum, fast.sum_sq),
            (slow.count, slow.sum, slow.sum_sq)
        );
        assert_eq!(fast.overflow, slow.overflow);
        for p in [0.1, 5.0, 50.0, 95.0, 99.9] {
            assert_eq!(fast.percentile(p), slow.percentile(p), "p{p}");
        }
        assert_eq!(
            serde_json::to_string(&fast).unwrap(),
            serde_json::to_string(&slow).unwrap()
        );
        for v in [FIXED_POINT_LIMIT * 1.5, f64::NAN, f64::INFINITY] {
            let (mut fast, mut slow) = (CellStats::default(), CellStats::default());
            let mixed = [21_500.0, v, 30_000.0];
            fast.add(1.0);
            slow.add(1.0);
            fast.add_all(&mixed);
            mixed.iter().for_each(|x| slow.add(*x));
            assert!(
                fast.overflow && slow.overflow && fast.count == slow.count,
                "{v}"
            );
            assert_eq!(fast.mean(), None);
        }
    }

    /// Every instruction set gives the same buckets and sums.
    #[test]
    fn the_first_pass_is_the_same_on_every_path() {
        // Fails, not skips, where `first_pass` would take the portable path itself.
        #[cfg(target_arch = "x86_64")]
        assert!(
            std::arch::is_x86_feature_detected!("avx2"),
            "this test machine has no AVX2: the AVX2 path went untested"
        );
        let values: Vec<f64> = (0..RUN_CHUNK)
            .map(|i| (i as f64 * 0.37).sin() * 1e5 + (i % 7) as f64 / 2048.0)
            .collect();
        let window = (key(1.0), key(1e6) - key(1.0));
        let (mut slots, mut run) = ([0u32; RUN_CHUNK], RunSums::default());
        first_pass(&values, window, &mut slots, &mut run);
        let (mut slots2, mut run2) = ([0u32; RUN_CHUNK], RunSums::default());
        first_pass_portable(&values, window, &mut slots2, &mut run2);
        assert_eq!((slots, run), (slots2, run2));
        assert!(run.n > 100 && run.n < RUN_CHUNK as u64, "{}", run.n);
    }
}
