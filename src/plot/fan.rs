//! `fan_<city>.png` and fan_total.png: one series' median, 25-75 and 5-95 bands, baseline,
//! projects' median online times, targets with their probabilities and the reports by kind
//! ([`super::marks`]); labels placed by the chart's [`Layout`] so none overlaps another.

use super::canvas::DrawResult;
use super::frame;
use super::layout::{Kind, Layout, Rect};
use super::marks;
use super::place::{self, Sample};
use super::style::{self, INK, MUTED};
use crate::plot::data::{ChartData, ProjectMark, SeriesChart};
use crate::units::{self, CapacityAxis};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

type Chart<'a, DB> = style::TimeChart<'a, DB>;

/// Draws the fan chart of one series: bands, markers, then the legend where it hides no
/// marker, then project and marker labels where they meet nothing already drawn.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    series: &SeriesChart,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let (first, last) = (data.times[0], data.times[data.times.len() - 1]);
    let title = format!(
        "{}: AI computing capacity, {} to {}",
        series.name,
        units::describe_year(first),
        units::describe_year(last)
    );
    let area = frame::frame(root, &title, data, layout)?;
    let outline = series.unconditioned.as_ref();
    let top = series
        .p95
        .iter()
        .chain(outline.into_iter().flat_map(|(_, p95)| p95))
        .copied()
        .chain(series.markers.iter().map(|m| marks::extent(m).1))
        .fold(0.0f64, f64::max);
    let (mut chart, axis) = style::full_time_chart(&area, (first, last), top, data.unit)?;
    let plot = place::plot_box(chart.plotting_area());
    let colour = style::series_colour(series.city_index);
    draw_bands(&mut chart, data, series, colour)?;
    if let Some((p5, p95)) = outline {
        for edge in [p5, p95] {
            let points = data.times.iter().copied().zip(edge.iter().copied());
            chart.draw_series(DashedLineSeries::new(points, 5, 5, OUTLINE.stroke_width(2)))?;
        }
    }
    draw_baseline(&mut chart, series.baseline)?;
    let shown: Vec<&ProjectMark> = series
        .projects
        .iter()
        .filter(|p| (first..=last).contains(&p.median_online))
        .collect();
    for project in &shown {
        draw_project_line(&mut chart, project.median_online)?;
    }
    let to_pixel = |t: f64, v: f64| chart.backend_coord(&(t, v));
    let mut placed = Vec::new();
    for marker in &series.markers {
        placed.push(marks::draw(root, layout, marker, &to_pixel)?);
    }
    let curves: Vec<(i32, i32)> = [&series.p5, &series.p50, &series.p95]
        .into_iter()
        .chain(outline.into_iter().flat_map(|(p5, p95)| [p5, p95]))
        .flat_map(|c| {
            data.times
                .iter()
                .zip(c.iter())
                .map(|(t, v)| to_pixel(*t, *v))
        })
        .collect();
    place::legend(
        root,
        layout,
        plot,
        &legend_entries(axis, first, series, colour),
        &curves,
    )?;
    for project in &shown {
        let x = to_pixel(project.median_online, 0.0).0;
        project_label(root, layout, project, x, plot)?;
    }
    for (marker, own) in series.markers.iter().zip(placed) {
        let label = marks::label(axis, marker);
        let size = place::measure(root, &label, style::NOTE_PX)?;
        if let Some(rect) = layout.place_near(&label, own, size, 6, &plot) {
            place::draw_in(root, &label, rect, (style::NOTE_PX, INK), true)?;
            let centre = ((own.x0 + own.x1) / 2, (own.y0 + own.y1) / 2);
            place::leader(root, centre, rect, 6)?;
        }
    }
    Ok(())
}

/// The colour of the unconditioned 90% band's outline: darker than any band's tint, lighter
/// than the text.
const OUTLINE: RGBColor = RGBColor(70, 70, 70);

/// The legend entry of a conditioned run's unconditioned 90% band (the outline).
pub const OUTLINE_LEGEND: &str = "90% band before the reports (dashed edges)";

