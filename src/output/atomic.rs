//! Putting bytes on disk so that a file is either the old one or the complete new one, and a
//! set of files changes together.

use crate::error::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so the
/// file is either the old one or the complete new one, never a truncated mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_all_atomic(&[(path.to_path_buf(), bytes)])
}

/// Writes several files as one: every file goes to a temporary file first, and only when all
/// of them are on disk are they renamed into place. A full disk or a read-only folder thus
/// leaves every old file as it was (and no temporary file: they are deleted on failure).
pub fn write_all_atomic(files: &[(PathBuf, &[u8])]) -> Result<()> {
    let staged = files
        .iter()
        .map(|(path, bytes)| stage(path, bytes).map(|tmp| (tmp, path)))
        .collect::<Result<Vec<_>>>()?;
    for (tmp, path) in staged {
        tmp.persist(path)
            .with_context(|| format!("Could not write '{}'", path.display()))?;
    }
    Ok(())
}

/// Writes `bytes` to a new temporary file beside `path` and flushes it to disk.
fn stage(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
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
    // Through the plain file, so that errors do not name the temporary path.
    let file = tmp.as_file_mut();
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .with_context(|| format!("Could not write '{}'", path.display()))?;
    Ok(tmp)
}

/// Creates the scenario's output folder `OUT/<name>/`.
pub fn output_dir(out: &Path, scenario_name: &str) -> Result<PathBuf> {
    let dir = out.join(scenario_name);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("Could not create output folder '{}'", dir.display()))?;
    Ok(dir)
}
