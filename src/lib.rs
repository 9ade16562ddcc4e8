//! `ucwa-conformance`: a conformance suite for the UCWA `startMessaging` resource
//! (Skype for Business 2015, the startMessaging2 reference page).
//!
//! Data flows one way; each step is one module and knows nothing of the steps after it:
//!
//! ```text
//! case files ──case──▶ Case ──run::plan──▶ (case × media) ──run::exec──▶ exchanges ──check──▶ verdict
//!                                              ▲                                                     │
//!              target ──run::Session───────────┘ (sign-in, applications, retries, redaction,         ▼
//!                                                 snapshots, baseline, stop, cleanup)   standing ──▶ reports
//! ```
//!
//! A trial's [`verdict::Outcome`] is a closed enum; whether it counts, and how every report
//! shows it, is decided by one function, [`standing::standing`].
//!
//! `wire` holds the UCWA representations (JSON and XML) both sides of the wire share;
//! `reference` is the embedded reference server, which the harness modules never import.
#![warn(missing_docs)]

pub mod baseline;
#[cfg(feature = "reference")]
pub mod bench;
pub mod case;
pub mod check;
pub mod client;
pub mod clock;
pub mod corpus;
pub mod coverage;
pub mod diag;
#[cfg(feature = "reference")]
pub mod embedded;
pub mod error;
pub mod error_rows;
pub mod exchange;
pub mod exit;
pub mod inventory;
#[cfg(feature = "reference")]
pub mod mutation;
pub mod output;
#[cfg(feature = "reference")]
pub mod reference;
pub mod report;
pub mod run;
pub mod secret;
pub mod snapshot;
pub mod standing;
pub mod target;
pub mod tls;
pub mod trust;
pub mod verdict;
pub mod wire;
