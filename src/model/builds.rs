//! What is built on top of organic growth in one trial: each project's ramp (delivered or not).
//! The power cap that holds a city's capacity below what its power supports is in `power`.

use super::latent::{Latent, Steered};
use super::risk::{self, ramp_fraction};
use super::streams::{StreamKind, stream, stream_key};
use crate::scenario::Project;
use crate::scenario::grid::Grid;

/// The grid values, the probes' times and the values at them that a contribution adds to.
pub(super) type Targets<'a> = (&'a mut [f64], &'a [f64], &'a mut [f64]);

#[derive(Debug, Clone)]
pub(super) struct ProjectModel {
    pub(super) name: String,
    pub(super) delivery: Steered,
    pub(super) capacity: Steered,
    pub(super) online: Steered,
    pub(super) probability: f64,
    pub(super) ramp_years: Steered,
    /// Delay after the online date (docs/model.md, "Slips"); None: no slip.
    pub(super) slip: Option<Steered>,
    pub(super) stream_key: u64,
}

impl ProjectModel {
    pub(super) fn new(p: &Project, city: &str) -> Self {
        ProjectModel {
            name: p.name.clone(),
            delivery: Steered::unit_uniform(),
            capacity: Steered::new(&p.capacity),
            online: Steered::new(&p.online),
            probability: p.probability,
            ramp_years: Steered::new(&p.ramp_years),
            slip: p.slip.as_ref().map(Steered::new),
            stream_key: stream_key(StreamKind::Project, &[city, &p.name]),
        }
    }

    /// Adds capacity * clamp((t - online - slip) / ramp, 0, 1) when the project is delivered.
    /// Every draw is made whether or not it is delivered, so streams stay aligned.
    /// With a lifetime, each slice of the ramp retires that many years after it came online.
    /// `gross` (empty, or one per grid time) gains each step's gross addition, the ramp's.
    pub(super) fn add_contribution(
        &self,
        grid: &Grid,
        (seed, trial): (u64, u64),
        lifetime: Option<f64>,
        ((out, probe_times, at_probes), gross): (Targets, &mut [f64]),
        (inputs, latent): (&mut Vec<f64>, &mut Latent),
    ) {
        let mut rng = stream(seed, trial, self.stream_key);
        let u = self.delivery.draw(&mut rng, latent);
        let capacity = self.capacity.draw(&mut rng, latent).max(0.0);
        let online = self.online.draw(&mut rng, latent);
        let ramp = self.ramp_years.draw(&mut rng, latent).max(0.0);
        let delivered = u < self.probability;
        inputs.extend([f64::from(u8::from(delivered)), capacity, online, ramp]);
        // The slip is drawn last, so a project without one keeps every draw it had.
        let slip = self
            .slip
            .as_ref()
            .map(|s| s.draw(&mut rng, latent).max(0.0));
        inputs.extend(slip);
        let online = online + slip.unwrap_or(0.0);
        if !delivered {
            return;
        }
        let share = |t: f64| match lifetime {
            None => ramp_fraction(t - online, ramp),
            Some(life) => risk::surviving_fraction(t - online, ramp, life),
        };
        for (k, v) in out.iter_mut().enumerate() {
            *v += capacity * share(grid.time(k));
        }
        for (t, v) in probe_times.iter().zip(at_probes.iter_mut()) {
            *v += capacity * share(*t);
        }
        let mut before = 0.0;
        for (k, g) in gross.iter_mut().enumerate() {
            let now = ramp_fraction(grid.time(k) - online, ramp);
            *g += capacity * (now - before);
            before = now;
        }
    }
}
