//! `history`: record results files as runs of builds, and answer the questions a QA team or a
//! buyer asks across builds (builds, regressions, flaky trials, one trial, the dashboard); also
//! `run --history`, which records a run as it ends. Tables for people, `--json` for machines.

use super::{
    HistoryAddArgs, HistoryCommand, HistoryFlakyArgs, HistoryQueryArgs, HistoryReportArgs, HistoryTrialArgs, MediaArg,
};
use crate::error::Error;
use crate::exit::ExitCode;
use crate::history::timeline::{BuildSummary, Status};
use crate::history::{Added, Location, RunRecord, Store, dashboard};
use crate::judge::area_verdict::counted;
use crate::record::output;
use crate::report::escape::console_line;
use crate::report::results::{self, Results};

/// Runs one `history` subcommand.
pub fn history(command: &HistoryCommand) -> Result<ExitCode, Error> {
    match command {
        HistoryCommand::Add(args) => add(args),
        HistoryCommand::Builds(args) => builds(args),
        HistoryCommand::Regressions(args) => regressions(args),
        HistoryCommand::Flaky(args) => flaky(args),
        HistoryCommand::Trial(args) => trial(args),
        HistoryCommand::Report(args) => report(args),
    }
}

/// Records `results` (the run that just ended) in the history at `db` as `build`; the line to
/// print.
pub fn record_run(db: &str, build: Option<&str>, results: &Results) -> Result<String, Error> {
    let location = Location::parse(db);
    let record = RunRecord::of(results, build, None).map_err(|e| refused(&location, "this run", e.to_string()))?;
    let mut store = Store::open(&location, true)?;
    Ok(added_line("this run", &record, &store.add(&record)?, &location))
}

fn refused(location: &Location, what: &str, message: String) -> Error {
    Error::Usage(format!(
        "{what} cannot be added to the history {}: {message}",
        location.shown()
    ))
}

fn added_line(what: &str, record: &RunRecord, added: &Added, location: &Location) -> String {
    match added {
        Added::New { build } => format!(
            "recorded {what} in {}: target {}, build {} ({})",
            location.shown(),
            console_line(&record.target),
            console_line(build),
            record.verdict.name()
        ),
        Added::Known { build } => format!(
            "{what} was recorded before (as build {}): nothing changed",
            console_line(build)
        ),
    }
}

fn add(args: &HistoryAddArgs) -> Result<ExitCode, Error> {
    let location = Location::parse(&args.db.db);
    // Every file is read and checked before the first is added: a bad one adds nothing.
    let mut records = Vec::new();
    for path in &args.results {
        let results = results::read(path)?;
        let record =
            RunRecord::of(&results, args.build.as_deref(), args.at.as_deref()).map_err(|e| Error::ResultsFile {
                path: path.clone(),
                message: format!("cannot be added to the history: {e}"),
            })?;
        records.push((path, record));
    }
    let mut store = Store::open(&location, true)?;
    for (path, record) in &records {
        let added = store.add(record)?;
        outln!("{}", added_line(&path.display().to_string(), record, &added, &location));
    }
    Ok(ExitCode::Conformant)
}

/// The store and the targets a question is about: those given (each must have builds), or all.
fn open(args: &HistoryQueryArgs) -> Result<(Store, Vec<String>), Error> {
    let location = Location::parse(&args.db.db);
    let mut store = Store::open(&location, false)?;
    let known = store.targets()?;
    if known.is_empty() {
        return Err(Error::Usage(format!(
            "the history {} has no builds yet: add runs with `history add`",
            location.shown()
        )));
    }
    for wanted in &args.target {
        if !known.contains(wanted) {
            let names: Vec<&str> = known.iter().map(String::as_str).collect();
            return Err(Error::Usage(format!(
                "the history has no target `{}`{}",
                console_line(wanted),
                crate::diag::did_you_mean(&crate::diag::nearest(wanted, names.iter().copied(), usize::MAX, 3))
            )));
        }
    }
    let targets = if args.target.is_empty() {
        known
    } else {
        args.target.clone()
    };
    Ok((store, targets))
}

fn json_out(value: serde_json::Value) {
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    outln!("{}", crate::report::escape::json_for_terminal(&text));
}

fn builds(args: &HistoryQueryArgs) -> Result<ExitCode, Error> {
    let (mut store, targets) = open(args)?;
    let mut all = Vec::new();
    for target in &targets {
        let mut builds = store.builds(target)?;
        if let Some(area) = &args.area {
            for b in &mut builds {
                b.areas.retain(|a| a.area.eq_ignore_ascii_case(area));
            }
        }
        all.push((target.clone(), builds));
    }
    if args.json {
        json_out(serde_json::json!({
            "targets": all.iter().map(|(t, b)| serde_json::json!({"target": t, "builds": b})).collect::<Vec<_>>()
        }));
        return Ok(ExitCode::Conformant);
    }
    for (target, builds) in &all {
        outln!("{}: {}", console_line(target), counted(builds.len(), "build", "builds"));
        let width = column_width(builds.iter().map(|b| b.build.as_str()));
        outln!(
            "  {:width$}  {:24}  {:14}  {:>6}  {:>6}  by area",
            "build",
            "at",
            "verdict",
            "passed",
            "failed"
        );
        for b in builds {
            outln!(
                "  {:width$}  {:24}  {:14}  {:>6}  {:>6}  {}",
                console_line(&b.build),
                console_line(&b.at),
                verdict_word(b),
                b.pass,
                b.counted,
                console_line(&crate::judge::area_verdict::line(&b.areas))
            );
        }
    }
    Ok(ExitCode::Conformant)
}

fn verdict_word(b: &BuildSummary) -> &str {
    b.verdict.map_or("unknown", |kind| kind.word())
}

