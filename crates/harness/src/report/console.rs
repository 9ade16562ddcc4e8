//! The console: one line per finished trial (libtest's pretty or terse lines, or one JSON event),
//! then the summary: counted failures with their differences, should-level deviations apart (as
//! h2spec does), errors, notices, and the verdict with its exit code; after an exploration, its
//! line and its findings. Pure functions of results;
//! the CLI decides where each goes (with `--format json`, only JSON on standard output).

use crate::explore::Exploration;
use crate::judge::area_verdict::counted;
use crate::judge::run_verdict::RunVerdict;
use crate::judge::standing::{self, Shown};
use crate::judge::verdict::{CaseResult, Outcome, SnapshotChange, SnapshotChangeKind};
use crate::report::escape::{console_block, console_line, json_for_terminal};
use crate::report::results::{Summary, missing_partitions};
use serde_json::json;
use std::fmt::Write as _;

/// The console formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per trial.
    Pretty,
    /// One character per trial.
    Terse,
    /// One JSON event per line (libtest's shape, extended).
    Json,
}

/// The line that opens a run.
pub fn started(format: Format, total: usize) -> String {
    match format {
        Format::Pretty | Format::Terse => {
            format!("\nrunning {total} {}\n", if total == 1 { "test" } else { "tests" })
        }
        Format::Json => format!(
            "{}\n",
            json!({ "type": "suite", "event": "started", "test_count": total })
        ),
    }
}

/// A trial as libtest reports it: passed, failed or ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LibtestEvent {
    Ok,
    Failed,
    Ignored,
}

impl LibtestEvent {
    /// The trial's event: failed when it counts, ok when it passed (or is a notice), ignored
    /// otherwise.
    fn of(result: &CaseResult, strict: bool) -> Self {
        let standing = standing::of(result, strict);
        if standing.counts {
            return LibtestEvent::Failed;
        }
        match standing.shown {
            Shown::Passed | Shown::Notice => LibtestEvent::Ok,
            Shown::Failure | Shown::Error | Shown::Deviation | Shown::Excused | Shown::NotJudged => {
                LibtestEvent::Ignored
            }
        }
    }

    /// `ok`, `failed` or `ignored`: libtest's JSON `event`.
    fn as_str(self) -> &'static str {
        match self {
            LibtestEvent::Ok => "ok",
            LibtestEvent::Failed => "failed",
            LibtestEvent::Ignored => "ignored",
        }
    }
}

/// What a trial's console line says after `...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrialWord {
    /// Passed (a flaky trial and an unexpected pass too, with a note).
    Ok,
    /// Counts as a failure.
    Failed,
    /// The harness could not decide, and it counts.
    Error,
    /// Does not count: skipped, excused, a deviation or an error in a should-level case.
    Ignored,
    /// A stop came first.
    NotRun,
}

impl TrialWord {
    /// `ok`, `FAILED`, `ERROR`, `ignored` or `not run`.
    pub fn as_str(self) -> &'static str {
        match self {
            TrialWord::Ok => "ok",
            TrialWord::Failed => "FAILED",
            TrialWord::Error => "ERROR",
            TrialWord::Ignored => "ignored",
            TrialWord::NotRun => "not run",
        }
    }

    fn tone(self) -> Tone {
        match self {
            TrialWord::Ok => Tone::Good,
            TrialWord::Failed | TrialWord::Error => Tone::Bad,
            TrialWord::Ignored | TrialWord::NotRun => Tone::Other,
        }
    }
}

/// What a trial's console line says after `...`: the word (`ok`, `FAILED`, `ERROR`, `ignored`,
/// `not run`) and, for anything but a plain pass or failure, why.
pub fn verdict(result: &CaseResult, strict: bool) -> (TrialWord, Option<String>) {
    let counts = standing::of(result, strict).counts;
    let reason = result.reason.clone().unwrap_or_default();
    match (result.outcome, counts) {
        (Outcome::Pass, _) => (TrialWord::Ok, None),
        (Outcome::Fail | Outcome::ShouldDeviation, true) => (TrialWord::Failed, None),
        (Outcome::Error, true) => (TrialWord::Error, Some(reason)),
        (Outcome::Error, false) => (
            TrialWord::Ignored,
            Some(format!("ERROR in a should-level case, counted with --strict: {reason}")),
        ),
        (Outcome::Fail | Outcome::ShouldDeviation, false) => (
            TrialWord::Ignored,
            Some(format!(
                "SHOULD not met ({}); counted with --strict",
                result.first_difference()
            )),
        ),
        (Outcome::KnownFailure, _) => (TrialWord::Ignored, Some(format!("known failure: {reason}"))),
        (Outcome::UnexpectedPass, _) => (
            TrialWord::Ok,
            Some(format!("UNEXPECTED PASS: the baseline lists it as failing ({reason})")),
        ),
        (Outcome::Flaky, _) => (TrialWord::Ok, Some(format!("FLAKY: {reason}"))),
        (Outcome::Skip, _) => (TrialWord::Ignored, Some(reason)),
        (Outcome::NotRun, _) => (TrialWord::NotRun, Some(reason)),
    }
}

