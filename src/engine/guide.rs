//! The guided sampler of conditioning: adaptive importance sampling in the latent space of the
//! once-per-trial inputs, with tempering (docs/model.md, "Guided conditioning").
//!
//! Why: weighting trials drawn from the prior collapses when the reports are many or lie in a
//! tail (the national scenario's fourteen reports leave one effective trial in 200,000). Here a
//! guide q(z) draws the latent normals z that steer each trial's inputs
//! ([`crate::model::latent`]): a defensive mixture q = a N(0, I) + (1 - a) N(mu, L L^T) (Hesterberg
//! 1995), so that the importance ratio phi(z) / q(z) is at most 1 / a. Its mean and covariance
//! are fitted by stages of [`PILOT`] trials: each stage draws from the current guide, picks the
//! largest temperature b <= 1 at which the weights phi(z) L(x)^b / q(z) keep an effective sample
//! size of half the stage, and fits the next guide to those weights; it stops once the fit at b =
//! 1 had that effective size. The run then weighs trial i by phi(z_i) L(x_i) / q(z_i): exact
//! importance sampling whatever the guide, so a poor guide costs effective trials, never bias.
//!
//! Deterministic: every stage runs on seeds derived from the run's seed and trial numbers,
//! sums in trial order, and each shard fits the same guide.

use crate::model::latent::Latent;
use crate::model::streams::{StreamKind, stream, stream_key};
use crate::model::{Model, TrialBuffer};
use crate::scenario::correlation::cholesky_semidefinite;
use rand::distr::{Distribution, StandardUniform};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Trials per adaptation stage at first.
pub const PILOT: u64 = 4096;
/// A stage draws more trials (doubling) until its weights' reachable effective size is at
/// least this, so that each fit rests on enough trials (up to [`MAX_STAGE_TRIALS`]).
pub const MIN_REACHABLE_ESS: f64 = 2048.0;
/// Most trials of one stage.
pub const MAX_STAGE_TRIALS: u64 = 65_536;
/// Share a of each trial's draws from the prior itself (the defensive component).
pub const DEFENSIVE_SHARE: f64 = 0.2;
/// Effective share of a stage that its temperature keeps.
pub const STAGE_ESS_SHARE: f64 = 0.5;
/// Most adaptation stages.
pub const MAX_STAGES: usize = 20;
/// Factor on the fitted covariance (slightly wider than the fit: robust to its error).
pub const VARIANCE_INFLATION: f64 = 1.1;
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
        let d = self.dims();
        let prior = -0.5 * z.iter().map(|x| x * x).sum::<f64>();
        // |y|^2 for y = L^-1 (z - mu), one row of the inverse at a time.
        let squares: f64 = (0..d)
            .map(|i| {
                let row = &self.inverse[i * d..i * d + i + 1];
                let y: f64 = (row.iter().zip(z).zip(&self.mean))
                    .map(|((m, x), mu)| m * (x - mu))
                    .sum();
                y * y
            })
            .sum();
        let fitted = -0.5 * squares - self.log_det;
        let (a, b) = (
            self.defensive.ln() + prior,
            (1.0 - self.defensive).ln() + fitted,
        );
        let max = a.max(b);
        prior - (max + ((a - max).exp() + (b - max).exp()).ln())
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

/// b ln L, with 0 at b = 0 even for an impossible trial (the prior ignores the reports).
fn tempered(log_likelihood: f64, temperature: f64) -> f64 {
    if temperature == 0.0 {
        0.0
    } else {
        temperature * log_likelihood
    }
}

/// One stage's draws: latent normals, log-likelihood and importance ratio per trial.
struct StageDraws {
    z: Vec<Vec<f64>>,
    log_likelihood: Vec<f64>,
    log_ratio: Vec<f64>,
}

impl StageDraws {
    fn log_weights(&self, temperature: f64) -> Vec<f64> {
        (self.log_likelihood.iter().zip(&self.log_ratio))
            .map(|(l, r)| tempered(*l, temperature) + r)
            .collect()
    }

    /// The effective size of the weights just above temperature `from`: what the stage can
    /// keep at best (trials impossible under a report with error 0 weigh nothing at any
    /// positive temperature).
    fn reachable_ess(&self, from: f64) -> f64 {
        ess(&self.log_weights(from.max(f64::MIN_POSITIVE)))
    }

