//! Running scenarios: each one (or one shard of it) on the thread pool, then its tables, the
//! terminal summary and its charts, or its part file.

use super::args::RunConfig;
use super::interrupt;
use super::progress::{progress_bar, thread_pool};
use super::stdout;
use crate::analysis::Report;
use crate::analysis::results::RunResult;
use crate::engine::shard::{PART_FORMAT, PART_VERSION, PartFile, PartMeta, Shard};
use crate::engine::{self, Aggregate, RunSpec};
use crate::error::{Error, Result};
use crate::output::{self, atomic};
use crate::plot::data::ChartData;
use crate::plot::{self, Format};
use crate::report::{self, json::RunMetadata};
use crate::scenario::{LoadedScenario, Scenario};
use std::path::Path;
use std::time::Instant;

/// Runs every scenario in turn; a failed one does not stop the others, and every failure is
/// reported at the end. Stops at once on a signal.
pub fn run_all(loaded: &[LoadedScenario], config: &RunConfig) -> Result<Vec<RunResult>> {
    let mut failures = Vec::new();
    let mut results = Vec::new();
    for l in loaded {
        match run_one(l, config) {
            Ok(r) => results.extend(r),
            Err(e) if e.interrupted().is_some() => return Err(e),
            Err(e) => failures.push(e),
        }
    }
    if let Some(signal) = interrupt::received() {
        // Arrived while charts were being drawn: they were finished, every file is whole.
        return Err(signal.context("stopped while writing; every file written is complete"));
    }
    match failures.len() {
        0 => Ok(results),
        1 => Err(failures.remove(0)),
        _ => Err(Error::Many(failures)),
    }
}

/// The range of trials this invocation runs: all, or its shard's.
pub fn trial_range(spec: &RunSpec, config: &RunConfig) -> std::ops::Range<u64> {
    match config.shard {
        Some(shard) => shard.trials(spec.trials),
        None => 0..spec.trials,
    }
}

/// Runs one scenario (or one shard of it) and writes its tables (or its part file); returns
/// the results of a whole run.
pub fn run_one(l: &LoadedScenario, config: &RunConfig) -> Result<Option<RunResult>> {
    let spec = RunSpec::from_scenario(&l.scenario);
    let pool = thread_pool(config.threads)?;
    let range = trial_range(&spec, config);
    let bar = progress_bar(range.end - range.start, config.quiet);
    let started = Instant::now();
    let stop = interrupt::stop_flag();
    let agg = pool.install(|| engine::run_range_until(&spec, range.clone(), &|n| bar.inc(n), stop));
    let elapsed = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let Some(agg) = agg else {
        return Err(stopped(l, config, elapsed));
    };
    let metadata = RunMetadata::new(l, elapsed, pool.current_num_threads());
    match config.shard {
        Some(shard) => write_part(l, shard, range, metadata, agg, config).map(|()| None),
        None => {
            let outputs = Outputs {
                out: &config.out,
                quiet: config.quiet,
                charts: config.charts,
                sensitivity_at: config.sensitivity_at.clone(),
            };
            pool.install(|| publish(&l.scenario, &agg, &metadata, &outputs))
                .map(Some)
        }
    }
}

/// The error of a run stopped by a signal: nothing of it was written.
fn stopped(l: &LoadedScenario, config: &RunConfig, seconds: f64) -> Error {
    let signal = interrupt::received().unwrap_or(Error::Interrupted { sigterm: false });
    signal.context(format!(
        "stopped the run of '{}' after {seconds:.1} s; nothing was written, earlier files in \
         '{}' are unchanged",
        l.path,
        config.out.join(&l.scenario.name).display()
    ))
}

/// Where and how a finished run's reports are written.
pub struct Outputs<'a> {
    /// The output folder; each scenario writes into `OUT/<name>/`.
    pub out: &'a Path,
    /// No summary on the terminal.
    pub quiet: bool,
    /// Chart format, or None for no charts.
    pub charts: Option<Format>,
    /// Years of the sensitivity analysis; None for the default years.
    pub sensitivity_at: Option<Vec<f64>>,
}

