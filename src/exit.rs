//! Exit codes, defined once: [`ExitCode`] lists them and [`code_of`] maps every error to one.
//! The code of a run that got as far as its trials is its verdict's
//! (`judge::run_verdict::RunVerdict::exit_code`).
//!
//! May use `error` (the errors it maps).

use crate::error::{Error, Signal};

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
}

/// The exit code of an error: the same cause gives the same code in every command.
pub fn code_of(error: &Error) -> ExitCode {
    match error {
        Error::Usage(_)
        | Error::File(_)
        | Error::Target(_)
        | Error::ResultsFile { .. }
        | Error::Output { .. }
        | Error::History { .. }
        | Error::Runtime(_) => ExitCode::Usage,
        Error::TargetUnusable(_) => ExitCode::TargetUnusable,
        Error::NothingSelected { .. } | Error::FilterMatchesNothing { .. } => ExitCode::NothingSelected,
        Error::Interrupted(signal) => ExitCode::of_signal(*signal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

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
