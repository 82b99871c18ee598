//! summary.json, for programs that read results: every table the run writes as CSV (under
//! `tables`, by the file's stem, with the same fields plus `date` and `label` where there is
//! a `year`), the unit of every field (under `units`), the conditioning summary, the
//! warnings, the charts and the run's metadata. Numbers carry no float noise: decimal years
//! keep four decimals, other numbers six significant digits (the CSV files keep theirs).

pub mod fields;

use crate::analysis::Report;
use crate::error::Result;
use crate::scenario::LoadedScenario;
use crate::units::{date_label, iso_date};
use serde::Serialize;
use serde_json::Value;

/// Facts about a run that are not results: where it came from and how it ran.
#[derive(Debug, Clone, Serialize)]
pub struct RunMetadata {
    /// Path of the scenario file as given.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Version of this program.
    pub program_version: String,
    /// Git revision this program was built from, when known.
    pub git_revision: Option<String>,
    /// Wall-clock time of the simulation, seconds (milliseconds in summary.json).
    #[serde(serialize_with = "milliseconds")]
    pub elapsed_seconds: f64,
    /// Worker threads used (results do not depend on it).
    pub threads: usize,
    /// `--set PATH=VALUE` overrides applied on top of the scenario file, in order.
    pub overrides: Vec<String>,
    /// The scenario file's text, for the report page (not in summary.json; empty when
    /// unknown).
    #[serde(skip)]
    pub scenario_text: String,
}

/// Seconds rounded to the millisecond.
fn milliseconds<S: serde::Serializer>(v: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64((v * 1e3).round() / 1e3)
}

impl RunMetadata {
    /// The metadata of a run of `l` that took `elapsed_seconds` on `threads` threads.
    pub fn new(l: &LoadedScenario, elapsed_seconds: f64, threads: usize) -> Self {
        RunMetadata {
            scenario_path: l.path.clone(),
            scenario_sha256: l.content_hash.clone(),
            program_version: crate::version::VERSION.to_string(),
            git_revision: crate::version::GIT_REVISION.map(str::to_string),
            elapsed_seconds,
            threads,
            overrides: l.overrides.iter().map(|o| o.to_string()).collect(),
            scenario_text: l.text.clone(),
        }
    }
}

/// One chart file of a run's folder, as summary.json lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartEntry {
    /// File name inside the scenario's folder (e.g. `fan_beijing.png`).
    pub file: String,
    /// What kind of chart it is (`fan`, `cities`, `horizon`, `paths`, `targets`,
    /// `crossing`, `tornado`).
    pub kind: String,
    /// The series it shows (city names, `Total`), in order.
    pub series: Vec<String>,
}

/// A JSON value whose objects keep their keys in the order given (serde_json's own map sorts
/// them): a plain value, an ordered object or a list of ordered objects.
enum Node {
    Leaf(Value),
    Object(Ordered),
    List(Vec<Ordered>),
}

/// An object whose keys keep the order they were given in.
struct Ordered(Vec<(String, Node)>);

impl Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Node::Leaf(v) => v.serialize(s),
            Node::Object(o) => o.serialize(s),
            Node::List(rows) => rows.serialize(s),
        }
    }
}

impl Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Document<'a> {
    /// The unit of every field of every table, by table then field.
    units: Ordered,
    metadata: &'a RunMetadata,
    scenario: &'a str,
    description: &'a str,
    trials: u64,
    seed: u64,
    start: f64,
    start_date: String,
    end: f64,
    end_date: String,
    steps_per_year: u32,
    /// Every table the run wrote as CSV, by the file's stem, with the same fields.
    tables: Ordered,
    /// Conditioning and calibration, when the scenario has reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    conditioning: Option<Ordered>,
    /// Inputs that look like slips and reports the projection disagrees with (stderr shows
    /// the same lines); empty when none.
    warnings: &'a [String],
    /// Every chart file written beside this one, with what it shows (empty with --no-plots).
    charts: &'a [ChartEntry],
}

