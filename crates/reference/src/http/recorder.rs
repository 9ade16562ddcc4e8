//! The recorder: the middleware that writes each request and its answer into the journal of
//! clients (`journal`) when the server grades them.

use super::access::AppState;
use super::journal::{
    ApplicationAnswered, MAX_ANSWER, MAX_BODY, MAX_CLIENTS, MAX_SEEN, Resynced, Seen, application_of, hrefs_in,
};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;

/// The middleware: records each request and its answer when the server grades its clients.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.grading() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limit = state.lock().config.max_body_bytes.max(MAX_BODY);
    let bytes = axum::body::to_bytes(body, limit).await.unwrap_or_default();
    let text = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut seen = Seen {
        at: Duration::ZERO,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        content_type: text(header::CONTENT_TYPE),
        accept: text(header::ACCEPT),
        body: String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_BODY)]).into_owned(),
        status: 0,
        error: None,
        resync: false,
        links: Vec::new(),
    };
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (head, body) = response.into_parts();
    let answer = axum::body::to_bytes(body, MAX_ANSWER).await.unwrap_or_default();
    seen.links = hrefs_in(&String::from_utf8_lossy(&answer));
    let response = Response::from_parts(head, Body::from(answer));
    seen.status = response.status().as_u16();
    seen.error = response.extensions().get::<crate::repr::ErrorSent>().map(|sent| {
        let e = &sent.error;
        (e.code.to_string(), e.subcode.map(str::to_string), e.message.clone())
    });
    seen.resync = response.extensions().get::<Resynced>().is_some();
    let created = response.extensions().get::<ApplicationAnswered>().map(|a| a.0.clone());
    let mut journal = state.journal();
    seen.at = journal.started.elapsed();
    let id = created.clone().or_else(|| application_of(&seen.path));
    if let Some(id) = id
        && (journal.clients.contains_key(&id) || journal.clients.len() < MAX_CLIENTS)
    {
        let deleted = seen.method == "DELETE"
            && created.is_none()
            && seen.status < 300
            && application_of(&seen.path).is_some_and(|_| {
                seen.path
                    .trim_end_matches('/')
                    .to_ascii_lowercase()
                    .ends_with(&format!("/applications/{id}"))
            });
        let client = journal.clients.entry(id).or_default();
        if created.is_some() {
            client.created = Some(seen);
        } else if client.requests.len() < MAX_SEEN {
            client.deleted |= deleted;
            client.requests.push(seen);
        } else {
            client.dropped += 1;
        }
        if deleted {
            journal.changes += 1;
        }
    }
    response
}
