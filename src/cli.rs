//! Command-line flags as typed, and the run configuration built from them.

use crate::plot::Format;
use crate::shard::Shard;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  simulate scenarios/base.toml                 run the base scenario into output/base/
  simulate scenarios/base.toml -n 1000000 -j 2 one million trials on two threads
  simulate scenarios/*.toml --check            validate only, write nothing
  simulate scenarios/base.toml --shard 0/4     run the first quarter of the trials
  simulate merge output/base/part-*.json       merge the shards into the usual tables
  simulate --init my-city.toml                 start a new scenario from a commented template
  simulate scenarios/base.toml --format svg    charts as SVG instead of PNG

A run whose trial count (from the file) is estimated to take over an hour asks for
--trials N on the command line or --force. Ctrl-C or SIGTERM stops a run within a second
and writes nothing for it.

Exit codes: 0 success, 2 invalid scenario or arguments (or an unconfirmed hour-long run),
1 any other failure (e.g. an output that cannot be written), 130 stopped by Ctrl-C (SIGINT),
143 stopped by SIGTERM.";

/// Monte Carlo projections of cities' AI computing capacity (P = PFLOPS FP16).
#[derive(Debug, Parser)]
#[command(
    name = "simulate",
    version,
    about,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Scenario files (TOML); each runs into OUT/<scenario name>/.
    #[arg(required_unless_present = "init", value_name = "SCENARIO")]
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

    /// Run only shard I of N (I from 0) and write a part file instead of tables;
    /// "auto" takes I and N from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT.
    #[arg(long, value_name = "I/N|auto", value_parser = parse_shard)]
    pub shard: Option<Shard>,

    /// Write a commented starter scenario to FILE (never overwrites) and exit.
    #[arg(long, value_name = "FILE.toml", conflicts_with_all = ["scenarios", "check"])]
    pub init: Option<PathBuf>,

    /// Write only the tables, no charts.
    #[arg(long)]
    pub no_plots: bool,

    /// File format of the charts.
    #[arg(long, value_name = "FORMAT", value_enum, default_value = "png")]
    pub format: Format,

    /// Run even when the file's trial count is estimated to take over an hour.
    #[arg(long)]
    pub force: bool,
}

/// Commands other than running scenarios.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Merge the part files of a sharded run into the tables a single run writes.
    Merge {
        /// Part files written by `simulate SCENARIO --shard I/N`.
        #[arg(required = true, value_name = "PART")]
        parts: Vec<PathBuf>,
        /// Output folder.
        #[arg(short = 'o', long, value_name = "DIR", default_value = "output")]
        out: PathBuf,
        /// No summary table.
        #[arg(short = 'q', long)]
        quiet: bool,
        /// Write only the tables, no charts.
        #[arg(long)]
        no_plots: bool,
        /// File format of the charts.
        #[arg(long, value_name = "FORMAT", value_enum, default_value = "png")]
        format: Format,
    },
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text)
}

/// Settings of one invocation after flags are merged over scenario files.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
    pub trials: Option<u64>,
    pub seed: Option<u64>,
    pub shard: Option<Shard>,
    /// Chart format, or None for no charts.
    pub charts: Option<Format>,
    /// Run even when estimated to take over an hour without --trials.
    pub force: bool,
}

impl From<&Args> for RunConfig {
    fn from(a: &Args) -> Self {
        RunConfig {
            out: a.out.clone(),
            threads: a.threads.map(usize::from),
            quiet: a.quiet,
            trials: a.trials,
            seed: a.seed,
            shard: a.shard,
            charts: (!a.no_plots).then_some(a.format),
            force: a.force,
        }
    }
}
