//! The terminal's tables: the central projection (median with its 90% interval), targets,
//! backtest, crossing times, overtaking and the strongest drivers of the Total. Times are
//! labelled ("end-2027", "end-Q1 2026") or dated ("2026-01-26").

use crate::analysis::Report;
use crate::analysis::decisions::Decisions;
use crate::analysis::group_effects::{GroupEffect, UNEXPLAINED};
use crate::analysis::results::{RunResult, SummaryRow, TargetResult};
use crate::analysis::sensitivity::SensitivityRow;
use crate::units::{date_label, format_capacity, format_percent, iso_date};
use comfy_table::Table;

/// Rows a terminal table shows before it is cut short (with a pointer to the CSV) unless the
/// summary is verbose: the summary stays under about 60 lines whatever the number of places.
pub const MAX_ROWS: usize = 8;

/// The central projection of installed capacity (and, verbose, of used capacity) at `years`.
pub fn capacity_section(result: &RunResult, years: &[f64], verbose: bool) -> String {
    let names = shown_series(result, verbose);
    let mut out = format!(
        "Installed capacity, median [5th-95th percentile], in P (PFLOPS FP16; 1 E = 1,000 P){}\n",
        first_year_end(years)
            .map(|y| format!("; {} = {}", date_label(y), iso_date(y)))
            .unwrap_or_default()
    );
    out.push_str(&condense(capacity_table(&names, &result.rows, years)).to_string());
    out.push('\n');
    out.push_str(&more_note(
        result.series_names().len(),
        names.len(),
        "summary.csv",
    ));
    if verbose && !result.used_rows.is_empty() {
        out.push_str("Used capacity (installed x utilisation): median [5th-95th percentile]\n");
        out.push_str(&condense(capacity_table(&names, &result.used_rows, years)).to_string());
        out.push('\n');
    }
    out
}

/// The first whole year among `years` (whose label, "end-2025", the header explains).
fn first_year_end(years: &[f64]) -> Option<f64> {
    years.iter().copied().find(|y| (y - y.round()).abs() < 1e-9)
}

/// Every table after the central projection, each in full: targets, backtest, crossing,
/// overtaking and the drivers of the Total.
pub fn render_details(report: &Report) -> String {
    let result = &report.result;
    let mut out = String::new();
    if !result.targets.is_empty() {
        out.push_str(
            "Targets: probability that capacity >= target (± its 95% Monte Carlo margin)\n",
        );
        out.push_str(&condense(target_table(result, None)).to_string());
        out.push('\n');
    }
    if !result.backtest.is_empty() {
        out.push_str(
            "Backtest: percentile of each reported value among the trials \
             (share below, ties count half)\n",
        );
        out.push_str(&condense(backtest_table(result)).to_string());
        out.push('\n');
    }
    out.push_str(&render_decisions(&report.decisions, &report.sensitivity));
    out
}

