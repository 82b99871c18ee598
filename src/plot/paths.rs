//! paths.png: a few dozen single trials per series next to the median over all trials, to
//! show that any one future is jagged while the median is smooth.

use super::canvas::DrawResult;
use super::frame;
use super::layout::Layout;
use super::place;
use super::style::{self, INK};
use crate::plot::data::{ChartData, SeriesChart};
use crate::units::{CapacityAxis, DisplayUnit};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Draws sampled trials next to the median over all trials, one panel per series.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let sampled = data.series.first().map_or(0, |s| s.paths.len());
    let title = format!(
        "{sampled} single simulated futures (thin) and the median of all trials (thick); own scale per panel"
    );
    let area = frame::frame(root, &title, data, layout)?;
    // One unit for every panel, from the largest value of any: the Total does not switch.
    let largest = data
        .series
        .iter()
        .flat_map(|s| s.paths.iter().flatten().chain(&s.p95))
        .fold(0.0f64, |a, b| a.max(*b));
    let unit = match data.axis(largest) {
        CapacityAxis::E => DisplayUnit::E,
        _ => DisplayUnit::P,
    };
    let n = data.series.len();
    let cols = match n {
        0 | 1 => 1,
        2..=4 => 2,
        5..=9 => 3,
        _ => 4,
    };
    let rows = n.div_ceil(cols);
    let panels = area.split_evenly((rows, cols));
    for (panel, series) in panels.iter().zip(&data.series) {
        draw_panel((root, panel), data, series, (unit, layout))?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    (root, panel): (&DrawingArea<DB, Shift>, &DrawingArea<DB, Shift>),
    data: &ChartData,
    series: &SeriesChart,
    (unit, layout): (DisplayUnit, &mut Layout),
) -> DrawResult<(), DB> {
    let (first, last) = (data.times[0], data.times[data.times.len() - 1]);
    let top = series
        .paths
        .iter()
        .flatten()
        .chain(&series.p95)
        .fold(0.0f64, |a, b| a.max(*b));
    let axis = style::capacity_axis(top, unit);
    let colour = style::series_colour(series.city_index);
    let mut chart = ChartBuilder::on(panel)
        .margin(8)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(first..last, 0.0..top * 1.05)?;
    style::draw_time_mesh(&mut chart, (first, last), axis, 5, false)?;
    for path in &series.paths {
        let points = data.times.iter().copied().zip(path.iter().copied());
        chart.draw_series(LineSeries::new(points, colour.mix(0.45).stroke_width(2)))?;
    }
    let median = data.times.iter().copied().zip(series.p50.iter().copied());
    chart.draw_series(LineSeries::new(median, INK.stroke_width(5)))?;
    let label = format!("{} ({})", series.name, axis.symbol());
    let (x, y) = chart.backend_coord(&(first, top * 1.05));
    let pos = (HPos::Left, VPos::Top);
    place::fixed(
        root,
        layout,
        &label,
        (x + 14, y + 10),
        pos,
        (style::AXIS_TITLE_PX, colour),
    )?;
    Ok(())
}
