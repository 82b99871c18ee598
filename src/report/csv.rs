//! The CSV tables: summary, targets, backtest, with the risk keys used.csv and power.csv, and
//! the decision tables (crossing times, probability over time, ranking, overtaking,
//! sensitivity, comparison). Numbers are printed with fixed decimals so that equal results
//! give equal bytes. A table with a `year` column (a decimal year: 2028 is 1 January 2028)
//! ends with `date` (its ISO date, 2028-01-01) and `label` (in words, "end-2027").

use crate::analysis::compare::CompareRow;
use crate::analysis::decisions::Decisions;
use crate::analysis::group_effects::{GroupEffect, UNEXPLAINED};
use crate::analysis::results::{RunResult, SummaryRow};
use crate::analysis::sensitivity::SensitivityRow;
use crate::error::Result;
use crate::units::{date_label, format_year, iso_date};

/// summary.csv: city,year,mean,sd,p5,p10,p25,p50,p75,p90,p95,date,label (capacities in P).
pub fn summary_csv(result: &RunResult) -> Result<Vec<u8>> {
    rows_csv(&result.rows)
}

/// unconditioned.csv (conditioned runs): the layout of summary.csv for the projection before
/// the reports (every trial counted by its unconditioned multiplicity), P; beside summary.csv's
/// conditioned figures, what the reports changed.
pub fn unconditioned_csv(result: &RunResult) -> Result<Vec<u8>> {
    rows_csv(&result.unconditioned_rows)
}

/// used.csv: the layout of summary.csv for used capacity (installed times utilisation), P.
pub fn used_csv(result: &RunResult) -> Result<Vec<u8>> {
    rows_csv(&result.used_rows)
}

/// power.csv: city,year,probability,std_error,date,label: the share of trials in which the city's power
/// cap binds at that time.
pub fn power_csv(result: &RunResult) -> Result<Vec<u8>> {
    let mut w = dated_writer(&["city", "year", "probability", "std_error"])?;
    for r in &result.power {
        let fields = [
            r.city.clone(),
            format_year(r.year),
            format!("{:.4}", r.probability),
            format!("{:.4}", r.std_error),
        ];
        dated_record(&mut w, fields, r.year)?;
    }
    Ok(w.into_inner()?)
}

fn rows_csv(rows: &[SummaryRow]) -> Result<Vec<u8>> {
    let mut w = dated_writer(&[
        "city", "year", "mean", "sd", "p5", "p10", "p25", "p50", "p75", "p90", "p95",
    ])?;
    for r in rows {
        let mut rec = vec![r.city.clone(), format_year(r.year), opt(r.mean), opt(r.sd)];
        rec.extend(
            [r.p5, r.p10, r.p25, r.p50, r.p75, r.p90, r.p95]
                .iter()
                .map(|v| capacity(*v)),
        );
        dated_record(&mut w, rec, r.year)?;
    }
    Ok(w.into_inner()?)
}

