//! What a run writes down: each exchange as fields, bodies capped or compressed (`exchange`), and
//! its output files, checked before the run and written atomically after it (`output`).
//!
//! May use `under_test::secret` (redaction), `digest` and `error`.

pub mod exchange;
pub mod output;
