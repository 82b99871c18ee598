//! The page's "Reports and calibration" section: where each later report fell, the
//! conditioning summary (effective sample size, Pareto k, the inputs the reports moved most),
//! the calibration table and the coverage of the 50% and 90% bands.

use super::text::{capacity, data, esc, iso_date, percent, thousands, when};
use crate::analysis::condition::ConditionReport;
use crate::analysis::results::RunResult;
use crate::report::conditioning::input_value;
use std::fmt::Write;

/// Inputs listed in the posterior table (those the reports moved most).
const POSTERIOR_ROWS: usize = 10;

/// The section's body, or None when the scenario lists no later reports. `chart` is the
/// calibration chart's inline SVG, when drawn.
pub fn evidence(
    result: &RunResult,
    c: Option<&ConditionReport>,
    chart: Option<&str>,
) -> Option<String> {
    let c = c?;
    let mut out = String::new();
    if c.conditioned {
        let k = c.pareto_k.map_or("not estimated".to_string(), |k| {
            format!("{k:.2} ({})", k_word(k))
        });
        let _ = writeln!(
            out,
            "<p><b>Conditioned</b> on {} reports: every table, chart and probability on this \
             page weights the trials by their agreement with the reports. Effective sample size \
             {} of {} trials simulated (Kish); Pareto k of the largest weights {}{}. Trials {}.</p>",
            c.reports_used,
            data(
                &format!("{:.1}", c.effective_sample_size),
                &format!("{:.0}", c.effective_sample_size)
            ),
            thousands(c.trials_simulated as f64),
            esc(&k),
            if c.capped_trials > 0 {
                format!("; {} trials hit the weight cap", c.capped_trials)
            } else {
                String::new()
            },
            esc(&c.sampler())
        );
        posterior(c, &mut out);
    } else {
        let _ = writeln!(
            out,
            "<p><b>Not conditioned</b>: the projection comes from the scenario's inputs alone; \
             the {} later reports below only score it (run with <code>--condition</code> to \
             weight every table by them).</p>",
            c.reports_used
        );
    }
    let s = &c.score;
    let cov = |v: Option<f64>| v.map_or("-".to_string(), percent);
    let _ = writeln!(
        out,
        "<p class=\"score\">Calibration, each report against the projection made before it \
         ({} reports): the 50% band holds <b>{}</b> of them (ideal 50%), the 90% band \
         <b>{}</b> (ideal 90%); mean log-scale CRPS {} (lower is better). With this few \
         reports, coverage is a rough check, not a verdict.</p>",
        s.rows,
        cov(s.coverage_50),
        cov(s.coverage_90),
        s.mean_crps_log
            .map_or("-".to_string(), |v| format!("{v:.3}"))
    );
    if let Some(svg) = chart {
        let _ = writeln!(
            out,
            "<figure class=\"chart\">{svg}<figcaption>Left: where each report fell in the \
             projection made before it (a well-calibrated model spreads them evenly). Right: \
             share of reports inside the 50% and 90% bands against the ideal.</figcaption>\
             </figure>"
        );
    }
    if !c.disagreements.is_empty() {
        out.push_str("<p><b>The scenario and these reports disagree</b> (outside the 1st&ndash;99th percentile of the unconditioned projection):</p>\n<ul>\n");
        for d in &c.disagreements {
            let _ = writeln!(out, "<li>{}</li>", esc(d));
        }
        out.push_str("</ul>\n");
    }
    calibration_table(c, &mut out);
    sources(result, &mut out);
    Some(out)
}

fn k_word(k: f64) -> &'static str {
    if k < 0.5 {
        "reliable"
    } else if k < 0.7 {
        "usable"
    } else {
        "unreliable: the conditioned tables rest on a few trials"
    }
}

fn posterior(c: &ConditionReport, out: &mut String) {
    let rows = c.moved_most(POSTERIOR_ROWS);
    if rows.is_empty() {
        return;
    }
    out.push_str(
        "<h3>What the reports imply for the inputs</h3>\n<table class=\"posterior\">\n<thead>\
         <tr><th>Input</th><th>Prior mean [5%, 95%]</th><th>Reports imply [5%, 95%]</th>\
         <th>Move (prior sd)</th></tr></thead>\n<tbody>\n",
    );
    for r in rows {
        let v = |x: f64| input_value(&r.input, x, num);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{} [{}, {}]</td><td>{} [{}, {}]</td><td>{:+.2}</td></tr>",
            esc(&r.input),
            v(r.prior_mean),
            v(r.prior[0]),
            v(r.prior[2]),
            v(r.posterior_mean),
            v(r.posterior[0]),
            v(r.posterior[2]),
            r.shift_in_sd
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Four significant digits: inputs range from shares to thousands of P.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let digits = (3 - v.abs().max(1e-12).log10().floor() as i32).clamp(0, 6) as usize;
    format!("{v:.digits$}")
}

fn calibration_table(c: &ConditionReport, out: &mut String) {
    out.push_str(
        "<h3>Calibration of each report</h3>\n<table class=\"calibration\">\n<thead><tr>\
         <th>Series</th><th>Date</th><th>Reported</th><th>Kind</th><th>Basis</th>\
         <th>Published</th><th>Projection</th><th>Percentile</th><th>In 50%</th>\
         <th>In 90%</th><th>CRPS (log)</th></tr></thead>\n<tbody>\n",
    );
    let flag = |b: Option<bool>| b.map_or("-", |b| if b { "yes" } else { "no" });
    for r in &c.calibration {
        let made = if r.unconditioned {
            "unconditioned".to_string()
        } else {
            format!("on {} earlier", r.conditioned_on)
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.series),
            esc(&iso_date(r.at)),
            capacity(r.capacity),
            esc(&r.kind.replace('_', " ")),
            esc(&r.basis),
            esc(&iso_date(r.published)),
            esc(&made),
            r.percentile.map_or("-".to_string(), |p| data(
                &format!("{p:.2}"),
                &format!("{p:.1}")
            )),
            flag(r.inside_50),
            flag(r.inside_90),
            r.crps_log.map_or("-".to_string(), |v| format!("{v:.3}"))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Each report's source, as the scenario gives it.
fn sources(result: &RunResult, out: &mut String) {
    if result.backtest.is_empty() {
        return;
    }
    out.push_str("<h3>Reports and their sources</h3>\n<ul class=\"sources\">\n");
    for b in &result.backtest {
        let _ = writeln!(
            out,
            "<li>{} {} ({}): {}</li>",
            esc(&b.city),
            capacity(b.capacity),
            esc(&when(b.at)),
            esc(&b.source)
        );
    }
    out.push_str("</ul>\n");
}
