//! What the reports imply, as tables and text: posterior.csv, calibration.csv and the
//! terminal's conditioning summary.

use crate::analysis::condition::{ConditionReport, PosteriorRow};
use crate::error::Result;
use crate::units::{date_label, format_year, iso_date};
use std::fmt::Write;

/// posterior.csv: input,prior_mean,prior_p5,prior_p50,prior_p95,posterior_mean,posterior_p5,
/// posterior_p50,posterior_p95 (each input in its own unit: P, a rate, years, 0/1).
pub fn posterior_csv(report: &ConditionReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "input",
        "prior_mean",
        "prior_p5",
        "prior_p50",
        "prior_p95",
        "posterior_mean",
        "posterior_p5",
        "posterior_p50",
        "posterior_p95",
    ])?;
    for r in &report.posterior {
        let mut rec = vec![r.input.clone(), number(r.prior_mean)];
        rec.extend(r.prior.iter().map(|v| number(*v)));
        rec.push(number(r.posterior_mean));
        rec.extend(r.posterior.iter().map(|v| number(*v)));
        w.write_record(&rec)?;
    }
    Ok(w.into_inner()?)
}

/// calibration.csv: series,at,capacity,kind,basis,published,conditioned_on,percentile,
/// inside_50,inside_90,crps_log,date,label,published_date (`date` and `label` of `at`, the ISO
/// date of `published`): each report in the projection conditioned on the reports
/// published before it (conditioned_on = their number) and in the unconditioned one
/// (conditioned_on = "none").
pub fn calibration_csv(report: &ConditionReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "series",
        "at",
        "capacity",
        "kind",
        "basis",
        "published",
        "conditioned_on",
        "percentile",
        "inside_50",
        "inside_90",
        "crps_log",
        "date",
        "label",
        "published_date",
    ])?;
    for r in &report.calibration {
        let flag = |b: Option<bool>| b.map_or(String::new(), |b| u8::from(b).to_string());
        w.write_record([
            r.series.clone(),
            format_year(r.at),
            format!("{:.1}", r.capacity),
            r.kind.to_string(),
            r.basis.clone(),
            format_year(r.published),
            if r.unconditioned {
                "none".to_string()
            } else {
                r.conditioned_on.to_string()
            },
            r.percentile.map_or(String::new(), |p| format!("{p:.2}")),
            flag(r.inside_50),
            flag(r.inside_90),
            r.crps_log.map_or(String::new(), |c| format!("{c:.4}")),
            iso_date(r.at),
            date_label(r.at),
            iso_date(r.published),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Six significant digits: inputs range from shares to thousands of P.
/// Whether a posterior input is a date, a decimal year (a project's online date).
pub fn is_date_input(input: &str) -> bool {
    input.ends_with(".online")
}

/// A posterior input's value as the terminal and the page show it: a date as its ISO date
/// (2025-06-09), any other value by `number`.
pub fn input_value(input: &str, v: f64, number: fn(f64) -> String) -> String {
    if is_date_input(input) && v.is_finite() {
        iso_date(v)
    } else {
        number(v)
    }
}

fn number(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let digits = (5 - v.abs().max(1e-12).log10().floor() as i32).clamp(0, 9) as usize;
    format!("{v:.digits$}")
}

/// The terminal's conditioning summary: effective sample size, tail diagnostic, the inputs
/// the reports moved most, the calibration score and disagreements.
pub fn render(report: &ConditionReport) -> String {
    let mut out = String::new();
    if report.conditioned {
        let _ = writeln!(
            out,
            "\nConditioned on {} reports: {} trials simulated, effective sample size {:.0} \
             (Kish){}",
            report.reports_used,
            report.trials_simulated,
            report.effective_sample_size,
            report
                .pareto_k
                .map_or(String::new(), |k| format!(", Pareto k {k:.2}{}", k_word(k)))
        );
        let _ = writeln!(out, "  Trials {}.", report.sampler());
        for r in report.moved_most(5) {
            let _ = writeln!(out, "  {}", describe(r));
        }
    } else {
        let _ = writeln!(
            out,
            "\nReports: {} (not conditioned on; --condition weights every table by them)",
            report.reports_used
        );
    }
    out.push_str(&calibration_line(
        report,
        "(each report against the projection made before it) of",
    ));
    out
}

/// The conditioning and calibration in two lines for the concise summary: the effective
/// sample size, the tail diagnostic and the input the reports moved most (or that the reports
/// were not conditioned on), then the calibration score.
pub fn render_brief(report: &ConditionReport) -> String {
    let mut out = String::new();
    if report.conditioned {
        let moved = report.moved_most(1).first().map_or(String::new(), |r| {
            format!(
                "\n  moved most: {}, mean {} before, {} after (posterior.csv)",
                r.input,
                input_value(&r.input, r.prior_mean, short),
                input_value(&r.input, r.posterior_mean, short)
            )
        });
        let _ = writeln!(
            out,
            "Conditioned on {} reports: effective sample size {:.0} of {} trials (Kish){}; {}{moved}",
            report.reports_used,
            report.effective_sample_size,
            report.trials_simulated,
            report
                .pareto_k
                .map_or(String::new(), |k| format!(", Pareto k {k:.2}{}", k_word(k))),
            report.sampler_brief()
        );
    } else {
        let _ = writeln!(
            out,
            "Reports: {} (not conditioned on; --condition weights every table by them)",
            report.reports_used
        );
    }
    out.push_str(&calibration_line(report, "of"));
    out
}

/// "Calibration (each report against the projection made before it, 3 reports): ...";
/// `how` says how the reports are counted ("of" the scenario's, or "each against ...").
fn calibration_line(report: &ConditionReport, how: &str) -> String {
    let s = &report.score;
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.0}%", 100.0 * v));
    format!(
        "Calibration {how} {} reports: 50% band holds {} (ideal 50%), 90% band {} (ideal \
         90%), mean log CRPS {}\n",
        s.rows,
        pct(s.coverage_50),
        pct(s.coverage_90),
        s.mean_crps_log
            .map_or("-".to_string(), |c| format!("{c:.3}"))
    )
}

/// Four significant digits and no trailing zeros: 12454.087 is "12450", 0.400667 "0.4007".
fn short(v: f64) -> String {
    format!("{v:.3e}")
        .parse::<f64>()
        .map_or_else(|_| number(v), |r| r.to_string())
}

fn k_word(k: f64) -> &'static str {
    if k < 0.5 {
        " (reliable)"
    } else if k < 0.7 {
        " (usable)"
    } else {
        " (unreliable: the conditioned tables rest on a few trials)"
    }
}

/// "Beijing.growth: prior 0.40 [0.20, 0.60], reports imply 0.52 [0.41, 0.64]"; a date input
/// in dates ("prior 2025-06-09 [2025-01-15, 2026-02-01]").
fn describe(r: &PosteriorRow) -> String {
    let v = |x: f64| input_value(&r.input, x, number);
    format!(
        "{}: prior {} [{}, {}], reports imply {} [{}, {}] (5-95%)",
        r.input,
        v(r.prior_mean),
        v(r.prior[0]),
        v(r.prior[2]),
        v(r.posterior_mean),
        v(r.posterior[0]),
        v(r.posterior[2])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_input_reads_as_a_date() {
        assert!(is_date_input("Shenzhen.project[Qianhai].online"));
        assert!(!is_date_input("Shenzhen.project[Qianhai].ramp_years"));
        let row = PosteriorRow {
            input: "A.project[P].online".to_string(),
            prior_mean: 2025.5,
            prior: [2025.0, 2025.5, 2026.25],
            posterior_mean: 2025.75,
            posterior: [2025.25, 2025.75, 2026.0],
            shift_in_sd: 0.5,
        };
        assert_eq!(
            describe(&row),
            "A.project[P].online: prior 2025-07-01 [2025-01-01, 2026-04-01], reports imply \
             2025-10-01 [2025-04-01, 2026-01-01] (5-95%)"
        );
        assert_eq!(input_value("A.growth", 0.4, number), "0.400000");
    }

    #[test]
    fn brief_numbers_keep_four_significant_digits() {
        assert_eq!(short(12454.087), "12450");
        assert_eq!(short(0.400667), "0.4007");
        assert_eq!(short(-0.05), "-0.05");
    }
}
