//! What every chart shares: size, the embedded fonts (chosen per label by [`super::fonts`]),
//! the colour-blind-safe palette, text sizes, the title and footer frame, and the capacity and
//! year axes' labels.

use super::canvas::DrawResult;
use super::fonts::{self, Family};
use crate::units::{self, CapacityAxis, DisplayUnit};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Pixel size of every chart: readable at full size and when shrunk onto a slide.
pub const SIZE: (u32, u32) = (1600, 900);

/// Family name of the Latin font, DejaVu Sans, embedded so charts never depend on system
/// fonts (SVG files name it too). Labels it cannot draw use [`fonts::CJK_FAMILY`].
pub const FONT: &str = fonts::LATIN_FAMILY;

/// Text sizes in pixels at 1600x900.
pub const TITLE_PX: f64 = 40.0;
/// Axis titles and large labels, pixels.
pub const AXIS_TITLE_PX: f64 = 28.0;
/// Tick labels, pixels.
pub const TICK_PX: f64 = 24.0;
/// Notes and bar labels, pixels.
pub const NOTE_PX: f64 = 22.0;
/// Footer (scenario, trials, seed), pixels.
pub const FOOTER_PX: f64 = 20.0;

/// Okabe-Ito colours, in the order cities receive them; yellow, hard to see on white, last.
const CITY_COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow
];
/// Colours of compared scenarios, never used for cities: Paul Tol's muted indigo, olive and
/// wine, a brown and Tol's purple, each at least 25 CIELAB units (Delta E 1976) from every city
/// colour and the Total's (tested), so that no colour means a scenario in one chart and a
/// city in another.
const SCENARIO_COLOURS: [RGBColor; 5] = [
    RGBColor(51, 34, 136),  // indigo
    RGBColor(153, 153, 51), // olive
    RGBColor(136, 34, 85),  // wine
    RGBColor(140, 86, 27),  // brown
    RGBColor(170, 68, 153), // purple
];
/// The Total's colour.
pub const TOTAL_COLOUR: RGBColor = RGBColor(60, 60, 60);
/// Colour of text and axes.
pub const INK: RGBColor = RGBColor(25, 25, 25);
/// Colour of secondary text and marks.
pub const MUTED: RGBColor = RGBColor(110, 110, 110);
/// Colour of grid lines.
pub const GRID: RGBColor = RGBColor(225, 225, 225);
/// Width of a legend's sample, pixels; the legend text starts after it.
pub const LEGEND_SAMPLE_PX: i32 = 34;

/// The colour of city `i` (None: the Total), the same in every chart.
pub fn series_colour(city_index: Option<usize>) -> RGBColor {
    match city_index {
        Some(i) => CITY_COLOURS[i % CITY_COLOURS.len()],
        None => TOTAL_COLOUR,
    }
}

/// The colour of the `i`-th compared scenario (from 0), in every comparison chart.
pub fn scenario_colour(i: usize) -> RGBColor {
    SCENARIO_COLOURS[i % SCENARIO_COLOURS.len()]
}

/// `colour` blended toward white, `strength` in 0..=1 (1 keeps the colour): a solid tint, so
/// bands do not depend on alpha blending.
pub fn tint(colour: RGBColor, strength: f64) -> RGBColor {
    let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * strength).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// Registers the embedded fonts once; later calls return the first outcome.
pub fn ensure_font() -> crate::error::Result<()> {
    fonts::register()
}

/// A text style in the Latin font: `px` pixels, `colour`. For text the program writes itself;
/// text holding names from a scenario takes [`text_for`].
pub fn text(px: f64, colour: RGBColor) -> TextStyle<'static> {
    text_in(Family::Latin, px, colour)
}

/// A text style in `family`, the size of [`text`]'s at `px`.
pub fn text_in(family: Family, px: f64, colour: RGBColor) -> TextStyle<'static> {
    (family.name(), family.px(px)).into_font().color(&colour)
}

/// A text style for `label`: the Latin font, or the CJK font if the label holds Chinese.
pub fn text_for(label: &str, px: f64, colour: RGBColor) -> TextStyle<'static> {
    text_in(fonts::for_text(label), px, colour)
}

/// A text style like [`text`], anchored at its `h` and `v` positions.
pub fn anchored(px: f64, colour: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    text(px, colour).pos(Pos::new(h, v))
}

/// A text style like [`text_for`], anchored at its `h` and `v` positions.
pub fn anchored_for(
    label: &str,
    px: f64,
    colour: RGBColor,
    h: HPos,
    v: VPos,
) -> TextStyle<'static> {
    text_for(label, px, colour).pos(Pos::new(h, v))
}

/// The units every footer states.
pub const UNITS_NOTE: &str = "capacity in P = PFLOPS FP16 (1 E = 1,000 P)";

/// 100000 as "100,000".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Tick label of a year axis: whole years only ("2026"), empty elsewhere.
pub fn year_tick(year: &f64) -> String {
    if (year - year.round()).abs() < 1e-9 {
        format!("{}", year.round() as i64)
    } else {
        String::new()
    }
}

/// Year-axis title: grid times are decimal years, 2026.0 being 1 January 2026.
pub const YEAR_TITLE: &str = "Year (tick = 1 January)";

/// The capacity axis for values up to `max_p` in `unit`, with its tick formatter and title.
pub fn capacity_axis(max_p: f64, unit: DisplayUnit) -> CapacityAxis {
    CapacityAxis::choose(max_p, unit)
}

