//! What the fuzz targets (fuzz/) and the property tests exercise: any bytes as a scenario
//! file, and a tiny run of whatever validates, checking that every table cell is finite.
//!
//! Kept in the library so that the cargo-fuzz targets (nightly) and the proptest smoke runs
//! in `cargo test` (stable) drive exactly the same code.

use crate::chart_data::ChartData;
use crate::engine::{self, RunSpec};
use crate::plot::{self, Format};
use crate::report::{self, json::RunMetadata};
use crate::results::RunResult;
use crate::scenario::{self, Scenario};

/// Trials of a short run: enough for every percentile to be defined.
pub const SHORT_RUN_TRIALS: u64 = 100;

/// Parses and validates bytes as a scenario file's content. Any input must give Some or None,
/// never a panic.
pub fn parse_bytes(bytes: &[u8]) -> Option<Scenario> {
    let text = std::str::from_utf8(bytes).ok()?;
    scenario::parse_str(text, "fuzz.toml", "fuzz").ok()
}

/// Every table a run writes, by file name.
pub type Tables = Vec<(&'static str, Vec<u8>)>;

/// Runs `trials` trials of a validated scenario on the current thread pool and renders its
/// tables (and, with `charts`, every chart as SVG in memory). Fails with a description of the
/// first non-finite number found in a table.
pub fn short_run(
    scenario: &Scenario,
    trials: u64,
    charts: bool,
) -> Result<(RunResult, Tables), String> {
    let mut spec = RunSpec::from_scenario(scenario);
    spec.trials = trials;
    let agg = engine::run(&spec, &|_| {});
    let result = RunResult::new(scenario, &agg);
    let metadata = RunMetadata {
        scenario_path: "fuzz.toml".to_string(),
        scenario_sha256: String::new(),
        program_version: env!("CARGO_PKG_VERSION").to_string(),
        elapsed_seconds: 0.0,
        threads: 1,
    };
    let tables = render_tables(&result, &metadata).map_err(|e| format!("{e:#}"))?;
    for (name, bytes) in &tables {
        if name.ends_with(".csv") {
            check_csv_finite(name, bytes)?;
        }
    }
    if charts {
        let data = ChartData::new(scenario, &agg, &result);
        for chart in plot::charts(&data) {
            // A chart may fail to draw (the error is reported to the user); it must not panic.
            let _ = plot::render(chart, &data, Format::Svg);
        }
    }
    Ok((result, tables))
}

fn render_tables(result: &RunResult, metadata: &RunMetadata) -> anyhow::Result<Tables> {
    Ok(vec![
        ("summary.csv", report::csv::summary_csv(result)?),
        ("targets.csv", report::csv::targets_csv(result)?),
        ("backtest.csv", report::csv::backtest_csv(result)?),
        ("used.csv", report::csv::used_csv(result)?),
        ("power.csv", report::csv::power_csv(result)?),
        (
            "summary.json",
            report::json::summary_json(result, metadata)?,
        ),
    ])
}

/// Checks every cell of a CSV table except names and sources: each is empty (a figure not
/// reported) or a finite number.
pub fn check_csv_finite(name: &str, bytes: &[u8]) -> Result<(), String> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("{name}: {e}"))?
        .clone();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{name}: {e}"))?;
        for (column, cell) in headers.iter().zip(record.iter()) {
            if matches!(column, "city" | "source") || cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => {}
                _ => {
                    return Err(format!(
                        "{name}: row {}, column {column}: '{cell}' is not a finite number",
                        row + 1
                    ));
                }
            }
        }
    }
    Ok(())
}
