//! The target comparison of `--compare`: compare_targets.csv (one row per target and scenario
//! that sets it) and the terminal table (a column per scenario), with the notes on series and
//! cities the scenarios do not share.

use super::html::text::{iso_date, percent, when};
use crate::analysis::compare::{
    TargetComparison, city_sets_note, compare_targets, scenarios_without, series_union,
};
use crate::analysis::results::RunResult;
use crate::error::Result;
use crate::units::{format_capacity, format_year};
use comfy_table::Table;

/// The file of the target comparison in OUT/compare/.
pub const TARGETS_FILE: &str = "compare_targets.csv";

/// compare_targets.csv: `city,at,date,label,capacity,scenario,probability,std_error`: each
/// target of any scenario (`at` a decimal year, `date` its ISO date, `label` in words such as
/// "end-2025"; capacity in P), once per scenario that sets it, probability and its Monte Carlo
/// standard error as shares (0-1).
pub fn targets_csv(results: &[RunResult]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "city",
        "at",
        "date",
        "label",
        "capacity",
        "scenario",
        "probability",
        "std_error",
    ])?;
    for t in compare_targets(results) {
        for (r, cell) in results.iter().zip(&t.cells) {
            let Some((p, se)) = cell else { continue };
            w.write_record([
                t.city.clone(),
                format_year(t.at),
                iso_date(t.at),
                when(t.at),
                format!("{:.1}", t.capacity),
                r.scenario.clone(),
                format!("{p:.4}"),
                format!("{se:.4}"),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

/// "Beijing >= 45,000 P by end-2025", a target in words.
pub fn target_words(t: &TargetComparison) -> String {
    format!(
        "{} >= {} by {}",
        t.city,
        format_capacity(t.capacity),
        when(t.at)
    )
}

/// The terminal's comparison: each target's probability in every scenario ("-" where a
/// scenario does not set it), then the notes on series and cities not shared.
pub fn render(results: &[RunResult]) -> String {
    let targets = compare_targets(results);
    let mut out = String::new();
    if targets.is_empty() {
        out.push_str("No scenario sets a target.\n");
    } else {
        let mut table = Table::new();
        let mut header = vec!["Target".to_string()];
        header.extend(results.iter().map(|r| r.scenario.clone()));
        table.set_header(header);
        for t in &targets {
            let mut row = vec![target_words(t)];
            row.extend(t.cells.iter().map(|c| match c {
                Some((p, se)) => format!("{} (± {:.1} pts)", percent(*p), 196.0 * se),
                None => "-".to_string(),
            }));
            table.add_row(row);
        }
        out.push_str(
            "Chance of meeting each target, per scenario (± the 95% Monte Carlo margin; \
             - where a scenario does not set it):\n",
        );
        out.push_str(&format!("{table}\n"));
    }
    for note in notes(results) {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

/// Notes on what the scenarios do not share: series some lack (one note), and different
/// cities.
pub fn notes(results: &[RunResult]) -> Vec<String> {
    let union = series_union(results);
    let lacking: Vec<String> = results
        .iter()
        .filter_map(|r| {
            let missing: Vec<&str> = union
                .iter()
                .filter(|s| scenarios_without(results, s).contains(&r.scenario))
                .map(String::as_str)
                .collect();
            (!missing.is_empty()).then(|| format!("{} lacks {}", r.scenario, missing.join(", ")))
        })
        .collect();
    let mut notes = Vec::new();
    if !lacking.is_empty() {
        notes.push(format!(
            "not every series is in every scenario: {}; each series' chart shows the scenarios \
             that have it",
            lacking.join("; ")
        ));
    }
    notes.extend(city_sets_note(results));
    notes
}
