//! `exp` for whole paths at once: the same bits on every machine, and a loop the compiler turns
//! into SIMD.
//!
//! Why not `f64::exp`: it calls the platform's libm once per value. The profile put those calls
//! at about a quarter of a trial's time, and libm's last bit may differ between systems and
//! versions. This was the model's most frequent libm call, not its only one (docs/model.md,
//! "Reproducibility", lists the rest: the drift's `ln_1p`, fading, the bridge, the power cap,
//! Student-t draws, likelihoods). This version uses only IEEE-754 additions and
//! multiplications in a fixed order (no fused multiply-add, no table), so it rounds
//! identically everywhere. It is within 1 ulp of the standard library's `exp`, and equal to it
//! for about 90% of arguments (tested). The samplers' lognormals, and the project's ziggurat
//! and `ln` (through [`estrin12`]), use it too.
//!
//! Method: x = n ln2 + r with n = round(x / ln2) and |r| <= ln2 / 2 (Cody-Waite, ln2 split in a
//! high part exact in products with n and a low part), exp(r) by its Taylor polynomial to
//! degree 13 (truncation error below 1e-17 relative; evaluated by Estrin's scheme), then
//! scaled by 2^n built from its bits.

/// The range computed, where 2^n stays a normal number: exp(-708) ~ 3.3e-308 and
/// exp(709) ~ 8.2e307. Below it the result is 0 and above it infinity (libm gives a subnormal
/// number below, and finite values up to 709.78): a capacity that large is flagged as an
/// overflow by the statistics either way, and one that small counts as zero.
pub const MIN_ARG: f64 = -708.0;
/// Upper end of the range computed: above it the result is infinity (see [`MIN_ARG`]).
pub const MAX_ARG: f64 = 709.0;

const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split as fdlibm does: the high part has 32 significant bits (its last 21 are zero), so
/// n * LN2_HI is exact for every n here (at most 11 bits).
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
/// ln 2 - LN2_HI, rounded.
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
/// 1.5 * 2^52: adding it rounds to the nearest integer and leaves that integer in the low bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;
/// Bits of SHIFTER, less the exponent bias: (bits(t) - this) << 52 is the bit pattern of 2^n.
const SHIFTER_BITS_LESS_BIAS: u64 = 0x4338_0000_0000_0000 - 1023;

/// 1/k! for k = 2..=13, the Taylor coefficients after 1 + r.
const INV_FACTORIAL: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// e^x for one value: 0 below MIN_ARG, infinity above MAX_ARG, NaN for NaN.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let within = exp_within_range(x.clamp(MIN_ARG, MAX_ARG));
    // Selects, not branches, so that loops over slices still vectorise.
    let above = if x > MAX_ARG { f64::INFINITY } else { within };
    if x < MIN_ARG { 0.0 } else { above }
}

/// e^x for x in [MIN_ARG, MAX_ARG] (or NaN).
#[inline(always)]
fn exp_within_range(x: f64) -> f64 {
    let t = x * LOG2_E + SHIFTER;
    let n = t - SHIFTER;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let exp_r = 1.0 + r * (1.0 + r * taylor_tail(r));
    let scale = f64::from_bits(t.to_bits().wrapping_sub(SHIFTER_BITS_LESS_BIAS) << 52);
    exp_r * scale
}

/// sum of r^k / (k + 2)! for k = 0..=11.
#[inline(always)]
fn taylor_tail(r: f64) -> f64 {
    estrin12(&INV_FACTORIAL, r)
}

/// c_0 + c_1 x + ... + c_11 x^11 by Estrin's scheme (pairs, then pairs of pairs in x^2, x^4): a
/// chain of 8 dependent operations instead of Horner's 22, so that the processor overlaps
/// several evaluations instead of waiting on each. Additions and multiplications in a fixed
/// order (no fused multiply-add): the same bits on every machine.
#[inline(always)]
pub fn estrin12(c: &[f64; 12], x: f64) -> f64 {
    let (x2, pair) = (x * x, |k: usize| c[k] + c[k + 1] * x);
    let x4 = x2 * x2;
    let quad0 = pair(0) + pair(2) * x2;
    let quad1 = pair(4) + pair(6) * x2;
    let quad2 = pair(8) + pair(10) * x2;
    quad0 + x4 * (quad1 + x4 * quad2)
}

