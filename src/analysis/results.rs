//! Turns a run's aggregate into the result records that every report writes.

use crate::engine::{Aggregate, RankCounts};
use crate::scenario::Scenario;
use crate::stats::{CellStats, PERCENTILES, wilson};
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
    /// 10th percentile, P.
    pub p10: f64,
    /// 25th percentile, P.
    pub p25: f64,
    /// 50th percentile (median), P.
    pub p50: f64,
    /// 75th percentile, P.
    pub p75: f64,
    /// 90th percentile, P.
    pub p90: f64,
    /// 95th percentile, P.
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
    /// Share of trials with capacity >= target at its date exactly (between grid times by
    /// the monotone bridge; each trial counted by its multiplicity when conditioned).
    pub probability: f64,
    /// The date at which the target was checked: `at` itself.
    pub evaluated_at: f64,
    /// Monte Carlo standard error of `probability`, from its Wilson 95% interval: half its
    /// width / 1.96, about sqrt(p (1 - p) / n) away from 0 and 1 and never 0 (n the trials, the
    /// effective sample size when conditioned).
    pub std_error: f64,
    /// Lower end of the Wilson score 95% interval of `probability` (same n).
    pub ci95_low: f64,
    /// Upper end of the Wilson score 95% interval of `probability` (same n).
    pub ci95_high: f64,
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
    /// The date at which trials were compared: the report's own (plus its basis's lag).
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
    /// Scenario name.
    pub scenario: String,
    /// Number of cities: the first series of the tables (groups and the Total follow).
    #[serde(skip)]
    pub city_count: usize,
    /// Scenario description.
    pub description: String,
    /// Number of trials run.
    pub trials: u64,
    /// Random seed of the run.
    pub seed: u64,
    /// First grid time, decimal year.
    pub start: f64,
    /// Last grid time, decimal year.
    pub end: f64,
    /// Grid times per year.
    pub steps_per_year: u32,
    /// Installed capacity of every series (cities, then the Total) at every grid time.
    pub rows: Vec<SummaryRow>,
    /// One result per target, in scenario order.
    pub targets: Vec<TargetResult>,
    /// One row per `[[city.observed]]`, cities in file order.
    pub backtest: Vec<BacktestRow>,
    /// Conditioned runs: installed capacity before the reports (every trial counted by its
    /// unconditioned multiplicity), like `rows`; empty otherwise.
    #[serde(skip)]
    pub unconditioned_rows: Vec<SummaryRow>,
    /// Used capacity (installed times utilisation), like `rows`; empty without utilisation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub used_rows: Vec<SummaryRow>,
    /// How often each city's power cap binds; empty without power caps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub power: Vec<PowerRow>,
}

/// One row of power.csv: how often one city's power cap binds at one grid time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PowerRow {
    /// City name.
    pub city: String,
    /// Decimal year of the grid time.
    pub year: f64,
    /// Share of trials in which the cap binds: demand is deferred for want of power.
    pub probability: f64,
    /// Monte Carlo standard error of `probability`: sqrt(p (1 - p) / trials).
    pub std_error: f64,
}

impl RunResult {
    /// Turns a run's aggregate into the rows of every report.
    pub fn new(scenario: &Scenario, agg: &Aggregate) -> Self {
        let names: Vec<&str> = scenario
            .series()
            .into_iter()
            .map(|s| scenario.series_name(s))
            .collect();
        let rows = summary_rows(agg, &agg.cells, &names, scenario);
        let used_rows = if agg.used_cells.is_empty() {
            Vec::new()
        } else {
            summary_rows(agg, &agg.used_cells, &names, scenario)
        };
        let unconditioned_rows = summary_rows(agg, &agg.prior_cells, &names, scenario);
        let power = power_rows(agg, &names, scenario);
        let n = agg.trials as f64;
        // Conditioned, the trials count with multiplicities: their precision is that of the
        // effective sample size.
        let n_eff = match &agg.condition {
            Some(c) if scenario.condition => c.kish_ess(),
            _ => n,
        };
        let targets = scenario
            .targets
            .iter()
            .zip(&agg.target_hits)
            .map(|(t, hits)| {
                let p = *hits as f64 / n;
                let (ci95_low, ci95_high) = wilson::interval(p, n_eff, wilson::Z95);
                TargetResult {
                    city: t.label.clone(),
                    at: t.at,
                    capacity: t.capacity,
                    probability: p,
                    evaluated_at: t.at,
                    std_error: wilson::std_error(p, n_eff),
                    ci95_low,
                    ci95_high,
                }
            })
            .collect();
        let backtest = backtest_rows(scenario, agg);
        RunResult {
            scenario: scenario.name.clone(),
            city_count: scenario.cities.len(),
            description: scenario.description.clone(),
            trials: agg.condition.as_ref().map_or(agg.trials, |c| c.simulated),
            seed: scenario.seed,
            start: scenario.grid.start,
            end: scenario.grid.end(),
            steps_per_year: scenario.grid.steps_per_year,
            rows,
            targets,
            backtest,
            unconditioned_rows,
            used_rows,
            power,
        }
    }

