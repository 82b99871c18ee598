//! What a finished run means: per-cell summaries and backtests ([`results`]), decisions
//! (crossing times, ranking, overtaking), sensitivity, the comparison of scenarios and goal
//! seeking. May import `engine`, `model`, `scenario`, `stats` and the leaves; never `report`,
//! `plot`, `output` or `cli`.

pub mod association;
pub mod compare;
pub mod condition;
pub mod consistency;
pub mod decisions;
pub mod group_effects;
pub mod labels;
pub mod results;
pub mod sample;
pub mod sensitivity;
pub mod shapley;
pub mod solve;
pub mod solve_key;
pub mod swing;
pub mod warnings;

use crate::engine::{Aggregate, RunSpec};
use crate::scenario::Scenario;
use decisions::Decisions;
use results::RunResult;
use sensitivity::SensitivityRow;

/// Everything a finished run reports: what the tables, the terminal and the charts show.
pub struct Report {
    /// Per-cell summaries, targets, backtests.
    pub result: RunResult,
    /// Crossing times, targets over time, ranking, overtaking.
    pub decisions: Decisions,
    /// The inputs ranked by influence at each year asked.
    pub sensitivity: Vec<SensitivityRow>,
    /// The groups of inputs' Shapley effects at the same outputs and years.
    pub shapley: Vec<group_effects::GroupEffect>,
    /// Conditioning and calibration; None without reports.
    pub conditioning: Option<condition::ConditionReport>,
    /// Inputs that look like slips ([`warnings::implausible`]), then reports the projection
    /// disagrees with; they change no result.
    pub warnings: Vec<String>,
}

impl Report {
    /// Analyses a run's aggregate; `sensitivity_years` None means
    /// [`sensitivity::default_years`].
    pub fn new(scenario: &Scenario, agg: &Aggregate, sensitivity_years: Option<&[f64]>) -> Self {
        let spec = RunSpec::layout(scenario);
        let years = sensitivity_years
            .map(<[f64]>::to_vec)
            .unwrap_or_else(|| sensitivity::default_years(scenario));
        let result = RunResult::new(scenario, agg);
        let decisions = Decisions::new(scenario, &spec, agg);
        let conditioning = condition::ConditionReport::new(scenario, agg);
        let mut warnings = warnings::implausible(scenario, &result, &decisions);
        let (sensitivity, shapley) = sensitivity::analyse_with_groups(scenario, &years);
        warnings.extend(conditioning.iter().flat_map(|c| c.disagreements.clone()));
        Report {
            result,
            decisions,
            sensitivity,
            shapley,
            conditioning,
            warnings,
        }
    }
}
