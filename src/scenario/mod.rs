//! Scenario files: read, check every rule, and turn them into a validated [`Scenario`].
//!
//! Parsing is strict (unknown keys are errors); checking collects every problem of a file
//! before reporting, each with its line, column and key.

pub mod bounds;
pub mod diag;
pub mod dist;
pub mod grid;
pub mod overrides;
pub mod raw;
mod risks;
pub mod starter;
mod validate;

use crate::scenario::dist::Dist;
use crate::scenario::grid::Grid;
use crate::error::Error;
use diag::Diagnostics;
use sha2::{Digest, Sha256};
use std::path::Path;

pub use risks::MIN_LIFETIME_YEARS;
pub use validate::{MAX_TRIALS, MIN_TRIALS};

/// Default number of trials when neither the file nor the command line gives one.
pub const DEFAULT_TRIALS: u64 = 100_000;
/// Default seed: the date of the founding article.
pub const DEFAULT_SEED: u64 = 20_240_802;
/// Default grid resolution: quarters.
pub const DEFAULT_STEPS_PER_YEAR: u32 = 4;

/// A checked scenario, ready to compile into a model.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub grid: Grid,
    pub trials: u64,
    pub seed: u64,
    pub cities: Vec<City>,
    pub targets: Vec<Target>,
    /// Rank correlation of the cities' growth draws; None: independent.
    pub correlation: Option<Correlation>,
    pub shocks: Vec<Shock>,
}

#[derive(Debug, Clone)]
pub struct City {
    pub name: String,
    /// Installed capacity at the start, P.
    pub baseline: Dist,
    /// Annual growth rate of organic capacity, drawn once per trial.
    pub growth: Dist,
    /// Annual standard deviation of log-capacity shocks.
    pub volatility: f64,
    /// Fading of the drawn growth toward a long-run rate; None: growth stays as drawn.
    pub fading: Option<Fading>,
    /// Growth rates in force from given years on, in increasing order of `from`.
    pub growth_periods: Vec<GrowthPeriod>,
    /// Power cap on installed capacity; None: no cap.
    pub power: Option<Power>,
    /// Years a unit of capacity lives; None: nothing retires.
    pub lifetime: Option<Dist>,
    /// Share of installed capacity in use; None: used figures equal installed.
    pub utilisation: Option<Dist>,
    pub projects: Vec<Project>,
    /// Values reported later, checked against the projection (backtest.csv).
    pub observations: Vec<Observation>,
}

/// The growth rate fades from its draw g0 toward a long-run rate: the log rate ln(1 + g)
/// halves its distance to ln(1 + long_run) every `half_life_years`.
#[derive(Debug, Clone)]
pub struct Fading {
    pub long_run: Dist,
    pub half_life_years: f64,
}

#[derive(Debug, Clone)]
pub struct GrowthPeriod {
    /// Decimal year from which `growth` replaces the rate before it.
    pub from: f64,
    /// Annual growth rate in the period, drawn once per trial.
    pub growth: Dist,
}

/// cap(t) = mw (1 + mw_growth)^(t - start) * p_per_mw (1 + efficiency_growth)^(t - start), P.
#[derive(Debug, Clone)]
pub struct Power {
    /// Power available at the start, MW.
    pub mw: f64,
    /// Annual growth of the power available, drawn once per trial.
    pub mw_growth: Dist,
    /// Capacity per MW at the start, P/MW.
    pub p_per_mw: f64,
    /// Annual improvement of P per MW.
    pub efficiency_growth: f64,
}

/// A Gaussian copula on the cities' growth draws.
#[derive(Debug, Clone)]
pub struct Correlation {
    /// Spearman rank correlations as written (or expanded from one number), city order.
    pub rank: Vec<Vec<f64>>,
    /// Lower-triangular factor L of the normals' Pearson matrix 2 sin(pi r / 6): L L^T.
    pub factor: Vec<Vec<f64>>,
}

/// When a shock starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShockTiming {
    /// Starts within any year with this probability (independently each grid step).
    Annual(f64),
    /// Starts surely at this decimal year.
    At(f64),
}

/// An event shared, within a trial, by every city it hits.
#[derive(Debug, Clone)]
pub struct Shock {
    pub name: String,
    pub timing: ShockTiming,
    /// Indices of the cities hit.
    pub cities: Vec<usize>,
    /// Growth rates are multiplied by this while the shock lasts.
    pub growth_multiplier: f64,
    /// Share of organic capacity lost at once when it starts.
    pub capacity_loss: f64,
    pub duration_years: f64,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    /// Full capacity once ramped, P.
    pub capacity: Dist,
    /// Decimal year at which it starts to count.
    pub online: Dist,
    /// Chance it is delivered at all.
    pub probability: f64,
    /// Years of linear ramp from online to full capacity.
    pub ramp_years: Dist,
}

/// Which series a target or a table row refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    City(usize),
    Total,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub series: Series,
    /// The city's name or "Total".
    pub label: String,
    /// Decimal year as written.
    pub at: f64,
    /// Capacity to reach, P.
    pub capacity: f64,
    /// Index of the first grid time >= `at`.
    pub grid_index: usize,
}

