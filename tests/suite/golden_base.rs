//! Leaving every risk feature out changes no result: the base scenario as it stood before
//! correlation, shocks, power caps, retirement and utilisation existed must give the same bytes.
//!
//! tests/data/base.toml is a frozen copy of scenarios/base.toml at that point, and
//! tests/data/golden-base/ holds its summary.csv and targets.csv made by the code of that time
//! (`simulate tests/data/base.toml -n 20000`), regenerated when the quantile sketch changed
//! (from main just before the risk features were merged) and for 0.4.0 (random stream keys
//! that cannot collide, every draw changed). For 0.5.0 summary.csv gained its `date` and
//! `label` columns: the file was regenerated and checked to equal the 0.4.0 copy byte for byte
//! once those two columns are cut off; targets.csv likewise gained `date` and `label` (of `at`)
//! and its first six columns equal the 0.4.0 copy byte for byte.
//! For 0.6.0 both files were regenerated: organic capacity grows by non-negative additions and
//! `volatility` sets the lumpiness and a moving growth rate (docs/model.md, "Growth that
//! moves"), so every figure of base's cities moved; targets.csv gained `ci95_low` and
//! `ci95_high`. For 0.8.0 both were regenerated again: the step normals come from new
//! streams (Philox in lanes, a ziggurat of our own; CHANGELOG.md), so every figure that
//! depends on a path moved within Monte Carlo error. The check keeps its purpose: any later change to these tables is deliberate.

use assert_cmd::Command;

#[test]
fn base_scenario_tables_are_unchanged_byte_for_byte() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("simulate")
        .unwrap()
        .args(["tests/data/base.toml", "-n", "20000", "-q", "--out"])
        .arg(out.path())
        .assert()
        .success();
    for file in ["summary.csv", "targets.csv"] {
        let golden = std::fs::read(format!("tests/data/golden-base/{file}")).unwrap();
        let now = std::fs::read(out.path().join("base").join(file)).unwrap();
        assert!(golden.len() > 100, "{file}: golden copy is empty");
        assert!(golden == now, "{file} differs from the golden copy");
    }
}
