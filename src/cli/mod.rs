//! The command line: flags ([`args`]), one file per command (run, merge, solve, compare,
//! init, check), progress, signals and the run-time budget. The only module that knows about
//! clap, the terminal's progress bar or exit codes' meaning for a shell; it may import every
//! other stage.
//!
//! [`dispatch`] reads top to bottom: choose the command, load, check, run, compare.

pub mod args;
pub mod budget;
pub mod check;
pub mod compare;
pub mod init;
pub mod interrupt;
pub mod merge;
pub mod progress;
pub mod run;
pub mod samples;
pub mod solve;
pub mod stdout;

pub use progress::print_error;

use crate::error::Result;
use args::{Args, Command, RunConfig};

/// Runs one invocation of the program; the error, if any, carries the exit code.
pub fn dispatch(args: Args) -> Result<()> {
    if let Some(Command::Merge {
        parts,
        out,
        quiet,
        verbose,
        years,
        no_plots,
        format,
        unit,
        strict,
    }) = &args.command
    {
        let outputs = run::Outputs {
            out,
            quiet: *quiet,
            verbose: *verbose,
            years: years.clone(),
            charts: (!no_plots).then_some(*format),
            unit: unit.unwrap_or_default(),
            // Taken from the part files.
            sensitivity_at: None,
            strict: *strict,
            ready: &[],
        };
        install_signals();
        return merge::merge(parts, &outputs);
    }
    if let Some(path) = &args.init {
        return init::init_scenario(path);
    }
    let config = RunConfig::from(&args);
    let loaded = check::load_all(&args.scenarios, &config)?;
    if args.check || config.strict {
        check::static_warnings(&loaded, args.check, config.strict)?;
    }
    if args.check {
        return check::print_checked(&loaded);
    }
    if let Some(times) = &config.samples {
        samples::check_all(&loaded, times)?;
    }
    if let Some(path) = &args.solve {
        return solve::solve(&args, path, &loaded, &config);
    }
    let loaded = if config.compare {
        compare::align_for_comparison(loaded, &config)?
    } else {
        loaded
    };
    install_signals();
    budget::check_budgets(&loaded, &config)?;
    let results = run::run_all(&loaded, &config)?;
    if config.compare {
        compare::write_comparison(&config, &results)?;
    }
    Ok(())
}

/// Ctrl-C and SIGTERM stop runs and merges cleanly ([`interrupt`]).
fn install_signals() {
    if let Err(e) = interrupt::install() {
        stdout::eprintln(&format!(
            "warning: Ctrl-C and SIGTERM will not stop a run cleanly: {e}"
        ));
    }
}
