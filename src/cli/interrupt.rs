//! Ctrl-C (SIGINT) and SIGTERM become a flag that the engine checks before every trial, so a
//! run (or a merge) stops within a second, writes nothing, and the program exits with 128 +
//! the signal.
//!
//! A second signal while the first is being handled ends the process at once (same exit code),
//! except inside [`critical`] (a set of files being published), where it is held until the
//! section ends: publishing checks the flag before its one swap, so a signal there still
//! leaves either the old set or the new one, and no temporary file.

use crate::error::{EXIT_SIGINT, EXIT_SIGTERM, Error};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

struct Flags {
    stop: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

static FLAGS: OnceLock<Flags> = OnceLock::new();
/// How many critical sections are open (a second signal exits at once only at zero).
static CRITICAL: AtomicUsize = AtomicUsize::new(0);
/// The exit code of a signal held back by a critical section (0: none).
static HELD_EXIT: AtomicUsize = AtomicUsize::new(0);

/// Registers the handlers (once; later calls do nothing).
pub fn install() -> std::io::Result<()> {
    if FLAGS.get().is_some() {
        return Ok(());
    }
    let flags = Flags {
        stop: Arc::new(AtomicBool::new(false)),
        signal: Arc::new(AtomicUsize::new(0)),
    };
    for (signal, code) in [
        (signal_hook::consts::SIGINT, EXIT_SIGINT),
        (signal_hook::consts::SIGTERM, EXIT_SIGTERM),
    ] {
        // Registered first, so it only acts when `stop` was already set by an earlier signal.
        let stop = flags.stop.clone();
        let second = move || {
            if stop.load(Ordering::SeqCst) {
                if CRITICAL.load(Ordering::SeqCst) == 0 {
                    signal_hook::low_level::exit(i32::from(code));
                }
                HELD_EXIT.store(usize::from(code), Ordering::SeqCst);
            }
        };
        // SAFETY: the action only reads and writes atomics and calls `_exit`, all
        // async-signal-safe; it allocates nothing and takes no lock.
        unsafe { signal_hook::low_level::register(signal, second) }?;
        signal_hook::flag::register_usize(signal, flags.signal.clone(), signal as usize)?;
        signal_hook::flag::register(signal, flags.stop.clone())?;
    }
    let _ = FLAGS.set(flags);
    Ok(())
}

/// Runs `f` with a second signal held back until it returns (then the process exits at once,
/// as it would have). For publishing a set of files: `f` must check [`received`] before it
/// changes anything and return promptly once it has.
pub fn critical<T>(f: impl FnOnce() -> T) -> T {
    CRITICAL.fetch_add(1, Ordering::SeqCst);
    let value = f();
    if CRITICAL.fetch_sub(1, Ordering::SeqCst) == 1 {
        let held = HELD_EXIT.load(Ordering::SeqCst);
        if held != 0 {
            std::process::exit(held as i32);
        }
    }
    value
}

/// The flag the engine polls; never set when no handler is installed.
pub fn stop_flag() -> &'static AtomicBool {
    static NEVER: AtomicBool = AtomicBool::new(false);
    FLAGS.get().map_or(&NEVER, |f| &f.stop)
}

/// The signal received, if any, as the error that ends the program with 130 or 143.
pub fn received() -> Option<Error> {
    let flags = FLAGS.get()?;
    if !flags.stop.load(Ordering::SeqCst) {
        return None;
    }
    let signal = flags.signal.load(Ordering::SeqCst) as i32;
    Some(Error::Interrupted {
        sigterm: signal == signal_hook::consts::SIGTERM,
    })
}