/// Writes a run's reports: the tables, the terminal summary, then the charts (on the current
/// rayon pool); returns the results. A chart that fails leaves the tables in place.
pub fn publish(
    scenario: &Scenario,
    agg: &Aggregate,
    metadata: &RunMetadata,
    outputs: &Outputs,
) -> Result<RunResult> {
    crate::analysis::condition::check_consistent(scenario, agg)?;
    let report = Report::new(scenario, agg, outputs.sensitivity_at.as_deref());
    let dir = output::write_tables(outputs.out, &report, metadata)?;
    if let Some(note) = report.result.overflow_note() {
        stdout::eprintln(&format!("warning: {note}"));
    }
    for note in report.conditioning.iter().flat_map(|c| &c.disagreements) {
        stdout::eprintln(&format!("warning: {note}"));
    }
    // A stdout that cannot be written (other than a closed pipe) fails the run after the
    // charts are drawn, so that the files are complete whatever happens to the terminal.
    let printed = match outputs.quiet {
        true => Ok(()),
        false => print_summary(&report, metadata, &dir),
    };
    if let Some(signal) = interrupt::received() {
        return Err(signal.context(format!(
            "the tables in '{}' are complete; the charts were not redrawn",
            dir.display()
        )));
    }
    let mut written: Vec<String> = output::table_names(&report)
        .into_iter()
        .map(str::to_string)
        .collect();
    let data = outputs
        .charts
        .map(|_| output::chart_data(scenario, agg, &report));
    let charts = match (outputs.charts, &data) {
        (Some(format), Some(data)) => {
            let started = Instant::now();
            written.extend(plot::planned(data, format).into_iter().map(|(_, f)| f));
            write_charts(&dir, data, format, started, outputs.quiet)
        }
        _ => Ok(()),
    };
    let sensitivity_at = outputs.sensitivity_at.as_deref();
    let page = output::write_page(
        &dir,
        scenario,
        &report,
        metadata,
        data.as_ref(),
        sensitivity_at,
    );
    written.push(output::PAGE.to_string());
    // Files of an earlier run of another shape (fan_<old city>.png, used.csv, ...) go.
    output::remove_stale(&dir, &written)?;
    page?;
    charts?;
    printed.map(|()| report.result)
}

fn print_summary(report: &Report, metadata: &RunMetadata, dir: &Path) -> Result<()> {
    stdout::print(&report::terminal::render(&report.result))?;
    stdout::print(&report::terminal::render_decisions(
        &report.decisions,
        &report.sensitivity,
    ))?;
    if let Some(c) = &report.conditioning {
        stdout::print(&report::conditioning::render(c))?;
    }
    stdout::println(&format!(
        "{} trials in {:.2} s ({:.0} trials/s on {} threads); tables in {}",
        report.result.trials,
        metadata.elapsed_seconds,
        report.result.trials as f64 / metadata.elapsed_seconds.max(1e-9),
        metadata.threads,
        dir.display()
    ))
}

/// Draws every chart into `dir`, printing each failure with the chart's name; fails if any did.
/// `started` is when chart work began, for the time reported.
pub fn write_charts(
    dir: &Path,
    data: &ChartData,
    format: Format,
    started: Instant,
    quiet: bool,
) -> Result<()> {
    let outcomes = output::write_charts(dir, data, format);
    let seconds = started.elapsed().as_secs_f64();
    let failed: Vec<&str> = outcomes
        .iter()
        .filter_map(|o| match &o.result {
            Ok(_) => None,
            Err(e) => {
                super::progress::print_error(e);
                Some(o.file.as_str())
            }
        })
        .collect();
    if !failed.is_empty() {
        return Err(Error::Failed(format!(
            "{} of {} charts could not be drawn ({}); the tables in '{}' are complete",
            failed.len(),
            outcomes.len(),
            failed.join(", "),
            dir.display()
        )));
    }
    if !quiet {
        stdout::println(&format!(
            "{} charts ({}) drawn in {:.2} s into {}",
            outcomes.len(),
            format.extension(),
            seconds,
            dir.display()
        ))?;
    }
    Ok(())
}

fn write_part(
    l: &LoadedScenario,
    shard: Shard,
    range: std::ops::Range<u64>,
    metadata: RunMetadata,
    aggregate: Aggregate,
    config: &RunConfig,
) -> Result<()> {
    let part = PartFile {
        meta: PartMeta {
            format: PART_FORMAT.to_string(),
            version: PART_VERSION,
            program_version: metadata.program_version,
            git_revision: metadata.git_revision,
            scenario_path: l.path.clone(),
            scenario_sha256: l.content_hash.clone(),
            scenario_text: l.text.clone(),
            seed: l.scenario.seed,
            trials: l.scenario.trials,
            shard_index: shard.index,
            shard_count: shard.count,
            trial_start: range.start,
            trial_end: range.end,
            elapsed_seconds: metadata.elapsed_seconds,
            overrides: l.overrides.clone(),
            sensitivity_at: config.sensitivity_at.clone(),
        },
        aggregate,
    };
    let dir = atomic::output_dir(&config.out, &l.scenario.name)?;
    let path = dir.join(shard.file_name());
    atomic::write_atomic(&path, &serde_json::to_vec(&part)?)?;
    if !config.quiet {
        stdout::println(&format!(
            "shard {}/{}: trials {}..{} in {:.2} s; part in {}",
            shard.index,
            shard.count,
            range.start,
            range.end,
            metadata.elapsed_seconds,
            path.display()
        ))?;
    }
    Ok(())
}
