//! Exit codes, defined once: [`ExitCode`] lists them. Every error maps to one
//! (`error::Error::exit_code`); the code of a run that got as far as its trials is its
//! verdict's (`judge::run_verdict::RunVerdict::exit_code`).
//!
//! A leaf: may use nothing of the crate.

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
}
