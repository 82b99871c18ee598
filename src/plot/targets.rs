//! targets.png: each target's probability of being met, as a labelled bar.

use super::canvas::DrawResult;
use super::style::{self, INK, MUTED};
use crate::plot::data::ChartData;
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Draws each target's probability as a labelled bar.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> DrawResult<(), DB> {
    let area = style::frame(
        root,
        "Chance of meeting each target (share of trials)",
        data,
    )?;
    let n = data.targets.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&area)
        .margin_right(110)
        .x_label_area_size(70)
        .y_label_area_size(20)
        .build_cartesian_2d(0.0..100.0, 0.0..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .max_light_lines(0)
        .bold_line_style(style::GRID)
        .x_labels(11)
        .x_label_formatter(&|v| format!("{v:.0}%"))
        .x_desc("Probability of reaching the target (% of trials)")
        .axis_desc_style(style::text(style::AXIS_TITLE_PX, INK))
        .label_style(style::text(style::TICK_PX, INK))
        .draw()?;
    if data.targets.is_empty() {
        chart.draw_series(std::iter::once(Text::new(
            "This scenario has no targets.",
            (50.0, n / 2.0),
            style::anchored(style::AXIS_TITLE_PX, MUTED, HPos::Center, VPos::Center),
        )))?;
        return Ok(());
    }
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
            units::format_capacity_compact(target.capacity),
            units::describe_year(target.at)
        );
        let font = style::anchored_for(&name, style::AXIS_TITLE_PX, INK, HPos::Left, VPos::Bottom);
        chart.draw_series(std::iter::once(Text::new(name, (0.0, y + 0.58), font)))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((pct, y + 0.32))
                + Text::new(
                    units::format_percent(target.probability),
                    (12, 0),
                    style::anchored(style::AXIS_TITLE_PX, INK, HPos::Left, VPos::Center),
                ),
        ))?;
    }
    Ok(())
}
