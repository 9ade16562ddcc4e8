//! A wait step: look on the media type's event channel for the first event of the step's type
//! and rel (and operationId, when given), within its budget; then judge the event.

use super::context::{CaseState, RunContext};
use super::exec::StepEnd;
use super::request::{captured_from, untrusted};
use crate::case::{Step, Wait};
use crate::check::judge_event;
use crate::client::WaitError;
use crate::exchange::Exchange;
use crate::verdict::Mismatch;
use crate::wire::{Event, local_name};

/// Runs a wait step.
pub async fn wait_step(
    ctx: &RunContext,
    wait: &Wait,
    step: &Step,
    state: &mut CaseState<'_>,
    exchanges: &mut Vec<Exchange>,
) -> Result<(), StepEnd> {
    let operation_id = wait
        .operation_id
        .as_ref()
        .map(|t| t.render(state))
        .transpose()
        .map_err(StepEnd::Error)?;
    let within = ctx
        .target
        .limits
        .max_wait
        .map_or(wait.within, |cap| cap.min(wait.within));
    let wanted = format!(
        "a `{}` event for `{}`{}",
        wait.kind,
        wait.rel,
        operation_id
            .as_deref()
            .map(|o| format!(" with operationId `{o}`"))
            .unwrap_or_default()
    );
    let record = |event: Option<&Event>| Exchange::Event {
        wanted: wanted.clone(),
        within_ms: within.as_millis() as u64,
        event: event.map(describe_event),
    };
    let Some(hub) = ctx.hub(state.media) else {
        exchanges.push(record(None));
        return Err(StepEnd::Error(format!("no application for media type {}", state.media)));
    };
    let matches = |e: &Event| {
        e.kind == wait.kind
            && local_name(&e.rel) == wait.rel
            && operation_id
                .as_ref()
                .is_none_or(|op| embedded_operation_id(e).as_deref() == Some(op.as_str()))
    };
    let (arrival, event) = match hub.wait_for(matches, within).await {
        Ok(found) => found,
        Err(WaitError::TimedOut { within, seen }) => {
            exchanges.push(record(None));
            return Err(StepEnd::Mismatches(vec![Mismatch {
                what: "event".into(),
                expected: format!("{wanted} within {within:?}"),
                actual: format!("none ({seen} events arrived on the channel)"),
                must: false,
            }]));
        }
        Err(WaitError::Untrusted(reason)) => {
            exchanges.push(record(None));
            return Err(StepEnd::Mismatches(vec![untrusted(reason)]));
        }
        Err(e) => {
            exchanges.push(record(None));
            return Err(StepEnd::Error(e.to_string()));
        }
    };
    exchanges.push(record(Some(&event)));
    let mut mismatches = judge_event(&step.expect, &event, state);
    let previous = state.last_event.replace(arrival);
    if step.expect.event.as_ref().is_some_and(|e| e.after_previous)
        && let Some(previous) = previous
        && arrival < previous
    {
        mismatches.push(Mismatch {
            what: "event order".into(),
            expected: format!(
                "{wanted}, after the event the previous wait step found (event #{previous} on the channel)"
            ),
            actual: format!("it arrived earlier, as event #{arrival}"),
            must: false,
        });
    }
    if !mismatches.is_empty() {
        return Err(StepEnd::Mismatches(mismatches));
    }
    let Some(base) = ctx
        .session(crate::case::Identity::User, state.media)
        .map(|s| s.application.clone())
    else {
        return Ok(());
    };
    let resource = event.resource.clone().unwrap_or_default();
    for capture in &step.captures {
        let value = captured_from(capture, &resource).map_err(|m| StepEnd::Mismatches(vec![m]))?;
        state.captures.insert(capture.name.clone(), (value, base.clone()));
    }
    Ok(())
}

fn embedded_operation_id(event: &Event) -> Option<String> {
    event
        .resource
        .as_ref()?
        .properties
        .get("operationId")
        .map(|p| p.as_text())
}

fn describe_event(event: &Event) -> String {
    let mut out = format!(
        "EVENT {} {} {} (sender {})\n",
        event.kind, event.rel, event.href, event.sender
    );
    if let Some(status) = &event.status {
        out.push_str(&format!("status: {status}\n"));
    }
    if let Some(r) = &event.reason {
        out.push_str(&format!(
            "reason: {} / {}\n",
            r.code,
            r.subcode.as_deref().unwrap_or("(none)")
        ));
    }
    if let Some(resource) = &event.resource {
        for (name, value) in &resource.properties {
            out.push_str(&format!("{name}: {}\n", value.as_text()));
        }
    }
    out
}
