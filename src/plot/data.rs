//! The finished numbers every chart draws, so that the chart code computes nothing itself.
//!
//! Built from a run's [`Aggregate`] and [`RunResult`]: percentile bands per series, the
//! baseline, projects' median online times, target markers, sampled paths and the end-year
//! histograms; with [`ChartData::with_decisions`], the crossing curves and the Total's
//! strongest drivers; with [`ChartData::with_conditioning`], the calibration bins.

use crate::analysis::condition::ConditionReport;
use crate::analysis::decisions::Decisions;
use crate::analysis::results::{RunResult, SummaryRow};
use crate::analysis::sensitivity::SensitivityRow;
use crate::engine::Aggregate;
use crate::scenario::{Scenario, Series};
use crate::stats::Histogram;

/// Bins of the end-year histograms.
pub const HORIZON_BINS: usize = 60;
/// The end-year histograms span the cities' lowest 0.5th to highest 99.5th percentile.
pub const HORIZON_RANGE_PERCENTILES: (f64, f64) = (0.5, 99.5);

/// Everything the charts of one run draw.
#[derive(Debug, Clone)]
pub struct ChartData {
    /// Scenario name.
    pub scenario: String,
    /// Number of trials run.
    pub trials: u64,
    /// Random seed of the run.
    pub seed: u64,
    /// Grid times, decimal years.
    pub times: Vec<f64>,
    /// The cities in scenario order, then the Total.
    pub series: Vec<SeriesChart>,
    /// Every target, in scenario order.
    pub targets: Vec<TargetBar>,
    /// Each city's capacity distribution at the end year.
    pub horizon: Horizon,
    /// Each distinct target capacity's probability over time (crossing chart); empty until
    /// [`ChartData::with_decisions`].
    pub crossing: Vec<CrossingCurve>,
    /// The strongest inputs of the Total at one year (tornado chart); None until
    /// [`ChartData::with_decisions`] or when nothing is random.
    pub drivers: Option<Drivers>,
    /// The calibration of the later reports; None until [`ChartData::with_conditioning`] or
    /// when the scenario lists none.
    pub calibration: Option<CalibrationChart>,
}

/// Bins of the calibration chart's percentile histogram (10 points each).
pub const PIT_BINS: usize = 10;

/// Where the reports fell in the projections made before them, binned, and band coverage.
#[derive(Debug, Clone, Default)]
pub struct CalibrationChart {
    /// `about` reports per percentile bin (their probability integral transforms).
    pub about: [u32; PIT_BINS],
    /// Bounds (`at_least`, `at_most`, `between`) per bin of the percentile of the bound.
    pub bounds: [u32; PIT_BINS],
    /// Share of `about` reports inside the central 50% band (ideal 0.5), and inside the 90%.
    pub coverage_50: Option<f64>,
    /// Share inside the central 90% band (ideal 0.9).
    pub coverage_90: Option<f64>,
    /// Reports scored (rolling origin).
    pub rows: usize,
}

/// The share of trials that have reached one capacity, at every grid time.
#[derive(Debug, Clone)]
pub struct CrossingCurve {
    /// City name or "Total".
    pub city: String,
    /// Position among the cities (picks the colour); None for the Total.
    pub city_index: Option<usize>,
    /// P.
    pub capacity: f64,
    /// Share of trials (0..=1) that have reached it by each grid time.
    pub reached_by: Vec<f64>,
}

/// Inputs ranked by their rank correlation with one series at one year.
#[derive(Debug, Clone)]
pub struct Drivers {
    /// Name of the series the inputs are ranked for.
    pub output: String,
    /// Decimal year at which the inputs are ranked.
    pub year: f64,
    /// Trials in the sensitivity sample.
    pub sample: u64,
    /// (input name, Spearman rank correlation), strongest first, at most [`TORNADO_BARS`].
    pub bars: Vec<(String, f64)>,
}

/// Bars of the tornado chart.
pub const TORNADO_BARS: usize = 10;
/// The year the tornado chart shows when the sensitivity analysis includes it (end-2027).
pub const TORNADO_YEAR: f64 = 2028.0;

/// One series (a city or the Total) over the grid.
#[derive(Debug, Clone)]
pub struct SeriesChart {
    /// City name or "Total".
    pub name: String,
    /// Position among the cities (it picks the city's colour); None for the Total.
    pub city_index: Option<usize>,
    /// Percentiles over the grid, P.
    pub p5: Vec<f64>,
    /// 25th percentile at each grid time, P.
    pub p25: Vec<f64>,
    /// 50th percentile (median) at each grid time, P.
    pub p50: Vec<f64>,
    /// 75th percentile at each grid time, P.
    pub p75: Vec<f64>,
    /// 95th percentile at each grid time, P.
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
    /// Project name.
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
        /// Share of trials (0-1) that reach it.
        probability: f64,
    },
    /// A capacity reported later, and where it fell among the trials (mid-rank, percent).
    Observed {
        /// Mid-rank percentile of the reported value among the trials, 0-100.
        percentile: f64,
    },
}

