//! Running one case in one media type: its steps in order, within the case timeout; the first
//! step that fails or errors ends it. Never prints; returns a [`CaseResult`]
//! whose texts may still hold secrets: the run session redacts each result once.

use super::context::{CaseState, RunContext};
use super::step::StepEnd;
use super::{request, wait};
use crate::case::{Action, Case, Media, Severity, Step};
use crate::judge::verdict::{CaseResult, Outcome};
use crate::record::exchange::Exchange;
use crate::under_test::Target;
use std::time::Instant;

/// Runs a case in a media type, within the target's case timeout.
pub async fn run_case(ctx: &RunContext, case: &Case, media: Media) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult {
        title: case.title.clone(),
        spec: case.spec.clone(),
        tags: case.tags.clone(),
        areas: case.areas.clone(),
        ..CaseResult::new(&case.id, media, case.severity, Outcome::Pass)
    };
    if let Some(reason) = skip_reason(&ctx.target, case, media) {
        return result.with(Outcome::Skip, reason);
    }
    let timeout = ctx.target.limits.case_timeout;
    let mut state = CaseState::new(ctx, media);
    let steps = run_steps(ctx, case, &mut state, &mut result);
    let ended = tokio::select! {
        finished = tokio::time::timeout(timeout, steps) => finished.err().map(|_| {
            (Outcome::Error, format!("the case did not finish within its timeout of {timeout:?}"))
        }),
        cause = ctx.stop.after_grace() => Some((
            Outcome::NotRun,
            format!("{cause}: the case did not finish within the {:?} grace", super::stop::GRACE),
        )),
    };
    if let Some(own) = state.fresh.take() {
        crate::client::close(&ctx.client, &own).await;
    }
    if let Some((outcome, reason)) = ended {
        result.failed_step = None;
        result.mismatches.clear();
        result = result.with(outcome, reason);
    }
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

/// Why a case cannot run against this target, if it cannot.
fn skip_reason(target: &Target, case: &Case, media: Media) -> Option<String> {
    if !target.media.contains(&media) {
        return Some(format!("media type {media} not offered by the target"));
    }
    if let Some(need) = case.needs.iter().find(|n| !target.offers(n)) {
        return Some(format!("precondition `{need}` not offered by the target"));
    }
    let arms_fault = case
        .steps
        .iter()
        .any(|s| matches!(&s.action, Action::Request(r) if r.fault.is_some()));
    if arms_fault && target.faults_url.is_none() {
        return Some("the target has no fault-control URL".into());
    }
    None
}

async fn run_steps(ctx: &RunContext, case: &Case, state: &mut CaseState<'_>, result: &mut CaseResult) {
    for (index, step) in case.steps.iter().enumerate() {
        let Err(end) = run_step(ctx, step, state, &mut result.exchanges).await else {
            continue;
        };
        result.failed_step = Some(index + 1);
        match end {
            StepEnd::Mismatches(m) => {
                // A documented row broken in a should-level case is still a must-level failure.
                let severity = if m.iter().any(|m| m.must) {
                    Severity::Must
                } else {
                    case.severity
                };
                result.outcome = Outcome::failed(severity);
                result.mismatches = m;
            }
            StepEnd::Error(error) => {
                result.outcome = Outcome::Error;
                result.reason = Some(error.to_string());
            }
        }
        return;
    }
}

async fn run_step(
    ctx: &RunContext,
    step: &Step,
    state: &mut CaseState<'_>,
    exchanges: &mut Vec<Exchange>,
) -> Result<(), StepEnd> {
    match &step.action {
        Action::Request(spec) => request::send_step(ctx, spec, step, state, exchanges).await,
        Action::Wait(spec) => wait::wait_step(ctx, spec, step, state, exchanges).await,
    }
}
