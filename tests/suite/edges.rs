//! Legal server variation the harness must read: challenges folded into one `WWW-Authenticate`
//! field (RFC 9110 section 11.6.1), and content codings the client never asked for (section
//! 12.5.3: no `Accept-Encoding` means any coding is acceptable).

use crate::support::*;
use serde_json::json;
use std::io::Write;
use ucwa_conformance::case::Media;
use ucwa_conformance::client::HttpClient;
use ucwa_conformance::judge::verdict::Outcome;
use ucwa_conformance::record::exchange::Exchange;
use ucwa_conformance::run::{RunOptions, Runner, Stop};
use ucwa_conformance::under_test::Credentials;
use ucwa_conformance::under_test::secret::Secret;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Matches requests without an Authorization header.
struct Anonymous;

impl wiremock::Match for Anonymous {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key("authorization")
    }
}

/// `ucwa_mock` behind a password sign-in whose 401 sends `challenge` as its WWW-Authenticate fields.
async fn pool_signing_in_with(challenge: &[String]) -> MockServer {
    let server = ucwa_mock(StartLink::Plain).await;
    let mut unauthorized = ResponseTemplate::new(401);
    for value in challenge {
        unauthorized = unauthorized.append_header("WWW-Authenticate", value.as_str());
    }
    Mock::given(method("GET"))
        .and(path("/autodiscover/root/oauth/user"))
        .and(Anonymous)
        .respond_with(unauthorized)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/WebTicket/oauthtoken"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "access_token": TOKEN, "token_type": "Bearer" })),
        )
        .mount(&server)
        .await;
    server
}

async fn open(server: &MockServer) -> Result<Runner, ucwa_conformance::error::Error> {
    let mut target = mock_target(server);
    target.credentials = Credentials::Password {
        username: "alice@mock.test".into(),
        password: Secret::new("pw"),
    };
    let client = HttpClient::new(target.limits).expect("client");
    Runner::open(target, client, RunOptions::default(), Stop::new()).await
}

#[rstest::rstest]
#[case::folded_bearer_first(&[r#"Bearer trusted_issuers="x@mock.test", client_id="00000004", MsRtcOAuth href="/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,password""#])]
#[case::folded_msrtc_first(&[r#"MsRtcOAuth grant_type="password", href="/WebTicket/oauthtoken", Bearer realm="mock""#])]
#[case::separate_fields(&["Bearer realm=\"mock\"", "MsRtcOAuth href=\"/WebTicket/oauthtoken\", grant_type=password"])]
#[case::case_and_spaces(&["negotiate YIIFyw== , msrtcoauth HREF = \"/WebTicket/oauthtoken\" , Grant_Type = \"password\""])]
fn every_legal_spelling_of_the_challenge_signs_in(#[case] fields: &[&str]) {
    let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    let opened = runtime().block_on(async {
        let server = pool_signing_in_with(&fields).await;
        open(&server).await.map(|_| ())
    });
    assert!(opened.is_ok(), "{fields:?}: {:?}", opened.err().map(|e| e.to_string()));
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("write");
    e.finish().expect("finish")
}

fn coded(coding: &str, data: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => gzip(data),
        "br" => {
            let mut out = Vec::new();
            brotli::BrotliCompress(&mut &data[..], &mut out, &brotli::enc::BrotliEncoderParams::default()).expect("br");
            out
        }
        "zstd" => ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest),
        other => panic!("no encoder for {other}"),
    }
}

