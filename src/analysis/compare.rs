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

/// One target of any compared scenario, with its result in each scenario that sets it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetComparison {
    /// City, group or "Total".
    pub city: String,
    /// Decimal year of the target's date.
    pub at: f64,
    /// Capacity to reach, P.
    pub capacity: f64,
    /// Per scenario, in the order given: (probability, its Monte Carlo standard error), or
    /// None when the scenario does not set this target.
    pub cells: Vec<Option<(f64, f64)>>,
}

/// Every distinct target of the scenarios (first by the scenario that sets it first, in file
/// order), with each scenario's probability.
pub fn compare_targets(results: &[RunResult]) -> Vec<TargetComparison> {
    let mut out: Vec<TargetComparison> = Vec::new();
    for t in results.iter().flat_map(|r| &r.targets) {
        let known = out
            .iter()
            .any(|c| c.city == t.city && c.at == t.at && c.capacity == t.capacity);
        if known {
            continue;
        }
        let cells = results
            .iter()
            .map(|r| {
                r.targets
                    .iter()
                    .find(|x| x.city == t.city && x.at == t.at && x.capacity == t.capacity)
                    .map(|x| (x.probability, x.std_error))
            })
            .collect();
        out.push(TargetComparison {
            city: t.city.clone(),
            at: t.at,
            capacity: t.capacity,
            cells,
        });
    }
    out
}

/// Every series any scenario has, in order of first appearance (the first scenario's, then
/// the others' new ones), the Total last.
pub fn series_union(results: &[RunResult]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in results.iter().flat_map(|r| r.series_names()) {
        if name != "Total" && !names.contains(&name) {
            names.push(name);
        }
    }
    if results
        .iter()
        .any(|r| r.rows.iter().any(|x| x.city == "Total"))
    {
        names.push("Total".to_string());
    }
    names
}

/// The scenarios (by name) that lack `series`.
pub fn scenarios_without(results: &[RunResult], series: &str) -> Vec<String> {
    results
        .iter()
        .filter(|r| !r.rows.iter().any(|x| x.city == series))
        .map(|r| r.scenario.clone())
        .collect()
}

/// The cities of one scenario, in file order.
fn cities(result: &RunResult) -> Vec<String> {
    let mut names = result.series_names();
    names.truncate(result.city_count);
    names
}

/// When the scenarios do not all have the same cities, a note saying so: their Totals (and
/// any group) sum different places, so their difference is not only the assumptions'.
pub fn city_sets_note(results: &[RunResult]) -> Option<String> {
    let sets: Vec<Vec<String>> = results.iter().map(cities).collect();
    let all_same = sets
        .iter()
        .all(|set| set.len() == sets[0].len() && set.iter().all(|c| sets[0].contains(c)));
    if all_same {
        return None;
    }
    let counts: Vec<String> = results
        .iter()
        .zip(&sets)
        .map(|(r, set)| format!("{} {}", r.scenario, set.len()))
        .collect();
    Some(format!(
        "the scenarios' cities differ (cities: {}), so their Totals are sums over different \
         cities: a Total's difference mixes the assumptions with the places counted; compare \
         the cities they share",
        counts.join(", ")
    ))
}
