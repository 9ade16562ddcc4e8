//! The event channel: the application's `events` link is a pending GET ("P-GET") with `ack`.
//!
//! `GET events?ack=K` answers batch K: at once when events are queued, else when one arrives, else
//! empty after the timeout; every batch has `_links.next` (ack K+1). Asking for K again re-sends
//! batch K (a lost response); any other ack gets a batch whose only link is `resync`. A second
//! P-GET with the same ack releases the earlier one with 409 Conflict / PGetReplaced.

use super::access::{AppState, application, caller_application, refuse};
use crate::errors::Problem;
use crate::hrefs;
use crate::mutants::Rules;
use crate::repr::{NS, Repr, esc, with_type};
use crate::res::Res;
use crate::world::Application;
use crate::world::events::{Event, Sender};
use crate::world::resources;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The documented bounds of the `timeout` query parameter, in seconds.
const TIMEOUT_RANGE_SECS: (u64, u64) = (180, 1800);

/// What one poll of the channel decided.
enum Poll {
    Answer(Response),
    Wait(Arc<Notify>),
}

/// The query of `GET events`, its names in any case.
struct EventsQuery {
    /// `ack` (1 when absent; `None` when it is not a number).
    ack: Option<u64>,
    /// `timeout`, in seconds, when it is a number.
    timeout: Option<u64>,
    /// `instanceId`, when not empty.
    instance: Option<String>,
}

impl EventsQuery {
    fn read(query: Option<&str>) -> Self {
        let params: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        Self {
            ack: param("ack").map_or(Some(1), |a| a.parse::<u64>().ok()),
            timeout: param("timeout").and_then(|t| t.parse::<u64>().ok()),
            instance: param("instanceId").filter(|i| !i.is_empty()).map(str::to_string),
        }
    }
}

/// GET events?ack=K.
pub async fn events(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let repr = Repr::from_accept(&headers);
    let EventsQuery {
        ack,
        timeout: requested_timeout,
        instance,
    } = EventsQuery::read(query.as_deref());
    let Some(ack) = ack else {
        return refuse(Problem::Invalid("ack must be a number.".into()), repr);
    };
    let pending = {
        let mut world = state.lock();
        let default_timeout = world.config.event_timeout;
        let rules = world.rules;
        let (user, app) = match caller_application(&mut world, &headers, &app_id, repr) {
            Ok(found) => found,
            Err(r) => return r.into_response(),
        };
        let mut pending = Pending {
            state: state.clone(),
            app_id: app_id.clone(),
            app_href: app.href.clone(),
            user,
            ack,
            instance,
            generation: 0,
            deadline: tokio::time::Instant::now(),
            repr,
        };
        let Some(channel) = app.channel_of(pending.instance.as_deref()) else {
            return refuse(Problem::NotFound, repr);
        };
        let expected = match &channel.delivered {
            Some((k, batch)) if *k == ack => {
                let batch = batch.clone();
                return pending.batch_response(&batch, app, &rules);
            }
            Some((k, _)) => k + 1,
            None => 1,
        };
        if ack != expected {
            let first_unacknowledged = channel.delivered.as_ref().map_or(1, |(k, _)| *k);
            return pending.resync_response(first_unacknowledged);
        }
        channel.generation += 1;
        channel.notify.notify_waiters();
        let timeout = requested_timeout
            .map(|t| Duration::from_secs(t.clamp(TIMEOUT_RANGE_SECS.0, TIMEOUT_RANGE_SECS.1)))
            .unwrap_or(default_timeout);
        pending.generation = channel.generation;
        pending.deadline += timeout;
        pending
    };
    loop {
        let notify = match pending.poll() {
            Poll::Answer(response) => return response,
            Poll::Wait(notify) => notify,
        };
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        // Look again now that the waiter is registered, so no wake-up is lost.
        if let Poll::Answer(response) = pending.poll() {
            return response;
        }
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep_until(pending.deadline) => {}
        }
    }
}

/// A pending GET on one application's channel.
struct Pending {
    state: AppState,
    app_id: String,
    app_href: String,
    user: String,
    ack: u64,
    /// The instance whose channel this is (`None`: the one created without an `instanceId`).
    instance: Option<String>,
    generation: u64,
    deadline: tokio::time::Instant,
    repr: Repr,
}

impl Pending {
    fn href(&self, ack: u64) -> String {
        match &self.instance {
            Some(i) => {
                let i: String = url::form_urlencoded::byte_serialize(i.as_bytes()).collect();
                format!("{}?ack={ack}&instanceId={i}", hrefs::events(&self.app_href))
            }
            None => format!("{}?ack={ack}", hrefs::events(&self.app_href)),
        }
    }

