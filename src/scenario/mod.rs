//! Scenario files: read, check every rule, and turn them into a validated [`Scenario`].
//!
//! Parsing is strict (unknown keys are errors); checking collects every problem of a file
//! before reporting, each with its line, column and key.

pub mod bounds;
pub mod correlation;
pub mod diag;
pub mod dist;
mod dynamics;
mod fields;
pub mod grid;
pub mod groups;
mod keys;
mod lumpy;
pub mod observations;
pub mod overrides;
pub mod raw;
mod risks;
pub mod starter;
pub mod types;
mod validate;

pub use types::*;

use crate::error::Error;
use diag::Diagnostics;
use sha2::{Digest, Sha256};
use std::path::Path;

pub use lumpy::{MAX_UNANNOUNCED_RATE, SLIP_REFERENCE, SLIP_REFERENCE_NAME};
pub use risks::MIN_LIFETIME_YEARS;
pub use validate::{MAX_TRIALS, MIN_TRIALS};

/// The largest scenario file read (16 MiB); larger ones are refused before being read whole.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The file's bytes, or None when it holds more than `limit` (never reading more than one
/// byte past it: `/dev/zero` and endless pipes are refused too).
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
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
    let bytes = read_limited(path, MAX_FILE_BYTES)
        .map_err(|e| Error::whole_file(&label, format!("cannot be read: {e}")))?
        .ok_or_else(|| {
            Error::whole_file(
                &label,
                format!(
                    "is larger than {} MiB, the limit for a scenario file; a scenario this \
                     large is almost surely not one (check the path)",
                    MAX_FILE_BYTES >> 20
                ),
            )
        })?;
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
        // Every key and type problem at once; serde's own message when the pass finds none.
        if keys::check(text, &mut diags) && !diags.is_empty() {
            return crate::scenario::diag::into_error(file, text, diags);
        }
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
