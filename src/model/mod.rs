//! One Monte Carlo trial: the model's semantics in code, pure and without I/O (docs/model.md).
//! May import `scenario` and the leaves.
//!
//! Inside, imports flow one way: [`streams`], [`fastexp`], [`risk`] and [`copula`] are leaves of
//! this folder; [`philox`] (the generator) and [`ieee`] (its uniforms and `ln`, on fastexp's
//! polynomial) under [`ziggurat`] (the normal sampler) under [`lanes`] make the draws of trials
//! in lanes, from which [`path_normals`] draws each trial's step normals; [`beta`] (PERT) and
//! [`sampler`] (every other scalar draw) use the same ziggurat, `ln` and `exp`; `city` builds
//! one city's path, with `builds` (projects), `unannounced` (builds nobody announced) and
//! `power` (the cap by vintage); `inputs` names what a trial records; this file holds the
//! compiled [`Model`], the shared draws of a trial and the Total.

pub mod beta;
mod builds;
mod city;
pub mod copula;
pub mod dynamics;
pub mod fastexp;
pub mod ieee;
mod inputs;
pub mod lanes;
pub mod latent;
pub mod observe;
pub mod path_normals;
pub mod philox;
mod power;
pub mod probes;
pub mod risk;
pub mod sampler;
pub mod streams;
mod unannounced;
pub mod ziggurat;

use crate::model::copula::MarginalMap;
use crate::model::sampler::Sampler;
use crate::scenario::grid::Grid;
use crate::scenario::{City, MIN_LIFETIME_YEARS, Scenario, Shock, ShockTiming};
use builds::ProjectModel;
use city::{CityModel, TrialContext, sum_groups_and_total};
use dynamics::NationalModel;
pub use inputs::InputOwner;
use latent::Latent;
use path_normals::{PathNormals, PathStreams};
use power::{Fleet, PowerModel, PowerScratch};
use probes::{BasisModel, ProbeModel};
use risk::{Loss, Window};
pub use risk::{MIN_GROWTH, ramp_fraction};
pub use streams::{StreamKind, stream, stream_key};

/// A scenario compiled for fast repeated trials.
#[derive(Debug, Clone)]
pub struct Model {
    /// The time grid of the scenario.
    pub grid: Grid,
    cities: Vec<CityModel>,
    shocks: Vec<ShockModel>,
    copula: Option<CopulaModel>,
    national: NationalModel,
    has_power: bool,
    has_utilisation: bool,
    /// Exact-time reads: one per observation, then one per target.
    probes: Vec<ProbeModel>,
    /// Reporting bases, drawn once per trial.
    bases: Vec<BasisModel>,
    basis_names: Vec<String>,
    /// Each group's cities, by index.
    groups: Vec<Vec<usize>>,
    /// Each steered draw's block ([`Model::latent_blocks`]).
    latent_blocks: Vec<usize>,
    /// The step normals (each city's and the shared ones) of the first this many steps are
    /// steered: the steps that start before the last report's time (plus its basis's longest
    /// lag).
    steered_steps: usize,
    /// The streams of the step normals ([`path_normals`]).
    path_streams: PathStreams,
}

/// Where a city's trial writes down what it sampled, for sensitivity analysis.
struct Record<'a> {
    inputs: &'a mut Vec<f64>,
    walk: &'a mut [f64],
    builds: &'a mut Vec<(usize, f64, f64)>,
}

#[derive(Debug, Clone)]
struct ShockModel {
    name: String,
    timing: ShockTiming,
    multiplier: f64,
    capacity_loss: f64,
    duration: f64,
    stream_key: u64,
}

#[derive(Debug, Clone)]
struct CopulaModel {
    factor: Vec<Vec<f64>>,
    marginals: Vec<MarginalMap>,
    stream_key: u64,
}

