//! Exit codes, defined once: [`ExitCode`] lists them, [`code_of`] maps every error to one, and
//! [`for_results`] picks the code of a run from the trials' standings.

use crate::error::{Error, Signal};
use crate::judge::standing;
use crate::judge::verdict::CaseResult;
use crate::run::StopCause;

/// The process exit codes users and CI depend on (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: every selected case conforms (skips, known failures from the baseline and non-strict
    /// should-level deviations allowed).
    Conformant = 0,
    /// 1: a trial counts as a failure (see `standing`); for `diff`: a regression.
    Failures = 1,
    /// 2: usage, configuration, case-file, results-file or output error.
    Usage = 2,
    /// 3: the target could not be used (unreachable, discovery or sign-in failed).
    TargetUnusable = 3,
    /// 4: the filters selected nothing.
    NothingSelected = 4,
    /// 130: stopped by SIGINT (outputs written, applications deleted).
    Interrupted = 130,
    /// 143: stopped by SIGTERM (outputs written, applications deleted).
    Terminated = 143,
}

impl ExitCode {
    /// The numeric code.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The code of a run stopped by `signal`.
    pub fn of_signal(signal: Signal) -> Self {
        match signal {
            Signal::Interrupt => ExitCode::Interrupted,
            Signal::Terminate => ExitCode::Terminated,
        }
    }

    /// The code of a run that stopped early for `cause`.
    pub fn of_stop(cause: &StopCause) -> Self {
        match cause {
            StopCause::Signal(signal) => Self::of_signal(*signal),
            StopCause::TargetSilent(_) => ExitCode::TargetUnusable,
            StopCause::FailFast => ExitCode::Failures,
        }
    }
}

/// The exit code of an error: the same cause gives the same code in every command.
pub fn code_of(error: &Error) -> ExitCode {
    match error {
        Error::Usage(_)
        | Error::File(_)
        | Error::Target(_)
        | Error::ResultsFile { .. }
        | Error::Output { .. }
        | Error::Runtime(_) => ExitCode::Usage,
        Error::TargetUnusable(_) => ExitCode::TargetUnusable,
        Error::NothingSelected { .. } => ExitCode::NothingSelected,
        Error::Interrupted(signal) => ExitCode::of_signal(*signal),
    }
}

/// The exit code of a run that got as far as running cases.
pub fn for_results(results: &[CaseResult], strict: bool) -> ExitCode {
    if results.iter().any(|r| standing::of(r, strict).counts) {
        ExitCode::Failures
    } else {
        ExitCode::Conformant
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Media, Severity};
    use crate::judge::verdict::Outcome;
    use rstest::rstest;

    fn result(severity: Severity, outcome: Outcome) -> CaseResult {
        CaseResult::new("c", Media::Json, severity, outcome)
    }

    #[rstest]
    #[case(Severity::Must, Outcome::Pass, false, ExitCode::Conformant)]
    #[case(Severity::Must, Outcome::Fail, false, ExitCode::Failures)]
    #[case(Severity::Should, Outcome::ShouldDeviation, false, ExitCode::Conformant)]
    #[case(Severity::Should, Outcome::ShouldDeviation, true, ExitCode::Failures)]
    #[case(Severity::Must, Outcome::Skip, false, ExitCode::Conformant)]
    #[case(Severity::Must, Outcome::Error, false, ExitCode::Failures)]
    #[case(Severity::Should, Outcome::Error, false, ExitCode::Conformant)]
    #[case(Severity::Must, Outcome::KnownFailure, false, ExitCode::Conformant)]
    #[case(Severity::Must, Outcome::UnexpectedPass, true, ExitCode::Conformant)]
    #[case(Severity::Must, Outcome::NotRun, true, ExitCode::Conformant)]
    fn exit_code_follows_standings(
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

    #[rstest]
    #[case(Error::Usage("x".into()), 2)]
    #[case(Error::Runtime(std::io::Error::other("x")), 2)]
    #[case(Error::output("/x", "no such directory"), 2)]
    #[case(Error::TargetUnusable("x".into()), 3)]
    #[case(Error::NothingSelected { loaded: 3, hint: String::new() }, 4)]
    #[case(Error::Interrupted(Signal::Interrupt), 130)]
    #[case(Error::Interrupted(Signal::Terminate), 143)]
    fn each_cause_has_one_code(#[case] error: Error, #[case] code: i32) {
        assert_eq!(code_of(&error).code(), code);
    }
}
