//! One pooled HTTP client with a timeout per exchange and a cap on response size. Redirects
//! are never followed silently: a case sees exactly what the server answered.

use super::message::{Request, Response, TransportError};
use crate::under_test::Limits;
use crate::under_test::tls::Tls;
use crate::under_test::trust::Trust;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

/// The one HTTP client of a run.
#[derive(Debug, Clone)]
pub struct HttpClient {
    /// For `http://` origins: built without TLS roots, so a plain-http run reads none.
    plain: reqwest::Client,
    /// For `https://` origins: built with the system's roots and the run's TLS settings when the
    /// first https URL is met (at once when TLS settings were given, so their errors come first).
    secure: Arc<std::sync::OnceLock<Result<reqwest::Client, TransportError>>>,
    tls: Arc<Tls>,
    limits: Limits,
    journal: Option<Journal>,
    trust: Option<Arc<Trust>>,
    health: Arc<Health>,
}

/// What the client has seen of the target, shared by every clone.
#[derive(Debug, Default)]
struct Health {
    /// Origins that have answered at least once (a run meets a handful).
    reached: Mutex<Vec<url::Origin>>,
    /// Exchanges in a row (through [`HttpClient::send`]) to an origin that had answered before
    /// that got no answer at all: refused, reset or closed before a response head, or timed out
    /// without a byte. Any response head sets it back to 0.
    unanswered_streak: AtomicUsize,
    /// Why the last of those got no answer.
    last_unanswered: Mutex<Option<String>>,
}

/// Every request a client sent, in order (for the benchmark's replay).
pub type Journal = Arc<Mutex<Vec<Request>>>;

impl HttpClient {
    /// Builds the pooled client, checking certificates against the system roots.
    pub fn new(limits: Limits) -> Result<Self, TransportError> {
        Self::configured(limits, &Tls::default())
    }

    /// Builds the pooled client with a target's TLS settings (extra roots, client certificate,
    /// or no verification).
    pub fn configured(limits: Limits, tls: &Tls) -> Result<Self, TransportError> {
        install_crypto_provider();
        let plain = base_builder(limits)
            .tls_certs_only(std::iter::empty())
            .build()
            .map_err(|e| TransportError::Invalid(e.to_string()))?;
        let secure = Arc::new(std::sync::OnceLock::new());
        if tls.configured() {
            let built = secure.get_or_init(|| secure_client(limits, tls));
            built.as_ref().map_err(Clone::clone)?;
        }
        Ok(Self {
            plain,
            secure,
            tls: Arc::new(tls.clone()),
            limits,
            journal: None,
            trust: None,
            health: Arc::default(),
        })
    }

    /// True when `url`'s origin has answered this client at least once.
    pub fn has_reached(&self, url: &Url) -> bool {
        let origin = url.origin();
        self.health.reached.lock().map(|r| r.contains(&origin)).unwrap_or(false)
    }

    /// How many exchanges in a row to an origin that had answered before got no answer at all
    /// (refused, reset before a response head, or timed out without a byte), and why the last
    /// did not; any response sets the streak back to 0. A target that dies mid-run shows here.
    pub fn unanswered_streak(&self) -> (usize, Option<String>) {
        let last = self.health.last_unanswered.lock().ok().and_then(|l| l.clone());
        (self.health.unanswered_streak.load(Ordering::Relaxed), last)
    }

    /// The same client, refusing to send credentials (an Authorization header) to any host
    /// outside `trust`. A run session always installs its target's trust set.
    pub fn with_trust(mut self, trust: Trust) -> Self {
        self.trust = Some(Arc::new(trust));
        self
    }

    /// The trust set this client enforces, if one was installed.
    pub fn trust(&self) -> Option<&Trust> {
        self.trust.as_deref()
    }

    /// The same client, also keeping every request it sends in `journal`.
    pub fn with_journal(mut self, journal: Journal) -> Self {
        self.journal = Some(journal);
        self
    }

