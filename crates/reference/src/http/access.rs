//! Who is calling and what they may touch: bearer tokens (401 with both challenges otherwise)
//! and application lookup (404 ApplicationNotFound, 410 InactiveApplicationExpired).

use crate::errors::Problem;
use crate::hrefs::TOKEN_PATH;
use crate::mutants::Rules;
use crate::repr::Repr;
use crate::world::{Application, World};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
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
    /// What clients did (`Some` when the server grades them).
    pub journal: Option<Mutex<super::journal::Journal>>,
}

/// The handlers' view of [`Shared`].
pub type AppState = Arc<Shared>;

impl Shared {
    /// The state of a fresh world (with a journal of its clients when it grades them).
    pub fn new(config: crate::Config) -> Self {
        let journal = config
            .grade_clients
            .then(|| Mutex::new(super::journal::Journal::default()));
        Self {
            world: Mutex::new(World::new(config)),
            journal,
        }
    }

    /// True when the server records its clients for grading.
    pub fn grading(&self) -> bool {
        self.journal.is_some()
    }

    /// Locks the journal of clients (an empty one when not grading).
    pub fn journal(&self) -> JournalGuard<'_> {
        match &self.journal {
            Some(j) => JournalGuard::Kept(j.lock().unwrap_or_else(|p| p.into_inner())),
            None => JournalGuard::Scratch(super::journal::Journal::default()),
        }
    }

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

/// A request to a resource under the caller's application, as an extractor: the caller is
/// authenticated (401 with the challenges otherwise) and the application `{app}` of the path is
/// theirs and alive (404 ApplicationNotFound, 410 InactiveApplicationExpired), before any body is
/// read; the representation comes from Accept. The one prologue of every application route.
#[derive(Debug)]
pub struct AppCall {
    state: AppState,
    user: String,
    app_id: String,
    /// The representation the caller accepts.
    pub repr: Repr,
}

impl FromRequestParts<AppState> for AppCall {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let repr = Repr::from_accept(&parts.headers);
        let params = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Refusal::Ucwa(Problem::NotFound, repr))?;
        let app_id = params.get("app").cloned().unwrap_or_default();
        let user = {
            let mut world = state.lock();
            caller_application(&mut world, &parts.headers, &app_id, repr)?.0
        };
        Ok(AppCall {
            state: Arc::clone(state),
            user,
            app_id,
            repr,
        })
    }
}

impl AppCall {
    /// Runs `answer` on the application, with the rules and the representation (404 or 410 if it
    /// went in the meantime).
    pub fn with(&self, answer: impl FnOnce(&mut Application, &Rules, Repr) -> Response) -> Response {
        self.with_world(|world, app_id, repr| {
            let rules = world.rules;
            match application(world, &self.user, app_id, repr) {
                Ok(app) => answer(app, &rules, repr),
                Err(refused) => refused.into_response(),
            }
        })
    }

    /// Runs `answer` on the whole world (for what reaches beyond the application), with the
    /// application's id and the representation.
    pub fn with_world<T>(&self, answer: impl FnOnce(&mut World, &str, Repr) -> T) -> T {
        let mut world = self.state.lock();
        answer(&mut world, &self.app_id, self.repr)
    }

    /// How much request body may be read, and the rules.
    pub fn limits(&self) -> (usize, Rules) {
        let world = self.state.lock();
        let limit = if world.rules.body_limit {
            world.config.max_body_bytes
        } else {
            usize::MAX
        };
        (limit, world.rules)
    }

    /// The caller.
    pub fn user(&self) -> &str {
        &self.user
    }
}

/// Any method a resource under an application does not take: 401, 404 or 410 when the caller or
/// the application does not check out (a real pool answers those first), else the UCWA 405
/// MethodNotAllowed. Every application route falls back to it (HEAD included).
pub async fn wrong_method(call: AppCall) -> Response {
    refuse(Problem::MethodNotAllowed, call.repr)
}

/// 204 No Content, or the problem in `repr`.
pub fn no_content(result: Result<(), Problem>, repr: Repr) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => refuse(problem, repr),
    }
}

/// The journal, locked (or a scratch one, dropped, when the server does not grade).
pub enum JournalGuard<'a> {
    /// The server's journal.
    Kept(MutexGuard<'a, super::journal::Journal>),
    /// Nothing is kept.
    Scratch(super::journal::Journal),
}

impl std::ops::Deref for JournalGuard<'_> {
    type Target = super::journal::Journal;
    fn deref(&self) -> &Self::Target {
        match self {
            JournalGuard::Kept(j) => j,
            JournalGuard::Scratch(j) => j,
        }
    }
}

impl std::ops::DerefMut for JournalGuard<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            JournalGuard::Kept(j) => j,
            JournalGuard::Scratch(j) => j,
        }
    }
}
