//! Verdicts: the outcome of one case in one media type, the differences that made it fail, and
//! the exchanges that were sent. A [`CaseResult`] is also the results file's entry for a trial, so
//! every report is a pure function of these.

use crate::case::{Media, Severity};
use crate::record::exchange::Exchange;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// How one case ended in one media type. What it means for the run (does it count, is it shown
/// as a failure) is decided by [`crate::judge::standing::standing`], never here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every step's response was as expected.
    Pass,
    /// A must-level case: the target answered, and the answer differs from what the spec demands.
    Fail,
    /// A should-level case: the answer differs from what the spec recommends.
    ShouldDeviation,
    /// Not run: a media type or precondition the target does not offer (see the reason).
    Skip,
    /// The harness could not decide (network, timeout, a fault it could not arm); never blamed on the target.
    Error,
    /// Failed, and the target's baseline lists it as a known failure (the reason is the entry's).
    KnownFailure,
    /// Passed, though the target's baseline lists it as a known failure.
    UnexpectedPass,
    /// Failed or errored, then passed on a retry (`--retries`); the reason says what failed first.
    Flaky,
    /// Never ran to a verdict: the run was interrupted or stopped first.
    NotRun,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 9] = [
        Outcome::Fail,
        Outcome::Error,
        Outcome::ShouldDeviation,
        Outcome::UnexpectedPass,
        Outcome::KnownFailure,
        Outcome::Flaky,
        Outcome::NotRun,
        Outcome::Skip,
        Outcome::Pass,
    ];

    /// The outcome of a case whose checks found differences, by its severity.
    pub fn failed(severity: Severity) -> Self {
        match severity {
            Severity::Must => Outcome::Fail,
            Severity::Should => Outcome::ShouldDeviation,
        }
    }

    /// The name used in reports and the results file.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::ShouldDeviation => "should-deviation",
            Outcome::Skip => "skip",
            Outcome::Error => "error",
            Outcome::KnownFailure => "known-failure",
            Outcome::UnexpectedPass => "unexpected-pass",
            Outcome::Flaky => "flaky",
            Outcome::NotRun => "not-run",
        }
    }

    /// A phrase for people: `should-level deviation`, `known failure`, ...
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "passed",
            Outcome::Fail => "failed",
            Outcome::ShouldDeviation => "should-level deviation",
            Outcome::Skip => "skipped",
            Outcome::Error => "error",
            Outcome::KnownFailure => "known failure",
            Outcome::UnexpectedPass => "unexpected pass",
            Outcome::Flaky => "flaky",
            Outcome::NotRun => "not run",
        }
    }

    /// True when the target's answer differed from the case (whatever the severity or baseline).
    pub fn found_differences(self) -> bool {
        match self {
            Outcome::Fail | Outcome::ShouldDeviation | Outcome::KnownFailure => true,
            Outcome::Pass
            | Outcome::Skip
            | Outcome::Error
            | Outcome::UnexpectedPass
            | Outcome::Flaky
            | Outcome::NotRun => false,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference between what a step expected and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Mismatch {
    /// Which kind of thing differs, for reports that group differences (absent in files written
    /// before it was recorded: `other`).
    #[serde(default)]
    pub kind: MismatchKind,
    /// What was compared: `status`, `subcode`, `header Location`, ...
    pub what: String,
    /// What the case expected.
    pub expected: String,
    /// What the target sent.
    pub actual: String,
    /// True when the difference breaks a documented requirement whatever the case's severity
    /// (a documented error row, see `error_rows`): the trial then fails at must level.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must: bool,
}

/// Which kind of thing a difference is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum MismatchKind {
    /// The response's status.
    Status,
    /// A response header.
    Header,
    /// A UCWA error's `code`.
    Code,
    /// A UCWA error's `subcode`.
    Subcode,
    /// A documented error row (subcode with its status and code), checked on every error.
    ErrorRow,
    /// A body's representation or form (not a UCWA error or resource in the request's media).
    Body,
    /// A resource's rel.
    Resource,
    /// A resource's property.
    Property,
    /// A resource's link or embedded resource, or an href the target gave.
    Link,
    /// An event: none came, or its sender, status, reason or resource differs.
    Event,
    /// An event that arrived before the one a previous step found.
    EventOrder,
    /// A link discovery needed.
    Discovery,
    /// A value a step captures.
    Capture,
    /// An href outside the target's trust set.
    Credentials,
    /// The target closed or cannot be reached where it sent the client.
    Transport,
    /// A snapshot of the response changed (`--snapshots strict`).
    Snapshot,
    /// Anything else (and differences recorded before kinds were).
    #[default]
    Other,
}

impl MismatchKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [MismatchKind; 17] = [
        Self::Status,
        Self::Header,
        Self::Code,
        Self::Subcode,
        Self::ErrorRow,
        Self::Body,
        Self::Resource,
        Self::Property,
        Self::Link,
        Self::Event,
        Self::EventOrder,
        Self::Discovery,
        Self::Capture,
        Self::Credentials,
        Self::Transport,
        Self::Snapshot,
        Self::Other,
    ];

    /// Its name, as the results file writes it (`error-row`, `event-order`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Header => "header",
            Self::Code => "code",
            Self::Subcode => "subcode",
            Self::ErrorRow => "error-row",
            Self::Body => "body",
            Self::Resource => "resource",
            Self::Property => "property",
            Self::Link => "link",
            Self::Event => "event",
            Self::EventOrder => "event-order",
            Self::Discovery => "discovery",
            Self::Capture => "capture",
            Self::Credentials => "credentials",
            Self::Transport => "transport",
            Self::Snapshot => "snapshot",
            Self::Other => "other",
        }
    }
}

