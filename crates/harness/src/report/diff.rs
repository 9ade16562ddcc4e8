//! Differences between two runs of a target. A regression is a trial that counts as a failure in
//! the new run and did not in the old, both judged under the new run's strictness (or `--strict`);
//! new should-level deviations are listed apart; responses are compared after the snapshot
//! normalisation, so a new id or port is not a changed response.

use super::escape;
use super::results::Results;
use crate::judge::area_verdict::counted;
use crate::judge::snapshot;
use crate::judge::standing::{self, Shown};
use crate::judge::verdict::{CaseResult, Outcome};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One trial whose outcome changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `id [media]`.
    pub name: String,
    /// Its outcome in the old run.
    pub before: Outcome,
    /// Its outcome in the new run.
    pub now: Outcome,
}

/// One trial whose normalised responses changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseChange {
    /// `id [media]`.
    pub name: String,
    /// The first step (1-based) whose response differs.
    pub step: usize,
    /// The first differing line of the old normalised response.
    pub before: String,
    /// The same line of the new one.
    pub now: String,
}

/// What changed between an old and a new run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunDiff {
    /// Whether should-level deviations counted in this comparison.
    pub strict: bool,
    /// Trials that count in the new run and did not in the old.
    pub regressions: Vec<Change>,
    /// Should-level deviations (not counted) that the old run did not have.
    pub new_deviations: Vec<Change>,
    /// Trials that counted in the old run and pass now.
    pub fixes: Vec<Change>,
    /// Other outcome changes (skips, baseline states, errors not counted, deviations gone).
    pub changed: Vec<Change>,
    /// Trials only in the new run.
    pub added: Vec<String>,
    /// Trials only in the old run.
    pub removed: Vec<String>,
    /// Trials with the same outcome whose normalised responses changed.
    pub responses: Vec<ResponseChange>,
    /// True when the case sets differ (their digests).
    pub case_set_changed: bool,
}

impl RunDiff {
    /// True when the new run regressed (the only thing that makes `diff` exit 1).
    pub fn has_regressions(&self) -> bool {
        !self.regressions.is_empty()
    }
}

/// Compares two runs trial by trial; `strict` (or the new run's own strictness) counts
/// should-level deviations.
pub fn compare(old: &Results, new: &Results, strict: bool) -> RunDiff {
    let strict = strict || new.strict;
    let index =
        |r: &'_ Results| -> BTreeMap<String, CaseResult> { r.cases.iter().map(|c| (c.name(), c.clone())).collect() };
    let (before, after) = (index(old), index(new));
    let mut diff = RunDiff {
        strict,
        case_set_changed: old.case_set_digest != new.case_set_digest,
        ..RunDiff::default()
    };
    for (name, now) in &after {
        let Some(was) = before.get(name) else {
            diff.added.push(name.clone());
            continue;
        };
        let change = Change {
            name: name.clone(),
            before: was.outcome,
            now: now.outcome,
        };
        let (s_was, s_now) = (standing::of(was, strict), standing::of(now, strict));
        if standing::is_regression(was, now, strict) {
            diff.regressions.push(change);
        } else if s_now.shown == Shown::Deviation && s_was.shown != Shown::Deviation {
            diff.new_deviations.push(change);
        } else if s_was.counts && !s_now.counts && now.outcome == Outcome::Pass {
            diff.fixes.push(change);
        } else if was.outcome != now.outcome {
            diff.changed.push(change);
        } else if let Some(response) = changed_response(name, was, now) {
            diff.responses.push(response);
        }
    }
    diff.removed = before.keys().filter(|k| !after.contains_key(*k)).cloned().collect();
    diff
}

/// The first step whose normalised response differs, with the first differing line.
fn changed_response(name: &str, was: &CaseResult, now: &CaseResult) -> Option<ResponseChange> {
    let steps = was.exchanges.len().max(now.exchanges.len());
    for step in 0..steps {
        let normal = |r: &CaseResult| {
            r.exchanges
                .get(step)
                .and_then(snapshot::of_exchange)
                .unwrap_or_default()
        };
        let (a, b) = (normal(was), normal(now));
        if a == b {
            continue;
        }
        let (a_lines, b_lines): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
        let at = (0..a_lines.len().max(b_lines.len()))
            .find(|i| a_lines.get(*i) != b_lines.get(*i))
            .unwrap_or(0);
        let line = |lines: &[&str]| lines.get(at).copied().unwrap_or("(none)").to_string();
        let (before, now) = (line(&a_lines), line(&b_lines));
        return Some(ResponseChange {
            name: name.to_string(),
            step: step + 1,
            before,
            now,
        });
    }
    None
}

