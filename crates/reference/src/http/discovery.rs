//! Discovery and sign-in: the root (at `/`, as the discovery host answers, and at the
//! autodiscover path), the xframe page, the user resource (401 until signed in) and the
//! WebTicket token endpoint; anonymous tokens and their discover link.

use super::access::{AppState, authenticate, origin, refuse};
use crate::errors::Problem;
use crate::hrefs::{
    ANONYMOUS_APPLICATIONS_PATH, ANONYMOUS_DISCOVER_PATH, APPLICATIONS_PATH, ROOT_PATH, USER_PATH, XFRAME_PATH,
};
use crate::input;
use crate::repr::{Repr, Res};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// GET root (at `/` and at the autodiscover path): the `user` link with a server-added query
/// parameter, and the absolute `xframe` link (it becomes an iframe's `src`).
pub async fn root(headers: HeaderMap) -> Response {
    let o = origin(&headers);
    Res::new("root", format!("{o}{ROOT_PATH}"))
        .link("user", format!("{o}{USER_PATH}?originalDomain=contoso.test"))
        .link("xframe", format!("{o}{XFRAME_PATH}"))
        .respond(StatusCode::OK, Repr::from_accept(&headers))
}

/// GET xframe: the cross-domain frame page, 200 text/html, no sign-in (`xframe_ref.md`). The
/// reference's page answers the frame protocol's messages with a same-origin XMLHttpRequest.
pub async fn xframe() -> Response {
    let mut response = (StatusCode::OK, XFRAME_PAGE.as_str()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The xframe page: relays `{url, type, headers, data, messageId}` messages as requests to this
/// origin and posts back `{status, statusText, responseText, headers, messageId}`. Browsers give
/// `getAllResponseHeaders()` with lower-case names; the page hands them back as the server spelt
/// them (the IIS spellings of `wire`, else title case), because the samples' helper library looks
/// `Content-Type`, `WWW-Authenticate` and `X-Ms-diagnostics` up by exact name.
static XFRAME_PAGE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let spellings = serde_json::to_string(&crate::wire::SPELLINGS).unwrap_or_else(|_| "[]".into());
    XFRAME_TEMPLATE.replace("SPELLINGS_JSON", &spellings)
});

const XFRAME_TEMPLATE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>XFrame</title></head><body>
<script>
var SPELLINGS = SPELLINGS_JSON;
function spelt(name) {
  var lower = name.toLowerCase();
  for (var i = 0; i < SPELLINGS.length; i++) { if (SPELLINGS[i].toLowerCase() === lower) { return SPELLINGS[i]; } }
  return lower.replace(/(^|-)([a-z])/g, function (m, dash, c) { return dash + c.toUpperCase(); });
}
function respell(all) {
  return all.split(/\r?\n/).filter(function (line) { return line.length > 0; }).map(function (line) {
    var colon = line.indexOf(":");
    return colon < 0 ? line : spelt(line.slice(0, colon)) + line.slice(colon);
  }).join("\r\n") + "\r\n";
}
window.addEventListener("message", function (event) {
  var m; try { m = typeof event.data === "string" ? JSON.parse(event.data) : event.data; } catch (e) { return; }
  if (!m || !m.url) { return; }
  var xhr = new XMLHttpRequest();
  xhr.open(m.type || "GET", m.url, true);
  var headers = m.headers || {};
  for (var name in headers) { xhr.setRequestHeader(name, headers[name]); }
  if (m.accepts) { xhr.setRequestHeader("Accept", m.accepts); }
  if (m.contentType) { xhr.setRequestHeader("Content-Type", m.contentType); }
  xhr.setRequestHeader("X-Ms-Origin", event.origin);
  xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
  xhr.onreadystatechange = function () {
    if (xhr.readyState !== 4) { return; }
    event.source.postMessage(JSON.stringify({ status: xhr.status, statusText: xhr.statusText,
      responseText: xhr.responseText, headers: respell(xhr.getAllResponseHeaders()), messageId: m.messageId }), event.origin);
  };
  xhr.send(m.data === undefined ? null : (typeof m.data === "string" ? m.data : JSON.stringify(m.data)));
});
</script>
</body></html>
"#;

/// GET user: 401 with the challenges, then the `applications` link. The self link keeps the
/// query the request came with (`originalDomain`).
pub async fn user(State(state): State<AppState>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    if let Err(refusal) = authenticate(&state.lock(), &headers) {
        return refusal.into_response();
    }
    let o = origin(&headers);
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    Res::new("user", format!("{o}{USER_PATH}{query}"))
        .link("applications", format!("{o}{APPLICATIONS_PATH}"))
        .link("xframe", format!("{o}{XFRAME_PATH}"))
        .respond(StatusCode::OK, Repr::from_accept(&headers))
}

/// POST oauthtoken: the password grant, form-encoded (also with a quoted charset, as the
/// official helper library sends it) or as multipart/form-data.
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let refuse_grant = |error: &str| {
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
    let Ok(form) = input::form(&headers, &body) else {
        return refuse_grant("invalid_request");
    };
    match form.get("grant_type").map(String::as_str) {
        Some("password") => {}
        Some(_) => return refuse_grant("unsupported_grant_type"),
        None => return refuse_grant("invalid_request"),
    }
    let (Some(user), Some(password)) = (form.get("username"), form.get("password")) else {
        return refuse_grant("invalid_request");
    };
    let mut world = state.lock();
    if !world.check_password(user, password) {
        return refuse_grant("invalid_grant");
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

/// POST anonApplicationTokens?endpointId=SIP (a signed-in service application): a `psat=` token
/// that lets an anonymous client invite only that endpoint, and the link to discover with it.
pub async fn anonymous_token(State(state): State<AppState>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let repr = Repr::from_accept(&headers);
    let mut world = state.lock();
    match authenticate(&world, &headers) {
        Ok(user) if !world.anonymous_targets.contains_key(&user) => {}
        Ok(_) => return refuse(Problem::Forbidden("Anonymous tokens cannot issue tokens.".into()), repr),
        Err(refusal) => return refusal.into_response(),
    }
    let endpoint = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("endpointId"))
        .map(|(_, v)| v.into_owned())
        .filter(|v| crate::validation::is_sip_uri(v));
    let Some(endpoint) = endpoint else {
        return refuse(Problem::Invalid("endpointId must be a SIP URI.".into()), repr);
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
