//! The per-trial mechanics of the risk features (docs/model.md): shock windows, growth that
//! fades or changes by period, saturation under a ceiling, retirement of capacity, and project
//! ramps (the power cap is in the model's `power` module). Pure functions of
//! their draws; the model decides what to draw and in what order.

use rand::distr::{Distribution, StandardUniform};

/// A span of time in which one shock multiplies growth; a shock's windows never overlap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Index of the shock in the scenario's list.
    pub shock: usize,
    /// Decimal year at which the window opens.
    pub start: f64,
    /// Decimal year at which the window closes (exclusive).
    pub end: f64,
    /// Factor applied to growth rates inside the window.
    pub multiplier: f64,
}

/// A one-off loss of a share of organic capacity at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loss {
    /// Index of the shock in the scenario's list.
    pub shock: usize,
    /// Decimal year of the loss.
    pub at: f64,
    /// Share of organic capacity kept (1 - capacity_loss).
    pub keep: f64,
}

/// Records a start of shock `shock` at `start`: its window (merged with one still running, so
/// a shock never multiplies growth twice over) and its loss.
pub fn record_start(
    windows: &mut Vec<Window>,
    losses: &mut Vec<Loss>,
    shock: usize,
    start: f64,
    duration: f64,
    multiplier: f64,
    capacity_loss: f64,
) {
    if capacity_loss > 0.0 {
        losses.push(Loss {
            shock,
            at: start,
            keep: 1.0 - capacity_loss,
        });
    }
    if multiplier == 1.0 || duration <= 0.0 {
        return;
    }
    let end = start + duration;
    match windows.last_mut() {
        Some(w) if w.shock == shock && start <= w.end => w.end = w.end.max(end),
        _ => windows.push(Window {
            shock,
            start,
            end,
            multiplier,
        }),
    }
}

/// Starts of a shock with annual probability `p` on a grid of `steps` steps of `dt` years:
/// in each step it starts with probability 1 - (1 - p)^dt, at a uniform time within the step.
/// Two uniforms are drawn per step whatever happens, so streams stay aligned.
pub fn annual_starts<R: rand::Rng + ?Sized>(
    rng: &mut R,
    p: f64,
    start: f64,
    dt: f64,
    steps: usize,
    mut on_start: impl FnMut(f64),
) {
    let per_step = 1.0 - (1.0 - p).powf(dt);
    for k in 0..steps {
        let u: f64 = StandardUniform.sample(rng);
        let at: f64 = StandardUniform.sample(rng);
        if u < per_step {
            on_start(start + (k as f64 + at) * dt);
        }
    }
}

/// A city's annual growth rate as a function of time within one trial, before shocks.
#[derive(Debug, Clone, Copy)]
pub struct GrowthPath<'a> {
    /// Decimal year at which the path starts (the grid's start).
    pub start: f64,
    /// The drawn (or copula-mapped) initial growth g0.
    pub initial: f64,
    /// (long-run rate, half-life in years) when growth fades.
    pub fading: Option<(f64, f64)>,
    /// (from, rate) in increasing order of `from`.
    pub periods: &'a [(f64, f64)],
}

/// Nodes and weights of 5-point Gauss-Legendre quadrature on [-1, 1].
const GAUSS_NODES: [(f64, f64); 5] = [
    (0.0, 0.568_888_888_888_888_9),
    (-0.538_469_310_105_683_1, 0.478_628_670_499_366_5),
    (0.538_469_310_105_683_1, 0.478_628_670_499_366_5),
    (-0.906_179_845_938_664, 0.236_926_885_056_189_1),
    (0.906_179_845_938_664, 0.236_926_885_056_189_1),
];

