//! Differences between two runs of a target: regressions (newly failing), fixes (newly passing),
//! other outcome changes, cases added and removed, and cases whose responses changed.

use super::results::{CaseEntry, Results};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What changed between an old and a new run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunDiff {
    /// Counted failures in the new run that were not failing before: `(name, old, new)`.
    pub regressions: Vec<(String, String, String)>,
    /// Failures of the old run that pass now.
    pub fixes: Vec<(String, String, String)>,
    /// Other outcome changes (skips, baseline states).
    pub changed: Vec<(String, String, String)>,
    /// Trials only in the new run.
    pub added: Vec<String>,
    /// Trials only in the old run.
    pub removed: Vec<String>,
    /// Trials with the same outcome whose response status lines changed: `(name, old, new)`.
    pub responses: Vec<(String, String, String)>,
    /// True when the case sets differ (their digests).
    pub case_set_changed: bool,
}

impl RunDiff {
    /// True when the new run regressed.
    pub fn has_regressions(&self) -> bool {
        !self.regressions.is_empty()
    }
}

/// Compares two runs trial by trial.
pub fn compare(old: &Results, new: &Results) -> RunDiff {
    let index =
        |r: &Results| -> BTreeMap<String, CaseEntry> { r.cases.iter().map(|c| (c.name(), c.clone())).collect() };
    let (before, after) = (index(old), index(new));
    let mut diff = RunDiff {
        case_set_changed: old.case_set_digest != new.case_set_digest,
        ..RunDiff::default()
    };
    for (name, now) in &after {
        let Some(was) = before.get(name) else {
            diff.added.push(name.clone());
            continue;
        };
        let change = (name.clone(), was.outcome.clone(), now.outcome.clone());
        if now.counts_as_failure() && !was.counts_as_failure() {
            diff.regressions.push(change);
        } else if was.counts_as_failure() && now.outcome == "pass" {
            diff.fixes.push(change);
        } else if was.outcome != now.outcome {
            diff.changed.push(change);
        } else if statuses(was) != statuses(now) {
            diff.responses.push((name.clone(), statuses(was), statuses(now)));
        }
    }
    diff.removed = before.keys().filter(|k| !after.contains_key(*k)).cloned().collect();
    diff
}

/// The status lines of a trial's responses, e.g. `HTTP 201, HTTP 200`.
fn statuses(case: &CaseEntry) -> String {
    case.exchanges
        .iter()
        .map(|e| e.response.lines().next().unwrap_or("(no response)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The diff as Markdown, for a pull-request comment.
pub fn markdown(diff: &RunDiff, old: &Results, new: &Results) -> String {
    let mut out = format!(
        "## ucwa-conformance: {} ({}) vs {} ({})\n\n",
        old.target.name, old.started_at, new.target.name, new.started_at
    );
    if diff.case_set_changed {
        out.push_str("The case sets differ (different digests): some changes may come from the cases.\n\n");
    }
    let _ = writeln!(
        out,
        "**{} regressions**, {} fixes, {} other outcome changes, {} added, {} removed, {} changed responses\n",
        diff.regressions.len(),
        diff.fixes.len(),
        diff.changed.len(),
        diff.added.len(),
        diff.removed.len(),
        diff.responses.len()
    );
    section(&mut out, "Regressions", &diff.regressions, "before", "now");
    section(&mut out, "Fixes", &diff.fixes, "before", "now");
    section(&mut out, "Other outcome changes", &diff.changed, "before", "now");
    section(&mut out, "Changed responses", &diff.responses, "before", "now");
    for (title, names) in [("Added", &diff.added), ("Removed", &diff.removed)] {
        if !names.is_empty() {
            let _ = writeln!(out, "### {title}\n");
            for n in names {
                let _ = writeln!(out, "- `{n}`");
            }
            out.push('\n');
        }
    }
    out
}

fn section(out: &mut String, title: &str, rows: &[(String, String, String)], a: &str, b: &str) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n\n| trial | {a} | {b} |\n|---|---|---|");
    for (name, was, now) in rows {
        let _ = writeln!(out, "| `{name}` | {was} | {now} |");
    }
    out.push('\n');
}
