//! The console's sink of a run: each trial's line as it ends (pretty, terse, or libtest's JSON
//! events, starts too), every line through the final screen, and the progress on a terminal.

use super::progress::Progress;
use crate::report::console::{self, Format};
use crate::run::{Event, Sink};
use crate::under_test::secret::Redactor;

/// Where the console goes: standard output, or standard error when a report is written to
/// standard output (`--json -`), so `run --json - | jq` reads JSON only.
#[derive(Debug, Clone, Copy)]
pub struct Console {
    /// The console goes to standard error.
    pub stderr: bool,
}

impl Console {
    /// Prints `text` where the console goes.
    pub fn say(self, text: &str) {
        if self.stderr {
            anstream::eprint!("{text}");
        } else {
            out!("{text}");
        }
    }
}

/// The trial lines of a run, and its progress.
pub struct Watch {
    format: Format,
    strict: bool,
    /// The final screen of each line: the run's, once it started.
    screen: Redactor,
    console: Console,
    progress: Option<Progress>,
}

impl Watch {
    /// A console in `format` (`strict` decides how a should-level deviation is shown) whose
    /// lines pass `screen`.
    pub fn new(format: Format, strict: bool, screen: Redactor, console: Console) -> Self {
        Self {
            format,
            strict,
            screen,
            console,
            progress: None,
        }
    }

    /// Prints a line, the progress cleared and drawn again around it.
    fn say(&self, line: &str) {
        match &self.progress {
            Some(progress) => progress.suspend(|| self.console.say(line)),
            None => self.console.say(line),
        }
    }

    /// A line of the target's text, screened: JSON events stay JSON (only values are replaced).
    fn screened(&self, line: &str) -> String {
        match self.format {
            Format::Json => self.screen.redact_values(line),
            Format::Pretty | Format::Terse => self.screen.redact(line),
        }
    }
}

impl Sink for Watch {
    fn event(&mut self, event: &Event<'_>) {
        match *event {
            Event::Started { trials, waits, screen } => {
                self.screen = screen.clone();
                self.progress = Progress::start(trials, self.format, waits.clone(), self.screen.clone());
                self.say(&console::started(self.format, trials));
            }
            // Only libtest's JSON events tell starts.
            Event::TrialStarted { name } => {
                if self.format == Format::Json {
                    self.say(&self.screened(&console::test_started(self.format, name)));
                }
            }
            Event::TrialFinished { result } => {
                if let Some(progress) = &self.progress {
                    progress.inc();
                }
                self.say(&self.screened(&console::trial(self.format, result, self.strict)));
            }
            Event::Finished { .. } => {
                if let Some(progress) = self.progress.take() {
                    progress.finish();
                }
                if self.format == Format::Terse {
                    self.say("\n");
                }
            }
        }
    }
}
