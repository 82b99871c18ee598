//! compare/report.html: the scenarios of a `--compare` side by side on one self-contained page:
//! each target's probability in every scenario, the medians and 5-95% ranges by year, and the
//! overlay charts (inline SVG drawn by [`crate::output`]).

use super::numbers::{bare, spread_years};
use super::text::{capacity, data, esc, iso_date, probability, thousands, when};
use super::{PageChart, head, inline_svg};
use crate::analysis::compare::series_union;
use crate::analysis::results::RunResult;
use crate::units::format_year;
use std::fmt::Write;

/// The stem of the target comparison chart, shown in the Targets section.
const TARGETS_STEM: &str = "compare_targets";

/// The section titles of the comparison page, in order.
pub const COMPARE_SECTIONS: [&str; 4] = ["Scenarios", "Targets", "Central projection", "Charts"];

/// The comparison page's HTML; `charts` None when the run drew none.
pub fn render(
    results: &[RunResult],
    charts: Option<&[PageChart]>,
    program_version: &str,
) -> String {
    let names: Vec<&str> = results.iter().map(|r| r.scenario.as_str()).collect();
    let title = format!("Comparison: {}", names.join(" / "));
    let mut out = head(&title, program_version);
    if let Some(first) = results.first() {
        let _ = writeln!(
            out,
            "<p class=\"info\"><b>Run:</b> {} trials of each scenario, seed {}, on common random \
             numbers (trial i draws the same numbers wherever the scenarios agree, so the \
             differences come from the assumptions). simulate {}. Capacities in P = PFLOPS FP16 \
             (1 E = 1,000 P). Each scenario's own report.html holds its inputs, sources and \
             the command that reproduces it.</p>\n</header>",
            thousands(first.trials as f64),
            first.seed,
            esc(program_version)
        );
    }
    let mut body = String::from("<ul>\n");
    for r in results {
        let _ = writeln!(
            body,
            "<li><b>{}</b>: {} ({} to {})</li>",
            esc(&r.scenario),
            esc(&r.description),
            esc(&when(r.start)),
            esc(&when(r.end))
        );
    }
    body.push_str("</ul>\n");
    for note in crate::report::compare::notes(results) {
        let _ = writeln!(
            body,
            "<p class=\"note\" style=\"border-left: 4px solid #8c561b; background: #fbf5ec; \
             padding: 6px 10px\"><b>Note:</b> {}.</p>",
            esc(&note)
        );
    }
    section(&mut out, 0, &body);
    let mut targets_body = targets(results);
    if let Some(chart) = charts.and_then(|c| c.iter().find(|c| c.stem == TARGETS_STEM)) {
        let _ = writeln!(
            targets_body,
            "<figure class=\"chart\">{}<figcaption>Each target's probability in every \
             scenario, with the 95% Monte Carlo margin.</figcaption></figure>",
            inline_svg(&chart.svg, &chart.stem)
        );
    }
    section(&mut out, 1, &targets_body);
    section(&mut out, 2, &projection(results));
    let charts_body = match charts {
        Some(charts) => charts
            .iter()
            .filter(|c| c.stem != TARGETS_STEM)
            .map(|c| {
                format!(
                    "<figure class=\"chart\">{}<figcaption>Each scenario's median and 90% \
                     band for the series in the title.</figcaption></figure>\n",
                    inline_svg(&c.svg, &c.stem)
                )
            })
            .collect(),
        None => "<p>This run drew no charts (<code>--no-plots</code>).</p>\n".to_string(),
    };
    section(&mut out, 3, &charts_body);
    out.push_str("</body>\n</html>\n");
    out
}

fn section(out: &mut String, i: usize, body: &str) {
    let _ = write!(
        out,
        "<section id=\"c{}\">\n<h2>{}</h2>\n{body}</section>\n",
        i + 1,
        COMPARE_SECTIONS[i]
    );
}

fn header_row(results: &[RunResult], first: &str) -> String {
    let mut out = format!("<thead><tr><th>{first}</th>");
    for r in results {
        let _ = write!(out, "<th>{}</th>", esc(&r.scenario));
    }
    out.push_str("</tr></thead>\n");
    out
}

