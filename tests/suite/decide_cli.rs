//! The planner's commands end to end: --compare, --set and --solve.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::{Path, PathBuf};

fn simulate() -> Command {
    Command::cargo_bin("simulate").unwrap()
}

const RANDOM_CITY: &str = r#"
[scenario]
name = "NAME"
start = 2024.0
end = 2028.0
trials = 4000
seed = 3

[[city]]
name = "A"
baseline = { dist = "lognormal", p5 = 800, p95 = 1500 }
growth = { dist = "normal", mean = 0.3, sd = 0.1 }
volatility = 0.1

[[city.project]]
name = "Big centre phase one"
capacity = { dist = "uniform", min = 200, max = 600 }
online = { dist = "uniform", min = 2025.0, max = 2026.0 }
probability = 0.5

[[city]]
name = "B"
baseline = 900
growth = { dist = "normal", mean = 0.35, sd = 0.1 }

[[target]]
city = "A"
at = 2026.0
capacity = 2000
"#;

fn write(dir: &Path, file: &str, name: &str, text: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, text.replace("NAME", name)).unwrap();
    path
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Median of city A at 2028 from summary.csv.
fn median_a(out: &Path, scenario: &str) -> f64 {
    let rows = csv_rows(&out.join(scenario).join("summary.csv"));
    let row = rows.iter().find(|r| r[0] == "A" && r[1] == "2028").unwrap();
    row[7].parse().unwrap()
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", "first", RANDOM_CITY);
    let b = write(dir.path(), "b.toml", "second", RANDOM_CITY);
    let out = dir.path().join("out");
    simulate()
        .arg(&a)
        .arg(&b)
        .args(["--compare", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    for chart in ["compare_a.png", "compare_b.png", "compare_total.png"] {
        let bytes = std::fs::read(out.join("compare").join(chart)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{chart} is not a PNG");
    }
    let rows = csv_rows(&out.join("compare").join("compare.csv"));
    // 2 scenarios x 3 series (A, B, Total) x 17 grid times.
    assert_eq!(rows.len(), 2 * 3 * 17);
    for r in &rows {
        assert_eq!(r[6], "0.0", "{r:?}");
    }
    let first: Vec<_> = rows.iter().filter(|r| r[0] == "first").collect();
    let second: Vec<_> = rows.iter().filter(|r| r[0] == "second").collect();
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(x[1..6], y[1..6]);
    }
}

#[test]
fn compare_aligns_seeds_so_a_changed_assumption_is_the_only_difference() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", "first", RANDOM_CITY);
    // Same assumptions for A, another seed in the file, and faster growth for B only.
    let changed = RANDOM_CITY
        .replace("seed = 3", "seed = 4")
        .replace("mean = 0.35", "mean = 0.45");
    let b = write(dir.path(), "b.toml", "second", &changed);
    let out = dir.path().join("out");
    simulate()
        .arg(&a)
        .arg(&b)
        .args(["--compare", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(contains("with seed 3"));
    let rows = csv_rows(&out.join("compare").join("compare.csv"));
    for r in rows.iter().filter(|r| r[0] == "second") {
        let diff: f64 = r[6].parse().unwrap();
        match r[1].as_str() {
            "A" => assert_eq!(diff, 0.0, "{r:?}"),
            "B" if r[2] != "2024" => assert!(diff > 0.0, "{r:?}"),
            _ => {}
        }
    }
}

#[test]
fn compare_needs_two_scenarios_with_distinct_names() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", "same", RANDOM_CITY);
    let b = write(dir.path(), "b.toml", "same", RANDOM_CITY);
    simulate()
        .arg(&a)
        .arg(&b)
        .args(["--compare", "-q", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(contains("\"same\""));
    simulate()
        .arg(&a)
        .args(["--compare", "-q"])
        .assert()
        .code(2)
        .stderr(contains("two or more"));
}

#[test]
fn set_with_a_higher_growth_raises_the_median_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", "s", RANDOM_CITY);
    let base = dir.path().join("base");
    let raised = dir.path().join("raised");
    simulate()
        .arg(&path)
        .args(["-q", "--out"])
        .arg(&base)
        .assert()
        .success();
    simulate()
        .arg(&path)
        .args(["-q", "--set", "city.A.growth.mean=0.5", "--out"])
        .arg(&raised)
        .assert()
        .success();
    assert!(median_a(&raised, "s") > median_a(&base, "s"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(raised.join("s").join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["metadata"]["overrides"],
        serde_json::json!(["city.A.growth.mean=0.5"])
    );
}

#[test]
fn set_addresses_projects_by_name_prefix_and_scenario_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", "s", RANDOM_CITY);
    let out = dir.path().join("out");
    simulate()
        .arg(&path)
        .args([
            "-q",
            "--set",
            "city.A.project[Big centre].probability=0",
            "--set",
            "scenario.trials=500",
            "--set",
            "city[B].volatility=0.2",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let summary = std::fs::read_to_string(out.join("s").join("summary.json")).unwrap();
    assert!(summary.contains("\"trials\": 500"), "{summary}");
    // With the project never delivered, its delivery is constant and not ranked.
    let sensitivity = std::fs::read_to_string(out.join("s").join("sensitivity.csv")).unwrap();
    assert!(!sensitivity.contains("project[Big centre phase one].probability"));
    assert!(sensitivity.contains("project[Big centre phase one].capacity"));
}

#[test]
fn set_with_an_unknown_path_fails_with_exit_2_listing_what_exists() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", "s", RANDOM_CITY);
    simulate()
        .arg(&path)
        .args(["-q", "--set", "city.Paris.growth=0.3"])
        .assert()
        .code(2)
        .stderr(contains("no element named \"Paris\""))
        .stderr(contains("\"A\", \"B\""));
    simulate()
        .arg(&path)
        .args(["-q", "--set", "city.A.growht=0.3"])
        .assert()
        .code(2)
        .stderr(contains("no key `growht`"))
        .stderr(contains("growth"));
    simulate()
        .arg(&path)
        .args(["-q", "--set", "city.A.growth.mean=-5"])
        .assert()
        .code(2)
        .stderr(contains("city[A].growth"));
    simulate()
        .arg(&path)
        .args(["-q", "--set", "no-equals-sign"])
        .assert()
        .code(2)
        .stderr(contains("PATH=VALUE"));
}

const DETERMINISTIC: &str = r#"
[scenario]
start = 2024.0
end = 2030.0
trials = 200

[[city]]
name = "A"
baseline = 1000
growth = 0.5
"#;

#[test]
fn goal_seeking_finds_the_growth_that_doubles_to_sixteen_thousand() {
    // 1000 (1 + g)^4 = 16000 at 2028.0 gives g = 1.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "d.toml", "d", DETERMINISTIC);
    let output = simulate()
        .arg(&path)
        .args([
            "--solve",
            "city.A.growth",
            "--target",
            "A>=16000@2028.0",
            "--probability",
            "0.8",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let answer = text
        .lines()
        .find_map(|l| l.strip_prefix("Answer: city.A.growth = "))
        .unwrap_or_else(|| panic!("no answer in {text}"));
    let value: f64 = answer.split_whitespace().next().unwrap().parse().unwrap();
    assert!((value - 1.0).abs() < 5e-4, "{text}");
    assert!(text.contains("no Monte Carlo uncertainty"), "{text}");
}

#[test]
fn goal_seeking_reports_uncertainty_for_a_random_model() {
    // Growth ~ N(mu, 0.1): P(1000 (1+g)^4 >= 16000) = P(g >= 1) = 0.5 exactly when mu = 1.
    let dir = tempfile::tempdir().unwrap();
    let text = DETERMINISTIC
        .replace(
            "growth = 0.5",
            "growth = { dist = \"normal\", mean = 0.5, sd = 0.1 }",
        )
        .replace("trials = 200", "trials = 20000");
    let path = write(dir.path(), "r.toml", "r", &text);
    let output = simulate()
        .arg(&path)
        .args([
            "--solve",
            "city.A.growth.mean",
            "--target",
            "A>=16000@2028",
            "--probability",
            "0.5",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let answer = text
        .lines()
        .find_map(|l| l.strip_prefix("Answer: city.A.growth.mean = "))
        .unwrap_or_else(|| panic!("no answer in {text}"));
    let mut words = answer.split_whitespace();
    let value: f64 = words.next().unwrap().parse().unwrap();
    assert_eq!(words.next(), Some("±"));
    let se: f64 = words.next().unwrap().parse().unwrap();
    // The median of g is mu, estimated from n draws: SE = sd sqrt(pi / 2) / sqrt(n) = 0.00089.
    let expected_se = 0.1 * (std::f64::consts::PI / 2.0).sqrt() / 20000f64.sqrt();
    assert!((value - 1.0).abs() < 4.5 * expected_se, "{text}");
    assert!(
        (se / expected_se - 1.0).abs() < 0.5,
        "reported SE {se} vs {expected_se}: {text}"
    );
}

#[test]
fn goal_seeking_says_plainly_when_no_value_reaches_the_goal() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "d.toml", "d", DETERMINISTIC);
    simulate()
        .arg(&path)
        .args([
            "--solve",
            "city.A.growth",
            "--target",
            "A>=16000@2028.0",
            "--probability",
            "0.8",
            "--solve-range",
            "0,0.5",
        ])
        .assert()
        .code(1)
        .stdout(contains(
            "No value of city.A.growth in [0, 0.5] reaches 80.0%",
        ));
    simulate()
        .arg(&path)
        .args([
            "--solve",
            "city.A.growth",
            "--target",
            "Nowhere>=16000@2028.0",
            "--probability",
            "0.8",
        ])
        .assert()
        .code(2)
        .stderr(contains("no city or group \"Nowhere\""));
}

#[test]
fn sharded_runs_with_overrides_merge_into_the_single_run_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", "s", RANDOM_CITY);
    let set = [
        "--set",
        "city.B.growth.mean=0.5",
        "--sensitivity-at",
        "2027",
    ];
    let single = dir.path().join("single");
    simulate()
        .arg(&path)
        .args(["-q", "--no-plots"])
        .args(set)
        .arg("--out")
        .arg(&single)
        .assert()
        .success();
    let shards = dir.path().join("shards");
    for i in 0..2 {
        simulate()
            .arg(&path)
            .args(["-q", "--shard", &format!("{i}/2")])
            .args(set)
            .arg("--out")
            .arg(&shards)
            .assert()
            .success();
    }
    let merged = dir.path().join("merged");
    let parts: Vec<PathBuf> = (0..2)
        .map(|i| shards.join("s").join(format!("part-{i:04}-of-0002.json")))
        .collect();
    simulate()
        .arg("merge")
        .args(&parts)
        .args(["-q", "--no-plots", "--out"])
        .arg(&merged)
        .assert()
        .success();
    for file in [
        "summary.csv",
        "crossing.csv",
        "overtake.csv",
        "sensitivity.csv",
    ] {
        let a = std::fs::read(single.join("s").join(file)).unwrap();
        let b = std::fs::read(merged.join("s").join(file)).unwrap();
        assert!(a == b, "{file} differs after the merge");
    }
    let sensitivity = std::fs::read_to_string(merged.join("s").join("sensitivity.csv")).unwrap();
    assert!(sensitivity.contains("\nA,2027,"), "{sensitivity}");
    let json = std::fs::read_to_string(merged.join("s").join("summary.json")).unwrap();
    assert!(json.contains("city.B.growth.mean=0.5"), "{json}");
}
