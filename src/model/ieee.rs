//! The two scalar functions every lane draw is built from, written for lanes: the uniform of a
//! 64-bit word, and `ln` from IEEE-754 additions, multiplications and one division in a fixed
//! order (no fused multiply-add, no libm), like [`crate::model::fastexp`], so that a loop over
//! many values vectorises and every path (scalar, SSE2, AVX2) gives the same bits on every
//! machine. The ziggurat ([`crate::model::ziggurat`]) builds its tables and takes its tail
//! draws with them.

use crate::model::fastexp::estrin12;

/// ln 2 in a high part exact in products with any exponent (its last 21 bits are zero) and
/// the rest, as in [`crate::model::fastexp`].
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
/// Bits of sqrt(1/2)'s leading word: mantissas from here up to sqrt(2) take exponent k.
const SQRT_HALF_HI: u64 = 0x3FE6_A09E_0000_0000;
/// 2^52: adding a small integer's bits to its bits and subtracting it converts without
/// a (non-vectorisable) integer-to-float instruction.
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// 1/(2j + 3) for j = 0..=11: atanh(s) = s (1 + z (1/3 + z/5 + ... + z^11/25)), z = s^2.
const ATANH_SERIES: [f64; 12] = [
    1.0 / 3.0,
    1.0 / 5.0,
    1.0 / 7.0,
    1.0 / 9.0,
    1.0 / 11.0,
    1.0 / 13.0,
    1.0 / 15.0,
    1.0 / 17.0,
    1.0 / 19.0,
    1.0 / 21.0,
    1.0 / 23.0,
    1.0 / 25.0,
];

/// Natural logarithm of a positive normal number (every uniform of [`uniform_open`] is one),
/// within 2 ulp of the standard library's (tested). Not for 0, subnormals, infinities or NaN.
///
/// x = 2^k m with m in [sqrt(1/2), sqrt(2)) read off the bits; ln m = 2 atanh(s) with
/// s = (m - 1) / (m + 1), |s| <= 0.172, by its series to s^25 (truncation below 1e-19),
/// evaluated by Estrin's scheme ([`estrin12`]).
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    let bits = x
        .to_bits()
        .wrapping_add(0x3FF0_0000_0000_0000 - SQRT_HALF_HI);
    let biased_k = bits >> 52;
    let k = f64::from_bits(TWO_52.to_bits() | biased_k) - TWO_52 - 1023.0;
    let m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) + SQRT_HALF_HI);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let p = estrin12(&ATANH_SERIES, z);
    // ln m = 2s + 2s z p = f - s (f - 2 z p): the form that keeps f exact near m = 1.
    let hfsq = 0.5 * f * f;
    let log_m = f - (hfsq - s * (hfsq + 2.0 * z * p));
    k * LN2_HI + (log_m + k * LN2_LO)
}

/// The uniform of a 64-bit word: (2k + 1) / 2^53 for its top 52 bits k, in (0, 1).
#[inline(always)]
pub fn uniform_open(word: u64) -> f64 {
    // 1 + k / 2^52 from the bits, less 1: exact, and no integer-to-float conversion.
    let one_plus = f64::from_bits(0x3FF0_0000_0000_0000 | (word >> 12));
    (one_plus - 1.0) + f64::from_bits(0x3CA0_0000_0000_0000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fastexp::tests::ulps;

    #[test]
    fn ln_within_two_ulps_of_std_over_the_uniforms_range() {
        let mut worst = 0;
        // Log-spaced from 2^-53 to 1, and a fine grid near 1 where ln is small.
        for i in 0..=200_000 {
            let x = (-(i as f64) * 53.0 / 200_000.0 * std::f64::consts::LN_2).exp();
            let d = ulps(ln(x), x.ln());
            worst = worst.max(d);
            assert!(d <= 2, "ln({x:e}) = {} vs std {}", ln(x), x.ln());
        }
        for i in 1..=100_000 {
            let x = 1.0 - i as f64 * 1e-9;
            let (a, b) = (ln(x), x.ln());
            assert!(ulps(a, b) <= 2, "ln({x:e}) = {a} vs std {b}");
        }
        assert_eq!(ln(1.0), 0.0);
        assert!(worst <= 2);
    }

    #[test]
    fn uniform_is_open_symmetric_and_exact() {
        assert_eq!(uniform_open(0), 2f64.powi(-53));
        assert_eq!(uniform_open(u64::MAX), 1.0 - 2f64.powi(-53));
        for w in [
            0u64,
            1 << 12,
            12_345 << 12,
            u64::MAX / 3,
            u64::MAX - (1 << 12),
        ] {
            let u = uniform_open(w);
            assert_eq!(1.0 - u, uniform_open(!w & !0xFFF), "word {w:x}");
        }
    }
}
