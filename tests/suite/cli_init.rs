//! `simulate --init`: writes a starter that passes --check, and never overwrites.

use assert_cmd::Command;
use predicates::prelude::*;

fn simulate() -> Command {
    Command::cargo_bin("simulate").expect("binary")
}

#[test]
fn init_writes_a_starter_that_passes_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mine.toml");
    simulate().arg("--init").arg(&path).assert().success();
    simulate()
        .arg("--check")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("ok:"));
}

#[test]
fn init_refuses_to_overwrite_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("existing.toml");
    std::fs::write(&path, "keep me\n").expect("write");
    simulate()
        .arg("--init")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "keep me\n");
}

#[test]
fn run_writes_backtest_csv_and_shows_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("starter.toml");
    simulate().arg("--init").arg(&path).assert().success();
    simulate()
        .arg(&path)
        .args(["-n", "2000", "-o"])
        .arg(dir.path().join("out"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Backtest"));
    let csv = std::fs::read_to_string(dir.path().join("out/starter/backtest.csv")).expect("csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("city,at,capacity,percentile,evaluated_at,source,date,label")
    );
    let row = lines.next().expect("one observation");
    assert!(row.starts_with("Beijing,2025.25,33000.0,"), "{row}");
    assert!(
        row.ends_with(",2025.25,\"C114, 2025-06-09\",2025-04-01,end-Q1 2025"),
        "{row}"
    );
}
