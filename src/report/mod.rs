//! Reports of a finished run: each format renders bytes, and `write_atomic` puts them on disk.

pub mod csv;
pub mod json;
pub mod terminal;

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so the
/// file is either the old one or the complete new one, never a truncated mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".simulate-").suffix(".tmp");
    #[cfg(unix)]
    {
        // tempfile creates 0600 files; outputs are ordinary files readable by colleagues.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("Could not create a temporary file in '{}'", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("Could not write '{}'", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("Could not write '{}'", path.display()))?;
    Ok(())
}

/// Creates the scenario's output folder OUT/<name>/.
pub fn output_dir(out: &Path, scenario_name: &str) -> Result<PathBuf> {
    let dir = out.join(scenario_name);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("Could not create output folder '{}'", dir.display()))?;
    Ok(dir)
}
