//! The Gaussian copula behind correlated growth: turns a trial's independent normals into each
//! city's growth draw with the requested rank correlation and the city's own marginal
//! (docs/model.md, "Correlated growth"). The matrix is checked and factored in
//! [`crate::scenario::correlation`].

use crate::scenario::dist::{Dist, standard_normal_cdf};

/// Maps a standard normal y to a draw of `dist` with the same rank: quantile(Φ(y)), done
/// directly for normal and lognormal distributions (exact and faster).
#[derive(Debug, Clone)]
pub enum MarginalMap {
    /// A normal (or fixed) marginal: mean + sd y.
    Affine {
        /// Mean of the marginal.
        mean: f64,
        /// Standard deviation of the marginal (0 for a fixed value).
        sd: f64,
    },
    /// A lognormal marginal: exp(mu + sigma y).
    LogAffine {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Any other marginal: its quantile at Φ(y).
    Quantile(Dist),
}

impl MarginalMap {
    /// The map for a city's growth distribution.
    pub fn new(dist: &Dist) -> Self {
        match *dist {
            Dist::Fixed(x) => MarginalMap::Affine { mean: x, sd: 0.0 },
            Dist::Normal { mean, sd } => MarginalMap::Affine { mean, sd },
            Dist::LogNormal { p5, p95 } => {
                let (mu, sigma) = crate::scenario::dist::lognormal_params(p5, p95);
                MarginalMap::LogAffine { mu, sigma }
            }
            ref other => MarginalMap::Quantile(other.clone()),
        }
    }

    /// The draw of the same rank as the standard normal value `y`.
    pub fn map(&self, y: f64) -> f64 {
        match self {
            MarginalMap::Affine { mean, sd } => mean + sd * y,
            MarginalMap::LogAffine { mu, sigma } => (mu + sigma * y).exp(),
            MarginalMap::Quantile(d) => d.quantile(standard_normal_cdf(y).clamp(0.0, 1.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marginal_maps_keep_ranks_and_marginals() {
        let tri = Dist::Triangular {
            min: 0.0,
            mode: 0.2,
            max: 1.0,
        };
        let m = MarginalMap::new(&tri);
        // Φ(0) = 0.5, so y = 0 maps to the median.
        assert!((m.map(0.0) - tri.median()).abs() < 1e-12);
        assert!(m.map(-1.0) < m.map(0.0) && m.map(0.0) < m.map(1.0));
        let normal = MarginalMap::new(&Dist::Normal { mean: 0.3, sd: 0.1 });
        assert!((normal.map(2.0) - 0.5).abs() < 1e-15);
    }
}