/// Replaces every value x of `values` by e^x (see [`exp`]): four values per instruction where
/// the processor has AVX2 (checked at run time), two otherwise; the same bits either way, since
/// both run the same additions and multiplications (no fused multiply-add) in the same order.
pub fn exp_in_place(values: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked just above).
        unsafe { exp_in_place_avx2(values) };
        return;
    }
    exp_in_place_portable(values);
}

/// [`exp_in_place`] for any processor; inlined into [`exp_in_place_avx2`], which compiles
/// the same loop for AVX2.
#[inline(always)]
fn exp_in_place_portable(values: &mut [f64]) {
    for v in values.iter_mut() {
        *v = exp(*v);
    }
}

/// [`exp_in_place_portable`] compiled for AVX2 (and without FMA, which would change the bits).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn exp_in_place_avx2(values: &mut [f64]) {
    exp_in_place_portable(values);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Distance in units in the last place between two positive finite doubles (also
    /// ieee.rs's tests').
    pub(crate) fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn within_one_ulp_of_std_exp_across_the_range() {
        // std's exp is itself within 1 ulp of the true value, so ours is within 2 of the truth.
        let (mut exact, mut total) = (0u64, 0u64);
        let mut x = MIN_ARG;
        let mut k: u64 = 0;
        while x <= MAX_ARG {
            let d = ulps(exp(x), x.exp());
            assert!(d <= 1, "exp({x:e}): {} vs std {}", exp(x), x.exp());
            exact += u64::from(d == 0);
            total += 1;
            k += 1;
            // An irrational step so that the points fall at every offset within each ln2.
            x = MIN_ARG + k as f64 * 0.000_713_147_3;
        }
        assert!(
            exact * 10 >= total * 8,
            "only {exact} of {total} equal to std"
        );
    }

    #[test]
    fn within_one_ulp_near_zero_where_paths_live() {
        for i in -200_000..=200_000 {
            let x = i as f64 * 1.3e-5;
            assert!(ulps(exp(x), x.exp()) <= 1, "exp({x:e})");
        }
    }

    #[test]
    fn ln2_split_is_exact_in_products_and_sums_to_ln2() {
        assert!(LN2_HI.to_bits().trailing_zeros() >= 21);
        assert_eq!(LN2_HI + LN2_LO, std::f64::consts::LN_2);
        assert!((LN2_HI - std::f64::consts::LN_2).abs() < 1e-9);
    }

    #[test]
    fn exact_at_zero_and_nan_stays_nan() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn zero_below_the_range_and_infinity_above() {
        assert!(exp(MAX_ARG).is_finite() && exp(MAX_ARG) > 8e307);
        assert_eq!(exp(MAX_ARG + 1e-9), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert!(exp(MIN_ARG) > 0.0 && exp(MIN_ARG) < 4e-308);
        assert_eq!(exp(MIN_ARG - 1e-9), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn every_path_gives_the_same_bits() {
        let mut values: Vec<f64> = (0..100_003).map(|i| i as f64 * 0.014_2 - 710.0).collect();
        values.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            1e-300,
        ]);
        values.extend([MIN_ARG, MAX_ARG, MIN_ARG - 1e-9, MAX_ARG + 1e-9]);
        let mut portable = values.clone();
        exp_in_place_portable(&mut portable);
        let mut dispatched = values.clone();
        exp_in_place(&mut dispatched);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&portable), bits(&dispatched));
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            let mut avx2 = values.clone();
            // SAFETY: checked just above.
            unsafe { exp_in_place_avx2(&mut avx2) };
            assert_eq!(bits(&portable), bits(&avx2));
        } else {
            panic!("this test machine has no AVX2: the AVX2 path went untested");
        }
    }

    #[test]
    fn slices_match_the_scalar() {
        let mut values: Vec<f64> = (0..37).map(|i| i as f64 * 0.31 - 5.0).collect();
        let expected: Vec<f64> = values.iter().map(|x| exp(*x)).collect();
        exp_in_place(&mut values);
        assert_eq!(values, expected);
    }
}
