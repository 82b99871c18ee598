//! The integration tests, one binary (linking one binary instead of sixteen saves most of
//! `cargo test`'s build time on two cores). One module per topic.

mod architecture;
mod backtest;
mod bad_input;
mod chart_layout;
mod charts;
mod charts_cjk;
mod cli_init;
mod closed_forms;
mod common;
mod conditioning;
mod decide_cli;
mod decisions;
mod determinism;
mod docs_keys;
mod dynamics;
mod generator;
mod golden;
mod golden_base;
mod groups;
mod hardening2;
mod hardening3;
mod implausible;
mod interruptions;
mod lumpy;
mod planning;
mod properties;
mod regressions;
mod report_page;
mod risks;
mod samples;
mod shapley;
mod shards;
mod tables_terminal;
mod unconditioned_band;
mod vintage;
