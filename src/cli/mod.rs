//! The command line: arguments (`args`, clap, converted to library configuration) and one module
//! per command family: `run` (run, list), `explore`, `serve`, `reports` (coverage, report, diff, merge,
//! mutants, bench), `history`, `evidence` (verify, keygen, signing); `signals` turns SIGINT and SIGTERM into the run's stop request. Every command returns `Result<ExitCode, Error>`; `main` maps an error to its code.

mod args;
pub mod evidence;
pub mod explore;
pub mod help;
pub mod history;
mod progress;
pub mod reports;
pub mod run;
pub mod serve;
mod signals;
mod watch;

pub use args::*;

use std::path::PathBuf;
use ucwa_conformance::case::Case;
use ucwa_conformance::corpus::Corpus;
use ucwa_conformance::error::Error;

/// The tokio runtime of a command (two workers: the suite's machines have two cores).
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

/// The corpus: `--cases DIR`, else the one compiled into the binary.
pub fn corpus(given: Option<&PathBuf>) -> Result<Corpus, Error> {
    Ok(Corpus::chosen(given.map(PathBuf::as_path))?)
}

/// The cases of the corpus.
pub fn load_cases(given: Option<&PathBuf>) -> Result<Vec<Case>, Error> {
    Ok(corpus(given)?.cases()?)
}

/// The snapshot directory: `--snapshot-dir`, else `./snapshots` of the working directory (never
/// the build tree: snapshots belong to the user).
pub fn snapshots_dir(given: Option<&PathBuf>) -> PathBuf {
    given.cloned().unwrap_or_else(|| PathBuf::from("snapshots"))
}
