//! Hostile servers: a raw TCP server answering startMessaging (and the event channel) in every
//! broken way. Each gives a failed or errored case with a clear message, within its timeouts;
//! none hangs or crashes the run.

use crate::selftest::block_on;
use crate::support::*;
use rstest::rstest;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ucwa_conformance::case::Media;
use ucwa_conformance::client::raw::RAW_BODY_THRESHOLD;
use ucwa_conformance::client::{HttpClient, Request};

/// How the hostile server answers.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// Reads the request and never writes.
    Silent,
    /// Sends a status line and headers announcing a body, then nothing.
    HeadersThenSilence,
    /// A chunked body that never ends (a small chunk every 10 ms).
    EndlessBody,
    /// Closes the connection as soon as the request arrives.
    Reset,
    /// A 100 MB body announced by Content-Length, streamed.
    HugeBody,
    /// A JSON error whose body is not valid UTF-8.
    InvalidUtf8,
    /// A JSON content type over a malformed body.
    MalformedJson,
    /// An XML content type over a malformed body.
    MalformedXml,
    /// A valid JSON error with the content type text/html.
    WrongContentType,
    /// A redirect to itself.
    RedirectLoop,
    /// One event batch of 10,000 events.
    TenThousandEvents,
    /// startMessaging answers 201; the event channel never answers.
    SilentEvents,
    /// A 400 whose announced 400-byte body comes one byte every 100 ms (40 s in all).
    TrickleBody,
    /// startMessaging answers 201; the event channel answers a batch nested 5,000 levels deep.
    DeepEvents,
    /// A response head that never ends: one header line growing by 4 KiB every millisecond.
    EndlessHead,
    /// A chunked body whose chunk size is near `u64::MAX`.
    HugeChunkSize,
}

/// Starts the server; answers every request with `behaviour`. Returns its origin.
pub async fn hostile(behaviour: Behaviour) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket, behaviour));
        }
    });
    origin
}

async fn serve(mut socket: tokio::net::TcpStream, behaviour: Behaviour) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 1 << 20 {
            return;
        }
    }
    let path = String::from_utf8_lossy(&head)
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let write = |text: String| text.into_bytes();
    let reply = match behaviour {
        Behaviour::Silent => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return;
        }
        Behaviour::HeadersThenSilence => {
            let _ = socket
                .write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\nLocation: /x\r\n\r\n")
                .await;
            tokio::time::sleep(Duration::from_secs(60)).await;
            return;
        }
        Behaviour::EndlessBody => {
            let _ = socket
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                )
                .await;
            loop {
                if socket.write_all(b"10\r\n{\"code\":\"Bad\"   \r\n").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        Behaviour::Reset => return,
        Behaviour::HugeBody => {
            let _ = socket
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n",
                )
                .await;
            let chunk = vec![b' '; 1 << 16];
            for _ in 0..1600 {
                if socket.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            return;
        }
        Behaviour::InvalidUtf8 => {
            let body: &[u8] = b"{\"code\":\"BadRequest\xff\xfe\",\"subcode\":\"ParameterValidationFailure\"}";
            let mut out = write(format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            ));
            out.extend_from_slice(body);
            out
        }
        Behaviour::MalformedJson => plain(400, "application/json", "{\"code\": \"BadReq"),
        Behaviour::MalformedXml => plain(
            400,
            "application/xml",
            "<reason xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><code>Bad",
        ),
        Behaviour::WrongContentType => plain(
            400,
            "text/html",
            "{\"code\":\"BadRequest\",\"subcode\":\"ParameterValidationFailure\"}",
        ),
        Behaviour::RedirectLoop => write(format!(
            "HTTP/1.1 302 Found\r\nLocation: {path}\r\nContent-Length: 0\r\n\r\n"
        )),
        Behaviour::SilentEvents if path.contains("/events") => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return;
        }
        Behaviour::SilentEvents => write("HTTP/1.1 201 Created\r\nLocation: /x/1\r\nContent-Length: 0\r\n\r\n".into()),
        Behaviour::TrickleBody => {
            let _ = socket
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n")
                .await;
            for _ in 0..400 {
                if socket.write_all(b" ").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            return;
        }
        Behaviour::DeepEvents if path.contains("/events") => {
            let body = format!(
                r#"<events xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><link rel="next" href="/e?ack=2"/><sender rel="communication" href="/c"><added rel="messagingInvitation" href="/x">{}{}</added></sender></events>"#,
                "<r>".repeat(5000),
                "</r>".repeat(5000)
            );
            plain(200, "application/xml", &body)
        }
        Behaviour::DeepEvents => write("HTTP/1.1 201 Created\r\nLocation: /x/1\r\nContent-Length: 0\r\n\r\n".into()),
        Behaviour::EndlessHead => {
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\nX-Filler: ").await;
            let filler = "a".repeat(4096);
            loop {
                if socket.write_all(filler.as_bytes()).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        Behaviour::HugeChunkSize => write(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffe\r\n{}\r\n"
                .into(),
        ),
        Behaviour::TenThousandEvents => {
            if path.contains("/events") {
                let event = r#"{"link":{"rel":"messagingInvitation","href":"/x"},"type":"updated"}"#;
                let events = vec![event; 10_000].join(",");
                let body = format!(
                    r#"{{"_links":{{"next":{{"href":"/ucwa/v1/applications/7/events?ack=2"}}}},"sender":[{{"rel":"communication","href":"/c","events":[{events}]}}]}}"#
                );
                plain(200, "application/json", &body)
            } else {
                write("HTTP/1.1 201 Created\r\nLocation: /x/1\r\nContent-Length: 0\r\n\r\n".into())
            }
        }
    };
    let _ = socket.write_all(&reply).await;
    let _ = socket.shutdown().await;
}

fn plain(status: u16, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

const STARTED: &str = r#"
id = "h.events"
title = "started event"
spec = ["events.started.operation-id"]
severity = "should"
[[step]]
method = "POST"
rel = "startMessaging"
body = { operationId = "op-h", to = "{{peer}}" }
expect.status = 201
[[step]]
wait = { type = "started", rel = "messagingInvitation", operation_id = "op-h", within_ms = 1500 }
"#;

/// The request timeout of the mock target (2 s) plus slack: no case may take longer.
const BOUND: Duration = Duration::from_secs(5);

#[rstest]
#[case::no_answer(Behaviour::Silent, MISSING_OPERATION_ID, "error", "no complete response within")]
#[case::headers_then_silence(
    Behaviour::HeadersThenSilence,
    MISSING_OPERATION_ID,
    "error",
    "no complete response within"
)]
#[case::endless_body(Behaviour::EndlessBody, MISSING_OPERATION_ID, "error", "")]
#[case::connection_reset(Behaviour::Reset, MISSING_OPERATION_ID, "error", "POST http://")]
#[case::hundred_megabytes(
    Behaviour::HugeBody,
    MISSING_OPERATION_ID,
    "error",
    "larger than the cap of 65536 bytes"
)]
#[case::invalid_utf8(Behaviour::InvalidUtf8, MISSING_OPERATION_ID, "fail", "code")]
#[case::malformed_json(Behaviour::MalformedJson, MISSING_OPERATION_ID, "fail", "malformed JSON")]
#[case::malformed_xml(Behaviour::MalformedXml, MISSING_OPERATION_ID, "fail", "malformed XML")]
#[case::wrong_content_type(Behaviour::WrongContentType, MISSING_OPERATION_ID, "fail", "not a UCWA error")]
#[case::redirect_loop(Behaviour::RedirectLoop, MISSING_OPERATION_ID, "fail", "actual:   302")]
#[case::event_channel_never_answers(
    Behaviour::SilentEvents,
    STARTED,
    "should-deviation",
    "none (0 events arrived on the channel)"
)]
#[case::ten_thousand_events(Behaviour::TenThousandEvents, STARTED, "error", "larger than the cap")]
#[case::trickled_body(
    Behaviour::TrickleBody,
    MISSING_OPERATION_ID,
    "error",
    "no complete response within 2s"
)]
#[case::deep_events(Behaviour::DeepEvents, STARTED, "should-deviation", "deeper than 128 levels")]
#[case::endless_head(Behaviour::EndlessHead, MISSING_OPERATION_ID, "error", "POST http://")]
#[case::huge_chunk_size(Behaviour::HugeChunkSize, MISSING_OPERATION_ID, "error", "POST http://")]
fn a_hostile_server_gives_a_clear_verdict_within_the_timeout(
    #[case] behaviour: Behaviour,
    #[case] case: &str,
    #[case] outcome: &str,
    #[case] words: &str,
) {
    let started = Instant::now();
    let media = if matches!(behaviour, Behaviour::MalformedXml | Behaviour::DeepEvents) {
        Media::Xml
    } else {
        Media::Json
    };
    let result = block_on(async {
        let origin = hostile(behaviour).await;
        let server = ucwa_mock_elsewhere(StartLink::Plain, Some(&origin)).await;
        run_inline(&server, case, media).await
    });
    let elapsed = started.elapsed();
    assert!(elapsed < BOUND, "took {elapsed:?}: {:?}", result.outcome);
    assert_eq!(result.outcome.as_str(), outcome, "{}", result.explain());
    let message = result.explain();
    assert!(message.contains(words), "missing `{words}` in:\n{message}");
}

