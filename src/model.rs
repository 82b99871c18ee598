//! One Monte Carlo trial: the model's semantics in code, pure and without I/O (docs/model.md).

use crate::copula::MarginalMap;
use crate::dist::Sampler;
use crate::fastexp;
use crate::grid::Grid;
use crate::risk::{self, GrowthPath, Loss, Window};
use crate::scenario::{City, MIN_LIFETIME_YEARS, Project, Scenario, Shock, ShockTiming};
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
    shocks: Vec<ShockModel>,
    copula: Option<CopulaModel>,
    has_power: bool,
    has_utilisation: bool,
}

/// Where a city's trial writes down what it sampled, for sensitivity analysis.
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
    /// (long-run growth, half-life in years, stream key).
    fading: Option<(Sampler, f64, u64)>,
    /// (from, growth, stream key) per period.
    periods: Vec<(f64, Sampler, u64)>,
    power: Option<PowerModel>,
    lifetime: Option<(Sampler, u64)>,
    utilisation: Option<(Sampler, u64)>,
    /// Which shocks hit this city, by shock index.
    hit_by: Vec<bool>,
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

#[derive(Debug, Clone)]
struct PowerModel {
    /// mw * p_per_mw: the cap at the start, P.
    start_cap: f64,
    mw_growth: Sampler,
    log_efficiency_growth: f64,
    stream_key: u64,
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
    /// Each city's cumulative random log-capacity shock (the volatility walk) at every grid
    /// time, city-major: `walks[c * grid_len + k]`.
    pub walks: Vec<f64>,
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
    /// How many times each shock starts in the trial (a sensitivity input).
    starts: Vec<u32>,
}

/// Working space of one city's path, reused city after city.
#[derive(Debug, Clone, Default)]
struct CityScratch {
    period_rates: Vec<(f64, f64)>,
    city_windows: Vec<Window>,
    prefix: Vec<f64>,
}

impl Model {
    pub fn new(scenario: &Scenario) -> Self {
        let cities: Vec<CityModel> = scenario
            .cities
            .iter()
            .enumerate()
            .map(|(i, c)| CityModel::new(c, i, &scenario.shocks))
            .collect();
        Model {
            grid: scenario.grid.clone(),
            has_power: cities.iter().any(|c| c.power.is_some()),
            has_utilisation: cities.iter().any(|c| c.utilisation.is_some()),
            cities,
            shocks: scenario.shocks.iter().map(ShockModel::new).collect(),
            copula: scenario.correlation.as_ref().map(|c| CopulaModel {
                factor: c.factor.clone(),
                marginals: scenario
                    .cities
                    .iter()
                    .map(|c| MarginalMap::new(&c.growth))
                    .collect(),
                stream_key: name_key("copula"),
            }),
        }
    }

    /// Number of series: every city plus the Total.
    pub fn series_count(&self) -> usize {
        self.cities.len() + 1
    }

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

    pub fn buffer(&self) -> TrialBuffer {
        let len = self.grid.len();
        let n = self.cities.len();
        TrialBuffer {
            values: vec![0.0; self.series_count() * len],
            used: vec![
                0.0;
                if self.has_utilisation {
                    (n + 1) * len
                } else {
                    0
                }
            ],
            cap_binds: vec![false; if self.has_power { n * len } else { 0 }],
            inputs: Vec::with_capacity(self.input_names().len()),
            walks: vec![0.0; n * len],
            shared: SharedDraws {
                correlated_growth: vec![0.0; n],
                normals: vec![0.0; n],
                ..SharedDraws::default()
            },
            scratch: CityScratch {
                prefix: vec![0.0; len],
                ..CityScratch::default()
            },
        }
    }

