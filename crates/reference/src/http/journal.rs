//! What the reference saw of its clients (`serve --grade-clients`): every request, per
//! application, with the answer it got. Recorded at the HTTP edge by `recorder`, after the
//! answer is final (a mutant's edit included); judged elsewhere (the binary's `oracle::grade`),
//! never here.
//!
//! Bounded: at most [`MAX_CLIENTS`] applications, [`MAX_SEEN`] requests each, [`MAX_BODY`]
//! bytes of each body.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Most applications recorded.
pub const MAX_CLIENTS: usize = 256;
/// Most requests recorded per application (the rest are counted).
pub const MAX_SEEN: usize = 10_000;
/// Most bytes of a request body kept.
pub const MAX_BODY: usize = 16 * 1024;

/// One request and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// When, from the journal's start.
    pub at: Duration,
    /// The method.
    pub method: String,
    /// The path, as the client wrote it.
    pub path: String,
    /// The query, if any.
    pub query: Option<String>,
    /// The Content-Type sent, if any.
    pub content_type: Option<String>,
    /// The Accept sent, if any.
    pub accept: Option<String>,
    /// The body sent (lossy UTF-8, at most [`MAX_BODY`] bytes).
    pub body: String,
    /// The status answered.
    pub status: u16,
    /// The UCWA error answered: code, subcode, message.
    pub error: Option<(String, Option<String>, String)>,
    /// The event channel answered with only a `resync` link (an ack out of order).
    pub resync: bool,
    /// The paths (lower case, no query) of the hrefs the answer gave.
    pub links: Vec<String>,
}

/// One client: the application it created and everything it asked under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// The request that created (or re-joined) the application.
    pub created: Option<Seen>,
    /// Every request under the application, in order.
    pub requests: Vec<Seen>,
    /// Requests beyond [`MAX_SEEN`], counted.
    pub dropped: usize,
    /// The application was deleted by a DELETE.
    pub deleted: bool,
}

/// Everything seen, by application id.
#[derive(Debug, Clone)]
pub struct Journal {
    pub(crate) started: Instant,
    /// The clients, by application id.
    pub clients: BTreeMap<String, Client>,
    /// Bumped when an application is deleted (whoever writes grades rewrites them).
    pub changes: u64,
}

impl Default for Journal {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            clients: BTreeMap::new(),
            changes: 0,
        }
    }
}

/// Most bytes of an answer read for its links.
pub(crate) const MAX_ANSWER: usize = 4 * 1024 * 1024;

/// The paths of the hrefs in a JSON or XML answer (`"href":"..."`, `href="..."`), lower case,
/// without query, host or fragment.
pub(crate) fn hrefs_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["\"href\":\"", "href=\""] {
        let mut rest = text;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            let href = rest[..end].replace("&amp;", "&");
            let path = href.split(['?', '#']).next().unwrap_or_default();
            let path = match path.split_once("://") {
                Some((_, after)) => after.find('/').map_or("/", |i| &after[i..]).to_string(),
                None => path.to_string(),
            };
            if path.starts_with('/') {
                out.push(path.to_ascii_lowercase());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A response to POST applications names the application it created or re-joined.
#[derive(Debug, Clone)]
pub struct ApplicationAnswered(pub String);

/// The event channel answered with a `resync` link only.
#[derive(Debug, Clone, Copy)]
pub struct Resynced;

/// The application id a path is under, if any (`/ucwa/oauth/v1/applications/101/...`).
pub(crate) fn application_of(path: &str) -> Option<String> {
    let lower = path.to_ascii_lowercase();
    let rest = ["/ucwa/oauth/v1/applications/", "/ucwa/psanon/v1/applications/"]
        .iter()
        .find_map(|prefix| lower.split_once(prefix).map(|(_, rest)| rest.to_string()))?;
    let id = rest.trim_start_matches('/').split('/').next()?.to_string();
    (!id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_links_an_answer_gave() {
        let json = r#"{"_links":{"self":{"href":"/ucwa/A/1?x=2"},"next":{"href":"http://h:1/ucwa/events?ack=2"}}}"#;
        assert_eq!(hrefs_in(json), vec!["/ucwa/a/1", "/ucwa/events"]);
        let xml = r#"<resource href="/ucwa/r"><link rel="x" href="/ucwa/x?a=1&amp;b=2"/></resource>"#;
        assert_eq!(hrefs_in(xml), vec!["/ucwa/r", "/ucwa/x"]);
    }

    #[test]
    fn the_application_a_path_is_under() {
        assert_eq!(
            application_of("/ucwa/oauth/v1/applications/101/communication").as_deref(),
            Some("101")
        );
        assert_eq!(
            application_of("/UCWA/OAuth/v1/Applications/101").as_deref(),
            Some("101")
        );
        assert_eq!(
            application_of("/ucwa/psanon/v1/applications/1000001/events").as_deref(),
            Some("1000001")
        );
        assert_eq!(application_of("/ucwa/oauth/v1/applications"), None);
        assert_eq!(application_of("/autodiscover/autodiscoverservice.svc/root"), None);
    }
}
