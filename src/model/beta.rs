//! PERT draws: min + (max - min) B, B ~ Beta(alpha, beta) = X / (X + Y) for gamma variates
//! X ~ Gamma(alpha), Y ~ Gamma(beta), each by Marsaglia and Tsang's method (2000, ACM TOMS
//! 26(3), "A simple method for generating gamma variables").
//!
//! Written by hand, not rand_distr's `Pert`: its Beta (Cheng's algorithms) calls the
//! platform's libm `ln` and `exp` several times a draw, so its last bits could differ between
//! systems, and it was the costliest of a base trial's scalar draws. This one uses the project's
//! own normal ([`crate::model::ziggurat`]), uniform and `ln` ([`crate::model::ieee`]): IEEE
//! arithmetic only, so the same bits everywhere, and about one normal and one uniform per gamma
//! variate.
//!
//! A draw takes exactly one word of the caller's stream and runs its rejection loop on a
//! SplitMix64 seeded by that word: how many words a draw rejects depends on alpha and beta,
//! and this keeps every later draw of the caller's stream in place when a scenario's variant
//! changes a PERT's parameters (common random numbers).

use super::ieee;
use super::ziggurat::ziggurat;
use crate::scenario::dist::pert_shape;
use rand::{Rng, SeedableRng};
use rand_xoshiro::SplitMix64;

/// A PERT distribution on [min, min + range] with shape 4 (the usual one, and rand_distr's).
#[derive(Debug, Clone)]
pub struct PertSampler {
    min: f64,
    range: f64,
    alpha: Gamma,
    beta: Gamma,
}

/// Gamma(shape, 1) for shape >= 1, ready to draw: d = shape - 1/3, c = 1 / sqrt(9 d).
#[derive(Debug, Clone)]
struct Gamma {
    d: f64,
    c: f64,
}

impl PertSampler {
    /// The PERT of (min, mode, max), min < max and min <= mode <= max: alpha = 1 + 4 (mode -
    /// min) / (max - min), beta = 1 + 4 (max - mode) / (max - min).
    pub fn new(min: f64, mode: f64, max: f64) -> Self {
        let (alpha, beta) = pert_shape(min, mode, max);
        PertSampler {
            min,
            range: max - min,
            alpha: Gamma::new(alpha),
            beta: Gamma::new(beta),
        }
    }

    /// One draw: takes one word of `rng`.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let mut words = SplitMix64::seed_from_u64(rng.next_u64());
        let x = self.alpha.sample(&mut words);
        let y = self.beta.sample(&mut words);
        self.min + self.range * (x / (x + y))
    }
}

impl Gamma {
    fn new(shape: f64) -> Self {
        debug_assert!(shape >= 1.0, "Marsaglia-Tsang as written needs shape >= 1");
        let d = shape - 1.0 / 3.0;
        Gamma {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
        }
    }

    /// d v for the first accepted (z, u): v = (1 + c z)^3 > 0, accepted when
    /// u < 1 - 0.0331 z^4 (the squeeze, most draws) or ln u < z^2 / 2 + d (1 - v + ln v).
    fn sample(&self, words: &mut SplitMix64) -> f64 {
        let zig = ziggurat();
        loop {
            let first = words.next_u64();
            let z = zig.normal(first, &mut || words.next_u64());
            let t = 1.0 + self.c * z;
            if t <= 0.0 {
                continue;
            }
            let v = t * t * t;
            let u = ieee::uniform_open(words.next_u64());
            let z2 = z * z;
            if u < 1.0 - 0.0331 * (z2 * z2) {
                return self.d * v;
            }
            // v >= 2^-1022 keeps ieee::ln on normal numbers (smaller v is never accepted).
            if v >= f64::MIN_POSITIVE && ieee::ln(u) < 0.5 * z2 + self.d * (1.0 - v + ieee::ln(v)) {
                return self.d * v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sampler::{KS_CRITICAL_1E4, ks_distance};
    use rand_xoshiro::Xoshiro256PlusPlus;
    use statrs::distribution::{Beta, ContinuousCDF};

    /// Against statrs' Beta CDF, for the modes at either end, the middle and between: the KS
    /// distance of 200,000 draws below the 1e-4 level of its limiting law (P(sqrt(n) D > x)
    /// ~ 2 exp(-2 x^2): x = 2.226), and the mean within 4.5 of its standard errors.
    #[test]
    fn pert_draws_follow_the_beta_law() {
        let n = 200_000;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for (min, mode, max) in [
            (0.0, 0.0, 1.0),
            (0.0, 1.0, 1.0),
            (2.0, 5.0, 8.0),
            (20.0, 21.0, 25.0),
        ] {
            let pert = PertSampler::new(min, mode, max);
            let range = max - min;
            let (a, b) = (
                1.0 + 4.0 * (mode - min) / range,
                1.0 + 4.0 * (max - mode) / range,
            );
            let law = Beta::new(a, b).unwrap();
            let mut draws: Vec<f64> = (0..n)
                .map(|_| (pert.sample(&mut rng) - min) / range)
                .collect();
            assert!(draws.iter().all(|x| (0.0..=1.0).contains(x)));
            let mean = draws.iter().sum::<f64>() / n as f64;
            let (m, var) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            let se = (var / n as f64).sqrt();
            assert!(
                (mean - m).abs() < 4.5 * se,
                "mode {mode}: mean {mean} vs {m} (se {se})"
            );
            let d = ks_distance(&mut draws, |x| law.cdf(x));
            assert!(
                d * (n as f64).sqrt() < KS_CRITICAL_1E4,
                "mode {mode}: KS distance {d}"
            );
        }
    }

    /// One word of the caller's stream per draw, whatever the parameters.
    #[test]
    fn a_draw_takes_one_word_of_the_stream() {
        for (min, mode, max) in [(0.0, 0.0, 1.0), (0.0, 0.5, 1.0), (1.0, 1.9, 2.0)] {
            let pert = PertSampler::new(min, mode, max);
            let mut a = Xoshiro256PlusPlus::seed_from_u64(3);
            let mut b = a.clone();
            for _ in 0..1000 {
                pert.sample(&mut a);
                b.next_u64();
            }
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }
}
