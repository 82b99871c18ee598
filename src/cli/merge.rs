//! `simulate merge PART...`: checks that the parts belong together (same program version,
//! scenario, seed, trials and overrides; each shard once), merges them, and writes the tables
//! and charts a single run would have written, as one set. Ctrl-C or SIGTERM stops it as it
//! stops a run: nothing is written (exit 130 or 143), or, once the set is being swapped in,
//! the whole new set is.

use super::interrupt;
use super::run::{Outputs, publish};
use crate::engine::shard::{self, PartFile};
use crate::engine::{Aggregate, RunSpec};
use crate::error::{Context, Error, Result};
use crate::report::json::RunMetadata;
use crate::scenario::{self, Scenario};
use std::path::{Path, PathBuf};

/// Merges the part files and publishes the result.
pub fn merge(paths: &[PathBuf], outputs: &Outputs) -> Result<()> {
    if !outputs.quiet {
        super::stdout::eprintln(&format!(
            "merging {} part files; Ctrl-C stops the merge without writing anything",
            paths.len()
        ));
    }
    let (scenario, agg, metadata, sensitivity_at) = merge_files(paths)?;
    let years = outputs.years.as_deref();
    super::check::check_years(&metadata.scenario_path, &scenario.grid, years)?;
    if let Some(signal) = interrupt::received() {
        return Err(signal.context("stopped the merge; nothing was written"));
    }
    let outputs = Outputs {
        sensitivity_at,
        years: outputs.years.clone(),
        ..*outputs
    };
    publish(&scenario, &agg, &metadata, &outputs)?;
    match interrupt::received() {
        // Arrived while the set was being swapped in: it is there, whole.
        Some(signal) => Err(signal.context("stopped after writing; every file is complete")),
        None => Ok(()),
    }
}

/// The largest part file read (4 GiB; a part of the largest grid is a few hundred MB).
const MAX_PART_BYTES: u64 = 4 << 30;

type Merged = (Scenario, Aggregate, RunMetadata, Option<Vec<f64>>);

fn merge_files(paths: &[PathBuf]) -> Result<Merged> {
    let mut parts = Vec::new();
    for (read, path) in paths.iter().enumerate() {
        if let Some(signal) = interrupt::received() {
            return Err(signal.context(format!(
                "stopped the merge after reading {read} of {} parts; nothing was written",
                paths.len()
            )));
        }
        let name = path.display().to_string();
        let bytes = scenario::read_limited(path, MAX_PART_BYTES)
            .map_err(|e| Error::Invalid(e.to_string()))
            .with_context(|| format!("Could not read part file '{name}'"))?
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "part file '{name}' is larger than {} GiB; it is not one simulate wrote",
                    MAX_PART_BYTES >> 30
                ))
            })?;
        let part: PartFile = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Invalid(e.to_string()))
            .with_context(|| format!("'{name}' is not a part file written by simulate --shard"))?;
        parts.push((name, part));
    }
    shard::check_parts(&parts)?;
    let meta = &parts[0].1.meta;
    if scenario::hex_sha256(meta.scenario_text.as_bytes()) != meta.scenario_sha256 {
        return Err(Error::Invalid(
            "the parts' scenario text does not match their SHA-256; a part file was edited"
                .to_string(),
        ));
    }
    let stem = Path::new(&meta.scenario_path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    let mut scenario = scenario::parse_with_overrides(
        &meta.scenario_text,
        &meta.scenario_path,
        &stem,
        &meta.overrides,
    )?;
    scenario.trials = meta.trials;
    scenario.seed = meta.seed;
    scenario.condition = meta.condition;
    let (meta, agg) = shard::merge_parts(parts, &RunSpec::from_scenario(&scenario))?;
    let metadata = RunMetadata {
        scenario_path: meta.scenario_path,
        scenario_sha256: meta.scenario_sha256,
        program_version: crate::version::VERSION.to_string(),
        git_revision: crate::version::GIT_REVISION.map(str::to_string),
        elapsed_seconds: meta.elapsed_seconds,
        threads: rayon::current_num_threads(),
        overrides: meta.overrides.iter().map(|o| o.to_string()).collect(),
        scenario_text: meta.scenario_text,
    };
    Ok((scenario, agg, metadata, meta.sensitivity_at))
}
