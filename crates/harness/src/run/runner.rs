//! The runner: the one type that runs a plan against a target, from sign-in to cleanup. The
//! CLI, `tests/conformance.rs`, the kill matrix and the bench all drive it; none rebuilds the
//! lifecycle.
//!
//! A runner is built from [`RunOptions`], signs in and opens the applications
//! ([`Runner::open`]), runs trials with retries, redaction, snapshots and the baseline
//! ([`Runner::trial`]; [`Runner::run`], `jobs` at a time, telling a [`Sink`] each [`Event`]),
//! stops starting trials after a stop request (a signal, a silent target, `--max-fail`; running
//! ones get the grace, then are `not run`), and deletes its applications ([`Runner::close`])
//! unless told to keep them. [`run_plan`] does all of it in one call. It never prints.

use super::context::RunContext;
use super::event::{Event, Sink};
use super::exec::run_case;
use super::plan::PlannedRun;
use super::stop::{Stop, StopCause};
use crate::case::{Identity, Media};
use crate::client::{HttpClient, Session};
use crate::clock::Date;
use crate::error::Error;
use crate::judge::baseline::Baseline;
use crate::judge::snapshot::{Mode, Store};
use crate::judge::standing;
use crate::judge::verdict::{CaseResult, Mismatch, Outcome};
use crate::under_test::Target;
use crate::under_test::secret::Redactor;
use futures_util::FutureExt as _;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How a runner runs, besides the plan and the target.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Trials run at once by [`Runner::run`] (at least 1).
    pub jobs: usize,
    /// How many times a failed or errored trial runs again; a later pass makes it flaky.
    pub retries: usize,
    /// Start no new trial once this many trials count as failures (`--fail-fast` is 1; `None`:
    /// never stop for failures).
    pub max_fail: Option<usize>,
    /// Count should-level deviations as failures (for `max_fail`, as the verdict counts them).
    pub strict: bool,
    /// A cap on every event wait, below the target's own (`max_wait_ms` of its profile).
    pub max_wait: Option<Duration>,
    /// Stop the run (exit 3) when this many exchanges in a row get no answer at all from a
    /// target that had answered: refused, reset, or timed out without a byte (0: never).
    pub dead_after: usize,
    /// Where the target's snapshots are compared, if they are.
    pub snapshots: Option<Arc<Store>>,
    /// Known failures of the target.
    pub baseline: Option<Arc<Baseline>>,
    /// Leave the applications on the target (so recorded requests can be replayed).
    pub keep_applications: bool,
}

/// The default of [`RunOptions::dead_after`].
pub const DEAD_AFTER: usize = 3;

/// A run against one target, signed in.
#[derive(Debug)]
pub struct Runner {
    ctx: Arc<RunContext>,
    options: RunOptions,
    today: Date,
    /// Trials that counted as failures so far (for `max_fail`).
    failures: AtomicUsize,
}

/// What a whole run gave: every trial's result, why it stopped early (if it did), the final
/// screen (the redactor, which knows the token issued during sign-in too), and how long the run
/// had a trial waiting for an event.
#[derive(Debug)]
pub struct Finished {
    /// Every trial of the plan, in the order they ended (`not run` for those a stop cut short).
    pub results: Vec<CaseResult>,
    /// Why the run stopped before its plan ended, if it did.
    pub stop: Option<StopCause>,
    /// The final screen every output passes before it is written.
    pub screen: Redactor,
    /// How long the run had at least one trial waiting for an event.
    pub waited: Duration,
}

/// Signs in, runs `plan` telling `sink` each event, and deletes the applications. A stop
/// request during sign-in gives every trial `not run` (and the stop); any other sign-in failure
/// is the error (the target is unusable).
pub async fn run_plan(
    target: Target,
    client: HttpClient,
    plan: Vec<PlannedRun>,
    options: RunOptions,
    stop: Stop,
    mut sink: impl Sink,
) -> Result<Finished, Error> {
    let screen = Redactor::new(target.secrets());
    let runner = match Runner::open(target, client, options, stop).await {
        Ok(runner) => Arc::new(runner),
        Err(Error::Interrupted(signal)) => {
            let cause = StopCause::Signal(signal);
            let results = not_run(&plan, &format!("not started: {cause} during sign-in"));
            sink.event(&Event::Started {
                trials: plan.len(),
                waits: &super::waiting::Waiting::default(),
                screen: &screen,
            });
            for result in &results {
                sink.event(&Event::TrialFinished { result });
            }
            sink.event(&Event::Finished { stop: Some(&cause) });
            return Ok(Finished {
                results,
                stop: Some(cause),
                screen,
                waited: Duration::ZERO,
            });
        }
        Err(e) => return Err(e),
    };
    let results = runner.run(plan, sink).await;
    runner.close().await;
    Ok(Finished {
        results,
        stop: runner.ctx.stop.requested(),
        screen: runner.redactor().clone(),
        waited: runner.waiting().waited(),
    })
}

