//! Monte Carlo projections of cities' AI computing capacity.
//!
//! Data flows one way: [`scenario`] (read and check) -> [`model`] (one trial) -> [`engine`]
//! (many trials in parallel) -> [`stats`] and [`results`] -> [`report`] (tables) and, through
//! [`chart_data`], [`plot`] (charts).

pub mod app;
pub mod budget;
pub mod chart_data;
pub mod cli;
pub mod compare;
pub mod copula;
pub mod decisions;
pub mod dist;
pub mod engine;
pub mod fastexp;
pub mod grid;
pub mod histogram;
pub mod interrupt;
pub mod model;
pub mod plot;
pub mod report;
pub mod results;
pub mod risk;
pub mod scenario;
pub mod selfcheck;
pub mod sensitivity;
pub mod shard;
pub mod solve;
pub mod stats;
pub mod units;
pub mod worker;