/// A point drawn on a fan chart.
#[derive(Debug, Clone)]
pub struct Marker {
    /// Where to draw it: decimal year and capacity in P.
    pub year: f64,
    /// Capacity, P.
    pub capacity: f64,
    /// What the marker stands for.
    pub kind: MarkerKind,
}

/// One bar of the targets chart.
#[derive(Debug, Clone)]
pub struct TargetBar {
    /// City name or "Total".
    pub city: String,
    /// Position among the cities (picks the colour); None for the Total.
    pub city_index: Option<usize>,
    /// Decimal year as written, and the capacity to reach in P.
    pub at: f64,
    /// Capacity to reach, P.
    pub capacity: f64,
    /// Share of trials (0-1) that reach it.
    pub probability: f64,
}

/// The distribution of each city's capacity at the end year, on one shared axis.
#[derive(Debug, Clone)]
pub struct Horizon {
    /// End of the grid, decimal year.
    pub year: f64,
    /// One row per city, in scenario order.
    pub cities: Vec<HorizonRow>,
}

/// One city's end-year histogram and summary.
#[derive(Debug, Clone)]
pub struct HorizonRow {
    /// City name.
    pub name: String,
    /// Position among the cities (picks the colour).
    pub city_index: usize,
    /// The trials' capacities at the end year, P, on the shared axis.
    pub histogram: Histogram,
    /// 5th, 50th and 95th percentiles at the end year, P.
    pub p5: f64,
    /// 50th percentile (median) at the end year, P.
    pub p50: f64,
    /// 95th percentile at the end year, P.
    pub p95: f64,
}

impl ChartData {
    /// The chart data of one run, without decisions.
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
            crossing: Vec::new(),
            drivers: None,
            calibration: None,
        }
    }

    /// Adds the crossing curves and the Total's drivers (at [`TORNADO_YEAR`] when analysed,
    /// else the last year analysed).
    pub fn with_decisions(mut self, decisions: &Decisions, sensitivity: &[SensitivityRow]) -> Self {
        let index_of = |name: &str| {
            self.series
                .iter()
                .find(|s| s.name == name)
                .and_then(|s| s.city_index)
        };
        let mut crossing: Vec<CrossingCurve> = Vec::new();
        for level in &decisions.levels {
            match crossing.last_mut() {
                Some(c) if c.city == level.city && c.capacity == level.capacity => {
                    c.reached_by.push(level.probability_reached_by);
                }
                _ => crossing.push(CrossingCurve {
                    city: level.city.clone(),
                    city_index: index_of(&level.city),
                    capacity: level.capacity,
                    reached_by: vec![level.probability_reached_by],
                }),
            }
        }
        self.crossing = crossing;
        let total: Vec<&SensitivityRow> =
            sensitivity.iter().filter(|r| r.output == "Total").collect();
        let year = total
            .iter()
            .map(|r| r.year)
            .find(|y| (*y - TORNADO_YEAR).abs() < 1e-9)
            .or_else(|| total.last().map(|r| r.year));
        self.drivers = year.map(|year| {
            let rows: Vec<&&SensitivityRow> = total.iter().filter(|r| r.year == year).collect();
            Drivers {
                output: "Total".to_string(),
                year,
                sample: rows.first().map_or(0, |r| r.sample),
                bars: rows
                    .iter()
                    .take(TORNADO_BARS)
                    .map(|r| (r.input.clone(), r.rank_correlation))
                    .collect(),
            }
        });
        self
    }

    /// Adds the calibration chart's bins from the rolling-origin rows, when there are reports.
    pub fn with_conditioning(mut self, report: Option<&ConditionReport>) -> Self {
        self.calibration = report.map(|c| {
            let mut chart = CalibrationChart {
                coverage_50: c.score.coverage_50,
                coverage_90: c.score.coverage_90,
                rows: c.score.rows,
                ..CalibrationChart::default()
            };
            for row in c.calibration.iter().filter(|r| !r.unconditioned) {
                let Some(p) = row.percentile else { continue };
                let bin = ((p / 100.0 * PIT_BINS as f64).floor() as usize).min(PIT_BINS - 1);
                match row.kind {
                    "about" => chart.about[bin] += 1,
                    _ => chart.bounds[bin] += 1,
                }
            }
            chart
        });
        self
    }

    /// The cities' series, without the Total.
    pub fn cities(&self) -> impl Iterator<Item = &SeriesChart> {
        self.series.iter().filter(|s| s.city_index.is_some())
    }
}

/// A city's position (its colour); None for the Total and the groups.
fn city_index(series: Series) -> Option<usize> {
    match series {
        Series::City(i) => Some(i),
        Series::Group(_) | Series::Total => None,
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
    let projects = scenario
        .series_cities(which)
        .into_iter()
        .flat_map(|c| &scenario.cities[c].projects)
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
        .chain(
            result
                .backtest
                .iter()
                .filter(|b| b.city == name)
                .map(|b| Marker {
                    year: b.at,
                    capacity: b.capacity,
                    kind: MarkerKind::Observed {
                        percentile: b.percentile,
                    },
                }),
        )
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
