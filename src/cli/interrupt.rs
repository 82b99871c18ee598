//! Ctrl-C (SIGINT) and SIGTERM become a flag that the engine checks before every trial, so a
//! run stops within a second, writes nothing, and the program exits with 128 + the signal.
//!
//! A second signal while the first is being handled ends the process at once (same exit code).

use crate::error::{EXIT_SIGINT, EXIT_SIGTERM, Error};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

struct Flags {
    stop: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

static FLAGS: OnceLock<Flags> = OnceLock::new();

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
        // Registered first, so it only fires when `stop` was already set by an earlier signal.
        signal_hook::flag::register_conditional_shutdown(
            signal,
            i32::from(code),
            flags.stop.clone(),
        )?;
        signal_hook::flag::register_usize(signal, flags.signal.clone(), signal as usize)?;
        signal_hook::flag::register(signal, flags.stop.clone())?;
    }
    let _ = FLAGS.set(flags);
    Ok(())
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
