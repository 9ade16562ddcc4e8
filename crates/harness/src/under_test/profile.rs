//! The target profile: which server to test, how to sign in, whom to invite, and what the
//! target offers (media types, preconditions, fault control). Built from a TOML profile file,
//! then overridden by `UCWA_*` variables and flags. No clap types here.

use crate::case::{Fault, KNOWN_PRECONDITIONS, Media, PeerRole};
use crate::diag::FileError;
use crate::under_test::secret::Secret;
use crate::under_test::tls::{Tls, TlsFiles};
use crate::under_test::trust::Trust;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;
use url::Url;

/// A server under test, ready to use.
#[derive(Debug, Clone)]
pub struct Target {
    /// A short name for reports (the profile's `name`, else the host).
    pub name: String,
    /// The autodiscover root URL.
    pub base_url: Url,
    /// How to sign in.
    pub credentials: Credentials,
    /// The SIP URI invitations are sent to (`{{peer}}`); it accepts.
    pub peer: String,
    /// A peer that declines invitations (`{{peer:decline}}`), if the target has one.
    pub peer_decline: Option<String>,
    /// A peer that never answers (`{{peer:ignore}}`), if the target has one.
    pub peer_ignore: Option<String>,
    /// Anonymous access (the `anonymous` precondition), if the target offers it.
    pub anonymous: Option<Anonymous>,
    /// The representations the target offers.
    pub media: Vec<Media>,
    /// The preconditions it offers (`fault:NAME`, `anonymous`).
    pub offers: BTreeSet<String>,
    /// The fault-control endpoint (see cases/README.md), if the target has one.
    pub faults_url: Option<Url>,
    /// Timeouts and size caps.
    pub limits: Limits,
    /// The hosts that may receive credentials (see `trust`).
    pub trust: Trust,
    /// How the target's TLS certificate is checked (see `tls`).
    pub tls: Tls,
}

/// What an anonymous client needs: a `psat=` token limited to one target, and where to
/// discover the `anonApplications` link with it.
#[derive(Debug, Clone)]
pub struct Anonymous {
    /// GET with the token answers a resource with an `anonApplications` link.
    pub discover_url: Url,
    /// The anonymous token, sent as `Authorization: Bearer <token>`.
    pub token: Secret,
    /// The SIP URI the token allows (`{{peer:anonymous}}`).
    pub target: String,
}

impl Target {
    /// The peer in a role, if the target has one.
    pub fn peer(&self, role: PeerRole) -> Option<&str> {
        match role {
            PeerRole::Accept => Some(&self.peer),
            PeerRole::Decline => self.peer_decline.as_deref(),
            PeerRole::Ignore => self.peer_ignore.as_deref(),
            PeerRole::Anonymous => self.anonymous.as_ref().map(|a| a.target.as_str()),
        }
    }

    /// Every secret the profile holds (token, password, anonymous token), for redaction.
    pub fn secrets(&self) -> Vec<Secret> {
        let mut secrets = match &self.credentials {
            Credentials::None => vec![],
            Credentials::Token(t) => vec![t.clone()],
            // `user:password` too: its base64 is what a Basic Authorization header would carry.
            Credentials::Password { username, password } => vec![
                password.clone(),
                Secret::new(format!("{username}:{}", password.expose())),
            ],
        };
        secrets.extend(self.anonymous.as_ref().map(|a| a.token.clone()));
        secrets
    }

    /// True when the target offers a precondition: listed in `offers`, or a peer role it has.
    pub fn offers(&self, need: &str) -> bool {
        match need {
            "peer:decline" => self.peer_decline.is_some(),
            "peer:ignore" => self.peer_ignore.is_some(),
            "anonymous" => self.anonymous.is_some(),
            _ => self.offers.contains(need),
        }
    }
}

/// How the harness signs in.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// No credentials: only cases that need none can pass.
    None,
    /// A bearer token, sent as `Authorization: Bearer <token>`.
    Token(Secret),
    /// The password grant at the `MsRtcOAuth` href of the server's 401 challenge.
    Password {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
}

