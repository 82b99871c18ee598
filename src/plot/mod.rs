//! Charts of a finished run, one file per chart; they draw [`ChartData`] and compute nothing.
//!
//! Each chart renders to bytes (PNG or SVG) in memory; [`crate::output`] puts them on disk, so
//! a chart file is complete or absent. [`planned`] is the one list of a run's charts and their
//! file names. The only module that uses plotters; may import `analysis`, `engine` (types),
//! `scenario`, `stats` and the leaves.

pub mod calibration;
pub mod canvas;
pub mod cities;
pub mod compare;
pub mod compare_targets;
pub mod crossing;
pub mod data;
pub mod drivers;
pub mod fan;
pub mod fonts;
pub mod frame;
pub mod horizon;
pub mod layout;
pub mod marks;
pub mod paths;
pub mod place;
pub mod style;
pub mod targets;
pub mod tornado;

use crate::error::{Error, Result};
use crate::plot::data::ChartData;
pub use canvas::{DrawResult, Drawing, Format};
pub use layout::Layout;
use plotters::coord::Shift;
use plotters::prelude::*;
use sha2::Digest;

/// One chart of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// The fan chart of series `i` (cities in order, then the Total).
    Fan(usize),
    /// Every city's median and 25-75 band on one chart.
    Cities,
    /// Each city's distribution at the end year.
    Horizon,
    /// Single sampled trials next to the median.
    Paths,
    /// Each target's probability of being met.
    Targets,
    /// Probability over time of having reached each target (needs decisions).
    Crossing,
    /// The strongest drivers of analysed series `i` of [`ChartData::drivers`] (the Total
    /// first; needs a sensitivity analysis).
    Tornado(usize),
    /// Where the later reports fell and the coverage of the bands (needs reports).
    Calibration,
}

/// Every chart of a run, in the order they are drawn; the crossing and tornado charts only
/// when the data holds decisions ([`ChartData::with_decisions`]), the calibration chart only
/// when it holds reports ([`ChartData::with_conditioning`]).
pub fn charts(data: &ChartData) -> Vec<Chart> {
    let decided = !data.crossing.is_empty() || !data.drivers.is_empty();
    let tornadoes = if data.drivers.is_empty() {
        vec![Chart::Tornado(0)]
    } else {
        (0..data.drivers.len()).map(Chart::Tornado).collect()
    };
    (0..data.series.len())
        .map(Chart::Fan)
        .chain([Chart::Cities, Chart::Horizon, Chart::Paths, Chart::Targets])
        .chain(decided.then_some(Chart::Crossing))
        .chain(decided.then_some(tornadoes).into_iter().flatten())
        .chain(data.calibration.is_some().then_some(Chart::Calibration))
        .collect()
}

/// Every chart of a run with its file name, in the order they are drawn: `fan_<city>` (city
/// names become lowercase ASCII stems by [`slug`]; a stem that two cities share gets the
/// city's number appended), fan_total, cities, horizon, paths, targets, then crossing and
/// tornado (the Total's, then `tornado_<series>` for each other analysed series) when the data
/// holds decisions, then calibration when it holds reports.
pub fn planned(data: &ChartData, format: Format) -> Vec<(Chart, String)> {
    let mut used: Vec<String> = vec!["total".into()];
    let mut tornado_used: Vec<String> = vec!["total".into()];
    let ext = format.extension();
    charts(data)
        .into_iter()
        .map(|chart| {
            let stem = match chart {
                Chart::Fan(i) => format!("fan_{}", fan_stem(data, i, &mut used)),
                Chart::Cities => "cities".into(),
                Chart::Horizon => "horizon".into(),
                Chart::Paths => "paths".into(),
                Chart::Targets => "targets".into(),
                Chart::Crossing => "crossing".into(),
                Chart::Tornado(i) => match data.drivers.get(i) {
                    Some(d) if d.output != "Total" => {
                        format!(
                            "tornado_{}",
                            unique_stem(&d.output, i + 1, &mut tornado_used)
                        )
                    }
                    _ => "tornado".into(),
                },
                Chart::Calibration => "calibration".into(),
            };
            (chart, format!("{stem}.{ext}"))
        })
        .collect()
}

/// What a chart shows, for summary.json: its kind (`fan`, `cities`, `horizon`, `paths`,
/// `targets`, `crossing`, `tornado`) and the series drawn on it, in order.
pub fn shows(chart: Chart, data: &ChartData) -> (&'static str, Vec<String>) {
    let cities = || {
        data.series
            .iter()
            .filter(|s| s.city_index.is_some())
            .map(|s| s.name.clone())
            .collect()
    };
    let targeted = || {
        let mut names: Vec<String> = Vec::new();
        for t in &data.targets {
            if !names.contains(&t.city) {
                names.push(t.city.clone());
            }
        }
        names
    };
    match chart {
        Chart::Fan(i) => ("fan", vec![data.series[i].name.clone()]),
        Chart::Cities => ("cities", cities()),
        Chart::Horizon => ("horizon", cities()),
        Chart::Paths => (
            "paths",
            data.series.iter().map(|s| s.name.clone()).collect(),
        ),
        Chart::Targets => ("targets", targeted()),
        Chart::Crossing => ("crossing", targeted()),
        Chart::Tornado(i) => (
            "tornado",
            vec![
                data.drivers
                    .get(i)
                    .map_or("Total".to_string(), |d| d.output.clone()),
            ],
        ),
        Chart::Calibration => ("calibration", Vec::new()),
    }
}

fn fan_stem(data: &ChartData, i: usize, used: &mut Vec<String>) -> String {
    let s = &data.series[i];
    if s.city_index.is_none() && s.name == "Total" {
        return "total".to_string();
    }
    unique_stem(&s.name, i + 1, used)
}

