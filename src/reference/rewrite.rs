//! The mutants that change only what is sent back: an axum middleware that edits each response
//! on its way out (a no-op for the reference).

use super::http::access::AppState;
use super::mutants::Mutant;
use super::repr::NS;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Largest response body the rewrite reads (responses of the reference are small).
const MAX_REWRITE_BYTES: usize = 1024 * 1024;

/// The response-rewriting mutants, as an axum middleware (no-op without a mutant).
pub async fn rewrite(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(mutant) = state.lock().config.mutant else {
        return next.run(request).await;
    };
    let start_messaging = request.method() == Method::POST
        && request
            .uri()
            .path()
            .to_ascii_lowercase()
            .ends_with("/messaginginvitations");
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REWRITE_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    let is_xml = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.to_str().unwrap_or("").contains("xml"));
    let status = parts.status;
    match mutant {
        Mutant::Created200 => {
            if start_messaging && status == StatusCode::CREATED {
                parts.status = StatusCode::OK;
            }
        }
        Mutant::NoLocation => {
            if start_messaging {
                parts.headers.remove(header::LOCATION);
            }
        }
        Mutant::LocationToConversation => {
            if start_messaging {
                let moved = parts
                    .headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(|l| l.replace("messagingInvitations", "conversations"));
                if let Some(v) = moved.and_then(|l| HeaderValue::from_str(&l).ok()) {
                    parts.headers.insert(header::LOCATION, v);
                }
            }
        }
        Mutant::InvitationIncoming => {
            text = text.replace("Outgoing", "Incoming");
        }
        Mutant::NoCancelLink => {
            text = remove_cancel_links(&text);
        }
        Mutant::Forbidden400 => {
            if status == StatusCode::FORBIDDEN {
                parts.status = StatusCode::BAD_REQUEST;
            }
        }
        Mutant::PvfSubcodeMissing => {
            text = remove_subcode(&text, "ParameterValidationFailure", is_xml);
        }
        Mutant::TooManyGroupsNoSubcode => {
            text = remove_subcode(&text, "TooManyGroups", is_xml);
        }
        Mutant::TooManyGroupsWrongCase => {
            text = text.replace("TooManyGroups", "toomanygroups");
        }
        Mutant::UnsupportedWithSubcode => {
            if status == StatusCode::CONFLICT && !text.contains("subcode") {
                text = add_subcode(&text, "Unsupported", is_xml);
            }
        }
        Mutant::CannotRedirectWrongSubcode => {
            text = text.replace("CannotRedirect", "Redirected");
        }
        Mutant::AlreadyExists400 => {
            if status == StatusCode::CONFLICT && text.contains("AlreadyExists") {
                parts.status = StatusCode::BAD_REQUEST;
                text = text.replace("Conflict", "BadRequest");
            }
        }
        Mutant::EntityTooLarge400 => {
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                parts.status = StatusCode::BAD_REQUEST;
            }
        }
        Mutant::CallbackChannelWrongCode => {
            text = text.replace("ServiceFailure", "InternalServerError");
        }
        Mutant::ErrorsAlwaysJson => {
            if status.is_client_error() && is_xml {
                text = xml_error_as_json(&text);
                parts.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
            }
        }
        Mutant::ErrorsTextPlain => {
            if status.is_client_error() || status.is_server_error() {
                parts.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
            }
        }
        Mutant::XmlErrorsWrongNamespace => {
            if is_xml && text.contains("<reason") {
                text = text.replace(&format!("xmlns=\"{NS}\""), "xmlns=\"urn:example:errors\"");
            }
        }
        Mutant::MalformedBody500 => {
            if text.contains("DeserializationFailure") {
                parts.status = StatusCode::INTERNAL_SERVER_ERROR;
            }
        }
        Mutant::ApplicationNotFoundNoSubcode => {
            text = remove_subcode(&text, "ApplicationNotFound", is_xml);
        }
        Mutant::MethodNotAllowed404 => {
            if status == StatusCode::METHOD_NOT_ALLOWED {
                parts.status = StatusCode::NOT_FOUND;
            }
        }
        Mutant::UnsupportedMediaType400 => {
            if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                parts.status = StatusCode::BAD_REQUEST;
            }
        }
        // The others change behaviour (see `Rules::of`); their responses pass as they are.
        Mutant::NoStartMessagingLink
        | Mutant::StartMessagingMoved
        | Mutant::QueryIgnored
        | Mutant::OperationIdNotRequired
        | Mutant::ToNotRequired
        | Mutant::OperationIdLimit49
        | Mutant::OperationIdUnlimited
        | Mutant::SubjectLimit249
        | Mutant::SubjectUnlimited
        | Mutant::SubjectLimitInBytes
        | Mutant::SubjectTruncated
        | Mutant::OperationIdLowercased
        | Mutant::MessageLinkDropped
        | Mutant::ThreadIdLimit249
        | Mutant::ThreadIdUnlimited
        | Mutant::ImportanceUnchecked
        | Mutant::ImportanceCaseSensitiveLower
        | Mutant::SipUnchecked
        | Mutant::DataUriUnchecked
        | Mutant::PercentEncodingRefused
        | Mutant::CustomContentRefused
        | Mutant::UnknownInputsRefused
        | Mutant::AnonymousTargetUnchecked
        | Mutant::DuplicatesAllowed
        | Mutant::FaultsIgnored
        | Mutant::TokenNotChecked
        | Mutant::BodyLimitOff
        | Mutant::NoStartedEvent
        | Mutant::OperationIdNotEchoed
        | Mutant::NoCompletedEvent
        | Mutant::InvitationEventsWrongSender
        | Mutant::StartedAfterCompleted
        | Mutant::NoAcceptedByParticipant
        | Mutant::CompletedStatusFailure
        | Mutant::DeclinedAsSuccess
        | Mutant::FailureWithoutReason
        | Mutant::NoAnswerNeverCompletes
        | Mutant::CancelIgnored
        | Mutant::FirstMessageNotInEvents
        | Mutant::MessagingNeverConnected
        | Mutant::SendMessageLinkMissing
        | Mutant::SendMessageNoLocation
        | Mutant::MessageNotCompleted
        | Mutant::StopLeavesConversation
        | Mutant::MakeMeAvailable200
        | Mutant::MakeMeAvailableRepeatAllowed
        | Mutant::BatchNotServed
        | Mutant::NoMessagingModality
        | Mutant::ApplicationPerPost => {}
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

