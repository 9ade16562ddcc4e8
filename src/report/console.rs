//! The console summary printed after libtest's own lines: should-level deviations (reported
//! apart, as h2spec does), errors, and the verdict with its exit code.

use crate::case::Severity;
use crate::exit::{self, ExitCode};
use crate::verdict::{CaseResult, Outcome};
use std::fmt::Write as _;

/// Counts of outcomes in a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Passed.
    pub pass: usize,
    /// Failed at must level (or any level with --strict).
    pub fail: usize,
    /// Failed at should level, not counted.
    pub should: usize,
    /// Skipped.
    pub skip: usize,
    /// Errored.
    pub error: usize,
    /// Failed, as the baseline expects.
    pub expected_fail: usize,
    /// Passed, though the baseline lists a failure.
    pub unexpected_pass: usize,
    /// Passed on a retry.
    pub flaky: usize,
}

/// Counts the outcomes.
pub fn tally(results: &[CaseResult], strict: bool) -> Tally {
    let mut t = Tally::default();
    for r in results {
        match r.outcome {
            Outcome::Pass => t.pass += 1,
            Outcome::Skip(_) => t.skip += 1,
            Outcome::Error(_) => t.error += 1,
            Outcome::Fail if r.severity == Severity::Should && !strict => t.should += 1,
            Outcome::Fail => t.fail += 1,
            Outcome::ExpectedFail(_) => t.expected_fail += 1,
            Outcome::UnexpectedPass(_) => t.unexpected_pass += 1,
            Outcome::Flaky(_) => t.flaky += 1,
        }
    }
    t
}

/// The text printed after the trials.
pub fn summary(results: &[CaseResult], strict: bool, target: &str) -> String {
    let mut sorted: Vec<&CaseResult> = results.iter().collect();
    sorted.sort_by_key(|r| r.name());
    let mut out = String::new();
    let deviations: Vec<&&CaseResult> = sorted
        .iter()
        .filter(|r| r.outcome == Outcome::Fail && r.severity == Severity::Should && !strict)
        .collect();
    if !deviations.is_empty() {
        let _ = writeln!(
            out,
            "\nSHOULD-level deviations (not counted; use --strict to count them):"
        );
        for r in deviations {
            let _ = writeln!(out, "---- {} ----\n{}", r.name(), r.explain());
        }
    }
    let unexpected: Vec<&&CaseResult> = sorted
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::UnexpectedPass(_)))
        .collect();
    if !unexpected.is_empty() {
        let _ = writeln!(
            out,
            "\nUNEXPECTED PASSES (the baseline lists them as failing; remove them or --update-baseline):"
        );
        for r in unexpected {
            let _ = writeln!(out, "    {}", r.name());
        }
    }
    let changed: Vec<&String> = sorted.iter().flat_map(|r| &r.snapshot_changes).collect();
    if !changed.is_empty() {
        let _ = writeln!(
            out,
            "\nsnapshot changes ({}; review with `cargo insta review` or accept with `--snapshots update`):",
            changed.len()
        );
        for name in changed.iter().take(20) {
            let _ = writeln!(out, "    {name}");
        }
        if changed.len() > 20 {
            let _ = writeln!(out, "    ... and {} more", changed.len() - 20);
        }
    }
    let flaky: Vec<&&CaseResult> = sorted
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Flaky(_)))
        .collect();
    if !flaky.is_empty() {
        let _ = writeln!(out, "\nFLAKY (passed on a retry; not counted as failures):");
        for r in flaky {
            let _ = writeln!(out, "    {}: {}", r.name(), r.explain().trim());
        }
    }
    let t = tally(results, strict);
    let code = exit::for_results(results, strict);
    let verdict = match code {
        ExitCode::Conformant => "conformant",
        _ => "NOT conformant",
    };
    let _ = writeln!(
        out,
        "\nucwa-conformance: {verdict} against {target}: {} passed, {} failed, {} should-level deviations, {} known failures, {} unexpected passes, {} flaky, {} skipped, {} errors (exit {})",
        t.pass,
        t.fail,
        t.should,
        t.expected_fail,
        t.unexpected_pass,
        t.flaky,
        t.skip,
        t.error,
        code.code()
    );
    out
}
