//! One Monte Carlo trial: the model's semantics in code, pure and without I/O (docs/model.md).

use crate::dist::Sampler;
use crate::grid::Grid;
use crate::scenario::{City, Project, Scenario};
use rand::SeedableRng;
use rand::distr::{Distribution, StandardUniform};
use rand_xoshiro::Xoshiro256PlusPlus;
use sha2::{Digest, Sha256};

/// Growth draws are kept above this (validation already makes lower draws practically impossible).
pub const MIN_GROWTH: f64 = -0.999_999;

/// A scenario compiled for fast repeated trials.
#[derive(Debug, Clone)]
pub struct Model {
    pub grid: Grid,
    cities: Vec<CityModel>,
}

/// Where a city's trial writes down what it sampled (for sensitivity analysis).
struct Record<'a> {
    inputs: &'a mut Vec<f64>,
    walk: &'a mut [f64],
}

#[derive(Debug, Clone)]
struct CityModel {
    name: String,
    baseline: Sampler,
    growth: Sampler,
    volatility: f64,
    stream_key: u64,
    projects: Vec<ProjectModel>,
}

#[derive(Debug, Clone)]
struct ProjectModel {
    name: String,
    capacity: Sampler,
    online: Sampler,
    probability: f64,
    ramp_years: Sampler,
    stream_key: u64,
}

/// Scratch space for one trial, reused across trials by a worker.
#[derive(Debug, Clone)]
pub struct TrialBuffer {
    /// Capacity in P, laid out series-major: `values[s * grid_len + k]`, cities then Total.
    pub values: Vec<f64>,
    /// The trial's sampled scalar inputs, in the order of [`Model::input_names`].
    pub inputs: Vec<f64>,
    /// Each city's cumulative log-capacity shock (the volatility walk) at every grid time,
    /// city-major: `shocks[c * grid_len + k]`.
    pub shocks: Vec<f64>,
}

impl Model {
    pub fn new(scenario: &Scenario) -> Self {
        Model {
            grid: scenario.grid.clone(),
            cities: scenario.cities.iter().map(CityModel::new).collect(),
        }
    }

    /// Number of series: every city plus the Total.
    pub fn series_count(&self) -> usize {
        self.cities.len() + 1
    }

    pub fn buffer(&self) -> TrialBuffer {
        TrialBuffer {
            values: vec![0.0; self.series_count() * self.grid.len()],
            inputs: Vec::with_capacity(self.input_names().len()),
            shocks: vec![0.0; self.cities.len() * self.grid.len()],
        }
    }

    /// Names of the scalar inputs a trial samples, after their place in the scenario file:
    /// "Beijing.growth", "Shenzhen.project[Qianhai].online". A project's "probability" input
    /// is 1 when the trial delivers it and 0 when not.
    pub fn input_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for c in &self.cities {
            names.push(format!("{}.baseline", c.name));
            names.push(format!("{}.growth", c.name));
            for p in &c.projects {
                for key in ["probability", "capacity", "online", "ramp_years"] {
                    names.push(format!("{}.project[{}].{key}", c.name, p.name));
                }
            }
        }
        names
    }

    /// Names of the cities in file order.
    pub fn city_names(&self) -> Vec<&str> {
        self.cities.iter().map(|c| c.name.as_str()).collect()
    }

    /// Runs trial number `trial` of the run seeded by `seed`, writing every series into `buf`.
    /// The result depends only on (model, seed, trial).
    pub fn run_trial(&self, seed: u64, trial: u64, buf: &mut TrialBuffer) {
        let len = self.grid.len();
        let (city_values, total) = buf.values.split_at_mut(self.cities.len() * len);
        total.fill(0.0);
        buf.inputs.clear();
        let shocks = buf.shocks.chunks_exact_mut(len);
        for ((city, out), walk) in self
            .cities
            .iter()
            .zip(city_values.chunks_exact_mut(len))
            .zip(shocks)
        {
            let record = Record {
                inputs: &mut buf.inputs,
                walk,
            };
            city.simulate(&self.grid, seed, trial, out, record);
            for (t, v) in total.iter_mut().zip(out.iter()) {
                *t += *v;
            }
        }
    }
}

