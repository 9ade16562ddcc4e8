//! TLS against a real pool's shape: the reference server behind TLS with a certificate from a
//! private CA (made here with rcgen), optionally asking for a client certificate. The binary runs
//! against it as a user would: refused without the CA, passing with `--cacert` or `SSL_CERT_FILE`,
//! passing loudly (and recorded) with `--insecure`, and presenting `--client-cert` when asked.

use crate::support::{binary, runtime, valid_results};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};
use ucwa_conformance::reference::{Config, ROOT_PATH};

/// The cases each run takes: a created invitation and its events (the event channel over TLS).
const FILTERS: [&str; 2] = ["start-messaging.created", "events.completed.accepted"];
/// The trials they make (json and xml each).
const TRIALS: usize = 6;

/// A private CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
    ca: CertificateDer<'static>,
}

impl Pki {
    fn new() -> Self {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "ucwa-conformance test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key")).expect("CA");
        let server_key = KeyPair::generate().expect("server key");
        let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("server params")
            .signed_by(&server_key, &ca)
            .expect("server certificate");
        let client_key = KeyPair::generate().expect("client key");
        let mut client_params = CertificateParams::new(Vec::<String>::new()).expect("client params");
        client_params
            .distinguished_name
            .push(DnType::CommonName, "ucwa-conformance test client");
        let client = client_params.signed_by(&client_key, &ca).expect("client certificate");
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write PEM");
        write("ca.pem", &ca.pem());
        write("client.pem", &client.pem());
        write("client.key", &client_key.serialize_pem());
        write(
            "stranger.pem",
            &rcgen::generate_simple_self_signed(vec!["x.test".to_string()])
                .expect("other")
                .cert
                .pem(),
        );
        Self {
            server_chain: vec![server.der().clone(), ca.der().clone()],
            server_key: server_key.serialize_der(),
            ca: ca.der().clone(),
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The server's TLS configuration; with `client_auth`, a client certificate from the CA is required.
    fn server_config(&self, client_auth: bool) -> Arc<ServerConfig> {
        let builder = ServerConfig::builder();
        let builder = if client_auth {
            let mut roots = RootCertStore::empty();
            roots.add(self.ca.clone()).expect("CA root");
            let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
                .build()
                .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key.clone()));
        Arc::new(
            builder
                .with_single_cert(self.server_chain.clone(), key)
                .expect("server TLS config"),
        )
    }
}

