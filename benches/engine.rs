//! Engine speed: trials per second at 1 and 2 threads, against the floor of drawing the same
//! random numbers, and the cost of the statistics per value.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::distr::{Distribution, StandardUniform};
use simulate::engine::{self, RunSpec};
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

/// The random numbers one base trial needs, drawn and discarded: per city a stream, two
/// parameter draws and one normal per step; per project a stream and four draws.
fn random_number_floor(c: &mut Criterion) {
    let spec = base_spec(TRIALS);
    let loaded = scenario::load(std::path::Path::new("scenarios/base.toml")).unwrap();
    let steps = spec.model.grid.steps;
    let projects: usize = loaded
        .scenario
        .cities
        .iter()
        .map(|c| c.projects.len())
        .sum();
    let cities = loaded.scenario.cities.len();
    let mut group = c.benchmark_group("draws");
    group.throughput(Throughput::Elements(TRIALS));
    group.sample_size(10);
    group.bench_function("base_floor_1_thread", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for trial in 0..TRIALS {
                for city in 0..cities as u64 {
                    let mut rng = stream(1, trial, city);
                    for _ in 0..2 + steps {
                        let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
                        acc += z;
                    }
                }
                for p in 0..projects as u64 {
                    let mut rng = stream(1, trial, 100 + p);
                    for _ in 0..4 {
                        let u: f64 = StandardUniform.sample(&mut rng);
                        acc += u;
                    }
                }
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
