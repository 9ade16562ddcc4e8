//! The data of an HTTP exchange, as the harness builds and reads it: a [`Request`], the
//! [`Response`] read whole (up to the cap), and why none came ([`TransportError`]). Both
//! transports (`http`, the pooled client, and `raw`) produce them; `judge` and `record` read them.

use std::time::Duration;
use url::Url;

/// A request, as the harness built it.
#[derive(Debug, Clone)]
pub struct Request {
    /// HTTP method, upper case.
    pub method: String,
    /// Absolute URL.
    pub url: Url,
    /// Headers in order (names as written).
    pub headers: Vec<(String, String)>,
    /// Body bytes, if any (shared: sending, retrying or journaling it copies nothing).
    pub body: Option<bytes::Bytes>,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: &str, url: Url) -> Self {
        Self {
            method: method.to_string(),
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<bytes::Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }
}

/// A response, body fully read (up to the cap).
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Time from sending to the end of the body.
    pub elapsed: Duration,
}

impl Response {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The Content-Type, or "" when absent.
    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// The body as text; invalid UTF-8 is replaced, never a panic (borrowed when it is valid).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// Why an exchange produced no response.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    /// No complete response within the request timeout.
    #[error("no complete response within {0:?}")]
    Timeout(Duration),
    /// The body was larger than the cap.
    #[error("response body larger than the cap of {0} bytes")]
    TooLarge(usize),
    /// The connection broke, or another transport failure.
    #[error("{0}")]
    Connection(String),
    /// Could not connect at all (refused, no route, the name does not resolve).
    #[error("cannot connect: {0}")]
    Unreachable(String),
    /// The request could not be built (bad method or header).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The server closed the connection without any response while or after a body was sent.
    #[error("{0}")]
    ClosedWithoutResponse(String),
    /// The body is not valid in the content coding the server named.
    #[error("{0}")]
    Coding(String),
    /// The request carries credentials and its host is outside the run's trust set: not sent.
    #[error("{0}")]
    Untrusted(String),
}
