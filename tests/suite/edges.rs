//! Legal server variation the harness must read: challenges folded into one `WWW-Authenticate`
//! field (RFC 9110 section 11.6.1), and content codings the client never asked for (section
//! 12.5.3: no `Accept-Encoding` means any coding is acceptable).

use crate::support::*;
use serde_json::json;
use std::io::Write;
use ucwa_conformance::case::Media;
use ucwa_conformance::client::HttpClient;
use ucwa_conformance::exchange::Exchange;
use ucwa_conformance::run::{Session, SessionOptions, Stop};
use ucwa_conformance::secret::Secret;
use ucwa_conformance::target::Credentials;
use ucwa_conformance::verdict::Outcome;
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

async fn open(server: &MockServer) -> Result<Session, ucwa_conformance::error::Error> {
    let mut target = mock_target(server);
    target.credentials = Credentials::Password {
        username: "alice@mock.test".into(),
        password: Secret::new("pw"),
    };
    let client = HttpClient::new(target.limits).expect("client");
    Session::open(target, client, SessionOptions::default(), Stop::new()).await
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
        run_inline(&server, NO_SUBCODE_CASE, Media::Json).await
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

const NO_SUBCODE_CASE: &str = r#"
id = "t.unsupported"
title = "409 without subcode"
spec = ["error.409.no-subcode"]
severity = "must"
[[step]]
method = "POST"
rel = "startMessaging"
fault = "Unsupported"
body = { operationId = "{{operation_id}}", to = "{{peer}}" }
expect.status = 409
expect.code = "Conflict"
expect.subcode = false
"#;
