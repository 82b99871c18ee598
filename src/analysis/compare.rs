//! Scenario comparison: the same cities under different assumptions, side by side, with the
//! difference of each median from the first scenario's.
//!
//! The scenarios are run with one seed and one trial count, and every random stream is keyed
//! by the names of the city and project it belongs to, so trial i of each scenario draws the
//! same random numbers wherever the scenarios agree: differences come from the assumptions,
//! not from sampling noise (a scenario compared with itself differs by exactly zero).

use crate::analysis::results::RunResult;
use serde::Serialize;

/// One row of compare.csv.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompareRow {
    /// Name of the scenario the row comes from.
    pub scenario: String,
    /// City name or "Total".
    pub city: String,
    /// Decimal year of the grid time.
    pub year: f64,
    /// 5th, 50th and 95th percentiles, P.
    pub p5: f64,
    /// 50th percentile (median), P.
    pub p50: f64,
    /// 95th percentile, P.
    pub p95: f64,
    /// p50 minus the first scenario's p50 for the same city and grid time, P; None when the
    /// first scenario has no such city or grid time.
    pub diff_p50_vs_first: Option<f64>,
}

/// Rows for every scenario (in the order given), series and grid time.
pub fn compare_rows(results: &[RunResult]) -> Vec<CompareRow> {
    let Some(first) = results.first() else {
        return Vec::new();
    };
    results
        .iter()
        .flat_map(|r| {
            r.rows.iter().map(move |row| CompareRow {
                scenario: r.scenario.clone(),
                city: row.city.clone(),
                year: row.year,
                p5: row.p5,
                p50: row.p50,
                p95: row.p95,
                diff_p50_vs_first: first
                    .rows
                    .iter()
                    .find(|f| f.city == row.city && same_year(f.year, row.year))
                    .map(|f| row.p50 - f.p50),
            })
        })
        .collect()
}

fn same_year(a: f64, b: f64) -> bool {
    (a - b).abs() < crate::scenario::grid::YEAR_EPSILON
}
