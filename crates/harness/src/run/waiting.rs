//! The event waits running now, and how long the run has spent with at least one running: the
//! runner records them (it never prints); a console reads them to show what a quiet run waits
//! for, and to say at the end when waiting took most of the run.

use crate::case::Media;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One wait in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// What it waits for (`a `completed` event for `messagingInvitation``).
    pub wanted: String,
    /// The media type of its event channel.
    pub media: Media,
    /// When it started.
    pub since: Instant,
    /// How long it may last.
    pub within: Duration,
}

/// The run's waits, shared by its trials and whoever watches them.
#[derive(Debug, Clone, Default)]
pub struct Waiting {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    running: Vec<(u64, Wait)>,
    next: u64,
    /// When the current stretch with a wait running began.
    busy_since: Option<Instant>,
    /// Stretches with a wait running, ended.
    waited: Duration,
}

/// A wait's place in [`Waiting`]: the wait ends when this is dropped.
#[derive(Debug)]
pub struct Began {
    waiting: Waiting,
    id: u64,
}

impl Waiting {
    /// Records a wait that starts now.
    pub fn begin(&self, wanted: String, media: Media, within: Duration) -> Began {
        let mut state = self.lock();
        let id = state.next;
        state.next += 1;
        let since = Instant::now();
        if state.running.is_empty() {
            state.busy_since = Some(since);
        }
        state.running.push((
            id,
            Wait {
                wanted,
                media,
                since,
                within,
            },
        ));
        Began {
            waiting: self.clone(),
            id,
        }
    }

    /// The waits running now, the longest first.
    pub fn now(&self) -> Vec<Wait> {
        let mut waits: Vec<Wait> = self.lock().running.iter().map(|(_, w)| w.clone()).collect();
        waits.sort_by_key(|w| w.since);
        waits
    }

    /// How long the run has had at least one wait running.
    pub fn waited(&self) -> Duration {
        let state = self.lock();
        state.waited + state.busy_since.map_or(Duration::ZERO, |s| s.elapsed())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave it half-written: take it anyway.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Began {
    fn drop(&mut self) {
        let mut state = self.waiting.lock();
        state.running.retain(|(id, _)| *id != self.id);
        if state.running.is_empty()
            && let Some(since) = state.busy_since.take()
        {
            state.waited += since.elapsed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_waits_count_once_and_end_when_dropped() {
        let waiting = Waiting::default();
        let first = waiting.begin("a".into(), Media::Json, Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(20));
        let second = waiting.begin("b".into(), Media::Xml, Duration::from_secs(30));
        assert_eq!(
            waiting.now().iter().map(|w| w.wanted.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        drop(first);
        std::thread::sleep(Duration::from_millis(20));
        drop(second);
        assert!(waiting.now().is_empty());
        let waited = waiting.waited();
        assert!(
            waited >= Duration::from_millis(40) && waited < Duration::from_millis(500),
            "{waited:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(waiting.waited(), waited, "no wait running: nothing more counts");
    }
}
