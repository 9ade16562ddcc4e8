//! Running cases: selection (`plan`), the runner that owns a run from sign-in to cleanup
//! (`runner`) and the events it tells a sink (`event`), its stop request (`stop`), what its
//! trials share (`context`), one case in one media type (`exec`) with its request steps
//! (`request`) and event waits (`wait`), which share `step`, and the waits running now
//! (`waiting`). One runtime, one pooled client, bounded concurrency. This module never prints.
//!
//! May use `case`, `client`, `clock`, `diag`, `error`, `judge`, `record`, `under_test` and `wire`.

mod context;
mod event;
mod exec;
mod plan;
mod request;
mod runner;
mod step;
mod stop;
mod wait;
mod waiting;

pub use event::{Event, Sink};
pub use plan::{PlannedRun, Selection, Unmatched, nearest_ids, plan, unmatched};
pub use request::INVALID_TOKEN;
pub use runner::{DEAD_AFTER, Finished, RunOptions, Runner, run_plan};
pub use stop::{GRACE, Stop, StopCause};
pub use waiting::{Wait, Waiting};
