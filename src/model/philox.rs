//! Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): the
//! counter-based generator behind trials in lanes ([`crate::model::lanes`]). A block of four
//! 32-bit words is a pure function of a 128-bit counter and a 64-bit key: no state to seed, so
//! any word of any stream can be drawn on its own, in any order, on any instruction set.

use crate::model::streams::splitmix64;

/// Philox's multipliers and key increments (Random123's PHILOX_M4x32_0/1, PHILOX_W32_0/1).
pub(crate) const M0: u32 = 0xD251_1F53;
pub(crate) const M1: u32 = 0xCD9E_8D57;
pub(crate) const W0: u32 = 0x9E37_79B9;
pub(crate) const W1: u32 = 0xBB67_AE85;

/// Philox4x32 with 10 rounds of one counter under one key (the reference; tested against
/// Random123's known answers).
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let [mut c0, mut c1, mut c2, mut c3] = counter;
    let [mut k0, mut k1] = key;
    for round in 0..10 {
        if round > 0 {
            k0 = k0.wrapping_add(W0);
            k1 = k1.wrapping_add(W1);
        }
        let p0 = u64::from(M0) * u64::from(c0);
        let p1 = u64::from(M1) * u64::from(c2);
        (c0, c1, c2, c3) = (
            (p1 >> 32) as u32 ^ c1 ^ k0,
            p1 as u32,
            (p0 >> 32) as u32 ^ c3 ^ k1,
            p0 as u32,
        );
    }
    [c0, c1, c2, c3]
}

/// The Philox key of a stream: 64 bits of (seed, stream key), as [`crate::model::stream`]
/// derives its base.
pub fn philox_key(seed: u64, key: u64) -> [u32; 2] {
    let k = splitmix64(seed ^ splitmix64(key));
    [k as u32, (k >> 32) as u32]
}

/// The counter of a stream's block: the block number, then the trial.
pub(crate) fn counter(block: u64, trial: u64) -> [u32; 4] {
    [
        block as u32,
        (block >> 32) as u32,
        trial as u32,
        (trial >> 32) as u32,
    ]
}

/// The two 64-bit words of a block, low words first.
pub(crate) fn words(block: [u32; 4]) -> [u64; 2] {
    [
        u64::from(block[0]) | u64::from(block[1]) << 32,
        u64::from(block[2]) | u64::from(block[3]) << 32,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random123's known answers for Philox4x32-10 (its kat_vectors file).
    #[test]
    fn philox_gives_random123s_known_answers() {
        let cases = [
            (
                [0; 4],
                [0; 2],
                [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8],
            ),
            (
                [u32::MAX; 4],
                [u32::MAX; 2],
                [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd],
            ),
            (
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0],
                [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1],
            ),
        ];
        for (counter, key, expected) in cases {
            assert_eq!(philox4x32_10(counter, key), expected);
        }
    }
}
