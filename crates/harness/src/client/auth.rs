//! Signing in: the `MsRtcOAuth` challenge of a 401, and the password grant at its href.

use super::challenge::parse_challenges;
use super::http::HttpClient;
use super::message::Request;
use crate::under_test::secret::Secret;
use url::Url;

/// What the server's `WWW-Authenticate: MsRtcOAuth href=..,grant_type=..` offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The token endpoint.
    pub href: String,
    /// The grant types it accepts.
    pub grant_types: Vec<String>,
}

/// Finds the `MsRtcOAuth` challenge among `WWW-Authenticate` values (each may hold several
/// challenges, folded as RFC 9110 allows).
pub fn parse_challenge<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Challenge> {
    let challenge = parse_challenges(values)
        .into_iter()
        .find(|c| c.scheme.eq_ignore_ascii_case("MsRtcOAuth"))?;
    let href = challenge.param("href")?.to_string();
    let grant_types = challenge
        .param("grant_type")
        .map(|v| {
            v.split(',')
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(Challenge { href, grant_types })
}

/// Why signing in failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The challenge does not offer the password grant.
    #[error("the MsRtcOAuth challenge offers no `password` grant (it offers: {0})")]
    NoPasswordGrant(String),
    /// The token endpoint refused or answered something unusable.
    #[error("{0}")]
    Refused(String),
}

/// Runs the password grant and returns the access token (e.g. `cwt=...`).
pub async fn password_grant(
    client: &HttpClient,
    challenge: &Challenge,
    base: &Url,
    username: &str,
    password: &Secret,
) -> Result<Secret, AuthError> {
    if !challenge.grant_types.iter().any(|g| g == "password") {
        return Err(AuthError::NoPasswordGrant(challenge.grant_types.join(", ")));
    }
    let url = base
        .join(&challenge.href)
        .map_err(|e| AuthError::Refused(format!("invalid token href `{}`: {e}", challenge.href)))?;
    if let Some(trust) = client.trust() {
        trust
            .password_allowed(&url)
            .map_err(|withheld| AuthError::Refused(withheld.to_string()))?;
    }
    let form: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "password")
        .append_pair("username", username)
        .append_pair("password", password.expose())
        .finish();
    let request = Request::new("POST", url.clone())
        .header("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
        .header("Accept", "application/json")
        .body(form);
    let response = client
        .send(&request)
        .await
        .map_err(|e| AuthError::Refused(format!("POST {url}: {e}")))?;
    let body: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|_| AuthError::Refused(format!("POST {url}: {} with a body that is not JSON", response.status)))?;
    if response.status != 200 {
        let error = body
            .get("error")
            .and_then(|e| e.as_str())
            .unwrap_or("(no `error` field)");
        return Err(AuthError::Refused(format!(
            "POST {url}: {} `{error}`: check the user name and password",
            response.status
        )));
    }
    body.get("access_token")
        .and_then(|t| t.as_str())
        .map(Secret::new)
        .ok_or_else(|| AuthError::Refused(format!("POST {url}: the answer has no `access_token`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_msrtcoauth_challenge_among_several() {
        let values = [
            r#"Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@contoso.com", client_id="00000004""#,
            r#"MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password""#,
        ];
        let challenge = parse_challenge(values).expect("challenge");
        assert_eq!(challenge.href, "https://lyncweb.contoso.com/WebTicket/oauthtoken");
        assert_eq!(challenge.grant_types.last().map(String::as_str), Some("password"));
    }

    #[test]
    fn no_challenge_without_msrtcoauth() {
        assert_eq!(parse_challenge(["Bearer realm=\"x\""]), None);
    }
}
