//! The risk features (docs/model.md) against exact expectations: shocks, growth fading and
//! periods, power caps, retirement, utilisation and correlated growth. Deterministic cases
//! compare to closed forms at floating-point precision; random ones use tolerances derived
//! from their Monte Carlo error.

use crate::common;

use common::{HEADER, SIGMAS, run_text};
use simulate::model::Model;
use simulate::scenario::{self, Scenario};
use simulate::stats::{SKETCH_ALPHA, exact_percentile};

/// Relative closeness at floating-point precision (sums over 24 steps).
fn close(a: f64, b: f64) -> bool {
    common::close(a, b, 1e-12)
}

fn parse(text: &str) -> Scenario {
    scenario::parse_str(text, "test.toml", "test").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `n` trials directly and returns, per trial, every series (series-major rows).
fn trials(scenario: &Scenario, n: u64) -> Vec<Vec<f64>> {
    let model = Model::new(scenario);
    let mut buf = model.buffer();
    (0..n)
        .map(|i| {
            model.run_trial(scenario.seed, i, &mut buf);
            buf.values.clone()
        })
        .collect()
}

/// Checks every percentile of a series whose trials all agree against `expected(t)`.
fn assert_path(
    result: &simulate::analysis::results::RunResult,
    city: &str,
    expected: impl Fn(f64) -> f64,
) {
    let rows: Vec<_> = result.rows.iter().filter(|r| r.city == city).collect();
    assert!(!rows.is_empty(), "no rows for {city}");
    for r in rows {
        let want = expected(r.year);
        for v in [r.p5, r.p50, r.p95] {
            assert!(close(v, want), "{city} at {}: {v} vs {want}", r.year);
        }
    }
}

#[test]
fn a_certain_shock_halves_growth_for_exactly_its_duration() {
    // A is hit from 2025.0 for 2 years, B from 2025.1 for 1.3 years (inside grid steps), C never.
    let text = format!(
        "{HEADER}trials = 200\n\
         [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.5\n\
         [[city]]\nname = \"B\"\nbaseline = 1000\ngrowth = 0.5\n\
         [[city]]\nname = \"C\"\nbaseline = 1000\ngrowth = 0.5\n\
         [[shock]]\nname = \"S\"\nat = 2025.0\ncities = [\"A\"]\ngrowth_multiplier = 0.5\nduration_years = 2.0\n\
         [[shock]]\nname = \"T\"\nat = 2025.1\ncities = [\"B\"]\ngrowth_multiplier = 0.5\nduration_years = 1.3\n"
    );
    let (_, _, result) = run_text(&text);
    // Growth 50% a year outside the shock, 25% a year inside it.
    let shocked = |t: f64, from: f64, years: f64| {
        let inside = (t - from).clamp(0.0, years);
        1000.0 * 1.5f64.powf(t - 2024.0 - inside) * 1.25f64.powf(inside)
    };
    assert_path(&result, "A", |t| shocked(t, 2025.0, 2.0));
    assert_path(&result, "B", |t| shocked(t, 2025.1, 1.3));
    assert_path(&result, "C", |t| 1000.0 * 1.5f64.powf(t - 2024.0));
}

#[test]
fn a_capacity_loss_removes_its_share_at_once_and_growth_resumes() {
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.2\n\
         [[shock]]\nname = \"Fire\"\nat = 2026.0\ncapacity_loss = 0.25\n"
    );
    let (_, _, result) = run_text(&text);
    assert_path(&result, "A", |t| {
        let keep = if t >= 2026.0 { 0.75 } else { 1.0 };
        keep * 1000.0 * 1.2f64.powf(t - 2024.0)
    });
}

