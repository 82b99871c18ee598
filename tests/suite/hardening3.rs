//! Issue 13, round two, continued: merge under signals (defect 2), one writer per output
//! folder (defect 3), a set published in one step (defect 4).

use crate::interruptions::{earlier_run, signal_and_wait, snapshot, temporary_files};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

fn simulate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_simulate"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Part files of base.toml (`count` shards of `trials` trials) written under `dir`.
fn parts(dir: &Path, trials: &str, count: u32) -> Vec<PathBuf> {
    (0..count)
        .map(|i| {
            let status = simulate()
                .args(["scenarios/base.toml", "-q", "-n", trials, "--shard"])
                .arg(format!("{i}/{count}"))
                .arg("-o")
                .arg(dir)
                .status()
                .unwrap();
            assert!(status.success());
            dir.join("base")
                .join(format!("part-{i:04}-of-{count:04}.json"))
        })
        .collect()
}

/// Starts a merge and waits for its announcement (after the signal handlers are installed).
fn start_merge(parts: &[PathBuf], out: &Path) -> Child {
    let mut child = simulate()
        .arg("merge")
        .args(parts)
        .arg("-o")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.contains("Ctrl-C stops the merge"), "{line}");
    child.stderr = Some(reader.into_inner());
    child
}

fn merge_stopped_writes_nothing(signals: &[&str], code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let parts = parts(&dir.path().join("parts"), "4000", 4);
    let out = dir.path().join("out");
    earlier_run(&out);
    let before = snapshot(&out);
    let child = start_merge(&parts, &out);
    for extra in &signals[1..] {
        let ok = Command::new("kill")
            .arg(format!("-{extra}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(ok.success());
    }
    let (status, stderr) = signal_and_wait(child, signals[0]);
    assert_eq!(status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    if signals.len() == 1 {
        assert!(stderr.contains("interrupted by"), "{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
    }
    assert_eq!(snapshot(&out), before, "the output folder changed");
    assert!(temporary_files(dir.path()).is_empty());
}

#[test]
fn d2_merge_stopped_by_sigint_exits_130_and_writes_nothing() {
    merge_stopped_writes_nothing(&["INT"], 130);
}

#[test]
fn d2_merge_stopped_by_sigterm_exits_143_and_writes_nothing() {
    merge_stopped_writes_nothing(&["TERM"], 143);
}

#[test]
fn d2_merge_stopped_by_a_second_signal_leaves_no_temporary_file() {
    merge_stopped_writes_nothing(&["INT", "INT"], 130);
}

fn quick_run(out: &Path, trials: &str) -> Output {
    simulate()
        .args([
            "scenarios/base.toml",
            "-q",
            "--no-plots",
            "-n",
            trials,
            "-o",
        ])
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn d3_a_held_lock_makes_a_second_writer_refuse_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    earlier_run(&out);
    let lock_path = out.join("base").join(".simulate.lock");
    std::fs::write(&lock_path, "4242\n").unwrap();
    let lock = std::fs::File::open(&lock_path).unwrap();
    lock.lock().unwrap();
    let before = snapshot(&out);
    let result = quick_run(&out, "1500");
    let text = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{text}");
    assert!(text.contains("PID 4242"), "{text}");
    assert!(text.contains("another simulate"), "{text}");
    assert_eq!(snapshot(&out), before);
    drop(lock);
}

#[test]
fn d3_a_stale_lock_from_a_dead_process_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    earlier_run(&out);
    let mut dead = Command::new("true").spawn().unwrap();
    let pid = dead.id();
    dead.wait().unwrap();
    let lock_path = out.join("base").join(".simulate.lock");
    std::fs::write(&lock_path, format!("{pid}\n")).unwrap();
    let result = quick_run(&out, "1500");
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!lock_path.exists(), "the stale lock file was left");
    assert!(out.join("base").join("summary.csv").is_file());
}

#[test]
fn d3_two_runs_at_once_leave_one_whole_set() {
    let dir = tempfile::tempdir().unwrap();
    let reference = |trials: &str| {
        let out = dir.path().join(format!("ref{trials}"));
        assert!(quick_run(&out, trials).status.success());
        csv_set(&out.join("base"))
    };
    let (a, b) = (reference("1000"), reference("1500"));
    for round in 0..3 {
        let out = dir.path().join(format!("out{round}"));
        let runs: Vec<Child> = ["1000", "1500"]
            .iter()
            .map(|n| {
                simulate()
                    .args(["scenarios/base.toml", "-q", "--no-plots", "-n", n, "-o"])
                    .arg(&out)
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut run in runs {
            assert!(run.wait().unwrap().success());
        }
        let got = csv_set(&out.join("base"));
        assert!(got == a || got == b, "round {round}: a mixed set");
        assert!(!out.join("base").join(".simulate.lock").exists());
    }
}

/// Every CSV table of a folder with its bytes.
fn csv_set(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".csv"))
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn d4_a_folder_in_a_tables_place_leaves_the_old_set_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    earlier_run(&out);
    let blocker = out.join("base").join("targets.csv");
    std::fs::remove_file(&blocker).unwrap();
    std::fs::create_dir_all(blocker.join("occupied")).unwrap();
    std::fs::write(blocker.join("occupied").join("mine.txt"), "mine").unwrap();
    let before = snapshot(&out);
    let result = quick_run(&out, "1500");
    let text = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{text}");
    assert!(text.contains(&blocker.display().to_string()), "{text}");
    assert_eq!(snapshot(&out), before, "part of the set changed");
    assert!(temporary_files(dir.path()).is_empty());
    assert!(dir.path().read_dir().unwrap().count() == 1, "staging left");
}

#[test]
fn d4_merge_and_compare_publish_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let parts = parts(&dir.path().join("parts"), "1000", 2);
    let out = dir.path().join("out");
    earlier_run(&out);
    std::fs::remove_file(out.join("base").join("summary.json")).unwrap();
    std::fs::create_dir(out.join("base").join("summary.json")).unwrap();
    let before = snapshot(&out);
    let merged = simulate()
        .args(["merge", "-q", "--no-plots"])
        .args(&parts)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert_eq!(snapshot(&out), before);
    std::fs::remove_dir(out.join("base").join("summary.json")).unwrap();
    let compare = out.join("compare");
    std::fs::create_dir_all(compare.join("compare.csv")).unwrap();
    std::fs::write(compare.join("notes.txt"), "mine").unwrap();
    let result = simulate()
        .args([
            "scenarios/base.toml",
            "scenarios/high.toml",
            "--compare",
            "-q",
        ])
        .args(["--no-plots", "-n", "500", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert!(compare.join("compare.csv").is_dir());
    std::fs::remove_dir(compare.join("compare.csv")).unwrap();
    std::fs::write(compare.join("compare_stale.png"), "old").unwrap();
    let result = simulate()
        .args([
            "scenarios/base.toml",
            "scenarios/high.toml",
            "--compare",
            "-q",
        ])
        .args(["--no-plots", "-n", "500", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(compare.join("compare.csv").is_file());
    assert!(compare.join("notes.txt").is_file());
    assert!(!compare.join("compare_stale.png").exists());
}

#[test]
fn d12_summary_json_lists_every_chart_with_the_series_it_shows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let result = simulate()
        .args(["scenarios/base.toml", "-q", "-n", "1000", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
    let folder = out.join("base");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("summary.json")).unwrap()).unwrap();
    let charts = json["charts"].as_array().expect("a charts list");
    let mut listed: Vec<String> = charts
        .iter()
        .map(|c| c["file"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".png"))
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk);
    let entry = |file: &str| charts.iter().find(|c| c["file"] == file).unwrap().clone();
    assert_eq!(entry("fan_beijing.png")["kind"], "fan");
    assert_eq!(
        entry("fan_beijing.png")["series"],
        serde_json::json!(["Beijing"])
    );
    assert_eq!(
        entry("fan_total.png")["series"],
        serde_json::json!(["Total"])
    );
    assert_eq!(
        entry("cities.png")["series"],
        serde_json::json!(["Beijing", "Shanghai", "Shenzhen"])
    );
    let quiet = simulate()
        .args([
            "scenarios/base.toml",
            "-q",
            "--no-plots",
            "-n",
            "1000",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(quiet.status.success());
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["charts"], serde_json::json!([]));
}

/// The correlation of two equally long samples.
fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn d7_a_project_named_like_a_city_quantity_draws_on_its_own_stream() {
    use simulate::model::Model;
    // Before 0.4.0, project `lifetime` of city A used the stream of A's lifetime draw: the
    // project was delivered exactly in the trials with a short lifetime.
    for (project, input) in [
        ("lifetime", "A.lifetime"),
        ("growth_long_run", "A.growth_long_run"),
    ] {
        let text = format!(
            "[scenario]\nstart = 2024.0\nend = 2030.0\nsteps_per_year = 4\nseed = 5\ntrials = 4000\n\
             [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.2\n\
             lifetime = {{ dist = \"uniform\", min = 3, max = 9 }}\n\
             growth_long_run = {{ dist = \"uniform\", min = 0.0, max = 0.2 }}\n\
             growth_half_life_years = 2\n\
             [[city.project]]\nname = \"{project}\"\ncapacity = 100\nonline = 2026.0\nprobability = 0.5\n"
        );
        let scenario =
            simulate::scenario::parse_str(&text, "t.toml", "t").unwrap_or_else(|e| panic!("{e}"));
        let model = Model::new(&scenario);
        let names = model.input_names();
        let at = |name: &str| names.iter().position(|n| n == name).unwrap();
        let delivered = at(&format!("A.project[{project}].probability"));
        let mut buf = model.buffer();
        let (mut d, mut drawn) = (Vec::new(), Vec::new());
        for trial in 0..4000 {
            model.run_trial(scenario.seed, trial, &mut buf);
            d.push(buf.inputs[delivered]);
            drawn.push(buf.inputs[at(input)]);
        }
        let r = correlation(&d, &drawn);
        // Independent streams: |r| about 1/sqrt(4000) = 0.016; a shared stream gave -0.87.
        assert!(r.abs() < 0.08, "project '{project}': correlation {r}");
    }
}
