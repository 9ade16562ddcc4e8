//! The mutants that change only what is sent back, as an axum middleware (a no-op for the
//! reference): the status and headers of a response, and the errors the reference sends, edited
//! as values ([`ErrorSent`]) and written again. It applies the edit a mutant's table row declares
//! ([`ResponseEdit`], [`ErrorEdit`]) and names no mutant. Nothing here edits written text;
//! mutants of a resource's content change the resource tree where it is built (`Rules`).

use crate::http::access::AppState;
use crate::mutants::{ErrorEdit, Mechanism, Mutant, ResponseEdit};
use crate::repr::{ErrorSent, Repr, UcwaError};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::response::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The response-rewriting mutants, as an axum middleware (no-op without a mutant, and for a
/// mutant that changes the rules instead).
pub async fn rewrite(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The lock is released before the handler runs.
    let mechanism = state.lock().config.mutant.map(Mutant::mechanism);
    let (response_edit, error_edit) = match mechanism {
        None | Some(Mechanism::Rule(_)) => return next.run(request).await,
        Some(Mechanism::Response(edit)) => (Some(edit), None),
        Some(Mechanism::Error(edit)) => (None, Some(edit)),
    };
    let start_messaging = request.method() == Method::POST
        && request
            .uri()
            .path()
            .to_ascii_lowercase()
            .ends_with("/messaginginvitations");
    let response = next.run(request).await;
    let (mut parts, mut body) = response.into_parts();
    if let Some(edit) = response_edit {
        edit_response(edit, &mut parts, start_messaging);
    }
    if let Some(edit) = error_edit
        && let Some(mut sent) = parts.extensions.get::<ErrorSent>().cloned()
        && edit_error(edit, &mut sent)
    {
        parts.status = sent.error.status;
        parts
            .headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(sent.repr.content_type()));
        parts.headers.remove(header::CONTENT_LENGTH);
        body = Body::from(sent.error.body(sent.repr));
    }
    Response::from_parts(parts, body)
}

/// Applies `edit` to a response's status and headers (`start`: it answers startMessaging's POST).
fn edit_response(edit: ResponseEdit, parts: &mut Parts, start: bool) {
    match edit {
        ResponseEdit::StartCreatedAs(status) => {
            if start && parts.status == StatusCode::CREATED {
                parts.status = status_code(status);
            }
        }
        ResponseEdit::StartWithoutLocation => {
            if start {
                parts.headers.remove(header::LOCATION);
            }
        }
        ResponseEdit::StartLocation { from, to } => {
            let moved = parts
                .headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| l.replace(from, to));
            if let Some(v) = moved.filter(|_| start).and_then(|l| HeaderValue::from_str(&l).ok()) {
                parts.headers.insert(header::LOCATION, v);
            }
        }
        ResponseEdit::Status { from, to } => {
            if parts.status.as_u16() == from {
                parts.status = status_code(to);
            }
        }
        ResponseEdit::ErrorContentType(content_type) => {
            if parts.status.is_client_error() || parts.status.is_server_error() {
                parts
                    .headers
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            }
        }
    }
}

/// Applies `edit` to the error a response carries; true when it changed.
fn edit_error(edit: ErrorEdit, sent: &mut ErrorSent) -> bool {
    let e = &mut sent.error;
    match edit {
        ErrorEdit::DropSubcode(subcode) => replace_subcode(e, subcode, None),
        ErrorEdit::Subcode { from, to } => replace_subcode(e, from, Some(to)),
        ErrorEdit::SubcodeOnBareConflict(subcode) => {
            let bare_conflict = e.status == StatusCode::CONFLICT && e.subcode.is_none();
            if bare_conflict {
                e.subcode = Some(subcode);
            }
            bare_conflict
        }
        ErrorEdit::StatusOfSubcode { subcode, status, code } => {
            let found = e.subcode == Some(subcode);
            if found {
                e.status = status_code(status);
                e.code = code.unwrap_or(e.code);
            }
            found
        }
        ErrorEdit::Code { from, to } => {
            let found = e.code == from;
            if found {
                e.code = to;
            }
            found
        }
        ErrorEdit::ClientErrorsInJson => {
            let xml = e.status.is_client_error() && sent.repr == Repr::Xml;
            if xml {
                sent.repr = Repr::Json;
            }
            xml
        }
        ErrorEdit::XmlNamespace(namespace) => {
            let xml = sent.repr == Repr::Xml;
            if xml {
                e.namespace = namespace;
            }
            xml
        }
    }
}

/// The status of a mutant's table (every one a valid status code).
fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Replaces subcode `from` (when the error has it) by `to`; true when it did.
fn replace_subcode(e: &mut UcwaError, from: &str, to: Option<&'static str>) -> bool {
    let had = e.subcode == Some(from);
    if had {
        e.subcode = to;
    }
    had
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_a_mutant_sends_is_a_status() {
        for mutant in Mutant::ALL {
            let status = match mutant.mechanism() {
                Mechanism::Response(ResponseEdit::StartCreatedAs(status) | ResponseEdit::Status { to: status, .. }) => {
                    status
                }
                Mechanism::Error(ErrorEdit::StatusOfSubcode { status, .. }) => status,
                _ => continue,
            };
            assert!(StatusCode::from_u16(status).is_ok(), "{}: {status}", mutant.name());
        }
    }
}
