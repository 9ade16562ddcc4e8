//! Planned runs as libtest-mimic trials, so the console and `cargo test` speak the libtest
//! format. Each trial runs its case on the run's one tokio runtime and records its result.

use super::context::RunContext;
use super::exec::run_case;
use super::plan::PlannedRun;
use crate::baseline::Baseline;
use crate::case::Severity;
use crate::clock::Date;
use crate::snapshot::{Mode, Store};
use crate::verdict::{CaseResult, Mismatch, Outcome};
use libtest_mimic::{Completion, Failed, Trial};
use std::sync::{Arc, Mutex};

/// The results of every trial that ran, in completion order.
pub type Results = Arc<Mutex<Vec<CaseResult>>>;

/// How trials turn results into libtest completions.
#[derive(Debug, Clone, Default)]
pub struct TrialOptions {
    /// Count should-level failures.
    pub strict: bool,
    /// Known failures of the target.
    pub baseline: Option<Arc<Baseline>>,
    /// Where the target's snapshots are compared, if they are.
    pub snapshots: Option<Arc<Store>>,
    /// Called with each finished trial's result (a progress bar, say).
    pub on_finish: Option<OnFinish>,
    /// How many times a failed or errored trial runs again; a later pass makes it flaky.
    pub retries: usize,
}

/// A callback for finished trials.
#[derive(Clone)]
pub struct OnFinish(pub Arc<dyn Fn(&CaseResult) + Send + Sync>);

impl std::fmt::Debug for OnFinish {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnFinish(..)")
    }
}

/// Builds one trial per planned run. Should-level failures show as `ignored` with the reason
/// unless `strict`; skips, known failures and unexpected passes show as `ignored` with theirs.
pub fn trials(
    plan: Vec<PlannedRun>,
    ctx: Arc<RunContext>,
    runtime: tokio::runtime::Handle,
    options: TrialOptions,
    results: Results,
) -> Vec<Trial> {
    let today = Date::today();
    plan.into_iter()
        .map(|run| {
            let name = run.name();
            let ctx = Arc::clone(&ctx);
            let runtime = runtime.clone();
            let results = Arc::clone(&results);
            let options = options.clone();
            Trial::ignorable_test(name, move || {
                let mut result = runtime.block_on(run_case(&ctx, &run.case, run.media));
                for attempt in 2..=options.retries + 1 {
                    if !matches!(result.outcome, Outcome::Fail | Outcome::Error(_)) {
                        break;
                    }
                    let retried = runtime.block_on(run_case(&ctx, &run.case, run.media));
                    if retried.outcome == Outcome::Pass {
                        let first = result.explain().lines().take(3).collect::<Vec<_>>().join(" ");
                        result = CaseResult {
                            outcome: Outcome::Flaky(format!("passed on attempt {attempt}; attempt 1: {first}")),
                            ..retried
                        };
                        break;
                    }
                }
                if let Some(store) = &options.snapshots {
                    result.snapshot_changes = store.compare(&result);
                    if store.mode == Mode::Strict && result.outcome == Outcome::Pass {
                        fail_on_snapshot_changes(&mut result);
                    }
                }
                if let Some(baseline) = &options.baseline {
                    baseline.apply(&mut result, today);
                }
                let completion = completion(&result, options.strict);
                if let Some(OnFinish(notify)) = &options.on_finish {
                    notify(&result);
                }
                if let Ok(mut all) = results.lock() {
                    all.push(result);
                }
                completion
            })
        })
        .collect()
}

/// In strict mode a changed snapshot fails a case that otherwise passed.
fn fail_on_snapshot_changes(result: &mut CaseResult) {
    if result.snapshot_changes.is_empty() {
        return;
    }
    result.outcome = Outcome::Fail;
    result.mismatches = result
        .snapshot_changes
        .iter()
        .map(|name| Mismatch {
            what: format!("snapshot {name}"),
            expected: "the stored snapshot".into(),
            actual: "a new or different response (review: cargo insta review)".into(),
        })
        .collect();
}

fn completion(result: &CaseResult, strict: bool) -> Result<Completion, Failed> {
    match &result.outcome {
        Outcome::Pass => Ok(Completion::Completed),
        Outcome::Skip(reason) => Ok(Completion::ignored_with(reason)),
        Outcome::Fail if result.severity == Severity::Should && !strict => {
            let first = result
                .mismatches
                .first()
                .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.actual))
                .unwrap_or_default();
            Ok(Completion::ignored_with(format!(
                "SHOULD not met ({first}); counted with --strict"
            )))
        }
        Outcome::ExpectedFail(reason) => Ok(Completion::ignored_with(format!("known failure: {reason}"))),
        Outcome::Flaky(reason) => Ok(Completion::ignored_with(format!("FLAKY: {reason}"))),
        Outcome::UnexpectedPass(reason) => Ok(Completion::ignored_with(format!(
            "UNEXPECTED PASS: the baseline lists it as failing ({reason})"
        ))),
        Outcome::Fail | Outcome::Error(_) => Err(Failed::from(result.explain())),
    }
}
