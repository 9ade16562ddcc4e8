//! Recorded exchanges: each request and response a trial sent and received, kept as fields
//! (method, URL, status, headers, body), never as display text that a report would re-parse.
//!
//! Bodies are kept whole up to [`STORED_BODY_BYTES`]; a larger body is kept whole when long runs
//! of one character make it small (the filler of a too-large body), else as a prefix. Every body
//! carries its length and sha256, so a reader always knows whether it has the whole of it.
//! Secrets are removed by [`Exchange::redact`], called once per trial by the run session.

use crate::digest::sha256;
use crate::under_test::secret::{REDACTED, Redactor};
use serde::{Deserialize, Serialize};

/// Largest body stored as plain text, in bytes.
pub const STORED_BODY_BYTES: usize = 64 * 1024;

/// A repeated piece at least this long (in bytes) is stored as a [`Segment::Repeat`].
const MIN_RUN: usize = 256;

/// One step of a trial: an HTTP exchange, or a wait on the event channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Exchange {
    /// A request and the response to it (none when the transport failed).
    Http {
        /// What was sent.
        request: RecordedRequest,
        /// What came back, if anything did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<RecordedResponse>,
    },
    /// A wait for an event on the event channel.
    Event {
        /// What the step waited for, e.g. `added messagingInvitation (operationId …)`.
        wanted: String,
        /// How long it was willing to wait, in milliseconds.
        within_ms: u64,
        /// The event that matched, described one field per line; absent when none came.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
}

/// A header, name as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Header {
    /// The header name.
    pub name: String,
    /// Its value (an Authorization value is `Bearer [redacted]`).
    pub value: String,
}

/// A request as the harness sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordedRequest {
    /// The method, upper case.
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// Headers in the order sent.
    pub headers: Vec<Header>,
    /// The body, if one was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyRecord>,
}

/// A response as the target sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordedResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Headers in the order received (names as the HTTP library gives them: lower case).
    pub headers: Vec<Header>,
    /// The body, if it was not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyRecord>,
}

/// A body: its size and digest always, and its bytes as far as they are stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BodyRecord {
    /// Length in bytes.
    pub length: u64,
    /// `sha256:` and the hex digest of the whole body, when only a prefix is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// How much of it is stored.
    pub stored: Stored,
}

/// The stored part of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "as", rename_all = "kebab-case")]
pub enum Stored {
    /// The whole body, as text.
    Text {
        /// The body.
        text: String,
    },
    /// The whole body as text pieces and runs of one character (a large filler body).
    Segments {
        /// The pieces, in order.
        segments: Vec<Segment>,
    },
    /// Only the start of the body (it is larger than the stored cap, or not UTF-8).
    Prefix {
        /// The first bytes, as text (invalid UTF-8 replaced).
        prefix: String,
    },
}

/// A piece of a body stored as segments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Segment {
    /// Text as it is.
    Text {
        /// The text.
        text: String,
    },
    /// A short piece of printable ASCII repeated.
    Repeat {
        /// The piece.
        repeat: String,
        /// How many times.
        count: u64,
    },
}

impl BodyRecord {
    /// Records `bytes`: whole when small or made of long runs, else a prefix with the length and
    /// sha256 of the whole. A body stored whole needs no digest (it is there to hash), so large
    /// filler bodies cost one scan, not a hash.
    pub fn capture(bytes: &[u8]) -> Self {
        let small = bytes.len() <= STORED_BODY_BYTES;
        let stored = match (small, std::str::from_utf8(bytes).ok()) {
            (true, Some(text)) => Stored::Text { text: text.to_string() },
            (true, None) => Stored::Prefix {
                prefix: prefix_of(bytes),
            },
            // A large body is scanned as bytes first; only its text pieces need UTF-8 checks.
            (false, _) => match segments(bytes) {
                Some(segments) => Stored::Segments { segments },
                None => Stored::Prefix {
                    prefix: prefix_of(bytes),
                },
            },
        };
        let sha256 = matches!(stored, Stored::Prefix { .. }).then(|| sha256(bytes));
        Self {
            length: bytes.len() as u64,
            sha256,
            stored,
        }
    }

    /// The whole body as text, when it is stored whole.
    pub fn whole_text(&self) -> Option<String> {
        match &self.stored {
            Stored::Text { text } => Some(text.clone()),
            Stored::Segments { segments } => Some(
                segments
                    .iter()
                    .map(|s| match s {
                        Segment::Text { text } => text.clone(),
                        Segment::Repeat { repeat, count } => repeat.repeat(*count as usize),
                    })
                    .collect(),
            ),
            Stored::Prefix { .. } => None,
        }
    }

