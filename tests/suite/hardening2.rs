//! Issue 13, "Hardening, round two": one regression test per numbered defect, each named
//! after it (`d1_...` for defect 1), run against the real binary where the defect was seen.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn simulate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_simulate"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "panic:\n{err}");
    assert_ne!(out.status.code(), Some(101), "panic exit:\n{err}");
}

/// Writes `text` as `name` in `dir` and returns its path.
fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A one-city scenario named by its file, with `extra` appended to its `[scenario]` table.
fn one_city(extra: &str) -> String {
    format!(
        "[scenario]\nstart = 2024.5\nend = 2026.0\ntrials = 500\nseed = 1\n{extra}\n\
         [[city]]\nname = \"A\"\nbaseline = 100\ngrowth = 0.1\n"
    )
}

#[test]
fn d1_closed_stdout_ends_printing_quietly_and_files_complete() {
    let out = tempfile::tempdir().unwrap();
    let mut child = simulate()
        .args(["scenarios/base.toml", "-n", "1000", "-o"])
        .arg(out.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let result = child.wait_with_output().unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let dir = out.path().join("base");
    assert!(dir.join("summary.csv").is_file());
    assert!(dir.join("fan_total.png").is_file(), "charts not drawn");
}

#[test]
fn d1_full_stdout_is_exit_1_with_a_message() {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let result = simulate()
        .args(["--check", "scenarios/base.toml"])
        .stdout(full)
        .output()
        .unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("standard output"),
        "{}",
        stderr(&result)
    );
}

#[test]
fn d6_file_name_as_scenario_name_follows_the_rules_of_scenario_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for name in ["...toml", "..toml", "a b.toml"] {
        let file = write(dir.path(), name, &one_city(""));
        let result = simulate()
            .arg(&file)
            .args(["-q", "--no-plots", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        no_panic(&result);
        assert_eq!(result.status.code(), Some(2), "{name}: {}", stderr(&result));
        assert!(
            stderr(&result).contains("scenario.name"),
            "{}",
            stderr(&result)
        );
        assert!(!out.exists(), "{name}: wrote into {}", out.display());
        let stray: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv") || n.ends_with(".json"))
            .collect();
        assert!(stray.is_empty(), "{name}: wrote {stray:?}");
    }
}

#[test]
fn d14_control_characters_in_names_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_city("").replace("name = \"A\"", "name = \"A\\u001b[2J\\u0007\"");
    let file = write(dir.path(), "esc.toml", &text);
    let result = simulate()
        .arg(&file)
        .args(["--no-plots", "-o"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout}"
    );
    assert!(stdout.contains("\\u{1b}"), "{stdout}");
    // Also in error messages: a duplicate name is quoted escaped.
    let dup =
        format!("{text}[[city]]\nname = \"A\\u001b[2J\\u0007\"\nbaseline = 1\ngrowth = 0.1\n");
    let file = write(dir.path(), "dup.toml", &dup);
    let result = simulate().arg("--check").arg(&file).output().unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert!(!stderr(&result).contains('\u{1b}'), "{}", stderr(&result));
}

#[test]
fn d14_seed_limit_in_code_matches_the_docs() {
    let docs = std::fs::read_to_string("docs/scenarios.md").unwrap();
    assert!(docs.contains("0 to 2^63 - 1"));
    let too_big = u64::MAX.to_string();
    let result = simulate()
        .args(["--check", "scenarios/base.toml", "-s", &too_big])
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    let max = (i64::MAX as u64).to_string();
    let result = simulate()
        .args(["--check", "scenarios/base.toml", "-s", &max])
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
}

#[test]
fn d13_solve_says_the_goal_is_met_everywhere_in_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "met.toml", &one_city(""));
    let result = simulate()
        .arg(&file)
        .args(["--solve", "city.A.growth", "--target", "A>=50@2026.0"])
        .args(["--probability", "0.5", "--solve-range", "0,1.6"])
        .output()
        .unwrap();
    no_panic(&result);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(!stdout.contains("No value"), "{stdout}");
    assert!(
        stdout.contains("met everywhere in the searched range [0, 1.6]"),
        "{stdout}"
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
}

