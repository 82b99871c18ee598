//! The rules a scenario must follow, checked all at once so that every problem is reported.

use super::diag::Diagnostics;
use super::fields::{
    EARLIEST_YEAR, LATEST_YEAR, bounded, capacity, dist, growth, horizon_index, non_negative, year,
};
use super::raw::{RawCity, RawFile, RawMeta, RawProject, RawTarget};
use super::types::{
    City, DEFAULT_SEED, DEFAULT_STEPS_PER_YEAR, DEFAULT_TRIALS, Project, Scenario, Target,
};
use super::{bounds, dynamics, groups, lumpy, observations, risks};
use crate::scenario::dist::Dist;
use crate::scenario::grid::Grid;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;

/// Fewer trials cannot resolve the 5th and 95th percentiles.
pub const MIN_TRIALS: u64 = 100;
/// Ten billion trials: beyond this a run takes days on one machine.
pub const MAX_TRIALS: u64 = 10_000_000_000;
const MAX_VOLATILITY: f64 = 5.0;
const MAX_STEPS_PER_YEAR: i64 = 366;

pub(super) fn validate(
    raw: RawFile,
    default_name: &str,
    diags: &mut Diagnostics,
) -> Option<Scenario> {
    let meta = validate_meta(raw.scenario.get_ref(), default_name, diags);
    let cities = validate_cities(&raw.cities, diags);
    let city_names: Vec<&str> = raw
        .cities
        .iter()
        .map(|c| c.get_ref().name.get_ref().as_str())
        .collect();
    let names = groups::SeriesNames::new(&raw.cities, &raw.groups);
    let group_list = groups::groups(&raw.groups, &names, diags);
    let rivalries = groups::rivalries(&raw.rivalries, &names, &cities, diags);
    let bases = observations::bases(&raw.bases, diags);
    let grid = meta.as_ref().map(|m| &m.grid);
    let observations = observations::observations(
        &raw.cities,
        &raw.observed,
        (&bases, &raw.bases),
        &names,
        grid,
        diags,
    );
    let meta = meta?;
    let correlation = raw
        .correlation
        .as_ref()
        .and_then(|c| risks::correlation(c, &city_names, diags));
    let shocks = risks::shocks(&raw.shocks, &city_names, &meta.grid, diags);
    let dynamics = dynamics::dynamics(raw.dynamics.as_ref(), diags);

    let targets: Vec<Target> = raw
        .targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| validate_target(i, t, &names, &meta.grid, diags))
        .collect();
    let dynamics = dynamics.filter(|_| diags.is_empty())?;
    let scenario = Scenario {
        name: meta.name,
        description: meta.description,
        grid: meta.grid,
        trials: meta.trials,
        seed: meta.seed,
        cities,
        targets,
        correlation,
        shocks,
        dynamics,
        observations,
        bases,
        condition: meta.condition,
        groups: group_list,
        rivalries,
    };
    let m = raw.scenario.get_ref();
    let steps_key = match &m.steps_per_year {
        Some(s) => ("scenario.steps_per_year", Some(s.span())),
        None => ("scenario.end", Some(m.end.span())),
    };
    bounds::check(&scenario, &raw.cities, steps_key, diags);
    diags.is_empty().then_some(scenario)
}

struct Meta {
    condition: bool,
    name: String,
    description: String,
    grid: Grid,
    trials: u64,
    seed: u64,
}

