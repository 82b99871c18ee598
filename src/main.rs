//! The `simulate` binary: parse flags, run, and map the outcome to an exit code in one place
//! (0 ok, 1 failure, 2 invalid input, 130 SIGINT, 143 SIGTERM; see `simulate --help`).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = simulate::cli::args::Args::parse();
    match simulate::cli::dispatch(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            simulate::cli::print_error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
