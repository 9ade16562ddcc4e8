//! The [`Secret`] type and the [`Redactor`]: known secrets found in any spelling (see
//! `spelling`) and as base64, plus `cwt=`/`psat=` tokens and Authorization header values.

use aho_corasick::AhoCorasick;
use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// What replaces a secret in any output.
pub const REDACTED: &str = "[redacted]";

/// `cwt=` and `psat=` token values: safe to apply to any serialization (no quote or backslash).
static TOKEN_PATTERN: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)\b(cwt|psat)=[A-Za-z0-9._~+/%=-]+").ok());

/// The value of an Authorization header line, up to the end of the line: for plain text only.
static AUTHORIZATION_LINE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)(authorization:[ \t]*)(bearer[ \t]+)?[^\r\n]+").ok());

/// Removes secrets from text.
#[derive(Clone, Default)]
pub struct Redactor {
    /// What is looked for: each secret as it is, and its base64 forms.
    forms: Vec<Secret>,
    values: Vec<Secret>,
    /// `starts[b]`: a form, or an escape of its first character, may start with byte `b`.
    starts: Vec<bool>,
    /// The forms grouped by their first character, to try only those a position can start.
    by_first: Vec<(char, Vec<usize>)>,
    /// Finds, in one pass and ignoring ASCII case, `cwt=`, `psat=` or `authorization`.
    tokens: Option<AhoCorasick>,
    /// Finds the forms as they are, in one pass (leftmost, longest first): all a text without an
    /// escape's introducer can hold.
    literal: Option<AhoCorasick>,
    /// Some form holds a space, which `+` may spell (otherwise a `+`, as in `+json`, spells
    /// nothing of a secret).
    spaced: bool,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.values.len())
    }
}

/// What every redactor looks for besides the secrets it knows.
const ALWAYS_SCREENED: [&str; 3] = ["cwt=", "psat=", "authorization"];

/// How many levels of values nested in values (a JSON document in a JSON string in a results
/// file, ...) are decoded to look for secrets.
const MAX_NESTING: usize = 4;

/// The shortest base64 text worth looking for (shorter ones would match by chance).
const MIN_BASE64: usize = 8;

impl Redactor {
    /// A redactor that also knows these exact values.
    pub fn new(values: impl IntoIterator<Item = Secret>) -> Self {
        let values: Vec<Secret> = values.into_iter().filter(|s| s.expose().len() >= 3).collect();
        let mut forms: Vec<Secret> = Vec::new();
        for secret in &values {
            forms.push(secret.clone());
            forms.extend(base64_forms(secret.expose().as_bytes()).into_iter().map(Secret::new));
        }
        // Longer first, so a secret that contains another is removed whole.
        forms.sort_by_key(|s| std::cmp::Reverse(s.expose().len()));
        forms.dedup();
        let mut starts = vec![false; 256];
        for form in &forms {
            if let Some(&first) = form.expose().as_bytes().first() {
                starts[usize::from(first)] = true;
            }
        }
        for byte in 0..=255u8 {
            if super::spelling::starts_an_escape(byte) {
                starts[usize::from(byte)] |= !forms.is_empty();
            }
        }
        let mut by_first: Vec<(char, Vec<usize>)> = Vec::new();
        for (n, form) in forms.iter().enumerate() {
            let Some(first) = form.expose().chars().next() else {
                continue;
            };
            match by_first.iter_mut().find(|(c, _)| *c == first) {
                Some((_, group)) => group.push(n),
                None => by_first.push((first, vec![n])),
            }
        }
        let tokens = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(ALWAYS_SCREENED)
            .ok();
        let literal = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(forms.iter().map(Secret::expose))
            .ok();
        let spaced = forms.iter().any(|f| f.expose().contains(' '));
        Self {
            forms,
            values,
            starts,
            by_first,
            tokens,
            literal,
            spaced,
        }
    }

    /// Adds a value learnt during the run (an issued token, say).
    pub fn add(&mut self, secret: Secret) {
        *self = Self::new(self.values.drain(..).chain(std::iter::once(secret)));
    }

