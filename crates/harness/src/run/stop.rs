//! A run's stop request: set once (by the CLI's signal handler, or by the session when the target
//! stops answering), seen by every trial. Trials not started when it comes are not started;
//! running ones get [`GRACE`] to finish.

use crate::error::Signal;
use crate::judge::run_verdict::StopKind;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long running trials may go on after a stop request.
pub const GRACE: Duration = Duration::from_secs(2);

/// Why a run stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopCause {
    /// A signal (exit 130 or 143).
    Signal(Signal),
    /// The target stopped answering (exit 3); the text says what was seen.
    TargetSilent(String),
    /// This many trials counted as failures, the limit of `--max-fail` (`--fail-fast` is 1):
    /// exit 1.
    MaxFail(usize),
}

impl StopCause {
    /// The kind of stop, as the run's verdict records it.
    pub fn kind(&self) -> StopKind {
        match self {
            StopCause::Signal(Signal::Interrupt) => StopKind::Sigint,
            StopCause::Signal(Signal::Terminate) => StopKind::Sigterm,
            StopCause::TargetSilent(_) => StopKind::TargetSilent,
            StopCause::MaxFail(_) => StopKind::FailFast,
        }
    }
}

impl std::fmt::Display for StopCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopCause::Signal(signal) => write!(f, "interrupted by {signal}"),
            StopCause::TargetSilent(what) => write!(f, "halted: the target stopped answering ({what})"),
            StopCause::MaxFail(1) => f.write_str("halted after the first failure (--fail-fast)"),
            StopCause::MaxFail(n) => write!(f, "halted after {n} failures (--max-fail {n})"),
        }
    }
}

/// A shared stop request.
#[derive(Debug, Clone)]
pub struct Stop {
    sender: Arc<watch::Sender<Option<StopCause>>>,
}

impl Default for Stop {
    fn default() -> Self {
        Self::new()
    }
}

impl Stop {
    /// A stop that has not been requested.
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::channel(None).0),
        }
    }

    /// Requests the stop (the first request's cause is kept).
    pub fn request(&self, cause: StopCause) {
        self.sender.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(cause);
                true
            } else {
                false
            }
        });
    }

    /// Why the stop was requested, if it was.
    pub fn requested(&self) -> Option<StopCause> {
        self.sender.borrow().clone()
    }

    /// Resolves when the stop is requested.
    pub async fn wait(&self) -> StopCause {
        let mut receiver = self.sender.subscribe();
        loop {
            if let Some(cause) = receiver.borrow_and_update().clone() {
                return cause;
            }
            if receiver.changed().await.is_err() {
                // The sender lives as long as `self`: this cannot happen, but never spin.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Resolves [`GRACE`] after the stop is requested.
    pub async fn after_grace(&self) -> StopCause {
        let cause = self.wait().await;
        tokio::time::sleep(GRACE).await;
        cause
    }
}
