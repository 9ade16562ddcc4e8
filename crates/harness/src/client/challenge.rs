//! `WWW-Authenticate` challenges as RFC 9110 section 11 defines them: one or several challenges
//! per field value and several fields, any order; scheme and parameter names case-insensitive;
//! parameter values as tokens or quoted strings (with `\` escapes); whitespace around `=`; a
//! token68 instead of parameters. Proxies fold several fields into one comma-separated value, so
//! a parser must split challenges from parameters by grammar, not by field.
//!
//! ```text
//! challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-param = token BWS "=" BWS ( token / quoted-string )
//! ```

/// One challenge: its scheme and parameters (names lower case, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthChallenge {
    /// The auth-scheme as sent (`Bearer`, `MsRtcOAuth`).
    pub scheme: String,
    /// The token68, when the challenge carries one instead of parameters.
    pub token68: Option<String>,
    /// The auth-params: lower-cased name, unquoted value.
    pub params: Vec<(String, String)>,
}

impl AuthChallenge {
    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every challenge in every `WWW-Authenticate` field value, in order.
pub fn parse_challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<AuthChallenge> {
    values.into_iter().flat_map(|v| Parser::new(v).challenges()).collect()
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn is_token68_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~+/".contains(&c)
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// Skips whitespace and commas (empty list elements are allowed).
    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.at += 1;
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.text[start..self.at]).into_owned())
    }

    fn quoted(&mut self) -> String {
        // At the opening quote.
        self.at += 1;
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    if let Some(escaped) = self.peek() {
                        out.push(escaped);
                        self.at += 1;
                    }
                }
                c => out.push(c),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// After a name and BWS: is this `=` the start of an auth-param value (not token68 padding)?
    fn at_param_equals(&self) -> bool {
        let mut i = self.at;
        while matches!(self.text.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if self.text.get(i) != Some(&b'=') {
            return false;
        }
        // `name=` followed by another `=`, a comma or the end is token68 padding, not a param.
        let mut j = i + 1;
        while matches!(self.text.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        !matches!(self.text.get(j), None | Some(b'=' | b','))
    }

    fn challenges(mut self) -> Vec<AuthChallenge> {
        let mut out: Vec<AuthChallenge> = Vec::new();
        loop {
            self.skip_separators();
            let Some(name) = self.token() else {
                // Not a token: skip one byte so malformed input cannot stop or loop the parser.
                if self.peek().is_none() {
                    break;
                }
                self.at += 1;
                continue;
            };
            let params_follow = self.at_param_equals();
            match out.last_mut() {
                // `name = value` after a challenge: one of its parameters.
                Some(current) if params_follow && current.token68.is_none() => {
                    self.param_value(name, current);
                }
                _ => {
                    let mut challenge = AuthChallenge {
                        scheme: name,
                        token68: None,
                        params: Vec::new(),
                    };
                    self.skip_ws();
                    self.after_scheme(&mut challenge);
                    out.push(challenge);
                }
            }
        }
        out
    }

    /// What follows a scheme: nothing, a token68, or the first auth-param.
    fn after_scheme(&mut self, challenge: &mut AuthChallenge) {
        let start = self.at;
        while self.peek().is_some_and(is_token68_char) {
            self.at += 1;
        }
        if self.at == start {
            return;
        }
        if self.at_param_equals() {
            let name = String::from_utf8_lossy(&self.text[start..self.at]).into_owned();
            self.param_value(name, challenge);
            return;
        }
        while self.peek() == Some(b'=') {
            self.at += 1;
        }
        challenge.token68 = Some(String::from_utf8_lossy(&self.text[start..self.at]).into_owned());
    }

    /// At BWS `=` BWS value, after the parameter's name.
    fn param_value(&mut self, name: String, challenge: &mut AuthChallenge) {
        self.skip_ws();
        self.at += 1; // '='
        self.skip_ws();
        let value = if self.peek() == Some(b'"') {
            self.quoted()
        } else {
            self.token().unwrap_or_default()
        };
        challenge.params.push((name.to_ascii_lowercase(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const HREF: &str = "https://lyncweb.contoso.com/WebTicket/oauthtoken";

    fn msrtc(values: &[&str]) -> Option<AuthChallenge> {
        parse_challenges(values.iter().copied())
            .into_iter()
            .find(|c| c.scheme.eq_ignore_ascii_case("MsRtcOAuth"))
    }

    #[rstest]
    #[case::separate_fields(&[
        r#"Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@contoso.com", client_id="00000004""#,
        r#"MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password""#,
    ])]
    #[case::folded_into_one(&[
        r#"Bearer trusted_issuers="x@contoso.com", client_id="00000004", MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,password""#,
    ])]
    #[case::msrtc_first(&[
        r#"MsRtcOAuth grant_type="password", href="https://lyncweb.contoso.com/WebTicket/oauthtoken", Bearer realm="contoso""#,
    ])]
    #[case::case_and_spacing(&[
        r#"bearer realm = "x" , msrtcoauth HREF = "https://lyncweb.contoso.com/WebTicket/oauthtoken" , Grant_Type = password"#,
    ])]
    #[case::token68_before(&[
        r#"Negotiate YIIFyw==, Basic realm="r", MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken", grant_type=password"#,
    ])]
    #[case::escaped_quotes(&[
        r#"Bearer error_description="say \"no\", please", MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken", grant_type="password""#,
    ])]
    fn finds_the_msrtcoauth_challenge_in_every_legal_spelling(#[case] values: &[&str]) {
        let challenge = msrtc(values).unwrap_or_else(|| panic!("no challenge in {values:?}"));
        assert_eq!(challenge.param("href"), Some(HREF));
        assert!(challenge.param("grant_type").is_some_and(|g| g.contains("password")));
    }

    #[test]
    fn keeps_other_challenges_apart() {
        let all = parse_challenges([r#"Negotiate YIIFyw==, Bearer realm="a\\b", Basic"#]);
        let schemes: Vec<&str> = all.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Negotiate", "Bearer", "Basic"]);
        assert_eq!(all[0].token68.as_deref(), Some("YIIFyw=="));
        assert_eq!(all[1].param("realm"), Some("a\\b"));
    }

    #[test]
    fn garbage_never_panics_or_loops() {
        for text in ["", ",,,", "=", "\"", "a=\"", "MsRtcOAuth href=", "§§ = , =="] {
            let _ = parse_challenges([text]);
        }
    }
}