/// Timeouts and size caps that keep a broken server from hanging or flooding a run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest wait for one HTTP exchange, body included.
    pub request_timeout: Duration,
    /// Longest time one case (all its steps) may take.
    pub case_timeout: Duration,
    /// Largest response body read; a larger one is an error.
    pub max_body_bytes: usize,
    /// A cap on every wait step's budget (`None`: the case's own `within_ms`). Runs against
    /// servers known to answer fast (the reference and its mutants) set it to stay quick.
    pub max_wait: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(10),
            case_timeout: Duration::from_secs(60),
            max_body_bytes: 1024 * 1024,
            max_wait: None,
        }
    }
}

/// Values that override the profile, from flags or `UCWA_*` environment variables.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `UCWA_BASE_URL` / `--base-url`.
    pub base_url: Option<String>,
    /// `UCWA_TOKEN`.
    pub token: Option<Secret>,
    /// `UCWA_USERNAME` / `--username`.
    pub username: Option<String>,
    /// `UCWA_PASSWORD`.
    pub password: Option<Secret>,
    /// `UCWA_PEER` / `--peer`.
    pub peer: Option<String>,
    /// `UCWA_PEER_DECLINE`.
    pub peer_decline: Option<String>,
    /// `UCWA_PEER_IGNORE`.
    pub peer_ignore: Option<String>,
    /// `--trust-host` (repeatable) and `UCWA_TRUSTED_HOSTS` (comma-separated): added to the
    /// profile's `trusted_hosts`.
    pub trusted_hosts: Vec<String>,
    /// `--allow-plain-http-credentials` / `UCWA_ALLOW_PLAIN_HTTP_CREDENTIALS`.
    pub allow_plain_http: bool,
    /// `--offer` (repeatable) / `UCWA_OFFERS` (comma-separated): added to the profile's `offers`.
    pub offers: Vec<String>,
    /// `--faults-url` / `UCWA_FAULTS_URL`.
    pub faults_url: Option<String>,
    /// `--cacert` (repeatable) / `UCWA_CACERT` (comma-separated): added to the profile's roots.
    pub cacert: Vec<std::path::PathBuf>,
    /// `--client-cert` / `UCWA_CLIENT_CERT`.
    pub client_cert: Option<std::path::PathBuf>,
    /// `--client-key` / `UCWA_CLIENT_KEY`.
    pub client_key: Option<std::path::PathBuf>,
    /// `--insecure` / `UCWA_INSECURE`.
    pub insecure: bool,
}

impl Overrides {
    /// True when no value that names or signs in to a target is set (the trust options alone
    /// configure no target).
    pub fn is_empty(&self) -> bool {
        self.base_url.is_none()
            && self.token.is_none()
            && self.username.is_none()
            && self.password.is_none()
            && self.peer.is_none()
            && self.peer_decline.is_none()
            && self.peer_ignore.is_none()
            && self.faults_url.is_none()
    }
}

