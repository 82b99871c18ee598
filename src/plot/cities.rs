//! cities.png: every city's median and 25-75 band on one chart, one colour per city.

use super::canvas::DrawResult;
use super::style;
use crate::plot::data::ChartData;
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws the chart of every city's median and 25-75 band.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> DrawResult<(), DB> {
    let (first, last) = (data.times[0], data.times[data.times.len() - 1]);
    let title = format!(
        "Capacity by city, {} to {}: median (line), middle 50% of trials (band)",
        units::describe_year(first),
        units::describe_year(last)
    );
    let area = style::frame(root, &title, data)?;
    let top = data
        .cities()
        .flat_map(|s| &s.p75)
        .fold(0.0f64, |a, b| a.max(*b));
    let (mut chart, _) = style::full_time_chart(&area, (first, last), top)?;
    for city in data.cities() {
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
    for city in data.cities() {
        let colour = style::series_colour(city.city_index);
        for edge in [&city.p25, &city.p75] {
            let points = data.times.iter().copied().zip(edge.iter().copied());
            chart.draw_series(DashedLineSeries::new(points, 10, 6, colour.stroke_width(2)))?;
        }
    }
    for city in data.cities() {
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
        data.cities().map(|c| c.name.as_str()),
    )?;
    Ok(())
}
