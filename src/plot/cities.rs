//! cities.png: the cities' medians and 25-75 bands on one chart, one colour per city: every
//! city of a small scenario, the [`SHOWN`] largest (by median at the end) of a larger one, so
//! that colours stay distinct and bands readable (the groups and the Total have fan charts).

use super::canvas::DrawResult;
use super::frame;
use super::layout::Layout;
use super::place::{self, Sample};
use super::style;
use crate::plot::data::{ChartData, SeriesChart};
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Cities drawn at most: beyond this the palette repeats and the bands hide each other.
pub const SHOWN: usize = 7;

/// The cities drawn: all of them, or the [`SHOWN`] largest by median at the end (file order
/// kept, so a city keeps its colour).
fn shown(data: &ChartData) -> Vec<&SeriesChart> {
    let all: Vec<&SeriesChart> = data.cities().collect();
    if all.len() <= SHOWN {
        return all;
    }
    let end = |s: &SeriesChart| s.p50.last().copied().unwrap_or(0.0);
    let mut by_size = all.clone();
    by_size.sort_by(|a, b| end(b).total_cmp(&end(a)));
    let cut = end(by_size[SHOWN - 1]);
    all.into_iter()
        .filter(|s| end(s) >= cut)
        .take(SHOWN)
        .collect()
}

/// Draws the chart of the cities' medians and 25-75 bands: light fills for every city, the
/// dashed band edges only for the largest (by median at the end), so that bands of many cities
/// do not cross in a tangle of edges.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let (first, last) = (data.times[0], data.times[data.times.len() - 1]);
    let cities = shown(data);
    let of = data.cities().count();
    let span = format!(
        "{} to {}",
        units::describe_year(first),
        units::describe_year(last)
    );
    let title = if cities.len() < of {
        format!(
            "The {} largest of {of} places, {span}: median, middle 50% (band)",
            cities.len()
        )
    } else {
        format!("Capacity by city, {span}: median (line), middle 50% of trials (band)")
    };
    let area = frame::frame(root, &title, data, layout)?;
    let top = cities
        .iter()
        .flat_map(|s| &s.p75)
        .fold(0.0f64, |a, b| a.max(*b));
    let (mut chart, axis) = style::full_time_chart(&area, (first, last), top, data.unit)?;
    let end = |s: &SeriesChart| s.p50.last().copied().unwrap_or(0.0);
    let largest = cities
        .iter()
        .max_by(|a, b| end(a).total_cmp(&end(b)))
        .map(|c| c.name.clone());
    let fill = |colour: RGBColor| colour.mix(if cities.len() > 3 { 0.08 } else { 0.12 });
    for city in &cities {
        let colour = style::series_colour(city.city_index);
        let band: Vec<(f64, f64)> = data
            .times
            .iter()
            .zip(&city.p75)
            .map(|(t, v)| (*t, *v))
            .chain(
                data.times
                    .iter()
                    .zip(&city.p25)
                    .rev()
                    .map(|(t, v)| (*t, *v)),
            )
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(band, fill(colour).filled())))?;
    }
    for city in cities.iter().filter(|c| Some(&c.name) == largest.as_ref()) {
        let colour = style::series_colour(city.city_index);
        for edge in [&city.p25, &city.p75] {
            let points = data.times.iter().copied().zip(edge.iter().copied());
            chart.draw_series(DashedLineSeries::new(points, 10, 6, colour.stroke_width(2)))?;
        }
    }
    let mut entries = Vec::new();
    let mut curves = Vec::new();
    for city in &cities {
        let colour = style::series_colour(city.city_index);
        let points = data.times.iter().copied().zip(city.p50.iter().copied());
        curves.extend(points.clone().map(|p| chart.backend_coord(&p)));
        chart.draw_series(LineSeries::new(points, colour.stroke_width(5)))?;
        let edged = if Some(&city.name) == largest.as_ref() && cities.len() > 1 {
            " (band edges dashed)"
        } else {
            ""
        };
        entries.push((
            Sample::Band(style::tint(colour, 0.25), colour),
            format!(
                "{}: {} at {}{edged}",
                city.name,
                axis.value(end(city)),
                units::describe_year(last)
            ),
        ));
    }
    let plot = place::plot_box(chart.plotting_area());
    place::legend(root, layout, plot, &entries, &curves)?;
    Ok(())
}
