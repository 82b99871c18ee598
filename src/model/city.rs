//! One city in one trial: its baseline, organic growth path, projects, losses, retirement,
//! power cap and utilisation (docs/model.md).

use super::dynamics::{NationalModel, Ou};
use super::latent::{Latent, Steered};
use super::path_normals::PathNormals;
use super::probes::{self, ProbeModel};
use super::risk::{self, GrowthPath, Loss, Saturation, Window};
use super::streams::{StreamKind, stream, stream_key};
use super::unannounced::UnannouncedModel;
use super::*;
use crate::model::sampler::ToSampler;

#[derive(Debug, Clone)]
pub(super) struct CityModel {
    pub(super) name: String,
    pub(super) baseline: Steered,
    /// Growth as drawn (when not correlated).
    pub(super) growth: Steered,
    pub(super) volatility: f64,
    /// The city's deviation of log growth (docs/model.md, "Growth that moves").
    growth_ou: Ou,
    /// (own, shared) sd of the city's step shock: sqrt(1 - shared_shock), sqrt(shared_shock).
    shock_sds: (f64, f64),
    pub(super) stream_key: u64,
    /// This city's stream of step normals ([`PathStreams`]), when its path is noisy.
    pub(super) path_stream: Option<usize>,
    /// (long-run growth, half-life in years, stream key).
    pub(super) fading: Option<(Steered, f64, u64)>,
    /// (from, growth, stream key) per period.
    pub(super) periods: Vec<(f64, Steered, u64)>,
    pub(super) power: Option<PowerModel>,
    pub(super) lifetime: Option<(Steered, u64)>,
    /// The ceiling of organic capacity (docs/model.md, "Saturation"), P.
    pub(super) ceiling: Option<(Steered, u64)>,
    pub(super) utilisation: Option<(Sampler, u64)>,
    /// Which shocks hit this city, by shock index.
    pub(super) hit_by: Vec<bool>,
    pub(super) projects: Vec<ProjectModel>,
    /// Builds nobody announced (docs/model.md, "Unannounced builds").
    pub(super) unannounced: Option<UnannouncedModel>,
}

/// Where a city's trial runs: the grid, the trial's identity and its shared draws.
pub(super) struct TrialContext<'a> {
    pub(super) grid: &'a Grid,
    pub(super) seed: u64,
    pub(super) trial: u64,
    pub(super) shared: &'a SharedDraws,
    /// The city's growth draw from the copula, when growth is correlated.
    pub(super) growth: Option<f64>,
    /// The exact-time reads of the trial and their times.
    pub(super) probes: &'a [ProbeModel],
    /// Each probe's time in this trial.
    pub(super) probe_times: &'a [f64],
    /// The trial's step normals.
    pub(super) path: &'a PathNormals,
    /// This city's index: probes of other series are skipped.
    pub(super) city: usize,
    /// The first this many steps' step normals are steered (those before the last report).
    pub(super) steered_steps: usize,
}

/// A city's per-trial draws that the model needs after its path is built.
pub(super) struct CityDraws {
    pub(super) utilisation: f64,
    /// The baseline, P.
    pub(super) baseline: f64,
    /// (lifetime in steps, past log growth per step) when capacity retires.
    pub(super) retirement: Option<(f64, f64)>,
    /// Whether `scratch.gross` holds the capacity leaving the path in each step (for the
    /// power cap: when the city has one and capacity retires or is lost).
    pub(super) removals: bool,
}

impl CityModel {
    pub(super) fn new(
        c: &City,
        (index, national): (usize, &NationalModel),
        shocks: &[Shock],
        grid: &Grid,
    ) -> Self {
        let key = |what: &str| stream_key(StreamKind::CityDraw, &[&c.name, what]);
        CityModel {
            name: c.name.clone(),
            baseline: Steered::new(&c.baseline),
            growth: Steered::new(&c.growth),
            volatility: c.volatility,
            growth_ou: Ou::new(c.growth_volatility, c.growth_reversion_years, grid.dt()),
            shock_sds: (national.own_sd, national.shared_sd),
            stream_key: stream_key(StreamKind::City, &[&c.name]),
            path_stream: None,
            fading: c.fading.as_ref().map(|f| {
                (
                    Steered::new(&f.long_run),
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
                        Steered::new(&p.growth),
                        key(&format!("growth_period{i}")),
                    )
                })
                .collect(),
            power: c.power.as_ref().map(|p| PowerModel {
                mw: p.mw,
                p_per_mw: p.p_per_mw,
                mw_growth: Steered::new(&p.mw_growth),
                log_efficiency_growth: p.efficiency_growth.ln_1p(),
                stream_key: key("power"),
            }),
            lifetime: c
                .lifetime
                .as_ref()
                .map(|d| (Steered::new(d), key("lifetime"))),
            ceiling: c
                .ceiling
                .as_ref()
                .map(|d| (Steered::new(d), key("ceiling"))),
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
            unannounced: c
                .unannounced
                .as_ref()
                .map(|u| UnannouncedModel::new(u, &c.name)),
        }
    }

