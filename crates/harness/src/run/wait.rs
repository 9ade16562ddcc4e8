//! A wait step: look on the media type's event channel for the first event of the step's type
//! and rel (and operationId, sender href, resource href and property values, when given),
//! within its budget; then judge the event. Hrefs are compared as absolute URLs (relative ones
//! resolved against the application, captured ones against where they were captured), ignoring
//! letter case, as UCWA clients compare them.

use super::context::{CaseState, RunContext};
use super::step::{StepEnd, StepError, captured_from, untrusted};
use crate::case::{Step, Wait};
use crate::client::WaitError;
use crate::judge::check::judge_event;
use crate::judge::verdict::Mismatch;
use crate::record::exchange::Exchange;
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
        .map_err(StepEnd::from)?;
    let application = ctx
        .session(crate::case::Identity::User, state.media)
        .map(|s| s.application.clone());
    let absolute = |template: &Option<crate::case::Template>| -> Result<Option<String>, StepEnd> {
        let Some(template) = template else { return Ok(None) };
        let base = state.base_of(template).or_else(|| application.clone());
        let text = template.render(state).map_err(StepEnd::from)?;
        Ok(Some(resolve(base.as_ref(), &text)))
    };
    let sender = absolute(&wait.sender)?;
    let href = absolute(&wait.href)?;
    let mut filter = Vec::new();
    for (name, value) in &wait.filter {
        filter.push((name.clone(), value.render(state).map_err(StepEnd::from)?));
    }
    let within = ctx
        .target
        .limits
        .max_wait
        .map_or(wait.within, |cap| cap.min(wait.within));
    let mut wanted = format!("a `{}` event for `{}`", wait.kind, wait.rel);
    if let Some(o) = &operation_id {
        wanted.push_str(&format!(" with operationId `{o}`"));
    }
    if let Some(h) = &href {
        wanted.push_str(&format!(" at {h}"));
    }
    if let Some(s) = &sender {
        wanted.push_str(&format!(" from sender {s}"));
    }
    for (name, value) in &filter {
        wanted.push_str(&format!(" where {name} = `{value}`"));
    }
    let record = |event: Option<&Event>| Exchange::Event {
        wanted: wanted.clone(),
        within_ms: within.as_millis() as u64,
        event: event.map(describe_event),
    };
    let Some(hub) = ctx.hub(state.media) else {
        exchanges.push(record(None));
        return Err(StepEnd::error(StepError::NoEventChannel(state.media)));
    };
    let same = |wanted: &Option<String>, got: &str| {
        wanted
            .as_ref()
            .is_none_or(|w| w.eq_ignore_ascii_case(&resolve(application.as_ref(), got)))
    };
    let matches = |e: &Event| {
        e.kind == wait.kind
            && local_name(&e.rel) == wait.rel
            && operation_id
                .as_ref()
                .is_none_or(|op| embedded_operation_id(e).as_deref() == Some(op.as_str()))
            && same(&href, &e.href)
            && same(&sender, &e.sender_href)
            && filter.iter().all(|(name, value)| {
                e.resource
                    .as_ref()
                    .and_then(|r| r.properties.get(name))
                    .is_some_and(|p| p.as_text() == *value)
            })
    };
    // A conversation's event cannot come once the conversation was deleted: the wait ends then,
    // rather than at its budget (unless it waits for that very deletion).
    let waits_for_the_end = wait.kind == "deleted" && wait.rel == "conversation";
    // Nor can a messaging event come from a conversation that is Connected and links no
    // messaging modality: a target without the modality finishes as fast as one with it.
    let hopeless = |e: &Event| {
        let of_the_conversation = sender.is_some() && local_name(&e.rel) == "conversation" && same(&sender, &e.href);
        if !of_the_conversation || waits_for_the_end {
            return None;
        }
        if e.kind == "deleted" {
            return Some(format!("the conversation {} was deleted", e.href));
        }
        let connected = e
            .resource
            .as_ref()
            .filter(|r| r.properties.get("state").is_some_and(|s| s.as_text() == "Connected"));
        (wait.rel == "messaging" && connected.is_some_and(|r| r.link("messaging").is_none())).then(|| {
            format!(
                "the conversation {} is Connected and links no messaging modality",
                e.href
            )
        })
    };
    let began = ctx.waiting.begin(wanted.clone(), state.media, within);
    let waited = hub.wait_unless(matches, hopeless, within).await;
    drop(began);
    let (arrival, event) = match waited {
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
        Err(WaitError::CannotCome(why)) => {
            exchanges.push(record(None));
            return Err(StepEnd::Mismatches(vec![Mismatch {
                what: "event".into(),
                expected: wanted.clone(),
                actual: format!("none can come: {why}"),
                must: false,
            }]));
        }
        Err(WaitError::Untrusted(reason)) => {
            exchanges.push(record(None));
            return Err(StepEnd::Mismatches(vec![untrusted(reason)]));
        }
        Err(WaitError::Unreadable(reason)) => {
            exchanges.push(record(None));
            return Err(StepEnd::Mismatches(vec![Mismatch {
                what: "event channel".into(),
                expected: format!("a readable event batch with {wanted}"),
                actual: reason,
                must: false,
            }]));
        }
        Err(e) => {
            exchanges.push(record(None));
            return Err(StepEnd::error(StepError::Wait(e)));
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
    let Some(base) = application else {
        return Ok(());
    };
    let resource = event.resource.clone().unwrap_or_default();
    for capture in &step.captures {
        let value = captured_from(capture, &resource).map_err(|m| StepEnd::Mismatches(vec![m]))?;
        state.captures.insert(capture.name.clone(), (value, base.clone()));
    }
    Ok(())
}

/// `href` as an absolute URL against `base` (itself when it cannot be resolved).
fn resolve(base: Option<&url::Url>, href: &str) -> String {
    base.and_then(|b| b.join(href).ok())
        .map_or_else(|| href.to_string(), |u| u.to_string())
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
        "EVENT {} {} {} (sender {} {})\n",
        event.kind, event.rel, event.href, event.sender, event.sender_href
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