/// The diff as Markdown, for a pull-request comment.
pub fn markdown(diff: &RunDiff, old: &Results, new: &Results) -> String {
    let mut out = format!(
        "## ucwa-conformance: {} ({}, {}) vs {} ({}, {})\n\n",
        escape::markdown(&old.target.name),
        escape::markdown(&old.started_at),
        old.verdict.word(),
        escape::markdown(&new.target.name),
        escape::markdown(&new.started_at),
        new.verdict.word()
    );
    if diff.case_set_changed {
        out.push_str("The case sets differ (different digests): some changes may come from the cases.\n\n");
    }
    let _ = writeln!(
        out,
        "**{}**, {}{}, {}, {}, {} added, {} removed, {}\n",
        counted(diff.regressions.len(), "regression", "regressions"),
        counted(
            diff.new_deviations.len(),
            "new should-level deviation",
            "new should-level deviations"
        ),
        if diff.strict {
            ""
        } else {
            " (not counted; `--strict` counts them)"
        },
        counted(diff.fixes.len(), "fix", "fixes"),
        counted(diff.changed.len(), "other outcome change", "other outcome changes"),
        diff.added.len(),
        diff.removed.len(),
        counted(diff.responses.len(), "changed response", "changed responses")
    );
    section(&mut out, "Regressions", &diff.regressions);
    section(
        &mut out,
        "New should-level deviations (not regressions)",
        &diff.new_deviations,
    );
    section(&mut out, "Fixes", &diff.fixes);
    section(&mut out, "Other outcome changes", &diff.changed);
    if !diff.responses.is_empty() {
        let _ = writeln!(
            out,
            "### Changed responses (after normalisation)\n\n| trial | step | before | now |\n|---|---|---|---|"
        );
        for r in &diff.responses {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape::markdown_code(&r.name),
                r.step,
                escape::markdown_code(&r.before),
                escape::markdown_code(&r.now)
            );
        }
        out.push('\n');
    }
    for (title, names) in [("Added", &diff.added), ("Removed", &diff.removed)] {
        if !names.is_empty() {
            let _ = writeln!(out, "### {title}\n");
            for n in names {
                let _ = writeln!(out, "- {}", escape::markdown_code_span(n));
            }
            out.push('\n');
        }
    }
    out
}

fn section(out: &mut String, title: &str, rows: &[Change]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n\n| trial | before | now |\n|---|---|---|");
    for c in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            escape::markdown_code(&c.name),
            c.before.label(),
            c.now.label()
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Media, Severity};
    use crate::report::results::{Summary, TargetInfo};

    fn run(cases: Vec<CaseResult>) -> Results {
        Results {
            schema: crate::report::results::SCHEMA.into(),
            suite_version: "0".into(),
            case_set_digest: "sha256:x".into(),
            corpus: "built-in".into(),
            target: TargetInfo {
                name: "t".into(),
                base_url: "http://t/".into(),
                media: vec![Media::Json],
                offers: vec![],
                insecure: false,
                embedded: false,
            },
            started_at: "2026-11-27T00:00:00Z".into(),
            duration_ms: 1,
            partitions_duration_ms: None,
            selection: Default::default(),
            strict: false,
            interrupted: false,
            stopped: None,
            applications_kept: false,
            summary: Summary::of(&cases, false),
            verdict: crate::judge::run_verdict::RunVerdict::of(Summary::of(&cases, false).counted, None),
            areas: Vec::new(),
            cases,
            explore: None,
        }
    }

    fn trial(id: &str, severity: Severity, outcome: Outcome) -> CaseResult {
        CaseResult::new(id, Media::Json, severity, outcome)
    }

    #[test]
    fn new_should_level_deviations_are_listed_apart_not_as_regressions() {
        let old = run(vec![
            trial("a", Severity::Should, Outcome::Pass),
            trial("b", Severity::Must, Outcome::Pass),
        ]);
        let new = run(vec![
            trial("a", Severity::Should, Outcome::ShouldDeviation),
            trial("b", Severity::Must, Outcome::Fail),
        ]);
        let diff = compare(&old, &new, false);
        assert_eq!(diff.regressions.len(), 1, "{diff:?}");
        assert_eq!(diff.regressions[0].name, "b [json]");
        assert_eq!(diff.new_deviations.len(), 1, "{diff:?}");
        let strict = compare(&old, &new, true);
        assert_eq!(strict.regressions.len(), 2, "{strict:?}");
    }
}