/// A problem with the target configuration (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The profile file is wrong; the error has its position.
    #[error("{0}")]
    File(#[from] FileError),
    /// A value is missing or wrong.
    #[error("target configuration: {0}")]
    Invalid(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Option<String>,
    base_url: Option<toml::Spanned<String>>,
    peer: Option<String>,
    peer_decline: Option<String>,
    peer_ignore: Option<String>,
    media: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    offers: Vec<toml::Spanned<String>>,
    faults_url: Option<toml::Spanned<String>>,
    #[serde(default)]
    auth: RawAuth,
    anonymous: Option<RawAnonymous>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    trusted_hosts: Vec<String>,
    #[serde(default)]
    allow_plain_http_credentials: bool,
    #[serde(default)]
    tls: RawTls,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    #[serde(default)]
    cacert: Vec<std::path::PathBuf>,
    client_cert: Option<std::path::PathBuf>,
    client_key: Option<std::path::PathBuf>,
    #[serde(default)]
    insecure: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    token: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnonymous {
    discover_url: toml::Spanned<String>,
    token: String,
    target: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    request_timeout_ms: Option<u64>,
    case_timeout_ms: Option<u64>,
    max_body_bytes: Option<usize>,
    max_wait_ms: Option<u64>,
}

/// Reads a profile file and applies the overrides.
pub fn from_file(path: &Path, overrides: Overrides) -> Result<Target, TargetError> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| FileError::unreadable(path, format!("cannot read target profile: {e}")))?;
    let raw: RawProfile = toml::from_str(&source)
        .map_err(|e| FileError::new(path, &source, e.span().unwrap_or(0..0), e.message().trim().to_string()))?;
    let at =
        |span: std::ops::Range<usize>, message: String| TargetError::File(FileError::new(path, &source, span, message));
    let mut media = Vec::new();
    for item in raw.media.iter().flatten() {
        let m = Media::from_name(item.get_ref())
            .ok_or_else(|| at(item.span(), format!("unknown media type `{}`", item.get_ref())))?;
        media.push(m);
    }
    let mut offers = BTreeSet::new();
    for item in &raw.offers {
        if !precondition_is_known(item.get_ref()) {
            return Err(at(item.span(), format!("unknown precondition `{}`", item.get_ref())));
        }
        offers.insert(item.get_ref().clone());
    }
    let faults_url = match &raw.faults_url {
        Some(u) => Some(Url::parse(u.get_ref()).map_err(|e| at(u.span(), format!("invalid faults_url: {e}")))?),
        None => None,
    };
    if let Some(u) = &raw.base_url
        && overrides.base_url.is_none()
    {
        Url::parse(u.get_ref()).map_err(|e| at(u.span(), format!("invalid base_url: {e}")))?;
    }
    let anonymous = match raw.anonymous {
        Some(a) => Some(Anonymous {
            discover_url: Url::parse(a.discover_url.get_ref())
                .map_err(|e| at(a.discover_url.span(), format!("invalid discover_url: {e}")))?,
            token: Secret::new(a.token),
            target: a.target,
        }),
        None => None,
    };
    let defaults = Limits::default();
    let limits = Limits {
        request_timeout: raw
            .limits
            .request_timeout_ms
            .map_or(defaults.request_timeout, Duration::from_millis),
        case_timeout: raw
            .limits
            .case_timeout_ms
            .map_or(defaults.case_timeout, Duration::from_millis),
        max_body_bytes: raw.limits.max_body_bytes.unwrap_or(defaults.max_body_bytes),
        max_wait: raw.limits.max_wait_ms.map(Duration::from_millis),
    };
    let settings = Settings {
        name: raw.name,
        base_url: raw.base_url.map(toml::Spanned::into_inner),
        token: raw.auth.token.map(Secret::new),
        username: raw.auth.username,
        password: raw.auth.password.map(Secret::new),
        peer: raw.peer,
        peer_decline: raw.peer_decline,
        peer_ignore: raw.peer_ignore,
        anonymous,
        media,
        offers,
        faults_url,
        limits,
        trusted_hosts: raw.trusted_hosts,
        allow_plain_http: raw.allow_plain_http_credentials,
        // Paths in a profile are relative to the profile, wherever the run starts.
        tls: TlsFiles {
            cacert: raw.tls.cacert,
            client_cert: raw.tls.client_cert,
            client_key: raw.tls.client_key,
            insecure: raw.tls.insecure,
        }
        .relative_to(path.parent().unwrap_or(Path::new("."))),
        extra_offers: Vec::new(),
        extra_faults_url: None,
    };
    settings.overridden(overrides).build()
}

/// Builds a target from overrides alone (`--base-url` and `UCWA_*`).
pub fn from_overrides(overrides: Overrides) -> Result<Target, TargetError> {
    Settings::default().overridden(overrides).build()
}

/// True for `anonymous` and `fault:NAME` with a known fault.
pub fn precondition_is_known(name: &str) -> bool {
    KNOWN_PRECONDITIONS.contains(&name)
        || name
            .strip_prefix("fault:")
            .is_some_and(|f| Fault::from_name(f).is_some())
}

/// Everything a target can be built from, before validation.
#[derive(Debug, Default)]
struct Settings {
    name: Option<String>,
    base_url: Option<String>,
    token: Option<Secret>,
    username: Option<String>,
    password: Option<Secret>,
    peer: Option<String>,
    peer_decline: Option<String>,
    peer_ignore: Option<String>,
    anonymous: Option<Anonymous>,
    media: Vec<Media>,
    offers: BTreeSet<String>,
    faults_url: Option<Url>,
    limits: Limits,
    trusted_hosts: Vec<String>,
    allow_plain_http: bool,
    tls: TlsFiles,
    /// Offers and a fault-control URL from flags or the environment, validated in `build`.
    extra_offers: Vec<String>,
    extra_faults_url: Option<String>,
}

