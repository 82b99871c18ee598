//! The real binary under signals and failing disks: a run stopped by Ctrl-C or SIGTERM exits
//! 130 or 143, says so and leaves the output folder byte for byte as it was; an output that
//! cannot be written (a file in the way, a read-only folder, a full disk) exits 1 naming the
//! path and leaves no temporary or half-written file. Runs estimated over an hour need
//! --trials or --force.
//!
//! The disk cases mount small tmpfs file systems, which needs root (as in CI). The full-disk
//! tests are ignored by a plain `cargo test` (listed as ignored, with the reason) and run by
//! `.ci/run` with `--ignored`; without root they fail rather than pass silently. The
//! read-only case falls back to permission bits without root.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

fn simulate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_simulate"))
}

/// Every file under `dir` with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path, bytes);
            }
        }
    }
    files
}

pub fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    snapshot(dir)
        .into_keys()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".simulate-")
        })
        .collect()
}

/// A quick complete run into `out`: the "earlier outputs" a later failure must not touch.
pub fn earlier_run(out: &Path) {
    let status = simulate()
        .args([
            "scenarios/base.toml",
            "-n",
            "1000",
            "-q",
            "--no-plots",
            "-o",
        ])
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Starts a long run and waits for its announcement ("... Ctrl-C stops the run ..."), which
/// comes after the signal handlers are installed; returns the child and the lines read.
fn start_long_run(args: &[&str], out: &Path) -> (Child, Vec<String>) {
    let mut child = simulate()
        .args(args)
        .arg("-o")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "no announcement: {lines:?}"
        );
        let announced = line.contains("Ctrl-C stops the run");
        lines.push(line);
        if announced {
            break;
        }
    }
    child.stderr = Some(reader.into_inner());
    (child, lines)
}

/// Sends `signal` (a `kill` name) and waits for the exit; returns status and remaining stderr.
/// The wait is bounded only so that a hung child fails the test instead of hanging it.
pub fn signal_and_wait(mut child: Child, signal: &str) -> (ExitStatus, String) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the run did not stop after {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut rest = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut rest)
        .unwrap();
    (status, rest)
}

fn interrupted_run_leaves_earlier_outputs_intact(signal: &str, code: i32, name: &str) {
    let out = tempfile::tempdir().unwrap();
    earlier_run(out.path());
    let before = snapshot(out.path());
    let args = ["scenarios/base.toml", "-n", "50000000", "--no-plots"];
    let (child, _) = start_long_run(&args, out.path());
    let (status, stderr) = signal_and_wait(child, signal);
    assert_eq!(status.code(), Some(code), "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted by {name}")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(snapshot(out.path()), before, "the output folder changed");
}

#[test]
fn ctrl_c_mid_run_exits_130_and_writes_nothing() {
    interrupted_run_leaves_earlier_outputs_intact("INT", 130, "SIGINT (Ctrl-C)");
}

#[test]
fn sigterm_mid_run_exits_143_and_writes_nothing() {
    interrupted_run_leaves_earlier_outputs_intact("TERM", 143, "SIGTERM");
}

/// base.toml with the trial count of the file raised to `trials`.
fn scenario_with_trials(dir: &Path, trials: u64) -> PathBuf {
    let text = std::fs::read_to_string("scenarios/base.toml").unwrap();
    let path = dir.join("many.toml");
    std::fs::write(
        &path,
        text.replace("trials = 100_000", &format!("trials = {trials}")),
    )
    .unwrap();
    path
}