/// A value that was reported for a city, to be placed in the projected distribution.
#[derive(Debug, Clone)]
pub struct Observation {
    /// Decimal year as written.
    pub at: f64,
    /// Reported capacity, P.
    pub capacity: f64,
    /// Where it was reported (document and date).
    pub source: String,
    /// Index of the first grid time >= `at`.
    pub grid_index: usize,
}

/// A scenario with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub path: String,
    /// SHA-256 of the file's bytes, hex.
    pub content_hash: String,
    /// The file's text as read (before any override).
    pub text: String,
    /// `--set` overrides applied on top of the file, in order.
    pub overrides: Vec<overrides::Override>,
}

impl Scenario {
    /// Name of series `s`: a city's name or "Total".
    pub fn series_name(&self, s: Series) -> &str {
        match s {
            Series::City(i) => &self.cities[i].name,
            Series::Total => "Total",
        }
    }

    /// Every series in table order: the cities, then Total.
    pub fn series(&self) -> Vec<Series> {
        (0..self.cities.len())
            .map(Series::City)
            .chain(std::iter::once(Series::Total))
            .collect()
    }
}

/// Reads and checks a scenario file.
pub fn load(path: &Path) -> Result<LoadedScenario, Error> {
    load_with_overrides(path, &[])
}

/// Reads a scenario file, applies `--set` overrides to its document, and checks the result.
pub fn load_with_overrides(
    path: &Path,
    overrides: &[overrides::Override],
) -> Result<LoadedScenario, Error> {
    let label = path.display().to_string();
    if path.is_dir() {
        return Err(Error::whole_file(
            &label,
            "is a directory; give a scenario file such as scenarios/base.toml",
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::whole_file(&label, format!("cannot be read: {e}")))?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| {
        let (line, col) = diag::line_column(
            &String::from_utf8_lossy(&bytes),
            e.utf8_error().valid_up_to(),
        );
        Error::whole_file(
            &label,
            format!(
                "is not UTF-8 text (invalid byte at line {line}, column {col}); \
                 save it as UTF-8"
            ),
        )
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    let scenario = parse_with_overrides(&text, &label, &stem, overrides)?;
    Ok(LoadedScenario {
        scenario,
        path: label,
        content_hash: hex_sha256(text.as_bytes()),
        text,
        overrides: overrides.to_vec(),
    })
}

/// Parses and checks scenario text after applying `overrides` to its TOML document. With
/// overrides, problems are placed in the changed document (re-rendered as TOML), and the file
/// is named with the overrides so that line numbers are not mistaken for the file's own.
pub fn parse_with_overrides(
    text: &str,
    file: &str,
    default_name: &str,
    overrides: &[overrides::Override],
) -> Result<Scenario, Error> {
    if overrides.is_empty() {
        return parse_str(text, file, default_name);
    }
    // A file that does not parse is reported against its own text first.
    if text.parse::<toml::Table>().is_err() {
        return parse_str(text, file, default_name);
    }
    let changed =
        overrides::apply(text, overrides).map_err(|e| Error::whole_file(file, e.to_string()))?;
    let list: Vec<String> = overrides.iter().map(|o| o.to_string()).collect();
    let label = format!(
        "{file} (with --set {}; lines of the changed document)",
        list.join(", ")
    );
    parse_str(&changed, &label, default_name)
}

/// Parses and checks scenario text; `file` names it in messages, `default_name` is used when
/// `[scenario] name` is absent.
pub fn parse_str(text: &str, file: &str, default_name: &str) -> Result<Scenario, Error> {
    let raw: raw::RawFile = toml::from_str(text).map_err(|e| {
        let mut diags = Diagnostics::default();
        let key = e.span().map(|s| key_at(text, s.start)).unwrap_or_default();
        diags.push(e.span(), &key, e.message().trim().to_string());
        crate::scenario::diag::into_error(file, text, diags)
    })?;
    let mut diags = Diagnostics::default();
    let scenario = validate::validate(raw, default_name, &mut diags);
    match scenario {
        Some(s) if diags.is_empty() => Ok(s),
        _ => Err(crate::scenario::diag::into_error(file, text, diags)),
    }
}

/// Best guess at the dotted key written at byte `offset`: the enclosing table header plus
/// the key on that line, e.g. "city.growth".
fn key_at(text: &str, offset: usize) -> String {
    let (line_no, _) = diag::line_column(text, offset);
    let lines: Vec<&str> = text.lines().collect();
    let Some(line) = lines.get(line_no.saturating_sub(1)) else {
        return String::new();
    };
    let header = lines[..line_no.saturating_sub(1)]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let trimmed = line.trim();
    if trimmed.starts_with('[') {
        return trimmed
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_string();
    }
    let key = trimmed.split('=').next().unwrap_or("").trim();
    match (header, key.is_empty() || !trimmed.contains('=')) {
        (Some(h), false) => format!("{h}.{key}"),
        (None, false) => key.to_string(),
        (Some(h), true) => h,
        (None, true) => String::new(),
    }
}

/// Lowercase hex SHA-256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a `--trials` value given on the command line.
pub fn validate_trials_override(trials: u64, diags: &mut Diagnostics) -> Option<u64> {
    validate::check_trials(i64::try_from(trials).unwrap_or(i64::MAX), None, diags).or_else(|| {
        if let Some(d) = diags.items.last_mut() {
            d.key = "--trials".to_string();
        }
        None
    })
}
