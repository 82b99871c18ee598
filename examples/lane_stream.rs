//! Writes the lane generator's words to stdout as raw little-endian bytes, without end, for
//! statistical batteries that read a stream (docs/performance.md):
//! `cargo run --release --example lane_stream | dieharder -a -g 200`.
//!
//! The default order is the one trials in lanes draw in: eight consecutive trials' streams of
//! one key, 64 words each, row by row (word i of trials t..t+8, then word i + 1), then the next
//! eight trials. So the battery sees correlations within a stream and across neighbouring
//! trials. With `--across-trials`: the first word of trial 0, 1, 2, ..., where a weakness of
//! a counter-based generator's trial counter would show first.

use simulate::model::lanes::{LANES, Lanes};
use simulate::model::{StreamKind, stream_key};
use std::io::Write;

fn main() {
    let across = std::env::args().any(|a| a == "--across-trials");
    let key = stream_key(StreamKind::City, &["Beijing"]);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut rows = [[0u64; LANES]; 64];
    let rows_per_block = if across { 1 } else { rows.len() };
    let mut bytes = Vec::with_capacity(rows.len() * LANES * 8);
    for first in (0u64..).step_by(LANES) {
        let trials = std::array::from_fn(|l| first + l as u64);
        let rows = &mut rows[..rows_per_block];
        Lanes::new(1, key, trials).fill_u64(rows);
        bytes.clear();
        bytes.extend(rows.as_flattened().iter().flat_map(|w| w.to_le_bytes()));
        if out.write_all(&bytes).is_err() {
            return; // the reader closed the pipe
        }
    }
}
