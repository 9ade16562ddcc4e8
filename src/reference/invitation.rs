//! The messagingInvitation a startMessaging creates, its conversation, and their life: the
//! `started` and `added` events at once, then, as the invited peer behaves, `completed` with
//! Success (accepted) or Failure and a reason (declined, no answer in time, unknown peer).

use super::access::{AppState, caller_application};
use super::applications::{app_href, method_not_allowed};
use super::events::{Event, Reason, Sender};
use super::messaging::invitations_href;
use super::mutants::Mutant;
use super::repr::{Repr, Res, UcwaError};
use super::state::{Invitation, InvitationState, PeerBehaviour};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How long a peer that accepts or declines takes to answer.
/// Long enough that a client reading the invitation right after starting it sees it waiting
/// (Connecting, with its cancel link): the reference's snapshots depend on that.
const ANSWER_DELAY: Duration = Duration::from_millis(500);

fn communication_sender(app: u64) -> Sender {
    Sender {
        rel: "communication",
        href: format!("{}/communication", app_href(app)),
    }
}

/// The sender of a messagingInvitation's own events: `communication` (facts 2), or the
/// conversation for the mutant that files them wrongly.
fn invitation_sender(app: u64, i: &Invitation, mutant: Option<Mutant>) -> Sender {
    match mutant {
        Some(Mutant::InvitationEventsWrongSender) => Sender {
            rel: "conversation",
            href: conversation_href(app, i.id),
        },
        _ => communication_sender(app),
    }
}

fn conversation_href(app: u64, id: u64) -> String {
    format!("{}/communication/conversations/{id}", app_href(app))
}

/// The messagingInvitation resource; once accepted it embeds `acceptedByParticipant`.
pub fn invitation_resource(app: u64, i: &Invitation) -> Res {
    let res = plain_invitation_resource(app, i);
    if i.state != InvitationState::Connected {
        return res;
    }
    let participant = Res::new(
        "participant",
        format!("{}/participants/{}", conversation_href(app, i.id), i.to),
    )
    .prop("uri", i.to.clone())
    .prop(
        "name",
        i.to.trim_start_matches("sip:").split('@').next().unwrap_or_default(),
    );
    res.embed_list("acceptedByParticipant", vec![participant])
}

/// The messagingInvitation's properties and links, without embedded resources.
fn plain_invitation_resource(app: u64, i: &Invitation) -> Res {
    let mut res = Res::new("messagingInvitation", format!("{}/{}", invitations_href(app), i.id))
        .prop("direction", "Outgoing")
        .prop("importance", i.importance.clone())
        .prop("operationId", i.operation_id.clone())
        .prop("state", i.state.as_str())
        .prop("subject", i.subject.clone())
        .prop("threadId", i.thread_id.clone())
        .prop("to", i.to.clone())
        .link("conversation", conversation_href(app, i.id));
    if let Some(m) = &i.message {
        res = res.link("message", m.clone());
    }
    if let Some(c) = &i.custom_content {
        res = res.link("customContent", c.clone());
    }
    // Capability links come and go with state: an invitation can be cancelled while it waits.
    if i.state == InvitationState::Connecting {
        res = res.link("cancel", format!("{}/{}/cancel", invitations_href(app), i.id));
    }
    res
}

/// The conversation of an invitation (one conversation per invitation).
fn conversation_resource(app: u64, i: &Invitation) -> Res {
    let (state, modalities): (&str, &[&str]) = match i.state {
        InvitationState::Connecting => ("Connecting", &[]),
        InvitationState::Connected => ("Connected", &["Messaging"]),
        InvitationState::Failed | InvitationState::Cancelled => ("Disconnected", &[]),
    };
    Res::new("conversation", conversation_href(app, i.id))
        .prop("state", state)
        .prop("subject", i.subject.clone())
        .prop("importance", i.importance.clone())
        .prop("threadId", i.thread_id.clone())
        .list("activeModalities", modalities)
}

/// The invitation as events embed it (mutants may leave out the operationId or the participants).
fn event_resource(app: u64, i: &Invitation, mutant: Option<Mutant>) -> Res {
    match mutant {
        Some(Mutant::OperationIdNotEchoed) => invitation_resource(
            app,
            &Invitation {
                operation_id: String::new(),
                ..i.clone()
            },
        ),
        Some(Mutant::NoAcceptedByParticipant) => plain_invitation_resource(app, i),
        _ => invitation_resource(app, i),
    }
}

/// The events of a new invitation: messagingInvitation `started`, conversation `added`.
pub fn started(app: u64, i: &Invitation, mutant: Option<Mutant>) -> Vec<Event> {
    let sender = communication_sender(app);
    let mut events = Vec::new();
    if mutant != Some(Mutant::NoStartedEvent) {
        events.push(Event {
            sender: invitation_sender(app, i, mutant),
            kind: "started",
            resource: event_resource(app, i, mutant),
            embed: true,
            status: None,
            reason: None,
        });
    }
    events.push(Event {
        sender,
        kind: "added",
        resource: conversation_resource(app, i),
        embed: true,
        status: None,
        reason: None,
    });
    events
}

