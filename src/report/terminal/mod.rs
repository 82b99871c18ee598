//! The summary printed at the end of a run. By default a concise page (about 35 lines for the
//! base scenario): the central projection, the targets with when half the trials reach them,
//! one line each for the reports, conditioning, calibration, the strongest driver and the
//! warnings. `--verbose` prints every table in full ([`tables`]). Times are printed in words
//! ("end-2027", "end-Q3 2026") or as dates, never as decimal years.

pub mod tables;

use crate::analysis::Report;
use crate::analysis::results::RunResult;
use crate::units::{date_label, format_capacity, iso_date};
use std::fmt::Write;
use tables::{MAX_ROWS, condense};

pub use tables::report_years;

/// What the summary shows: every row of every table or the concise page, and which times.
#[derive(Debug, Clone, Copy, Default)]
pub struct View<'a> {
    /// Every row of every table (`--verbose`).
    pub verbose: bool,
    /// The times of the central projection (`--years`); None: [`report_years`].
    pub years: Option<&'a [f64]>,
}

/// The end-of-run summary: concise by default, every table with `view.verbose`.
pub fn render(report: &Report, view: &View) -> String {
    let r = &report.result;
    let years = view
        .years
        .map_or_else(|| report_years(r.start, r.end), <[f64]>::to_vec);
    let mut out = headline(r);
    out.push_str(&tables::capacity_section(r, &years, view.verbose));
    if view.verbose {
        out.push_str(&tables::render_details(report));
        if let Some(c) = &report.conditioning {
            out.push_str(&super::conditioning::render(c));
        }
        out.push_str(&warning_line(report));
        return out;
    }
    if !r.targets.is_empty() {
        out.push_str(
            "Targets: chance that capacity >= target (± 95% Monte Carlo margin); half by: when \
             half the trials reach it\n",
        );
        out.push_str(&condense(tables::target_table(r, Some(&report.decisions))).to_string());
        out.push('\n');
    }
    out.push_str(&backtest_line(r));
    if let Some(c) = &report.conditioning {
        out.push_str(&super::conditioning::render_brief(c));
    }
    out.push_str(&driver_line(report));
    out.push_str(&tables::spread_line(&report.shapley));
    out.push_str(&warning_line(report));
    out
}

/// "Scenario base: 20000 trials, seed 20240802, mid-2024 (2024-07-01) to end-2029 (2030-01-01)".
fn headline(r: &RunResult) -> String {
    format!(
        "Scenario {}: {} trials, seed {}, {} ({}) to {} ({})\n",
        r.scenario,
        r.trials,
        r.seed,
        date_label(r.start),
        iso_date(r.start),
        date_label(r.end),
        iso_date(r.end)
    )
}

/// Where the reported values fell: a line, then one line for each of the first few that lie
/// outside the 5th-95th percentile.
fn backtest_line(r: &RunResult) -> String {
    if r.backtest.is_empty() {
        return String::new();
    }
    let outside: Vec<String> = r
        .backtest
        .iter()
        .filter(|b| !(5.0..=95.0).contains(&b.percentile))
        .map(|b| {
            format!(
                "  {} {} on {}: percentile {:.1}\n",
                b.city,
                format_capacity(b.capacity),
                iso_date(b.at),
                b.percentile
            )
        })
        .collect();
    let mut out = format!(
        "Backtest: {} reported values placed among the trials (backtest.csv); {} outside the \
         5th-95th percentile{}\n",
        r.backtest.len(),
        outside.len(),
        if outside.is_empty() { "" } else { ":" }
    );
    let shown = outside.len().min(MAX_ROWS / 2);
    out.extend(outside[..shown].iter().cloned());
    if outside.len() > shown {
        let _ = writeln!(out, "  and {} more", outside.len() - shown);
    }
    out
}

/// The input that moves the Total most at the last time of the sensitivity analysis.
fn driver_line(report: &Report) -> String {
    let total = report.sensitivity.iter().filter(|s| s.output == "Total");
    let Some(last) = total.clone().map(|s| s.year).max_by(f64::total_cmp) else {
        return String::new();
    };
    let top = total.filter(|s| s.year == last).max_by(|a, b| {
        a.rank_correlation
            .abs()
            .total_cmp(&b.rank_correlation.abs())
    });
    top.map_or_else(String::new, |s| {
        format!(
            "Strongest driver of the Total at {}: {} (rank correlation {:+.2}; median {} with \
             it at its p10 vs {} at its p90, a swing of {}{}; every input in sensitivity.csv)\n",
            date_label(last),
            s.input_label,
            s.rank_correlation,
            format_capacity(s.output_p50_at_input_p10),
            format_capacity(s.output_p50_at_input_p90),
            if s.swing >= 0.0 { "+" } else { "" },
            format_capacity(s.swing)
        )
    })
}

/// "2 warnings (printed above on stderr; also in summary.json)" when there are any.
fn warning_line(report: &Report) -> String {
    match report.warnings.len() {
        0 => String::new(),
        n => format!(
            "{n} warning{} (printed above on stderr; also in summary.json under \"warnings\")\n",
            if n == 1 { "" } else { "s" }
        ),
    }
}

/// The last lines of a run's summary: where the files are. `tables` are the file names of the
/// tables written, `charts` the number of charts and their format.
pub fn files_lines(
    dir: &str,
    tables: &[&str],
    charts: Option<(usize, &str)>,
    verbose: bool,
) -> String {
    let csv: Vec<&str> = tables
        .iter()
        .copied()
        .filter(|t| t.ends_with(".csv"))
        .collect();
    let mut out = format!("Files in {dir}: report.html (the briefing), summary.json");
    if let Some((n, format)) = charts {
        let _ = write!(out, ", {n} charts ({format})");
    }
    let _ = write!(out, " and {} tables:\n ", csv.len());
    let mut width = 1;
    for t in csv {
        if width + t.len() + 1 > 100 {
            out.push_str("\n ");
            width = 1;
        }
        let _ = write!(out, " {t}");
        width += t.len() + 1;
    }
    out.push('\n');
    if !verbose {
        out.push_str(
            "(--verbose prints every table here; --years 2026,2028 chooses the times shown)\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_list_wraps_and_points_to_verbose() {
        let tables = ["summary.csv"; 12];
        let text = files_lines("out/base", &tables, Some((11, "png")), false);
        assert!(text.starts_with("Files in out/base: report.html"), "{text}");
        assert!(text.contains("11 charts (png) and 12 tables"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
        assert!(text.contains("--verbose"));
        assert!(!files_lines("o", &tables, None, true).contains("--verbose"));
    }
}
