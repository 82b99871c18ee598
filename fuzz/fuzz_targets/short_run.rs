//! Fuzz target: whatever validates runs 100 trials, renders every table and chart, and no
//! table cell is inf or NaN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use simulate::selfcheck::{SHORT_RUN_TRIALS, parse_bytes, short_run};

fuzz_target!(|bytes: &[u8]| {
    if let Some(scenario) = parse_bytes(bytes) {
        if let Err(problem) = short_run(&scenario, SHORT_RUN_TRIALS, true) {
            panic!("{problem}");
        }
    }
});