    /// The body for display: whole when stored whole and small, else its start and what is missing.
    pub fn display(&self) -> String {
        match &self.stored {
            Stored::Text { text } => text.clone(),
            Stored::Segments { segments } => segments
                .iter()
                .map(|s| match s {
                    Segment::Text { text } => text.clone(),
                    Segment::Repeat { repeat, count } => format!("[{repeat:?} x {count}]"),
                })
                .collect(),
            Stored::Prefix { prefix } => format!(
                "{prefix}\n... ({} bytes in all, {}; only the first {} are stored)",
                self.length,
                self.sha256.as_deref().unwrap_or("no digest"),
                prefix.len()
            ),
        }
    }

    /// Removes secrets from the stored text; when that changes it, the length and digest are
    /// those of the redacted body (a digest of a secret-bearing body would let one guess it).
    fn redact(&mut self, redactor: &Redactor) {
        if !self.redact_stored(redactor) {
            return;
        }
        match self.whole_text() {
            Some(text) => self.length = text.len() as u64,
            None => self.sha256 = Some(REDACTED.to_string()),
        }
    }

    /// Redacts the stored text in place; true when anything changed.
    fn redact_stored(&mut self, redactor: &Redactor) -> bool {
        let texts: Vec<&mut String> = match &mut self.stored {
            Stored::Text { text } => vec![text],
            Stored::Prefix { prefix } => vec![prefix],
            Stored::Segments { segments } => segments
                .iter_mut()
                .filter_map(|segment| match segment {
                    Segment::Text { text } => Some(text),
                    _ => None,
                })
                .collect(),
        };
        let mut changed = false;
        for text in texts {
            if let Some(redacted) = redactor.redacted(text) {
                *text = redacted;
                changed = true;
            }
        }
        changed
    }
}

/// Up to the cap's worth of bytes, as text.
fn prefix_of(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(STORED_BODY_BYTES)];
    String::from_utf8_lossy(cut).trim_end_matches('\u{fffd}').to_string()
}

/// The window in which a repeating unit is looked for, in bytes.
const WINDOW: usize = 64;

/// How far a found repetition is extended per comparison, in bytes.
const BLOCK: usize = 16 * 1024;

/// The longest repeating unit looked for, in bytes.
const MAX_UNIT: usize = 16;

/// The shortest period (1 to [`MAX_UNIT`] bytes of printable ASCII) that `window` repeats.
fn period_of(window: &[u8]) -> Option<usize> {
    (1..=MAX_UNIT).find(|&p| {
        window[p] == window[0]
            && window[p..] == window[..window.len() - p]
            && window[..p].iter().all(|b| (0x20..0x7f).contains(b))
    })
}

/// The body as text pieces and repeated units, if that form fits under the cap. Windows of
/// [`WINDOW`] bytes are tested for a short period; a periodic one is extended a chunk at a time
/// (slice comparisons, so a 2 MiB filler costs about one memcmp pass).
fn segments(bytes: &[u8]) -> Option<Vec<Segment>> {
    // Repeated units are printable ASCII, so the pieces between them start and end on character
    // boundaries: the body is valid UTF-8 exactly when every text piece is.
    let text = |range: std::ops::Range<usize>| std::str::from_utf8(&bytes[range]).ok().map(str::to_string);
    let mut out = Vec::new();
    let mut stored = 0usize;
    let (mut start, mut i) = (0usize, 0usize);
    while i + WINDOW <= bytes.len() {
        let Some(p) = period_of(&bytes[i..i + WINDOW]) else {
            i += WINDOW;
            continue;
        };
        // The repetition may have begun inside the previous window.
        while i > start && bytes[i - 1] == bytes[i - 1 + p] {
            i -= 1;
        }
        let mut end = i + WINDOW;
        // Periodic so far: compare whole blocks with the same text `p` bytes back.
        while end + BLOCK <= bytes.len() && bytes[end..end + BLOCK] == bytes[end - p..end - p + BLOCK] {
            end += BLOCK;
        }
        while end + WINDOW <= bytes.len() && bytes[end..end + WINDOW] == bytes[end - p..end - p + WINDOW] {
            end += WINDOW;
        }
        while end < bytes.len() && bytes[end] == bytes[end - p] {
            end += 1;
        }
        let count = (end - i) / p;
        end = i + count * p;
        if end - i < MIN_RUN {
            i = end.max(i + 1);
            continue;
        }
        // The unit is ASCII, so `i` and `end` are character boundaries.
        if start < i {
            stored += i - start;
            out.push(Segment::Text { text: text(start..i)? });
        }
        out.push(Segment::Repeat {
            repeat: text(i..i + p)?,
            count: count as u64,
        });
        stored += p + 16;
        if stored > STORED_BODY_BYTES {
            return None;
        }
        (start, i) = (end, end);
    }
    if start < bytes.len() {
        stored += bytes.len() - start;
        if stored > STORED_BODY_BYTES {
            return None;
        }
        out.push(Segment::Text {
            text: text(start..bytes.len())?,
        });
    }
    (stored <= STORED_BODY_BYTES).then_some(out)
}