/// Green for what passed, red (bold) for what counts, yellow for the rest. The console's own
/// colour codes; the CLI's stream strips them where colour is not wanted (`--color`, `NO_COLOR`,
/// not a terminal). Target text never carries any: its control characters are escaped.
fn paint(word: &str, tone: Tone) -> String {
    use anstyle::{AnsiColor, Style};
    let style = match tone {
        Tone::Good => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Tone::Bad => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        Tone::Other => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
    };
    format!("{}{word}{}", style.render(), style.render_reset())
}

/// What a word on the console means for the reader: good, bad, or to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Good,
    Bad,
    Other,
}

/// The line (or character, or JSON event) of one finished trial.
pub fn trial(format: Format, result: &CaseResult, strict: bool) -> String {
    match format {
        Format::Pretty => {
            let (word, note) = verdict(result, strict);
            let note = note.map(|n| format!(" ({})", console_line(&n))).unwrap_or_default();
            // The duration, as nextest shows it, before the libtest verdict.
            format!(
                "test {} ({:.3}s) ... {}{note}\n",
                result.name(),
                result.duration_ms as f64 / 1000.0,
                paint(word.as_str(), word.tone())
            )
        }
        Format::Terse => match LibtestEvent::of(result, strict) {
            LibtestEvent::Ok => paint(".", Tone::Good),
            LibtestEvent::Failed => paint("F", Tone::Bad),
            LibtestEvent::Ignored => paint("i", Tone::Other),
        },
        Format::Json => {
            let mut event = json!({
                "type": "test",
                "event": LibtestEvent::of(result, strict).as_str(),
                "name": result.name(),
                "id": result.id,
                "media": result.media,
                "severity": result.severity,
                "outcome": result.outcome,
                "counts": standing::of(result, strict).counts,
                "duration_ms": result.duration_ms,
                "exec_time": result.duration_ms as f64 / 1000.0,
            });
            if let Some(reason) = &result.reason {
                event["reason"] = json!(reason);
            }
            if let Some(first) = result.mismatches.first() {
                event["difference"] = json!(first);
            }
            format!("{}\n", json_for_terminal(&event.to_string()))
        }
    }
}

/// The event of a trial that started: libtest's `started` with `--format json`, nothing in the
/// other formats.
pub fn test_started(format: Format, name: &str) -> String {
    match format {
        Format::Json => format!("{}\n", json!({ "type": "test", "event": "started", "name": name })),
        Format::Pretty | Format::Terse => String::new(),
    }
}

/// The closing JSON event of a run (`--format json`); `filtered_out` trials of the corpus were
/// not selected.
pub fn finished_event(summary: &Summary, verdict: &RunVerdict, duration_ms: u64, filtered_out: usize) -> String {
    let event = match verdict {
        RunVerdict::Conformant => "ok",
        RunVerdict::NotConformant { .. } | RunVerdict::Partial { .. } => "failed",
        RunVerdict::Stopped { .. } => "stopped",
    };
    let passed = summary.pass + summary.flaky + summary.unexpected_pass;
    let run = summary.pass
        + summary.fail
        + summary.should_deviation
        + summary.error
        + summary.known_failure
        + summary.unexpected_pass
        + summary.flaky
        + summary.skip
        + summary.not_run;
    format!(
        "{}\n",
        json!({
            "type": "suite",
            "event": event,
            "passed": passed,
            "failed": summary.counted,
            "ignored": run - passed - summary.counted,
            "measured": 0,
            "filtered_out": filtered_out,
            "exec_time": duration_ms as f64 / 1000.0,
            "exit_code": verdict.exit_code().code(),
            "stopped": verdict.stop_cause().is_some(),
            "summary": summary,
        })
    )
}

/// A trial that takes longer than this is named after the run.
pub const SLOW: std::time::Duration = std::time::Duration::from_secs(5);

