//! `run` and `list`: load and select cases, check the outputs, pick the target (embedded
//! reference unless one is configured), drive the runner, print the verdict and write the
//! requested reports.

use super::progress;
use super::watch::{Console, Watch};
use super::{FormatArg, ListArgs, ListFormat, RunArgs, SelectArgs, TargetArgs, signals, snapshots_dir};
use crate::case::Case;
use crate::client::HttpClient;
use crate::clock::{self, rfc3339};
use crate::corpus::Corpus;
use crate::error::Error;
use crate::evidence::signature::SigningKey;
use crate::exit::ExitCode;
use crate::judge::{baseline, snapshot};
use crate::oracle::embedded;
use crate::record::output;
use crate::report::console::{self, Format};
use crate::report::outputs::{self, Requested};
use crate::report::results::{self, RunInfo};
use crate::run::{self, Finished, PlannedRun, RunOptions, Selection, Stop};
use crate::under_test::secret::Redactor;
use crate::under_test::{self, Target};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

/// The corpus, its cases, the trials selected, and how many of its trials were filtered out.
struct Planned {
    corpus: Corpus,
    selection: Selection,
    cases: Vec<Arc<Case>>,
    plan: Vec<PlannedRun>,
    filtered_out: usize,
}

/// Loads the corpus and selects from it.
fn planned(select: &SelectArgs) -> Result<Planned, Error> {
    let selection = select.selection().map_err(|e| Error::Usage(e.to_string()))?;
    let corpus = super::corpus(select.cases.as_ref())?;
    let cases: Vec<Arc<Case>> = corpus.cases()?.into_iter().map(Arc::new).collect();
    // A filter that matches nothing is a typo that would silently shrink what runs (exit 4).
    if let Some(first) = run::unmatched(&cases, &selection).into_iter().next() {
        return Err(Error::FilterMatchesNothing {
            hint: crate::diag::did_you_mean(&first.nearest),
            what: first.what,
            loaded: cases.len(),
        });
    }
    let plan = run::plan(&cases, &selection);
    if plan.is_empty() {
        let nearest: Vec<&str> = selection
            .filters
            .iter()
            .flat_map(|f| run::nearest_ids(&cases, f, 3))
            .collect();
        let hint = if nearest.is_empty() {
            String::new()
        } else {
            format!("; nearest case ids: {}", nearest.join(", "))
        };
        return Err(Error::NothingSelected {
            loaded: cases.len(),
            hint,
        });
    }
    let all: usize = cases.iter().map(|c| c.media.len()).sum();
    let filtered_out = all.saturating_sub(plan.len());
    Ok(Planned {
        corpus,
        selection,
        cases,
        plan,
        filtered_out,
    })
}

pub fn list(args: &ListArgs) -> Result<ExitCode, Error> {
    let Planned { corpus, plan, .. } = planned(&args.select)?;
    if args.format == ListFormat::Json {
        for entry in &plan {
            let c = &entry.case;
            outln!(
                "{}",
                serde_json::json!({
                    "type": "test", "name": entry.name(), "id": c.id, "media": entry.media,
                    "severity": c.severity, "spec": c.spec, "tags": c.tags, "title": c.title,
                })
            );
        }
        return Ok(ExitCode::Conformant);
    }
    outln!("corpus: {} ({})\n", corpus.describe(), corpus.digest());
    let mut last = String::new();
    for entry in &plan {
        let c = &entry.case;
        if c.id == last {
            continue;
        }
        last = c.id.clone();
        let media: Vec<&str> = c.media.iter().map(|m| m.as_str()).collect();
        outln!(
            "{}  [{}]  {}  {}\n    {}",
            c.id,
            media.join(","),
            c.severity.as_str(),
            c.spec.join(" "),
            c.title
        );
    }
    Ok(ExitCode::Conformant)
}

/// Every file the run will write, checked before the first request.
fn outputs(args: &RunArgs) -> Vec<PathBuf> {
    let baseline = args.baseline.as_ref().filter(|_| args.update_baseline);
    requested(args).paths().chain(baseline).cloned().collect()
}

