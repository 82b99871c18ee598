//! Command-line flags as typed, and the run configuration built from them.

use crate::engine::shard::Shard;
use crate::plot::Format;
use crate::scenario::overrides::Override;
use crate::units::DisplayUnit;
use clap::builder::TypedValueParser;
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
  simulate scenarios/base.toml --set city.Beijing.growth.mean=0.35
                                               one run with one key changed
  simulate scenarios/low.toml scenarios/base.toml --compare
                                               run both, then compare them in output/compare/
  simulate scenarios/base.toml --solve city.Beijing.growth.mean \\
      --target \"Beijing>=200000@2028.0\" --probability 0.8
                                               the mean growth that reaches the target with 80%

A run whose trial count (from the file) is estimated to take over an hour asks for
--trials N on the command line or --force. Ctrl-C or SIGTERM stops a run within a second
and writes nothing for it.

Exit codes: 0 success, 2 invalid scenario or arguments (or an unconfirmed hour-long run),
1 any other failure (including an output that cannot be written, or --solve finding no value
in its range that reaches the probability), 130 stopped by Ctrl-C (SIGINT), 143 stopped by
SIGTERM.";

/// Monte Carlo projections of cities' AI computing capacity (P = PFLOPS FP16).
#[derive(Debug, Parser)]
#[command(
    name = "simulate",
    version = crate::version::long_version(),
    about,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Args {
    /// A command other than running scenarios, if given.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Scenario files (TOML); each runs into OUT/NAME/ (NAME: the scenario's name).
    #[arg(required_unless_present = "init", value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,

    /// Number of trials (overrides the scenario's `trials`).
    #[arg(short = 'n', long, value_name = "N")]
    pub trials: Option<u64>,

    /// Random seed, 0 to 2^63 - 1 as in a scenario file (overrides the scenario's `seed`).
    #[arg(short = 's', long, value_name = "S", value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
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

    /// Every row of every summary table (by default a scenario of many places shows the
    /// Total, the groups and the largest places, and points to the CSV files for the rest).
    #[arg(short = 'v', long, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Validate the scenarios and write nothing.
    #[arg(long)]
    pub check: bool,

    /// Run only shard I of N (I from 0) and write a part file instead of tables;
    /// "auto" takes I and N from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT.
    #[arg(long, value_name = "I/N|auto", value_parser = parse_shard)]
    pub shard: Option<Shard>,

    /// Change one key for this run, by its path (repeatable): scenario.trials=20000,
    /// city.Beijing.growth.mean=0.35, city.Shenzhen.project[Qianhai phase one].probability=0.6.
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = Override::parse)]
    pub set: Vec<Override>,

    /// Run every scenario with the first one's seed and trial count (common random numbers),
    /// then write OUT/compare/compare.csv.
    #[arg(long, conflicts_with_all = ["shard", "solve"])]
    pub compare: bool,

    /// Years at which to rank the inputs by influence (default: 2026, 2028 when inside the
    /// horizon, and the end), comma-separated decimal years or dates as in scenario files
    /// (2028 and 2028-01-01 are both end-2027).
    #[arg(long, value_name = "YEAR,...", value_delimiter = ',', value_parser = parse_time)]
    pub sensitivity_at: Option<Vec<f64>>,

    /// Times shown in the central projection on the terminal and in report.html,
    /// comma-separated decimal years or dates (2028 and 2028-01-01 are both end-2027); each
    /// is shown at the nearest grid time. Default: up to four year ends on the terminal,
    /// the start and every year end in report.html.
    #[arg(long, value_name = "YEAR,...", value_delimiter = ',', value_parser = parse_time)]
    pub years: Option<Vec<f64>>,

    /// Goal seeking: search this parameter path (as for --set) for the value at which
    /// --target is met with --probability.
    #[arg(long, value_name = "PATH", requires_all = ["target", "probability"], conflicts_with = "shard")]
    pub solve: Option<String>,

    /// With --solve: "CITY>=CAPACITY@TIME", e.g. "Beijing>=200000@2028.0" or
    /// "Beijing>=200000@2028-01-01" (CITY may be Total; TIME a decimal year or a date).
    #[arg(long, value_name = "GOAL", requires = "solve")]
    pub target: Option<String>,

    /// With --solve: the probability the target must be met with, between 0 and 1.
    #[arg(long, value_name = "P", requires = "solve")]
    pub probability: Option<f64>,

    /// With --solve: the range searched, "LO,HI" (default: 0 to four times the current
    /// value, or 0 to 1 when it is not positive).
    #[arg(
        long,
        value_name = "LO,HI",
        requires = "solve",
        value_delimiter = ',',
        num_args = 1
    )]
    pub solve_range: Option<Vec<f64>>,

    /// Also write samples.parquet: every trial's weight, each series' installed capacity (P) at
    /// these times and its sampled inputs, for notebooks. Grid times, as decimal years (2026 is
    /// 1 January 2026) or dates (2026-01-01), comma-separated. Single runs only.
    #[arg(long, value_name = "TIME,...", value_delimiter = ',', value_parser = parse_time,
          conflicts_with_all = ["compare", "shard", "solve", "check"])]
    pub samples: Option<Vec<f64>>,

    /// Write a commented starter scenario to FILE (never overwrites) and exit.
    #[arg(long, value_name = "FILE.toml", conflicts_with_all = ["scenarios", "check"])]
    pub init: Option<PathBuf>,

    /// Write only the tables, no charts.
    #[arg(long)]
    pub no_plots: bool,

    /// File format of the charts.
    #[arg(long, value_name = "FORMAT", value_parser = format_parser(), default_value = "png")]
    pub format: Format,

    /// Unit of the capacities on the charts, P or E (default: chosen per chart, E when the
    /// chart's largest value reaches 1,000 E).
    #[arg(long, value_name = "P|E", value_parser = unit_parser())]
    pub unit: Option<DisplayUnit>,

    /// Run even when the file's trial count is estimated to take over an hour.
    #[arg(long)]
    pub force: bool,

    /// Treat warnings (implausible inputs such as a growth mean above 3, reports the
    /// projection disagrees with) as errors: exit 2, nothing written. For scripts.
    #[arg(long)]
    pub strict: bool,

    /// Weight every table by the trials' agreement with the reports (`[[observed]]`), as
    /// `[scenario] condition = true` does.
    #[arg(long, conflicts_with = "no_condition")]
    pub condition: bool,

    /// Do not condition on the reports, whatever the scenario file says.
    #[arg(long)]
    pub no_condition: bool,
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
        /// Every row of every summary table.
        #[arg(short = 'v', long, conflicts_with = "quiet")]
        verbose: bool,
        /// Times shown in the central projection (terminal and report.html), as for a run.
        #[arg(long, value_name = "YEAR,...", value_delimiter = ',', value_parser = parse_time)]
        years: Option<Vec<f64>>,
        /// Write only the tables, no charts.
        #[arg(long)]
        no_plots: bool,
        /// File format of the charts.
        #[arg(long, value_name = "FORMAT", value_parser = format_parser(), default_value = "png")]
        format: Format,
        /// Unit of the capacities on the charts, P or E (default: chosen per chart).
        #[arg(long, value_name = "P|E", value_parser = unit_parser())]
        unit: Option<DisplayUnit>,
        /// Treat warnings (implausible inputs, reports in disagreement) as errors: exit 2,
        /// nothing written.
        #[arg(long)]
        strict: bool,
    },
}

