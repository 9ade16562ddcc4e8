//! Exit codes, defined once and computed by one function.

use crate::case::Severity;
use crate::verdict::{CaseResult, Outcome};

/// The process exit codes users and CI depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: every selected case conforms (skips, known failures from the baseline and non-strict
    /// should-level failures allowed).
    Conformant = 0,
    /// 1: a must-level case failed (or a should-level one with `--strict`), or a case errored.
    Failures = 1,
    /// 2: usage, configuration or case-file error.
    Usage = 2,
    /// 3: the target could not be used (unreachable, discovery or sign-in failed).
    TargetUnusable = 3,
    /// 4: the filters selected nothing.
    NothingSelected = 4,
}

impl ExitCode {
    /// The numeric code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// True when this result makes the run non-conformant.
pub fn counts_as_failure(result: &CaseResult, strict: bool) -> bool {
    match result.outcome {
        Outcome::Fail => result.severity == Severity::Must || strict,
        Outcome::Error(_) => true,
        Outcome::Pass
        | Outcome::Skip(_)
        | Outcome::ExpectedFail(_)
        | Outcome::UnexpectedPass(_)
        | Outcome::Flaky(_) => false,
    }
}

/// The exit code of a run that got as far as running cases.
pub fn for_results(results: &[CaseResult], strict: bool) -> ExitCode {
    if results.iter().any(|r| counts_as_failure(r, strict)) {
        ExitCode::Failures
    } else {
        ExitCode::Conformant
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Media;
    use rstest::rstest;

    fn result(severity: Severity, outcome: Outcome) -> CaseResult {
        CaseResult::new("c", Media::Json, severity, outcome)
    }

    #[rstest]
    #[case(Severity::Must, Outcome::Pass, false, ExitCode::Conformant)]
    #[case(Severity::Must, Outcome::Fail, false, ExitCode::Failures)]
    #[case(Severity::Should, Outcome::Fail, false, ExitCode::Conformant)]
    #[case(Severity::Should, Outcome::Fail, true, ExitCode::Failures)]
    #[case(Severity::Must, Outcome::Skip("no xml".into()), false, ExitCode::Conformant)]
    #[case(Severity::Should, Outcome::Error("timeout".into()), false, ExitCode::Failures)]
    #[case(Severity::Must, Outcome::ExpectedFail("known".into()), false, ExitCode::Conformant)]
    #[case(Severity::Must, Outcome::UnexpectedPass("known".into()), true, ExitCode::Conformant)]
    fn exit_code_follows_outcomes(
        #[case] severity: Severity,
        #[case] outcome: Outcome,
        #[case] strict: bool,
        #[case] expected: ExitCode,
    ) {
        assert_eq!(
            for_results(
                &[result(Severity::Must, Outcome::Pass), result(severity, outcome)],
                strict
            ),
            expected
        );
    }
}