impl CityModel {
    fn new(c: &City) -> Self {
        CityModel {
            name: c.name.clone(),
            baseline: c.baseline.sampler(),
            growth: c.growth.sampler(),
            volatility: c.volatility,
            stream_key: name_key(&c.name),
            projects: c
                .projects
                .iter()
                .map(|p| ProjectModel::new(p, &c.name))
                .collect(),
        }
    }

    /// Organic capacity on the grid, then each project's contribution added on top.
    fn simulate(&self, grid: &Grid, seed: u64, trial: u64, out: &mut [f64], record: Record) {
        let mut rng = stream(seed, trial, self.stream_key);
        let baseline = self.baseline.sample(&mut rng).max(0.0);
        let growth = self.growth.sample(&mut rng).max(MIN_GROWTH);
        record.inputs.extend([baseline, growth]);
        let dt = grid.dt();
        let drift_per_step = dt * growth.ln_1p();
        let shock_sd = self.volatility * dt.sqrt();
        let mut walk = 0.0;
        out[0] = baseline;
        for (k, v) in out.iter_mut().enumerate().skip(1) {
            if shock_sd > 0.0 {
                let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
                walk += shock_sd * z;
            }
            *v = baseline * (k as f64 * drift_per_step + walk).exp();
            record.walk[k] = walk;
        }
        for p in &self.projects {
            p.add_contribution(grid, seed, trial, out, record.inputs);
        }
    }
}

impl ProjectModel {
    fn new(p: &Project, city: &str) -> Self {
        ProjectModel {
            name: p.name.clone(),
            capacity: p.capacity.sampler(),
            online: p.online.sampler(),
            probability: p.probability,
            ramp_years: p.ramp_years.sampler(),
            stream_key: name_key(&format!("{city}\u{1f}{}", p.name)),
        }
    }

    /// Adds capacity * clamp((t - online) / ramp, 0, 1) when the project is delivered.
    /// Every draw is made whether or not it is delivered, so streams stay aligned.
    fn add_contribution(
        &self,
        grid: &Grid,
        seed: u64,
        trial: u64,
        out: &mut [f64],
        inputs: &mut Vec<f64>,
    ) {
        let mut rng = stream(seed, trial, self.stream_key);
        let u: f64 = StandardUniform.sample(&mut rng);
        let capacity = self.capacity.sample(&mut rng).max(0.0);
        let online = self.online.sample(&mut rng);
        let ramp = self.ramp_years.sample(&mut rng).max(0.0);
        let delivered = u < self.probability;
        inputs.extend([f64::from(u8::from(delivered)), capacity, online, ramp]);
        if !delivered {
            return;
        }
        for (k, v) in out.iter_mut().enumerate() {
            *v += capacity * ramp_fraction(grid.time(k) - online, ramp);
        }
    }
}

/// Share of full capacity reached `elapsed` years after coming online with a linear ramp.
pub fn ramp_fraction(elapsed: f64, ramp_years: f64) -> f64 {
    if elapsed < 0.0 {
        0.0
    } else if ramp_years <= 0.0 {
        1.0
    } else {
        (elapsed / ramp_years).min(1.0)
    }
}

/// The random stream of one (seed, trial, stream) triple. Streams are keyed by names, not
/// positions, so adding a city or project leaves the others' draws unchanged.
pub fn stream(seed: u64, trial: u64, key: u64) -> Xoshiro256PlusPlus {
    let base = splitmix64(seed ^ splitmix64(key));
    Xoshiro256PlusPlus::seed_from_u64(splitmix64(
        base.wrapping_add(trial.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
    ))
}

/// A stable 64-bit key of a name (the first 8 bytes of its SHA-256).
pub fn name_key(name: &str) -> u64 {
    let digest = Sha256::digest(name.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_is_linear_between_online_and_full() {
        assert_eq!(ramp_fraction(-0.1, 1.0), 0.0);
        assert_eq!(ramp_fraction(0.0, 0.0), 1.0);
        assert_eq!(ramp_fraction(0.25, 1.0), 0.25);
        assert_eq!(ramp_fraction(2.0, 1.0), 1.0);
    }

    #[test]
    fn streams_differ_by_trial_and_key() {
        use rand::Rng;
        let a = stream(1, 0, 7).next_u64();
        assert_eq!(a, stream(1, 0, 7).next_u64());
        assert_ne!(a, stream(1, 1, 7).next_u64());
        assert_ne!(a, stream(1, 0, 8).next_u64());
        assert_ne!(a, stream(2, 0, 7).next_u64());
    }
}
