//! What running trials in lanes would save on a city's organic path (issue 18): the arithmetic
//! of `CityModel::organic` for a lumpy, moving path (each step's Ornstein-Uhlenbeck deviation,
//! log growth and lump, the two exps, then the level's running product) for eight trials, one
//! trial at a time against the eight side by side in `[f64; 8]` lanes, on the same
//! pre-drawn normals (random numbers are not timed here: `--bench lanes` has them).
//!
//! `cargo bench --bench path_kernel` prints the median ns per trial of three such paths (a
//! base trial's cities) by alternating runs, and checks that both give the same levels.

use simulate::model::fastexp::exp_in_place;
use std::hint::black_box;

mod common;
use common::{Case, alternate};

const LANES: usize = 8;
/// Grid values of base (mid-2024 to end-2029, quarterly).
const LEN: usize = 23;
const CITIES: usize = 3;
/// Blocks of eight trials per timed run.
const BLOCKS: usize = 5_000;

/// A base city's path constants (docs/model.md, "Growth that moves"): step dt, OU factor and
/// innovation sd, own and shared shock sds, lump sd s = volatility sqrt(dt), drift per step.
struct Path {
    dt: f64,
    phi: f64,
    innovation_sd: f64,
    own_sd: f64,
    shared_sd: f64,
    s: f64,
    drift: f64,
}

const PATH: Path = Path {
    dt: 0.25,
    phi: 0.606_530_659_712_633, // exp(-dt / 0.5 years)
    innovation_sd: 0.059_4,
    own_sd: 0.836_660_026_534_075_6,    // sqrt(0.7)
    shared_sd: 0.547_722_557_505_166_1, // sqrt(0.3)
    s: 0.05,
    drift: 0.067_5, // 0.25 ln(1.31)
};

/// Normals laid out [block][city][step][lane], from a fixed linear congruential sequence
/// through a crude but cheap map (their law does not matter to the timing).
fn normals() -> Vec<f64> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..BLOCKS * CITIES * LEN * LANES)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 3.4
        })
        .collect()
}

/// One trial's path, as `organic` computes it: the final level.
fn one_trial(z: impl Fn(usize) -> f64, shared: &[f64], out: &mut [f64], lumps: &mut [f64]) -> f64 {
    let p = &PATH;
    let mut deviation = 0.0;
    (out[0], lumps[0]) = (0.0, 0.0);
    for k in 1..LEN {
        let w = p.own_sd * z(k) + p.shared_sd * shared[k];
        deviation = p.phi * deviation + p.innovation_sd * w;
        out[k] = p.drift + p.dt * deviation;
        lumps[k] = p.s * w - 0.5 * p.s * p.s;
    }
    exp_in_place(out);
    exp_in_place(lumps);
    let mut level = 1.0;
    for k in 1..LEN {
        level *= 1.0 + (out[k] - 1.0).max(0.0) * lumps[k];
    }
    level
}

/// The same for eight trials side by side: every step's arithmetic on `[f64; 8]`.
fn eight_trials(z: &[f64], shared: &[f64], out: &mut [f64], lumps: &mut [f64]) -> [f64; LANES] {
    let p = &PATH;
    let mut deviation = [0.0; LANES];
    out[..LANES].fill(0.0);
    lumps[..LANES].fill(0.0);
    for k in 1..LEN {
        let (zk, row) = (&z[k * LANES..(k + 1) * LANES], k * LANES..(k + 1) * LANES);
        let (o, l) = (&mut out[row.clone()], &mut lumps[row]);
        for j in 0..LANES {
            let w = p.own_sd * zk[j] + p.shared_sd * shared[k];
            deviation[j] = p.phi * deviation[j] + p.innovation_sd * w;
            o[j] = p.drift + p.dt * deviation[j];
            l[j] = p.s * w - 0.5 * p.s * p.s;
        }
    }
    exp_in_place(out);
    exp_in_place(lumps);
    let mut level = [1.0; LANES];
    for k in 1..LEN {
        for j in 0..LANES {
            level[j] *= 1.0 + (out[k * LANES + j] - 1.0).max(0.0) * lumps[k * LANES + j];
        }
    }
    level
}

/// Every block's paths one trial at a time; the sum of their levels.
fn scalar(z: &[f64], shared: &[f64]) -> f64 {
    let (mut out, mut lumps) = ([0.0; LEN], [0.0; LEN]);
    let mut total = 0.0;
    for paths in z.chunks_exact(LEN * LANES) {
        for j in 0..LANES {
            total += one_trial(|k| paths[k * LANES + j], shared, &mut out, &mut lumps);
        }
    }
    total
}

/// [`lanes`] compiled for AVX2 (four lanes per instruction instead of two); no fused
/// multiply-add, so the same bits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn lanes_avx2(z: &[f64], shared: &[f64]) -> f64 {
    lanes(z, shared)
}

/// Every block's paths eight trials at a time; the sum of their levels.
#[inline(always)]
fn lanes(z: &[f64], shared: &[f64]) -> f64 {
    let (mut out, mut lumps) = (vec![0.0; LEN * LANES], vec![0.0; LEN * LANES]);
    let mut total = 0.0;
    for paths in z.chunks_exact(LEN * LANES) {
        for level in eight_trials(paths, shared, &mut out, &mut lumps) {
            total += level;
        }
    }
    total
}

fn main() {
    let z = normals();
    let shared: Vec<f64> = (0..LEN).map(|k| ((k * 7) % 5) as f64 * 0.3 - 0.6).collect();
    // The same levels either way (the same operations per trial), summed in the same order.
    let (a, b) = (scalar(&z, &shared), lanes(&z, &shared));
    assert_eq!(a.to_bits(), b.to_bits(), "scalar {a} against lanes {b}");
    let mut cases: Vec<Case> = vec![
        (
            "one trial at a time",
            Box::new(|| scalar(black_box(&z), &shared)),
        ),
        (
            "eight trials in lanes",
            Box::new(|| lanes(black_box(&z), &shared)),
        ),
    ];
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY (both calls): the processor has AVX2 (checked just above).
        let c = unsafe { lanes_avx2(&z, &shared) };
        assert_eq!(
            c.to_bits(),
            a.to_bits(),
            "AVX2 lanes {c} against scalar {a}"
        );
        cases.push((
            "eight trials in lanes, AVX2",
            Box::new(|| unsafe { lanes_avx2(black_box(&z), &shared) }),
        ));
    }
    let trials = (BLOCKS * LANES) as u64;
    alternate(
        "The organic paths of a base trial's three cities (arithmetic only)",
        trials,
        &mut cases,
    );
}
