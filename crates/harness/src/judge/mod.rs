//! Judging: a response against a case's expectations (`check`, over a `reading` that parses its
//! body once, and the documented error rows every error answer must keep, `error_rows`), a
//! trial's outcome (`verdict`), the response snapshots it is compared with (`snapshot`), the
//! known failures that excuse it (`baseline`), whether it counts (`standing`, the one function
//! every report asks), how the run ended (`run_verdict`, the one value every report and the exit
//! code ask), and how each area of it fared (`area_verdict`).
//!
//! May use `case`, `wire`, `client` (the response data), `record` (what a trial recorded),
//! `under_test::secret`, `clock`, `diag` (file positions) and `exit` (a run's exit code).

pub mod area_verdict;
pub mod baseline;
pub mod check;
pub mod error_rows;
pub mod reading;
pub mod run_verdict;
pub mod snapshot;
pub mod standing;
pub mod verdict;
