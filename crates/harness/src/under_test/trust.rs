//! The trust set of a run: the hosts that may receive the user's credentials. Every href in UCWA
//! comes from the server, and the password grant goes wherever the 401 challenge says, so a
//! misconfigured or hostile target could route credentials anywhere; as curl does after a
//! redirect and browsers do across origins, credentials stay inside this set.
//!
//! The set holds the base URL's host, every host that shares its registrable domain (by the
//! public suffix list, the `psl` crate), the hosts the user configured elsewhere in the profile
//! (the anonymous discover URL, the fault-control URL), and hosts the user adds
//! (`trusted_hosts`, `--trust-host`, `UCWA_TRUSTED_HOSTS`). An IP address or a single-label name
//! (`localhost`) trusts only itself.
//!
//! Trust is by origin, not host alone: a target configured over https never sends a credential
//! over plain http, whatever host its links name (a downgrade would put the token in clear on the
//! wire); over https every host of the set is trusted, on any port. A target configured over plain
//! http (the user's choice) trusts the set's hosts over http too. The password also needs https,
//! unless the host is a loopback address or the user allowed plain http
//! (`--allow-plain-http-credentials`).

use std::collections::BTreeSet;
use std::net::IpAddr;
use url::{Host, Url};

/// The hosts that may receive credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// The base URL was configured over https: no credential may then go over plain http.
    base_https: bool,
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

