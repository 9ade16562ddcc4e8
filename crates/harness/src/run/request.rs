//! A request step: build the request from the case (URL by rel or capture, query, headers,
//! body per media type, credentials), arm its fault, send it, judge the response, keep captures.

use super::context::{CaseState, RunContext};
use super::step::{StepEnd, StepError, captured_from, untrusted};
use crate::case::{Auth, Body, Call, Capture, CaptureSource, Fault, Identity, Media, RequestSpec, Step, Template};
use crate::client::{Request, Response, Session, TransportError, open};
use crate::judge::check::judge;
use crate::judge::reading::Reading;
use crate::judge::verdict::{Mismatch, MismatchKind};
use crate::record::exchange::{BodyRecord, Exchange, Header, RecordedRequest, RecordedResponse};
use crate::wire::{render_input_with, request_content_type};
use std::sync::Arc;

/// The token sent by steps with `auth = "invalid"`: well-formed, never issued.
pub const INVALID_TOKEN: &str = "cwt=ucwa-conformance-invalid-token";

/// Runs a request step.
pub async fn send_step(
    ctx: &RunContext,
    spec: &RequestSpec,
    step: &Step,
    state: &mut CaseState<'_>,
    exchanges: &mut Vec<Exchange>,
) -> Result<(), StepEnd> {
    let session = session_for(ctx, spec.identity, state).await?;
    let request = build_request(spec, &session, state)?;
    if let Some(fault) = spec.fault {
        arm_fault(ctx, fault, &request, state).await?;
    }
    let response = ctx.client.send(&request).await;
    exchanges.push(record(&request, response.as_ref().ok()));
    let response = response.map_err(|e| match e {
        // The target gave an href outside its trust set: its failure, and nothing was sent.
        TransportError::Untrusted(reason) => StepEnd::Mismatches(vec![untrusted(reason)]),
        // An href the target gave, on an origin that never answered and cannot be reached: the
        // target's failure. (An origin that answered before and now refuses is a network error.)
        TransportError::Unreachable(reason) if !ctx.client.has_reached(&request.url) => {
            StepEnd::Mismatches(vec![Mismatch {
                kind: MismatchKind::Transport,
                what: format!("{} {}", request.method, request.url),
                expected: "an href the client can reach (the target gave it)".into(),
                actual: format!("cannot connect: {reason}"),
                must: false,
            }])
        }
        // HTTP allows a server to close instead of answering an oversized request; the case's
        // expectation (the documented answer) is then not met: the target's deviation, not an error.
        TransportError::ClosedWithoutResponse(reason) => StepEnd::Mismatches(vec![Mismatch {
            kind: MismatchKind::Transport,
            what: "response".into(),
            expected: match step.expect.status.as_slice() {
                [] => "a response".to_string(),
                all => {
                    let all: Vec<String> = all.iter().map(u16::to_string).collect();
                    format!("a response with status {}", all.join(" or "))
                }
            },
            actual: reason,
            must: false,
        }]),
        error => StepEnd::error(StepError::Transport {
            method: request.method.clone(),
            url: request.url.clone(),
            error,
        }),
    })?;
    let reading = Reading::new(&response, state.media);
    let mismatches = judge(&step.expect, &reading, state);
    if !mismatches.is_empty() {
        return Err(StepEnd::Mismatches(mismatches));
    }
    for capture in &step.captures {
        let value = captured(capture, &reading).map_err(|m| StepEnd::Mismatches(vec![m]))?;
        state
            .captures
            .insert(capture.name.clone(), (value, request.url.clone()));
    }
    Ok(())
}

/// The application a request goes through: the run's, or the case's own (opened on first use).
async fn session_for(ctx: &RunContext, identity: Identity, state: &mut CaseState<'_>) -> Result<Arc<Session>, StepEnd> {
    if identity == Identity::Fresh {
        if state.fresh.is_none() {
            let opened = open(&ctx.client, &ctx.account)
                .await
                .map_err(|e| StepEnd::error(StepError::OwnApplication(e)))?;
            state.fresh = Some(Arc::new(opened));
        }
        return state
            .fresh
            .clone()
            .ok_or_else(|| StepEnd::error(StepError::OwnApplicationGone));
    }
    ctx.session(identity, state.media).cloned().ok_or_else(|| {
        StepEnd::error(StepError::NoApplication {
            identity,
            media: state.media,
        })
    })
}