    /// Names of the scalar inputs a trial samples, after their place in the scenario file, in
    /// the order of [`TrialBuffer::inputs`]: per city "Beijing.baseline", "Beijing.growth"
    /// (after correlation), "Beijing.growth_long_run", "Beijing.growth_period[0].growth",
    /// "Beijing.lifetime", each project's "Shenzhen.project[Qianhai].probability" (1 when the
    /// trial delivers it, else 0), ".capacity", ".online", ".ramp_years", then
    /// "Beijing.power.mw_growth"; after the cities, "shock[Name]": how many times the shock
    /// starts in the trial.
    pub fn input_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for c in &self.cities {
            let n = &c.name;
            names.push(format!("{n}.baseline"));
            names.push(format!("{n}.growth"));
            if c.fading.is_some() {
                names.push(format!("{n}.growth_long_run"));
            }
            for i in 0..c.periods.len() {
                names.push(format!("{n}.growth_period[{i}].growth"));
            }
            if c.lifetime.is_some() {
                names.push(format!("{n}.lifetime"));
            }
            for p in &c.projects {
                for key in ["probability", "capacity", "online", "ramp_years"] {
                    names.push(format!("{n}.project[{}].{key}", p.name));
                }
            }
            if c.power.is_some() {
                names.push(format!("{n}.power.mw_growth"));
            }
        }
        names.extend(self.shocks.iter().map(|s| format!("shock[{}]", s.name)));
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
        self.draw_shocks(seed, trial, &mut buf.shared);
        if let Some(c) = &self.copula {
            let shared = &mut buf.shared;
            c.draw(
                seed,
                trial,
                &mut shared.normals,
                &mut shared.correlated_growth,
            );
        }
        let city_values = &mut buf.values[..self.cities.len() * len];
        buf.inputs.clear();
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
            };
            let record = Record {
                inputs: &mut buf.inputs,
                walk,
            };
            let draws = city.simulate(&ctx, out, &mut buf.scratch, record);
            let range = i * len..(i + 1) * len;
            if let Some(power) = &city.power {
                let mw_growth = power.apply(
                    &self.grid,
                    seed,
                    trial,
                    out,
                    &mut buf.cap_binds[range.clone()],
                );
                buf.inputs.push(mw_growth);
            }
            if self.has_utilisation {
                for (u, v) in buf.used[range].iter_mut().zip(out.iter()) {
                    *u = draws.utilisation * v;
                }
            }
        }
        sum_into_total(&mut buf.values, len);
        if self.has_utilisation {
            sum_into_total(&mut buf.used, len);
        }
        buf.inputs
            .extend(buf.shared.starts.iter().map(|n| f64::from(*n)));
    }

    /// Draws every shock's starts for this trial into `shared.windows` and `shared.losses`.
    fn draw_shocks(&self, seed: u64, trial: u64, shared: &mut SharedDraws) {
        shared.windows.clear();
        shared.losses.clear();
        shared.starts.clear();
        shared.starts.resize(self.shocks.len(), 0);
        for (i, s) in self.shocks.iter().enumerate() {
            let (windows, losses) = (&mut shared.windows, &mut shared.losses);
            let starts = &mut shared.starts[i];
            let mut record = |at: f64| {
                *starts += 1;
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
            stream_key: name_key(&format!("shock\u{1f}{}", s.name)),
        }
    }
}

