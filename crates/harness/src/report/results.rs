//! The results file: everything a run decided, in a documented, versioned JSON schema
//! (`ucwa-conformance/results/2`, published as `schema/results-2.json`). Every other report
//! (JUnit, Markdown, HTML, diffs, coverage results) is a pure function of it.
//!
//! Version 2 changed meaning, so it has a new number: outcomes and severities are enums, the
//! should-level deviation is an outcome of its own, exchanges are fields. A `/1` file is refused
//! with the command that regenerates it. Additive changes keep the number.

use crate::case::Media;
use crate::error::Error;
use crate::judge::area_verdict::{self, AreaVerdict};
use crate::judge::run_verdict::{RunVerdict, StopKind};
use crate::judge::standing;
use crate::judge::verdict::{CaseResult, Outcome};
use crate::run::StopCause;
use crate::under_test::Target;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What every report says of a run that did not verify the target's certificate.
pub const INSECURE_NOTE: &str =
    "TLS certificates were NOT verified (--insecure): nothing proves that the target answered.";

/// The schema identifier written in every results file.
pub const SCHEMA: &str = "ucwa-conformance/results/2";

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(title = "ucwa-conformance results, schema 2"))]
pub struct Results {
    /// Always `ucwa-conformance/results/2`.
    #[cfg_attr(feature = "schema", schemars(extend("const" = "ucwa-conformance/results/2")))]
    pub schema: String,
    /// The suite's version.
    pub suite_version: String,
    /// `sha256:` of the case set (every case file and the inventory), so two runs can be
    /// compared knowing whether the cases changed.
    pub case_set_digest: String,
    /// Which corpus ran: `built-in` (compiled into the binary) or the `--cases` directory.
    #[serde(default)]
    pub corpus: String,
    /// The target, without credentials.
    pub target: TargetInfo,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// How long it took, in milliseconds (for a merge: from the first partition's start to the
    /// last one's end).
    pub duration_ms: u64,
    /// For a merge: the partitions' durations added up, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitions_duration_ms: Option<u64>,
    /// What the run selected: filters, tags, spec items, media, severity and partition (empty in
    /// files written before it existed). A merge keeps the filters and drops the partition.
    #[serde(default)]
    pub selection: SelectionInfo,
    /// Whether should-level deviations (and errors in should-level cases) counted.
    pub strict: bool,
    /// True when a signal stopped the run: trials that had not finished are `not-run`.
    pub interrupted: bool,
    /// Why the run stopped early (a signal, or the target stopped answering), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// True when the run left its applications on the target (`--keep-applications`), so the
    /// recorded requests can be replayed; false when it deleted them.
    pub applications_kept: bool,
    /// Counts per outcome.
    pub summary: Summary,
    /// How the run ended: `{"is": "conformant"}`, `{"is": "not-conformant", "counted": N}` or
    /// `{"is": "stopped", "kind": "sigint" | "sigterm" | "target-silent" | "fail-fast", "cause":
    /// "..."}`. Every report and the exit code follow it. Files written before it existed get
    /// it from `summary.counted` and `stopped` when read.
    pub verdict: RunVerdict,
    /// The verdict of each area (resource) the trials cite, in the inventory's order: its trials,
    /// passes, failures, errors and should-level deviations apart, and word (`conformant`,
    /// `not-conformant`, `undecided`, `incomplete`, `not-tested`, `no-must-level-pass`).
    /// Informative: the exit code stays the whole selection's. Empty in files written before
    /// areas existed.
    #[serde(default)]
    pub areas: Vec<AreaVerdict>,
    /// One entry per case and media type, sorted by case id then media type.
    pub cases: Vec<CaseResult>,
    /// For `explore`: the seed, what was covered, and each finding (absent for `run`; additive
    /// in results/2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explore: Option<crate::explore::Exploration>,
}

/// The target, as far as reports need it: never credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TargetInfo {
    /// Its name.
    pub name: String,
    /// Its autodiscover URL (user name, password and query removed).
    pub base_url: String,
    /// The media types it offers.
    pub media: Vec<Media>,
    /// The preconditions it offers.
    pub offers: Vec<String>,
    /// True when the run did not verify the target's TLS certificate (`--insecure`): nothing
    /// proves who answered. Absent (false) in files written before it existed.
    #[serde(default)]
    pub insecure: bool,
    /// True when the target was the embedded reference server (its port changes from run to run:
    /// partitions of it merge whatever their base URLs say).
    #[serde(default)]
    pub embedded: bool,
}