#[test]
fn random_shocks_start_with_their_annual_probability() {
    // A shock that wipes capacity out: P(capacity is 0 at t) = 1 - (1 - p)^(t - start).
    let (p, n) = (0.3, 20_000u64);
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.0\n\
         [[shock]]\nname = \"Wipe\"\nannual_probability = {p}\ncapacity_loss = 1.0\n"
    );
    let s = parse(&text);
    let runs = trials(&s, n);
    for k in 0..s.grid.len() {
        let t = s.grid.time(k) - s.grid.start;
        let want = 1.0 - (1.0f64 - p).powf(t);
        let got = runs.iter().filter(|v| v[k] == 0.0).count() as f64 / n as f64;
        let tol = SIGMAS * (want * (1.0 - want) / n as f64).sqrt() + 1e-12;
        assert!(
            (got - want).abs() <= tol,
            "t={t}: {got} vs {want} (tol {tol})"
        );
    }
}

#[test]
fn growth_fades_toward_its_long_run_rate_with_the_given_half_life() {
    let (g0, gl, h) = (0.5f64, 0.1f64, 2.0f64);
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = {g0}\n\
         growth_long_run = {gl}\ngrowth_half_life_years = {h}\n"
    );
    let (_, _, result) = run_text(&text);
    // ln X(t) = ln 1000 + ln(1+L) x + (ln(1+g0) - ln(1+L)) h / ln 2 (1 - 2^(-x/h)), x = t - start.
    let (l0, ll) = (g0.ln_1p(), gl.ln_1p());
    let expected = |t: f64| {
        let x = t - 2024.0;
        let k = std::f64::consts::LN_2 / h;
        1000.0 * (ll * x + (l0 - ll) * (1.0 - 2f64.powf(-x / h)) / k).exp()
    };
    assert_path(&result, "A", expected);
    // After one half-life the annual rate is (1.5 * 1.1)^(1/2) - 1, halfway in log terms.
    let a = expected(2026.0);
    let rate = (expected(2026.0 + 1e-4) / a).powf(1e4) - 1.0;
    assert!((rate - (1.5f64 * 1.1).sqrt() + 1.0).abs() < 1e-4, "{rate}");
}

#[test]
fn growth_periods_change_the_rate_from_their_start() {
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.5\n\
         [[city.growth_period]]\nfrom = 2026.0\ngrowth = 0.2\n\
         [[city.growth_period]]\nfrom = 2027.3\ngrowth = -0.1\n"
    );
    let (_, _, result) = run_text(&text);
    // Organic additions are non-negative (docs/model.md, "Growth that moves"): each quarter
    // multiplies capacity by exp of its log growth when that is positive, else by 1. From
    // 2027.3 the rate is negative, so capacity holds its level instead of shrinking by 10% a
    // year; the quarter from 2027.25 nets 0.05 ln 1.2 + 0.2 ln 0.9 < 0 and holds it too.
    let log_multiple = |t: f64| {
        let first = (t.min(2026.0) - 2024.0).max(0.0);
        let second = (t.min(2027.3) - 2026.0).max(0.0);
        let third = (t - 2027.3).max(0.0);
        first * 1.5f64.ln() + second * 1.2f64.ln() + third * 0.9f64.ln()
    };
    assert_path(&result, "A", |t| {
        let quarters = ((t - 2024.0) * 4.0).round() as usize;
        let steps = (1..=quarters).map(|k| {
            let (a, b) = (2024.0 + (k - 1) as f64 / 4.0, 2024.0 + k as f64 / 4.0);
            (log_multiple(b) - log_multiple(a)).max(0.0)
        });
        1000.0 * steps.sum::<f64>().exp()
    });
}

