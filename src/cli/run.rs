//! `run` and `list`: load and select cases, check the outputs, pick the target (embedded
//! reference unless one is configured), drive a run session, print the verdict and write the
//! requested reports.

use super::{FormatArg, ListArgs, RunArgs, SelectArgs, signals, snapshots_dir};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;
use ucwa_conformance::case::Case;
use ucwa_conformance::client::HttpClient;
use ucwa_conformance::clock::{self, rfc3339};
use ucwa_conformance::corpus::Corpus;
use ucwa_conformance::error::Error;
use ucwa_conformance::exit::{self, ExitCode};
use ucwa_conformance::judge::standing;
use ucwa_conformance::judge::verdict::CaseResult;
use ucwa_conformance::judge::{baseline, snapshot};
use ucwa_conformance::oracle::embedded;
use ucwa_conformance::record::output;
use ucwa_conformance::report::console::{self, Format, Stopped};
use ucwa_conformance::report::results::{self, RunInfo};
use ucwa_conformance::report::{html, junit, markdown};
use ucwa_conformance::run::{self, PlannedRun, Session, SessionOptions, Stop, StopCause};
use ucwa_conformance::target::secret::Redactor;
use ucwa_conformance::target::{self, Target};

/// Loads the corpus and selects from it.
fn planned(select: &SelectArgs) -> Result<(Corpus, Vec<PlannedRun>), Error> {
    let selection = select.selection().map_err(Error::Usage)?;
    let corpus = super::corpus(select.cases.as_ref())?;
    let cases: Vec<Arc<Case>> = corpus.cases()?.into_iter().map(Arc::new).collect();
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
    Ok((corpus, plan))
}

