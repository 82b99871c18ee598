//! The guide of conditioning: a proposal for the latent normals of the once-per-trial inputs
//! (docs/model.md, "Guided conditioning").
//!
//! Why: weighting trials drawn from the prior collapses when the reports are many or lie in a
//! tail. Here a guide q(z) draws the latent normals z that steer each trial's inputs
//! ([`crate::model::latent`]): a defensive mixture q = a N(0, I) + (1 - a) N(mu, L L^T) (Hesterberg
//! 1995), so that the importance ratio phi(z) / q(z) is at most 1 / a. Its mean and covariance
//! are fitted ([`Guide::fit`]) to a population that [`super::smc`] brings to the posterior;
//! dims the reports leave where the prior had them keep N(0, 1) exactly. The run weighs trial i
//! by phi(z_i) L(x_i) / q(z_i): exact importance sampling whatever the guide, so a poor guide
//! costs effective trials, never bias.
//!
//! Deterministic: the fit sums in particle order, and each shard fits the same guide.

use crate::model::streams::{StreamKind, stream, stream_key};
use crate::scenario::correlation::cholesky_semidefinite;
use rand::distr::{Distribution, StandardUniform};
use serde::{Deserialize, Serialize};

/// Share a of each trial's draws from the prior itself (the defensive component).
pub const DEFENSIVE_SHARE: f64 = 0.2;
/// Factor on the fitted covariance (slightly wider than the fit: robust to its error).
pub const VARIANCE_INFLATION: f64 = 1.1;
/// A dim whose fitted mean is within this many standard errors of 0 and whose variance is
/// within as many of 1 keeps the prior's N(0, 1) in the guide (chosen on base and china-2025:
/// 2, 3, 4 and 6 gave effective sizes of 18.7k, 17.8k, 19.3k, 19.4k of 200,000 for base and
/// 19.5k, 27.5k, 30.3k, 19.2k for china-2025; none: 17.6k and 5.2k).
pub const PRIOR_LIKE_WITHIN: f64 = 4.0;
/// The prior is kept when its pilot's effective share is at least this.
pub const GUIDE_BELOW_ESS_SHARE: f64 = 0.1;

/// One adaptation stage, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// Temperature of the likelihood the stage fitted to.
    pub temperature: f64,
    /// Effective sample size of the stage's weights.
    pub ess: f64,
}

/// A proposal for the latent normals: the prior (share 1) or a defensive mixture.
#[derive(Debug, Clone)]
pub struct Guide {
    mean: Vec<f64>,
    /// Lower-triangular factor L of the covariance, row-major (draws: z = mu + L xi).
    chol: Vec<f64>,
    /// Its inverse, also lower-triangular and row-major (densities: y = L^-1 (z - mu) row by
    /// row, with nothing allocated per trial).
    inverse: Vec<f64>,
    /// ln det L = sum of ln L_ii.
    log_det: f64,
    defensive: f64,
    key: u64,
    /// The stages that fitted it.
    pub stages: Vec<Stage>,
}

impl Guide {
    /// The prior itself: z ~ N(0, I), importance ratio 1.
    pub fn prior(dims: usize) -> Self {
        let mut chol = vec![0.0; dims * dims];
        for i in 0..dims {
            chol[i * dims + i] = 1.0;
        }
        Guide {
            mean: vec![0.0; dims],
            inverse: chol.clone(),
            chol,
            log_det: 0.0,
            defensive: 1.0,
            key: stream_key(StreamKind::Guide, &[]),
            stages: Vec::new(),
        }
    }

    /// Dimension of the latent space.
    pub fn dims(&self) -> usize {
        self.mean.len()
    }

    /// Draws trial `trial`'s latent normals into `z` (its own stream) and returns
    /// ln phi(z) - ln q(z).
    pub fn draw(&self, seed: u64, trial: u64, z: &mut Vec<f64>) -> f64 {
        let d = self.dims();
        let mut rng = stream(seed, trial, self.key);
        let u: f64 = StandardUniform.sample(&mut rng);
        z.clear();
        z.extend((0..d).map(|_| -> f64 { rand_distr::StandardNormal.sample(&mut rng) }));
        if u >= self.defensive {
            // z = mu + L xi, from the last row up so that each xi_j is read before it is replaced.
            for i in (0..d).rev() {
                let row = &self.chol[i * d..i * d + i + 1];
                let lz: f64 = row.iter().zip(z.iter()).map(|(l, x)| l * x).sum();
                z[i] = self.mean[i] + lz;
            }
        }
        self.log_ratio(z)
    }

