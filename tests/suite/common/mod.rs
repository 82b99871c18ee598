//! Helpers shared by the integration tests: run a scenario given as text.

#![allow(dead_code)]

use simulate::analysis::results::RunResult;
use simulate::engine::{self, Aggregate, RunSpec};
use simulate::scenario::{self, Scenario};

/// The `[scenario]` table of the closed-form tests: 2024 to 2030 in quarters, seed 11.
pub const HEADER: &str = r#"
[scenario]
start = 2024.0
end = 2030.0
steps_per_year = 4
seed = 11
"#;

/// a and b agree to `rel` of the larger (and of 1 near zero).
pub fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// Parses `text` (a whole scenario file) and runs it on the current thread pool.
pub fn run_text(text: &str) -> (Scenario, Aggregate, RunResult) {
    let scenario = scenario::parse_str(text, "test.toml", "test").unwrap_or_else(|e| panic!("{e}"));
    let spec = RunSpec::from_scenario(&scenario);
    let agg = engine::run(&spec, &|_| {});
    let result = RunResult::new(&scenario, &agg);
    (scenario, agg, result)
}

/// Standard normal quantile, from the library (itself checked against statrs in unit tests).
pub fn z(p: f64) -> f64 {
    simulate::scenario::dist::standard_normal_quantile(p)
}

/// Standard normal density.
pub fn phi(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard error of the sample p-quantile (p in 0..1) of n draws, for a density `f` at the
/// quantile: sqrt(p (1 - p) / n) / f.
pub fn quantile_se(p: f64, n: f64, density: f64) -> f64 {
    (p * (1.0 - p) / n).sqrt() / density
}

/// Monte Carlo tolerances are this many standard errors: with a few dozen checks per test the
/// chance of a false failure is below 1e-4 for a correct model.
pub const SIGMAS: f64 = 4.5;
