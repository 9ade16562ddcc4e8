//! The case corpus: which case files run (`files`: built into the binary, or a directory, and
//! its digest), the spec inventory they cite (`inventory`), and spec items x cases (`coverage`).
//!
//! May use `case`, `diag` and `digest`.

pub mod coverage;
mod files;
pub mod inventory;

pub use files::{Corpus, Origin};
