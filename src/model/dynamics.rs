//! Growth that moves (docs/model.md, "Growth that moves"): Ornstein-Uhlenbeck processes of log
//! growth in their exact discretisation, the national factor every city shares and the shared
//! part of each city's per-step shock, drawn once per trial on scenario-wide streams.

use super::latent::Latent;
use super::path_normals::{PathNormals, PathStreams};
use super::streams::{StreamKind, stream, stream_key};
use crate::scenario::Dynamics;
use crate::scenario::dist::standard_normal_cdf;
use rand::distr::Distribution;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// An Ornstein-Uhlenbeck process dY = -Y dt / tau + sigma dW observed every dt years, exactly:
/// Y_k = phi Y_k-1 + c e_k with phi = exp(-dt / tau), c = sigma sqrt((1 - phi^2) tau / 2) and
/// e_k of mean 0 and variance 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ou {
    /// exp(-dt / tau): the share of the deviation left after one step.
    pub phi: f64,
    /// sd of the step's innovation, c.
    pub innovation_sd: f64,
}

impl Ou {
    /// The process of annual volatility `sigma` and mean-reversion time `tau` (years) on steps
    /// of `dt` years.
    pub fn new(sigma: f64, tau: f64, dt: f64) -> Self {
        let phi = (-dt / tau).exp();
        Ou {
            phi,
            innovation_sd: sigma * ((1.0 - phi * phi) * tau / 2.0).sqrt(),
        }
    }

    /// Y_k from Y_k-1 and the innovation e_k.
    #[inline]
    pub fn step(&self, previous: f64, innovation: f64) -> f64 {
        self.phi * previous + self.innovation_sd * innovation
    }
}

/// The scenario-wide draws of [`Dynamics`], compiled for a grid.
#[derive(Debug, Clone)]
pub struct NationalModel {
    ou: Ou,
    /// Student-t innovations (scaled to variance 1) and their scale, when heavy-tailed.
    tails: Option<(StudentsT, f64)>,
    /// sqrt(shared_shock) and sqrt(1 - shared_shock): a city's step shock is
    /// shared_sd u_k + own_sd z_k.
    pub shared_sd: f64,
    /// sqrt(1 - shared_shock).
    pub own_sd: f64,
    growth_key: u64,
    shock_key: u64,
    /// The path streams ([`PathStreams`]) of the national factor (normal innovations only)
    /// and of the shared shocks, when they draw.
    growth_path: Option<usize>,
    shock_path: Option<usize>,
}

impl NationalModel {
    /// The national factor and shared shocks of `d` on steps of `dt` years.
    pub fn new(d: &Dynamics, dt: f64) -> Self {
        let tails = d.national_tails_df.map(|df| {
            let t = StudentsT::new(0.0, 1.0, df).unwrap_or_else(|_| unreachable!("df > 2"));
            (t, ((df - 2.0) / df).sqrt())
        });
        NationalModel {
            ou: Ou::new(d.national_volatility, d.national_reversion_years, dt),
            tails,
            shared_sd: d.shared_shock.sqrt(),
            own_sd: (1.0 - d.shared_shock).sqrt(),
            growth_key: stream_key(StreamKind::National, &["growth"]),
            shock_key: stream_key(StreamKind::National, &["shock"]),
            growth_path: None,
            shock_path: None,
        }
    }

    /// Registers the path streams this model draws from (those with an effect): the national
    /// factor's when its innovations are normal (Student-t ones stay on a xoshiro stream), the
    /// shared shocks'.
    pub fn add_path_streams(&mut self, streams: &mut PathStreams) {
        if self.ou.innovation_sd > 0.0 && self.tails.is_none() {
            self.growth_path = Some(streams.add(self.growth_key));
        }
        if self.shared_sd > 0.0 {
            self.shock_path = Some(streams.add(self.shock_key));
        }
    }

    /// Draws the national factor n_k (annual log growth, `national[k]`, 0 at k = 0) and the
    /// shared normals u_k (`shared[k]`) of one trial; each stream draws one value per step, in
    /// step order. The values of the first `steered` steps are steered by `latent` (a normal
    /// z, or the Student-t quantile at Φ(z)). A part with no effect draws nothing.
    pub fn draw(
        &self,
        ((seed, trial, steered), path): ((u64, u64, usize), &PathNormals),
        (national, shared): (&mut [f64], &mut [f64]),
        latent: &mut Latent,
    ) {
        national.fill(0.0);
        shared.fill(0.0);
        if self.ou.innovation_sd > 0.0 {
            // Student-t innovations draw from their xoshiro stream, normal ones from the path's.
            let mut tails =
                (self.tails.as_ref()).map(|t| (t, stream(seed, trial, self.growth_key)));
            let normals = self.growth_path.map_or(&[][..], |s| path.stream(s));
            let mut n = 0.0;
            for (k, v) in national.iter_mut().enumerate().skip(1) {
                let e = match &mut tails {
                    None => {
                        let z = normals[k - 1];
                        if k <= steered { latent.normal(z) } else { z }
                    }
                    Some(((t, scale), rng)) => {
                        let drawn = t.sample(rng);
                        let steered = if k <= steered { latent.take() } else { None };
                        scale * steered.map_or(drawn, |z| t.inverse_cdf(standard_normal_cdf(z)))
                    }
                };
                n = self.ou.step(n, e);
                *v = n;
            }
        }
        if let Some(s) = self.shock_path {
            let normals = path.stream(s);
            for (k, u) in shared.iter_mut().enumerate().skip(1) {
                let z = normals[k - 1];
                *u = if k <= steered { latent.normal(z) } else { z };
            }
        }
    }
}

/// Variance of dt (Y_1 + ... + Y_K) for the process `ou` started at Y_0 = 0: the integrated
/// log growth over K steps, dt^2 c^2 sum over j of ((1 - phi^(K - j + 1)) / (1 - phi))^2.
pub fn integrated_variance(ou: &Ou, dt: f64, steps: usize) -> f64 {
    let c = ou.innovation_sd;
    let sum: f64 = (1..=steps)
        .map(|j| {
            let left = ou.phi.powi((steps - j + 1) as i32);
            let weight = if ou.phi < 1.0 {
                (1.0 - left) / (1.0 - ou.phi)
            } else {
                (steps - j + 1) as f64
            };
            weight * weight
        })
        .sum();
    dt * dt * c * c * sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_steps_match_the_continuous_process() {
        // Stationary variance sigma^2 tau / 2 is kept by the exact step: c^2 / (1 - phi^2).
        let ou = Ou::new(0.4, 2.0, 0.25);
        let stationary = ou.innovation_sd.powi(2) / (1.0 - ou.phi * ou.phi);
        assert!((stationary - 0.16).abs() < 1e-12, "{stationary}");
        // Over a long horizon the integrated variance grows like (sigma tau)^2 per year.
        let (dt, steps) = (0.25, 4_000);
        let v = integrated_variance(&ou, dt, steps);
        let t = dt * steps as f64;
        let continuous = 0.16 * 4.0 * (t - 2.0 * 2.0 + 2.0 * 0.5);
        assert!((v / continuous - 1.0).abs() < 0.01, "{v} vs {continuous}");
    }
}
