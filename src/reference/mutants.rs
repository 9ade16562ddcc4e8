//! Deliberately broken variants of the reference server, each breaking one spec item, so the
//! suite can prove that its cases catch what they claim (`serve --mutant NAME`, the `mutants`
//! command, and `cargo test`). Mutants that change only what is sent back are applied here, as a
//! response rewrite; mutants that change behaviour are a check in the handler they concern.

use super::access::AppState;
use super::repr::NS;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

macro_rules! mutants {
    ($($variant:ident = $name:literal, $item:literal, $what:literal;)*) => {
        /// A deliberate deviation from the spec.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Mutant { $(#[doc = $what] $variant,)* }

        impl Mutant {
            /// Every mutant.
            pub const ALL: &'static [Mutant] = &[$(Mutant::$variant,)*];

            /// Its name (`serve --mutant NAME`).
            pub fn name(self) -> &'static str {
                match self { $(Mutant::$variant => $name,)* }
            }

            /// The spec item (inventory id) it breaks.
            pub fn breaks(self) -> &'static str {
                match self { $(Mutant::$variant => $item,)* }
            }

            /// What it does wrong.
            pub fn description(self) -> &'static str {
                match self { $(Mutant::$variant => $what,)* }
            }
        }
    };
}

mutants! {
    Created200 = "created-200", "post.created", "answers 200 OK instead of 201 Created";
    NoLocation = "no-location", "post.location", "answers 201 without a Location header";
    LocationToConversation = "location-to-conversation", "invitation.resource", "Location names the conversation, not the messagingInvitation";
    InvitationIncoming = "invitation-incoming", "invitation.resource", "the messagingInvitation says direction Incoming";
    NoStartMessagingLink = "no-start-messaging-link", "link.start-messaging", "the communication resource has no startMessaging link";
    StartMessagingMoved = "start-messaging-moved", "link.start-messaging", "the startMessaging link points where nothing is served";
    QueryIgnored = "query-ignored", "query.to", "inputs given as query parameters are ignored";
    OperationIdNotRequired = "operation-id-not-required", "body.operationId.required", "a missing operationId is accepted";
    ToNotRequired = "to-not-required", "body.to.required", "a missing to is accepted";
    OperationIdLimit49 = "operation-id-limit-49", "body.operationId.max-length", "an operationId of 50 characters is refused (off by one)";
    OperationIdUnlimited = "operation-id-unlimited", "body.operationId.max-length", "an operationId of any length is accepted";
    SubjectLimit249 = "subject-limit-249", "body.subject.max-length", "a subject of 250 characters is refused (off by one)";
    SubjectUnlimited = "subject-unlimited", "body.subject.max-length", "a subject of any length is accepted";
    SubjectLimitInBytes = "subject-limit-in-bytes", "body.subject.max-length", "the subject limit counts UTF-8 bytes, not characters";
    SubjectTruncated = "subject-truncated", "invitation.resource", "the invitation keeps only the first 200 characters of the subject";
    OperationIdLowercased = "operation-id-lowercased", "invitation.resource", "the invitation keeps the operationId lower-cased, not as supplied";
    MessageLinkDropped = "message-link-dropped", "invitation.resource", "the invitation does not keep the first message's link";
    ThreadIdLimit249 = "thread-id-limit-249", "body.threadId.max-length", "a threadId of 250 characters is refused (off by one)";
    ThreadIdUnlimited = "thread-id-unlimited", "body.threadId.max-length", "a threadId of any length is accepted";
    ImportanceUnchecked = "importance-unchecked", "body.importance.values", "any importance value is accepted";
    ImportanceCaseSensitiveLower = "importance-refuses-urgent", "body.importance.values", "importance Urgent is refused";
    SipUnchecked = "sip-unchecked", "body.to.sip-uri", "any to value is accepted, SIP URI or not";
    DataUriUnchecked = "data-uri-unchecked", "body.message.data-uri", "a message link that is not a data URI is accepted";
    PercentEncodingRefused = "percent-encoding-refused", "body.message.data-uri", "percent-encoded data URIs are refused";
    CustomContentRefused = "custom-content-refused", "body.customContent.data-uri", "a customContent link is refused";
    UnknownInputsRefused = "unknown-inputs-refused", "body.unknown-ignored", "inputs the page does not list are refused";
    PvfSubcodeMissing = "pvf-subcode-missing", "generic.400.parameter-validation", "400 for a missing input has no ParameterValidationFailure subcode";
    AnonymousTargetUnchecked = "anonymous-target-unchecked", "error.403.forbidden", "anonymous applications may invite anyone";
    Forbidden400 = "forbidden-400", "error.403.forbidden", "the anonymous-target refusal is 400, not 403";
    DuplicatesAllowed = "duplicates-allowed", "error.409.already-exists", "an active operationId may be reused";
    AlreadyExists400 = "already-exists-400", "error.409.already-exists", "a reused operationId gets 400 BadRequest / AlreadyExists (the documented row is 409 Conflict)";
    TooManyGroupsNoSubcode = "too-many-groups-no-subcode", "error.409.too-many-groups", "409 TooManyGroups comes without its subcode";
    TooManyGroupsWrongCase = "too-many-groups-wrong-case", "error.409.too-many-groups", "the subcode is spelt toomanygroups";
    UnsupportedWithSubcode = "unsupported-with-subcode", "error.409.no-subcode", "409 for an unsupported API carries a subcode";
    CannotRedirectWrongSubcode = "cannot-redirect-wrong-subcode", "error.410.cannot-redirect", "410 comes with subcode Redirected";
    CallbackChannelWrongCode = "callback-channel-wrong-code", "error.500.callback-channel-error", "500 comes with code InternalServerError";
    FaultsIgnored = "faults-ignored", "error.409.too-many-groups", "the fault-control contract arms nothing";
    ErrorsAlwaysJson = "errors-always-json", "error.body.format", "errors are JSON whatever the request's representation";
    ErrorsTextPlain = "errors-text-plain", "error.body.format", "errors are sent as text/plain";
    XmlErrorsWrongNamespace = "xml-errors-wrong-namespace", "error.body.format", "XML errors are in another namespace";
    MalformedBody500 = "malformed-body-500", "generic.400.bad-request", "a malformed body gets 500";
    TokenNotChecked = "token-not-checked", "generic.401", "any bearer token is accepted";
    ApplicationNotFoundNoSubcode = "application-not-found-no-subcode", "generic.404.application-not-found", "404 for a missing application has no subcode";
    MethodNotAllowed404 = "method-not-allowed-404", "generic.405", "other methods get 404";
    UnsupportedMediaType400 = "unsupported-media-type-400", "generic.415", "an unsupported content type gets 400";
    BodyLimitOff = "body-limit-off", "generic.413", "bodies of any size are read";
    EntityTooLarge400 = "entity-too-large-400", "generic.413", "an oversized body gets 400 with code EntityTooLarge (the documented row is 413)";
    NoStartedEvent = "no-started-event", "events.started.operation-id", "no messagingInvitation started event";
    OperationIdNotEchoed = "operation-id-not-echoed", "events.started.operation-id", "events do not echo the operationId";
    NoCompletedEvent = "no-completed-event", "events.completed.success", "no messagingInvitation completed event";
    InvitationEventsWrongSender = "invitation-events-wrong-sender", "events.sender", "messagingInvitation events come under the conversation sender, not communication";
    StartedAfterCompleted = "started-after-completed", "events.order", "the started event arrives after completed";
    NoAcceptedByParticipant = "no-accepted-by-participant", "events.completed.success", "a completed invitation does not embed acceptedByParticipant";
    CompletedStatusFailure = "completed-status-failure", "events.completed.success", "an accepted invitation completes with status Failure";
    DeclinedAsSuccess = "declined-as-success", "events.completed.failure", "a declined invitation completes with status Success";
    FailureWithoutReason = "failure-without-reason", "events.completed.failure", "a failed invitation completes without a reason";
    NoAnswerNeverCompletes = "no-answer-never-completes", "invitation.timeout", "an unanswered invitation never completes";
    CancelIgnored = "cancel-ignored", "invitation.cancel", "POST cancel answers 204 and cancels nothing";
    NoCancelLink = "no-cancel-link", "invitation.cancel", "a waiting invitation has no cancel link";
}

