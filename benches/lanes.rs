//! The lane generator's floor and the statistics' share of a trial, by alternating runs (A, B,
//! C, ... then again, 5 rounds; medians per trial), which a shared machine needs: criterion
//! measures one thing after another, and the load changes in between.
//!
//! `cargo bench --bench lanes` prints, per base trial: the time to draw its random numbers with
//! xoshiro256++ and rand_distr's ziggurat (0.7.0's streams), with the Philox stream one word at
//! a time, with Philox in lanes on each instruction set, and as the model draws since 0.8.0
//! (the path streams in lanes, the rest on xoshiro); then a whole trial of the engine
//! at one thread against the model alone (the same trials, nothing counted) and the 92 cells'
//! statistics of the same trials alone.

use rand::distr::{Distribution, StandardUniform};
use simulate::engine::{self, RunSpec};
use simulate::model::ieee::uniform_open;
use simulate::model::lanes::{LANES, Lanes, Simd, Stream};
use simulate::model::stream;
use simulate::stats::CellStats;

mod common;
use common::{Case, alternate};

/// Trials per timed run of the floors.
const FLOOR_TRIALS: u64 = 40_000;
/// Trials per timed run of the engine and of the statistics alone.
const ENGINE_TRIALS: u64 = 40_960;

fn base_spec(trials: u64) -> RunSpec {
    let loaded =
        simulate::scenario::load(std::path::Path::new("scenarios/base.toml")).expect("base.toml");
    let mut spec = RunSpec::layout(&loaded.scenario);
    spec.trials = trials;
    spec
}

/// What a base trial draws: per stream, how many normals or how many uniforms. Normals: each
/// city's steps, the national factor's and the shared shocks' (one per step: the path streams,
/// drawn in lanes since 0.8.0), each city's baseline and growth, and the bridge normals of the
/// two reports that fall between grid times. Uniforms: the project's stream (delivery,
/// capacity, online, ramp) and each of the three bases' (factor, lag).
struct Draws {
    /// Path streams and the normals each draws.
    paths: (usize, usize),
    normals: Vec<usize>,
    uniforms: Vec<usize>,
}

impl Draws {
    fn base(steps: usize) -> Self {
        Draws {
            paths: (5, steps),
            normals: vec![2, 2, 2, 1, 1],
            uniforms: vec![4, 2, 2, 2],
        }
    }

    /// Every stream's normals, the path streams' first.
    fn all_normals(&self) -> Vec<usize> {
        let mut all = vec![self.paths.1; self.paths.0];
        all.extend(&self.normals);
        all
    }
}

/// One trial's `normals[s]` normals (rand_distr's ziggurat) and `uniforms[s]` uniforms, each
/// stream s on its own xoshiro256++ stream.
fn xoshiro_trial(trial: u64, normals: &[usize], uniforms: &[usize]) -> f64 {
    let mut acc = 0.0;
    for (key, n) in normals.iter().enumerate() {
        let mut rng = stream(1, trial, key as u64);
        for _ in 0..*n {
            let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
            acc += z;
        }
    }
    for (key, n) in uniforms.iter().enumerate() {
        let mut rng = stream(1, trial, 100 + key as u64);
        for _ in 0..*n {
            let u: f64 = StandardUniform.sample(&mut rng);
            acc += u;
        }
    }
    acc
}

/// Every draw on xoshiro256++ streams, normals by rand_distr's ziggurat (0.7.0's streams).
fn xoshiro_ziggurat(d: &Draws) -> f64 {
    let normals = d.all_normals();
    (0..FLOOR_TRIALS)
        .map(|trial| xoshiro_trial(trial, &normals, &d.uniforms))
        .sum()
}

/// Every draw on Philox streams, one trial at a time.
fn philox_scalar(d: &Draws) -> f64 {
    let normals = d.all_normals();
    let mut acc = 0.0;
    for trial in 0..FLOOR_TRIALS {
        for (key, n) in normals.iter().enumerate() {
            let mut s = Stream::new(1, trial, key as u64);
            acc += (0..*n).map(|_| s.normal()).sum::<f64>();
        }
        for (key, n) in d.uniforms.iter().enumerate() {
            let mut s = Stream::new(1, trial, 100 + key as u64);
            acc += (0..*n).map(|_| s.uniform()).sum::<f64>();
        }
    }
    acc
}

