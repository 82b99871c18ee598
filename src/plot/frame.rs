//! The frame every chart shares: the canvas cleared, the title on top, the footer (scenario,
//! trials, seed, units) below, both recorded in the chart's layout and shrunk to fit; and the
//! note of a framed chart with nothing to draw.

use super::layout::{Kind, Layout};
use super::place;
use super::style::{AXIS_TITLE_PX, FOOTER_PX, INK, MUTED, TITLE_PX, UNITS_NOTE, group_thousands};
use crate::plot::data::ChartData;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Clears the canvas, draws the title and the footer (scenario, trials, seed), and returns
/// the area left for the chart.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    data: &ChartData,
    layout: &mut Layout,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let footer = format!(
        "Scenario \"{}\" · {} trials · seed {} · {UNITS_NOTE}",
        data.scenario,
        group_thousands(data.trials),
        data.seed
    );
    frame_with_footer(root, title, &footer, layout)
}

/// Writes `text` (muted, axis-title size) anchored at `at` as `pos` says, recorded in the
/// layout: what a framed chart shows when it has nothing to draw (no targets, no reports).
pub fn nothing_to_draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &mut Layout,
    text: &str,
    at: (i32, i32),
    pos: (HPos, VPos),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    place::fixed(root, layout, text, at, pos, (AXIS_TITLE_PX, MUTED))?;
    Ok(())
}

/// [`frame`] with a footer of the caller's choosing (charts of several runs).
pub fn frame_with_footer<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    footer: &str,
    layout: &mut Layout,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    // A title or footer too long for the width is drawn smaller, never cut.
    let fit = |text: &str, px: f64| -> Result<f64, DrawingAreaErrorKind<DB::ErrorType>> {
        let (tw, _) = place::measure(root, text, px)?;
        Ok((px * f64::from(w as i32 - 48) / f64::from(tw.max(1))).min(px))
    };
    let pos = (HPos::Left, VPos::Bottom);
    let px = fit(footer, FOOTER_PX)?;
    place::fixed(root, layout, footer, (24, h as i32 - 14), pos, (px, MUTED))?;
    let pos = (HPos::Left, VPos::Top);
    let px = fit(title, TITLE_PX)?;
    place::fixed(root, layout, title, (24, 16), pos, (px, INK))?;
    let n = layout.boxes.len();
    for b in &mut layout.boxes[n.saturating_sub(2)..] {
        b.kind = Kind::Frame;
    }
    Ok(root.margin(78, 48, 16, 32))
}
