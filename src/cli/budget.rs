//! How long a run will take, measured before it starts, so that a trial count mistyped in a
//! scenario file does not silently occupy the machine for hours.
//!
//! The estimate times the first trials on the calling thread (doubling their number until
//! about 20 ms have passed, at most one chunk) and scales by trials / threads. Runs estimated above
//! an hour need the trial count on the command line (`--trials`) or `--force`.

use super::args::RunConfig;
use super::run::trial_range;
use crate::engine::{CHUNK_TRIALS, RunSpec, Worker};
use crate::error::{Error, Result};
use crate::scenario::LoadedScenario;
use std::time::{Duration, Instant};

/// Times each run before any starts: refuses (exit 2) a run estimated to take over an hour
/// whose trial count came from the file, unless --force; announces long runs on stderr.
pub fn check_budgets(loaded: &[LoadedScenario], config: &RunConfig) -> Result<()> {
    let threads = config.threads.unwrap_or_else(rayon::current_num_threads);
    for l in loaded {
        // The engine's cost per trial (a conditioned run adds its pilot, a fixed cost).
        let spec = RunSpec::layout(&l.scenario);
        let range = trial_range(&spec, config);
        let Some(estimate) = estimate(&spec, range.end - range.start, threads) else {
            continue;
        };
        let seconds = estimate.seconds();
        if seconds > MAX_UNCONFIRMED_SECONDS && config.trials.is_none() && !config.force {
            return Err(Error::Invalid(format!(
                "{}: {} trials (scenario.trials in the file) would take {}; \
                 give the count on the command line to confirm (--trials {}) or choose fewer, \
                 or pass --force",
                l.path,
                estimate.trials,
                estimate.describe(),
                estimate.trials
            )));
        }
        if seconds >= ANNOUNCE_SECONDS && !config.quiet {
            super::stdout::eprintln(&format!(
                "{}: {} trials, {}; Ctrl-C stops the run without writing anything",
                l.path,
                estimate.trials,
                estimate.describe()
            ));
        }
    }
    Ok(())
}

/// Runs estimated to take longer than this (seconds) must be confirmed.
pub const MAX_UNCONFIRMED_SECONDS: f64 = 3600.0;
/// Runs estimated to take longer than this (seconds) are announced before they start.
pub const ANNOUNCE_SECONDS: f64 = 10.0;
/// Calibration stops once its trials have taken this long.
const CALIBRATION_TIME: Duration = Duration::from_millis(20);
/// Runs this small are not worth timing: they finish about as fast as the calibration would.
const MIN_TRIALS_TO_TIME: u64 = 8 * CHUNK_TRIALS;

/// A run's expected duration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Number of trials to run.
    pub trials: u64,
    /// Worker threads.
    pub threads: usize,
    /// Measured time of one trial on one thread, seconds.
    pub seconds_per_trial: f64,
}

impl Estimate {
    /// Expected wall time, seconds, assuming the threads share the work evenly.
    pub fn seconds(&self) -> f64 {
        self.seconds_per_trial * self.trials as f64 / self.threads.max(1) as f64
    }

    /// e.g. "about 2.3 hours on 2 threads (1.2 µs a trial)".
    pub fn describe(&self) -> String {
        format!(
            "about {} on {} threads ({:.1} µs a trial)",
            describe_seconds(self.seconds()),
            self.threads,
            self.seconds_per_trial * 1e6
        )
    }
}

/// Times the first trials of `spec` on the current thread; None for runs too small to matter.
pub fn estimate(spec: &RunSpec, trials: u64, threads: usize) -> Option<Estimate> {
    if trials < MIN_TRIALS_TO_TIME {
        return None;
    }
    // The engine's own path: trials into a worker, whose blocks are counted as they fill.
    let mut worker = Worker::new(spec);
    let mut run = |from: u64, to: u64| {
        for trial in from..to {
            worker.run_trial(trial);
        }
    };
    // The first trial also touches cold memory and grows the sketches: not timed.
    run(0, 1);
    let mut n = 1;
    loop {
        let started = Instant::now();
        run(n, 2 * n);
        let elapsed = started.elapsed();
        if elapsed >= CALIBRATION_TIME || n >= CHUNK_TRIALS {
            return Some(Estimate {
                trials,
                threads,
                seconds_per_trial: elapsed.as_secs_f64() / n as f64,
            });
        }
        n *= 2;
    }
}

/// Seconds as the largest sensible unit: "45 s", "12 min", "3.5 hours", "2.1 days".
pub fn describe_seconds(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} hours", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86_400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_scales_with_trials_over_threads() {
        let e = Estimate {
            trials: 7_200_000,
            threads: 2,
            seconds_per_trial: 1e-3,
        };
        assert_eq!(e.seconds(), 3600.0);
        assert_eq!(describe_seconds(e.seconds()), "60 min");
        assert_eq!(describe_seconds(7200.0), "2.0 hours");
        assert_eq!(describe_seconds(5.0), "5 s");
        assert_eq!(describe_seconds(3.0 * 86_400.0), "3.0 days");
    }
}