fn validate_meta(m: &RawMeta, default_name: &str, diags: &mut Diagnostics) -> Option<Meta> {
    let name = match &m.name {
        Some(n) if !valid_folder_name(n.get_ref()) => {
            diags.push(
                Some(n.span()),
                "scenario.name",
                format!(
                    "must be non-empty, at most {MAX_NAME_CHARS} characters and use only \
                     letters, digits, '-', '_' and '.' (it names the output folder)"
                ),
            );
            String::new()
        }
        Some(n) => n.get_ref().clone(),
        None if !valid_folder_name(default_name) => {
            diags.push(
                None,
                "scenario.name",
                format!(
                    "the file name gives the scenario the name \"{}\", which cannot name the \
                     output folder: rename the file or set `name` in [scenario] (letters, \
                     digits, '-', '_' and '.', at most {MAX_NAME_CHARS} characters)",
                    default_name.escape_debug()
                ),
            );
            String::new()
        }
        None => default_name.to_string(),
    };
    let start = year(&m.start, "scenario.start", diags);
    let end = year(&m.end, "scenario.end", diags);
    let steps_per_year = match &m.steps_per_year {
        Some(s) if !(1..=MAX_STEPS_PER_YEAR).contains(s.get_ref()) => {
            diags.push(
                Some(s.span()),
                "scenario.steps_per_year",
                format!(
                    "must be between 1 and {MAX_STEPS_PER_YEAR}, got {}",
                    s.get_ref()
                ),
            );
            None
        }
        Some(s) => Some(*s.get_ref() as u32),
        None => Some(DEFAULT_STEPS_PER_YEAR),
    };
    let trials = match &m.trials {
        Some(t) => check_trials(*t.get_ref(), Some(t.span()), diags),
        None => Some(DEFAULT_TRIALS),
    };
    let grid = build_grid(start?, end?, steps_per_year?, &m.end, diags)?;
    Some(Meta {
        condition: m.condition.as_ref().is_some_and(|c| *c.get_ref()),
        name,
        description: m.description.clone().unwrap_or_default(),
        grid,
        trials: trials?,
        seed: m
            .seed
            .as_ref()
            .map(|s| *s.get_ref())
            .unwrap_or(DEFAULT_SEED),
    })
}

/// The longest scenario name (it names a folder; file systems allow 255 bytes).
pub const MAX_NAME_CHARS: usize = 64;

/// The rules of `scenario.name`, applied to a name from the file's stem as well.
fn valid_folder_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name.chars().any(|c| c != '.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Checks a trial count from the file (with its span) or the command line (no span).
pub fn check_trials(
    trials: i64,
    span: Option<Range<usize>>,
    diags: &mut Diagnostics,
) -> Option<u64> {
    if trials < MIN_TRIALS as i64 || trials as u64 > MAX_TRIALS {
        diags.push(
            span,
            "scenario.trials",
            format!("must be between {MIN_TRIALS} and {MAX_TRIALS}, got {trials}"),
        );
        return None;
    }
    Some(trials as u64)
}

fn build_grid(
    start: f64,
    end: f64,
    steps_per_year: u32,
    end_raw: &Spanned<toml::Value>,
    diags: &mut Diagnostics,
) -> Option<Grid> {
    if end <= start {
        diags.push(
            Some(end_raw.span()),
            "scenario.end",
            format!("must be after start ({start}), got {end}"),
        );
        return None;
    }
    let steps = (end - start) * f64::from(steps_per_year);
    if (steps - steps.round()).abs() > 1e-6 {
        diags.push(
            Some(end_raw.span()),
            "scenario.end",
            format!(
                "(end - start) * steps_per_year must be a whole number of steps; \
                 got ({end} - {start}) * {steps_per_year} = {steps:.4}"
            ),
        );
        return None;
    }
    Some(Grid {
        start,
        steps_per_year,
        steps: steps.round() as usize,
    })
}

/// Checks every city; `grid` is None when `[scenario]` itself is invalid (the file is rejected
/// then, and observations are checked for everything but the horizon).
fn validate_cities(raw: &[Spanned<RawCity>], diags: &mut Diagnostics) -> Vec<City> {
    if raw.is_empty() {
        diags.push(None, "city", "the scenario needs at least one [[city]]");
    }
    let mut seen = HashSet::new();
    raw.iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let name = c.get_ref().name.get_ref();
            let key = format!(
                "city[{}]",
                if name.is_empty() {
                    i.to_string()
                } else {
                    name.clone()
                }
            );
            if name.trim().is_empty() || name == "Total" {
                diags.push(
                    Some(c.get_ref().name.span()),
                    &format!("{key}.name"),
                    "must be a non-empty name other than \"Total\" (reserved for the sum)",
                );
            } else if !seen.insert(name.clone()) {
                diags.push(
                    Some(c.get_ref().name.span()),
                    &format!("{key}.name"),
                    format!("duplicate city name \"{name}\"; each city needs its own name"),
                );
            }
            validate_city(c.get_ref(), &key, diags)
        })
        .collect()
}

