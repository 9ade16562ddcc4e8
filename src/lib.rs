//! `ucwa-conformance`: a conformance suite for the UCWA `startMessaging` resource
//! (Skype for Business 2015, the startMessaging2 reference page).
//!
//! Data flows one way; each step is one module and knows nothing of the steps after it:
//!
//! ```text
//! case files ──case──▶ Case ──run::plan──▶ (case × media) ──run::exec──▶ exchanges ──check──▶ verdict ──▶ console
//!                                              ▲
//!              target ──client::discovery──────┘ (root → user → token → application → links)
//! ```
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
pub mod coverage;
pub mod diag;
#[cfg(feature = "reference")]
pub mod embedded;
pub mod exit;
pub mod inventory;
#[cfg(feature = "reference")]
pub mod mutation;
#[cfg(feature = "reference")]
pub mod reference;
pub mod report;
pub mod run;
pub mod secret;
pub mod snapshot;
pub mod target;
pub mod verdict;
pub mod wire;
