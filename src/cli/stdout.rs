//! Standard output for everything a command prints. A closed pipe (`simulate ... | head -1`)
//! ends printing quietly while the run's files still complete; any other failure to write
//! (a full disk, `>/dev/full`) is an error (exit 1) with a message, never a panic. Control
//! characters (from names in a scenario file) are printed escaped, here and on stderr.

use crate::error::{Error, Result};
use crate::units::escape_controls;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the reader of standard output has gone away; nothing is printed after that.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to standard output and flushes it. A closed pipe is not an error: this and
/// every later call print nothing. Any other failure is [`Error::Io`] (exit 1).
pub fn print(text: &str) -> Result<()> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    let text = escape_controls(text);
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(Error::io("Could not write to standard output", e)),
    }
}

/// Writes a line to standard error with control characters escaped; a standard error that
/// cannot be written is ignored (there is nowhere left to say so).
pub fn eprintln(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", escape_controls(text));
}

/// [`print()`] with a newline.
pub fn println(text: &str) -> Result<()> {
    print(&format!("{text}\n"))
}
