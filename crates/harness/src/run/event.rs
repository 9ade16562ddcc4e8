//! What a run tells whoever watches it: typed events, in order, to a [`Sink`]. The console, the
//! progress bar and libtest's JSON stream are sinks of the CLI; the kill matrix and the bench
//! give `()`, which ignores them.
//!
//! The order is a promise: [`Event::Started`] first, each trial's [`Event::TrialStarted`] before
//! its [`Event::TrialFinished`] (trials of different workers interleave), [`Event::Finished`]
//! last, once. After a stop request the trials not started are still reported, finished as
//! `not run`; a stop during sign-in reports every trial that way, with no `TrialStarted`.

use super::stop::StopCause;
use super::waiting::Waiting;
use crate::judge::verdict::CaseResult;
use crate::under_test::secret::Redactor;

/// One thing that happened in a run.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// The run signed in and is about to start its trials.
    Started {
        /// How many trials the plan holds.
        trials: usize,
        /// The event waits running from now on, for a sink that shows what a quiet run waits
        /// for (read it when you draw: a wait is a span, not an event).
        waits: &'a Waiting,
        /// The run's redactor, which knows the token issued at sign-in too: whatever a sink
        /// shows of the target's text passes it (results arrive redacted already).
        screen: &'a Redactor,
    },
    /// A trial got its turn among the run's jobs.
    TrialStarted {
        /// `id [media]`.
        name: &'a str,
    },
    /// A trial ended (redacted, compared with its snapshots, excused by the baseline).
    TrialFinished {
        /// Its result.
        result: &'a CaseResult,
    },
    /// Every trial ended; the stop cause, if the run stopped early.
    Finished {
        /// Why the run stopped before its plan ended, if it did.
        stop: Option<&'a StopCause>,
    },
}

/// Whoever watches a run. Called from one task of the run's runtime, one event at a time, in
/// the order of [`Event`]'s promise.
pub trait Sink: Send + 'static {
    /// Takes one event.
    fn event(&mut self, event: &Event<'_>);
}

/// Watching nothing.
impl Sink for () {
    fn event(&mut self, _: &Event<'_>) {}
}

/// A closure watches too (a test's counter, say).
impl<F: FnMut(&Event<'_>) + Send + 'static> Sink for F {
    fn event(&mut self, event: &Event<'_>) {
        self(event)
    }
}
