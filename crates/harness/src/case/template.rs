//! Values with placeholders: `{{operation_id}}`, `{{peer}}`, `{{peer:decline}}`,
//! `{{peer:ignore}}`, `{{peer:anonymous}}`, `{{chars:N}}`, `{{uuid}}`, `{{capture:NAME}}`. Parsed once at load time,
//! filled in for each run of a case.

use std::collections::BTreeMap;
use std::fmt;

/// The largest `{{chars:N}}` a case may ask for (8 MiB): enough for any size-limit case,
/// small enough that a typo cannot exhaust memory.
pub const MAX_GENERATED_CHARS: usize = 8 * 1024 * 1024;

/// A string with placeholders, ready to be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    OperationId,
    Peer(PeerRole),
    Chars(usize),
    Wide(usize),
    Uuid,
    Capture(String),
}

/// Which of the target's peers a placeholder names, by how the peer answers invitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PeerRole {
    /// `{{peer}}`: accepts.
    Accept,
    /// `{{peer:decline}}`: declines.
    Decline,
    /// `{{peer:ignore}}`: never answers.
    Ignore,
    /// `{{peer:anonymous}}`: the one target an anonymous token may invite.
    Anonymous,
}

impl PeerRole {
    /// The precondition a target must offer for this role (`None` for the accepting peer,
    /// which every target has).
    pub fn precondition(self) -> Option<&'static str> {
        match self {
            PeerRole::Accept => None,
            PeerRole::Decline => Some("peer:decline"),
            PeerRole::Ignore => Some("peer:ignore"),
            PeerRole::Anonymous => Some("anonymous"),
        }
    }
}

/// What a template needs to be rendered: the values of one run of one case.
pub trait Values {
    /// The operationId of this run of the case (fresh per case and media type).
    fn operation_id(&self) -> &str;
    /// The SIP URI of the target's peer in a role, if the target has one.
    fn peer(&self, role: PeerRole) -> Option<&str>;
    /// A value captured by an earlier step, if it was captured.
    fn capture(&self, name: &str) -> Option<&str>;
}

/// A placeholder that could not be parsed; `offset` is its byte offset in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset of the placeholder within the template text.
    pub offset: usize,
    /// What is wrong with it.
    pub message: String,
}

impl Template {
    /// Parses `text`; `{{` always opens a placeholder.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = text;
        let mut consumed = 0;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Err(TemplateError {
                    offset: consumed + start,
                    message: "`{{` without a closing `}}`".into(),
                });
            };
            let name = after[..end].trim();
            parts.push(placeholder(name).map_err(|error| TemplateError {
                offset: consumed + start,
                message: error.to_string(),
            })?);
            let used = start + 2 + end + 2;
            consumed += used;
            rest = &rest[used..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Self { parts })
    }

    /// A template that is only this text.
    pub fn literal(text: &str) -> Self {
        Self {
            parts: vec![Part::Text(text.to_string())],
        }
    }

    /// The names of the captures this template reads.
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Capture(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// The peer roles this template names.
    pub fn peers(&self) -> impl Iterator<Item = PeerRole> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Peer(role) => Some(*role),
            _ => None,
        })
    }

    /// True when this template is exactly `{{operation_id}}`.
    pub fn is_operation_id(&self) -> bool {
        self.parts == [Part::OperationId]
    }

    /// Fills in the placeholders; a peer the target lacks or a capture never made is the error.
    pub fn render(&self, values: &dyn Values) -> Result<String, Unfilled> {
        let mut out = String::with_capacity(self.len_hint());
        self.render_into(values, &mut out)?;
        Ok(out)
    }

    /// A guess at the rendered length (exact for text and generated characters), for buffers.
    pub fn len_hint(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(text) => text.len(),
                Part::Chars(n) => *n,
                Part::Wide(n) => *n * 3,
                Part::OperationId | Part::Peer(_) | Part::Uuid | Part::Capture(_) => 40,
            })
            .sum()
    }

    /// Renders onto the end of `out` (a body buffer, so a large value is written once).
    pub fn render_into(&self, values: &dyn Values, out: &mut String) -> Result<(), Unfilled> {
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::OperationId => out.push_str(values.operation_id()),
                Part::Peer(role) => match values.peer(*role) {
                    Some(peer) => out.push_str(peer),
                    None => return Err(Unfilled::Peer(*role)),
                },
                Part::Chars(n) => push_chars(out, *n),
                Part::Wide(n) => out.extend(WIDE_FILLER.chars().cycle().take(*n)),
                Part::Uuid => out.push_str(&uuid::Uuid::new_v4().simple().to_string()),
                Part::Capture(name) => match values.capture(name) {
                    Some(value) => out.push_str(value),
                    None => return Err(Unfilled::Capture(name.clone())),
                },
            }
        }
        Ok(())
    }
}

