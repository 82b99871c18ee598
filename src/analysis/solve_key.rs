//! What a `--solve` path is: the scenario key it changes, the range that key may take (the
//! default search range) and the kind of value it holds, so that the answer can be given in
//! the key's own terms ("Beijing needs growth of +103% a year (mean)").
//!
//! Ranges come from the key's valid range: a probability or share in [0, 1], a distribution's
//! mode between its min and max, its min below its mode (or max) and its max above, a p5 below
//! the p95, an sd from 0, a date inside the scenario's horizon; other values from 0 (or from
//! four times below a negative value) to four times the current value. A path to a whole
//! distribution is refused with its parameters named.

use crate::error::{Error, Result};
use crate::scenario::LoadedScenario;
use crate::scenario::overrides::lookup;

/// How a key's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// An annual rate (growth): +40% a year.
    Rate,
    /// A probability or share, 0-1: 85%.
    Share,
    /// A capacity, P.
    Capacity,
    /// A date, decimal year.
    Date,
    /// A duration, years.
    Years,
    /// Anything else, as a number.
    Plain,
}

/// A solved key: who it belongs to and what it measures.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveKey {
    /// The city, project or shock the key belongs to ("Beijing", "Qianhai phase one
    /// (Shenzhen)"), or "The scenario".
    pub subject: String,
    /// The quantity's key ("growth", "probability", "capacity").
    pub quantity: String,
    /// The distribution parameter solved ("mean", "mode"), if the quantity is a distribution.
    pub parameter: Option<String>,
    /// How its values read.
    pub kind: ValueKind,
    /// Its value in the scenario (with the run's --set overrides), if it is a number.
    pub current: Option<f64>,
    /// The range it may take: the default search range.
    pub range: (f64, f64),
}

/// The parameters of distributions, as the scenario format names them.
const PARAMETERS: [&str; 7] = ["mean", "sd", "min", "max", "mode", "p5", "p95"];

/// Reads `path` in the scenario (with its overrides) and describes it.
pub fn describe(loaded: &LoadedScenario, path: &str) -> Result<SolveKey> {
    let text = crate::scenario::overrides::apply(&loaded.text, &loaded.overrides)?;
    let number = |v: &toml::Value| v.as_float().or(v.as_integer().map(|i| i as f64));
    let value = lookup(&text, path)?;
    if let Some(toml::Value::Table(t)) = &value {
        let dist = t.get("dist").and_then(|d| d.as_str()).unwrap_or("?");
        let params: Vec<String> = t
            .keys()
            .filter(|k| PARAMETERS.contains(&k.as_str()))
            .map(|k| format!("{path}.{k}"))
            .collect();
        return Err(Error::Invalid(format!(
            "--solve {path} is a distribution ({dist}); solve one of its parameters: {}",
            params.join(", ")
        )));
    }
    let current = value.as_ref().and_then(number);
    let segments = split(path);
    let last = segments.last().cloned().unwrap_or_default();
    let (parent, siblings) = match path.rsplit_once('.') {
        Some((parent, _)) if PARAMETERS.contains(&last.as_str()) => {
            match lookup(&text, parent).ok().flatten() {
                Some(toml::Value::Table(t)) if t.contains_key("dist") => (Some(parent), Some(t)),
                _ => (None, None),
            }
        }
        _ => (None, None),
    };
    let quantity = match parent {
        Some(_) => segments.iter().rev().nth(1).cloned().unwrap_or_default(),
        None => last.clone(),
    };
    let kind = kind_of(&quantity);
    let sibling = |k: &str| siblings.as_ref().and_then(|t| t.get(k)).and_then(number);
    let parameter = parent.map(|_| last.clone());
    let horizon = (loaded.scenario.grid.start, loaded.scenario.grid.end());
    let range = valid_range(kind, parameter.as_deref(), current, &sibling, horizon);
    Ok(SolveKey {
        subject: subject(&segments),
        quantity,
        parameter,
        kind,
        current,
        range,
    })
}

/// The path's segments: keys and bracketed names, in order.
fn split(path: &str) -> Vec<String> {
    path.replace('[', ".[")
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_start_matches('[').trim_end_matches(']').to_string())
        .collect()
}

