//! `batch` (`BatchingRequests.md`, `batch_ref.md`): a POST of `multipart/batching` whose parts
//! are `application/http; msgtype=request` messages, answered by one `multipart/batching` whose
//! parts are `application/http; msgtype=response`, in the order of the requests.
//!
//! Each part is answered by the reference's own routes, with the batch's Authorization when the
//! part carries none, so a part answers exactly what the same request alone would: its own
//! status, headers and body, its own error when it fails. The docs exclude batch, events and
//! photo requests from a batch: such a part answers 400 ParameterValidationFailure. A batch of
//! more than 100 parts runs none of them: 429 TooManyRequests (the documented limit). A body
//! that is not a multipart batch is 400 DeserializationFailure (INTERPRETATION I-29).

use super::access::{AppState, caller_application, refuse};
use crate::errors::Problem;
use crate::input;
use crate::repr::Repr;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;
use tower::ServiceExt;

/// The most parts one batch may hold (`BatchingRequests.md`: 100 outstanding requests per user).
pub const MAX_PARTS: usize = 100;

/// Largest part answer kept, in bytes.
const MAX_PART_ANSWER: usize = 4 * 1024 * 1024;

/// What the batch layer needs: the world (to check the caller) and the routes (to answer parts).
#[derive(Clone)]
pub struct Batching {
    /// The world.
    pub state: AppState,
    /// The reference's routes, paths normalised, as one service.
    pub routes: Router,
}

/// Answers `POST …/applications/{id}/batch`; every other request passes on.
pub async fn layer(State(batching): State<Batching>, request: Request, next: Next) -> Response {
    let request = crate::wire::normalise_path(request);
    let served = batching.state.lock().rules.batch_served;
    let Some(app_id) = batch_application(&request).filter(|_| served) else {
        return next.run(request).await;
    };
    let headers = request.headers().clone();
    let repr = Repr::from_accept(&headers);
    if request.method() != Method::POST {
        return refuse(Problem::MethodNotAllowed, repr);
    }
    let limit = {
        let mut world = batching.state.lock();
        if let Err(refusal) = caller_application(&mut world, &headers, &app_id, repr) {
            return refusal.into_response();
        }
        world.config.max_body_bytes
    };
    let error_repr = Repr::for_error(&headers);
    let body = match input::bytes(request.into_body(), limit).await {
        Ok(body) => body,
        Err(problem) => return refuse(problem, error_repr),
    };
    let parts = match parse(&headers, &body) {
        Ok(parts) => parts,
        Err(problem) => return refuse(problem, error_repr),
    };
    if parts.len() > MAX_PARTS {
        return refuse(Problem::TooManyRequests, error_repr);
    }
    let mut answers = Vec::with_capacity(parts.len());
    for part in parts {
        answers.push(answer(&batching.routes, &headers, part).await);
    }
    respond(&answers)
}

/// The application id when `request` is for an application's `batch` (paths are lower case).
fn batch_application(request: &Request) -> Option<String> {
    let path = request.uri().path();
    let rest = path.strip_suffix("/batch")?;
    let (collection, id) = rest.rsplit_once('/')?;
    let applications = [
        crate::hrefs::APPLICATIONS_PATH,
        crate::hrefs::ANONYMOUS_APPLICATIONS_PATH,
    ];
    applications
        .iter()
        .any(|a| a.eq_ignore_ascii_case(collection))
        .then(|| id.to_string())
}

