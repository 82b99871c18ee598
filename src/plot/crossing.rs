//! crossing.png: for each target capacity, the share of trials that have reached it by each
//! grid time (the cumulative distribution of its first crossing time).

use super::canvas::DrawResult;
use super::frame;
use super::layout::Layout;
use super::place::{self, Sample};
use super::style::{self, INK, MUTED};
use crate::plot::data::ChartData;
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Draws the chart of each target capacity's share of trials reached by each grid time.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let (first, last) = (data.times[0], data.times[data.times.len() - 1]);
    let area = frame::frame(
        root,
        "When is each target reached? Share of trials that have reached it by each date",
        data,
        layout,
    )?;
    let largest = data.crossing.iter().map(|c| c.capacity).fold(0.0, f64::max);
    let axis = data.axis(largest);
    let mut entries = Vec::new();
    let mut curves = Vec::new();
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(first..last, 0.0..100.0)?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(style::GRID)
        .x_labels(((last - first).ceil() as usize + 1) * 2)
        .x_label_formatter(&style::year_tick)
        .y_labels(11)
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .x_desc(style::YEAR_TITLE)
        .y_desc("Trials that have reached the target (%)")
        .axis_desc_style(style::text(style::AXIS_TITLE_PX, INK))
        .label_style(style::text(style::TICK_PX, INK))
        .draw()?;
    // Several capacities of one city share its colour and differ by dash pattern.
    for (i, curve) in data.crossing.iter().enumerate() {
        let colour = style::series_colour(curve.city_index);
        let repeat = data.crossing[..i]
            .iter()
            .filter(|c| c.city_index == curve.city_index)
            .count();
        let points: Vec<(f64, f64)> = data
            .times
            .iter()
            .zip(&curve.reached_by)
            .map(|(t, p)| (*t, 100.0 * p))
            .collect();
        let label = format!(
            "{} ≥ {} (within the horizon: {})",
            curve.city,
            axis.value(curve.capacity),
            units::format_percent(curve.reached_by.last().copied().unwrap_or(0.0))
        );
        let stroke = colour.stroke_width(5);
        curves.extend(points.iter().map(|p| chart.backend_coord(p)));
        if repeat == 0 {
            chart.draw_series(LineSeries::new(points, stroke))?;
            entries.push((Sample::Line(colour, 5), label));
        } else {
            let dash = 6 + 8 * repeat as u32;
            chart.draw_series(DashedLineSeries::new(points, dash, 8, stroke))?;
            entries.push((Sample::Dashed(colour, 5), label));
        }
    }
    let plot = place::plot_box(chart.plotting_area());
    if data.crossing.is_empty() {
        let centre = chart.backend_coord(&(0.5 * (first + last), 50.0));
        let pos = (HPos::Center, VPos::Center);
        let text = "This scenario has no targets.";
        place::fixed(
            root,
            layout,
            text,
            centre,
            pos,
            (style::AXIS_TITLE_PX, MUTED),
        )?;
        return Ok(());
    }
    place::legend(root, layout, plot, &entries, &curves)?;
    Ok(())
}
