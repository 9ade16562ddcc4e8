//! The whole case corpus through libtest-mimic, as part of `cargo test`: against the embedded
//! reference server, or against `UCWA_BASE_URL` (with `UCWA_TOKEN` or `UCWA_USERNAME` and
//! `UCWA_PASSWORD`, and `UCWA_PEER`) when it is set. libtest's own flags work:
//! `cargo test --test conformance -- operation-id --exact ...`.

use libtest_mimic::Arguments;
use std::path::Path;
use std::sync::{Arc, Mutex};
use ucwa_conformance::case::load_dir;
use ucwa_conformance::run::{self, Selection};
use ucwa_conformance::secret::Secret;
use ucwa_conformance::snapshot::{self, Mode};
use ucwa_conformance::target::{self, Overrides};
use ucwa_conformance::{embedded, exit};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("cases");
    // Against the embedded reference the committed snapshots must match (a drift fails);
    // against another target they are only compared.
    let external = std::env::var("UCWA_BASE_URL").is_ok_and(|v| !v.is_empty());
    let mode = if external { Mode::Check } else { Mode::Strict };
    snapshot::prepare(mode, root);
    let cases = match load_dir(&dir) {
        Ok(c) => c.into_iter().map(Arc::new).collect::<Vec<_>>(),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    let Ok(runtime) = runtime else {
        eprintln!("cannot start the tokio runtime");
        std::process::exit(3);
    };
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (target, _server) = match env("UCWA_BASE_URL") {
        Some(base_url) => {
            let overrides = Overrides {
                base_url: Some(base_url),
                token: env("UCWA_TOKEN").map(Secret::new),
                username: env("UCWA_USERNAME"),
                password: env("UCWA_PASSWORD").map(Secret::new),
                peer: env("UCWA_PEER"),
                peer_decline: env("UCWA_PEER_DECLINE"),
                peer_ignore: env("UCWA_PEER_IGNORE"),
            };
            match target::from_overrides(overrides) {
                Ok(t) => (t, None),
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            }
        }
        None => match runtime.block_on(embedded::start(embedded::run_config())) {
            Ok(e) => (e.target, Some(e.server)),
            Err(e) => {
                eprintln!("cannot start the reference server: {e}");
                std::process::exit(3);
            }
        },
    };
    let ctx = match runtime.block_on(run::prepare(target)) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("the target cannot be used: {e}");
            std::process::exit(3);
        }
    };
    let plan = run::plan(&cases, &Selection::default());
    let results = Arc::new(Mutex::new(Vec::new()));
    let trials = run::trials(
        plan,
        Arc::clone(&ctx),
        runtime.handle().clone(),
        run::TrialOptions {
            snapshots: Some(Arc::new(snapshot::Store::new(
                root.join("snapshots"),
                &ctx.target.name,
                mode,
            ))),
            ..run::TrialOptions::default()
        },
        Arc::clone(&results),
    );
    let conclusion = libtest_mimic::run(&args, trials);
    runtime.block_on(run::finish(&ctx));
    let results = results.lock().map(|r| r.clone()).unwrap_or_default();
    if conclusion.has_failed() || exit::for_results(&results, false) != exit::ExitCode::Conformant {
        std::process::exit(101);
    }
}