#[test]
fn an_hour_long_run_from_the_file_asks_for_trials_or_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_with_trials(dir.path(), 9_000_000_000);
    let out = dir.path().join("out");
    let output = simulate().arg(&file).arg("-o").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for expected in [
        "9000000000 trials",
        "would take about",
        "--trials 9000000000",
        "--force",
    ] {
        assert!(stderr.contains(expected), "'{expected}' missing: {stderr}");
    }
    assert!(!out.exists(), "wrote output");
    // --force starts it (announcing the estimate); Ctrl-C then stops it cleanly.
    let file_arg = file.to_string_lossy().into_owned();
    let (child, lines) = start_long_run(&[&file_arg, "--force", "--no-plots"], &out);
    assert!(
        lines.last().unwrap().contains("9000000000 trials, about"),
        "{lines:?}"
    );
    let (status, _) = signal_and_wait(child, "INT");
    assert_eq!(status.code(), Some(130));
    assert!(!out.join("many").exists() || snapshot(&out).is_empty());
}

#[test]
fn an_output_path_that_is_a_file_exits_1_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "keep me").unwrap();
    let output = simulate()
        .args([
            "scenarios/base.toml",
            "-n",
            "1000",
            "-q",
            "--no-plots",
            "-o",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&file.join("base").display().to_string()),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }

    fn remount_read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn run_base(out: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let output = simulate()
        .args(["scenarios/base.toml", "-n", "1000", "-q"])
        .args(extra)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

#[test]
fn a_read_only_output_folder_exits_1_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mount = Mount::tmpfs(&out, "4m");
    earlier_run(&out);
    let before = snapshot(&out);
    let folder = out.join("base");
    match &mount {
        Some(m) => m.remount_read_only(),
        None => {
            use std::os::unix::fs::PermissionsExt;
            eprintln!("no tmpfs (not root?): read-only by permission bits instead");
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
    }
    let (code, stderr) = run_base(&out, &["--no-plots"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&folder.display().to_string()), "{stderr}");
    assert_eq!(snapshot(&out), before);
    assert!(temporary_files(&out).is_empty());
}

/// Every file left is whole: CSV tables end with a line break, JSON parses, PNGs end with
/// their IEND chunk.
fn assert_complete(files: &BTreeMap<PathBuf, Vec<u8>>) {
    for (path, bytes) in files {
        let shown = path.display();
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => assert!(bytes.ends_with(b"\n"), "{shown} truncated"),
            Some("json") => {
                serde_json::from_slice::<serde_json::Value>(bytes).expect("whole JSON");
            }
            Some("png") => assert!(bytes.ends_with(&[0xae, 0x42, 0x60, 0x82]), "{shown} cut"),
            _ => panic!("unexpected file {shown}"),
        }
    }
}

#[test]
#[ignore = "mounts a tmpfs, which needs root: `cargo test -- --ignored` as root (.ci/run does)"]
fn a_full_disk_exits_1_naming_the_path_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // Room for one earlier run (about 250 KB of tables, summary.json and report.html at 0.5.0).
    let _mount = Mount::tmpfs(&out, "640k").expect("mounting a tmpfs needs root");
    // The tables (about 60 KB) fit in 160 KB; the PNG charts (over 1 MB) do not.
    let (code, stderr) = run_base(&out, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains(&out.join("base").display().to_string()),
        "{stderr}"
    );
    assert!(temporary_files(&out).is_empty());
    assert_complete(&snapshot(&out));
}

#[test]
#[ignore = "mounts a tmpfs, which needs root: `cargo test -- --ignored` as root (.ci/run does)"]
fn a_disk_too_full_for_the_tables_keeps_every_earlier_table() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // Room for one earlier run (about 250 KB of tables, summary.json and report.html at 0.5.0).
    let _mount = Mount::tmpfs(&out, "640k").expect("mounting a tmpfs needs root");
    earlier_run(&out);
    let before = snapshot(&out);
    let filler_path = out.join("filler");
    let mut filler = std::fs::File::create(&filler_path).unwrap();
    while filler
        .write_all(&[0u8; 1024])
        .and_then(|_| filler.sync_all())
        .is_ok()
    {}
    drop(filler);
    let (code, stderr) = run_base(&out, &["--no-plots"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains(&out.join("base").display().to_string()),
        "{stderr}"
    );
    std::fs::remove_file(&filler_path).unwrap();
    assert_eq!(snapshot(&out), before, "an earlier table changed");
}