/// One request of a batch.
struct Part {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// The parts of a `multipart/batching` body; a body that is not one is 400 DeserializationFailure.
fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Part>, Problem> {
    let malformed = |why: &str| Problem::Malformed(why.to_string());
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("multipart/batching") {
        return Err(Problem::UnsupportedMediaType("multipart/batching"));
    }
    let boundary = input::boundary(content_type).ok_or_else(|| malformed("the Content-Type names no boundary"))?;
    let text = String::from_utf8_lossy(body).replace("\r\n", "\n");
    let delimiter = format!("--{boundary}");
    let mut sections = text.split(&delimiter);
    sections.next(); // the preamble
    let mut parts = Vec::new();
    let mut closed = false;
    for section in sections {
        if section.starts_with("--") {
            closed = true;
            break;
        }
        let section = section.strip_prefix('\n').unwrap_or(section);
        let (part_headers, message) = section
            .split_once("\n\n")
            .ok_or_else(|| malformed("a part has no blank line after its headers"))?;
        let is_request = part_headers.lines().any(|l| {
            let l = l.to_ascii_lowercase();
            l.starts_with("content-type:") && l.contains("application/http")
        });
        if !is_request {
            return Err(malformed("a part is not application/http; msgtype=request"));
        }
        parts.push(request_of(message).ok_or_else(|| malformed("a part holds no HTTP request"))?);
    }
    if !closed {
        return Err(malformed("the batch has no closing boundary"));
    }
    Ok(parts)
}

/// The HTTP request a part holds: request line, headers, blank line, body.
fn request_of(message: &str) -> Option<Part> {
    let (head, body) = message.split_once("\n\n").unwrap_or((message, ""));
    let mut lines = head.lines();
    let mut request_line = lines.next()?.split_whitespace();
    let method = request_line.next()?.to_ascii_uppercase();
    let target = request_line.next()?.to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Part {
        method,
        target,
        headers,
        body: body.trim_end_matches('\n').as_bytes().to_vec(),
    })
}

/// A part's answer: its own status, headers and body (excluded requests refused here).
async fn answer(routes: &Router, batch_headers: &HeaderMap, part: Part) -> (StatusCode, HeaderMap, Vec<u8>) {
    let path = url::Url::parse(&part.target)
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or(part.target.clone());
    let lower = path.split('?').next().unwrap_or("").to_ascii_lowercase();
    let mut part_headers = HeaderMap::new();
    for (name, value) in &part.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
            part_headers.append(n, v);
        }
    }
    let repr = Repr::from_accept(&part_headers);
    if lower.ends_with("/batch") || lower.ends_with("/events") || lower.contains("/photos/") {
        let why = "A batch cannot hold a batch, events or photo request.";
        return split(refuse(Problem::Invalid(why.into()), repr)).await;
    }
    let Ok(method) = Method::from_bytes(part.method.as_bytes()) else {
        return split(refuse(Problem::Invalid("The part's method is not valid.".into()), repr)).await;
    };
    let mut request = Request::new(Body::from(part.body));
    *request.method_mut() = method;
    let Ok(uri) = path.parse() else {
        return split(refuse(Problem::Invalid("The part's target is not valid.".into()), repr)).await;
    };
    *request.uri_mut() = uri;
    *request.headers_mut() = part_headers;
    // The batch's credentials stand for every part that brings none of its own.
    for name in [header::AUTHORIZATION, header::HOST] {
        if !request.headers().contains_key(&name)
            && let Some(value) = batch_headers.get(&name)
        {
            request.headers_mut().insert(name, value.clone());
        }
    }
    match routes.clone().oneshot(request).await {
        Ok(response) => split(response).await,
        Err(never) => match never {},
    }
}

/// A response as status, headers and body bytes.
async fn split(response: Response) -> (StatusCode, HeaderMap, Vec<u8>) {
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, MAX_PART_ANSWER).await.unwrap_or_default();
    (parts.status, parts.headers, body.to_vec())
}

