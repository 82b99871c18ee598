//! Writes the lane generator's words to stdout as raw little-endian bytes, without end, for
//! statistical batteries that read a stream (docs/performance.md):
//! `cargo run --release --example lane_stream | dieharder -a -g 200`.
//!
//! The order is the one trials in lanes draw in: eight consecutive trials' streams of one key,
//! 64 words each, row by row (word i of trials t..t+8, then word i + 1), then the next eight
//! trials. So the battery sees correlations within a stream and across neighbouring trials.

use simulate::model::lanes::{LANES, Lanes};
use simulate::model::{StreamKind, stream_key};
use std::io::Write;

fn main() {
    let key = stream_key(StreamKind::City, &["Beijing"]);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut rows = [[0u64; LANES]; 64];
    let mut bytes = Vec::with_capacity(rows.len() * LANES * 8);
    for first in (0u64..).step_by(LANES) {
        let trials = std::array::from_fn(|l| first + l as u64);
        Lanes::new(1, key, trials).fill_u64(&mut rows);
        bytes.clear();
        bytes.extend(rows.as_flattened().iter().flat_map(|w| w.to_le_bytes()));
        if out.write_all(&bytes).is_err() {
            return; // the reader closed the pipe
        }
    }
}
