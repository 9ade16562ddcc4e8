//! The messagingInvitation (GET, cancel) and the conversation it opens: GET conversation,
//! participants and messaging; sendMessage (201 with the message's Location), the messages
//! sent, setIsTyping, typingParticipants, and stopMessaging (204; the conversation ends).

use super::access::{AppCall, no_content, refuse};
use crate::errors::Problem;
use crate::hrefs;
use crate::input;
use crate::repr::Res;
use crate::world::ConversationState;
use crate::world::resources;
use axum::body::Body;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// GET a messagingInvitation.
pub async fn invitation(call: AppCall, Path((_, id)): Path<(String, String)>) -> Response {
    call.with(|app, rules, repr| match app.invitation(&id) {
        Some(i) => resources::invitation(app, i, rules).respond(StatusCode::OK, repr),
        None => refuse(Problem::NotFound, repr),
    })
}

/// POST cancel: 204; a waiting invitation is cancelled (see `Application::cancel`).
pub async fn cancel(call: AppCall, Path((_, id)): Path<(String, String)>) -> Response {
    call.with(|app, rules, repr| no_content(app.cancel(&id, rules), repr))
}

/// GET a conversation (404 once it ended).
pub async fn conversation(call: AppCall, Path((_, id)): Path<(String, String)>) -> Response {
    call.with(|app, rules, repr| match app.conversation(&id) {
        Some(i) => resources::conversation(app, i, rules).respond(StatusCode::OK, repr),
        None => refuse(Problem::NotFound, repr),
    })
}

/// GET messaging.
pub async fn messaging(call: AppCall, Path((_, id)): Path<(String, String)>) -> Response {
    call.with(|app, rules, repr| match app.conversation(&id) {
        Some(i) => resources::messaging(app, i, rules).respond(StatusCode::OK, repr),
        None => refuse(Problem::NotFound, repr),
    })
}

/// GET participants: the local participant and, once connected, the peer.
pub async fn participants(call: AppCall, Path((_, id)): Path<(String, String)>) -> Response {
    call.with(|app, _, repr| {
        let Some(i) = app.conversation(&id) else {
            return refuse(Problem::NotFound, repr);
        };
        let mut listed = vec![resources::local_participant(app, i)];
        if i.conversation == ConversationState::Connected {
            listed.push(resources::remote_participant(app, i));
        }
        Res::new("participants", hrefs::participants(&i.conversation_href(&app.href)))
            .embed_list("participant", listed)
            .respond(StatusCode::OK, repr)
    })
}

/// GET a participant, or (`…/messaging`) its participantMessaging.
pub async fn participant(call: AppCall, Path((_, id, rest)): Path<(String, String, String)>) -> Response {
    call.with(|app, _, repr| {
        let Some(i) = app.conversation(&id) else {
            return refuse(Problem::NotFound, repr);
        };
        let (who, messaging) = match rest.strip_suffix("/messaging") {
            Some(who) => (who, true),
            None => (rest.as_str(), false),
        };
        let local = resources::local_participant(app, i);
        let remote = resources::remote_participant(app, i);
        let connected = i.conversation == ConversationState::Connected;
        let found = [Some(local), connected.then_some(remote)]
            .into_iter()
            .flatten()
            .find(|p| {
                p.href()
                    .rsplit('/')
                    .next()
                    .is_some_and(|last| last.eq_ignore_ascii_case(who))
            });
        match found {
            Some(p) if messaging => resources::participant_messaging(p.href()).respond(StatusCode::OK, repr),
            Some(p) => p.respond(StatusCode::OK, repr),
            None => refuse(Problem::NotFound, repr),
        }
    })
}

/// POST sendMessage: a `text/plain` or `text/html` body (any charset), `operationId` or
/// `OperationContext` in the query; 201 with the message's Location and no body.
pub async fn send_message(
    call: AppCall,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let repr = call.repr;
    let (limit, _) = call.limits();
    let html = match message_kind(&headers) {
        Some(html) => html,
        None => return refuse(Problem::UnsupportedMediaType("text/plain or text/html"), repr),
    };
    let text = match input::bytes(body, limit).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(problem) => return refuse(problem, repr),
    };
    if text.trim().is_empty() {
        return refuse(Problem::Invalid("The message is empty.".into()), repr);
    }
    let operation_id = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("operationId") || k.eq_ignore_ascii_case("OperationContext"))
        .map(|(_, v)| v.into_owned());
    call.with(|app, rules, repr| {
        let sent = app.send_message(&id, text, html, operation_id, rules);
        match sent {
            Ok(number) => {
                let mut response = StatusCode::CREATED.into_response();
                let conversation = hrefs::conversation(&app.href, &id);
                let location = format!("{}/{number}", hrefs::messages(&conversation));
                if rules.message_location
                    && let Ok(v) = HeaderValue::from_str(&location)
                {
                    response.headers_mut().insert(header::LOCATION, v);
                }
                response
            }
            Err(problem) => refuse(problem, repr),
        }
    })
}

/// `Some(false)` for text/plain, `Some(true)` for text/html, `None` for anything else.
fn message_kind(headers: &HeaderMap) -> Option<bool> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    match value.split(';').next()?.trim().to_ascii_lowercase().as_str() {
        "text/plain" => Some(false),
        "text/html" => Some(true),
        _ => None,
    }
}

/// GET a message that was sent.
pub async fn message(call: AppCall, Path((_, id, number)): Path<(String, String, String)>) -> Response {
    call.with(|app, _, repr| {
        let found = app
            .conversation(&id)
            .and_then(|i| i.message(&number).map(|m| resources::message(app, i, m)));
        match found {
            Some(m) => m.respond(StatusCode::OK, repr),
            None => refuse(Problem::NotFound, repr),
        }
    })
}

/// POST stopMessaging: 204, and the conversation ends (404 from then on).
pub async fn stop_messaging(call: AppCall, Path((_, id)): Path<(String, String)>) -> Response {
    call.with(|app, rules, repr| no_content(app.stop_messaging(&id, rules), repr))
}

/// POST setIsTyping: 204 while messaging is connected.
pub async fn typing(call: AppCall, Path((_, id)): Path<(String, String)>) -> Response {
    call.with(|app, _, repr| no_content(app.set_typing(&id), repr))
}

/// GET typingParticipants: nobody types at the reference.
pub async fn typing_participants(call: AppCall, Path((_, id)): Path<(String, String)>) -> Response {
    call.with(|app, _, repr| match app.conversation(&id) {
        Some(i) => Res::new(
            "typingParticipants",
            hrefs::typing_participants(&i.conversation_href(&app.href)),
        )
        .respond(StatusCode::OK, repr),
        None => refuse(Problem::NotFound, repr),
    })
}