    /// One look at the channel: answer (events, empty release, replaced, application gone) or wait.
    fn poll(&self) -> Poll {
        let mut world = self.state.lock();
        let rules = world.rules;
        let app = match application(&mut world, &self.user, &self.app_id, self.repr) {
            Ok(a) => a,
            Err(r) => return Poll::Answer(r.into_response()),
        };
        let Some(channel) = app.channel_of(self.instance.as_deref()) else {
            return Poll::Answer(refuse(Problem::NotFound, self.repr));
        };
        if channel.generation != self.generation {
            return Poll::Answer(refuse(Problem::PGetReplaced, self.repr));
        }
        if !channel.queue.is_empty() || tokio::time::Instant::now() >= self.deadline {
            let batch: Vec<Event> = channel.queue.drain(..).collect();
            channel.delivered = Some((self.ack, batch.clone()));
            return Poll::Answer(self.batch_response(&batch, app, &rules));
        }
        Poll::Wait(Arc::clone(&channel.notify))
    }

    fn resync_response(&self, first_unacknowledged: u64) -> Response {
        let (self_href, resync) = (self.href(self.ack), self.href(first_unacknowledged));
        let body = match self.repr {
            Repr::Json => serde_json::json!({
                "_links": { "self": { "href": self_href }, "resync": { "href": resync } }
            })
            .to_string(),
            Repr::Xml => format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><events href=\"{}\" xmlns=\"{NS}\"><link rel=\"resync\" href=\"{}\"/></events>",
                esc(&self_href),
                esc(&resync)
            ),
        };
        let mut response = with_type(StatusCode::OK, self.repr, body);
        response.extensions_mut().insert(super::journal::Resynced);
        response
    }

    /// Batch `ack`: each event's resource drawn as it was when the event happened.
    fn batch_response(&self, batch: &[Event], app: &Application, rules: &Rules) -> Response {
        let (this, next) = (self.href(self.ack), self.href(self.ack + 1));
        let drawn: Vec<(&Event, Res)> = batch
            .iter()
            .map(|e| (e, resources::snapshot(app, &e.about, rules)))
            .collect();
        let groups = group_by_sender(&drawn);
        let body = match self.repr {
            Repr::Json => {
                let senders: Vec<serde_json::Value> = groups
                    .iter()
                    .map(|(sender, events)| {
                        serde_json::json!({
                            "rel": sender.rel.name(),
                            "href": sender.href,
                            "events": events.iter().map(|(e, res)| event_json(e, res)).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                let mut object = serde_json::json!({
                    "_links": { "self": { "href": this }, "next": { "href": next } }
                });
                if !senders.is_empty() {
                    object["sender"] = serde_json::Value::Array(senders);
                }
                object.to_string()
            }
            Repr::Xml => {
                let mut out = format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><events href=\"{}\" xmlns=\"{NS}\"><link rel=\"next\" href=\"{}\"/>",
                    esc(&this),
                    esc(&next)
                );
                for (sender, events) in &groups {
                    out.push_str(&format!(
                        "<sender rel=\"{}\" href=\"{}\">",
                        sender.rel.name(),
                        esc(&sender.href)
                    ));
                    for (e, res) in events {
                        out.push_str(&event_xml(e, res));
                    }
                    out.push_str("</sender>");
                }
                out.push_str("</events>");
                out
            }
        };
        with_type(StatusCode::OK, self.repr, body)
    }
}

/// Consecutive events of one sender form one `sender` entry (a sender may repeat, keeping order).
fn group_by_sender<'a>(batch: &'a [(&'a Event, Res)]) -> Vec<(&'a Sender, Vec<&'a (&'a Event, Res)>)> {
    let mut groups: Vec<(&Sender, Vec<&(&Event, Res)>)> = Vec::new();
    for drawn in batch {
        match groups.last_mut() {
            Some((sender, events)) if *sender == &drawn.0.sender => events.push(drawn),
            _ => groups.push((&drawn.0.sender, vec![drawn])),
        }
    }
    groups
}

fn event_json(e: &Event, res: &Res) -> serde_json::Value {
    let mut object = serde_json::json!({
        "link": { "rel": res.rel(), "href": res.href() },
        "type": e.kind.name(),
    });
    if let Some((rel, href)) = &e.within {
        object["in"] = serde_json::json!({ "rel": rel, "href": href });
    }
    if let Some(status) = e.status {
        object["status"] = serde_json::json!(status.name());
    }
    if let Some(r) = &e.reason {
        object["reason"] = serde_json::json!({ "code": r.code, "subcode": r.subcode, "message": r.message });
    }
    if e.embed {
        object["_embedded"] = serde_json::json!({ res.rel(): res.to_json() });
    }
    object
}

fn event_xml(e: &Event, res: &Res) -> String {
    let status = e
        .status
        .map(|s| format!(" status=\"{}\"", s.name()))
        .unwrap_or_default();
    let mut out = format!(
        "<{} rel=\"{}\" href=\"{}\"{status}>",
        e.kind.name(),
        esc(res.rel()),
        esc(res.href())
    );
    if let Some((rel, href)) = &e.within {
        out.push_str(&format!("<in rel=\"{}\" href=\"{}\"/>", esc(rel), esc(href)));
    }
    if let Some(r) = &e.reason {
        out.push_str(&format!(
            "<reason><code>{}</code><subcode>{}</subcode><message>{}</message></reason>",
            r.code,
            r.subcode,
            esc(r.message)
        ));
    }
    if e.embed {
        out.push_str(&res.to_xml(false));
    }
    out.push_str(&format!("</{}>", e.kind.name()));
    out
}
