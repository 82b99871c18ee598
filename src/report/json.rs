//! summary.json: the tables plus the run's metadata, for programs that read results.

use crate::analysis::Report;
use crate::analysis::condition::ConditionReport;
use crate::analysis::results::RunResult;
use crate::error::Result;
use crate::scenario::LoadedScenario;
use serde::Serialize;

/// Facts about a run that are not results: where it came from and how it ran.
#[derive(Debug, Clone, Serialize)]
pub struct RunMetadata {
    /// Path of the scenario file as given.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Version of this program.
    pub program_version: String,
    /// Git revision this program was built from, when known.
    pub git_revision: Option<String>,
    /// Wall-clock time of the simulation, seconds.
    pub elapsed_seconds: f64,
    /// Worker threads used (results do not depend on it).
    pub threads: usize,
    /// `--set PATH=VALUE` overrides applied on top of the scenario file, in order.
    pub overrides: Vec<String>,
    /// The scenario file's text, for the report page (not in summary.json; empty when
    /// unknown).
    #[serde(skip)]
    pub scenario_text: String,
}

impl RunMetadata {
    /// The metadata of a run of `l` that took `elapsed_seconds` on `threads` threads.
    pub fn new(l: &LoadedScenario, elapsed_seconds: f64, threads: usize) -> Self {
        RunMetadata {
            scenario_path: l.path.clone(),
            scenario_sha256: l.content_hash.clone(),
            program_version: crate::version::VERSION.to_string(),
            git_revision: crate::version::GIT_REVISION.map(str::to_string),
            elapsed_seconds,
            threads,
            overrides: l.overrides.iter().map(|o| o.to_string()).collect(),
            scenario_text: l.text.clone(),
        }
    }
}

/// One chart file of a run's folder, as summary.json lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartEntry {
    /// File name inside the scenario's folder (e.g. `fan_beijing.png`).
    pub file: String,
    /// What kind of chart it is (`fan`, `cities`, `horizon`, `paths`, `targets`,
    /// `crossing`, `tornado`).
    pub kind: String,
    /// The series it shows (city names, `Total`), in order.
    pub series: Vec<String>,
}

#[derive(Serialize)]
struct Document<'a> {
    /// Units of every capacity in this file.
    units: &'static str,
    metadata: &'a RunMetadata,
    #[serde(flatten)]
    result: &'a RunResult,
    /// Conditioning and calibration, when the scenario has reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    conditioning: Option<&'a ConditionReport>,
    /// Inputs that look like slips and reports the projection disagrees with (stderr shows
    /// the same lines); empty when none.
    warnings: &'a [String],
    /// Every chart file written beside this one, with what it shows (empty with --no-plots).
    charts: &'a [ChartEntry],
}

/// summary.json of a run whose folder also holds `charts`.
pub fn summary_json(
    report: &Report,
    metadata: &RunMetadata,
    charts: &[ChartEntry],
) -> Result<Vec<u8>> {
    let doc = Document {
        units: "P (PFLOPS, FP16); years are decimal years",
        metadata,
        result: &report.result,
        conditioning: report.conditioning.as_ref(),
        warnings: &report.warnings,
        charts,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}
