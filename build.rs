//! Records the git revision the binary is built from (for `--version`, summary.json and part
//! files). Outside a git checkout, or without git, the revision is simply unknown.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/index");
    let revision = git(&["rev-parse", "--short=12", "HEAD"]).map(|hash| {
        let dirty =
            git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
        if dirty { format!("{hash}-dirty") } else { hash }
    });
    if let Some(r) = &revision {
        println!("cargo:rustc-env=SIMULATE_GIT_REVISION={r}");
    }
    println!(
        "cargo:rustc-env=SIMULATE_GIT_REVISION_OR_EMPTY={}",
        revision.unwrap_or_default()
    );
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}
