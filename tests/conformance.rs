//! The whole case corpus through libtest-mimic, as part of `cargo test`: against the embedded
//! reference server, or against `UCWA_BASE_URL` (with `UCWA_TOKEN` or `UCWA_USERNAME` and
//! `UCWA_PASSWORD`, and `UCWA_PEER`) when it is set. libtest's own flags work:
//! `cargo test --test conformance -- operation-id --exact ...`.
//!
//! Each trial is one `Runner::trial` of one runner (libtest schedules the trials, so the
//! runner's own `run` is not used); the trial's standing decides how libtest shows it (counted failures fail, the rest pass or are ignored with their reason).

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::path::Path;
use std::sync::Arc;
use ucwa_conformance::client::HttpClient;
use ucwa_conformance::corpus::Corpus;
use ucwa_conformance::judge::snapshot::{self, Mode};
use ucwa_conformance::judge::standing::{self, Shown};
use ucwa_conformance::oracle::embedded;
use ucwa_conformance::report::{console, escape};
use ucwa_conformance::run::{self, RunOptions, Runner, Selection, Stop};
use ucwa_conformance::under_test::secret::Secret;
use ucwa_conformance::under_test::{self, Overrides, Target};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Against the embedded reference the committed snapshots must match (a drift fails);
    // against another target they are only compared.
    let external = std::env::var("UCWA_BASE_URL").is_ok_and(|v| !v.is_empty());
    let mode = if external { Mode::Check } else { Mode::Strict };
    let cases = match Corpus::load_dir(&root.join("cases")) {
        Ok(c) => c.into_iter().map(Arc::new).collect::<Vec<_>>(),
        Err(e) => exit(2, &e.to_string()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| exit(2, &format!("cannot start the tokio runtime: {e}")));
    let (target, server) = if external {
        (environment_target(), None)
    } else {
        match runtime.block_on(embedded::start(embedded::run_config())) {
            Ok(e) => (e.target, Some(e.server)),
            Err(e) => exit(3, &format!("cannot start the reference server: {e}")),
        }
    };
    let client = HttpClient::configured(target.limits, &target.tls).unwrap_or_else(|e| exit(3, &e.to_string()));
    let options = RunOptions {
        snapshots: Some(Arc::new(snapshot::Store::new(
            root.join("snapshots"),
            &target.name,
            mode,
        ))),
        jobs: 1,
        dead_after: run::DEAD_AFTER,
        ..RunOptions::default()
    };
    let runner = runtime
        .block_on(Runner::open(target, client, options, Stop::new()))
        .unwrap_or_else(|e| exit(3, &e.to_string()));
    let runner = Arc::new(runner);
    let handle = runtime.handle().clone();
    let trials = run::plan(&cases, &Selection::default())
        .into_iter()
        .map(|planned| {
            let (runner, handle) = (Arc::clone(&runner), handle.clone());
            Trial::ignorable_test(planned.name(), move || {
                let result = handle.block_on(runner.trial(&planned));
                let standing = standing::of(&result, false);
                match standing.shown {
                    _ if standing.counts => Err(Failed::from(
                        runner.redactor().redact(&escape::console_block(&result.explain())),
                    )),
                    Shown::Passed | Shown::Notice => Ok(Completion::Completed),
                    Shown::Failure | Shown::Error | Shown::Deviation | Shown::Excused | Shown::NotJudged => {
                        let (_, note) = console::verdict(&result, false);
                        let note = escape::console_line(&note.unwrap_or_default());
                        Ok(Completion::ignored_with(runner.redactor().redact(&note)))
                    }
                }
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    runtime.block_on(runner.close());
    if let Some(server) = server {
        server.stop();
    }
    conclusion.exit();
}

/// The target of `UCWA_BASE_URL` and its companion variables.
fn environment_target() -> Target {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let overrides = Overrides {
        base_url: env("UCWA_BASE_URL"),
        token: env("UCWA_TOKEN").map(Secret::new),
        username: env("UCWA_USERNAME"),
        password: env("UCWA_PASSWORD").map(Secret::new),
        peer: env("UCWA_PEER"),
        peer_decline: env("UCWA_PEER_DECLINE"),
        peer_ignore: env("UCWA_PEER_IGNORE"),
        trusted_hosts: env("UCWA_TRUSTED_HOSTS")
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        allow_plain_http: env("UCWA_ALLOW_PLAIN_HTTP_CREDENTIALS")
            .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes")),
        offers: env("UCWA_OFFERS")
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        faults_url: env("UCWA_FAULTS_URL"),
        cacert: env("UCWA_CACERT")
            .map(|v| v.split(',').map(std::path::PathBuf::from).collect())
            .unwrap_or_default(),
        client_cert: env("UCWA_CLIENT_CERT").map(std::path::PathBuf::from),
        client_key: env("UCWA_CLIENT_KEY").map(std::path::PathBuf::from),
        insecure: env("UCWA_INSECURE").is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes")),
    };
    under_test::from_overrides(overrides).unwrap_or_else(|e| exit(2, &e.to_string()))
}

fn exit(code: i32, message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(code)
}