/// A decimal year or an ISO date, as scenario files give times.
fn parse_time(text: &str) -> std::result::Result<f64, String> {
    crate::scenario::grid::parse_time(text)
}

fn parse_shard(text: &str) -> crate::error::Result<Shard> {
    Shard::parse(text)
}

/// The chart formats by name, with clap's list of possible values in help and errors.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    clap::builder::PossibleValuesParser::new(Format::NAMES)
        .map(|name: String| Format::from_name(&name).unwrap_or(Format::Png))
}

/// The display units by name (P or E, either case).
fn unit_parser() -> impl clap::builder::TypedValueParser<Value = DisplayUnit> {
    clap::builder::PossibleValuesParser::new(["P", "E", "p", "e"])
        .map(|name: String| DisplayUnit::from_name(&name).unwrap_or_default())
}

/// Settings of one invocation after flags are merged over scenario files.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Output folder; each scenario writes into OUT/NAME/.
    pub out: PathBuf,
    /// Worker threads; None: all cores.
    pub threads: Option<usize>,
    /// No progress bar and no summary table.
    pub quiet: bool,
    /// Number of trials overriding the scenario's; None: the file's.
    pub trials: Option<u64>,
    /// Random seed overriding the scenario's; None: the file's.
    pub seed: Option<u64>,
    /// Run only this shard and write a part file; None: the whole run.
    pub shard: Option<Shard>,
    /// Chart format, or None for no charts.
    pub charts: Option<Format>,
    /// Unit of the capacities on the charts.
    pub unit: DisplayUnit,
    /// Run even when estimated to take over an hour without --trials.
    pub force: bool,
    /// Warnings are errors (exit 2, nothing written).
    pub strict: bool,
    /// `--set` overrides, applied in order.
    pub overrides: Vec<Override>,
    /// Run every scenario with the first one's seed and trial count and write a comparison.
    pub compare: bool,
    /// Decimal years at which to rank the inputs by influence; None: the defaults.
    pub sensitivity_at: Option<Vec<f64>>,
    /// `--condition` (Some(true)) or `--no-condition` (Some(false)); None: as the file says.
    pub condition: Option<bool>,
    /// Every row of every summary table.
    pub verbose: bool,
    /// Times of samples.parquet (decimal years); None: no samples file.
    pub samples: Option<Vec<f64>>,
    /// `--years`: times of the central projection shown; None: the defaults.
    pub years: Option<Vec<f64>>,
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
            unit: a.unit.unwrap_or_default(),
            force: a.force,
            strict: a.strict,
            overrides: a.set.clone(),
            compare: a.compare,
            sensitivity_at: a.sensitivity_at.clone(),
            verbose: a.verbose,
            samples: a.samples.clone(),
            years: a.years.clone(),
            condition: match (a.condition, a.no_condition) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
        }
    }
}
