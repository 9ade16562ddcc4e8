//! `run` and `list`: load and select cases, pick the target (embedded reference unless one is
//! configured), run the trials, print the verdict and write the requested reports.

use super::{FormatArg, ListArgs, RunArgs, SelectArgs, cases_dir, snapshots_dir};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use ucwa_conformance::case::{self, Case};
use ucwa_conformance::clock::{Date, rfc3339};
use ucwa_conformance::embedded;
use ucwa_conformance::exit::{self, ExitCode};
use ucwa_conformance::report::results::{self, RunInfo};
use ucwa_conformance::report::{console, html, junit, markdown};
use ucwa_conformance::run::{self, OnFinish, PlannedRun, TrialOptions};
use ucwa_conformance::secret::Redactor;
use ucwa_conformance::target::{self, Target};
use ucwa_conformance::verdict::CaseResult;
use ucwa_conformance::{baseline, snapshot};

/// Loads and selects; prints the error and returns the exit code on failure.
fn planned(select: &SelectArgs) -> Result<Vec<PlannedRun>, ExitCode> {
    let selection = select.selection().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::Usage
    })?;
    let cases: Vec<Arc<Case>> = super::load_cases(select.cases.as_ref())?
        .into_iter()
        .map(Arc::new)
        .collect();
    let plan = run::plan(&cases, &selection);
    if plan.is_empty() {
        eprintln!("error: no case matches the filters ({} cases loaded)", cases.len());
        return Err(ExitCode::NothingSelected);
    }
    Ok(plan)
}

pub fn list(args: &ListArgs) -> ExitCode {
    let plan = match planned(&args.select) {
        Ok(p) => p,
        Err(code) => return code,
    };
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
    ExitCode::Conformant
}

pub fn run(args: &RunArgs) -> ExitCode {
    let plan = match planned(&args.select) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut libtest = libtest_mimic::Arguments {
        test_threads: Some(args.jobs.max(1)),
        quiet: args.quiet,
        format: Some(match args.format {
            FormatArg::Pretty => libtest_mimic::FormatSetting::Pretty,
            FormatArg::Terse => libtest_mimic::FormatSetting::Terse,
            FormatArg::Json => libtest_mimic::FormatSetting::Json,
        }),
        ..libtest_mimic::Arguments::default()
    };
    if args.list {
        libtest.list = true;
        let names = plan
            .iter()
            .map(|p| libtest_mimic::Trial::test(p.name(), || Ok(())))
            .collect();
        // Listing only: the conclusion carries no verdict.
        let _ = libtest_mimic::run(&libtest, names);
        return ExitCode::Conformant;
    }
    let workspace = std::path::absolute(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap_or_default();
    snapshot::prepare(args.snapshots.mode(), &workspace);
    let runtime = match super::runtime(ExitCode::TargetUnusable) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let configured = args.target.is_some() || !args.overrides().is_empty();
    let (target, server) = if configured {
        let built = match &args.target {
            Some(file) => target::from_file(file, args.overrides()),
            None => target::from_overrides(args.overrides()),
        };
        match built {
            Ok(t) => (t, None),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::Usage;
            }
        }
    } else {
        match runtime.block_on(embedded::start(embedded::run_config())) {
            Ok(e) => (e.target, Some(e.server)),
            Err(e) => {
                eprintln!("error: cannot start the embedded reference server: {e}");
                return ExitCode::TargetUnusable;
            }
        }
    };
    let code = run_against(&runtime, target, plan, args, &libtest);
    if let Some(server) = server {
        server.stop();
    }
    code
}

fn run_against(
    runtime: &tokio::runtime::Runtime,
    target: Target,
    plan: Vec<PlannedRun>,
    args: &RunArgs,
    libtest: &libtest_mimic::Arguments,
) -> ExitCode {
    let baseline = match &args.baseline {
        Some(path) => match baseline::load(path) {
            Ok(b) => Some(Arc::new(b)),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::Usage;
            }
        },
        None => None,
    };
    let digest = match case::digest_dir(&cases_dir(args.select.cases.as_ref())) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::Usage;
        }
    };
    let name = format!("{} ({})", target.name, target.base_url);
    let started = SystemTime::now();
    let redactor = Redactor::new(target.secrets());
    let ctx = match runtime.block_on(run::prepare(target)) {
        Ok(mut c) => {
            c.record_snapshots = args.snapshots.mode() != snapshot::Mode::Off;
            Arc::new(c)
        }
        Err(e) => {
            eprintln!("error: the target cannot be used: {}", redactor.redact(&e.to_string()));
            return ExitCode::TargetUnusable;
        }
    };
    let collected = Arc::new(Mutex::new(Vec::new()));
    let root = snapshots_dir(args.snapshot_dir.as_ref());
    let root = std::path::absolute(&root).unwrap_or(root);
    let store = Arc::new(snapshot::Store::new(root, &ctx.target.name, args.snapshots.mode()));
    let progress = progress_bar(plan.len());
    let on_finish = progress
        .clone()
        .map(|bar| OnFinish(Arc::new(move |_: &CaseResult| bar.inc(1))));
    let options = TrialOptions {
        strict: args.strict,
        baseline: baseline.clone(),
        snapshots: Some(store),
        on_finish,
        retries: args.retries,
    };
    let trials = run::trials(
        plan,
        Arc::clone(&ctx),
        runtime.handle().clone(),
        options,
        Arc::clone(&collected),
    );
    // The verdict comes from the recorded results (should-level and skips differ from libtest).
    let _ = libtest_mimic::run(libtest, trials);
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    runtime.block_on(run::finish(&ctx));
    let results = collected.lock().map(|r| r.clone()).unwrap_or_default();
    print!(
        "{}",
        ctx.redactor.redact(&console::summary(&results, args.strict, &name))
    );
    let today = Date::today();
    if let Some(b) = &baseline {
        for expired in b.expired(today) {
            println!("baseline entry expired: {} ({})", expired.case, expired.reason);
        }
    }
    let info = RunInfo {
        case_set_digest: digest,
        started_at: rfc3339(started),
        duration: started.elapsed().unwrap_or_default(),
        strict: args.strict,
    };
    let file = results::build(info, &ctx.target, &results);
    let outputs = [
        (&args.json, results::to_json(&file)),
        (&args.junit, junit::render(&file)),
        (&args.html, html::render(std::slice::from_ref(&file))),
        (&args.markdown, markdown::render(std::slice::from_ref(&file))),
    ];
    for (path, text) in outputs {
        if let Some(path) = path
            && let Err(e) = std::fs::write(path, ctx.redactor.redact_values(&text))
        {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::Usage;
        }
    }
    if args.update_baseline
        && let (Some(path), Some(b)) = (&args.baseline, &baseline)
    {
        let updated = b.updated(&results, today);
        if let Err(e) = std::fs::write(path, updated.to_toml()) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::Usage;
        }
        println!(
            "baseline {} rewritten: {} known failures",
            path.display(),
            updated.entries.len()
        );
    }
    exit::for_results(&results, args.strict)
}

/// A progress bar on standard error for long runs, shown only when standard error is a terminal
/// and standard output is not (on a terminal, libtest's own lines are the progress).
fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || std::io::stdout().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} trials {elapsed}") {
        bar.set_style(style);
    }
    Some(bar)
}
