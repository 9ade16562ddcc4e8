//! Reading UCWA inputs sent to the reference server: query parameters plus a JSON object
//! (links under `_links`) or `<input>` with `<property>` and `<link>`. Names are matched
//! case-insensitively (interpretation I-06).

use crate::errors::Problem;
use crate::repr::{BodyKind, NS, body_kind};
use axum::http::{HeaderMap, header};
use std::collections::HashMap;

/// The inputs of one request, keyed by lower-cased name.
#[derive(Debug, Default)]
pub struct Input {
    /// The body was XML (some mutants treat one representation differently).
    pub xml: bool,
    properties: HashMap<String, String>,
    lists: HashMap<String, Vec<String>>,
    links: HashMap<String, String>,
}

impl Input {
    /// A property (case-insensitive name).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.properties.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// A list property (JSON array, XML `propertyList`), case-insensitive name.
    pub fn list(&self, name: &str) -> Option<&[String]> {
        self.lists.get(&name.to_ascii_lowercase()).map(Vec::as_slice)
    }

    /// The lower-cased names of every property, list and link given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.properties
            .keys()
            .chain(self.lists.keys())
            .chain(self.links.keys())
            .map(String::as_str)
    }

    /// A link-valued input (case-insensitive rel).
    pub fn link(&self, rel: &str) -> Option<&str> {
        self.links.get(&rel.to_ascii_lowercase()).map(String::as_str)
    }
}

/// Reads query parameters and the body. Errors: 415 for a body of another type, 400 BadRequest
/// for a body that does not parse.
pub fn read(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Input, Problem> {
    read_as(query, body_kind(headers), body)
}

/// Reads query parameters and a body of a known kind (what `read` does once the Content-Type
/// is known): the same reading, without HTTP types.
pub fn read_as(query: Option<&str>, kind: BodyKind, body: &[u8]) -> Result<Input, Problem> {
    let mut input = Input::default();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        input.properties.insert(name.to_ascii_lowercase(), value.into_owned());
    }
    let blank = body.iter().all(u8::is_ascii_whitespace);
    match kind {
        _ if blank => {}
        BodyKind::Json => json(body, &mut input)?,
        BodyKind::Xml => {
            input.xml = true;
            xml(body, &mut input)?;
        }
        BodyKind::None | BodyKind::Other => {
            return Err(Problem::UnsupportedMediaType("application/json or application/xml"));
        }
    }
    Ok(input)
}

fn malformed(detail: impl std::fmt::Display) -> Problem {
    Problem::Malformed(detail.to_string())
}

fn json(body: &[u8], input: &mut Input) -> Result<(), Problem> {
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
            (_, serde_json::Value::Array(items)) => {
                let items = items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect();
                input.lists.insert(name.to_ascii_lowercase(), items);
            }
            (_, other) => {
                // Numbers and booleans are kept in their JSON spelling; validation judges them.
                input.properties.insert(name.to_ascii_lowercase(), other.to_string());
            }
        }
    }
    Ok(())
}

fn xml(body: &[u8], input: &mut Input) -> Result<(), Problem> {
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
            "propertyList" => {
                if let Some(name) = child.attribute("name") {
                    let items = child
                        .children()
                        .filter(|c| c.has_tag_name((NS, "item")))
                        .map(|c| c.text().unwrap_or("").to_string())
                        .collect();
                    input.lists.insert(name.to_ascii_lowercase(), items);
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
pub async fn bytes(body: axum::body::Body, limit: usize) -> Result<axum::body::Bytes, Problem> {
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
        return Err(Problem::TooLarge(limit));
    }
    Ok(kept.into())
}

/// The `boundary` parameter of a multipart Content-Type (quotes removed), if it has one.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty())
}

/// Why a token request's form could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// `multipart/form-data` needs a boundary parameter.
    #[error("multipart/form-data without a boundary")]
    NoBoundary,
    /// A multipart form must be UTF-8 text here.
    #[error("the form is not UTF-8")]
    NotUtf8,
    /// A part's head must end with a blank line.
    #[error("a part without a blank line")]
    NoBlankLine,
    /// A part must name its field.
    #[error("a part without a name")]
    NoName,
}

/// The fields of a token request: `application/x-www-form-urlencoded` (any parameters, a quoted
/// charset included) or `multipart/form-data`. The error says what is wrong.
pub fn form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, FormError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "multipart/form-data" {
        return Ok(url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect());
    }
    let boundary = boundary(content_type).ok_or(FormError::NoBoundary)?;
    multipart(body, &boundary)
}

/// The text fields of a multipart/form-data body (RFC 7578): each part's
/// `Content-Disposition: form-data; name="..."` and its value.
fn multipart(body: &[u8], boundary: &str) -> Result<HashMap<String, String>, FormError> {
    let text = std::str::from_utf8(body).map_err(|_| FormError::NotUtf8)?;
    let delimiter = format!("--{boundary}");
    let mut fields = HashMap::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let (head, value) = part.split_once("\r\n\r\n").ok_or(FormError::NoBlankLine)?;
        let name = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .and_then(|l| l.split(';').find_map(|p| p.trim().strip_prefix("name=")))
            .map(|n| n.trim_matches('"').to_string())
            .ok_or(FormError::NoName)?;
        fields.insert(name, value.strip_suffix("\r\n").unwrap_or(value).to_string());
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multipart_token_request_gives_its_fields() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=\"XyZ\"".parse().expect("header"),
        );
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\na@b.test\r\n--XyZ--\r\n";
        let fields = form(&headers, body.as_bytes()).expect("parses");
        assert_eq!(fields.get("grant_type").map(String::as_str), Some("password"));
        assert_eq!(fields.get("username").map(String::as_str), Some("a@b.test"));
    }

    #[test]
    fn a_quoted_charset_is_still_a_form() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded;charset='utf-8'"
                .parse()
                .expect("header"),
        );
        let fields = form(&headers, b"grant_type=password&username=u").expect("parses");
        assert_eq!(fields.get("username").map(String::as_str), Some("u"));
    }
}