    /// Where `text` spells a known secret (in any spelling), as byte ranges in order.
    fn spelled_secrets(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let bytes = text.as_bytes();
        if self.forms.is_empty() {
            return Vec::new();
        }
        // Every spelling but the literal one holds an escape's introducer (`\`, `&`, `%`, or `+`
        // for a space): without one, a single pass over the literal forms finds all there is.
        let escaped = memchr::memchr3(b'\\', b'&', b'%', bytes).is_some()
            || (self.spaced && memchr::memchr(b'+', bytes).is_some());
        if !escaped && let Some(literal) = &self.literal {
            return literal.find_iter(text).map(|m| m.range()).collect();
        }
        let mut found = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if !self.starts[usize::from(bytes[i])] || !text.is_char_boundary(i) {
                i += 1;
                continue;
            }
            let rest = &bytes[i..];
            let end = self
                .by_first
                .iter()
                .filter(|(first, _)| super::spelling::starts_with_spelling(rest, *first))
                .flat_map(|(_, group)| group.iter())
                .filter_map(|&n| super::spelling::match_at(bytes, i, self.forms[n].expose()))
                .max();
            match end {
                Some(end) if end > i => {
                    found.push(i..end);
                    i = end;
                }
                _ => i += 1,
            }
        }
        found
    }

    /// True when `text` may hold a `cwt=`/`psat=` token or an Authorization header.
    fn may_hold_tokens(&self, text: &str) -> bool {
        self.tokens.as_ref().is_none_or(|screen| screen.is_match(text))
    }

    /// Plain text (a recorded request, a console line) with every known secret, `cwt=`/`psat=`
    /// token and Authorization header value replaced.
    pub fn redact(&self, text: &str) -> String {
        self.redacted(text).unwrap_or_else(|| text.to_string())
    }

    /// Like [`redact`](Self::redact), or `None` when nothing in `text` had to go (no copy made).
    pub fn redacted(&self, text: &str) -> Option<String> {
        self.screen(text, true)
    }

    /// Any text, serialized formats included (JSON, XML, HTML, Markdown), with every known
    /// secret (in any spelling) and `cwt=`/`psat=` token replaced; nothing else is touched, so
    /// the format stays valid. This is also the final screen each output passes before it is
    /// written.
    pub fn redact_values(&self, text: &str) -> String {
        self.redacted_values(text).unwrap_or_else(|| text.to_string())
    }

    /// Like [`redact_values`](Self::redact_values), or `None` when nothing in `text` had to go
    /// (no copy made).
    pub fn redacted_values(&self, text: &str) -> Option<String> {
        self.screen(text, false)
    }

    /// `text` with every known secret and `cwt=`/`psat=` value replaced, and with `lines` the
    /// values of Authorization header lines too; `None` when nothing had to go.
    fn screen(&self, text: &str, lines: bool) -> Option<String> {
        self.screen_within(text, lines, MAX_NESTING)
    }

    /// [`screen`](Self::screen), first decoding the values nested in `text` (a JSON literal or
    /// XML text whose escapes are escaped again), up to `depth` levels: a value that held a
    /// secret is written back screened, in its own syntax.
    fn screen_within(&self, text: &str, lines: bool, depth: usize) -> Option<String> {
        let unnested = if depth == 0 || self.forms.is_empty() {
            None
        } else {
            self.unnested(text, lines, depth)
        };
        let text = unnested.as_deref().unwrap_or(text);
        self.screen_flat(text, lines).or(unnested)
    }

    /// `text` with each nested value that held a secret replaced by its screened value, or
    /// `None` when none did.
    fn unnested(&self, text: &str, lines: bool, depth: usize) -> Option<String> {
        let mut out: Option<String> = None;
        let mut last = 0;
        for value in super::nested::values(text) {
            let Some(screened) = self.screen_within(&value.decoded, lines, depth - 1) else {
                continue;
            };
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[last..value.range.start]);
            out.push_str(&value.syntax.encode(&screened));
            last = value.range.end;
        }
        out.map(|mut out| {
            out.push_str(&text[last..]);
            out
        })
    }

    /// The screen of one level: secrets in every spelling, tokens, Authorization lines.
    fn screen_flat(&self, text: &str, lines: bool) -> Option<String> {
        let found = self.spelled_secrets(text);
        let spliced = (!found.is_empty()).then(|| {
            let mut out = String::with_capacity(text.len());
            let mut last = 0;
            for range in found {
                out.push_str(&text[last..range.start]);
                out.push_str(REDACTED);
                last = range.end;
            }
            out.push_str(&text[last..]);
            out
        });
        // One pass of the word screen serves both patterns: each needs one of its words.
        if !self.may_hold_tokens(spliced.as_deref().unwrap_or(text)) {
            return spliced;
        }
        let values = rewrite(spliced.as_deref().unwrap_or(text), TOKEN_PATTERN.as_ref(), |caps| {
            format!("{}={REDACTED}", caps.get(1).map_or("", |m| m.as_str()))
        })
        .or(spliced);
        if !lines {
            return values;
        }
        rewrite(values.as_deref().unwrap_or(text), AUTHORIZATION_LINE.as_ref(), |caps| {
            format!(
                "{}{}{REDACTED}",
                caps.get(1).map_or("", |m| m.as_str()),
                caps.get(2).map_or("", |m| m.as_str())
            )
        })
        .or(values)
    }
}