impl Runner {
    /// Signs in and opens one application per identity and media type the target offers. A stop
    /// request during sign-in deletes the applications already created and gives
    /// [`Error::Interrupted`]; any other failure means the target is unusable.
    pub async fn open(mut target: Target, client: HttpClient, options: RunOptions, stop: Stop) -> Result<Self, Error> {
        if let Some(cap) = options.max_wait {
            target.limits.max_wait = Some(target.limits.max_wait.map_or(cap, |own| own.min(cap)));
        }
        let ctx = RunContext::open(target, client, stop).await?;
        Ok(Self {
            ctx: Arc::new(ctx),
            options,
            today: crate::clock::today(),
            failures: AtomicUsize::new(0),
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
        result.redact(&ctx.redactor);
        if let Some(store) = &self.options.snapshots {
            let changes = store.compare(&result, &ctx.redactor);
            result.snapshot_changes = changes.iter().map(crate::judge::snapshot::Change::recorded).collect();
            if store.mode == Mode::Strict && result.outcome == Outcome::Pass {
                fail_on_snapshot_changes(&mut result, &changes);
            }
        }
        if let Some(baseline) = &self.options.baseline {
            baseline.apply(&mut result, self.today);
        }
        result
    }

    /// Runs `plan`, `jobs` trials at a time, telling `sink` each [`Event`]; returns every
    /// result (trials cut short by a stop are `not run`). With [`RunOptions::max_fail`], the
    /// trial that reaches it requests the stop.
    ///
    /// `jobs` workers each take the next trial of the plan when they finish one (no task per
    /// trial waiting on a semaphore, no wake-up to hand a turn over); a trial that panics is an
    /// `error`, and its worker goes on with the next. The sink runs in a task of the runtime:
    /// under `block_on` the caller's task has a thread of its own, which every event would wake
    /// (a system call each); it is woken once, at the end.
    pub async fn run(self: &Arc<Self>, plan: Vec<PlannedRun>, mut sink: impl Sink) -> Vec<CaseResult> {
        let total = plan.len();
        let plan: Arc<[PlannedRun]> = plan.into();
        let next = Arc::new(AtomicUsize::new(0));
        let (progress, mut reports) = tokio::sync::mpsc::unbounded_channel::<Progress>();
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..self.options.jobs.clamp(1, total.max(1)) {
            let (runner, plan, next, progress) =
                (Arc::clone(self), Arc::clone(&plan), Arc::clone(&next), progress.clone());
            workers.spawn(async move {
                while let Some(planned) = plan.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let _ = progress.send(Progress::Started(planned.name()));
                    let result = std::panic::AssertUnwindSafe(runner.trial(planned))
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
                    runner.count_failure(&result);
                    let _ = progress.send(Progress::Finished(Box::new(result)));
                }
            });
        }
        drop(progress);
        // One channel, in the order each worker sent: a trial's start is always told before its end.
        let (stop, waits, screen) = (
            self.ctx.stop.clone(),
            self.ctx.waiting.clone(),
            self.ctx.redactor.clone(),
        );
        let reporter = tokio::spawn(async move {
            sink.event(&Event::Started {
                trials: total,
                waits: &waits,
                screen: &screen,
            });
            let mut results = Vec::with_capacity(total);
            while let Some(report) = reports.recv().await {
                match report {
                    Progress::Started(name) => sink.event(&Event::TrialStarted { name: &name }),
                    Progress::Finished(result) => {
                        sink.event(&Event::TrialFinished { result: &result });
                        results.push(*result);
                    }
                }
            }
            sink.event(&Event::Finished {
                stop: stop.requested().as_ref(),
            });
            results
        });
        let results = match reporter.await {
            Ok(results) => results,
            // A sink that panics panics the caller, as it would have called it itself.
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("the run's reporting task was cancelled: {e}"),
            },
        };
        while workers.join_next().await.is_some() {}
        results
    }

    /// Counts a trial that counts as a failure toward [`RunOptions::max_fail`], and requests the
    /// stop when it reaches it.
    fn count_failure(&self, result: &CaseResult) {
        let Some(limit) = self.options.max_fail else {
            return;
        };
        if !standing::of(result, self.options.strict).counts {
            return;
        }
        if self.failures.fetch_add(1, Ordering::Relaxed) + 1 >= limit {
            self.ctx.stop.request(StopCause::MaxFail(limit));
        }
    }

    /// The redactor, knowing every secret of the run (the issued token too): the final screen
    /// every output passes before it is written.
    pub fn redactor(&self) -> &Redactor {
        &self.ctx.redactor
    }

    /// The target it runs against.
    pub fn target(&self) -> &Target {
        &self.ctx.target
    }

    /// Its stop request (a signal, a silent target, `--max-fail`).
    pub fn stop(&self) -> &Stop {
        &self.ctx.stop
    }

    /// The event waits running now, and how long the run has waited.
    pub fn waiting(&self) -> &super::waiting::Waiting {
        &self.ctx.waiting
    }

    /// The applications opened at sign-in, by identity and media type.
    pub fn applications(&self) -> &BTreeMap<(Identity, Media), Arc<Session>> {
        &self.ctx.sessions
    }

    /// Deletes the run's applications, unless the options keep them.
    pub async fn close(&self) {
        if !self.options.keep_applications {
            self.ctx.close().await;
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

/// What a worker of [`Runner::run`] tells the loop that reports.
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
fn not_run(plan: &[PlannedRun], reason: &str) -> Vec<CaseResult> {
    plan.iter().map(|p| not_started(p, reason)).collect()
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
            kind: crate::judge::verdict::MismatchKind::Snapshot,
            what: format!("snapshot {}", change.recorded()),
            expected: "the stored snapshot".into(),
            actual: match &change.diff {
                Some(diff) => format!("a different response (review: cargo insta review):\n{diff}"),
                None => "a response with no stored snapshot (accept it: --snapshots update)".into(),
            },
            must: false,
        })
        .collect();
}
