//! The page's key numbers in plain words: each target's probability with its Monte Carlo
//! margin, when each target capacity is first reached, and the central projection (median and
//! 5-95% range) of every series at the start and at each year end.

use super::text::{capacity, data, esc, probability, when};
use crate::analysis::Report;
use crate::analysis::results::RunResult;
use std::fmt::Write;

/// z of a two-sided 95% interval: the margin is z times the standard error.
const Z95: f64 = 1.96;

/// The "Key numbers" section's body.
pub fn key_numbers(report: &Report) -> String {
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
         range (the range the model gives 9 chances in 10), in P (PFLOPS FP16; 1 E = 1,000 \
         P).</p>\n",
    );
    out.push_str(&projection_table(r));
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

/// The start and every year end of the grid.
fn projection_years(result: &RunResult) -> Vec<f64> {
    let mut years: Vec<f64> = Vec::new();
    for row in &result.rows {
        let year_end = (row.year - row.year.round()).abs() < 1e-9;
        let first = (row.year - result.start).abs() < 1e-9;
        if (year_end || first) && !years.iter().any(|y| (y - row.year).abs() < 1e-9) {
            years.push(row.year);
        }
    }
    years
}

/// Years down, series across: "median" over "p5-p95" in each cell.
fn projection_table(result: &RunResult) -> String {
    let names = result.series_names();
    let mut out = String::from("<table class=\"projection\">\n<thead><tr><th>Date</th>");
    for n in &names {
        let _ = write!(out, "<th>{}</th>", esc(n));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for year in projection_years(result) {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}<br><span class=\"muted\">{}</span></th>",
            esc(&when(year)),
            data(
                &crate::units::format_year(year),
                &crate::units::format_year(year)
            )
        );
        for n in &names {
            match result.row(n, year) {
                Some(row) => {
                    let _ = write!(
                        out,
                        "<td class=\"series\" data-series=\"{}\"><span class=\"median\">{}</span>\
                         <br><span class=\"range\">{} &ndash; {}</span></td>",
                        esc(n),
                        capacity(row.p50),
                        capacity(row.p5),
                        capacity(row.p95)
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
