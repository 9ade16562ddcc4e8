//! Evidence a buyer can check: a vendor's results file checked against itself and this binary's
//! corpus (`audit`: verdict, counts and area words recomputed from the trials; whether the run
//! covered the whole corpus), and Ed25519 signatures that prove a file is byte for byte what a
//! signer's run wrote (`signature`).
//!
//! May use `case`, `judge`, `report` and `digest`.

pub mod audit;
pub mod signature;
