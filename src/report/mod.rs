//! Reports: pure functions of the verdicts. Never touch the network.

pub mod console;
pub mod coverage;