impl Settings {
    fn overridden(mut self, o: Overrides) -> Self {
        self.base_url = o.base_url.or(self.base_url);
        self.peer = o.peer.or(self.peer);
        self.peer_decline = o.peer_decline.or(self.peer_decline);
        self.peer_ignore = o.peer_ignore.or(self.peer_ignore);
        self.trusted_hosts.extend(o.trusted_hosts);
        self.allow_plain_http |= o.allow_plain_http;
        self.tls.cacert.extend(o.cacert);
        if o.client_cert.is_some() {
            self.tls.client_cert = o.client_cert;
            self.tls.client_key = o.client_key;
        } else {
            self.tls.client_key = o.client_key.or(self.tls.client_key);
        }
        self.tls.insecure |= o.insecure;
        self.extra_offers = o.offers;
        self.extra_faults_url = o.faults_url;
        if o.token.is_some() || o.username.is_some() || o.password.is_some() {
            // Credentials from the environment replace the profile's as a whole.
            self.token = o.token;
            self.username = o.username.or(self.username);
            self.password = o.password.or(self.password);
        }
        self
    }

    fn build(self) -> Result<Target, TargetError> {
        let base_url = base_url(self.base_url)?;
        if let Some(anonymous) = &self.anonymous {
            refuse_userinfo("anonymous discover URL", &anonymous.discover_url)?;
        }
        let credentials = credentials(self.token, self.username, self.password)?;
        let peer = self.peer.ok_or_else(|| {
            TargetError::Invalid("no peer to invite: give --peer, UCWA_PEER or peer in the profile".into())
        })?;
        let offers = offers(self.offers, &self.extra_offers)?;
        let faults_url = match self.extra_faults_url {
            Some(text) => Some(
                Url::parse(&text).map_err(|e| TargetError::Invalid(format!("invalid --faults-url `{text}`: {e}")))?,
            ),
            None => self.faults_url,
        };
        if let Some(url) = &faults_url {
            refuse_userinfo("faults URL", url)?;
        }
        // Hosts the user named in the profile itself are trusted with credentials too.
        let configured = [self.anonymous.as_ref().map(|a| &a.discover_url), faults_url.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|u| u.host_str().map(str::to_string));
        let tls = self.tls.load().map_err(|e| TargetError::Invalid(e.to_string()))?;
        let mut trust = Trust::new(
            &base_url,
            self.trusted_hosts.into_iter().chain(configured),
            self.allow_plain_http,
        );
        if tls.insecure() {
            trust = trust.with_unverified_tls();
        }
        Ok(Target {
            // Host and port: two servers on one host keep their snapshots and columns apart.
            name: self.name.unwrap_or_else(|| {
                let host = base_url.host_str().unwrap_or("target");
                match base_url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                }
            }),
            base_url,
            credentials,
            peer,
            peer_decline: self.peer_decline,
            peer_ignore: self.peer_ignore,
            anonymous: self.anonymous,
            media: if self.media.is_empty() {
                Media::ALL.to_vec()
            } else {
                self.media
            },
            offers,
            faults_url,
            limits: self.limits,
            trust,
            tls,
        })
    }
}

/// The base URL: present, parsable, http or https, without credentials in it.
fn base_url(base: Option<String>) -> Result<Url, TargetError> {
    let base = base.ok_or_else(|| {
        TargetError::Invalid("no base URL: give --base-url, UCWA_BASE_URL or base_url in the profile".into())
    })?;
    let base_url = Url::parse(&base).map_err(|e| {
        // An unparsable URL may still hold a password before its `@`: shown only without one.
        let shown = if base.contains('@') {
            "(not shown: it holds an @)"
        } else {
            base.as_str()
        };
        TargetError::Invalid(format!("invalid base URL `{shown}`: {e}"))
    })?;
    if !matches!(base_url.scheme(), "http" | "https") {
        return Err(TargetError::Invalid("the base URL must be http or https".into()));
    }
    refuse_userinfo("base URL", &base_url)?;
    Ok(base_url)
}

