//! Engine speed: trials per second at 1 and 2 threads, against the floor of drawing the same
//! random numbers, and the cost of the statistics per value.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::distr::{Distribution, StandardUniform};
use simulate::engine::{self, RunSpec};
use simulate::model::lanes::{LANES, Lanes};
use simulate::model::sampler::{Sampler, ToSampler};
use simulate::model::stream;
use simulate::scenario;
use simulate::stats::CellStats;
use std::hint::black_box;

/// Trials per engine run: enough that a run's fixed costs (allocating the aggregates, growing
/// the histograms in the first block, the final merge) are under 2% of its time, so trials per
/// second compare directly with the floor's draws per second.
const ENGINE_TRIALS: u64 = 200_000;
/// Trials per run of the floor, which has no fixed cost.
const TRIALS: u64 = 20_000;

fn base_spec(trials: u64) -> RunSpec {
    let loaded = scenario::load(std::path::Path::new("scenarios/base.toml")).expect("base.toml");
    let mut spec = RunSpec::from_scenario(&loaded.scenario);
    spec.trials = trials;
    spec
}

fn engine_threads(c: &mut Criterion) {
    let spec = base_spec(ENGINE_TRIALS);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(ENGINE_TRIALS));
    group.sample_size(10);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_with_input(BenchmarkId::new("base", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(engine::run(&spec, &|_| {}))));
        });
    }
    group.finish();
}

/// The random numbers one base trial needs, drawn and discarded, from the scenario's own
/// distributions: per city a stream, its baseline and growth draws and one normal per step; per
/// project a stream, the delivery uniform and its capacity, online and ramp draws; the national
/// factor's and shared shocks' streams, two bridge normals and the three bases' draws; the step
/// normals as 0.7.0 drew them (xoshiro and rand_distr's ziggurat) and as 0.8.0 does (Philox
/// and the ziggurat in lanes).
fn random_number_floor(c: &mut Criterion) {
    let spec = base_spec(TRIALS);
    let loaded = scenario::load(std::path::Path::new("scenarios/base.toml")).unwrap();
    let steps = spec.model.grid.steps;
    let cities: Vec<[Sampler; 2]> = loaded
        .scenario
        .cities
        .iter()
        .map(|c| [c.baseline.sampler(), c.growth.sampler()])
        .collect();
    let projects: Vec<[Sampler; 3]> = loaded
        .scenario
        .cities
        .iter()
        .flat_map(|c| &c.projects)
        .map(|p| {
            [
                p.capacity.sampler(),
                p.online.sampler(),
                p.ramp_years.sampler(),
            ]
        })
        .collect();
    // Everything but the step normals, on xoshiro streams as the model draws them.
    let other_draws = |trial: u64| -> f64 {
        let mut acc = 0.0;
        for (key, samplers) in cities.iter().enumerate() {
            let mut rng = stream(1, trial, key as u64);
            acc += samplers.iter().map(|s| s.sample(&mut rng)).sum::<f64>();
        }
        for (key, samplers) in projects.iter().enumerate() {
            let mut rng = stream(1, trial, 100 + key as u64);
            let u: f64 = StandardUniform.sample(&mut rng);
            acc += u + samplers.iter().map(|s| s.sample(&mut rng)).sum::<f64>();
        }
        // The bridge normals of the two reports between grid times, the bases' draws.
        for key in [202, 203] {
            let z: f64 = rand_distr::StandardNormal.sample(&mut stream(1, trial, key));
            acc += z;
        }
        for key in 300..303 {
            let mut rng = stream(1, trial, key);
            let f: f64 = StandardUniform.sample(&mut rng);
            let l: f64 = StandardUniform.sample(&mut rng);
            acc += f + l;
        }
        acc
    };
    // The step normals: each city's, the national factor's and the shared shocks'.
    let path_streams = cities.len() as u64 + 2;
    let mut group = c.benchmark_group("draws");
    group.throughput(Throughput::Elements(TRIALS));
    group.sample_size(10);
    group.bench_function("base_floor_1_thread", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for trial in 0..TRIALS {
                acc += other_draws(trial);
                // 0.7.0's streams: the step normals by rand_distr's ziggurat on xoshiro.
                for key in 0..path_streams {
                    let mut rng = stream(1, trial, 200 + key);
                    for _ in 0..steps {
                        let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
                        acc += z;
                    }
                }
            }
            black_box(acc)
        });
    });
    group.bench_function("base_floor_lanes_1_thread", |b| {
        let mut rows = vec![[0f64; LANES]; steps];
        b.iter(|| {
            let mut acc = 0.0;
            for first in (0..TRIALS).step_by(LANES) {
                // 0.8.0's streams: the step normals eight trials at a time, in lanes.
                let trials = std::array::from_fn(|l| first + l as u64);
                for key in 0..path_streams {
                    Lanes::new(1, 200 + key, trials).fill_normals(&mut rows);
                    acc += rows.as_flattened().iter().sum::<f64>();
                }
                acc += (first..first + LANES as u64).map(other_draws).sum::<f64>();
            }
            black_box(acc)
        });
    });
    group.finish();
}

fn statistics(c: &mut Criterion) {
    let values: Vec<f64> = (0..10_000)
        .map(|i| 20_000.0 + (i as f64 * 0.618).fract() * 5e4)
        .collect();
    let mut group = c.benchmark_group("stats");
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("cell_add", |b| {
        b.iter(|| {
            let mut cell = CellStats::default();
            values.iter().for_each(|v| cell.add(*v));
            black_box(cell.count())
        });
    });
    group.bench_function("cell_add_all_blocks", |b| {
        b.iter(|| {
            let mut cell = CellStats::default();
            let blocks = values.chunks(engine::BLOCK_TRIALS);
            blocks.for_each(|block| cell.add_all(block));
            black_box(cell.count())
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Criterion's own charts need system fonts, which a fresh machine may lack.
    config = Criterion::default().without_plots();
    targets = engine_threads, random_number_floor, statistics
}
criterion_main!(benches);