/// Every target of any scenario, with its probability in each scenario that sets it.
fn targets(results: &[RunResult]) -> String {
    let mut keys: Vec<(String, f64, f64)> = Vec::new();
    for t in results.iter().flat_map(|r| &r.targets) {
        let key = (t.city.clone(), t.at, t.capacity);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        return "<p>No scenario sets a target.</p>\n".to_string();
    }
    let mut out = String::from(
        "<p>Chance of meeting each target (&plusmn; the 95% Monte Carlo margin, percentage \
         points); &ldquo;-&rdquo; where a scenario does not set it.</p>\n\
         <table class=\"compare-targets\">\n",
    );
    out.push_str(&header_row(results, "Target"));
    out.push_str("<tbody>\n");
    for (city, at, cap) in keys {
        let _ = write!(
            out,
            "<tr><td><b>{}</b> at least {} by {}</td>",
            esc(&city),
            capacity(cap),
            esc(&when(at))
        );
        for r in results {
            let found = r
                .targets
                .iter()
                .find(|t| t.city == city && t.at == at && t.capacity == cap);
            match found {
                Some(t) => {
                    let _ = write!(
                        out,
                        "<td>{} &plusmn; {:.2}</td>",
                        probability(t.probability),
                        196.0 * t.std_error
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

/// The earliest start of the scenarios, then the year ends any scenario has after it, spread
/// as on the single-run page ([`spread_years`]).
fn compare_years(results: &[RunResult]) -> Vec<f64> {
    let start = results
        .iter()
        .map(|r| r.start)
        .fold(f64::INFINITY, f64::min);
    let mut ends: Vec<f64> = Vec::new();
    for y in results.iter().flat_map(|r| &r.rows).map(|r| r.year) {
        let year_end = (y - y.round()).abs() < 1e-9;
        if year_end && y > start + 1e-9 && !ends.iter().any(|e| (e - y).abs() < 1e-9) {
            ends.push(y);
        }
    }
    ends.sort_by(f64::total_cmp);
    spread_years(start, &ends)
}

/// Series and scenarios down, times across, as the single-run page's central projection:
/// "median" over "p5-p95" in each cell, each cell naming its scenario, series and time
/// (`data-scenario`, `data-series`, `data-year`: that scenario's summary.csv).
fn projection(results: &[RunResult]) -> String {
    let years = compare_years(results);
    let mut out = String::from(
        "<p>Median (P) with the 5th&ndash;95th percentile range under it, at the start and \
         year ends; &ldquo;-&rdquo; where a scenario lacks the series or the date.</p>\n\
         <table class=\"projection compare-projection\">\n<thead><tr><th>Series</th>\
         <th>Scenario</th>",
    );
    for year in &years {
        let _ = write!(
            out,
            "<th>{}<br><span class=\"muted\">{}</span></th>",
            esc(&when(*year)),
            data(&format_year(*year), &iso_date(*year))
        );
    }
    out.push_str("</tr></thead>\n");
    for series in series_union(results) {
        out.push_str("<tbody>\n");
        for (i, r) in results.iter().enumerate() {
            out.push_str("<tr>");
            if i == 0 {
                let _ = write!(
                    out,
                    "<th scope=\"rowgroup\" rowspan=\"{}\">{}</th>",
                    results.len(),
                    esc(&series)
                );
            }
            let _ = write!(out, "<th scope=\"row\">{}</th>", esc(&r.scenario));
            for &year in &years {
                out.push_str(&cell(r, &series, year));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
    out
}

/// One scenario's median and range of `series` at `year`, or "-".
fn cell(r: &RunResult, series: &str, year: f64) -> String {
    let row = r
        .rows
        .iter()
        .find(|x| x.city == series && (x.year - year).abs() < 1e-9);
    match row {
        Some(x) => format!(
            "<td class=\"series\" data-scenario=\"{}\" data-series=\"{}\" data-year=\"{}\">\
             <span class=\"median\">{}</span><br><span class=\"range\">{}&ndash;{}</span></td>",
            esc(&r.scenario),
            esc(series),
            format_year(x.year),
            capacity(x.p50),
            bare(x.p5),
            bare(x.p95)
        ),
        None => "<td>-</td>".to_string(),
    }
}