    /// ln phi(z) - ln q(z), the importance ratio of z against the prior.
    pub fn log_ratio(&self, z: &[f64]) -> f64 {
        if self.defensive >= 1.0 {
            return 0.0;
        }
        let prior = -0.5 * z.iter().map(|x| x * x).sum::<f64>();
        let fitted = self.fitted_log_density(z);
        let (a, b) = (
            self.defensive.ln() + prior,
            (1.0 - self.defensive).ln() + fitted,
        );
        let max = a.max(b);
        prior - (max + ((a - max).exp() + (b - max).exp()).ln())
    }

    /// ln of the fitted component's density at z, up to a constant: -|L^-1 (z - mu)|^2 / 2 -
    /// ln det L (the moves of [`super::smc`] are reversible with respect to this normal).
    pub fn fitted_log_density(&self, z: &[f64]) -> f64 {
        let d = self.dims();
        let squares: f64 = (0..d)
            .map(|i| {
                let row = &self.inverse[i * d..i * d + i + 1];
                let y: f64 = (row.iter().zip(z).zip(&self.mean))
                    .map(|((m, x), mu)| m * (x - mu))
                    .sum();
                y * y
            })
            .sum();
        -0.5 * squares - self.log_det
    }

    /// An autoregressive step around the fitted component: mu + rho (z - mu) + sqrt(1 - rho^2)
    /// L xi, into `out` (it leaves N(mu, L L^T) invariant).
    pub fn autoregressive(&self, z: &[f64], rho: f64, xi: &[f64], out: &mut Vec<f64>) {
        let d = self.dims();
        let s = (1.0 - rho * rho).sqrt();
        out.clear();
        out.extend((0..d).map(|i| {
            let row = &self.chol[i * d..i * d + i + 1];
            let lxi: f64 = row.iter().zip(xi).map(|(l, x)| l * x).sum();
            self.mean[i] + rho * (z[i] - self.mean[i]) + s * lxi
        }));
    }

    /// The guide fitted to weighted latent draws: their weighted mean and covariance within
    /// each block (draws of different blocks are independent in the guide), shrunk
    /// towards its diagonal by b / (b + ESS) for blocks of at most b draws, widened by [`VARIANCE_INFLATION`]). None when the
    /// weights are all zero.
    pub fn fit(
        zs: &[Vec<f64>],
        log_w: &[f64],
        blocks: &[usize],
        stages: Vec<Stage>,
    ) -> Option<Guide> {
        let d = zs.first()?.len();
        let w = normalised(log_w)?;
        let ess = 1.0 / w.iter().map(|x| x * x).sum::<f64>();
        let mut mean = vec![0.0; d];
        for (z, wi) in zs.iter().zip(&w) {
            for (m, x) in mean.iter_mut().zip(z) {
                *m += wi * x;
            }
        }
        let mut cov = vec![vec![0.0; d]; d];
        for (z, wi) in zs.iter().zip(&w) {
            for i in 0..d {
                let di = z[i] - mean[i];
                for j in (0..=i).filter(|j| blocks[*j] == blocks[i]) {
                    cov[i][j] += wi * di * (z[j] - mean[j]);
                }
            }
        }
        let largest_block = (blocks.iter())
            .map(|b| blocks.iter().filter(|c| *c == b).count())
            .max()
            .unwrap_or(d) as f64;
        let shrink = largest_block / (largest_block + ess);
        set_prior_like(&mut mean, &mut cov, ess);
        // A covariance too close to singular for its factor falls back to its diagonal.
        let (chol, log_det) = factor(&cov, shrink).or_else(|| factor(&cov, 1.0))?;
        Some(Guide {
            mean,
            inverse: lower_inverse(&chol, d),
            chol,
            log_det,
            defensive: DEFENSIVE_SHARE,
            key: stream_key(StreamKind::Guide, &[]),
            stages,
        })
    }
}

