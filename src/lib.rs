//! Monte Carlo projections of cities' AI computing capacity.
//!
//! The folders are the stages of a run, and imports flow one way, from the top of this list
//! to the bottom (docs/architecture.md):
//!
//! - [`cli`]: flags, modes (run, merge, solve, compare, init, check), progress, signals, the
//!   run-time budget; the only place that knows about the command line.
//! - [`selfcheck`]: the harness the fuzz targets and property tests drive.
//! - [`output`]: the registry of every file a run writes, and writing them all-or-nothing.
//! - [`plot`]: charts, drawn from finished statistics.
//! - [`report`]: tables (CSV, JSON) and the terminal summary, rendered as bytes or text.
//! - [`analysis`]: what a run means: summaries, decisions, sensitivity, comparison, goal seeking.
//! - [`engine`]: many trials in parallel, aggregated reproducibly; shards and their parts.
//! - [`model`]: one trial: paths, risks, copula, random streams.
//! - [`scenario`]: the scenario file: parsing, validation, overrides, distributions, the grid.
//! - [`stats`]: mergeable statistics of one cell (histogram, moments, percentiles).
//! - [`units`], [`error`], [`version`]: leaves every stage may use.

pub mod analysis;
pub mod cli;
pub mod engine;
pub mod error;
pub mod model;
pub mod output;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod selfcheck;
pub mod stats;
pub mod units;
pub mod version;
