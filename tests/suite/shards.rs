//! A run split into shards and merged gives the same bytes as the single run; bad sets of
//! parts are refused with a message saying what is wrong.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const TRIALS: &str = "25000";

fn simulate() -> Command {
    Command::cargo_bin("simulate").unwrap()
}

fn run_shards(out: &Path, n: u64, seed: &str) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            simulate()
                .args([
                    "scenarios/base.toml",
                    "-q",
                    "-n",
                    TRIALS,
                    "-s",
                    seed,
                    "--shard",
                ])
                .arg(format!("{i}/{n}"))
                .arg("--out")
                .arg(out)
                .assert()
                .success();
            out.join("base").join(format!("part-{i:04}-of-{n:04}.json"))
        })
        .collect()
}

fn merge(parts: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    simulate()
        .arg("merge")
        .args(parts)
        .arg("-q")
        .arg("--out")
        .arg(out)
        .assert()
}

#[test]
fn merged_shards_equal_the_single_run_byte_for_byte() {
    let single = tempfile::tempdir().unwrap();
    simulate()
        .args([
            "scenarios/base.toml",
            "-q",
            "-n",
            TRIALS,
            "-s",
            "5",
            "--out",
        ])
        .arg(single.path())
        .assert()
        .success();
    for n in [1, 3, 4] {
        let shards = tempfile::tempdir().unwrap();
        let merged = tempfile::tempdir().unwrap();
        let mut parts = run_shards(shards.path(), n, "5");
        parts.reverse();
        merge(&parts, merged.path()).success();
        for file in [
            "summary.csv",
            "targets.csv",
            "crossing.csv",
            "targets_over_time.csv",
            "ranking.csv",
            "overtake.csv",
            "sensitivity.csv",
            "report.html",
        ] {
            let a = std::fs::read(single.path().join("base").join(file)).unwrap();
            let b = std::fs::read(merged.path().join("base").join(file)).unwrap();
            assert!(a == b, "{file} differs after merging {n} shards");
        }
    }
}

#[test]
fn incomplete_repeated_or_foreign_parts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let parts = run_shards(dir.path(), 3, "5");
    merge(&parts[..2], out.path())
        .code(2)
        .stderr(predicates::str::contains("missing shard(s) 2 of 3"));
    merge(
        &[parts[0].clone(), parts[0].clone(), parts[1].clone()],
        out.path(),
    )
    .code(2)
    .stderr(predicates::str::contains("given twice"));
    let other = tempfile::tempdir().unwrap();
    let foreign = run_shards(other.path(), 3, "6");
    merge(
        &[parts[0].clone(), parts[1].clone(), foreign[2].clone()],
        out.path(),
    )
    .code(2)
    .stderr(predicates::str::contains("seed 6 vs 5"));
    merge(&[PathBuf::from("scenarios/base.toml")], out.path())
        .code(2)
        .stderr(predicates::str::contains("is not a part file"));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn bad_shard_arguments_exit_2() {
    simulate()
        .args(["scenarios/base.toml", "--shard", "3/3"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("0 <= I < N"));
    simulate()
        .args(["scenarios/base.toml", "--shard", "auto"])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("SLURM_ARRAY_TASK_ID"));
}

#[test]
fn a_part_from_another_program_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let parts = run_shards(dir.path(), 2, "5");
    // The second part as an older program would have written it.
    let text = std::fs::read_to_string(&parts[1]).unwrap();
    let mine = format!("\"program_version\":\"{}\"", simulate::version::VERSION);
    assert!(text.contains(&mine), "the part names its program version");
    std::fs::write(
        &parts[1],
        text.replace(&mine, "\"program_version\":\"0.1.0\""),
    )
    .unwrap();
    merge(&parts, out.path())
        .code(2)
        .stderr(predicates::str::contains("written by simulate 0.1.0"))
        .stderr(predicates::str::contains(format!(
            "this is simulate {}",
            simulate::version::VERSION
        )));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}
