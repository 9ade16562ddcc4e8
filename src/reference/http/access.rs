//! Who is calling and what they may touch: bearer tokens (401 with both challenges otherwise)
//! and application lookup (404 ApplicationNotFound, 410 InactiveApplicationExpired).

use super::super::errors::Problem;
use super::super::hrefs::TOKEN_PATH;
use super::super::mutants::Rules;
use super::super::repr::Repr;
use super::super::world::{Application, World};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// State shared by every handler.
#[derive(Debug)]
pub struct Shared {
    /// The world.
    pub world: Mutex<World>,
}

/// The handlers' view of [`Shared`].
pub type AppState = Arc<Shared>;

impl Shared {
    /// Locks the world; a poisoned lock is recovered (the world stays usable).
    pub fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `http://host` of the request, for absolute hrefs; `https://host` behind a TLS-terminating
/// proxy that says so with `X-Forwarded-Proto: https` (as IIS's ARR, nginx and Caddy do).
pub fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c)))
        .unwrap_or("localhost");
    let scheme = match headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some(proto) if proto.trim().eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// Why a request is refused before its handler's work; answers as a response.
#[derive(Debug)]
pub enum Refusal {
    /// 401 with the challenges; the origin names the token endpoint.
    Unauthorized(String),
    /// A UCWA error in a representation.
    Ucwa(Problem, Repr),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthorized(origin) => unauthorized(&origin),
            Refusal::Ucwa(problem, repr) => problem.error().respond(repr),
        }
    }
}

/// The user of the request's bearer token, or the 401 refusal.
pub fn authenticate(world: &World, headers: &HeaderMap) -> Result<String, Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.get(..7)
                .filter(|p| p.eq_ignore_ascii_case("bearer "))
                .map(|_| &v[7..])
        })
        .map(str::trim);
    match token.and_then(|t| world.user_of(t)) {
        Some(user) => Ok(user.to_string()),
        None if token.is_some() && !world.rules.tokens_checked => {
            Ok(world.config.users.first().map(|(u, _)| u.clone()).unwrap_or_default())
        }
        None => Err(Refusal::Unauthorized(origin(headers))),
    }
}

/// 401 with a text/html body and both `WWW-Authenticate` challenges, as real pools answer.
fn unauthorized(origin: &str) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "<html><head><title>401 - Unauthorized</title></head><body><h1>401 - Unauthorized</h1></body></html>",
    )
        .into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    h.append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer trusted_issuers=\"\", client_id=\"00000004-0000-0ff1-ce00-000000000000\""),
    );
    let challenge = format!(
        "MsRtcOAuth href=\"{origin}{TOKEN_PATH}\",grant_type=\"urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password\""
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        h.append(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Authenticates the caller, then finds their application `id` (both refusals as [`application`]
/// and [`authenticate`] give them); answers the user too.
pub fn caller_application<'w>(
    world: &'w mut World,
    headers: &HeaderMap,
    id: &str,
    repr: Repr,
) -> Result<(String, &'w mut Application), Refusal> {
    let user = authenticate(world, headers)?;
    let app = application(world, &user, id, repr)?;
    Ok((user, app))
}

/// The caller's application `id` (an exact string), touched (its idle clock restarts), or the
/// UCWA error.
pub fn application<'w>(world: &'w mut World, user: &str, id: &str, repr: Repr) -> Result<&'w mut Application, Refusal> {
    world.expire_idle();
    if world.expired.iter().any(|gone| gone == id) {
        return Err(Refusal::Ucwa(Problem::ApplicationExpired, repr));
    }
    match world.applications.get_mut(id) {
        Some(app) if app.user == user => {
            app.last_seen = Instant::now();
            Ok(app)
        }
        _ => Err(Refusal::Ucwa(Problem::ApplicationNotFound, repr)),
    }
}

/// A problem as a response in `repr`.
pub fn refuse(problem: Problem, repr: Repr) -> Response {
    problem.error().respond(repr)
}

/// Runs `answer` on the caller's application (401/404/410 otherwise). The router has already
/// chosen the handler by method.
pub fn on_application(
    state: &AppState,
    headers: &HeaderMap,
    app_id: &str,
    answer: impl FnOnce(&mut Application, &Rules, Repr) -> Response,
) -> Response {
    let repr = Repr::from_accept(headers);
    let mut world = state.lock();
    let rules = world.rules;
    match caller_application(&mut world, headers, app_id, repr) {
        Ok((_, app)) => answer(app, &rules, repr),
        Err(r) => r.into_response(),
    }
}

/// Any method a resource under an application does not take: 401, 404 or 410 when the caller or
/// the application does not check out (a real pool answers those first), else the UCWA 405
/// MethodNotAllowed. Every application route falls back to it (HEAD included).
pub async fn wrong_method(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let app_id = params.get("app").map_or("", String::as_str);
    on_application(&state, &headers, app_id, |_, _, repr| {
        refuse(Problem::MethodNotAllowed, repr)
    })
}

/// 204 No Content, or the problem in `repr`.
pub fn no_content(result: Result<(), Problem>, repr: Repr) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => refuse(problem, repr),
    }
}

/// What is known before a request body is read.
pub struct Checked {
    /// The caller.
    pub user: String,
    /// How much body may be read.
    pub limit: usize,
    /// The rules.
    pub rules: Rules,
}

/// Before a request body is read: the caller and their application are checked (401/404/410).
pub fn before_body(state: &AppState, headers: &HeaderMap, app_id: &str, repr: Repr) -> Result<Checked, Refusal> {
    let mut world = state.lock();
    let (user, _) = caller_application(&mut world, headers, app_id, repr)?;
    let limit = if world.rules.body_limit {
        world.config.max_body_bytes
    } else {
        usize::MAX
    };
    Ok(Checked {
        user,
        limit,
        rules: world.rules,
    })
}
