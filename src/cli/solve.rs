//! `--solve PATH --target ... --probability P`: goal seeking on one scenario.

use super::args::{Args, RunConfig};
use super::progress::thread_pool;
use crate::analysis::solve::{self, Goal, Search};
use crate::analysis::solve_key;
use crate::error::{Error, Result};
use crate::report::solve as words;
use crate::scenario::LoadedScenario;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Searches the parameter for the value that meets the goal, prints the answer (with each
/// run's value and probability on stderr as it goes) and writes it to `OUT/<name>/solve/`
/// (solve.csv and report.html); a goal that no value in the range reaches is a failure
/// (exit 1, files written), one met throughout the range is not (exit 0, saying so with the
/// range searched).
pub fn solve(args: &Args, path: &str, loaded: &[LoadedScenario], config: &RunConfig) -> Result<()> {
    if loaded.len() != 1 {
        return Err(Error::Invalid(
            "--solve works on one scenario file at a time".to_string(),
        ));
    }
    let l = &loaded[0];
    let target = args.target.as_deref().unwrap_or_default();
    let goal = Goal::parse(target, args.probability.unwrap_or(f64::NAN))?;
    let key = solve_key::describe(l, path).map_err(|e| match e {
        Error::Invalid(m) if !m.starts_with("--solve") => Error::Invalid(format!("--solve {m}")),
        other => other,
    })?;
    let range = match args.solve_range.as_deref() {
        Some([lo, hi]) if lo < hi && lo.is_finite() && hi.is_finite() => (*lo, *hi),
        Some(other) => {
            return Err(Error::Invalid(format!(
                "--solve-range must be two finite numbers LO,HI with LO < HI, got {other:?}"
            )));
        }
        None => key.range,
    };
    let runs = AtomicUsize::new(0);
    let quiet = config.quiet;
    if !quiet {
        super::stdout::eprintln(&format!(
            "solve: about {} runs of {} trials each (two ends, bisection to {:e} of the range, \
             then the slope at the answer)",
            2 + (1.0 / solve::RELATIVE_TOLERANCE).log2().ceil() as usize + 2,
            l.scenario.trials,
            solve::RELATIVE_TOLERANCE
        ));
    }
    let on_run = |value: f64, p: f64| {
        let n = runs.fetch_add(1, Ordering::Relaxed) + 1;
        if !quiet {
            super::stdout::eprintln(&format!(
                "solve: run {n}: {path} = {value:.6} meets the target in {:.2}% of trials",
                100.0 * p
            ));
        }
    };
    let search = Search {
        loaded: l,
        path,
        goal: &goal,
        range,
        on_run: &on_run,
    };
    let outcome = thread_pool(config.threads)?.install(|| search.run())?;
    let mut text = solve::render(&search, &outcome);
    if let Some(answer) = words::sentence(&key, &outcome) {
        text.push_str(&format!("In words: {answer}.\n"));
    }
    super::stdout::print(&text)?;
    let files = vec![
        (
            words::FILE.to_string(),
            words::solve_csv(&search, &key, &outcome)?,
        ),
        (
            crate::output::PAGE.to_string(),
            words::page(&search, &key, &outcome, &text).into_bytes(),
        ),
    ];
    let folder = format!("{}/solve", l.scenario.name);
    let dir = super::interrupt::critical(|| {
        crate::output::publish(
            &config.out,
            &folder,
            &files,
            &|f| f == words::FILE || f == crate::output::PAGE,
            &super::interrupt::received,
        )
    })?;
    if !quiet {
        super::stdout::println(&format!(
            "{} and {} in {}",
            words::FILE,
            crate::output::PAGE,
            dir.display()
        ))?;
    }
    match outcome {
        solve::Outcome::Found(_) | solve::Outcome::MetThroughout { .. } => Ok(()),
        solve::Outcome::Unreachable { .. } => Err(Error::Failed(format!(
            "no value of {path} in [{}, {}] meets the target with probability {}",
            range.0, range.1, goal.probability
        ))),
    }
}
