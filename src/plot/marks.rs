//! The markers of a fan chart, drawn in canvas pixels with their boxes recorded: a target as a
//! bullseye; a report by its kind: `about` as a point with the 90% interval of its error,
//! `at_least` / `at_most` as an arrow from the bound, `between` as a bar from lower to upper.

use super::canvas::DrawResult;
use super::layout::{Kind, Layout, Rect};
use super::style::{self, INK};
use crate::plot::data::{Marker, MarkerKind};
use crate::scenario::types::ObservationKind;
use crate::units::{self, CapacityAxis};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The two-sided 90% normal quantile: an `about` report's bar spans the true values within
/// exp(±1.645 sd) of the reported one.
pub const Z90: f64 = 1.6449;
/// Length of a bound's arrow, pixels.
const ARROW_PX: i32 = 44;
/// Half the width of a marker's box, pixels.
const HALF: i32 = 13;

/// Maps a capacity in P to its pixel row.
pub type ToPixel<'a> = &'a dyn Fn(f64, f64) -> (i32, i32);

/// The values (P) a marker reaches on the capacity axis: its bar or interval's ends.
pub fn extent(marker: &Marker) -> (f64, f64) {
    match &marker.kind {
        MarkerKind::Observed {
            kind: ObservationKind::About,
            error,
            ..
        } => (
            marker.capacity * (-Z90 * error).exp(),
            marker.capacity * (Z90 * error).exp(),
        ),
        MarkerKind::Observed {
            kind: ObservationKind::Between,
            upper: Some(upper),
            ..
        } => (marker.capacity, *upper),
        _ => (marker.capacity, marker.capacity),
    }
}

/// The label of a marker, in the chart's unit.
pub fn label(axis: CapacityAxis, marker: &Marker) -> String {
    match &marker.kind {
        MarkerKind::Target { at, probability } => {
            style::target_label(axis, marker.capacity, *at, *probability)
        }
        MarkerKind::Observed {
            percentile,
            kind,
            upper,
            error,
            basis,
        } => {
            let value = match (kind, upper) {
                (ObservationKind::AtLeast, _) => format!("≥ {}", axis.value(marker.capacity)),
                (ObservationKind::AtMost, _) => format!("≤ {}", axis.value(marker.capacity)),
                (ObservationKind::Between, Some(u)) => {
                    format!("{} to {}", axis.value(marker.capacity), axis.value(*u))
                }
                _ if *error > 0.0 => format!(
                    "{} (90%: {} to {})",
                    axis.value(marker.capacity),
                    axis.value(extent(marker).0),
                    axis.value(extent(marker).1)
                ),
                _ => axis.value(marker.capacity),
            };
            let basis = basis
                .as_ref()
                .map_or(String::new(), |b| format!(", basis \"{b}\""));
            format!(
                "reported {value} ({}{basis}): {:.0}th percentile",
                units::describe_month(marker.year),
                percentile
            )
        }
    }
}

/// Records a marker's box, merged with any marker box it meets (markers that coincide are one
/// mark; the data places them, not the layout).
fn record(layout: &mut Layout, name: &str, mut rect: Rect) -> Rect {
    while let Some(i) = layout
        .boxes
        .iter()
        .position(|b| b.kind == Kind::Marker && b.rect.intersects(&rect))
    {
        let other = layout.boxes.remove(i).rect;
        rect = Rect {
            x0: rect.x0.min(other.x0),
            y0: rect.y0.min(other.y0),
            x1: rect.x1.max(other.x1),
            y1: rect.y1.max(other.y1),
        };
    }
    layout.add(Kind::Marker, name, rect);
    rect
}

/// Draws a marker and records its box; returns the box of the marker itself (its label goes
/// next to it).
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &mut Layout,
    marker: &Marker,
    to_pixel: ToPixel<'_>,
) -> DrawResult<Rect, DB> {
    let (x, y) = to_pixel(marker.year, marker.capacity);
    let (lo, hi) = extent(marker);
    let (y_lo, y_hi) = (to_pixel(marker.year, lo).1, to_pixel(marker.year, hi).1);
    let diamond = |s: i32| vec![(x, y - s), (x + s, y), (x, y + s), (x - s, y)];
    let stroke = INK.stroke_width(3);
    let own = match &marker.kind {
        MarkerKind::Target { .. } => {
            root.draw(&Circle::new((x, y), 10, WHITE.filled()))?;
            root.draw(&Circle::new((x, y), 10, INK.stroke_width(3)))?;
            root.draw(&Circle::new((x, y), 4, INK.filled()))?;
            Rect::centred(x, y, 2 * HALF, 2 * HALF)
        }
        MarkerKind::Observed { kind, .. } => match kind {
            ObservationKind::About => {
                if y_lo - y_hi > 4 {
                    for (a, b) in [((x, y_hi), (x, y_lo)), ((x - 8, y_hi), (x + 8, y_hi))] {
                        root.draw(&PathElement::new([a, b], stroke))?;
                    }
                    root.draw(&PathElement::new([(x - 8, y_lo), (x + 8, y_lo)], stroke))?;
                }
                root.draw(&Polygon::new(diamond(10), INK.filled()))?;
                Rect::at(x - HALF, (y_hi - 3).min(y - HALF), 2 * HALF, 0)
                    .with_bottom((y_lo + 3).max(y + HALF))
            }
            ObservationKind::AtLeast | ObservationKind::AtMost => {
                let dir = if *kind == ObservationKind::AtLeast {
                    -1
                } else {
                    1
                };
                let tip = y + dir * ARROW_PX;
                root.draw(&PathElement::new(
                    [(x - 11, y), (x + 11, y)],
                    INK.stroke_width(4),
                ))?;
                root.draw(&PathElement::new([(x, y), (x, tip)], stroke))?;
                root.draw(&Polygon::new(
                    vec![(x, tip), (x - 8, tip - dir * 12), (x + 8, tip - dir * 12)],
                    INK.filled(),
                ))?;
                let (top, bottom) = if dir < 0 { (tip, y) } else { (y, tip) };
                Rect::at(x - HALF, top - 3, 2 * HALF, bottom - top + 9)
            }
            ObservationKind::Between => {
                root.draw(&Rectangle::new(
                    [(x - 5, y_hi), (x + 5, y_lo)],
                    INK.filled(),
                ))?;
                for yy in [y_hi, y_lo] {
                    root.draw(&PathElement::new([(x - 10, yy), (x + 10, yy)], stroke))?;
                }
                Rect::at(x - HALF, y_hi - 4, 2 * HALF, (y_lo - y_hi + 8).max(8))
            }
        },
    };
    Ok(record(layout, &label_name(marker), own))
}

fn label_name(marker: &Marker) -> String {
    match marker.kind {
        MarkerKind::Target { .. } => "target".to_string(),
        MarkerKind::Observed { .. } => "report".to_string(),
    }
}

impl Rect {
    /// The same box with its bottom edge at `y1`.
    fn with_bottom(self, y1: i32) -> Rect {
        Rect { y1, ..self }
    }
}
