//! Growth that moves (docs/model.md, "Growth that moves"): the integrated Ornstein-Uhlenbeck
//! log growth, the mean of the non-negative additions and the shared-noise correlation against
//! their closed forms, and paths that never fall by chance.

use crate::common::{SIGMAS, phi, quantile_se, run_text, z};
use simulate::analysis::decisions::Decisions;
use simulate::engine::{self, RunSpec};
use simulate::model::Model;
use simulate::scenario::{Scenario, parse_str};
use simulate::stats::{PERCENTILES, SKETCH_ALPHA};
use std::path::Path;

fn parse(text: &str) -> Scenario {
    parse_str(text, "test.toml", "test").unwrap_or_else(|e| panic!("{e}"))
}

/// (phi, c) of the exact OU step: phi = exp(-dt / tau), c = sigma sqrt((1 - phi^2) tau / 2).
fn ou(sigma: f64, tau: f64, dt: f64) -> (f64, f64) {
    let phi = (-dt / tau).exp();
    (phi, sigma * ((1.0 - phi * phi) * tau / 2.0).sqrt())
}

/// Var of dt (Y_1 + ... + Y_k), Y the OU from 0, written as the sum of the autocovariances
/// Cov(Y_i, Y_j) = phi^|i - j| Var(Y_min(i, j)), Var(Y_i) = c^2 (1 - phi^2i) / (1 - phi^2):
/// an independent route from the model's weights (docs/model.md).
fn integrated_variance((phi, c): (f64, f64), dt: f64, k: usize) -> f64 {
    let var = |i: usize| c * c * (1.0 - phi.powi(2 * i as i32)) / (1.0 - phi * phi);
    let mut sum = 0.0;
    for i in 1..=k {
        for j in 1..=k {
            sum += phi.powi(i.abs_diff(j) as i32) * var(i.min(j));
        }
    }
    dt * dt * sum
}

const HEADER: &str = "[scenario]\nstart = 2024.0\nend = 2030.0\nsteps_per_year = 4\nseed = 11\n";

#[test]
fn integrated_ou_log_growth_is_normal_with_the_closed_form_variance() {
    // growth +100% a year (log rate 0.69) against a stationary sd of the log rate of
    // sqrt(0.1^2 x 0.5 + 0.2^2 x 0.25) = 0.12: x < 0 has probability below 1e-8 per step, so
    // every step adds exp(x dt) - 1 and, with volatility 0 (F = 1), ln O = ln B + k dt ln 2 +
    // the integrated OU, a normal.
    let n = 200_000.0;
    let text = format!(
        "{HEADER}trials = {n}\n[dynamics]\nnational_volatility = 0.1\nnational_reversion_years = 1.0\n\
         [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 1.0\ngrowth_volatility = 0.2\n\
         growth_reversion_years = 0.5\n"
    );
    let (scenario, _, result) = run_text(&text);
    let dt = scenario.grid.dt();
    for row in result
        .rows
        .iter()
        .filter(|r| r.city == "A" && r.year > 2024.0)
    {
        let k = ((row.year - 2024.0) / dt).round() as usize;
        let var = integrated_variance(ou(0.1, 1.0, dt), dt, k)
            + integrated_variance(ou(0.2, 0.5, dt), dt, k);
        let (mu, sigma) = (1000f64.ln() + k as f64 * dt * 2f64.ln(), var.sqrt());
        let got = [row.p5, row.p10, row.p25, row.p50, row.p75, row.p90, row.p95];
        for (p, v) in PERCENTILES.iter().zip(got) {
            let p = p / 100.0;
            let expected = (mu + sigma * z(p)).exp();
            let tol = SIGMAS * sigma * quantile_se(p, n, phi(z(p))) + SKETCH_ALPHA;
            assert!(
                (v / expected).ln().abs() < tol,
                "k={k} p={p}: {v} vs {expected} (tol {tol})"
            );
        }
        let mean = (mu + sigma * sigma / 2.0).exp();
        let sd = mean * ((sigma * sigma).exp() - 1.0).sqrt();
        let got = row.mean.unwrap();
        assert!(
            (got - mean).abs() < SIGMAS * sd / n.sqrt(),
            "mean at k={k}: {got} vs {mean}"
        );
    }
}

