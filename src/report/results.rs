//! The results file: everything a run decided, in a documented, versioned JSON schema. Every
//! other report (JUnit, Markdown, HTML, diffs, coverage results) is a pure function of it.
//!
//! Schema `ucwa-conformance/results/1` (additive changes keep the number; a removal or a change
//! of meaning bumps it): see `Results` and `CaseEntry` for the fields.

use crate::case::Severity;
use crate::report::console::tally;
use crate::target::Target;
use crate::verdict::{CaseResult, Outcome};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The schema identifier written in every results file.
pub const SCHEMA: &str = "ucwa-conformance/results/1";

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The suite's version.
    pub suite_version: String,
    /// `sha256:` of the case set (every case file and the inventory), so two runs can be
    /// compared knowing whether the cases changed.
    pub case_set_digest: String,
    /// The target, without credentials.
    pub target: TargetInfo,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// Whether should-level failures counted.
    pub strict: bool,
    /// Counts per outcome.
    pub summary: Summary,
    /// One entry per case and media type, sorted by case id then media type.
    pub cases: Vec<CaseEntry>,
}

/// The target, as far as reports need it: never credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// Its name.
    pub name: String,
    /// Its autodiscover URL (user name, password and query removed).
    pub base_url: String,
    /// The media types it offers.
    pub media: Vec<String>,
    /// The preconditions it offers.
    pub offers: Vec<String>,
}

/// Counts per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// pass
    pub pass: usize,
    /// fail (counted)
    pub fail: usize,
    /// should-level failures not counted
    pub should: usize,
    /// expected-fail (baseline)
    pub expected_fail: usize,
    /// unexpected-pass (baseline)
    pub unexpected_pass: usize,
    /// flaky (passed on a retry)
    #[serde(default)]
    pub flaky: usize,
    /// skip
    pub skip: usize,
    /// error
    pub error: usize,
}

/// One case in one media type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEntry {
    /// The case id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// `json` or `xml`.
    pub media: String,
    /// `must` or `should`.
    pub severity: String,
    /// The spec items it cites.
    pub spec: Vec<String>,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// pass, fail, skip, error, expected-fail, unexpected-pass or flaky.
    pub outcome: String,
    /// Why it was skipped, errored, or excused by the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// The step (1-based) that failed or errored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<usize>,
    /// Expected vs actual, for each difference found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<MismatchEntry>,
    /// Every request and response, secrets removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<ExchangeEntry>,
    /// Snapshots (`id@step-media`) that are new or differ from the stored ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshot_changes: Vec<String>,
}

impl CaseEntry {
    /// `id [media]`.
    pub fn name(&self) -> String {
        format!("{} [{}]", self.id, self.media)
    }

    /// True for outcomes that make a run non-conformant (`fail` counted, `error`).
    pub fn counts_as_failure(&self) -> bool {
        matches!(self.outcome.as_str(), "fail" | "error")
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MismatchEntry {
    /// What was compared.
    pub what: String,
    /// What the case expected.
    pub expected: String,
    /// What came back.
    pub actual: String,
}

/// One exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeEntry {
    /// The request (method, URL, headers, body), secrets removed.
    pub request: String,
    /// The response (status, headers, body), secrets removed; empty when none came.
    pub response: String,
}

/// What a run knows about itself besides the verdicts.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// `sha256:` of the case set.
    pub case_set_digest: String,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Wall time.
    pub duration: std::time::Duration,
    /// Whether should-level failures counted.
    pub strict: bool,
}

/// Builds the results of a run. A should-level failure that does not count is recorded as
/// `fail` with severity `should` (readers tell them apart by severity and `strict`).
pub fn build(info: RunInfo, target: &Target, results: &[CaseResult]) -> Results {
    let t = tally(results, info.strict);
    let mut url = target.base_url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    let mut cases: Vec<CaseEntry> = results.iter().map(entry).collect();
    cases.sort_by(|a, b| (&a.id, &a.media).cmp(&(&b.id, &b.media)));
    Results {
        schema: SCHEMA.into(),
        suite_version: env!("CARGO_PKG_VERSION").into(),
        case_set_digest: info.case_set_digest,
        target: TargetInfo {
            name: target.name.clone(),
            base_url: url.to_string(),
            media: target.media.iter().map(|m| m.to_string()).collect(),
            offers: target.offers.iter().cloned().collect(),
        },
        started_at: info.started_at,
        duration_ms: info.duration.as_millis() as u64,
        strict: info.strict,
        summary: Summary {
            pass: t.pass,
            fail: t.fail,
            should: t.should,
            expected_fail: t.expected_fail,
            unexpected_pass: t.unexpected_pass,
            flaky: t.flaky,
            skip: t.skip,
            error: t.error,
        },
        cases,
    }
}

fn entry(r: &CaseResult) -> CaseEntry {
    let reason = match &r.outcome {
        Outcome::Pass | Outcome::Fail => None,
        Outcome::Skip(s)
        | Outcome::Error(s)
        | Outcome::ExpectedFail(s)
        | Outcome::UnexpectedPass(s)
        | Outcome::Flaky(s) => Some(s.clone()),
    };
    CaseEntry {
        id: r.id.clone(),
        title: r.title.clone(),
        media: r.media.to_string(),
        severity: match r.severity {
            Severity::Must => "must".into(),
            Severity::Should => "should".into(),
        },
        spec: r.spec.clone(),
        tags: r.tags.clone(),
        outcome: r.outcome.as_str().into(),
        reason,
        duration_ms: r.duration.as_millis() as u64,
        failed_step: r.failed_step,
        mismatches: r
            .mismatches
            .iter()
            .map(|m| MismatchEntry {
                what: m.what.clone(),
                expected: m.expected.clone(),
                actual: m.actual.clone(),
            })
            .collect(),
        exchanges: r
            .exchanges
            .iter()
            .map(|e| ExchangeEntry {
                request: e.request.clone(),
                response: e.response.clone(),
            })
            .collect(),
        snapshot_changes: r.snapshot_changes.clone(),
    }
}

/// Reads a results file; errors name the file (and line and column for bad JSON).
pub fn read(path: &Path) -> Result<Results, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let results: Results = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a results file: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if results.schema != SCHEMA {
        return Err(format!(
            "{}: schema `{}`, this suite reads `{SCHEMA}`",
            path.display(),
            results.schema
        ));
    }
    Ok(results)
}

/// The results as pretty JSON.
pub fn to_json(results: &Results) -> String {
    serde_json::to_string_pretty(results).unwrap_or_default()
}

/// Column names for several runs: each target's name, numbered when two runs share one.
pub fn run_names(runs: &[Results]) -> Vec<String> {
    runs.iter()
        .enumerate()
        .map(|(i, r)| {
            let shared = runs.iter().filter(|o| o.target.name == r.target.name).count() > 1;
            if shared {
                format!("{} ({})", r.target.name, i + 1)
            } else {
                r.target.name.clone()
            }
        })
        .collect()
}
