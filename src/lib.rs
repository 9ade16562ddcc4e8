//! `ucwa-conformance`: a conformance suite for the UCWA `startMessaging` resource
//! (Skype for Business 2015, the startMessaging2 reference page), as one library: the harness
//! (`ucwa-harness`: cases, the client, the runner, verdicts, reports, evidence, history), the
//! reference server (`ucwa-reference`, as [`reference`]), and `oracle`, the one module that uses
//! both (the embedded default target, the kill matrix, the benchmark). The commands (`src/cli`,
//! private) are the library's too, reached through [`main`]: built beside the harness, not after
//! it, they shorten a cold release build by about ten seconds (docs/speed.md).
//!
//! The harness and the reference are crates of their own: neither can import the other.
#![warn(missing_docs)]

pub use ucwa_harness::{
    case, client, clock, corpus, diag, error, evidence, exit, explore, history, judge, record, report, run, under_test,
    wire,
};
/// The embedded reference server: the default target and the suite's oracle.
pub use ucwa_reference as reference;

pub mod oracle;

mod cli;
pub use cli::main;
