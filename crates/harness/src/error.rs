//! The errors that end a command, one enum for every module boundary the CLI crosses. Each
//! variant is one cause; [`Error::exit_code`] maps each to its exit code, once.
//!
//! May use `diag` (file positions), `exit` (the codes) and `under_test` (the trust set's
//! refusals).

use crate::diag::FileError;
use crate::exit::ExitCode;
use crate::under_test::TargetError;
use std::path::PathBuf;

/// The signal that stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        })
    }
}

impl Signal {
    /// The exit code of a run stopped by this signal (130 or 143).
    pub fn exit_code(self) -> ExitCode {
        match self {
            Signal::Interrupt => ExitCode::Interrupted,
            Signal::Terminate => ExitCode::Terminated,
        }
    }
}

/// Why a command could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag, an argument or an environment variable is wrong.
    #[error("error: {0}")]
    Usage(String),
    /// A case file, the inventory, a baseline or a target profile is wrong (file:line:column).
    #[error("{0}")]
    File(#[from] FileError),
    /// The target configuration is incomplete or wrong.
    #[error("{0}")]
    Target(#[from] TargetError),
    /// A results file is unreadable, not ours, or of a schema this version cannot read.
    #[error("error: {}: {message}", path.display())]
    ResultsFile {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// An output cannot be written (or its directory does not exist).
    #[error("error: cannot write {}: {reason}", path.display())]
    Output {
        /// The output path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The async runtime could not start.
    #[error("error: cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The target cannot be used: unreachable, discovery or sign-in failed, or it stopped answering.
    #[error("error: the target cannot be used: {0}")]
    TargetUnusable(String),
    /// The filters selected nothing.
    #[error("error: no case matches the filters ({loaded} cases loaded){hint}")]
    NothingSelected {
        /// How many cases were loaded.
        loaded: usize,
        /// What the user may have meant (`; nearest case ids: ...`), or empty.
        hint: String,
    },
    /// A filter, `--tag` or `--spec` matches no case of the corpus (a typo would silently shrink
    /// what a CI gate covers), even beside filters that match.
    #[error("error: {what} selects nothing ({loaded} cases loaded){hint}")]
    FilterMatchesNothing {
        /// The filter, as the user gave it (`the filter \`x\``, `--tag x`).
        what: String,
        /// How many cases were loaded.
        loaded: usize,
        /// What the user may have meant (`; did you mean ...`), or empty.
        hint: String,
    },
    /// The history database cannot be used (missing, not ours, corrupt, newer, unreachable);
    /// `history::HistoryError` converts into it.
    #[error("error: history {location}: {message}")]
    History {
        /// The database, without a password.
        location: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A signal stopped the command.
    #[error("interrupted by {0}")]
    Interrupted(Signal),
}

impl Error {
    /// An output error for `path`.
    pub fn output(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        Error::Output {
            path: path.into(),
            reason: reason.to_string(),
        }
    }
}

impl Error {
    /// The exit code of this error: the same cause gives the same code in every command.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Usage(_)
            | Error::File(_)
            | Error::Target(_)
            | Error::ResultsFile { .. }
            | Error::Output { .. }
            | Error::History { .. }
            | Error::Runtime(_) => ExitCode::Usage,
            Error::TargetUnusable(_) => ExitCode::TargetUnusable,
            Error::NothingSelected { .. } | Error::FilterMatchesNothing { .. } => ExitCode::NothingSelected,
            Error::Interrupted(signal) => signal.exit_code(),
        }
    }
}

#[cfg(test)]
mod exit_code_tests {
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
        assert_eq!(error.exit_code().code(), code);
    }
}