#[test]
fn d9_every_unknown_key_and_wrong_type_is_listed_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[scenario]\nstart = 2024.0\nend = 2026.0\ntrials = \"many\"\nsed = 1\n\
                [[city]]\nname = \"A\"\nbasline = 1\ngrowth = 0.1\nvolatility = \"high\"\n\
                [city.power]\nmw = \"x\"\np_per_kw = 1\n\
                [[city.project]]\nname = \"P\"\ncapacity = 1\nonline = 2025.0\nprob = 1\n\
                [[target]]\ncity = \"A\"\nat = 2025.0\ncapacity = true\n";
    let file = write(dir.path(), "eight.toml", text);
    let result = simulate().arg("--check").arg(&file).output().unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2));
    let err = stderr(&result);
    for key in [
        "scenario.trials",
        "scenario.sed",
        "city[A].basline",
        "city[A].volatility",
        "city[A].power.mw",
        "city[A].power.p_per_kw",
        "city[A].project[P].prob",
        "target[0].capacity",
    ] {
        assert!(
            err.contains(&format!("key `{key}`")),
            "{key} not named:\n{err}"
        );
    }
    assert!(err.contains("missing field `baseline`"), "{err}");
    assert!(err.contains("eight.toml:4:"), "no line and column:\n{err}");
}

#[test]
fn d10_oversize_input_files_are_refused_before_being_read() {
    let result = simulate().args(["--check", "/dev/zero"]).output().unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(stderr(&result).contains("16 MiB"), "{}", stderr(&result));
}

#[test]
fn d10_a_run_that_will_not_fit_in_memory_is_refused_with_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let mut text =
        "[scenario]\nstart = 2024.0\nend = 2027.0\nsteps_per_year = 1\ntrials = 200\n".to_string();
    for i in 0..10_000 {
        text.push_str(&format!(
            "[[city]]\nname = \"c{i}\"\nbaseline = 1\ngrowth = 0.1\n"
        ));
    }
    let file = write(dir.path(), "many.toml", &text);
    let result = simulate().arg("--check").arg(&file).output().unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    let err = stderr(&result);
    assert!(
        err.contains("GB of memory") && err.contains("limit of 1.0 GB"),
        "{err}"
    );
}

/// Runs shard `shard` of the one-city scenario `file` into `out`; returns the part's path.
fn part(file: &Path, shard: &str, out: &Path) -> std::path::PathBuf {
    let result = simulate()
        .arg(file)
        .args(["-q", "--shard", shard, "-o"])
        .arg(out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
    let (i, n) = shard.split_once('/').unwrap();
    let stem = file.file_stem().unwrap();
    out.join(stem).join(format!("part-{i:0>4}-of-{n:0>4}.json"))
}

fn merge(parts: &[std::path::PathBuf], out: &Path) -> Output {
    let result = simulate()
        .arg("merge")
        .args(parts)
        .args(["-q", "--no-plots", "--out"])
        .arg(out)
        .output()
        .unwrap();
    no_panic(&result);
    result
}

#[test]
fn d8_merge_of_a_huge_shard_count_is_refused_with_a_short_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.toml", &one_city(""));
    let p = part(&file, &format!("0/{}", u64::MAX), &dir.path().join("parts"));
    let result = merge(&[p], &dir.path().join("out"));
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    let err = stderr(&result);
    assert!(err.len() < 400, "message of {} bytes", err.len());
    assert!(
        err.contains("1, 2, 3, 4, 5 and 18446744073709551609 more"),
        "{err}"
    );
}

#[test]
fn d8_merge_refuses_edited_parts() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_city("").replace(
        "growth = 0.1",
        "growth = { dist = \"normal\", mean = 0.1, sd = 0.1 }",
    ) + "[[target]]\ncity = \"A\"\nat = 2025.0\ncapacity = 100\n";
    let file = write(dir.path(), "e.toml", &text);
    let parts = [
        part(&file, "0/2", &dir.path().join("p")),
        part(&file, "1/2", &dir.path().join("p")),
    ];
    let original = std::fs::read_to_string(&parts[0]).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 5] = [
        ("short cells", |v| {
            v["aggregate"]["cells"].as_array_mut().unwrap().pop();
        }),
        ("hits above trials", |v| {
            v["aggregate"]["target_hits"][0] = 999_999.into()
        }),
        ("grid count", |v| v["aggregate"]["grid_len"] = 3.into()),
        ("trial range", |v| v["trial_end"] = 7.into()),
        ("cell count", |v| {
            v["aggregate"]["cells"][0]["count"] = 1.into()
        }),
    ];
    for (what, edit) in edits {
        let mut v: serde_json::Value = serde_json::from_str(&original).unwrap();
        edit(&mut v);
        std::fs::write(&parts[0], serde_json::to_vec(&v).unwrap()).unwrap();
        let result = merge(&parts, &dir.path().join("out"));
        assert_eq!(result.status.code(), Some(2), "{what}: {}", stderr(&result));
        assert!(!dir.path().join("out").exists(), "{what}: wrote tables");
    }
    std::fs::write(&parts[0], original).unwrap();
    let result = merge(&parts, &dir.path().join("out"));
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
}

