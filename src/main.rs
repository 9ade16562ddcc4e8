//! The composition root: parses the command line and hands it to one command. The binary is the
//! one place that names both the harness and the reference server.

mod cli;

use clap::Parser;
use cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => cli::run::run(&args),
        Command::List(args) => cli::run::list(&args),
        Command::Serve(args) => cli::serve::serve(&args),
        Command::Coverage(args) => cli::reports::coverage(&args),
        Command::Report(args) => cli::reports::write_reports(&args),
        Command::Diff(args) => cli::reports::diff(&args),
        Command::Mutants(args) => cli::reports::mutants(&args),
        Command::Bench(args) => cli::reports::bench(&args),
        Command::Schema => {
            print!("{}", ucwa_conformance::report::results::json_schema());
            Ok(ucwa_conformance::exit::ExitCode::Conformant)
        }
    };
    let code = code.unwrap_or_else(|error| {
        eprintln!("{error}");
        ucwa_conformance::exit::code_of(&error)
    });
    std::process::exit(code.code());
}
