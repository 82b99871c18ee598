//! Samplers: the ready-to-draw form of each distribution of the scenario vocabulary
//! ([`Dist`]), used in the hot loop. Every variant consumes the same random numbers whatever
//! its parameters, so that common random numbers line up across scenarios.
//!
//! The model's normal and exponential draws ([`standard_normal`], [`standard_exponential`])
//! and the lognormal's and PERT's arithmetic use the project's own ziggurat, `ln` and `exp`
//! (IEEE operations only), not rand_distr's samplers, which call the platform's libm in their
//! rarer steps: the same draws on every system.

use super::beta::PertSampler;
use super::ziggurat::ziggurat;
use super::{fastexp, ieee};
use crate::scenario::dist::{Dist, LARGE_RANGE, lognormal_params};
use rand::Rng;
use rand::distr::{Distribution, StandardUniform};

/// Builds a [`Sampler`] from a distribution as written.
pub trait ToSampler {
    /// Builds the sampler used in the hot loop.
    fn sampler(&self) -> Sampler;
}

impl ToSampler for Dist {
    /// Builds the sampler used in the hot loop.
    fn sampler(&self) -> Sampler {
        if self.is_fixed() {
            return Sampler::Fixed(self.support().0);
        }
        match *self {
            Dist::Fixed(x) => Sampler::Fixed(x),
            Dist::Uniform { min, max } => Sampler::Uniform {
                min,
                width: max - min,
            },
            Dist::Normal { mean, sd } => Sampler::Normal { mean, sd },
            Dist::LogNormal { p5, p95 } => {
                let (mu, sigma) = lognormal_params(p5, p95);
                Sampler::LogNormal { mu, sigma }
            }
            Dist::Triangular { min, mode, max } if max - min > LARGE_RANGE => {
                let unit_mode = (mode - min) / (max - min);
                Sampler::ScaledTriangular {
                    min,
                    range: max - min,
                    unit: rand_distr::Triangular::new(0.0, 1.0, unit_mode)
                        .expect("mode within [0, 1]"),
                }
            }
            Dist::Triangular { min, mode, max } => Sampler::Triangular(
                rand_distr::Triangular::new(min, max, mode).expect("checked triangular"),
            ),
            Dist::Pert { min, mode, max } => Sampler::Pert(PertSampler::new(min, mode, max)),
        }
    }
}

/// A ready-to-draw form of a [`Dist`]. Every variant consumes the same random numbers
/// whatever its parameters, so that common random numbers line up across scenarios.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Always this value; draws nothing.
    Fixed(f64),
    /// Uniform on [min, min + width).
    Uniform {
        /// Lower end.
        min: f64,
        /// max - min.
        width: f64,
    },
    /// Normal distribution.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Lognormal distribution: exp(mu + sigma Z).
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Triangular distribution.
    Triangular(rand_distr::Triangular<f64>),
    /// A triangular whose range is so wide that range^2 would overflow: drawn on [0, 1]
    /// and scaled (same random numbers as [`Sampler::Triangular`]).
    ScaledTriangular {
        /// Lower end of the range.
        min: f64,
        /// max - min.
        range: f64,
        /// The same triangular rescaled to [0, 1].
        unit: rand_distr::Triangular<f64>,
    },
    /// PERT distribution (shape 4), by the project's own Beta ([`crate::model::beta`]).
    Pert(PertSampler),
}

impl Sampler {
    /// Draws one value. A fixed value draws nothing from `rng`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Fixed(x) => *x,
            Sampler::Uniform { min, width } => {
                let u: f64 = StandardUniform.sample(rng);
                min + width * u
            }
            Sampler::Normal { mean, sd } => mean + sd * standard_normal(rng),
            Sampler::LogNormal { mu, sigma } => fastexp::exp(mu + sigma * standard_normal(rng)),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::ScaledTriangular { min, range, unit } => min + range * unit.sample(rng),
            Sampler::Pert(d) => d.sample(rng),
        }
    }
}

/// A standard normal from `rng`: the ziggurat of [`crate::model::ziggurat`] on its next word,
/// and on further words in the rare draws (about 1.5%) that need them.
#[inline]
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let word = rng.next_u64();
    ziggurat().normal(word, &mut || rng.next_u64())
}

/// A standard exponential from one word of `rng`: -ln U, U uniform on (0, 1) (exact
/// inversion; at most 53 ln 2 = 36.74, at the smallest U, 2^-53).
#[inline]
pub fn standard_exponential<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    -ieee::ln(ieee::uniform_open(rng.next_u64()))
}

/// Kolmogorov-Smirnov distance of `draws` (sorted here) from `cdf`, for the samplers' tests.
#[cfg(test)]
pub(crate) fn ks_distance(draws: &mut [f64], cdf: impl Fn(f64) -> f64) -> f64 {
    draws.sort_by(f64::total_cmp);
    let n = draws.len() as f64;
    let gap = |(i, x): (usize, &f64)| {
        let f = cdf(*x);
        (f - i as f64 / n).max((i + 1) as f64 / n - f)
    };
    draws.iter().enumerate().map(gap).fold(0.0, f64::max)
}

/// sqrt(n) times the KS distance exceeds this with probability 1e-4 under the limiting law
/// (P(sqrt(n) D > x) ~ 2 exp(-2 x^2)).
#[cfg(test)]
pub(crate) const KS_CRITICAL_1E4: f64 = 2.226;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::dist::standard_normal_cdf;
    use rand::SeedableRng;

    /// 500,000 draws of each on a xoshiro stream (as the model draws them) against the normal
    /// and exponential CDFs: the KS distance below the 1e-4 level of its limiting law
    /// (P(sqrt(n) D > x) ~ 2 exp(-2 x^2): x = 2.226), and the mean within 4.5 standard errors.
    #[test]
    fn normal_and_exponential_draws_follow_their_laws() {
        let n = 500_000;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(21);
        let mut normals: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let mut exps: Vec<f64> = (0..n).map(|_| standard_exponential(&mut rng)).collect();
        let se = (1.0 / n as f64).sqrt();
        let mean = |d: &[f64]| d.iter().sum::<f64>() / n as f64;
        assert!(mean(&normals).abs() < 4.5 * se, "{}", mean(&normals));
        assert!((mean(&exps) - 1.0).abs() < 4.5 * se, "{}", mean(&exps));
        let d = ks_distance(&mut normals, standard_normal_cdf);
        assert!(
            d * (n as f64).sqrt() < KS_CRITICAL_1E4,
            "normal: KS distance {d}"
        );
        let d = ks_distance(&mut exps, |x| 1.0 - (-x).exp());
        assert!(
            d * (n as f64).sqrt() < KS_CRITICAL_1E4,
            "exponential: KS distance {d}"
        );
        let most = 53.0 * std::f64::consts::LN_2;
        assert!(exps.iter().all(|x| *x > 0.0 && *x <= most));
        // The largest draw: the word 0, U = 2^-53.
        let largest = -ieee::ln(ieee::uniform_open(0));
        assert!(largest <= most && largest > most - 1e-12, "{largest}");
    }
}
