//! `--set PATH=VALUE`: change one key of a scenario for one run without editing the file.
//!
//! A path names a key the way the file nests it, with cities and projects addressed by name:
//! `scenario.trials`, `city.Beijing.growth.mean`, `city.Shenzhen.project[Qianhai phase one].probability`,
//! `target[0].capacity`. A name in brackets may contain dots and spaces; an array element is
//! found by its exact `name`, else by a unique prefix of it, else by its index. Overrides are
//! applied to the parsed TOML document, which is then checked by the usual strict parser, so
//! every rule still holds. An unknown path is an error listing what exists at that level.

use crate::error::{Error, Result};

use super::raw::accepted_keys;
use crate::scenario::dist::KINDS;
use std::fmt;

/// One `--set` as typed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Override {
    /// Dotted key path, e.g. `city.Beijing.growth.mean`.
    pub path: String,
    /// The new value, as TOML text.
    pub value: String,
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

impl Override {
    /// Parses "PATH=VALUE" (the first '=' outside brackets splits them).
    pub fn parse(text: &str) -> Result<Override> {
        let mut depth = 0usize;
        for (i, ch) in text.char_indices() {
            match ch {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                '=' if depth == 0 => {
                    let (path, value) = (text[..i].trim(), text[i + 1..].trim());
                    if path.is_empty() || value.is_empty() {
                        break;
                    }
                    return Ok(Override {
                        path: path.to_string(),
                        value: value.to_string(),
                    });
                }
                _ => {}
            }
        }
        Err(Error::Invalid(format!(
            "--set needs PATH=VALUE, e.g. city.Beijing.growth.mean=0.35; got '{text}'"
        )))
    }
}

/// One step of a path: a key, or a name written in brackets.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Bracket(String),
}

impl Segment {
    fn text(&self) -> &str {
        match self {
            Segment::Key(s) | Segment::Bracket(s) => s,
        }
    }
}

fn split_path(path: &str) -> Result<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut key = String::new();
    let mut chars = path.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '.' => {
                if !key.is_empty() {
                    segments.push(Segment::Key(std::mem::take(&mut key)));
                }
            }
            '[' => {
                if !key.is_empty() {
                    segments.push(Segment::Key(std::mem::take(&mut key)));
                }
                let name: String = chars.by_ref().take_while(|c| *c != ']').collect();
                segments.push(Segment::Bracket(name));
            }
            c => key.push(c),
        }
    }
    if !key.is_empty() {
        segments.push(Segment::Key(key));
    }
    if segments.is_empty() {
        return Err(Error::Invalid("--set: empty path".to_string()));
    }
    Ok(segments)
}

/// Parses VALUE as a TOML value (number, boolean, quoted string, date, inline table or array);
/// anything else is taken as a bare string, so `scenario.name=quick` works.
fn parse_value(value: &str) -> toml::Value {
    let doc = format!("v = {value}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(value.into())),
        Err(_) => toml::Value::String(value.to_string()),
    }
}

/// Applies every override in order to the scenario text; returns the changed document as TOML
/// text, or an error naming the override and what exists where it went wrong.
pub fn apply(text: &str, overrides: &[Override]) -> Result<String> {
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Error::Invalid(e.message().trim().to_string()))?;
    for o in overrides {
        let segments = split_path(&o.path)?;
        let (parent, key) = resolve_parent(&mut doc, &segments)
            .map_err(|e| Error::Invalid(format!("--set {o}: {e}")))?;
        parent.insert(key, parse_value(&o.value));
    }
    toml::to_string(&doc).map_err(|e| Error::Invalid(e.to_string()))
}

/// The current value at a path, if the key is set in the document.
pub fn lookup(text: &str, path: &str) -> Result<Option<toml::Value>> {
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Error::Invalid(e.message().trim().to_string()))?;
    let segments = split_path(path)?;
    let (parent, key) =
        resolve_parent(&mut doc, &segments).map_err(|e| Error::Invalid(format!("{path}: {e}")))?;
    Ok(parent.get(&key).cloned())
}

