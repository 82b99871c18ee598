//! Same scenario and seed give byte-identical tables whatever the thread count.

use assert_cmd::Command;
use std::path::Path;

fn run(threads: u32, out: &Path) {
    Command::cargo_bin("simulate")
        .unwrap()
        .args(["scenarios/base.toml", "-n", "30000", "-q", "-j"])
        .arg(threads.to_string())
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// summary.json minus the lines that legitimately vary (wall time, thread count).
fn stable_json(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"elapsed_seconds\"") && !l.contains("\"threads\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn tables_are_byte_identical_for_1_2_and_4_threads() {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (threads, dir) in [1, 2, 4].into_iter().zip(&dirs) {
        run(threads, dir.path());
    }
    let name = |d: &tempfile::TempDir, f: &str| d.path().join("base").join(f);
    for file in [
        "summary.csv",
        "targets.csv",
        "crossing.csv",
        "targets_over_time.csv",
        "ranking.csv",
        "overtake.csv",
        "sensitivity.csv",
    ] {
        let first = std::fs::read(name(&dirs[0], file)).unwrap();
        assert!(
            first.len() > 1000 || matches!(file, "targets.csv" | "crossing.csv" | "overtake.csv")
        );
        for d in &dirs[1..] {
            assert_eq!(
                first,
                std::fs::read(name(d, file)).unwrap(),
                "{file} differs"
            );
        }
    }
    let first = stable_json(&name(&dirs[0], "summary.json"));
    for d in &dirs[1..] {
        assert_eq!(first, stable_json(&name(d, "summary.json")));
    }
}

#[test]
fn a_different_seed_changes_the_tables() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    run(2, a.path());
    Command::cargo_bin("simulate")
        .unwrap()
        .args([
            "scenarios/base.toml",
            "-n",
            "30000",
            "-q",
            "-s",
            "99",
            "--out",
        ])
        .arg(b.path())
        .assert()
        .success();
    let read = |d: &tempfile::TempDir| std::fs::read(d.path().join("base/summary.csv")).unwrap();
    assert_ne!(read(&a), read(&b));
}

#[test]
fn risk_tables_are_byte_identical_for_1_and_3_threads() {
    let dirs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for (threads, dir) in [1, 3].into_iter().zip(&dirs) {
        Command::cargo_bin("simulate")
            .unwrap()
            .args(["tests/data/all-risks.toml", "-n", "20000", "-q", "-j"])
            .arg(threads.to_string())
            .arg("--out")
            .arg(dir.path())
            .assert()
            .success();
    }
    let name = |d: &tempfile::TempDir, f: &str| d.path().join("all-risks").join(f);
    for file in ["summary.csv", "targets.csv", "used.csv", "power.csv"] {
        let first = std::fs::read(name(&dirs[0], file)).unwrap();
        assert!(
            first.len() > 100 || file == "targets.csv",
            "{file} is empty"
        );
        assert_eq!(
            first,
            std::fs::read(name(&dirs[1], file)).unwrap(),
            "{file} differs"
        );
    }
}
