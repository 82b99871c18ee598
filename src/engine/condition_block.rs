//! The histograms of a conditioned (or scored) run's inputs and simulated reports, filled a
//! block of trials at a time, as [`crate::engine::Worker`] fills the cells of the tables.
//!
//! Why: every trial adds each sampled input twice (before and after the reports) and each
//! simulated report twice; one value at a time that was the largest cost of the statistics in
//! a run of base (its reports are scored). A block takes each histogram's run of values at once
//! ([`crate::stats::CellStats::add_weighted`], a fast path for unit and integer weights alike).
//! The counts are integers, so the result is exactly [`ConditionStats::add_cells`] trial by
//! trial (tested).

use crate::engine::BLOCK_TRIALS;
use crate::engine::condition::{ConditionStats, Conditioning, TrialWeights};

/// A block of trials' shifted inputs, simulated reports and multiplicities, column-major:
/// `inputs[i * BLOCK_TRIALS + j]` is input i of the block's j-th trial.
#[derive(Debug, Clone)]
pub struct ConditionBlock {
    inputs: Vec<f64>,
    reports: Vec<f64>,
    m: Vec<u64>,
    m_prior: Vec<u64>,
    /// `earlier_m[r * BLOCK_TRIALS + j]`: report r's multiplicity of trial j.
    earlier_m: Vec<u64>,
    filled: usize,
}

impl ConditionBlock {
    /// An empty block for `inputs` sampled inputs and `reports` reports.
    pub fn new(inputs: usize, reports: usize) -> Self {
        ConditionBlock {
            inputs: vec![0.0; inputs * BLOCK_TRIALS],
            reports: vec![0.0; reports * BLOCK_TRIALS],
            m: vec![0; BLOCK_TRIALS],
            m_prior: vec![0; BLOCK_TRIALS],
            earlier_m: vec![0; reports * BLOCK_TRIALS],
            filled: 0,
        }
    }

    /// Puts one trial in the block; adds the block to `stats` when it is full.
    pub fn push(
        &mut self,
        c: &Conditioning,
        w: &TrialWeights,
        inputs: &[f64],
        stats: &mut ConditionStats,
    ) {
        let j = self.filled;
        self.m[j] = w.m;
        self.m_prior[j] = w.m_prior;
        let shifted = inputs.iter().zip(&c.input_shifts).map(|(v, s)| v - s);
        for (column, v) in self.inputs.chunks_exact_mut(BLOCK_TRIALS).zip(shifted) {
            column[j] = v;
        }
        for (column, r) in self.reports.chunks_exact_mut(BLOCK_TRIALS).zip(&w.reports) {
            column[j] = *r;
        }
        let earlier = self.earlier_m.chunks_exact_mut(BLOCK_TRIALS);
        for (column, m) in earlier.zip(&w.earlier_m) {
            column[j] = *m;
        }
        self.filled += 1;
        if self.filled == BLOCK_TRIALS {
            self.flush(stats);
        }
    }

    /// Adds the block's trials to `stats` and empties it.
    pub fn flush(&mut self, stats: &mut ConditionStats) {
        let n = self.filled;
        let (m, m_prior) = (&self.m[..n], &self.m_prior[..n]);
        let columns = self.inputs.chunks_exact(BLOCK_TRIALS);
        let cells = stats
            .prior_inputs
            .iter_mut()
            .zip(&mut stats.posterior_inputs);
        for ((prior, post), column) in cells.zip(columns) {
            prior.add_weighted(&column[..n], m_prior);
            post.add_weighted(&column[..n], m);
        }
        let columns = self.reports.chunks_exact(BLOCK_TRIALS);
        let earlier = self.earlier_m.chunks_exact(BLOCK_TRIALS);
        let cells = stats
            .predictive_prior
            .iter_mut()
            .zip(&mut stats.predictive_earlier);
        for (((prior, before), column), em) in cells.zip(columns).zip(earlier) {
            prior.add_weighted(&column[..n], m_prior);
            before.add_weighted(&column[..n], &em[..n]);
        }
        self.filled = 0;
    }
}

impl ConditionStats {
    /// Adds one trial's inputs (shifted by [`Conditioning::input_shifts`]) and simulated
    /// reports to their histograms, each with its multiplicity.
    pub fn add_cells(&mut self, c: &Conditioning, w: &TrialWeights, inputs: &[f64]) {
        let shifted = inputs.iter().zip(&c.input_shifts);
        for ((prior, post), (v, shift)) in self
            .prior_inputs
            .iter_mut()
            .zip(self.posterior_inputs.iter_mut())
            .zip(shifted)
        {
            prior.add_n(v - shift, w.m_prior);
            post.add_n(v - shift, w.m);
        }
        for (j, r) in w.reports.iter().enumerate() {
            self.predictive_prior[j].add_n(*r, w.m_prior);
            self.predictive_earlier[j].add_n(*r, w.earlier_m[j]);
        }
    }
}
