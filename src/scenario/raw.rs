//! The scenario file exactly as written: serde types that refuse unknown keys and keep spans.

use serde::Deserialize;
use toml::Spanned;

/// A whole scenario file (format v1, with the optional risk keys of docs/model.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// The `[scenario]` table.
    pub scenario: Spanned<RawMeta>,
    /// The `[[city]]` tables, in file order.
    #[serde(default, rename = "city")]
    pub cities: Vec<Spanned<RawCity>>,
    /// The `[[target]]` tables, in file order.
    #[serde(default, rename = "target")]
    pub targets: Vec<Spanned<RawTarget>>,
    /// The `[correlation]` table, if any.
    pub correlation: Option<Spanned<RawCorrelation>>,
    /// The `[dynamics]` table, if any: the national growth factor and shared shocks.
    pub dynamics: Option<Spanned<RawDynamics>>,
    /// The `[[shock]]` tables, in file order.
    #[serde(default, rename = "shock")]
    pub shocks: Vec<Spanned<RawShock>>,
    /// Reports of any series (a city or `Total`), with `series` naming it.
    #[serde(default, rename = "observed")]
    pub observed: Vec<Spanned<RawObservation>>,
    /// Reporting bases: what a report on that basis measures relative to installed capacity.
    #[serde(default, rename = "basis")]
    pub bases: Vec<Spanned<RawBasis>>,
    /// Groups of places (hubs, provinces, regions): series summed within each trial.
    #[serde(default, rename = "group")]
    pub groups: Vec<Spanned<RawGroup>>,
    /// Pairs of series whose overtaking is counted.
    #[serde(default, rename = "rivalry")]
    pub rivalries: Vec<Spanned<RawRivalry>>,
}

/// One `[[group]]`: a named set of cities and other groups.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// The group's name, unique among cities and groups.
    pub name: Spanned<String>,
    /// Cities or other groups (no cycles); a city may be in several groups.
    pub members: Spanned<Vec<String>>,
    /// What the group is, in words.
    pub description: Option<String>,
}

/// One `[[rivalry]]`: two series whose overtaking is counted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRivalry {
    /// Two cities or groups.
    pub series: Spanned<Vec<String>>,
}

/// The `[scenario]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Scenario name (names the output folder).
    pub name: Option<Spanned<String>>,
    /// Free text describing the scenario.
    pub description: Option<String>,
    /// First grid time, decimal year.
    pub start: Spanned<toml::Value>,
    /// Last grid time, decimal year.
    pub end: Spanned<toml::Value>,
    /// Grid times per year.
    pub steps_per_year: Option<Spanned<i64>>,
    /// Number of trials.
    pub trials: Option<Spanned<i64>>,
    /// Random seed.
    pub seed: Option<Spanned<u64>>,
    /// Condition every table on the observations (`--condition` / `--no-condition` override).
    pub condition: Option<Spanned<bool>>,
}

/// One `[[city]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCity {
    /// City name.
    pub name: Spanned<String>,
    /// Name shown on charts (tornado); default: the name.
    pub label: Option<Spanned<String>>,
    /// Installed capacity at the start, P: a number or a distribution.
    pub baseline: Spanned<toml::Value>,
    /// Annual growth rate (0.3 = 30%): a number or a distribution.
    pub growth: Spanned<toml::Value>,
    /// Lumpiness of organic additions: annual sd of the log of their random factor.
    pub volatility: Option<Spanned<f64>>,
    /// Annual volatility of the city's Ornstein-Uhlenbeck deviation of log growth.
    pub growth_volatility: Option<Spanned<f64>>,
    /// Mean-reversion time (years) of the city's deviation of log growth.
    pub growth_reversion_years: Option<Spanned<f64>>,
    /// Long-run annual growth rate the drawn growth fades toward.
    pub growth_long_run: Option<Spanned<toml::Value>>,
    /// Years in which the log growth rate halves its distance to the long-run rate.
    pub growth_half_life_years: Option<Spanned<f64>>,
    /// Growth rates in force from given years on.
    #[serde(default, rename = "growth_period")]
    pub growth_periods: Vec<Spanned<RawGrowthPeriod>>,
    /// Power cap on installed capacity.
    pub power: Option<Spanned<RawPower>>,
    /// Years a unit of capacity lives: a number or a distribution.
    pub lifetime: Option<Spanned<toml::Value>>,
    /// Ceiling of organic capacity, P: a number or a distribution (logistic approach).
    pub ceiling: Option<Spanned<toml::Value>>,
    /// Share (0-1) of installed capacity in use: a number or a distribution.
    pub utilisation: Option<Spanned<toml::Value>>,
    /// Builds nobody announced: a compound Poisson process of lumps of capacity.
    pub unannounced: Option<Spanned<RawUnannounced>>,
    /// Announced projects that add capacity.
    #[serde(default, rename = "project")]
    pub projects: Vec<Spanned<RawProject>>,
    /// Values reported later, for backtests.
    #[serde(default, rename = "observed")]
    pub observed: Vec<Spanned<RawObservation>>,
}

