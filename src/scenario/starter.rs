//! `simulate --init`: a commented starter scenario for new users, written without overwriting.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The starter scenario: one city, one project, one target and one observation, every key
/// explained. A test checks that it passes `--check`.
pub const STARTER: &str = include_str!("starter.toml");

/// Why `--init` could not write its file.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The file is already there.
    #[error(
        "'{}' already exists; --init never overwrites a file. Give a new file name, \
         or move the existing file away first",
        .0.display()
    )]
    Exists(PathBuf),
    /// Writing the file failed.
    #[error("could not write '{}': {source}", path.display())]
    Io {
        /// The file that could not be written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Writes [`STARTER`] to `path` through a temporary file that is moved into place only if
/// nothing is there yet, so an existing file is never touched and no partial file appears.
pub fn write_starter(path: &Path) -> Result<(), InitError> {
    if path.exists() {
        return Err(InitError::Exists(path.to_path_buf()));
    }
    let io_error = |source| InitError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".simulate-init-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_error)?;
    tmp.write_all(STARTER.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(io_error)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            InitError::Exists(path.to_path_buf())
        } else {
            io_error(e.error)
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_passes_the_checks() {
        let s = crate::scenario::parse_str(STARTER, "starter.toml", "starter")
            .unwrap_or_else(|e| panic!("starter scenario is invalid: {e}"));
        assert_eq!(s.cities.len(), 1);
        assert_eq!(s.cities[0].projects.len(), 1);
        assert_eq!(s.observations.len(), 1);
        assert_eq!(s.targets.len(), 1);
    }
}