/// Marks the dims whose fitted mean and variance are within Monte Carlo error of the prior's
/// (0 and 1) and sets them to the prior: no fitting noise and no widening where the reports
/// say nothing.
fn set_prior_like(mean: &mut [f64], cov: &mut [Vec<f64>], ess: f64) {
    let k = PRIOR_LIKE_WITHIN;
    let d = mean.len();
    let marks: Vec<bool> = (0..d)
        .map(|i| mean[i].abs() < k / ess.sqrt() && (cov[i][i] - 1.0).abs() < k * (2.0 / ess).sqrt())
        .collect();
    for i in (0..d).filter(|i| marks[*i]) {
        mean[i] = 0.0;
        cov[i].fill(0.0);
        for row in cov.iter_mut() {
            row[i] = 0.0;
        }
        cov[i][i] = 1.0 / VARIANCE_INFLATION;
    }
}

/// The factor L of the covariance shrunk by `shrink` towards its diagonal and widened by
/// [`VARIANCE_INFLATION`] (row-major), and ln det L; None when it is not positive definite.
fn factor(cov: &[Vec<f64>], shrink: f64) -> Option<(Vec<f64>, f64)> {
    let d = cov.len();
    let mut a = vec![vec![0.0; d]; d];
    for i in 0..d {
        for j in 0..i {
            a[i][j] = cov[i][j] * (1.0 - shrink) * VARIANCE_INFLATION;
            a[j][i] = a[i][j];
        }
        a[i][i] = cov[i][i].max(1e-6) * VARIANCE_INFLATION;
    }
    let l = cholesky_semidefinite(&a)?;
    let mut chol = vec![0.0; d * d];
    let mut log_det = 0.0;
    for i in 0..d {
        if l[i][i] <= 0.0 || !l[i][i].is_finite() {
            return None;
        }
        chol[i * d..i * d + i + 1].copy_from_slice(&l[i][..=i]);
        log_det += l[i][i].ln();
    }
    Some((chol, log_det))
}

/// The inverse of a lower-triangular d x d matrix (row-major, non-zero diagonal), itself
/// lower-triangular: column by column, M_jj = 1 / L_jj and M_ij = -sum_k L_ik M_kj / L_ii.
fn lower_inverse(l: &[f64], d: usize) -> Vec<f64> {
    let mut m = vec![0.0; d * d];
    for j in 0..d {
        m[j * d + j] = 1.0 / l[j * d + j];
        for i in j + 1..d {
            let s: f64 = (j..i).map(|k| l[i * d + k] * m[k * d + j]).sum();
            m[i * d + j] = -s / l[i * d + i];
        }
    }
    m
}

/// exp(x - max) / sum: weights summing to 1 (None when every x is -infinity).
fn normalised(log_w: &[f64]) -> Option<Vec<f64>> {
    let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return None;
    }
    let w: Vec<f64> = log_w.iter().map(|x| (x - max).exp()).collect();
    let sum: f64 = w.iter().sum();
    Some(w.into_iter().map(|x| x / sum).collect())
}