/// targets.csv: city,at,capacity,probability,evaluated_at,std_error,date,label (`date` and
/// `label` are those of `at`),ci95_low,ci95_high (the Wilson score 95% interval of the
/// probability, with six decimals so that the interval of a share of 0 does not print as
/// [0, 0]; std_error is its half width / 1.96).
pub fn targets_csv(result: &RunResult) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "city",
        "at",
        "capacity",
        "probability",
        "evaluated_at",
        "std_error",
        "date",
        "label",
        "ci95_low",
        "ci95_high",
    ])?;
    for t in &result.targets {
        w.write_record([
            t.city.clone(),
            format_year(t.at),
            capacity(t.capacity),
            format!("{:.4}", t.probability),
            format_year(t.evaluated_at),
            format!("{:.4}", t.std_error),
            iso_date(t.at),
            date_label(t.at),
            format!("{:.6}", t.ci95_low),
            format!("{:.6}", t.ci95_high),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// backtest.csv: city,at,capacity,percentile,evaluated_at,source,date,label (of `at`). `percentile` is the
/// mid-rank share of trials below the reported value, in percent (ties count half).
pub fn backtest_csv(result: &RunResult) -> Result<Vec<u8>> {
    let mut w = dated_writer(&[
        "city",
        "at",
        "capacity",
        "percentile",
        "evaluated_at",
        "source",
    ])?;
    for b in &result.backtest {
        let fields = [
            b.city.clone(),
            format_year(b.at),
            capacity(b.capacity),
            format!("{:.2}", b.percentile),
            format_year(b.evaluated_at),
            b.source.clone(),
        ];
        dated_record(&mut w, fields, b.at)?;
    }
    Ok(w.into_inner()?)
}

/// A writer for a table whose rows each have a time: `columns`, then `date` and `label`.
fn dated_writer(columns: &[&str]) -> Result<csv::Writer<Vec<u8>>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns.iter().chain(&["date", "label"]))?;
    Ok(w)
}

/// Writes `fields`, then the ISO date of `year` (2028-01-01) and its label ("end-2027").
fn dated_record(
    w: &mut csv::Writer<Vec<u8>>,
    fields: impl IntoIterator<Item = String>,
    year: f64,
) -> Result<()> {
    let dates = [iso_date(year), date_label(year)];
    w.write_record(fields.into_iter().chain(dates))?;
    Ok(())
}

/// A capacity in P with one decimal.
fn capacity(v: f64) -> String {
    format!("{v:.1}")
}

fn opt(v: Option<f64>) -> String {
    v.map(capacity).unwrap_or_default()
}

/// crossing.csv: city,capacity,probability_within_horizon,p10,p50,p90 (first time, decimal
/// year, at which capacity >= the target, interpolated within the step; empty when the
/// percentile lies beyond the horizon), then p10_date,p10_label,p50_date,p50_label,p90_date,
/// p90_label ([`TIME_COLUMNS`]).
pub fn crossing_csv(decisions: &Decisions) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(
        [
            "city",
            "capacity",
            "probability_within_horizon",
            "p10",
            "p50",
            "p90",
        ]
        .iter()
        .chain(&TIME_COLUMNS),
    )?;
    for c in &decisions.crossing {
        let mut record = vec![
            c.city.clone(),
            capacity(c.capacity),
            format!("{:.4}", c.probability_within_horizon),
            opt_year(c.p10),
            opt_year(c.p50),
            opt_year(c.p90),
        ];
        record.extend(dates([c.p10, c.p50, c.p90]));
        w.write_record(record)?;
    }
    Ok(w.into_inner()?)
}

/// targets_over_time.csv: city,capacity,year,probability_at_or_above,probability_reached_by,
/// date,label.
pub fn levels_csv(decisions: &Decisions) -> Result<Vec<u8>> {
    let mut w = dated_writer(&[
        "city",
        "capacity",
        "year",
        "probability_at_or_above",
        "probability_reached_by",
    ])?;
    for l in &decisions.levels {
        let fields = [
            l.city.clone(),
            capacity(l.capacity),
            format_year(l.year),
            format!("{:.4}", l.probability_at_or_above),
            format!("{:.4}", l.probability_reached_by),
        ];
        dated_record(&mut w, fields, l.year)?;
    }
    Ok(w.into_inner()?)
}

/// ranking.csv: year,city,probability_largest,date,label.
pub fn ranking_csv(decisions: &Decisions) -> Result<Vec<u8>> {
    let mut w = dated_writer(&["year", "city", "probability_largest"])?;
    for r in &decisions.ranking {
        let fields = [
            format_year(r.year),
            r.city.clone(),
            format!("{:.4}", r.probability_largest),
        ];
        dated_record(&mut w, fields, r.year)?;
    }
    Ok(w.into_inner()?)
}

/// overtake.csv: leader,follower,share_starting_behind,probability_within_horizon,p10,p50,p90,
/// then [`TIME_COLUMNS`]; the probability and percentiles are among the trials in which the
/// follower starts behind.
pub fn overtake_csv(decisions: &Decisions) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(
        [
            "leader",
            "follower",
            "share_starting_behind",
            "probability_within_horizon",
            "p10",
            "p50",
            "p90",
        ]
        .iter()
        .chain(&TIME_COLUMNS),
    )?;
    for o in &decisions.overtake {
        let mut record = vec![
            o.leader.clone(),
            o.follower.clone(),
            format!("{:.4}", o.share_starting_behind),
            format!("{:.4}", o.probability_within_horizon),
            opt_year(o.p10),
            opt_year(o.p50),
            opt_year(o.p90),
        ];
        record.extend(dates([o.p10, o.p50, o.p90]));
        w.write_record(record)?;
    }
    Ok(w.into_inner()?)
}

