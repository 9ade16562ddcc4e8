//! `coverage`, `report` and `diff`: reports computed from case files and results files, never
//! from the network.

use super::{BenchArgs, CoverageArgs, DiffArgs, MutantsArgs, ReportArgs, cases_dir, load_cases, runtime};
use std::path::Path;
use ucwa_conformance::case;
use ucwa_conformance::exit::ExitCode;
use ucwa_conformance::report::{self, results};
use ucwa_conformance::{coverage, inventory};

pub fn coverage(args: &CoverageArgs) -> ExitCode {
    let dir = cases_dir(args.cases.as_ref());
    let loaded = case::load_dir(&dir).and_then(|cases| Ok((cases, inventory::load(&dir)?)));
    let (cases, inventory) = match loaded {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::Usage;
        }
    };
    let coverage = coverage::compute(&inventory, &cases);
    let run = match args.results.as_deref().map(results::read).transpose() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::Usage;
        }
    };
    print!("{}", report::coverage::render(&coverage, run.as_ref()));
    if coverage.is_complete() {
        ExitCode::Conformant
    } else {
        ExitCode::Failures
    }
}

/// `report`: HTML and Markdown from results files.
pub fn write_reports(args: &ReportArgs) -> ExitCode {
    let runs = match args
        .results
        .iter()
        .map(|p| results::read(p))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::Usage;
        }
    };
    if let Some(path) = &args.html
        && let Err(code) = write(path, &report::html::render(&runs))
    {
        return code;
    }
    let markdown = report::markdown::render(&runs);
    match args.markdown.as_deref() {
        Some(path) if path != Path::new("-") => {
            if let Err(code) = write(path, &markdown) {
                return code;
            }
        }
        Some(_) => print!("{markdown}"),
        None if args.html.is_none() => print!("{markdown}"),
        None => {}
    }
    ExitCode::Conformant
}

/// `diff`: regressions, fixes and changes between two runs; exit 1 on a regression.
pub fn diff(args: &DiffArgs) -> ExitCode {
    let (old, new) = match (results::read(&args.old), results::read(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::Usage;
        }
    };
    let diff = report::diff::compare(&old, &new);
    let markdown = report::diff::markdown(&diff, &old, &new);
    print!("{markdown}");
    if let Some(path) = &args.markdown
        && let Err(code) = write(path, &markdown)
    {
        return code;
    }
    if diff.has_regressions() {
        ExitCode::Failures
    } else {
        ExitCode::Conformant
    }
}

fn write(path: &Path, text: &str) -> Result<(), ExitCode> {
    std::fs::write(path, text).map_err(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        ExitCode::Usage
    })
}

/// `mutants`: the kill matrix of the corpus over the reference server's mutants.
pub fn mutants(args: &MutantsArgs) -> ExitCode {
    use ucwa_conformance::mutation;
    use ucwa_conformance::reference::Mutant;
    if args.list {
        for m in Mutant::ALL {
            println!("{:34} breaks {:34} {}", m.name(), m.breaks(), m.description());
        }
        return ExitCode::Conformant;
    }
    let mut chosen = Vec::new();
    for name in &args.names {
        match Mutant::from_name(name) {
            Some(m) => chosen.push(m),
            None => {
                eprintln!("error: unknown mutant `{name}`; see `mutants --list`");
                return ExitCode::Usage;
            }
        }
    }
    if chosen.is_empty() {
        chosen = Mutant::ALL.to_vec();
    }
    let cases = match load_cases(args.cases.as_ref()) {
        Ok(c) => c.into_iter().map(std::sync::Arc::new).collect(),
        Err(code) => return code,
    };
    let runtime = match runtime(ExitCode::Usage) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let matrix = runtime.block_on(mutation::kill_matrix(cases, &chosen, args.jobs));
    print!("{}", mutation::render(&matrix));
    if matrix.is_perfect() {
        ExitCode::Conformant
    } else {
        ExitCode::Failures
    }
}

/// `bench`: the harness against the raw HTTP floor, and case loading at scale.
pub fn bench(args: &BenchArgs) -> ExitCode {
    use ucwa_conformance::bench;
    let cases = match load_cases(args.cases.as_ref()) {
        Ok(c) => c.into_iter().map(std::sync::Arc::new).collect(),
        Err(code) => return code,
    };
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; figures mean something only with `cargo run --release -- bench`");
    }
    let runtime = match runtime(ExitCode::Usage) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let report = match runtime.block_on(bench::run(cases, args.waiting, args.repeat)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::TargetUnusable;
        }
    };
    print!("{}", bench::render(&report));
    if let Some(path) = &args.json
        && let Err(code) = write(path, &serde_json::to_string_pretty(&report).unwrap_or_default())
    {
        return code;
    }
    ExitCode::Conformant
}
