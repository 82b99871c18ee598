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
use crate::plot::Format;
use crate::report::{self, json::RunMetadata};
use crate::scenario::{LoadedScenario, Scenario};
use crate::units::DisplayUnit;
use std::path::{Path, PathBuf};
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
    let pool = thread_pool(config.threads)?;
    // The time includes the conditioning's pilot and guide (on the run's threads).
    let started = Instant::now();
    let spec = pool.install(|| RunSpec::from_scenario(&l.scenario));
    let range = trial_range(&spec, config);
    let bar = progress_bar(range.end - range.start, config.quiet);
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
            let samples = match &config.samples {
                Some(times) => {
                    Some(pool.install(|| super::samples::write(&l.scenario, &spec, times, config))?)
                }
                None => None,
            };
            let ready: Vec<(String, PathBuf)> = samples
                .iter()
                .map(|p| (output::samples::FILE.to_string(), p.to_path_buf()))
                .collect();
            let outputs = Outputs {
                out: &config.out,
                quiet: config.quiet,
                verbose: config.verbose,
                years: config.years.clone(),
                charts: config.charts,
                unit: config.unit,
                sensitivity_at: config.sensitivity_at.clone(),
                strict: config.strict,
                ready: &ready,
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
    /// Every row of every summary table.
    pub verbose: bool,
    /// `--years`: times of the central projection (terminal and report.html); None: defaults.
    pub years: Option<Vec<f64>>,
    /// Chart format, or None for no charts.
    pub charts: Option<Format>,
    /// Unit of the capacities on the charts.
    pub unit: DisplayUnit,
    /// Years of the sensitivity analysis; None for the default years.
    pub sensitivity_at: Option<Vec<f64>>,
    /// Warnings (implausible inputs, reports in disagreement) are errors: exit 2, nothing
    /// written.
    pub strict: bool,
    /// Files already written elsewhere, published with the set (name, where it is now):
    /// samples.parquet.
    pub ready: &'a [(String, PathBuf)],
}

/// Writes a run's reports: draws the charts in memory (on the current rayon pool), then
/// publishes tables and charts as one set ([`output::publish`]: all or none changes), then
/// prints the terminal summary; returns the results. A signal before the swap leaves the
/// folder as it was; a chart that cannot be drawn fails the run after the rest is published.
pub fn publish(
    scenario: &Scenario,
    agg: &Aggregate,
    metadata: &RunMetadata,
    outputs: &Outputs,
) -> Result<RunResult> {
    crate::analysis::consistency::check_consistent(scenario, agg)?;
    let report = Report::new(scenario, agg, outputs.sensitivity_at.as_deref());
    if let Some(note) = report.result.overflow_note() {
        stdout::eprintln(&format!("warning: {note}"));
    }
    for note in &report.warnings {
        stdout::eprintln(&format!("warning: {note}"));
    }
    if outputs.strict && !report.warnings.is_empty() {
        return Err(Error::Invalid(format!(
            "--strict: {} warning(s) about '{}' (listed above); nothing was written",
            report.warnings.len(),
            scenario.name
        )));
    }
    let dir = outputs.out.join(&scenario.name);
    let started = Instant::now();
    let mut charts = Vec::new();
    let data = outputs
        .charts
        .map(|_| output::chart_data(scenario, agg, &report).with_unit(outputs.unit));
    if let (Some(format), Some(data)) = (outputs.charts, &data) {
        charts = output::render_charts(data, format);
    }
    let drawn = chart_failures(&charts, &dir);
    let (drawn_charts, entries): (Vec<_>, Vec<_>) = charts
        .into_iter()
        .filter_map(|c| c.result.ok().map(|bytes| ((c.file, bytes), c.entry)))
        .unzip();
    let chart_count = drawn_charts.len();
    let mut files = output::table_files(&report, metadata, &entries)?;
    files.extend(drawn_charts);
    let sensitivity_at = outputs.sensitivity_at.as_deref();
    let times = (sensitivity_at, outputs.years.as_deref());
    let page = output::page_bytes(scenario, &report, metadata, data.as_ref(), times)?;
    files.push((output::PAGE.to_string(), page));
    if let Some(signal) = interrupt::received() {
        return Err(signal.context(format!(
            "stopped before writing; nothing was written, the files in '{}' are unchanged",
            dir.display()
        )));
    }
    interrupt::critical(|| {
        output::publish_with(
            outputs.out,
            &scenario.name,
            (&files, outputs.ready),
            &output::could_be_ours,
            &interrupt::received,
        )
    })?;
    // A stdout that cannot be written (other than a closed pipe) fails the run after the
    // files are published, so that they are complete whatever happens to the terminal.
    if !outputs.quiet {
        let charts = outputs.charts.map(|format| {
            let seconds = started.elapsed().as_secs_f64();
            (chart_count, format.extension(), seconds)
        });
        print_summary(&report, metadata, &dir, outputs, charts)?;
        for (name, _) in outputs.ready {
            stdout::println(&format!("{name} (one row per trial) in {}", dir.display()))?;
        }
    }
    drawn.map(|()| report.result)
}

/// The terminal summary ([`report::terminal`]), the run's speed and where its files are.
fn print_summary(
    report: &Report,
    metadata: &RunMetadata,
    dir: &Path,
    outputs: &Outputs,
    charts: Option<(usize, &str, f64)>,
) -> Result<()> {
    let view = report::terminal::View {
        verbose: outputs.verbose,
        years: outputs.years.as_deref(),
    };
    stdout::print(&report::terminal::render(report, &view))?;
    let mut speed = format!(
        "{} trials in {:.2} s ({:.0} trials/s on {} threads)",
        report.result.trials,
        metadata.elapsed_seconds,
        report.result.trials as f64 / metadata.elapsed_seconds.max(1e-9),
        metadata.threads
    );
    if let Some((n, format, seconds)) = charts {
        speed.push_str(&format!("; {n} charts ({format}) drawn in {seconds:.2} s"));
    }
    stdout::println(&speed)?;
    let tables = output::table_names(report);
    stdout::print(&report::terminal::files_lines(
        &dir.display().to_string(),
        &tables,
        charts.map(|(n, format, _)| (n, format)),
        outputs.verbose,
    ))
}

/// Prints every chart that could not be drawn, with its name; an error if any could not.
fn chart_failures(outcomes: &[output::ChartOutcome], dir: &Path) -> Result<()> {
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
    if failed.is_empty() {
        return Ok(());
    }
    Err(Error::Failed(format!(
        "{} of {} charts could not be drawn ({}); the tables and other charts in '{}' are \
         complete",
        failed.len(),
        outcomes.len(),
        failed.join(", "),
        dir.display()
    )))
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
            condition: l.scenario.condition,
        },
        aggregate,
    };
    let bytes = serde_json::to_vec(&part)?;
    let dir = config.out.join(&l.scenario.name);
    let path = dir.join(shard.file_name());
    interrupt::critical(|| {
        // Under the folder's lock, so that a set being published cannot drop it.
        let _lock = output::lock::lock_folder(&dir, &interrupt::received)?;
        atomic::write_atomic(&path, &bytes)
    })?;
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
