//! The target and what guards it: its profile (`profile`: base URL, credentials, peers,
//! preconditions, limits), the origins that may receive its credentials (`trust`), TLS settings
//! (`tls`), and secrets with the redactor that keeps them out of every output (`secret`).
//!
//! May use `case` (media types, preconditions) and `diag`.

mod profile;
pub mod secret;
pub mod tls;
pub mod trust;

pub use profile::{
    Anonymous, Credentials, Limits, Overrides, Target, TargetError, from_file, from_overrides, precondition_is_known,
};