/// A placeholder that has no value in this trial.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unfilled {
    /// The target offers no peer of this role.
    #[error("the target has no {0:?} peer")]
    Peer(PeerRole),
    /// An earlier step did not make this capture.
    #[error("capture `{0}` was not made")]
    Capture(String),
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Text(text) => f.write_str(text)?,
                Part::OperationId => f.write_str("{{operation_id}}")?,
                Part::Peer(PeerRole::Accept) => f.write_str("{{peer}}")?,
                Part::Peer(PeerRole::Decline) => f.write_str("{{peer:decline}}")?,
                Part::Peer(PeerRole::Ignore) => f.write_str("{{peer:ignore}}")?,
                Part::Peer(PeerRole::Anonymous) => f.write_str("{{peer:anonymous}}")?,
                Part::Chars(n) => write!(f, "{{{{chars:{n}}}}}")?,
                Part::Wide(n) => write!(f, "{{{{wide:{n}}}}}")?,
                Part::Uuid => f.write_str("{{uuid}}")?,
                Part::Capture(name) => write!(f, "{{{{capture:{name}}}}}")?,
            }
        }
        Ok(())
    }
}

/// Appends `n` characters of filler, copied from one shared filler as long as the longest asked
/// for so far (a 2 MiB filler per trial then costs a copy, not a generation).
fn push_chars(out: &mut String, n: usize) {
    static SHARED: std::sync::Mutex<Option<std::sync::Arc<str>>> = std::sync::Mutex::new(None);
    let filler = match SHARED.lock() {
        Ok(mut shared) => {
            if shared.as_ref().is_none_or(|f| f.len() < n) {
                *shared = Some(generated_chars(n).into());
            }
            shared.clone()
        }
        Err(_) => None,
    };
    match filler {
        // The filler is ASCII: any length is a character boundary.
        Some(filler) => out.push_str(&filler[..n]),
        None => out.push_str(&generated_chars(n)),
    }
}

/// The characters of `{{wide:N}}`: two-byte and three-byte UTF-8, so a limit counted in bytes
/// and one counted in characters disagree.
const WIDE_FILLER: &str = "äöü€漢";

/// `n` characters of readable filler: `abcdefghij` repeated.
fn generated_chars(n: usize) -> String {
    const FILLER: &str = "abcdefghij";
    let mut out = FILLER.repeat(n / FILLER.len());
    out.push_str(&FILLER[..n % FILLER.len()]);
    out
}

/// What is wrong with a placeholder's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum PlaceholderError {
    /// `chars:` or `wide:` without a number.
    #[error("`{prefix}` needs a character count, found `{found}`")]
    NotACount {
        /// `chars:` or `wide:`.
        prefix: &'static str,
        /// What followed it.
        found: String,
    },
    /// A generated text longer than the limit.
    #[error("`{prefix}{count}` is larger than the limit of {limit} characters")]
    TooLong {
        /// `chars:` or `wide:`.
        prefix: &'static str,
        /// The count asked for.
        count: usize,
        /// The most it may be.
        limit: usize,
    },
    /// `capture:` without a name.
    #[error("`capture:` needs the name of a capture")]
    NoCaptureName,
    /// A name no placeholder has.
    #[error(
        "unknown placeholder `{{{{{0}}}}}`; known: operation_id, peer, peer:decline, peer:ignore, peer:anonymous, uuid, chars:N, wide:N, capture:NAME"
    )]
    Unknown(String),
}