fn regressions(args: &HistoryQueryArgs) -> Result<ExitCode, Error> {
    let (mut store, targets) = open(args)?;
    let mut all = Vec::new();
    for target in &targets {
        all.extend(store.regressions(target, args.area.as_deref())?);
    }
    if args.json {
        json_out(serde_json::json!({ "regressions": all }));
        return Ok(ExitCode::Conformant);
    }
    if all.is_empty() {
        outln!(
            "no regressions: no trial counts as a failure in the latest build of {}",
            targets_named(&targets)
        );
        return Ok(ExitCode::Conformant);
    }
    match all.len() {
        1 => outln!("1 trial fails in the latest build:"),
        n => outln!("{n} trials fail in the latest build:"),
    }
    for r in &all {
        outln!(
            "  {}  {}  {}: failing since build {} ({}), {}",
            console_line(&r.target),
            console_line(&r.trial),
            r.outcome.as_str(),
            console_line(&r.first_failing),
            counted(r.failing_builds, "build", "builds"),
            r.last_pass.as_deref().map_or_else(
                || "never passed".to_string(),
                |b| format!("last passed in build {}", console_line(b))
            )
        );
    }
    Ok(ExitCode::Conformant)
}

/// The width of a column of build ids as the console shows them (escaped), within 5 to 40.
fn column_width<'a>(values: impl Iterator<Item = &'a str>) -> usize {
    values
        .map(|v| console_line(v).chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 40)
}

fn targets_named(targets: &[String]) -> String {
    targets.iter().map(|t| console_line(t)).collect::<Vec<_>>().join(", ")
}

fn flaky(args: &HistoryFlakyArgs) -> Result<ExitCode, Error> {
    let (mut store, targets) = open(&args.query)?;
    let last = args.last as usize;
    let mut all = Vec::new();
    for target in &targets {
        all.extend(store.flaky(target, last, args.query.area.as_deref())?);
    }
    if args.query.json {
        json_out(serde_json::json!({ "last": last, "flaky": all }));
        return Ok(ExitCode::Conformant);
    }
    if all.is_empty() {
        outln!("no flaky trials: none flipped between pass and fail twice in the last {last} builds");
        return Ok(ExitCode::Conformant);
    }
    outln!(
        "{} at least twice in the last {last} builds:",
        if all.len() == 1 {
            "1 trial flipped".to_string()
        } else {
            format!("{} trials flipped", all.len())
        }
    );
    for f in &all {
        let marks: String = f.statuses.iter().map(|s| status_mark(*s)).collect();
        outln!(
            "  {}  {}  {} flips  {}{}",
            console_line(&f.target),
            console_line(&f.trial),
            f.flips,
            marks,
            if f.failing_now {
                "  (failing now: also a regression)"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::Conformant)
}

fn status_mark(status: Status) -> char {
    match status {
        Status::Pass => 'P',
        Status::Fail => 'F',
        Status::Neither => '.',
    }
}

/// One trial in one build, as `history trial` shows it.
#[derive(serde::Serialize)]
struct TrialInBuild {
    build: String,
    at: String,
    /// `None`: the trial was not in that build.
    outcome: Option<&'static str>,
    status: Status,
}

fn trial(args: &HistoryTrialArgs) -> Result<ExitCode, Error> {
    let (mut store, targets) = open(&args.query)?;
    let names: Vec<String> = match args.media {
        Some(MediaArg::Json) => vec![format!("{} [json]", args.id)],
        Some(MediaArg::Xml) => vec![format!("{} [xml]", args.id)],
        None => vec![format!("{} [json]", args.id), format!("{} [xml]", args.id)],
    };
    let mut lines = Vec::new();
    for target in &targets {
        let timeline = store.timeline(target, None, Some(&names))?;
        for (name, line) in &timeline.trials {
            let builds: Vec<TrialInBuild> = timeline
                .builds
                .iter()
                .zip(&line.cells)
                .map(|(b, cell)| TrialInBuild {
                    build: b.build.clone(),
                    at: b.at.clone(),
                    outcome: cell.map(|c| c.outcome.as_str()),
                    status: cell.map_or(Status::Neither, |c| c.status()),
                })
                .collect();
            lines.push((target.clone(), name.clone(), builds));
        }
    }
    if lines.is_empty() {
        return Err(Error::Usage(format!(
            "no trial `{}` in the history of {}",
            console_line(&args.id),
            targets_named(&targets)
        )));
    }
    if args.query.json {
        json_out(serde_json::json!({
            "trials": lines.iter().map(|(t, n, b)| serde_json::json!({"target": t, "trial": n, "builds": b})).collect::<Vec<_>>()
        }));
        return Ok(ExitCode::Conformant);
    }
    for (target, name, builds) in &lines {
        outln!("{}  {}", console_line(target), console_line(name));
        let width = column_width(builds.iter().map(|b| b.build.as_str()));
        for b in builds {
            outln!(
                "  {:width$}  {:24}  {}",
                console_line(&b.build),
                console_line(&b.at),
                b.outcome.unwrap_or("absent")
            );
        }
    }
    Ok(ExitCode::Conformant)
}

fn report(args: &HistoryReportArgs) -> Result<ExitCode, Error> {
    output::check_writable(&args.html)?;
    let (mut store, targets) = open(&args.query)?;
    let gathered = dashboard::gather(&mut store, &targets, args.query.area.as_deref())?;
    let page = dashboard::render(&gathered, args.query.area.as_deref());
    output::write_atomic(&args.html, &page)?;
    if !output::is_stdout(&args.html) {
        outln!(
            "dashboard of {} written to {} ({} KiB)",
            counted(gathered.len(), "target", "targets"),
            args.html.display(),
            page.len() / 1024
        );
    }
    Ok(ExitCode::Conformant)
}