impl GrowthPath<'_> {
    /// True when growth is one constant rate over the whole horizon.
    pub fn is_constant(&self) -> bool {
        self.fading.is_none() && self.periods.is_empty()
    }

    /// ln of the capacity multiple over [a, b]: the integral of ln(1 + m(t) g(t)) dt, where
    /// m(t) is the product of the multipliers of the `windows` covering t.
    pub fn log_multiple(&self, a: f64, b: f64, windows: &[Window]) -> f64 {
        let mut total = 0.0;
        let mut u = a;
        while u < b {
            let mut v = b;
            let cuts = self
                .periods
                .iter()
                .map(|p| p.0)
                .chain(windows.iter().flat_map(|w| [w.start, w.end]));
            for x in cuts {
                if x > u && x < v {
                    v = x;
                }
            }
            let mid = 0.5 * (u + v);
            let m: f64 = windows
                .iter()
                .filter(|w| w.start <= mid && mid < w.end)
                .map(|w| w.multiplier)
                .product();
            total += self.piece(u, v, m, mid);
            u = v;
        }
        total
    }

    /// The integral over [u, v], a piece on which the multiplier and the period are constant.
    fn piece(&self, u: f64, v: f64, m: f64, mid: f64) -> f64 {
        let constant = |g: f64| (v - u) * (m * g).max(MIN_GROWTH).ln_1p();
        if let Some(&(_, g)) = self.periods.iter().rev().find(|p| p.0 <= mid) {
            return constant(g);
        }
        match self.fading {
            None => constant(self.initial),
            Some((long_run, half_life)) if m == 1.0 => {
                self.faded_log_integral(v, long_run, half_life)
                    - self.faded_log_integral(u, long_run, half_life)
            }
            Some(_) => {
                let (centre, half) = (0.5 * (u + v), 0.5 * (v - u));
                let sum: f64 = GAUSS_NODES
                    .iter()
                    .map(|(x, w)| {
                        w * (m * self.rate_at(centre + half * x))
                            .max(MIN_GROWTH)
                            .ln_1p()
                    })
                    .sum();
                sum * half
            }
        }
    }

    /// Growth rate g(t) before periods and shocks: with fading, ln(1 + g(t)) =
    /// ln(1 + L) + (ln(1 + g0) - ln(1 + L)) 2^(-(t - start) / h).
    pub fn rate_at(&self, t: f64) -> f64 {
        match self.fading {
            None => self.initial,
            Some((long_run, half_life)) => {
                let (l0, ll) = (self.initial.ln_1p(), long_run.ln_1p());
                let weight = (-(t - self.start) * std::f64::consts::LN_2 / half_life).exp();
                (ll + (l0 - ll) * weight).exp_m1()
            }
        }
    }

    /// The integral of ln(1 + g(u)) du from start to t with fading:
    /// ln(1 + L) (t - start) + (ln(1 + g0) - ln(1 + L)) h / ln 2 (1 - 2^(-(t - start) / h)).
    fn faded_log_integral(&self, t: f64, long_run: f64, half_life: f64) -> f64 {
        let (l0, ll) = (self.initial.ln_1p(), long_run.ln_1p());
        let x = t - self.start;
        let k = std::f64::consts::LN_2 / half_life;
        ll * x + (l0 - ll) * (-(-x * k).exp_m1()) / k
    }
}

/// Capacity retired by time offset `k` steps from the start, for a lifetime of `lifetime_steps`
/// steps: the baseline retires as its age profile says ([`baseline_retired_share`], past log
/// growth `past` per step), and the positive additions of step j (spread evenly over that step)
/// retire one lifetime later. `prefix[j]` is the sum of positive additions of steps 1..=j,
/// `prefix[0] = 0`.
pub fn retired(baseline: f64, k: usize, (lifetime_steps, past): (f64, f64), prefix: &[f64]) -> f64 {
    let from_baseline = baseline * baseline_retired_share(k as f64, lifetime_steps, past);
    let x = k as f64 - lifetime_steps;
    if x < 0.0 {
        return from_baseline;
    }
    // x >= 0: truncation is floor (and no libm call).
    let n = x as usize;
    let partial = (x - n as f64) * (prefix[n + 1] - prefix[n]);
    from_baseline + prefix[n] + partial
}

/// Share of the baseline retired x steps after the start, lifetime L steps, when it was built
/// up at a steady log growth l per step (ages then exponential with rate l on [0, L]):
/// (e^(-l(L-x)) - e^(-lL)) / (1 - e^(-lL)) = expm1(l x) / expm1(l L) for x < L, then 1; x / L
/// (uniform ages) as l -> 0.
pub fn baseline_retired_share(x: f64, lifetime: f64, l: f64) -> f64 {
    if x >= lifetime {
        1.0
    } else if (l * lifetime).abs() < 1e-12 {
        x / lifetime
    } else {
        (l * x).exp_m1() / (l * lifetime).exp_m1()
    }
}

/// A ceiling K on organic capacity, approached as a logistic (docs/model.md, "Saturation").
#[derive(Debug, Clone, Copy)]
pub struct Saturation {
    /// K, P: organic growth stops there.
    pub ceiling: f64,
    /// (lifetime in steps, past log growth per step) when capacity retires: the room left is
    /// then K less what survives, not less everything ever installed.
    pub retirement: Option<(f64, f64)>,
}

impl Saturation {
    /// The gain of one step of gross capacity G, S of it surviving, with a growth multiple m:
    /// G (m - 1) (K - S) / (K + S (m - 1)), at most K - S, and 0 from S >= K on. Without
    /// retirement (S = G) this is the exact logistic step, G -> K / (1 + (K / G - 1) / m), the
    /// solution of dG/dt = r G (1 - G / K) after one step when m = e^(r dt); as K grows it
    /// tends to the step without a ceiling, G (m - 1).
    pub fn gain(&self, gross: f64, alive: f64, m: f64) -> f64 {
        let k = self.ceiling;
        if alive >= k || m <= 1.0 || gross <= 0.0 {
            return 0.0;
        }
        let grown = m - 1.0;
        (gross * grown * (k - alive) / (k + alive * grown)).min(k - alive)
    }

