//! Exploration: requests generated across the whole input space of startMessaging (every input,
//! value classes of every length and width, pairs of them, sequences that build state), each
//! judged against what a model of the page answers, run through the one runner, and each
//! distinct failure shrunk to a minimal request written as an ordinary case file.
//!
//! `space` is the input space and the page's reading of a request; `generate` what to send for
//! a seed; `oracle` the model's interface (the binary joins it to the reference); `script` a
//! planned trial as a case file; `explorer` the run, the shrinking and the findings; `summary`
//! what reports show.
//!
//! May use `case`, `judge`, `run` and `wire`.

mod explorer;
mod generate;
mod oracle;
mod script;
mod space;
mod summary;

pub use explorer::{DEFAULT_BUDGET, ExploreOptions, Explored, Explorer, signature_of};
pub use generate::{Rng, Sequence};
pub use oracle::{Answer, Model, Oracle, Shown};
pub use space::{Dimension, Judged, Reading, classes};
pub use summary::{Exploration, Finding};
