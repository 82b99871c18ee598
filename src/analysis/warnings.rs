//! Inputs that are valid but almost surely a slip ("implausible inputs", issue 13): a growth
//! mean above 300 % or below -50 % a year, a power cap that binds at the start in most trials,
//! a baseline or project more than 100 times another city's baseline, a target already met at
//! the start. Warnings never change a result; the run prints them, lists them in summary.json
//! and, with `--strict`, refuses to publish.

use super::decisions::Decisions;
use super::results::RunResult;
use crate::scenario::Scenario;
use crate::scenario::dist::Dist;
use crate::units::{format_capacity, format_percent};

/// Highest plausible growth mean (300 % a year: 40 meant as 40 % is 4,000 %).
pub const GROWTH_HIGH: f64 = 3.0;
/// Lowest plausible growth mean (-50 % a year).
pub const GROWTH_LOW: f64 = -0.5;
/// A capacity this many times another city's baseline is taken for a unit slip.
pub const CAPACITY_RATIO: f64 = 100.0;

/// The implausible inputs that need no run (growth means, sizes), one sentence each: what
/// `--check` shows and `--strict` refuses before anything runs.
pub fn before_run(scenario: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    growth(scenario, &mut out);
    sizes(scenario, &mut out);
    out
}

/// Every implausible input of a finished run, one sentence each, in scenario order.
pub fn implausible(scenario: &Scenario, result: &RunResult, decisions: &Decisions) -> Vec<String> {
    let mut out = Vec::new();
    growth(scenario, &mut out);
    sizes(scenario, &mut out);
    let start = scenario.grid.start;
    for row in result.power.iter().filter(|r| r.year == start) {
        if row.probability > 0.5 {
            out.push(format!(
                "city[{}].power caps capacity at the start in {} of trials: the power \
                 supply (mw x p_per_mw) is below the baseline; is a unit or a figure wrong?",
                row.city,
                format_percent(row.probability)
            ));
        }
    }
    for t in &scenario.targets {
        let met = decisions
            .levels
            .iter()
            .find(|l| l.city == t.label && l.capacity == t.capacity && l.year == start);
        if let Some(l) = met.filter(|l| l.probability_at_or_above > 0.5) {
            out.push(format!(
                "target {} for {} by {} is already met at the start in {} of trials",
                format_capacity(t.capacity),
                t.label,
                crate::units::date_label(t.at),
                format_percent(l.probability_at_or_above)
            ));
        }
    }
    out
}

/// The mean of a distribution, from 1,000 evenly spaced quantiles.
fn mean(d: &Dist) -> f64 {
    let n = 1000;
    (0..n)
        .map(|i| d.quantile((i as f64 + 0.5) / n as f64))
        .sum::<f64>()
        / n as f64
}

fn growth(scenario: &Scenario, out: &mut Vec<String>) {
    for c in &scenario.cities {
        let mut rates = vec![("growth".to_string(), &c.growth)];
        if let Some(f) = &c.fading {
            rates.push(("growth_long_run".to_string(), &f.long_run));
        }
        for (i, p) in c.growth_periods.iter().enumerate() {
            rates.push((format!("growth_period[{i}].growth"), &p.growth));
        }
        for (key, dist) in rates {
            // Rounded, so that a mean of -0.7 reads as written.
            let m = (mean(dist) * 1e6).round() / 1e6;
            if !(GROWTH_LOW..=GROWTH_HIGH).contains(&m) {
                out.push(format!(
                    "city[{}].{key} has a mean of {m} ({:.0} % a year), outside {GROWTH_LOW} \
                     to {GROWTH_HIGH}; growth is a fraction (0.4 for 40 %)",
                    c.name,
                    m * 100.0
                ));
            }
        }
    }
}

fn sizes(scenario: &Scenario, out: &mut Vec<String>) {
    let baselines: Vec<(&str, f64)> = scenario
        .cities
        .iter()
        .map(|c| (c.name.as_str(), c.baseline.median()))
        .collect();
    for (i, c) in scenario.cities.iter().enumerate() {
        // The smallest positive baseline of the other cities.
        let Some(&(other, least)) = baselines
            .iter()
            .enumerate()
            .filter(|&(j, (_, b))| j != i && *b > 0.0)
            .map(|(_, b)| b)
            .min_by(|a, b| a.1.total_cmp(&b.1))
        else {
            return;
        };
        let mut check = |what: String, size: f64| {
            if size > CAPACITY_RATIO * least {
                out.push(format!(
                    "{what} (median {}) is more than {CAPACITY_RATIO:.0} times city[{other}]'s \
                     baseline (median {}); is a unit wrong (P, not TFLOPS or E)?",
                    format_capacity(size),
                    format_capacity(least)
                ));
            }
        };
        check(format!("city[{}].baseline", c.name), c.baseline.median());
        for p in &c.projects {
            check(
                format!("city[{}].project[{}].capacity", c.name, p.name),
                p.capacity.median(),
            );
        }
    }
}