/// Every draw on Philox streams in lanes, eight trials at a time.
fn philox_lanes(d: &Draws, simd: Simd) -> f64 {
    let all = d.all_normals();
    let longest = all.iter().chain(&d.uniforms).max().copied().unwrap_or(0);
    let mut rows = vec![[0f64; LANES]; longest];
    let mut words = vec![[0u64; LANES]; longest];
    let mut acc = 0.0;
    for first in (0..FLOOR_TRIALS).step_by(LANES) {
        let trials = std::array::from_fn(|l| first + l as u64);
        for (key, n) in all.iter().enumerate() {
            let mut lanes = Lanes::new(1, key as u64, trials).with_simd(simd);
            lanes.fill_normals(&mut rows[..*n]);
            acc += rows[..*n].as_flattened().iter().sum::<f64>();
        }
        for (key, n) in d.uniforms.iter().enumerate() {
            Lanes::new(1, 100 + key as u64, trials)
                .with_simd(simd)
                .fill_u64(&mut words[..*n]);
            acc += words[..*n]
                .as_flattened()
                .iter()
                .map(|w| uniform_open(*w))
                .sum::<f64>();
        }
    }
    acc
}

/// The model's mix (0.8.0): the path streams in lanes, the other draws on xoshiro256++.
fn lanes_and_xoshiro(d: &Draws) -> f64 {
    let mut rows = vec![[0f64; LANES]; d.paths.1];
    let mut acc = 0.0;
    for first in (0..FLOOR_TRIALS).step_by(LANES) {
        let trials = std::array::from_fn(|l| first + l as u64);
        for key in 0..d.paths.0 {
            Lanes::new(1, key as u64, trials).fill_normals(&mut rows);
            acc += rows.as_flattened().iter().sum::<f64>();
        }
        acc += (first..first + LANES as u64)
            .map(|trial| xoshiro_trial(trial, &d.normals, &d.uniforms))
            .sum::<f64>();
    }
    acc
}

/// Real values of base trials, block by block as the worker holds them:
/// `blocks[b][cell * BLOCK_TRIALS + j]`.
fn base_blocks(spec: &RunSpec) -> Vec<Vec<f64>> {
    let mut buf = spec.model.buffer();
    let (cells, block) = (buf.values.len(), engine::BLOCK_TRIALS);
    (0..spec.trials / block as u64)
        .map(|b| {
            let mut columns = vec![0.0; cells * block];
            for j in 0..block {
                spec.model
                    .run_trial(1, b * block as u64 + j as u64, &mut buf);
                for (cell, v) in buf.values.iter().enumerate() {
                    columns[cell * block + j] = *v;
                }
            }
            columns
        })
        .collect()
}

/// The cells' statistics alone, into cells already grown (as a worker's are after its first
/// block): each cell takes a block's column at once, as the worker's flush does.
fn cell_statistics(blocks: &[Vec<f64>], warm: &[CellStats]) -> u64 {
    let mut stats = warm.to_vec();
    for columns in blocks {
        let columns = columns.chunks_exact(engine::BLOCK_TRIALS);
        for (cell, column) in stats.iter_mut().zip(columns) {
            cell.add_all(column);
        }
    }
    stats.iter().map(|c| c.count()).sum()
}

/// The same trials through the model only, into one reused buffer (whose step normals are
/// drawn eight trials at a time, as in the engine).
fn model_alone(spec: &RunSpec) -> f64 {
    let mut buf = spec.model.buffer();
    let mut acc = 0.0;
    for trial in 0..spec.trials {
        spec.model.run_trial(spec.seed, trial, &mut buf);
        acc += buf.values[0];
    }
    acc
}

fn main() {
    let spec = base_spec(ENGINE_TRIALS);
    let draws = Draws::base(spec.model.grid.steps);
    println!("instruction set detected: {:?}", Simd::detect());
    let mut floors: Vec<Case> = vec![
        (
            "xoshiro256++ + ziggurat",
            Box::new(|| xoshiro_ziggurat(&draws)),
        ),
        (
            "philox scalar + ziggurat",
            Box::new(|| philox_scalar(&draws)),
        ),
        (
            "paths in lanes, rest xoshiro",
            Box::new(|| lanes_and_xoshiro(&draws)),
        ),
        (
            "philox lanes portable",
            Box::new(|| philox_lanes(&draws, Simd::Portable)),
        ),
    ];
    if Simd::Avx2.is_available() {
        floors.push((
            "philox lanes avx2",
            Box::new(|| philox_lanes(&draws, Simd::Avx2)),
        ));
    }
    alternate("Random numbers of a base trial", FLOOR_TRIALS, &mut floors);

    let blocks = base_blocks(&spec);
    let mut warm = vec![CellStats::default(); spec.model.buffer().values.len()];
    for (cell, column) in warm
        .iter_mut()
        .zip(blocks[0].chunks_exact(engine::BLOCK_TRIALS))
    {
        cell.add_all(column);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut engine_cases: Vec<Case> = vec![
        (
            "engine, 1 thread",
            Box::new(|| pool.install(|| engine::run(&spec, &|_| {}).trials as f64)),
        ),
        (
            "model alone, no statistics",
            Box::new(|| model_alone(&spec)),
        ),
        (
            "92 cells' statistics alone",
            Box::new(|| cell_statistics(&blocks, &warm) as f64),
        ),
    ];
    alternate(
        "A base trial and its statistics",
        ENGINE_TRIALS,
        &mut engine_cases,
    );
}
