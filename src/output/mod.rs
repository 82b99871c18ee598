//! Every file a run leaves on disk, declared once: the tables ([`TABLES`]), the charts
//! ([`crate::plot::planned`]), the report page ([`PAGE`], [`page_bytes`]) and the comparison
//! ([`compare_files`]). The run, `merge`,
//! `--compare`, the self-check and the tests all read these lists; [`atomic`] puts the files on
//! disk all-or-nothing. May import `plot`, `report`, `analysis` and below; never `cli`.

pub mod atomic;
pub mod lock;
pub mod samples;

use crate::analysis::Report;
use crate::analysis::compare::compare_rows;
use crate::analysis::results::RunResult;
use crate::engine::Aggregate;
use crate::error::{Context, Result};
use crate::plot::data::ChartData;
use crate::plot::{self, Format};
use crate::report::html::{self, PageChart, Provenance};
use crate::report::json::{ChartEntry, RunMetadata};
use crate::report::{conditioning, csv, json};
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// One table of a run's folder.
pub struct TableSpec {
    /// File name inside the scenario's folder.
    pub file: &'static str,
    /// When it is written, in words (for docs/architecture.md and the tests).
    pub when: &'static str,
    /// Whether this run writes it.
    pub applies: fn(&Report) -> bool,
    /// Its bytes, given the charts written beside it.
    pub render: fn(&Report, &RunMetadata, &[ChartEntry]) -> Result<Vec<u8>>,
}

fn always(_: &Report) -> bool {
    true
}

/// Every table a run can write, in the order they are written.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        file: "summary.csv",
        when: "always",
        applies: always,
        render: |r, _, _| csv::summary_csv(&r.result),
    },
    TableSpec {
        file: "targets.csv",
        when: "always",
        applies: always,
        render: |r, _, _| csv::targets_csv(&r.result),
    },
    TableSpec {
        file: "backtest.csv",
        when: "always",
        applies: always,
        render: |r, _, _| csv::backtest_csv(&r.result),
    },
    TableSpec {
        file: "crossing.csv",
        when: "always",
        applies: always,
        render: |r, _, _| csv::crossing_csv(&r.decisions),
    },
    TableSpec {
        file: "targets_over_time.csv",
        when: "always",
        applies: always,
        render: |r, _, _| csv::levels_csv(&r.decisions),
    },
    TableSpec {
        file: "ranking.csv",
        when: "always",
        applies: always,
        render: |r, _, _| csv::ranking_csv(&r.decisions),
    },
    TableSpec {
        file: "overtake.csv",
        when: "always",
        applies: always,
        render: |r, _, _| csv::overtake_csv(&r.decisions),
    },
    TableSpec {
        file: "sensitivity.csv",
        when: "always",
        applies: always,
        render: |r, _, _| csv::sensitivity_csv(&r.sensitivity, &r.shapley),
    },
    TableSpec {
        file: "summary.json",
        when: "always",
        applies: always,
        render: json::summary_json,
    },
    TableSpec {
        file: "calibration.csv",
        when: "when the scenario has reports ([[observed]])",
        applies: |r| r.conditioning.is_some(),
        render: |r, _, _| match &r.conditioning {
            Some(c) => conditioning::calibration_csv(c),
            None => Ok(Vec::new()),
        },
    },
    TableSpec {
        file: "posterior.csv",
        when: "when the run is conditioned on reports",
        applies: |r| r.conditioning.as_ref().is_some_and(|c| c.conditioned),
        render: |r, _, _| match &r.conditioning {
            Some(c) => conditioning::posterior_csv(c),
            None => Ok(Vec::new()),
        },
    },
    TableSpec {
        file: "unconditioned.csv",
        when: "when the run is conditioned on reports",
        applies: |r| !r.result.unconditioned_rows.is_empty(),
        render: |r, _, _| csv::unconditioned_csv(&r.result),
    },
    TableSpec {
        file: "used.csv",
        when: "when a city has a utilisation",
        applies: |r| !r.result.used_rows.is_empty(),
        render: |r, _, _| csv::used_csv(&r.result),
    },
    TableSpec {
        file: "power.csv",
        when: "when a city has a power cap",
        applies: |r| !r.result.power.is_empty(),
        render: |r, _, _| csv::power_csv(&r.result),
    },
];