/// Kish's effective sample size of log-weights: (sum w)^2 / sum w^2; 0 when all are -infinity.
pub fn ess(log_w: &[f64]) -> f64 {
    normalised(log_w).map_or(0.0, |w| 1.0 / w.iter().map(|x| x * x).sum::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lower_inverse_inverts() {
        let l = [2.0, 0.0, 0.0, 0.5, 1.5, 0.0, -1.0, 0.25, 3.0];
        let m = lower_inverse(&l, 3);
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| l[i * 3 + k] * m[k * 3 + j]).sum();
                assert!(
                    (p - f64::from(u8::from(i == j))).abs() < 1e-15,
                    "({i}, {j}): {p}"
                );
            }
        }
    }

    #[test]
    fn the_prior_guide_has_ratio_one_and_draws_standard_normals() {
        let g = Guide::prior(3);
        let mut z = Vec::new();
        assert_eq!(g.draw(7, 11, &mut z), 0.0);
        assert_eq!(z.len(), 3);
    }

    #[test]
    fn a_fitted_guide_has_the_mixture_density() {
        // One dimension: q = a N(0, 1) + (1 - a) N(2, 0.25 * 1.1), fitted to 200 points (two
        // would be within Monte Carlo error of the prior, which the fit then keeps).
        let zs: Vec<Vec<f64>> = (0..200).map(|i| vec![1.5 + f64::from(i % 2)]).collect();
        let g = Guide::fit(&zs, &[0.0; 200], &[0], Vec::new()).unwrap();
        let var = 0.25 * VARIANCE_INFLATION;
        let z: f64 = 0.7;
        let phi = |x: f64, m: f64, v: f64| {
            (-(x - m).powi(2) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()
        };
        let q = DEFENSIVE_SHARE * phi(z, 0.0, 1.0) + (1.0 - DEFENSIVE_SHARE) * phi(z, 2.0, var);
        let want = (phi(z, 0.0, 1.0) / q).ln();
        assert!((g.log_ratio(&[z]) - want).abs() < 1e-12);
        assert!(g.log_ratio(&[z]) <= -DEFENSIVE_SHARE.ln() + 1e-12);
    }

    #[test]
    fn guided_draws_have_unit_mean_ratio() {
        // E_q[phi / q] = 1 for any q: a check of draw and log_ratio together.
        let zs: Vec<Vec<f64>> = (0..50)
            .map(|i| vec![1.0 + 0.02 * i as f64, -0.5 + 0.01 * i as f64])
            .collect();
        let g = Guide::fit(&zs, &vec![0.0; zs.len()], &[0, 0], Vec::new()).unwrap();
        let n = 200_000;
        let mut z = Vec::new();
        let ratios: Vec<f64> = (0..n).map(|t| g.draw(3, t, &mut z).exp()).collect();
        let mean = ratios.iter().sum::<f64>() / n as f64;
        let sd = (ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        let se = sd / (n as f64).sqrt();
        assert!((mean - 1.0).abs() < 4.0 * se, "mean {mean} se {se}");
    }

    #[test]
    fn dims_the_weights_leave_at_the_prior_keep_it_exactly() {
        // Dim 0 moved far (mean 3); dim 1 within Monte Carlo error of N(0, 1): the guide keeps
        // N(0, 1) there, so the ratio does not depend on it.
        let zs: Vec<Vec<f64>> = (0..400)
            .map(|i| {
                let s = if i % 2 == 0 { 1.0 } else { -1.0 };
                vec![3.0 + 0.5 * s, s * (1.0 + 0.01 * f64::from(i % 3))]
            })
            .collect();
        let g = Guide::fit(&zs, &[0.0; 400], &[0, 0], Vec::new()).unwrap();
        assert_eq!(g.mean[1], 0.0);
        assert!(g.mean[0] > 2.9);
        let (a, b) = (g.log_ratio(&[3.0, 0.0]), g.log_ratio(&[3.0, 1.7]));
        // The ratio's dependence on dim 1 cancels in the fitted component; only the mixture's
        // weighting between components can move it, and at z0 = 3 the fitted one dominates.
        assert!((a - b).abs() < 1e-3, "{a} {b}");
    }

    #[test]
    fn autoregressive_steps_keep_the_fitted_normal() {
        // From draws of N(mu, s^2), a step of any rho gives N(mu, s^2) again: mean and variance
        // within 4 standard errors (variance's se: s^2 sqrt(2 / n)).
        let zs: Vec<Vec<f64>> = (0..200)
            .map(|i| vec![1.0 + 2.0 * f64::from(i % 2)])
            .collect();
        let g = Guide::fit(&zs, &[0.0; 200], &[0], Vec::new()).unwrap();
        let (mu, var) = (2.0, VARIANCE_INFLATION);
        let n = 100_000;
        let mut rng = stream(9, 0, 1);
        let mut out = Vec::new();
        let mut xs = Vec::with_capacity(n);
        for _ in 0..n {
            let a: f64 = rand_distr::StandardNormal.sample(&mut rng);
            let b: f64 = rand_distr::StandardNormal.sample(&mut rng);
            g.autoregressive(&[mu + var.sqrt() * a], 0.6, &[b], &mut out);
            xs.push(out[0]);
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - mu).abs() < 4.0 * (var / n as f64).sqrt(), "{mean}");
        assert!((v - var).abs() < 4.0 * var * (2.0 / n as f64).sqrt(), "{v}");
    }
}
