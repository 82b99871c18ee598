//! Goal seeking: the value of one scenario parameter at which a target is met with a given
//! probability ("what mean growth must Beijing sustain to reach 200,000P by 2028 with 80%?").
//!
//! Every evaluation re-runs the scenario with the parameter changed (as `--set` would) on the
//! same seed and trials, so the estimated probability moves only because the parameter moves
//! (common random numbers). The search is a bisection on "probability >= goal", which assumes
//! the probability changes direction at most once in the searched range. The answer's Monte
//! Carlo uncertainty is the delta method: the binomial standard error of the probability at the
//! answer, sqrt(P (1 - P) / trials), divided by the local slope of the probability, measured by
//! a central difference over the smallest step that moves the probability by at least
//! [`SLOPE_MIN_CHANGE`].

use crate::error::{Error, Result};

use crate::model::Model;
use crate::scenario::overrides::Override;
use crate::scenario::{self, LoadedScenario, Scenario};
use crate::units::{date_label, format_capacity, format_year, iso_date};
use rayon::prelude::*;

/// Bisection stops when the bracket is this share of the searched range.
pub const RELATIVE_TOLERANCE: f64 = 1e-7;
/// The slope is measured over a step that changes the probability by at least this much.
pub const SLOPE_MIN_CHANGE: f64 = 0.02;

/// "CITY>=CAPACITY@YEAR" with the grid time it is checked at.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// City name or "Total".
    pub city: String,
    /// P.
    pub capacity: f64,
    /// Decimal year as written.
    pub at: f64,
    /// Probability to reach, in (0, 1).
    pub probability: f64,
}

impl Goal {
    /// Parses the --target text and checks the probability.
    pub fn parse(target: &str, probability: f64) -> Result<Goal> {
        let usage = || {
            Error::Invalid(format!(
                "--target must look like \"Beijing>=200000@2028.0\" or \"Beijing>=200000@2028-01-01\" (CITY>=CAPACITY in P @ a decimal year or a date); got '{target}'"
            ))
        };
        let (city, rest) = target.split_once(">=").ok_or_else(usage)?;
        let (capacity, at) = rest.split_once('@').ok_or_else(usage)?;
        let number = |s: &str| {
            s.trim()
                .replace('_', "")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
        };
        let capacity = number(capacity).ok_or_else(usage)?;
        let at = crate::scenario::grid::parse_time(at)
            .map_err(|e| Error::Invalid(format!("--target {target}: the time {e}")))?;
        if !(probability > 0.0 && probability < 1.0) {
            return Err(Error::Invalid(format!(
                "--probability must be strictly between 0 and 1, got {probability}"
            )));
        }
        Ok(Goal {
            city: city.trim().to_string(),
            capacity,
            at,
            probability,
        })
    }
}

/// What the search found.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The parameter value at which the goal is met.
    Found(Answer),
    /// The probability meets the goal at both ends of the range (and, as the search assumes
    /// at most one change of direction, everywhere between).
    MetThroughout {
        /// Lower end of the searched range.
        lo: f64,
        /// Upper end of the searched range.
        hi: f64,
        /// Probability at `lo`.
        p_lo: f64,
        /// Probability at `hi`.
        p_hi: f64,
    },
    /// The probability stays below the goal over the whole range.
    Unreachable {
        /// Lower end of the searched range.
        lo: f64,
        /// Upper end of the searched range.
        hi: f64,
        /// Probability of the goal at `lo` (0-1).
        p_lo: f64,
        /// Probability of the goal at `hi` (0-1).
        p_hi: f64,
    },
}

