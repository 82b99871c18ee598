//! Backtest percentiles against answers known in closed form, exact tie handling, thread
//! independence, and the checks on `[[city.observed]]`.

use simulate::analysis::results::RunResult;
use simulate::engine::{self, RunSpec};
use simulate::scenario::dist::{lognormal_params, standard_normal_cdf};
use simulate::scenario::parse_str;

const TRIALS: u64 = 20_000;

fn run(text: &str, threads: usize) -> (RunResult, engine::Aggregate) {
    let scenario = parse_str(text, "test.toml", "test").unwrap_or_else(|e| panic!("{e}"));
    let spec = RunSpec::from_scenario(&scenario);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let agg = pool.install(|| engine::run(&spec, &|_| {}));
    (RunResult::new(&scenario, &agg), agg)
}

fn header(trials: u64) -> String {
    format!(
        "[scenario]\nstart = 2024.5\nend = 2027.0\nsteps_per_year = 4\ntrials = {trials}\nseed = 7\n"
    )
}

/// Tolerance in percentile points: 4.5 Monte Carlo standard errors of a share p over
/// `TRIALS` trials (a correct model fails this about once in 150,000 runs).
fn tolerance_pts(p: f64) -> f64 {
    4.5 * 100.0 * (p * (1.0 - p) / TRIALS as f64).sqrt()
}

#[test]
fn observation_at_the_value_of_a_deterministic_city_sits_at_the_median() {
    // growth 0 and no volatility: every trial holds exactly 1,000 P at every grid time.
    let text = header(1_000)
        + r#"
[[city]]
name = "Flat"
baseline = 1000
growth = 0.0
[[city.observed]]
at = 2025.1
capacity = 1000
source = "exactly the value: every trial ties"
[[city.observed]]
at = 2024.5
capacity = 999.5
source = "just below: every trial is above"
[[city.observed]]
at = 2027.0
capacity = 1000.5
source = "just above: every trial is below"
"#;
    let (result, agg) = run(&text, 2);
    let p: Vec<f64> = result.backtest.iter().map(|b| b.percentile).collect();
    assert_eq!(p, vec![50.0, 0.0, 100.0]);
    assert_eq!(agg.observation_ranks[0].equal, 1_000);
    assert_eq!(
        result.backtest[0].evaluated_at, 2025.1,
        "reports are read at their exact date"
    );
}

#[test]
fn percentile_of_a_lognormal_baseline_matches_the_closed_form() {
    let text = header(TRIALS)
        + r#"
[[city]]
name = "Lognormal"
baseline = { dist = "lognormal", p5 = 500, p95 = 2000 }
growth = 0.0
[[city.observed]]
at = 2026.0
capacity = 1500
source = "closed form"
"#;
    let (result, _) = run(&text, 2);
    let (mu, sigma) = lognormal_params(500.0, 2000.0);
    let expected = standard_normal_cdf((1500f64.ln() - mu) / sigma);
    let got = result.backtest[0].percentile;
    assert!(
        (got - 100.0 * expected).abs() < tolerance_pts(expected),
        "percentile {got}, closed form {}",
        100.0 * expected
    );
}

#[test]
fn percentile_under_moving_growth_matches_the_closed_form() {
    // Fixed baseline, growth +100% a year, no lumpiness, the city's log growth an
    // Ornstein-Uhlenbeck deviation (sigma 0.2, tau 0.5) around ln 2: every step adds
    // (docs/model.md, "Growth that moves"), so after four quarters ln(value / 1000) is normal
    // with mean ln 2 and variance dt^2 c^2 sum over j of ((1 - phi^j) / (1 - phi))^2.
    let text = header(TRIALS)
        + r#"
[[city]]
name = "Walk"
baseline = 1000
growth = 1.0
growth_volatility = 0.2
growth_reversion_years = 0.5
[[city.observed]]
at = 2025.5
capacity = 2100
source = "closed form"
"#;
    let (result, _) = run(&text, 2);
    let (dt, sigma, tau) = (0.25f64, 0.2f64, 0.5f64);
    let phi = (-dt / tau).exp();
    let c = sigma * ((1.0 - phi * phi) * tau / 2.0).sqrt();
    let weights: f64 = (1..=4)
        .map(|j| ((1.0 - phi.powi(j)) / (1.0 - phi)).powi(2))
        .sum();
    let sd = dt * c * weights.sqrt();
    let expected = standard_normal_cdf((2100f64.ln() - 2000f64.ln()) / sd);
    let got = result.backtest[0].percentile;
    assert!(
        (got - 100.0 * expected).abs() < tolerance_pts(expected),
        "percentile {got}, closed form {}",
        100.0 * expected
    );
}

#[test]
fn observation_counts_do_not_depend_on_the_thread_count() {
    let text = header(5_000)
        + r#"
[[city]]
name = "Walk"
baseline = { dist = "uniform", min = 800, max = 1200 }
growth = { dist = "normal", mean = 0.3, sd = 0.1 }
volatility = 0.2
[[city.observed]]
at = 2026.0
capacity = 1600
source = "thread test"
"#;
    let (_, one) = run(&text, 1);
    let (_, three) = run(&text, 3);
    assert_eq!(one.observation_ranks, three.observation_ranks);
    assert!(one.observation_ranks[0].below > 0 && one.observation_ranks[0].below < 5_000);
}

fn errors_of(text: &str) -> String {
    match parse_str(text, "bad.toml", "bad") {
        Ok(_) => panic!("expected an invalid scenario"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn observation_outside_the_horizon_is_an_error_naming_line_and_key() {
    let text = header(1_000)
        + r#"
[[city]]
name = "A"
baseline = 1000
growth = 0.1
[[city.observed]]
at = 2027.5
capacity = 1000
source = "too late"
"#;
    let msg = errors_of(&text);
    assert!(msg.contains("bad.toml:13:"), "{msg}");
    assert!(msg.contains("city[A].observed[0].at"), "{msg}");
    assert!(msg.contains("outside the horizon"), "{msg}");
}

#[test]
fn observation_needs_a_source_and_a_non_negative_capacity() {
    let text = header(1_000)
        + r#"
[[city]]
name = "A"
baseline = 1000
growth = 0.1
[[city.observed]]
at = 2025.0
capacity = -5
source = "  "
"#;
    let msg = errors_of(&text);
    assert!(msg.contains("city[A].observed[0].capacity"), "{msg}");
    assert!(msg.contains("city[A].observed[0].source"), "{msg}");
    let missing = header(1_000)
        + "[[city]]\nname = \"A\"\nbaseline = 1\ngrowth = 0.1\n[[city.observed]]\nat = 2025.0\ncapacity = 1\n";
    assert!(
        errors_of(&missing).contains("source"),
        "{}",
        errors_of(&missing)
    );
}
