//! Reports: pure functions of the verdicts. Never touch the network.
//!
//! May use `case`, `clock` (a run's start time), `corpus`, `error`, `explore` (an exploration's summary), `judge`, `record`, `run`
//! (the trial results), `under_test` and `wire`.

pub mod console;
pub mod coverage;
pub mod curl;
pub mod diff;
pub mod escape;
pub mod html;
pub mod junit;
pub mod kinds;
pub mod markdown;
pub mod merge;
pub mod outputs;
pub mod results;
