//! The page's key numbers in plain words: each target's probability with its Monte Carlo
//! margin, when each target capacity is first reached, and the central projection (median and
//! 5-95% range) of every series (rows) at the start and the year ends, or at the times of
//! `--years` (columns).

use super::text::{capacity, data, esc, iso_date, probability, thousands, when};
use crate::analysis::Report;
use crate::analysis::results::RunResult;
use crate::units::format_year;
use std::fmt::Write;

/// z of a two-sided 95% interval: the margin is z times the standard error.
const Z95: f64 = 1.96;

/// The "Key numbers" section's body; `years` are the times of the central projection (None:
/// [`projection_years`]).
pub fn key_numbers(report: &Report, years: Option<&[f64]>) -> String {
    let r = &report.result;
    let mut out = String::new();
    out.push_str("<h3>Targets</h3>\n");
    if r.targets.is_empty() {
        out.push_str("<p>This scenario sets no targets.</p>\n");
    } else {
        out.push_str("<ul class=\"targets\">\n");
        for t in &r.targets {
            let late = (t.evaluated_at - t.at).abs() > 1e-9;
            let _ = writeln!(
                out,
                "<li id=\"target-{}\"><b>{}</b> at least {} by {}: <b>{}</b> chance \
                 (&plusmn; {} percentage points, the 95% Monte Carlo margin; standard error {} points){}.</li>",
                esc(&slug(&t.city, t.at, t.capacity)),
                esc(&t.city),
                capacity(t.capacity),
                esc(&when(t.at)),
                probability(t.probability),
                points(Z95 * t.std_error),
                data(&format!("{:.4}", t.std_error), &points(t.std_error)),
                if late {
                    format!(", read at {}", esc(&when(t.evaluated_at)))
                } else {
                    String::new()
                }
            );
        }
        out.push_str("</ul>\n");
    }
    crossings(report, &mut out);
    out.push_str(
        "<h3>Central projection</h3>\n<p>Median capacity with the 5th&ndash;95th percentile \
         range below it (the range the model gives 9 chances in 10), both in P (PFLOPS FP16; \
         1 E = 1,000 P).</p>\n",
    );
    let years = match years {
        Some(years) => years.iter().filter_map(|y| nearest_time(r, *y)).collect(),
        None => projection_years(r),
    };
    out.push_str(&projection_table(r, &years));
    out
}

/// A share in percentage points, with two decimals below one point: "0.4", "0.06".
fn points(share: f64) -> String {
    let pts = 100.0 * share;
    if pts < 1.0 {
        format!("{pts:.2}")
    } else {
        format!("{pts:.1}")
    }
}

/// An element id for a target: "Beijing-2026-45000".
fn slug(city: &str, at: f64, capacity: f64) -> String {
    let city: String = city
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!("{city}-{at}-{capacity:.0}")
}

fn crossings(report: &Report, out: &mut String) {
    let rows = &report.decisions.crossing;
    if rows.is_empty() {
        return;
    }
    out.push_str("<h3>When each target capacity is first reached</h3>\n<ul class=\"crossing\">\n");
    let end = when(report.result.end);
    let by = |share: &str, t: Option<f64>| match t {
        Some(t) => format!(
            "{share} by {}",
            data(&crate::units::format_year(t), &when(t))
        ),
        None => format!("{share} not by {}", esc(&end)),
    };
    for c in rows {
        let _ = writeln!(
            out,
            "<li><b>{}</b> reaches {}: {}, {}, {}; within the horizon in {} of trials.</li>",
            esc(&c.city),
            capacity(c.capacity),
            by("10% of trials", c.p10),
            by("half", c.p50),
            by("90%", c.p90),
            probability(c.probability_within_horizon),
        );
    }
    out.push_str("</ul>\n");
}

/// Year ends shown by default besides the start: a table of at most seven columns fits an A4
/// page.
pub const MAX_YEAR_ENDS: usize = 6;

/// The start and the year ends of the grid: every one up to [`MAX_YEAR_ENDS`], else an even
/// spread counted back from the last.
pub fn projection_years(result: &RunResult) -> Vec<f64> {
    let mut ends: Vec<f64> = Vec::new();
    for row in &result.rows {
        let year_end = (row.year - row.year.round()).abs() < 1e-9;
        let first = (row.year - result.start).abs() < 1e-9;
        if year_end && !first && !ends.iter().any(|y| (y - row.year).abs() < 1e-9) {
            ends.push(row.year);
        }
    }
    spread_years(result.start, &ends)
}

/// `start`, then the year ends `ends` (sorted, after `start`): every one up to
/// [`MAX_YEAR_ENDS`], else an even spread counted back from the last.
pub fn spread_years(start: f64, ends: &[f64]) -> Vec<f64> {
    let step = ends.len().div_ceil(MAX_YEAR_ENDS).max(1);
    let mut kept: Vec<f64> = ends.iter().rev().step_by(step).copied().collect();
    kept.push(start);
    kept.reverse();
    kept
}

/// A capacity in P as a `<data>` element without its unit, for the range under a median in P:
/// the CSV's value (one decimal) shown as "21,392".
pub fn bare(p: f64) -> String {
    data(&format!("{p:.1}"), &thousands(p))
}

/// The grid time nearest to `year` (a time given with `--years`).
fn nearest_time(result: &RunResult, year: f64) -> Option<f64> {
    result
        .rows
        .iter()
        .map(|r| r.year)
        .min_by(|a, b| (a - year).abs().total_cmp(&(b - year).abs()))
}

/// Series down, times across: "median" over "p5-p95" in each cell; each cell names its series
/// and time (`data-series`, `data-year`: summary.csv's `city` and `year`).
fn projection_table(result: &RunResult, years: &[f64]) -> String {
    let names = result.series_names();
    let mut out = String::from("<table class=\"projection\">\n<thead><tr><th>Series</th>");
    for year in years {
        let _ = write!(
            out,
            "<th>{}<br><span class=\"muted\">{}</span></th>",
            esc(&when(*year)),
            data(&format_year(*year), &iso_date(*year))
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for n in &names {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(n));
        for year in years {
            match result.row(n, *year) {
                Some(row) => {
                    let _ = write!(
                        out,
                        "<td class=\"series\" data-series=\"{}\" data-year=\"{}\">\
                         <span class=\"median\">{}</span><br><span class=\"range\">{}&ndash;{}\
                         </span></td>",
                        esc(n),
                        format_year(row.year),
                        capacity(row.p50),
                        bare(row.p5),
                        bare(row.p95)
                    );
                }
                None => out.push_str("<td>-</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}