/// Walks to the table holding the path's last key; checks that the key exists there or may
/// be added (a key the format accepts, or a parameter of a distribution table).
fn resolve_parent<'a>(
    doc: &'a mut toml::Table,
    segments: &[Segment],
) -> Result<(&'a mut toml::Table, String)> {
    let (last, walk) = segments.split_last().expect("non-empty path");
    let mut table = doc;
    let mut schema: Vec<String> = Vec::new();
    let mut here = String::new();
    let mut i = 0;
    while i < walk.len() {
        let key = walk[i].text().to_string();
        let at = describe(&here);
        if !table.contains_key(&key) {
            return Err(Error::Invalid(format!(
                "no key `{key}` {at}; {}",
                existing(table, &schema)
            )));
        }
        let value = table.get_mut(&key).expect("checked above");
        schema.push(key.clone());
        here = join(&here, &key);
        table = match value {
            toml::Value::Table(t) => t,
            toml::Value::Array(items) => {
                let Some(selector) = walk.get(i + 1) else {
                    return Err(Error::Invalid(format!(
                        "`{here}` is a list; name an element and a key, e.g. {here}[NAME].KEY"
                    )));
                };
                i += 1;
                let index = select(items, selector.text())
                    .map_err(|e| Error::Invalid(format!("{e} in `{here}`")))?;
                here = format!("{here}[{}]", selector.text());
                match &mut items[index] {
                    toml::Value::Table(t) => t,
                    _ => return Err(Error::Invalid(format!("`{here}` is not a table"))),
                }
            }
            other => {
                return Err(Error::Invalid(format!(
                    "`{here}` is a {}, not a table; set it as a whole with --set {here}=VALUE",
                    other.type_str()
                )));
            }
        };
        i += 1;
    }
    let key = last.text().to_string();
    if table.contains_key(&key) || may_add(table, &schema, &key) {
        Ok((table, key))
    } else {
        Err(Error::Invalid(format!(
            "no key `{key}` {}; {}",
            describe(&here),
            existing(table, &schema)
        )))
    }
}

/// Index of the array element named `selector`: exact name, unique prefix, or index.
fn select(items: &[toml::Value], selector: &str) -> Result<usize> {
    let names: Vec<Option<&str>> = items
        .iter()
        .map(|v| v.get("name").and_then(|n| n.as_str()))
        .collect();
    if let Some(i) = names.iter().position(|n| *n == Some(selector)) {
        return Ok(i);
    }
    let prefixed: Vec<usize> = (0..items.len())
        .filter(|i| names[*i].is_some_and(|n| n.starts_with(selector)))
        .collect();
    if prefixed.len() == 1 {
        return Ok(prefixed[0]);
    }
    if let Ok(i) = selector.parse::<usize>()
        && i < items.len()
    {
        return Ok(i);
    }
    let listed: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            n.map(|n| format!("\"{n}\""))
                .unwrap_or_else(|| i.to_string())
        })
        .collect();
    let why = if prefixed.len() > 1 {
        "more than one element starts with"
    } else {
        "no element named"
    };
    Err(Error::Invalid(format!(
        "{why} \"{selector}\" (exists: {})",
        listed.join(", ")
    )))
}

/// True when `key` is absent but valid here: a key the format accepts at this place, or a
/// parameter of the distribution this table describes.
fn may_add(table: &toml::Table, schema: &[String], key: &str) -> bool {
    let generic = join(&schema.join("."), key);
    if accepted_keys().contains(&generic) {
        return true;
    }
    let kind = table.get("dist").and_then(|d| d.as_str());
    KINDS
        .iter()
        .any(|(name, params)| Some(*name) == kind && params.contains(&key))
}

fn existing(table: &toml::Table, schema: &[String]) -> String {
    let present: Vec<&str> = table.keys().map(|k| k.as_str()).collect();
    let prefix = join(&schema.join("."), "");
    let mut addable: Vec<String> = accepted_keys()
        .into_iter()
        .filter_map(|k| k.strip_prefix(&prefix).map(str::to_string))
        .filter(|k| !k.contains('.') && !present.contains(&k.as_str()))
        .collect();
    addable.dedup();
    let mut text = format!("exists here: {}", present.join(", "));
    if !addable.is_empty() {
        text.push_str(&format!("; may also be set: {}", addable.join(", ")));
    }
    text
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn describe(here: &str) -> String {
    if here.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in `{here}`")
    }
}