/// Every table of a run's report, by file name, as bytes.
/// `charts` lists the chart files written beside them (for summary.json).
pub fn table_files(
    report: &Report,
    metadata: &RunMetadata,
    charts: &[ChartEntry],
) -> Result<Vec<(String, Vec<u8>)>> {
    TABLES
        .iter()
        .filter(|t| (t.applies)(report))
        .map(|t| (t.render)(report, metadata, charts).map(|bytes| (t.file.to_string(), bytes)))
        .collect()
}

/// The file names of the tables this report writes.
pub fn table_names(report: &Report) -> Vec<&'static str> {
    TABLES
        .iter()
        .filter(|t| (t.applies)(report))
        .map(|t| t.file)
        .collect()
}

/// Whether a file in a scenario's folder may have been written by some run: a table of
/// [`TABLES`] or a chart (`fan_*`, or a fixed chart name, as PNG or SVG). Anything else
/// (notes, part files, a user's own files) is never touched.
pub fn could_be_ours(file: &str) -> bool {
    if TABLES.iter().any(|t| t.file == file) || file == PAGE || file == samples::FILE {
        return true;
    }
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    matches!(ext, "png" | "svg")
        && (stem.starts_with("fan_")
            || matches!(
                stem,
                "cities" | "horizon" | "paths" | "targets" | "crossing" | "tornado" | "calibration"
            ))
}

/// Whether a file of OUT/compare/ may have been written by `--compare`: compare.csv,
/// compare_targets.csv, report.html or a chart (`compare_*`, PNG or SVG).
pub fn could_be_compare(file: &str) -> bool {
    file == "compare.csv"
        || file == crate::report::compare::TARGETS_FILE
        || file == PAGE
        || file
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| matches!(ext, "png" | "svg") && stem.starts_with("compare_"))
}

/// Makes `files` the set of `OUT/<folder>/` in one step ([`atomic::publish_folder`]): files
/// `ours` recognises but `files` lacks go, all others stay; returns the folder.
pub fn publish(
    out: &Path,
    folder: &str,
    files: &[(String, Vec<u8>)],
    ours: &dyn Fn(&str) -> bool,
    interrupted: &dyn Fn() -> Option<crate::error::Error>,
) -> Result<PathBuf> {
    publish_with(out, folder, (files, &[]), ours, interrupted)
}

/// [`publish`] with files already on disk (`ready`: name in the folder, where it is now) moved
/// into the set ([`atomic::publish_folder_with`]).
pub fn publish_with(
    out: &Path,
    folder: &str,
    (files, ready): atomic::FileSet,
    ours: &dyn Fn(&str) -> bool,
    interrupted: &dyn Fn() -> Option<crate::error::Error>,
) -> Result<PathBuf> {
    let dir = out.join(folder);
    atomic::publish_folder_with(&dir, files, ready, ours, interrupted)?;
    Ok(dir)
}

/// One chart drawn in memory.
#[derive(Debug)]
pub struct ChartOutcome {
    /// The chart's file name.
    pub file: String,
    /// Its file name, kind and the series it shows, for summary.json.
    pub entry: ChartEntry,
    /// Its bytes, or why it could not be drawn.
    pub result: Result<Vec<u8>>,
}

/// Draws every chart of [`plot::planned`], in parallel on the current rayon pool; returns
/// each chart's outcome in order (a failure does not stop the others).
pub fn render_charts(data: &ChartData, format: Format) -> Vec<ChartOutcome> {
    plot::planned(data, format)
        .into_par_iter()
        .map(|(chart, file)| {
            let result = plot::render(chart, data, format)
                .with_context(|| format!("Could not draw chart '{file}'"));
            let (kind, series) = plot::shows(chart, data);
            let entry = ChartEntry {
                file: file.clone(),
                kind: kind.to_string(),
                series,
            };
            ChartOutcome {
                file,
                entry,
                result,
            }
        })
        .collect()
}

/// The report page in every run's folder: one self-contained HTML file (report.html).
pub const PAGE: &str = html::FILE;

/// Everything the charts of a run draw: bands, decisions and the calibration of the reports.
pub fn chart_data(scenario: &Scenario, agg: &Aggregate, report: &Report) -> ChartData {
    ChartData::new(scenario, agg, &report.result)
        .with_decisions(&report.decisions, &report.sensitivity)
        .with_conditioning(report.conditioning.as_ref())
}

