//! The program's version, and the git revision it was built from when known; results carry
//! both so that a table can always be traced to the code that made it.

/// The program version (Cargo.toml). Bumped whenever published figures change (CHANGELOG.md).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git revision the binary was built from (short hash, "-dirty" if the tree had changes),
/// or None when built outside a git checkout.
pub const GIT_REVISION: Option<&str> = option_env!("SIMULATE_GIT_REVISION");

/// "0.2.0 (git 1a2b3c4)" or "0.2.0", as `--version` prints it.
pub fn long_version() -> &'static str {
    match GIT_REVISION {
        Some(_) => concat!(
            env!("CARGO_PKG_VERSION"),
            " (git ",
            env!("SIMULATE_GIT_REVISION_OR_EMPTY"),
            ")"
        ),
        None => VERSION,
    }
}
