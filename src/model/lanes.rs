//! Random streams for trials in lanes: Philox4x32-10 ([`crate::model::philox`]), eight trials'
//! streams at once, the same bits as one stream at a time ([`Stream`], the reference), and
//! their normals by the ziggurat ([`crate::model::ziggurat`]) with its first step in lanes.
//!
//! Why a counter-based generator: a stream is a key and a counter, no state to seed. Word n of
//! the stream of (seed, trial, stream key) is a pure function of those four numbers: the
//! 64-bit key is derived from (seed, stream key) as the xoshiro streams derive theirs (so keyed
//! names keep common random numbers across variants of a scenario), and the 128-bit counter
//! holds (block n / 2, trial). Eight trials drawn together share the key and differ in one
//! counter word, so each Philox round is the same two 32x32->64 multiplications and xors on
//! eight lanes: plain arrays that the compiler turns into AVX2 (or SSE2) instructions.
//! xoshiro256++ would need 256 bits of state per lane, seeded by splitmix64 for every (trial,
//! stream), and a state update after every word.
//!
//! [`Lanes`] chooses its instruction set at run time ([`Simd::detect`]); every path computes
//! the same integer and IEEE-754 operations in the same order, so the bits do not depend on it
//! (tested against [`Stream`]).

use crate::model::ieee::uniform_open;
use crate::model::philox::{M0, M1, W0, W1, counter, philox_key, philox4x32_10, words};
use crate::model::ziggurat::{Fallback, fallback_key, ziggurat};

/// Trials per block of lanes: eight, each 32-bit Philox word in a 64-bit lane (two AVX2 registers).
pub const LANES: usize = 8;

/// The low 32 bits of a 64-bit word.
const LOW: u64 = 0xFFFF_FFFF;

/// Rows of words drawn at a time when filling normals (2 KiB on the stack).
const CHUNK_ROWS: usize = 32;

/// One stream, one word at a time: the reference that [`Lanes`] matches bit for bit.
#[derive(Debug, Clone)]
pub struct Stream {
    key: [u32; 2],
    fallback: [u32; 2],
    trial: u64,
    /// Words handed out so far.
    word: u64,
    spare: Option<u64>,
}

impl Stream {
    /// The stream of (seed, trial, stream key).
    pub fn new(seed: u64, trial: u64, key: u64) -> Self {
        Stream {
            key: philox_key(seed, key),
            fallback: fallback_key(seed, key),
            trial,
            word: 0,
            spare: None,
        }
    }

    /// The next 64-bit word: each block gives two, words 0-1 then 2-3, low word first.
    pub fn next_u64(&mut self) -> u64 {
        self.word += 1;
        if let Some(word) = self.spare.take() {
            return word;
        }
        let [first, second] = words(philox4x32_10(
            counter((self.word - 1) / 2, self.trial),
            self.key,
        ));
        self.spare = Some(second);
        first
    }

    /// A uniform in (0, 1) ([`uniform_open`]).
    pub fn uniform(&mut self) -> f64 {
        uniform_open(self.next_u64())
    }

    /// A standard normal: the ziggurat on the next word, its further steps (if any) on that
    /// word's [`Fallback`].
    pub fn normal(&mut self) -> f64 {
        let row = self.word;
        let word = self.next_u64();
        let mut fallback = Fallback::new(self.fallback, self.trial, row);
        ziggurat().normal(word, &mut || fallback.next_u64())
    }
}

/// The instruction set that [`Lanes`] runs on; the results are the same on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simd {
    /// What the binary was compiled for (SSE2 on baseline x86-64), on any machine.
    Portable,
    /// AVX2, when the processor has it (checked at run time).
    Avx2,
}

impl Simd {
    /// The widest instruction set this processor has.
    pub fn detect() -> Simd {
        if Simd::Avx2.is_available() {
            Simd::Avx2
        } else {
            Simd::Portable
        }
    }

    /// Whether this processor can run it.
    pub fn is_available(self) -> bool {
        match self {
            Simd::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            Simd::Avx2 => false,
        }
    }
}

/// [`LANES`] streams of one stream key, one per trial, drawn together: row i of a fill holds
/// word i of each lane's stream, the same as [`Stream::next_u64`] of that (seed, trial, key).
#[derive(Debug, Clone)]
pub struct Lanes {
    key: [u32; 2],
    fallback: [u32; 2],
    trials: [u64; LANES],
    /// Each lane's trial, low and high 32 bits, each in a 64-bit word (see `next_block`): kept,
    /// not derived from `trials` in every block, which measured about 10% slower.
    trial_lo: [u64; LANES],
    trial_hi: [u64; LANES],
    block: u64,
    /// Rows handed out so far.
    row: u64,
    spare: Option<[u64; LANES]>,
    simd: Simd,
}