    /// Organic capacity on the grid (growth, shocks, saturation, retirement, losses), then each
    /// project's contribution added on top.
    pub(super) fn simulate(
        &self,
        ctx: &TrialContext,
        (out, at_probes): (&mut [f64], &mut [f64]),
        scratch: &mut CityScratch,
        (record, latent): (Record, &mut Latent),
    ) -> CityDraws {
        let (grid, seed, trial) = (ctx.grid, ctx.seed, ctx.trial);
        let mut rng = stream(seed, trial, self.stream_key);
        let baseline = self.baseline.draw(&mut rng, latent).max(0.0);
        let growth = match ctx.growth {
            // Correlated growth comes from the copula: this draw only keeps the stream aligned.
            Some(g) => {
                self.growth.draw(&mut rng, &mut Latent::prior());
                g.max(MIN_GROWTH)
            }
            None => self.growth.draw(&mut rng, latent).max(MIN_GROWTH),
        };
        self.prepare(ctx, scratch, latent);
        let path = GrowthPath {
            start: grid.start,
            initial: growth,
            fading: self.fading.as_ref().map(|(l, h, key)| {
                let long_run = own_draw(l, (seed, trial, *key), latent);
                (long_run.max(MIN_GROWTH), *h)
            }),
            periods: &scratch.period_rates,
        };
        let draw_lifetime = |latent: &mut Latent| {
            self.lifetime
                .as_ref()
                .map(|(l, key)| own_draw(l, (seed, trial, *key), latent).max(MIN_LIFETIME_YEARS))
        };
        // The ceiling's logistic step needs the lifetime first; without a ceiling it keeps its
        // place after the path (the latent order of older scenarios).
        let ceiling = self
            .ceiling
            .as_ref()
            .map(|(c, key)| own_draw(c, (seed, trial, *key), latent).max(0.0));
        let early = ceiling.map(|_| draw_lifetime(latent));
        // The baseline was built up at the trial's initial growth (docs/model.md).
        let past = (1.0 + growth.max(MIN_GROWTH)).ln() * grid.dt();
        let retirement = |life: Option<f64>| life.map(|l| (l / grid.dt(), past));
        let saturation = ceiling.map(|k| Saturation {
            ceiling: k,
            retirement: retirement(early.flatten()),
        });
        let windows = &scratch.city_windows;
        let steps = self.path_stream.map_or(&[][..], |s| ctx.path.stream(s));
        let noise = (steps, ctx.steered_steps, &mut *latent);
        let shared = (&ctx.shared.national[..], &ctx.shared.shared_normals[..]);
        let buffers = (&mut *out, &mut *record.walk, &mut scratch.prefix[..]);
        let start = (baseline, saturation.as_ref(), &mut scratch.gross[..]);
        self.organic(grid, (start, &path, windows), shared, noise, buffers);
        let lifetime = early.unwrap_or_else(|| draw_lifetime(latent));
        record.inputs.extend([baseline, growth]);
        record
            .inputs
            .extend(path.fading.map(|(long_run, _)| long_run));
        record
            .inputs
            .extend(scratch.period_rates.iter().map(|(_, g)| *g));
        record.inputs.extend(lifetime);
        record.inputs.extend(ceiling);
        let lost = ctx.shared.losses.iter().any(|l| self.hit_by[l.shock]);
        let removals = self.power.is_some() && (lifetime.is_some() || lost);
        if removals {
            gross_additions(out, &mut scratch.gross);
        }
        let retirement = retirement(lifetime);
        if let Some(life_past) = retirement {
            retire(out, baseline, life_past, &mut scratch.prefix);
        }
        self.apply_losses(grid, &ctx.shared.losses, out);
        if removals {
            self.apply_losses(grid, &ctx.shared.losses, &mut scratch.gross);
        }
        let bridge = (seed, trial, self.stream_key);
        let probes = (ctx.probes, ctx.probe_times);
        probes::organic_at(
            grid,
            out,
            (self.volatility, ctx.city),
            bridge,
            probes,
            (&mut *at_probes, &mut *latent),
        );
        let gross = if removals {
            &mut scratch.gross[..]
        } else {
            &mut []
        };
        for p in &self.projects {
            let targets = (&mut *out, ctx.probe_times, &mut *at_probes);
            let record = (&mut *record.inputs, &mut *latent);
            p.add_contribution(
                grid,
                (seed, trial),
                lifetime,
                (targets, &mut *gross),
                record,
            );
        }
        if removals {
            removed_per_step(out, &mut scratch.gross);
        }
        if let Some(u) = &self.unannounced {
            let targets = (&mut *out, ctx.probe_times, &mut *at_probes);
            let builds = (ctx.city, &mut *record.builds);
            let draw = (seed, trial, &mut *latent);
            let (rate, built) = u.add(grid, draw, lifetime, targets, builds);
            record.inputs.extend([rate, built]);
        }
        CityDraws {
            utilisation: self.utilisation.as_ref().map_or(1.0, |(u, key)| {
                u.sample(&mut stream(seed, trial, *key)).clamp(0.0, 1.0)
            }),
            baseline,
            retirement,
            removals,
        }
    }

