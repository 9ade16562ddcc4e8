//! A run's stop request: set once (by the CLI's signal handler), seen by every trial. Trials not
//! started when it comes are not started; running ones get [`GRACE`] to finish.

use crate::error::Signal;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long running trials may go on after a stop request.
pub const GRACE: Duration = Duration::from_secs(2);

/// A shared stop request.
#[derive(Debug, Clone)]
pub struct Stop {
    sender: Arc<watch::Sender<Option<Signal>>>,
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

    /// Requests the stop (the first request's signal is kept).
    pub fn request(&self, signal: Signal) {
        self.sender.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(signal);
                true
            } else {
                false
            }
        });
    }

    /// The signal that requested the stop, if one did.
    pub fn requested(&self) -> Option<Signal> {
        *self.sender.borrow()
    }

    /// Resolves when the stop is requested.
    pub async fn wait(&self) -> Signal {
        let mut receiver = self.sender.subscribe();
        loop {
            if let Some(signal) = *receiver.borrow_and_update() {
                return signal;
            }
            if receiver.changed().await.is_err() {
                // The sender lives as long as `self`: this cannot happen, but never spin.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Resolves [`GRACE`] after the stop is requested.
    pub async fn after_grace(&self) -> Signal {
        let signal = self.wait().await;
        tokio::time::sleep(GRACE).await;
        signal
    }
}