pub fn list(args: &ListArgs) -> Result<ExitCode, Error> {
    let (corpus, plan) = planned(&args.select)?;
    println!("corpus: {} ({})\n", corpus.describe(), corpus.digest());
    let mut last = String::new();
    for entry in &plan {
        let c = &entry.case;
        if c.id == last {
            continue;
        }
        last = c.id.clone();
        let media: Vec<&str> = c.media.iter().map(|m| m.as_str()).collect();
        println!(
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
fn outputs(args: &RunArgs) -> Vec<&PathBuf> {
    let reports = [&args.json, &args.junit, &args.html, &args.markdown];
    let baseline = args.baseline.as_ref().filter(|_| args.update_baseline);
    reports.into_iter().flatten().chain(baseline).collect()
}

pub fn run(args: &RunArgs) -> Result<ExitCode, Error> {
    let (corpus, plan) = planned(&args.select)?;
    if args.list {
        for p in &plan {
            println!("{}: test", p.name());
        }
        return Ok(ExitCode::Conformant);
    }
    for path in outputs(args) {
        output::check_writable(path)?;
    }
    let baseline = args.baseline.as_deref().map(baseline::load).transpose()?.map(Arc::new);
    let digest = corpus.digest();
    let corpus = corpus.describe();
    let configured = args.target.is_some() || !args.overrides().is_empty();
    let target = if configured {
        Some(match &args.target {
            Some(file) => target::from_file(file, args.overrides())?,
            None => target::from_overrides(args.overrides())?,
        })
    } else {
        None
    };
    // The working directory holds the user's snapshots/ (never the build tree), so it is insta's
    // workspace root too: `cargo insta review --workspace-root .` from there.
    let workspace = std::env::current_dir().unwrap_or_default();
    snapshot::prepare(args.snapshots.mode(), &workspace);
    let runtime = super::runtime()?;
    let stop = Stop::new();
    signals::watch(&runtime, stop.clone());
    let (target, server) = match target {
        Some(t) => (t, None),
        None => {
            let e = runtime
                .block_on(embedded::start(embedded::run_config()))
                .map_err(|e| Error::TargetUnusable(format!("cannot start the embedded reference server: {e}")))?;
            (e.target, Some(e.server))
        }
    };
    let setup = RunSetup {
        baseline,
        digest,
        corpus,
        stop,
    };
    let outcome = run_against(&runtime, target, plan, args, setup);
    if let Some(server) = server {
        server.stop();
    }
    outcome
}

/// What `run_against` needs besides the target and the plan.
struct RunSetup {
    baseline: Option<Arc<baseline::Baseline>>,
    digest: String,
    corpus: String,
    stop: Stop,
}

fn run_against(
    runtime: &tokio::runtime::Runtime,
    target: Target,
    plan: Vec<PlannedRun>,
    args: &RunArgs,
    setup: RunSetup,
) -> Result<ExitCode, Error> {
    let RunSetup {
        baseline,
        digest,
        corpus,
        stop,
    } = setup;
    let format = match args.format {
        FormatArg::Pretty if args.quiet => Format::Terse,
        FormatArg::Pretty => Format::Pretty,
        FormatArg::Terse => Format::Terse,
        FormatArg::Json => Format::Json,
    };
    let name = format!("{} ({})", target.name, target.base_url);
    let started = SystemTime::now();
    let root = snapshots_dir(args.snapshot_dir.as_ref());
    let root = std::path::absolute(&root).unwrap_or(root);
    let store = (args.snapshots.mode() != snapshot::Mode::Off)
        .then(|| Arc::new(snapshot::Store::new(root, &target.name, args.snapshots.mode())));
    let options = SessionOptions {
        retries: args.retries,
        baseline: baseline.clone(),
        snapshots: store,
        jobs: args.jobs.max(1),
        keep_applications: args.keep_applications,
        dead_after: args.dead_after,
    };
    if target.tls.insecure() {
        eprintln!("{}", ucwa_conformance::target::tls::INSECURE_WARNING);
    }
    let client = HttpClient::configured(target.limits, &target.tls)
        .map_err(|e| Error::TargetUnusable(format!("building the HTTP client: {e}")))?;
    let opened = runtime.block_on(Session::open(target.clone(), client, options, stop.clone()));
    // The final screen every output passes just before it is written (the session's redactor
    // knows the token issued during sign-in too).
    let mut screen = Redactor::new(target.secrets());
    let (results, cause) = match opened {
        Ok(session) => {
            let session = Arc::new(session);
            screen = session.redactor().clone();
            let watch = Watch {
                format,
                strict: args.strict,
                fail_fast: args.fail_fast.then_some(&stop),
                screen: &screen,
            };
            let results = runtime.block_on(run_trials(&session, plan, watch));
            runtime.block_on(session.close());
            (results, stop.requested())
        }
        Err(Error::Interrupted(signal)) => {
            let cause = StopCause::Signal(signal);
            (
                run::not_run(&plan, &format!("not started: {cause} during sign-in")),
                Some(cause),
            )
        }
        Err(e) => return Err(e),
    };
    let stopped = cause.as_ref().map(|cause| Stopped {
        code: ExitCode::of_stop(cause),
        cause: cause.to_string(),
    });
    let summary_text = console::summary(&results, args.strict, &name, stopped.as_ref());
    let today = clock::today();
    let mut notes = String::new();
    if target.tls.insecure() {
        notes.push_str(results::INSECURE_NOTE);
        notes.push('\n');
    }
    if let Some(b) = &baseline {
        for expired in b.expired(today) {
            notes.push_str(&format!(
                "baseline entry expired: {} ({})\n",
                expired.case, expired.reason
            ));
        }
    }
    let info = RunInfo {
        case_set_digest: digest,
        corpus,
        started_at: rfc3339(started),
        duration: started.elapsed().unwrap_or_default(),
        strict: args.strict,
        interrupted: matches!(cause, Some(StopCause::Signal(_))),
        stopped: stopped.as_ref().map(|s| s.cause.clone()),
        applications_kept: args.keep_applications,
    };
    let file = results::build(info, &target, &results);
    let code = stopped
        .as_ref()
        .map_or_else(|| exit::for_results(&results, args.strict), |s| s.code);
    let written = write_outputs(args, &file, &screen);
    if args.update_baseline
        && stopped.is_none()
        && let (Some(path), Some(b)) = (&args.baseline, &baseline)
    {
        let updated = b.updated(&results, today, args.strict);
        // The user's file is edited in place: comments and order stay.
        let original = std::fs::read_to_string(path).ok();
        output::write_atomic(path, &updated.to_toml(original.as_deref()))?;
        notes.push_str(&format!(
            "baseline {} rewritten: {} known failures\n",
            path.display(),
            updated.entries.len()
        ));
    }
    // Human text: standard output, except with `--format json`, whose standard output is JSON only.
    let text = screen.redact(&format!("{summary_text}{notes}"));
    if format == Format::Json {
        eprint!("{text}");
        let event = console::finished_event(&file.summary, code, file.duration_ms, stopped.is_some());
        print!("{}", screen.redact_values(&event));
    } else {
        print!("{text}");
    }
    let _ = std::io::stdout().flush();
    written?;
    Ok(code)
}

/// How the trial lines are shown, and whether the first counted failure stops the run.
struct Watch<'a> {
    format: Format,
    strict: bool,
    fail_fast: Option<&'a Stop>,
    /// The final screen of each line.
    screen: &'a Redactor,
}

/// Runs the trials, printing each one's line as it finishes (and a progress bar when standard
/// output is redirected and standard error is a terminal).
async fn run_trials(session: &Arc<Session>, plan: Vec<PlannedRun>, watch: Watch<'_>) -> Vec<CaseResult> {
    let Watch {
        format,
        strict,
        fail_fast,
        screen,
    } = watch;
    let progress = progress_bar(plan.len(), format);
    print!("{}", console::started(format, plan.len()));
    let results = session
        .run(plan, |result| {
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            let line = console::trial(format, result, strict);
            let line = match format {
                // JSON events stay JSON: only values are replaced.
                Format::Json => screen.redact_values(&line),
                Format::Pretty | Format::Terse => screen.redact(&line),
            };
            print!("{line}");
            if let Some(stop) = fail_fast
                && standing::of(result, strict).counts
            {
                stop.request(StopCause::FailFast);
            }
            let _ = std::io::stdout().flush();
        })
        .await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if format == Format::Terse {
        println!();
    }
    results
}

/// Writes every requested report, each through the final screen; the first failure is returned
/// after trying them all.
fn write_outputs(args: &RunArgs, file: &results::Results, screen: &Redactor) -> Result<(), Error> {
    let outputs = [
        (&args.json, results::to_json(file)),
        (&args.junit, junit::render(file)),
        (&args.html, html::render(std::slice::from_ref(file))),
        (&args.markdown, markdown::render(std::slice::from_ref(file))),
    ];
    let mut first = Ok(());
    for (path, text) in outputs {
        if let Some(path) = path
            && let Err(e) = output::write_atomic(path, &screen.redact_values(&text))
            && first.is_ok()
        {
            first = Err(e);
        }
    }
    first
}

/// A progress bar on standard error for long runs, shown only when standard error is a terminal
/// and standard output is not (on a terminal, the trial lines are the progress).
fn progress_bar(total: usize, format: Format) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if format == Format::Json || !std::io::stderr().is_terminal() || std::io::stdout().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} trials {elapsed}") {
        bar.set_style(style);
    }
    Some(bar)
}