/// A request body large enough for the raw path (it is sent while the response is read).
fn large_request(origin: &str) -> Request {
    let url = url::Url::parse(&format!("{origin}/big")).expect("url");
    Request::new("POST", url).body(vec![b'x'; RAW_BODY_THRESHOLD + 1])
}

#[rstest]
#[case::endless_head(Behaviour::EndlessHead, "a response head larger than")]
#[case::huge_chunk_size(Behaviour::HugeChunkSize, "larger than the cap")]
#[case::trickled_body(Behaviour::TrickleBody, "no complete response within 2s")]
fn the_raw_path_keeps_the_pooled_clients_bounds(#[case] behaviour: Behaviour, #[case] words: &str) {
    let started = Instant::now();
    let limits = mock_target_limits();
    let outcome = block_on(async {
        let origin = hostile(behaviour).await;
        HttpClient::new(limits)
            .expect("client")
            .send(&large_request(&origin))
            .await
    });
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    let error = outcome.expect_err("refused");
    assert!(error.to_string().contains(words), "{error}");
}

#[test]
fn a_pending_get_may_wait_for_its_head_but_not_for_its_body() {
    // The event channel waits minutes for a head; once the head is in, the body must come
    // within the request timeout however slowly it trickles.
    let started = Instant::now();
    let limits = mock_target_limits();
    let outcome = block_on(async {
        let origin = hostile(Behaviour::TrickleBody).await;
        let url = url::Url::parse(&format!("{origin}/events")).expect("url");
        HttpClient::new(limits)
            .expect("client")
            .send_within(&Request::new("GET", url), Duration::from_secs(200))
            .await
    });
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    let error = outcome.expect_err("timed out");
    assert!(error.to_string().contains("no complete response within 2s"), "{error}");
}

/// The mock target's limits (a 2 s request timeout, a 64 KiB body cap).
fn mock_target_limits() -> ucwa_conformance::under_test::Limits {
    ucwa_conformance::under_test::Limits {
        request_timeout: Duration::from_secs(2),
        case_timeout: Duration::from_secs(5),
        max_body_bytes: 64 * 1024,
        max_wait: None,
    }
}
