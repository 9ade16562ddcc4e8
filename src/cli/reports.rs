//! `coverage`, `report`, `diff`, `mutants` and `bench`: reports computed from case files and
//! results files, and the suite's self-tests against its own reference server.

use super::{BenchArgs, CoverageArgs, DiffArgs, MergeArgs, MutantsArgs, ReportArgs, corpus, load_cases, runtime};
use crate::corpus::coverage;
use crate::error::Error;
use crate::exit::ExitCode;
use crate::record::output;
use crate::report::{self, merge, results};
use std::path::{Path, PathBuf};

pub fn coverage(args: &CoverageArgs) -> Result<ExitCode, Error> {
    let corpus = corpus(args.cases.as_ref())?;
    let cases = corpus.cases()?;
    let inventory = corpus.inventory()?;
    let coverage = coverage::compute(&inventory, &cases);
    let run = args.results.as_deref().map(results::read).transpose()?;
    out!("{}", report::coverage::render(&coverage, run.as_ref()));
    Ok(if coverage.is_complete() {
        ExitCode::Conformant
    } else {
        ExitCode::Failures
    })
}

/// `report`: HTML and Markdown from results files.
pub fn write_reports(args: &ReportArgs) -> Result<ExitCode, Error> {
    let runs = args
        .results
        .iter()
        .map(|p| results::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let markdown_path = args.markdown.as_deref().filter(|p| *p != Path::new("-"));
    for path in args.html.iter().map(|p| p.as_path()).chain(markdown_path) {
        output::check_writable(path)?;
    }
    if let Some(path) = &args.html {
        output::write_atomic(path, &report::html::render(&runs))?;
    }
    let markdown = report::markdown::render(&runs);
    match (markdown_path, &args.markdown) {
        (Some(path), _) => output::write_atomic(path, &markdown)?,
        (None, Some(_)) => out!("{markdown}"),
        (None, None) if args.html.is_none() => out!("{markdown}"),
        (None, None) => {}
    }
    Ok(ExitCode::Conformant)
}

/// `diff`: regressions, new should-level deviations, fixes and changes between two runs; exit 1
/// only on a regression.
pub fn diff(args: &DiffArgs) -> Result<ExitCode, Error> {
    if let Some(path) = &args.markdown {
        output::check_writable(path)?;
    }
    let old = results::read(&args.old)?;
    let new = results::read(&args.new)?;
    let diff = report::diff::compare(&old, &new, args.strict);
    let markdown = report::diff::markdown(&diff, &old, &new);
    // The diff is shown on standard output, once: `--markdown -` asks for nothing more.
    out!("{markdown}");
    if let Some(path) = args.markdown.as_deref().filter(|p| !output::is_stdout(p)) {
        output::write_atomic(path, &markdown)?;
    }
    Ok(if diff.has_regressions() {
        ExitCode::Failures
    } else {
        ExitCode::Conformant
    })
}

/// `merge`: one results file (and JUnit) from the partitions of a run.
pub fn merge(args: &MergeArgs) -> Result<ExitCode, Error> {
    for path in std::iter::once(&args.json).chain(args.junit.as_ref()) {
        output::check_writable(path)?;
    }
    // A file that does not exist is a partition that ended without its results (exit 3, say):
    // named as missing, not as unreadable.
    let (present, absent): (Vec<&PathBuf>, Vec<&PathBuf>) = args.results.iter().partition(|p| p.exists());
    let parts = present
        .iter()
        .map(|p| {
            Ok(merge::Part {
                name: p.display().to_string(),
                results: results::read(p)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let absent: Vec<String> = absent.iter().map(|p| p.display().to_string()).collect();
    let joined = merge::merge(parts, &absent, args.allow_partial).map_err(|message| Error::ResultsFile {
        path: present
            .first()
            .copied()
            .or(args.results.first())
            .cloned()
            .unwrap_or_default(),
        message: format!("cannot merge: {message}"),
    })?;
    let key = super::evidence::signing_key(args.sign.as_deref())?;
    output::write_atomic(&args.json, &results::to_json(&joined))?;
    if let Some(key) = &key {
        super::evidence::sign(key, &args.json)?;
    }
    if let Some(path) = &args.junit {
        output::write_atomic(path, &report::junit::render(&joined, &report::junit::this_host()))?;
    }
    outln!(
        "merged {} partitions: {} ({})",
        args.results.len(),
        joined.summary.line(),
        joined.verdict.word()
    );
    Ok(joined.verdict.exit_code())
}

/// `mutants`: the kill matrix of the corpus over the reference server's mutants.
pub fn mutants(args: &MutantsArgs) -> Result<ExitCode, Error> {
    use crate::oracle::mutation;
    use crate::reference::Mutant;
    if args.list {
        for m in Mutant::ALL {
            outln!("{:34} breaks {:34} {}", m.name(), m.breaks(), m.description());
        }
        return Ok(ExitCode::Conformant);
    }
    let mut chosen = Vec::new();
    for name in &args.names {
        let mutant = Mutant::from_name(name)
            .ok_or_else(|| Error::Usage(format!("unknown mutant `{name}`; see `mutants --list`")))?;
        chosen.push(mutant);
    }
    if chosen.is_empty() {
        chosen = Mutant::ALL.to_vec();
    }
    let cases = load_cases(args.cases.as_ref())?
        .into_iter()
        .map(std::sync::Arc::new)
        .collect();
    let matrix = runtime()?.block_on(mutation::kill_matrix(
        cases,
        &chosen,
        args.jobs,
        mutation::Scope::Everything,
        args.explore,
    ));
    out!("{}", mutation::render(&matrix));
    Ok(if matrix.is_perfect() {
        ExitCode::Conformant
    } else {
        ExitCode::Failures
    })
}

/// `bench`: the harness against the raw HTTP floor, and case loading at scale.
pub fn bench(args: &BenchArgs) -> Result<ExitCode, Error> {
    use crate::oracle::bench;
    if let Some(path) = &args.json {
        output::check_writable(path)?;
    }
    let cases = load_cases(args.cases.as_ref())?
        .into_iter()
        .map(std::sync::Arc::new)
        .collect();
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; figures mean something only with `cargo run --release -- bench`");
    }
    let report = runtime()?
        .block_on(bench::run(
            cases,
            args.waiting,
            args.repeat,
            args.samples,
            args.history_files as usize,
        ))
        .map_err(|e| Error::TargetUnusable(e.to_string()))?;
    out!("{}", bench::render(&report));
    if let Some(path) = &args.json {
        output::write_atomic(path, &serde_json::to_string_pretty(&report).unwrap_or_default())?;
    }
    Ok(ExitCode::Conformant)
}
