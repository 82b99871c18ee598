//! Samplers: the ready-to-draw form of each distribution of the scenario vocabulary
//! ([`Dist`]), used in the hot loop. Every variant consumes the same random numbers whatever
//! its parameters, so that common random numbers line up across scenarios.

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
            Dist::Pert { min, mode, max } => Sampler::Pert(
                rand_distr::Pert::new(min, max)
                    .with_mode(mode)
                    .expect("checked pert"),
            ),
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
    /// PERT distribution.
    Pert(rand_distr::Pert<f64>),
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
            Sampler::Normal { mean, sd } => {
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                mean + sd * z
            }
            Sampler::LogNormal { mu, sigma } => {
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::ScaledTriangular { min, range, unit } => min + range * unit.sample(rng),
            Sampler::Pert(d) => d.sample(rng),
        }
    }
}
