//! `compare_<series>.png`: one city (or the Total) under every compared scenario: each
//! scenario's median as a line and the 5th-95th percentile band, in the scenario's colour.

use super::canvas::{DrawResult, Drawing};
use super::frame;
use super::layout::Layout;
use super::place::{self, Sample};
use super::style;
use crate::plot::data::CompareChart;
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;

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
/// `compare_total`, a city whose name has the same slug as another's gets its position.
pub fn file_names(charts: &[CompareChart], format: super::canvas::Format) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
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
    let times = data.scenarios.iter().flat_map(|s| &s.times);
    let first = times.clone().fold(f64::INFINITY, |a, b| a.min(*b));
    let last = times.fold(f64::NEG_INFINITY, |a, b| a.max(*b));
    let top = data
        .scenarios
        .iter()
        .flat_map(|s| &s.p95)
        .fold(0.0f64, |a, b| a.max(*b));
    let (mut chart, axis) = style::full_time_chart(&area, (first, last), top, data.unit)?;
    for (i, s) in data.scenarios.iter().enumerate() {
        let colour = style::series_colour(Some(i));
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
    for (i, s) in data.scenarios.iter().enumerate() {
        let colour = style::series_colour(Some(i));
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