/// The `multipart/batching` answer: one `application/http; msgtype=response` part per request,
/// laid out as `BatchingRequests.md`'s response sample: CRLF lines, each part's inner headers
/// with `Content-Type` last, its body on one line, and the outer `Cache-Control`, `Pragma` and
/// `Expires` of the sample. Microsoft's UCWA samples (`Mime.js`) read a part line by line and
/// parse every non-empty line after its `Content-Type` as the body (I-29).
fn respond(answers: &[(StatusCode, HeaderMap, Vec<u8>)]) -> Response {
    let boundary = uuid::Uuid::new_v4().to_string();
    let mut body: Vec<u8> = Vec::new();
    for (status, headers, bytes) in answers {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Type: application/http; msgtype=response\r\n\r\n").as_bytes(),
        );
        // A part's header names are spelt as the server spells its own (clients read them by name).
        body.extend_from_slice(&crate::wire::respell_head(part_head(*status, headers).as_bytes()));
        let xml = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.contains("xml"));
        body.extend_from_slice(&one_line(bytes, xml));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut response = (StatusCode::OK, body).into_response();
    let outer = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("multipart/batching; boundary=\"{boundary}\"")) {
        outer.insert(header::CONTENT_TYPE, v);
    }
    outer.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    outer.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    outer.insert(header::EXPIRES, HeaderValue::from_static("-1"));
    response
}

/// A part's status line and headers, `Content-Type` last (no length: the part's boundary ends it).
fn part_head(status: StatusCode, headers: &HeaderMap) -> String {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let mut content_type = None;
    for (name, value) in headers {
        if name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING {
            continue;
        }
        let value = value.to_str().unwrap_or("");
        if name == header::CONTENT_TYPE {
            content_type = Some(value);
            continue;
        }
        let _ = write!(head, "{}: {value}\r\n", name.as_str());
    }
    if let Some(value) = content_type {
        let _ = write!(head, "content-type: {value}\r\n");
    }
    head.push_str("\r\n");
    head
}

/// A part's body on one line, so a reader that takes each line as the whole body reads all of
/// it: in XML a line break is written as a character reference (the same text to an XML
/// reader); elsewhere it becomes a space (between JSON's tokens, where the reference writes
/// none; JSON strings escape theirs).
fn one_line(body: &[u8], xml: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    for &b in body {
        match (b, xml) {
            (b'\r', true) => out.extend_from_slice(b"&#13;"),
            (b'\n', true) => out.extend_from_slice(b"&#10;"),
            (b'\r' | b'\n', false) => out.push(b' '),
            (b, _) => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).expect("ascii"),
        );
        h
    }

    const SAMPLE: &str = "--77f2\nContent-Type: application/http; msgtype=request\n\nGET /ucwa/oauth/v1/applications/103/people/contacts HTTP/1.1\nHost: lyncweb.contoso.com\nAccept: application/json\n\n--77f2\nContent-Type: application/http; msgtype=request\n\nGET /ucwa/oauth/v1/applications/103/me HTTP/1.1\nHost: lyncweb.contoso.com\nAccept: application/json\n\n--77f2--\n";

    #[test]
    fn the_documented_sample_parses() {
        let parts = parse(&headers("multipart/batching;boundary=77f2"), SAMPLE.as_bytes()).expect("parses");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].method, "GET");
        assert!(parts[0].target.ends_with("/people/contacts"));
        assert!(
            parts[1]
                .headers
                .iter()
                .any(|(n, v)| n == "Accept" && v == "application/json")
        );
        let crlf = SAMPLE.replace('\n', "\r\n");
        assert_eq!(
            parse(&headers("multipart/batching; boundary=\"77f2\""), crlf.as_bytes()).map(|p| p.len()),
            Ok(2)
        );
    }

    #[test]
    fn what_is_not_a_batch_says_so() {
        assert_eq!(
            parse(&headers("application/json"), b"{}").err(),
            Some(Problem::UnsupportedMediaType("multipart/batching"))
        );
        for (content_type, body) in [
            ("multipart/batching", SAMPLE),
            (
                "multipart/batching;boundary=77f2",
                "--77f2\nContent-Type: text/plain\n\nhello\n--77f2--\n",
            ),
            (
                "multipart/batching;boundary=77f2",
                "--77f2\nContent-Type: application/http\n\nGET /x HTTP/1.1\n\n",
            ),
        ] {
            assert!(
                matches!(
                    parse(&headers(content_type), body.as_bytes()),
                    Err(Problem::Malformed(_))
                ),
                "{body}"
            );
        }
    }
}