/// ln O_K of every city in `n` trials of `text` (the last grid time).
fn log_levels(text: &str, n: u64) -> (Scenario, Vec<Vec<f64>>) {
    let scenario = parse(text);
    let model = Model::new(&scenario);
    let mut buf = model.buffer();
    let len = scenario.grid.len();
    let cities = scenario.cities.len();
    let mut out = vec![Vec::new(); cities];
    for trial in 0..n {
        model.run_trial(scenario.seed, trial, &mut buf);
        for (c, levels) in out.iter_mut().enumerate() {
            levels.push(buf.values[c * len + len - 1].ln());
        }
    }
    (scenario, out)
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (
        m,
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0),
    )
}

#[test]
fn shared_noise_correlates_the_cities_log_levels_as_the_closed_form_says() {
    // Two cities as above; the national factor and a shared share of 0.3 of the step shocks:
    // corr(ln O_A, ln O_B) = (V_n + 0.3 V_c) / (V_n + V_c) at every horizon.
    let city = |name: &str| {
        format!(
            "[[city]]\nname = \"{name}\"\nbaseline = 1000\ngrowth = 1.0\ngrowth_volatility = 0.2\n\
             growth_reversion_years = 0.5\n"
        )
    };
    let text = format!(
        "{HEADER}trials = 100\n[dynamics]\nnational_volatility = 0.1\nshared_shock = 0.3\n{}{}",
        city("A"),
        city("B")
    );
    let n = 40_000;
    let (scenario, levels) = log_levels(&text, n);
    let (dt, k) = (scenario.grid.dt(), scenario.grid.steps);
    let v_n = integrated_variance(ou(0.1, 1.0, dt), dt, k);
    let v_c = integrated_variance(ou(0.2, 0.5, dt), dt, k);
    let expected = (v_n + 0.3 * v_c) / (v_n + v_c);
    let (ma, va) = mean_var(&levels[0]);
    let (mb, vb) = mean_var(&levels[1]);
    let cov = levels[0]
        .iter()
        .zip(&levels[1])
        .map(|(a, b)| (a - ma) * (b - mb))
        .sum::<f64>()
        / (n as f64 - 1.0);
    let r = cov / (va * vb).sqrt();
    let se = (1.0 - expected * expected) / (n as f64).sqrt();
    assert!(
        (r - expected).abs() < SIGMAS * se,
        "corr {r} vs {expected} (se {se})"
    );
    // Each city's log level: mean and variance of the integrated OU.
    let mu = 1000f64.ln() + k as f64 * dt * 2f64.ln();
    for (m, v) in [(ma, va), (mb, vb)] {
        let var = v_n + v_c;
        assert!(
            (m - mu).abs() < SIGMAS * (var / n as f64).sqrt(),
            "mean {m} vs {mu}"
        );
        // Normal: Var(s^2) = 2 sigma^4 / (n - 1).
        let se = var * (2.0 / (n as f64 - 1.0)).sqrt();
        assert!((v - var).abs() < SIGMAS * se, "variance {v} vs {var}");
    }
    // Without sharing, the cities move together only through the national factor.
    let independent = text.replace("shared_shock = 0.3", "shared_shock = 0.0");
    let (_, levels) = log_levels(&independent, n);
    let r0 = pearson(&levels[0], &levels[1]);
    let expected0 = v_n / (v_n + v_c);
    let se0 = (1.0 - expected0 * expected0) / (n as f64).sqrt();
    assert!(
        (r0 - expected0).abs() < SIGMAS * se0,
        "corr {r0} vs {expected0}"
    );
    assert!(
        expected - expected0 > 10.0 * se,
        "the two cases are distinguishable"
    );
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let (ma, va) = mean_var(a);
    let (mb, vb) = mean_var(b);
    let n = a.len() as f64;
    let cov = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (n - 1.0);
    cov / (va * vb).sqrt()
}

