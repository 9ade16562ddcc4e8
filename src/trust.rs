//! The trust set of a run: the hosts that may receive the user's credentials. Every href in UCWA
//! comes from the server, and the password grant goes wherever the 401 challenge says, so a
//! misconfigured or hostile target could route credentials anywhere; as curl does after a
//! redirect and browsers do across origins, credentials stay inside this set.
//!
//! The set holds the base URL's host, every host that shares its registrable domain (by the
//! public suffix list, the `psl` crate), the hosts the user configured elsewhere in the profile
//! (the anonymous discover URL, the fault-control URL), and hosts the user adds
//! (`trusted_hosts`, `--trust-host`, `UCWA_TRUSTED_HOSTS`). An IP address or a single-label name
//! (`localhost`) trusts only itself. The password also needs https, unless the host is a loopback
//! address or the user allowed plain http (`--allow-plain-http-credentials`).

use std::collections::BTreeSet;
use std::net::IpAddr;
use url::{Host, Url};

/// The hosts that may receive credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// The base URL's host (lower case).
    base_host: String,
    /// Its registrable domain, when it has one (`contoso.com` for `lyncdiscover.contoso.com`).
    domain: Option<String>,
    /// Hosts trusted besides (lower case).
    extra: BTreeSet<String>,
    /// The password may go over plain http to a host that is not a loopback address.
    allow_plain_http: bool,
    /// Certificates are not verified (`--insecure`): https proves nothing, so the password is
    /// treated as if it went over plain http.
    tls_unverified: bool,
}

/// The flag that adds a host to the trust set.
pub const TRUST_FLAG: &str = "--trust-host";

/// The flag that lets the password go over plain http.
pub const PLAIN_HTTP_FLAG: &str = "--allow-plain-http-credentials";

impl Trust {
    /// The trust set of a run whose base URL is `base`.
    pub fn new(base: &Url, extra: impl IntoIterator<Item = String>, allow_plain_http: bool) -> Self {
        let base_host = host_of(base).unwrap_or_default();
        Self {
            domain: registrable_domain(&base_host),
            base_host,
            extra: extra
                .into_iter()
                .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            allow_plain_http,
            tls_unverified: false,
        }
    }

    /// The same set for a run that does not verify TLS certificates (`--insecure`).
    pub fn with_unverified_tls(mut self) -> Self {
        self.tls_unverified = true;
        self
    }

    /// True when `url`'s host may receive credentials.
    pub fn trusts(&self, url: &Url) -> bool {
        let Some(host) = host_of(url) else { return false };
        host == self.base_host
            || self.extra.contains(&host)
            || self.domain.is_some() && registrable_domain(&host) == self.domain
    }

    /// Whether the password may be sent to `url`; the error says why not and what would allow it.
    pub fn password_allowed(&self, url: &Url) -> Result<(), String> {
        let host = host_of(url).unwrap_or_default();
        if !self.trusts(url) {
            return Err(self.untrusted(&host, "the password"));
        }
        let proven_https = url.scheme() == "https" && !self.tls_unverified;
        if proven_https || is_loopback(url) || self.allow_plain_http {
            return Ok(());
        }
        if url.scheme() == "https" {
            return Err(format!(
                "the password was not sent: --insecure means the certificate of {host} is not verified, so \
                 nobody proved who would receive it; give the pool's CA with --cacert instead, or allow it with \
                 {PLAIN_HTTP_FLAG} (UCWA_ALLOW_PLAIN_HTTP_CREDENTIALS=1)"
            ));
        }
        Err(format!(
            "the password was not sent: the token endpoint {url} is plain http to {host}, which is not a \
             loopback address; use https, or allow it with {PLAIN_HTTP_FLAG} (UCWA_ALLOW_PLAIN_HTTP_CREDENTIALS=1, \
             or allow_plain_http_credentials = true in the profile)"
        ))
    }

