//! Case files: the serde mirror (`raw`), the validated model (`model`), values with
//! placeholders (`template`) and the loader that turns files into cases (`load`).
//!
//! This module knows nothing of HTTP; it may use only `diag`.

mod load;
pub mod model;
mod raw;
pub mod template;

pub use load::{
    INVENTORY_FILE, KNOWN_PRECONDITIONS, KNOWN_RELS, MAX_CASE_FILE_BYTES, digest_dir, load_dir, parse_case,
};
pub use model::*;
pub use template::{PeerRole, Template, Values};
