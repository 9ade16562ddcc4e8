//! startMessaging exactly per the seed page, and the messagingInvitation its Location names.
//!
//! Checks, in order: token (401), application (404/410), method (405), size (413), content type
//! (415), syntax (400 BadRequest), parameters (400 ParameterValidationFailure), an armed fault
//! (409/410/500), a duplicate operationId of a still-active invitation (409 AlreadyExists).

use super::access::{AppState, application, authenticate, caller_application};
use super::applications::{app_href, method_not_allowed};
use super::input::{self, Input};
use super::invitation;
use super::mutants::Mutant;
use super::repr::{Repr, UcwaError};
use super::state::{Fault, Invitation, InvitationState, MAX_INVITATIONS_PER_APPLICATION};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Longest operationId (seed: 50).
pub const MAX_OPERATION_ID: usize = 50;
/// Longest subject (seed: 250).
pub const MAX_SUBJECT: usize = 250;
/// Longest threadId (seed: 250).
pub const MAX_THREAD_ID: usize = 250;
/// The importance values (seed: Normal, Urgent, Emergency).
pub const IMPORTANCE: [&str; 3] = ["Normal", "Urgent", "Emergency"];

/// The href of the startMessaging link.
pub fn invitations_href(app: u64) -> String {
    format!("{}/communication/messagingInvitations", app_href(app))
}

/// Any method on the startMessaging href: POST starts an invitation, others get 405.
pub async fn start(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let repr = Repr::from_accept(&headers);
    let (limit, mutant) = {
        let mut world = state.lock();
        if let Err(r) = caller_application(&mut world, &headers, &app_id, repr) {
            return r.into_response();
        }
        let limit = if world.is(Mutant::BodyLimitOff) {
            usize::MAX
        } else {
            world.config.max_body_bytes
        };
        (limit, world.config.mutant)
    };
    if method != Method::POST {
        return method_not_allowed(repr);
    }
    let error_repr = Repr::for_error(&headers);
    let request = match input::bytes(body, limit).await {
        Ok(bytes) => {
            let query = query.filter(|_| mutant != Some(Mutant::QueryIgnored));
            input::read(query.as_deref(), &headers, &bytes).and_then(|i| validate(&i, mutant))
        }
        Err(e) => Err(e),
    };
    let request = match request {
        Ok(r) => r,
        Err(e) => return e.respond(error_repr),
    };
    let Ok(app_number) = app_id.parse::<u64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let created = {
        let mut world = state.lock();
        let user = authenticate(&world, &headers).unwrap_or_default();
        if let Some(allowed) = world.anonymous_targets.get(&user)
            && !allowed.eq_ignore_ascii_case(&request.to)
            && mutant != Some(Mutant::AnonymousTargetUnchecked)
        {
            return UcwaError::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                None,
                "The target URI does not match the target URI provisioned in anonymous token.",
            )
            .respond(error_repr);
        }
        if let Some(fault) = world.faults.remove(&request.operation_id) {
            return fault_error(fault).respond(error_repr);
        }
        let peer = world.peer(&request.to);
        let timeout = world.config.invitation_timeout;
        let app = match application(&mut world, &user, &app_id, repr) {
            Ok(a) => a,
            Err(r) => return r.into_response(),
        };
        let duplicate = app
            .invitations
            .values()
            .any(|i| i.operation_id == request.operation_id && i.state.is_active());
        if duplicate && mutant != Some(Mutant::DuplicatesAllowed) {
            return UcwaError::new(
                StatusCode::CONFLICT,
                "Conflict",
                Some("AlreadyExists"),
                "An invitation with this operationId is already active.",
            )
            .respond(error_repr);
        }
        make_room(&mut app.invitations);
        let id = app.next_invitation;
        app.next_invitation += 1;
        let invitation = request.into_invitation(id, mutant);
        if mutant != Some(Mutant::StartedAfterCompleted) {
            app.channel.push(invitation::started(app_number, &invitation, mutant));
        }
        app.invitations.insert(id, invitation);
        (id, peer, timeout)
    };
    let (invitation_id, peer, timeout) = created;
    invitation::answer_later(&state, app_number, invitation_id, peer, timeout);
    let mut response = StatusCode::CREATED.into_response();
    let location = format!("{}/{invitation_id}", invitations_href(app_number));
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// Drops the oldest finished invitations when an application holds too many.
fn make_room(invitations: &mut std::collections::BTreeMap<u64, Invitation>) {
    while invitations.len() >= MAX_INVITATIONS_PER_APPLICATION {
        let oldest = invitations.keys().next().copied();
        match oldest {
            Some(id) => invitations.remove(&id),
            None => break,
        };
    }
}

