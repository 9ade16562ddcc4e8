//! Regression history: every run remembered in a database (SQLite by default, PostgreSQL for a
//! history shared by many pipelines), so the questions no single diff answers get answered:
//! which build first broke a trial and which was the last good one (`timeline::regressions`),
//! which trials flip between builds (`timeline::flaky`), one trial build by build, and each
//! target's builds with their verdict per area; the dashboard draws them (`dashboard`).
//!
//! The data flows one way: a results file becomes a [`record::RunRecord`], a [`store::Store`]
//! keeps it (`schema` holds the tables, the migrations and every statement, the same text for both
//! databases; `sql` is the interface both implement, `sqlite` and `postgres`), the store reads a
//! target's [`timeline::Timeline`] back, and the questions are pure functions of that timeline.
//!
//! May use `report` (the results files it reads), `judge` (standings and verdicts),
//! `case`, `clock` (when a run ran), `digest` and `error`; never a run: it reads results files, however they were made.

pub mod bench;
pub mod dashboard;
mod postgres;
pub mod record;
mod schema;
mod sql;
mod sqlite;
pub mod store;
pub mod timeline;

pub use record::RunRecord;
pub use store::{Added, HistoryError, Location, Store};
pub use timeline::{Regression, Status, Timeline};