/// One `[[city.growth_period]]`: the growth rate in force from `from` on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrowthPeriod {
    /// Decimal year from which `growth` applies.
    pub from: Spanned<toml::Value>,
    /// Annual growth rate in the period: a number or a distribution.
    pub growth: Spanned<toml::Value>,
}

/// `[city.power]`: the power available to a city and how much capacity a MW carries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPower {
    /// Power available at the start, MW.
    pub mw: Spanned<f64>,
    /// Annual growth of the power available: a number or a distribution.
    pub mw_growth: Option<Spanned<toml::Value>>,
    /// Capacity per MW at the start, P/MW.
    pub p_per_mw: Spanned<f64>,
    /// Annual improvement of P per MW (0.1 = 10%).
    pub efficiency_growth: Option<Spanned<f64>>,
}

/// `[city.unannounced]`: builds nobody announced, arriving as a Poisson process.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnannounced {
    /// Builds a year: a number or a distribution drawn once per trial.
    pub rate: Spanned<toml::Value>,
    /// Capacity of one build, P: a number or a distribution drawn per build.
    pub size: Spanned<toml::Value>,
    /// Years of linear ramp of each build from its arrival to full size.
    pub ramp_years: Option<Spanned<f64>>,
}

/// `[dynamics]`: the national Ornstein-Uhlenbeck factor of log growth and the shared share of
/// each city's per-step shock.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDynamics {
    /// Annual volatility of the national factor of log growth.
    pub national_volatility: Option<Spanned<f64>>,
    /// Mean-reversion time (years) of the national factor.
    pub national_reversion_years: Option<Spanned<f64>>,
    /// Degrees of freedom of Student-t innovations of the national factor (heavy tails).
    pub national_tails_df: Option<Spanned<f64>>,
    /// Share (0-1) of the variance of each city's per-step shock that all cities share.
    pub shared_shock: Option<Spanned<f64>>,
}

/// `[correlation]`: rank correlation of the cities' growth draws.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    /// One Spearman rank correlation for every pair of cities.
    pub growth: Option<Spanned<f64>>,
    /// The full rank correlation matrix, in city order.
    pub matrix: Option<Spanned<Vec<Vec<f64>>>>,
}

/// One `[[shock]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    /// Shock name.
    pub name: Spanned<String>,
    /// Name shown on charts (tornado); default: the name.
    pub label: Option<Spanned<String>>,
    /// Probability (0-1) that the shock starts within any one year.
    pub annual_probability: Option<Spanned<f64>>,
    /// Decimal year at which the shock surely starts.
    pub at: Option<Spanned<toml::Value>>,
    /// Names of the cities hit; all cities when left out.
    pub cities: Option<Spanned<Vec<Spanned<String>>>>,
    /// Factor on growth rates while the shock lasts (0 to 10).
    pub growth_multiplier: Option<Spanned<f64>>,
    /// Share (0-1) of organic capacity lost at once when the shock starts.
    pub capacity_loss: Option<Spanned<f64>>,
    /// How long the growth multiplier lasts, years.
    pub duration_years: Option<Spanned<f64>>,
}

/// One `[[city.project]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    /// Project name.
    pub name: Spanned<String>,
    /// Name shown on charts (tornado); default: the name without a trailing "(...)".
    pub label: Option<Spanned<String>>,
    /// Full capacity once ramped, P: a number or a distribution.
    pub capacity: Spanned<toml::Value>,
    /// Decimal year at which it starts to count: a number or a distribution.
    pub online: Spanned<toml::Value>,
    /// Chance (0-1) it is delivered at all.
    pub probability: Option<Spanned<f64>>,
    /// Years of linear ramp from online to full capacity: a number or a distribution.
    pub ramp_years: Option<Spanned<toml::Value>>,
    /// Delay after `online`, years: "reference" (the reference class of docs/sources.md) or a
    /// number or distribution.
    pub slip: Option<Spanned<toml::Value>>,
}