/// The error an armed fault answers with.
fn fault_error(fault: Fault) -> UcwaError {
    match fault {
        Fault::TooManyGroups => UcwaError::new(
            StatusCode::CONFLICT,
            "Conflict",
            Some("TooManyGroups"),
            "Too many groups.",
        ),
        Fault::Unsupported => UcwaError::new(
            StatusCode::CONFLICT,
            "Conflict",
            None,
            "Unsupported service, resource or API.",
        ),
        Fault::CannotRedirect => UcwaError::new(
            StatusCode::GONE,
            "Gone",
            Some("CannotRedirect"),
            "Cannot redirect since there is no backup pool configured.",
        ),
        Fault::CallbackChannelError => UcwaError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceFailure",
            Some("CallbackChannelError"),
            "The remote event channel is not reachable.",
        ),
    }
}

/// A valid startMessaging request.
#[derive(Debug)]
struct StartRequest {
    operation_id: String,
    to: String,
    importance: String,
    subject: String,
    thread_id: Option<String>,
    message: Option<String>,
    custom_content: Option<String>,
}

impl StartRequest {
    /// The invitation that keeps this request's inputs (as the messagingInvitation echoes them;
    /// three mutants keep them wrongly).
    fn into_invitation(self, id: u64, mutant: Option<Mutant>) -> Invitation {
        Invitation {
            id,
            operation_id: match mutant {
                Some(Mutant::OperationIdLowercased) => self.operation_id.to_lowercase(),
                _ => self.operation_id,
            },
            to: self.to,
            importance: self.importance,
            subject: match mutant {
                Some(Mutant::SubjectTruncated) => self.subject.chars().take(200).collect(),
                _ => self.subject,
            },
            thread_id: self
                .thread_id
                .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
            message: self.message.filter(|_| mutant != Some(Mutant::MessageLinkDropped)),
            custom_content: self.custom_content,
            state: InvitationState::Connecting,
            failure: None,
        }
    }
}

/// The inputs the page lists (everything else is ignored, I-05).
const INPUTS: [&str; 7] = [
    "operationid",
    "to",
    "importance",
    "subject",
    "threadid",
    "message",
    "customcontent",
];

