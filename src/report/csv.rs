//! The CSV tables: summary.csv, targets.csv and, with the risk keys, used.csv and power.csv. Numbers are printed with fixed decimals so
//! that equal results give equal bytes.

use crate::results::{RunResult, SummaryRow};
use crate::units::format_year;
use anyhow::Result;

/// summary.csv: city,year,mean,sd,p5,p10,p25,p50,p75,p90,p95 (capacities in P).
pub fn summary_csv(result: &RunResult) -> Result<Vec<u8>> {
    rows_csv(&result.rows)
}

/// used.csv: the layout of summary.csv for used capacity (installed times utilisation), P.
pub fn used_csv(result: &RunResult) -> Result<Vec<u8>> {
    rows_csv(&result.used_rows)
}

/// power.csv: city,year,probability,std_error: the share of trials in which the city's power
/// cap binds at that time.
pub fn power_csv(result: &RunResult) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["city", "year", "probability", "std_error"])?;
    for r in &result.power {
        w.write_record([
            r.city.clone(),
            format_year(r.year),
            format!("{:.4}", r.probability),
            format!("{:.4}", r.std_error),
        ])?;
    }
    Ok(w.into_inner()?)
}

fn rows_csv(rows: &[SummaryRow]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "city", "year", "mean", "sd", "p5", "p10", "p25", "p50", "p75", "p90", "p95",
    ])?;
    for r in rows {
        let mut rec = vec![r.city.clone(), format_year(r.year), opt(r.mean), opt(r.sd)];
        rec.extend(
            [r.p5, r.p10, r.p25, r.p50, r.p75, r.p90, r.p95]
                .iter()
                .map(|v| capacity(*v)),
        );
        w.write_record(&rec)?;
    }
    Ok(w.into_inner()?)
}

/// targets.csv: city,at,capacity,probability,evaluated_at,std_error.
pub fn targets_csv(result: &RunResult) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "city",
        "at",
        "capacity",
        "probability",
        "evaluated_at",
        "std_error",
    ])?;
    for t in &result.targets {
        w.write_record([
            t.city.clone(),
            format_year(t.at),
            capacity(t.capacity),
            format!("{:.4}", t.probability),
            format_year(t.evaluated_at),
            format!("{:.4}", t.std_error),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// backtest.csv: city,at,capacity,percentile,evaluated_at,source. `percentile` is the
/// mid-rank share of trials below the reported value, in percent (ties count half).
pub fn backtest_csv(result: &RunResult) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "city",
        "at",
        "capacity",
        "percentile",
        "evaluated_at",
        "source",
    ])?;
    for b in &result.backtest {
        w.write_record([
            b.city.clone(),
            format_year(b.at),
            capacity(b.capacity),
            format!("{:.2}", b.percentile),
            format_year(b.evaluated_at),
            b.source.clone(),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// A capacity in P with one decimal.
fn capacity(v: f64) -> String {
    format!("{v:.1}")
}

fn opt(v: Option<f64>) -> String {
    v.map(capacity).unwrap_or_default()
}
