//! The finished numbers every chart draws, so that the chart code computes nothing itself.
//!
//! Built from a run's [`Aggregate`] and [`RunResult`]: percentile bands per series, the
//! baseline, projects' median online times, target markers, sampled paths and the end-year
//! histograms.

use crate::engine::Aggregate;
use crate::results::{RunResult, SummaryRow};
use crate::scenario::{Scenario, Series};
use crate::stats::Histogram;

/// Bins of the end-year histograms.
pub const HORIZON_BINS: usize = 60;
/// The end-year histograms span the cities' lowest 0.5th to highest 99.5th percentile.
pub const HORIZON_RANGE_PERCENTILES: (f64, f64) = (0.5, 99.5);

/// Everything the charts of one run draw.
#[derive(Debug, Clone)]
pub struct ChartData {
    pub scenario: String,
    pub trials: u64,
    pub seed: u64,
    /// Grid times, decimal years.
    pub times: Vec<f64>,
    /// The cities in scenario order, then the Total.
    pub series: Vec<SeriesChart>,
    /// Every target, in scenario order.
    pub targets: Vec<TargetBar>,
    pub horizon: Horizon,
}

/// One series (a city or the Total) over the grid.
#[derive(Debug, Clone)]
pub struct SeriesChart {
    pub name: String,
    /// Position among the cities (it picks the city's colour); None for the Total.
    pub city_index: Option<usize>,
    /// Percentiles over the grid, P.
    pub p5: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p95: Vec<f64>,
    /// Median capacity at the start, P.
    pub baseline: f64,
    /// The projects that feed this series (all of them for the Total).
    pub projects: Vec<ProjectMark>,
    /// Points to mark on the fan chart (targets today; observed values can join them).
    pub markers: Vec<Marker>,
    /// Sampled trials' trajectories, P, one per trial, in trial order.
    pub paths: Vec<Vec<f64>>,
}

/// A project's median online time.
#[derive(Debug, Clone)]
pub struct ProjectMark {
    pub name: String,
    /// Median of the online-time distribution, decimal year.
    pub median_online: f64,
    /// Chance it is delivered at all.
    pub probability: f64,
}

/// What a marker on a fan chart stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum MarkerKind {
    /// A target and the share of trials that reach it.
    Target {
        /// Decimal year as written in the scenario.
        at: f64,
        probability: f64,
    },
}

/// A point drawn on a fan chart.
#[derive(Debug, Clone)]
pub struct Marker {
    /// Where to draw it: decimal year and capacity in P.
    pub year: f64,
    pub capacity: f64,
    pub kind: MarkerKind,
}

/// One bar of the targets chart.
#[derive(Debug, Clone)]
pub struct TargetBar {
    pub city: String,
    pub city_index: Option<usize>,
    /// Decimal year as written, and the capacity to reach in P.
    pub at: f64,
    pub capacity: f64,
    pub probability: f64,
}

/// The distribution of each city's capacity at the end year, on one shared axis.
#[derive(Debug, Clone)]
pub struct Horizon {
    /// End of the grid, decimal year.
    pub year: f64,
    pub cities: Vec<HorizonRow>,
}

/// One city's end-year histogram and summary.
#[derive(Debug, Clone)]
pub struct HorizonRow {
    pub name: String,
    pub city_index: usize,
    pub histogram: Histogram,
    /// 5th, 50th and 95th percentiles at the end year, P.
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

impl ChartData {
    pub fn new(scenario: &Scenario, agg: &Aggregate, result: &RunResult) -> Self {
        let series = scenario
            .series()
            .into_iter()
            .enumerate()
            .map(|(s, which)| series_chart(scenario, agg, result, s, which))
            .collect();
        let targets = scenario
            .targets
            .iter()
            .zip(&result.targets)
            .map(|(t, r)| TargetBar {
                city: r.city.clone(),
                city_index: city_index(t.series),
                at: r.at,
                capacity: r.capacity,
                probability: r.probability,
            })
            .collect();
        ChartData {
            scenario: result.scenario.clone(),
            trials: result.trials,
            seed: result.seed,
            times: scenario.grid.times(),
            series,
            targets,
            horizon: horizon(scenario, agg),
        }
    }

    /// The cities' series, without the Total.
    pub fn cities(&self) -> impl Iterator<Item = &SeriesChart> {
        self.series.iter().filter(|s| s.city_index.is_some())
    }
}

fn city_index(series: Series) -> Option<usize> {
    match series {
        Series::City(i) => Some(i),
        Series::Total => None,
    }
}

fn series_chart(
    scenario: &Scenario,
    agg: &Aggregate,
    result: &RunResult,
    s: usize,
    which: Series,
) -> SeriesChart {
    let name = scenario.series_name(which).to_string();
    let rows: Vec<&SummaryRow> = result.rows.iter().filter(|r| r.city == name).collect();
    let column = |f: fn(&SummaryRow) -> f64| rows.iter().map(|r| f(r)).collect::<Vec<f64>>();
    let cities = match which {
        Series::City(i) => &scenario.cities[i..=i],
        Series::Total => &scenario.cities[..],
    };
    let projects = cities
        .iter()
        .flat_map(|c| &c.projects)
        .map(|p| ProjectMark {
            name: p.name.clone(),
            median_online: p.online.median(),
            probability: p.probability,
        })
        .collect();
    let markers = scenario
        .targets
        .iter()
        .zip(&result.targets)
        .filter(|(t, _)| t.series == which)
        .map(|(t, r)| Marker {
            year: r.evaluated_at,
            capacity: t.capacity,
            kind: MarkerKind::Target {
                at: t.at,
                probability: r.probability,
            },
        })
        .collect();
    let len = agg.grid_len;
    SeriesChart {
        city_index: city_index(which),
        p5: column(|r| r.p5),
        p25: column(|r| r.p25),
        p50: column(|r| r.p50),
        p75: column(|r| r.p75),
        p95: column(|r| r.p95),
        baseline: rows.first().map_or(0.0, |r| r.p50),
        projects,
        markers,
        paths: agg
            .paths
            .iter()
            .map(|p| p.values[s * len..(s + 1) * len].to_vec())
            .collect(),
        name,
    }
}

/// End-year histograms of every city on one shared range, from the quantile sketches.
fn horizon(scenario: &Scenario, agg: &Aggregate) -> Horizon {
    let end = agg.grid_len - 1;
    let (lo_p, hi_p) = HORIZON_RANGE_PERCENTILES;
    let cells: Vec<_> = (0..scenario.cities.len())
        .map(|c| agg.cell(c, end))
        .collect();
    let lo = cells
        .iter()
        .filter_map(|c| c.percentile(lo_p))
        .fold(f64::INFINITY, f64::min);
    let hi = cells
        .iter()
        .filter_map(|c| c.percentile(hi_p))
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        let v = if lo.is_finite() { lo } else { 0.0 };
        (v - 0.5 * v.abs().max(1.0), v + 0.5 * v.abs().max(1.0))
    };
    let cities = scenario
        .cities
        .iter()
        .zip(&cells)
        .enumerate()
        .filter_map(|(i, (city, cell))| {
            Some(HorizonRow {
                name: city.name.clone(),
                city_index: i,
                histogram: Histogram::from_cell(cell, lo, hi, HORIZON_BINS)?,
                p5: cell.percentile(5.0)?,
                p50: cell.percentile(50.0)?,
                p95: cell.percentile(95.0)?,
            })
        })
        .collect();
    Horizon {
        year: scenario.grid.end(),
        cities,
    }
}
