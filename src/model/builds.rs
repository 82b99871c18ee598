//! What is built on top of organic growth in one trial: each project's ramp (delivered or not)
//! and the power cap that holds a city's capacity below what its power supports.

use super::fastexp;
use super::latent::{Latent, Steered};
use super::risk::{self, MIN_GROWTH, ramp_fraction};
use super::streams::{StreamKind, stream, stream_key};
use crate::scenario::Project;
use crate::scenario::grid::Grid;

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

#[derive(Debug, Clone)]
pub(super) struct PowerModel {
    /// mw * p_per_mw: the cap at the start, P.
    pub(super) start_cap: f64,
    pub(super) mw_growth: Steered,
    pub(super) log_efficiency_growth: f64,
    pub(super) stream_key: u64,
}

impl PowerModel {
    /// Holds `out` at or below cap(t) and records where it binds; returns the trial's MW growth.
    pub(super) fn apply(
        &self,
        grid: &Grid,
        (seed, trial, latent): (u64, u64, &mut Latent),
        (out, binds): (&mut [f64], &mut [bool]),
        (probe_times, at_probes): (&[f64], &mut [f64]),
    ) -> f64 {
        let mut rng = stream(seed, trial, self.stream_key);
        let mw_growth = self.mw_growth.draw(&mut rng, latent).max(MIN_GROWTH);
        let log_rate = mw_growth.ln_1p() + self.log_efficiency_growth;
        let spy = f64::from(grid.steps_per_year);
        for (k, (v, b)) in out.iter_mut().zip(binds.iter_mut()).enumerate() {
            let cap = self.start_cap * fastexp::exp(k as f64 / spy * log_rate);
            *b = *v > cap;
            if *b {
                *v = cap;
            }
        }
        for (t, v) in probe_times.iter().zip(at_probes.iter_mut()) {
            let cap = self.start_cap * fastexp::exp((t - grid.start) * log_rate);
            *v = v.min(cap);
        }
        mw_growth
    }
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
    pub(super) fn add_contribution(
        &self,
        grid: &Grid,
        (seed, trial): (u64, u64),
        lifetime: Option<f64>,
        (out, probe_times, at_probes): (&mut [f64], &[f64], &mut [f64]),
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
    }
}