/// Why a credential was withheld from a URL; each says what, if anything, would allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Withheld {
    /// The URL names no host.
    #[error("{what} was not sent: {url} names no host")]
    NoHost {
        /// The credential (`the token`).
        what: String,
        /// The URL, without its query.
        url: String,
    },
    /// The host is outside the trust set.
    #[error(
        "{what} was not sent: {host} is outside the target's trust set ({set}); if it belongs to the target, add it \
         with --trust-host {host} (UCWA_TRUSTED_HOSTS, or trusted_hosts in the profile)"
    )]
    Untrusted {
        /// The credential.
        what: String,
        /// The host.
        host: String,
        /// The set, in words.
        set: String,
    },
    /// Plain http from a target configured over https: never.
    #[error(
        "{what} was not sent: {url} is plain http, but the target was configured over https; a credential never \
         goes from an https target over plain http (no option allows it)"
    )]
    Downgrade {
        /// The credential.
        what: String,
        /// The URL, without its query.
        url: String,
    },
    /// Neither https nor http.
    #[error("{what} was not sent: {scheme}: is neither https nor http")]
    Scheme {
        /// The credential.
        what: String,
        /// The URL's scheme.
        scheme: String,
    },
    /// The password over https whose certificate is not verified (`--insecure`).
    #[error(
        "the password was not sent: --insecure means the certificate of {host} is not verified, so nobody proved who \
         would receive it; give the pool's CA with --cacert instead, or allow it with \
         --allow-plain-http-credentials (UCWA_ALLOW_PLAIN_HTTP_CREDENTIALS=1)"
    )]
    Unverified {
        /// The host.
        host: String,
    },
    /// The password over plain http to a host that is not a loopback address.
    #[error(
        "the password was not sent: the token endpoint {url} is plain http to {host}, which is not a loopback \
         address; use https, or allow it with --allow-plain-http-credentials (UCWA_ALLOW_PLAIN_HTTP_CREDENTIALS=1, \
         or allow_plain_http_credentials = true in the profile)"
    )]
    PlainHttp {
        /// The token endpoint.
        url: String,
        /// Its host.
        host: String,
    },
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
            base_https: base.scheme() == "https",
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

    /// True when `url` may receive credentials: a host of the set, over https, or over plain
    /// http when the target itself was configured over plain http.
    pub fn trusts(&self, url: &Url) -> bool {
        self.check(url, "a credential").is_ok()
    }

    /// Whether a credential (`what`: "the token", say) may go to `url`; the error says why not
    /// and what, if anything, would allow it.
    pub fn check(&self, url: &Url, what: &str) -> Result<(), Withheld> {
        let what = what.to_string();
        let Some(host) = host_of(url) else {
            return Err(Withheld::NoHost {
                what,
                url: without_query(url),
            });
        };
        let in_set = host == self.base_host
            || self.extra.contains(&host)
            || self.domain.is_some() && registrable_domain(&host) == self.domain;
        if !in_set {
            return Err(Withheld::Untrusted {
                what,
                host,
                set: self.describe(),
            });
        }
        match url.scheme() {
            "https" => Ok(()),
            "http" if !self.base_https => Ok(()),
            "http" => Err(Withheld::Downgrade {
                what,
                url: without_query(url),
            }),
            other => Err(Withheld::Scheme {
                what,
                scheme: other.to_string(),
            }),
        }
    }

    /// Whether the password may be sent to `url`; the error says why not and what would allow it.
    pub fn password_allowed(&self, url: &Url) -> Result<(), Withheld> {
        let host = host_of(url).unwrap_or_default();
        self.check(url, "the password")?;
        let proven_https = url.scheme() == "https" && !self.tls_unverified;
        if proven_https || is_loopback(url) || self.allow_plain_http {
            return Ok(());
        }
        if url.scheme() == "https" {
            return Err(Withheld::Unverified { host });
        }
        Err(Withheld::PlainHttp {
            url: without_query(url),
            host,
        })
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

/// A URL without its query and fragment (which may carry a token), for messages.
fn without_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
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
    ucwa_suffix::registrable_domain(host).map(str::to_ascii_lowercase)
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

    #[rstest]
    #[case("https://lyncdiscover.contoso.com/", "http://lyncdiscover.contoso.com/ucwa", false)]
    #[case("https://lyncdiscover.contoso.com/", "http://lyncweb.contoso.com/ucwa", false)]
    #[case("https://lyncdiscover.contoso.com/", "https://lyncweb.contoso.com:4443/ucwa", true)]
    #[case("https://127.0.0.1:8443/", "http://127.0.0.1:8443/x", false)]
    #[case("http://127.0.0.1:8080/", "https://127.0.0.1:8443/x", true)]
    #[case("https://lyncdiscover.contoso.com/", "ftp://lyncdiscover.contoso.com/x", false)]
    fn an_https_target_never_sends_a_credential_over_http(
        #[case] base: &str,
        #[case] other: &str,
        #[case] trusted: bool,
    ) {
        let trust = Trust::new(&url(base), ["127.0.0.2".to_string()], true);
        assert_eq!(
            trust.trusts(&url(other)),
            trusted,
            "{:?}",
            trust.check(&url(other), "the token")
        );
        assert_eq!(trust.password_allowed(&url(other)).is_ok(), trusted);
    }

    #[test]
    fn a_downgrade_is_named_with_its_link_and_no_option() {
        let trust = Trust::new(&url("https://pool.contoso.com/"), [], true);
        let message = trust
            .check(
                &url("http://pool.contoso.com/ucwa/v1/applications?x=cwt%3Dabc"),
                "the token",
            )
            .expect_err("refused")
            .to_string();
        assert!(
            message.contains("http://pool.contoso.com/ucwa/v1/applications"),
            "{message}"
        );
        assert!(
            message.contains("no option allows it") && !message.contains("cwt"),
            "{message}"
        );
    }

    #[test]
    fn each_refusal_names_the_flag_that_would_allow_it() {
        let untrusted = Withheld::Untrusted {
            what: "the token".into(),
            host: "evil.example".into(),
            set: "pool.contoso.com".into(),
        };
        assert!(untrusted.to_string().contains(&format!("{TRUST_FLAG} evil.example")));
        for withheld in [
            Withheld::Unverified { host: "h".into() },
            Withheld::PlainHttp {
                url: "http://h/".into(),
                host: "h".into(),
            },
        ] {
            assert!(withheld.to_string().contains(PLAIN_HTTP_FLAG), "{withheld}");
        }
    }

    #[test]
    fn added_hosts_are_trusted() {
        let trust = Trust::new(&url("http://127.0.0.1/"), ["127.0.0.2".to_string()], false);
        assert!(trust.trusts(&url("http://127.0.0.2:5/x")));
    }

    #[rstest]
    #[case("https://lyncdiscover.contoso.com/", "https://lyncweb.contoso.com/t", false, true)]
    #[case("https://lyncdiscover.contoso.com/", "http://lyncweb.contoso.com/t", true, false)]
    #[case("https://lyncdiscover.contoso.com/", "http://127.0.0.1:9/t", true, false)]
    #[case("http://lyncdiscover.contoso.com/", "http://lyncweb.contoso.com/t", false, false)]
    #[case("http://lyncdiscover.contoso.com/", "http://lyncweb.contoso.com/t", true, true)]
    #[case("http://lyncdiscover.contoso.com/", "http://127.0.0.1:9/t", false, true)]
    #[case("http://lyncdiscover.contoso.com/", "https://evil.example/t", true, false)]
    fn the_password_needs_trust_and_https_or_loopback(
        #[case] base: &str,
        #[case] to: &str,
        #[case] plain: bool,
        #[case] ok: bool,
    ) {
        let trust = Trust::new(&url(base), ["127.0.0.1".into()], plain);
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
        if let Err(message) = verdict.map_err(|e| e.to_string()) {
            assert!(
                message.contains("--insecure") && message.contains("--cacert"),
                "{message}"
            );
        }
    }
}
