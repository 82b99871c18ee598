//! `compare_targets.png`: every target of the compared scenarios, with one bar per scenario
//! (its probability, the 95% Monte Carlo margin as a whisker, the scenario's colour and name),
//! "not set" where a scenario lacks the target.

use super::canvas::{DrawResult, Drawing};
use super::layout::Layout;
use super::style::{self, INK, MUTED};
use crate::analysis::compare::{TargetComparison, city_sets_note, compare_targets};
use crate::analysis::results::RunResult;
use crate::units;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The file's stem.
pub const STEM: &str = "compare_targets";

/// The targets of a comparison and each scenario's probability of meeting them.
#[derive(Debug, Clone)]
pub struct CompareTargetsChart {
    /// Scenario names, in the order given (their colours).
    pub scenarios: Vec<String>,
    /// Every distinct target, with a cell per scenario.
    pub targets: Vec<TargetComparison>,
    /// Number of trials of each scenario run.
    pub trials: u64,
    /// Random seed shared by the scenarios.
    pub seed: u64,
    /// Set when the scenarios' cities differ (Total targets then count different places).
    pub note: Option<String>,
}

impl CompareTargetsChart {
    /// The chart of a comparison; None when no scenario sets a target.
    pub fn from_results(results: &[RunResult]) -> Option<Self> {
        let first = results.first()?;
        let targets = compare_targets(results);
        (!targets.is_empty()).then(|| CompareTargetsChart {
            scenarios: results.iter().map(|r| r.scenario.clone()).collect(),
            targets,
            trials: first.trials,
            seed: first.seed,
            note: city_sets_note(results).map(|_| {
                "Note: the scenarios' cities differ, so a Total target counts different places \
                 in each (see compare/report.html)."
                    .to_string()
            }),
        })
    }
}

impl Drawing for CompareTargetsChart {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        layout: &mut Layout,
    ) -> DrawResult<(), DB> {
        draw(root, self, layout)
    }
}

/// Draws the grouped bars: per target a title row, then a bar per scenario.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &CompareTargetsChart,
    layout: &mut Layout,
) -> DrawResult<(), DB> {
    let footer = format!(
        "Scenarios {} · {} trials each · seed {} shared (common random numbers) · whisker: 95% \
         Monte Carlo margin · {}",
        data.scenarios.join(", "),
        style::group_thousands(data.trials),
        data.seed,
        style::UNITS_NOTE
    );
    let title = "Chance of meeting each target, scenario by scenario";
    let area = super::frame::frame_with_footer(root, title, &footer, layout)?;
    let area = match &data.note {
        Some(note) => super::compare::footer_note(root, layout, area, note)?,
        None => area,
    };
    let per_target = data.scenarios.len() + 1;
    let rows = (data.targets.len() * per_target) as f64;
    let mut chart = style::probability_chart(&area, rows, 40)?;
    let (_, h) = chart.plotting_area().dim_in_pixel();
    // Text no taller than 80% of a row, between 12 and the usual sizes.
    let row_px = f64::from(h) / rows.max(1.0);
    let name_px = (row_px * 0.8).clamp(12.0, style::AXIS_TITLE_PX);
    let bar_px = (row_px * 0.8).clamp(12.0, style::NOTE_PX);
    for (i, target) in data.targets.iter().enumerate() {
        let top = rows - (i * per_target) as f64;
        let name = format!(
            "{}: at least {} by {}",
            target.city,
            units::format_capacity_compact(target.capacity),
            units::describe_year(target.at)
        );
        let font = style::anchored_for(&name, name_px, INK, HPos::Left, VPos::Center);
        chart.draw_series(std::iter::once(Text::new(name, (0.0, top - 0.5), font)))?;
        for (j, cell) in target.cells.iter().enumerate() {
            let y = top - 1.0 - j as f64;
            draw_bar(&mut chart, (y, bar_px), &data.scenarios[j], j, *cell)?;
        }
    }
    Ok(())
}

type BarChart<'a, DB> = style::TimeChart<'a, DB>;

/// One scenario's bar in the row whose top is at `y`: the bar, its whisker, and "62% base"
/// after the whisker (or "not set in base").
fn draw_bar<DB: DrawingBackend>(
    chart: &mut BarChart<'_, DB>,
    (y, text_px): (f64, f64),
    scenario: &str,
    index: usize,
    cell: Option<(f64, f64)>,
) -> DrawResult<(), DB> {
    let middle = y - 0.5;
    let Some((p, se)) = cell else {
        let label = format!("not set in {scenario}");
        let font = style::anchored_for(&label, text_px, MUTED, HPos::Left, VPos::Center);
        chart.draw_series(std::iter::once(Text::new(label, (0.5, middle), font)))?;
        return Ok(());
    };
    let colour = style::scenario_colour(index);
    let pct = 100.0 * p;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(0.0, y - 0.85), (pct, y - 0.15)],
        colour.filled(),
    )))?;
    let (lo, hi) = ((pct - 196.0 * se).max(0.0), (pct + 196.0 * se).min(100.0));
    chart.draw_series(std::iter::once(PathElement::new(
        [(lo, middle), (hi, middle)],
        INK.stroke_width(2),
    )))?;
    let label = format!("{} {scenario}", units::format_percent(p));
    // Past the whisker, or inside the bar's end (in white) when the bar is long.
    let (x, h_pos, ink, dx) = if hi > 72.0 {
        (lo, HPos::Right, WHITE, -10)
    } else {
        (hi, HPos::Left, INK, 10)
    };
    let font = style::anchored_for(&label, text_px, ink, h_pos, VPos::Center);
    chart.draw_series(std::iter::once(
        EmptyElement::at((x, middle)) + Text::new(label, (dx, 0), font),
    ))?;
    Ok(())
}
