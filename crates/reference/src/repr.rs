//! How the reference server writes UCWA: resources and error bodies in JSON or XML, chosen from
//! the request's Accept (and, for errors on bodies, its Content-Type).
//!
//! Written independently of the harness's `wire` module on purpose: the suite must never check
//! the server with the server's own code.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use crate::res::{NS, Res, esc};

/// The representation of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repr {
    /// JSON.
    Json,
    /// XML.
    Xml,
}

impl Repr {
    /// From the Accept header: XML when it names an XML type, JSON otherwise.
    pub fn from_accept(headers: &HeaderMap) -> Self {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if accept.contains("xml") && !accept.contains("json") {
            Repr::Xml
        } else {
            Repr::Json
        }
    }

    /// For errors about a request body: the body's representation when it has one, else Accept.
    pub fn for_error(headers: &HeaderMap) -> Self {
        match body_kind(headers) {
            BodyKind::Json => Repr::Json,
            BodyKind::Xml => Repr::Xml,
            BodyKind::None | BodyKind::Other => Self::from_accept(headers),
        }
    }

    /// Its media type, as responses say it.
    pub fn content_type(self) -> &'static str {
        match self {
            Repr::Json => "application/json; charset=utf-8",
            Repr::Xml => "application/xml; charset=utf-8",
        }
    }
}

/// What a request's Content-Type says its body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No Content-Type.
    None,
    /// A JSON type (including `+json`).
    Json,
    /// An XML type (including `+xml`).
    Xml,
    /// Something UCWA does not take here.
    Other,
}

/// Classifies the request's Content-Type.
pub fn body_kind(headers: &HeaderMap) -> BodyKind {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return BodyKind::None;
    };
    body_kind_of(value.to_str().unwrap_or(""))
}

/// What a Content-Type value says a body is.
pub fn body_kind_of(content_type: &str) -> BodyKind {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => BodyKind::Json,
        "application/xml" | "text/xml" => BodyKind::Xml,
        e if e.starts_with("application/vnd.microsoft.com.ucwa+json") => BodyKind::Json,
        e if e.starts_with("application/vnd.microsoft.com.ucwa+xml") => BodyKind::Xml,
        _ => BodyKind::Other,
    }
}

impl Res {
    /// A response with this resource in `repr`.
    pub fn respond(&self, status: StatusCode, repr: Repr) -> Response {
        let body = match repr {
            Repr::Json => self.to_json().to_string(),
            Repr::Xml => format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{}", self.to_xml(true)),
        };
        with_type(status, repr, body)
    }
}

/// A UCWA error: status, code, optional subcode, message (and the XML namespace it is written in).
#[derive(Debug, Clone)]
pub struct UcwaError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `code`.
    pub code: &'static str,
    /// The `subcode`, if any.
    pub subcode: Option<&'static str>,
    /// A human message.
    pub message: String,
    /// The XML namespace of `<reason>` (the UCWA one).
    pub namespace: &'static str,
}

/// An error as a response carries it (in its extensions), so that a mutant edits the value
/// before it is written again (`rewrite`), never the written text.
#[derive(Debug, Clone)]
pub struct ErrorSent {
    /// The error.
    pub error: UcwaError,
    /// The representation it was written in.
    pub repr: Repr,
}

impl UcwaError {
    /// Builds an error.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        subcode: Option<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            subcode,
            message: message.into(),
            namespace: NS,
        }
    }

    /// The error's body in `repr`.
    pub fn body(&self, repr: Repr) -> String {
        match repr {
            Repr::Json => {
                let mut object = serde_json::json!({ "code": self.code, "message": self.message });
                if let Some(s) = self.subcode {
                    object["subcode"] = serde_json::json!(s);
                }
                object.to_string()
            }
            Repr::Xml => {
                let subcode = self
                    .subcode
                    .map(|s| format!("<subcode>{s}</subcode>"))
                    .unwrap_or_default();
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><reason xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"{}\"><code>{}</code>{subcode}<message>{}</message><debugInfo /><parameters /></reason>",
                    self.namespace,
                    self.code,
                    esc(&self.message)
                )
            }
        }
    }

    /// The error in `repr`, carrying itself for `rewrite`.
    pub fn respond(&self, repr: Repr) -> Response {
        let mut response = with_type(self.status, repr, self.body(repr));
        response.extensions_mut().insert(ErrorSent {
            error: self.clone(),
            repr,
        });
        response
    }
}

/// A response with `body` already in `repr`.
pub fn with_type(status: StatusCode, repr: Repr, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(repr.content_type()));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