fn build_request(step: &RequestSpec, session: &Session, state: &CaseState<'_>) -> Result<Request, StepEnd> {
    let render = |t: &Template| t.render(state).map_err(StepEnd::from);
    let mut url = match &step.call {
        Call::Rel(rel) => session
            .links
            .get(rel)
            .cloned()
            .ok_or_else(|| missing_rel(session, rel))?,
        Call::Href(template) => {
            let base = state.base_of(template).unwrap_or_else(|| session.application.clone());
            let href = render(template)?;
            base.join(&href).map_err(|e| {
                StepEnd::Mismatches(vec![Mismatch {
                    kind: MismatchKind::Link,
                    what: "href".into(),
                    expected: "a URL".into(),
                    actual: format!("`{href}`: {e}"),
                    must: false,
                }])
            })?
        }
    };
    if !step.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in &step.query {
            pairs.append_pair(name, &render(value)?);
        }
    }
    let media_type = request_content_type(state.media);
    let mut request = Request::new(&step.method, url).header("Accept", media_type);
    match step.auth {
        Auth::Token => {
            if let Some(value) = session.authorization() {
                request = request.header("Authorization", &value);
            }
        }
        Auth::Invalid => request = request.header("Authorization", &format!("Bearer {INVALID_TOKEN}")),
        Auth::None => {}
    }
    let body = match &step.body {
        Body::None => None,
        Body::Input { properties, links } => Some(
            render_input_with(state.media, properties, links, Template::len_hint, |t, out| {
                t.render_into(state, out)
            })
            .map_err(StepEnd::from)?,
        ),
        Body::Raw { json, xml } => {
            let text = match state.media {
                Media::Json => json.as_ref(),
                Media::Xml => xml.as_ref(),
            };
            text.map(&render).transpose()?
        }
    };
    if let Some(body) = body {
        request = request.header("Content-Type", media_type).body(body);
    }
    for (name, value) in &step.headers {
        let value = render(value)?;
        request.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        request.headers.push((name.clone(), value));
    }
    Ok(request)
}

fn missing_rel(session: &Session, rel: &str) -> StepEnd {
    let seen = if rel == "startMessaging" {
        format!(
            "the communication resource links: {}",
            session.communication_rels.join(", ")
        )
    } else {
        format!(
            "rels found: {}",
            session.links.keys().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    StepEnd::Mismatches(vec![Mismatch {
        kind: MismatchKind::Discovery,
        what: format!("discovery: `{rel}` link"),
        expected: "present in the application or its embedded resources".into(),
        actual: format!("absent ({seen})"),
        must: false,
    }])
}

/// Arms `fault` at the target's fault-control URL for the case's operationId.
async fn arm_fault(ctx: &RunContext, fault: Fault, request: &Request, state: &CaseState<'_>) -> Result<(), StepEnd> {
    let Some(url) = ctx.target.faults_url.clone() else {
        return Err(StepEnd::error(StepError::NoFaultControl));
    };
    let body = serde_json::json!({ "operationId": state.operation_id, "fault": fault.as_str() });
    let mut arm = Request::new("POST", url.clone())
        .header("Content-Type", "application/json")
        .body(body.to_string());
    let authorization = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.clone());
    let user = ctx
        .session(Identity::User, state.media)
        .and_then(|session| session.authorization());
    if let Some(value) = authorization.or(user) {
        arm = arm.header("Authorization", &value);
    }
    match ctx.client.send(&arm).await {
        Ok(r) if (200..300).contains(&r.status) => Ok(()),
        Ok(r) => Err(StepEnd::error(StepError::FaultRefused {
            fault: fault.as_str(),
            url,
            status: r.status,
        })),
        Err(error) => Err(StepEnd::error(StepError::FaultUnanswered {
            fault: fault.as_str(),
            url,
            error,
        })),
    }
}

fn captured(capture: &Capture, reading: &Reading<'_>) -> Result<String, Mismatch> {
    match &capture.source {
        CaptureSource::Header(name) => reading
            .response
            .header(name)
            .map(str::to_string)
            .ok_or_else(|| Mismatch {
                kind: MismatchKind::Capture,
                what: format!("capture {}", capture.name),
                expected: format!("header {name}"),
                actual: "absent".into(),
                must: false,
            }),
        CaptureSource::Property(name) | CaptureSource::Link(name) => {
            let resource = reading.resource().map_err(|e| Mismatch {
                kind: MismatchKind::Capture,
                what: format!("capture {}", capture.name),
                expected: format!("a resource with `{name}`"),
                actual: e.to_string(),
                must: false,
            })?;
            captured_from(capture, resource)
        }
    }
}

/// The exchange as recorded: every field, bodies whole up to the stored cap. Secrets are removed
/// later, once per trial, by the run session.
fn record(request: &Request, response: Option<&Response>) -> Exchange {
    let headers = |headers: &[(String, String)]| headers.iter().map(|(n, v)| Header::new(n, v)).collect();
    let body = |bytes: &[u8]| (!bytes.is_empty()).then(|| BodyRecord::capture(bytes));
    Exchange::Http {
        request: RecordedRequest {
            method: request.method.clone(),
            url: request.url.to_string(),
            headers: headers(&request.headers),
            body: request.body.as_deref().and_then(body),
        },
        response: response.map(|r| RecordedResponse {
            status: r.status,
            headers: headers(&r.headers),
            body: body(&r.body),
        }),
    }
}
