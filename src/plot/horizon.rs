//! horizon.png: each city's distribution of capacity at the end year, one row per city on a
//! shared capacity axis, with the median and the 90% interval marked.

use super::canvas::DrawResult;
use super::frame;
use super::layout::Layout;
use super::place;
use super::style::{self, INK};
use crate::plot::data::{ChartData, HorizonRow};
use crate::units::{self, CapacityAxis};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Draws every city's distribution at the end year.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let horizon = &data.horizon;
    let title = format!(
        "Capacity at {}: distribution over trials, by city",
        units::describe_year(horizon.year)
    );
    let area = frame::frame(root, &title, data, layout)?;
    let Some(first) = horizon.cities.first() else {
        return Ok(());
    };
    let lo = first.histogram.lo;
    let hi = first.histogram.edge(first.histogram.shares.len());
    let axis = data.axis(hi);
    let (_, h) = area.dim_in_pixel();
    let (rows_area, x_axis_area) = area.split_vertically(h - 90);
    let rows = rows_area.split_evenly((horizon.cities.len(), 1));
    for (row, city) in rows.iter().zip(&horizon.cities) {
        draw_row((root, row), city, (lo, hi), (axis, &mut *layout))?;
    }
    let mut x_axis = ChartBuilder::on(&x_axis_area)
        .margin_left(150)
        .x_label_area_size(88)
        .build_cartesian_2d(lo..hi, 0.0..1.0)?;
    x_axis
        .configure_mesh()
        .disable_y_axis()
        .disable_mesh()
        .x_labels(10)
        .x_label_formatter(&|v| axis.tick(*v))
        .x_desc(format!(
            "{} at {}; bar height: share of trials per bin of {}",
            axis.title(),
            units::describe_year(horizon.year),
            axis.value(first.histogram.bin_width)
        ))
        .axis_desc_style(style::text(style::AXIS_TITLE_PX, INK))
        .label_style(style::text(style::TICK_PX, INK))
        .draw()?;
    Ok(())
}

fn draw_row<DB: DrawingBackend>(
    (root, row): (&DrawingArea<DB, Shift>, &DrawingArea<DB, Shift>),
    city: &HorizonRow,
    (lo, hi): (f64, f64),
    (axis, layout): (CapacityAxis, &mut Layout),
) -> DrawResult<(), DB> {
    let hist = &city.histogram;
    let top = hist.shares.iter().fold(0.0f64, |a, b| a.max(*b)) * 1.5;
    let colour = style::series_colour(Some(city.city_index));
    let mut chart = ChartBuilder::on(row)
        .margin_left(150)
        .margin_top(6)
        .build_cartesian_2d(lo..hi, 0.0..top.max(1e-9))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .bold_line_style(style::GRID)
        .max_light_lines(0)
        .x_labels(10)
        .x_label_formatter(&|_| String::new())
        .draw()?;
    chart.draw_series(hist.shares.iter().enumerate().map(|(i, share)| {
        Rectangle::new(
            [(hist.edge(i), 0.0), (hist.edge(i + 1), *share)],
            style::tint(colour, 0.7).filled(),
        )
    }))?;
    let interval_y = top * 0.74;
    chart.draw_series(std::iter::once(PathElement::new(
        [(city.p5, interval_y), (city.p95, interval_y)],
        INK.stroke_width(3),
    )))?;
    for x in [city.p5, city.p95] {
        chart.draw_series(std::iter::once(PathElement::new(
            [(x, interval_y * 0.94), (x, interval_y * 1.06)],
            INK.stroke_width(3),
        )))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        [(city.p50, 0.0), (city.p50, top)],
        INK.stroke_width(4),
    )))?;
    let note = format!(
        "median {} · 90% of trials between {} and {}",
        axis.value(city.p50),
        axis.value(city.p5),
        axis.value(city.p95)
    );
    let corner = chart.backend_coord(&(hi, top));
    let pos = (HPos::Right, VPos::Top);
    place::fixed(root, layout, &note, corner, pos, (style::NOTE_PX, INK))?;
    let (x0, y0) = row.get_base_pixel();
    let (_, row_h) = row.dim_in_pixel();
    let at = (x0 + 140, y0 + row_h as i32 / 2);
    let pos = (HPos::Right, VPos::Center);
    // A long name shrinks to fit the 140 pixels left of the row.
    let (w, _) = place::measure(root, &city.name, style::AXIS_TITLE_PX)?;
    let room = f64::from(x0 + 136);
    let px = (style::AXIS_TITLE_PX * room / f64::from(w.max(1))).clamp(10.0, style::AXIS_TITLE_PX);
    place::fixed(root, layout, &city.name, at, pos, (px, colour))?;
    Ok(())
}
