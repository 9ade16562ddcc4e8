//! The applications collection, an application (GET, DELETE), and its embedded resources
//! `me` and `communication` with the `startMessaging` link.

use super::access::{AppState, authenticate, caller_application};
use super::discovery::{ANONYMOUS_APPLICATIONS_PATH, APPLICATIONS_PATH};
use super::input::{self, Input};
use super::mutants::Mutant;
use super::repr::{Repr, Res, UcwaError};
use super::state::{ANONYMOUS_APPLICATION_IDS, AppFields};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Longest `culture`, `endpointId`, `instanceId` and `userAgent` (documented: 100).
pub const MAX_APPLICATION_FIELD: usize = 100;

/// The href of an application.
pub fn app_href(id: u64) -> String {
    if id >= ANONYMOUS_APPLICATION_IDS {
        format!("{ANONYMOUS_APPLICATIONS_PATH}/{id}")
    } else {
        format!("{APPLICATIONS_PATH}/{id}")
    }
}

/// The resource of application `id` with its embedded `me` and `communication`.
fn application_resource(id: u64, user: &str, input: &AppFields, mutant: Option<Mutant>) -> Res {
    let href = app_href(id);
    let me = Res::new("me", format!("{href}/me"))
        .prop("name", user.split('@').next().unwrap_or(user))
        .prop("uri", format!("sip:{user}"));
    Res::new("application", href.clone())
        .prop("culture", input.culture.clone())
        .prop("endpointId", input.endpoint_id.clone())
        .prop("id", id.to_string())
        .prop("type", "Browser")
        .prop("userAgent", input.user_agent.clone())
        .link("events", format!("{href}/events?ack=1"))
        .embed(me)
        .embed(communication_resource(id, mutant))
}

/// The communication resource of application `id`.
pub fn communication_resource(id: u64, mutant: Option<Mutant>) -> Res {
    let href = format!("{}/communication", app_href(id));
    let resource = Res::new("communication", href.clone())
        .list("supportedMessageFormats", &["Plain", "Html"])
        .list("supportedModalities", &["Messaging"]);
    match mutant {
        Some(Mutant::NoStartMessagingLink) => resource,
        Some(Mutant::StartMessagingMoved) => resource.link_rev("startMessaging", format!("{href}/startMessaging"), "2"),
        _ => resource.link_rev("startMessaging", format!("{href}/messagingInvitations"), "2"),
    }
}

/// The application inputs: `culture` and `userAgent` required, `endpointId` too for signed-in
/// users (anonymous applications do without), each at most 100 characters.
fn fields(input: &Input, anonymous: bool) -> Result<AppFields, UcwaError> {
    let mut missing = Vec::new();
    for name in ["culture", "endpointId", "userAgent", "instanceId"] {
        if let Some(v) = input.get(name)
            && v.chars().count() > MAX_APPLICATION_FIELD
        {
            return Err(UcwaError::invalid(format!(
                "{name} exceeds the maximum length of {MAX_APPLICATION_FIELD}."
            )));
        }
        let optional = name == "instanceId" || (anonymous && name == "endpointId");
        if !optional && input.get(name).is_none_or(str::is_empty) {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        return Err(UcwaError::invalid(format!(
            "Missing required parameters: {}.",
            missing.join(", ")
        )));
    }
    let get = |n: &str| input.get(n).unwrap_or_default().to_string();
    Ok(AppFields {
        culture: get("culture"),
        endpoint_id: get("endpointId"),
        user_agent: get("userAgent"),
    })
}

/// POST applications (signed-in users): 201 with the application resource.
pub async fn create(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    create_for(state, query, headers, body, false).await
}

/// POST anonApplications (`psat=` tokens): 201 with an anonymous application under `/ucwa/psanon/`.
pub async fn create_anonymous(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    create_for(state, query, headers, body, true).await
}

async fn create_for(
    state: AppState,
    query: Option<String>,
    headers: HeaderMap,
    body: Body,
    anonymous: bool,
) -> Response {
    let repr = Repr::from_accept(&headers);
    let (user, limit) = {
        let world = state.lock();
        let user = match authenticate(&world, &headers) {
            Ok(u) => u,
            Err(r) => return r.into_response(),
        };
        if world.anonymous_targets.contains_key(&user) != anonymous {
            let which = if anonymous {
                "anonymous tokens"
            } else {
                "signed-in users"
            };
            return UcwaError::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                None,
                format!("This collection is for {which} only."),
            )
            .respond(repr);
        }
        (user, world.config.max_body_bytes)
    };
    let fields = match input::bytes(body, limit).await {
        Ok(bytes) => input::read(query.as_deref(), &headers, &bytes).and_then(|i| fields(&i, anonymous)),
        Err(e) => Err(e),
    };
    let fields = match fields {
        Ok(f) => f,
        Err(e) => return e.respond(Repr::for_error(&headers)),
    };
    let Some(id) = state.lock().create_application(&user, fields.clone()) else {
        return UcwaError::new(
            StatusCode::GONE,
            "Gone",
            Some("TooManyApplications"),
            "Too many applications.",
        )
        .respond(repr);
    };
    let mutant = state.lock().config.mutant;
    let mut response = application_resource(id, &user, &fields, mutant).respond(StatusCode::CREATED, repr);
    response
        .headers_mut()
        .insert(header::ETAG, HeaderValue::from_static("\"1\""));
    response
}

/// GET or DELETE an application; other methods get 405.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: axum::http::Method,
    headers: HeaderMap,
) -> Response {
    let repr = Repr::from_accept(&headers);
    let mut world = state.lock();
    let (user, fields) = match caller_application(&mut world, &headers, &id, repr) {
        Ok((user, app)) => (user, app.fields.clone()),
        Err(r) => return r.into_response(),
    };
    let Ok(numeric) = id.parse::<u64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match method {
        axum::http::Method::GET => {
            application_resource(numeric, &user, &fields, world.config.mutant).respond(StatusCode::OK, repr)
        }
        axum::http::Method::DELETE => {
            world.applications.remove(&numeric);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => method_not_allowed(repr),
    }
}

/// GET communication.
pub async fn communication(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let repr = Repr::from_accept(&headers);
    let mut world = state.lock();
    if let Err(r) = caller_application(&mut world, &headers, &id, repr) {
        return r.into_response();
    }
    match id.parse::<u64>() {
        Ok(n) => communication_resource(n, world.config.mutant).respond(StatusCode::OK, repr),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// 405 MethodNotAllowed in `repr`.
pub fn method_not_allowed(repr: Repr) -> Response {
    UcwaError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        None,
        "The HTTP method is not supported here.",
    )
    .respond(repr)
}
