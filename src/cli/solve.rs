//! `--solve PATH --target ... --probability P`: goal seeking on one scenario.

use super::args::{Args, RunConfig};
use super::progress::thread_pool;
use crate::analysis::solve::{self, Goal, Search};
use crate::error::{Error, Result};
use crate::scenario::LoadedScenario;

/// Searches the parameter for the value that meets the goal and prints the answer; a goal
/// that no value in the range reaches is a failure (exit 1), one met throughout the range is
/// not (exit 0, saying so with the range searched).
pub fn solve(args: &Args, path: &str, loaded: &[LoadedScenario], config: &RunConfig) -> Result<()> {
    if loaded.len() != 1 {
        return Err(Error::Invalid(
            "--solve works on one scenario file at a time".to_string(),
        ));
    }
    let l = &loaded[0];
    let target = args.target.as_deref().unwrap_or_default();
    let goal = Goal::parse(target, args.probability.unwrap_or(f64::NAN))?;
    let range = match args.solve_range.as_deref() {
        Some([lo, hi]) if lo < hi && lo.is_finite() && hi.is_finite() => (*lo, *hi),
        Some(other) => {
            return Err(Error::Invalid(format!(
                "--solve-range must be two finite numbers LO,HI with LO < HI, got {other:?}"
            )));
        }
        None => {
            Search::default_range(l, path).map_err(|e| Error::Invalid(format!("--solve {e}")))?
        }
    };
    let search = Search {
        loaded: l,
        path,
        goal: &goal,
        range,
    };
    let outcome = thread_pool(config.threads)?.install(|| search.run())?;
    super::stdout::print(&solve::render(&search, &outcome))?;
    match outcome {
        solve::Outcome::Found(_) | solve::Outcome::MetThroughout { .. } => Ok(()),
        solve::Outcome::Unreachable { .. } => Err(Error::Failed(format!(
            "no value of {path} in [{}, {}] meets the target with probability {}",
            range.0, range.1, goal.probability
        ))),
    }
}
