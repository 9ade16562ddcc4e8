//! A wait step: look on the media type's event channel for the first event of the step's type
//! and rel (and operationId, sender href, resource href and property values, when given),
//! within its budget; then judge the event. Hrefs are compared as absolute URLs (relative ones
//! resolved against the application, captured ones against where they were captured), ignoring
//! letter case, as UCWA clients compare them.

use super::context::{CaseState, RunContext};
use super::step::{StepEnd, StepError, captured_from, untrusted};
use crate::case::{Step, Template, Wait};
use crate::client::WaitError;
use crate::judge::check::judge_event;
use crate::judge::verdict::{Mismatch, MismatchKind};
use crate::record::exchange::Exchange;
use crate::wire::{Event, local_name};
use url::Url;

/// Runs a wait step: what it wants ([`Wanted`]), the wait on the channel, what a wait that
/// found nothing means ([`missed`]), the found event judged ([`judged`]), then its captures.
pub async fn wait_step(
    ctx: &RunContext,
    wait: &Wait,
    step: &Step,
    state: &mut CaseState<'_>,
    exchanges: &mut Vec<Exchange>,
) -> Result<(), StepEnd> {
    let wanted = Wanted::of(ctx, wait, state)?;
    let text = wanted.describe();
    let within = ctx
        .target
        .limits
        .max_wait
        .map_or(wait.within, |cap| cap.min(wait.within));
    let record = |event: Option<&Event>| Exchange::Event {
        wanted: text.clone(),
        within_ms: within.as_millis() as u64,
        event: event.map(describe_event),
    };
    let Some(hub) = ctx.hub(state.media) else {
        exchanges.push(record(None));
        return Err(StepEnd::error(StepError::NoEventChannel(state.media)));
    };
    let began = ctx.waiting.begin(text.clone(), state.media, within);
    let waited = hub
        .wait_unless(|e| wanted.matches(e), |e| wanted.cannot_come(e), within)
        .await;
    drop(began);
    let (arrival, event) = waited.map_err(|e| {
        exchanges.push(record(None));
        missed(e, &text)
    })?;
    exchanges.push(record(Some(&event)));
    judged(step, &event, arrival, state, &text)?;
    let Some(base) = wanted.application else {
        return Ok(());
    };
    let resource = event.resource.clone().unwrap_or_default();
    for capture in &step.captures {
        let value = captured_from(capture, &resource).map_err(|m| StepEnd::Mismatches(vec![m]))?;
        state.captures.insert(capture.name.clone(), (value, base.clone()));
    }
    Ok(())
}

/// What a wait step looks for, its placeholders filled and its hrefs absolute.
struct Wanted<'w> {
    wait: &'w Wait,
    operation_id: Option<String>,
    href: Option<String>,
    sender: Option<String>,
    /// Property values the event's resource must have.
    filter: Vec<(String, String)>,
    /// The user's application, against which the events' relative hrefs resolve.
    application: Option<Url>,
}

impl<'w> Wanted<'w> {
    /// The step's wait with the run's values: captured hrefs resolve against where they were
    /// captured, others against the application.
    fn of(ctx: &RunContext, wait: &'w Wait, state: &CaseState<'_>) -> Result<Self, StepEnd> {
        let application = ctx
            .session(crate::case::Identity::User, state.media)
            .map(|s| s.application.clone());
        let absolute = |template: &Option<Template>| -> Result<Option<String>, StepEnd> {
            let Some(template) = template else { return Ok(None) };
            let base = state.base_of(template).or_else(|| application.clone());
            let text = template.render(state).map_err(StepEnd::from)?;
            Ok(Some(resolve(base.as_ref(), &text)))
        };
        let mut filter = Vec::new();
        for (name, value) in &wait.filter {
            filter.push((name.clone(), value.render(state).map_err(StepEnd::from)?));
        }
        Ok(Self {
            wait,
            operation_id: wait
                .operation_id
                .as_ref()
                .map(|t| t.render(state))
                .transpose()
                .map_err(StepEnd::from)?,
            href: absolute(&wait.href)?,
            sender: absolute(&wait.sender)?,
            filter,
            application,
        })
    }

