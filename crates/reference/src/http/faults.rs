//! The fault-control contract: `POST /_conformance/faults` with
//! `{"operationId": "...", "fault": "TooManyGroups" | "Unsupported" | "CannotRedirect" |
//! "CallbackChannelError"}` and a valid bearer token arms that fault; the next startMessaging
//! POST carrying that operationId answers with the fault's documented error, once.

use super::access::{AppState, authenticate};
use crate::world::Fault;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The path of the fault-control endpoint.
pub const FAULTS_PATH: &str = "/_conformance/faults";

/// POST faults: 204 when armed; 400 for an unknown fault or a bad body; 401 without a token.
pub async fn arm(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let mut world = state.lock();
    if let Err(r) = authenticate(&world, &headers) {
        return r.into_response();
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, format!("body is not JSON: {e}")).into_response();
        }
    };
    let operation_id = value
        .get("operationId")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty());
    let fault = value.get("fault").and_then(|v| v.as_str()).and_then(Fault::from_name);
    match (operation_id, fault) {
        (Some(_), Some(_)) if !world.rules.faults_armed => StatusCode::NO_CONTENT.into_response(),
        (Some(op), Some(fault)) => {
            if world.arm(op, fault) {
                StatusCode::NO_CONTENT.into_response()
            } else {
                (StatusCode::TOO_MANY_REQUESTS, "too many armed faults").into_response()
            }
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "expected {\"operationId\": \"...\", \"fault\": \"TooManyGroups|Unsupported|CannotRedirect|CallbackChannelError\"}",
        )
            .into_response(),
    }
}
