//! The event channel, read once per application and shared by every case: one task follows
//! `next` (or `resync`) with pending GETs and records every event; a wait step looks through the
//! record for its event (correlated by operationId) until its time budget runs out.

use super::discovery::Session;
use super::http::HttpClient;
use super::message::{Request, TransportError};
use crate::case::Media;
use crate::wire::{Event, parse_batch, request_content_type};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use url::Url;

/// Longest wait for one pending GET: past the documented 180 s default empty release.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(200);
/// Most events kept; a run needs a few per case.
pub const MAX_EVENTS: usize = 100_000;
/// Transport errors in a row before the channel is given up.
const MAX_ERRORS_IN_A_ROW: usize = 3;

/// The shared reader of one application's event channel.
#[derive(Debug, Clone)]
pub struct EventHub {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Events in arrival order, each with its arrival number (counting from 0, never reused).
    events: Mutex<Vec<(u64, Event)>>,
    /// How many events have arrived in all.
    arrived: std::sync::atomic::AtomicU64,
    failure: Mutex<Option<WaitError>>,
    notify: Notify,
}

/// Why a wait found no event.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WaitError {
    /// The budget ran out; `seen` events had arrived, none matching.
    #[error("no matching event within {within:?} ({seen} events seen on the channel)")]
    TimedOut {
        /// The budget.
        within: Duration,
        /// How many events the channel had delivered.
        seen: usize,
    },
    /// The channel itself failed (an error answer, a dead connection).
    #[error("the event channel failed: {0}")]
    Channel(String),
    /// The target sent a batch that cannot be read (malformed, or past the nesting limit): the
    /// target's failure.
    #[error("an unreadable event batch: {0}")]
    Unreadable(String),
    /// The application has no `events` link.
    #[error("the application has no `events` link")]
    NoChannel,
    /// The channel's next link leads outside the trust set: the target's failure.
    #[error("the event channel's next link: {0}")]
    Untrusted(String),
    /// An event on the channel shows the awaited one can no longer come (its conversation
    /// ended); the text describes that event.
    #[error("it can no longer come: {0}")]
    CannotCome(String),
}

impl EventHub {
    /// Starts reading the channel of `session` in `media` (inside a tokio runtime).
    pub fn start(client: HttpClient, session: &Session, media: Media) -> Self {
        let hub = EventHub {
            inner: Arc::new(Inner::default()),
        };
        let Some(url) = session.links.get("events").cloned() else {
            hub.fail(WaitError::NoChannel);
            return hub;
        };
        let reader = hub.clone();
        let authorization = session.authorization();
        tokio::spawn(async move { reader.read(client, url, media, authorization).await });
        hub
    }

    fn fail(&self, reason: impl Into<WaitError>) {
        if let Ok(mut failure) = self.inner.failure.lock() {
            failure.get_or_insert(reason.into());
        }
        self.inner.notify.notify_waiters();
    }

    async fn read(self, client: HttpClient, mut url: Url, media: Media, authorization: Option<String>) {
        let mut errors = 0;
        loop {
            let mut request = Request::new("GET", url.clone()).header("Accept", request_content_type(media));
            if let Some(value) = &authorization {
                request = request.header("Authorization", value);
            }
            let response = match client.send_within(&request, POLL_TIMEOUT).await {
                Ok(r) => r,
                Err(TransportError::Untrusted(reason)) => return self.fail(WaitError::Untrusted(reason)),
                Err(e) => {
                    errors += 1;
                    if errors >= MAX_ERRORS_IN_A_ROW {
                        return self.fail(format!("GET {url}: {e}"));
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            errors = 0;
            if response.status != 200 {
                let excerpt: String = response.text().chars().take(200).collect();
                return self.fail(format!("GET {url}: status {} {excerpt}", response.status));
            }
            let batch = match parse_batch(media, &response.text()) {
                Ok(b) => b,
                Err(e) => return self.fail(WaitError::Unreadable(format!("GET {url}: {e}"))),
            };
            if let Ok(mut events) = self.inner.events.lock() {
                for event in batch.events {
                    let n = self.inner.arrived.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    events.push((n, event));
                }
                let excess = events.len().saturating_sub(MAX_EVENTS);
                events.drain(..excess);
            }
            self.inner.notify.notify_waiters();
            let Some(next) = batch.next.or(batch.resync) else {
                return self.fail(format!("GET {url}: the batch has neither a `next` nor a `resync` link"));
            };
            url = match url.join(&next) {
                Ok(u) => u,
                Err(e) => return self.fail(format!("GET {url}: bad next link `{next}`: {e}")),
            };
        }
    }

    /// The first recorded event for which `matches` holds, with its arrival number on this
    /// channel, waiting up to `within` for it.
    pub async fn wait_for(
        &self,
        matches: impl Fn(&Event) -> bool,
        within: Duration,
    ) -> Result<(u64, Event), WaitError> {
        self.wait_unless(matches, |_| None, within).await
    }

    /// Like [`EventHub::wait_for`], ending at once when an event for which `hopeless` says why
    /// has arrived and no matching one before it.
    pub async fn wait_unless(
        &self,
        matches: impl Fn(&Event) -> bool,
        hopeless: impl Fn(&Event) -> Option<String>,
        within: Duration,
    ) -> Result<(u64, Event), WaitError> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let seen = match self.inner.events.lock() {
                Ok(events) => {
                    if let Some(found) = events.iter().find(|(_, e)| matches(e)) {
                        return Ok(found.clone());
                    }
                    if let Some(why) = events.iter().find_map(|(_, e)| hopeless(e)) {
                        return Err(WaitError::CannotCome(why));
                    }
                    events.len()
                }
                Err(_) => return Err(WaitError::Channel("the event record is poisoned".into())),
            };
            if let Some(failure) = self.inner.failure.lock().ok().and_then(|f| f.clone()) {
                return Err(failure);
            }
            tokio::select! {
                _ = notified => {}
                _ = tokio::time::sleep_until(deadline) => return Err(WaitError::TimedOut { within, seen }),
            }
        }
    }
}

impl From<String> for WaitError {
    fn from(reason: String) -> Self {
        WaitError::Channel(reason)
    }
}
