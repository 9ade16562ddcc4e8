//! The project's integration tests, in one binary to cut link time. Each module is a topic.

mod architecture;
mod attacks;
mod baseline_files;
mod case_files;
mod cli;
mod coverage;
mod discovery;
mod edges;
mod evidence;
mod exit_truth;
mod fuzz;
mod golden;
mod history;
mod hostile;
mod mutants;
mod recipes;
mod reference_events;
mod reference_server;
mod reference_world;
mod reports;
mod runner;
mod selftest;
mod support;
mod tls;
mod trust;
mod verdicts;
