//! The program's top level: load every scenario, run each, write its tables and charts.

use crate::budget;
use crate::chart_data::ChartData;
use crate::cli::{Args, Command, RunConfig};
use crate::engine::{self, Aggregate, RunSpec};
use crate::interrupt::{self, Interrupted};
use crate::plot::{self, Format};
use crate::report::{self, json::RunMetadata};
use crate::results::RunResult;
use crate::scenario::diag::{Diagnostics, ScenarioError};
use crate::scenario::{self, LoadedScenario, Scenario};
use crate::shard::{self, PART_FORMAT, PART_VERSION, PartFile, PartMeta, Shard};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Exit code for a bad scenario or bad arguments (clap uses 2 as well).
pub const EXIT_INVALID: u8 = 2;
/// Exit code for any other failure (I/O, a run that could not finish).
pub const EXIT_FAILURE: u8 = 1;

/// Runs the command line; returns the process's exit code.
pub fn main_entry(args: Args) -> ExitCode {
    if let Some(Command::Merge {
        parts,
        out,
        quiet,
        no_plots,
        format,
    }) = &args.command
    {
        let outputs = Outputs {
            out,
            quiet: *quiet,
            charts: (!no_plots).then_some(*format),
        };
        return merge_entry(parts, &outputs);
    }
    if let Some(path) = &args.init {
        return init_scenario(path);
    }
    let config = RunConfig::from(&args);
    let loaded = match load_all(&args.scenarios, &config) {
        Ok(l) => l,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return ExitCode::from(EXIT_INVALID);
        }
    };
    if args.check {
        for l in &loaded {
            println!("ok: {} ({})", l.path, describe(l));
        }
        return ExitCode::SUCCESS;
    }
    if let Err(e) = interrupt::install() {
        eprintln!("warning: Ctrl-C and SIGTERM will not stop a run cleanly: {e}");
    }
    if let Err(code) = check_budgets(&loaded, &config) {
        return code;
    }
    let mut failed = false;
    for l in &loaded {
        if let Err(e) = run_one(l, &config) {
            eprintln!("error: {e:#}");
            if let Some(signal) = e.downcast_ref::<Interrupted>() {
                return ExitCode::from(signal.exit_code());
            }
            failed = true;
        }
    }
    if failed {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::SUCCESS
    }
}

/// Loads every file and applies the command-line overrides; returns all problems found.
pub fn load_all(
    paths: &[PathBuf],
    config: &RunConfig,
) -> Result<Vec<LoadedScenario>, Vec<ScenarioError>> {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match scenario::load(path).and_then(|l| apply_overrides(l, config)) {
            Ok(l) => loaded.push(l),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(errors)
    }
}

fn apply_overrides(
    mut l: LoadedScenario,
    config: &RunConfig,
) -> Result<LoadedScenario, ScenarioError> {
    if let Some(trials) = config.trials {
        let mut diags = Diagnostics::default();
        let checked = scenario::validate_trials_override(trials, &mut diags);
        match checked {
            Some(t) => l.scenario.trials = t,
            None => return Err(ScenarioError::from_diagnostics(&l.path, &l.text, diags)),
        }
    }
    if let Some(seed) = config.seed {
        l.scenario.seed = seed;
    }
    Ok(l)
}

/// Times each run before any starts: refuses (exit 2) a run estimated to take over an hour
/// whose trial count came from the file, unless --force; announces long runs on stderr.
fn check_budgets(loaded: &[LoadedScenario], config: &RunConfig) -> Result<(), ExitCode> {
    let threads = config.threads.unwrap_or_else(rayon::current_num_threads);
    for l in loaded {
        let spec = RunSpec::from_scenario(&l.scenario);
        let range = trial_range(&spec, config);
        let Some(estimate) = budget::estimate(&spec, range.end - range.start, threads) else {
            continue;
        };
        let seconds = estimate.seconds();
        if seconds > budget::MAX_UNCONFIRMED_SECONDS && config.trials.is_none() && !config.force {
            eprintln!(
                "error: {}: {} trials (scenario.trials in the file) would take {}; \
                 give the count on the command line to confirm (--trials {}) or choose fewer, \
                 or pass --force",
                l.path,
                estimate.trials,
                estimate.describe(),
                estimate.trials
            );
            return Err(ExitCode::from(EXIT_INVALID));
        }
        if seconds >= budget::ANNOUNCE_SECONDS && !config.quiet {
            eprintln!(
                "{}: {} trials, {}; Ctrl-C stops the run without writing anything",
                l.path,
                estimate.trials,
                estimate.describe()
            );
        }
    }
    Ok(())
}

