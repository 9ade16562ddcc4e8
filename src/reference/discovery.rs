//! Autodiscover root, the user resource (401 until signed in) and the WebTicket token endpoint.

use super::access::{AppState, TOKEN_PATH, authenticate, origin};
use super::repr::{Repr, Res, UcwaError};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The autodiscover root path.
pub const ROOT_PATH: &str = "/autodiscover/autodiscoverservice.svc/root";
/// The user resource path.
pub const USER_PATH: &str = "/autodiscover/autodiscoverservice.svc/root/oauth/user";
/// The applications collection path.
pub const APPLICATIONS_PATH: &str = "/ucwa/oauth/v1/applications";
/// The anonymous applications collection path.
pub const ANONYMOUS_APPLICATIONS_PATH: &str = "/ucwa/psanon/v1/applications";
/// Where a service application asks for anonymous tokens.
pub const ANONYMOUS_TOKENS_PATH: &str = "/platformService/v1/anonApplicationTokens";
/// Where an anonymous client discovers its `anonApplications` link.
pub const ANONYMOUS_DISCOVER_PATH: &str = "/platformService/discover";

/// GET root: absolute `user` link with a server-added query parameter.
pub async fn root(headers: HeaderMap) -> Response {
    let o = origin(&headers);
    Res::new("root", format!("{o}{ROOT_PATH}"))
        .link("user", format!("{o}{USER_PATH}?originalDomain=contoso.test"))
        .link("xframe", format!("{o}/xframe"))
        .respond(StatusCode::OK, Repr::from_accept(&headers))
}

/// GET user: 401 with the challenges, then the `applications` link.
pub async fn user(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(refusal) = authenticate(&state.lock(), &headers) {
        return refusal.into_response();
    }
    let o = origin(&headers);
    Res::new("user", format!("{o}{USER_PATH}"))
        .link("applications", format!("{o}{APPLICATIONS_PATH}"))
        .link("xframe", format!("{o}/xframe"))
        .respond(StatusCode::OK, Repr::from_accept(&headers))
}

/// POST oauthtoken: the form-encoded password grant.
pub async fn token(State(state): State<AppState>, body: String) -> Response {
    let form: std::collections::HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let refuse = |error: &str| {
        let mut response = (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "error": error })),
        )
            .into_response();
        if let Ok(v) = format!("28029;source=\"reference\";reason=\"{error}\"").parse() {
            response.headers_mut().insert("x-ms-diagnostics", v);
        }
        response
    };
    match form.get("grant_type").map(String::as_str) {
        Some("password") => {}
        Some(_) => return refuse("unsupported_grant_type"),
        None => return refuse("invalid_request"),
    }
    let (Some(user), Some(password)) = (form.get("username"), form.get("password")) else {
        return refuse("invalid_request");
    };
    let mut world = state.lock();
    if !world.check_password(user, password) {
        return refuse("invalid_grant");
    }
    let canonical = world
        .config
        .users
        .iter()
        .find(|(u, _)| u.eq_ignore_ascii_case(user))
        .map(|(u, _)| u.clone())
        .unwrap_or_else(|| user.clone());
    let token = world.issue_token(&canonical);
    axum::Json(serde_json::json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 28800,
        "ms_rtc_identityscope": "local",
    }))
    .into_response()
}

/// The path of the token endpoint, for the router.
pub const TOKEN_ROUTE: &str = TOKEN_PATH;

/// POST anonApplicationTokens?endpointId=SIP (a signed-in service application): a `psat=` token
/// that lets an anonymous client invite only that endpoint, and the link to discover with it.
pub async fn anonymous_token(State(state): State<AppState>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let repr = Repr::from_accept(&headers);
    let mut world = state.lock();
    match authenticate(&world, &headers) {
        Ok(user) if !world.anonymous_targets.contains_key(&user) => {}
        Ok(_) => {
            return UcwaError::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                None,
                "Anonymous tokens cannot issue tokens.",
            )
            .respond(repr);
        }
        Err(refusal) => return refusal.into_response(),
    }
    let endpoint = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("endpointId"))
        .map(|(_, v)| v.into_owned())
        .filter(|v| super::messaging::is_sip_uri(v));
    let Some(endpoint) = endpoint else {
        return UcwaError::invalid("endpointId must be a SIP URI.").respond(repr);
    };
    let token = world.issue_anonymous_token(&endpoint);
    let context: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    axum::Json(serde_json::json!({
        "token": token,
        "expiryTime": "\\/Date(253402300799000)\\/",
        "_links": { "ms:rtc:saas:discover": { "href": format!("{}{ANONYMOUS_DISCOVER_PATH}?anonymousContext={context}", origin(&headers)) } },
        "rel": "ms:rtc:saas:anonApplicationToken",
    }))
    .into_response()
}

/// GET discover with a `psat=` token: the `anonApplications` link.
pub async fn anonymous_discover(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(refusal) = authenticate(&state.lock(), &headers) {
        return refusal.into_response();
    }
    let o = origin(&headers);
    Res::new("discover", format!("{o}{ANONYMOUS_DISCOVER_PATH}"))
        .link("anonApplications", format!("{o}{ANONYMOUS_APPLICATIONS_PATH}"))
        .respond(StatusCode::OK, Repr::from_accept(&headers))
}
