//! samples.parquet (`--samples 2026,2028`): one row per trial for notebooks (pandas, polars,
//! R's arrow), so that joint questions ("Beijing >= X and Shanghai >= Y", a city's share of the
//! Total) can be asked of the trials themselves.
//!
//! Columns, in order: `trial` (INT64, the trial's number), `weight` (INT64: 1, or in a
//! conditioned run the trial's integer multiplicity; weighted means are sums of weight x value
//! over the sum of weights), then every series' installed capacity in P at each requested time
//! (`Beijing@2026-01-01`, cities, groups, then `Total@...`), then the sampled inputs by their
//! names ([`crate::model::Model::input_names`]: `Beijing.growth`, ...) in the scenario's units.
//! The file's key-value metadata holds the scenario, seed, trial count, units and times.
//!
//! The file is streamed: [`ROW_GROUP_TRIALS`] trials at a time are computed
//! ([`crate::engine::samples`]) and written as one row group, so memory stays one block
//! whatever the number of trials. Uncompressed-size data is about 8 bytes per column per trial;
//! pages are Snappy-compressed.

use crate::engine::RunSpec;
use crate::engine::samples::{SampleBlock, fill_block};
use crate::error::{Error, Result};
use crate::report::html::text::iso_date;
use crate::scenario::Scenario;
use parquet::basic::{Compression, Repetition, Type as Physical};
use parquet::data_type::{DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// The file's name in the scenario's folder.
pub const FILE: &str = "samples.parquet";

/// Trials per row group: one block in memory (about 16,384 x 8 bytes per column).
pub const ROW_GROUP_TRIALS: u64 = 16_384;

/// What to write: the requested times, their grid indices and every column's name.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplePlan {
    /// Requested times, decimal years, in the order given.
    pub times: Vec<f64>,
    /// Grid index of each time.
    pub indices: Vec<usize>,
    /// Every column's name, `trial` and `weight` first.
    pub columns: Vec<String>,
}

