//! `fan_<city>.png` and fan_total.png: one series' median, 25-75 and 5-95 bands, baseline,
//! projects' median online times and targets with their probabilities.

use super::canvas::DrawResult;
use super::style::{self, INK, MUTED};
use crate::plot::data::{ChartData, Marker, MarkerKind, ProjectMark, SeriesChart};
use crate::units::{self, CapacityAxis};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

type Chart<'a, DB> = style::TimeChart<'a, DB>;

/// Draws the fan chart of one series.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    series: &SeriesChart,
) -> DrawResult<(), DB> {
    let (first, last) = (data.times[0], data.times[data.times.len() - 1]);
    let title = format!(
        "{}: AI computing capacity, {} to {}",
        series.name,
        units::describe_year(first),
        units::describe_year(last)
    );
    let area = style::frame(root, &title, data)?;
    let top = series
        .p95
        .iter()
        .chain(series.markers.iter().map(|m| &m.capacity))
        .fold(0.0f64, |a, b| a.max(*b));
    let (mut chart, axis) = style::full_time_chart(&area, (first, last), top)?;
    let colour = style::series_colour(series.city_index);
    draw_bands(&mut chart, data, series, colour)?;
    draw_baseline(&mut chart, axis, first, series.baseline)?;
    for project in &series.projects {
        draw_project(&mut chart, project, (first, last))?;
    }
    for marker in &series.markers {
        draw_marker(&mut chart, axis, marker, (first, last))?;
    }
    // The legend's entries are the program's own words and numbers.
    style::draw_legend(&mut chart, SeriesLabelPosition::UpperMiddle, [])?;
    Ok(())
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
        (
            &series.p5,
            &series.p95,
            0.22,
            "90% of trials (5th–95th percentile)",
        ),
        (
            &series.p25,
            &series.p75,
            0.45,
            "50% of trials (25th–75th percentile)",
        ),
    ];
    for (lower, upper, strength, label) in bands {
        let fill = style::tint(colour, strength);
        chart
            .draw_series(std::iter::once(Polygon::new(
                band_polygon(&data.times, lower, upper),
                fill.filled(),
            )))?
            .label(label)
            .legend(move |(x, y)| {
                Rectangle::new(
                    [(x, y - 10), (x + style::LEGEND_SAMPLE_PX, y + 10)],
                    fill.filled(),
                )
            });
    }
    let points = data.times.iter().copied().zip(series.p50.iter().copied());
    chart
        .draw_series(LineSeries::new(points, colour.stroke_width(5)))?
        .label("Median")
        .legend(move |(x, y)| {
            PathElement::new(
                [(x, y), (x + style::LEGEND_SAMPLE_PX, y)],
                colour.stroke_width(5),
            )
        });
    Ok(())
}

fn draw_baseline<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    axis: CapacityAxis,
    first: f64,
    baseline: f64,
) -> DrawResult<(), DB> {
    let (x0, x1) = (chart.x_range().start, chart.x_range().end);
    let label = format!(
        "Baseline {}: {} (median)",
        units::describe_year(first),
        axis.value(baseline)
    );
    chart
        .draw_series(DashedLineSeries::new(
            [(x0, baseline), (x1, baseline)],
            12,
            8,
            MUTED.stroke_width(2),
        ))?
        .label(label)
        .legend(|(x, y)| {
            PathElement::new(
                [(x, y), (x + style::LEGEND_SAMPLE_PX, y)],
                MUTED.stroke_width(2),
            )
        });
    Ok(())
}

fn draw_project<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    project: &ProjectMark,
    (first, last): (f64, f64),
) -> DrawResult<(), DB> {
    let x = project.median_online;
    if !(first..=last).contains(&x) {
        return Ok(());
    }
    let y_top = chart.y_range().end;
    chart.draw_series(DashedLineSeries::new(
        [(x, 0.0), (x, y_top)],
        6,
        6,
        INK.stroke_width(2),
    ))?;
    let label = format!(
        "{}: online ~{} ({})",
        project.name,
        units::describe_month(x),
        units::format_percent(project.probability)
    );
    // Written upward along the line, ending just below the top of the plot: targets and
    // reports sit lower down, and labels of projects at different times never meet.
    let style = style::anchored_for(&label, style::NOTE_PX, INK, HPos::Left, VPos::Bottom)
        .transform(FontTransform::Rotate270);
    // A light box behind the words keeps them legible where they cross the bands.
    let upright = style::text_for(&label, style::NOTE_PX, INK);
    let (len, height) = chart.plotting_area().estimate_text_size(&label, &upright)?;
    let (len, height) = (len as i32, height as i32);
    let start = 12 + len;
    let halo = Rectangle::new(
        [(-6 - height - 4, start - len - 4), (-6 + 4, start + 4)],
        WHITE.mix(0.8).filled(),
    );
    chart.draw_series(std::iter::once(
        EmptyElement::at((x, y_top)) + halo + Text::new(label, (-6, start), style),
    ))?;
    Ok(())
}

fn draw_marker<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    axis: CapacityAxis,
    marker: &Marker,
    (first, last): (f64, f64),
) -> DrawResult<(), DB> {
    let label = match &marker.kind {
        MarkerKind::Target { at, probability } => {
            style::target_label(axis, marker.capacity, *at, *probability)
        }
        MarkerKind::Observed { percentile } => format!(
            "reported {} ({}): {:.0}th percentile",
            axis.value(marker.capacity),
            units::describe_month(marker.year),
            percentile
        ),
    };
    let right_half = marker.year > (first + last) / 2.0;
    let (h, dx) = if right_half {
        (HPos::Right, -18)
    } else {
        (HPos::Left, 18)
    };
    let text = style::anchored(style::NOTE_PX, INK, h, VPos::Center);
    let (len, height) = chart.plotting_area().estimate_text_size(&label, &text)?;
    let (len, half) = (len as i32, height as i32 / 2 + 4);
    let (left, right) = if right_half {
        (dx - len - 4, dx + 4)
    } else {
        (dx - 4, dx + len + 4)
    };
    let halo = Rectangle::new([(left, -half), (right, half)], WHITE.mix(0.8).filled());
    let at = (marker.year, marker.capacity);
    let label = Text::new(label, (dx, 0), text);
    match marker.kind {
        // A target: a ring with a dot, like a bullseye.
        MarkerKind::Target { .. } => chart.draw_series(std::iter::once(
            EmptyElement::at(at)
                + halo
                + Circle::new((0, 0), 10, WHITE.filled())
                + Circle::new((0, 0), 10, INK.stroke_width(3))
                + Circle::new((0, 0), 4, INK.filled())
                + label,
        ))?,
        // A reported value: a solid diamond.
        MarkerKind::Observed { .. } => chart.draw_series(std::iter::once(
            EmptyElement::at(at)
                + halo
                + Polygon::new(vec![(0, -11), (11, 0), (0, 11), (-11, 0)], INK.filled())
                + label,
        ))?,
    };
    Ok(())
}