/// Scratch space for one trial, reused across trials by a worker. Its size depends on the
/// model only, never on the number of trials.
#[derive(Debug, Clone)]
pub struct TrialBuffer {
    /// Installed capacity in P, laid out series-major: `values[s * grid_len + k]`, cities then Total.
    pub values: Vec<f64>,
    /// Used capacity in P, same layout; empty when no city has `utilisation`.
    pub used: Vec<f64>,
    /// Whether each city's power cap binds, `cap_binds[c * grid_len + k]`; empty without power.
    pub cap_binds: Vec<bool>,
    /// The trial's sampled scalar inputs, in the order of [`Model::input_names`].
    pub inputs: Vec<f64>,
    /// Each city's realised growth shock, the cumulative dt (n_j + e_j) of its random log
    /// growth (docs/model.md, "Growth that moves"), at every grid time, city-major:
    /// `walks[c * grid_len + k]`.
    pub walks: Vec<f64>,
    /// Each series' installed capacity at each probe's time: `probes[p]` (see
    /// [`probes`]), the Total summed over the cities.
    pub probes: Vec<f64>,
    /// Each probe's time in this trial (its date plus its basis's lag).
    pub probe_times: Vec<f64>,
    /// Each city's capacity at each probe time, city-major: `city_probes[c * probes + p]`.
    pub city_probes: Vec<f64>,
    /// Each basis's factor in this trial.
    pub basis_factors: Vec<f64>,
    /// Each basis's lag in this trial, years.
    pub basis_lags: Vec<f64>,
    /// The trial's unannounced builds: (city, arrival as a decimal year, size in P).
    builds: Vec<(usize, f64, f64)>,
    /// The trial's step normals.
    path: PathNormals,
    shared: SharedDraws,
    scratch: CityScratch,
}

/// Draws of one trial shared by every city: shock windows and losses, correlated growth.
#[derive(Debug, Clone, Default)]
struct SharedDraws {
    windows: Vec<Window>,
    losses: Vec<Loss>,
    correlated_growth: Vec<f64>,
    normals: Vec<f64>,
    /// The national factor of log growth at each grid step (docs/model.md, "Growth that moves").
    national: Vec<f64>,
    /// The shared normal of the cities' step shocks at each grid step.
    shared_normals: Vec<f64>,
    /// How many times each shock starts in the trial (a sensitivity input).
    starts: Vec<u32>,
    /// Each start: (the shock's index, decimal year), in the order drawn.
    start_times: Vec<(usize, f64)>,
}

/// Working space of one city's path, reused city after city.
#[derive(Debug, Clone, Default)]
struct CityScratch {
    period_rates: Vec<(f64, f64)>,
    city_windows: Vec<Window>,
    prefix: Vec<f64>,
    /// Gross additions or removals per step, or a running sum of additions.
    gross: Vec<f64>,
    power: PowerScratch,
}

impl Model {
    /// Compiles a validated scenario.
    pub fn new(scenario: &Scenario) -> Self {
        let mut national = NationalModel::new(&scenario.dynamics, scenario.grid.dt());
        let mut cities: Vec<CityModel> = scenario
            .cities
            .iter()
            .enumerate()
            .map(|(i, c)| CityModel::new(c, (i, &national), &scenario.shocks, &scenario.grid))
            .collect();
        let mut path_streams = PathStreams::new(scenario.grid.steps);
        for c in cities.iter_mut().filter(|c| c.is_noisy(scenario.grid.dt())) {
            let key = stream_key(StreamKind::CityDraw, &[&c.name, "steps"]);
            c.path_stream = Some(path_streams.add(key));
        }
        national.add_path_streams(&mut path_streams);
        let mut model = Model {
            grid: scenario.grid.clone(),
            has_power: cities.iter().any(|c| c.power.is_some()),
            has_utilisation: cities.iter().any(|c| c.utilisation.is_some()),
            cities,
            national,
            shocks: scenario.shocks.iter().map(ShockModel::new).collect(),
            copula: scenario.correlation.as_ref().map(|c| CopulaModel {
                factor: c.factor.clone(),
                marginals: scenario
                    .cities
                    .iter()
                    .map(|c| MarginalMap::new(&c.growth))
                    .collect(),
                stream_key: stream_key(StreamKind::Copula, &[]),
            }),
            probes: probes::probes(scenario),
            bases: probes::bases(&scenario.bases),
            basis_names: scenario.bases.iter().map(|b| b.name.clone()).collect(),
            groups: scenario.groups.iter().map(|g| g.cities.clone()).collect(),
            latent_blocks: Vec::new(),
            steered_steps: probes::steered_steps(scenario),
            path_streams,
        };
        let mut latent = Latent::recording();
        model.run_trial_steered(0, 0, &mut latent, &mut model.buffer());
        model.latent_blocks = latent.blocks();
        model
    }

    /// Number of scalar inputs a trial samples ([`Model::input_names`]).
    pub fn input_count(&self) -> usize {
        self.input_names().len()
    }

    /// Number of probes: observations first, then targets.
    pub fn probe_count(&self) -> usize {
        self.probes.len()
    }

    /// Number of series: every city plus the Total.
    pub fn series_count(&self) -> usize {
        self.cities.len() + self.groups.len() + 1
    }

