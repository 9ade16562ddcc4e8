//! The run session: the one type that owns a run against a target, from sign-in to cleanup.
//! `run`, `tests/conformance.rs`, `mutants` and `bench` all drive it; none rebuilds the lifecycle.
//!
//! A session signs in and opens the applications ([`Session::open`]), runs trials with retries,
//! redaction, snapshots and the baseline ([`Session::trial`], [`Session::run`], bounded by `jobs`),
//! honours the stop request (no new trials; running ones get the grace, then are `not run`), and
//! deletes its applications ([`Session::close`]) unless told to keep them. It never prints.

use super::context::{Parts, RunContext};
use super::exec::run_case;
use super::plan::PlannedRun;
use super::stop::{Stop, StopCause};
use crate::case::Identity;
use crate::client::{HttpClient, close, open, sign_in, sign_in_anonymous};
use crate::clock::Date;
use crate::error::Error;
use crate::judge::baseline::Baseline;
use crate::judge::snapshot::{Mode, Store};
use crate::judge::verdict::{CaseResult, Mismatch, Outcome};
use crate::target::Target;
use crate::target::secret::Redactor;
use futures_util::FutureExt as _;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a session does besides running cases.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// How many times a failed or errored trial runs again; a later pass makes it flaky.
    pub retries: usize,
    /// Known failures of the target.
    pub baseline: Option<Arc<Baseline>>,
    /// Where the target's snapshots are compared, if they are.
    pub snapshots: Option<Arc<Store>>,
    /// Trials run at once by [`Session::run`] (at least 1).
    pub jobs: usize,
    /// Leave the applications on the target (so recorded requests can be replayed).
    pub keep_applications: bool,
    /// Stop the run (exit 3) when this many exchanges in a row get no answer at all from a
    /// target that had answered: refused, reset, or timed out without a byte (0: never).
    pub dead_after: usize,
}

/// The default of [`SessionOptions::dead_after`].
pub const DEAD_AFTER: usize = 3;

/// A run against one target.
#[derive(Debug)]
pub struct Session {
    ctx: Arc<RunContext>,
    options: SessionOptions,
    today: Date,
}

impl Session {
    /// Signs in and opens one application per identity and media type the target offers. A stop
    /// request during sign-in deletes the applications already created and gives
    /// [`Error::Interrupted`]; any other failure means the target is unusable.
    pub async fn open(target: Target, client: HttpClient, options: SessionOptions, stop: Stop) -> Result<Self, Error> {
        let ctx = prepare_with(target, client, stop).await?;
        Ok(Self {
            ctx: Arc::new(ctx),
            options,
            today: crate::clock::today(),
        })
    }

    /// Runs one trial: retries, then redaction (the one place secrets leave a result), snapshots
    /// and the baseline. A trial asked to start after a stop request is `not run`.
    pub async fn trial(&self, planned: &PlannedRun) -> CaseResult {
        let ctx = &self.ctx;
        if let Some(cause) = ctx.stop.requested() {
            return not_started(planned, &format!("not started: the run was {cause}"));
        }
        let mut result = run_case(ctx, &planned.case, planned.media).await;
        panic_on_purpose(planned);
        for attempt in 2..=self.options.retries + 1 {
            let retry = matches!(
                result.outcome,
                Outcome::Fail | Outcome::ShouldDeviation | Outcome::Error
            );
            if !retry || ctx.stop.requested().is_some() {
                break;
            }
            let retried = run_case(ctx, &planned.case, planned.media).await;
            if retried.outcome == Outcome::Pass {
                let first = result.explain().lines().take(3).collect::<Vec<_>>().join(" ");
                result = retried.with(
                    Outcome::Flaky,
                    format!("passed on attempt {attempt}; attempt 1: {first}"),
                );
                break;
            }
        }
        let (unanswered, last) = ctx.client.unanswered_streak();
        if self.options.dead_after > 0 && unanswered >= self.options.dead_after {
            // The target chose the URL: redacted whole, then bounded as other excerpts are.
            let last = last
                .map(|l| {
                    let excerpt: String = ctx.redactor.redact(&l).chars().take(500).collect();
                    format!("; the last: {excerpt}")
                })
                .unwrap_or_default();
            ctx.stop.request(StopCause::TargetSilent(format!(
                "{unanswered} requests in a row got no answer (refused, reset, or no byte within {:?}){last}",
                ctx.target.limits.request_timeout
            )));
        }
        redact(&mut result, &ctx.redactor);
        if let Some(store) = &self.options.snapshots {
            let changes = store.compare(&result, &ctx.redactor);
            result.snapshot_changes = changes.iter().map(crate::judge::snapshot::Change::label).collect();
            if store.mode == Mode::Strict && result.outcome == Outcome::Pass {
                fail_on_snapshot_changes(&mut result, &changes);
            }
        }
        if let Some(baseline) = &self.options.baseline {
            baseline.apply(&mut result, self.today);
        }
        result
    }