#[rstest::rstest]
#[case("gzip")]
#[case("br")]
#[case("zstd")]
fn an_unasked_content_coding_is_read_and_recorded(#[case] coding: &str) {
    let result = runtime().block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        let base = server.uri();
        let root = json!({ "_links": { "user": { "href": format!("{base}/autodiscover/root/oauth/user") } } });
        Mock::given(method("GET"))
            .and(path("/autodiscover/root"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(coded(coding, root.to_string().as_bytes()), "application/json")
                    .insert_header("Content-Encoding", coding),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        let error = json!({ "code": "Conflict", "message": "m" }).to_string();
        answer_start(
            &server,
            ResponseTemplate::new(409)
                .set_body_raw(coded(coding, error.as_bytes()), "application/json")
                .insert_header("Content-Encoding", coding),
        )
        .await;
        run_inline(&server, NO_SUBCODE, Media::Json).await
    });
    assert_eq!(result.outcome, Outcome::Pass, "{}", result.explain());
    let Some(Exchange::Http {
        response: Some(response),
        ..
    }) = result.exchanges.first()
    else {
        panic!("no response recorded");
    };
    assert_eq!(
        response.header("content-encoding"),
        Some(coding),
        "the coding is recorded"
    );
}
#[test]
fn a_location_nobody_can_reach_is_the_targets_failure_not_a_harness_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let result = runtime().block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        let location = format!("http://127.0.0.1:{port}{INVITATION_PATH}");
        answer_start(
            &server,
            ResponseTemplate::new(201).insert_header("Location", location.as_str()),
        )
        .await;
        run_inline(&server, FOLLOWS_LOCATION, Media::Json).await
    });
    assert_eq!(result.outcome, Outcome::Fail, "{}", result.explain());
    assert!(result.explain().contains("cannot connect"), "{}", result.explain());
}

#[test]
fn a_target_that_stops_answering_ends_the_run_with_exit_3_and_lists_what_did_not_run() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        // After discovery, nothing answers: every other request waits far past the timeout.
        let silence = ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(60));
        answer_start(&server, silence.clone()).await;
        Mock::given(wiremock::matchers::any())
            .respond_with(silence)
            .with_priority(10)
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = dir.path().join("target.toml");
    std::fs::write(
        &profile,
        format!(
            "base_url = \"{}/autodiscover/root\"\npeer = \"{PEER}\"\n[auth]\ntoken = \"{TOKEN}\"\n[limits]\nrequest_timeout_ms = 1000\n",
            server.uri()
        ),
    )
    .expect("profile");
    let json = dir.path().join("r.json");
    let started = std::time::Instant::now();
    let output = binary()
        .args(["run", "start-messaging.", "--target"])
        .arg(&profile)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("runs");
    let elapsed = started.elapsed();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(elapsed < std::time::Duration::from_secs(30), "took {elapsed:?}");
    assert!(text.contains("the target stopped answering"), "{text}");
    let file = valid_results(&json);
    assert!(file.stopped.as_deref().is_some_and(|s| s.contains("stopped answering")));
    assert!(file.summary.not_run > 0, "{:?}", file.summary);
    assert!(text.contains("must-level trials that did not run"), "{text}");
}

#[test]
fn the_verdict_line_counts_the_must_level_trials_that_did_not_run() {
    // The README's environment recipe offers no fault control: the fault rows are skipped.
    let rt = runtime();
    let reference = rt
        .block_on(ucwa_conformance::reference::spawn(
            ucwa_conformance::reference::Config::default(),
            "127.0.0.1:0".parse().expect("addr"),
        ))
        .expect("listens");
    let output = binary()
        .args(["run", "start-messaging.error.", "--base-url", &reference.base_url()])
        .env("UCWA_USERNAME", "alice@contoso.test")
        .env("UCWA_PASSWORD", "alice-password")
        .env("UCWA_PEER", "sip:bob@contoso.test")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let verdict = stdout
        .lines()
        .find(|l| l.starts_with("ucwa-conformance: conformant"))
        .expect("a verdict");
    assert!(verdict.contains("must-level trials not run"), "{verdict}");
    assert!(
        stdout.contains("precondition `fault:TooManyGroups` not offered by the target: "),
        "{stdout}"
    );
}

/// How the raw server treats a large POST.
#[derive(Clone, Copy)]
enum EarlyClose {
    /// Reads the headers, answers 413 EntityTooLarge, and resets without reading the body.
    AnswerThenReset,
    /// Reads the headers and a little of the body, then resets without answering.
    ResetWithoutAnswer,
}

/// A raw TCP server at an origin of its own that treats every connection as `behaviour` says.
async fn early_closer(behaviour: EarlyClose) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                if let EarlyClose::AnswerThenReset = behaviour {
                    let body = r#"{"code":"EntityTooLarge","message":"too large"}"#;
                    let answer = format!(
                        "HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                } else {
                    let _ = socket.read(&mut buf).await;
                }
                // SO_LINGER 0 makes the close a reset; with a zero duration it never blocks.
                #[allow(deprecated)]
                let _ = socket.set_linger(Some(std::time::Duration::ZERO));
                drop(socket);
            });
        }
    });
    origin
}