/// The verdict on one case in one media type: the results file's entry for a trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaseResult {
    /// The case id.
    pub id: String,
    /// The case title.
    #[serde(default)]
    pub title: String,
    /// The media type it ran in.
    pub media: Media,
    /// Its severity.
    pub severity: Severity,
    /// The spec items the case cites.
    #[serde(default)]
    pub spec: Vec<String>,
    /// The case's tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The areas (resources) of the spec items it cites (absent in files written before areas
    /// existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it was skipped, errored, not run, excused by the baseline, or flaky.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Wall time in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
    /// The step (1-based) that failed or errored, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<usize>,
    /// The differences found in that step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
    /// Every exchange sent, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<Exchange>,
    /// Snapshots (`id@step-media`) that are new or differ from the stored ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<String>"))]
    pub snapshot_changes: Vec<SnapshotChange>,
}

/// A snapshot that is new or differs from the stored one. The results file writes it as its
/// label, `id@step-media (new)` or `id@step-media (changed)` (results/2 holds strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotChange {
    /// The snapshot's name, `id@step-media`.
    pub snapshot: String,
    /// New or changed.
    pub kind: SnapshotChangeKind,
}

/// Whether a snapshot had none stored before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotChangeKind {
    /// No snapshot was stored: accept it (`--snapshots update`).
    New,
    /// The stored snapshot differs: review it.
    Changed,
}

impl SnapshotChangeKind {
    /// `new` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotChangeKind::New => "new",
            SnapshotChangeKind::Changed => "changed",
        }
    }
}

impl std::fmt::Display for SnapshotChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.snapshot, self.kind.as_str())
    }
}

impl Serialize for SnapshotChange {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SnapshotChange {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let label = String::deserialize(deserializer)?;
        let kinds = [SnapshotChangeKind::New, SnapshotChangeKind::Changed];
        kinds
            .into_iter()
            .find_map(|kind| {
                let snapshot = label.strip_suffix(&format!(" ({})", kind.as_str()))?;
                Some(SnapshotChange {
                    snapshot: snapshot.to_string(),
                    kind,
                })
            })
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "a snapshot change is `NAME (new)` or `NAME (changed)`, not {label:?}"
                ))
            })
    }
}

impl CaseResult {
    /// Removes every secret `redactor` knows from every text of the result: its reason, its
    /// differences and its exchanges.
    pub fn redact(&mut self, redactor: &crate::under_test::secret::Redactor) {
        if let Some(reason) = &mut self.reason {
            *reason = redactor.redact(reason);
        }
        for m in &mut self.mismatches {
            m.expected = redactor.redact(&m.expected);
            m.actual = redactor.redact(&m.actual);
        }
        for exchange in &mut self.exchanges {
            exchange.redact(redactor);
        }
    }

