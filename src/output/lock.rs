//! One writer per output folder: an advisory lock file `OUT/<name>/.simulate.lock` holding
//! the writer's PID, locked with the operating system's file lock (`flock` on Unix).
//!
//! The kernel drops the lock when its holder dies, however it dies, so a lock file left by a
//! dead process (its PID still inside) is simply taken over; a PID that was reused by another
//! program cannot make a lock look held. A second writer waits up to [`WAIT`] for the holder
//! and then refuses (exit 1) naming the holder's PID. The lock file is removed on release.
//!
//! The lock is held while a folder is written (a set published, a part file written), not
//! while trials run: shards of one scenario run at the same time on a cluster and only their
//! short writes need to take turns.

use crate::error::{Context, Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// File name of the lock inside an output folder.
pub const LOCK_FILE: &str = ".simulate.lock";

/// How long a writer waits for another one before refusing.
pub const WAIT: Duration = Duration::from_secs(10);

/// A held lock on an output folder; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
    /// The folder, when this lock created it (removed again if it is still empty).
    created: Option<PathBuf>,
}

impl FolderLock {
    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Creates `dir` if needed and locks it. Waits up to [`WAIT`] for another holder, polling
/// `interrupted` (a signal ends the wait with its error).
pub fn lock_folder(dir: &Path, interrupted: &dyn Fn() -> Option<Error>) -> Result<FolderLock> {
    let created = (!dir.exists()).then(|| dir.to_path_buf());
    std::fs::create_dir_all(dir)
        .with_context(|| format!("Could not create output folder '{}'", dir.display()))?;
    let path = dir.join(LOCK_FILE);
    let started = Instant::now();
    loop {
        if let Some(signal) = interrupted() {
            return Err(signal.context(format!(
                "stopped while waiting to write '{}'; nothing was written",
                dir.display()
            )));
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("Could not create the lock file '{}'", path.display()))?;
        match file.try_lock() {
            Ok(()) if same_file(&file, &path) => {
                let mut lock = FolderLock {
                    file,
                    path,
                    created,
                };
                // Dropping `lock` on failure removes the file again.
                let pid = format!("{}\n", std::process::id());
                let file = &mut lock.file;
                file.set_len(0)
                    .and_then(|()| file.rewind())
                    .and_then(|()| file.write_all(pid.as_bytes()))
                    .with_context(|| format!("Could not write '{}'", lock.path.display()))?;
                return Ok(lock);
            }
            // Removed by its holder between our open and our lock: open it afresh.
            Ok(()) => continue,
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                return Err(Error::Io {
                    context: format!("Could not lock '{}'", path.display()),
                    source: e,
                });
            }
        }
        if started.elapsed() >= WAIT {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let holder = match text.trim().parse::<u32>() {
                Ok(pid) => format!("PID {pid}"),
                Err(_) => "a process that has not written its PID yet".to_string(),
            };
            return Err(Error::Failed(format!(
                "'{}' is being written by another simulate ({holder}, lock file '{}'); \
                 waited {} s. Try again when it has finished, or choose another --out",
                dir.display(),
                path.display(),
                WAIT.as_secs()
            )));
        }
        drop(file);
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether `path` still names the open `file` (it was not removed and created anew).
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still locked, so no one can lock the old file after we let it go.
        if same_file(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
        if let Some(dir) = &self.created {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
