//! Drawing with a layout: text measured, recorded in the chart's [`Layout`] and drawn at its
//! box, and legends placed where they hide no marker and as little data as possible. Every
//! coordinate here is in canvas pixels; text is drawn on the root area.

use super::canvas::DrawResult;
use super::layout::{Kind, Layout, Rect};
use super::style::{self, INK, MUTED};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Padding around a label's text inside its box (the light halo), pixels.
pub const PAD: i32 = 3;

/// The plotting area of a chart as a box in canvas pixels.
pub fn plot_box<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
) -> Rect {
    let (x, y) = area.get_pixel_range();
    Rect {
        x0: x.start,
        y0: y.start,
        x1: x.end,
        y1: y.end,
    }
}

/// Width and height of `text` at `px` pixels (in the font that draws it), padding included.
pub fn measure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    px: f64,
) -> DrawResult<(i32, i32), DB> {
    let (w, h) = root.estimate_text_size(text, &style::text_for(text, px, INK))?;
    Ok((w as i32 + 2 * PAD, h as i32 + 2 * PAD))
}

/// Draws `text` inside `rect` (as measured by [`measure`]) on a light halo, when `halo`.
pub fn draw_in<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    rect: Rect,
    (px, colour): (f64, RGBColor),
    halo: bool,
) -> DrawResult<(), DB> {
    if halo {
        root.draw(&Rectangle::new(
            [(rect.x0, rect.y0), (rect.x1, rect.y1)],
            WHITE.mix(0.85).filled(),
        ))?;
    }
    root.draw(&Text::new(
        text.to_string(),
        (rect.x0 + PAD, rect.y0 + PAD),
        style::text_for(text, px, colour).pos(Pos::new(HPos::Left, VPos::Top)),
    ))
}

/// Draws `text` anchored at `(x, y)` as `h` and `v` say, records its box as a label and
/// returns the box.
#[allow(clippy::too_many_arguments)]
pub fn fixed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &mut Layout,
    text: &str,
    (x, y): (i32, i32),
    (h, v): (HPos, VPos),
    (px, colour): (f64, RGBColor),
) -> DrawResult<Rect, DB> {
    let (w, ht) = measure(root, text, px)?;
    let x0 = match h {
        HPos::Left => x - PAD,
        HPos::Center => x - w / 2,
        HPos::Right => x - w + PAD,
    };
    let y0 = match v {
        VPos::Top => y - PAD,
        VPos::Center => y - ht / 2,
        VPos::Bottom => y - ht + PAD,
    };
    let rect = Rect::at(x0, y0, w, ht);
    layout.add(Kind::Label, text, rect);
    draw_in(root, text, rect, (px, colour), false)?;
    Ok(rect)
}

/// Draws a thin leader line from a marker or line at `from` to the nearest point of `rect`,
/// when the label does not touch it.
pub fn leader<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    rect: Rect,
    gap: i32,
) -> DrawResult<(), DB> {
    let to = rect.nearest(from);
    if (to.0 - from.0).abs() + (to.1 - from.1).abs() <= gap + PAD + 14 {
        return Ok(());
    }
    root.draw(&PathElement::new([from, to], MUTED.stroke_width(1)))
}

/// The sample drawn before a legend entry's text.
#[derive(Debug, Clone, Copy)]
pub enum Sample {
    /// A filled block (a band).
    Fill(RGBColor),
    /// A solid line of this width.
    Line(RGBColor, u32),
    /// A dashed line of this width.
    Dashed(RGBColor, u32),
    /// Short dashes of width 2 (an unfilled band's edge).
    Outline(RGBColor),
    /// A light block with a solid line through it (a median with its band).
    Band(RGBColor, RGBColor),
}

/// Entry height and gaps of a legend, pixels.
const ROW_GAP: i32 = 6;
const INSET: i32 = 12;