/// "Beijing", "Qianhai phase one (Shenzhen)", "shock Export controls", or "The scenario".
fn subject(segments: &[String]) -> String {
    let at = |i: usize| segments.get(i).map(String::as_str);
    match (at(0), at(1), at(2), at(3)) {
        (Some("city"), Some(city), Some("project"), Some(project)) => {
            format!("{project} ({city})")
        }
        (Some("city"), Some(city), _, _) => city.to_string(),
        (Some("shock"), Some(shock), _, _) => format!("The shock \"{shock}\""),
        (Some("basis"), Some(basis), _, _) => format!("The basis \"{basis}\""),
        _ => "The scenario".to_string(),
    }
}

fn kind_of(quantity: &str) -> ValueKind {
    match quantity {
        "growth" | "growth_long_run" | "mw_growth" | "efficiency_growth" | "volatility" => {
            ValueKind::Rate
        }
        "probability" | "annual_probability" | "capacity_loss" | "utilisation" => ValueKind::Share,
        "baseline" | "capacity" | "ceiling" => ValueKind::Capacity,
        "online" | "at" | "from" => ValueKind::Date,
        "ramp_years" | "duration_years" | "lifetime" | "growth_half_life_years" | "lag_years" => {
            ValueKind::Years
        }
        _ => ValueKind::Plain,
    }
}

/// The range a value of this kind (a distribution's `parameter`, whose siblings `sibling`
/// reads) may take.
fn valid_range(
    kind: ValueKind,
    parameter: Option<&str>,
    current: Option<f64>,
    sibling: &dyn Fn(&str) -> Option<f64>,
    (start, end): (f64, f64),
) -> (f64, f64) {
    let v = current.unwrap_or(0.0);
    let (floor, ceiling) = match kind {
        ValueKind::Share => (0.0, 1.0),
        ValueKind::Date => (start, end),
        _ if v < 0.0 => (4.0 * v, (-v).max(1.0)),
        _ if v > 0.0 => (0.0, 4.0 * v),
        _ => (0.0, 1.0),
    };
    let or =
        |k: &str, other: &str, fallback: f64| sibling(k).or(sibling(other)).unwrap_or(fallback);
    match parameter {
        Some("sd") => (0.0, if v > 0.0 { 4.0 * v } else { 1.0 }),
        Some("mode") => (or("min", "min", floor), or("max", "max", ceiling)),
        Some("min") => (floor.min(v), or("mode", "max", ceiling)),
        Some("max") => (or("mode", "min", floor), ceiling.max(v)),
        Some("p5") => {
            let p95 = or("p95", "p95", ceiling);
            (1e-3 * p95, p95)
        }
        Some("p95") => (or("p5", "p5", floor), ceiling.max(v)),
        _ => (floor, ceiling),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_come_from_what_the_key_may_hold() {
        let none = |_: &str| None;
        let tri = |k: &str| match k {
            "min" => Some(5_000.0),
            "mode" => Some(10_000.0),
            "max" => Some(15_000.0),
            _ => None,
        };
        let h = (2024.5, 2030.0);
        let r = |k, p, v, s: &dyn Fn(&str) -> Option<f64>| valid_range(k, p, v, s, h);
        assert_eq!(r(ValueKind::Share, None, Some(0.8), &none), (0.0, 1.0));
        assert_eq!(
            r(ValueKind::Capacity, Some("mode"), Some(10e3), &tri),
            (5e3, 15e3)
        );
        assert_eq!(
            r(ValueKind::Capacity, Some("min"), Some(5e3), &tri),
            (0.0, 10e3)
        );
        assert_eq!(
            r(ValueKind::Capacity, Some("max"), Some(15e3), &tri),
            (10e3, 60e3)
        );
        assert_eq!(
            r(ValueKind::Rate, Some("mean"), Some(0.4), &none),
            (0.0, 1.6)
        );
        assert_eq!(r(ValueKind::Rate, Some("sd"), Some(0.1), &none), (0.0, 0.4));
        assert_eq!(
            r(ValueKind::Date, Some("max"), Some(2026.5), &none),
            (2024.5, 2030.0)
        );
        assert_eq!(r(ValueKind::Rate, None, Some(-0.1), &none), (-0.4, 1.0));
        assert_eq!(
            subject(&split("city.Shenzhen.project[Qianhai].probability")),
            "Qianhai (Shenzhen)"
        );
        assert_eq!(subject(&split("city[Beijing].growth.mean")), "Beijing");
    }
}