/// The trials over [`SLOW`], slowest first, each saying when a wait ran its whole budget (the
/// target's own timeout, not the harness, is what took the time).
fn slowest(results: &[&CaseResult]) -> Vec<String> {
    let mut slow: Vec<&&CaseResult> = results
        .iter()
        .filter(|r| u128::from(r.duration_ms) > SLOW.as_millis())
        .collect();
    slow.sort_by_key(|r| std::cmp::Reverse(r.duration_ms));
    slow.into_iter()
        .map(|r| {
            let waited = r.exchanges.iter().find_map(|e| match e {
                crate::record::exchange::Exchange::Event {
                    event: None,
                    within_ms,
                    wanted,
                } => Some(format!(
                    "; a wait ran its whole {} s for {}",
                    within_ms / 1000,
                    console_line(wanted)
                )),
                _ => None,
            });
            format!(
                "{} ({:.1} s{})",
                r.name(),
                r.duration_ms as f64 / 1000.0,
                waited.unwrap_or_default()
            )
        })
        .collect()
}

/// Must-level trials that did not run, grouped by why: `(reason, names)`.
fn must_not_run(results: &[&CaseResult]) -> Vec<(String, Vec<String>)> {
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for r in results {
        if r.severity == crate::case::Severity::Must && matches!(r.outcome, Outcome::Skip | Outcome::NotRun) {
            groups
                .entry(r.reason.clone().unwrap_or_else(|| r.outcome.label().to_string()))
                .or_default()
                .push(r.name());
        }
    }
    groups.into_iter().collect()
}

/// The text printed after the trials: failures, should-level deviations, errors, notices, the
/// snapshot changes, slow trials, the must-level trials that did not run, and the verdict line
/// with its exit code.
pub fn summary(
    results: &[CaseResult],
    strict: bool,
    target: &str,
    verdict: &RunVerdict,
    areas: &[crate::judge::area_verdict::AreaVerdict],
) -> String {
    let mut sorted: Vec<&CaseResult> = results.iter().collect();
    sorted.sort_by_key(|r| r.name());
    let mut out = String::new();
    trial_sections(&sorted, strict, &mut out);
    snapshot_changes(&sorted, &mut out);
    let slow = slowest(&sorted);
    listed(&mut out, &format!("slow trials (over {} s):", SLOW.as_secs()), &slow);
    let unjudged: Vec<String> = must_not_run(&sorted)
        .iter()
        .map(|(reason, names)| format!("{}: {}", console_line(reason), names.join(", ")))
        .collect();
    listed(
        &mut out,
        "must-level trials that did not run (the verdict does not cover them):",
        &unjudged,
    );
    verdict_lines(results, strict, target, verdict, areas, &mut out);
    out
}

/// The trials a reader must look at, one section per standing: counted failures and errors in
/// full (difference, request, response), deviations in full, the rest one line each.
fn trial_sections(sorted: &[&CaseResult], strict: bool, out: &mut String) {
    let with = |shown: Shown, counts: bool| -> Vec<&CaseResult> {
        sorted
            .iter()
            .copied()
            .filter(|r| {
                let s = standing::of(r, strict);
                s.shown == shown && s.counts == counts
            })
            .collect()
    };
    let mut section = |title: &str, rows: Vec<&CaseResult>, full: bool| {
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title}");
        for r in rows {
            if full {
                let _ = writeln!(out, "---- {} ----\n{}", r.name(), console_block(&r.explain()));
            } else {
                let _ = writeln!(out, "    {}: {}", r.name(), console_line(&r.first_difference()));
            }
        }
    };
    section("failures:", with(Shown::Failure, true), true);
    section(
        "errors (counted; not blamed on the target):",
        with(Shown::Error, true),
        true,
    );
    section(
        "SHOULD-level deviations (not counted; use --strict to count them):",
        with(Shown::Deviation, false),
        true,
    );
    section(
        "errors in should-level cases (not counted; use --strict to count them):",
        with(Shown::Error, false),
        false,
    );
    let notices = with(Shown::Notice, false);
    let (unexpected, flaky): (Vec<&CaseResult>, Vec<&CaseResult>) =
        notices.into_iter().partition(|r| r.outcome == Outcome::UnexpectedPass);
    section(
        "UNEXPECTED PASSES (the baseline lists them as failing; remove them or --update-baseline):",
        unexpected,
        false,
    );
    section("FLAKY (passed on a retry; not counted as failures):", flaky, false);
}