    /// Number of cities.
    pub fn city_count(&self) -> usize {
        self.cities.len()
    }

    /// True when some city has a power cap (and the run reports how often it binds).
    pub fn has_power(&self) -> bool {
        self.has_power
    }

    /// True when some city has a utilisation (and the run reports used capacity).
    pub fn has_utilisation(&self) -> bool {
        self.has_utilisation
    }

    /// A scratch buffer sized for this model, for one worker's trials.
    pub fn buffer(&self) -> TrialBuffer {
        let len = self.grid.len();
        let n = self.cities.len();
        TrialBuffer {
            values: vec![0.0; self.series_count() * len],
            used: vec![
                0.0;
                if self.has_utilisation {
                    self.series_count() * len
                } else {
                    0
                }
            ],
            cap_binds: vec![false; if self.has_power { n * len } else { 0 }],
            inputs: Vec::with_capacity(self.input_names().len()),
            walks: vec![0.0; n * len],
            probes: vec![0.0; self.probes.len()],
            probe_times: Vec::with_capacity(self.probes.len()),
            city_probes: vec![0.0; n * self.probes.len()],
            basis_factors: Vec::with_capacity(self.bases.len()),
            basis_lags: Vec::with_capacity(self.bases.len()),
            builds: Vec::new(),
            path: self.path_streams.buffer(),
            shared: SharedDraws {
                correlated_growth: vec![0.0; n],
                normals: vec![0.0; n],
                national: vec![0.0; len],
                shared_normals: vec![0.0; len],
                ..SharedDraws::default()
            },
            scratch: CityScratch {
                prefix: vec![0.0; len],
                gross: vec![0.0; len],
                ..CityScratch::default()
            },
        }
    }

    /// Names of the cities in file order.
    pub fn city_names(&self) -> Vec<&str> {
        self.cities.iter().map(|c| c.name.as_str()).collect()
    }

    /// Runs trial number `trial` of the run seeded by `seed`, writing every series into `buf`.
    /// The result depends only on (model, seed, trial).
    pub fn run_trial(&self, seed: u64, trial: u64, buf: &mut TrialBuffer) {
        self.run_trial_steered(seed, trial, &mut Latent::prior(), buf);
    }

    /// Dimension of the latent space of [`Model::run_trial_steered`]: the steered draws of a
    /// trial (the same in every trial).
    pub fn latent_dims(&self) -> usize {
        self.latent_blocks.len()
    }

    /// Each steered draw's block: its city's index, or the number of cities for the draws
    /// every city shares (correlated growth, bases). Reports tie a city's draws closely and
    /// different cities' loosely: the guide's covariance is fitted block by block.
    pub fn latent_blocks(&self) -> &[usize] {
        &self.latent_blocks
    }

