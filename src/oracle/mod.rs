//! The reference server as the suite's oracle: the default target when none is given
//! (`embedded`), the explorer's model of the page (`model`), the grades of the clients that
//! talked to it (`grade`), the kill matrix that proves each case fails against a broken server
//! (`mutation`), and the benchmark against the raw HTTP floor (`bench`).
//!
//! The only library modules that use both the harness and `reference`. May use `case`, `client`, `clock`, `corpus`, `diag`, `error`, `explore`, `history`, `judge`,
//! `reference`, `report`, `run` and `under_test`.

pub mod bench;
pub mod embedded;
pub mod grade;
pub mod model;
pub mod mutation;
