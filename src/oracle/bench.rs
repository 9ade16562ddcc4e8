//! The benchmark: the harness side by side with the raw HTTP floor, in one run, against the
//! embedded reference server. For each concurrency, after one untimed warm-up pass, it runs the
//! corpus (all cases x both media types) through the runner, then puts the reference's world
//! back as the harness's trials met it and replays exactly the requests the harness sent with a
//! bare pooled reqwest client at the same concurrency (the server does the same work for both),
//! and alternates the two `samples` times; the ratio of the median wall times is the harness's
//! overhead. It also times loading 1,000 and 10,000 generated case files, the history
//! (`history::bench`), and an exploration of 1,000 generated requests (`exploring`). Peak memory
//! is the process's VmHWM, reset before each phase (Linux `clear_refs`); the harness phases keep
//! every request for the replay, so their peak includes that journal.

use crate::case::{self, Case};
use crate::client::{HttpClient, Request};
use crate::oracle::embedded;
use crate::run::{self, RunOptions, Runner, Selection, Stop};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why the benchmark could not give its figures.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The embedded reference server did not start.
    #[error("the embedded reference server did not start: {0}")]
    Server(#[source] std::io::Error),
    /// The HTTP client could not be built.
    #[error("the HTTP client: {0}")]
    Client(#[from] crate::client::TransportError),
    /// Sign-in against the embedded reference failed.
    #[error("signing in to the embedded reference: {0}")]
    Session(#[from] crate::error::Error),
    /// A trial did not pass the reference (a benchmark of failing trials measures nothing).
    #[error("{trial} did not pass during the benchmark ({outcome}): {difference}")]
    NotPassing {
        /// The trial's name.
        trial: String,
        /// Its outcome.
        outcome: crate::judge::verdict::Outcome,
        /// The first difference it reported.
        difference: String,
    },
    /// Writing or reading the generated case files failed.
    #[error("{what}: {source}")]
    Files {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The generated case files did not load.
    #[error("loading the generated case files: {0}")]
    Loading(#[from] crate::diag::FileError),
    /// Fewer generated case files loaded than were written.
    #[error("{loaded} of {files} generated case files loaded")]
    Incomplete {
        /// Loaded.
        loaded: usize,
        /// Written.
        files: usize,
    },
    /// The history section failed.
    #[error("the history benchmark: {0}")]
    History(#[from] crate::history::bench::HistoryBenchError),
    /// A task of the benchmark did not finish.
    #[error("a task of the benchmark: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// One concurrency level: the harness and the floor.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    /// Cases (and floor requests) in flight at once.
    pub jobs: usize,
    /// Trials run (case x media type).
    pub trials: usize,
    /// HTTP requests the harness sent (discovery included).
    pub requests: usize,
    /// Harness wall time, milliseconds (the median of the samples).
    pub harness_ms: f64,
    /// Harness requests per second.
    pub harness_rps: f64,
    /// Peak memory during the harness phase, MiB.
    pub harness_peak_mib: f64,
    /// Floor wall time for the same requests, milliseconds (the median of the samples).
    pub floor_ms: f64,
    /// Floor requests per second.
    pub floor_rps: f64,
    /// harness_ms / floor_ms.
    pub ratio: f64,
}

/// Loading generated case files.
#[derive(Debug, Clone, Serialize)]
pub struct Loading {
    /// Case files loaded.
    pub files: usize,
    /// Wall time, milliseconds (writing the files is not counted).
    pub ms: f64,
    /// Peak memory while loading, MiB.
    pub peak_mib: f64,
}

/// Exploring the embedded reference: generated requests, and the explorer's own share.
#[derive(Debug, Clone, Serialize)]
pub struct Exploring {
    /// The budget (requests).
    pub budget: usize,
    /// Requests sent.
    pub requests: usize,
    /// Trials run.
    pub trials: usize,
    /// Wall time of the exploration (sign-in and cleanup aside), milliseconds.
    pub ms: f64,
    /// The explorer's own time per request (generating, asking the model, writing and loading
    /// the case), microseconds, over the trials without a sequence.
    pub own_us_per_request: f64,
    /// The runner's time per request (the exchange and its judging), microseconds, over the
    /// same trials.
    pub exchange_us_per_request: f64,
    /// own / exchange, percent (goal: under 10).
    pub own_share_percent: f64,
}

/// Explores the embedded reference with `budget` requests (seed 1, 4 trials at once).
pub async fn exploring(budget: usize) -> Result<Exploring, BenchError> {
    use crate::explore::{ExploreOptions, Explorer};
    let server = embedded::start(embedded::run_config())
        .await
        .map_err(BenchError::Server)?;
    let target = server.target.clone();
    let client = HttpClient::new(target.limits)?;
    let options = RunOptions {
        jobs: 4,
        ..RunOptions::default()
    };
    let runner = Arc::new(Runner::open(target.clone(), client, options, Stop::new()).await?);
    let oracle = crate::oracle::model::ReferenceOracle::for_target(&target);
    let explore = ExploreOptions {
        seed: 1,
        budget,
        ..ExploreOptions::default()
    };
    let started = Instant::now();
    let explored = Explorer::new(&runner, &oracle, explore).explore(()).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    runner.close().await;
    server.server.stop();
    let e = explored.summary;
    // Per request of the trials timed (those without a sequence).
    let timed: usize = explored
        .results
        .iter()
        .filter(|r| !r.title.contains("(reused-"))
        .map(|r| r.exchanges.len())
        .sum();
    let per = |us: u64| us as f64 / timed.max(1) as f64;
    Ok(Exploring {
        budget,
        requests: e.requests,
        trials: e.trials,
        ms,
        own_us_per_request: per(e.own_us),
        exchange_us_per_request: per(e.exchange_us),
        own_share_percent: e.own_share_percent(),
    })
}

/// The whole benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `ucwa-conformance/bench/1`.
    pub schema: String,
    /// The suite's version.
    pub suite_version: String,
    /// Which cases: `non-waiting` (no event waits) or `all`.
    pub corpus: String,
    /// How many times the corpus ran per concurrency.
    pub repeat: usize,
    /// How many alternating harness and floor passes each concurrency's medians come from.
    pub samples: usize,
    /// One entry per concurrency.
    pub levels: Vec<Level>,
    /// One entry per generated corpus size.
    pub loading: Vec<Loading>,
    /// Peak memory of the whole process, MiB.
    pub process_peak_mib: f64,
    /// The history: adding a thousand results files, its questions and its dashboard.
    pub history: crate::history::bench::HistoryBench,
    /// Exploring the embedded reference with 1,000 generated requests.
    pub exploring: Exploring,
}

/// The concurrencies measured.
pub const JOBS: [usize; 3] = [1, 2, 8];

/// Runs the benchmark over `cases`, each corpus run `repeat` times per concurrency; `waiting`
/// keeps the cases that wait for events; the history's section adds `history_files` files.
pub async fn run(
    cases: Vec<Arc<Case>>,
    waiting: bool,
    repeat: usize,
    samples: usize,
    history_files: usize,
) -> Result<Report, BenchError> {
    let corpus_trials: usize = cases.iter().map(|c| c.media.len()).sum();
    let cases: Vec<Arc<Case>> = if waiting {
        cases
    } else {
        cases
            .into_iter()
            .filter(|c| c.steps.iter().all(|s| matches!(s.action, case::Action::Request(_))))
            .collect()
    };
    // Loading first: the allocator keeps what the harness phases freed, so a peak measured
    // after them would only repeat theirs.
    let mut loading = Vec::new();
    for files in [1_000, 10_000] {
        loading.push(load_generated(files)?);
    }
    let mut levels = Vec::new();
    for jobs in JOBS {
        levels.push(level(&cases, jobs, repeat.max(1), samples.max(1)).await?);
    }
    let template = one_run(&cases).await?;
    let history = tokio::task::spawn_blocking(move || {
        crate::history::bench::run(&template, corpus_trials, history_files, &std::env::temp_dir())
    })
    .await??;
    let exploring = exploring(crate::explore::DEFAULT_BUDGET).await?;
    Ok(Report {
        schema: "ucwa-conformance/bench/1".into(),
        suite_version: env!("CARGO_PKG_VERSION").into(),
        corpus: if waiting { "all".into() } else { "non-waiting".into() },
        repeat: repeat.max(1),
        samples: samples.max(1),
        levels,
        loading,
        process_peak_mib: peak_mib(),
        history,
        exploring,
    })
}

/// The results file of one run of `cases` against the embedded reference: the history
/// benchmark's template.
async fn one_run(cases: &[Arc<Case>]) -> Result<crate::report::results::Results, BenchError> {
    use crate::report::results::{self, RunInfo, SelectionInfo};
    let server = embedded::start(embedded::run_config())
        .await
        .map_err(BenchError::Server)?;
    let client = HttpClient::new(server.target.limits)?;
    let started = std::time::SystemTime::now();
    let plan = run::plan(cases, &Selection::default());
    let trials = run::run_plan(
        server.target.clone(),
        client,
        plan,
        RunOptions::default(),
        Stop::new(),
        (),
    )
    .await?
    .results;
    let info = RunInfo {
        case_set_digest: String::new(),
        corpus: "built-in".into(),
        started_at: crate::clock::rfc3339(started),
        duration: started.elapsed().unwrap_or_default(),
        strict: false,
        stop: None,
        selection: SelectionInfo::default(),
        embedded: true,
        applications_kept: false,
        area_order: Vec::new(),
    };
    let file = results::build(info, &server.target, &trials);
    server.server.stop();
    Ok(file)
}

async fn level(cases: &[Arc<Case>], jobs: usize, repeat: usize, samples: usize) -> Result<Level, BenchError> {
    // The harness as `run --snapshots off` uses it: the runner, no snapshot compared.
    let options = RunOptions {
        jobs,
        max_wait: Some(crate::oracle::mutation::MAX_WAIT),
        ..RunOptions::default()
    };
    let once = run::plan(cases, &Selection::default());
    let plan: Vec<_> = (0..repeat).flat_map(|_| once.iter().cloned()).collect();
    let trials = plan.len();
    // Harness and floor alternate `samples` times; the medians are compared, so one noisy pass
    // (two shared cores) does not decide the ratio. Each sample has a server of its own: the
    // floor's replay creates applications nobody deletes, which would fill the user's quota.
    let (mut harness_samples, mut floor_samples) = (Vec::new(), Vec::new());
    let (mut requests, mut harness_peak) = (0, 0.0);
    for sample in 0..samples.max(1) {
        let server = embedded::start(embedded::run_config())
            .await
            .map_err(BenchError::Server)?;
        // One untimed pass first, so neither side is measured cold (the floor runs after the
        // harness and would otherwise find the server and the allocator warm).
        let warm_client = HttpClient::new(server.target.limits)?;
        run::run_plan(
            server.target.clone(),
            warm_client,
            once.clone(),
            options.clone(),
            Stop::new(),
            (),
        )
        .await?;
        let journal: Arc<Mutex<Vec<Request>>> = Arc::default();
        let client = HttpClient::new(server.target.limits)?.with_journal(Arc::clone(&journal));
        reset_peak();
        let started = Instant::now();
        let runner = Arc::new(Runner::open(server.target.clone(), client, options.clone(), Stop::new()).await?);
        // The world the trials meet (signed in, applications open), put back before the floor
        // replays them: the floor's startMessaging creates the invitations the harness's did,
        // where on the world the harness left it would meet 409s (equal work, or no ratio).
        let met = server.server.checkpoint();
        let results = runner.run(plan.clone(), ()).await;
        harness_samples.push(started.elapsed());
        if sample == 0 {
            harness_peak = peak_mib();
        }
        // A benchmark of failing trials measures nothing: every trial must pass the reference.
        if let Some(r) = results
            .iter()
            .find(|r| r.outcome != crate::judge::verdict::Outcome::Pass)
        {
            return Err(BenchError::NotPassing {
                trial: r.name(),
                outcome: r.outcome,
                difference: r.first_difference(),
            });
        }
        let sent: Vec<Request> = journal.lock().map(|j| j.clone()).unwrap_or_default();
        requests = sent.len();
        server.server.restore(met);
        floor_samples.push(floor(&sent, jobs).await?);
        runner.close().await;
        server.server.stop();
    }
    let (harness, floor) = (median(&mut harness_samples), median(&mut floor_samples));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(Level {
        jobs,
        trials,
        requests,
        harness_ms: ms(harness),
        harness_rps: requests as f64 / harness.as_secs_f64(),
        harness_peak_mib: harness_peak,
        floor_ms: ms(floor),
        floor_rps: requests as f64 / floor.as_secs_f64(),
        ratio: harness.as_secs_f64() / floor.as_secs_f64(),
    })
}

/// The median of some durations (the lower middle one for an even count).
fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples
        .get(samples.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

/// Sends `requests` with a bare pooled client, `jobs` at a time, reading every body.
async fn floor(requests: &[Request], jobs: usize) -> Result<Duration, BenchError> {
    crate::client::install_crypto_provider();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| crate::client::TransportError::Invalid(e.to_string()))?;
    let limit = Arc::new(tokio::sync::Semaphore::new(jobs));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for request in requests.iter().filter(|r| !r.url.path().ends_with("/events")).cloned() {
        let (client, limit) = (client.clone(), Arc::clone(&limit));
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
            let mut builder = client.request(method, request.url.clone());
            for (name, value) in &request.headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if let Some(body) = request.body {
                builder = builder.body(body);
            }
            if let Ok(response) = builder.send().await {
                let _ = response.bytes().await;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(started.elapsed())
}

/// Writes `files` generated case files to a temporary directory and times loading them.
fn load_generated(files: usize) -> Result<Loading, BenchError> {
    let dir = std::env::temp_dir().join(format!("ucwa-conformance-bench-{}-{files}", std::process::id()));
    let files_error = |what: String| move |source| BenchError::Files { what, source };
    std::fs::create_dir_all(&dir).map_err(files_error(format!("creating {}", dir.display())))?;
    for i in 0..files {
        let text = format!(
            "id = \"bench.case-{i}\"\ntitle = \"generated case {i}\"\nspec = [\"post.created\"]\nseverity = \"must\"\ntags = [\"bench\"]\n\n\
             [[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\nbody = {{ operationId = \"{{{{operation_id}}}}\", to = \"{{{{peer}}}}\", subject = \"{{{{chars:{}}}}}\" }}\n\
             expect.status = 201\nexpect.headers.Location = {{ present = true }}\ncapture.invitation = {{ header = \"Location\" }}\n\n\
             [[step]]\nmethod = \"GET\"\nhref = \"{{{{capture:invitation}}}}\"\nexpect.status = 200\nexpect.resource = {{ rel = \"messagingInvitation\" }}\n",
            i % 250
        );
        let path = dir.join(format!("case-{i:05}.toml"));
        std::fs::write(&path, text).map_err(files_error(format!("writing {}", path.display())))?;
    }
    reset_peak();
    let started = Instant::now();
    let loaded = crate::corpus::Corpus::load_dir(&dir);
    let elapsed = started.elapsed();
    let peak = peak_mib();
    let _ = std::fs::remove_dir_all(&dir);
    let loaded = loaded?;
    if loaded.len() != files {
        return Err(BenchError::Incomplete {
            loaded: loaded.len(),
            files,
        });
    }
    Ok(Loading {
        files,
        ms: elapsed.as_secs_f64() * 1000.0,
        peak_mib: peak,
    })
}

/// Resets the process's peak resident set size (Linux; a no-op elsewhere).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident set size since the last reset, MiB (Linux VmHWM; 0 elsewhere).
pub fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// The report as a table.
pub fn render(report: &Report) -> String {
    let mut out = format!(
        "corpus: {} cases x media types, {} times per concurrency, medians of {} alternating samples, against the embedded reference server\n\n\
         jobs  trials  requests  harness ms  harness req/s  floor ms  floor req/s  ratio  peak MiB\n",
        report.corpus, report.repeat, report.samples
    );
    for l in &report.levels {
        out.push_str(&format!(
            "{:>4}  {:>6}  {:>8}  {:>10.1}  {:>13.0}  {:>8.1}  {:>11.0}  {:>5.2}  {:>8.1}\n",
            l.jobs,
            l.trials,
            l.requests,
            l.harness_ms,
            l.harness_rps,
            l.floor_ms,
            l.floor_rps,
            l.ratio,
            l.harness_peak_mib
        ));
    }
    out.push_str("\ncase files  load ms  peak MiB\n");
    for l in &report.loading {
        out.push_str(&format!("{:>10}  {:>7.1}  {:>8.1}\n", l.files, l.ms, l.peak_mib));
    }
    let e = &report.exploring;
    out.push_str(&format!(
        "\nexplore: {} requests in {} trials, {:.0} ms ({:.0} req/s); the explorer's own time {:.1} us per request, \
         the exchange's {:.1} us: {:.1}% (goal: under 10%)\n",
        e.requests,
        e.trials,
        e.ms,
        e.requests as f64 * 1000.0 / e.ms.max(1.0),
        e.own_us_per_request,
        e.exchange_us_per_request,
        e.own_share_percent
    ));
    out.push_str(&format!("\nprocess peak: {:.1} MiB\n", report.process_peak_mib));
    out.push_str(&crate::history::bench::render(&report.history));
    out
}
