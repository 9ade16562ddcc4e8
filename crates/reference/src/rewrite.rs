//! The mutants that change only what is sent back, as an axum middleware (a no-op for the
//! reference): the status and headers of a response, and the errors the reference sends, edited
//! as values ([`ErrorSent`]) and written again. Nothing here edits written text; mutants of a
//! resource's content change the resource tree where it is built (`Rules`).

use crate::http::access::AppState;
use crate::mutants::Mutant;
use crate::repr::{ErrorSent, Repr, UcwaError};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::response::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// What a mutant changes in what is sent back.
enum Edit {
    /// Nothing: it changes behaviour (`Rules::of`), the resource tree included.
    Nothing,
    /// An error the reference sent, as a value; true when it changed.
    Error(fn(&mut ErrorSent) -> bool),
    /// The status or headers of a response (the flag: it answers startMessaging's POST).
    Response(fn(&mut Parts, bool)),
}

/// The edit of each mutant: the one place that sorts them, without a catch-all.
fn edit(mutant: Mutant) -> Edit {
    match mutant {
        Mutant::Created200 => Edit::Response(|parts, start| {
            if start && parts.status == StatusCode::CREATED {
                parts.status = StatusCode::OK;
            }
        }),
        Mutant::NoLocation => Edit::Response(|parts, start| {
            if start {
                parts.headers.remove(header::LOCATION);
            }
        }),
        Mutant::LocationToConversation => Edit::Response(|parts, start| {
            let moved = parts
                .headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| l.replace("messagingInvitations", "conversations"));
            if let Some(v) = moved.filter(|_| start).and_then(|l| HeaderValue::from_str(&l).ok()) {
                parts.headers.insert(header::LOCATION, v);
            }
        }),
        Mutant::Forbidden400 => Edit::Response(|parts, _| swap_status(parts, StatusCode::FORBIDDEN)),
        Mutant::EntityTooLarge400 => Edit::Response(|parts, _| swap_status(parts, StatusCode::PAYLOAD_TOO_LARGE)),
        Mutant::UnsupportedMediaType400 => {
            Edit::Response(|parts, _| swap_status(parts, StatusCode::UNSUPPORTED_MEDIA_TYPE))
        }
        Mutant::MethodNotAllowed404 => Edit::Response(|parts, _| {
            if parts.status == StatusCode::METHOD_NOT_ALLOWED {
                parts.status = StatusCode::NOT_FOUND;
            }
        }),
        Mutant::ErrorsTextPlain => Edit::Response(|parts, _| {
            if parts.status.is_client_error() || parts.status.is_server_error() {
                parts.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
            }
        }),
        Mutant::PvfSubcodeMissing => Edit::Error(|sent| drop_subcode(&mut sent.error, "ParameterValidationFailure")),
        Mutant::TooManyGroupsNoSubcode => Edit::Error(|sent| drop_subcode(&mut sent.error, "TooManyGroups")),
        Mutant::ApplicationNotFoundNoSubcode => {
            Edit::Error(|sent| drop_subcode(&mut sent.error, "ApplicationNotFound"))
        }
        Mutant::TooManyGroupsWrongCase => {
            Edit::Error(|sent| replace_subcode(&mut sent.error, "TooManyGroups", "toomanygroups"))
        }
        Mutant::CannotRedirectWrongSubcode => {
            Edit::Error(|sent| replace_subcode(&mut sent.error, "CannotRedirect", "Redirected"))
        }
        Mutant::UnsupportedWithSubcode => Edit::Error(|sent| {
            let e = &mut sent.error;
            let bare_conflict = e.status == StatusCode::CONFLICT && e.subcode.is_none();
            if bare_conflict {
                e.subcode = Some("Unsupported");
            }
            bare_conflict
        }),
        Mutant::AlreadyExists400 => Edit::Error(|sent| {
            let e = &mut sent.error;
            let exists = e.status == StatusCode::CONFLICT && e.subcode == Some("AlreadyExists");
            if exists {
                e.status = StatusCode::BAD_REQUEST;
                e.code = "BadRequest";
            }
            exists
        }),
        Mutant::CallbackChannelWrongCode => Edit::Error(|sent| {
            let failure = sent.error.code == "ServiceFailure";
            if failure {
                sent.error.code = "InternalServerError";
            }
            failure
        }),
        Mutant::ErrorsAlwaysJson => Edit::Error(|sent| {
            let xml = sent.error.status.is_client_error() && sent.repr == Repr::Xml;
            if xml {
                sent.repr = Repr::Json;
            }
            xml
        }),
        Mutant::XmlErrorsWrongNamespace => Edit::Error(|sent| {
            let xml = sent.repr == Repr::Xml;
            if xml {
                sent.error.namespace = "urn:example:errors";
            }
            xml
        }),
        Mutant::MalformedBody500 => Edit::Error(|sent| {
            let malformed = sent.error.subcode == Some("DeserializationFailure");
            if malformed {
                sent.error.status = StatusCode::INTERNAL_SERVER_ERROR;
            }
            malformed
        }),
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
        | Mutant::ApplicationPerPost
        | Mutant::SubjectUncheckedWithThreadId
        | Mutant::OperationIdOptionalWithMessage
        | Mutant::ThreadIdLimitInUtf16
        | Mutant::OperationIdLimitInBytesXml => Edit::Nothing,
    }
}

/// The response-rewriting mutants, as an axum middleware (no-op without a mutant).
pub async fn rewrite(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The lock is released before the handler runs.
    let mutant = state.lock().config.mutant;
    let edit = match mutant.map(edit) {
        None | Some(Edit::Nothing) => return next.run(request).await,
        Some(edit) => edit,
    };
    let start_messaging = request.method() == Method::POST
        && request
            .uri()
            .path()
            .to_ascii_lowercase()
            .ends_with("/messaginginvitations");
    let response = next.run(request).await;
    let (mut parts, mut body) = response.into_parts();
    match edit {
        Edit::Nothing => {}
        Edit::Response(change) => change(&mut parts, start_messaging),
        Edit::Error(change) => {
            if let Some(mut sent) = parts.extensions.get::<ErrorSent>().cloned()
                && change(&mut sent)
            {
                parts.status = sent.error.status;
                parts
                    .headers
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(sent.repr.content_type()));
                parts.headers.remove(header::CONTENT_LENGTH);
                body = Body::from(sent.error.body(sent.repr));
            }
        }
    }
    Response::from_parts(parts, body)
}

/// An error status answered as 400 instead.
fn swap_status(parts: &mut Parts, from: StatusCode) {
    if parts.status == from {
        parts.status = StatusCode::BAD_REQUEST;
    }
}

fn drop_subcode(e: &mut UcwaError, subcode: &str) -> bool {
    let had = e.subcode == Some(subcode);
    if had {
        e.subcode = None;
    }
    had
}

fn replace_subcode(e: &mut UcwaError, from: &str, to: &'static str) -> bool {
    let had = e.subcode == Some(from);
    if had {
        e.subcode = Some(to);
    }
    had
}