    /// The message for credentials withheld from `host`.
    pub fn untrusted(&self, host: &str, what: &str) -> String {
        format!(
            "{what} was not sent: {host} is outside the target's trust set ({}); if it belongs to the \
             target, add it with {TRUST_FLAG} {host} (UCWA_TRUSTED_HOSTS, or trusted_hosts in the profile)",
            self.describe()
        )
    }

    /// The set in words: `127.0.0.1`, `*.contoso.com`, and the added hosts.
    pub fn describe(&self) -> String {
        let mut parts = vec![match &self.domain {
            Some(domain) => format!("{} and *.{domain}", self.base_host),
            None => self.base_host.clone(),
        }];
        parts.extend(self.extra.iter().cloned());
        parts.join(", ")
    }
}

/// The host of a URL, lower case, without the brackets of an IPv6 address.
fn host_of(url: &Url) -> Option<String> {
    Some(match url.host()? {
        Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    })
}

/// The registrable domain of a name (none for an address or a name with no public suffix above it).
fn registrable_domain(host: &str) -> Option<String> {
    if host.parse::<IpAddr>().is_ok() || !host.contains('.') {
        return None;
    }
    psl::domain_str(host).map(str::to_ascii_lowercase)
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[rstest]
    #[case("https://lyncdiscover.contoso.com/", "https://lyncweb.contoso.com/WebTicket", true)]
    #[case("https://lyncdiscover.contoso.com/", "https://pool.eu.CONTOSO.com./x", true)]
    #[case("https://lyncdiscover.contoso.com/", "https://contoso.com.evil.net/x", false)]
    #[case("https://lyncdiscover.contoso.co.uk/", "https://other.co.uk/x", false)]
    #[case("https://lyncdiscover.contoso.co.uk/", "https://web.contoso.co.uk/x", true)]
    #[case("http://127.0.0.1:80/root", "http://127.0.0.1:9999/x", true)]
    #[case("http://127.0.0.1:80/root", "http://127.0.0.2/x", false)]
    #[case("http://localhost:80/root", "http://other.localhost/x", false)]
    #[case("https://a.github.io/", "https://b.github.io/", false)]
    fn the_set_follows_the_registrable_domain(#[case] base: &str, #[case] other: &str, #[case] trusted: bool) {
        assert_eq!(Trust::new(&url(base), [], false).trusts(&url(other)), trusted);
    }

    #[test]
    fn added_hosts_are_trusted() {
        let trust = Trust::new(&url("http://127.0.0.1/"), ["127.0.0.2".to_string()], false);
        assert!(trust.trusts(&url("http://127.0.0.2:5/x")));
    }

    #[rstest]
    #[case("https://lyncweb.contoso.com/t", false, true)]
    #[case("http://lyncweb.contoso.com/t", false, false)]
    #[case("http://lyncweb.contoso.com/t", true, true)]
    #[case("http://127.0.0.1:9/t", false, true)]
    #[case("https://evil.example/t", true, false)]
    fn the_password_needs_trust_and_https_or_loopback(#[case] to: &str, #[case] plain: bool, #[case] ok: bool) {
        let trust = Trust::new(&url("https://lyncdiscover.contoso.com/"), ["127.0.0.1".into()], plain);
        assert_eq!(
            trust.password_allowed(&url(to)).is_ok(),
            ok,
            "{:?}",
            trust.password_allowed(&url(to))
        );
    }

    #[rstest]
    #[case("https://lyncweb.contoso.com/t", false, false)]
    #[case("https://lyncweb.contoso.com/t", true, true)]
    #[case("https://127.0.0.1:9/t", false, true)]
    fn unverified_tls_is_not_https_for_the_password(#[case] to: &str, #[case] plain: bool, #[case] ok: bool) {
        let trust =
            Trust::new(&url("https://lyncdiscover.contoso.com/"), ["127.0.0.1".into()], plain).with_unverified_tls();
        let verdict = trust.password_allowed(&url(to));
        assert_eq!(verdict.is_ok(), ok, "{verdict:?}");
        if let Err(message) = verdict {
            assert!(
                message.contains("--insecure") && message.contains("--cacert"),
                "{message}"
            );
        }
    }
}
