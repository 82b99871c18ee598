//! tornado.png: the inputs that drive the Total's capacity at one year, as bars of their
//! Spearman rank correlation with it, strongest at the top.

use super::canvas::DrawResult;
use super::style::{self, INK, MUTED};
use crate::plot::data::ChartData;
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Colours of positive and negative correlations: the palette's first two (blue, vermillion).
fn bar_colour(rho: f64) -> RGBColor {
    style::series_colour(Some(if rho >= 0.0 { 0 } else { 1 }))
}

/// Draws the Total's strongest drivers as bars of their rank correlation.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> DrawResult<(), DB> {
    let Some(drivers) = &data.drivers else {
        let area = style::frame(root, "What drives the Total", data)?;
        return area.draw(&Text::new(
            "Nothing in this scenario is random: no input to rank.",
            (400, 300),
            style::anchored(style::AXIS_TITLE_PX, MUTED, HPos::Left, VPos::Center),
        ));
    };
    let title = format!(
        "What drives the {} at {}: rank correlation of each input with capacity",
        drivers.output,
        units::describe_year(drivers.year)
    );
    let area = style::frame(root, &title, data)?;
    let n = drivers.bars.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&area)
        .margin_right(40)
        .x_label_area_size(70)
        .y_label_area_size(20)
        .build_cartesian_2d(-1.0..1.0, 0.0..n)?;
    let sample = style::group_thousands(drivers.sample);
    let x_title = format!(
        "Spearman rank correlation with the {}'s capacity (first {sample} trials; ± 0.01 sampling error)",
        drivers.output
    );
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .max_light_lines(0)
        .bold_line_style(style::GRID)
        .x_labels(11)
        .x_label_formatter(&|v| format!("{v:+.1}"))
        .axis_desc_style(style::text_for(&x_title, style::AXIS_TITLE_PX, INK))
        .x_desc(x_title)
        .label_style(style::text(style::TICK_PX, INK))
        .draw()?;
    for (i, (input, rho)) in drivers.bars.iter().enumerate() {
        let y = n - 1.0 - i as f64;
        let colour = bar_colour(*rho);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y + 0.15), (*rho, y + 0.55)],
            colour.filled(),
        )))?;
        // The name sits on the side away from the bar, its value at the bar's end.
        let (name_x, name_pos) = if *rho >= 0.0 {
            (-0.02, HPos::Right)
        } else {
            (0.02, HPos::Left)
        };
        chart.draw_series(std::iter::once(Text::new(
            input.clone(),
            (name_x, y + 0.35),
            style::anchored_for(input, style::NOTE_PX, INK, name_pos, VPos::Center),
        )))?;
        let (value_offset, value_pos) = if *rho >= 0.0 {
            (10, HPos::Left)
        } else {
            (-10, HPos::Right)
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((*rho, y + 0.35))
                + Text::new(
                    format!("{rho:+.2}"),
                    (value_offset, 0),
                    style::anchored(style::NOTE_PX, INK, value_pos, VPos::Center),
                ),
        ))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        [(0.0, 0.0), (0.0, n)],
        INK.stroke_width(2),
    )))?;
    Ok(())
}