#[test]
fn heavy_tails_keep_the_variance_of_the_national_factor() {
    // Student-t innovations with 5 degrees of freedom, scaled to variance 1: the integrated
    // factor has the normal case's variance (tolerance from the sample's own fourth moment).
    let text = format!(
        "{HEADER}trials = 100\n[dynamics]\nnational_volatility = 0.15\nnational_tails_df = 5\n\
         [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 3.0\n"
    );
    let n = 40_000;
    let (scenario, levels) = log_levels(&text, n);
    let (dt, k) = (scenario.grid.dt(), scenario.grid.steps);
    let var = integrated_variance(ou(0.15, 1.0, dt), dt, k);
    let (m, v) = mean_var(&levels[0]);
    let m4 = levels[0].iter().map(|x| (x - m).powi(4)).sum::<f64>() / n as f64;
    let se = ((m4 - v * v) / n as f64).sqrt();
    assert!(
        (v - var).abs() < SIGMAS * se,
        "variance {v} vs {var} (se {se})"
    );
    // The innovations are heavy-tailed: a single step's log growth has the kurtosis of t5,
    // 3 + 6 / (5 - 4) = 9, where a normal innovation gives 3.
    let one_step = text.replace("end = 2030.0", "end = 2024.25");
    let (_, first) = log_levels(&one_step, n);
    let (m1, v1) = mean_var(&first[0]);
    let k4 = first[0].iter().map(|x| (x - m1).powi(4)).sum::<f64>() / n as f64 / (v1 * v1);
    assert!(k4 > 4.5, "kurtosis {k4} (normal: 3, t5: 9)");
}

#[test]
fn additions_are_non_negative_with_the_closed_form_mean() {
    // One yearly step from B = 1000 with growth 0 (μ = 0): x = c w, F = exp(s w - s^2 / 2),
    // O_1 = B (1 + (e^x - 1)^+ F). E[O_1] / B = 1 + e^(-s^2/2 + (c + s)^2 / 2) Φ(c + s) - Φ(s)
    // (docs/model.md, "Growth that moves"), and O_1 >= B in every trial.
    let (sigma, tau, vol, n) = (0.4f64, 0.5f64, 0.3f64, 200_000.0f64);
    let text = format!(
        "[scenario]\nstart = 2024.0\nend = 2025.0\nsteps_per_year = 1\nseed = 5\ntrials = {n}\n\
         [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0\nvolatility = {vol}\n\
         growth_volatility = {sigma}\ngrowth_reversion_years = {tau}\n"
    );
    let (_, _, result) = run_text(&text);
    let (_, c) = ou(sigma, tau, 1.0);
    let cdf = simulate::scenario::dist::standard_normal_cdf;
    let s = vol;
    let ratio = 1.0 + (-s * s / 2.0 + (c + s).powi(2) / 2.0).exp() * cdf(c + s) - cdf(s);
    let row = result.row("A", 2025.0).unwrap();
    let sd = row.sd.unwrap();
    let got = row.mean.unwrap();
    assert!(
        (got - 1000.0 * ratio).abs() < SIGMAS * sd / n.sqrt(),
        "mean {got} vs {}",
        1000.0 * ratio
    );
    // Half the trials draw x < 0 and add nothing: the lower percentiles are the baseline (to
    // the sketch's accuracy).
    for p in [row.p5, row.p25] {
        assert!((p / 1000.0 - 1.0).abs() <= SKETCH_ALPHA, "{p}");
    }
    // The symmetric walk of 0.5.0 (and a capacity that may shrink) would put p5 near
    // 1000 e^(-1.645 x 0.3) = 611.
    assert!(row.p75 > 1000.0 * (1.0 + SKETCH_ALPHA));
}

/// Every risk that moves growth but none that lowers capacity: lumpiness, moving growth, a
/// national factor with heavy tails and shared shocks, growth distributions reaching below 0,
/// fading, periods, correlation, a growth shock, projects with ramps.
const NO_LOSSES: &str = r#"
[scenario]
start = 2024.5
end = 2030.0
steps_per_year = 4
seed = 3
trials = 3000

[dynamics]
national_volatility = 0.5
national_tails_df = 3
shared_shock = 0.5

[[city]]
name = "A"
baseline = { dist = "uniform", min = 900, max = 1100 }
growth = { dist = "uniform", min = -0.3, max = 1.0 }
growth_long_run = { dist = "uniform", min = -0.2, max = 0.2 }
growth_half_life_years = 2
volatility = 1.5
growth_volatility = 1.0

