//! Judging: a response against a case's expectations (`check`, and the documented error rows
//! every error answer must keep, `error_rows`), a trial's outcome (`verdict`), whether it counts
//! (`standing`, the one function every report asks), and a run's end (`run_verdict`).
//!
//! May use `case`, `wire`, `client` (the response data) and `record` (what a trial recorded).

pub mod check;
pub mod error_rows;
pub mod standing;
pub mod verdict;
