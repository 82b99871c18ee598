//! targets.png: each target's probability of being met, as a labelled bar.

use super::canvas::DrawResult;
use super::frame;
use super::layout::Layout;
use super::place;
use super::style::{self, INK};
use crate::plot::data::ChartData;
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Draws each target's probability as a labelled bar.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let area = frame::frame(
        root,
        "Chance of meeting each target (share of trials)",
        data,
        layout,
    )?;
    let n = data.targets.len().max(1) as f64;
    let mut chart = style::probability_chart(&area, n, 110)?;
    if data.targets.is_empty() {
        let at = chart.backend_coord(&(50.0, n / 2.0));
        let text = "This scenario has no targets.";
        return frame::nothing_to_draw(root, layout, text, at, (HPos::Center, VPos::Center));
    }
    let largest = data.targets.iter().map(|t| t.capacity).fold(0.0, f64::max);
    let axis = data.axis(largest);
    // Names shrink with many targets so that each fits above its bar.
    let row_px = f64::from(place::plot_box(chart.plotting_area()).height()) / n;
    let name_px = (row_px * 0.3).clamp(12.0, style::AXIS_TITLE_PX);
    for (i, target) in data.targets.iter().enumerate() {
        let y = n - 1.0 - i as f64;
        let pct = target.probability * 100.0;
        let colour = style::series_colour(target.city_index);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y + 0.12), (pct, y + 0.52)],
            colour.filled(),
        )))?;
        let name = format!(
            "{}: at least {} by {}",
            target.city,
            axis.value(target.capacity),
            units::describe_year(target.at)
        );
        let at = chart.backend_coord(&(0.0, y + 0.58));
        let pos = (HPos::Left, VPos::Bottom);
        place::fixed(root, layout, &name, (at.0 + 4, at.1), pos, (name_px, INK))?;
        let (x, y) = chart.backend_coord(&(pct, y + 0.32));
        let value = units::format_percent(target.probability);
        let pos = (HPos::Left, VPos::Center);
        place::fixed(root, layout, &value, (x + 12, y), pos, (name_px, INK))?;
    }
    Ok(())
}