#[test]
fn a_shock_on_fading_growth_multiplies_the_faded_rate() {
    // No closed form: compare with a fine midpoint rule of ln(1 + m g(t)).
    let (g0, gl, h, m) = (0.6f64, 0.1f64, 1.5f64, 0.4f64);
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = {g0}\n\
         growth_long_run = {gl}\ngrowth_half_life_years = {h}\n\
         [[shock]]\nname = \"S\"\nat = 2025.3\ngrowth_multiplier = {m}\nduration_years = 1.9\n"
    );
    let (_, _, result) = run_text(&text);
    let rate = |x: f64| {
        let w = 2f64.powf(-x / h);
        (gl.ln_1p() + (g0.ln_1p() - gl.ln_1p()) * w).exp_m1()
    };
    for r in result.rows.iter().filter(|r| r.city == "A") {
        let x_end = r.year - 2024.0;
        // Midpoint rule on each piece where the multiplier is constant (x in years).
        let pieces = [(0.0, 1.3, 1.0), (1.3, 3.2, m), (3.2, f64::INFINITY, 1.0)];
        let log: f64 = pieces
            .iter()
            .filter(|(lo, _, _)| *lo < x_end)
            .map(|&(lo, hi, mult)| {
                let (hi, steps) = (x_end.min(hi), 20_000);
                let dx = (hi - lo) / steps as f64;
                (0..steps)
                    .map(|i| (mult * rate(lo + (i as f64 + 0.5) * dx)).ln_1p() * dx)
                    .sum::<f64>()
            })
            .sum();
        // The midpoint rule's error is below 1e-9 here (smooth pieces, dx <= 1.5e-4).
        let want = 1000.0 * log.exp();
        assert!(
            (r.p50 / want - 1.0).abs() < 1e-7,
            "{}: {} vs {want}",
            r.year,
            r.p50
        );
    }
}

#[test]
fn a_power_cap_below_the_baseline_holds_capacity_at_the_cap() {
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.3\n\
         [city.power]\nmw = 1000\np_per_mw = 0.5\n"
    );
    let (_, _, result) = run_text(&text);
    assert_path(&result, "A", |_| 500.0);
    assert!(!result.power.is_empty());
    for p in &result.power {
        assert_eq!(p.probability, 1.0, "binds at {}", p.year);
    }
}

// A growing cap with efficiency growth: tests/suite/vintage.rs (the cap counts vintages
// since 0.7.0, and the expected path was re-derived there).

#[test]
fn the_binding_probability_matches_the_chance_that_power_grows_slower() {
    // Binds at x > 0 iff 1000 (1 + m)^x < 1000 * 1.5^x, i.e. m < 0.5: probability 1/2.
    let n = 20_000.0;
    let text = format!(
        "{HEADER}trials = {n}\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.5\n\
         [city.power]\nmw = 1000\nmw_growth = {{ dist = \"uniform\", min = 0.3, max = 0.7 }}\n\
         p_per_mw = 1\n"
    );
    let (_, _, result) = run_text(&text);
    for p in &result.power {
        let want = if p.year > 2024.0 { 0.5 } else { 0.0 };
        let tol = SIGMAS * (0.25f64 / n).sqrt();
        assert!(
            (p.probability - want).abs() <= tol,
            "{}: {}",
            p.year,
            p.probability
        );
    }
}

#[test]
fn fixed_lifetime_retirement_follows_the_linear_decline_of_uniform_ages() {
    // Baseline ages uniform over one lifetime: B (1 - x / L) until x = L, then 0. A project of
    // 100 P online at 2025 with a 1-year ramp retires slice by slice 4 years later.
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.0\nlifetime = 4\n\
         [[city.project]]\nname = \"P\"\ncapacity = 100\nonline = 2025.0\nramp_years = 1.0\n"
    );
    let (_, _, result) = run_text(&text);
    let ramp = |x: f64| x.clamp(0.0, 1.0);
    assert_path(&result, "A", |t| {
        let x = t - 2024.0;
        1000.0 * (1.0 - x / 4.0).max(0.0) + 100.0 * (ramp(t - 2025.0) - ramp(t - 2029.0))
    });
}

#[test]
fn retirement_with_growth_keeps_one_lifetime_of_additions() {
    // With steady growth g and lifetime L (a whole number of steps), once t >= start + L the
    // surviving capacity is everything added in the last L years: O(t) - O(t - L) exactly,
    // with the additions of each step spread over it. Before, the baseline (built up at the
    // same growth: ages exponential on [0, L]) has lost B expm1(l x) / expm1(l L), l = ln 1.4.
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.4\nlifetime = 2.5\n"
    );
    let (_, _, result) = run_text(&text);
    let o = |x: f64| 1000.0 * 1.4f64.powf(x);
    assert_path(&result, "A", |t| {
        let x = t - 2024.0;
        if x >= 2.5 {
            o(x) - o(x - 2.5)
        } else {
            let l = 1.4f64.ln();
            o(x) - 1000.0 * (l * x).exp_m1() / (l * 2.5).exp_m1()
        }
    });
}