fn validate(input: &Input, mutant: Option<Mutant>) -> Result<StartRequest, UcwaError> {
    let required = match mutant {
        Some(Mutant::OperationIdNotRequired) => vec!["to"],
        Some(Mutant::ToNotRequired) => vec!["operationId"],
        _ => vec!["operationId", "to"],
    };
    let missing: Vec<&str> = required
        .into_iter()
        .filter(|n| input.get(n).is_none_or(str::is_empty))
        .collect();
    if mutant == Some(Mutant::UnknownInputsRefused)
        && let Some(unknown) = input.names().find(|n| !INPUTS.contains(n))
    {
        return Err(UcwaError::invalid(format!("Unknown parameter: {unknown}.")));
    }
    if !missing.is_empty() {
        return Err(UcwaError::invalid(format!(
            "Missing required parameters: {}.",
            missing.join(", ")
        )));
    }
    let operation_id = match input.get("operationId").filter(|o| !o.is_empty()) {
        Some(o) => o.to_string(),
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    let to = input.get("to").unwrap_or_default().to_string();
    let limit = |max: usize, shorter: Mutant, unlimited: Mutant| match mutant {
        Some(m) if m == shorter => max - 1,
        Some(m) if m == unlimited => usize::MAX,
        _ => max,
    };
    max_len(
        "operationId",
        &operation_id,
        limit(
            MAX_OPERATION_ID,
            Mutant::OperationIdLimit49,
            Mutant::OperationIdUnlimited,
        ),
    )?;
    let subject = input.get("subject").unwrap_or_default().to_string();
    if mutant == Some(Mutant::SubjectLimitInBytes) && subject.len() > MAX_SUBJECT {
        return Err(UcwaError::invalid(format!(
            "subject exceeds the maximum length of {MAX_SUBJECT}."
        )));
    }
    max_len(
        "subject",
        &subject,
        limit(MAX_SUBJECT, Mutant::SubjectLimit249, Mutant::SubjectUnlimited),
    )?;
    let thread_id = input.get("threadId").filter(|t| !t.is_empty()).map(str::to_string);
    if let Some(t) = &thread_id {
        max_len(
            "threadId",
            t,
            limit(MAX_THREAD_ID, Mutant::ThreadIdLimit249, Mutant::ThreadIdUnlimited),
        )?;
    }
    let importance = match input.get("importance").filter(|i| !i.is_empty()) {
        None => "Normal".to_string(),
        Some(value) if mutant == Some(Mutant::ImportanceUnchecked) => value.to_string(),
        Some("Urgent") if mutant == Some(Mutant::ImportanceCaseSensitiveLower) => {
            return Err(UcwaError::invalid("importance must be one of Normal, Emergency."));
        }
        Some(value) => IMPORTANCE
            .iter()
            .find(|i| i.eq_ignore_ascii_case(value))
            .map(|i| i.to_string())
            .ok_or_else(|| UcwaError::invalid(format!("importance must be one of {}.", IMPORTANCE.join(", "))))?,
    };
    let sip_checked = mutant != Some(Mutant::SipUnchecked) && !(to.is_empty() && mutant == Some(Mutant::ToNotRequired));
    if sip_checked && !is_sip_uri(&to) {
        return Err(UcwaError::invalid("to must be a SIP URI (sip:user@domain)."));
    }
    let mut links = [None, None];
    for (slot, rel) in links.iter_mut().zip(["message", "customContent"]) {
        if let Some(href) = input.link(rel) {
            let valid = data_url::DataUrl::process(href)
                .ok()
                .is_some_and(|d| d.decode_to_vec().is_ok());
            let refused = match mutant {
                Some(Mutant::DataUriUnchecked) => false,
                Some(Mutant::PercentEncodingRefused) => !valid || (!href.contains(";base64,") && href.contains('%')),
                Some(Mutant::CustomContentRefused) => !valid || rel == "customContent",
                _ => !valid,
            };
            if refused {
                return Err(UcwaError::invalid(format!("{rel} must be a data URI.")));
            }
            *slot = Some(href.to_string());
        }
    }
    let [message, custom_content] = links;
    Ok(StartRequest {
        operation_id,
        to,
        importance,
        subject,
        thread_id,
        message,
        custom_content,
    })
}

fn max_len(name: &str, value: &str, max: usize) -> Result<(), UcwaError> {
    if value.chars().count() > max {
        return Err(UcwaError::invalid(format!(
            "{name} exceeds the maximum length of {max}."
        )));
    }
    Ok(())
}

/// `sip:user@host`: one `@`, a non-empty user, a host of letters, digits, dots and hyphens.
pub fn is_sip_uri(value: &str) -> bool {
    let Some(rest) = value
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("sip:"))
        .map(|_| &value[4..])
    else {
        return false;
    };
    let mut parts = rest.split('@');
    let (Some(user), Some(host), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let host_ok = !host.is_empty()
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    !user.is_empty() && !user.chars().any(|c| c.is_whitespace() || c == ':') && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("sip:john@contoso.com", true)]
    #[case("SIP:john@contoso.com", true)]
    #[case("sip:john.doe-1@sub.contoso.com", true)]
    #[case("john@contoso.com", false)]
    #[case("sip:johncontoso.com", false)]
    #[case("sip:@contoso.com", false)]
    #[case("sip:john@", false)]
    #[case("sip : john@contoso.com", false)]
    #[case("sip:a@b@c", false)]
    #[case("tel:+14255550100", false)]
    fn sip_uris(#[case] value: &str, #[case] valid: bool) {
        assert_eq!(is_sip_uri(value), valid);
    }
}
