//! Verdicts: the outcome of one case in one media type, the differences that made it fail, and
//! the exchanges that were sent (already redacted). Reports are pure functions of these.

use crate::case::{Media, Severity};
use std::fmt::Write as _;
use std::time::Duration;

/// How one case ended in one media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every step's response was as expected.
    Pass,
    /// The target answered, and the answer differs from what the spec demands.
    Fail,
    /// Not run, with the reason (a media type or precondition the target does not offer).
    Skip(String),
    /// The harness could not decide (network, timeout, a fault it could not arm); never blamed on the target.
    Error(String),
    /// Failed, and the target's baseline lists it as a known failure (with the entry's reason).
    ExpectedFail(String),
    /// Passed, though the target's baseline lists it as a known failure (with the entry's reason).
    UnexpectedPass(String),
    /// Failed or errored, then passed on a retry (`--retries`); the text says what failed first.
    Flaky(String),
}

impl Outcome {
    /// The name used in reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Skip(_) => "skip",
            Outcome::Error(_) => "error",
            Outcome::ExpectedFail(_) => "expected-fail",
            Outcome::UnexpectedPass(_) => "unexpected-pass",
            Outcome::Flaky(_) => "flaky",
        }
    }
}

/// One difference between what a step expected and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What was compared: `status`, `subcode`, `header Location`, ...
    pub what: String,
    /// What the case expected.
    pub expected: String,
    /// What the target sent.
    pub actual: String,
}

/// A request and its response, as text with secrets removed.
#[derive(Debug, Clone, Default)]
pub struct ExchangeRecord {
    /// `METHOD URL`, headers and body of the request.
    pub request: String,
    /// Status line, headers and body of the response; empty when there was none.
    pub response: String,
    /// The normalised form compared with the stored snapshot, when there was a response.
    pub snapshot: Option<String>,
}

/// The verdict on one case in one media type.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case id.
    pub id: String,
    /// The case title.
    pub title: String,
    /// The spec items the case cites.
    pub spec: Vec<String>,
    /// The case's tags.
    pub tags: Vec<String>,
    /// The media type it ran in.
    pub media: Media,
    /// Its severity.
    pub severity: Severity,
    /// How it ended.
    pub outcome: Outcome,
    /// The step (1-based) that failed or errored, if any.
    pub failed_step: Option<usize>,
    /// The differences found in that step.
    pub mismatches: Vec<Mismatch>,
    /// Every exchange sent, in order.
    pub exchanges: Vec<ExchangeRecord>,
    /// Wall time of the case.
    pub duration: Duration,
    /// Snapshots (`id@step-media`) that are new or differ from the stored ones.
    pub snapshot_changes: Vec<String>,
}

impl CaseResult {
    /// A result with nothing recorded yet (title, spec items and tags empty).
    pub fn new(id: impl Into<String>, media: Media, severity: Severity, outcome: Outcome) -> Self {
        Self {
            id: id.into(),
            title: String::new(),
            spec: Vec::new(),
            tags: Vec::new(),
            media,
            severity,
            outcome,
            failed_step: None,
            mismatches: Vec::new(),
            exchanges: Vec::new(),
            duration: Duration::ZERO,
            snapshot_changes: Vec::new(),
        }
    }

    /// The libtest-style name: `id [media]`.
    pub fn name(&self) -> String {
        trial_name(&self.id, self.media)
    }

    /// The failure text shown under the case: the step, the differences, then the exchange.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        if let Some(step) = self.failed_step {
            let _ = writeln!(out, "step {step}:");
        }
        match &self.outcome {
            Outcome::Error(reason) => {
                let _ = writeln!(out, "  error (not blamed on the target): {reason}");
            }
            Outcome::Skip(reason) => {
                let _ = writeln!(out, "  skipped: {reason}");
            }
            Outcome::ExpectedFail(reason) => {
                let _ = writeln!(out, "  known failure (baseline): {reason}");
            }
            Outcome::UnexpectedPass(reason) => {
                let _ = writeln!(out, "  passed, but the baseline lists it as a known failure: {reason}");
            }
            Outcome::Flaky(first) => {
                let _ = writeln!(out, "  flaky: {first}");
            }
            Outcome::Pass | Outcome::Fail => {}
        }
        for m in &self.mismatches {
            let _ = writeln!(
                out,
                "  {}:\n    expected: {}\n    actual:   {}",
                m.what, m.expected, m.actual
            );
        }
        if let Some(last) = self.exchanges.last() {
            let _ = writeln!(out, "request:\n{}", indent(&last.request));
            if !last.response.is_empty() {
                let _ = writeln!(out, "response:\n{}", indent(&last.response));
            }
        }
        out
    }
}

/// The libtest-style name of a case in a media type.
pub fn trial_name(id: &str, media: Media) -> String {
    format!("{id} [{media}]")
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
