//! Per-trial values for notebooks (`--samples`): a second pass over the trials of a finished
//! run, a block at a time, that keeps every trial's weight, its series at chosen grid times and
//! its sampled inputs instead of counting them.
//!
//! Trial i of a run depends only on (model, seed, i) ([`crate::engine::aggregate::simulate`]) and
//! its weight only on the same and the run's conditioning, fixed before the first trial, so the
//! pass gives exactly the values the run counted, whatever the thread count; blocks are filled
//! in parallel, each trial into its own row of columns that the caller then writes out. Memory
//! is one block, whatever the number of trials.

use crate::engine::aggregate::{RunSpec, simulate, weigh};
use crate::engine::condition::TrialWeights;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Trials per unit of parallel work inside a block.
const CHUNK: usize = 1024;

/// One block of trials, column by column.
#[derive(Debug, Clone, Default)]
pub struct SampleBlock {
    /// Number of the block's first trial.
    pub first_trial: u64,
    /// Each trial's multiplicity: 1 unconditioned, the integer weight of the conditioned tables
    /// otherwise ([`crate::engine::condition::Conditioning::weigh`]).
    pub weights: Vec<u64>,
    /// Installed capacity, P: `values[s * times + j]` holds series s (cities, groups, Total) at
    /// the j-th requested grid index, one entry per trial.
    pub values: Vec<Vec<f64>>,
    /// Each sampled input ([`crate::model::Model::input_names`] order), one entry per trial.
    pub inputs: Vec<Vec<f64>>,
}

impl SampleBlock {
    /// Number of trials in the block.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the block holds no trial.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

/// Fills `block` with trials `range` of the spec at grid indices `indices`, in parallel on the
/// current rayon pool (the block's vectors are reused). Returns false, leaving the block
/// partly filled, when `stop` became true.
pub fn fill_block(
    spec: &RunSpec,
    indices: &[usize],
    range: std::ops::Range<u64>,
    block: &mut SampleBlock,
    stop: &AtomicBool,
) -> bool {
    let n = (range.end - range.start) as usize;
    let series = spec.model.series_count();
    let inputs = spec.model.input_names().len();
    block.first_trial = range.start;
    block.weights.resize(n, 0);
    block.values.resize(series * indices.len(), Vec::new());
    block.inputs.resize(inputs, Vec::new());
    for column in block.values.iter_mut().chain(block.inputs.iter_mut()) {
        column.resize(n, 0.0);
    }
    let chunks = chunk_views(block);
    let len = spec.model.grid.len();
    chunks.into_par_iter().enumerate().all(|(c, mut view)| {
        let mut buf = spec.model.buffer();
        let mut w = TrialWeights::default();
        for j in 0..view.weights.len() {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            let trial = range.start + (c * CHUNK + j) as u64;
            // From the prior, or drawn by the conditioning's guide as in the run.
            simulate(spec, trial, &mut buf, &mut w);
            weigh(spec, trial, &buf, &mut w);
            view.weights[j] = w.m;
            for (col, column) in view.values.iter_mut().enumerate() {
                let (s, k) = (col / indices.len(), indices[col % indices.len()]);
                column[j] = buf.values[s * len + k];
            }
            for (column, v) in view.inputs.iter_mut().zip(&buf.inputs) {
                column[j] = *v;
            }
        }
        true
    })
}

/// The same slice of every column of a block.
struct ChunkView<'a> {
    weights: &'a mut [u64],
    values: Vec<&'a mut [f64]>,
    inputs: Vec<&'a mut [f64]>,
}

/// Splits every column of `block` into [`CHUNK`]-trial pieces, one view per piece.
fn chunk_views(block: &mut SampleBlock) -> Vec<ChunkView<'_>> {
    let mut views: Vec<ChunkView> = block
        .weights
        .chunks_mut(CHUNK)
        .map(|weights| ChunkView {
            weights,
            values: Vec::new(),
            inputs: Vec::new(),
        })
        .collect();
    for column in block.values.iter_mut() {
        for (view, piece) in views.iter_mut().zip(column.chunks_mut(CHUNK)) {
            view.values.push(piece);
        }
    }
    for column in block.inputs.iter_mut() {
        for (view, piece) in views.iter_mut().zip(column.chunks_mut(CHUNK)) {
            view.inputs.push(piece);
        }
    }
    views
}
