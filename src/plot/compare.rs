//! `compare_<series>.png`: one city (or the Total) under every compared scenario that has it:
//! each scenario's median as a line and the 5th-95th percentile band, in the scenario's own
//! colour ([`style::scenario_colour`], never a city's), with a note above the footer when a
//! scenario lacks the series or the scenarios' Totals sum different cities.

use super::canvas::{DrawResult, Drawing};
use super::frame;
use super::layout::Layout;
use super::place::{self, Sample};
use super::style;
use crate::analysis::compare::{city_sets_note, scenarios_without, series_union};
use crate::analysis::results::{RunResult, SummaryRow};
use crate::units::{self, DisplayUnit};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One series (a city, a group or the Total) under every compared scenario that has it.
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
    /// What the reader must know: scenarios without the series, Totals over different cities.
    pub note: Option<String>,
    /// The unit capacities are shown in.
    pub unit: DisplayUnit,
}

/// One scenario's median and 90% band of a series over its grid.
#[derive(Debug, Clone)]
pub struct ScenarioBand {
    /// Scenario name.
    pub scenario: String,
    /// Position of the scenario among those compared (its colour).
    pub index: usize,
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
    /// One chart per series any scenario has ([`series_union`]: cities and groups in order of
    /// first appearance, the Total last), each with the scenarios that have it.
    pub fn from_results(results: &[RunResult]) -> Vec<CompareChart> {
        let Some(first) = results.first() else {
            return Vec::new();
        };
        let cities_differ = city_sets_note(results).is_some();
        series_union(results)
            .into_iter()
            .map(|series| {
                let without = scenarios_without(results, &series);
                let mut notes = Vec::new();
                if !without.is_empty() {
                    notes.push(format!(
                        "Not in scenario {}: only the others are drawn",
                        without.join(", ")
                    ));
                }
                if cities_differ && series == "Total" {
                    notes.push(format!(
                        "Totals over different cities ({}): compare the cities the scenarios share",
                        city_counts(results)
                    ));
                }
                CompareChart {
                    scenarios: results
                        .iter()
                        .enumerate()
                        .filter_map(|(i, r)| band(r, i, &series))
                        .collect(),
                    note: (!notes.is_empty()).then(|| format!("Note: {}.", notes.join("; "))),
                    unit: DisplayUnit::Auto,
                    series,
                    trials: first.trials,
                    seed: first.seed,
                }
            })
            .collect()
    }
}

/// "base 3 cities, china-2025 14 cities".
fn city_counts(results: &[RunResult]) -> String {
    let counts: Vec<String> = results
        .iter()
        .map(|r| format!("{} {} cities", r.scenario, r.city_count))
        .collect();
    counts.join(", ")
}

fn band(result: &RunResult, index: usize, series: &str) -> Option<ScenarioBand> {
    let rows: Vec<&SummaryRow> = result.rows.iter().filter(|r| r.city == series).collect();
    (!rows.is_empty()).then(|| ScenarioBand {
        scenario: result.scenario.clone(),
        index,
        times: rows.iter().map(|r| r.year).collect(),
        p5: rows.iter().map(|r| r.p5).collect(),
        p50: rows.iter().map(|r| r.p50).collect(),
        p95: rows.iter().map(|r| r.p95).collect(),
    })
}

impl Drawing for CompareChart {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        layout: &mut Layout,
    ) -> DrawResult<(), DB> {
        draw(root, self, layout)
    }
}

/// The file name of a comparison chart, e.g. "compare_beijing.png".
pub fn file_name(data: &CompareChart, format: super::canvas::Format) -> String {
    file_names(std::slice::from_ref(data), format).remove(0)
}

