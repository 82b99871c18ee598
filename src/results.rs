//! Turns a run's aggregate into the result records that every report writes.

use crate::engine::{Aggregate, RankCounts};
use crate::scenario::Scenario;
use crate::stats::PERCENTILES;
use serde::Serialize;

/// One row of summary.csv: one series at one grid time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SummaryRow {
    /// City name, or "Total" for the sum over cities.
    pub city: String,
    /// Decimal year of the grid time.
    pub year: f64,
    /// Mean over trials, P (absent if too large to sum exactly).
    pub mean: Option<f64>,
    /// Standard deviation over trials, P.
    pub sd: Option<f64>,
    /// Percentiles 5, 10, 25, 50, 75, 90, 95 in P.
    pub p5: f64,
    pub p10: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p90: f64,
    pub p95: f64,
}

/// One row of targets.csv.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TargetResult {
    /// City name or "Total".
    pub city: String,
    /// Decimal year as written in the scenario.
    pub at: f64,
    /// Capacity to reach, P.
    pub capacity: f64,
    /// Share of trials with capacity >= target at the first grid time >= `at`.
    pub probability: f64,
    /// The grid time at which the target was checked.
    pub evaluated_at: f64,
    /// Monte Carlo standard error of `probability`: sqrt(p (1 - p) / trials).
    pub std_error: f64,
}

/// One row of backtest.csv: where a reported value fell in the projected distribution.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BacktestRow {
    /// City name.
    pub city: String,
    /// Decimal year of the report as written in the scenario.
    pub at: f64,
    /// Reported capacity, P.
    pub capacity: f64,
    /// Mid-rank percentile, in percent: 100 * (trials below + half the trials equal) / trials.
    /// 0 means every trial projected more than was reported; 100 means every trial less.
    pub percentile: f64,
    /// The grid time at which trials were compared (the first grid time >= `at`).
    pub evaluated_at: f64,
    /// Where the value was reported (document and date).
    pub source: String,
}

/// The mid-rank percentile, in percent, of a value with these counts among `trials` trials:
/// ties count half, so a value equal to every trial sits at 50.
pub fn mid_rank_percentile(counts: RankCounts, trials: u64) -> f64 {
    if trials == 0 {
        return f64::NAN;
    }
    100.0 * (counts.below as f64 + 0.5 * counts.equal as f64) / trials as f64
}

/// Everything the reports need from one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub scenario: String,
    pub description: String,
    pub trials: u64,
    pub seed: u64,
    pub start: f64,
    pub end: f64,
    pub steps_per_year: u32,
    pub rows: Vec<SummaryRow>,
    pub targets: Vec<TargetResult>,
    /// One row per `[[city.observed]]`, cities in file order.
    pub backtest: Vec<BacktestRow>,
}

impl RunResult {
    pub fn new(scenario: &Scenario, agg: &Aggregate) -> Self {
        let names: Vec<&str> = scenario
            .series()
            .into_iter()
            .map(|s| scenario.series_name(s))
            .collect();
        let rows = names
            .iter()
            .enumerate()
            .flat_map(|(s, name)| {
                (0..agg.grid_len).map(move |k| summary_row(agg, s, k, name, scenario.grid.time(k)))
            })
            .collect();
        let n = agg.trials as f64;
        let targets = scenario
            .targets
            .iter()
            .zip(&agg.target_hits)
            .map(|(t, hits)| {
                let p = *hits as f64 / n;
                TargetResult {
                    city: t.label.clone(),
                    at: t.at,
                    capacity: t.capacity,
                    probability: p,
                    evaluated_at: scenario.grid.time(t.grid_index),
                    std_error: (p * (1.0 - p) / n).sqrt(),
                }
            })
            .collect();
        let backtest = backtest_rows(scenario, agg);
        RunResult {
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            trials: agg.trials,
            seed: scenario.seed,
            start: scenario.grid.start,
            end: scenario.grid.end(),
            steps_per_year: scenario.grid.steps_per_year,
            rows,
            targets,
            backtest,
        }
    }

    /// The row of `city` at the grid time closest to `year`.
    pub fn row(&self, city: &str, year: f64) -> Option<&SummaryRow> {
        self.rows
            .iter()
            .filter(|r| r.city == city)
            .min_by(|a, b| (a.year - year).abs().total_cmp(&(b.year - year).abs()))
    }

    /// Series names in table order (cities, then Total).
    pub fn series_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for r in &self.rows {
            if names.last() != Some(&r.city) {
                names.push(r.city.clone());
            }
        }
        names
    }
}

/// Pairs every observation (cities in file order, as the engine counted them) with its counts.
fn backtest_rows(scenario: &Scenario, agg: &Aggregate) -> Vec<BacktestRow> {
    scenario
        .cities
        .iter()
        .flat_map(|c| c.observations.iter().map(move |o| (c, o)))
        .zip(&agg.observation_ranks)
        .map(|((c, o), counts)| BacktestRow {
            city: c.name.clone(),
            at: o.at,
            capacity: o.capacity,
            percentile: mid_rank_percentile(*counts, agg.trials),
            evaluated_at: scenario.grid.time(o.grid_index),
            source: o.source.clone(),
        })
        .collect()
}

fn summary_row(agg: &Aggregate, s: usize, k: usize, name: &str, year: f64) -> SummaryRow {
    let cell = agg.cell(s, k);
    let p: Vec<f64> = PERCENTILES
        .iter()
        .map(|p| cell.percentile(*p).unwrap_or(0.0))
        .collect();
    SummaryRow {
        city: name.to_string(),
        year,
        mean: cell.mean(),
        sd: cell.sd(),
        p5: p[0],
        p10: p[1],
        p25: p[2],
        p50: p[3],
        p75: p[4],
        p90: p[5],
        p95: p[6],
    }
}
