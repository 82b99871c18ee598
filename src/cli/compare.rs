//! `--compare`: several scenarios run on common random numbers, then compared side by side in
//! OUT/compare/.

use super::args::RunConfig;
use crate::analysis::results::RunResult;
use crate::error::{Error, Result};
use crate::output::{self, COMPARE_FOLDER};
use crate::scenario::LoadedScenario;

/// At least two scenarios with distinct names (none named "compare"), all run with the first
/// one's seed and trial count so that they share their random numbers.
pub fn align_for_comparison(
    mut loaded: Vec<LoadedScenario>,
    config: &RunConfig,
) -> Result<Vec<LoadedScenario>> {
    if loaded.len() < 2 {
        return Err(Error::Invalid(
            "--compare needs two or more scenario files".to_string(),
        ));
    }
    let mut names = std::collections::HashSet::new();
    for l in &loaded {
        let name = &l.scenario.name;
        if name == COMPARE_FOLDER || !names.insert(name.clone()) {
            return Err(Error::Invalid(format!(
                "--compare: scenario name \"{name}\" ({}) is used twice or is reserved; \
                 give each file its own [scenario] name other than \"{COMPARE_FOLDER}\"",
                l.path
            )));
        }
    }
    let (seed, trials) = (loaded[0].scenario.seed, loaded[0].scenario.trials);
    for l in loaded.iter_mut().skip(1) {
        let s = &mut l.scenario;
        if (s.seed, s.trials) != (seed, trials) && !config.quiet {
            super::stdout::eprintln(&format!(
                "note: --compare runs {} with seed {seed} and {trials} trials (its file says seed {} and {} trials) \
                 so that every scenario shares the first one's random numbers",
                l.path, s.seed, s.trials
            ));
        }
        s.seed = seed;
        s.trials = trials;
    }
    Ok(loaded)
}

/// Writes OUT/compare/: every file of [`output::compare_files`], published as one set.
pub fn write_comparison(config: &RunConfig, results: &[RunResult]) -> Result<()> {
    let files = output::compare_files(results, config.charts, config.unit)?;
    if let Some(signal) = super::interrupt::received() {
        return Err(signal.context("stopped before writing the comparison; nothing was written"));
    }
    let dir = super::interrupt::critical(|| {
        output::publish(
            &config.out,
            COMPARE_FOLDER,
            &files,
            &output::could_be_compare,
            &super::interrupt::received,
        )
    })?;
    if !config.quiet {
        super::stdout::print(&crate::report::compare::render(results))?;
        super::stdout::println(&format!(
            "comparison of {} scenarios in {}",
            results.len(),
            dir.display()
        ))?;
    }
    Ok(())
}