#[test]
fn utilisation_scales_used_capacity_and_leaves_installed_unchanged() {
    let base = format!(
        "{HEADER}trials = 20000\n[[city]]\nname = \"A\"\nbaseline = {{ dist = \"uniform\", min = 900, max = 1100 }}\n\
         growth = 0.3\nvolatility = 0.1\n"
    );
    let with = format!("{base}utilisation = {{ dist = \"uniform\", min = 0.2, max = 0.8 }}\n");
    let (_, _, plain) = run_text(&base);
    let (_, _, used) = run_text(&with);
    assert_eq!(plain.rows, used.rows, "installed figures must not move");
    assert!(plain.used_rows.is_empty());
    // Used mean = E[u] E[installed] (independent draws), within Monte Carlo error.
    for (u, i) in used.used_rows.iter().zip(&used.rows) {
        let (mu, mi, si) = (u.mean.unwrap(), i.mean.unwrap(), i.sd.unwrap());
        // Var(u X) = E[u^2] E[X^2] - (E[u] E[X])^2, with E[u] = 0.5 and E[u^2] = 0.28.
        let var = 0.28 * (si * si + mi * mi) - (0.5 * mi).powi(2);
        let tol = SIGMAS * (var / 20_000.0).sqrt();
        assert!(
            (mu - 0.5 * mi).abs() <= tol,
            "{}: {mu} vs {}",
            u.year,
            0.5 * mi
        );
    }
}

#[test]
fn correlation_one_makes_the_total_p95_exactly_twice_a_city() {
    let text = format!(
        "{HEADER}trials = 4000\n\
         [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = {{ dist = \"normal\", mean = 0.3, sd = 0.1 }}\n\
         [[city]]\nname = \"B\"\nbaseline = 1000\ngrowth = {{ dist = \"normal\", mean = 0.3, sd = 0.1 }}\n\
         [correlation]\ngrowth = 1.0\n"
    );
    let s = parse(&text);
    let len = s.grid.len();
    let runs = trials(&s, 4000);
    let end = len - 1;
    let mut city: Vec<f64> = runs.iter().map(|v| v[end]).collect();
    let mut total: Vec<f64> = runs.iter().map(|v| v[2 * len + end]).collect();
    for v in &runs {
        assert_eq!(v[end], v[len + end], "the two cities move as one");
    }
    city.sort_by(f64::total_cmp);
    total.sort_by(f64::total_cmp);
    assert_eq!(
        exact_percentile(&total, 95.0),
        2.0 * exact_percentile(&city, 95.0)
    );
    // The engine's sketch reports each within its relative accuracy.
    let (_, _, result) = run_text(&text);
    let a = result.row("A", 2030.0).unwrap().p95;
    let t = result.row("Total", 2030.0).unwrap().p95;
    assert!(
        (t / (2.0 * a) - 1.0).abs() <= 2.0 * SKETCH_ALPHA,
        "{t} vs 2 x {a}"
    );
}

/// Spearman's rank correlation of paired samples without ties.
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let ranks = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|a, b| v[*a].total_cmp(&v[*b]));
        let mut r = vec![0.0; v.len()];
        for (rank, i) in idx.into_iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    };
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let cov: f64 = rx
        .iter()
        .zip(&ry)
        .map(|(a, b)| (a - mean) * (b - mean))
        .sum();
    let var: f64 = rx.iter().map(|a| (a - mean) * (a - mean)).sum();
    cov / var
}