    /// The limits this client enforces.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Sends a request and reads the whole response, within the timeout and the size cap.
    pub async fn send(&self, request: &Request) -> Result<Response, TransportError> {
        let answered = AtomicBool::new(false);
        let known = self.has_reached(&request.url);
        let result = self.send_watched(request, self.limits.request_timeout, &answered).await;
        if answered.load(Ordering::Relaxed) {
            self.health.unanswered_streak.store(0, Ordering::Relaxed);
        } else if let Err(
            e @ (TransportError::Timeout(_) | TransportError::Unreachable(_) | TransportError::Connection(_)),
        ) = &result
            && known
        {
            self.health.unanswered_streak.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut last) = self.health.last_unanswered.lock() {
                *last = Some(format!("{} {}: {e}", request.method, request.url));
            }
        }
        result
    }

    /// Like [`send`](Self::send), with another timeout (for pending GETs on the event channel).
    pub async fn send_within(&self, request: &Request, timeout: Duration) -> Result<Response, TransportError> {
        self.send_watched(request, timeout, &AtomicBool::new(false)).await
    }

    /// Sends, setting `answered` as soon as the response head arrives.
    async fn send_watched(
        &self,
        request: &Request,
        timeout: Duration,
        answered: &AtomicBool,
    ) -> Result<Response, TransportError> {
        if let Some(trust) = &self.trust
            && request
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        {
            trust
                .check(&request.url, "the token")
                .map_err(|withheld| TransportError::Untrusted(withheld.to_string()))?;
        }
        if let Some(journal) = &self.journal
            && let Ok(mut sent) = journal.lock()
        {
            sent.push(request.clone());
        }
        match tokio::time::timeout(timeout, self.exchange(request, answered)).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout(timeout)),
        }
    }

    async fn exchange(&self, request: &Request, answered: &AtomicBool) -> Result<Response, TransportError> {
        let large = request
            .body
            .as_ref()
            .is_some_and(|b| b.len() > super::raw::RAW_BODY_THRESHOLD);
        if large && request.url.scheme() == "http" {
            let started = Instant::now();
            let raw = super::raw::exchange(request, self.limits.max_body_bytes, answered).await?;
            self.mark_reached(&request.url);
            let body = decoded(&raw.headers, raw.body, self.limits.max_body_bytes)?;
            return Ok(Response {
                status: raw.status,
                headers: raw.headers,
                body,
                elapsed: started.elapsed(),
            });
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| TransportError::Invalid(e.to_string()))?;
        let client = if request.url.scheme() == "https" {
            self.secure
                .get_or_init(|| secure_client(self.limits, &self.tls))
                .as_ref()
                .map_err(Clone::clone)?
        } else {
            &self.plain
        };
        let mut builder = client.request(method, request.url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let started = Instant::now();
        let first_contact = !self.has_reached(&request.url);
        let mut response = builder.send().await.map_err(|e| connection_error(&e, first_contact))?;
        answered.store(true, Ordering::Relaxed);
        self.mark_reached(&request.url);
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let cap = self.limits.max_body_bytes;
        if response.content_length().is_some_and(|n| n > cap as u64) {
            return Err(TransportError::TooLarge(cap));
        }
        // However long the head may take (a pending GET on the event channel waits minutes), the
        // body must arrive within the request timeout once the head is in, however slowly it trickles.
        let within = self.limits.request_timeout;
        let read = async {
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| connection_error(&e, false))? {
                if body.len() + chunk.len() > cap {
                    return Err(TransportError::TooLarge(cap));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body)
        };
        let body = tokio::time::timeout(within, read)
            .await
            .map_err(|_| TransportError::Timeout(within))??;
        let body = decoded(&headers, body, cap)?;
        Ok(Response {
            status,
            headers,
            body,
            elapsed: started.elapsed(),
        })
    }
}

impl HttpClient {
    fn mark_reached(&self, url: &Url) {
        let origin = url.origin();
        if let Ok(mut reached) = self.health.reached.lock()
            && !reached.contains(&origin)
        {
            reached.push(origin);
        }
    }
}

/// Installs ring as the process's TLS crypto provider (the one built in: aws-lc-rs, reqwest's
/// default, builds C with cmake). Every place that builds a reqwest client calls it first;
/// installing twice is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// What every client of a run shares: no redirects followed, the connect timeout, the pool's
/// idle timeout, the user agent.
fn base_builder(limits: Limits) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(limits.request_timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent(concat!("ucwa-conformance/", env!("CARGO_PKG_VERSION")))
}

/// The client for https origins: the system's roots (read now), plus the run's TLS settings.
fn secure_client(limits: Limits, tls: &Tls) -> Result<reqwest::Client, TransportError> {
    tls.apply(base_builder(limits))
        .build()
        .map_err(|e| TransportError::Invalid(e.to_string()))
}

/// The body with the content codings the headers name undone, within `cap`.
fn decoded(headers: &[(String, String)], body: Vec<u8>, cap: usize) -> Result<Vec<u8>, TransportError> {
    let codings = super::coding::codings(
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-encoding"))
            .map(|(_, v)| v.as_str()),
    );
    if codings.is_empty() {
        return Ok(body);
    }
    super::coding::decode(&codings, body, cap).map_err(|e| match e {
        super::coding::CodingError::TooLarge(cap) => TransportError::TooLarge(cap),
        other => TransportError::Coding(other.to_string()),
    })
}

/// The whole cause chain of a reqwest error, which alone says only "error sending request".
/// `first_contact`: the origin never answered this client before.
fn connection_error(error: &reqwest::Error, first_contact: bool) -> TransportError {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    // A pool that wants a client certificate may close the connection right after the TLS 1.3
    // handshake instead of the client reading its alert: on an https origin never reached, the
    // hint is worth giving for a closed or reset connection too.
    let https_closed_at_once =
        first_contact && error.url().is_some_and(|u| u.scheme() == "https") && mentions_any(&text, &CLOSED_CONNECTION);
    if mentions_any(&text, &CERTIFICATE_PROBLEM) || https_closed_at_once {
        text.push_str(&format!("; {CERTIFICATE_HINT}"));
    }
    if error.is_connect() {
        TransportError::Unreachable(text)
    } else {
        TransportError::Connection(text)
    }
}

/// What to do when the target's certificate is refused (or the pool wants a client certificate).
pub const CERTIFICATE_HINT: &str = "if the pool's certificate comes from a private CA, give that CA with --cacert FILE \
     (or SSL_CERT_FILE); if the pool asks for a client certificate, give it with --client-cert FILE";

/// Needles (lower case) of a transport error's text that say the peer closed or reset the connection.
const CLOSED_CONNECTION: [&str; 5] = [
    "connection closed",
    "connection reset",
    "broken pipe",
    "unexpected eof",
    "close_notify",
];

/// Needles (lower case) that say rustls refused a certificate, or a server refused ours.
const CERTIFICATE_PROBLEM: [&str; 7] = [
    "invalid peer certificate",
    "certificaterequired",
    "certificate required",
    "unknownissuer",
    "badsignature",
    "badcertificate",
    "bad certificate",
];

/// True when `text` contains one of `needles`, ignoring ASCII case.
fn mentions_any(text: &str, needles: &[&str]) -> bool {
    let lower = text.to_ascii_lowercase();
    needles.iter().any(|needle| lower.contains(needle))
}
