//! Fitting the guide of conditioning by sequential Monte Carlo: tempering with resampling and
//! moves (docs/model.md, "Guided conditioning").
//!
//! A population of [`PARTICLES`] trials starts from the prior. At each stage the likelihood's
//! temperature rises as far as keeps half the population's effective size, the population is
//! resampled to those weights and every particle takes [`MOVES`] Metropolis-Hastings steps
//! whose proposal is an autoregressive step around a normal fitted to the population (reversible
//! with respect to that normal, so its density enters the acceptance ratio; its step adapts to
//! the acceptance rate). Moves keep the population diverse, so fourteen reports, each keeping a
//! fraction of the trials, no longer multiply into one effective trial as weighting alone does.
//! At temperature 1 the guide is fitted to the population; the run itself then draws every
//! trial from the guide and weighs it by phi(z) L(x) / q(z): exact importance sampling whatever
//! the population, so each trial stays a pure function of (seed, trial).
//!
//! A particle is a trial of its own (its number fixes every draw a guide does not steer) and
//! its latent normals z; moves change z only. Deterministic: every draw comes from a stream
//! keyed by the run's seed, the stage and the particle, populations are kept in particle order
//! and sums are of integers or in that order, so any number of threads gives the same guide.

use super::guide::{self, Guide, Stage};
use crate::model::latent::Latent;
use crate::model::streams::{StreamKind, stream, stream_key};
use crate::model::{Model, TrialBuffer};
use rand::distr::{Distribution, StandardUniform};
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Particles of the population.
pub const PARTICLES: usize = 4096;
/// Metropolis-Hastings moves per particle and stage.
pub const MOVES: usize = 4;
/// Effective share of the population that each rise in temperature keeps.
pub const STAGE_ESS_SHARE: f64 = 0.5;
/// Most stages.
pub const MAX_STAGES: usize = 60;
/// The adaptation runs at most this many trials, or the run's own count if larger.
pub const BUDGET_FLOOR: u64 = 1 << 20;
/// The proposal's step shrinks below this acceptance rate and grows above the next.
const ACCEPTANCE: (f64, f64) = (0.15, 0.45);

/// The log-likelihood of all the reports in a trial.
pub type LogLikelihood<'a> = &'a (dyn Fn(&TrialBuffer) -> f64 + Sync);

/// The particles: each one's trial number (of `seed`), latent normals and log-likelihood.
struct Population {
    seed: u64,
    trial: Vec<u64>,
    z: Vec<Vec<f64>>,
    log_likelihood: Vec<f64>,
}

/// Fits a guide to the posterior of the latents given `log_likelihood` (module docs). None when
/// the model has no steered input, no particle is consistent with the reports, or temperature
/// 1 was not reached within the budget.
pub fn adapt(
    model: &Model,
    (seed, run_trials): (u64, u64),
    log_likelihood: LogLikelihood,
) -> Option<Guide> {
    let dims = model.latent_dims();
    if dims == 0 {
        return None;
    }
    let key = |what: &str, stage: usize| {
        let (seed, stage) = (seed.to_string(), stage.to_string());
        stream_key(StreamKind::GuideStage, &[&seed, what, &stage])
    };
    let budget = run_trials.max(BUDGET_FLOOR);
    let mut pop = initial(model, key("trials", 0), dims, log_likelihood);
    let mut spent = PARTICLES as u64;
    let (mut temperature, mut rho, mut stages) = (0.0, 0.5, Vec::new());
    for stage in 0..MAX_STAGES {
        let next = next_temperature(&pop.log_likelihood, temperature);
        let log_w = increments(&pop.log_likelihood, temperature, next);
        let ess = guide::ess(&log_w);
        if ess == 0.0 {
            return None;
        }
        stages.push(Stage {
            temperature: next,
            ess,
        });
        pop = resample(pop, &log_w, key("resample", stage));
        let fitted = Guide::fit(
            &pop.z,
            &vec![0.0; PARTICLES],
            model.latent_blocks(),
            Vec::new(),
        )?;
        let moves = (model, log_likelihood, key("move", stage));
        let accepted = move_population(&mut pop, &fitted, (next, rho), moves);
        spent += (PARTICLES * MOVES) as u64;
        rho = adjusted_step(rho, accepted as f64 / (PARTICLES * MOVES) as f64);
        temperature = next;
        if temperature == 1.0 {
            return Guide::fit(&pop.z, &vec![0.0; PARTICLES], model.latent_blocks(), stages);
        }
        if spent >= budget {
            break;
        }
    }
    None
}

