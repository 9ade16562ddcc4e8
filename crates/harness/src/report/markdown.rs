//! A Markdown summary a CI job can post on a pull request: one run's counts and the trials that
//! need a look (grouped by standing), or a vendor x case matrix for several runs.

use super::escape;
use super::results::{INSECURE_NOTE, Results};
use crate::judge::area_verdict::AreaWord;
use crate::judge::run_verdict::RunVerdict;
use crate::judge::standing::{self, Shown};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The Markdown summary of one or several runs.
pub fn render(runs: &[Results]) -> String {
    match runs {
        [one] => single(one),
        many => matrix(many),
    }
}

fn verdict(r: &Results) -> String {
    match r.verdict {
        RunVerdict::Conformant => r.verdict.word().to_string(),
        RunVerdict::NotConformant { .. } | RunVerdict::Partial { .. } | RunVerdict::Stopped { .. } => {
            format!("**{}**", r.verdict.word())
        }
    }
}

fn single(r: &Results) -> String {
    let mut out = format!(
        "## ucwa-conformance against {}: {}\n\n{} ({} counted failures; {} ms; suite {}; {}{})\n\n",
        cell(&r.target.name),
        verdict(r),
        r.summary.line(),
        r.summary.counted,
        r.duration_ms,
        r.suite_version,
        r.started_at,
        if r.strict { "; strict" } else { "" }
    );
    area_table(r, &mut out);
    kind_table(r, &mut out);
    notes(r, &mut out);
    exploration(r, &mut out);
    trial_tables(r, &mut out);
    out
}

/// An exploration's coverage, seed and findings (one row per distinct minimal failure).
fn exploration(r: &Results, out: &mut String) {
    let Some(e) = &r.explore else { return };
    let _ = writeln!(out, "{} (repeat with `explore --seed {}`).\n", cell(&e.line()), e.seed);
    if e.findings.is_empty() {
        return;
    }
    out.push_str(
        "| finding | level | media | minimal request | difference | generated requests |\n|---|---|---|---|---|---|\n",
    );
    for f in &e.findings {
        let media: Vec<&str> = f.media.iter().map(|m| m.as_str()).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {}: expected {}, got {} | {} |",
            cell(&f.id),
            f.severity.as_str(),
            media.join(", "),
            cell(&f.request),
            cell(&f.what),
            cell(&f.expected),
            cell(&f.actual),
            f.hits
        );
    }
    out.push('\n');
}

/// One row per area: its verdict (in bold when not conformant) and its counts.
fn area_table(r: &Results, out: &mut String) {
    if r.areas.is_empty() {
        return;
    }
    out.push_str(
        "| area | verdict | trials | passed | failed | errors | should-level deviations |\n\
         |---|---|---:|---:|---:|---:|---:|\n",
    );
    for a in &r.areas {
        let word = match a.verdict {
            AreaWord::NotConformant => format!("**{}**", a.text()),
            AreaWord::Conformant
            | AreaWord::Undecided
            | AreaWord::Incomplete
            | AreaWord::NotTested
            | AreaWord::NoMustLevelPass => a.text(),
        };
        let _ = writeln!(
            out,
            "| {} | {word} | {} | {} | {} | {} | {} |",
            cell(&a.area),
            a.trials,
            a.pass,
            a.failed,
            a.errors,
            a.deviations
        );
    }
    out.push('\n');
}

/// The differences of the trials that need a look, by kind (status, subcode, event, ...).
fn kind_table(r: &Results, out: &mut String) {
    let kinds = super::kinds::by_kind(r);
    if kinds.is_empty() {
        return;
    }
    out.push_str("| kind of difference | differences | trials |\n|---|---:|---:|\n");
    for k in kinds {
        let _ = writeln!(out, "| {} | {} | {} |", k.kind.as_str(), k.differences, k.trials);
    }
    out.push('\n');
}

/// What the verdict does not cover or rests on: missing partitions, a stop, an unverified TLS
/// target, must-level trials that did not run.
fn notes(r: &Results, out: &mut String) {
    if let RunVerdict::Partial { missing, .. } = &r.verdict {
        let _ = writeln!(
            out,
            "**Missing from this merge: {}.** The verdict does not cover the trials missing.\n",
            super::results::missing_partitions(missing)
        );
    }
    if let Some(cause) = r.verdict.stop_cause() {
        let _ = writeln!(out, "The run was {}.\n", cell(cause));
    }
    if r.target.insecure {
        let _ = writeln!(out, "**{INSECURE_NOTE}**\n");
    }
    if r.summary.must_not_run > 0 {
        let _ = writeln!(
            out,
            "**{} must-level {} did not run** (skipped or not run): the verdict does not cover them.\n",
            r.summary.must_not_run,
            if r.summary.must_not_run == 1 { "trial" } else { "trials" }
        );
    }
}

/// One table per standing a reader must look at, each trial with its first difference.
fn trial_tables(r: &Results, out: &mut String) {
    let groups = [
        (Shown::Failure, "Failures (counted)"),
        (Shown::Error, "Errors (not blamed on the target)"),
        (Shown::Deviation, "SHOULD-level deviations (not counted)"),
        (Shown::Notice, "Unexpected passes and flaky trials"),
        (Shown::Excused, "Known failures (baseline)"),
    ];
    for (shown, title) in groups {
        let rows: Vec<_> = r
            .cases
            .iter()
            .filter(|c| standing::of(c, r.strict).shown == shown)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "### {title}\n\n| trial | severity | outcome | counted | first difference |\n|---|---|---|---|---|"
        );
        for c in rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                escape::markdown_code(&c.name()),
                c.severity.as_str(),
                c.outcome.label(),
                if standing::of(c, r.strict).counts { "yes" } else { "no" },
                cell(&c.first_difference())
            );
        }
        out.push('\n');
    }
}

fn matrix(runs: &[Results]) -> String {
    let names: BTreeSet<String> = runs.iter().flat_map(|r| r.cases.iter().map(|c| c.name())).collect();
    let mut out = String::from("## ucwa-conformance: vendor matrix\n\n| trial |");
    for name in super::results::run_names(runs) {
        let _ = write!(out, " {} |", cell(&name));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(runs.len()));
    out.push('\n');
    for name in names {
        let _ = write!(out, "| {} |", escape::markdown_code(&name));
        for r in runs {
            let text = match r.cases.iter().find(|c| c.name() == name) {
                Some(c) if standing::of(c, r.strict).counts => format!("**{}**", c.outcome.label()),
                Some(c) => c.outcome.label().to_string(),
                None => "-".into(),
            };
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    out.push('\n');
    for (name, r) in super::results::run_names(runs).iter().zip(runs) {
        let by_area = if r.areas.is_empty() {
            String::new()
        } else {
            format!("; by area: {}", cell(&crate::judge::area_verdict::line(&r.areas)))
        };
        let _ = writeln!(out, "- {}: {}, {}{by_area}", cell(name), verdict(r), r.summary.line());
    }
    out
}

/// Text safe in Markdown text and table cells (see [`escape::markdown`]).
fn cell(text: &str) -> String {
    escape::markdown(text)
}
