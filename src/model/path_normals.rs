//! The step normals of a trial's paths: one Philox stream per noisy path (each city's own step
//! shocks, the national factor, the shared shocks), one normal per grid step, drawn for the
//! eight trials 8b to 8b + 7 at once in lanes ([`PathStreams::fill`]) and kept until a trial
//! of another block asks: the same bits as one trial drawn alone (the tests' reference), since
//! a lane's words depend only on its (seed, trial, key).
//! Callers that run trials in order (the engine's workers, the sensitivity sample, the
//! solver) draw each block about once (twice where a parallel split cuts one); the sequential
//! Monte Carlo's moves revisit the same trial. Every model path draws through the lanes.
//!
//! These are most of a trial's random numbers (110 of a base trial's 125 normals), so they are
//! what the lane generator draws. The other draws (baselines, growth, projects, shocks, bases)
//! stay on their xoshiro streams, a few words each.

use crate::model::lanes::{LANES, Lanes};

/// The keys of a model's path streams and the number of steps each draws.
#[derive(Debug, Clone, Default)]
pub struct PathStreams {
    keys: Vec<u64>,
    steps: usize,
    /// Tells apart models whose streams differ (a buffer filled for one is not the other's).
    id: u64,
}

/// One trial's step normals, stream-major: `values[s * steps + k - 1]` for grid step k; and
/// its block of eight trials' normals.
#[derive(Debug, Clone, Default)]
pub struct PathNormals {
    values: Vec<f64>,
    steps: usize,
    /// (stream id, seed, trial) of the values held.
    filled_for: Option<(u64, u64, u64)>,
    lanes: LaneBlock,
}

impl PathStreams {
    /// No streams yet; paths of `steps` grid steps.
    pub fn new(steps: usize) -> Self {
        PathStreams {
            keys: Vec::new(),
            steps,
            id: 0,
        }
    }

    /// Adds the stream of `key`; returns its index.
    pub fn add(&mut self, key: u64) -> usize {
        self.keys.push(key);
        self.id = self.keys.iter().fold(self.steps as u64, |h, k| {
            crate::model::streams::splitmix64(h ^ k)
        });
        self.keys.len() - 1
    }

    /// Room for one trial's normals.
    pub fn buffer(&self) -> PathNormals {
        PathNormals {
            values: vec![0.0; self.keys.len() * self.steps],
            steps: self.steps,
            filled_for: None,
            lanes: LaneBlock::default(),
        }
    }

    /// Puts trial `trial`'s normals into `out`, from its block of eight trials (drawn in lanes
    /// unless `out` holds it already).
    pub fn fill(&self, seed: u64, trial: u64, out: &mut PathNormals) {
        if out.filled_for != Some((self.id, seed, trial)) {
            out.lanes.serve(self, seed, trial, &mut out.values);
            out.filled_for = Some((self.id, seed, trial));
        }
    }
}

impl PathNormals {
    /// The normals of stream `s`, one per grid step from step 1.
    #[inline]
    pub fn stream(&self, s: usize) -> &[f64] {
        &self.values[s * self.steps..(s + 1) * self.steps]
    }
}

/// The normals of eight consecutive trials (8b to 8b + 7), drawn together in lanes.
#[derive(Debug, Clone, Default)]
struct LaneBlock {
    /// `rows[s * steps + k - 1][l]`: stream s, step k, trial 8b + l.
    rows: Vec<[f64; LANES]>,
    /// (stream id, seed, b) of the rows held.
    filled_for: Option<(u64, u64, u64)>,
}

impl LaneBlock {
    /// Puts trial `trial`'s normals into `out`, drawing its block of eight trials first when
    /// this block does not hold it.
    fn serve(&mut self, streams: &PathStreams, seed: u64, trial: u64, out: &mut [f64]) {
        if streams.keys.is_empty() {
            return;
        }
        let b = trial / LANES as u64;
        if self.filled_for != Some((streams.id, seed, b)) {
            let trials = std::array::from_fn(|l| b * LANES as u64 + l as u64);
            self.rows
                .resize(streams.keys.len() * streams.steps, [0.0; LANES]);
            for (key, rows) in streams
                .keys
                .iter()
                .zip(self.rows.chunks_exact_mut(streams.steps))
            {
                Lanes::new(seed, *key, trials).fill_normals(rows);
            }
            self.filled_for = Some((streams.id, seed, b));
        }
        let lane = (trial % LANES as u64) as usize;
        for (v, row) in out.iter_mut().zip(&self.rows) {
            *v = row[lane];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lanes::Stream;

    /// The reference for [`PathStreams::fill`]: trial `trial`'s normals one stream at a time
    /// (every call draws, so nothing cached can hide a difference).
    fn fill_alone(streams: &PathStreams, seed: u64, trial: u64, out: &mut PathNormals) {
        let chunks = out.values.chunks_exact_mut(streams.steps);
        for (key, values) in streams.keys.iter().zip(chunks) {
            let mut stream = Stream::new(seed, trial, *key);
            values.iter_mut().for_each(|z| *z = stream.normal());
        }
    }

    #[test]
    fn lanes_and_one_trial_at_a_time_give_the_same_normals() {
        let mut streams = PathStreams::new(23);
        for key in [11, 12, 13] {
            streams.add(key);
        }
        let mut lane = streams.buffer();
        for trial in [5u64, 3, 8, 9, 1 << 33, 2] {
            let mut alone = streams.buffer();
            streams.fill(7, trial, &mut lane);
            fill_alone(&streams, 7, trial, &mut alone);
            assert_eq!(lane.values, alone.values, "trial {trial}");
            assert_eq!(alone.stream(1)[0], Stream::new(7, trial, 12).normal());
        }
    }

    /// A buffer holding one seed's or one model's normals draws again for another.
    #[test]
    fn a_new_seed_or_other_streams_draw_again() {
        let mut one = PathStreams::new(5);
        one.add(11);
        let mut other = PathStreams::new(5);
        other.add(12);
        let mut buf = one.buffer();
        let mut want = one.buffer();
        for (streams, seed) in [(&one, 7), (&one, 8), (&other, 8), (&one, 8)] {
            streams.fill(seed, 3, &mut buf);
            fill_alone(streams, seed, 3, &mut want);
            assert_eq!(buf.values, want.values, "seed {seed}");
            assert_eq!(
                buf.values[0],
                Stream::new(seed, 3, streams.keys[0]).normal()
            );
        }
    }
}
