//! Case files: the serde mirror (`raw`), the validated model (`model`), values with
//! placeholders (`template`), the rules a case follows (`validate`) and the loader that turns
//! files into cases (`load`).
//!
//! This module knows nothing of HTTP; it may use only `diag`.

mod load;
pub mod model;
mod raw;
pub mod template;
mod validate;

pub use load::{INVENTORY_FILE, MAX_CASE_FILE_BYTES, duplicate_id, parse_case};
pub use model::*;
pub use template::{PeerRole, Template, Unfilled, Values};
pub use validate::{KNOWN_PRECONDITIONS, KNOWN_RELS, MAX_WAIT_MS};
