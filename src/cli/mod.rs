//! The command line: arguments (`args`, clap, converted to library configuration) and one module
//! per command family: `run` (run, list), `explore`, `serve`, `reports` (coverage, report, diff, merge,
//! mutants, bench), `history`, `evidence` (verify, keygen, signing); `signals` turns SIGINT and SIGTERM into the run's stop request. Every command returns `Result<ExitCode, Error>`; `main` maps an error to its code.

/// Writes to standard output; once the reader went away (`ucwa-conformance run | head -3`),
/// output stops and the command goes on: a run still finishes its trials, writes its reports,
/// deletes its applications and exits with its verdict's code.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_out(&format!($($arg)*)) };
}

/// [`out!`] with a line feed.
macro_rules! outln {
    () => { $crate::cli::write_out("\n") };
    ($($arg:tt)*) => { $crate::cli::write_out(&format!("{}\n", format!($($arg)*))) };
}

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

use crate::case::Case;
use crate::corpus::Corpus;
use crate::error::Error;
use clap::Parser;
use std::path::PathBuf;

/// The results file's JSON Schema as committed (the contract users validate against); a test
/// holds it equal to the one the harness's types generate (`ucwa-harness`'s feature `schema`).
const RESULTS_SCHEMA: &str = include_str!("../../schema/results-2.json");

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

/// The command line of `ucwa-conformance`: parses the arguments, runs one command and exits
/// with its code.
pub fn main() {
    keep_large_buffers();
    let cli = Cli::parse();
    // The console's colour codes go through anstream, which strips them unless wanted.
    match cli.color {
        ColorArg::Always => anstream::ColorChoice::Always.write_global(),
        ColorArg::Never => anstream::ColorChoice::Never.write_global(),
        ColorArg::Auto => {}
    }
    let code = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Explore(args) => explore::explore(&args),
        Command::List(args) => run::list(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Coverage(args) => reports::coverage(&args),
        Command::Report(args) => reports::write_reports(&args),
        Command::Diff(args) => reports::diff(&args),
        Command::Merge(args) => reports::merge(&args),
        Command::History(command) => history::history(&command),
        Command::Mutants(args) => reports::mutants(&args),
        Command::Bench(args) => reports::bench(&args),
        Command::Verify(args) => evidence::verify(&args),
        Command::Keygen { path } => evidence::keygen(&path),
        Command::Schema => {
            out!("{}", RESULTS_SCHEMA);
            Ok(crate::exit::ExitCode::Conformant)
        }
        Command::Completions { shell } => {
            out!("{}", help::completions(shell));
            Ok(crate::exit::ExitCode::Conformant)
        }
        Command::Man { dir } => {
            let command = <Cli as clap::CommandFactory>::command();
            match dir {
                Some(dir) => help::write_pages(command, &dir)
                    .map(|files| {
                        outln!("{} manual pages written to {}", files.len(), dir.display());
                        crate::exit::ExitCode::Conformant
                    })
                    .map_err(|e| crate::error::Error::output(dir, e)),
                None => help::page(command.clone(), "", &command)
                    .map(|page| {
                        out!("{page}");
                        crate::exit::ExitCode::Conformant
                    })
                    .map_err(|e| crate::error::Error::output("standard output", e)),
            }
        }
        Command::Profile { .. } => {
            out!("{}", help::EXAMPLE_PROFILE);
            Ok(crate::exit::ExitCode::Conformant)
        }
    };
    let code = code.unwrap_or_else(|error| {
        // An error may quote the target (discovery and sign-in quote its answers): such text
        // stays on one line with its control characters shown, so it can start no line of its
        // own; other errors keep their lines (a case file's excerpt and carets).
        let text = error.to_string();
        let shown = match error {
            crate::error::Error::TargetUnusable(_) => crate::report::escape::console_line(&text),
            _ => crate::report::escape::console_block(&text),
        };
        eprintln!("{shown}");
        error.exit_code()
    });
    std::process::exit(code.code());
}

/// True once standard output's reader went away (a closed pipe): nothing more is written there.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes `text` to standard output and flushes it. A reader that went away (a closed pipe)
/// ends the printing, never the command: a gate piped into `head` under `pipefail` must still
/// get the run's exit code and its report files.
pub(crate) fn write_out(text: &str) {
    use std::io::Write as _;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = anstream::stdout().lock();
    let written = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    if let Err(e) = written
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Bodies of several MiB (a too-large request, its record) are built and freed on every run of a
/// case. glibc serves such allocations with fresh mmap'd pages by default and returns them on
/// free, so each run pays hundreds of page faults; measured with `bench`, that was a third of the
/// harness's time on `generic.entity-too-large`. Allocations up to 32 MiB come from the heap
/// instead, and freed memory is kept for reuse (trimmed past 64 MiB).
fn keep_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called first thing, before any thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}
