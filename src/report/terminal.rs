//! The tables printed at the end of a run: medians with 90% intervals, target probabilities,
//! crossing times, overtaking and the strongest drivers of the Total.

use crate::analysis::decisions::Decisions;
use crate::analysis::results::{RunResult, SummaryRow};
use crate::analysis::sensitivity::SensitivityRow;
use crate::units::{describe_year, format_capacity, format_percent, format_year};
use comfy_table::Table;

/// Rows a terminal table shows before it is cut short (with a pointer to the CSV) unless the
/// summary is verbose: the summary stays under about 60 lines whatever the number of places.
pub const MAX_ROWS: usize = 8;

/// Renders the end-of-run summary as text; `verbose` shows every row of every table.
pub fn render(result: &RunResult, verbose: bool) -> String {
    let years = report_years(result.start, result.end);
    let mut out = format!(
        "Scenario {}: {} trials, seed {}, {}-{}\n",
        result.scenario,
        result.trials,
        result.seed,
        format_year(result.start),
        format_year(result.end)
    );
    let names = shown_series(result, verbose);
    out.push_str("Installed capacity: median [5th-95th percentile]\n");
    out.push_str(&condense(capacity_table(&names, &result.rows, &years)).to_string());
    out.push('\n');
    out.push_str(&more_note(
        result.series_names().len(),
        names.len(),
        "summary.csv",
    ));
    if !result.used_rows.is_empty() {
        out.push_str("Used capacity (installed x utilisation): median [5th-95th percentile]\n");
        out.push_str(&condense(capacity_table(&names, &result.used_rows, &years)).to_string());
        out.push('\n');
    }
    if !result.targets.is_empty() {
        out.push_str("Targets: probability that capacity >= target\n");
        out.push_str(&condense(target_table(result)).to_string());
        out.push('\n');
    }
    if !result.backtest.is_empty() {
        out.push_str(
            "Backtest: percentile of each reported value among the trials \
             (share below, ties count half)\n",
        );
        let shown = if verbose { usize::MAX } else { MAX_ROWS };
        out.push_str(&condense(backtest_table(result, shown)).to_string());
        out.push('\n');
        out.push_str(&more_note(
            result.backtest.len(),
            result.backtest.len().min(shown),
            "backtest.csv",
        ));
    }
    out
}

/// The series of the capacity table: all of them for a few places or when verbose; else the
/// Total, the groups and the largest cities (by median at the end), up to [`MAX_ROWS`] cities.
fn shown_series(result: &RunResult, verbose: bool) -> Vec<String> {
    let names = result.series_names();
    if verbose || names.len() <= MAX_ROWS {
        return names;
    }
    let end = |name: &String| nearest_row(&result.rows, name, result.end).map_or(0.0, |r| r.p50);
    let cities = result.city_count;
    let mut largest: Vec<&String> = names[..cities].iter().collect();
    largest.sort_by(|a, b| end(b).total_cmp(&end(a)));
    let keep: Vec<&String> = largest.into_iter().take(MAX_ROWS.min(5)).collect();
    names
        .iter()
        .enumerate()
        .filter(|(i, n)| *i >= cities || keep.contains(n))
        .map(|(_, n)| n.clone())
        .collect()
}

/// A table in the summary's style; [`condense`] drops the lines between rows of a long one.
fn new_table() -> Table {
    Table::new()
}

/// Rows beyond which a table drops the lines between rows (one line a row).
const CONDENSE_ABOVE: usize = 4;

/// The table, one line a row when it has more than [`CONDENSE_ABOVE`] rows.
fn condense(mut table: Table) -> Table {
    if table.row_count() > CONDENSE_ABOVE {
        table.load_style(comfy_table::presets::ASCII_FULL_CONDENSED);
    }
    table
}

/// "(12 more rows in summary.csv; --verbose shows them here)" when rows were left out.
fn more_note(all: usize, shown: usize, file: &str) -> String {
    if all > shown {
        format!(
            "({} more rows in {file}; --verbose shows them here)\n",
            all - shown
        )
    } else {
        String::new()
    }
}

fn backtest_table(result: &RunResult, shown: usize) -> Table {
    let mut table = new_table();
    table.set_header(vec![
        "City",
        "Reported",
        "At (grid time)",
        "Percentile (%)",
        "Source",
    ]);
    for b in result.backtest.iter().take(shown) {
        table.add_row(vec![
            b.city.clone(),
            format_capacity(b.capacity),
            format!("{} ({})", format_year(b.at), format_year(b.evaluated_at)),
            format!("{:.1}", b.percentile),
            b.source.clone(),
        ]);
    }
    table
}

fn capacity_table(names: &[String], rows: &[SummaryRow], years: &[f64]) -> Table {
    let mut table = new_table();
    let mut header = vec!["City".to_string()];
    header.extend(
        years
            .iter()
            .map(|y| format!("{} ({y:.1})", describe_year(*y))),
    );
    table.set_header(header);
    for name in names {
        let mut row = vec![name.clone()];
        for y in years {
            let cell = nearest_row(rows, name, *y)
                .map(|r| {
                    format!(
                        "{} [{} - {}]",
                        format_capacity(r.p50),
                        format_capacity(r.p5),
                        format_capacity(r.p95)
                    )
                })
                .unwrap_or_default();
            row.push(cell);
        }
        table.add_row(row);
    }
    table
}

