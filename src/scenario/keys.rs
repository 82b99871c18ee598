//! Every unknown key, wrong value type and missing key of a file in one pass. Serde stops at
//! the first problem of a document; here each key of each table is deserialised on its own
//! (into the same [`raw`](super::raw) types, keeping the spans of the file), so a file with
//! eight such problems gets eight messages from one run.

use super::diag::Diagnostics;
use super::raw::{
    RawCity, RawCorrelation, RawDynamics, RawFile, RawGrowthPeriod, RawMeta, RawObservation,
    RawPower, RawProject, RawShock, RawTarget,
};
use serde::de::DeserializeOwned;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer};

/// Checks one table's keys against a raw type; `label` names the table in messages.
type Checker = fn(&Spanned<DeTable<'_>>, &str, &mut Diagnostics);

/// Records every key, type and missing-key problem of `text` (which must parse as TOML) in
/// `diags`; returns false when the text is not TOML at all (nothing recorded).
pub fn check(text: &str, diags: &mut Diagnostics) -> bool {
    let Ok(root) = DeTable::parse(text) else {
        return false;
    };
    let before = diags.items.len();
    check_table::<RawFile>(&root, "", diags);
    diags.items[before..].sort_by_key(|d| d.span.as_ref().map(|s| s.start));
    true
}

/// The raw type of the table at a schema path ("city.project"), if it is a table of ours.
fn checker(path: &str) -> Option<Checker> {
    Some(match path {
        "scenario" => check_table::<RawMeta>,
        "city" => check_table::<RawCity>,
        "target" => check_table::<RawTarget>,
        "correlation" => check_table::<RawCorrelation>,
        "dynamics" => check_table::<RawDynamics>,
        "shock" => check_table::<RawShock>,
        "city.project" => check_table::<RawProject>,
        "city.observed" => check_table::<RawObservation>,
        "city.growth_period" => check_table::<RawGrowthPeriod>,
        "city.power" => check_table::<RawPower>,
        _ => return None,
    })
}

/// Checks each key of `table` on its own as a `T`, recursing into the tables of ours; then
/// the table as a whole, for keys it needs and lacks.
fn check_table<T: DeserializeOwned>(
    table: &Spanned<DeTable<'_>>,
    label: &str,
    diags: &mut Diagnostics,
) {
    let schema = schema_path(label);
    for (key, value) in table.get_ref().iter() {
        let name = key.get_ref().as_ref();
        let child_schema = join(&schema, name);
        let child_label = join(label, name);
        match checker(&child_schema) {
            Some(check) => check_children(check, value, &child_label, diags),
            None => {
                let mut single = DeTable::new();
                single.insert(key.clone(), value.clone());
                let single = Spanned::new(table.span(), single);
                if let Err(e) = T::deserialize(Deserializer::from(single))
                    && !e.message().starts_with("missing field")
                {
                    let span = e.span().unwrap_or_else(|| key.span());
                    push(diags, span, &child_label, e.message());
                }
            }
        }
    }
    missing_keys::<T>(table, label, diags);
}

/// Reports each key `table` lacks (serde names one at a time: each is filled with a stand-in
/// value of some type and the table tried again). Keys with problems of their own and the
/// tables of ours are left out; a message naming a key that is present is not a missing key.
fn missing_keys<T: DeserializeOwned>(
    table: &Spanned<DeTable<'_>>,
    label: &str,
    diags: &mut Diagnostics,
) {
    let schema = schema_path(label);
    let mut trial = DeTable::new();
    for (key, value) in table.get_ref().iter() {
        let name = key.get_ref().as_ref();
        let mut single = DeTable::new();
        single.insert(key.clone(), value.clone());
        let ok = match T::deserialize(Deserializer::from(Spanned::new(table.span(), single))) {
            Ok(_) => true,
            Err(e) => e.message().starts_with("missing field"),
        };
        if ok && checker(&join(&schema, name)).is_none() {
            trial.insert(key.clone(), value.clone());
        }
    }
    let stand_ins = DeTable::parse("a = 0\nb = \"\"\nc = {}\nd = []\n")
        .map(|t| {
            t.into_inner()
                .into_iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let at = table.span().start..table.span().start;
    for _ in 0..32 {
        let Err(e) = T::deserialize(Deserializer::from(Spanned::new(
            table.span(),
            trial.clone(),
        ))) else {
            return;
        };
        let Some(field) = e
            .message()
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        else {
            return;
        };
        let field = field.to_string();
        if !table
            .get_ref()
            .iter()
            .any(|(k, _)| k.get_ref().as_ref() == field)
        {
            push(diags, at.clone(), label, e.message());
        }
        // The first stand-in the type accepts, so that serde names the next missing key.
        let key = Spanned::new(at.clone(), std::borrow::Cow::Owned(field.clone()));
        let fits = stand_ins.iter().find(|v| {
            let mut one = DeTable::new();
            one.insert(key.clone(), (*v).clone());
            match T::deserialize(Deserializer::from(Spanned::new(at.clone(), one))) {
                Ok(_) => true,
                // Another key of this table is missing, not one inside the stand-in.
                Err(e) => super::raw::field_names::<T>()
                    .iter()
                    .any(|f| *f != field && e.message() == format!("missing field `{f}`")),
            }
        });
        match fits {
            Some(v) => trial.insert(key, v.clone()),
            None => return,
        };
    }
}

/// A table or an array of tables under a key of ours: each table is checked by `check`.
fn check_children(
    check: Checker,
    value: &Spanned<DeValue<'_>>,
    label: &str,
    diags: &mut Diagnostics,
) {
    match value.get_ref() {
        DeValue::Table(t) => check(&Spanned::new(value.span(), t.clone()), label, diags),
        DeValue::Array(items)
            if items
                .iter()
                .all(|i| matches!(i.get_ref(), DeValue::Table(_))) =>
        {
            for (i, item) in items.iter().enumerate() {
                if let DeValue::Table(t) = item.get_ref() {
                    let label = format!("{label}[{}]", element_name(t, i));
                    check(&Spanned::new(item.span(), t.clone()), &label, diags);
                }
            }
        }
        _ => push(diags, value.span(), label, "must be a table (or tables)"),
    }
}

/// How an element of an array of tables is named in messages: its `name`, else its index.
fn element_name(table: &DeTable<'_>, index: usize) -> String {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "name")
        .and_then(|(_, v)| match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| index.to_string())
}

/// "city[A].project[P]" -> "city.project": the label without the element names.
fn schema_path(label: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in label.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn join(prefix: &str, name: &str) -> String {
    match prefix {
        "" => name.to_string(),
        _ => format!("{prefix}.{name}"),
    }
}

fn push(diags: &mut Diagnostics, span: Range<usize>, key: &str, message: &str) {
    diags.push(Some(span), key, message.trim().to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unknown_key_and_wrong_type_is_found_in_one_pass() {
        let text = "[scenario]\nstart = 2024.0\nend = 2026.0\ntrials = \"many\"\nsed = 1\n\
                    [[city]]\nname = \"A\"\nbasline = 1\ngrowth = 0.1\nvolatility = \"high\"\n\
                    [[city.project]]\nname = \"P\"\ncapacity = 1\nonline = 2025.0\nprob = 1\n";
        let mut diags = Diagnostics::default();
        assert!(check(text, &mut diags));
        let keys: Vec<&str> = diags.items.iter().map(|d| d.key.as_str()).collect();
        for key in [
            "scenario.trials",
            "scenario.sed",
            "city[A].basline",
            "city[A].volatility",
            "city[A].project[P].prob",
            "city[A]",
        ] {
            assert!(keys.contains(&key), "{key} not in {keys:?}");
        }
    }
}
