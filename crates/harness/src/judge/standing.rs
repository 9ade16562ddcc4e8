//! A trial's standing: the one function that decides, from outcome, severity and strictness,
//! whether a trial counts toward the exit code, how every report shows it, and so whether it can
//! be a regression. The console, the exit code, JUnit, HTML, Markdown, `diff`, the vendor matrix
//! and `coverage --results` all ask [`standing`]; none decides for itself.
//!
//! Decisions written down here (README "Outcomes" repeats them):
//! - `fail` always counts: it is a must-level requirement broken, even in a should-level case (a
//!   documented error row, see `error_rows`).
//! - A should-level deviation counts only with `--strict`.
//! - An error in a should-level case counts only with `--strict`: even decided, that case could
//!   not fail a run without it, so an undecided one cannot either. It is still shown as an error.
//! - Known failures, unexpected passes, flaky trials, skips and trials not run never count.

use crate::case::Severity;
use crate::judge::verdict::{CaseResult, Outcome};

/// How a trial is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shown {
    /// A counted non-conformance: red, listed first.
    Failure,
    /// The harness could not decide.
    Error,
    /// A should-level deviation not counted: listed apart.
    Deviation,
    /// Needs a look but is not a failure: an unexpected pass, a flaky trial.
    Notice,
    /// Excused by the baseline.
    Excused,
    /// No verdict: skipped or not run.
    NotJudged,
    /// Passed.
    Passed,
}

impl Shown {
    /// The CSS class and short word reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Shown::Failure => "failure",
            Shown::Error => "error",
            Shown::Deviation => "deviation",
            Shown::Notice => "notice",
            Shown::Excused => "excused",
            Shown::NotJudged => "not-judged",
            Shown::Passed => "passed",
        }
    }
}

/// What a trial means for its run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// True when it makes the run non-conformant (exit code 1) and can be a regression.
    pub counts: bool,
    /// How reports show it.
    pub shown: Shown,
}

/// The standing of a trial with `outcome` in a case of `severity`, under `strict`.
pub fn standing(outcome: Outcome, severity: Severity, strict: bool) -> Standing {
    let (counts, shown) = match (outcome, severity) {
        (Outcome::Pass, _) => (false, Shown::Passed),
        (Outcome::Fail, _) => (true, Shown::Failure),
        (Outcome::ShouldDeviation, _) => {
            if strict {
                (true, Shown::Failure)
            } else {
                (false, Shown::Deviation)
            }
        }
        (Outcome::Error, Severity::Must) => (true, Shown::Error),
        (Outcome::Error, Severity::Should) => (strict, Shown::Error),
        (Outcome::KnownFailure, _) => (false, Shown::Excused),
        (Outcome::UnexpectedPass | Outcome::Flaky, _) => (false, Shown::Notice),
        (Outcome::Skip | Outcome::NotRun, _) => (false, Shown::NotJudged),
    };
    Standing { counts, shown }
}

/// The standing of a recorded trial.
pub fn of(result: &CaseResult, strict: bool) -> Standing {
    standing(result.outcome, result.severity, strict)
}

/// True when `now` counts in its run and `before` would not have counted under the same strictness.
pub fn is_regression(before: &CaseResult, now: &CaseResult, strict: bool) -> bool {
    of(now, strict).counts && !of(before, strict).counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(Outcome::Pass, Severity::Must, false, false, Shown::Passed)]
    #[case(Outcome::Fail, Severity::Must, false, true, Shown::Failure)]
    #[case(Outcome::ShouldDeviation, Severity::Should, false, false, Shown::Deviation)]
    #[case(Outcome::ShouldDeviation, Severity::Should, true, true, Shown::Failure)]
    #[case(Outcome::Fail, Severity::Should, false, true, Shown::Failure)]
    #[case(Outcome::Error, Severity::Must, false, true, Shown::Error)]
    #[case(Outcome::Error, Severity::Should, false, false, Shown::Error)]
    #[case(Outcome::Error, Severity::Should, true, true, Shown::Error)]
    #[case(Outcome::KnownFailure, Severity::Must, true, false, Shown::Excused)]
    #[case(Outcome::UnexpectedPass, Severity::Must, true, false, Shown::Notice)]
    #[case(Outcome::Flaky, Severity::Must, true, false, Shown::Notice)]
    #[case(Outcome::Skip, Severity::Must, true, false, Shown::NotJudged)]
    #[case(Outcome::NotRun, Severity::Must, true, false, Shown::NotJudged)]
    fn one_table_decides(
        #[case] outcome: Outcome,
        #[case] severity: Severity,
        #[case] strict: bool,
        #[case] counts: bool,
        #[case] shown: Shown,
    ) {
        assert_eq!(standing(outcome, severity, strict), Standing { counts, shown });
    }

    #[test]
    fn a_new_should_level_deviation_is_a_regression_only_when_strict() {
        let before = CaseResult::new("c", crate::case::Media::Json, Severity::Should, Outcome::Pass);
        let now = CaseResult {
            outcome: Outcome::ShouldDeviation,
            ..before.clone()
        };
        assert!(!is_regression(&before, &now, false));
        assert!(is_regression(&before, &now, true));
    }
}
