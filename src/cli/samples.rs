//! `--samples TIME,...`: samples.parquet beside a run's tables ([`crate::output::samples`]),
//! written by a second pass over the trials into a temporary file beside the output folder and
//! published with the rest of the set.

use super::args::RunConfig;
use super::interrupt;
use super::progress::progress_bar;
use crate::engine::RunSpec;
use crate::error::{Context, Error, Result};
use crate::model::Model;
use crate::output::samples::{self, SamplePlan};
use crate::scenario::{LoadedScenario, Scenario};

/// Checks the times of `--samples` against every scenario before anything runs, listing every
/// problem at once.
pub fn check_all(loaded: &[LoadedScenario], times: &[f64]) -> Result<()> {
    let problems: Vec<Error> = loaded
        .iter()
        .filter_map(|l| plan_for(&l.scenario, times).err())
        .collect();
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems
            .into_iter()
            .next()
            .unwrap_or(Error::Many(Vec::new()))),
        _ => Err(Error::Many(problems)),
    }
}

fn plan_for(scenario: &Scenario, times: &[f64]) -> Result<SamplePlan> {
    samples::plan(scenario, &Model::new(scenario).input_names(), times)
}

/// Writes the samples of a finished run into a temporary file under OUT (removed when the
/// returned path is dropped, unless published first), with a progress bar on stderr.
pub fn write(
    scenario: &Scenario,
    spec: &RunSpec,
    times: &[f64],
    config: &RunConfig,
) -> Result<tempfile::TempPath> {
    let plan = samples::plan(scenario, &spec.model.input_names(), times)?;
    std::fs::create_dir_all(&config.out)
        .with_context(|| format!("Could not create '{}'", config.out.display()))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".simulate-").suffix(".parquet");
    #[cfg(unix)]
    {
        // tempfile creates 0600 files; outputs are ordinary files readable by colleagues.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let (file, path) = builder
        .tempfile_in(&config.out)
        .with_context(|| {
            format!(
                "Could not create a temporary file in '{}'",
                config.out.display()
            )
        })?
        .into_parts();
    if !config.quiet {
        super::stdout::eprintln(&format!(
            "{}: recording {} trials x {} columns (a second pass over the same trials)",
            samples::FILE,
            spec.trials,
            plan.columns.len()
        ));
    }
    let bar = progress_bar(spec.trials, config.quiet);
    let stop = interrupt::stop_flag();
    let done = samples::write(spec, scenario, &plan, file, stop, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    if !done {
        let signal = interrupt::received().unwrap_or(Error::Interrupted { sigterm: false });
        return Err(signal.context(format!(
            "stopped while writing {} of '{}'; nothing was written",
            samples::FILE,
            scenario.name
        )));
    }
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("Could not write {}", samples::FILE))?;
    Ok(path)
}
