//! What the alternating benches share: run each case once per round, in turn, and print the
//! median time per trial of each (a shared machine's load changes between cases, so criterion's
//! one-after-another runs would compare different loads).

use std::hint::black_box;
use std::time::Instant;

/// Rounds of every case.
pub const ROUNDS: usize = 5;

/// The median of `v`.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A named run to time; it returns a value so that its work is not optimised away.
pub type Case<'a> = (&'static str, Box<dyn FnMut() -> f64 + 'a>);

/// Runs every case once per round, in turn; prints the median ns per trial of each.
pub fn alternate(title: &str, trials: u64, cases: &mut [Case<'_>]) {
    let mut times = vec![Vec::new(); cases.len()];
    for _ in 0..ROUNDS {
        for (i, (_, run)) in cases.iter_mut().enumerate() {
            let start = Instant::now();
            black_box(run());
            times[i].push(start.elapsed().as_secs_f64() * 1e9 / trials as f64);
        }
    }
    println!("{title} ({ROUNDS} alternating rounds, median ns per trial [min-max])");
    for ((name, _), t) in cases.iter().zip(times) {
        let (lo, hi) = (
            t.iter().copied().fold(f64::MAX, f64::min),
            t.iter().copied().fold(0.0, f64::max),
        );
        println!("  {name:<28} {:>9.0}  [{lo:.0}-{hi:.0}]", median(t));
    }
}