/// Checks the outputs before the first request: at most one on standard output (and not beside
/// `--format json`), each writable, and `--sign` beside a results file.
fn check_outputs(args: &RunArgs) -> Result<(), Error> {
    let to_stdout = requested(args).paths().filter(|p| output::is_stdout(p)).count();
    if to_stdout > 1 {
        return Err(Error::Usage("only one output can go to standard output (`-`)".into()));
    }
    if to_stdout == 1 && matches!(args.format, FormatArg::Json) {
        return Err(Error::Usage(
            "--format json writes its events to standard output: give the report a file, not `-`".into(),
        ));
    }
    for path in outputs(args) {
        output::check_writable(&path)?;
    }
    if args.sign.is_some() && args.json.as_deref().is_some_and(output::is_stdout) {
        return Err(Error::Usage(
            "--sign writes its signature beside the results file: give --json a file, not `-`".into(),
        ));
    }
    Ok(())
}

/// The baseline of `--baseline`, read and checked against the corpus: a file that does not
/// exist is refused unless `--update-baseline` creates it, and an entry that names no case is
/// refused with the nearest ids.
fn baseline_of(args: &RunArgs, cases: &[Arc<Case>]) -> Result<Option<Arc<baseline::Baseline>>, Error> {
    let Some(path) = args.baseline.as_deref() else {
        return Ok(None);
    };
    if !path.exists() {
        if args.update_baseline {
            return Ok(Some(Arc::new(baseline::load(path)?)));
        }
        return Err(Error::Usage(format!(
            "the baseline {} does not exist (give --update-baseline to create it from this run)",
            path.display()
        )));
    }
    let b = baseline::load(path)?;
    let known: Vec<(&str, &[crate::case::Media])> = cases.iter().map(|c| (c.id.as_str(), c.media.as_slice())).collect();
    if let Some((entry, nearest)) = b.unknown(&known).into_iter().next() {
        let hint = crate::diag::did_you_mean(&nearest);
        return Err(Error::Usage(format!(
            "the baseline {} lists {entry}, which names no case of the corpus (or not in that media type){hint}",
            path.display()
        )));
    }
    Ok(Some(Arc::new(b)))
}

/// The target the arguments configure (a profile, or `--base-url` and its companions); `None`
/// for the embedded reference.
pub fn configured_target(args: &TargetArgs) -> Result<Option<Target>, Error> {
    if args.target.is_none() && args.overrides().is_empty() {
        return Ok(None);
    }
    Ok(Some(match &args.target {
        Some(file) => under_test::from_file(file, args.overrides())?,
        None => under_test::from_overrides(args.overrides())?,
    }))
}

/// The configured target, or the embedded reference started for it (with its server, to stop
/// when done).
pub fn target_or_embedded(
    runtime: &tokio::runtime::Runtime,
    target: Option<Target>,
) -> Result<(Target, Option<crate::reference::Running>), Error> {
    match target {
        Some(t) => Ok((t, None)),
        None => {
            let e = runtime
                .block_on(embedded::start(embedded::run_config()))
                .map_err(|e| Error::TargetUnusable(format!("cannot start the embedded reference server: {e}")))?;
            Ok((e.target, Some(e.server)))
        }
    }
}

pub fn run(args: &RunArgs) -> Result<ExitCode, Error> {
    let Planned {
        corpus,
        selection,
        cases: corpus_cases,
        plan,
        filtered_out,
    } = planned(&args.select)?;
    if args.list {
        for p in &plan {
            outln!("{}: test", p.name());
        }
        return Ok(ExitCode::Conformant);
    }
    check_outputs(args)?;
    let signing_key = super::evidence::signing_key(args.sign.as_deref())?;
    let baseline = baseline_of(args, &corpus_cases)?;
    let digest = corpus.digest();
    // Cases loaded, so the inventory reads (or the corpus has none: no areas).
    let area_order: Vec<String> = corpus
        .inventory()
        .map(|i| i.areas.into_iter().map(|a| a.id).collect())
        .unwrap_or_default();
    let corpus = corpus.describe();
    let target = configured_target(&args.target)?;
    let runtime = super::runtime()?;
    let stop = Stop::new();
    signals::watch(&runtime, stop.clone());
    let (target, server) = target_or_embedded(&runtime, target)?;
    let setup = RunSetup {
        signing_key,
        baseline,
        digest,
        corpus,
        stop,
        selection: results::SelectionInfo::of(&selection),
        embedded: server.is_some(),
        filtered_out,
        area_order,
    };
    let outcome = run_against(&runtime, target, plan, args, setup);
    if let Some(server) = server {
        server.stop();
    }
    outcome
}

