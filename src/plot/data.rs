//! The finished numbers every chart draws, so that the chart code computes nothing itself.
//!
//! Built from a run's [`Aggregate`] and [`RunResult`]: percentile bands per series, the
//! baseline, projects' median online times, target markers, sampled paths and the end-year
//! histograms; with [`ChartData::with_decisions`], the crossing curves and the Total's
//! strongest drivers; with [`ChartData::with_conditioning`], the calibration bins.

pub use super::drivers::{DriverBar, Drivers, TORNADO_BARS, TORNADO_YEAR};
use crate::analysis::condition::ConditionReport;
use crate::analysis::decisions::Decisions;
use crate::analysis::results::{RunResult, SummaryRow};
use crate::analysis::sensitivity::SensitivityRow;
use crate::engine::Aggregate;
use crate::scenario::types::ObservationKind;
use crate::scenario::{Scenario, Series};
use crate::stats::Histogram;
use crate::units::{CapacityAxis, DisplayUnit};

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
    /// The strongest inputs of each analysed series (the Total first) at one year, one
    /// tornado chart each; empty until [`ChartData::with_decisions`] or when nothing is random.
    pub drivers: Vec<Drivers>,
    /// The calibration of the later reports; None until [`ChartData::with_conditioning`] or
    /// when the scenario lists none.
    pub calibration: Option<CalibrationChart>,
    /// The unit capacities are shown in (`--unit`; by default chosen per chart).
    pub unit: DisplayUnit,
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
    /// Conditioned runs: the 5th and 95th percentiles before the reports at each grid time, P
    /// (the unconditioned 90% band, drawn as an outline); None otherwise.
    pub unconditioned: Option<(Vec<f64>, Vec<f64>)>,
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
        /// What the report says: a value, a bound or a range ([`super::marks`]).
        kind: ObservationKind,
        /// Upper end, P, of a `between` report.
        upper: Option<f64>,
        /// Standard deviation of ln(reported / true).
        error: f64,
        /// The report's basis when it is not installed capacity (the scenario's own).
        basis: Option<String>,
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
            drivers: Vec::new(),
            calibration: None,
            unit: DisplayUnit::Auto,
        }
    }

    /// The same data shown in `unit`.
    pub fn with_unit(self, unit: DisplayUnit) -> Self {
        ChartData { unit, ..self }
    }

    /// The capacity axis of a chart whose largest value is `max_p`, in the data's unit.
    pub fn axis(&self, max_p: f64) -> CapacityAxis {
        CapacityAxis::choose(max_p, self.unit)
    }

    /// Adds the crossing curves and every analysed series' drivers (at [`TORNADO_YEAR`] when
    /// analysed, else the last year analysed).
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
        let mut outputs: Vec<&str> = Vec::new();
        for r in sensitivity {
            if !outputs.contains(&r.output.as_str()) {
                outputs.push(&r.output);
            }
        }
        // The Total first: its chart keeps the name tornado.png.
        outputs.sort_by_key(|o| *o != "Total");
        self.drivers = outputs
            .into_iter()
            .filter_map(|o| self.drivers_of(o, sensitivity))
            .collect();
        self
    }

    /// The drivers of `output` at [`TORNADO_YEAR`] when analysed, else the last year analysed.
    fn drivers_of(&self, output: &str, sensitivity: &[SensitivityRow]) -> Option<Drivers> {
        let rows: Vec<&SensitivityRow> =
            sensitivity.iter().filter(|r| r.output == output).collect();
        let year = rows
            .iter()
            .map(|r| r.year)
            .find(|y| (*y - TORNADO_YEAR).abs() < 1e-9)
            .or_else(|| rows.last().map(|r| r.year))?;
        let mut at: Vec<&&SensitivityRow> = rows.iter().filter(|r| r.year == year).collect();
        at.sort_by(|a, b| b.swing.abs().total_cmp(&a.swing.abs()));
        let series = self.series.iter().find(|s| s.name == output)?;
        let k = self.times.iter().position(|t| (*t - year).abs() < 1e-9)?;
        Some(Drivers {
            output: output.to_string(),
            year,
            sample: at.first().map_or(0, |r| r.sample),
            median: series.p50[k],
            bars: at
                .iter()
                .filter(|r| r.swing.is_finite())
                .take(TORNADO_BARS)
                .map(|r| DriverBar {
                    label: r.input_label.clone(),
                    rho: r.rank_correlation,
                    at_p10: r.output_p50_at_input_p10,
                    at_p90: r.output_p50_at_input_p90,
                })
                .collect(),
        })
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
    let of = |rows: &[SummaryRow]| -> Vec<SummaryRow> {
        rows.iter().filter(|r| r.city == name).cloned().collect()
    };
    let (rows, before) = (of(&result.rows), of(&result.unconditioned_rows));
    let column = |f: fn(&SummaryRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let unconditioned = (!before.is_empty()).then(|| {
        let edge = |f: fn(&SummaryRow) -> f64| before.iter().map(f).collect::<Vec<f64>>();
        (edge(|r| r.p5), edge(|r| r.p95))
    });
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
            scenario
                .observations
                .iter()
                .zip(&result.backtest)
                .filter(|(_, b)| b.city == name)
                .map(|(o, b)| Marker {
                    year: b.at,
                    capacity: b.capacity,
                    kind: MarkerKind::Observed {
                        percentile: b.percentile,
                        kind: o.kind,
                        upper: o.upper,
                        error: o.error,
                        basis: o.basis.map(|i| scenario.bases[i].name.clone()),
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
        unconditioned,
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
