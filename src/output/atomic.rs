//! Putting bytes on disk so that a file is either the old one or the complete new one, and a
//! folder's set of files changes in one step.
//!
//! [`publish_folder`] writes the new set into a fresh staging folder beside the output folder
//! (`OUT/.simulate-<random>`, on the same file system), links across every entry that is not
//! ours (notes, part files, a user's folders), and swaps the two folders with one rename
//! (`renameat2(RENAME_EXCHANGE)` on Linux; elsewhere, or where the file system lacks it, two
//! renames with the old folder put back if the second fails). Whatever fails before the swap
//! (a full disk, a folder where a table goes, a signal) leaves the old set untouched and the
//! staging folder removed.

use super::lock::{self, FolderLock};
use crate::error::{Context, Error, Result};
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
    // Through the plain file, so that errors do not name the temporary path.
    let file = tmp.as_file_mut();
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .with_context(|| format!("Could not write '{}'", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("Could not write '{}'", path.display()))?;
    Ok(())
}

/// Makes `files` (name, bytes) the whole of `dir`'s own files in one step: entries for which
/// `ours` holds and that are not in `files` (an earlier run's) go, every other entry stays.
/// Holds `dir`'s lock meanwhile ([`lock::lock_folder`]); `interrupted` is asked last before
/// the swap, and a signal then leaves everything as it was.
pub fn publish_folder(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    ours: &dyn Fn(&str) -> bool,
    interrupted: &dyn Fn() -> Option<Error>,
) -> Result<()> {
    publish_folder_with(dir, files, &[], ours, interrupted)
}

/// [`publish_folder`] with files already written elsewhere (`ready`: name in the folder, path
/// now, best on the same file system as `dir`'s parent), moved into the new set: files too
/// large to hold in memory (samples.parquet).
pub fn publish_folder_with(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    ready: &[(String, PathBuf)],
    ours: &dyn Fn(&str) -> bool,
    interrupted: &dyn Fn() -> Option<Error>,
) -> Result<()> {
    let lock = lock::lock_folder(dir, interrupted)?;
    publish_locked(dir, (files, ready), ours, interrupted, &lock)
        .with_context(|| format!("nothing in '{}' was changed", dir.display()))
}

/// A set of files to publish: (name, bytes) to write, and (name, path) already written.
pub type FileSet<'a> = (&'a [(String, Vec<u8>)], &'a [(String, PathBuf)]);

fn publish_locked(
    dir: &Path,
    (files, ready): FileSet,
    ours: &dyn Fn(&str) -> bool,
    interrupted: &dyn Fn() -> Option<Error>,
    lock: &FolderLock,
) -> Result<()> {
    // A symbolic link to the folder stays a link: the swap happens where it points.
    let real = dir
        .canonicalize()
        .with_context(|| format!("Could not open '{}'", dir.display()))?;
    let parent = real.parent().unwrap_or(Path::new("/"));
    let names: Vec<&str> = files
        .iter()
        .map(|(f, _)| f.as_str())
        .chain(ready.iter().map(|(f, _)| f.as_str()))
        .collect();
    let foreign = entries_to_keep(dir, &real, &names, ours)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".simulate-").suffix(".new");
    let staging = builder.tempdir_in(parent).with_context(|| {
        format!(
            "Could not create a staging folder beside '{}'",
            dir.display()
        )
    })?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(&real) {
        // The new folder keeps the old one's permissions (tempfile makes it 0700).
        let _ = std::fs::set_permissions(staging.path(), meta.permissions());
    }
    for (name, bytes) in files {
        write_new(&staging.path().join(name), bytes)
            .with_context(|| format!("Could not write '{}'", dir.join(name).display()))?;
    }
    for (name, path) in ready {
        move_file(path, &staging.path().join(name))
            .with_context(|| format!("Could not write '{}'", dir.join(name).display()))?;
    }
    for name in &foreign {
        link_tree(&real.join(name), &staging.path().join(name)).with_context(|| {
            format!(
                "Could not carry '{}' over to the new set",
                dir.join(name).display()
            )
        })?;
    }
    sync_dir(staging.path());
    // The lock file came across (hard-linked: the same, still-locked file) with the rest.
    debug_assert!(foreign.iter().any(|f| lock.path().ends_with(f)));
    if let Some(signal) = interrupted() {
        return Err(signal);
    }
    swap(staging.path(), &real)
        .with_context(|| format!("Could not replace the files of '{}'", dir.display()))?;
    sync_dir(parent);
    // `staging` now names the old set, which goes when it is dropped.
    drop(staging);
    Ok(())
}

/// The names in `dir` that are not ours and not in `files`, to carry over; fails when
/// something other than a plain file stands where one of ours goes.
fn entries_to_keep(
    dir: &Path,
    real: &Path,
    files: &[&str],
    ours: &dyn Fn(&str) -> bool,
) -> Result<Vec<std::ffi::OsString>> {
    let mut keep = Vec::new();
    let entries =
        std::fs::read_dir(real).with_context(|| format!("Could not list '{}'", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("Could not list '{}'", dir.display()))?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        let ours_by_name = ours(&text) || files.iter().any(|f| **f == *text);
        if !ours_by_name {
            keep.push(name);
        } else if !entry.file_type().is_ok_and(|t| t.is_file()) {
            return Err(Error::Failed(format!(
                "Could not write '{}': something other than a file (a folder?) is in its \
                 place; move it away",
                dir.join(&name).display()
            )));
        }
    }
    Ok(keep)
}

/// Moves the file `from` to `to` (a new name): a rename, or a copy where they lie on
/// different file systems (`from` is left for its owner to remove).
fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::rename(from, to).is_err() {
        std::fs::copy(from, to)?;
        std::fs::File::open(to)?.sync_all()?;
    }
    Ok(())
}

/// Creates `path` with `bytes`, flushed to disk.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create_new(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Puts `from` (a file, link or folder) at `to`: files as hard links (copies where the file
/// system refuses links), folders recreated with their contents linked the same way.
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.is_dir() {
        std::fs::create_dir(to)?;
        std::fs::set_permissions(to, meta.permissions())?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    #[cfg(unix)]
    if meta.file_type().is_symlink() {
        return std::os::unix::fs::symlink(std::fs::read_link(from)?, to);
    }
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to)?;
    }
    Ok(())
}

/// Exchanges the folders `a` and `b` in one step where the system can, else in two renames.
fn swap(a: &Path, b: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
        let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: two valid NUL-terminated paths; the call reads nothing else.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if !matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        ) {
            return Err(e);
        }
    }
    // Two renames: `b` aside (into `a`'s name, freed by moving `a` first), then back if the
    // second fails.
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// Flushes a folder's entries to disk (best effort: some file systems refuse).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Creates the scenario's output folder `OUT/<name>/`.
pub fn output_dir(out: &Path, scenario_name: &str) -> Result<PathBuf> {
    let dir = out.join(scenario_name);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("Could not create output folder '{}'", dir.display()))?;
    Ok(dir)
}