    /// A result with nothing recorded yet (title, spec items and tags empty).
    pub fn new(id: impl Into<String>, media: Media, severity: Severity, outcome: Outcome) -> Self {
        Self {
            id: id.into(),
            title: String::new(),
            media,
            severity,
            spec: Vec::new(),
            tags: Vec::new(),
            areas: Vec::new(),
            outcome,
            reason: None,
            duration_ms: 0,
            failed_step: None,
            mismatches: Vec::new(),
            exchanges: Vec::new(),
            snapshot_changes: Vec::new(),
        }
    }

    /// This result with `outcome` and its reason.
    pub fn with(mut self, outcome: Outcome, reason: impl Into<String>) -> Self {
        self.outcome = outcome;
        self.reason = Some(reason.into());
        self
    }

    /// The libtest-style name: `id [media]`.
    pub fn name(&self) -> String {
        trial_name(&self.id, self.media)
    }

    /// The first difference as one line, else the reason.
    pub fn first_difference(&self) -> String {
        self.mismatches
            .first()
            .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.actual))
            .unwrap_or_else(|| self.reason.clone().unwrap_or_default())
    }

    /// The failure text shown under the case: the step, the differences, then the exchange.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        if let Some(step) = self.failed_step {
            let _ = writeln!(out, "step {step}:");
        }
        if let Some(reason) = &self.reason {
            let prefix = match self.outcome {
                Outcome::Error => "error (not blamed on the target)",
                Outcome::Skip => "skipped",
                Outcome::KnownFailure => "known failure (baseline)",
                Outcome::UnexpectedPass => "passed, but the baseline lists it as a known failure",
                Outcome::Flaky => "flaky",
                Outcome::NotRun => "not run",
                Outcome::Pass | Outcome::Fail | Outcome::ShouldDeviation => "note",
            };
            let _ = writeln!(out, "  {prefix}: {}", hang(reason, "    "));
        }
        for m in &self.mismatches {
            let _ = writeln!(
                out,
                "  {}:\n    expected: {}\n    actual:   {}",
                hang(&m.what, "    "),
                hang(&m.expected, "              "),
                hang(&m.actual, "              ")
            );
        }
        if let Some(last) = self.exchanges.last() {
            let _ = writeln!(out, "request:\n{}", indent(&last.request_text()));
            let response = last.response_text();
            if !response.is_empty() {
                let _ = writeln!(out, "response:\n{}", indent(&response));
            }
        }
        out
    }
}

/// The libtest-style name of a case in a media type.
pub fn trial_name(id: &str, media: Media) -> String {
    format!("{id} [{media}]")
}

/// `text` with every line after the first indented by `pad`: a value that holds line breaks
/// (a diff, or a target's text) stays under its label and never starts a line of its own.
fn hang(text: &str, pad: &str) -> String {
    text.replace('\n', &format!("\n{pad}"))
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mismatch_kind_is_named_as_the_results_file_writes_it() {
        for kind in MismatchKind::ALL {
            let written = serde_json::to_value(kind).expect("serializes");
            assert_eq!(written, serde_json::Value::from(kind.as_str()));
        }
        let distinct: std::collections::BTreeSet<_> = MismatchKind::ALL.into_iter().collect();
        assert_eq!(distinct.len(), MismatchKind::ALL.len());
    }

    #[rstest::rstest]
    #[case(
        "start-messaging.created@1-json (new)",
        "start-messaging.created@1-json",
        SnapshotChangeKind::New
    )]
    #[case("a (b)@2-xml (changed)", "a (b)@2-xml", SnapshotChangeKind::Changed)]
    fn a_snapshot_change_is_written_as_its_label(
        #[case] label: &str,
        #[case] snapshot: &str,
        #[case] kind: SnapshotChangeKind,
    ) {
        let change: SnapshotChange = serde_json::from_value(serde_json::json!(label)).expect("a label");
        assert_eq!(
            change,
            SnapshotChange {
                snapshot: snapshot.into(),
                kind
            }
        );
        assert_eq!(
            serde_json::to_value(&change).expect("serialises"),
            serde_json::json!(label)
        );
    }

    #[test]
    fn a_label_of_another_kind_is_refused_by_name() {
        let error = serde_json::from_value::<SnapshotChange>(serde_json::json!("x (gone)")).expect_err("refused");
        assert!(error.to_string().contains("\"x (gone)\""), "{error}");
    }
}
