//! The scenario file exactly as written: serde types that refuse unknown keys and keep spans.

use serde::Deserialize;
use toml::Spanned;

/// A whole scenario file (format v1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub scenario: Spanned<RawMeta>,
    #[serde(default, rename = "city")]
    pub cities: Vec<Spanned<RawCity>>,
    #[serde(default, rename = "target")]
    pub targets: Vec<Spanned<RawTarget>>,
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
    #[serde(default, rename = "project")]
    pub projects: Vec<Spanned<RawProject>>,
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