fn trial_range(spec: &RunSpec, config: &RunConfig) -> std::ops::Range<u64> {
    match config.shard {
        Some(shard) => shard.trials(spec.trials),
        None => 0..spec.trials,
    }
}

fn describe(l: &LoadedScenario) -> String {
    let s = &l.scenario;
    format!(
        "scenario {}: {} cities, {} projects, {} targets, {} grid times from {} to {}, {} trials",
        s.name,
        s.cities.len(),
        s.cities.iter().map(|c| c.projects.len()).sum::<usize>(),
        s.targets.len(),
        s.grid.len(),
        s.grid.start,
        s.grid.end(),
        s.trials
    )
}

/// Runs one scenario (or one shard of it) and writes its tables (or its part file).
pub fn run_one(l: &LoadedScenario, config: &RunConfig) -> Result<()> {
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
    let metadata = RunMetadata {
        scenario_path: l.path.clone(),
        scenario_sha256: l.content_hash.clone(),
        program_version: env!("CARGO_PKG_VERSION").to_string(),
        elapsed_seconds: elapsed,
        threads: pool.current_num_threads(),
    };
    match config.shard {
        Some(shard) => write_part(l, shard, range, metadata, agg, config),
        None => {
            let outputs = Outputs {
                out: &config.out,
                quiet: config.quiet,
                charts: config.charts,
            };
            pool.install(|| publish(&l.scenario, &agg, &metadata, &outputs))
        }
    }
}

/// The error of a run stopped by a signal: nothing of it was written.
fn stopped(l: &LoadedScenario, config: &RunConfig, seconds: f64) -> anyhow::Error {
    let signal = interrupt::received().unwrap_or(Interrupted { sigterm: false });
    anyhow::Error::new(signal).context(format!(
        "stopped the run of '{}' after {seconds:.1} s; nothing was written, earlier files in \
         '{}' are unchanged",
        l.path,
        config.out.join(&l.scenario.name).display()
    ))
}

/// Where and how a finished run's reports are written.
pub struct Outputs<'a> {
    pub out: &'a Path,
    pub quiet: bool,
    /// Chart format, or None for no charts.
    pub charts: Option<Format>,
}

/// Writes a run's reports: the tables, the terminal summary, then the charts (on the current
/// rayon pool). A chart that fails leaves the tables in place.
pub fn publish(
    scenario: &Scenario,
    agg: &Aggregate,
    metadata: &RunMetadata,
    outputs: &Outputs,
) -> Result<()> {
    let result = RunResult::new(scenario, agg);
    let dir = write_tables(outputs.out, &result, metadata)?;
    if let Some(note) = result.overflow_note() {
        eprintln!("warning: {note}");
    }
    if !outputs.quiet {
        print!("{}", report::terminal::render(&result));
        println!(
            "{} trials in {:.2} s ({:.0} trials/s on {} threads); tables in {}",
            agg.trials,
            metadata.elapsed_seconds,
            agg.trials as f64 / metadata.elapsed_seconds.max(1e-9),
            metadata.threads,
            dir.display()
        );
    }
    if let Some(signal) = interrupt::received() {
        return Err(anyhow::Error::new(signal).context(format!(
            "the tables in '{}' are complete; the charts were not redrawn",
            dir.display()
        )));
    }
    match outputs.charts {
        Some(format) => {
            let started = Instant::now();
            let data = ChartData::new(scenario, agg, &result);
            write_charts(&dir, &data, format, started, outputs.quiet)
        }
        None => Ok(()),
    }
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
    let outcomes = plot::write_all(dir, data, format);
    let seconds = started.elapsed().as_secs_f64();
    let failed: Vec<&str> = outcomes
        .iter()
        .filter_map(|o| match &o.result {
            Ok(_) => None,
            Err(e) => {
                eprintln!("error: {e:#}");
                Some(o.file.as_str())
            }
        })
        .collect();
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} charts could not be drawn ({}); the tables in '{}' are complete",
            failed.len(),
            outcomes.len(),
            failed.join(", "),
            dir.display()
        );
    }
    if !quiet {
        println!(
            "{} charts ({}) drawn in {:.2} s into {}",
            outcomes.len(),
            format.extension(),
            seconds,
            dir.display()
        );
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
        },
        aggregate,
    };
    let dir = report::output_dir(&config.out, &l.scenario.name)?;
    let path = dir.join(shard.file_name());
    report::write_atomic(&path, &serde_json::to_vec(&part)?)?;
    if !config.quiet {
        println!(
            "shard {}/{}: trials {}..{} in {:.2} s; part in {}",
            shard.index,
            shard.count,
            range.start,
            range.end,
            metadata.elapsed_seconds,
            path.display()
        );
    }
    Ok(())
}

