//! Running cases: selection (`plan`), the run session that owns a run from sign-in to cleanup
//! (`session`), its stop request (`stop`), the shared context (`context`), one case in one media
//! type (`exec`) with its request steps (`request`) and event waits (`wait`), which share `step`, and the
//! waits running now (`waiting`). One runtime, one
//! pooled client, bounded concurrency. This module never prints.
//!
//! May use `case`, `client`, `clock`, `diag`, `error`, `judge`, `record`, `target` and `wire`.

mod context;
mod exec;
mod plan;
mod request;
mod session;
mod step;
mod stop;
mod wait;
mod waiting;

pub use context::{Parts, RunContext};
pub use exec::run_case;
pub use plan::{PlannedRun, Selection, Unmatched, nearest_ids, plan, unmatched};
pub use request::INVALID_TOKEN;
pub use session::{DEAD_AFTER, OnStart, Session, SessionOptions, finish, not_run, prepare, prepare_with};
pub use stop::{GRACE, Stop, StopCause};
pub use waiting::{Wait, Waiting};