    /// Runs `plan`, `jobs` trials at a time, calling `on_finish` with each result as it
    /// finishes; returns every result (trials cut short by a stop are `not run`).
    pub async fn run(
        self: &Arc<Self>,
        plan: Vec<PlannedRun>,
        on_finish: impl FnMut(&CaseResult) + Send + 'static,
    ) -> Vec<CaseResult> {
        self.run_watched(plan, None, on_finish).await
    }

    /// Like [`Session::run`], also calling `on_start` (when given) with each trial's name as it
    /// starts (after waiting for its turn among the `jobs`), before its `on_finish`.
    ///
    /// `jobs` workers each take the next trial of the plan when they finish one (no task per
    /// trial waiting on a semaphore, no wake-up to hand a turn over); a trial that panics is an
    /// `error`, and its worker goes on with the next. The callbacks run in a task of the
    /// runtime: under `block_on` the caller's task has a thread of its own, which every message
    /// would wake (a system call each); it is woken once, at the end. Starts are sent only when
    /// watched.
    pub async fn run_watched(
        self: &Arc<Self>,
        plan: Vec<PlannedRun>,
        mut on_start: Option<OnStart>,
        mut on_finish: impl FnMut(&CaseResult) + Send + 'static,
    ) -> Vec<CaseResult> {
        let tell_starts = on_start.is_some();
        let total = plan.len();
        let plan: Arc<[PlannedRun]> = plan.into();
        let next = Arc::new(AtomicUsize::new(0));
        let (progress, mut reports) = tokio::sync::mpsc::unbounded_channel::<Progress>();
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..self.options.jobs.clamp(1, total.max(1)) {
            let (session, plan, next, progress) =
                (Arc::clone(self), Arc::clone(&plan), Arc::clone(&next), progress.clone());
            workers.spawn(async move {
                while let Some(planned) = plan.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if tell_starts {
                        let _ = progress.send(Progress::Started(planned.name()));
                    }
                    let result = std::panic::AssertUnwindSafe(session.trial(planned))
                        .catch_unwind()
                        .await
                        .unwrap_or_else(|panic| {
                            not_started(planned, "").with(
                                Outcome::Error,
                                format!(
                                    "the harness failed while running it: it panicked with message {:?}",
                                    panic_text(&*panic)
                                ),
                            )
                        });
                    let _ = progress.send(Progress::Finished(Box::new(result)));
                }
            });
        }
        drop(progress);
        // One channel, in the order each worker sent: a trial's start is always told before its end.
        let reporter = tokio::spawn(async move {
            let mut results = Vec::with_capacity(total);
            while let Some(report) = reports.recv().await {
                match report {
                    Progress::Started(name) => {
                        if let Some(on_start) = on_start.as_mut() {
                            on_start(&name);
                        }
                    }
                    Progress::Finished(result) => {
                        on_finish(&result);
                        results.push(*result);
                    }
                }
            }
            results
        });
        let results = match reporter.await {
            Ok(results) => results,
            // A callback that panics panics the caller, as it would have called it itself.
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("the run's reporting task was cancelled: {e}"),
            },
        };
        while workers.join_next().await.is_some() {}
        results
    }

    /// The redactor, knowing every secret of the run (the issued token too): the final screen
    /// every output passes before it is written.
    pub fn redactor(&self) -> &Redactor {
        &self.ctx.redactor
    }

    /// The event waits running now, and how long the run has waited.
    pub fn waiting(&self) -> &super::waiting::Waiting {
        &self.ctx.waiting
    }

    /// Deletes the run's applications, unless the options keep them.
    pub async fn close(&self) {
        if !self.options.keep_applications {
            finish(&self.ctx).await;
        }
    }
}

/// The test of the last line of defence: in a debug build, the trial named by
/// `UCWA_DEBUG_PANIC_IN` (`id [media]`) panics after its exchanges, as a bug would. The run must
/// stay whole: that trial an `error`, the others judged, outputs written, applications deleted.
fn panic_on_purpose(planned: &PlannedRun) {
    #[cfg(debug_assertions)]
    if std::env::var("UCWA_DEBUG_PANIC_IN").is_ok_and(|name| name == planned.name()) {
        panic!("a panic on purpose in {} (UCWA_DEBUG_PANIC_IN)", planned.name());
    }
    #[cfg(not(debug_assertions))]
    let _ = planned;
}

/// What [`Session::run_watched`] calls with the name of each trial that starts.
pub type OnStart = Box<dyn FnMut(&str) + Send>;

/// What a worker of [`Session::run_watched`] tells the loop that reports.
enum Progress {
    /// The trial of this name started.
    Started(String),
    /// A trial finished.
    Finished(Box<CaseResult>),
}

/// The message of a caught panic.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(not text)")
}

/// A result for a trial that never ran.
fn not_started(planned: &PlannedRun, reason: &str) -> CaseResult {
    let case = &planned.case;
    CaseResult {
        title: case.title.clone(),
        spec: case.spec.clone(),
        tags: case.tags.clone(),
        areas: case.areas.clone(),
        ..CaseResult::new(&case.id, planned.media, case.severity, Outcome::NotRun)
    }
    .with(Outcome::NotRun, reason)
}

