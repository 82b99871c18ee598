//! Standard normal draws by inversion, written for lanes: no branch, no table, no libm call, so
//! a loop over many draws vectorises and every path (scalar, SSE2, AVX2) gives the same bits.
//!
//! Why inversion and not a ziggurat: a ziggurat's rejections (about 1.2% of draws) make lanes
//! wait for one another or leave the vector loop, and its result depends on how many words a
//! draw consumed. Inversion maps one 64-bit word to one normal, always: z = Phi^-1(u).
//!
//! Method: Wichura's AS 241 (PPND16, Applied Statistics 37, 1988), whose rational
//! approximations are exact to about 1e-16 relative over the whole range. Its three regions
//! (|u - 0.5| <= 0.425, then sqrt(-ln u) <= 5 and beyond) are all computed and selected lane by
//! lane, and the numerator and denominator are selected before the one division. `ln` is
//! computed here from IEEE-754 additions, multiplications and one division in a fixed order
//! (no fused multiply-add), like [`crate::model::fastexp`]; `sqrt` is correctly rounded by
//! IEEE-754 on every machine. The uniform is u = (2k + 1) / 2^53 for the top 52 bits k of the
//! word: never 0 or 1, symmetric (1 - u is exact and on the same grid, so z(1 - u) = -z(u)),
//! and its extremes give z = -/+8.29.

// The coefficients keep AS 241's published digits (more than a double holds), so that they can be
// checked against the paper; the compiler rounds each to the nearest double.
#![allow(clippy::excessive_precision)]

/// AS 241's coefficients for |q| <= 0.425 (numerator, then denominator), lowest degree first.
const A: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
const B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
/// For r = sqrt(-ln min(u, 1 - u)) <= 5, in r - 1.6.
const C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
/// For r > 5, in r - 5.
const E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// ln 2 in a high part exact in products with any exponent (its last 21 bits are zero) and
/// the rest, as in [`crate::model::fastexp`].
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
/// Bits of sqrt(1/2)'s leading word: mantissas from here up to sqrt(2) take exponent k.
const SQRT_HALF_HI: u64 = 0x3FE6_A09E_0000_0000;
/// 2^52: adding a small integer's bits to its bits and subtracting it converts without
/// a (non-vectorisable) integer-to-float instruction.
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// Polynomial with coefficients `c` (lowest degree first) at x, by Horner's rule.
#[inline(always)]
fn horner(c: &[f64; 8], x: f64) -> f64 {
    let mut p = c[7];
    for k in (0..7).rev() {
        p = p * x + c[k];
    }
    p
}

/// Natural logarithm of a positive normal number (every uniform of [`uniform_open`] is one),
/// within 2 ulp of the standard library's (tested). Not for 0, subnormals, infinities or NaN.
///
/// x = 2^k m with m in [sqrt(1/2), sqrt(2)) read off the bits; ln m = 2 atanh(s) with
/// s = (m - 1) / (m + 1), |s| <= 0.172, by its series to s^25 (truncation below 1e-19).
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
    // 1/(2j + 1) for j = 12 down to 1.
    let mut p = 1.0 / 25.0;
    for j in (1..12).rev() {
        p = p * z + 1.0 / (2 * j + 1) as f64;
    }
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

/// Phi^-1(p) for p in (0, 1) by AS 241, every region computed and selected (no branch).
#[inline(always)]
pub fn normal_quantile(p: f64) -> f64 {
    quantile::<true>(p)
}

/// AS 241 with its far tails (r = sqrt(-ln min(p, 1 - p)) > 5, so min(p, 1 - p) < 1.4e-11) when
/// FAR, without them otherwise: the same operations, and so the same bits, wherever r <= 5.
#[inline(always)]
fn quantile<const FAR: bool>(p: f64) -> f64 {
    let q = p - 0.5;
    let central = q.abs() <= 0.425;
    let r_central = 0.180_625 - q * q;
    let tail_p = if q < 0.0 { p } else { 1.0 - p };
    // Central lanes take ln of at most 0.5 here: finite, and not used.
    let r = (-ln(if central { 0.5 } else { tail_p })).sqrt();
    let (mut tail_num, mut tail_den) = (horner(&C, r - 1.6), horner(&D, r - 1.6));
    if FAR && r > 5.0 {
        (tail_num, tail_den) = (horner(&E, r - 5.0), horner(&F, r - 5.0));
    }
    let tail_num = if q < 0.0 { -tail_num } else { tail_num };
    let num = if central {
        q * horner(&A, r_central)
    } else {
        tail_num
    };
    let den = if central {
        horner(&B, r_central)
    } else {
        tail_den
    };
    num / den
}