/// Places and draws a legend of `entries` inside `plot`, recorded in the layout: the first
/// corner (upper left, upper middle, upper right, lower right, lower left, middle right) that
/// meets no recorded box, preferring the one that covers the fewest of the `data` points.
/// Returns None when it fits nowhere (nothing drawn).
pub fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &mut Layout,
    plot: Rect,
    entries: &[(Sample, String)],
    data: &[(i32, i32)],
) -> DrawResult<Option<Rect>, DB> {
    if entries.is_empty() {
        return Ok(None);
    }
    let mut sizes = Vec::new();
    for (_, text) in entries {
        sizes.push(measure(root, text, style::NOTE_PX)?);
    }
    let row = sizes.iter().map(|s| s.1).max().unwrap_or(20).max(20);
    let text_w = sizes.iter().map(|s| s.0).max().unwrap_or(0);
    let w = 2 * INSET + style::LEGEND_SAMPLE_PX + 10 + text_w;
    let h = 2 * INSET + entries.len() as i32 * (row + ROW_GAP) - ROW_GAP;
    let m = 16;
    let (l, c, r) = (plot.x0 + m, (plot.x0 + plot.x1 - w) / 2, plot.x1 - m - w);
    let (t, mid, b) = (plot.y0 + m, (plot.y0 + plot.y1 - h) / 2, plot.y1 - m - h);
    let spots = [
        (l, t),
        (c, t),
        (r, t),
        (r, b),
        (l, b),
        (r, mid),
        (c, b),
        (l, mid),
    ];
    let cost = |rect: &Rect| {
        data.iter()
            .filter(|(x, y)| rect.grow(4).intersects(&Rect::at(*x, *y, 1, 1)))
            .count()
    };
    let best = spots
        .iter()
        .map(|(x, y)| Rect::at(*x, *y, w, h))
        .filter(|rect| layout.is_free(rect, &plot))
        .enumerate()
        .min_by_key(|(i, rect)| (cost(rect), *i))
        .map(|(_, rect)| rect);
    let Some(rect) = best else {
        return Ok(None);
    };
    let names: Vec<&str> = entries.iter().map(|(_, text)| text.as_str()).collect();
    layout.add(Kind::Legend, format!("legend: {}", names.join("; ")), rect);
    root.draw(&Rectangle::new(
        [(rect.x0, rect.y0), (rect.x1, rect.y1)],
        WHITE.mix(0.92).filled(),
    ))?;
    root.draw(&Rectangle::new(
        [(rect.x0, rect.y0), (rect.x1, rect.y1)],
        MUTED.stroke_width(1),
    ))?;
    for (i, (sample, text)) in entries.iter().enumerate() {
        let y = rect.y0 + INSET + i as i32 * (row + ROW_GAP);
        let cy = y + row / 2;
        draw_sample(root, *sample, (rect.x0 + INSET, cy))?;
        let x = rect.x0 + INSET + style::LEGEND_SAMPLE_PX + 10;
        let text_box = Rect::at(x, cy - sizes[i].1 / 2, sizes[i].0, sizes[i].1);
        draw_in(root, text, text_box, (style::NOTE_PX, INK), false)?;
    }
    Ok(Some(rect))
}

fn draw_sample<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sample: Sample,
    (x, y): (i32, i32),
) -> DrawResult<(), DB> {
    let w = style::LEGEND_SAMPLE_PX;
    match sample {
        Sample::Fill(c) => root.draw(&Rectangle::new([(x, y - 9), (x + w, y + 9)], c.filled())),
        Sample::Line(c, width) => root.draw(&PathElement::new(
            [(x, y), (x + w, y)],
            c.stroke_width(width),
        )),
        Sample::Dashed(c, width) => {
            root.draw(&PathElement::new(
                [(x, y), (x + 12, y)],
                c.stroke_width(width),
            ))?;
            root.draw(&PathElement::new(
                [(x + 20, y), (x + w, y)],
                c.stroke_width(width),
            ))
        }
        Sample::Outline(c) => {
            for x0 in (x..x + w).step_by(10) {
                let x1 = (x0 + 5).min(x + w);
                root.draw(&PathElement::new([(x0, y), (x1, y)], c.stroke_width(2)))?;
            }
            Ok(())
        }
        Sample::Band(fill, line) => {
            root.draw(&Rectangle::new([(x, y - 8), (x + w, y + 8)], fill.filled()))?;
            root.draw(&PathElement::new(
                [(x, y), (x + w, y)],
                line.stroke_width(5),
            ))
        }
    }
}