/// The groups' shares of the Total's variance at the last analysed year, one line.
pub fn spread_line(groups: &[GroupEffect]) -> String {
    let total = groups.iter().filter(|g| g.output == "Total");
    let Some(last) = total.clone().map(|g| g.year).max_by(f64::total_cmp) else {
        return String::new();
    };
    let shares: Vec<String> = total
        .filter(|g| g.year == last)
        .map(|g| {
            let name = if g.group == UNEXPLAINED {
                "not in any input"
            } else {
                &g.group
            };
            format!("{name} {:.0}%", 100.0 * g.shapley_effect)
        })
        .collect();
    format!(
        "Spread of the Total at {} by group (Shapley effects, shares of its variance; \
         sensitivity.csv): {}\n",
        date_label(last),
        shares.join(", ")
    )
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

/// The table, one line a row (no rule between rows).
pub fn condense(mut table: Table) -> Table {
    table.load_style(comfy_table::presets::ASCII_FULL_CONDENSED);
    table
}

/// "(12 more rows in summary.csv; --verbose shows them here)" when rows were left out.
pub fn more_note(all: usize, shown: usize, file: &str) -> String {
    if all > shown {
        format!(
            "({} more rows in {file}; --verbose shows them here)\n",
            all - shown
        )
    } else {
        String::new()
    }
}

/// Each report's date ("2026-01-26"), with the date it was read at when that differs.
fn backtest_table(result: &RunResult) -> Table {
    let mut table = Table::new();
    table.set_header(vec!["City", "Reported", "At", "Percentile (%)", "Source"]);
    for b in &result.backtest {
        let mut at = iso_date(b.at);
        if (b.at - b.evaluated_at).abs() > 1e-9 {
            at.push_str(&format!(" (read {})", iso_date(b.evaluated_at)));
        }
        table.add_row(vec![
            b.city.clone(),
            format_capacity(b.capacity),
            at,
            format!("{:.1}", b.percentile),
            b.source.clone(),
        ]);
    }
    table
}

fn capacity_table(names: &[String], rows: &[SummaryRow], years: &[f64]) -> Table {
    let mut table = Table::new();
    let mut header = vec!["City".to_string()];
    header.extend(years.iter().map(|y| date_label(*y)));
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

/// One row per target; with `decisions`, a last column saying when half the trials reach it.
pub fn target_table(result: &RunResult, decisions: Option<&Decisions>) -> Table {
    let mut table = Table::new();
    let mut header = vec!["City", "Target", "By", "Probability"];
    if decisions.is_some() {
        header.push("Half by");
    }
    table.set_header(header);
    for t in &result.targets {
        let mut by = date_label(t.at);
        if (t.at - t.evaluated_at).abs() > 1e-9 {
            by.push_str(&format!(" (read {})", date_label(t.evaluated_at)));
        }
        let mut row = vec![
            t.city.clone(),
            format_capacity(t.capacity),
            by,
            probability_with_margin(t),
        ];
        if let Some(d) = decisions {
            let crossing = d
                .crossing
                .iter()
                .find(|c| c.city == t.city && c.capacity == t.capacity);
            row.push(crossing.map_or_else(String::new, |c| time_or_later(c.p50)));
        }
        table.add_row(row);
    }
    table
}

/// A target's probability and its 95% Monte Carlo margin: "62.0% (± 0.7 pts)", or near 0 or 1
/// (below 5% or above 95%), where the margin is lopsided, its Wilson interval
/// "0% (95%: 0.00-0.02%)".
fn probability_with_margin(t: &TargetResult) -> String {
    if t.probability < 0.05 || t.probability > 0.95 {
        format!(
            "{} (95%: {:.2}-{:.2}%)",
            format_percent(t.probability),
            100.0 * t.ci95_low,
            100.0 * t.ci95_high
        )
    } else {
        format!(
            "{} (± {} pts)",
            format_percent(t.probability),
            margin_points(t.std_error)
        )
    }
}

/// The 95% Monte Carlo margin of a probability in percentage points: "0.4", or "0.04" below
/// one point, so that a small margin does not read as none.
fn margin_points(std_error: f64) -> String {
    let points = 100.0 * 1.96 * std_error;
    if points < 1.0 {
        format!("{points:.2}")
    } else {
        format!("{points:.1}")
    }
}

/// A grid time in words, or "later" when it lies beyond the horizon.
fn time_or_later(t: Option<f64>) -> String {
    t.map(date_label).unwrap_or_else(|| "later".to_string())
}

/// Crossing times, overtaking and the strongest drivers of the Total, every row.
pub fn render_decisions(decisions: &Decisions, sensitivity: &[SensitivityRow]) -> String {
    let mut out = String::new();
    if !decisions.crossing.is_empty() {
        out.push_str(
            "Crossing: first grid time at which capacity >= target ('later' = beyond the horizon)\n",
        );
        out.push_str(&condense(crossing_table(decisions)).to_string());
        out.push('\n');
    }
    if !decisions.overtake.is_empty() {
        out.push_str(
            "Overtaking: first time the follower reaches the leader, among trials where it starts behind\n",
        );
        out.push_str(&condense(overtake_table(decisions)).to_string());
        out.push('\n');
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
    let mut table = Table::new();
    table.set_header(vec![
        "City",
        "Target",
        "Within horizon",
        "p10",
        "p50",
        "p90",
    ]);
    for c in &decisions.crossing {
        table.add_row(vec![
            c.city.clone(),
            format_capacity(c.capacity),
            format_percent(c.probability_within_horizon),
            time_or_later(c.p10),
            time_or_later(c.p50),
            time_or_later(c.p90),
        ]);
    }
    table
}

fn overtake_table(decisions: &Decisions) -> Table {
    let mut table = Table::new();
    table.set_header(vec![
        "Follower",
        "Leader",
        "Starts behind",
        "Catches up",
        "p50",
    ]);
    for o in &decisions.overtake {
        table.add_row(vec![
            o.follower.clone(),
            o.leader.clone(),
            format_percent(o.share_starting_behind),
            format_percent(o.probability_within_horizon),
            time_or_later(o.p50),
        ]);
    }
    table
}

fn drivers_table(rows: &[&SensitivityRow]) -> Table {
    let mut table = Table::new();
    table.set_header(vec!["At", "1st", "2nd", "3rd"]);
    let mut years: Vec<f64> = rows.iter().map(|r| r.year).collect();
    years.dedup();
    for y in years {
        let mut line = vec![date_label(y)];
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
