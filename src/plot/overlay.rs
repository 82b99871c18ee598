//! The numbers of a comparison's overlay charts (`compare_<series>`): one series under every
//! compared scenario, each scenario's median and 90% band over its grid.

use crate::analysis::results::{RunResult, SummaryRow};
use crate::units::DisplayUnit;

/// One series (a city or the Total) under every compared scenario, for an overlay chart.
#[derive(Debug, Clone)]
pub struct CompareChart {
    /// City name or "Total".
    pub series: String,
    /// Number of trials of each scenario run.
    pub trials: u64,
    /// Random seed shared by the scenarios.
    pub seed: u64,
    /// One band per scenario that has this series, in the order the scenarios were given.
    pub scenarios: Vec<ScenarioBand>,
    /// The unit capacities are shown in.
    pub unit: DisplayUnit,
}

/// One scenario's median and 90% band of a series over its grid.
#[derive(Debug, Clone)]
pub struct ScenarioBand {
    /// Scenario name.
    pub scenario: String,
    /// Decimal years.
    pub times: Vec<f64>,
    /// P.
    pub p5: Vec<f64>,
    /// 50th percentile (median) at each grid time, P.
    pub p50: Vec<f64>,
    /// 95th percentile at each grid time, P.
    pub p95: Vec<f64>,
}

impl CompareChart {
    /// One chart per series of the first scenario (cities, then the Total), with every
    /// scenario that has that series.
    pub fn from_results(results: &[RunResult]) -> Vec<CompareChart> {
        let Some(first) = results.first() else {
            return Vec::new();
        };
        first
            .series_names()
            .into_iter()
            .map(|series| CompareChart {
                scenarios: results.iter().filter_map(|r| band(r, &series)).collect(),
                series,
                trials: first.trials,
                seed: first.seed,
                unit: DisplayUnit::Auto,
            })
            .collect()
    }
}

fn band(result: &RunResult, series: &str) -> Option<ScenarioBand> {
    let rows: Vec<&SummaryRow> = result.rows.iter().filter(|r| r.city == series).collect();
    (!rows.is_empty()).then(|| ScenarioBand {
        scenario: result.scenario.clone(),
        times: rows.iter().map(|r| r.year).collect(),
        p5: rows.iter().map(|r| r.p5).collect(),
        p50: rows.iter().map(|r| r.p50).collect(),
        p95: rows.iter().map(|r| r.p95).collect(),
    })
}
