//! The sensitivity sample: the first trials by number re-run, as columns of what the analysis
//! reads of each trial (its scalar inputs, the inputs that change with time at each analysed
//! year, and the analysed series' capacities then).

use crate::model::Model;
use rayon::prelude::*;

/// The sample as columns, one per variable, each holding the trials in order: every scalar
/// input, each city's realised growth shock at each year (`walks[c * years + j]`), how many
/// times each shock has started by each year (`starts[i * years + j]`), the capacity of the
/// unannounced builds arrived by each year in each city that has them (`built[u * years + j]`,
/// u in the order of [`Model::built_inputs`]) and each analysed
/// series' capacity at each year (`outputs[a * years + j]`). Columns, not one row per trial:
/// each column is ranked and dropped on its own, and no per-row vector is kept.
pub struct Sample {
    /// Scalar inputs, in the order of [`Model::input_names`].
    pub inputs: Vec<Vec<f64>>,
    /// Each city's realised growth shock at each year.
    pub walks: Vec<Vec<f64>>,
    /// Each shock's starts at or before each year.
    pub starts: Vec<Vec<f64>>,
    /// Each city's unannounced builds arrived at or before each year, P.
    pub built: Vec<Vec<f64>>,
    /// Each analysed series' capacity at each year, P.
    pub outputs: Vec<Vec<f64>>,
}

/// Trials of the sample run at a time (in parallel) before their values go into the columns:
/// the rows in flight stay small whatever the sample size.
const SAMPLE_BATCH: u64 = 512;

/// One trial's values: inputs, walks, starts, built, outputs.
type Row = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

/// Runs trials 0 to n - 1 of the run seeded by `seed` and keeps the values at the grid times
/// `indices` of the series `analysed` (storage indices).
pub fn run_sample(
    model: &Model,
    seed: u64,
    n: u64,
    (indices, analysed): (&[usize], &[usize]),
) -> Sample {
    let column = || Vec::with_capacity(n as usize);
    let columns = |count: usize| (0..count).map(|_| column()).collect::<Vec<_>>();
    let years = indices.len();
    // Named once: finding them formats every input's name.
    let built = model.built_inputs();
    let mut sample = Sample {
        inputs: columns(model.input_count()),
        walks: columns(model.city_count() * years),
        starts: columns(model.shock_count() * years),
        built: columns(built.len() * years),
        outputs: columns(analysed.len() * years),
    };
    for batch in (0..n).step_by(SAMPLE_BATCH as usize) {
        let trials = batch..(batch + SAMPLE_BATCH).min(n);
        let rows: Vec<Row> = trials
            .into_par_iter()
            .map_init(
                || model.buffer(),
                |buf, trial| {
                    model.run_trial(seed, trial, buf);
                    read_trial(model, buf, (indices, analysed), &built)
                },
            )
            .collect();
        for (inputs, walks, starts, built, outputs) in rows {
            push_row(&mut sample.inputs, &inputs);
            push_row(&mut sample.walks, &walks);
            push_row(&mut sample.starts, &starts);
            push_row(&mut sample.built, &built);
            push_row(&mut sample.outputs, &outputs);
        }
    }
    sample
}

/// What the sample keeps of one trial.
fn read_trial(
    model: &Model,
    buf: &crate::model::TrialBuffer,
    (indices, analysed): (&[usize], &[usize]),
    built: &[(usize, usize)],
) -> Row {
    let len = model.grid.len();
    let (walks, values) = (&buf.walks, &buf.values);
    let walks =
        (0..model.city_count()).flat_map(|c| indices.iter().map(move |k| walks[c * len + k]));
    // A start counts from the grid time at or after it: a loss at t_k applies at k, and a
    // growth window starting at t_k changes no step up to k.
    let starts = (0..model.shock_count()).flat_map(|i| {
        indices.iter().map(move |k| {
            let by = model.grid.time(*k);
            let started = buf.shock_starts().iter();
            started.filter(|(s, at)| *s == i && *at <= by).count() as f64
        })
    });
    let outputs = (analysed.iter()).flat_map(|s| indices.iter().map(move |k| values[s * len + k]));
    (
        buf.inputs.clone(),
        walks.collect(),
        starts.collect(),
        built_by(model, buf, indices, built),
        outputs.collect(),
    )
}

/// Each city's unannounced builds arrived by each grid time of `indices`, P: a build counts
/// from the grid time at or after its arrival, as it adds capacity (docs/model.md).
/// `built` is [`Model::built_inputs`].
fn built_by(
    model: &Model,
    buf: &crate::model::TrialBuffer,
    indices: &[usize],
    built: &[(usize, usize)],
) -> Vec<f64> {
    let mut row = vec![0.0; built.len() * indices.len()];
    for (u, (_, city)) in built.iter().enumerate() {
        let cells = &mut row[u * indices.len()..(u + 1) * indices.len()];
        for (c, at, size) in buf.unannounced_builds() {
            if c != city {
                continue;
            }
            for (cell, k) in cells.iter_mut().zip(indices) {
                if *at <= model.grid.time(*k) {
                    *cell += size;
                }
            }
        }
    }
    row
}

/// Appends one trial's values to their columns.
fn push_row(columns: &mut [Vec<f64>], row: &[f64]) {
    for (column, v) in columns.iter_mut().zip(row) {
        column.push(*v);
    }
}