fn legend_entries(
    axis: CapacityAxis,
    first: f64,
    series: &SeriesChart,
    colour: RGBColor,
) -> Vec<(Sample, String)> {
    let outline = series
        .unconditioned
        .as_ref()
        .map(|_| (Sample::Outline(OUTLINE), OUTLINE_LEGEND.to_string()));
    let mut entries = vec![
        (
            Sample::Fill(style::tint(colour, 0.22)),
            "90% of trials (5th–95th percentile)".to_string(),
        ),
        (
            Sample::Fill(style::tint(colour, 0.45)),
            "50% of trials (25th–75th percentile)".to_string(),
        ),
        (Sample::Line(colour, 5), "Median".to_string()),
        (
            Sample::Dashed(MUTED, 2),
            format!(
                "Baseline {}: {} (median)",
                units::describe_year(first),
                axis.value(series.baseline)
            ),
        ),
    ];
    entries.splice(2..2, outline);
    entries
}

fn band_polygon(times: &[f64], lower: &[f64], upper: &[f64]) -> Vec<(f64, f64)> {
    let forward = times.iter().zip(upper).map(|(t, v)| (*t, *v));
    let back = times.iter().zip(lower).rev().map(|(t, v)| (*t, *v));
    forward.chain(back).collect()
}

fn draw_bands<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    data: &ChartData,
    series: &SeriesChart,
    colour: RGBColor,
) -> DrawResult<(), DB> {
    let bands = [
        (&series.p5, &series.p95, 0.22),
        (&series.p25, &series.p75, 0.45),
    ];
    for (lower, upper, strength) in bands {
        let fill = style::tint(colour, strength);
        chart.draw_series(std::iter::once(Polygon::new(
            band_polygon(&data.times, lower, upper),
            fill.filled(),
        )))?;
    }
    let points = data.times.iter().copied().zip(series.p50.iter().copied());
    chart.draw_series(LineSeries::new(points, colour.stroke_width(5)))?;
    Ok(())
}

fn draw_baseline<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    baseline: f64,
) -> DrawResult<(), DB> {
    let (x0, x1) = (chart.x_range().start, chart.x_range().end);
    chart.draw_series(DashedLineSeries::new(
        [(x0, baseline), (x1, baseline)],
        12,
        8,
        MUTED.stroke_width(2),
    ))?;
    Ok(())
}

fn draw_project_line<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, x: f64) -> DrawResult<(), DB> {
    let y_top = chart.y_range().end;
    chart.draw_series(DashedLineSeries::new(
        [(x, 0.0), (x, y_top)],
        6,
        6,
        INK.stroke_width(2),
    ))?;
    Ok(())
}

/// A project's label, written upward beside its line near the top of the plot (or the bottom
/// when the top is taken); when both sides of the line are taken, further out with a leader
/// line to it, so labels of projects online at nearly the same time never meet.
fn project_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &mut Layout,
    project: &ProjectMark,
    x: i32,
    plot: Rect,
) -> DrawResult<(), DB> {
    let label = format!(
        "{}: online ~{} ({})",
        project.name,
        units::describe_month(project.median_online),
        units::format_percent(project.probability)
    );
    let (len, height) = place::measure(root, &label, style::NOTE_PX)?;
    let (w, h) = (height, len);
    let ys = [plot.y0 + 8, plot.y1 - 8 - h];
    let candidates = (0..40).flat_map(|k| {
        let shift = k * (w + 4);
        ys.into_iter()
            .flat_map(move |y| [x + 4 + shift, x - 4 - w - shift].map(|x0| Rect::at(x0, y, w, h)))
    });
    let Some(rect) = layout.place(Kind::Label, &label, candidates, &plot) else {
        return Ok(());
    };
    root.draw(&Rectangle::new(
        [(rect.x0, rect.y0), (rect.x1, rect.y1)],
        WHITE.mix(0.8).filled(),
    ))?;
    let font = style::anchored_for(&label, style::NOTE_PX, INK, HPos::Left, VPos::Bottom)
        .transform(FontTransform::Rotate270);
    root.draw(&Text::new(
        label,
        (rect.x1 - place::PAD, rect.y1 - place::PAD),
        font,
    ))?;
    place::leader(root, (x, (rect.y0 + rect.y1) / 2), rect, 4)
}