    /// The row of `city` at the grid time closest to `year`.
    pub fn row(&self, city: &str, year: f64) -> Option<&SummaryRow> {
        self.rows
            .iter()
            .filter(|r| r.city == city)
            .min_by(|a, b| (a.year - year).abs().total_cmp(&(b.year - year).abs()))
    }

    /// A warning when some rows have no mean and sd because a trial went beyond what exact
    /// sums hold (1e9 P, a million E) or was clamped at the largest capacity shown: names
    /// the first series and year so the user knows which figures are incomplete.
    pub fn overflow_note(&self) -> Option<String> {
        let blank = self.rows.iter().filter(|r| r.mean.is_none()).count();
        let first = self.rows.iter().find(|r| r.mean.is_none())?;
        Some(format!(
            "{blank} of {} rows of summary.csv have no mean or sd (first: {} from {}): some \
             trials reached more than 1e9 P (1,000,000 E), beyond exact summation; their \
             percentiles are shown",
            self.rows.len(),
            first.city,
            crate::units::format_year(first.year)
        ))
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

/// Pairs every observation (in the scenario's order, as the engine counted them) with its
/// counts: where the report falls among the unconditioned trials' values on its basis at its
/// exact date.
fn backtest_rows(scenario: &Scenario, agg: &Aggregate) -> Vec<BacktestRow> {
    // Unconditioned counts: one per trial, or a guided trial's unconditioned multiplicity.
    let simulated = agg.condition.as_ref().map_or(agg.trials, |c| c.sum_m_prior);
    scenario
        .observations
        .iter()
        .zip(&agg.observation_ranks)
        .map(|(o, counts)| BacktestRow {
            city: o.label.clone(),
            at: o.at,
            capacity: o.capacity,
            percentile: mid_rank_percentile(*counts, simulated),
            evaluated_at: o.at,
            source: o.source.clone(),
        })
        .collect()
}

/// The rows of `cells` (series-major); none when `cells` is empty.
fn summary_rows(
    agg: &Aggregate,
    cells: &[CellStats],
    names: &[&str],
    scenario: &Scenario,
) -> Vec<SummaryRow> {
    if cells.is_empty() {
        return Vec::new();
    }
    let len = agg.grid_len;
    names
        .iter()
        .enumerate()
        .flat_map(|(s, name)| {
            (0..len).map(move |k| summary_row(&cells[s * len + k], name, scenario.grid.time(k)))
        })
        .collect()
}

/// Binding probabilities of every city with a power cap, in city then time order.
fn power_rows(agg: &Aggregate, names: &[&str], scenario: &Scenario) -> Vec<PowerRow> {
    if agg.cap_binds.is_empty() {
        return Vec::new();
    }
    let (len, n) = (agg.grid_len, agg.trials as f64);
    scenario
        .cities
        .iter()
        .enumerate()
        .filter(|(_, c)| c.power.is_some())
        .flat_map(|(c, _)| {
            (0..len).map(move |k| {
                let p = agg.cap_binds[c * len + k] as f64 / n;
                PowerRow {
                    city: names[c].to_string(),
                    year: scenario.grid.time(k),
                    probability: p,
                    std_error: (p * (1.0 - p) / n).sqrt(),
                }
            })
        })
        .collect()
}

fn summary_row(cell: &CellStats, name: &str, year: f64) -> SummaryRow {
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