impl Lanes {
    /// The streams of (seed, `trials[l]`, key) for each lane l, on [`Simd::detect`]'s
    /// instruction set.
    pub fn new(seed: u64, key: u64, trials: [u64; LANES]) -> Self {
        Lanes {
            key: philox_key(seed, key),
            fallback: fallback_key(seed, key),
            trials,
            trial_lo: trials.map(|t| t & LOW),
            trial_hi: trials.map(|t| t >> 32),
            block: 0,
            row: 0,
            spare: None,
            simd: Simd::detect(),
        }
    }

    /// The same streams on instruction set `simd` (the portable one where it is unavailable).
    pub fn with_simd(mut self, simd: Simd) -> Self {
        self.simd = if simd.is_available() {
            simd
        } else {
            Simd::Portable
        };
        self
    }

    /// The instruction set in use.
    pub fn simd(&self) -> Simd {
        self.simd
    }

    /// Fills `out` with the next words of every lane, row by row.
    pub fn fill_u64(&mut self, out: &mut [[u64; LANES]]) {
        match self.simd {
            // SAFETY: `simd` is Avx2 only when `Simd::is_available` found AVX2 at run time.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe { fill_u64_avx2(self, out) },
            _ => self.fill_u64_kernel(out),
        }
    }

    /// Fills `out` with the next standard normals of every lane: the same as
    /// [`Stream::normal`] of each lane's stream (the ziggurat on the words
    /// [`Lanes::fill_u64`] would give, and on their fallback words when a first step is not
    /// final).
    pub fn fill_normals(&mut self, out: &mut [[f64; LANES]]) {
        match self.simd {
            // SAFETY: as in `fill_u64`.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe { fill_normals_avx2(self, out) },
            _ => self.fill_normals_kernel(out),
        }
    }

    /// The ziggurat's first step on every word, in lanes; then, scalar, the further steps of
    /// the few draws whose first step was not final (about 1.5 in 100).
    #[inline(always)]
    fn fill_normals_kernel(&mut self, out: &mut [[f64; LANES]]) {
        let tables = ziggurat();
        let mut words = [[0u64; LANES]; CHUNK_ROWS];
        // Per row, a bit per lane whose first step was not final.
        let mut pending = [0u8; CHUNK_ROWS];
        for rows in out.chunks_mut(CHUNK_ROWS) {
            let first_row = self.row;
            let words = &mut words[..rows.len()];
            self.fill_u64_kernel(words);
            for ((row, w), bits) in rows.iter_mut().zip(words.iter()).zip(pending.iter_mut()) {
                let mut not_final = [0u8; LANES];
                for l in 0..LANES {
                    let (x, done) = tables.first_step(w[l]);
                    row[l] = x;
                    not_final[l] = u8::from(!done) << l;
                }
                *bits = not_final.iter().fold(0, |a, b| a | b);
            }
            for (i, bits) in pending[..rows.len()].iter().enumerate() {
                let mut bits = *bits;
                while bits != 0 {
                    let l = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let at = first_row + i as u64;
                    let mut more = Fallback::new(self.fallback, self.trials[l], at);
                    rows[i][l] = tables.normal(words[i][l], &mut || more.next_u64());
                }
            }
        }
    }

    #[inline(always)]
    fn fill_u64_kernel(&mut self, out: &mut [[u64; LANES]]) {
        self.row += out.len() as u64;
        let mut rows = out.iter_mut();
        if let Some(spare) = self.spare.take() {
            match rows.next() {
                Some(row) => *row = spare,
                None => self.spare = Some(spare),
            }
        }
        while let Some(first) = rows.next() {
            let [w0, w1, w2, w3] = self.next_block();
            for l in 0..LANES {
                first[l] = w0[l] | w1[l] << 32;
            }
            let mut second = [0u64; LANES];
            for l in 0..LANES {
                second[l] = w2[l] | w3[l] << 32;
            }
            match rows.next() {
                Some(row) => *row = second,
                None => self.spare = Some(second),
            }
        }
    }

