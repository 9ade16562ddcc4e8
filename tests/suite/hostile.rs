//! Hostile servers: a raw TCP server answering startMessaging (and the event channel) in every
//! broken way. Each gives a failed or errored case with a clear message, within its timeouts;
//! none hangs or crashes the run.

use crate::selftest::block_on;
use crate::support::*;
use rstest::rstest;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ucwa_conformance::case::Media;

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
fn a_hostile_server_gives_a_clear_verdict_within_the_timeout(
    #[case] behaviour: Behaviour,
    #[case] case: &str,
    #[case] outcome: &str,
    #[case] words: &str,
) {
    let started = Instant::now();
    let media = if matches!(behaviour, Behaviour::MalformedXml) {
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
