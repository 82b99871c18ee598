//! Every table and chart of the shipped scenarios, byte for byte: the SHA-256 of each file of
//! `simulate scenarios/<name>.toml -n 20000` must equal tests/data/golden/sha256-n20000.txt.
//!
//! The list was first made by version 0.1.0, before the code moved into its stage folders, and
//! proved that 0.2.0's move changed no figure and no pixel; it was regenerated for 0.3.0
//! (reports read at their exact dates, calibration.csv) and for 0.4.0 (random stream keys
//! that cannot collide; calibration.png and report.html) and for 0.5.0's `date` and `label`
//! columns (each CSV checked to equal its 0.4.0 hash with them cut off) and report.html's
//! projection table. summary.json is left out: it holds the
//! program version, the git revision, the run time and the thread count. When a change
//! alters published figures on purpose, regenerate the list (docs/architecture.md, "Golden
//! files"), bump the version and say why in CHANGELOG.md.

use assert_cmd::Command;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const SCENARIOS: [&str; 4] = ["base", "high", "low", "export-controls"];

fn expected() -> BTreeMap<String, String> {
    std::fs::read_to_string("tests/data/golden/sha256-n20000.txt")
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(hash, file)| (file.to_string(), hash.to_string()))
        .collect()
}

#[test]
fn shipped_scenarios_tables_and_charts_are_unchanged_byte_for_byte() {
    let expected = expected();
    assert_eq!(
        expected.len(),
        96,
        "the golden list holds 24 files per scenario (a tornado per city)"
    );
    let out = tempfile::tempdir().unwrap();
    let mut found = BTreeMap::new();
    for name in SCENARIOS {
        Command::cargo_bin("simulate")
            .unwrap()
            .args(["-n", "20000", "-q", "--out"])
            .arg(out.path())
            .arg(format!("scenarios/{name}.toml"))
            .assert()
            .success();
        for entry in std::fs::read_dir(out.path().join(name)).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            if file == "summary.json" {
                continue;
            }
            let digest = Sha256::digest(std::fs::read(&path).unwrap());
            let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            found.insert(format!("{name}/{file}"), hash);
        }
    }
    let differ: Vec<&String> = expected
        .keys()
        .chain(found.keys())
        .filter(|f| expected.get(*f) != found.get(*f))
        .collect();
    assert!(
        differ.is_empty(),
        "files that differ, are new or are missing: {differ:?}"
    );
}