/// Longest file-name stem taken from a name (file systems allow 255 bytes).
pub const MAX_STEM: usize = 40;

/// A file-name stem for the `position`-th (from 1) name that no stem in `used` has: the
/// name's [`slug`] cut to [`MAX_STEM`], then `_<position>`, then a counter, as needed. It
/// depends only on the names and their order, so it is the same in every run; it joins `used`.
pub fn unique_stem(name: &str, position: usize, used: &mut Vec<String>) -> String {
    let base: String = slug(name).chars().take(MAX_STEM).collect();
    let base = base.trim_end_matches('_').to_string();
    let mut stem = base.clone();
    if used.contains(&stem) {
        stem = format!("{base}_{position}");
    }
    let mut extra = 2;
    while used.contains(&stem) {
        stem = format!("{base}_{position}_{extra}");
        extra += 1;
    }
    used.push(stem.clone());
    stem
}

/// A lowercase ASCII file-name stem for a name, the same in every run and on every machine.
///
/// An ASCII name keeps its letters and digits, lowercased, every other run of characters
/// becoming one `_` ("New York City" -> "new_york_city"; "city" if nothing is left): the rule
/// shipped chart names were made with. A name with any other character (北京, São Paulo) keeps
/// that readable part, cut to leave room, and appends the first 8 hex digits of the SHA-256
/// of the trimmed name's UTF-8 bytes ("c_" and the digits when nothing readable is left:
/// 北京 -> "c_68c77e15"), so names that differ only in such characters get different stems
/// whatever their order in the scenario.
///
/// Not a pinyin transliteration: readings of characters depend on the word (重庆 is
/// Chongqing, not "zhongqing"), a per-character table gets some city names wrong, and a
/// change to its data would rename files.
pub fn slug(name: &str) -> String {
    let name = name.trim();
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if !name.is_ascii() {
        let hash: String = sha2::Sha256::digest(name.as_bytes())
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        let readable: String = trimmed.chars().take(MAX_STEM - 9).collect();
        let readable = readable.trim_end_matches('_');
        return if readable.is_empty() {
            format!("c_{hash}")
        } else {
            format!("{readable}_{hash}")
        };
    }
    if trimmed.is_empty() {
        "city".to_string()
    } else {
        trimmed.to_string()
    }
}

fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: Chart,
    data: &ChartData,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    match chart {
        Chart::Fan(i) => fan::draw(root, data, &data.series[i], layout),
        Chart::Cities => cities::draw(root, data, layout),
        Chart::Horizon => horizon::draw(root, data, layout),
        Chart::Paths => paths::draw(root, data, layout),
        Chart::Targets => targets::draw(root, data, layout),
        Chart::Crossing => crossing::draw(root, data, layout),
        Chart::Tornado(i) => tornado::draw(root, data, data.drivers.get(i), layout),
        Chart::Calibration => calibration::draw(root, data, layout),
    }
}

struct RunChart<'a>(Chart, &'a ChartData);

impl Drawing for RunChart<'_> {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        layout: &mut Layout,
    ) -> DrawResult<(), DB> {
        draw_chart(root, self.0, self.1, layout)
    }
}

/// Draws one chart into memory and returns the file's bytes.
pub fn render(chart: Chart, data: &ChartData, format: Format) -> Result<Vec<u8>> {
    render_drawing(&RunChart(chart, data), format)
}

/// The layout of one chart: the boxes of every label, legend and marker it draws.
pub fn layout(chart: Chart, data: &ChartData) -> Result<Layout> {
    Ok(render_with_layout(&RunChart(chart, data), Format::Svg)?.1)
}

/// Draws anything [`Drawing`] at the shared size into memory and returns the file's bytes.
pub fn render_drawing(item: &impl Drawing, format: Format) -> Result<Vec<u8>> {
    Ok(render_with_layout(item, format)?.0)
}

/// [`render_drawing`], with the layout the drawing recorded.
pub fn render_with_layout(item: &impl Drawing, format: Format) -> Result<(Vec<u8>, Layout)> {
    style::ensure_font()?;
    let (w, h) = style::SIZE;
    let mut layout = Layout::new((w, h));
    match format {
        Format::Png => {
            let mut rgb = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                item.draw_on(&root, &mut layout)
                    .map_err(|e| Error::Failed(e.to_string()))?;
                root.present().map_err(|e| Error::Failed(e.to_string()))?;
            }
            Ok((encode_png(&rgb, (w, h))?, layout))
        }
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                item.draw_on(&root, &mut layout)
                    .map_err(|e| Error::Failed(e.to_string()))?;
                root.present().map_err(|e| Error::Failed(e.to_string()))?;
            }
            Ok((svg.into_bytes(), layout))
        }
    }
}

/// Encodes 8-bit RGB pixels as PNG with fixed settings, so equal pixels give equal bytes.
/// The default level: "best" made files only 3% smaller and took twice as long.
fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Default);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn city_names_become_file_names() {
        assert_eq!(slug("Beijing"), "beijing");
        assert_eq!(slug("New York City"), "new_york_city");
        assert_eq!(slug("?!"), "city");
        assert_eq!(slug("  São--Paulo "), "s_o_paulo_dbc1b16d");
        assert!(slug("São Paulo").starts_with("s_o_paulo_"));
        assert_ne!(slug("São Paulo"), slug("Sao Paulo"));
        let beijing = slug("北京");
        assert_eq!(beijing, "c_68c77e15");
        assert_ne!(beijing, slug("北京市"));
        assert_eq!(beijing, slug(" 北京 "));
        let long = slug(&format!("{} 北京", "x".repeat(60)));
        assert_eq!(long.len(), MAX_STEM);
    }
}