/// The file names of a comparison's charts, in order, each unique: the Total keeps
/// `compare_total`, a city whose name has the same slug as another's (or as the targets
/// chart, `compare_targets`) gets its position.
pub fn file_names(charts: &[CompareChart], format: super::canvas::Format) -> Vec<String> {
    let mut used: Vec<String> = vec!["targets".to_string()];
    if charts.iter().any(|c| c.series == "Total") {
        used.push("total".to_string());
    }
    charts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let stem = match c.series.as_str() {
                "Total" => "total".to_string(),
                name => super::unique_stem(name, i + 1, &mut used),
            };
            format!("compare_{stem}.{}", format.extension())
        })
        .collect()
}

/// Draws one series under every compared scenario.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &CompareChart,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let names: Vec<&str> = data.scenarios.iter().map(|s| s.scenario.as_str()).collect();
    let title = format!(
        "{}: scenarios compared · median (line) and 90% of trials (band)",
        data.series
    );
    let footer = format!(
        "Scenarios {} · {} trials each · seed {} shared (common random numbers) · {}",
        names.join(", "),
        style::group_thousands(data.trials),
        data.seed,
        style::UNITS_NOTE
    );
    let area = frame::frame_with_footer(root, &title, &footer, layout)?;
    let area = match &data.note {
        Some(note) => footer_note(root, layout, area, note)?,
        None => area,
    };
    let times = data.scenarios.iter().flat_map(|s| &s.times);
    let first = times.clone().fold(f64::INFINITY, |a, b| a.min(*b));
    let last = times.fold(f64::NEG_INFINITY, |a, b| a.max(*b));
    let top = data
        .scenarios
        .iter()
        .flat_map(|s| &s.p95)
        .fold(0.0f64, |a, b| a.max(*b));
    let (mut chart, axis) = style::full_time_chart(&area, (first, last), top, data.unit)?;
    for s in &data.scenarios {
        let colour = style::scenario_colour(s.index);
        let band: Vec<(f64, f64)> = s
            .times
            .iter()
            .zip(&s.p95)
            .map(|(t, v)| (*t, *v))
            .chain(s.times.iter().zip(&s.p5).rev().map(|(t, v)| (*t, *v)))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            colour.mix(0.12).filled(),
        )))?;
        for edge in [&s.p5, &s.p95] {
            let points = s.times.iter().copied().zip(edge.iter().copied());
            chart.draw_series(DashedLineSeries::new(points, 10, 6, colour.stroke_width(2)))?;
        }
    }
    let mut entries = Vec::new();
    let mut curves = Vec::new();
    for s in &data.scenarios {
        let colour = style::scenario_colour(s.index);
        let points = s.times.iter().copied().zip(s.p50.iter().copied());
        curves.extend(points.clone().map(|p| chart.backend_coord(&p)));
        let end = s.p50.last().copied().unwrap_or(0.0);
        chart.draw_series(LineSeries::new(points, colour.stroke_width(5)))?;
        entries.push((
            Sample::Band(style::tint(colour, 0.2), colour),
            format!(
                "{} (median at {}: {})",
                s.scenario,
                units::describe_year(last),
                axis.value(end)
            ),
        ));
    }
    let plot = place::plot_box(chart.plotting_area());
    place::legend(root, layout, plot, &entries, &curves)?;
    Ok(())
}

/// Height of the note line drawn above the footer, pixels.
pub const NOTE_LINE_PX: u32 = 30;

/// Draws `note` on its own line just above the footer (in ink: the reader must see it),
/// records its box, and returns `area` less that line.
pub fn footer_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &mut Layout,
    area: DrawingArea<DB, Shift>,
    note: &str,
) -> DrawResult<DrawingArea<DB, Shift>, DB> {
    let (_, h) = root.dim_in_pixel();
    let at = (24, h as i32 - 16 - style::FOOTER_PX as i32 - 8);
    let anchor = (HPos::Left, VPos::Bottom);
    place::fixed(
        root,
        layout,
        note,
        at,
        anchor,
        (style::FOOTER_PX, style::INK),
    )?;
    Ok(area.margin(0, NOTE_LINE_PX, 0, 0))
}