fn validate_city(c: &RawCity, key: &str, diags: &mut Diagnostics) -> Option<City> {
    let baseline = capacity(&c.baseline, &format!("{key}.baseline"), diags);
    let growth = growth(&c.growth, &format!("{key}.growth"), diags);
    let volatility = match &c.volatility {
        Some(v) => bounded(v, &format!("{key}.volatility"), 0.0, MAX_VOLATILITY, diags),
        None => Some(0.0),
    };
    let risks = risks::city_risks(c, key, diags);
    let (growth_volatility, growth_reversion_years) =
        dynamics::city_dynamics(c, key, volatility, diags);
    let mut names = HashSet::new();
    let projects: Vec<Option<Project>> = c
        .projects
        .iter()
        .map(|p| {
            let pname = p.get_ref().name.get_ref();
            let pkey = format!("{key}.project[{pname}]");
            if pname.trim().is_empty() || !names.insert(pname.clone()) {
                diags.push(
                    Some(p.get_ref().name.span()),
                    &format!("{pkey}.name"),
                    "must be a non-empty name, unique within its city",
                );
            }
            validate_project(p.get_ref(), &pkey, diags)
        })
        .collect();
    let unannounced =
        lumpy::unannounced(c.unannounced.as_ref(), &format!("{key}.unannounced"), diags);
    let label = super::fields::label(c.label.as_ref(), &format!("{key}.label"), diags);
    Some(City {
        name: c.name.get_ref().clone(),
        label: label?,
        baseline: baseline?,
        growth: growth?,
        volatility: volatility?,
        growth_volatility: growth_volatility?,
        growth_reversion_years: growth_reversion_years?,
        fading: risks.fading?,
        growth_periods: risks.growth_periods?,
        power: risks.power?,
        lifetime: risks.lifetime?,
        ceiling: risks.ceiling?,
        utilisation: risks.utilisation?,
        projects: projects.into_iter().collect::<Option<Vec<_>>>()?,
        unannounced: unannounced?,
    })
}

fn validate_project(p: &RawProject, key: &str, diags: &mut Diagnostics) -> Option<Project> {
    let capacity = capacity(&p.capacity, &format!("{key}.capacity"), diags);
    let online = dist(&p.online, &format!("{key}.online"), diags).and_then(|d| {
        let (lo, hi) = d.support();
        let tail_ok = d.prob_below(EARLIEST_YEAR) < 1e-9 && d.prob_below(LATEST_YEAR) > 1.0 - 1e-9;
        if (lo.is_finite() && lo < EARLIEST_YEAR)
            || (hi.is_finite() && hi > LATEST_YEAR)
            || !tail_ok
        {
            diags.push(
                Some(p.online.span()),
                &format!("{key}.online"),
                format!("must be a decimal year between {EARLIEST_YEAR} and {LATEST_YEAR}"),
            );
            return None;
        }
        Some(d)
    });
    let probability = match &p.probability {
        Some(v) => bounded(v, &format!("{key}.probability"), 0.0, 1.0, diags),
        None => Some(1.0),
    };
    let ramp_years = match &p.ramp_years {
        Some(v) => non_negative(v, &format!("{key}.ramp_years"), diags),
        None => Some(Dist::Fixed(0.0)),
    };
    let slip = lumpy::slip(p, &format!("{key}.slip"), diags);
    let label = super::fields::label(p.label.as_ref(), &format!("{key}.label"), diags);
    Some(Project {
        name: p.name.get_ref().clone(),
        label: label?,
        capacity: capacity?,
        online: online?,
        probability: probability?,
        ramp_years: ramp_years?,
        slip: slip?,
    })
}

fn validate_target(
    index: usize,
    t: &Spanned<RawTarget>,
    names: &groups::SeriesNames,
    grid: &Grid,
    diags: &mut Diagnostics,
) -> Option<Target> {
    let t_ref = t.get_ref();
    let label = t_ref.city.get_ref().clone();
    let key = format!("target[{index}]");
    let series = names.resolve(&label);
    if series.is_none() {
        diags.push(
            Some(t_ref.city.span()),
            &format!("{key}.city"),
            format!(
                "no city or group named \"{label}\"; valid: {}",
                names.valid()
            ),
        );
    }
    let at = year(&t_ref.at, &format!("{key}.at"), diags);
    let grid_index =
        at.and_then(|at| horizon_index(at, &t_ref.at, &format!("{key}.at"), grid, diags));
    let capacity = bounded(
        &t_ref.capacity,
        &format!("{key}.capacity"),
        0.0,
        f64::MAX,
        diags,
    );
    Some(Target {
        series: series?,
        label,
        at: at?,
        capacity: capacity?,
        grid_index: grid_index?,
    })
}
