//! The layout's rules, checked on the source (docs/architecture.md): imports flow one way
//! between the top-level modules and between the files inside each of them (no circles),
//! clap only under src/cli, plotters only under src/plot, no source file over 500 lines.
//!
//! Imports are read from `crate::` and `super::` paths in code outside `#[cfg(test)]`; each path
//! resolves to the deepest module file it names (a re-export through a folder's mod.rs counts
//! as an import of that mod.rs, which is stricter than the compiler).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (e.g. ["engine", "worker"]) of every source file, with its code (tests cut).
fn sources() -> BTreeMap<Vec<String>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![PathBuf::from("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code: String = text
                    .split("#[cfg(test)]")
                    .next()
                    .unwrap()
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                out.insert(module_path(&path), code);
            }
        }
    }
    out
}

fn module_path(path: &Path) -> Vec<String> {
    let rel = path.strip_prefix("src").unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Every path the code names after `crate::` or `super::`, with `{a, b::c}` groups expanded
/// one level, as segments relative to the crate root.
fn imported_paths(module: &[String], is_folder: bool, code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (marker, base) in [
        ("crate::", Vec::new()),
        ("super::", parent_of(module, is_folder)),
    ] {
        let mut rest = code;
        while let Some(at) = rest.find(marker) {
            let before = rest[..at].chars().last();
            rest = &rest[at + marker.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let (prefix, tail) = leading_path(rest);
            let mut full = base.clone();
            full.extend(prefix.iter().cloned());
            if let Some(group) = tail.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',') {
                    let (segs, _) = leading_path(item.trim());
                    let mut p = full.clone();
                    p.extend(segs);
                    out.push(p);
                }
            } else {
                out.push(full);
            }
        }
    }
    out
}

fn parent_of(module: &[String], is_folder: bool) -> Vec<String> {
    // `super` in src/a/b.rs is `a`; in src/a/b/mod.rs it is also `a`.
    let _ = is_folder;
    module[..module.len().saturating_sub(1)].to_vec()
}

/// Leading `a::b::c` of `text` (identifiers joined by ::), and what follows the last `::`.
fn leading_path(text: &str) -> (Vec<String>, &str) {
    let mut segs = Vec::new();
    let mut rest = text;
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            return (segs, rest);
        }
        segs.push(rest[..end].to_string());
        rest = &rest[end..];
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => return (segs, rest),
        }
    }
}

/// The deepest module among `modules` that `path` names.
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
}

/// A circle in `edges`, if any (depth-first search).
fn find_cycle(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        n: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|x| x == m).unwrap();
                    let mut cycle: Vec<String> =
                        stack[from..].iter().map(|p| p.join("::")).collect();
                    cycle.push(m.join("::"));
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n).copied().unwrap_or(0) == 0
            && let Some(c) = visit(n, edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

/// Module -> the modules it imports.
type Graph = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

/// The imports between top-level modules, and between files of the same top-level module.
fn graphs() -> (Graph, Graph) {
    let files = sources();
    let modules: BTreeSet<Vec<String>> = files.keys().cloned().collect();
    let (mut top, mut inner) = (BTreeMap::new(), BTreeMap::new());
    for (module, code) in &files {
        if module.is_empty() {
            continue; // lib.rs and main.rs only declare and call
        }
        let is_folder = files
            .keys()
            .any(|m| m.len() > module.len() && m.starts_with(module));
        for path in imported_paths(module, is_folder, code) {
            let Some(target) = resolve(&path, &modules) else {
                continue;
            };
            if target.is_empty() || &target == module {
                continue;
            }
            if target[0] != module[0] {
                top.entry(vec![module[0].clone()])
                    .or_insert_with(BTreeSet::new)
                    .insert(vec![target[0].clone()]);
            } else {
                inner
                    .entry(module.clone())
                    .or_insert_with(BTreeSet::new)
                    .insert(target);
            }
        }
    }
    (top, inner)
}

#[test]
fn imports_between_top_level_modules_form_no_circle() {
    let (top, _) = graphs();
    assert!(top.len() >= 8, "expected the stage folders, found {top:?}");
    assert_eq!(
        find_cycle(&top),
        None,
        "a circle among the top-level modules"
    );
}

#[test]
fn imports_inside_each_module_form_no_circle() {
    let (_, inner) = graphs();
    assert_eq!(
        find_cycle(&inner),
        None,
        "a circle among the files of one module"
    );
}

#[test]
fn the_leaves_import_nothing_of_the_crate() {
    let (top, _) = graphs();
    for leaf in ["units", "error", "version", "stats"] {
        let deps: Vec<_> = top
            .get(&vec![leaf.to_string()])
            .into_iter()
            .flatten()
            .collect();
        let allowed = ["units", "error", "version"];
        assert!(
            deps.iter().all(|d| allowed.contains(&d[0].as_str())),
            "{leaf} imports {deps:?}"
        );
    }
}

#[test]
fn clap_only_in_cli_and_plotters_only_in_plot_and_no_file_over_500_lines() {
    let mut stack = vec![PathBuf::from("src")];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let shown = path.display().to_string();
            checked += 1;
            if text.contains("clap::") || text.contains("use clap") {
                assert!(
                    shown.starts_with("src/cli/") || shown == "src/main.rs",
                    "{shown} uses clap"
                );
            }
            if text.contains("plotters") {
                assert!(shown.starts_with("src/plot/"), "{shown} uses plotters");
            }
            let lines = text.lines().count();
            assert!(lines <= 500, "{shown} has {lines} lines (at most 500)");
        }
    }
    assert!(checked > 30, "only {checked} source files found");
}

#[test]
fn the_circle_finder_finds_a_planted_circle_and_reads_grouped_paths() {
    let m = |s: &str| vec![s.to_string()];
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    edges.entry(m("a")).or_default().insert(m("b"));
    edges.entry(m("b")).or_default().insert(m("c"));
    assert_eq!(find_cycle(&edges), None);
    edges.entry(m("c")).or_default().insert(m("a"));
    assert_eq!(find_cycle(&edges).map(|c| c.len()), Some(4));
    let paths = imported_paths(
        &["plot".to_string(), "fan".to_string()],
        false,
        "use crate::{units, engine::Aggregate};\nuse super::canvas::DrawResult;\n",
    );
    let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert!(shown.contains(&"units".to_string()), "{shown:?}");
    assert!(
        shown.contains(&"engine::Aggregate".to_string()),
        "{shown:?}"
    );
    assert!(
        shown.contains(&"plot::canvas::DrawResult".to_string()),
        "{shown:?}"
    );
}
