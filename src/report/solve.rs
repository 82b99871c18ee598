//! What `--solve` writes: the answer in the key's own terms ("Beijing needs growth of at least
//! +103% a year (mean), against +40% in the scenario"), solve.csv (one row, columns below) and
//! a small report.html beside it.

use super::html::text::{esc, iso_date, when};
use crate::analysis::solve::{Outcome, Search};
use crate::analysis::solve_key::{SolveKey, ValueKind};
use crate::error::Result;
use crate::units::format_capacity;

/// The table `--solve` writes into `OUT/<scenario>/solve/`.
pub const FILE: &str = "solve.csv";

/// A value of the key in its own terms: "+103% a year", "85.0%", "25.0k P", "2025-10-01".
pub fn value_words(kind: ValueKind, v: f64) -> String {
    match kind {
        ValueKind::Rate if v.abs() >= 0.1 => format!("{:+.0}% a year", 100.0 * v),
        ValueKind::Rate => format!("{:+.1}% a year", 100.0 * v),
        ValueKind::Share => format!("{:.1}%", 100.0 * v),
        ValueKind::Capacity => format_capacity(v),
        ValueKind::Date => iso_date(v),
        ValueKind::Years => format!("{v:.2} years"),
        ValueKind::Plain => format!("{v:.4}"),
    }
}

fn noun(key: &SolveKey) -> String {
    let q = key.quantity.replace('_', " ");
    match key.quantity.as_str() {
        "growth" => "growth".to_string(),
        "growth_long_run" => "long-run growth".to_string(),
        "probability" => "a delivery probability".to_string(),
        "online" => "an online date".to_string(),
        "baseline" | "capacity" | "volatility" | "lifetime" | "ceiling" => format!("a {q}"),
        _ => format!("a value of {q}"),
    }
}

/// The answer in words, e.g. "Beijing needs growth of at least +103% a year ± 0.3 pts (mean),
/// against +40% a year in the scenario" (± one Monte Carlo standard error); None unless a
/// value was found.
pub fn sentence(key: &SolveKey, outcome: &Outcome) -> Option<String> {
    let Outcome::Found(a) = outcome else {
        return None;
    };
    let bound = match (a.met_above, key.kind) {
        (true, ValueKind::Date) => "no earlier than",
        (false, ValueKind::Date) => "no later than",
        (true, _) => "at least",
        (false, _) => "at most",
    };
    let parameter = key
        .parameter
        .as_ref()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let against = key
        .current
        .map(|c| format!(", against {} in the scenario", value_words(key.kind, c)))
        .unwrap_or_default();
    let margin = a
        .monte_carlo_se
        .map(|se| match key.kind {
            ValueKind::Rate | ValueKind::Share => format!(" ± {:.1} pts", 100.0 * se),
            ValueKind::Capacity => format!(" ± {}", format_capacity(se)),
            ValueKind::Date => format!(" ± {:.0} days", 365.25 * se),
            ValueKind::Years | ValueKind::Plain => format!(" ± {se:.4}"),
        })
        .unwrap_or_default();
    Some(format!(
        "{} needs {} of {bound} {}{margin}{parameter}{against}",
        key.subject,
        noun(key),
        value_words(key.kind, a.value)
    ))
}

/// solve.csv: `path,target_city,target_at,target_date,target_label,target_capacity,
/// probability_goal,outcome,value,std_error,direction,current,range_lo,range_hi,
/// probability_at_lo,probability_at_hi,evaluations,trials,seed,answer`.
/// `outcome` is found, met_throughout or unreachable; `value` (the key's units), `std_error`
/// (its Monte Carlo standard error) and `direction` (at_least: the goal is met above the
/// value, at_most: below) only when found; capacities in P, probabilities as shares (0-1).
pub fn solve_csv(search: &Search, key: &SolveKey, outcome: &Outcome) -> Result<Vec<u8>> {
    let g = search.goal;
    let s = &search.loaded.scenario;
    let opt = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    let (name, value, se, direction, p_ends, evaluations) = match outcome {
        Outcome::Found(a) => (
            "found",
            Some(a.value),
            a.monte_carlo_se,
            if a.met_above { "at_least" } else { "at_most" },
            (None, None),
            a.evaluations,
        ),
        Outcome::MetThroughout { p_lo, p_hi, .. } => (
            "met_throughout",
            None,
            None,
            "",
            (Some(*p_lo), Some(*p_hi)),
            2,
        ),
        Outcome::Unreachable { p_lo, p_hi, .. } => {
            ("unreachable", None, None, "", (Some(*p_lo), Some(*p_hi)), 2)
        }
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "path",
        "target_city",
        "target_at",
        "target_date",
        "target_label",
        "target_capacity",
        "probability_goal",
        "outcome",
        "value",
        "std_error",
        "direction",
        "current",
        "range_lo",
        "range_hi",
        "probability_at_lo",
        "probability_at_hi",
        "evaluations",
        "trials",
        "seed",
        "answer",
    ])?;
    let share = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    w.write_record([
        search.path.to_string(),
        g.city.clone(),
        crate::units::format_year(g.at),
        iso_date(g.at),
        when(g.at),
        format!("{:.1}", g.capacity),
        format!("{}", g.probability),
        name.to_string(),
        opt(value),
        opt(se),
        direction.to_string(),
        opt(key.current),
        format!("{}", search.range.0),
        format!("{}", search.range.1),
        share(p_ends.0),
        share(p_ends.1),
        evaluations.to_string(),
        s.trials.to_string(),
        s.seed.to_string(),
        sentence(key, outcome).unwrap_or_else(|| plain_outcome(outcome)),
    ])?;
    Ok(w.into_inner()?)
}

/// An outcome without a value, in words.
fn plain_outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Found(a) => format!("{}", a.value),
        Outcome::MetThroughout { lo, hi, .. } => {
            format!("the goal is met everywhere in [{lo}, {hi}]")
        }
        Outcome::Unreachable { lo, hi, .. } => format!("no value in [{lo}, {hi}] meets the goal"),
    }
}

/// The page beside solve.csv: the goal, the answer in words, the search and the command.
pub fn page(search: &Search, key: &SolveKey, outcome: &Outcome, text: &str) -> String {
    let g = search.goal;
    let title = format!(
        "What it takes: {} in '{}'",
        search.path, search.loaded.scenario.name
    );
    let mut out = super::html::head(&title, crate::version::VERSION);
    out.push_str("</header>\n<section id=\"s1\">\n<h2>Answer</h2>\n");
    out.push_str(&format!(
        "<p>Goal: <b>{} at least {} by {}</b> ({}) with a probability of at least {:.1}%.</p>\n",
        esc(&g.city),
        esc(&format_capacity(g.capacity)),
        esc(&when(g.at)),
        esc(&iso_date(g.at)),
        100.0 * g.probability
    ));
    let answer = sentence(key, outcome).unwrap_or_else(|| plain_outcome(outcome));
    out.push_str(&format!(
        "<p class=\"description\"><b>{}.</b></p>\n",
        esc(&answer)
    ));
    out.push_str(&format!(
        "<h2>Search</h2>\n<pre>{}</pre>\n<p class=\"info\">Every value tried re-runs the \
         scenario on the same seed and trials (common random numbers); the table is {FILE} \
         beside this page.</p>\n</section>\n</body>\n</html>\n",
        esc(text)
    ));
    out
}