    /// Gross organic capacity under the ceiling: on entry `out[k]` holds exp(x_k dt) and
    /// `lumps[k]` the lumpiness F_k, so the step's multiple is 1 + (exp(x_k dt) - 1)^+ F_k; on
    /// return `out` holds the gross levels (each step adds [`Saturation::gain`] on the level
    /// and what survives of it) and `prefix[k]` the sum of the additions of steps 1..=k.
    pub fn levels(&self, baseline: f64, (out, lumps): (&mut [f64], &[f64]), prefix: &mut [f64]) {
        let mut level = baseline;
        out[0] = level;
        prefix[0] = 0.0;
        for k in 1..out.len() {
            let m = 1.0 + (out[k] - 1.0).max(0.0) * lumps[k];
            // retired() reads prefix up to k - 1 only: a lifetime is more than 0 steps.
            let alive = match self.retirement {
                None => level,
                Some(life_past) => (level - retired(baseline, k - 1, life_past, prefix)).max(0.0),
            };
            level += self.gain(level, alive, m);
            out[k] = level;
            prefix[k] = prefix[k - 1] + (out[k] - out[k - 1]).max(0.0);
        }
    }
}

/// Share of a project's capacity installed and not yet retired `elapsed` years after it came
/// online, with a linear ramp of `ramp` years and a lifetime of `lifetime` years.
pub fn surviving_fraction(elapsed: f64, ramp: f64, lifetime: f64) -> f64 {
    ramp_fraction(elapsed, ramp) - ramp_fraction(elapsed - lifetime, ramp)
}

/// Growth draws are kept above this (validation already makes lower draws practically impossible).
pub const MIN_GROWTH: f64 = -0.999_999;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restart_while_active_extends_the_window_instead_of_doubling_it() {
        let (mut w, mut l) = (Vec::new(), Vec::new());
        record_start(&mut w, &mut l, 0, 2025.0, 1.0, 0.5, 0.1);
        record_start(&mut w, &mut l, 0, 2025.5, 1.0, 0.5, 0.1);
        record_start(&mut w, &mut l, 0, 2027.0, 1.0, 0.5, 0.0);
        record_start(&mut w, &mut l, 1, 2025.2, 1.0, 0.8, 0.0);
        let spans: Vec<(usize, f64, f64)> = w.iter().map(|x| (x.shock, x.start, x.end)).collect();
        assert_eq!(
            spans,
            vec![
                (0, 2025.0, 2026.5),
                (0, 2027.0, 2028.0),
                (1, 2025.2, 2026.2)
            ]
        );
        // Each start with a loss loses its share, overlapping or not.
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn overlapping_shocks_multiply_their_multipliers() {
        let path = GrowthPath {
            start: 2024.0,
            initial: 0.4,
            fading: None,
            periods: &[],
        };
        let windows = [
            Window {
                shock: 0,
                start: 2024.0,
                end: 2025.0,
                multiplier: 0.5,
            },
            Window {
                shock: 1,
                start: 2024.5,
                end: 2025.0,
                multiplier: 0.5,
            },
        ];
        // Half a year at 20% a year, half a year at 10% a year.
        let want = 0.5 * 1.2f64.ln() + 0.5 * 1.1f64.ln();
        assert!((path.log_multiple(2024.0, 2025.0, &windows) - want).abs() < 1e-15);
    }

    #[test]
    fn retirement_of_the_baseline_is_linear_over_one_lifetime() {
        let prefix = vec![0.0; 30];
        // No past growth, lifetime of 8 steps: after 2 steps a quarter is gone, after 8 or more
        // all of it.
        assert_eq!(retired(1000.0, 2, (8.0, 0.0), &prefix), 250.0);
        assert_eq!(retired(1000.0, 8, (8.0, 0.0), &prefix), 1000.0);
        assert_eq!(retired(1000.0, 20, (8.0, 0.0), &prefix), 1000.0);
    }

    #[test]
    fn a_grown_baseline_is_young_and_retires_slowly_at_first() {
        // +65% a year for 5 years (the case): the first year retires
        // (e^(-l 4) - e^(-l 5)) / (1 - e^(-l 5)), l = ln 1.65, about 0.057, not a fifth.
        let l = 1.65f64.ln();
        let want = ((-l * 4.0).exp() - (-l * 5.0).exp()) / (1.0 - (-l * 5.0).exp());
        let got = baseline_retired_share(1.0, 5.0, l);
        assert!((got - want).abs() < 1e-14, "{got} vs {want}");
        assert!((0.05..0.06).contains(&got), "{got}");
        assert!(
            (0.2 / got - 3.5).abs() < 0.1,
            "uniform ages retire {} times as much",
            0.2 / got
        );
        // Continuity with uniform ages as growth vanishes, and all gone after one lifetime.
        assert!((baseline_retired_share(2.0, 5.0, 1e-9) - 0.4).abs() < 1e-8);
        assert_eq!(baseline_retired_share(5.0, 5.0, l), 1.0);
    }

    #[test]
    fn ramp_is_linear_between_online_and_full() {
        assert_eq!(ramp_fraction(-0.1, 1.0), 0.0);
        assert_eq!(ramp_fraction(0.0, 0.0), 1.0);
        assert_eq!(ramp_fraction(0.25, 1.0), 0.25);
        assert_eq!(ramp_fraction(2.0, 1.0), 1.0);
    }
}