const TOO_LARGE: &str = r#"
id = "t.entity-too-large"
title = "t"
spec = ["generic.413"]
severity = "should"
[[step]]
method = "POST"
rel = "startMessaging"
body = { operationId = "{{operation_id}}", to = "{{peer}}", subject = "{{chars:2097152}}" }
expect.status = 413
expect.code = "EntityTooLarge"
"#;

#[rstest::rstest]
#[case::answer_then_reset(EarlyClose::AnswerThenReset, Outcome::Pass)]
#[case::reset_without_answer(EarlyClose::ResetWithoutAnswer, Outcome::ShouldDeviation)]
fn an_early_answer_or_close_to_a_large_body_is_judged_every_time(#[case] behaviour: EarlyClose, #[case] want: Outcome) {
    let results = runtime().block_on(async {
        let origin = early_closer(behaviour).await;
        let server = ucwa_mock_elsewhere(StartLink::Plain, Some(&origin)).await;
        let mut all = Vec::new();
        for _ in 0..25 {
            all.push(run_inline(&server, TOO_LARGE, Media::Json).await);
        }
        all
    });
    for result in &results {
        assert_eq!(result.outcome, want, "{}", result.explain());
    }
    if want == Outcome::ShouldDeviation {
        assert!(
            results[0]
                .explain()
                .contains("closed the connection without a response"),
            "{}",
            results[0].explain()
        );
    }
}

/// A conversation's events carry no operationId: a wait names them by the conversation (its
/// sender href) and a property value. The server writes the sender href absolute and in another
/// letter case than the relative Location it gave; an earlier update (Connecting) and another
/// conversation's Connected update must not be taken for it.
const CONVERSATION_WAIT: &str = r#"
id = "t.conversation-wait"
title = "messaging Connected, found by its conversation"
spec = ["x"]
severity = "should"
[[step]]
method = "POST"
rel = "startMessaging"
body = { operationId = "{{operation_id}}", to = "{{peer}}" }
expect.status = 201
capture.conversation = { header = "Location" }
[[step]]
wait = { type = "updated", rel = "messaging", sender = "{{capture:conversation}}", where = { state = "Connected" }, within_ms = 1500 }
expect.resource = { links = ["sendMessage"] }
"#;

fn messaging_update(sender: &str, state: &str, send: bool) -> serde_json::Value {
    let mut links = json!({ "self": { "href": format!("{sender}/messaging") } });
    if send {
        links["sendMessage"] = json!({ "href": format!("{sender}/messaging/messages") });
    }
    json!({ "rel": "conversation", "href": sender, "events": [{
        "link": { "rel": "messaging", "href": format!("{sender}/messaging") },
        "type": "updated",
        "_embedded": { "messaging": { "state": state, "_links": links } }
    }]})
}

#[rstest::rstest]
#[case::found_in_another_spelling(true, Outcome::Pass)]
#[case::only_another_conversation_connected(false, Outcome::ShouldDeviation)]
fn a_wait_names_a_conversations_event_by_its_sender(#[case] ours_connects: bool, #[case] outcome: Outcome) {
    crate::selftest::block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        let conversation = "/ucwa/v1/applications/7/communication/conversations/c1";
        answer_start(
            &server,
            ResponseTemplate::new(201).insert_header("Location", conversation),
        )
        .await;
        let ours = format!(
            "{}{}",
            server.uri(),
            conversation.to_uppercase().replace("/UCWA", "/ucwa")
        );
        let mut senders = vec![
            messaging_update(&ours, "Connecting", false),
            messaging_update(
                "/ucwa/v1/applications/7/communication/conversations/c2",
                "Connected",
                true,
            ),
        ];
        if ours_connects {
            senders.push(messaging_update(&ours, "Connected", true));
        }
        answer_events(
            &server,
            json!({
                "_links": { "self": { "href": "/ucwa/v1/applications/7/events?ack=1" },
                            "next": { "href": "/ucwa/v1/applications/7/events?ack=2" } },
                "sender": senders
            }),
        )
        .await;
        let result = run_inline(&server, CONVERSATION_WAIT, Media::Json).await;
        assert_eq!(result.outcome, outcome, "{result:?}");
    });
}
