//! Runs many trials in parallel and folds them into mergeable statistics, reproducibly.
//!
//! Trials are numbered; trial i's random numbers depend only on (seed, i). Work is split into
//! fixed chunks of trials and every accumulator merges exactly, so the result is the same bits
//! whatever the number of threads. Memory holds one accumulator per thread, never per trial.
//! May import `model`, `scenario`, `stats` and the leaves.
//!
//! Inside: [`aggregate`] (what is counted) <- [`worker`] (blocks of trials) <- this file (the
//! parallel loop); [`shard`] splits a run across machines and merges the parts; [`condition`]
//! weighs trials by the reports, drawing them from a [`guide`] that [`smc`] fits.

pub mod aggregate;
mod check;
pub mod condition;
pub mod condition_block;
pub mod guide;
pub mod samples;
pub mod shard;
pub mod smc;
pub mod worker;

pub use aggregate::*;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
pub use worker::{BLOCK_TRIALS, Worker};

/// Trials per unit of parallel work.
pub const CHUNK_TRIALS: u64 = 1024;

/// Runs trials `range` of the spec in parallel on the current rayon pool, calling `progress`
/// with the number of trials finished after each chunk.
pub fn run_range(
    spec: &RunSpec,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Aggregate {
    fold_range(spec, range, progress, &AtomicBool::new(false))
}

/// Like [`run_range`], but gives up soon after `stop` becomes true (it is checked before every
/// trial) and then returns None: a partial aggregate is never returned.
pub fn run_range_until(
    spec: &RunSpec,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Option<Aggregate> {
    let agg = fold_range(spec, range, progress, stop);
    (!stop.load(Ordering::Relaxed)).then_some(agg)
}

/// One worker per thread: each takes the next chunk of trials until none is left, into its own
/// aggregate. Memory is one aggregate and one block per thread, whatever the number of trials,
/// and the merged result does not depend on which worker ran which chunk (merges are exact).
fn fold_range(
    spec: &RunSpec,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Aggregate {
    let first_chunk = range.start / CHUNK_TRIALS;
    let last_chunk = range.end.div_ceil(CHUNK_TRIALS);
    let next_chunk = AtomicU64::new(first_chunk);
    let workers = rayon::current_num_threads().max(1);
    let merged = (0..workers)
        .into_par_iter()
        .with_max_len(1)
        .map(|_| {
            let mut worker = Worker::new(spec);
            loop {
                let chunk = next_chunk.fetch_add(1, Ordering::Relaxed);
                if chunk >= last_chunk || stop.load(Ordering::Relaxed) {
                    break;
                }
                let lo = (chunk * CHUNK_TRIALS).max(range.start);
                let hi = ((chunk + 1) * CHUNK_TRIALS).min(range.end);
                for trial in lo..hi {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    worker.run_trial(trial);
                }
                progress(hi - lo);
            }
            worker.finish()
        })
        .reduce(|| Aggregate::new(spec), Aggregate::merge);
    release_freed_memory();
    merged
}

/// Hands the pages of the threads' freed aggregates back to the system. glibc keeps the memory
/// a thread frees in that thread's arena, and the histograms (thousands of small buffers) are
/// freed in pieces it does not return by itself; what comes next (the sensitivity sample, the
/// charts) allocates larger buffers that do not fit in those pieces, so the process would hold
/// both. Elsewhere this does nothing.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages of the allocator's own heaps.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Runs every trial of the spec.
pub fn run(spec: &RunSpec, progress: &(dyn Fn(u64) + Sync)) -> Aggregate {
    run_range(spec, 0..spec.trials, progress)
}
