//! The composition root: parses the command line and hands it to one command. Its crate is the
//! one that depends on both the harness and the reference server; `cli` joins them for the
//! commands (the embedded target, `serve`), `oracle` for the library.

/// Writes to standard output; once the reader went away (`ucwa-conformance run | head -3`),
/// output stops and the command goes on: a run still finishes its trials, writes its reports,
/// deletes its applications and exits with its verdict's code.
macro_rules! out {
    ($($arg:tt)*) => { $crate::write_out(&format!($($arg)*)) };
}

/// [`out!`] with a line feed.
macro_rules! outln {
    () => { $crate::write_out("\n") };
    ($($arg:tt)*) => { $crate::write_out(&format!("{}\n", format!($($arg)*))) };
}

mod cli;

use clap::Parser;
use cli::{Cli, Command};

fn main() {
    keep_large_buffers();
    let cli = Cli::parse();
    // The console's colour codes go through anstream, which strips them unless wanted.
    match cli.color {
        cli::ColorArg::Always => anstream::ColorChoice::Always.write_global(),
        cli::ColorArg::Never => anstream::ColorChoice::Never.write_global(),
        cli::ColorArg::Auto => {}
    }
    let code = match cli.command {
        Command::Run(args) => cli::run::run(&args),
        Command::Explore(args) => cli::explore::explore(&args),
        Command::List(args) => cli::run::list(&args),
        Command::Serve(args) => cli::serve::serve(&args),
        Command::Coverage(args) => cli::reports::coverage(&args),
        Command::Report(args) => cli::reports::write_reports(&args),
        Command::Diff(args) => cli::reports::diff(&args),
        Command::Merge(args) => cli::reports::merge(&args),
        Command::History(command) => cli::history::history(&command),
        Command::Mutants(args) => cli::reports::mutants(&args),
        Command::Bench(args) => cli::reports::bench(&args),
        Command::Verify(args) => cli::evidence::verify(&args),
        Command::Keygen { path } => cli::evidence::keygen(&path),
        Command::Schema => {
            out!("{}", ucwa_conformance::report::results::json_schema());
            Ok(ucwa_conformance::exit::ExitCode::Conformant)
        }
        Command::Completions { shell } => {
            out!("{}", cli::help::completions(shell));
            Ok(ucwa_conformance::exit::ExitCode::Conformant)
        }
        Command::Man { dir } => {
            let command = <Cli as clap::CommandFactory>::command();
            match dir {
                Some(dir) => cli::help::write_pages(command, &dir)
                    .map(|files| {
                        outln!("{} manual pages written to {}", files.len(), dir.display());
                        ucwa_conformance::exit::ExitCode::Conformant
                    })
                    .map_err(|e| ucwa_conformance::error::Error::output(dir, e)),
                None => cli::help::page(command.clone(), "", &command)
                    .map(|page| {
                        out!("{page}");
                        ucwa_conformance::exit::ExitCode::Conformant
                    })
                    .map_err(|e| ucwa_conformance::error::Error::output("standard output", e)),
            }
        }
        Command::Profile { .. } => {
            out!("{}", cli::help::EXAMPLE_PROFILE);
            Ok(ucwa_conformance::exit::ExitCode::Conformant)
        }
    };
    let code = code.unwrap_or_else(|error| {
        // An error may quote the target (discovery and sign-in quote its answers): such text
        // stays on one line with its control characters shown, so it can start no line of its
        // own; other errors keep their lines (a case file's excerpt and carets).
        let text = error.to_string();
        let shown = match error {
            ucwa_conformance::error::Error::TargetUnusable(_) => ucwa_conformance::report::escape::console_line(&text),
            _ => ucwa_conformance::report::escape::console_block(&text),
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
fn write_out(text: &str) {
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