impl Header {
    /// A header.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }

    fn redact(&mut self, redactor: &Redactor) {
        if self.name.eq_ignore_ascii_case("authorization") {
            self.value = match self.value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {REDACTED}"),
                None => REDACTED.to_string(),
            };
        } else if let Some(redacted) = redactor.redacted_values(&self.value) {
            self.value = redacted;
        }
    }
}

impl RecordedResponse {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}

impl Exchange {
    /// Removes every secret the redactor knows from every field.
    pub fn redact(&mut self, redactor: &Redactor) {
        match self {
            Exchange::Http { request, response } => {
                if let Some(url) = redactor.redacted_values(&request.url) {
                    request.url = url;
                }
                for header in &mut request.headers {
                    header.redact(redactor);
                }
                if let Some(body) = &mut request.body {
                    body.redact(redactor);
                }
                if let Some(response) = response {
                    for header in &mut response.headers {
                        header.redact(redactor);
                    }
                    if let Some(body) = &mut response.body {
                        body.redact(redactor);
                    }
                }
            }
            Exchange::Event { wanted, event, .. } => {
                *wanted = redactor.redact(wanted);
                if let Some(event) = event {
                    *event = redactor.redact(event);
                }
            }
        }
    }

    /// The request as text: `METHOD URL`, headers, blank line, body.
    pub fn request_text(&self) -> String {
        match self {
            Exchange::Http { request, .. } => {
                let mut out = format!("{} {}\n", request.method, request.url);
                for h in &request.headers {
                    out.push_str(&format!("{}: {}\n", h.name, h.value));
                }
                if let Some(body) = &request.body {
                    out.push('\n');
                    out.push_str(&body.display());
                }
                out
            }
            Exchange::Event { wanted, within_ms, .. } => format!("WAIT up to {within_ms} ms for {wanted}"),
        }
    }

    /// The response as text (status, headers, body), or the event; empty when none came.
    pub fn response_text(&self) -> String {
        match self {
            Exchange::Http {
                response: Some(response),
                ..
            } => {
                let mut out = format!("HTTP {}\n", response.status);
                for h in &response.headers {
                    out.push_str(&format!("{}: {}\n", h.name, h.value));
                }
                if let Some(body) = &response.body {
                    out.push('\n');
                    out.push_str(&body.display());
                }
                out
            }
            Exchange::Http { response: None, .. } => String::new(),
            Exchange::Event { event, .. } => event.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::under_test::secret::Secret;

    #[test]
    fn small_bodies_are_kept_whole() {
        let body = BodyRecord::capture(b"{\"a\":1}");
        assert_eq!(body.length, 7);
        assert_eq!(body.whole_text().as_deref(), Some("{\"a\":1}"));
        assert_eq!(body.sha256, None, "a body stored whole needs no digest");
    }

    #[test]
    fn a_large_filler_body_is_kept_whole_as_segments() {
        let text = format!("{{\"subject\":\"é{}\"}}", "abcdefghij".repeat(200_000));
        let body = BodyRecord::capture(text.as_bytes());
        assert!(matches!(body.stored, Stored::Segments { .. }), "{:?}", body.stored);
        assert_eq!(body.whole_text().as_deref(), Some(text.as_str()));
        assert_eq!(body.length, text.len() as u64);
    }

    #[test]
    fn a_large_varied_body_keeps_a_prefix_and_says_so() {
        let text: String = (0..100_000u32).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let body = BodyRecord::capture(text.as_bytes());
        assert_eq!(body.whole_text(), None);
        assert!(body.display().contains("100000 bytes in all"), "{}", body.display());
        assert!(body.sha256.as_deref().is_some_and(|d| d.starts_with("sha256:")));
    }

    #[test]
    fn redaction_reaches_every_field() {
        let redactor = Redactor::new([Secret::new("hunter2")]);
        let mut exchange = Exchange::Http {
            request: RecordedRequest {
                method: "POST".into(),
                url: "http://h/x?password=hunter2".into(),
                headers: vec![Header::new("Authorization", "Bearer cwt=abc")],
                body: Some(BodyRecord::capture(b"password=hunter2")),
            },
            response: Some(RecordedResponse {
                status: 200,
                headers: vec![Header::new("x-token", "cwt=abc")],
                body: Some(BodyRecord::capture(b"{\"access_token\":\"cwt=abc\"}")),
            }),
        };
        exchange.redact(&redactor);
        let text = format!("{}{}", exchange.request_text(), exchange.response_text());
        assert!(!text.contains("hunter2") && !text.contains("cwt=abc"), "{text}");
        assert!(text.contains("Authorization: Bearer [redacted]"), "{text}");
    }
}
