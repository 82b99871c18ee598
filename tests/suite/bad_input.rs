//! Every kind of bad input gives exit code 2, a message naming the file, line and key, no
//! panic, and writes nothing. Cases live in tests/bad/*.toml; each file's first two lines say
//! what the message must contain:
//!   # expect: text|other text     (substrings of stderr, all required)
//!   # key: dotted.key|other.key   (keys that must be named; empty for whole-file problems)
//! and a third line `# line: none` marks a problem that has no place in the file.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn simulate() -> Command {
    Command::cargo_bin("simulate").unwrap()
}

fn header_value(text: &str, name: &str) -> Vec<String> {
    let prefix = format!("# {name}:");
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("missing '{prefix}' line"));
    line[prefix.len()..]
        .trim()
        .split('|')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn assert_rejected(file: &Path, expected: &[String], keys: &[String], has_line: bool) {
    let out = tempfile::tempdir().unwrap();
    let assert = simulate()
        .arg(file)
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let shown = file.display().to_string();
    assert!(
        stderr.contains(&shown),
        "{shown}: message does not name the file:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{shown}: panic:\n{stderr}");
    for e in expected {
        assert!(
            stderr.contains(e.as_str()),
            "{shown}: expected '{e}' in:\n{stderr}"
        );
    }
    for k in keys {
        assert!(
            stderr.contains(&format!("key `{k}`")),
            "{shown}: key `{k}` not named in:\n{stderr}"
        );
    }
    let line_col = format!("{shown}:");
    if !keys.is_empty() && has_line {
        assert!(
            stderr.lines().any(|l| l.trim_start().starts_with(&line_col)
                && l.trim_start()[line_col.len()..].starts_with(|c: char| c.is_ascii_digit())),
            "{shown}: no line number in:\n{stderr}"
        );
    }
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "{shown}: wrote output"
    );
}

fn bad_cases() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/bad")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bad_scenario_is_rejected_with_file_line_and_key() {
    let files = bad_cases();
    assert!(files.len() >= 40, "corpus shrank to {}", files.len());
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let has_line = !text.lines().any(|l| l == "# line: none");
        assert_rejected(
            &file,
            &header_value(&text, "expect"),
            &header_value(&text, "key"),
            has_line,
        );
    }
}

#[test]
fn all_problems_of_a_file_are_reported_together() {
    let out = tempfile::tempdir().unwrap();
    let assert = simulate()
        .arg("tests/bad/many_problems.toml")
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("3 problems"), "{stderr}");
}

#[test]
fn a_missing_file_is_an_invalid_scenario() {
    simulate()
        .arg("tests/bad/does_not_exist.toml")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does_not_exist.toml"))
        .stderr(predicates::str::contains("cannot be read"));
}

#[test]
fn a_directory_is_not_a_scenario() {
    simulate()
        .arg("tests/bad")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is a directory"));
}

#[test]
fn bad_command_line_values_exit_2() {
    simulate()
        .args(["scenarios/base.toml", "--trials", "0", "--check"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--trials"));
    simulate()
        .args(["scenarios/base.toml", "--threads", "0"])
        .assert()
        .code(2);
    simulate()
        .args(["scenarios/base.toml", "--bogus"])
        .assert()
        .code(2);
    simulate().assert().code(2);
}

#[test]
fn one_bad_file_stops_every_run_before_anything_is_written() {
    let out = tempfile::tempdir().unwrap();
    simulate()
        .args(["scenarios/base.toml", "tests/bad/negative_sd.toml", "--out"])
        .arg(out.path())
        .assert()
        .code(2);
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn check_validates_without_writing() {
    let out = tempfile::tempdir().unwrap();
    simulate()
        .args(["scenarios/base.toml", "--check", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("ok: scenarios/base.toml"));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}
