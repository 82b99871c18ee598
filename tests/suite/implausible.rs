//! Implausible inputs (issue 13): valid scenarios that are almost surely a slip get a warning on
//! stderr and in summary.json's `warnings`, never a different result; `--strict` makes them an
//! error (exit 2, nothing written). The README's examples and the shipped scenarios raise none.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn simulate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_simulate"))
}

const HEADER: &str = "[scenario]\nname = \"s\"\nstart = 2024.5\nend = 2028.0\ntrials = 400\n";

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("s.toml");
    std::fs::write(&path, format!("{HEADER}{text}")).unwrap();
    path
}

fn run(file: &Path, out: &Path, extra: &[&str]) -> Output {
    simulate()
        .arg(file)
        .args(["-q", "--no-plots", "-o"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn warnings_in_json(out: &Path) -> Vec<String> {
    let bytes = std::fs::read(out.join("s").join("summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    json["warnings"]
        .as_array()
        .expect("a warnings list")
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// Runs `text` plain and with --strict: the plain run succeeds with a warning containing
/// `expected` on stderr and in summary.json; the strict run exits 2 and writes nothing.
fn warns(text: &str, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), text);
    let out = dir.path().join("out");
    let plain = run(&file, &out, &[]);
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert!(plain.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: ") && stderr.contains(expected),
        "{stderr}"
    );
    let listed = warnings_in_json(&out);
    assert!(listed.iter().any(|w| w.contains(expected)), "{listed:?}");
    let strict_out = dir.path().join("strict");
    let strict = run(&file, &strict_out, &["--strict"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--strict"), "{stderr}");
    assert!(!strict_out.join("s").join("summary.csv").exists());
}

#[test]
fn implausible_growth_mean_of_40_warns() {
    warns(
        "[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 40\n",
        "city[A].growth has a mean of 40",
    );
}

#[test]
fn implausible_growth_below_minus_half_warns() {
    warns(
        "[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = { dist = \"normal\", mean = -0.7, sd = 0.05 }\n",
        "city[A].growth has a mean of -0.7",
    );
}

#[test]
fn implausible_power_cap_binding_at_the_start_warns() {
    // The README's old example: 1,500 MW x 0.6 P per MW capped a 21,000 P baseline at 900 P.
    warns(
        "[[city]]\nname = \"Beijing\"\nbaseline = 21000\ngrowth = 0.3\n\
         [city.power]\nmw = 1500\np_per_mw = 0.6\n",
        "city[Beijing].power caps capacity at the start",
    );
}

#[test]
fn implausible_capacity_100_times_another_citys_warns() {
    warns(
        "[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.3\n\
         [[city]]\nname = \"B\"\nbaseline = 5\ngrowth = 0.3\n",
        "is more than 100 times city[B]'s baseline",
    );
    warns(
        "[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.3\n\
         [[city.project]]\nname = \"Huge\"\ncapacity = 2_000_000\nonline = 2026\n\
         [[city]]\nname = \"B\"\nbaseline = 1000\ngrowth = 0.3\n",
        "city[A].project[Huge].capacity",
    );
}

#[test]
fn implausible_target_met_at_the_start_warns() {
    warns(
        "[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.3\n\
         [[target]]\ncity = \"A\"\nat = 2027.0\ncapacity = 500\n",
        "already met at the start",
    );
}

#[test]
fn implausible_warnings_change_no_result_and_plausible_inputs_raise_none() {
    let dir = tempfile::tempdir().unwrap();
    let plain = "[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.3\n\
                 [[target]]\ncity = \"A\"\nat = 2027.0\ncapacity = 5000\n";
    let file = write(dir.path(), plain);
    let out = dir.path().join("quiet");
    let result = run(&file, &out, &["--strict"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(warnings_in_json(&out).is_empty());
    // The same scenario with an extra slip elsewhere (a second city 200 times smaller) keeps
    // city A's figures byte for byte.
    let slip = format!("{plain}[[city]]\nname = \"B\"\nbaseline = 5\ngrowth = 0.3\n");
    let file = write(dir.path(), &slip);
    let loud = dir.path().join("loud");
    assert!(run(&file, &loud, &[]).status.success());
    assert!(!warnings_in_json(&loud).is_empty());
    let rows = |dir: &Path| -> Vec<String> {
        std::fs::read_to_string(dir.join("s").join("summary.csv"))
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("A,"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rows(&out), rows(&loud));
}

#[test]
fn implausible_none_in_the_shipped_scenarios_or_the_readme_power_example() {
    let dir = tempfile::tempdir().unwrap();
    for s in ["base", "high", "low", "export-controls"] {
        let out = dir.path().join(s);
        let result = simulate()
            .arg(format!("scenarios/{s}.toml"))
            .args(["-q", "--no-plots", "-n", "2000", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{stderr}");
        for line in stderr.lines().filter(|l| l.starts_with("warning: ")) {
            assert!(line.contains("disagree"), "{s}: {line}");
        }
    }
    // The README's [city.power] block on its Beijing (20,000 P baseline).
    let readme = std::fs::read_to_string("README.md").unwrap();
    let block: String = readme
        .lines()
        .skip_while(|l| !l.starts_with("[city.power]"))
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{}\n", l.split('#').next().unwrap()))
        .collect();
    assert!(block.contains("p_per_mw"), "no power example in README");
    let text = format!("[[city]]\nname = \"Beijing\"\nbaseline = 20_000\ngrowth = 0.3\n{block}");
    let file = write(dir.path(), &text);
    let out = dir.path().join("readme");
    let result = run(&file, &out, &["--strict"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn strict_check_and_strict_shards_refuse_the_warnings_that_need_no_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "\n[[city]]\nname = \"A\"\nbaseline = 100\n\
         growth = { dist = \"normal\", mean = 40, sd = 0.1 }\n",
    );
    let check = simulate().arg(&file).arg("--check").output().unwrap();
    assert_eq!(check.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&check.stderr).contains("mean of 40"));
    let strict = simulate()
        .arg(&file)
        .args(["--check", "--strict"])
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(2));
    let out = dir.path().join("out");
    let shard = simulate()
        .arg(&file)
        .args(["--shard", "0/2", "--strict", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(shard.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&shard.stderr).contains("nothing was run or written"));
    assert!(!out.exists(), "no part file");
}
