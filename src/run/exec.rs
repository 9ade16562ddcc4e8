//! Running one case in one media type: build each step's request, arm its fault, send it,
//! judge the response, keep captures. Never prints; returns a [`CaseResult`].

use crate::case::{Auth, Body, Call, Capture, CaptureSource, Case, Fault, Media, Step, Values};
use crate::check::judge;
use crate::client::{HttpClient, Request, Response, Session};
use crate::secret::Redactor;
use crate::target::Target;
use crate::verdict::{CaseResult, ExchangeRecord, Mismatch, Outcome};
use crate::wire::{parse_resource, render_input, request_content_type};
use std::collections::BTreeMap;
use std::time::Instant;
use url::Url;

/// Everything a case needs from the run: shared, read-only.
#[derive(Debug)]
pub struct RunContext {
    /// The pooled client.
    pub client: HttpClient,
    /// The target.
    pub target: Target,
    /// What discovery found.
    pub session: Session,
    /// Removes secrets from recorded exchanges.
    pub redactor: Redactor,
}

/// The token sent by steps with `auth = "invalid"`: well-formed, never issued.
pub const INVALID_TOKEN: &str = "cwt=ucwa-conformance-invalid-token";

/// Largest request or response body kept in a record (the rest is elided).
const RECORD_BODY_CHARS: usize = 1500;

/// Runs a case in a media type, within the target's case timeout.
pub async fn run_case(ctx: &RunContext, case: &Case, media: Media) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult {
        id: case.id.clone(),
        media,
        severity: case.severity,
        outcome: Outcome::Pass,
        failed_step: None,
        mismatches: Vec::new(),
        exchanges: Vec::new(),
        duration: Default::default(),
    };
    if let Some(reason) = skip_reason(&ctx.target, case, media) {
        result.outcome = Outcome::Skip(reason);
        return result;
    }
    let timeout = ctx.target.limits.case_timeout;
    let mut state = CaseState::new(ctx, media);
    let steps = run_steps(ctx, case, &mut state, &mut result);
    if tokio::time::timeout(timeout, steps).await.is_err() {
        result.outcome = Outcome::Error(format!(
            "the case did not finish within its timeout of {timeout:?}"
        ));
    }
    result.duration = started.elapsed();
    result
}

/// Why a case cannot run against this target, if it cannot.
fn skip_reason(target: &Target, case: &Case, media: Media) -> Option<String> {
    if !target.media.contains(&media) {
        return Some(format!("media type {media} not offered by the target"));
    }
    if let Some(need) = case.needs.iter().find(|n| !target.offers.contains(*n)) {
        return Some(format!("precondition `{need}` not offered by the target"));
    }
    if case.steps.iter().any(|s| s.fault.is_some()) && target.faults_url.is_none() {
        return Some("the target has no fault-control URL".into());
    }
    None
}

/// The values of one run of a case.
struct CaseState {
    operation_id: String,
    peer: String,
    captures: BTreeMap<String, (String, Url)>,
    media: Media,
}

impl CaseState {
    fn new(ctx: &RunContext, media: Media) -> Self {
        Self {
            operation_id: uuid::Uuid::new_v4().simple().to_string(),
            peer: ctx.target.peer.clone(),
            captures: BTreeMap::new(),
            media,
        }
    }
}

impl Values for CaseState {
    fn operation_id(&self) -> &str {
        &self.operation_id
    }
    fn peer(&self) -> &str {
        &self.peer
    }
    fn capture(&self, name: &str) -> Option<&str> {
        self.captures.get(name).map(|(v, _)| v.as_str())
    }
}

/// How a step ended when it did not pass.
enum StepEnd {
    Mismatches(Vec<Mismatch>),
    Error(String),
}

async fn run_steps(ctx: &RunContext, case: &Case, state: &mut CaseState, result: &mut CaseResult) {
    for (index, step) in case.steps.iter().enumerate() {
        let end = run_step(ctx, step, state, &mut result.exchanges).await;
        let Err(end) = end else { continue };
        result.failed_step = Some(index + 1);
        match end {
            StepEnd::Mismatches(m) => {
                result.outcome = Outcome::Fail;
                result.mismatches = m;
            }
            StepEnd::Error(reason) => result.outcome = Outcome::Error(ctx.redactor.redact(&reason)),
        }
        return;
    }
}

async fn run_step(
    ctx: &RunContext,
    step: &Step,
    state: &mut CaseState,
    exchanges: &mut Vec<ExchangeRecord>,
) -> Result<(), StepEnd> {
    let request = build_request(ctx, step, state)?;
    if let Some(fault) = step.fault {
        arm_fault(ctx, fault, &request, state).await?;
    }
    let mut record = ExchangeRecord {
        request: describe_request(&request, &ctx.redactor),
        response: String::new(),
    };
    let sent = ctx.client.send(&request).await;
    let response = match sent {
        Ok(r) => r,
        Err(e) => {
            exchanges.push(record);
            return Err(StepEnd::Error(format!(
                "{} {}: {e}",
                request.method, request.url
            )));
        }
    };
    record.response = describe_response(&response, &ctx.redactor);
    exchanges.push(record);
    let mismatches = judge(&step.expect, state.media, &response, state);
    if !mismatches.is_empty() {
        return Err(StepEnd::Mismatches(mismatches));
    }
    for capture in &step.captures {
        let value =
            captured(capture, state.media, &response).map_err(|m| StepEnd::Mismatches(vec![m]))?;
        state
            .captures
            .insert(capture.name.clone(), (value, request.url.clone()));
    }
    Ok(())
}