fn remove_cancel_links(text: &str) -> String {
    let json = regex::Regex::new(r#","cancel":\{"href":"[^"]*"\}|"cancel":\{"href":"[^"]*"\},?"#).ok();
    let xml = regex::Regex::new(r#"<link rel="cancel" href="[^"]*"/>"#).ok();
    let mut out = text.to_string();
    for re in [json, xml].into_iter().flatten() {
        out = re.replace_all(&out, "").into_owned();
    }
    out
}

fn remove_subcode(text: &str, subcode: &str, xml: bool) -> String {
    if xml {
        text.replace(&format!("<subcode>{subcode}</subcode>"), "")
    } else {
        text.replace(&format!(",\"subcode\":\"{subcode}\""), "")
            .replace(&format!("\"subcode\":\"{subcode}\","), "")
    }
}

fn add_subcode(text: &str, subcode: &str, xml: bool) -> String {
    if xml {
        text.replacen("</code>", &format!("</code><subcode>{subcode}</subcode>"), 1)
    } else {
        text.replacen('{', &format!("{{\"subcode\":\"{subcode}\","), 1)
    }
}

fn xml_error_as_json(text: &str) -> String {
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return text.to_string();
    };
    let child = |name: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
    };
    serde_json::json!({ "code": child("code"), "subcode": child("subcode"), "message": child("message") }).to_string()
}
