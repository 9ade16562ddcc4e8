//! The composition root: parses the command line, then runs, lists or serves. The one place in
//! the binary that names both the harness and the reference server.

mod cli;

use clap::Parser;
use cli::{Cli, Command, CoverageArgs, FormatArg, ListArgs, RunArgs, SelectArgs, ServeArgs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use ucwa_conformance::case::{self, Case};
use ucwa_conformance::embedded;
use ucwa_conformance::exit::{self, ExitCode};
use ucwa_conformance::reference::{Config, PeerBehaviour};
use ucwa_conformance::report::{self, console};
use ucwa_conformance::run::{self, PlannedRun};
use ucwa_conformance::target::{self, Target};
use ucwa_conformance::{coverage, inventory};

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => run_command(&args),
        Command::List(args) => list_command(&args),
        Command::Serve(args) => serve_command(&args),
        Command::Coverage(args) => coverage_command(&args),
    };
    std::process::exit(code.code());
}

/// The case directory: `--cases`, else `./cases`, else the suite's own.
fn cases_dir(given: Option<&PathBuf>) -> PathBuf {
    if let Some(dir) = given {
        return dir.clone();
    }
    let local = Path::new("cases");
    if local.is_dir() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// Loads and selects; prints the error and returns the exit code on failure.
fn planned(select: &SelectArgs) -> Result<Vec<PlannedRun>, ExitCode> {
    let selection = select.selection().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::Usage
    })?;
    let cases: Vec<Arc<Case>> = case::load_dir(&cases_dir(select.cases.as_ref()))
        .map_err(|e| {
            eprintln!("{e}");
            ExitCode::Usage
        })?
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

fn list_command(args: &ListArgs) -> ExitCode {
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

fn coverage_command(args: &CoverageArgs) -> ExitCode {
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
    print!("{}", report::coverage::render(&coverage));
    if coverage.is_complete() {
        ExitCode::Conformant
    } else {
        ExitCode::Failures
    }
}

fn run_command(args: &RunArgs) -> ExitCode {
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
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::TargetUnusable;
        }
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
    let name = format!("{} ({})", target.name, target.base_url);
    let ctx = match runtime.block_on(run::prepare(target)) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("error: the target cannot be used: {e}");
            return ExitCode::TargetUnusable;
        }
    };
    let results = Arc::new(Mutex::new(Vec::new()));
    let trials = run::trials(
        plan,
        Arc::clone(&ctx),
        runtime.handle().clone(),
        args.strict,
        Arc::clone(&results),
    );
    // The verdict comes from the recorded results (should-level and skips differ from libtest).
    let _ = libtest_mimic::run(libtest, trials);
    runtime.block_on(run::finish(&ctx));
    let results = results.lock().map(|r| r.clone()).unwrap_or_default();
    print!(
        "{}",
        ctx.redactor.redact(&console::summary(&results, args.strict, &name))
    );
    exit::for_results(&results, args.strict)
}

fn serve_command(args: &ServeArgs) -> ExitCode {
    let config = match serve_config(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::Usage;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::Usage;
        }
    };
    runtime.block_on(async {
        let server = match ucwa_conformance::reference::spawn(config.clone(), args.listen).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot listen on {}: {e}", args.listen);
                return ExitCode::Usage;
            }
        };
        println!("reference server listening");
        println!("  base URL (autodiscover root): {}", server.base_url());
        println!("  fault control:                {}", server.faults_url());
        for (user, password) in &config.users {
            println!("  user: {user} (password: {password})");
        }
        for (peer, behaviour) in &config.peers {
            println!("  peer: {peer} ({})", behaviour.as_str());
        }
        println!("press Ctrl-C to stop");
        let _ = tokio::signal::ctrl_c().await;
        server.stop();
        println!("stopped");
        ExitCode::Conformant
    })
}

fn serve_config(args: &ServeArgs) -> Result<Config, String> {
    let mut config = Config {
        invitation_timeout: std::time::Duration::from_millis(args.invitation_timeout_ms),
        idle_timeout: std::time::Duration::from_millis(args.idle_timeout_ms),
        ..Config::default()
    };
    if !args.user.is_empty() {
        config.users = args
            .user
            .iter()
            .map(|u| {
                u.split_once(':')
                    .map(|(n, p)| (n.to_string(), p.to_string()))
                    .ok_or_else(|| format!("--user takes NAME:PASSWORD, found `{u}`"))
            })
            .collect::<Result<_, _>>()?;
    }
    if !args.peer.is_empty() {
        config.peers = args
            .peer
            .iter()
            .map(|p| {
                let (uri, behaviour) = p
                    .rsplit_once('=')
                    .ok_or_else(|| format!("--peer takes SIP_URI=accept|decline|ignore, found `{p}`"))?;
                let behaviour = PeerBehaviour::from_name(behaviour)
                    .ok_or_else(|| format!("unknown peer behaviour `{behaviour}`; use accept, decline or ignore"))?;
                Ok((uri.to_string(), behaviour))
            })
            .collect::<Result<_, String>>()?;
    }
    Ok(config)
}
