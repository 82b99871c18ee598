//! The program's top level: load every scenario, run each, write its reports.

use crate::cli::{Args, RunConfig};
use crate::engine::{self, RunSpec};
use crate::report::{self, json::RunMetadata};
use crate::results::RunResult;
use crate::scenario::diag::{Diagnostics, ScenarioError};
use crate::scenario::{self, LoadedScenario};
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
    let mut failed = false;
    for l in &loaded {
        if let Err(e) = run_one(l, &config) {
            eprintln!("error: {e:#}");
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

/// Runs one scenario and writes its tables.
pub fn run_one(l: &LoadedScenario, config: &RunConfig) -> Result<()> {
    let spec = RunSpec::from_scenario(&l.scenario);
    let pool = thread_pool(config.threads)?;
    let threads = pool.current_num_threads();
    let bar = progress_bar(spec.trials, config.quiet);
    let started = Instant::now();
    let agg = pool.install(|| engine::run(&spec, &|n| bar.inc(n)));
    let elapsed = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let result = RunResult::new(&l.scenario, &agg);
    let metadata = RunMetadata {
        scenario_path: l.path.clone(),
        scenario_sha256: l.content_hash.clone(),
        program_version: env!("CARGO_PKG_VERSION").to_string(),
        elapsed_seconds: elapsed,
        threads,
    };
    let dir = write_tables(&config.out, &result, &metadata)?;
    if !config.quiet {
        print!("{}", report::terminal::render(&result));
        println!(
            "{} trials in {:.2} s ({:.0} trials/s on {} threads); tables in {}",
            agg.trials,
            elapsed,
            agg.trials as f64 / elapsed.max(1e-9),
            threads,
            dir.display()
        );
    }
    Ok(())
}

/// Writes summary.csv, targets.csv and summary.json (plus used.csv and power.csv when the
/// scenario has utilisation or power caps) into OUT/<scenario>/; returns the folder.
pub fn write_tables(out: &Path, result: &RunResult, metadata: &RunMetadata) -> Result<PathBuf> {
    let mut files = vec![
        ("summary.csv", report::csv::summary_csv(result)?),
        ("targets.csv", report::csv::targets_csv(result)?),
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
    for (name, bytes) in &files {
        report::write_atomic(&dir.join(name), bytes)?;
    }
    Ok(dir)
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