    /// Whether the path draws a step normal each step (it has lumps or its growth moves).
    pub(super) fn is_noisy(&self, dt: f64) -> bool {
        self.volatility * dt.sqrt() > 0.0 || self.growth_ou.innovation_sd > 0.0
    }

    /// Draws the period rates and picks the trial's shock windows that hit this city.
    pub(super) fn prepare(
        &self,
        ctx: &TrialContext,
        scratch: &mut CityScratch,
        latent: &mut Latent,
    ) {
        scratch.period_rates.clear();
        scratch
            .period_rates
            .extend(self.periods.iter().map(|(from, g, key)| {
                (
                    *from,
                    own_draw(g, (ctx.seed, ctx.trial, *key), latent).max(MIN_GROWTH),
                )
            }));
        scratch.city_windows.clear();
        let hits = ctx.shared.windows.iter().filter(|w| self.hit_by[w.shock]);
        scratch.city_windows.extend(hits);
    }

    /// Organic capacity as non-negative additions (docs/model.md, "Growth that moves"):
    /// O_k = O_k-1 (1 + (exp(x_k dt) - 1)^+ F_k), x_k = m_k + n_k + e_k the step's log growth
    /// (its deterministic rate m_k, the national factor n_k, the city's deviation e_k, an
    /// Ornstein-Uhlenbeck step driven by w_k = own z_k + shared u_k) and F_k = exp(s w_k - s^2/2)
    /// the mean-one lumpiness of the additions, s = volatility sqrt(dt); under a ceiling each
    /// step's multiple is applied as a logistic step ([`Saturation::levels`]). `walk_out`
    /// receives the cumulative growth shock dt (n_j + e_j); `log_lumps` and `gross` are scratch.
    pub(super) fn organic(
        &self,
        grid: &Grid,
        ((baseline, saturation, gross), path, windows): (Start, &GrowthPath, &[Window]),
        (national, shared): (&[f64], &[f64]),
        (steps, steered_steps, latent): (&[f64], usize, &mut Latent),
        (out, walk_out, log_lumps): (&mut [f64], &mut [f64], &mut [f64]),
    ) {
        let dt = grid.dt();
        let plain = path.is_constant() && windows.is_empty();
        let drift_per_step = dt * path.initial.ln_1p();
        let s = self.volatility * dt.sqrt();
        let half_variance = 0.5 * s * s;
        let (own_sd, shared_sd) = self.shock_sds;
        let noisy = self.is_noisy(grid.dt());
        // Each step's log growth x_k dt and log lump ln F_k, then two vectorised exps, then
        // the additions: simple loops instead of one mixed one.
        let (mut deviation, mut shock) = (0.0, 0.0);
        out[0] = 0.0;
        walk_out[0] = 0.0;
        log_lumps[0] = 0.0;
        for k in 1..out.len() {
            let w = if noisy {
                let z = steps[k - 1];
                let z = if k <= steered_steps {
                    latent.normal(z)
                } else {
                    z
                };
                own_sd * z + shared_sd * shared[k]
            } else {
                0.0
            };
            deviation = self.growth_ou.step(deviation, w);
            let random = dt * (national[k] + deviation);
            shock += random;
            walk_out[k] = shock;
            let drift = if plain {
                drift_per_step
            } else {
                path.log_multiple(grid.time(k - 1), grid.time(k), windows)
            };
            out[k] = drift + random;
            log_lumps[k] = s * w - half_variance;
        }
        if s == 0.0 && saturation.is_none() {
            // No lumps: 1 + (e^y - 1)^+ = e^max(y, 0), so O_k = B exp(sum of max(x_j dt, 0)),
            // one exp per grid time and exact on a deterministic path.
            let mut log_level = 0.0;
            for v in out.iter_mut() {
                log_level += v.max(0.0);
                *v = log_level;
            }
            fastexp::exp_in_place(out);
            for v in out.iter_mut() {
                *v *= baseline;
            }
            return;
        }
        fastexp::exp_in_place(out);
        fastexp::exp_in_place(log_lumps);
        if let Some(sat) = saturation {
            sat.levels(baseline, (out, log_lumps), gross);
            return;
        }
        // Each step's multiple 1 + rate F_k first (independent steps), then their running
        // product: one multiplication per step on the chain from step to step, not three.
        for (v, lump) in out.iter_mut().zip(log_lumps.iter()).skip(1) {
            *v = 1.0 + (*v - 1.0).max(0.0) * *lump;
        }
        let mut level = baseline;
        out[0] = level;
        for v in out.iter_mut().skip(1) {
            level *= *v;
            *v = level;
        }
    }

