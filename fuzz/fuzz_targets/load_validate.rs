//! Fuzz target: any bytes as a scenario file must be accepted or refused, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = simulate::selfcheck::parse_bytes(bytes);
});