fn build_request(ctx: &RunContext, step: &Step, state: &CaseState) -> Result<Request, StepEnd> {
    let render = |t: &crate::case::Template| t.render(state).map_err(StepEnd::Error);
    let mut url = match &step.call {
        Call::Rel(rel) => ctx
            .session
            .links
            .get(rel)
            .cloned()
            .ok_or_else(|| missing_rel(&ctx.session, rel))?,
        Call::Href(template) => {
            let base = template
                .captures()
                .find_map(|name| state.captures.get(name).map(|(_, base)| base.clone()))
                .unwrap_or_else(|| ctx.session.application.clone());
            let href = render(template)?;
            base.join(&href).map_err(|e| {
                StepEnd::Mismatches(vec![Mismatch {
                    what: "href".into(),
                    expected: "a URL".into(),
                    actual: format!("`{href}`: {e}"),
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
            if let Some(value) = ctx.session.authorization() {
                request = request.header("Authorization", &value);
            }
        }
        Auth::Invalid => {
            request = request.header("Authorization", &format!("Bearer {INVALID_TOKEN}"))
        }
        Auth::None => {}
    }
    let body = match &step.body {
        Body::None => None,
        Body::Input { properties, links } => {
            let render_all = |items: &[(String, crate::case::Template)]| -> Result<Vec<(String, String)>, StepEnd> {
                items.iter().map(|(k, v)| Ok((k.clone(), render(v)?))).collect()
            };
            Some(render_input(
                state.media,
                &render_all(properties)?,
                &render_all(links)?,
            ))
        }
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
        request
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
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
        what: format!("discovery: `{rel}` link"),
        expected: "present in the application or its embedded resources".into(),
        actual: format!("absent ({seen})"),
    }])
}

/// Arms `fault` at the target's fault-control URL for the step's operationId.
async fn arm_fault(
    ctx: &RunContext,
    fault: Fault,
    request: &Request,
    state: &CaseState,
) -> Result<(), StepEnd> {
    let Some(url) = ctx.target.faults_url.clone() else {
        return Err(StepEnd::Error("the target has no fault-control URL".into()));
    };
    let body = serde_json::json!({ "operationId": state.operation_id, "fault": fault.as_str() });
    let mut arm = Request::new("POST", url.clone())
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some((_, auth)) = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    {
        arm = arm.header("Authorization", auth);
    } else if let Some(value) = ctx.session.authorization() {
        arm = arm.header("Authorization", &value);
    }
    match ctx.client.send(&arm).await {
        Ok(r) if (200..300).contains(&r.status) => Ok(()),
        Ok(r) => Err(StepEnd::Error(format!(
            "arming fault {} at {url}: status {}",
            fault.as_str(),
            r.status
        ))),
        Err(e) => Err(StepEnd::Error(format!(
            "arming fault {} at {url}: {e}",
            fault.as_str()
        ))),
    }
}

fn captured(capture: &Capture, media: Media, response: &Response) -> Result<String, Mismatch> {
    let fail = |what: String, reason: String| Mismatch {
        what: format!("capture {}", capture.name),
        expected: what,
        actual: reason,
    };
    match &capture.source {
        CaptureSource::Header(name) => response
            .header(name)
            .map(str::to_string)
            .ok_or_else(|| fail(format!("header {name}"), "absent".into())),
        CaptureSource::Property(name) | CaptureSource::Link(name) => {
            let resource = parse_resource(media, &response.text())
                .map_err(|e| fail(format!("a resource with `{name}`"), e))?;
            let value = match &capture.source {
                CaptureSource::Property(_) => resource.properties.get(name).map(|p| p.as_text()),
                _ => resource.link(name).map(|l| l.href.clone()),
            };
            value.ok_or_else(|| fail(format!("`{name}` in the resource"), "absent".into()))
        }
    }
}

fn describe_request(request: &Request, redactor: &Redactor) -> String {
    let mut out = format!("{} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    if let Some(body) = &request.body {
        out.push('\n');
        out.push_str(&elide(&String::from_utf8_lossy(body)));
    }
    redactor.redact(&out)
}

fn describe_response(response: &Response, redactor: &Redactor) -> String {
    let mut out = format!("HTTP {}\n", response.status);
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    if !response.body.is_empty() {
        out.push('\n');
        out.push_str(&elide(&response.text()));
    }
    redactor.redact(&out)
}

fn elide(text: &str) -> String {
    let count = text.chars().count();
    if count <= RECORD_BODY_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(RECORD_BODY_CHARS).collect();
    format!(
        "{head}\n... ({} more characters)",
        count - RECORD_BODY_CHARS
    )
}