#[test]
fn d5_folder_holds_exactly_the_last_runs_files_and_foreign_files_stay() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let old = one_city("name = \"s\"").replace("name = \"A\"", "name = \"Old\"")
        + "utilisation = 0.5\n[city.power]\nmw = 1000\np_per_mw = 1\n";
    let old = write(dir.path(), "old.toml", &old);
    let run = |file: &Path| {
        let result = simulate()
            .arg(file)
            .args(["-q", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(result.status.success(), "{}", stderr(&result));
    };
    run(&old);
    let folder = out.join("s");
    for f in ["used.csv", "power.csv", "fan_old.png"] {
        assert!(folder.join(f).is_file(), "{f} not written by the first run");
    }
    std::fs::write(folder.join("notes.txt"), "mine").unwrap();
    std::fs::write(folder.join("part-0000-of-0002.json"), "{}").unwrap();
    let new = write(dir.path(), "new.toml", &one_city("name = \"s\""));
    run(&new);
    for f in ["used.csv", "power.csv", "fan_old.png"] {
        assert!(
            !folder.join(f).exists(),
            "stale {f} left beside the new tables"
        );
    }
    for f in [
        "notes.txt",
        "part-0000-of-0002.json",
        "fan_a.png",
        "summary.csv",
    ] {
        assert!(folder.join(f).is_file(), "{f} missing");
    }
}

#[test]
fn d5_two_scenarios_with_one_name_in_one_invocation_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", &one_city("name = \"same\""));
    let b = write(dir.path(), "b.toml", &one_city("name = \"same\""));
    let out = dir.path().join("out");
    let result = simulate()
        .arg(&a)
        .arg(&b)
        .args(["-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("same folder"),
        "{}",
        stderr(&result)
    );
    assert!(!out.exists());
}

#[test]
fn d11_a_total_that_could_pass_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = "[scenario]\nstart = 2024.0\nend = 2025.0\ntrials = 200\n".to_string();
    for name in ["A", "B", "C"] {
        text.push_str(&format!(
            "[[city]]\nname = \"{name}\"\nbaseline = 4e299\ngrowth = 0.0\n"
        ));
    }
    let file = write(dir.path(), "total.toml", &text);
    let result = simulate().arg("--check").arg(&file).output().unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(stderr(&result).contains("the Total of the cities could exceed"));
    // Each city alone is fine.
    let one = text
        .split("[[city]]")
        .take(2)
        .collect::<Vec<_>>()
        .join("[[city]]");
    let file = write(dir.path(), "one.toml", &one);
    let result = simulate().arg("--check").arg(&file).output().unwrap();
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
}

fn files_with(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

fn cities(names: &[&str]) -> String {
    let mut text = "[scenario]\nstart = 2024.0\nend = 2025.0\ntrials = 200\n".to_string();
    for name in names {
        text.push_str(&format!(
            "[[city]]\nname = \"{name}\"\nbaseline = 10\ngrowth = 0.1\n"
        ));
    }
    text
}

#[test]
fn d12_chart_file_names_are_unique_and_short() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(252);
    let file = write(dir.path(), "c.toml", &cities(&["a", "a 3", "A", &long]));
    let out = dir.path().join("out");
    let result = simulate()
        .arg(&file)
        .args(["-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let fans = files_with(&out.join("c"), "fan_");
    assert_eq!(fans.len(), 5, "{fans:?}");
    assert!(fans.iter().all(|f| f.len() <= 60), "{fans:?}");
    // --compare keeps one chart per series: total, "A B", "A_B" and the Total.
    let b = write(dir.path(), "d.toml", &cities(&["total", "A B", "A_B"]));
    let e = write(
        dir.path(),
        "e.toml",
        &cities(&["total", "A B", "A_B"]).replace("[scenario]", "[scenario]\nname = \"e\""),
    );
    let result = simulate()
        .arg(&b)
        .arg(&e)
        .args(["-q", "--compare", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    // The charts only: compare_targets.csv sits beside them.
    let charts: Vec<String> = files_with(&out.join("compare"), "compare_")
        .into_iter()
        .filter(|f| f.ends_with(".png"))
        .collect();
    assert_eq!(charts.len(), 4, "{charts:?}");
}