/// What a run selected, as the user asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SelectionInfo {
    /// `FILTER` arguments (substrings of `id [media]`, or whole names with `exact`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<String>,
    /// Filters and skips compared with whole names.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exact: bool,
    /// `--skip` patterns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
    /// `--tag` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `--spec` items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec: Vec<String>,
    /// `--area` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
    /// `--media` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Media>,
    /// `--severity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<crate::case::Severity>,
    /// `--partition K/N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Partition>,
}

/// `2, 4` for partitions 2 and 4 (a merge's missing partitions); `not named by the files` when a
/// file is missing among files that were not partitioned.
pub fn partition_list(partitions: &[u64]) -> String {
    if partitions.is_empty() {
        return "not named by the files".into();
    }
    partitions.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

/// A merge's missing partitions as every report names them: `partition 2`, `partitions 2, 4`,
/// or `partitions not named by the files`.
pub fn missing_partitions(partitions: &[u64]) -> String {
    match partitions {
        [one] => format!("partition {one}"),
        many => format!("partitions {}", partition_list(many)),
    }
}

/// One shard of a partitioned run: `index` of `count` (`--partition 2/4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Partition {
    /// K, from 1.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl SelectionInfo {
    /// The selection of a run.
    pub fn of(selection: &crate::run::Selection) -> Self {
        Self {
            filters: selection.filters.clone(),
            exact: selection.exact,
            skip: selection.skip.clone(),
            tags: selection.tags.clone(),
            spec: selection.spec.clone(),
            areas: selection.areas.clone(),
            media: selection.media.clone(),
            severity: selection.severity,
            partition: selection.partition.map(|(index, count)| Partition { index, count }),
        }
    }
}

/// Counts per outcome and the verdict they give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// `pass`
    pub pass: usize,
    /// `fail` (must level)
    pub fail: usize,
    /// `should-deviation`
    pub should_deviation: usize,
    /// `skip`
    pub skip: usize,
    /// `error`
    pub error: usize,
    /// `known-failure` (baseline)
    pub known_failure: usize,
    /// `unexpected-pass` (baseline)
    pub unexpected_pass: usize,
    /// `flaky` (passed on a retry)
    pub flaky: usize,
    /// `not-run` (the run stopped first)
    pub not_run: usize,
    /// Trials that count as failures under the run's strictness (the exit code is 1 when > 0).
    pub counted: usize,
    /// Must-level trials that did not run (skipped or not run): the verdict does not cover them.
    #[serde(default)]
    pub must_not_run: usize,
    /// True when no trial counts and the run was not stopped early (the verdict is
    /// `conformant`).
    pub conformant: bool,
}

impl Summary {
    /// Counts `results` under `strict`; `conformant` is the verdict's, given by the caller.
    pub fn of(results: &[CaseResult], strict: bool) -> Self {
        let mut s = Summary::default();
        for r in results {
            *s.slot(r.outcome) += 1;
            if standing::of(r, strict).counts {
                s.counted += 1;
            }
            if r.severity == crate::case::Severity::Must && matches!(r.outcome, Outcome::Skip | Outcome::NotRun) {
                s.must_not_run += 1;
            }
        }
        s
    }

    /// The count of one outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        let mut copy = *self;
        *copy.slot(outcome)
    }

    fn slot(&mut self, outcome: Outcome) -> &mut usize {
        match outcome {
            Outcome::Pass => &mut self.pass,
            Outcome::Fail => &mut self.fail,
            Outcome::ShouldDeviation => &mut self.should_deviation,
            Outcome::Skip => &mut self.skip,
            Outcome::Error => &mut self.error,
            Outcome::KnownFailure => &mut self.known_failure,
            Outcome::UnexpectedPass => &mut self.unexpected_pass,
            Outcome::Flaky => &mut self.flaky,
            Outcome::NotRun => &mut self.not_run,
        }
    }

    /// `12 passed, 1 failed, ...`: every non-zero count, in report order (`0 passed` when empty).
    pub fn line(&self) -> String {
        let parts: Vec<String> = [
            Outcome::Pass,
            Outcome::Fail,
            Outcome::ShouldDeviation,
            Outcome::Error,
            Outcome::KnownFailure,
            Outcome::UnexpectedPass,
            Outcome::Flaky,
            Outcome::Skip,
            Outcome::NotRun,
        ]
        .into_iter()
        .filter(|o| *o == Outcome::Pass || self.count(*o) > 0)
        .map(|o| {
            let n = self.count(o);
            let label = match o {
                Outcome::ShouldDeviation if n != 1 => "should-level deviations",
                Outcome::Error if n != 1 => "errors",
                Outcome::KnownFailure if n != 1 => "known failures",
                Outcome::UnexpectedPass if n != 1 => "unexpected passes",
                other => other.label(),
            };
            format!("{n} {label}")
        })
        .collect();
        parts.join(", ")
    }
}

