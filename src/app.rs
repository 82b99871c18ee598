//! The program's top level: load every scenario, run each, write its tables and charts.

use crate::budget;
use crate::chart_data::ChartData;
use crate::cli::{Args, Command, RunConfig};
use crate::decisions::Decisions;
use crate::engine::{self, Aggregate, RunSpec};
use crate::interrupt::{self, Interrupted};
use crate::plot::{self, Format};
use crate::report::{self, json::RunMetadata};
use crate::results::RunResult;
use crate::scenario::diag::{Diagnostics, ScenarioError};
use crate::scenario::{self, LoadedScenario, Scenario};
use crate::sensitivity::{self, SensitivityRow};
use crate::shard::{self, PART_FORMAT, PART_VERSION, PartFile, PartMeta, Shard};
use crate::solve::{self, Goal, Search};
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
            // Taken from the part files.
            sensitivity_at: None,
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
    if let Some(path) = &args.solve {
        return solve_entry(&args, path, &loaded, &config);
    }
    let loaded = if config.compare {
        match align_for_comparison(loaded, &config) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_INVALID);
            }
        }
    } else {
        loaded
    };
    if let Err(e) = interrupt::install() {
        eprintln!("warning: Ctrl-C and SIGTERM will not stop a run cleanly: {e}");
    }
    if let Err(code) = check_budgets(&loaded, &config) {
        return code;
    }
    let mut failed = false;
    let mut results = Vec::new();
    for l in &loaded {
        match run_one(l, &config) {
            Ok(r) => results.extend(r),
            Err(e) => {
                eprintln!("error: {e:#}");
                if let Some(signal) = e.downcast_ref::<Interrupted>() {
                    return ExitCode::from(signal.exit_code());
                }
                failed = true;
            }
        }
    }
    if let Some(signal) = interrupt::received() {
        // Arrived while charts were being drawn: they were finished, every file is whole.
        eprintln!("error: {signal} while writing; every file written is complete");
        return ExitCode::from(signal.exit_code());
    }
    if config.compare
        && !failed
        && let Err(e) = write_comparison(&config, &results)
    {
        eprintln!("error: {e:#}");
        failed = true;
    }
    if failed {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--compare`: at least two scenarios with distinct names (none named "compare"), all run
/// with the first one's seed and trial count so that they share their random numbers.
fn align_for_comparison(
    mut loaded: Vec<LoadedScenario>,
    config: &RunConfig,
) -> Result<Vec<LoadedScenario>, String> {
    if loaded.len() < 2 {
        return Err("--compare needs two or more scenario files".to_string());
    }
    let mut names = std::collections::HashSet::new();
    for l in &loaded {
        let name = &l.scenario.name;
        if name == COMPARE_FOLDER || !names.insert(name.clone()) {
            return Err(format!(
                "--compare: scenario name \"{name}\" ({}) is used twice or is reserved; \
                 give each file its own [scenario] name other than \"{COMPARE_FOLDER}\"",
                l.path
            ));
        }
    }
    let (seed, trials) = (loaded[0].scenario.seed, loaded[0].scenario.trials);
    for l in loaded.iter_mut().skip(1) {
        let s = &mut l.scenario;
        if (s.seed, s.trials) != (seed, trials) && !config.quiet {
            eprintln!(
                "note: --compare runs {} with seed {seed} and {trials} trials (its file says seed {} and {} trials) \
                 so that every scenario shares the first one's random numbers",
                l.path, s.seed, s.trials
            );
        }
        s.seed = seed;
        s.trials = trials;
    }
    Ok(loaded)
}

/// Folder (under OUT) of the comparison tables.
pub const COMPARE_FOLDER: &str = "compare";

/// Writes OUT/compare/compare.csv and, unless charts are off, one overlay chart per series.
fn write_comparison(config: &RunConfig, results: &[RunResult]) -> Result<()> {
    let rows = crate::compare::compare_rows(results);
    let dir = report::output_dir(&config.out, COMPARE_FOLDER)?;
    report::write_atomic(&dir.join("compare.csv"), &report::csv::compare_csv(&rows)?)?;
    if let Some(format) = config.charts {
        for chart in ChartData::compare_charts(results) {
            let file = plot::compare::file_name(&chart, format);
            plot::render_drawing(&chart, format)
                .and_then(|bytes| report::write_atomic(&dir.join(&file), &bytes))
                .with_context(|| format!("Could not draw chart '{file}'"))?;
        }
    }
    if !config.quiet {
        println!(
            "comparison of {} scenarios in {}",
            results.len(),
            dir.display()
        );
    }
    Ok(())
}

/// `--solve PATH --target ... --probability P`: goal seeking on the first scenario.
fn solve_entry(args: &Args, path: &str, loaded: &[LoadedScenario], config: &RunConfig) -> ExitCode {
    let invalid = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(EXIT_INVALID)
    };
    if loaded.len() != 1 {
        return invalid("--solve works on one scenario file at a time".to_string());
    }
    let l = &loaded[0];
    let target = args.target.as_deref().unwrap_or_default();
    let goal = match Goal::parse(target, args.probability.unwrap_or(f64::NAN)) {
        Ok(g) => g,
        Err(e) => return invalid(e),
    };
    let range = match args.solve_range.as_deref() {
        Some([lo, hi]) if lo < hi && lo.is_finite() && hi.is_finite() => (*lo, *hi),
        Some(other) => {
            return invalid(format!(
                "--solve-range must be two finite numbers LO,HI with LO < HI, got {other:?}"
            ));
        }
        None => match Search::default_range(l, path) {
            Ok(r) => r,
            Err(e) => return invalid(format!("--solve {}", e.0)),
        },
    };
    let search = Search {
        loaded: l,
        path,
        goal: &goal,
        range,
    };
    let outcome = match thread_pool(config.threads).map(|pool| pool.install(|| search.run())) {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return invalid(e.0),
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    print!("{}", solve::render(&search, &outcome));
    match outcome {
        solve::Outcome::Found(_) => ExitCode::SUCCESS,
        solve::Outcome::Unreachable { .. } => ExitCode::from(EXIT_FAILURE),
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
        match scenario::load_with_overrides(path, &config.overrides)
            .and_then(|l| apply_overrides(l, config))
        {
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
    let grid = &l.scenario.grid;
    for year in config.sensitivity_at.iter().flatten() {
        if !(*year > grid.start && *year <= grid.end() + crate::grid::YEAR_EPSILON) {
            return Err(ScenarioError::whole_file(
                &l.path,
                format!(
                    "--sensitivity-at {year} lies outside the horizon: give years after {} and up to {}",
                    grid.start,
                    grid.end()
                ),
            ));
        }
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
    let metadata = RunMetadata {
        scenario_path: l.path.clone(),
        scenario_sha256: l.content_hash.clone(),
        program_version: env!("CARGO_PKG_VERSION").to_string(),
        elapsed_seconds: elapsed,
        threads: pool.current_num_threads(),
        overrides: l.overrides.iter().map(|o| o.to_string()).collect(),
    };
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
    /// Years of the sensitivity analysis; None for [`sensitivity::default_years`].
    pub sensitivity_at: Option<Vec<f64>>,
}

/// Everything a finished run reports.
pub struct Report {
    pub result: RunResult,
    pub decisions: Decisions,
    pub sensitivity: Vec<SensitivityRow>,
}

/// Writes a run's reports: the tables, the terminal summary, then the charts (on the current
/// rayon pool); returns the results. A chart that fails leaves the tables in place.
pub fn publish(
    scenario: &Scenario,
    agg: &Aggregate,
    metadata: &RunMetadata,
    outputs: &Outputs,
) -> Result<RunResult> {
    let spec = RunSpec::from_scenario(scenario);
    let years = outputs
        .sensitivity_at
        .clone()
        .unwrap_or_else(|| sensitivity::default_years(scenario));
    let report = Report {
        result: RunResult::new(scenario, agg),
        decisions: Decisions::new(scenario, &spec, agg),
        sensitivity: sensitivity::analyse(scenario, &years),
    };
    let dir = write_tables(outputs.out, &report, metadata)?;
    if let Some(note) = report.result.overflow_note() {
        eprintln!("warning: {note}");
    }
    if !outputs.quiet {
        print!("{}", report::terminal::render(&report.result));
        print!(
            "{}",
            report::terminal::render_decisions(&report.decisions, &report.sensitivity)
        );
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
    if let Some(format) = outputs.charts {
        let started = Instant::now();
        let data = ChartData::new(scenario, agg, &report.result)
            .with_decisions(&report.decisions, &report.sensitivity);
        write_charts(&dir, &data, format, started, outputs.quiet)?;
    }
    Ok(report.result)
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
            overrides: l.overrides.clone(),
            sensitivity_at: config.sensitivity_at.clone(),
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
        Ok((scenario, agg, metadata, sensitivity_at)) => {
            let outputs = Outputs {
                sensitivity_at,
                ..*outputs
            };
            merge_publish(&scenario, &agg, &metadata, &outputs)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn merge_publish(
    scenario: &Scenario,
    agg: &Aggregate,
    metadata: &RunMetadata,
    outputs: &Outputs,
) -> ExitCode {
    match publish(scenario, agg, metadata, outputs) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

type Merged = (Scenario, Aggregate, RunMetadata, Option<Vec<f64>>);

fn merge_files(paths: &[PathBuf]) -> Result<Merged> {
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
    let mut scenario = scenario::parse_with_overrides(
        &meta.scenario_text,
        &meta.scenario_path,
        &stem,
        &meta.overrides,
    )?;
    scenario.trials = meta.trials;
    scenario.seed = meta.seed;
    let metadata = RunMetadata {
        scenario_path: meta.scenario_path,
        scenario_sha256: meta.scenario_sha256,
        program_version: env!("CARGO_PKG_VERSION").to_string(),
        elapsed_seconds: meta.elapsed_seconds,
        threads: rayon::current_num_threads(),
        overrides: meta.overrides.iter().map(|o| o.to_string()).collect(),
    };
    Ok((scenario, agg, metadata, meta.sensitivity_at))
}

/// Writes summary.csv, targets.csv, backtest.csv, the decision tables (crossing.csv,
/// targets_over_time.csv, ranking.csv, overtake.csv, sensitivity.csv) and summary.json (plus
/// used.csv and power.csv when the scenario has utilisation or power caps) into
/// OUT/<scenario>/; returns the folder.
pub fn write_tables(out: &Path, report: &Report, metadata: &RunMetadata) -> Result<PathBuf> {
    let files = table_files(report, metadata)?;
    let dir = report::output_dir(out, &report.result.scenario)?;
    let staged: Vec<(PathBuf, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (dir.join(name), bytes.as_slice()))
        .collect();
    report::write_all_atomic(&staged)?;
    Ok(dir)
}

/// Every table of a run's report, by file name, as bytes.
pub fn table_files(
    report: &Report,
    metadata: &RunMetadata,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let (result, decisions) = (&report.result, &report.decisions);
    let mut files = vec![
        ("summary.csv", report::csv::summary_csv(result)?),
        ("targets.csv", report::csv::targets_csv(result)?),
        ("backtest.csv", report::csv::backtest_csv(result)?),
        ("crossing.csv", report::csv::crossing_csv(decisions)?),
        ("targets_over_time.csv", report::csv::levels_csv(decisions)?),
        ("ranking.csv", report::csv::ranking_csv(decisions)?),
        ("overtake.csv", report::csv::overtake_csv(decisions)?),
        (
            "sensitivity.csv",
            report::csv::sensitivity_csv(&report.sensitivity)?,
        ),
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
    Ok(files)
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