/// The events of an invitation that just ended.
fn completed(app: u64, i: &Invitation, mutant: Option<Mutant>) -> Vec<Event> {
    let sender = communication_sender(app);
    let conversation = conversation_resource(app, i);
    let reason = i
        .failure
        .filter(|_| mutant != Some(Mutant::FailureWithoutReason))
        .map(|subcode| Reason {
            code: if subcode == "Canceled" {
                "LocalFailure"
            } else {
                "RemoteFailure"
            },
            subcode,
            message: match subcode {
                "Declined" => "Your invitation was declined.",
                "Timeout" => "The invitation was not answered in time.",
                "Canceled" => "The invitation was cancelled.",
                _ => "The person you invited could not be found.",
            },
        });
    let (mut status, conversation_kind) = match i.state {
        InvitationState::Connected => ("Success", "updated"),
        InvitationState::Connecting | InvitationState::Failed | InvitationState::Cancelled => ("Failure", "deleted"),
    };
    match mutant {
        Some(Mutant::CompletedStatusFailure) if status == "Success" => status = "Failure",
        Some(Mutant::DeclinedAsSuccess) if i.failure == Some("Declined") => status = "Success",
        _ => {}
    }
    let mut events = vec![Event {
        sender: sender.clone(),
        kind: conversation_kind,
        resource: conversation,
        embed: conversation_kind == "updated",
        status: None,
        reason: None,
    }];
    if mutant != Some(Mutant::NoCompletedEvent) {
        events.push(Event {
            sender: invitation_sender(app, i, mutant),
            kind: "completed",
            resource: event_resource(app, i, mutant),
            embed: true,
            status: Some(status),
            reason,
        });
    }
    events
}

/// Moves the invitation on as the peer behaves: accepted or declined shortly, failed with
/// Timeout after the invitation timeout, DestinationNotFound for an unknown peer.
pub fn answer_later(state: &AppState, app: u64, id: u64, peer: Option<PeerBehaviour>, timeout: Duration) {
    let (delay, outcome) = match peer {
        Some(PeerBehaviour::Accept) => (ANSWER_DELAY, (InvitationState::Connected, None)),
        Some(PeerBehaviour::Decline) => (ANSWER_DELAY, (InvitationState::Failed, Some("Declined"))),
        Some(PeerBehaviour::Ignore) => (timeout, (InvitationState::Failed, Some("Timeout"))),
        None => (ANSWER_DELAY, (InvitationState::Failed, Some("DestinationNotFound"))),
    };
    let never = peer == Some(PeerBehaviour::Ignore) && state.lock().is(Mutant::NoAnswerNeverCompletes);
    if never {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let mut world = state.lock();
        let mutant = world.config.mutant;
        let Some(application) = world.applications.get_mut(&app) else {
            return;
        };
        let Some(invitation) = application.invitations.get_mut(&id) else {
            return;
        };
        if invitation.state != InvitationState::Connecting {
            return;
        }
        invitation.state = outcome.0;
        invitation.failure = outcome.1;
        let mut events = completed(app, invitation, mutant);
        if mutant == Some(Mutant::StartedAfterCompleted) {
            // Held back when the invitation began: the events arrive out of order.
            events.extend(started(app, invitation, None));
        }
        application.channel.push(events);
    });
}

/// Which resource of an invitation a GET asks for.
#[derive(Debug, Clone, Copy)]
enum Part {
    Invitation,
    Conversation,
}

/// GET a messagingInvitation.
pub async fn get_invitation(
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    respond(&state, (&app_id, &id), &method, &headers, Part::Invitation)
}

/// GET a conversation.
pub async fn get_conversation(
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    respond(&state, (&app_id, &id), &method, &headers, Part::Conversation)
}

fn respond(state: &AppState, (app_id, id): (&str, &str), method: &Method, headers: &HeaderMap, part: Part) -> Response {
    let repr = Repr::from_accept(headers);
    let mut world = state.lock();
    let app = match caller_application(&mut world, headers, app_id, repr) {
        Ok((_, app)) => app,
        Err(r) => return r.into_response(),
    };
    let Some(invitation) = id.parse::<u64>().ok().and_then(|id| app.invitations.get(&id)) else {
        return UcwaError::new(StatusCode::NOT_FOUND, "NotFound", None, "The resource does not exist.").respond(repr);
    };
    if method != Method::GET {
        return method_not_allowed(repr);
    }
    let app_number = app_id.parse().unwrap_or_default();
    let resource = match part {
        Part::Invitation => invitation_resource(app_number, invitation),
        Part::Conversation => conversation_resource(app_number, invitation),
    };
    resource.respond(StatusCode::OK, repr)
}

/// POST cancel: 204; a waiting invitation is cancelled and completes with Failure, reason
/// LocalFailure / Canceled; cancelling one that no longer waits changes nothing.
pub async fn cancel(
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let repr = Repr::from_accept(&headers);
    let mut world = state.lock();
    let mutant = world.config.mutant;
    let app = match caller_application(&mut world, &headers, &app_id, repr) {
        Ok((_, app)) => app,
        Err(r) => return r.into_response(),
    };
    if method != Method::POST {
        return method_not_allowed(repr);
    }
    let app_number = app_id.parse().unwrap_or_default();
    let Some(invitation) = id.parse::<u64>().ok().and_then(|id| app.invitations.get_mut(&id)) else {
        return UcwaError::new(StatusCode::NOT_FOUND, "NotFound", None, "The resource does not exist.").respond(repr);
    };
    if invitation.state == InvitationState::Connecting && mutant != Some(Mutant::CancelIgnored) {
        invitation.state = InvitationState::Cancelled;
        invitation.failure = Some("Canceled");
        let events = completed(app_number, invitation, mutant);
        app.channel.push(events);
    }
    StatusCode::NO_CONTENT.into_response()
}