/// One `[[city.observed]]` or top-level `[[observed]]`: a reported value, what kind of
/// statement it is, on which basis, and when it became public.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObservation {
    /// The series reported (top-level `[[observed]]` only): a city or "Total".
    pub series: Option<Spanned<String>>,
    /// Reference date of the figure.
    pub at: Spanned<toml::Value>,
    /// Reported value, P (the lower end for `between`).
    pub capacity: Spanned<f64>,
    /// Upper end, P, for `kind = "between"`.
    pub upper: Option<Spanned<f64>>,
    /// "about" (default), "at_least", "at_most" or "between".
    pub kind: Option<Spanned<String>>,
    /// Standard deviation of ln(reported / true); default 0.10.
    pub error: Option<Spanned<f64>>,
    /// "normal" (default) or "heavy" (Student-t with 4 degrees of freedom on the log scale).
    pub tails: Option<Spanned<String>>,
    /// Name of a `[[basis]]`; default: the scenario's own (installed, P FP16).
    pub basis: Option<Spanned<String>>,
    /// When the figure became public; default `at`.
    pub published: Option<Spanned<toml::Value>>,
    /// Whether conditioning weights by this report (default true); false keeps it for the
    /// backtest and the calibration score only.
    pub condition: Option<Spanned<bool>>,
    /// Document and date.
    pub source: Spanned<String>,
}

/// One `[[basis]]`: a reporting basis and how it relates to installed capacity.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBasis {
    /// Name that observations give in `basis`.
    pub name: Spanned<String>,
    /// What the basis counts, in words.
    pub description: Option<String>,
    /// Value on this basis / installed value: a distribution drawn once per trial.
    pub factor: Spanned<toml::Value>,
    /// A report on this basis at t measures installed capacity at t + lag (years).
    pub lag_years: Option<Spanned<toml::Value>>,
}

/// One `[[target]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// City name or "Total".
    pub city: Spanned<String>,
    /// Decimal year by which to reach the capacity.
    pub at: Spanned<toml::Value>,
    /// Capacity to reach, P.
    pub capacity: Spanned<f64>,
}

/// Every key the parser accepts, as dotted paths ("scenario.start", "city.project.online"),
/// read from the serde types themselves so that documentation checks cannot drift from them.
/// A table of tables (e.g. `city`) appears as its own entry and as the prefix of its keys.
pub fn accepted_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for top in field_names::<RawFile>() {
        keys.push(top.to_string());
        let fields = match *top {
            "scenario" => field_names::<RawMeta>(),
            "city" => field_names::<RawCity>(),
            "target" => field_names::<RawTarget>(),
            "correlation" => field_names::<RawCorrelation>(),
            "dynamics" => field_names::<RawDynamics>(),
            "shock" => field_names::<RawShock>(),
            "observed" => field_names::<RawObservation>(),
            "basis" => field_names::<RawBasis>(),
            "group" => field_names::<RawGroup>(),
            "rivalry" => field_names::<RawRivalry>(),
            _ => &[],
        };
        for field in fields {
            keys.push(format!("{top}.{field}"));
            let nested = match (*top, *field) {
                ("city", "project") => field_names::<RawProject>(),
                ("city", "observed") => field_names::<RawObservation>(),
                ("city", "growth_period") => field_names::<RawGrowthPeriod>(),
                ("city", "power") => field_names::<RawPower>(),
                ("city", "unannounced") => field_names::<RawUnannounced>(),
                _ => &[],
            };
            keys.extend(nested.iter().map(|n| format!("{top}.{field}.{n}")));
        }
    }
    keys
}

/// The field names serde's derive gives a struct (after renames), asked of the type itself.
pub(crate) fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields = None;
    let _ = T::deserialize(FieldNameProbe(&mut fields));
    fields.unwrap_or(&[])
}

/// A deserializer that only records the field list a derived `Deserialize` asks for.
struct FieldNameProbe<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> serde::Deserializer<'de> for FieldNameProbe<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom(
            "field name probe reads structs only",
        ))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(serde::de::Error::custom("field names recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_keys_come_from_the_serde_types() {
        let keys = accepted_keys();
        for expected in [
            "scenario.start",
            "city.baseline",
            "city.project.ramp_years",
            "city.observed.source",
            "city.power.p_per_mw",
            "shock.duration_years",
            "correlation.matrix",
            "target.capacity",
        ] {
            assert!(
                keys.iter().any(|k| k == expected),
                "{expected} missing from {keys:?}"
            );
        }
    }
}
