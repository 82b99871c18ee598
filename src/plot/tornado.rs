//! `tornado.png` (the Total) and `tornado_<series>.png`: the inputs that move one series most
//! at one year, as bars of its median with each input near its own 10th and 90th percentiles
//! ([`crate::analysis::swing`]), largest swing at the top, around the median of all trials.

use super::canvas::DrawResult;
use super::frame;
use super::layout::{Kind, Layout, Rect};
use super::place::{self, Sample};
use super::style::{self, INK, MUTED};
use crate::plot::data::{ChartData, Drivers};
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Colour of the bar's side with the input high (blue) and low (vermillion).
fn side_colour(high: bool) -> RGBColor {
    style::series_colour(Some(if high { 0 } else { 1 }))
}

/// Labels longer than this many characters are cut with an ellipsis.
const MAX_LABEL: usize = 44;

/// Draws one series' strongest drivers as bars of its median's swing.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    drivers: Option<&Drivers>,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let Some(drivers) = drivers.filter(|d| !d.bars.is_empty()) else {
        let area = frame::frame(root, "What drives the Total", data, layout)?;
        let text = "Nothing in this scenario is random: no input to rank.";
        let (x, y) = area.get_base_pixel();
        let pos = (HPos::Left, VPos::Center);
        place::fixed(
            root,
            layout,
            text,
            (x + 400, y + 300),
            pos,
            (style::AXIS_TITLE_PX, MUTED),
        )?;
        return Ok(());
    };
    let title = format!(
        "What moves {} at {}: its median with each input at its p10 vs p90",
        drivers.output,
        units::describe_year(drivers.year)
    );
    let area = frame::frame(root, &title, data, layout)?;
    let n = drivers.bars.len() as f64;
    let values = drivers.bars.iter().flat_map(|b| [b.at_p10, b.at_p90]);
    let lo = values.clone().fold(drivers.median, f64::min);
    let hi = values.fold(drivers.median, f64::max);
    let pad = (hi - lo).max(drivers.median.abs() * 0.02).max(1e-9) * 0.35;
    let axis = data.axis(hi + 3.0 * pad);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(30)
        .margin_top(10)
        .x_label_area_size(70)
        .y_label_area_size(540)
        .build_cartesian_2d((lo - pad)..(hi + 3.0 * pad), 0.0..n + 2.6)?;
    let sample = style::group_thousands(drivers.sample);
    let x_title = format!(
        "{} at {}, {} (median of the first {sample} trials with the input near p10 or p90)",
        drivers.output,
        units::describe_year(drivers.year),
        axis.symbol()
    );
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .max_light_lines(0)
        .bold_line_style(style::GRID)
        .x_labels(8)
        .x_label_formatter(&|v| axis.tick(*v))
        .axis_desc_style(style::text_for(&x_title, style::TICK_PX, INK))
        .x_desc(x_title)
        .label_style(style::text(style::TICK_PX, INK))
        .draw()?;
    // The rows above the bars are left free for the legend, the right for the values.
    let plot = place::plot_box(chart.plotting_area());
    let m = drivers.median;
    for (i, bar) in drivers.bars.iter().enumerate() {
        let y = n - 1.0 - i as f64;
        for (end, high) in [(bar.at_p10, false), (bar.at_p90, true)] {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(m, y + 0.2), (end, y + 0.8)],
                side_colour(high).filled(),
            )))?;
        }
        let label: String = if bar.label.chars().count() > MAX_LABEL {
            bar.label.chars().take(MAX_LABEL - 1).collect::<String>() + "…"
        } else {
            bar.label.clone()
        };
        let (_, cy) = chart.backend_coord(&(m, y + 0.5));
        let pos = (HPos::Right, VPos::Center);
        place::fixed(
            root,
            layout,
            &label,
            (plot.x0 - 12, cy),
            pos,
            (style::NOTE_PX, INK),
        )?;
        let value = format!(
            "{} → {} (ρ {:+.2})",
            axis.value(bar.at_p10),
            axis.value(bar.at_p90),
            bar.rho
        );
        let left = chart
            .backend_coord(&(bar.at_p10.min(bar.at_p90).min(m), y))
            .0;
        let right = chart
            .backend_coord(&(bar.at_p10.max(bar.at_p90).max(m), y))
            .0;
        let (w, h) = place::measure(root, &value, style::NOTE_PX)?;
        let (bar_top, bar_bottom) = (
            chart.backend_coord(&(m, y + 0.8)).1,
            chart.backend_coord(&(m, y + 0.2)).1,
        );
        layout.add(
            Kind::Marker,
            "bar",
            Rect {
                x0: left,
                y0: bar_top,
                x1: right.max(left + 1),
                y1: bar_bottom,
            },
        );
        let candidates = [
            Rect::at(right + 8, cy - h / 2, w, h),
            Rect::at(left - 8 - w, cy - h / 2, w, h),
        ];
        if let Some(rect) = layout.place(Kind::Label, &value, candidates, &plot) {
            place::draw_in(root, &value, rect, (style::NOTE_PX, INK), false)?;
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        [(m, 0.0), (m, n)],
        INK.stroke_width(2),
    )))?;
    let entries = [
        (
            Sample::Fill(side_colour(false)),
            "input near its 10th percentile".to_string(),
        ),
        (
            Sample::Fill(side_colour(true)),
            "input near its 90th percentile".to_string(),
        ),
        (
            Sample::Line(INK, 2),
            format!("median of all trials: {}", axis.value(m)),
        ),
    ];
    place::legend(root, layout, plot, &entries, &[])?;
    Ok(())
}
