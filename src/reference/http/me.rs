//! `me` and what hangs off it: GET me, POST makeMeAvailable, and the presence, note and
//! location resources (409 MakeMeAvailableRequired before makeMeAvailable) and reportMyActivity.

use super::super::errors::Problem;
use super::super::hrefs;
use super::super::input;
use super::super::repr::{Repr, Res};
use super::super::resources;
use super::super::validation;
use super::access::{AppState, before_body, caller_application, on_application, refuse};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// GET me.
pub async fn me(State(state): State<AppState>, Path(id): Path<String>, method: Method, headers: HeaderMap) -> Response {
    on_application(&state, &headers, &id, &method, Method::GET, |app, _, repr| {
        resources::me(app).respond(StatusCode::OK, repr)
    })
}

/// POST makeMeAvailable: 204 (`makeMeAvailable_ref.md`); see `Application::make_available`.
pub async fn make_me_available(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let repr = Repr::from_accept(&headers);
    let limit = match before_body(&state, &headers, &id, &method, Method::POST, repr) {
        Ok(checked) => checked.limit,
        Err(refused) => return refused.into_response(),
    };
    let availability = match input::bytes(body, limit).await {
        Ok(bytes) => input::read(None, &headers, &bytes).and_then(|i| validation::make_me_available(&i)),
        Err(e) => Err(e),
    };
    let availability = match availability {
        Ok(a) => a,
        Err(problem) => return refuse(problem, Repr::for_error(&headers)),
    };
    let mut world = state.lock();
    let rules = world.rules;
    let app = match caller_application(&mut world, &headers, &id, repr) {
        Ok((_, app)) => app,
        Err(r) => return r.into_response(),
    };
    match app.make_available(availability, &rules) {
        Ok(()) if rules.make_me_available_no_content => StatusCode::NO_CONTENT.into_response(),
        Ok(()) => resources::me(app).respond(StatusCode::OK, repr),
        Err(problem) => refuse(problem, repr),
    }
}

/// GET presence, note or location (POST reportMyActivity): available only after makeMeAvailable.
pub async fn part(
    State(state): State<AppState>,
    Path((id, part)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let repr = Repr::from_accept(&headers);
    let mut world = state.lock();
    let app = match caller_application(&mut world, &headers, &id, repr) {
        Ok((_, app)) => app,
        Err(r) => return r.into_response(),
    };
    let (name, expected) = match part.as_str() {
        "presence" => ("presence", Method::GET),
        "note" => ("note", Method::GET),
        "location" => ("location", Method::GET),
        "reportmyactivity" => ("reportMyActivity", Method::POST),
        _ => return refuse(Problem::NotFound, repr),
    };
    if app.available.is_none() {
        return refuse(Problem::MakeMeAvailableRequired, repr);
    }
    if method != expected {
        return refuse(Problem::MethodNotAllowed, repr);
    }
    let href = hrefs::me_part(&app.href, name);
    match name {
        "presence" => Res::new(name, href)
            .prop("availability", "Online")
            .prop("activity", "Available"),
        "note" => Res::new(name, href).prop("message", "").prop("type", "Personal"),
        "location" => Res::new(name, href).prop("location", ""),
        _ => return StatusCode::NO_CONTENT.into_response(),
    }
    .respond(StatusCode::OK, repr)
}