    /// [`Model::run_trial`] with its once-per-trial inputs steered by `latent`
    /// ([`latent`]); with [`Latent::prior`] the two are the same.
    pub fn run_trial_steered(
        &self,
        seed: u64,
        trial: u64,
        latent: &mut Latent,
        buf: &mut TrialBuffer,
    ) {
        let len = self.grid.len();
        let n_cities = self.cities.len();
        self.path_streams.fill(seed, trial, &mut buf.path);
        self.draw_shocks(seed, trial, &mut buf.shared);
        latent.set_block(n_cities);
        if let Some(c) = &self.copula {
            let shared = &mut buf.shared;
            let draws = (&mut shared.normals[..], &mut shared.correlated_growth[..]);
            c.draw(seed, trial, draws, latent);
        }
        let shared = (
            &mut buf.shared.national[..],
            &mut buf.shared.shared_normals[..],
        );
        let steps = ((seed, trial, self.steered_steps), &buf.path);
        self.national.draw(steps, shared, latent);
        let city_values = &mut buf.values[..self.cities.len() * len];
        buf.inputs.clear();
        buf.builds.clear();
        let (bf, bl) = (&mut buf.basis_factors, &mut buf.basis_lags);
        probes::draw_bases(&self.bases, (seed, trial), (bf, bl), latent);
        probes::probe_times(
            &self.probes,
            &buf.basis_lags,
            &self.grid,
            &mut buf.probe_times,
        );
        let np = self.probes.len();
        for (i, ((city, out), walk)) in self
            .cities
            .iter()
            .zip(city_values.chunks_exact_mut(len))
            .zip(buf.walks.chunks_exact_mut(len))
            .enumerate()
        {
            let ctx = TrialContext {
                grid: &self.grid,
                seed,
                trial,
                shared: &buf.shared,
                growth: self
                    .copula
                    .as_ref()
                    .map(|_| buf.shared.correlated_growth[i]),
                probes: &self.probes,
                probe_times: &buf.probe_times,
                city: i,
                steered_steps: self.steered_steps,
                path: &buf.path,
            };
            let record = Record {
                inputs: &mut buf.inputs,
                walk,
                builds: &mut buf.builds,
            };
            let at_probes = &mut buf.city_probes[i * np..(i + 1) * np];
            latent.set_block(i);
            let steering = (record, &mut *latent);
            let draws = city.simulate(&ctx, (out, at_probes), &mut buf.scratch, steering);
            let range = i * len..(i + 1) * len;
            if let Some(power) = &city.power {
                let scratch = &mut buf.scratch;
                let fleet = Fleet {
                    baseline: draws.baseline,
                    retirement: draws.retirement,
                    removals: if draws.removals { &scratch.gross } else { &[] },
                };
                let mw_growth = power.apply(
                    &self.grid,
                    (seed, trial, &mut *latent),
                    (&fleet, &mut scratch.power),
                    (out, &mut buf.cap_binds[range.clone()]),
                    (&buf.probe_times, &mut buf.city_probes[i * np..(i + 1) * np]),
                );
                buf.inputs.push(mw_growth);
            }
            if self.has_utilisation {
                for (u, v) in buf.used[range].iter_mut().zip(out.iter()) {
                    *u = draws.utilisation * v;
                }
            }
        }
        sum_groups_and_total(&mut buf.values, len, n_cities, &self.groups);
        if self.has_utilisation {
            sum_groups_and_total(&mut buf.used, len, n_cities, &self.groups);
        }
        buf.inputs
            .extend(buf.shared.starts.iter().map(|n| f64::from(*n)));
        buf.inputs.extend(buf.basis_factors.iter());
        buf.inputs.extend(buf.basis_lags.iter());
        probes::read(&self.probes, &buf.city_probes, &mut buf.probes);
    }

    /// Draws every shock's starts for this trial into `shared.windows` and `shared.losses`.
    fn draw_shocks(&self, seed: u64, trial: u64, shared: &mut SharedDraws) {
        shared.windows.clear();
        shared.losses.clear();
        shared.starts.clear();
        shared.starts.resize(self.shocks.len(), 0);
        shared.start_times.clear();
        for (i, s) in self.shocks.iter().enumerate() {
            let (windows, losses) = (&mut shared.windows, &mut shared.losses);
            let (starts, times) = (&mut shared.starts[i], &mut shared.start_times);
            let mut record = |at: f64| {
                *starts += 1;
                times.push((i, at));
                risk::record_start(
                    windows,
                    losses,
                    i,
                    at,
                    s.duration,
                    s.multiplier,
                    s.capacity_loss,
                )
            };
            match s.timing {
                ShockTiming::At(t) => record(t),
                ShockTiming::Annual(p) => {
                    let mut rng = stream(seed, trial, s.stream_key);
                    let g = &self.grid;
                    risk::annual_starts(&mut rng, p, g.start, g.dt(), g.steps, record);
                }
            }
        }
    }
}

impl ShockModel {
    fn new(s: &Shock) -> Self {
        ShockModel {
            name: s.name.clone(),
            timing: s.timing,
            multiplier: s.growth_multiplier,
            capacity_loss: s.capacity_loss,
            duration: s.duration_years,
            stream_key: stream_key(StreamKind::Shock, &[&s.name]),
        }
    }
}

impl CopulaModel {
    /// Independent normals z from the trial's "copula" stream (or the guide's), y = L z, and
    /// each city's growth quantile at Φ(y).
    fn draw(
        &self,
        seed: u64,
        trial: u64,
        (normals, growth): (&mut [f64], &mut [f64]),
        latent: &mut Latent,
    ) {
        let mut rng = stream(seed, trial, self.stream_key);
        let shared = normals.len();
        for (i, z) in normals.iter_mut().enumerate() {
            // The i-th normal is city i's innovation (L is lower triangular): its block.
            latent.set_block(i);
            *z = latent.normal(sampler::standard_normal(&mut rng));
        }
        latent.set_block(shared);
        for (i, (row, g)) in self.factor.iter().zip(growth.iter_mut()).enumerate() {
            let y: f64 = row[..=i]
                .iter()
                .zip(normals.iter())
                .map(|(l, z)| l * z)
                .sum();
            *g = self.marginals[i].map(y);
        }
    }
}
