//! The scenario file exactly as written: serde types that refuse unknown keys and keep spans.

use serde::Deserialize;
use toml::Spanned;

/// A whole scenario file (format v1, with the optional risk keys of docs/model.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub scenario: Spanned<RawMeta>,
    #[serde(default, rename = "city")]
    pub cities: Vec<Spanned<RawCity>>,
    #[serde(default, rename = "target")]
    pub targets: Vec<Spanned<RawTarget>>,
    pub correlation: Option<Spanned<RawCorrelation>>,
    #[serde(default, rename = "shock")]
    pub shocks: Vec<Spanned<RawShock>>,
}

/// The `[scenario]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: Option<Spanned<String>>,
    pub description: Option<String>,
    pub start: Spanned<toml::Value>,
    pub end: Spanned<toml::Value>,
    pub steps_per_year: Option<Spanned<i64>>,
    pub trials: Option<Spanned<i64>>,
    pub seed: Option<Spanned<u64>>,
}

/// One `[[city]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCity {
    pub name: Spanned<String>,
    pub baseline: Spanned<toml::Value>,
    pub growth: Spanned<toml::Value>,
    pub volatility: Option<Spanned<f64>>,
    pub growth_long_run: Option<Spanned<toml::Value>>,
    pub growth_half_life_years: Option<Spanned<f64>>,
    #[serde(default, rename = "growth_period")]
    pub growth_periods: Vec<Spanned<RawGrowthPeriod>>,
    pub power: Option<Spanned<RawPower>>,
    pub lifetime: Option<Spanned<toml::Value>>,
    pub utilisation: Option<Spanned<toml::Value>>,
    #[serde(default, rename = "project")]
    pub projects: Vec<Spanned<RawProject>>,
}

/// One `[[city.growth_period]]`: the growth rate in force from `from` on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrowthPeriod {
    pub from: Spanned<toml::Value>,
    pub growth: Spanned<toml::Value>,
}

/// `[city.power]`: the power available to a city and how much capacity a MW carries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPower {
    pub mw: Spanned<f64>,
    pub mw_growth: Option<Spanned<toml::Value>>,
    pub p_per_mw: Spanned<f64>,
    pub efficiency_growth: Option<Spanned<f64>>,
}

/// `[correlation]`: rank correlation of the cities' growth draws.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    pub growth: Option<Spanned<f64>>,
    pub matrix: Option<Spanned<Vec<Vec<f64>>>>,
}

/// One `[[shock]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    pub name: Spanned<String>,
    pub annual_probability: Option<Spanned<f64>>,
    pub at: Option<Spanned<toml::Value>>,
    pub cities: Option<Spanned<Vec<Spanned<String>>>>,
    pub growth_multiplier: Option<Spanned<f64>>,
    pub capacity_loss: Option<Spanned<f64>>,
    pub duration_years: Option<Spanned<f64>>,
}

/// One `[[city.project]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    pub name: Spanned<String>,
    pub capacity: Spanned<toml::Value>,
    pub online: Spanned<toml::Value>,
    pub probability: Option<Spanned<f64>>,
    pub ramp_years: Option<Spanned<toml::Value>>,
}

/// One `[[target]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub city: Spanned<String>,
    pub at: Spanned<toml::Value>,
    pub capacity: Spanned<f64>,
}
