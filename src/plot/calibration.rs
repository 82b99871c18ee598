//! calibration.png: how well the projection has placed the later reports. Left, the histogram
//! of each report's percentile in the projection made before it was published (a PIT
//! histogram: flat when the model is calibrated; bounds, whose percentile is that of the bound,
//! stacked in a lighter shade); right, the share of `about` reports inside the central 50% and
//! 90% bands against the ideal. Draws the finished bins of [`ChartData::calibration`].

use super::canvas::DrawResult;
use super::frame;
use super::layout::Layout;
use super::place::{self, Sample};
use super::style::{self, INK, MUTED};
use crate::plot::data::{CalibrationChart, ChartData, PIT_BINS};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Share of the width given to the histogram; the coverage panel takes the rest.
const HISTOGRAM_SHARE: f64 = 0.6;

/// Draws the PIT histogram and the band coverage.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let area = frame::frame(
        root,
        "Calibration: where each later report fell in the projection made before it",
        data,
        layout,
    )?;
    let Some(cal) = &data.calibration else {
        let text = "This scenario lists no later reports.";
        let pos = (HPos::Left, VPos::Center);
        return frame::nothing_to_draw(root, layout, text, (400, 300), pos);
    };
    let width = area.dim_in_pixel().0;
    let (left, right) = area.split_horizontally((f64::from(width) * HISTOGRAM_SHARE) as u32);
    histogram(root, &left, cal, layout)?;
    coverage(root, &right, cal, layout)
}

fn histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    cal: &CalibrationChart,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let total: u32 = cal.about.iter().chain(&cal.bounds).sum();
    let ideal = f64::from(total) / PIT_BINS as f64;
    let tallest = (0..PIT_BINS)
        .map(|i| cal.about[i] + cal.bounds[i])
        .max()
        .unwrap_or(0);
    // Headroom for the legend in the upper left.
    let top = (f64::from(tallest).max(ideal) * 1.35 + 1.0).ceil();
    let mut chart = ChartBuilder::on(area)
        .margin_right(30)
        .x_label_area_size(100)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..100.0, 0.0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(style::GRID)
        .x_labels(PIT_BINS + 1)
        .y_labels(top as usize + 1)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| {
            if (v - v.round()).abs() < 1e-9 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        })
        .x_desc("Percentile of the report in the earlier projection")
        .y_desc("Reports")
        .axis_desc_style(style::text(style::AXIS_TITLE_PX, INK))
        .label_style(style::text(style::TICK_PX, INK))
        .draw()?;
    let solid = style::series_colour(Some(0));
    let light = style::tint(solid, 0.35);
    let step = 100.0 / PIT_BINS as f64;
    for i in 0..PIT_BINS {
        let x0 = i as f64 * step + 0.8;
        let x1 = (i + 1) as f64 * step - 0.8;
        let a = f64::from(cal.about[i]);
        let b = f64::from(cal.bounds[i]);
        if a > 0.0 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x1, a)],
                solid.filled(),
            )))?;
        }
        if b > 0.0 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, a), (x1, a + b)],
                light.filled(),
            )))?;
        }
    }
    chart.draw_series(DashedLineSeries::new(
        [(0.0, ideal), (100.0, ideal)],
        10,
        6,
        INK.stroke_width(2),
    ))?;
    let entries = [
        (
            Sample::Dashed(INK, 2),
            "ideal: the same number in every bin",
        ),
        (Sample::Fill(solid), "report of a value (\"about\")"),
        (Sample::Fill(light), "bound (percentile of the bound)"),
    ]
    .map(|(s, t)| (s, t.to_string()));
    let bars: Vec<(i32, i32)> = (0..PIT_BINS)
        .flat_map(|i| {
            let h = f64::from(cal.about[i] + cal.bounds[i]);
            let x = (i as f64 + 0.5) * step;
            (0..=8).map(move |k| (x, h * f64::from(k) / 8.0))
        })
        .map(|p| chart.backend_coord(&p))
        .collect();
    let plot = place::plot_box(chart.plotting_area());
    place::legend(root, layout, plot, &entries, &bars)?;
    Ok(())
}

fn coverage<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    cal: &CalibrationChart,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let about: u32 = cal.about.iter().sum();
    let mut chart = ChartBuilder::on(area)
        .margin_right(40)
        .margin_left(20)
        .x_label_area_size(100)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..2.0, 0.0..100.0)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(style::GRID)
        .x_labels(0)
        .y_labels(11)
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .x_desc(format!("Coverage of the \"about\" reports ({about})"))
        .y_desc("Share of reports inside the band")
        .axis_desc_style(style::text(style::AXIS_TITLE_PX, INK))
        .label_style(style::text(style::TICK_PX, INK))
        .draw()?;
    let colour = style::series_colour(Some(0));
    for (i, (band, share, ideal)) in [
        ("50% band", cal.coverage_50, 50.0),
        ("90% band", cal.coverage_90, 90.0),
    ]
    .into_iter()
    .enumerate()
    {
        let (x0, x1) = (i as f64 + 0.2, i as f64 + 0.8);
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        let pos = (HPos::Center, VPos::Top);
        place::fixed(
            root,
            layout,
            band,
            (x, y + 8),
            pos,
            (style::AXIS_TITLE_PX, INK),
        )?;
        let note = format!("ideal {ideal:.0}% (dashed)");
        place::fixed(
            root,
            layout,
            &note,
            (x, y + 44),
            pos,
            (style::NOTE_PX, MUTED),
        )?;
        if let Some(share) = share {
            let pct = share * 100.0;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x1, pct)],
                colour.filled(),
            )))?;
            let inside = (share * f64::from(about)).round();
            let value = format!("{pct:.0}% ({inside:.0} of {about})");
            let above = pct < 88.0;
            let (y, v, ink) = if above {
                (pct + 1.0, VPos::Bottom, INK)
            } else {
                (pct - 1.0, VPos::Top, WHITE)
            };
            let at = chart.backend_coord(&(i as f64 + 0.5, y));
            place::fixed(
                root,
                layout,
                &value,
                at,
                (HPos::Center, v),
                (style::NOTE_PX, ink),
            )?;
        } else {
            let at = chart.backend_coord(&(i as f64 + 0.5, 50.0));
            let pos = (HPos::Center, VPos::Center);
            let text = "no \"about\" report";
            place::fixed(root, layout, text, at, pos, (style::NOTE_PX, MUTED))?;
        }
        chart.draw_series(DashedLineSeries::new(
            [(x0 - 0.1, ideal), (x1 + 0.1, ideal)],
            10,
            6,
            INK.stroke_width(3),
        ))?;
    }
    Ok(())
}
