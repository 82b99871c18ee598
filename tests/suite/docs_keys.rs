//! docs/scenarios.md must document every key the parser accepts and every distribution.

use simulate::scenario::dist::KINDS;
use simulate::scenario::raw::accepted_keys;

fn reference() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenarios.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn every_accepted_key_is_documented() {
    let doc = reference();
    let missing: Vec<String> = accepted_keys()
        .into_iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/scenarios.md lacks `{}`",
        missing.join("`, `")
    );
}

#[test]
fn every_distribution_and_parameter_is_documented() {
    let doc = reference();
    for (kind, params) in KINDS {
        assert!(
            doc.contains(&format!("`dist = \"{kind}\"`")),
            "{kind} undocumented"
        );
        for p in *params {
            assert!(
                doc.contains(&format!("`{p}`")),
                "parameter {p} of {kind} undocumented"
            );
        }
    }
}
