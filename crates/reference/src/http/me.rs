//! `me` and what hangs off it: GET me, POST makeMeAvailable, and the presence, note and
//! location resources (409 MakeMeAvailableRequired before makeMeAvailable) and reportMyActivity.

use super::access::{AppCall, refuse};
use crate::errors::Problem;
use crate::hrefs;
use crate::input;
use crate::repr::{Repr, Res};
use crate::validation;
use crate::world::Application;
use crate::world::resources;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// GET me.
pub async fn me(call: AppCall) -> Response {
    call.with(|app, _, repr| resources::me(app).respond(StatusCode::OK, repr))
}

/// POST makeMeAvailable: 204 (`makeMeAvailable_ref.md`); see `Application::make_available`.
pub async fn make_me_available(call: AppCall, headers: HeaderMap, body: Body) -> Response {
    let (limit, _) = call.limits();
    let availability = match input::bytes(body, limit).await {
        Ok(bytes) => input::read(None, &headers, &bytes).and_then(|i| validation::make_me_available(&i)),
        Err(e) => Err(e),
    };
    let availability = match availability {
        Ok(a) => a,
        Err(problem) => return refuse(problem, Repr::for_error(&headers)),
    };
    call.with(|app, rules, repr| match app.make_available(availability, rules) {
        Ok(()) if rules.make_me_available_no_content => StatusCode::NO_CONTENT.into_response(),
        Ok(()) => resources::me(app).respond(StatusCode::OK, repr),
        Err(problem) => refuse(problem, repr),
    })
}

/// Runs `answer` on the caller's application once makeMeAvailable has made it available (409
/// MakeMeAvailableRequired before; 401/404/410 as every application resource).
fn on_available(call: &AppCall, answer: impl FnOnce(&Application, Repr) -> Response) -> Response {
    call.with(|app, _, repr| {
        if app.available.is_none() {
            return refuse(Problem::MakeMeAvailableRequired, repr);
        }
        answer(app, repr)
    })
}

/// GET presence.
pub async fn presence(call: AppCall) -> Response {
    on_available(&call, |app, repr| {
        Res::new("presence", hrefs::me_part(&app.href, "presence"))
            .prop("availability", "Online")
            .prop("activity", "Available")
            .respond(StatusCode::OK, repr)
    })
}

/// GET note.
pub async fn note(call: AppCall) -> Response {
    on_available(&call, |app, repr| {
        Res::new("note", hrefs::me_part(&app.href, "note"))
            .prop("message", "")
            .prop("type", "Personal")
            .respond(StatusCode::OK, repr)
    })
}

/// GET location.
pub async fn location(call: AppCall) -> Response {
    on_available(&call, |app, repr| {
        Res::new("location", hrefs::me_part(&app.href, "location"))
            .prop("location", "")
            .respond(StatusCode::OK, repr)
    })
}

/// POST reportMyActivity: 204.
pub async fn report_my_activity(call: AppCall) -> Response {
    on_available(&call, |_, _| StatusCode::NO_CONTENT.into_response())
}

/// Another method on presence, note, location or reportMyActivity: 409 before makeMeAvailable
/// (as the right method gets), then 405.
pub async fn part_wrong_method(call: AppCall) -> Response {
    on_available(&call, |_, repr| refuse(Problem::MethodNotAllowed, repr))
}

/// A part `me` does not have: 404 once the caller and the application check out.
pub async fn unknown_part(call: AppCall) -> Response {
    call.with(|_, _, repr| refuse(Problem::NotFound, repr))
}