/// What `run_against` needs besides the target and the plan.
struct RunSetup {
    /// The key of `--sign`, read before the run.
    signing_key: Option<SigningKey>,
    baseline: Option<Arc<baseline::Baseline>>,
    digest: String,
    corpus: String,
    stop: Stop,
    selection: results::SelectionInfo,
    embedded: bool,
    /// Trials of the corpus the selection left out (libtest's `filtered_out`).
    filtered_out: usize,
    /// The inventory's areas, in its order.
    area_order: Vec<String>,
}

fn run_against(
    runtime: &tokio::runtime::Runtime,
    target: Target,
    plan: Vec<PlannedRun>,
    args: &RunArgs,
    setup: RunSetup,
) -> Result<ExitCode, Error> {
    let format = console_format(args);
    let started = SystemTime::now();
    if target.tls.insecure() {
        eprintln!("{}", crate::under_test::tls::INSECURE_WARNING);
    }
    let console = Console {
        stderr: requested(args).paths().any(|p| output::is_stdout(p)),
    };
    let ran = run_session(runtime, &target, plan, args, &setup, console)?;
    let info = RunInfo {
        case_set_digest: setup.digest,
        corpus: setup.corpus,
        started_at: rfc3339(started),
        duration: started.elapsed().unwrap_or_default(),
        strict: args.strict,
        stop: ran.stop,
        selection: setup.selection,
        embedded: setup.embedded,
        applications_kept: args.keep_applications,
        area_order: setup.area_order.clone(),
    };
    let file = results::build(info, &target, &ran.results);
    let written = outputs::write_all(&requested(args), &file, &ran.screen);
    let mut notes = notes(&target, setup.baseline.as_deref());
    if let Some(note) = progress::waited_note(ran.waited, std::time::Duration::from_millis(file.duration_ms)) {
        notes.push_str(&note);
    }
    let signed = match (&setup.signing_key, &args.json) {
        (Some(key), Some(json)) if written.is_ok() => Some(super::evidence::sign(key, json)),
        _ => None,
    };
    if let Some(Ok(path)) = &signed {
        notes.push_str(&format!("signed: {}\n", path.display()));
    }
    if let Some(note) = update_baseline(args, setup.baseline.as_deref(), &file)? {
        notes.push_str(&note);
    }
    // Recorded once the outputs are written; its line joins the notes, so it goes where the
    // console goes (standard error with `--format json` or a report on standard output).
    let recorded = match &args.history {
        Some(db) if written.is_ok() => Some(super::history::record_run(db, args.build.as_deref(), &file)),
        Some(_) | None => None,
    };
    if let Some(Ok(line)) = &recorded {
        notes.push_str(&format!("{line}\n"));
    }
    let name = format!("{} ({})", target.name, target.base_url);
    let summary = console::summary(&ran.results, args.strict, &name, &file.verdict, &file.areas);
    let verdict = Verdict {
        format,
        file: &file,
        text: format!("{summary}{notes}"),
        filtered_out: setup.filtered_out,
    };
    print_verdict(&verdict, &ran.screen, console);
    written?;
    signed.transpose()?;
    recorded.transpose()?;
    Ok(file.verdict.exit_code())
}

/// The console format asked for.
fn console_format(args: &RunArgs) -> Format {
    format_of(args.format, args.quiet)
}

/// The console format of `--format` and `-q` (`run` and `explore`).
pub fn format_of(format: FormatArg, quiet: bool) -> Format {
    match format {
        FormatArg::Pretty if quiet => Format::Terse,
        FormatArg::Pretty => Format::Pretty,
        FormatArg::Terse => Format::Terse,
        FormatArg::Json => Format::Json,
    }
}

/// The report files `run` was asked for.
fn requested(args: &RunArgs) -> Requested {
    Requested {
        json: args.json.clone(),
        junit: args.junit.clone(),
        html: args.html.clone(),
        markdown: args.markdown.clone(),
    }
}