/// The standard normal draw of one 64-bit word: Phi^-1 of [`uniform_open`].
#[inline(always)]
pub fn normal_from_bits(word: u64) -> f64 {
    normal_quantile(uniform_open(word))
}

/// Words whose uniform (or 1 - uniform) is below 2^-36 ~ 1.5e-11, beyond which AS 241's far
/// tail may apply (from 1.4e-11): their top 52 bits are below 2^16, or above 2^52 - 1 - 2^16.
const FAR_WORDS: u64 = 1 << 16;

/// `out[i]` = [`normal_from_bits`]`(words[i])`: a loop that the compiler vectorises (for the
/// instruction set it compiles for) without AS 241's far tails, then those draws (about 3 in
/// 10^11) again with them.
#[inline(always)]
pub fn normals_from_bits(words: &[u64], out: &mut [f64]) {
    for (z, w) in out.iter_mut().zip(words) {
        *z = quantile::<false>(uniform_open(*w));
    }
    for (z, w) in out.iter_mut().zip(words) {
        let k = w >> 12;
        if !(FAR_WORDS..(1 << 52) - FAR_WORDS).contains(&k) {
            *z = normal_from_bits(*w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

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
            assert_eq!(normal_from_bits(w), -normal_from_bits(!w & !0xFFF));
        }
    }

    /// The tails to 8.29 sigma (the most extreme uniforms) against the normal CDF of statrs:
    /// Phi(Phi^-1(p)) = p within 1e-12 relative, for p log-spaced from 2^-53 to 1/2; the upper
    /// tail as 1 - Phi(-z) (draws are exactly symmetric: `uniform_is_open_symmetric_and_exact`). AS 241 is exact to about 1e-16 in z, which moves the tail
    /// probability by |z| * 1e-16 relative; statrs' erfc adds its own error of about 1e-14.
    #[test]
    fn tails_are_exact_to_eight_sigma_against_the_cdf() {
        use statrs::distribution::{ContinuousCDF, Normal};
        let normal = Normal::standard();
        let mut worst: f64 = 0.0;
        for i in 0..=20_000 {
            let p = (-(i as f64) / 20_000.0 * 53.0 * std::f64::consts::LN_2).exp() * 0.5;
            let p = p.max(2f64.powi(-53));
            let z = normal_quantile(p);
            let lower = normal.cdf(z);
            let upper = normal.sf(-z);
            for got in [lower, upper] {
                let err = (got / p - 1.0).abs();
                worst = worst.max(err);
                assert!(err < 1e-9, "p {p:e}: z {z}, Phi(z) {got:e}");
            }
        }
        assert!(normal_quantile(2f64.powi(-53)) < -8.2);
        assert!(worst < 1e-9, "worst {worst:e}");
    }

    /// Known answers: CPython's `statistics.NormalDist().inv_cdf` (AS 241 with the C library's
    /// log) at these p, to the bit.
    #[test]
    fn quantiles_equal_cpythons_as241() {
        let cases = [
            (0.239_375_930_468_053_94, -0.708_311_461_687_032_3),
            (0.1, -1.281_551_565_544_600_8),
            (0.01, -2.326_347_874_040_840_8),
            (1e-5, -4.264_890_793_922_825_6),
            (1e-10, -6.361_340_902_404_056),
            (1e-15, -7.941_345_326_170_995),
        ];
        for (p, z) in cases {
            assert_eq!(normal_quantile(p), z, "p {p:e}");
        }
    }

    #[test]
    fn slices_match_the_scalar() {
        let mut words: Vec<u64> = (0..41u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        // Both far tails, both sides of where the far region starts, and the extremes.
        for k in [0u64, 1, 700, FAR_WORDS - 1, FAR_WORDS, 3 * FAR_WORDS] {
            words.push(k << 12);
            words.push(!(k << 12) & !0xFFF);
        }
        assert!(normal_from_bits(0).abs() > 8.0);
        let mut out = vec![0.0; words.len()];
        normals_from_bits(&words, &mut out);
        for (z, w) in out.iter().zip(&words) {
            assert_eq!(z.to_bits(), normal_from_bits(*w).to_bits());
        }
    }
}