impl CopulaModel {
    /// Independent normals z from the trial's "copula" stream, y = L z, and each city's
    /// growth quantile at Φ(y).
    fn draw(&self, seed: u64, trial: u64, normals: &mut [f64], growth: &mut [f64]) {
        let mut rng = stream(seed, trial, self.stream_key);
        for z in normals.iter_mut() {
            *z = rand_distr::StandardNormal.sample(&mut rng);
        }
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

impl PowerModel {
    /// Holds `out` at or below cap(t) and records where it binds; returns the trial's MW growth.
    fn apply(
        &self,
        grid: &Grid,
        seed: u64,
        trial: u64,
        out: &mut [f64],
        binds: &mut [bool],
    ) -> f64 {
        let mut rng = stream(seed, trial, self.stream_key);
        let mw_growth = self.mw_growth.sample(&mut rng).max(MIN_GROWTH);
        let log_rate = mw_growth.ln_1p() + self.log_efficiency_growth;
        let spy = f64::from(grid.steps_per_year);
        for (k, (v, b)) in out.iter_mut().zip(binds.iter_mut()).enumerate() {
            let cap = self.start_cap * fastexp::exp(k as f64 / spy * log_rate);
            *b = *v > cap;
            if *b {
                *v = cap;
            }
        }
        mw_growth
    }
}

/// Where a city's trial runs: the grid, the trial's identity and its shared draws.
struct TrialContext<'a> {
    grid: &'a Grid,
    seed: u64,
    trial: u64,
    shared: &'a SharedDraws,
    /// The city's growth draw from the copula, when growth is correlated.
    growth: Option<f64>,
}

/// A city's per-trial draws that the model needs after its path is built.
struct CityDraws {
    utilisation: f64,
}

impl CityModel {
    fn new(c: &City, index: usize, shocks: &[Shock]) -> Self {
        let key = |what: &str| name_key(&format!("{}\u{1f}{what}", c.name));
        CityModel {
            name: c.name.clone(),
            baseline: c.baseline.sampler(),
            growth: c.growth.sampler(),
            volatility: c.volatility,
            stream_key: name_key(&c.name),
            fading: c.fading.as_ref().map(|f| {
                (
                    f.long_run.sampler(),
                    f.half_life_years,
                    key("growth_long_run"),
                )
            }),
            periods: c
                .growth_periods
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    (
                        p.from,
                        p.growth.sampler(),
                        key(&format!("growth_period{i}")),
                    )
                })
                .collect(),
            power: c.power.as_ref().map(|p| PowerModel {
                start_cap: p.mw * p.p_per_mw,
                mw_growth: p.mw_growth.sampler(),
                log_efficiency_growth: p.efficiency_growth.ln_1p(),
                stream_key: key("power"),
            }),
            lifetime: c.lifetime.as_ref().map(|d| (d.sampler(), key("lifetime"))),
            utilisation: c
                .utilisation
                .as_ref()
                .map(|d| (d.sampler(), key("utilisation"))),
            hit_by: shocks.iter().map(|s| s.cities.contains(&index)).collect(),
            projects: c
                .projects
                .iter()
                .map(|p| ProjectModel::new(p, &c.name))
                .collect(),
        }
    }

    /// Organic capacity on the grid (growth, shocks, retirement, losses), then each project's
    /// contribution added on top.
    fn simulate(
        &self,
        ctx: &TrialContext,
        out: &mut [f64],
        scratch: &mut CityScratch,
        record: Record,
    ) -> CityDraws {
        let (grid, seed, trial) = (ctx.grid, ctx.seed, ctx.trial);
        let mut rng = stream(seed, trial, self.stream_key);
        let baseline = self.baseline.sample(&mut rng).max(0.0);
        let drawn_growth = self.growth.sample(&mut rng).max(MIN_GROWTH);
        let growth = ctx.growth.map_or(drawn_growth, |g| g.max(MIN_GROWTH));
        self.prepare(ctx, scratch);
        let path = GrowthPath {
            start: grid.start,
            initial: growth,
            fading: self
                .fading
                .as_ref()
                .map(|(l, h, key)| (own_draw(l, seed, trial, *key).max(MIN_GROWTH), *h)),
            periods: &scratch.period_rates,
        };
        let windows = &scratch.city_windows;
        self.organic(grid, baseline, &path, windows, &mut rng, (out, record.walk));
        let lifetime = self
            .lifetime
            .as_ref()
            .map(|(l, key)| own_draw(l, seed, trial, *key).max(MIN_LIFETIME_YEARS));
        record.inputs.extend([baseline, growth]);
        record
            .inputs
            .extend(path.fading.map(|(long_run, _)| long_run));
        record
            .inputs
            .extend(scratch.period_rates.iter().map(|(_, g)| *g));
        record.inputs.extend(lifetime);
        if let Some(life) = lifetime {
            retire(out, baseline, life / grid.dt(), &mut scratch.prefix);
        }
        self.apply_losses(grid, &ctx.shared.losses, out);
        for p in &self.projects {
            p.add_contribution(grid, seed, trial, lifetime, out, record.inputs);
        }
        CityDraws {
            utilisation: self.utilisation.as_ref().map_or(1.0, |(u, key)| {
                own_draw(u, seed, trial, *key).clamp(0.0, 1.0)
            }),
        }
    }

    /// Draws the period rates and picks the trial's shock windows that hit this city.
    fn prepare(&self, ctx: &TrialContext, scratch: &mut CityScratch) {
        scratch.period_rates.clear();
        scratch
            .period_rates
            .extend(self.periods.iter().map(|(from, g, key)| {
                (
                    *from,
                    own_draw(g, ctx.seed, ctx.trial, *key).max(MIN_GROWTH),
                )
            }));
        scratch.city_windows.clear();
        let hits = ctx.shared.windows.iter().filter(|w| self.hit_by[w.shock]);
        scratch.city_windows.extend(hits);
    }

    /// O(t_k) = B exp(Λ(t_k) + walk_k). With one constant rate and no shock this is the v1
    /// formula B exp(k dt ln(1 + g) + walk_k), with exp from [`fastexp`].
    fn organic(
        &self,
        grid: &Grid,
        baseline: f64,
        path: &GrowthPath,
        windows: &[Window],
        rng: &mut Xoshiro256PlusPlus,
        (out, walk_out): (&mut [f64], &mut [f64]),
    ) {
        let dt = grid.dt();
        let plain = path.is_constant() && windows.is_empty();
        let drift_per_step = dt * path.initial.ln_1p();
        let shock_sd = self.volatility * dt.sqrt();
        // The random walk (one normal per step), then the log of each multiple of the baseline,
        // then one vectorised exp over the path: three simple loops instead of one mixed one.
        if shock_sd > 0.0 {
            let mut walk = 0.0;
            for w in walk_out.iter_mut().skip(1) {
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                walk += shock_sd * z;
                *w = walk;
            }
        } else {
            walk_out.fill(0.0);
        }
        out[0] = 0.0;
        let steps = out.iter_mut().zip(walk_out.iter()).enumerate().skip(1);
        if plain {
            for (k, (v, walk)) in steps {
                *v = k as f64 * drift_per_step + walk;
            }
        } else {
            let mut log_multiple = 0.0;
            for (k, (v, walk)) in steps {
                log_multiple += path.log_multiple(grid.time(k - 1), grid.time(k), windows);
                *v = log_multiple + walk;
            }
        }
        fastexp::exp_in_place(out);
        for v in out.iter_mut() {
            *v *= baseline;
        }
    }

    /// Multiplies organic capacity by (1 - capacity_loss) from each loss of a shock that hits
    /// this city on, the loss's own time included.
    fn apply_losses(&self, grid: &Grid, losses: &[Loss], out: &mut [f64]) {
        for loss in losses.iter().filter(|l| self.hit_by[l.shock]) {
            let from = grid.first_index_at_or_after(loss.at).unwrap_or(out.len());
            for v in &mut out[from..] {
                *v *= loss.keep;
            }
        }
    }
}

