//! samples.parquet (`--samples`): read back with the Parquet reader, every row equals a re-run
//! of its trial (weight, series at the requested times, sampled inputs), the weighted share
//! of trials meeting a target equals targets.csv's probability, and the flag refuses what it
//! cannot do before anything runs.

use assert_cmd::Command;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use simulate::engine::RunSpec;
use simulate::engine::condition::TrialWeights;
use simulate::scenario::{self, Series};

const TRIALS: u64 = 20_000;

fn simulate() -> Command {
    Command::cargo_bin("simulate").expect("binary")
}

/// The rows of a Parquet file: column names, then each row's fields in order.
fn read_rows(path: &std::path::Path) -> (Vec<String>, Vec<Vec<Field>>, usize) {
    let file = std::fs::File::open(path).expect("samples.parquet");
    let reader = SerializedFileReader::new(file).expect("a Parquet file");
    let groups = reader.metadata().num_row_groups();
    let names = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let rows = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| {
            row.expect("row")
                .get_column_iter()
                .map(|(_, f)| f.clone())
                .collect()
        })
        .collect();
    (names, rows, groups)
}

fn long(f: &Field) -> i64 {
    match f {
        Field::Long(v) => *v,
        other => panic!("expected INT64, got {other:?}"),
    }
}

fn double(f: &Field) -> f64 {
    match f {
        Field::Double(v) => *v,
        other => panic!("expected DOUBLE, got {other:?}"),
    }
}

#[test]
fn every_row_equals_a_rerun_of_its_trial_and_the_weighted_share_equals_targets_csv() {
    let out = tempfile::tempdir().unwrap();
    simulate()
        .args([
            "scenarios/base.toml",
            "--condition",
            "-q",
            "--no-plots",
            "-j",
            "2",
        ])
        .args([
            "-n",
            &TRIALS.to_string(),
            "--samples",
            "2026,2028-01-01",
            "-o",
        ])
        .arg(out.path())
        .assert()
        .success();
    let (names, rows, groups) = read_rows(&out.path().join("base/samples.parquet"));
    assert_eq!(rows.len() as u64, TRIALS);
    assert_eq!(groups, 2, "20,000 trials in row groups of 16,384");

    let mut s = scenario::load(std::path::Path::new("scenarios/base.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    s.trials = TRIALS;
    s.condition = true;
    let spec = RunSpec::from_scenario(&s);
    let conditioning = spec.conditioning.as_ref().expect("base has reports");
    assert!(conditioning.enabled);
    let inputs = spec.model.input_names();
    let series = s.series();
    let mut expected = vec!["trial".to_string(), "weight".to_string()];
    for which in &series {
        for date in ["2026-01-01", "2028-01-01"] {
            expected.push(format!("{}@{date}", s.series_name(*which)));
        }
    }
    expected.extend(inputs.iter().cloned());
    assert_eq!(names, expected);

    let (len, ks) = (spec.model.grid.len(), [6usize, 14]);
    assert_eq!(s.grid.time(ks[0]), 2026.0);
    assert_eq!(s.grid.time(ks[1]), 2028.0);
    let mut buf = spec.model.buffer();
    let mut w = TrialWeights::default();
    let (mut weight_sum, mut weighted_hits, mut unequal_weights) = (0u64, 0u64, 0);
    for (i, row) in rows.iter().enumerate() {
        let trial = i as u64;
        // As the run drew it: from the prior, or by the conditioning's guide.
        conditioning.simulate(&spec.model, (spec.seed, trial), &mut buf, &mut w);
        conditioning.weigh(spec.seed, trial, &buf, &mut w);
        assert_eq!(long(&row[0]), i as i64);
        assert_eq!(long(&row[1]) as u64, w.m, "weight of trial {trial}");
        let mut col = 2;
        for (si, _) in series.iter().enumerate() {
            for k in ks {
                let v = buf.values[si * len + k];
                assert_eq!(double(&row[col]).to_bits(), v.to_bits(), "{}", names[col]);
                col += 1;
            }
        }
        for v in &buf.inputs {
            assert_eq!(double(&row[col]).to_bits(), v.to_bits(), "{}", names[col]);
            col += 1;
        }
        assert_eq!(col, names.len());
        weight_sum += w.m;
        unequal_weights += usize::from(w.m != 1024);
        let beijing = s.series_index(s.series_named("Beijing").unwrap_or(Series::Total));
        if buf.values[beijing * len + ks[0]] >= 45_000.0 {
            weighted_hits += w.m;
        }
    }
    assert!(unequal_weights > TRIALS as usize / 2, "a conditioned run");
    // targets.csv's first row: Beijing >= 45,000 P at 2026.0, to four decimals.
    let targets = std::fs::read_to_string(out.path().join("base/targets.csv")).unwrap();
    let first = targets.lines().nth(1).expect("a target row");
    assert!(first.starts_with("Beijing,2026,45000.0,"), "{first}");
    let probability: f64 = first.split(',').nth(3).unwrap().parse().unwrap();
    let share = weighted_hits as f64 / weight_sum as f64;
    assert!(
        (share - probability).abs() <= 0.5e-4 + 1e-12,
        "weighted share {share} vs targets.csv {probability}"
    );
}

#[test]
fn an_unconditioned_run_has_weight_one_and_a_later_run_without_samples_removes_the_file() {
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        simulate()
            .args([
                "scenarios/base.toml",
                "-q",
                "--no-plots",
                "-n",
                "3000",
                "-o",
            ])
            .arg(out.path())
            .args(extra)
            .assert()
            .success();
    };
    run(&["--samples", "2030"]);
    let path = out.path().join("base/samples.parquet");
    let (names, rows, _) = read_rows(&path);
    assert_eq!(names[2], "Beijing@2030-01-01");
    assert_eq!(rows.len(), 3000);
    assert!(rows.iter().all(|r| long(&r[1]) == 1));
    run(&[]);
    assert!(!path.exists(), "a stale samples.parquet was left behind");
    assert!(out.path().join("base/summary.csv").exists());
}

#[test]
fn samples_are_refused_with_shards_compares_and_off_grid_times_before_anything_runs() {
    let out = tempfile::tempdir().unwrap();
    for extra in [
        vec!["--shard", "0/2"],
        vec!["scenarios/high.toml", "--compare"],
    ] {
        simulate()
            .args(["scenarios/base.toml", "--samples", "2026", "-o"])
            .arg(out.path())
            .args(&extra)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--samples"));
    }
    let assert = simulate()
        .args(["scenarios/base.toml", "scenarios/low.toml", "--samples"])
        .args(["2026.1,2040-01-01", "-o"])
        .arg(out.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for needle in [
        "2026.1 (2026-02-07) is not a grid time of 'base'",
        "the nearest are 2026-01-01 and 2026-04-01",
        "2040 (2040-01-01) is not a grid time of 'low'",
        "outside the horizon",
    ] {
        assert!(stderr.contains(needle), "{needle} not in: {stderr}");
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}
