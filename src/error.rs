//! The errors that end a command, one enum for every module boundary the CLI crosses. Each
//! variant is one cause; `exit::code_of` maps each to its exit code, once.
//!
//! May use `diag` (file positions) and `under_test` (the trust set's refusals).

use crate::diag::FileError;
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