/// The first population: trials 0.. of their own seed, latents from the prior.
fn initial(model: &Model, seed: u64, dims: usize, log_likelihood: LogLikelihood) -> Population {
    let prior = Guide::prior(dims);
    let rows: Vec<(Vec<f64>, f64)> = (0..PARTICLES as u64)
        .into_par_iter()
        .map_init(
            || model.buffer(),
            |buf, trial| {
                let mut z = Vec::with_capacity(dims);
                prior.draw(seed, trial, &mut z);
                model.run_trial_steered(seed, trial, &mut Latent::guided(&z), buf);
                (z, log_likelihood(buf))
            },
        )
        .collect();
    let (z, log_likelihood) = rows.into_iter().unzip();
    Population {
        seed,
        trial: (0..PARTICLES as u64).collect(),
        z,
        log_likelihood,
    }
}

/// b ln L - a ln L for a rise in temperature from a to b; -infinity for an impossible trial.
fn increments(log_likelihood: &[f64], from: f64, to: f64) -> Vec<f64> {
    log_likelihood
        .iter()
        .map(|l| {
            if l.is_finite() {
                (to - from) * l
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect()
}

/// The largest temperature in (from, 1] whose weights keep [`STAGE_ESS_SHARE`] of the effective
/// size reachable just above `from` (bisection).
fn next_temperature(log_likelihood: &[f64], from: f64) -> f64 {
    let ess = |to: f64| guide::ess(&increments(log_likelihood, from, to));
    let floor = STAGE_ESS_SHARE * ess(from + f64::EPSILON);
    if ess(1.0) >= floor {
        return 1.0;
    }
    let (mut lo, mut hi) = (from, 1.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if ess(mid) >= floor {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo.max(from + f64::EPSILON)
}

/// Systematic resampling to the weights exp(log_w) (one uniform from the stage's stream).
fn resample(pop: Population, log_w: &[f64], key: u64) -> Population {
    let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_w.iter().map(|x| (x - max).exp()).collect();
    let total: f64 = w.iter().sum();
    let u: f64 = StandardUniform.sample(&mut stream(key, 0, 0));
    let n = PARTICLES as f64;
    let (mut picks, mut cumulative, mut source) = (Vec::with_capacity(PARTICLES), 0.0, 0);
    for k in 0..PARTICLES {
        let point = (k as f64 + u) / n * total;
        while source + 1 < w.len() && cumulative + w[source] <= point {
            cumulative += w[source];
            source += 1;
        }
        picks.push(source);
    }
    Population {
        seed: pop.seed,
        trial: picks.iter().map(|i| pop.trial[*i]).collect(),
        z: picks.iter().map(|i| pop.z[*i].clone()).collect(),
        log_likelihood: picks.iter().map(|i| pop.log_likelihood[*i]).collect(),
    }
}

/// [`MOVES`] Metropolis-Hastings steps per particle at `temperature`, proposing
/// [`Guide::autoregressive`] steps of coefficient `rho`; returns how many were accepted.
fn move_population(
    pop: &mut Population,
    fitted: &Guide,
    (temperature, rho): (f64, f64),
    (model, log_likelihood, key): (&Model, LogLikelihood, u64),
) -> usize {
    let (seed, trials) = (pop.seed, &pop.trial);
    // ln of the tempered target over the proposal's invariant normal (the acceptance ratio's
    // terms), kept for the current state so that each move computes it once, for the proposal.
    let log_target = |z: &[f64], l: f64| {
        temperature * l - 0.5 * z.iter().map(|x| x * x).sum::<f64>() - fitted.fitted_log_density(z)
    };
    (pop.z.par_iter_mut().zip(pop.log_likelihood.par_iter_mut()))
        .enumerate()
        .map_init(
            || (model.buffer(), Vec::new(), Vec::new()),
            |(buf, xi, proposed), (i, (z, l))| {
                let mut rng = stream(key, i as u64, 0);
                let (mut accepted, mut current) = (0, log_target(z, *l));
                for _ in 0..MOVES {
                    xi.clear();
                    xi.extend((0..z.len()).map(|_| -> f64 { StandardNormal.sample(&mut rng) }));
                    fitted.autoregressive(z, rho, xi, proposed);
                    let u: f64 = StandardUniform.sample(&mut rng);
                    model.run_trial_steered(seed, trials[i], &mut Latent::guided(proposed), buf);
                    let l_new = log_likelihood(buf);
                    if !l_new.is_finite() {
                        continue;
                    }
                    let target = log_target(proposed, l_new);
                    if u.ln() < target - current {
                        std::mem::swap(z, proposed);
                        (*l, current) = (l_new, target);
                        accepted += 1;
                    }
                }
                accepted
            },
        )
        .sum()
}

/// The next step's coefficient: closer to 1 (smaller steps) when few moves were accepted,
/// closer to 0 (bolder) when many were.
fn adjusted_step(rho: f64, acceptance: f64) -> f64 {
    if acceptance < ACCEPTANCE.0 {
        1.0 - 0.5 * (1.0 - rho)
    } else if acceptance > ACCEPTANCE.1 {
        (1.0 - 2.0 * (1.0 - rho)).max(0.0)
    } else {
        rho
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population(log_likelihood: Vec<f64>) -> Population {
        Population {
            seed: 1,
            trial: (0..log_likelihood.len() as u64).collect(),
            z: (0..log_likelihood.len()).map(|i| vec![i as f64]).collect(),
            log_likelihood,
        }
    }

    #[test]
    fn systematic_resampling_keeps_each_particle_within_one_of_its_share() {
        // Weights proportional to 1..=8 over PARTICLES slots: particle i gets n w_i, +-1.
        let log_w: Vec<f64> = (1..=8).map(|i| f64::from(i).ln()).collect();
        let ll = vec![0.0; PARTICLES];
        let mut padded = log_w.clone();
        padded.resize(PARTICLES, f64::NEG_INFINITY);
        let pop = resample(population(ll), &padded, 5);
        for (i, w) in (1..=8).enumerate() {
            let count = pop.trial.iter().filter(|t| **t == i as u64).count() as f64;
            let share = PARTICLES as f64 * f64::from(w) / 36.0;
            assert!(
                (count - share).abs() <= 1.0,
                "particle {i}: {count} vs {share}"
            );
        }
        assert_eq!(pop.trial.len(), PARTICLES);
    }

    #[test]
    fn the_next_temperature_keeps_half_the_effective_size() {
        // Normal log-likelihoods: ESS at temperature b is n / E[exp(b^2 var)] roughly; whatever
        // its value, the chosen temperature must keep half the reachable size and no more.
        let ll: Vec<f64> = (0..2000)
            .map(|i| -0.5 * (f64::from(i) / 100.0).powi(2))
            .collect();
        let b = next_temperature(&ll, 0.0);
        assert!(b > 0.0 && b < 1.0, "{b}");
        let reachable = guide::ess(&increments(&ll, 0.0, f64::EPSILON));
        let kept = guide::ess(&increments(&ll, 0.0, b));
        assert!(
            (kept / reachable - STAGE_ESS_SHARE).abs() < 1e-6,
            "{kept} of {reachable}"
        );
        // An impossible trial weighs nothing at any positive temperature and counts in no ESS.
        let mut with_impossible = ll.clone();
        with_impossible.push(f64::NEG_INFINITY);
        let reachable_after = guide::ess(&increments(&with_impossible, 0.0, f64::EPSILON));
        assert!((reachable_after - reachable).abs() < 1e-6);
        // Flat likelihoods go straight to 1.
        assert_eq!(next_temperature(&[0.0; 10], 0.3), 1.0);
    }

    #[test]
    fn the_step_shrinks_when_few_moves_are_accepted_and_grows_when_many_are() {
        assert_eq!(adjusted_step(0.5, 0.05), 0.75);
        assert_eq!(adjusted_step(0.5, 0.3), 0.5);
        assert_eq!(adjusted_step(0.5, 0.6), 0.0);
        assert_eq!(adjusted_step(0.9, 0.6), 0.8);
    }
}
