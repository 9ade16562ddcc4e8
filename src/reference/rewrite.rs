//! The mutants that change only what is sent back, as an axum middleware (a no-op for the
//! reference): the status and headers of a response, and the errors the reference sends, edited
//! as values ([`ErrorSent`]) and written again. Nothing here edits written text; mutants of a
//! resource's content change the resource tree where it is built (`Rules`).

use super::http::access::AppState;
use super::mutants::Mutant;
use super::repr::{ErrorSent, Repr, UcwaError};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

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
    let (mut parts, mut body) = response.into_parts();
    // An error the reference sent is edited as a value and written again.
    if let Some(mut sent) = parts.extensions.get::<ErrorSent>().cloned()
        && error(mutant, &mut sent)
    {
        parts.status = sent.error.status;
        parts
            .headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(sent.repr.content_type()));
        parts.headers.remove(header::CONTENT_LENGTH);
        body = Body::from(sent.error.body(sent.repr));
    }
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
        Mutant::Forbidden400 => {
            if status == StatusCode::FORBIDDEN {
                parts.status = StatusCode::BAD_REQUEST;
            }
        }
        Mutant::EntityTooLarge400 => {
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                parts.status = StatusCode::BAD_REQUEST;
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
        // Edited as error values (`error`).
        Mutant::PvfSubcodeMissing
        | Mutant::TooManyGroupsNoSubcode
        | Mutant::TooManyGroupsWrongCase
        | Mutant::UnsupportedWithSubcode
        | Mutant::CannotRedirectWrongSubcode
        | Mutant::AlreadyExists400
        | Mutant::CallbackChannelWrongCode
        | Mutant::ErrorsAlwaysJson
        | Mutant::XmlErrorsWrongNamespace
        | Mutant::MalformedBody500
        | Mutant::ApplicationNotFoundNoSubcode => {}
        // The others change behaviour (see `Rules::of`), the resource tree included; their
        // responses pass as they are.
        Mutant::InvitationIncoming
        | Mutant::NoCancelLink
        | Mutant::NoStartMessagingLink
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
    Response::from_parts(parts, body)
}

/// Edits an error the reference sent as `mutant` would; true when it changed.
fn error(mutant: Mutant, sent: &mut ErrorSent) -> bool {
    let e = &mut sent.error;
    let drop_subcode = |e: &mut UcwaError, subcode: &str| {
        let had = e.subcode == Some(subcode);
        if had {
            e.subcode = None;
        }
        had
    };
    match mutant {
        Mutant::PvfSubcodeMissing => drop_subcode(e, "ParameterValidationFailure"),
        Mutant::TooManyGroupsNoSubcode => drop_subcode(e, "TooManyGroups"),
        Mutant::ApplicationNotFoundNoSubcode => drop_subcode(e, "ApplicationNotFound"),
        Mutant::TooManyGroupsWrongCase => replace_subcode(e, "TooManyGroups", "toomanygroups"),
        Mutant::CannotRedirectWrongSubcode => replace_subcode(e, "CannotRedirect", "Redirected"),
        Mutant::UnsupportedWithSubcode => {
            let bare_conflict = e.status == StatusCode::CONFLICT && e.subcode.is_none();
            if bare_conflict {
                e.subcode = Some("Unsupported");
            }
            bare_conflict
        }
        Mutant::AlreadyExists400 => {
            let exists = e.status == StatusCode::CONFLICT && e.subcode == Some("AlreadyExists");
            if exists {
                e.status = StatusCode::BAD_REQUEST;
                e.code = "BadRequest";
            }
            exists
        }
        Mutant::CallbackChannelWrongCode => {
            let failure = e.code == "ServiceFailure";
            if failure {
                e.code = "InternalServerError";
            }
            failure
        }
        Mutant::ErrorsAlwaysJson => {
            let xml = e.status.is_client_error() && sent.repr == Repr::Xml;
            if xml {
                sent.repr = Repr::Json;
            }
            xml
        }
        Mutant::XmlErrorsWrongNamespace => {
            let xml = sent.repr == Repr::Xml;
            if xml {
                e.namespace = "urn:example:errors";
            }
            xml
        }
        Mutant::MalformedBody500 => {
            let malformed = e.subcode == Some("DeserializationFailure");
            if malformed {
                e.status = StatusCode::INTERNAL_SERVER_ERROR;
            }
            malformed
        }
        // The others do not touch error values.
        Mutant::Created200
        | Mutant::NoLocation
        | Mutant::LocationToConversation
        | Mutant::Forbidden400
        | Mutant::EntityTooLarge400
        | Mutant::ErrorsTextPlain
        | Mutant::MethodNotAllowed404
        | Mutant::UnsupportedMediaType400
        | Mutant::InvitationIncoming
        | Mutant::NoCancelLink
        | Mutant::NoStartMessagingLink
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
        | Mutant::ApplicationPerPost => false,
    }
}

fn replace_subcode(e: &mut UcwaError, from: &str, to: &'static str) -> bool {
    let had = e.subcode == Some(from);
    if had {
        e.subcode = Some(to);
    }
    had
}