/// The snapshots that are new or changed (the first 20), and how to review them.
fn snapshot_changes(sorted: &[&CaseResult], out: &mut String) {
    let changed: Vec<&SnapshotChange> = sorted.iter().flat_map(|r| &r.snapshot_changes).collect();
    if changed.is_empty() {
        return;
    }
    let new = changed.iter().filter(|c| c.kind == SnapshotChangeKind::New).count();
    let _ = writeln!(
        out,
        "\nsnapshot changes ({}: {new} new, {} changed; pending .snap.new files are beside the stored ones; \
         review with `cargo insta review --workspace-root DIR` where DIR holds snapshots/, or accept all with `--snapshots update`):",
        changed.len(),
        changed.len() - new
    );
    for name in changed.iter().take(20) {
        let _ = writeln!(out, "    {name}");
    }
    if changed.len() > 20 {
        let _ = writeln!(out, "    ... and {} more", changed.len() - 20);
    }
}

/// A titled list, one indented line each; nothing when it is empty.
fn listed(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    for line in lines {
        let _ = writeln!(out, "    {line}");
    }
}

/// The verdict line (with the counts and the exit code) and the areas' line.
fn verdict_lines(
    results: &[CaseResult],
    strict: bool,
    target: &str,
    verdict: &RunVerdict,
    areas: &[crate::judge::area_verdict::AreaVerdict],
    out: &mut String,
) {
    let summary = Summary::of(results, strict);
    let code = verdict.exit_code();
    let verdict = match verdict {
        RunVerdict::Stopped { cause, .. } => format!("{} ({})", paint("STOPPED", Tone::Bad), console_line(cause)),
        RunVerdict::Partial { missing, .. } => {
            format!(
                "{} ({} missing)",
                paint("PARTIAL", Tone::Bad),
                missing_partitions(missing)
            )
        }
        RunVerdict::Conformant => paint(verdict.word(), Tone::Good),
        RunVerdict::NotConformant { .. } => paint(verdict.word(), Tone::Bad),
    };
    let not_run = match summary.must_not_run {
        0 => String::new(),
        1 => "; 1 must-level trial not run (listed above)".to_string(),
        n => format!("; {n} must-level trials not run (listed above)"),
    };
    let _ = writeln!(
        out,
        "\nucwa-conformance: {verdict} against {}: {} (exit {}){not_run}",
        console_line(target),
        summary.line(),
        code.code()
    );
    if !areas.is_empty() {
        let _ = writeln!(
            out,
            "ucwa-conformance: by area: {}",
            console_line(&crate::judge::area_verdict::line(areas))
        );
    }
}

/// The exploration's line and one line per finding, for the console.
pub fn exploration(summary: &Exploration) -> String {
    let mut text = format!("{}\n", summary.line());
    for finding in &summary.findings {
        let media: Vec<&str> = finding.media.iter().map(|m| m.as_str()).collect();
        // What the target sent is escaped for the terminal, as every console line is.
        text.push_str(&format!(
            "  {} [{}] {}: {} expected {}, got {} ({}; {})\n",
            finding.severity.as_str(),
            media.join(","),
            finding.request,
            console_line(&finding.what),
            console_line(&finding.expected),
            console_line(&finding.actual),
            counted(finding.hits, "generated request", "generated requests"),
            finding.id
        ));
    }
    if summary.time_limited {
        text.push_str("the time limit ended the exploration before its budget\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Media, Severity};
    use crate::record::exchange::Exchange;

    #[test]
    fn slow_trials_are_named_with_the_wait_that_took_the_time() {
        let mut slow = CaseResult::new(
            "events.completed.no-answer",
            Media::Json,
            Severity::Should,
            Outcome::Pass,
        );
        slow.duration_ms = 12_000;
        slow.exchanges.push(Exchange::Event {
            wanted: "a `completed` event".into(),
            within_ms: 45_000,
            event: None,
        });
        let quick = CaseResult::new("start-messaging.created", Media::Json, Severity::Must, Outcome::Pass);
        let lines = slowest(&[&quick, &slow]);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("events.completed.no-answer [json] (12.0 s"),
            "{lines:?}"
        );
        assert!(lines[0].contains("a wait ran its whole 45 s"), "{lines:?}");
        let summary = summary(&[quick, slow], false, "t", &RunVerdict::Conformant, &[]);
        assert!(summary.contains("slow trials (over 5 s):"), "{summary}");
    }
}
