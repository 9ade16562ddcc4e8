//! `explore`: requests generated across startMessaging's input space, judged against the
//! reference's model of the page, each deviation shrunk to a minimal case file. The target,
//! the outputs and the exit codes are `run`'s.

use super::watch::{Console, Watch};
use super::{ExploreArgs, FormatArg, MediaArg, signals};
use crate::case::Media;
use crate::client::HttpClient;
use crate::clock::rfc3339;
use crate::error::Error;
use crate::exit::ExitCode;
use crate::explore::{Exploration, ExploreOptions, Explored, Explorer};
use crate::oracle::model::ReferenceOracle;
use crate::record::output;
use crate::report::console::{self, Format};
use crate::report::outputs::{self, Requested};
use crate::report::results::{self, RunInfo, SelectionInfo};
use crate::run::{RunOptions, Runner, Stop};
use crate::under_test::Target;
use crate::under_test::secret::Redactor;
use std::sync::Arc;
use std::time::SystemTime;

/// What `explore`'s flags ask of the explorer.
fn explore_options(args: &ExploreArgs, seed: u64, media: Vec<Media>) -> ExploreOptions {
    ExploreOptions {
        seed,
        budget: args.budget,
        time_limit: args.time_limit,
        media,
        rate: args.rate,
        jobs: args.jobs,
        ..ExploreOptions::default()
    }
}

/// Writes each finding as a case file under `--found DIR`; the lines saying where, and the
/// requests the explorer did not send because its model disagreed with itself.
fn write_found(args: &ExploreArgs, summary: &Exploration, screen: &Redactor) -> Result<String, Error> {
    let mut notes = String::new();
    if let Some(dir) = &args.found {
        for finding in &summary.findings {
            let path = dir.join(format!("{}.toml", finding.id));
            output::write_atomic(&path, &screen.redact(&finding.case))?;
            notes.push_str(&format!("found: {}\n", path.display()));
        }
    }
    for disagreement in &summary.disagreements {
        notes.push_str(&format!(
            "not sent (an explorer bug, not the target's fault): {disagreement}\n"
        ));
    }
    Ok(notes)
}

/// How long an exploration's event waits may take at most (a sequence waits for a decline).
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn requested(args: &ExploreArgs) -> Requested {
    Requested {
        json: args.json.clone(),
        junit: args.junit.clone(),
        html: args.html.clone(),
        markdown: args.markdown.clone(),
    }
}

fn format(args: &ExploreArgs) -> Format {
    super::run::format_of(args.format, args.quiet)
}

/// Every output checked before the first request, as `run` checks its own.
fn check_outputs(args: &ExploreArgs) -> Result<(), Error> {
    let requested = requested(args);
    let to_stdout = requested.paths().filter(|p| output::is_stdout(p)).count();
    if to_stdout > 1 || (to_stdout == 1 && matches!(args.format, FormatArg::Json)) {
        return Err(Error::Usage(
            "only one output can go to standard output (`-`), and not beside --format json".into(),
        ));
    }
    for path in requested.paths() {
        output::check_writable(path)?;
    }
    if let Some(dir) = &args.found {
        std::fs::create_dir_all(dir).map_err(|e| Error::Usage(format!("--found {}: {e}", dir.display())))?;
    }
    Ok(())
}

/// The seed: given, or drawn from the clock.
fn seed(args: &ExploreArgs) -> u64 {
    args.seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 % 1_000_000)
            .unwrap_or(1)
    })
}

pub fn explore(args: &ExploreArgs) -> Result<ExitCode, Error> {
    check_outputs(args)?;
    let target = super::run::configured_target(&args.target)?;
    let runtime = super::runtime()?;
    let stop = Stop::new();
    signals::watch(&runtime, stop.clone());
    let (target, server) = super::run::target_or_embedded(&runtime, target)?;
    let embedded = server.is_some();
    let outcome = explore_against(&runtime, target, args, stop, embedded);
    if let Some(server) = server {
        server.stop();
    }
    outcome
}

fn explore_against(
    runtime: &tokio::runtime::Runtime,
    target: Target,
    args: &ExploreArgs,
    stop: Stop,
    embedded: bool,
) -> Result<ExitCode, Error> {
    let started = SystemTime::now();
    let seed = seed(args);
    let media = match args.media {
        Some(MediaArg::Json) => vec![Media::Json],
        Some(MediaArg::Xml) => vec![Media::Xml],
        None => Media::ALL.to_vec(),
    };
    let console = Console {
        stderr: requested(args).paths().any(|p| output::is_stdout(p)) || matches!(args.format, FormatArg::Json),
    };
    console.say(&format!(
        "exploring {} ({}) with seed {seed}, budget {} requests (repeat with --seed {seed})\n",
        target.name, target.base_url, args.budget
    ));
    let client = HttpClient::configured(target.limits, &target.tls)
        .map_err(|e| Error::TargetUnusable(format!("building the HTTP client: {e}")))?;
    let options = RunOptions {
        jobs: args.jobs,
        strict: args.strict,
        max_wait: Some(MAX_WAIT),
        dead_after: args.dead_after,
        ..RunOptions::default()
    };
    let oracle = ReferenceOracle::for_target(&target);
    let explore_options = explore_options(args, seed, media.clone());
    let watch = Watch::new(format(args), args.strict, Redactor::new(target.secrets()), console);
    let (explored, stop_cause, screen) = runtime.block_on(async {
        let runner = match Runner::open(target.clone(), client, options, stop).await {
            Ok(runner) => Arc::new(runner),
            Err(e) => return Err(e),
        };
        let explored = Explorer::new(&runner, &oracle, explore_options).explore(watch).await;
        runner.close().await;
        Ok((explored, runner.stop().requested(), runner.redactor().clone()))
    })?;
    let Explored { results, summary } = explored;
    let info = RunInfo {
        case_set_digest: format!("explore:seed={seed}"),
        corpus: format!("explore (seed {seed})"),
        started_at: rfc3339(started),
        duration: started.elapsed().unwrap_or_default(),
        strict: args.strict,
        stop: stop_cause,
        selection: SelectionInfo {
            media,
            ..SelectionInfo::default()
        },
        embedded,
        applications_kept: false,
        area_order: Vec::new(),
    };
    let mut file = results::build(info, &target, &results);
    file.explore = Some(summary.clone());
    let written = outputs::write_all(&requested(args), &file, &screen);
    let notes = write_found(args, &summary, &screen)?;
    let name = format!("{} ({})", target.name, target.base_url);
    let mut text = console::summary(&results, args.strict, &name, &file.verdict, &file.areas);
    text.push_str(&console::exploration(&summary));
    text.push_str(&notes);
    let text = screen.redact(&text);
    match format(args) {
        Format::Json => {
            anstream::eprint!("{text}");
            let event = console::finished_event(&file.summary, &file.verdict, file.duration_ms, 0);
            out!("{}", screen.redact_values(&event));
        }
        Format::Pretty | Format::Terse => console.say(&text),
    }
    written?;
    Ok(file.verdict.exit_code())
}