/// summary.json of a run whose folder also holds `charts`: every table of the run with the
/// unit of each field, numbers rounded as [`fields::round`] says.
pub fn summary_json(
    report: &Report,
    metadata: &RunMetadata,
    charts: &[ChartEntry],
) -> Result<Vec<u8>> {
    let r = &report.result;
    let tables = tables(report)?;
    let leaf = |u: &str| Node::Leaf(Value::from(u));
    let mut units = vec![
        ("capacity".to_string(), leaf(fields::P)),
        ("time".to_string(), leaf(fields::YEAR)),
    ];
    for (name, _) in &tables.0 {
        units.push((name.clone(), unit_object(fields::fields(name))));
    }
    let mut conditioning = None;
    if let Some(c) = &report.conditioning {
        units.push((
            "conditioning".to_string(),
            unit_object(fields::CONDITIONING),
        ));
        conditioning = Some(ordered(serde_json::to_value(c)?, fields::CONDITIONING));
    }
    let doc = Document {
        units: Ordered(units),
        metadata,
        scenario: &r.scenario,
        description: &r.description,
        trials: r.trials,
        seed: r.seed,
        start: fields::round(r.start, fields::YEAR),
        start_date: iso_date(r.start),
        end: fields::round(r.end, fields::YEAR),
        end_date: iso_date(r.end),
        steps_per_year: r.steps_per_year,
        tables,
        conditioning,
        warnings: &report.warnings,
        charts,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// sensitivity.csv's rows: the inputs', then the groups' Shapley effects (their `input` is
/// `group[Beijing]` or `unexplained`, their per-input fields null).
fn sensitivity_rows(report: &Report) -> Result<Value> {
    let mut rows = match serde_json::to_value(&report.sensitivity)? {
        Value::Array(rows) => rows,
        _ => Vec::new(),
    };
    for g in &report.shapley {
        let mut row = serde_json::to_value(g)?;
        if let Value::Object(map) = &mut row {
            map.insert("input".to_string(), Value::from(g.input()));
            map.insert("input_label".to_string(), Value::from(g.label()));
        }
        rows.push(row);
    }
    Ok(Value::Array(rows))
}

/// `{field: unit, ...}` in the fields' order.
fn unit_object(f: &[(&str, &str)]) -> Node {
    Node::Object(Ordered(
        f.iter()
            .map(|(k, u)| (k.to_string(), Node::Leaf(Value::from(*u))))
            .collect(),
    ))
}

/// The tables this run writes as CSV, each a list of rows with the CSV's fields in order.
fn tables(report: &Report) -> Result<Ordered> {
    let r = &report.result;
    let d = &report.decisions;
    let mut out = vec![
        ("summary", serde_json::to_value(&r.rows)?),
        ("targets", serde_json::to_value(&r.targets)?),
        ("backtest", serde_json::to_value(&r.backtest)?),
        ("crossing", serde_json::to_value(&d.crossing)?),
        ("targets_over_time", serde_json::to_value(&d.levels)?),
        ("ranking", serde_json::to_value(&d.ranking)?),
        ("overtake", serde_json::to_value(&d.overtake)?),
        ("sensitivity", sensitivity_rows(report)?),
    ];
    if let Some(c) = &report.conditioning {
        out.push(("calibration", serde_json::to_value(&c.calibration)?));
        if c.conditioned {
            out.push(("posterior", serde_json::to_value(&c.posterior)?));
        }
    }
    if !r.unconditioned_rows.is_empty() {
        out.push((
            "unconditioned",
            serde_json::to_value(&r.unconditioned_rows)?,
        ));
    }
    if !r.used_rows.is_empty() {
        out.push(("used", serde_json::to_value(&r.used_rows)?));
    }
    if !r.power.is_empty() {
        out.push(("power", serde_json::to_value(&r.power)?));
    }
    let tables = out.into_iter().map(|(name, rows)| {
        let f = fields::fields(name);
        let rows = match rows {
            Value::Array(rows) => rows.into_iter().map(|row| ordered(row, f)).collect(),
            _ => Vec::new(),
        };
        (name.to_string(), Node::List(rows))
    });
    Ok(Ordered(tables.collect()))
}

/// `value`'s fields in the order of `f`, numbers rounded by their unit, with `date` and
/// `label` made from its `year`; fields `f` does not name are left out.
fn ordered(value: Value, f: &[(&str, &str)]) -> Ordered {
    let year = value.get("year").and_then(Value::as_f64);
    let fields = f.iter().map(|(key, unit)| {
        let v = match (*key, year) {
            ("date", Some(y)) => Value::from(iso_date(y)),
            ("label", Some(y)) => Value::from(date_label(y)),
            _ => rounded(value.get(*key).cloned().unwrap_or(Value::Null), unit),
        };
        (key.to_string(), Node::Leaf(v))
    });
    Ordered(fields.collect())
}

/// Every floating-point number in `v` (and in its arrays and objects) rounded by `unit`.
fn rounded(v: Value, unit: &str) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            serde_json::Number::from_f64(fields::round(x, unit)).map_or(Value::Null, Value::Number)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|i| rounded(i, unit)).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, i)| (k, rounded(i, unit)))
                .collect(),
        ),
        other => other,
    }
}
