//! One file per problem found by fuzzing or property testing, kept in tests/regressions/:
//! each must load, run briefly, and give tables with no inf or NaN (or be refused cleanly).

use simulate::selfcheck::{SHORT_RUN_TRIALS, parse_bytes, short_run};

#[test]
fn every_regression_input_runs_with_finite_tables() {
    let mut files: Vec<_> = std::fs::read_dir("tests/regressions")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        if let Some(scenario) = parse_bytes(&bytes)
            && let Err(problem) = short_run(&scenario, SHORT_RUN_TRIALS, true)
        {
            panic!("{}: {problem}", file.display());
        }
    }
}

#[test]
fn a_huge_baseline_gives_a_finite_sensitivity_index() {
    let bytes = std::fs::read("tests/regressions/sensitivity_nan_huge_baseline.toml").unwrap();
    let scenario = parse_bytes(&bytes).expect("valid");
    let run = short_run(&scenario, SHORT_RUN_TRIALS, false).unwrap();
    let (_, csv) = run
        .tables
        .iter()
        .find(|(n, _)| *n == "sensitivity.csv")
        .unwrap();
    let text = String::from_utf8_lossy(csv);
    assert!(text.lines().count() > 1, "no sensitivity rows:\n{text}");
    assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
}
