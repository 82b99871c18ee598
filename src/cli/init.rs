//! `--init FILE`: writes the commented starter scenario (never overwrites).

use crate::error::{Error, Result};
use crate::scenario::starter::{self, InitError};
use std::path::Path;

/// Writes the starter scenario; an existing FILE is invalid input (exit 2), any other
/// failure exit 1.
pub fn init_scenario(path: &Path) -> Result<()> {
    match starter::write_starter(path) {
        Ok(()) => super::stdout::println(&format!(
            "wrote {}: edit it, then run `simulate --check {}`",
            path.display(),
            path.display()
        )),
        Err(e @ InitError::Exists(_)) => Err(Error::Invalid(e.to_string())),
        Err(e) => Err(Error::Failed(e.to_string())),
    }
}