#[test]
fn requested_rank_correlations_are_recovered_and_marginals_kept() {
    // Capacity at the end is increasing in the growth draw (fixed baseline, no volatility), so
    // its rank correlation between cities is that of the growth draws.
    let n = 20_000u64;
    let text = format!(
        "{HEADER}trials = 100\n\
         [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = {{ dist = \"normal\", mean = 0.3, sd = 0.1 }}\n\
         [[city]]\nname = \"B\"\nbaseline = 1000\ngrowth = {{ dist = \"triangular\", min = 0.0, mode = 0.2, max = 0.6 }}\n\
         [[city]]\nname = \"C\"\nbaseline = 1000\ngrowth = {{ dist = \"pert\", min = -0.1, mode = 0.3, max = 0.5 }}\n\
         [correlation]\nmatrix = [[1, 0.6, 0.3], [0.6, 1, -0.2], [0.3, -0.2, 1]]\n"
    );
    let s = parse(&text);
    let len = s.grid.len();
    let runs = trials(&s, n);
    let end_of = |c: usize| -> Vec<f64> { runs.iter().map(|v| v[c * len + len - 1]).collect() };
    let ends = [end_of(0), end_of(1), end_of(2)];
    for (i, j, r) in [(0, 1, 0.6), (0, 2, 0.3), (1, 2, -0.2)] {
        let got = spearman(&ends[i], &ends[j]);
        // Standard error of Spearman's rho: about (1 - r^2) / sqrt(n - 1).
        let tol = SIGMAS * (1.0 - r * r) / ((n - 1) as f64).sqrt();
        assert!(
            (got - r).abs() <= tol,
            "({i},{j}): {got} vs {r} (tol {tol})"
        );
    }
    // Each city keeps its own marginal: the share of trials below the capacity that the growth
    // median gives is 1/2.
    let medians = [
        0.3,
        0.6 - (0.6f64 * 0.4 / 2.0).sqrt(),
        s.cities[2].growth.median(),
    ];
    for (c, g) in medians.iter().enumerate() {
        let threshold = 1000.0 * (1.0 + g).powf(6.0);
        let below = ends[c].iter().filter(|v| **v < threshold).count() as f64 / n as f64;
        let tol = SIGMAS * (0.25 / n as f64).sqrt();
        assert!((below - 0.5).abs() <= tol, "city {c}: {below}");
    }
}

#[test]
fn without_correlation_each_city_keeps_its_independent_draws() {
    // Adding a shock that never hits A and a correlation-free second city leaves A's path
    // bit for bit as it was: every new quantity draws from its own stream.
    let one = format!(
        "{HEADER}trials = 3000\n[[city]]\nname = \"A\"\nbaseline = {{ dist = \"uniform\", min = 900, max = 1100 }}\n\
         growth = {{ dist = \"normal\", mean = 0.3, sd = 0.1 }}\nvolatility = 0.2\n"
    );
    let more = format!(
        "{one}[[city]]\nname = \"B\"\nbaseline = 500\ngrowth = 0.2\nlifetime = 5\n\
         utilisation = 0.5\n[city.power]\nmw = 100\np_per_mw = 1\n\
         [[shock]]\nname = \"S\"\nannual_probability = 0.5\ncities = [\"B\"]\ngrowth_multiplier = 0.5\nduration_years = 1\n"
    );
    let (_, _, a) = run_text(&one);
    let (_, _, b) = run_text(&more);
    let rows = |r: &simulate::analysis::results::RunResult| -> Vec<_> {
        r.rows.iter().filter(|x| x.city == "A").cloned().collect()
    };
    assert_eq!(rows(&a), rows(&b));
}

#[test]
fn the_export_controls_scenario_is_valid_and_uses_shocks_and_correlation() {
    let loaded = scenario::load(std::path::Path::new("scenarios/export-controls.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let s = loaded.scenario;
    assert_eq!(s.name, "export-controls");
    assert!(s.correlation.is_some());
    assert!(!s.shocks.is_empty());
    assert!(s.shocks.iter().all(|sh| sh.cities.len() == s.cities.len()));
}