/// `text` with every match of `pattern` rewritten by `with`, or `None` when that changes
/// nothing (a value already replaced matches again and is written the same).
fn rewrite(text: &str, pattern: Option<&Regex>, with: impl Fn(&regex::Captures<'_>) -> String) -> Option<String> {
    match pattern?.replace_all(text, |caps: &regex::Captures<'_>| with(caps)) {
        std::borrow::Cow::Owned(replaced) if replaced != text => Some(replaced),
        _ => None,
    }
}

/// The base64 texts that spell `secret` wherever it sits in a longer base64 text: standard and
/// URL-safe alphabets, at each of the three byte alignments, without the characters the
/// neighbouring bytes would change.
fn base64_forms(secret: &[u8]) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut out = Vec::new();
    for shift in 0..3usize {
        let mut shifted = vec![0u8; shift];
        shifted.extend_from_slice(secret);
        // Characters holding bits of the padding bytes before, or of the unknown byte after.
        let skip = [0, 2, 3][shift];
        let whole = (shifted.len() * 8) / 6;
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let text = engine.encode(&shifted);
            let core = text.get(skip..whole).unwrap_or("");
            if core.len() >= MIN_BASE64 {
                out.push(core.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("nothing to see", None)]
    #[case("Date: Tue, 01 Dec 2026 10:00:00 +0000", None)]
    #[case("a=1&b=%41", None)]
    #[case("my secret is hunter2!", Some("my secret is [redacted]!"))]
    #[case("my secret is hunter%32!", Some("my secret is [redacted]!"))]
    #[case("token cwt=AAEBHAEF", Some("token cwt=[redacted]"))]
    #[case("Authorization: Bearer abc", Some("Authorization: Bearer [redacted]"))]
    #[case("Authorization: Bearer [redacted]", None)]
    fn redacted_is_none_only_when_nothing_had_to_go(#[case] text: &str, #[case] expected: Option<&str>) {
        let redactor = Redactor::new([Secret::new("hunter2")]);
        assert_eq!(redactor.redacted(text).as_deref(), expected);
        assert_eq!(redactor.redact(text), expected.unwrap_or(text));
    }

    #[rstest]
    #[case("token cwt=AAEBHAEFAAAAAAAFFQAAAO8 here", "token cwt=[redacted] here")]
    #[case("psat=eyJ0eXAi.eyJuYmYi.sig", "psat=[redacted]")]
    #[case("Authorization: Bearer abc.def", "Authorization: Bearer [redacted]")]
    #[case("authorization: Basic dXNlcjpwYXNz", "authorization: [redacted]")]
    #[case("password=hunter2&user=a", "password=[redacted]&user=a")]
    #[case("my secret is hunter2!", "my secret is [redacted]!")]
    fn removes_secrets(#[case] text: &str, #[case] expected: &str) {
        let redactor = Redactor::new([Secret::new("hunter2")]);
        assert_eq!(redactor.redact(text), expected);
    }

    #[test]
    fn serialized_text_stays_valid() {
        let redactor = Redactor::new([Secret::new("hunter2")]);
        let json = r#"{"request":"POST /x\nAuthorization: Bearer cwt=abc123\nX: hunter2","n":1}"#;
        let redacted = redactor.redact_values(json);
        let value: serde_json::Value = serde_json::from_str(&redacted).expect("still JSON");
        assert_eq!(
            value["request"],
            "POST /x\nAuthorization: Bearer cwt=[redacted]\nX: [redacted]"
        );
    }

    const PASSWORD: &str = "p@ss/w+rd<&>\"é";
    const TOKEN: &str = "cwt=AAEB+HAEF/AAAA==";

    fn escaped_json(text: &str) -> String {
        text.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()
    }

    #[rstest]
    #[case::json_escapes(serde_json::to_string(PASSWORD).unwrap_or_default())]
    #[case::json_unicode(escaped_json(PASSWORD))]
    #[case::json_slash(PASSWORD.replace('/', "\\/"))]
    #[case::xml(PASSWORD.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;"))]
    #[case::xml_numeric(PASSWORD.chars().map(|c| format!("&#{};", c as u32)).collect())]
    #[case::percent_upper(url::form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect())]
    #[case::percent_lower(PASSWORD.bytes().map(|b| format!("%{b:02x}")).collect())]
    #[case::base64(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, PASSWORD))]
    #[case::base64_of_user_and_password(base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("alice:{PASSWORD}")
    ))]
    #[case::base64_inside_more(base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("x{PASSWORD}yz")
    ))]
    #[case::token_escaped(TOKEN.replace('/', "\\/").replace('+', "\\u002B"))]
    #[case::token_percent(TOKEN.replace('/', "%2f").replace('+', "%2B").replace('=', "%3D"))]
    fn secrets_are_found_in_every_spelling(#[case] echoed: String) {
        let redactor = Redactor::new([
            Secret::new(PASSWORD),
            Secret::new(format!("alice:{PASSWORD}")),
            Secret::new(TOKEN),
        ]);
        let text = format!("{{\"message\":\"you sent {echoed} to us\"}}");
        let out = redactor.redact_values(&text);
        assert!(out.contains(REDACTED), "{out}");
        assert!(!out.contains(&echoed), "{out}");
        assert!(
            out.starts_with("{\"message\":\"you sent ") && out.ends_with(" to us\"}"),
            "{out}"
        );
    }

    #[rstest]
    #[case::json_in_json(serde_json::to_string(&serde_json::to_string(&serde_json::json!({ "pw": PASSWORD })).unwrap_or_default()).unwrap_or_default())]
    #[case::json_in_json_in_json(serde_json::to_string(&serde_json::to_string(&serde_json::to_string(PASSWORD).unwrap_or_default()).unwrap_or_default()).unwrap_or_default())]
    #[case::xml_in_xml(PASSWORD.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;").replace('&', "&amp;"))]
    fn secrets_escaped_twice_over_are_found_after_decoding(#[case] echoed: String) {
        let redactor = Redactor::new([Secret::new(PASSWORD)]);
        let text = format!("{{\"message\":{echoed}}}");
        let out = redactor.redact_values(&text);
        assert!(out.contains(REDACTED), "{out}");
        // Nothing of it is left in any spelling, however many times the output is decoded.
        let mut decoded = out.clone();
        for _ in 0..4 {
            assert!(!decoded.contains(PASSWORD), "{out}");
            decoded = decoded
                .replace("\\\\", "\\")
                .replace("\\\"", "\"")
                .replace("&amp;", "&");
        }
        assert!(!decoded.contains("p@ss/w+rd"), "{out}");
    }

    #[test]
    fn text_escaped_twice_without_a_secret_is_left_alone() {
        let redactor = Redactor::new([Secret::new(PASSWORD)]);
        let text = r#"{"body":"{\"message\":\"say \\\"hi\\\"\"}"}"#;
        assert_eq!(redactor.redacted_values(text), None);
    }

    #[test]
    fn the_literal_pass_finds_what_the_spelling_aware_one_finds() {
        let redactor = Redactor::new([Secret::new("alice-password"), Secret::new("cwt=abcdefgh")]);
        for text in [
            "password alice-password and alice-password",
            "YWxpY2UtcGFzc3dvcmQ= in base64, alice-passwor cut short",
            "nothing here",
            "alice-passwordalice-password",
        ] {
            // An introducer at the end sends the text down the spelling-aware path.
            let slow = redactor.redact_values(&format!("{text}%"));
            assert_eq!(format!("{}%", redactor.redact_values(text)), slow, "{text}");
        }
    }

    #[test]
    fn a_plus_spells_only_a_space() {
        // A secret with a space, written form-encoded, is found through its `+`.
        let spaced = Redactor::new([Secret::new("correct horse")]);
        assert_eq!(spaced.redact_values("p=correct+horse&x=1"), "p=[redacted]&x=1");
        // Without a spaced secret a `+` (as in `+json`) cannot spell one: the literal pass
        // alone finds the same as the spelling-aware walk.
        let plain = Redactor::new([Secret::new("alice-password")]);
        let text = "application/vnd.microsoft.com.ucwa+json; alice-password+1";
        assert_eq!(
            plain.redact_values(text),
            "application/vnd.microsoft.com.ucwa+json; [redacted]+1"
        );
        assert_eq!(
            format!("{}%", plain.redact_values(text)),
            plain.redact_values(&format!("{text}%"))
        );
    }

    #[test]
    fn text_without_secrets_is_left_alone() {
        let redactor = Redactor::new([Secret::new(PASSWORD), Secret::new(TOKEN)]);
        let text = r#"{"a":"\u0041 &lt; %41 + \\ &amp;","b":"cwt"}"#;
        assert_eq!(redactor.redact_values(text), text);
    }

    #[test]
    fn debug_never_shows_the_value() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret([redacted])");
    }
}