/// What a run knows about itself besides the verdicts.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// `sha256:` of the case set.
    pub case_set_digest: String,
    /// Which corpus ran (`built-in` or a directory).
    pub corpus: String,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Wall time.
    pub duration: std::time::Duration,
    /// Whether should-level deviations counted.
    pub strict: bool,
    /// Why the run stopped early, if it did.
    pub stop: Option<StopCause>,
    /// What the run selected.
    pub selection: SelectionInfo,
    /// The target is the embedded reference server.
    pub embedded: bool,
    /// Whether the run kept its applications.
    pub applications_kept: bool,
    /// The inventory's areas, in its order (the order of the per-area verdicts).
    pub area_order: Vec<String>,
}

/// Builds the results of a run.
pub fn build(info: RunInfo, target: &Target, results: &[CaseResult]) -> Results {
    let mut url = target.base_url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    let mut cases = results.to_vec();
    cases.sort_by(|a, b| (&a.id, a.media).cmp(&(&b.id, b.media)));
    let (summary, verdict, areas) = judge(
        &cases,
        info.strict,
        info.stop.as_ref().map(|c| (c.kind(), c.to_string())),
        &info.area_order,
    );
    Results {
        schema: SCHEMA.into(),
        suite_version: env!("CARGO_PKG_VERSION").into(),
        case_set_digest: info.case_set_digest,
        corpus: info.corpus,
        target: TargetInfo {
            name: target.name.clone(),
            base_url: url.to_string(),
            media: target.media.clone(),
            offers: target.offers.iter().cloned().collect(),
            insecure: target.tls.insecure(),
            embedded: info.embedded,
        },
        started_at: info.started_at,
        duration_ms: info.duration.as_millis() as u64,
        selection: info.selection,
        strict: info.strict,
        interrupted: matches!(info.stop, Some(StopCause::Signal(_))),
        stopped: info.stop.as_ref().map(StopCause::to_string),
        applications_kept: info.applications_kept,
        partitions_duration_ms: None,
        summary,
        verdict,
        areas,
        cases,
        explore: None,
    }
}

/// The summary, verdict and per-area verdicts of `cases`, stopped early for `stopped` if it
/// was: the one place they are computed.
pub fn judge(
    cases: &[CaseResult],
    strict: bool,
    stopped: Option<(StopKind, String)>,
    area_order: &[String],
) -> (Summary, RunVerdict, Vec<AreaVerdict>) {
    let mut summary = Summary::of(cases, strict);
    let complete = stopped.is_none();
    let verdict = RunVerdict::of(summary.counted, stopped);
    summary.conformant = verdict.is_conformant();
    (summary, verdict, area_verdict::of(cases, strict, complete, area_order))
}

/// Reads a results file. A file that is not JSON, not ours, or of another schema is an error that
/// names the file and what was expected (exit code 2).
pub fn read(path: &Path) -> Result<Results, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::ResultsFile {
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    parse(path, &text)
}

/// Reads the text of a results file read from `path` (which errors name), as [`read`] does.
pub fn parse(path: &Path, text: &str) -> Result<Results, Error> {
    let fail = |message: String| Error::ResultsFile {
        path: path.to_path_buf(),
        message,
    };
    let mut value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| fail(format!("line {}, column {}: not JSON: {e}", e.line(), e.column())))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some("ucwa-conformance/results/1") => {
            return Err(fail(format!(
                "schema `ucwa-conformance/results/1` (an older version of this suite); this version reads \
                 `{SCHEMA}`. Regenerate it with `ucwa-conformance run --json {}` against the same target \
                 (the old file's exchanges are text and its outcomes untyped, so it is not converted)",
                path.display()
            )));
        }
        Some(other) => {
            return Err(fail(format!(
                "schema `{other}`, but this version of ucwa-conformance reads `{SCHEMA}`"
            )));
        }
        None => {
            return Err(fail(format!(
                "not a ucwa-conformance results file (no `schema` field; expected `{SCHEMA}`)"
            )));
        }
    }
    // Written before the verdict was recorded: it follows from the counts and the stop.
    if value.get("verdict").is_none() && value.is_object() {
        let counted = value["summary"]["counted"].as_u64().unwrap_or(0) as usize;
        let stopped = value["stopped"]
            .as_str()
            .map(|c| (StopKind::from_cause(c), c.to_string()));
        value["verdict"] = serde_json::to_value(RunVerdict::of(counted, stopped)).unwrap_or_default();
    }
    serde_json::from_value(value).map_err(|e| fail(format!("not a valid `{SCHEMA}` file: {e}")))
}

