//! What a run shows on a terminal between its trial lines: a bar of trials done when standard
//! output is redirected, and, whenever a trial has waited more than a second for an event, what
//! it waits for and for how long (a run against a pool's 30 s invitation timeout is otherwise
//! silent for half a minute). Drawn on standard error, only when it is a terminal.

use crate::report::console::Format;
use crate::report::escape::console_line;
use crate::run::{Wait, Waiting};
use crate::under_test::secret::Redactor;
use std::io::IsTerminal as _;
use std::time::Duration;

/// How often the waiting line is redrawn.
const TICK: Duration = Duration::from_millis(250);

/// A wait is shown once it has lasted this long.
const SHOWN_AFTER: Duration = Duration::from_secs(1);

/// The progress of a run on standard error.
pub struct Progress {
    bar: indicatif::ProgressBar,
    ticker: tokio::task::JoinHandle<()>,
}

impl Progress {
    /// Starts showing the progress of `total` trials whose waits are in `waiting`, when standard
    /// error is a terminal and the format is for people; `None` otherwise. Target text in a
    /// wait's description goes through `screen` and is shown on one line.
    pub fn start(total: usize, format: Format, waiting: Waiting, screen: Redactor) -> Option<Self> {
        if format == Format::Json || !std::io::stderr().is_terminal() {
            return None;
        }
        // On a terminal the trial lines are the count; redirected, a bar counts them.
        let (bar, template) = if std::io::stdout().is_terminal() {
            (indicatif::ProgressBar::new_spinner(), "{wide_msg}")
        } else {
            (
                indicatif::ProgressBar::new(total as u64),
                "{bar:40} {pos}/{len} trials {elapsed} {wide_msg}",
            )
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        let shown = bar.clone();
        let ticker = tokio::spawn(async move {
            loop {
                tokio::time::sleep(TICK).await;
                shown.set_message(line(&waiting.now(), &screen));
            }
        });
        Some(Self { bar, ticker })
    }

    /// Prints with `print` (a trial's line), the progress cleared and drawn again after it.
    pub fn suspend(&self, print: impl FnOnce()) {
        self.bar.suspend(print);
    }

    /// One more trial done.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Stops and clears the progress.
    pub fn finish(&self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}

/// `waiting 12 s of 30 s for a `completed` event for `messagingInvitation` [json] (+1 more)`, or
/// nothing when no wait has lasted a second.
fn line(waits: &[Wait], screen: &Redactor) -> String {
    let long: Vec<&Wait> = waits.iter().filter(|w| w.since.elapsed() >= SHOWN_AFTER).collect();
    let Some(first) = long.first() else {
        return String::new();
    };
    let more = match long.len() {
        1 => String::new(),
        n => format!(" (+{} more)", n - 1),
    };
    console_line(&screen.redact(&format!(
        "waiting {} s of {} s for {} [{}]{more}",
        first.since.elapsed().as_secs(),
        first.within.as_secs(),
        first.wanted,
        first.media
    )))
}

/// The note a run ends with when waiting for events took most of it: which option shortens it.
pub fn waited_note(waited: Duration, run: Duration) -> Option<String> {
    if run < Duration::from_secs(5) || waited * 2 < run {
        return None;
    }
    Some(format!(
        "this run spent {} s of its {} s waiting for events (an invitation nobody answers ends only when the \
         target's invitation timeout runs out): against `ucwa-conformance serve`, start it with \
         --invitation-timeout-ms 2000; against a pool, `max_wait_ms` in the profile's [limits] caps each wait \
         (a trial whose event needs longer then misses it), or --skip events. leaves them out\n",
        waited.as_secs(),
        run.as_secs()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_mostly_waiting_says_which_option_shortens_it() {
        let note = waited_note(Duration::from_secs(28), Duration::from_secs(31)).expect("a note");
        assert!(
            note.contains("--invitation-timeout-ms") && note.contains("max_wait_ms"),
            "{note}"
        );
        assert_eq!(waited_note(Duration::from_secs(3), Duration::from_secs(31)), None);
        assert_eq!(waited_note(Duration::from_secs(3), Duration::from_secs(4)), None);
    }
}
