//! Where the Total's spread comes from: the Shapley effects of the groups of inputs (one per
//! city, the shocks' starts, the rest no input explains) at each analysed year, as shares of
//! the Total's variance that add up to 100% (sensitivity.csv's group rows).

use super::text::{data, esc, when};
use crate::analysis::Report;
use crate::analysis::group_effects::{GroupEffect, UNEXPLAINED};
use std::fmt::Write;

/// z of a two-sided 95% interval.
const Z95: f64 = 1.96;

/// The table for the Total, empty when the run has no group effects.
pub fn table(report: &Report) -> String {
    let rows: Vec<&GroupEffect> = report
        .shapley
        .iter()
        .filter(|g| g.output == "Total")
        .collect();
    let mut years: Vec<f64> = rows.iter().map(|g| g.year).collect();
    years.dedup();
    let Some(last) = years.last().copied() else {
        return String::new();
    };
    // Groups in the order of the last year's effects, the unexplained rest last.
    let groups: Vec<&str> = rows
        .iter()
        .filter(|g| g.year == last)
        .map(|g| g.group.as_str())
        .collect();
    let mut out = String::from(
        "<h3>Where the Total's spread comes from</h3>\n<p>Each group's share of the variance of \
         the Total (Shapley effects: what the group's inputs explain, with what they explain \
         jointly with correlated inputs of other groups shared out fairly), so the shares add \
         up to 100% even though cities' growth moves together; &plusmn; is the 95% Monte Carlo \
         margin, in percentage points. A city's group holds everything sampled for it; \
         <i>shared</i> the shocks' starts so far; <i>not in any input</i> what no recorded \
         input explains (lumps of additions, the path of growth within the horizon, the exact \
         time of a shock) and the estimator's bias. Rank correlations of single inputs are in \
         sensitivity.csv.</p>\n<table class=\"projection spread\">\n<thead><tr><th>Group</th>",
    );
    for y in &years {
        let _ = write!(out, "<th>{}</th>", esc(&when(*y)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for group in groups {
        let name = match group {
            UNEXPLAINED => "not in any input".to_string(),
            g => g.to_string(),
        };
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(&name));
        for y in &years {
            let cell = rows.iter().find(|g| g.year == *y && g.group == group);
            let text = cell.map_or_else(String::new, |g| {
                let shown = format!(
                    "{:.0}% ± {:.0}",
                    100.0 * g.shapley_effect,
                    100.0 * Z95 * g.shapley_effect_se
                );
                data(&format!("{:.4}", g.shapley_effect), &shown)
            });
            let _ = write!(out, "<td>{text}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}