/// Signs in, runs the trials (printing each line as it ends), and cleans up. A signal during
/// sign-in gives trials that did not run; any other sign-in failure is the error.
fn run_session(
    runtime: &tokio::runtime::Runtime,
    target: &Target,
    plan: Vec<PlannedRun>,
    args: &RunArgs,
    setup: &RunSetup,
    console: Console,
) -> Result<Finished, Error> {
    let client = HttpClient::configured(target.limits, &target.tls)
        .map_err(|e| Error::TargetUnusable(format!("building the HTTP client: {e}")))?;
    let options = run_options(args, target, setup);
    // Until sign-in ends the configured secrets are all there is to screen; then the run's.
    let watch = Watch::new(
        console_format(args),
        args.strict,
        Redactor::new(target.secrets()),
        console,
    );
    runtime.block_on(run::run_plan(
        target.clone(),
        client,
        plan,
        options,
        setup.stop.clone(),
        watch,
    ))
}

/// The runner's options from the arguments: jobs, retries, failures allowed, snapshots,
/// baseline, cleanup.
fn run_options(args: &RunArgs, target: &Target, setup: &RunSetup) -> RunOptions {
    let root = snapshots_dir(args.snapshot_dir.as_ref());
    let root = std::path::absolute(&root).unwrap_or(root);
    let store = (args.snapshots.mode() != snapshot::Mode::Off).then(|| {
        let store = snapshot::Store::new(root, &target.name, args.snapshots.mode());
        // Against the embedded reference, its own snapshots (compiled in) stand where the
        // working directory has none: a first run in an empty directory writes nothing new.
        Arc::new(if setup.embedded {
            store.with_built_in(&embedded::SNAPSHOTS)
        } else {
            store
        })
    });
    let baseline = setup.baseline.clone();
    RunOptions {
        jobs: args.jobs.max(1),
        retries: args.retries,
        max_fail: args.max_fail.or(args.fail_fast.then_some(1)),
        strict: args.strict,
        max_wait: None,
        dead_after: args.dead_after,
        snapshots: store,
        baseline,
        keep_applications: args.keep_applications,
    }
}

/// Notes printed after the verdict: an unverified TLS target, expired baseline entries.
fn notes(target: &Target, baseline: Option<&baseline::Baseline>) -> String {
    let mut notes = String::new();
    if target.tls.insecure() {
        notes.push_str(results::INSECURE_NOTE);
        notes.push('\n');
    }
    for expired in baseline.map(|b| b.expired(clock::today())).unwrap_or_default() {
        notes.push_str(&format!(
            "baseline entry expired: {} ({}); it no longer excuses the failure: fix it, give the entry a new \
             `expires` date, or --update-baseline (which renews it without a date, or drops it if it passes)\n",
            expired.case, expired.reason
        ));
    }
    notes
}

/// With `--update-baseline`, rewrites the baseline from a run that was not stopped (the user's
/// file is edited in place: comments and order stay); returns the note that says so.
fn update_baseline(
    args: &RunArgs,
    baseline: Option<&baseline::Baseline>,
    file: &results::Results,
) -> Result<Option<String>, Error> {
    let (Some(path), Some(b)) = (&args.baseline, baseline) else {
        return Ok(None);
    };
    if !args.update_baseline || file.verdict.stop_cause().is_some() {
        return Ok(None);
    }
    let (updated, changes) = b.updated(&file.cases, clock::today(), args.strict);
    let original = std::fs::read_to_string(path).ok();
    output::write_atomic(path, &updated.to_toml(original.as_deref()))?;
    let mut note = format!(
        "baseline {} rewritten: {} known failures\n",
        path.display(),
        updated.entries.len()
    );
    for change in changes {
        note.push_str(&format!("    {change}\n"));
    }
    Ok(Some(note))
}

/// Prints the summary and the verdict, through the final screen: on standard output, except
/// with `--format json`, whose standard output is JSON events only (the text goes to standard
/// error, the closing event to standard output).
fn print_verdict(verdict: &Verdict<'_>, screen: &Redactor, console: Console) {
    let text = screen.redact(&verdict.text);
    match verdict.format {
        Format::Json => {
            anstream::eprint!("{text}");
            let file = verdict.file;
            let event = console::finished_event(&file.summary, &file.verdict, file.duration_ms, verdict.filtered_out);
            out!("{}", screen.redact_values(&event));
        }
        Format::Pretty | Format::Terse => console.say(&text),
    }
}

/// What the end of a run prints.
struct Verdict<'a> {
    format: Format,
    file: &'a results::Results,
    /// The summary and notes.
    text: String,
    filtered_out: usize,
}
