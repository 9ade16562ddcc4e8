//! Judging: a response against a case's expectations (`check`, and the documented error rows
//! every error answer must keep, `error_rows`), a trial's outcome (`verdict`), the response
//! snapshots it is compared with (`snapshot`), the known failures that excuse it (`baseline`),
//! and whether it counts (`standing`, the one function every report asks).
//!
//! May use `case`, `wire`, `client` (the response data), `record` (what a trial recorded),
//! `target::secret` and `clock`.

pub mod baseline;
pub mod check;
pub mod error_rows;
pub mod snapshot;
pub mod standing;
pub mod verdict;