/// Checks `times` against the scenario's grid (each must be a grid time inside the horizon;
/// the error names the nearest ones) and names the columns.
pub fn plan(scenario: &Scenario, input_names: &[String], times: &[f64]) -> Result<SamplePlan> {
    let grid = &scenario.grid;
    let mut indices = Vec::new();
    let mut problems = Vec::new();
    for &t in times {
        let k = grid.first_index_at_or_after(t);
        match k.filter(|k| (grid.time(*k) - t).abs() < crate::scenario::grid::YEAR_EPSILON) {
            Some(k) => indices.push(k),
            None => problems.push(format!(
                "{} ({}) is not a grid time of '{}' (from {} to {}, {} a year){}",
                format_time(t),
                iso_date(t),
                scenario.name,
                iso_date(grid.start),
                iso_date(grid.end()),
                grid.steps_per_year,
                nearest(grid, t)
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(format!(
            "--samples: {}; give grid times, e.g. --samples {}",
            problems.join("; "),
            example(grid)
        )));
    }
    let mut columns = vec!["trial".to_string(), "weight".to_string()];
    for s in scenario.series() {
        for t in times {
            columns.push(format!("{}@{}", scenario.series_name(s), iso_date(*t)));
        }
    }
    columns.extend(input_names.iter().cloned());
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = columns.iter().find(|c| !seen.insert(c.as_str())) {
        return Err(Error::Invalid(format!(
            "--samples: two columns of samples.parquet would be named \"{twice}\"; rename the \
             city, group, project or shock it comes from"
        )));
    }
    Ok(SamplePlan {
        times: times.to_vec(),
        indices,
        columns,
    })
}

fn format_time(t: f64) -> String {
    crate::units::format_year(t)
}

/// ": the nearest are A and B" for a time between grid times, else that it is outside.
fn nearest(grid: &crate::scenario::grid::Grid, t: f64) -> String {
    match grid.first_index_at_or_after(t) {
        Some(k) if k > 0 => format!(
            ": the nearest are {} and {}",
            iso_date(grid.time(k - 1)),
            iso_date(grid.time(k))
        ),
        _ => ": it lies outside the horizon".to_string(),
    }
}

/// Up to two whole years on the grid ("2026,2028"), else its start and end.
fn example(grid: &crate::scenario::grid::Grid) -> String {
    let whole: Vec<String> = grid
        .times()
        .into_iter()
        .filter(|t| (t - t.round()).abs() < crate::scenario::grid::YEAR_EPSILON)
        .map(|t| format!("{}", t.round() as i64))
        .collect();
    match whole.as_slice() {
        [] => format!("{},{}", format_time(grid.start), format_time(grid.end())),
        [one] => one.clone(),
        [.., a, b] if whole.len() <= 3 => format!("{a},{b}"),
        many => format!("{},{}", many[1], many[many.len() - 2]),
    }
}

/// Writes every trial of `spec` to `sink` as Parquet, a row group of [`ROW_GROUP_TRIALS`] at a
/// time, calling `progress` with the trials done after each; Ok(false) when `stop` became true
/// (the sink then holds an unfinished file, to be thrown away).
pub fn write<W: Write + Send>(
    spec: &RunSpec,
    scenario: &Scenario,
    plan: &SamplePlan,
    sink: W,
    stop: &AtomicBool,
    progress: &dyn Fn(u64),
) -> Result<bool> {
    let failed =
        |e: parquet::errors::ParquetError| Error::Failed(format!("Could not write {FILE}: {e}"));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_dictionary_enabled(false)
        .set_created_by(format!("simulate {}", crate::version::VERSION))
        .set_key_value_metadata(Some(metadata(spec, scenario, plan)))
        .build();
    let mut writer =
        SerializedFileWriter::new(sink, schema(plan)?, Arc::new(props)).map_err(failed)?;
    let mut block = SampleBlock::default();
    let mut start = 0;
    while start < spec.trials {
        let end = (start + ROW_GROUP_TRIALS).min(spec.trials);
        if !fill_block(spec, &plan.indices, start..end, &mut block, stop) {
            return Ok(false);
        }
        write_group(&mut writer, &block).map_err(failed)?;
        progress(end - start);
        start = end;
    }
    writer.close().map_err(failed)?;
    Ok(true)
}

fn write_group<W: Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    block: &SampleBlock,
) -> parquet::errors::Result<()> {
    let mut group = writer.next_row_group()?;
    let trials: Vec<i64> = (0..block.len() as u64)
        .map(|i| (block.first_trial + i) as i64)
        .collect();
    let weights: Vec<i64> = block.weights.iter().map(|w| *w as i64).collect();
    for column in [&trials, &weights] {
        if let Some(mut c) = group.next_column()? {
            c.typed::<Int64Type>().write_batch(column, None, None)?;
            c.close()?;
        }
    }
    for column in block.values.iter().chain(&block.inputs) {
        if let Some(mut c) = group.next_column()? {
            c.typed::<DoubleType>().write_batch(column, None, None)?;
            c.close()?;
        }
    }
    group.close()?;
    Ok(())
}

/// The message type: two required INT64 columns, then required DOUBLEs.
fn schema(plan: &SamplePlan) -> Result<Arc<Type>> {
    let fields = plan
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let physical = if i < 2 {
                Physical::INT64
            } else {
                Physical::DOUBLE
            };
            Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::REQUIRED)
                .build()
                .map(Arc::new)
        })
        .collect::<parquet::errors::Result<Vec<_>>>()
        .and_then(|fields| {
            Type::group_type_builder("samples")
                .with_fields(fields)
                .build()
        })
        .map_err(|e| Error::Failed(format!("Could not describe the columns of {FILE}: {e}")))?;
    Ok(Arc::new(fields))
}

/// What a reader needs besides the columns: the run and the units.
fn metadata(spec: &RunSpec, scenario: &Scenario, plan: &SamplePlan) -> Vec<KeyValue> {
    let conditioned = spec.conditioning.as_ref().is_some_and(|c| c.enabled);
    let times: Vec<String> = plan.times.iter().map(|t| iso_date(*t)).collect();
    [
        ("simulate.scenario", scenario.name.clone()),
        ("simulate.seed", spec.seed.to_string()),
        ("simulate.trials", spec.trials.to_string()),
        ("simulate.conditioned", conditioned.to_string()),
        ("simulate.times", times.join(",")),
        (
            "simulate.units",
            "SERIES@DATE columns: installed capacity in P = PFLOPS FP16 at 00:00 on DATE \
             (1 E = 1,000 P); inputs in the scenario file's units; weight: the trial's \
             multiplicity (1 unless conditioned on reports)"
                .to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| KeyValue::new(k.to_string(), v))
    .collect()
}