    /// Multiplies organic capacity by (1 - capacity_loss) from each loss of a shock that hits
    /// this city on, the loss's own time included.
    pub(super) fn apply_losses(&self, grid: &Grid, losses: &[Loss], out: &mut [f64]) {
        for loss in losses.iter().filter(|l| self.hit_by[l.shock]) {
            let from = grid.first_index_at_or_after(loss.at).unwrap_or(out.len());
            for v in &mut out[from..] {
                *v *= loss.keep;
            }
        }
    }
}

/// Sets the groups' series (after the cities) and the Total (last) of series-major `values`
/// to the sums of their cities, each city by city in order (so the bits do not depend on
/// anything but the scenario).
pub(super) fn sum_groups_and_total(
    values: &mut [f64],
    len: usize,
    cities: usize,
    groups: &[Vec<usize>],
) {
    let (city_values, rest) = values.split_at_mut(cities * len);
    let (group_values, total) = rest.split_at_mut(groups.len() * len);
    for (members, out) in groups.iter().zip(group_values.chunks_exact_mut(len)) {
        out.fill(0.0);
        for c in members {
            for (t, v) in out.iter_mut().zip(&city_values[c * len..(c + 1) * len]) {
                *t += *v;
            }
        }
    }
    total.fill(0.0);
    for city in city_values.chunks_exact(len) {
        for (t, v) in total.iter_mut().zip(city) {
            *t += *v;
        }
    }
}

/// Draws one value on its own stream (steered by `latent` when guided).
pub(super) fn own_draw(
    input: &Steered,
    (seed, trial, key): (u64, u64, u64),
    latent: &mut Latent,
) -> f64 {
    input.draw(&mut stream(seed, trial, key), latent)
}

/// The baseline, the ceiling if any and a scratch buffer of the grid's length.
type Start<'a> = (f64, Option<&'a Saturation>, &'a mut [f64]);

/// Sets `gross[k]` to the gross organic addition of step k, O_k - O_k-1 (0 at k = 0).
fn gross_additions(out: &[f64], gross: &mut [f64]) {
    gross[0] = 0.0;
    for k in 1..out.len() {
        gross[k] = out[k] - out[k - 1];
    }
}

/// Turns each step's gross additions (`flows`, organic after losses and projects' ramps) into
/// the capacity that left the path `out` in the step: X_k-1 + additions_k - X_k, at least 0.
fn removed_per_step(out: &[f64], flows: &mut [f64]) {
    flows[0] = 0.0;
    for k in 1..out.len() {
        flows[k] = (out[k - 1] + flows[k] - out[k]).max(0.0);
    }
}

/// Replaces organic capacity by what survives retirement (docs/model.md, "Retirement"):
/// the gross path less the retired baseline and retired positive additions, floored at 0.
fn retire(out: &mut [f64], baseline: f64, lifetime_past: (f64, f64), prefix: &mut [f64]) {
    prefix[0] = 0.0;
    for k in 1..out.len() {
        prefix[k] = prefix[k - 1] + (out[k] - out[k - 1]).max(0.0);
    }
    for (k, v) in out.iter_mut().enumerate() {
        *v = (*v - risk::retired(baseline, k, lifetime_past, prefix)).max(0.0);
    }
}