/// `simulate merge PART...`: checks the parts belong together, merges, writes the tables.
pub fn merge_entry(paths: &[PathBuf], outputs: &Outputs) -> ExitCode {
    match merge_files(paths) {
        Ok((scenario, agg, metadata)) => match publish(&scenario, &agg, &metadata, outputs) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(EXIT_FAILURE)
            }
        },
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn merge_files(paths: &[PathBuf]) -> Result<(Scenario, Aggregate, RunMetadata)> {
    let mut parts = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let bytes =
            std::fs::read(path).with_context(|| format!("Could not read part file '{name}'"))?;
        let part: PartFile = serde_json::from_slice(&bytes)
            .with_context(|| format!("'{name}' is not a part file written by simulate --shard"))?;
        parts.push((name, part));
    }
    let (meta, agg) = shard::merge_parts(parts)?;
    if scenario::hex_sha256(meta.scenario_text.as_bytes()) != meta.scenario_sha256 {
        anyhow::bail!(
            "the parts' scenario text does not match their SHA-256; a part file was edited"
        );
    }
    let stem = Path::new(&meta.scenario_path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    let mut scenario = scenario::parse_str(&meta.scenario_text, &meta.scenario_path, &stem)?;
    scenario.trials = meta.trials;
    scenario.seed = meta.seed;
    let metadata = RunMetadata {
        scenario_path: meta.scenario_path,
        scenario_sha256: meta.scenario_sha256,
        program_version: env!("CARGO_PKG_VERSION").to_string(),
        elapsed_seconds: meta.elapsed_seconds,
        threads: rayon::current_num_threads(),
    };
    Ok((scenario, agg, metadata))
}

/// Writes summary.csv, targets.csv, backtest.csv and summary.json (plus used.csv and power.csv
/// when the scenario has utilisation or power caps) into OUT/<scenario>/; returns the folder.
pub fn write_tables(out: &Path, result: &RunResult, metadata: &RunMetadata) -> Result<PathBuf> {
    let mut files = vec![
        ("summary.csv", report::csv::summary_csv(result)?),
        ("targets.csv", report::csv::targets_csv(result)?),
        ("backtest.csv", report::csv::backtest_csv(result)?),
        (
            "summary.json",
            report::json::summary_json(result, metadata)?,
        ),
    ];
    if !result.used_rows.is_empty() {
        files.push(("used.csv", report::csv::used_csv(result)?));
    }
    if !result.power.is_empty() {
        files.push(("power.csv", report::csv::power_csv(result)?));
    }
    let dir = report::output_dir(out, &result.scenario)?;
    let staged: Vec<(PathBuf, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (dir.join(name), bytes.as_slice()))
        .collect();
    report::write_all_atomic(&staged)?;
    Ok(dir)
}

/// `--init FILE`: writes the starter scenario; exit 2 if FILE exists (it is never overwritten).
fn init_scenario(path: &Path) -> ExitCode {
    match scenario::starter::write_starter(path) {
        Ok(()) => {
            println!(
                "wrote {}: edit it, then run `simulate --check {}`",
                path.display(),
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e @ scenario::starter::InitError::Exists(_)) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_INVALID)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build().context("Could not start worker threads")
}

fn progress_bar(trials: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(trials), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} trials, {per_sec}, eta {eta}")
            .expect("valid template"),
    );
    bar
}
