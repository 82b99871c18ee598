//! Command-line flags as typed, and the run configuration built from them.

use crate::plot::Format;
use clap::Parser;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  simulate scenarios/base.toml                 run the base scenario into output/base/
  simulate scenarios/base.toml -n 1000000 -j 2 one million trials on two threads
  simulate scenarios/*.toml --check            validate only, write nothing
  simulate scenarios/base.toml --format svg    charts as SVG instead of PNG

Exit codes: 0 success, 2 invalid scenario or arguments, 1 any other failure.";

/// Monte Carlo projections of cities' AI computing capacity (P = PFLOPS FP16).
#[derive(Debug, Parser)]
#[command(name = "simulate", version, about, after_help = EXAMPLES)]
pub struct Args {
    /// Scenario files (TOML); each runs into OUT/<scenario name>/.
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,

    /// Number of trials (overrides the scenario's `trials`).
    #[arg(short = 'n', long, value_name = "N")]
    pub trials: Option<u64>,

    /// Random seed (overrides the scenario's `seed`).
    #[arg(short = 's', long, value_name = "S")]
    pub seed: Option<u64>,

    /// Output folder.
    #[arg(short = 'o', long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,

    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// No progress bar and no summary table.
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Validate the scenarios and write nothing.
    #[arg(long)]
    pub check: bool,

    /// Write only the tables, no charts.
    #[arg(long)]
    pub no_plots: bool,

    /// File format of the charts.
    #[arg(long, value_name = "FORMAT", value_enum, default_value = "png")]
    pub format: Format,
}

/// Settings of one invocation after flags are merged over scenario files.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
    pub trials: Option<u64>,
    pub seed: Option<u64>,
    /// Chart format, or None for no charts.
    pub charts: Option<Format>,
}

impl From<&Args> for RunConfig {
    fn from(a: &Args) -> Self {
        RunConfig {
            out: a.out.clone(),
            threads: a.threads.map(usize::from),
            quiet: a.quiet,
            trials: a.trials,
            seed: a.seed,
            charts: (!a.no_plots).then_some(a.format),
        }
    }
}