    /// The largest temperature in [from, 1] whose weights keep [`STAGE_ESS_SHARE`] of the
    /// reachable effective size (bisection).
    fn next_temperature(&self, from: f64) -> f64 {
        let floor = STAGE_ESS_SHARE * self.reachable_ess(from);
        let enough = |t: f64| ess(&self.log_weights(t)) >= floor;
        if enough(1.0) {
            return 1.0;
        }
        let (mut lo, mut hi) = (from, 1.0);
        for _ in 0..50 {
            let mid = 0.5 * (lo + hi);
            if enough(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// Runs trials `trials` of the model on `seed`, their latents drawn from `guide`, in parallel
/// (collected in trial order: the same for any number of threads), after `out`'s.
fn draw_stage(
    model: &Model,
    (seed, trials): (u64, std::ops::Range<u64>),
    guide: &Guide,
    log_likelihood: &(dyn Fn(&TrialBuffer) -> f64 + Sync),
    out: &mut StageDraws,
) {
    let rows: Vec<(Vec<f64>, f64, f64)> = trials
        .into_par_iter()
        .map_init(
            || model.buffer(),
            |buf, trial| {
                let mut z = Vec::with_capacity(guide.dims());
                let r = guide.draw(seed, trial, &mut z);
                model.run_trial_steered(seed, trial, &mut Latent::guided(&z), buf);
                let l = log_likelihood(buf);
                (z, l, r)
            },
        )
        .collect();
    for (z, l, r) in rows {
        out.z.push(z);
        out.log_likelihood.push(l);
        out.log_ratio.push(r);
    }
}

/// Fits a guide to the posterior of the latents given `log_likelihood`, by tempered stages
/// from the prior (module docs), within a budget of trials (half the run's, at least 16
/// stages' first draws). None when the model has no steered input, no stage found a trial
/// consistent with the reports, or the stages did not reach temperature 1 within the budget.
pub fn adapt(
    model: &Model,
    (seed, run_trials): (u64, u64),
    log_likelihood: &(dyn Fn(&TrialBuffer) -> f64 + Sync),
) -> Option<Guide> {
    // The stages together run at most half the run's trials (at least 16 stages' first draws).
    let budget = (run_trials / 2).max(16 * PILOT);
    let mut spent = 0;
    let dims = model.latent_dims();
    if dims == 0 {
        return None;
    }
    let mut guide = Guide::prior(dims);
    let mut temperature = 0.0;
    let mut stages = Vec::new();
    for stage in 0..MAX_STAGES {
        let stage_seed = stream_key(
            StreamKind::GuideStage,
            &[&seed.to_string(), &stage.to_string()],
        );
        let mut draws = StageDraws {
            z: Vec::new(),
            log_likelihood: Vec::new(),
            log_ratio: Vec::new(),
        };
        let mut n = 0;
        while n == 0
            || (n < MAX_STAGE_TRIALS
                && spent + n < budget
                && draws.reachable_ess(temperature) < MIN_REACHABLE_ESS)
        {
            let more = n.max(PILOT);
            draw_stage(
                model,
                (stage_seed, n..n + more),
                &guide,
                log_likelihood,
                &mut draws,
            );
            n += more;
        }
        spent += n;
        let next = draws.next_temperature(temperature);
        let log_w = draws.log_weights(next);
        let effective = ess(&log_w);
        stages.push(Stage {
            temperature: next,
            ess: effective,
        });
        let reachable = draws.reachable_ess(temperature);
        let converged = next == 1.0 && effective >= STAGE_ESS_SHARE * reachable;
        guide = Guide::fit(&draws.z, &log_w, model.latent_blocks(), stages.clone())?;
        temperature = next;
        if converged {
            return Some(guide);
        }
        if spent >= budget {
            break;
        }
    }
    // Not fitted to the reports themselves (temperature 1) within the budget: not used.
    None
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
        // One dimension: q = a N(0, 1) + (1 - a) N(2, 0.25 * 1.1).
        let zs: Vec<Vec<f64>> = [1.5, 2.5].iter().map(|x| vec![*x]).collect();
        let g = Guide::fit(&zs, &[0.0, 0.0], &[0], Vec::new()).unwrap();
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
}
