//! Charts of a finished run, one file per chart; they draw [`ChartData`] and compute nothing.
//!
//! Each chart renders to bytes (PNG or SVG) in memory, then `report::write_atomic` puts it on
//! disk, so a chart file is complete or absent. A chart that fails to draw becomes an error
//! naming it; the other charts are still drawn.

pub mod cities;
pub mod compare;
pub mod crossing;
pub mod fan;
pub mod horizon;
pub mod paths;
pub mod style;
pub mod targets;
pub mod tornado;

use crate::chart_data::ChartData;
use crate::report;
use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The result of a drawing call on backend `DB`.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// File format of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// One chart of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// The fan chart of series `i` (cities in order, then the Total).
    Fan(usize),
    Cities,
    Horizon,
    Paths,
    Targets,
    /// Probability over time of having reached each target (needs decisions).
    Crossing,
    /// The Total's strongest drivers (needs a sensitivity analysis).
    Tornado,
}

/// Every chart of a run, in the order they are drawn; the crossing and tornado charts only
/// when the data holds decisions ([`ChartData::with_decisions`]).
pub fn charts(data: &ChartData) -> Vec<Chart> {
    let decided = !data.crossing.is_empty() || data.drivers.is_some();
    (0..data.series.len())
        .map(Chart::Fan)
        .chain([Chart::Cities, Chart::Horizon, Chart::Paths, Chart::Targets])
        .chain(
            decided
                .then_some([Chart::Crossing, Chart::Tornado])
                .into_iter()
                .flatten(),
        )
        .collect()
}

/// The file name of each chart, in the order of [`charts`]: fan_<city>, fan_total, cities,
/// horizon, paths, targets. City names become lowercase ASCII slugs; a slug that two cities
/// share gets the city's number appended.
pub fn file_names(data: &ChartData, format: Format) -> Vec<String> {
    let mut used: Vec<String> = vec!["total".into()];
    let mut names = Vec::new();
    for (i, s) in data.series.iter().enumerate() {
        let stem = if s.city_index.is_none() {
            "total".to_string()
        } else {
            let base = slug(&s.name);
            let stem = if used.contains(&base) {
                format!("{base}_{}", i + 1)
            } else {
                base
            };
            used.push(stem.clone());
            stem
        };
        names.push(format!("fan_{stem}.{}", format.extension()));
    }
    let decided = !data.crossing.is_empty() || data.drivers.is_some();
    let extra: &[&str] = if decided {
        &["crossing", "tornado"]
    } else {
        &[]
    };
    for stem in ["cities", "horizon", "paths", "targets"]
        .iter()
        .chain(extra)
    {
        names.push(format!("{stem}.{}", format.extension()));
    }
    names
}

/// A lowercase ASCII file-name stem for a name.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
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
) -> DrawResult<(), DB> {
    match chart {
        Chart::Fan(i) => fan::draw(root, data, &data.series[i]),
        Chart::Cities => cities::draw(root, data),
        Chart::Horizon => horizon::draw(root, data),
        Chart::Paths => paths::draw(root, data),
        Chart::Targets => targets::draw(root, data),
        Chart::Crossing => crossing::draw(root, data),
        Chart::Tornado => tornado::draw(root, data),
    }
}

/// Something that draws itself on any plotters backend.
pub trait Drawing {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB>;
}

struct RunChart<'a>(Chart, &'a ChartData);

impl Drawing for RunChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        draw_chart(root, self.0, self.1)
    }
}

/// Draws one chart into memory and returns the file's bytes.
pub fn render(chart: Chart, data: &ChartData, format: Format) -> Result<Vec<u8>> {
    render_drawing(&RunChart(chart, data), format)
}

/// Draws anything [`Drawing`] at the shared size into memory and returns the file's bytes.
pub fn render_drawing(item: &impl Drawing, format: Format) -> Result<Vec<u8>> {
    style::ensure_font().map_err(|e| anyhow!(e))?;
    let (w, h) = style::SIZE;
    match format {
        Format::Png => {
            let mut rgb = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                item.draw_on(&root).map_err(|e| anyhow!("{e}"))?;
                root.present().map_err(|e| anyhow!("{e}"))?;
            }
            encode_png(&rgb, (w, h))
        }
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                item.draw_on(&root).map_err(|e| anyhow!("{e}"))?;
                root.present().map_err(|e| anyhow!("{e}"))?;
            }
            Ok(svg.into_bytes())
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

/// What happened to one chart file.
#[derive(Debug)]
pub struct ChartOutcome {
    pub file: String,
    pub result: Result<PathBuf>,
}

/// Draws every chart into `dir`, in parallel on the current rayon pool; returns each chart's
/// outcome in the order of [`charts`] (a failure does not stop the others).
pub fn write_all(dir: &Path, data: &ChartData, format: Format) -> Vec<ChartOutcome> {
    let jobs: Vec<(Chart, String)> = charts(data)
        .into_iter()
        .zip(file_names(data, format))
        .collect();
    jobs.into_par_iter()
        .map(|(chart, file)| {
            let path = dir.join(&file);
            let result = render(chart, data, format)
                .and_then(|bytes| report::write_atomic(&path, &bytes))
                .map(|()| path)
                .with_context(|| format!("Could not draw chart '{file}'"));
            ChartOutcome { file, result }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn city_names_become_file_names() {
        assert_eq!(slug("Beijing"), "beijing");
        assert_eq!(slug("New York City"), "new_york_city");
        assert_eq!(slug("  São--Paulo "), "s_o_paulo");
        assert_eq!(slug("北京"), "city");
    }
}