    /// `a `completed` event for `messagingInvitation` with operationId `x` ...`, as the
    /// exchange records it and a difference names it.
    fn describe(&self) -> String {
        let mut text = format!("a `{}` event for `{}`", self.wait.kind, self.wait.rel);
        if let Some(o) = &self.operation_id {
            text.push_str(&format!(" with operationId `{o}`"));
        }
        if let Some(h) = &self.href {
            text.push_str(&format!(" at {h}"));
        }
        if let Some(s) = &self.sender {
            text.push_str(&format!(" from sender {s}"));
        }
        for (name, value) in &self.filter {
            text.push_str(&format!(" where {name} = `{value}`"));
        }
        text
    }

    /// An href of an event is the one wanted (any, when none is).
    fn same(&self, wanted: &Option<String>, got: &str) -> bool {
        wanted
            .as_ref()
            .is_none_or(|w| w.eq_ignore_ascii_case(&resolve(self.application.as_ref(), got)))
    }

    /// The event is the one wanted.
    fn matches(&self, e: &Event) -> bool {
        e.kind == self.wait.kind
            && local_name(&e.rel) == self.wait.rel
            && self
                .operation_id
                .as_ref()
                .is_none_or(|op| embedded_operation_id(e).as_deref() == Some(op.as_str()))
            && self.same(&self.href, &e.href)
            && self.same(&self.sender, &e.sender_href)
            && self.filter.iter().all(|(name, value)| {
                e.resource
                    .as_ref()
                    .and_then(|r| r.properties.get(name))
                    .is_some_and(|p| p.as_text() == *value)
            })
    }

    /// Why, after `e`, the wanted event can no longer come, if it cannot: a conversation's event
    /// once the conversation was deleted (unless that deletion is what is wanted), or a
    /// messaging event from a conversation that is Connected and links no messaging modality
    /// (a target without the modality finishes as fast as one with it).
    fn cannot_come(&self, e: &Event) -> Option<String> {
        let waits_for_the_end = self.wait.kind == "deleted" && self.wait.rel == "conversation";
        let of_the_conversation =
            self.sender.is_some() && local_name(&e.rel) == "conversation" && self.same(&self.sender, &e.href);
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
        (self.wait.rel == "messaging" && connected.is_some_and(|r| r.link("messaging").is_none())).then(|| {
            format!(
                "the conversation {} is Connected and links no messaging modality",
                e.href
            )
        })
    }
}

/// What a wait that found no event means: the target's difference (none came, none can come,
/// an href outside the trust set, an unreadable batch), or the harness's error.
fn missed(error: WaitError, wanted: &str) -> StepEnd {
    let difference = |what: &str, expected: String, actual: String| {
        StepEnd::Mismatches(vec![Mismatch {
            kind: MismatchKind::Event,
            what: what.into(),
            expected,
            actual,
            must: false,
        }])
    };
    match error {
        WaitError::TimedOut { within, seen } => difference(
            "event",
            format!("{wanted} within {within:?}"),
            format!("none ({seen} events arrived on the channel)"),
        ),
        WaitError::CannotCome(why) => difference("event", wanted.to_string(), format!("none can come: {why}")),
        WaitError::Untrusted(reason) => StepEnd::Mismatches(vec![untrusted(reason)]),
        WaitError::Unreadable(reason) => {
            difference("event channel", format!("a readable event batch with {wanted}"), reason)
        }
        error => StepEnd::error(StepError::Wait(error)),
    }
}

/// The found event (arrival number `arrival` on the channel) against the step's expectation,
/// and, when the step asks, after the event the previous wait step found.
fn judged(step: &Step, event: &Event, arrival: u64, state: &mut CaseState<'_>, wanted: &str) -> Result<(), StepEnd> {
    let mut mismatches = judge_event(&step.expect, event, state);
    let previous = state.last_event.replace(arrival);
    if step.expect.event.as_ref().is_some_and(|e| e.after_previous)
        && let Some(previous) = previous
        && arrival < previous
    {
        mismatches.push(Mismatch {
            kind: MismatchKind::EventOrder,
            what: "event order".into(),
            expected: format!(
                "{wanted}, after the event the previous wait step found (event #{previous} on the channel)"
            ),
            actual: format!("it arrived earlier, as event #{arrival}"),
            must: false,
        });
    }
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(StepEnd::Mismatches(mismatches))
    }
}

/// `href` as an absolute URL against `base` (itself when it cannot be resolved).
fn resolve(base: Option<&Url>, href: &str) -> String {
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