/// TLS in front of a fresh reference world, as a TLS-terminating proxy puts it (the reference
/// writes https hrefs when told `X-Forwarded-Proto: https`).
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A client that refuses our certificate (or has none to give) just fails its handshake.
            if let Ok(Ok(stream)) =
                tokio::time::timeout(std::time::Duration::from_secs(5), self.acceptor.accept(tcp)).await
            {
                return (stream, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

async fn serve_tls(config: Arc<ServerConfig>) -> SocketAddr {
    serve_tls_with(config, |_| true).await
}

/// Like [`serve_tls`], but the reference is told it is behind https only for the requests
/// `https_for` picks: for the others it writes `http://` hrefs on the same host and port (as a
/// misconfigured or hostile pool would).
async fn serve_tls_with(config: Arc<ServerConfig>, https_for: fn(&axum::extract::Request) -> bool) -> SocketAddr {
    let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = tcp.local_addr().expect("address");
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(config),
    };
    let app = ucwa_conformance::reference::app(Config::default()).layer(axum::middleware::map_request(
        move |mut request: axum::extract::Request| async move {
            if https_for(&request) {
                request
                    .headers_mut()
                    .insert("x-forwarded-proto", axum::http::HeaderValue::from_static("https"));
            }
            request
        },
    ));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// A profile for the TLS reference: password sign-in (loopback, so allowed over https even
/// unverified), the accepting peer.
fn profile(dir: &Path, addr: SocketAddr) -> PathBuf {
    let config = Config::default();
    let (user, password) = &config.users[0];
    let path = dir.join("tls-target.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"tls-pool\"\nbase_url = \"https://{addr}{ROOT_PATH}\"\npeer = \"sip:bob@contoso.test\"\n\
             offers = [\"peer:accept\"]\n[auth]\nusername = \"{user}\"\npassword = \"{password}\"\n"
        ),
    )
    .expect("profile");
    path
}

/// Runs the binary against the TLS target with extra arguments and environment.
fn run(pki: &Pki, addr: SocketAddr, args: &[&str], env: &[(&str, PathBuf)]) -> (Output, PathBuf) {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let results = pki.path(&format!("results-{}.json", RUNS.fetch_add(1, Ordering::Relaxed)));
    let mut command = binary();
    command
        .args(["run", "--target"])
        .arg(profile(pki.dir.path(), addr))
        .arg("--json")
        .arg(&results)
        .args(args)
        .args(FILTERS)
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR");
    for (name, value) in env {
        command.env(name, value);
    }
    (command.output().expect("run"), results)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_private_ca_is_refused_until_it_is_given() {
    let rt = runtime();
    let pki = Pki::new();
    let addr = rt.block_on(serve_tls(pki.server_config(false)));

    let (output, _) = run(&pki, addr, &[], &[]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        text(&output).contains("--cacert"),
        "the refusal says what to do: {}",
        text(&output)
    );

    let stranger = pki.path("stranger.pem");
    let (output, _) = run(&pki, addr, &["--cacert", stranger.to_str().expect("path")], &[]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "another CA does not help: {}",
        text(&output)
    );

    let ca = pki.path("ca.pem");
    let (output, results) = run(&pki, addr, &["--cacert", ca.to_str().expect("path")], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let file = valid_results(&results);
    assert_eq!(
        file.summary.pass,
        TRIALS,
        "every trial passed over TLS: {}",
        text(&output)
    );
    assert!(!file.target.insecure);
    assert!(file.target.base_url.starts_with("https://"));
    assert!(!text(&output).contains("WARNING"), "{}", text(&output));

    let (output, _) = run(&pki, addr, &[], &[("SSL_CERT_FILE", ca)]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "SSL_CERT_FILE works too: {}",
        text(&output)
    );
}

#[test]
fn insecure_runs_loudly_and_is_recorded() {
    let rt = runtime();
    let pki = Pki::new();
    let addr = rt.block_on(serve_tls(pki.server_config(false)));

    let (output, results) = run(&pki, addr, &["--insecure"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("WARNING: --insecure"), "{stderr}");
    let file = valid_results(&results);
    assert!(file.target.insecure, "the results file records it");
    assert_eq!(file.summary.pass, TRIALS);
    let markdown = ucwa_conformance::report::markdown::render(std::slice::from_ref(&file));
    assert!(markdown.contains("NOT verified"), "{markdown}");
    let junit = ucwa_conformance::report::junit::render(&file, "localhost");
    assert!(junit.contains("not verified (--insecure)"), "{junit}");
}

#[test]
fn a_pool_that_asks_for_a_client_certificate_gets_one() {
    let rt = runtime();
    let pki = Pki::new();
    let addr = rt.block_on(serve_tls(pki.server_config(true)));
    let ca = pki.path("ca.pem");
    let ca = ca.to_str().expect("path");

    let (output, _) = run(&pki, addr, &["--cacert", ca], &[]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(text(&output).contains("--client-cert"), "{}", text(&output));

    let (cert, key) = (pki.path("client.pem"), pki.path("client.key"));
    let (output, results) = run(
        &pki,
        addr,
        &[
            "--cacert",
            ca,
            "--client-cert",
            cert.to_str().expect("path"),
            "--client-key",
            key.to_str().expect("path"),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(valid_results(&results).summary.pass, TRIALS);
}

#[test]
fn a_wrong_tls_file_is_a_configuration_error() {
    let pki = Pki::new();
    let key = pki.path("client.key");
    let output = binary()
        .args([
            "run",
            "--base-url",
            "https://127.0.0.1:9/",
            "--peer",
            "sip:a@b.test",
            "--cacert",
        ])
        .arg(&key)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("no certificate found"), "{}", text(&output));
}

#[test]
fn an_https_pool_never_gets_a_credential_over_plain_http() {
    // The signed-in user resource names its `applications` over plain http on the same host:
    // the token would go in clear on every later request. Discovery stops, exit 3, naming it.
    let rt = runtime();
    let pki = Pki::new();
    let addr = rt.block_on(serve_tls_with(pki.server_config(false), |request| {
        !(request.uri().path() == ucwa_conformance::reference::USER_PATH
            && request.headers().contains_key("authorization"))
    }));
    let ca = pki.path("ca.pem");
    let (output, _) = run(&pki, addr, &["--cacert", ca.to_str().expect("path")], &[]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let message = text(&output);
    assert!(
        message.contains(&format!("http://{addr}/ucwa/oauth/v1/applications"))
            && message.contains("configured over https")
            && message.contains("no option allows it"),
        "{message}"
    );
}
