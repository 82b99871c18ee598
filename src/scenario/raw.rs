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
    #[serde(default, rename = "observed")]
    pub observed: Vec<Spanned<RawObservation>>,
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

/// One `[[city.observed]]`: a value reported after the scenario was written, for backtests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObservation {
    pub at: Spanned<toml::Value>,
    pub capacity: Spanned<f64>,
    pub source: Spanned<String>,
}

/// One `[[target]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub city: Spanned<String>,
    pub at: Spanned<toml::Value>,
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
            "shock" => field_names::<RawShock>(),
            _ => &[],
        };
        for field in fields {
            keys.push(format!("{top}.{field}"));
            let nested = match (*top, *field) {
                ("city", "project") => field_names::<RawProject>(),
                ("city", "observed") => field_names::<RawObservation>(),
                ("city", "growth_period") => field_names::<RawGrowthPeriod>(),
                ("city", "power") => field_names::<RawPower>(),
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