/// The results as pretty JSON.
pub fn to_json(results: &Results) -> String {
    // Safe on a terminal too (`--json -`): target text cannot act on it.
    super::escape::json_for_terminal(&serde_json::to_string_pretty(results).unwrap_or_default())
}

/// The JSON Schema of the results file, generated from these types (feature `schema`: the
/// binary prints the committed `schema/results-2.json`, which a test holds equal to this).
#[cfg(feature = "schema")]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Results);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
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

/// A results file of `cases` with every other field empty (for tests).
#[cfg(test)]
pub(crate) fn fixture(cases: Vec<CaseResult>, strict: bool, stopped: Option<(StopKind, String)>) -> Results {
    let (summary, verdict, areas) = judge(&cases, strict, stopped, &[]);
    Results {
        schema: SCHEMA.into(),
        suite_version: String::new(),
        case_set_digest: String::new(),
        corpus: String::new(),
        target: TargetInfo {
            name: String::new(),
            base_url: String::new(),
            media: Vec::new(),
            offers: Vec::new(),
            insecure: false,
            embedded: false,
        },
        started_at: String::new(),
        duration_ms: 0,
        partitions_duration_ms: None,
        selection: SelectionInfo::default(),
        strict,
        interrupted: false,
        stopped: None,
        applications_kept: false,
        summary,
        verdict,
        areas,
        cases,
        explore: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Media, Severity};
    use crate::error::Signal;
    use rstest::rstest;

    fn result(severity: Severity, outcome: Outcome) -> CaseResult {
        CaseResult::new("c", Media::Json, severity, outcome)
    }

    #[rstest]
    #[case(Severity::Must, Outcome::Pass, false, 0)]
    #[case(Severity::Must, Outcome::Fail, false, 1)]
    #[case(Severity::Should, Outcome::ShouldDeviation, false, 0)]
    #[case(Severity::Should, Outcome::ShouldDeviation, true, 1)]
    #[case(Severity::Must, Outcome::Skip, false, 0)]
    #[case(Severity::Must, Outcome::Error, false, 1)]
    #[case(Severity::Should, Outcome::Error, false, 0)]
    #[case(Severity::Must, Outcome::KnownFailure, false, 0)]
    #[case(Severity::Must, Outcome::UnexpectedPass, true, 0)]
    #[case(Severity::Must, Outcome::NotRun, true, 0)]
    fn the_verdict_follows_standings(
        #[case] severity: Severity,
        #[case] outcome: Outcome,
        #[case] strict: bool,
        #[case] code: i32,
    ) {
        let file = fixture(
            vec![result(Severity::Must, Outcome::Pass), result(severity, outcome)],
            strict,
            None,
        );
        assert_eq!(file.verdict.exit_code().code(), code);
        assert_eq!(file.summary.conformant, code == 0);
    }

    #[test]
    fn a_stop_wins_over_the_counts() {
        let cause = StopCause::Signal(Signal::Terminate);
        let file = fixture(
            vec![result(Severity::Must, Outcome::Fail)],
            false,
            Some((cause.kind(), cause.to_string())),
        );
        assert_eq!(file.verdict.exit_code().code(), 143);
        assert!(!file.summary.conformant);
    }

    #[test]
    fn files_without_a_verdict_get_it_from_counts_and_stop() {
        let dir = tempfile::tempdir().expect("dir");
        let mut value = serde_json::to_value(fixture(vec![], false, None)).expect("JSON");
        value.as_object_mut().map(|o| o.remove("verdict"));
        value["summary"]["counted"] = 2.into();
        value["stopped"] = "halted: the target stopped answering (3 exchanges)".into();
        let path = dir.path().join("old.json");
        std::fs::write(&path, value.to_string()).expect("write");
        let read = read(&path).expect("reads");
        assert_eq!(read.verdict.exit_code().code(), 3, "{:?}", read.verdict);
    }
}
