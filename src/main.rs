//! The `simulate` binary: parse flags, run, exit with 0 (ok), 1 (failure) or 2 (bad input).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = simulate::cli::Args::parse();
    simulate::app::main_entry(args)
}