    /// Philox4x32-10 of the current block in every lane, word by word across lanes. Each
    /// 32-bit word sits in the low half of a 64-bit one, so that a round is 64-bit lane
    /// operations only (a 32x32->64-bit multiply of each lane's low halves, shifts, masks,
    /// xors) and the compiler needs no shuffles between the words and their products.
    #[inline(always)]
    fn next_block(&mut self) -> [[u64; LANES]; 4] {
        let mut c0 = [self.block & LOW; LANES];
        let mut c1 = [self.block >> 32; LANES];
        // The trial's low and high 32 bits, each in a 64-bit word.
        let (mut c2, mut c3) = (self.trial_lo, self.trial_hi);
        self.block += 1;
        let [mut k0, mut k1] = self.key.map(u64::from);
        for round in 0..10 {
            if round > 0 {
                k0 = (k0 + u64::from(W0)) & LOW;
                k1 = (k1 + u64::from(W1)) & LOW;
            }
            for l in 0..LANES {
                let p0 = u64::from(M0) * (c0[l] & LOW);
                let p1 = u64::from(M1) * (c2[l] & LOW);
                (c0[l], c1[l], c2[l], c3[l]) = (
                    (p1 >> 32) ^ c1[l] ^ k0,
                    p1 & LOW,
                    (p0 >> 32) ^ c3[l] ^ k1,
                    p0 & LOW,
                );
            }
        }
        [c0, c1, c2, c3]
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_u64_avx2(lanes: &mut Lanes, out: &mut [[u64; LANES]]) {
    lanes.fill_u64_kernel(out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_normals_avx2(lanes: &mut Lanes, out: &mut [[f64; LANES]]) {
    lanes.fill_normals_kernel(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trials_from(first: u64) -> [u64; LANES] {
        std::array::from_fn(|l| first + l as u64 * 7919)
    }

    /// Every instruction set, fills of odd and even lengths, words and normals: each lane is
    /// its trial's scalar stream, bit for bit.
    #[test]
    fn lanes_equal_the_scalar_streams_on_every_instruction_set() {
        // Fails, not skips, where the AVX2 path would silently fall back to the portable one.
        assert!(
            Simd::Avx2.is_available(),
            "this test machine has no AVX2: the AVX2 path went untested"
        );
        let trials = trials_from((1 << 32) - 3);
        for simd in [Simd::Portable, Simd::Avx2] {
            let mut lanes = Lanes::new(9, 1234, trials).with_simd(simd);
            let mut streams = trials.map(|t| Stream::new(9, t, 1234));
            for len in [1, 2, 3, 5, 0, 40, 67] {
                let mut words = vec![[0u64; LANES]; len];
                lanes.fill_u64(&mut words);
                let mut normals = vec![[0f64; LANES]; len];
                lanes.fill_normals(&mut normals);
                for (l, stream) in streams.iter_mut().enumerate() {
                    for row in &words {
                        assert_eq!(row[l], stream.next_u64(), "{simd:?} lane {l} len {len}");
                    }
                    for row in &normals {
                        assert_eq!(row[l].to_bits(), stream.normal().to_bits(), "{simd:?}");
                    }
                }
            }
        }
    }

    /// Common random numbers: a lane's draws depend only on its (seed, trial, key), not on the
    /// trials in the other lanes; and streams differ by seed, trial and key.
    #[test]
    fn a_lane_depends_only_on_its_own_trial() {
        let mut a = Lanes::new(5, 77, trials_from(100));
        let mut other = trials_from(9_000);
        other[3] = 100 + 3 * 7919;
        let mut b = Lanes::new(5, 77, other);
        let (mut wa, mut wb) = ([[0u64; LANES]; 9], [[0u64; LANES]; 9]);
        a.fill_u64(&mut wa);
        b.fill_u64(&mut wb);
        assert!(wa.iter().zip(&wb).all(|(x, y)| x[3] == y[3]));
        assert!(wa.iter().zip(&wb).all(|(x, y)| x[2] != y[2]));
        let first = Stream::new(1, 0, 7).next_u64();
        assert_ne!(first, Stream::new(1, 1, 7).next_u64());
        assert_ne!(first, Stream::new(1, 0, 8).next_u64());
        assert_ne!(first, Stream::new(2, 0, 7).next_u64());
    }

    /// Enough draws that hundreds take the wedge or tail steps, in lanes and scalar.
    #[test]
    fn rejected_first_steps_match_the_scalar_streams() {
        let trials = trials_from(17);
        let mut lanes = Lanes::new(2, 99, trials);
        let mut normals = vec![[0f64; LANES]; 4000];
        lanes.fill_normals(&mut normals);
        let mut streams = trials.map(|t| Stream::new(2, t, 99));
        let mut beyond_r = 0;
        for row in &normals {
            for (l, stream) in streams.iter_mut().enumerate() {
                assert_eq!(row[l].to_bits(), stream.normal().to_bits());
                beyond_r += usize::from(row[l].abs() > ziggurat().tail_start());
            }
        }
        assert!(beyond_r > 0, "no draw from the tail");
    }

    #[test]
    fn uniforms_and_normals_read_the_next_word() {
        let mut words = Stream::new(3, 4, 5);
        let mut draws = Stream::new(3, 4, 5);
        assert_eq!(draws.uniform(), uniform_open(words.next_u64()));
        let mut never = || -> u64 { unreachable!("this word's first step is final") };
        let word = words.next_u64();
        assert!(ziggurat().first_step(word).1);
        assert_eq!(draws.normal(), ziggurat().normal(word, &mut never));
        assert_eq!(draws.next_u64(), words.next_u64());
    }
}
