//! cities.png: the cities' medians and 25-75 bands on one chart, one colour per city: every
//! city of a small scenario, the [`SHOWN`] largest (by median at the end) of a larger one, so
//! that colours stay distinct and bands readable (the groups and the Total have fan charts).

use super::canvas::DrawResult;
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

/// Draws the chart of the cities' medians and 25-75 bands.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
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
    let area = style::frame(root, &title, data)?;
    let top = cities
        .iter()
        .flat_map(|s| &s.p75)
        .fold(0.0f64, |a, b| a.max(*b));
    let (mut chart, _) = style::full_time_chart(&area, (first, last), top)?;
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
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            colour.mix(0.14).filled(),
        )))?;
    }
    for city in &cities {
        let colour = style::series_colour(city.city_index);
        for edge in [&city.p25, &city.p75] {
            let points = data.times.iter().copied().zip(edge.iter().copied());
            chart.draw_series(DashedLineSeries::new(points, 10, 6, colour.stroke_width(2)))?;
        }
    }
    for city in &cities {
        let colour = style::series_colour(city.city_index);
        let points = data.times.iter().copied().zip(city.p50.iter().copied());
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(5)))?
            .label(city.name.clone())
            .legend(move |(x, y)| {
                let w = style::LEGEND_SAMPLE_PX;
                EmptyElement::at((x, y))
                    + Rectangle::new([(0, -8), (w, 8)], colour.mix(0.14).filled())
                    + PathElement::new([(0, -8), (w, -8)], colour.stroke_width(1))
                    + PathElement::new([(0, 8), (w, 8)], colour.stroke_width(1))
                    + PathElement::new([(0, 0), (w, 0)], colour.stroke_width(5))
            });
    }
    style::draw_legend(
        &mut chart,
        SeriesLabelPosition::UpperLeft,
        cities.iter().map(|c| c.name.as_str()),
    )?;
    Ok(())
}
