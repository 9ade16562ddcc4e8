//! Secrets (tokens, passwords) and the redactor that keeps them out of every message and report,
//! in every spelling a target can echo them back in.
//!
//! A [`Secret`] never prints its value. The [`Redactor`] scrubs known secret values (as they are,
//! and spelled with JSON, XML/HTML, percent or Markdown escapes, or as base64), `cwt=` and
//! `psat=` tokens, and Authorization values. It runs twice: once when a trial is recorded, and
//! once more over every output just before it is written (the final screen). `spelling` knows
//! the escapes; `nested` decodes values whose escapes are escaped again (a JSON document echoed
//! inside a JSON string), so no secret stays one unescape away. Uses nothing of the crate.

mod nested;
mod redactor;
mod spelling;

pub use redactor::{REDACTED, Redactor, Secret};
