//! The analyst's side of --compare and --solve: targets side by side (CSV, terminal, chart),
//! notes when the scenarios' series and cities differ, and --solve's range, words and files.

use assert_cmd::Command;
use std::path::Path;

fn simulate() -> Command {
    Command::cargo_bin("simulate").unwrap()
}

fn scenario(name: &str, cities: &str, targets: &str) -> String {
    format!(
        "[scenario]\nname = \"{name}\"\nstart = 2024.0\nend = 2027.0\ntrials = 3000\nseed = 5\n\
         {cities}{targets}"
    )
}

fn city(name: &str, mean: f64) -> String {
    format!(
        "[[city]]\nname = \"{name}\"\nbaseline = 1000\n\
         growth = {{ dist = \"normal\", mean = {mean}, sd = 0.1 }}\n"
    )
}

fn target(city: &str, capacity: u32) -> String {
    format!("[[target]]\ncity = \"{city}\"\nat = 2026.0\ncapacity = {capacity}\n")
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn compare_puts_each_targets_probability_side_by_side_and_says_when_cities_differ() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    let both = format!("{}{}", target("A", 1500), target("Total", 2600));
    std::fs::write(
        &a,
        scenario("alpha", &(city("A", 0.3) + &city("B", 0.3)), &both),
    )
    .unwrap();
    let b_targets = format!("{both}{}", target("C", 1200));
    std::fs::write(
        &b,
        scenario("beta", &(city("A", 0.5) + &city("C", 0.2)), &b_targets),
    )
    .unwrap();
    let out = dir.path().join("out");
    let assert = simulate()
        .arg(&a)
        .arg(&b)
        .args(["--compare", "--format", "svg", "-o"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    // Each scenario's own targets.csv row, and the comparison's, are the same numbers.
    let compared = rows(&out.join("compare/compare_targets.csv"));
    assert_eq!(compared.len(), 5, "{compared:?}");
    for (scenario, folder) in [("alpha", "alpha"), ("beta", "beta")] {
        for own in rows(&out.join(folder).join("targets.csv")) {
            let found = compared
                .iter()
                .find(|r| r[5] == scenario && r[0] == own[0] && r[4] == own[2])
                .unwrap_or_else(|| panic!("{own:?} of {scenario} not in {compared:?}"));
            assert_eq!(found[6], own[3], "probability of {own:?}");
            assert_eq!(found[7], own[5], "standard error of {own:?}");
            assert_eq!(
                (found[2].as_str(), found[3].as_str()),
                ("2026-01-01", "end-2025")
            );
        }
    }
    assert!(!compared.iter().any(|r| r[0] == "C" && r[5] == "alpha"));
    for needle in [
        "| Target",
        "C >= 1.20k P by end-2025",
        "alpha lacks C; beta lacks B",
        "the scenarios' cities differ",
    ] {
        assert!(stdout.contains(needle), "{needle} not in:\n{stdout}");
    }
    // A chart for every series any scenario has; the notes on the charts and the page.
    for chart in [
        "compare_a",
        "compare_b",
        "compare_c",
        "compare_total",
        "compare_targets",
    ] {
        assert!(out.join(format!("compare/{chart}.svg")).exists(), "{chart}");
    }
    let total = std::fs::read_to_string(out.join("compare/compare_total.svg")).unwrap();
    assert!(total.contains("Totals over different cities"));
    let c = std::fs::read_to_string(out.join("compare/compare_c.svg")).unwrap();
    assert!(c.contains("Not in scenario alpha"));
    let page = std::fs::read_to_string(out.join("compare/report.html")).unwrap();
    assert!(page.contains("class=\"note\"") && page.contains("cities differ"));
}

const ONE_PROJECT: &str = "[scenario]\nname = \"p\"\nstart = 2024.0\nend = 2027.0\n\
    trials = 20000\nseed = 9\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.0\n\
    [[city.project]]\nname = \"Hub\"\ncapacity = 1000\nonline = 2025.0\nprobability = 0.5\n\
    ramp_years = 0.0\n";

#[test]
fn solve_searches_a_probability_over_0_to_1_and_answers_in_its_terms_and_files() {
    // A reaches 2000 P exactly when the project is delivered: the goal "80% of trials" needs a
    // delivery probability of 0.8, estimated from 20,000 draws: SE sqrt(0.8 0.2 / 20000).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(&path, ONE_PROJECT).unwrap();
    let out = dir.path().join("out");
    let assert = simulate()
        .arg(&path)
        .args(["--solve", "city.A.project[Hub].probability"])
        .args(["--target", "A>=1900@2026", "--probability", "0.8", "-o"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stdout.contains("over [0, 1]"), "{stdout}");
    assert!(
        stderr.contains("solve: run 1: city.A.project[Hub].probability"),
        "{stderr}"
    );
    assert!(
        stdout.contains("In words: Hub (A) needs a delivery probability of at least "),
        "{stdout}"
    );
    assert!(stdout.contains("against 50.0% in the scenario"), "{stdout}");
    let table = rows(&out.join("p/solve/solve.csv"));
    assert_eq!(table.len(), 1);
    let row = &table[0];
    assert_eq!((row[7].as_str(), row[10].as_str()), ("found", "at_least"));
    assert_eq!((row[12].as_str(), row[13].as_str()), ("0", "1"));
    let value: f64 = row[8].parse().unwrap();
    let se = (0.8f64 * 0.2 / 20_000.0).sqrt();
    assert!((value - 0.8).abs() < 4.5 * se, "{value}");
    let reported_se: f64 = row[9].parse().unwrap();
    assert!(
        (reported_se / se - 1.0).abs() < 0.5,
        "{reported_se} vs {se}"
    );
    let page = std::fs::read_to_string(out.join("p/solve/report.html")).unwrap();
    assert!(page.contains("needs a delivery probability of at least"));
}

#[test]
fn solve_refuses_a_whole_distribution_and_names_its_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.toml");
    std::fs::write(&path, scenario("d", &city("A", 0.3), &target("A", 1500))).unwrap();
    simulate()
        .arg(&path)
        .args(["--solve", "city.A.growth", "--target", "A>=1500@2026"])
        .args(["--probability", "0.5"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "city.A.growth is a distribution (normal); solve one of its parameters: \
             city.A.growth.mean, city.A.growth.sd",
        ));
}

#[test]
fn solve_over_a_whole_probability_range_says_no_value_can_meet_the_goal() {
    // A holds 1000 P and the project adds 1000 P: 2500 P by 2026 is out of reach whether the
    // project is delivered or not, so the probability is exactly 0 at both ends of [0, 1].
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(&path, ONE_PROJECT.replace("20000", "2000")).unwrap();
    let assert = simulate()
        .arg(&path)
        .args(["--solve", "city.A.project[Hub].probability"])
        .args([
            "--target",
            "A>=2500@2026",
            "--probability",
            "0.8",
            "--no-plots",
        ])
        .arg("-o")
        .arg(dir.path().join("out"))
        .assert()
        .failure();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        stdout.contains(
            "No value of city.A.project[Hub].probability in its valid range [0, 1] meets the \
             goal of 80.0%: the probability is 0.0% at 0 and 0.0% at 1."
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("--solve-range"), "{stdout}");
}
