//! What a run records and keeps: exchanges as fields (`exchange`), response snapshots
//! (`snapshot`), known failures (`baseline`), and checked, atomic output files (`output`).
//!
//! May use `case`, `wire`, `judge` (a trial's result, for snapshots and baselines) and
//! `target::secret` (redaction).

pub mod baseline;
pub mod exchange;
pub mod output;
pub mod snapshot;