/// A target's label in the unit of the chart's axis: "P(≥ 45k P by end-2025) = 62%".
pub fn target_label(axis: CapacityAxis, capacity: f64, at: f64, probability: f64) -> String {
    format!(
        "P(≥ {} by {}) = {}",
        axis.value(capacity),
        units::describe_year(at),
        units::format_percent(probability)
    )
}

/// Room above the highest value so that labels drawn at the top do not touch data.
pub fn headroom(max: f64) -> f64 {
    if max > 0.0 { max * 1.12 } else { 1.0 }
}

/// A chart of two decimal axes: capacity (P) against decimal years (fan, cities and paths
/// charts), or probability across rows of bars ([`probability_chart`]).
pub type TimeChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A full-size time chart on `area`, from `first` to `last` and from 0 P to a little above
/// `top`, with its mesh and axis titles drawn: the frame of the fan, cities and compare charts.
pub fn full_time_chart<'a, DB: DrawingBackend + 'a>(
    area: &'a DrawingArea<DB, Shift>,
    (first, last): (f64, f64),
    top: f64,
    unit: DisplayUnit,
) -> DrawResult<(TimeChart<'a, DB>, CapacityAxis), DB> {
    let axis = capacity_axis(top, unit);
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(first..last, 0.0..headroom(top))?;
    draw_time_mesh(&mut chart, (first, last), axis, 8, true)?;
    Ok((chart, axis))
}

/// A chart of probabilities (0 to 100% across) against `rows` rows of bars (down, no axis),
/// with its mesh and axis title drawn: the targets and compare_targets charts.
pub fn probability_chart<'a, DB: DrawingBackend + 'a>(
    area: &'a DrawingArea<DB, Shift>,
    rows: f64,
    margin_right: u32,
) -> DrawResult<TimeChart<'a, DB>, DB> {
    let mut chart = ChartBuilder::on(area)
        .margin_right(margin_right)
        .x_label_area_size(70)
        .y_label_area_size(20)
        .build_cartesian_2d(0.0..100.0, 0.0..rows)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .x_labels(11)
        .x_label_formatter(&|v| format!("{v:.0}%"))
        .x_desc("Probability of reaching the target (% of trials)")
        .axis_desc_style(text(AXIS_TITLE_PX, INK))
        .label_style(text(TICK_PX, INK))
        .draw()?;
    Ok(chart)
}

/// Draws the grid and ticks of a time chart: a year tick every half year, `y_labels` capacity
/// ticks in `axis`'s unit, and the axis titles when `titles` is set.
pub fn draw_time_mesh<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    (first, last): (f64, f64),
    axis: CapacityAxis,
    y_labels: usize,
    titles: bool,
) -> DrawResult<(), DB> {
    let title_style = text(AXIS_TITLE_PX, INK);
    let capacity_tick = |v: &f64| axis.tick(*v);
    let mut mesh = chart.configure_mesh();
    mesh.max_light_lines(0)
        .bold_line_style(GRID)
        .x_labels(((last - first).ceil() as usize + 1) * 2)
        .x_label_formatter(&year_tick)
        .y_labels(y_labels)
        .y_label_formatter(&capacity_tick)
        .label_style(text(TICK_PX, INK));
    if titles {
        mesh.x_desc(YEAR_TITLE)
            .y_desc(axis.title())
            .axis_desc_style(title_style);
    }
    mesh.draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_in_a_briefing() {
        assert_eq!(group_thousands(100_000), "100,000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(year_tick(&2026.0), "2026");
        assert_eq!(year_tick(&2026.5), "");
        assert_eq!(
            target_label(CapacityAxis::ThousandsOfP, 45_000.0, 2026.0, 0.623),
            "P(≥ 45k P by end-2025) = 62%"
        );
    }

    /// CIELAB (D65) of an sRGB colour.
    fn lab(c: RGBColor) -> [f64; 3] {
        let lin = |u: u8| {
            let u = f64::from(u) / 255.0;
            if u > 0.04045 {
                ((u + 0.055) / 1.055).powf(2.4)
            } else {
                u / 12.92
            }
        };
        let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    #[test]
    fn scenario_colours_are_far_from_every_city_colour() {
        let delta = |a: RGBColor, b: RGBColor| {
            let (a, b) = (lab(a), lab(b));
            ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
        };
        // Okabe-Ito blue and vermillion are 113 apart: the scale is right.
        assert!((delta(CITY_COLOURS[0], CITY_COLOURS[1]) - 113.0).abs() < 5.0);
        for (i, s) in SCENARIO_COLOURS.iter().enumerate() {
            for c in CITY_COLOURS.iter().chain([&TOTAL_COLOUR]) {
                let d = delta(*s, *c);
                assert!(d >= 25.0, "scenario colour {i} {s:?} is {d:.1} from {c:?}");
            }
            for t in &SCENARIO_COLOURS[..i] {
                assert!(delta(*s, *t) >= 25.0, "{s:?} and {t:?}");
            }
        }
    }

    #[test]
    fn tints_blend_toward_white() {
        assert_eq!(tint(RGBColor(0, 100, 255), 0.0), RGBColor(255, 255, 255));
        assert_eq!(tint(RGBColor(0, 100, 255), 1.0), RGBColor(0, 100, 255));
        assert_eq!(tint(RGBColor(0, 0, 0), 0.5), RGBColor(128, 128, 128));
    }
}
