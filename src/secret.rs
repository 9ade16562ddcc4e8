//! Secrets (tokens, passwords) and the redactor that keeps them out of every message and report.
//!
//! A [`Secret`] never prints its value; the [`Redactor`] scrubs known secret values, `cwt=` and
//! `psat=` tokens, and Authorization values from any text before it leaves the run.

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
    /// Each secret's exact forms to remove: as it is, and URL-encoded when that differs.
    forms: Vec<Secret>,
    values: Vec<Secret>,
    /// Finds, in one pass and ignoring ASCII case, anything that may need removing: a secret's
    /// form, `cwt=`, `psat=` or `authorization`. Text with none of them is returned as it is.
    screen: Option<AhoCorasick>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.values.len())
    }
}

/// What every redactor looks for besides the secrets it knows.
const ALWAYS_SCREENED: [&str; 3] = ["cwt=", "psat=", "authorization"];

impl Redactor {
    /// A redactor that also knows these exact values.
    pub fn new(values: impl IntoIterator<Item = Secret>) -> Self {
        let values: Vec<Secret> = values.into_iter().filter(|s| s.expose().len() >= 3).collect();
        let mut forms: Vec<Secret> = Vec::new();
        for secret in &values {
            forms.push(secret.clone());
            let encoded: String = url::form_urlencoded::byte_serialize(secret.expose().as_bytes()).collect();
            if encoded != secret.expose() {
                forms.push(Secret::new(encoded));
            }
        }
        // Longer first, so a secret that contains another is removed whole.
        forms.sort_by_key(|s| std::cmp::Reverse(s.expose().len()));
        let patterns = forms.iter().map(|f| f.expose()).chain(ALWAYS_SCREENED);
        let screen = AhoCorasick::builder().ascii_case_insensitive(true).build(patterns).ok();
        Self { forms, values, screen }
    }

    /// False when `text` certainly holds nothing to remove.
    fn may_hold_secrets(&self, text: &str) -> bool {
        self.screen.as_ref().is_none_or(|screen| screen.is_match(text))
    }

    /// Adds a value learnt during the run (an issued token, say).
    pub fn add(&mut self, secret: Secret) {
        *self = Self::new(self.values.drain(..).chain(std::iter::once(secret)));
    }

    /// Plain text (a recorded request, a console line) with every known secret, `cwt=`/`psat=`
    /// token and Authorization header value replaced.
    pub fn redact(&self, text: &str) -> String {
        if !self.may_hold_secrets(text) {
            return text.to_string();
        }
        let out = self.replace_values(text);
        match AUTHORIZATION_LINE.as_ref() {
            Some(pattern) => pattern
                .replace_all(&out, |caps: &regex::Captures<'_>| {
                    format!(
                        "{}{}{REDACTED}",
                        caps.get(1).map_or("", |m| m.as_str()),
                        caps.get(2).map_or("", |m| m.as_str())
                    )
                })
                .into_owned(),
            None => out,
        }
    }

    /// Any text, serialized formats included (JSON, XML, HTML), with every known secret and
    /// `cwt=`/`psat=` token replaced; nothing else is touched, so the format stays valid.
    pub fn redact_values(&self, text: &str) -> String {
        if !self.may_hold_secrets(text) {
            return text.to_string();
        }
        self.replace_values(text)
    }

    /// [`Redactor::redact_values`] without the screen (the caller has screened `text`).
    fn replace_values(&self, text: &str) -> String {
        let mut out = std::borrow::Cow::Borrowed(text);
        for form in &self.forms {
            if out.contains(form.expose()) {
                out = std::borrow::Cow::Owned(out.replace(form.expose(), REDACTED));
            }
        }
        match TOKEN_PATTERN.as_ref() {
            Some(pattern) => pattern
                .replace_all(&out, |caps: &regex::Captures<'_>| {
                    format!("{}={REDACTED}", caps.get(1).map_or("", |m| m.as_str()))
                })
                .into_owned(),
            None => out.into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

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

    #[test]
    fn debug_never_shows_the_value() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret([redacted])");
    }
}