/// The row of `city` at the grid time closest to `year`.
fn nearest_row<'a>(rows: &'a [SummaryRow], city: &str, year: f64) -> Option<&'a SummaryRow> {
    rows.iter()
        .filter(|r| r.city == city)
        .min_by(|a, b| (a.year - year).abs().total_cmp(&(b.year - year).abs()))
}

fn target_table(result: &RunResult) -> Table {
    let mut table = new_table();
    table.set_header(vec!["City", "Target", "By", "Probability"]);
    for t in &result.targets {
        table.add_row(vec![
            t.city.clone(),
            format_capacity(t.capacity),
            format!("{} ({})", describe_year(t.evaluated_at), format_year(t.at)),
            format!(
                "{} (± {:.1} pts)",
                format_percent(t.probability),
                100.0 * 1.96 * t.std_error
            ),
        ]);
    }
    table
}

/// Renders crossing times, overtaking and the strongest drivers of the Total; `verbose`
/// shows every overtaking pair.
pub fn render_decisions(
    decisions: &Decisions,
    sensitivity: &[SensitivityRow],
    verbose: bool,
) -> String {
    let mut out = String::new();
    if !decisions.crossing.is_empty() {
        out.push_str(
            "Crossing: first grid time at which capacity >= target (decimal year; \
             'later' = beyond the horizon)\n",
        );
        out.push_str(&condense(crossing_table(decisions)).to_string());
        out.push('\n');
    }
    if !decisions.overtake.is_empty() {
        out.push_str(
            "Overtaking: first time the follower reaches the leader, among trials where it starts behind\n",
        );
        let shown = if verbose { usize::MAX } else { MAX_ROWS };
        out.push_str(&condense(overtake_table(decisions, shown)).to_string());
        out.push('\n');
        let all = decisions.overtake.len();
        out.push_str(&more_note(all, all.min(shown), "overtake.csv"));
    }
    let total: Vec<&SensitivityRow> = sensitivity.iter().filter(|r| r.output == "Total").collect();
    if !total.is_empty() {
        out.push_str("Drivers of the Total: top three inputs by |Spearman rank correlation|\n");
        out.push_str(&condense(drivers_table(&total)).to_string());
        out.push('\n');
    }
    out
}

fn crossing_table(decisions: &Decisions) -> Table {
    let mut table = new_table();
    table.set_header(vec![
        "City",
        "Target",
        "Within horizon",
        "p10",
        "p50",
        "p90",
    ]);
    let year = |y: Option<f64>| y.map(format_year).unwrap_or_else(|| "later".to_string());
    for c in &decisions.crossing {
        table.add_row(vec![
            c.city.clone(),
            format_capacity(c.capacity),
            format_percent(c.probability_within_horizon),
            year(c.p10),
            year(c.p50),
            year(c.p90),
        ]);
    }
    table
}

fn overtake_table(decisions: &Decisions, shown: usize) -> Table {
    let mut table = new_table();
    table.set_header(vec![
        "Follower",
        "Leader",
        "Starts behind",
        "Catches up",
        "p50",
    ]);
    for o in decisions.overtake.iter().take(shown) {
        table.add_row(vec![
            o.follower.clone(),
            o.leader.clone(),
            format_percent(o.share_starting_behind),
            format_percent(o.probability_within_horizon),
            o.p50
                .map(format_year)
                .unwrap_or_else(|| "later".to_string()),
        ]);
    }
    table
}

fn drivers_table(rows: &[&SensitivityRow]) -> Table {
    let mut table = new_table();
    table.set_header(vec!["Year", "1st", "2nd", "3rd"]);
    let mut years: Vec<f64> = rows.iter().map(|r| r.year).collect();
    years.dedup();
    for y in years {
        let mut line = vec![format!("{} ({})", describe_year(y), format_year(y))];
        line.extend(
            rows.iter()
                .filter(|r| r.year == y)
                .take(3)
                .map(|r| format!("{} ({:+.2})", r.input, r.rank_correlation)),
        );
        table.add_row(line);
    }
    table
}

/// Up to four whole years within (start, end], counted back from the end with an even step
/// (2024.5-2030 gives 2026, 2028, 2030: end-2025, end-2027, end-2029); the end itself if no
/// whole year falls inside.
pub fn report_years(start: f64, end: f64) -> Vec<f64> {
    let first = (start + 1e-9).floor() as i64 + 1;
    let last = (end + 1e-9).floor() as i64;
    if last < first {
        return vec![end];
    }
    let count = (last - first + 1) as usize;
    let step = count.div_ceil(4) as i64;
    let mut years: Vec<f64> = (0..4)
        .map(|i| last - i * step)
        .filter(|y| *y >= first)
        .map(|y| y as f64)
        .collect();
    years.reverse();
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_years_spread_over_the_horizon() {
        assert_eq!(report_years(2024.5, 2030.0), vec![2026.0, 2028.0, 2030.0]);
        assert_eq!(
            report_years(2024.0, 2040.0),
            vec![2028.0, 2032.0, 2036.0, 2040.0]
        );
        assert_eq!(report_years(2024.0, 2026.0), vec![2025.0, 2026.0]);
        assert_eq!(report_years(2024.25, 2024.75), vec![2024.75]);
    }
}