/// The report page's bytes: with `data`, every chart of [`plot::planned`] drawn again as SVG
/// (on the current rayon pool) and set inline; without it (`--no-plots`), a page without
/// charts. `sensitivity_at` is the run's `--sensitivity-at`, for the command it shows, and
/// `years` its `--years`, the times of the central projection (None: the defaults).
pub fn page_bytes(
    scenario: &Scenario,
    report: &Report,
    metadata: &RunMetadata,
    data: Option<&ChartData>,
    (sensitivity_at, years): (Option<&[f64]>, Option<&[f64]>),
) -> Result<Vec<u8>> {
    let charts = match data {
        Some(data) => Some(
            plot::planned(data, Format::Svg)
                .into_par_iter()
                .map(|(chart, file)| {
                    let stem = file.trim_end_matches(".svg").to_string();
                    let bytes = plot::render(chart, data, Format::Svg)
                        .with_context(|| format!("Could not draw chart '{file}' for {PAGE}"))?;
                    let svg = String::from_utf8_lossy(&bytes).into_owned();
                    Ok(PageChart { stem, svg })
                })
                .collect::<Result<Vec<_>>>()?,
        ),
        None => None,
    };
    let provenance = Provenance {
        scenario_path: metadata.scenario_path.clone(),
        scenario_sha256: metadata.scenario_sha256.clone(),
        scenario_text: metadata.scenario_text.clone(),
        overrides: metadata.overrides.clone(),
        trials: report.result.trials,
        seed: report.result.seed,
        sensitivity_at: sensitivity_at.map(<[f64]>::to_vec),
        years: years.map(<[f64]>::to_vec),
        condition: (!scenario.observations.is_empty()).then_some(scenario.condition),
        program_version: metadata.program_version.clone(),
    };
    let page = html::Page {
        report,
        provenance,
        charts,
    };
    Ok(html::render(&page).into_bytes())
}

/// Folder (under OUT) of the comparison tables.
pub const COMPARE_FOLDER: &str = "compare";

/// Every file of `--compare`, by name, as bytes: compare.csv, with a chart format one overlay
/// chart per series, and report.html (the scenarios side by side, with the charts as SVG).
pub fn compare_files(
    results: &[RunResult],
    format: Option<Format>,
    unit: crate::units::DisplayUnit,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = vec![
        (
            "compare.csv".to_string(),
            csv::compare_csv(&compare_rows(results))?,
        ),
        (
            crate::report::compare::TARGETS_FILE.to_string(),
            crate::report::compare::targets_csv(results)?,
        ),
    ];
    let mut svgs = Vec::new();
    if let Some(format) = format {
        let targets = plot::compare_targets::CompareTargetsChart::from_results(results);
        if let Some(chart) = &targets {
            let file = format!("{}.{}", plot::compare_targets::STEM, format.extension());
            add_chart(chart, file, format, (&mut files, &mut svgs))?;
        }
        let mut charts = plot::compare::CompareChart::from_results(results);
        for chart in &mut charts {
            chart.unit = unit;
        }
        let names = plot::compare::file_names(&charts, format);
        for (chart, file) in charts.iter().zip(names) {
            add_chart(chart, file, format, (&mut files, &mut svgs))?;
        }
    }
    let page = html::compare::render(
        results,
        format.map(|_| svgs.as_slice()),
        crate::version::VERSION,
    );
    files.push((PAGE.to_string(), page.into_bytes()));
    Ok(files)
}

/// Draws one comparison chart into `files` (in `format`) and `svgs` (for the page).
fn add_chart(
    chart: &impl plot::Drawing,
    file: String,
    format: Format,
    (files, svgs): (&mut Vec<(String, Vec<u8>)>, &mut Vec<PageChart>),
) -> Result<()> {
    let bytes = plot::render_drawing(chart, format)
        .with_context(|| format!("Could not draw chart '{file}'"))?;
    let svg = match format {
        Format::Svg => bytes.clone(),
        Format::Png => plot::render_drawing(chart, Format::Svg)
            .with_context(|| format!("Could not draw chart '{file}' for {PAGE}"))?,
    };
    svgs.push(PageChart {
        stem: file
            .rsplit_once('.')
            .map_or(file.clone(), |(s, _)| s.to_string()),
        svg: String::from_utf8_lossy(&svg).into_owned(),
    });
    files.push((file, bytes));
    Ok(())
}