/// Results for trials that never ran (a run stopped during sign-in).
pub fn not_run(plan: &[PlannedRun], reason: &str) -> Vec<CaseResult> {
    plan.iter().map(|p| not_started(p, reason)).collect()
}

/// Removes every known secret from every text of a result.
fn redact(result: &mut CaseResult, redactor: &Redactor) {
    if let Some(reason) = &mut result.reason {
        *reason = redactor.redact(reason);
    }
    for m in &mut result.mismatches {
        m.expected = redactor.redact(&m.expected);
        m.actual = redactor.redact(&m.actual);
    }
    for exchange in &mut result.exchanges {
        exchange.redact(redactor);
    }
}

/// In strict mode a changed snapshot fails a case that otherwise passed; the difference shows
/// the unified diff from the stored snapshot.
fn fail_on_snapshot_changes(result: &mut CaseResult, changes: &[crate::judge::snapshot::Change]) {
    if changes.is_empty() {
        return;
    }
    result.outcome = Outcome::failed(result.severity);
    result.mismatches = changes
        .iter()
        .map(|change| Mismatch {
            what: format!("snapshot {}", change.label()),
            expected: "the stored snapshot".into(),
            actual: match &change.diff {
                Some(diff) => format!("a different response (review: cargo insta review):\n{diff}"),
                None => "a response with no stored snapshot (accept it: --snapshots update)".into(),
            },
            must: false,
        })
        .collect();
}

/// Builds the client, signs in and opens one application per media type the target offers
/// (each with its own event channel, read in that representation), and as many anonymous ones
/// when the target offers anonymous access.
pub async fn prepare(target: Target) -> Result<RunContext, Error> {
    let client = HttpClient::configured(target.limits, &target.tls)
        .map_err(|e| Error::TargetUnusable(format!("building the HTTP client: {e}")))?;
    prepare_with(target, client, Stop::new()).await
}

/// Like [`prepare`], with a client of the caller's (one that keeps a journal, say) and a stop
/// request that is checked between sign-in steps.
pub async fn prepare_with(target: Target, client: HttpClient, stop: Stop) -> Result<RunContext, Error> {
    // Credentials go only to the target's trust set, whatever client the caller built.
    let client = client.with_trust(target.trust.clone());
    let mut redactor = Redactor::new(target.secrets());
    let unusable =
        |e: crate::client::DiscoveryError, redactor: &Redactor| Error::TargetUnusable(redactor.redact(&e.to_string()));
    let account = tokio::select! {
        account = sign_in(&client, &target, &mut redactor) => account,
        cause = stop.wait() => return Err(stopped(cause)),
    };
    let account = account.map_err(|e| unusable(e, &redactor))?;
    let mut accounts = vec![(Identity::User, account.clone())];
    if let Some(anonymous) = &target.anonymous {
        let signed = tokio::select! {
            signed = sign_in_anonymous(&client, anonymous, &mut redactor) => signed,
            cause = stop.wait() => return Err(stopped(cause)),
        };
        accounts.push((Identity::Anonymous, signed.map_err(|e| unusable(e, &redactor))?));
    }
    let mut sessions = BTreeMap::new();
    for (identity, account) in &accounts {
        for media in &target.media {
            // Each application is created whole (its POST is not cut short), then the stop is
            // checked: what was created is deleted before returning.
            let opened = open(&client, account).await;
            let failure = match (opened, stop.requested()) {
                (Ok(session), None) => {
                    sessions.insert((*identity, *media), Arc::new(session));
                    continue;
                }
                (Ok(session), Some(cause)) => {
                    sessions.insert((*identity, *media), Arc::new(session));
                    stopped(cause)
                }
                (Err(e), _) => unusable(e, &redactor),
            };
            for session in sessions.values() {
                close(&client, session).await;
            }
            return Err(failure);
        }
    }
    Ok(RunContext::new(Parts {
        client,
        target,
        sessions,
        redactor,
        account,
        stop,
    }))
}

/// The error of a sign-in cut short by a stop request.
fn stopped(cause: StopCause) -> Error {
    match cause {
        StopCause::Signal(signal) => Error::Interrupted(signal),
        StopCause::TargetSilent(what) => Error::TargetUnusable(format!("it stopped answering: {what}")),
        StopCause::FailFast => Error::Usage("--fail-fast stopped the run before any trial".into()),
    }
}

/// Deletes the run's applications (best effort, all at once, each within a few seconds: a target
/// that stopped answering must not hold the run up).
pub async fn finish(ctx: &RunContext) {
    let within = ctx.target.limits.request_timeout.min(std::time::Duration::from_secs(5));
    let mut closing = tokio::task::JoinSet::new();
    for session in ctx.sessions.values() {
        let (client, session) = (ctx.client.clone(), session.clone());
        closing.spawn(async move {
            let _ = tokio::time::timeout(within, close(&client, &session)).await;
        });
    }
    while closing.join_next().await.is_some() {}
}
