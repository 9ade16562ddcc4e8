//! Credentials stay inside the target's trust set: a second listener on another loopback host
//! (127.0.0.2) stands for the host a misconfigured or hostile target points at, and every test
//! checks that it received no credential (or, where the user allowed it, that it did).

use crate::support::*;
use serde_json::json;
use std::process::Output;
use ucwa_conformance::case::Media;
use ucwa_conformance::client::HttpClient;
use ucwa_conformance::judge::verdict::Outcome;
use ucwa_conformance::run::{RunOptions, Runner, Stop};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD: &str = "s3cret-pa55word";

/// A server on 127.0.0.2 that answers everything with a token-shaped JSON body and records what
/// it received.
async fn elsewhere() -> MockServer {
    let listener = std::net::TcpListener::bind("127.0.0.2:0").expect("127.0.0.2 is a loopback address");
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "access_token": "cwt=stolen", "token_type": "Bearer" })),
        )
        .mount(&server)
        .await;
    server
}

/// True when `server` received an Authorization header or the password.
async fn got_credentials(server: &MockServer) -> bool {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .any(|r| r.headers.contains_key("authorization") || String::from_utf8_lossy(&r.body).contains(PASSWORD))
}

/// A pool at 127.0.0.1 whose user resource answers 401 with an MsRtcOAuth challenge at `token_href`.
async fn pool_with_challenge(token_href: &str) -> MockServer {
    let pool = MockServer::start().await;
    let base = pool.uri();
    Mock::given(method("GET"))
        .and(path("/root"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_links": { "user": { "href": format!("{base}/user") } }
        })))
        .mount(&pool)
        .await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_links": { "applications": { "href": format!("{base}/applications") } }
        })))
        .mount(&pool)
        .await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "WWW-Authenticate",
            format!("MsRtcOAuth href=\"{token_href}\",grant_type=\"password\"").as_str(),
        ))
        .mount(&pool)
        .await;
    pool
}

fn run_with_password(pool: &MockServer, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = binary();
    command
        .args([
            "run",
            "start-messaging.created",
            "--base-url",
            &format!("{}/root", pool.uri()),
        ])
        .args(extra)
        .env("UCWA_USERNAME", "alice@contoso.com")
        .env("UCWA_PASSWORD", PASSWORD)
        .env("UCWA_PEER", "sip:bob@contoso.com");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_password_never_goes_to_a_token_endpoint_on_another_host() {
    let rt = runtime();
    let other = rt.block_on(elsewhere());
    let pool = rt.block_on(pool_with_challenge(&format!("{}/WebTicket/oauthtoken", other.uri())));
    let refused = run_with_password(&pool, &[], &[]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains("127.0.0.2") && message.contains("--trust-host 127.0.0.2"),
        "{message}"
    );
    assert!(!message.contains(PASSWORD), "{message}");
    assert!(
        !rt.block_on(got_credentials(&other)),
        "the other host received a credential"
    );
    assert!(rt.block_on(other.received_requests()).unwrap_or_default().is_empty());

    // Allowed by the user (here through the environment), the grant goes there.
    let allowed = run_with_password(&pool, &[], &[("UCWA_TRUSTED_HOSTS", "127.0.0.2")]);
    assert!(
        !stderr(&allowed).contains("outside the target's trust set"),
        "{}",
        stderr(&allowed)
    );
    assert!(rt.block_on(got_credentials(&other)), "the allowed host got the grant");
}

#[test]
fn the_password_needs_https_unless_loopback_or_allowed() {
    let rt = runtime();
    let pool = rt.block_on(pool_with_challenge(
        "http://lyncweb.contoso.test:9/WebTicket/oauthtoken",
    ));
    let trusted = ["--trust-host", "lyncweb.contoso.test"];
    let refused = run_with_password(&pool, &trusted, &[]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("plain http") && stderr(&refused).contains("--allow-plain-http-credentials"),
        "{}",
        stderr(&refused)
    );
    // Allowed, the harness tries to send it (the name does not resolve here: a connection error).
    let allowed = run_with_password(
        &pool,
        &[&trusted[..], &["--allow-plain-http-credentials"]].concat(),
        &[],
    );
    assert_eq!(allowed.status.code(), Some(3));
    assert!(!stderr(&allowed).contains("plain http"), "{}", stderr(&allowed));
}

#[test]
fn the_token_never_goes_to_an_applications_link_on_another_host() {
    let rt = runtime();
    let other = rt.block_on(elsewhere());
    let pool = rt.block_on(async {
        let pool = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/root"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "_links": { "user": { "href": format!("{}/user", pool.uri()) } }
            })))
            .mount(&pool)
            .await;
        Mock::given(method("GET"))
            .and(path("/user"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "_links": { "applications": { "href": format!("{}/ucwa/v1/applications", other.uri()) } }
            })))
            .mount(&pool)
            .await;
        pool
    });
    let output = binary()
        .args([
            "run",
            "start-messaging.created",
            "--base-url",
            &format!("{}/root", pool.uri()),
        ])
        .env("UCWA_TOKEN", "cwt=the-users-token")
        .env("UCWA_PEER", "sip:bob@contoso.com")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("127.0.0.2"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("the-users-token"));
    assert!(
        !rt.block_on(got_credentials(&other)),
        "the other host received the token"
    );
}

#[test]
fn an_event_channel_on_another_host_makes_the_target_unusable() {
    let rt = runtime();
    let other = rt.block_on(elsewhere());
    let outcome = rt.block_on(async {
        let server = ucwa_mock_elsewhere(StartLink::Plain, Some(&other.uri())).await;
        let target = mock_target(&server);
        let client = HttpClient::new(target.limits).expect("client");
        Runner::open(target, client, RunOptions::default(), Stop::new()).await
    });
    let error = outcome.expect_err("discovery refuses the events link");
    assert_eq!(error.exit_code().code(), 3);
    assert!(error.to_string().contains("127.0.0.2"), "{error}");
    assert!(!rt.block_on(got_credentials(&other)));
}
#[test]
fn a_location_on_another_host_is_the_targets_failure_and_gets_no_token() {
    let rt = runtime();
    let other = rt.block_on(elsewhere());
    let result = rt.block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        let location = format!("{}{INVITATION_PATH}", other.uri());
        answer_start(
            &server,
            ResponseTemplate::new(201).insert_header("Location", location.as_str()),
        )
        .await;
        run_inline(&server, FOLLOWS_LOCATION, Media::Json).await
    });
    assert_eq!(result.outcome, Outcome::Fail, "{}", result.explain());
    assert_eq!(result.failed_step, Some(2));
    let message = result.explain();
    assert!(
        message.contains("outside the target's trust set") && message.contains("127.0.0.2"),
        "{message}"
    );
    assert!(!rt.block_on(got_credentials(&other)));
}

#[test]
fn serve_on_a_non_loopback_address_warns_that_it_is_open() {
    use std::io::{BufRead, BufReader};
    let serve = |listen: &str| {
        let mut child = binary()
            .args(["serve", "--listen", listen])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout");
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Ctrl-C") {
                break;
            }
        }
        std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        stderr(&child.wait_with_output().expect("serve exits"))
    };
    let open = serve("0.0.0.0:0");
    assert!(open.contains("WARNING") && open.contains("open to anyone"), "{open}");
    assert!(!serve("127.0.0.1:0").contains("WARNING"));
}
