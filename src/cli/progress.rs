//! What a command shows while it works (the progress bar, errors on stderr) and the thread
//! pool it runs on.

use crate::error::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over `trials` trials on stderr, or a hidden one.
pub fn progress_bar(trials: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(trials), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} trials, {per_sec}, eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// A rayon pool of `threads` threads (default: one per core).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder
        .build()
        .map_err(|e| crate::error::Error::Failed(e.to_string()))
        .context("Could not start worker threads")
}

/// Prints an error (with its causes) the way every command does: "error: ..." on stderr.
pub fn print_error(e: &crate::error::Error) {
    super::stdout::eprintln(&format!("error: {e}"));
}