impl Mutant {
    /// Parses a mutant name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.name() == name)
    }
}

/// Largest response body the rewrite reads (responses of the reference are small).
const MAX_REWRITE_BYTES: usize = 1024 * 1024;

/// The response-rewriting mutants, as an axum middleware (no-op without a mutant).
pub async fn rewrite(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(mutant) = state.lock().config.mutant else {
        return next.run(request).await;
    };
    let start_messaging = request.method() == Method::POST && request.uri().path().ends_with("/messagingInvitations");
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
        Mutant::Created200 if start_messaging && status == StatusCode::CREATED => parts.status = StatusCode::OK,
        Mutant::NoLocation if start_messaging => {
            parts.headers.remove(header::LOCATION);
        }
        Mutant::LocationToConversation if start_messaging => {
            let moved = parts
                .headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| l.replace("messagingInvitations", "conversations"));
            if let Some(v) = moved.and_then(|l| HeaderValue::from_str(&l).ok()) {
                parts.headers.insert(header::LOCATION, v);
            }
        }
        Mutant::InvitationIncoming => text = text.replace("Outgoing", "Incoming"),
        Mutant::NoCancelLink => text = remove_cancel_links(&text),
        Mutant::Forbidden400 if status == StatusCode::FORBIDDEN => parts.status = StatusCode::BAD_REQUEST,
        Mutant::PvfSubcodeMissing => text = remove_subcode(&text, "ParameterValidationFailure", is_xml),
        Mutant::TooManyGroupsNoSubcode => text = remove_subcode(&text, "TooManyGroups", is_xml),
        Mutant::TooManyGroupsWrongCase => text = text.replace("TooManyGroups", "toomanygroups"),
        Mutant::UnsupportedWithSubcode if status == StatusCode::CONFLICT && !text.contains("subcode") => {
            text = add_subcode(&text, "Unsupported", is_xml);
        }
        Mutant::CannotRedirectWrongSubcode => text = text.replace("CannotRedirect", "Redirected"),
        Mutant::AlreadyExists400 if status == StatusCode::CONFLICT && text.contains("AlreadyExists") => {
            parts.status = StatusCode::BAD_REQUEST;
            text = text.replace("Conflict", "BadRequest");
        }
        Mutant::EntityTooLarge400 if status == StatusCode::PAYLOAD_TOO_LARGE => parts.status = StatusCode::BAD_REQUEST,
        Mutant::CallbackChannelWrongCode => text = text.replace("ServiceFailure", "InternalServerError"),
        Mutant::ErrorsAlwaysJson if status.is_client_error() && is_xml => {
            text = xml_error_as_json(&text);
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
        }
        Mutant::ErrorsTextPlain if status.is_client_error() || status.is_server_error() => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
        }
        Mutant::XmlErrorsWrongNamespace if is_xml && text.contains("<reason") => {
            text = text.replace(&format!("xmlns=\"{NS}\""), "xmlns=\"urn:example:errors\"");
        }
        Mutant::MalformedBody500 if text.contains("DeserializationFailure") => {
            parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        }
        Mutant::ApplicationNotFoundNoSubcode => text = remove_subcode(&text, "ApplicationNotFound", is_xml),
        Mutant::MethodNotAllowed404 if status == StatusCode::METHOD_NOT_ALLOWED => parts.status = StatusCode::NOT_FOUND,
        Mutant::UnsupportedMediaType400 if status == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            parts.status = StatusCode::BAD_REQUEST;
        }
        _ => {}
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