/// A parameter value found by the search, with its uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The parameter value at which the probability first reaches the goal.
    pub value: f64,
    /// Half the final bisection bracket.
    pub bisection_error: f64,
    /// Monte Carlo standard error of `value` (delta method); None when no trial-to-trial
    /// variation shows at the answer (the probability jumps from 0 to 1 within the bracket).
    pub monte_carlo_se: Option<f64>,
    /// Change of probability per unit of the parameter near the answer.
    pub slope: f64,
    /// Number of scenario runs the search made.
    pub evaluations: usize,
    /// Whether the goal is met above the answer (else below it).
    pub met_above: bool,
}

/// One parameter search: the scenario, the parameter path, the goal and the range.
pub struct Search<'a> {
    /// The scenario whose parameter is changed.
    pub loaded: &'a LoadedScenario,
    /// The parameter path, as for `--set`.
    pub path: &'a str,
    /// The target and the probability to reach.
    pub goal: &'a Goal,
    /// The range searched, (low, high), in the parameter's units.
    pub range: (f64, f64),
    /// Called after every run of the scenario with the value tried and its probability.
    pub on_run: &'a (dyn Fn(f64, f64) + Sync),
}

impl Search<'_> {
    /// The default range: the key's valid range ([`super::solve_key`]).
    pub fn default_range(loaded: &LoadedScenario, path: &str) -> Result<(f64, f64)> {
        super::solve_key::describe(loaded, path).map(|k| k.range)
    }

    /// The probability of the goal with the parameter set to `value`.
    pub fn probability_at(&self, value: f64) -> Result<f64> {
        let p = self.probability_unreported(value)?;
        (self.on_run)(value, p);
        Ok(p)
    }

    /// The probability at an end of the range: a value the scenario refuses there (a bound
    /// that must be strict) is moved inward by a millionth of the range, once.
    fn probability_at_end(&self, value: f64, inward: f64) -> Result<(f64, f64)> {
        match self.probability_at(value) {
            Ok(p) => Ok((value, p)),
            Err(first) => {
                let moved = value + 1e-6 * inward;
                self.probability_at(moved)
                    .map(|p| (moved, p))
                    .map_err(|_| first)
            }
        }
    }

    fn probability_unreported(&self, value: f64) -> Result<f64> {
        let scenario = self.scenario_at(value)?;
        let (series, k) = self.goal_cell(&scenario)?;
        let model = Model::new(&scenario);
        let hits = count_hits(
            &model,
            scenario.seed,
            scenario.trials,
            series,
            k,
            self.goal.capacity,
        );
        Ok(hits as f64 / scenario.trials as f64)
    }

    fn scenario_at(&self, value: f64) -> Result<Scenario> {
        let mut overrides = self.loaded.overrides.clone();
        overrides.push(Override {
            path: self.path.to_string(),
            value: format!("{value:?}"),
        });
        let stem = self.loaded.scenario.name.clone();
        let mut s =
            scenario::parse_with_overrides(&self.loaded.text, &self.loaded.path, &stem, &overrides)
                .map_err(|e| Error::Invalid(format!("with {}={value}: {e}", self.path)))?;
        s.trials = self.loaded.scenario.trials;
        s.seed = self.loaded.scenario.seed;
        Ok(s)
    }

    fn goal_cell(&self, scenario: &Scenario) -> Result<(usize, usize)> {
        let series = scenario
            .series_named(&self.goal.city)
            .map(|s| scenario.series_index(s))
            .ok_or_else(|| {
                let names: Vec<&str> = scenario.cities.iter().map(|c| c.name.as_str()).collect();
                Error::Invalid(format!(
                    "--target: no city or group \"{}\" (cities: {}, or a group, or Total)",
                    self.goal.city,
                    names.join(", ")
                ))
            })?;
        let k = scenario
            .grid
            .first_index_at_or_after(self.goal.at)
            .filter(|_| self.goal.at >= scenario.grid.start)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "--target year {} lies outside the horizon {}-{}",
                    format_year(self.goal.at),
                    format_year(scenario.grid.start),
                    format_year(scenario.grid.end())
                ))
            })?;
        Ok((series, k))
    }

    /// Bisection on "probability >= goal", then the answer's uncertainty.
    pub fn run(&self) -> Result<Outcome> {
        let width = self.range.1 - self.range.0;
        let (mut lo, p_lo) = self.probability_at_end(self.range.0, width)?;
        let (mut hi, p_hi) = self.probability_at_end(self.range.1, -width)?;
        let meets = |p: f64| p >= self.goal.probability;
        match (meets(p_lo), meets(p_hi)) {
            (true, true) => return Ok(Outcome::MetThroughout { lo, hi, p_lo, p_hi }),
            (false, false) => return Ok(Outcome::Unreachable { lo, hi, p_lo, p_hi }),
            _ => {}
        }
        let lo_meets = meets(p_lo);
        let tolerance = RELATIVE_TOLERANCE * (hi - lo).abs();
        let mut evaluations = 2;
        while (hi - lo).abs() > tolerance {
            let mid = 0.5 * (lo + hi);
            evaluations += 1;
            if meets(self.probability_at(mid)?) == lo_meets {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let value = 0.5 * (lo + hi);
        let (slope, used) = self.slope_at(value, self.range)?;
        let trials = self.loaded.scenario.trials as f64;
        let p = self.goal.probability;
        let binomial_se = (p * (1.0 - p) / trials).sqrt();
        let smallest_step = (self.range.1 - self.range.0).abs() / 1024.0;
        let monte_carlo_se = if used.0 <= smallest_step && used.1 >= 1.0 - 1.0 / trials {
            None
        } else {
            Some(binomial_se / slope.abs())
        };
        Ok(Outcome::Found(Answer {
            value,
            bisection_error: 0.5 * (hi - lo).abs(),
            monte_carlo_se,
            slope,
            evaluations: evaluations + used.2,
            met_above: !lo_meets,
        }))
    }

    /// Central-difference slope of the probability at `x`, doubling the step from 1/1024 of
    /// the range until the probability moves by [`SLOPE_MIN_CHANGE`]; returns the slope and
    /// (step used, probability change, evaluations).
    fn slope_at(&self, x: f64, range: (f64, f64)) -> Result<(f64, (f64, f64, usize))> {
        let width = (range.1 - range.0).abs();
        let mut h = width / 1024.0;
        let mut evaluations = 0;
        loop {
            let (a, b) = (
                (x - h).max(range.0.min(range.1)),
                (x + h).min(range.0.max(range.1)),
            );
            let change = self.probability_at(b)? - self.probability_at(a)?;
            evaluations += 2;
            if change.abs() >= SLOPE_MIN_CHANGE || h >= width {
                return Ok((change / (b - a), (h, change.abs(), evaluations)));
            }
            h *= 2.0;
        }
    }
}

/// Trials (of 0..trials) in which series `series` at grid index `k` is >= `capacity`; an
/// integer count, so the same whatever the thread count.
fn count_hits(
    model: &Model,
    seed: u64,
    trials: u64,
    series: usize,
    k: usize,
    capacity: f64,
) -> u64 {
    let len = model.grid.len();
    (0..trials)
        .into_par_iter()
        .map_init(
            || model.buffer(),
            |buf, trial| {
                model.run_trial(seed, trial, buf);
                u64::from(buf.values[series * len + k] >= capacity)
            },
        )
        .sum()
}

/// The lines printed for an outcome.
pub fn render(search: &Search, outcome: &Outcome) -> String {
    let g = search.goal;
    let s = &search.loaded.scenario;
    let mut out = format!(
        "Goal: {} >= {} at {} ({}) with probability >= {:.1}%\n\
         Searched {} over [{}, {}] with {} trials, seed {} (common random numbers)\n",
        g.city,
        format_capacity(g.capacity),
        date_label(g.at),
        iso_date(g.at),
        100.0 * g.probability,
        search.path,
        search.range.0,
        search.range.1,
        s.trials,
        s.seed
    );
    match outcome {
        Outcome::Found(a) => {
            let uncertainty = match a.monte_carlo_se {
                Some(se) => format!(
                    "± {se:.4} (1 Monte Carlo standard error: binomial SE {:.2} pts / slope {:.3} per unit)",
                    100.0 * (g.probability * (1.0 - g.probability) / s.trials as f64).sqrt(),
                    a.slope
                ),
                None => "(no Monte Carlo uncertainty: every trial agrees at this value)".to_string(),
            };
            out.push_str(&format!(
                "Answer: {} = {:.4} {uncertainty}; bisection to ± {:.1e} in {} runs\n",
                search.path, a.value, a.bisection_error, a.evaluations
            ));
        }
        Outcome::MetThroughout { lo, hi, p_lo, p_hi } if whole_range(search) => {
            out.push_str(&format!(
                "Every value of {} in its valid range [{lo}, {hi}] meets the goal: the probability \
                 is {:.1}% at {lo} and {:.1}% at {hi}, at or above {:.1}% throughout.\n",
                search.path,
                100.0 * p_lo,
                100.0 * p_hi,
                100.0 * g.probability
            ));
        }
        Outcome::MetThroughout { lo, hi, p_lo, p_hi } => out.push_str(&format!(
            "The goal is met everywhere in the searched range [{lo}, {hi}] of {}: the probability \
             is {:.1}% at {lo} and {:.1}% at {hi}, at or above {:.1}% throughout. No boundary lies \
             inside it; widen the range with --solve-range LO,HI to find where the goal stops \
             being met.\n",
            search.path,
            100.0 * p_lo,
            100.0 * p_hi,
            100.0 * g.probability
        )),
        Outcome::Unreachable { lo, hi, p_lo, p_hi } if whole_range(search) => {
            out.push_str(&format!(
                "No value of {} in its valid range [{lo}, {hi}] meets the goal of {:.1}%: the \
                 probability is {:.1}% at {lo} and {:.1}% at {hi}.\n",
                search.path,
                100.0 * g.probability,
                100.0 * p_lo,
                100.0 * p_hi
            ));
        }
        Outcome::Unreachable { lo, hi, p_lo, p_hi } => out.push_str(&format!(
            "No value of {} in [{lo}, {hi}] reaches {:.1}%: the probability is {:.1}% at {lo} and {:.1}% at {hi}. \
             Widen the range with --solve-range LO,HI if other values are plausible.\n",
            search.path,
            100.0 * g.probability,
            100.0 * p_lo,
            100.0 * p_hi
        )),
    }
    out
}

/// Whether the search covered all the key can hold: a probability or share over [0, 1], or a
/// mode between its distribution's min and max (a wider range would be refused).
fn whole_range(search: &Search) -> bool {
    super::solve_key::describe(search.loaded, search.path).is_ok_and(|k| {
        let bounded =
            k.kind == super::solve_key::ValueKind::Share || k.parameter.as_deref() == Some("mode");
        bounded && k.range == search.range
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_parse_with_underscores_and_refuse_bad_probabilities() {
        let g = Goal::parse("Beijing>=200_000@2028.0", 0.8).unwrap();
        assert_eq!(g.city, "Beijing");
        assert_eq!(g.capacity, 200_000.0);
        assert_eq!(g.at, 2028.0);
        assert!(Goal::parse("Beijing>200000@2028", 0.8).is_err());
        assert!(Goal::parse("Beijing>=200000@2028", 1.0).is_err());
        assert!(Goal::parse("Beijing>=lots@2028", 0.5).is_err());
        let iso = Goal::parse("Beijing>=200000@2028-01-01", 0.8).unwrap();
        assert_eq!(iso.at, 2028.0);
        let bad = Goal::parse("Beijing>=200000@2028-13-01", 0.8).unwrap_err();
        assert!(bad.to_string().contains("2026-07-01"), "{bad}");
    }
}