/// Sets the last series (the Total) of series-major `values` to the sum of the others, city by
/// city in order.
fn sum_into_total(values: &mut [f64], len: usize) {
    let (cities, total) = values.split_at_mut(values.len() - len);
    total.fill(0.0);
    for city in cities.chunks_exact(len) {
        for (t, v) in total.iter_mut().zip(city) {
            *t += *v;
        }
    }
}

/// Draws one value from the sampler on its own stream.
fn own_draw(sampler: &Sampler, seed: u64, trial: u64, key: u64) -> f64 {
    sampler.sample(&mut stream(seed, trial, key))
}

/// Replaces organic capacity by what survives retirement (docs/model.md, "Retirement"):
/// the gross path less the retired baseline and retired positive additions, floored at 0.
fn retire(out: &mut [f64], baseline: f64, lifetime_steps: f64, prefix: &mut [f64]) {
    prefix[0] = 0.0;
    for k in 1..out.len() {
        prefix[k] = prefix[k - 1] + (out[k] - out[k - 1]).max(0.0);
    }
    for (k, v) in out.iter_mut().enumerate() {
        *v = (*v - risk::retired(baseline, k, lifetime_steps, prefix)).max(0.0);
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
    /// With a lifetime, each slice of the ramp retires that many years after it came online.
    fn add_contribution(
        &self,
        grid: &Grid,
        seed: u64,
        trial: u64,
        lifetime: Option<f64>,
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
        match lifetime {
            None => {
                for (k, v) in out.iter_mut().enumerate() {
                    *v += capacity * ramp_fraction(grid.time(k) - online, ramp);
                }
            }
            Some(life) => {
                for (k, v) in out.iter_mut().enumerate() {
                    *v += capacity * risk::surviving_fraction(grid.time(k) - online, ramp, life);
                }
            }
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
