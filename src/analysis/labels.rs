//! Plain-words names of the sampled inputs for charts: "Qianhai phase one: delivered?",
//! "Beijing growth", "Beijing realised shocks", from the scenario's `label` keys or defaults.

use crate::scenario::{City, Project, Scenario};

/// A city's name on charts: its `label`, else its name.
pub fn city_label(city: &City) -> &str {
    city.label.as_deref().unwrap_or(&city.name)
}

/// A project's name on charts: its `label`, else its name without a trailing "(...)" (the
/// operator or a note): "Qianhai phase one (Boda Data)" -> "Qianhai phase one".
pub fn project_label(project: &Project) -> String {
    if let Some(label) = &project.label {
        return label.clone();
    }
    let name = project.name.trim();
    match name.rfind(" (") {
        Some(i) if name.ends_with(')') && i > 0 => name[..i].trim_end().to_string(),
        _ => name.to_string(),
    }
}

/// Every sampled input's internal name (as in sensitivity.csv's `input`) with its label.
fn labelled(scenario: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in &scenario.cities {
        let (n, l) = (&c.name, city_label(c));
        out.push((
            format!("{n}.baseline"),
            format!("{l} capacity at the start"),
        ));
        out.push((format!("{n}.growth"), format!("{l} growth")));
        out.push((
            format!("{n}.growth_long_run"),
            format!("{l} long-run growth"),
        ));
        for (i, p) in c.growth_periods.iter().enumerate() {
            let from = crate::units::format_year(p.from);
            out.push((
                format!("{n}.growth_period[{i}].growth"),
                format!("{l} growth from {from}"),
            ));
        }
        out.push((format!("{n}.lifetime"), format!("{l} equipment lifetime")));
        out.push((format!("{n}.ceiling"), format!("{l} ceiling")));
        out.push((format!("{n}.power.mw_growth"), format!("{l} power growth")));
        out.push((format!("{n}.volatility"), format!("{l} realised shocks")));
        for p in &c.projects {
            let (pn, pl) = (&p.name, project_label(p));
            for (key, what) in [
                ("probability", "delivered?"),
                ("capacity", "capacity"),
                ("online", "online date"),
                ("ramp_years", "ramp-up time"),
                ("slip_years", "slip"),
            ] {
                out.push((format!("{n}.project[{pn}].{key}"), format!("{pl}: {what}")));
            }
        }
        out.push((
            format!("{n}.unannounced.rate"),
            format!("{l} unannounced builds a year"),
        ));
        out.push((
            format!("{n}.unannounced.built"),
            format!("{l} unannounced builds so far"),
        ));
    }
    for s in &scenario.shocks {
        let l = s.label.as_deref().unwrap_or(&s.name);
        out.push((
            format!("shock[{}]", s.name),
            format!("{l}: when it strikes"),
        ));
    }
    for b in &scenario.bases {
        let n = &b.name;
        out.push((
            format!("basis[{n}].factor"),
            format!("Basis \"{n}\": factor"),
        ));
        out.push((
            format!("basis[{n}].lag_years"),
            format!("Basis \"{n}\": lag"),
        ));
    }
    out
}

/// The label of each of `inputs` (internal names), the name itself when unknown.
pub fn input_labels(scenario: &Scenario, inputs: &[String]) -> Vec<String> {
    let table = labelled(scenario);
    inputs
        .iter()
        .map(|name| {
            table
                .iter()
                .find(|(n, _)| n == name)
                .map_or_else(|| name.clone(), |(_, l)| l.clone())
        })
        .collect()
}
