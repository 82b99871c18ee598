//! What the fuzz targets (fuzz/) and the property tests exercise: any bytes as a scenario
//! file, and a tiny run of whatever validates, checking that every table cell is finite.
//!
//! Kept in the library so that the cargo-fuzz targets (nightly) and the proptest smoke runs
//! in `cargo test` (stable) drive exactly the same code.

use crate::analysis::Report;
use crate::analysis::results::RunResult;
use crate::engine::{self, Aggregate, RunSpec};
use crate::error::{Error, Result};
use crate::output;
use crate::report::json::RunMetadata;
use crate::scenario::{self, Scenario};
use std::collections::HashSet;

/// Trials of a short run: enough for every percentile to be defined.
pub const SHORT_RUN_TRIALS: u64 = 100;

/// Parses and validates bytes as a scenario file's content. Any input must give Some or None,
/// never a panic.
pub fn parse_bytes(bytes: &[u8]) -> Option<Scenario> {
    let text = std::str::from_utf8(bytes).ok()?;
    scenario::parse_str(text, "fuzz.toml", "fuzz").ok()
}

/// Every table a run writes, by file name.
pub type Tables = Vec<(String, Vec<u8>)>;

/// What a short run produced.
pub struct ShortRun {
    /// The run's result records.
    pub result: RunResult,
    /// Every table rendered, by file name.
    pub tables: Tables,
    /// The run's mergeable statistics.
    pub aggregate: Aggregate,
}

/// Runs `trials` trials of a validated scenario on the current thread pool and renders its
/// tables (and, with `charts`, every chart as SVG in memory). Fails with a description of the
/// first non-finite number found in a table.
pub fn short_run(scenario: &Scenario, trials: u64, charts: bool) -> Result<ShortRun> {
    let mut spec = RunSpec::from_scenario(scenario);
    spec.trials = trials;
    let agg = engine::run(&spec, &|_| {});
    let report = Report::new(scenario, &agg, None);
    let metadata = RunMetadata {
        scenario_path: "fuzz.toml".to_string(),
        scenario_sha256: String::new(),
        program_version: crate::version::VERSION.to_string(),
        git_revision: None,
        elapsed_seconds: 0.0,
        threads: 1,
        overrides: Vec::new(),
        scenario_text: String::new(),
    };
    let tables = output::table_files(&report, &metadata, &[])?;
    let names = scenario_names(scenario);
    for (table, bytes) in &tables {
        if table.ends_with(".csv") {
            check_csv_finite(table, bytes, &names)?;
        }
    }
    if charts {
        // Every chart drawn as SVG into the report page. A chart may fail to draw (the error
        // is reported to the user); it must not panic.
        let data = output::chart_data(scenario, &agg, &report);
        let _ = output::page_bytes(scenario, &report, &metadata, Some(&data), (None, None));
    }
    Ok(ShortRun {
        result: report.result,
        tables,
        aggregate: agg,
    })
}

/// Checks every cell of a CSV table: none may read as inf or NaN, except a cell that is one of
/// `names` (a city, project, shock or source may be called "inf").
pub fn check_csv_finite(table: &str, bytes: &[u8], names: &HashSet<String>) -> Result<()> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| Error::Failed(format!("{table}: {e}")))?
        .clone();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::Failed(format!("{table}: {e}")))?;
        for (column, cell) in headers.iter().zip(record.iter()) {
            let non_finite = cell.trim().parse::<f64>().is_ok_and(|v| !v.is_finite());
            if non_finite && !names.contains(cell) {
                return Err(Error::Failed(format!(
                    "{table}: row {}, column {column}: '{cell}' is not a finite number",
                    row + 1
                )));
            }
        }
    }
    Ok(())
}

/// Every name a scenario gives, which tables repeat verbatim.
pub fn scenario_names(scenario: &Scenario) -> HashSet<String> {
    let mut names: HashSet<String> = scenario.cities.iter().map(|c| c.name.clone()).collect();
    for c in &scenario.cities {
        names.extend(c.projects.iter().map(|p| p.name.clone()));
    }
    names.extend(scenario.observations.iter().map(|o| o.source.clone()));
    names.extend(scenario.bases.iter().map(|b| b.name.clone()));
    names.extend(scenario.shocks.iter().map(|s| s.name.clone()));
    names.insert(scenario.name.clone());
    names
}