/// sensitivity.csv: output,year,input,rank_correlation,rank_correlation_se,first_order_index,
/// sample, then input_label, input_p10, input_p90, output_p50_at_input_p10,
/// output_p50_at_input_p90, swing (the output's median near the input's p10 and p90, in P),
/// group, shapley_effect, shapley_effect_se, date, label. Each output and year lists its
/// inputs, then its groups' Shapley effects (`group[Beijing]`, ..., `unexplained`), whose
/// per-input columns are empty.
pub fn sensitivity_csv(rows: &[SensitivityRow], groups: &[GroupEffect]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "output",
        "year",
        "input",
        "rank_correlation",
        "rank_correlation_se",
        "first_order_index",
        "sample",
        "input_label",
        "input_p10",
        "input_p90",
        "output_p50_at_input_p10",
        "output_p50_at_input_p90",
        "swing",
        "group",
        "shapley_effect",
        "shapley_effect_se",
        "date",
        "label",
    ])?;
    let key = |output: &str, year: f64| (output.to_string(), year.to_bits());
    let mut i = 0;
    for (k, r) in rows.iter().enumerate() {
        let fields = [
            r.output.clone(),
            format_year(r.year),
            r.input.clone(),
            format!("{:.4}", r.rank_correlation),
            format!("{:.4}", r.rank_correlation_se),
            format!("{:.4}", r.first_order_index),
            r.sample.to_string(),
            r.input_label.clone(),
            format!("{:.4}", r.input_p10),
            format!("{:.4}", r.input_p90),
            format!("{:.1}", r.output_p50_at_input_p10),
            format!("{:.1}", r.output_p50_at_input_p90),
            format!("{:.1}", r.swing),
            r.group.clone(),
            String::new(),
            String::new(),
            iso_date(r.year),
            date_label(r.year),
        ];
        w.write_record(fields)?;
        // The groups of this output and year after its last input.
        let last = rows
            .get(k + 1)
            .is_none_or(|n| key(&n.output, n.year) != key(&r.output, r.year));
        while last
            && i < groups.len()
            && key(&groups[i].output, groups[i].year) == key(&r.output, r.year)
        {
            w.write_record(group_fields(&groups[i]))?;
            i += 1;
        }
    }
    for g in &groups[i..] {
        w.write_record(group_fields(g))?;
    }
    Ok(w.into_inner()?)
}

/// A group's row of sensitivity.csv: the per-input columns empty.
fn group_fields(g: &GroupEffect) -> [String; 18] {
    let empty = String::new;
    [
        g.output.clone(),
        format_year(g.year),
        g.input(),
        empty(),
        empty(),
        empty(),
        g.sample.to_string(),
        g.label(),
        empty(),
        empty(),
        empty(),
        empty(),
        empty(),
        if g.group == UNEXPLAINED {
            empty()
        } else {
            g.group.clone()
        },
        format!("{:.4}", g.shapley_effect),
        format!("{:.4}", g.shapley_effect_se),
        iso_date(g.year),
        date_label(g.year),
    ]
}

fn opt_year(v: Option<f64>) -> String {
    v.map(format_year).unwrap_or_default()
}

/// The columns appended after the time percentiles p10, p50 and p90 of crossing.csv and
/// overtake.csv: each one's ISO date and label, empty when it lies beyond the horizon.
pub const TIME_COLUMNS: [&str; 6] = [
    "p10_date",
    "p10_label",
    "p50_date",
    "p50_label",
    "p90_date",
    "p90_label",
];

/// The values of [`TIME_COLUMNS`] for three times.
fn dates(times: [Option<f64>; 3]) -> Vec<String> {
    times
        .into_iter()
        .flat_map(|t| [t.map(iso_date), t.map(date_label)])
        .map(Option::unwrap_or_default)
        .collect()
}

/// compare.csv: scenario,city,year,p5,p50,p95,diff_p50_vs_first,date,label (capacities in P).
pub fn compare_csv(rows: &[CompareRow]) -> Result<Vec<u8>> {
    let mut w = dated_writer(&[
        "scenario",
        "city",
        "year",
        "p5",
        "p50",
        "p95",
        "diff_p50_vs_first",
    ])?;
    for r in rows {
        let fields = [
            r.scenario.clone(),
            r.city.clone(),
            format_year(r.year),
            capacity(r.p5),
            capacity(r.p50),
            capacity(r.p95),
            opt(r.diff_p50_vs_first),
        ];
        dated_record(&mut w, fields, r.year)?;
    }
    Ok(w.into_inner()?)
}
