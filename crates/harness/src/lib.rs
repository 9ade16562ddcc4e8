//! `ucwa-harness`: the harness of `ucwa-conformance`, a conformance suite for the UCWA
//! `startMessaging` resource (Skype for Business 2015, the startMessaging2 reference page).
//! It depends on nothing of the reference server (`ucwa-reference`); the binary joins them.
//!
//! Data flows one way; each folder is one step and knows nothing of the steps after it:
//!
//! ```text
//! corpus ──case──▶ Case ──run::plan──▶ (case × media) ──run──▶ record (exchanges) ──judge──▶ verdicts ──report──▶ outputs
//!                                          ▲
//!          under_test (profile, trust, tls, secrets) ──client (discovery, sign-in, HTTP)
//! ```
//!
//! - `case`: case files, validated into [`case::Case`]; `corpus`: which case files, the spec
//!   inventory and coverage.
//! - `under_test`: the target (the server under test): its profile, the origins that may
//!   receive its credentials, TLS, and the redactor; `wire`: UCWA JSON and XML; `client`:
//!   HTTP, sign-in, discovery, events.
//! - `run`: selection and the runner (sign-in to cleanup), which tells its events to a sink;
//!   it never prints.
//! - `record`: exchanges as fields, atomic outputs; `judge`: checks, snapshots, baselines, a
//!   trial's [`judge::verdict::Outcome`] (a closed enum), and whether it counts
//!   ([`judge::standing::standing`], the one function every report asks).
//! - `report`: console, results file, JUnit, HTML, Markdown, diffs; pure functions of results.
//! - `evidence`: a results file checked against its own trials and the corpus (`verify`), and
//!   its Ed25519 signature.
//! - `history`: results files remembered across builds (SQLite or PostgreSQL), the questions
//!   asked of them (regressions, flaky trials) and the dashboard; it reads results, never a run.
//!
//! Five modules sit at the root because every step uses them: `error` (the library's one error
//! type), `exit` (the exit codes users script against), `diag` (file positions and excerpts for
//! every file a user gives), `clock` (dates and timestamps) and `digest` (`sha256:` digests).
#![warn(missing_docs)]

pub mod case;
pub mod client;
pub mod clock;
pub mod corpus;
pub mod diag;
pub mod digest;
pub mod error;
pub mod evidence;
pub mod exit;
pub mod explore;
pub mod history;
pub mod judge;
pub mod record;
pub mod report;
pub mod run;
pub mod under_test;
pub mod wire;
