//! Loading every scenario of an invocation with the command line's overrides, and `--check`.

use super::args::RunConfig;
use crate::error::{Error, Result};
use crate::scenario::diag::Diagnostics;
use crate::scenario::grid::{Grid, YEAR_EPSILON};
use crate::scenario::{self, LoadedScenario};
use crate::units::iso_date;
use std::path::PathBuf;

/// Loads every file and applies the command-line overrides; returns every problem found
/// (one [`Error::Scenario`] per bad file, together).
pub fn load_all(paths: &[PathBuf], config: &RunConfig) -> Result<Vec<LoadedScenario>> {
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
        distinct_names(&loaded, config)?;
    }
    match errors.len() {
        0 => Ok(loaded),
        1 => Err(errors.remove(0)),
        _ => Err(Error::Many(errors)),
    }
}

/// Two scenarios of one invocation may not write into the same folder (nor into the
/// comparison's folder with --compare).
fn distinct_names(loaded: &[LoadedScenario], config: &RunConfig) -> Result<()> {
    let mut problems = Vec::new();
    for (i, l) in loaded.iter().enumerate() {
        let name = &l.scenario.name;
        if let Some(first) = loaded[..i].iter().find(|o| &o.scenario.name == name) {
            problems.push(Error::Invalid(format!(
                "{} and {} both name their scenario \"{name}\" and would write into the same \
                 folder '{}'; give one of them another `name` in [scenario]",
                first.path,
                l.path,
                config.out.join(name).display()
            )));
        } else if config.compare && name == crate::output::COMPARE_FOLDER {
            problems.push(Error::Invalid(format!(
                "{}: a scenario named \"{name}\" would write into the folder of --compare; \
                 give it another `name` in [scenario]",
                l.path
            )));
        }
    }
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0)),
        _ => Err(Error::Many(problems)),
    }
}

fn apply_overrides(mut l: LoadedScenario, config: &RunConfig) -> Result<LoadedScenario> {
    if let Some(trials) = config.trials {
        let mut diags = Diagnostics::default();
        match scenario::validate_trials_override(trials, &mut diags) {
            Some(t) => l.scenario.trials = t,
            None => return Err(scenario::diag::into_error(&l.path, &l.text, diags)),
        }
    }
    if let Some(seed) = config.seed {
        l.scenario.seed = seed;
    }
    if let Some(condition) = config.condition {
        l.scenario.condition = condition;
    }
    check_times(&l, config)?;
    Ok(l)
}

/// `--sensitivity-at` and `--years` lie inside the scenario's horizon.
fn check_times(l: &LoadedScenario, config: &RunConfig) -> Result<()> {
    let grid = &l.scenario.grid;
    for year in config.sensitivity_at.iter().flatten() {
        if !(*year > grid.start && *year <= grid.end() + YEAR_EPSILON) {
            return Err(Error::whole_file(
                &l.path,
                format!(
                    "--sensitivity-at {year} ({}) lies outside the horizon: give times after {} \
                     ({}) and up to {} ({})",
                    iso_date(*year),
                    grid.start,
                    iso_date(grid.start),
                    grid.end(),
                    iso_date(grid.end())
                ),
            ));
        }
    }
    check_years(&l.path, grid, config.years.as_deref())
}

/// `--years` lie inside the horizon of `grid` (the scenario at `path`): an error naming the
/// times outside and the horizon's dates.
pub fn check_years(path: &str, grid: &Grid, years: Option<&[f64]>) -> Result<()> {
    let outside: Vec<String> = (years.iter().copied().flatten())
        .filter(|y| !(**y >= grid.start - YEAR_EPSILON && **y <= grid.end() + YEAR_EPSILON))
        .map(|y| format!("{y} ({})", iso_date(*y)))
        .collect();
    if !outside.is_empty() {
        return Err(Error::whole_file(
            path,
            format!(
                "--years {} lies outside the horizon: give times from {} ({}) to {} ({})",
                outside.join(", "),
                grid.start,
                iso_date(grid.start),
                grid.end(),
                iso_date(grid.end())
            ),
        ));
    }
    Ok(())
}

/// `--check`: one line per valid file.
pub fn print_checked(loaded: &[LoadedScenario]) -> Result<()> {
    for l in loaded {
        super::stdout::println(&format!("ok: {} ({})", l.path, describe(l)))?;
    }
    Ok(())
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

/// The warnings that need no run (growth means, sizes): printed on stderr by `--check`, and an
/// error (exit 2, before anything runs or is written) with `--strict`, for runs, shards and
/// checks alike. A run prints them again with the others.
pub fn static_warnings(loaded: &[LoadedScenario], print: bool, strict: bool) -> Result<()> {
    let mut count = 0;
    for l in loaded {
        for w in crate::analysis::warnings::before_run(&l.scenario) {
            count += 1;
            if print || strict {
                super::stdout::eprintln(&format!("warning: {}: {w}", l.path));
            }
        }
    }
    if strict && count > 0 {
        return Err(Error::Invalid(format!(
            "--strict: {count} warning(s) (above); nothing was run or written"
        )));
    }
    Ok(())
}
