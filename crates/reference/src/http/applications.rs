//! The applications collection, an application (GET, DELETE), its `communication` with the
//! active conversations, and `people` search.

use super::access::{AppCall, AppState, application, authenticate, refuse};
use crate::errors::Problem;
use crate::hrefs;
use crate::input;
use crate::repr::{Repr, Res};
use crate::validation;
use crate::world::resources;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

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
            return refuse(
                Problem::Forbidden(format!("This collection is for {which} only.")),
                repr,
            );
        }
        (user, world.config.max_body_bytes)
    };
    let fields = match input::bytes(body, limit).await {
        Ok(bytes) => {
            input::read(query.as_deref(), &headers, &bytes).and_then(|i| validation::application(&i, anonymous))
        }
        Err(e) => Err(e),
    };
    let fields = match fields {
        Ok(f) => f,
        Err(problem) => return refuse(problem, Repr::for_error(&headers)),
    };
    let instance = fields.instance_id.clone();
    let mut world = state.lock();
    let Some((id, created)) = world.create_application(&user, fields) else {
        return refuse(Problem::TooManyApplications, repr);
    };
    let rules = world.rules;
    let Some(app) = world.applications.get(&id) else {
        return refuse(Problem::ApplicationNotFound, repr);
    };
    // MultiTabSupport.md: 201 when an instance (and its event channel) was created, 200 when
    // the application and instance existed.
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    let mut response = resources::application(app, &rules, instance.as_deref()).respond(status, repr);
    response
        .headers_mut()
        .insert(header::ETAG, HeaderValue::from_static("\"1\""));
    response
        .extensions_mut()
        .insert(super::journal::ApplicationAnswered(id.clone()));
    response
}

/// GET an application (`?instanceId=` names an instance).
pub async fn one(call: AppCall, RawQuery(query): RawQuery) -> Response {
    let instance = instance_of(query.as_deref());
    call.with(|app, rules, repr| resources::application(app, rules, instance.as_deref()).respond(StatusCode::OK, repr))
}

/// DELETE an application: 204; with `?instanceId=` naming one of several instances, only that
/// instance goes (MultiTabSupport.md).
pub async fn delete(call: AppCall, RawQuery(query): RawQuery) -> Response {
    let instance = instance_of(query.as_deref());
    call.with_world(|world, app_id, repr| {
        let app = match application(world, call.user(), app_id, repr) {
            Ok(app) => app,
            Err(refused) => return refused.into_response(),
        };
        if let Some(instance) = instance.as_deref()
            && app.instances.contains_key(instance)
            && app.instances.len() > 1
        {
            app.instances.remove(instance);
            return StatusCode::NO_CONTENT.into_response();
        }
        world.applications.remove(app_id);
        StatusCode::NO_CONTENT.into_response()
    })
}

/// The `instanceId` of a query, if it names one.
pub fn instance_of(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("instanceId"))
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// GET communication.
pub async fn communication(call: AppCall) -> Response {
    call.with(|app, rules, repr| resources::communication(app, rules).respond(StatusCode::OK, repr))
}

/// GET conversations (`?filter=active`): the live conversations, embedded.
pub async fn conversations(call: AppCall) -> Response {
    call.with(|app, rules, repr| {
        let live: Vec<Res> = app
            .invitations
            .values()
            .filter(|i| !i.conversation_gone)
            .map(|i| resources::conversation(app, i, rules))
            .collect();
        Res::new("conversations", hrefs::conversations(&app.href))
            .embed_list("conversation", live)
            .respond(StatusCode::OK, repr)
    })
}

/// GET people/search?query=...: contacts of the directory (configured users and peers) whose
/// SIP URI contains the query; `query` required, at most 256 characters.
pub async fn search(call: AppCall, RawQuery(query): RawQuery) -> Response {
    let directory = call.with_world(|world, _, _| world.directory());
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    call.with(|app, _, repr| {
        let Some(text) = param("query").filter(|q| !q.trim().is_empty()) else {
            return refuse(Problem::Invalid("Missing required parameters: query.".into()), repr);
        };
        if text.chars().count() > 256 {
            return refuse(
                Problem::Invalid("query exceeds the maximum length of 256.".into()),
                repr,
            );
        }
        let limit = param("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(100)
            .clamp(1, 100);
        let needle = text.to_ascii_lowercase();
        let found: Vec<Res> = directory
            .iter()
            .filter(|uri| uri.to_ascii_lowercase().contains(&needle))
            .map(|uri| resources::contact(app, uri))
            .collect();
        let more = found.len() > limit;
        Res::new("search", format!("{}/search", hrefs::people(&app.href)))
            .prop("moreResultsAvailable", if more { "true" } else { "false" })
            .embed_list("contact", found.into_iter().take(limit).collect())
            .respond(StatusCode::OK, repr)
    })
}

/// GET myContacts: the configured peers (a client building its "to" list finds them here).
pub async fn my_contacts(call: AppCall) -> Response {
    let peers: Vec<String> = call.with_world(|world, _, _| world.config.peers.iter().map(|(p, _)| p.clone()).collect());
    call.with(|app, _, repr| {
        let contacts = peers.iter().map(|uri| resources::contact(app, uri)).collect();
        Res::new("myContacts", format!("{}/contacts", hrefs::people(&app.href)))
            .embed_list("contact", contacts)
            .respond(StatusCode::OK, repr)
    })
}

/// GET a contact of the directory (where an invitation's `to` link points); 404 for others.
pub async fn contact(call: AppCall, Path((_, who)): Path<(String, String)>) -> Response {
    let directory = call.with_world(|world, _, _| world.directory());
    call.with(
        |app, _, repr| match directory.iter().find(|uri| hrefs::bare(uri).eq_ignore_ascii_case(&who)) {
            Some(uri) => resources::contact(app, uri).respond(StatusCode::OK, repr),
            None => refuse(Problem::NotFound, repr),
        },
    )
}

/// POST addParticipant: the reference offers one-to-one conversations only (403, no subcode).
pub async fn add_participant(call: AppCall) -> Response {
    call.with(|_, _, repr| {
        refuse(
            Problem::Forbidden("The reference server offers one-to-one conversations only.".into()),
            repr,
        )
    })
}