[[city.project]]
name = "P"
capacity = { dist = "pert", min = 100, mode = 300, max = 400 }
online = { dist = "uniform", min = 2025.0, max = 2026.5 }
probability = 0.8
ramp_years = 1.5

[[city]]
name = "B"
baseline = 500
growth = { dist = "triangular", min = -0.2, mode = 0.3, max = 0.6 }
volatility = 0.8

[[city.growth_period]]
from = 2027.0
growth = { dist = "uniform", min = -0.1, max = 0.3 }

[correlation]
matrix = [[1, 0.6], [0.6, 1]]

[[shock]]
name = "Controls"
annual_probability = 0.3
growth_multiplier = 0.5
duration_years = 2.0

[[target]]
city = "A"
at = 2025.6
capacity = 2000

[[target]]
city = "Total"
at = 2027.1
capacity = 3000

[[target]]
city = "B"
at = 2029.9
capacity = 1000
"#;

#[test]
fn no_path_falls_without_retirement_losses_or_caps() {
    let scenario = parse(NO_LOSSES);
    let model = Model::new(&scenario);
    let mut buf = model.buffer();
    let len = scenario.grid.len();
    let (mut rises, mut flat) = (0usize, 0usize);
    for trial in 0..scenario.trials {
        model.run_trial(scenario.seed, trial, &mut buf);
        for (s, path) in buf.values.chunks_exact(len).enumerate() {
            for k in 1..len {
                assert!(
                    path[k] >= path[k - 1],
                    "trial {trial}, series {s}: {} then {} at step {k}",
                    path[k - 1],
                    path[k]
                );
                rises += usize::from(path[k] > path[k - 1]);
                flat += usize::from(path[k] == path[k - 1]);
            }
        }
        // A target read between grid times lies between the grid values around it.
        for (p, t) in scenario.targets.iter().enumerate() {
            let series = scenario.series().iter().position(|x| *x == t.series);
            let s = series.unwrap_or(model.series_count() - 1);
            let k = ((t.at - scenario.grid.start) / scenario.grid.dt()).floor() as usize;
            let (lo, hi) = (buf.values[s * len + k], buf.values[s * len + k + 1]);
            let v = buf.probes[p];
            assert!(
                v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12),
                "trial {trial}, target {p}: {v} outside [{lo}, {hi}]"
            );
        }
    }
    // The check has teeth: paths move, and some steps would have fallen (negative log growth).
    assert!(rises > 0 && flat > 0, "rises {rises}, flat {flat}");
}

#[test]
fn in_the_shipped_scenarios_the_share_at_or_above_equals_the_share_reached_by() {
    // No shipped scenario has a lifetime, a capacity loss or a power cap, and organic capacity
    // never falls by chance: at every grid time the share of trials at or above a capacity is
    // exactly the share that has reached it by then.
    for name in ["base", "high", "low", "export-controls", "china-2025"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
        let mut scenario = simulate::scenario::load(&path)
            .unwrap_or_else(|e| panic!("{e}"))
            .scenario;
        assert!(
            scenario
                .cities
                .iter()
                .all(|c| c.lifetime.is_none() && c.power.is_none()),
            "{name}"
        );
        assert!(scenario.shocks.iter().all(|s| s.capacity_loss == 0.0));
        scenario.trials = 5_000;
        scenario.condition = false;
        let spec = RunSpec::from_scenario(&scenario);
        let agg = engine::run(&spec, &|_| {});
        let d = Decisions::new(&scenario, &spec, &agg);
        assert!(!d.levels.is_empty(), "{name}");
        let mut between = 0;
        for l in &d.levels {
            assert_eq!(
                l.probability_at_or_above, l.probability_reached_by,
                "{name}: {} {} P at {}",
                l.city, l.capacity, l.year
            );
            between +=
                usize::from(l.probability_at_or_above > 0.0 && l.probability_at_or_above < 1.0);
        }
        assert!(
            between > 0,
            "{name}: some shares lie strictly between 0 and 1"
        );
    }
}
