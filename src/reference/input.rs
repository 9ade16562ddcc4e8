//! Reading UCWA inputs sent to the reference server: query parameters plus a JSON object
//! (links under `_links`) or `<input>` with `<property>` and `<link>`. Names are matched
//! case-insensitively (interpretation I-06).

use super::repr::{BodyKind, NS, UcwaError, body_kind};
use axum::http::{HeaderMap, StatusCode};
use std::collections::HashMap;

/// The inputs of one request, keyed by lower-cased name.
#[derive(Debug, Default)]
pub struct Input {
    properties: HashMap<String, String>,
    links: HashMap<String, String>,
}

impl Input {
    /// A property (case-insensitive name).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.properties.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// The lower-cased names of every property and link given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.properties.keys().chain(self.links.keys()).map(String::as_str)
    }

    /// A link-valued input (case-insensitive rel).
    pub fn link(&self, rel: &str) -> Option<&str> {
        self.links.get(&rel.to_ascii_lowercase()).map(String::as_str)
    }
}

/// Reads query parameters and the body. Errors: 415 for a body of another type, 400 BadRequest
/// for a body that does not parse.
pub fn read(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Input, UcwaError> {
    let mut input = Input::default();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        input.properties.insert(name.to_ascii_lowercase(), value.into_owned());
    }
    let blank = body.iter().all(u8::is_ascii_whitespace);
    match body_kind(headers) {
        _ if blank => {}
        BodyKind::Json => json(body, &mut input)?,
        BodyKind::Xml => xml(body, &mut input)?,
        BodyKind::None | BodyKind::Other => {
            return Err(UcwaError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                None,
                "The content type is not supported; use application/json or application/xml.",
            ));
        }
    }
    Ok(input)
}

fn malformed(detail: impl std::fmt::Display) -> UcwaError {
    UcwaError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        Some("DeserializationFailure"),
        format!("The request body could not be read: {detail}"),
    )
}

fn json(body: &[u8], input: &mut Input) -> Result<(), UcwaError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(malformed)?;
    let object = value
        .as_object()
        .ok_or_else(|| malformed("the body is not a JSON object"))?;
    for (name, value) in object {
        match (name.as_str(), value) {
            ("_links", serde_json::Value::Object(links)) => {
                for (rel, link) in links {
                    if let Some(href) = link.get("href").and_then(|h| h.as_str()) {
                        input.links.insert(rel.to_ascii_lowercase(), href.to_string());
                    }
                }
            }
            (_, serde_json::Value::String(s)) => {
                input.properties.insert(name.to_ascii_lowercase(), s.clone());
            }
            (_, serde_json::Value::Null) => {}
            (_, other) => {
                // Numbers and booleans are kept in their JSON spelling; validation judges them.
                input.properties.insert(name.to_ascii_lowercase(), other.to_string());
            }
        }
    }
    Ok(())
}

fn xml(body: &[u8], input: &mut Input) -> Result<(), UcwaError> {
    let text = std::str::from_utf8(body).map_err(malformed)?;
    let doc = roxmltree::Document::parse(text).map_err(malformed)?;
    let root = doc.root_element();
    if !root.has_tag_name((NS, "input")) {
        return Err(malformed(format!("expected <input xmlns=\"{NS}\">")));
    }
    for child in root
        .children()
        .filter(|c| c.is_element() && c.tag_name().namespace() == Some(NS))
    {
        match child.tag_name().name() {
            "property" => {
                if let Some(name) = child.attribute("name") {
                    input
                        .properties
                        .insert(name.to_ascii_lowercase(), child.text().unwrap_or("").to_string());
                }
            }
            "link" => {
                if let (Some(rel), Some(href)) = (child.attribute("rel"), child.attribute("href")) {
                    input.links.insert(rel.to_ascii_lowercase(), href.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The most a too-large body is drained before the connection is given up (32 MiB).
const MAX_DRAIN_BYTES: usize = 32 * 1024 * 1024;

/// Reads a request body up to `limit` bytes; larger bodies get 413 EntityTooLarge. The rest of
/// a too-large body is read and dropped (up to 32 MiB), so the client receives the 413 instead
/// of a broken pipe.
pub async fn bytes(body: axum::body::Body, limit: usize) -> Result<axum::body::Bytes, UcwaError> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen <= limit {
            kept.extend_from_slice(&data);
        } else {
            kept = Vec::new();
        }
        if seen > MAX_DRAIN_BYTES {
            break;
        }
    }
    if seen > limit {
        return Err(UcwaError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "EntityTooLarge",
            None,
            format!("The request is larger than {limit} bytes."),
        ));
    }
    Ok(kept.into())
}