fn placeholder(name: &str) -> Result<Part, PlaceholderError> {
    match name {
        "operation_id" => return Ok(Part::OperationId),
        "peer" => return Ok(Part::Peer(PeerRole::Accept)),
        "peer:decline" => return Ok(Part::Peer(PeerRole::Decline)),
        "peer:ignore" => return Ok(Part::Peer(PeerRole::Ignore)),
        "peer:anonymous" => return Ok(Part::Peer(PeerRole::Anonymous)),
        "uuid" => return Ok(Part::Uuid),
        _ => {}
    }
    let count = |prefix: &'static str, text: &str, limit: usize| -> Result<usize, PlaceholderError> {
        let count: usize = text.trim().parse().map_err(|_| PlaceholderError::NotACount {
            prefix,
            found: text.to_string(),
        })?;
        if count > limit {
            return Err(PlaceholderError::TooLong { prefix, count, limit });
        }
        Ok(count)
    };
    if let Some(text) = name.strip_prefix("chars:") {
        return Ok(Part::Chars(count("chars:", text, MAX_GENERATED_CHARS)?));
    }
    if let Some(text) = name.strip_prefix("wide:") {
        return Ok(Part::Wide(count("wide:", text, MAX_GENERATED_CHARS / 3)?));
    }
    if let Some(capture) = name.strip_prefix("capture:") {
        let capture = capture.trim();
        if capture.is_empty() {
            return Err(PlaceholderError::NoCaptureName);
        }
        return Ok(Part::Capture(capture.to_string()));
    }
    Err(PlaceholderError::Unknown(name.to_string()))
}

/// Simple [`Values`] for tests and one-off renders.
#[derive(Debug, Default, Clone)]
pub struct FixedValues {
    /// The operationId to render.
    pub operation_id: String,
    /// The (accepting) peer to render.
    pub peer: String,
    /// Captured values by name.
    pub captures: BTreeMap<String, String>,
}

impl Values for FixedValues {
    fn operation_id(&self) -> &str {
        &self.operation_id
    }
    fn peer(&self, role: PeerRole) -> Option<&str> {
        (role == PeerRole::Accept).then_some(self.peer.as_str())
    }
    fn capture(&self, name: &str) -> Option<&str> {
        self.captures.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn values() -> FixedValues {
        FixedValues {
            operation_id: "op1".into(),
            peer: "sip:peer@example.test".into(),
            captures: BTreeMap::from([("loc".to_string(), "/x/1".to_string())]),
        }
    }

    #[rstest]
    #[case("plain", "plain")]
    #[case("{{operation_id}}", "op1")]
    #[case("to {{ peer }}!", "to sip:peer@example.test!")]
    #[case("{{chars:12}}", "abcdefghijab")]
    #[case("{{capture:loc}}/next", "/x/1/next")]
    fn renders_placeholders(#[case] text: &str, #[case] expected: &str) {
        let template = Template::parse(text).expect("valid template");
        assert_eq!(template.render(&values()).expect("renders"), expected);
        assert_eq!(template.to_string().replace(' ', ""), text.replace(' ', ""));
    }

    #[rstest]
    #[case("{{nope}}", 0, "unknown placeholder")]
    #[case("ab{{chars:x}}", 2, "character count")]
    #[case("{{chars:999999999}}", 0, "larger than the limit")]
    #[case("x {{peer", 2, "without a closing")]
    #[case("{{capture:}}", 0, "needs the name")]
    fn rejects_bad_placeholders(#[case] text: &str, #[case] offset: usize, #[case] words: &str) {
        let error = Template::parse(text).expect_err("invalid template");
        assert_eq!(error.offset, offset);
        assert!(error.message.contains(words), "{}", error.message);
    }

    #[test]
    fn missing_capture_is_an_error_not_a_panic() {
        let template = Template::parse("{{capture:other}}").expect("valid");
        assert!(template.render(&values()).is_err());
    }
}
