//! startMessaging, per the seed page. Checks, in order: token (401), application (404/410) and
//! method (405), before the body is read (`AppCall`, the router); then size (413), content type (415), syntax (400 BadRequest), parameters (400
//! ParameterValidationFailure); then the world starts the invitation or refuses it (the
//! anonymous target, an armed fault, a duplicate: `World::start_messaging`). Then 201 with the
//! Location of the new messagingInvitation, and the invited peer answers a little later.

use super::access::{AppCall, AppState, refuse};
use crate::hrefs;
use crate::input;
use crate::repr::{Repr, body_kind};
use crate::validation;
use crate::world::{Outcome, PeerBehaviour, Started};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How long a peer that accepts or declines takes to answer.
/// Long enough that a client reading the invitation right after starting it sees it waiting
/// (Connecting, with its cancel link): the reference's snapshots depend on that.
const ANSWER_DELAY: Duration = Duration::from_millis(500);

/// POST on the startMessaging href: starts an invitation (other methods: `access::wrong_method`).
pub async fn start(
    call: AppCall,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (limit, rules) = call.limits();
    let error_repr = Repr::for_error(&headers);
    let request = input::bytes(body, limit)
        .await
        .and_then(|bytes| validation::start_request(query.as_deref(), body_kind(&headers), &bytes, &rules));
    let request = match request {
        Ok(r) => r,
        Err(problem) => return refuse(problem, error_repr),
    };
    let started = call.with_world(|world, app_id, _| world.start_messaging(call.user(), app_id, request));
    let Started {
        application_href,
        invitation,
        peer,
        timeout,
    } = match started {
        Ok(started) => started,
        Err(problem) => return refuse(problem, error_repr),
    };
    answer_later(
        &state,
        call.with_world(|_, app_id, _| app_id.to_string()),
        invitation,
        peer,
        timeout,
    );
    let mut response = StatusCode::CREATED.into_response();
    let location = hrefs::invitation(&application_href, &invitation.to_string());
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// The invited peer answers as it behaves: accepts or declines shortly, never answers (the
/// invitation fails with Timeout after the invitation timeout), or is unknown (DestinationNotFound).
fn answer_later(state: &AppState, app: String, invitation: u64, peer: Option<PeerBehaviour>, timeout: Duration) {
    let outcome = Outcome::of(peer);
    let delay = if peer == Some(PeerBehaviour::Ignore) {
        timeout
    } else {
        ANSWER_DELAY
    };
    if peer == Some(PeerBehaviour::Ignore) && !state.lock().rules.unanswered_completes {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let mut world = state.lock();
        let rules = world.rules;
        if let Some(application) = world.applications.get_mut(&app) {
            application.answer(invitation, outcome, &rules);
        }
    });
}