/// The credentials given: a token wins; a username needs a password and a password a username.
fn credentials(
    token: Option<Secret>,
    username: Option<String>,
    password: Option<Secret>,
) -> Result<Credentials, TargetError> {
    let invalid = |m: &str| TargetError::Invalid(m.to_string());
    match (token, username, password) {
        (Some(token), _, _) => Ok(Credentials::Token(token)),
        (None, Some(username), Some(password)) => Ok(Credentials::Password { username, password }),
        (None, Some(_), None) => Err(invalid("a username needs a password (UCWA_PASSWORD)")),
        (None, None, Some(_)) => Err(invalid("a password needs a username (UCWA_USERNAME)")),
        (None, None, None) => Ok(Credentials::None),
    }
}

/// The profile's offers and those of `--offer` / `UCWA_OFFERS`, each a known precondition.
fn offers(mut offers: BTreeSet<String>, extra: &[String]) -> Result<BTreeSet<String>, TargetError> {
    for offer in extra.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        if !precondition_is_known(offer) {
            return Err(TargetError::Invalid(format!(
                "unknown precondition `{offer}` in --offer / UCWA_OFFERS (known: {}, fault:NAME)",
                KNOWN_PRECONDITIONS.join(", ")
            )));
        }
        offers.insert(offer.to_string());
    }
    Ok(offers)
}

/// Refuses a URL that carries `user:password@`: credentials in a URL would be printed, logged and
/// sent wherever the URL goes; they have their own options.
fn refuse_userinfo(what: &str, url: &Url) -> Result<(), TargetError> {
    if url.username().is_empty() && url.password().is_none() {
        return Ok(());
    }
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    Err(TargetError::Invalid(format!(
        "the {what} {shown} carries credentials (user:password@), which are never taken from a URL; \
         give a token in UCWA_TOKEN, or a user name with --username (UCWA_USERNAME) and the \
         password in UCWA_PASSWORD, or put them in the profile's [auth] table"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn profile(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(text.as_bytes()).expect("write");
        file
    }

    #[test]
    fn environment_wins_over_the_profile() {
        let file = profile("base_url = \"http://a.test/\"\npeer = \"sip:a@a.test\"\n[auth]\ntoken = \"t1\"\n");
        let target = from_file(
            file.path(),
            Overrides {
                peer: Some("sip:b@b.test".into()),
                username: Some("u".into()),
                password: Some(Secret::new("p")),
                ..Overrides::default()
            },
        )
        .expect("valid");
        assert_eq!(target.peer, "sip:b@b.test");
        assert!(matches!(target.credentials, Credentials::Password { .. }));
    }

    #[test]
    fn tls_files_in_a_profile_are_found_beside_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("pool.toml");
        std::fs::write(
            &path,
            "base_url = \"https://a.test/\"\npeer = \"sip:a@a.test\"\n[tls]\ncacert = [\"ca.pem\"]\n",
        )
        .expect("write");
        let error = from_file(&path, Overrides::default()).expect_err("no ca.pem yet");
        assert!(
            error
                .to_string()
                .contains(&dir.path().join("ca.pem").display().to_string()),
            "{error}"
        );
    }

    #[test]
    fn insecure_makes_https_unproven_for_the_password() {
        let overrides = Overrides {
            base_url: Some("https://lyncdiscover.contoso.com/".into()),
            peer: Some("sip:b@contoso.com".into()),
            insecure: true,
            ..Overrides::default()
        };
        let target = from_overrides(overrides).expect("valid");
        assert!(target.tls.insecure());
        let token_url = Url::parse("https://lyncweb.contoso.com/WebTicket/oauthtoken").expect("url");
        assert!(target.trust.password_allowed(&token_url).is_err());
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let file = profile("base_url = \"http://a.test/\"\npeerz = \"x\"\n");
        let error = from_file(file.path(), Overrides::default()).expect_err("unknown key");
        assert!(error.to_string().contains(":2:1"), "{error}");
    }

    #[test]
    fn a_missing_peer_is_explained() {
        let error = from_overrides(Overrides {
            base_url: Some("http://a.test/".into()),
            ..Overrides::default()
        })
        .expect_err("no peer");
        assert!(error.to_string().contains("UCWA_PEER"), "{error}");
    }
}
