//! The reference server's event channel and lifecycle, driven with a bare HTTP client: event
//! sequences for each peer behaviour in JSON and XML, the P-GET rules (next, retry, resync,
//! empty release, PGetReplaced) and application expiry.

use crate::reference_server::{Client, error_of};
use crate::selftest::block_on;
use rstest::rstest;
use serde_json::Value;
use std::time::Duration;
use ucwa_conformance::reference::Config;

const NS: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

fn quick() -> Config {
    Config {
        invitation_timeout: Duration::from_millis(300),
        event_timeout: Duration::from_millis(300),
        ..Config::default()
    }
}

/// One event as (type, rel, operationId of the embedded resource, status, reason subcode).
type Seen = (String, String, Option<String>, Option<String>, Option<String>);

/// Follows `next` until a `completed` event arrives (or 10 batches), in `accept`'s representation.
async fn collect(client: &Client, accept: &str) -> Vec<Seen> {
    let mut url = client.events.clone();
    let mut seen = Vec::new();
    for _ in 0..10 {
        let response = client
            .http
            .get(&url)
            .bearer_auth(&client.token)
            .header("accept", accept)
            .send()
            .await
            .expect("events");
        assert_eq!(response.status(), 200);
        let body = response.text().await.expect("body");
        let next = if accept.contains("xml") {
            xml_events(&body, &mut seen)
        } else {
            json_events(&body, &mut seen)
        };
        url = format!("{}{next}", client.origin);
        if seen.iter().any(|e| e.0 == "completed") {
            break;
        }
    }
    seen
}

fn json_events(body: &str, seen: &mut Vec<Seen>) -> String {
    let batch: Value = serde_json::from_str(body).expect("JSON batch");
    for sender in batch["sender"].as_array().into_iter().flatten() {
        for e in sender["events"].as_array().into_iter().flatten() {
            let rel = e["link"]["rel"].as_str().unwrap_or_default().to_string();
            let text = |v: &Value| v.as_str().map(str::to_string);
            seen.push((
                text(&e["type"]).unwrap_or_default(),
                rel.clone(),
                text(&e["_embedded"][&rel]["operationId"]),
                text(&e["status"]),
                text(&e["reason"]["subcode"]),
            ));
        }
    }
    batch["_links"]["next"]["href"].as_str().expect("next link").to_string()
}

fn xml_events(body: &str, seen: &mut Vec<Seen>) -> String {
    let doc = roxmltree::Document::parse(body).expect("XML batch");
    let root = doc.root_element();
    assert!(root.has_tag_name((NS, "events")), "{body}");
    for sender in root.children().filter(|c| c.has_tag_name((NS, "sender"))) {
        for e in sender.children().filter(|c| c.is_element()) {
            let operation_id = e
                .descendants()
                .find(|d| d.has_tag_name((NS, "property")) && d.attribute("name") == Some("operationId"))
                .and_then(|p| p.text())
                .map(str::to_string);
            let subcode = e
                .descendants()
                .find(|d| d.has_tag_name((NS, "subcode")))
                .and_then(|s| s.text())
                .map(str::to_string);
            seen.push((
                e.tag_name().name().to_string(),
                e.attribute("rel").unwrap_or_default().to_string(),
                operation_id,
                e.attribute("status").map(str::to_string),
                subcode,
            ));
        }
    }
    let next = root
        .children()
        .find(|c| c.has_tag_name((NS, "link")) && c.attribute("rel") == Some("next"));
    next.and_then(|n| n.attribute("href")).expect("next link").to_string()
}

#[rstest]
#[case::accept_json("sip:bob@contoso.test", "application/json", "Success", None)]
#[case::accept_xml("sip:bob@contoso.test", "application/vnd.microsoft.com.ucwa+xml", "Success", None)]
#[case::decline_json("sip:carol@contoso.test", "application/json", "Failure", Some("Declined"))]
#[case::decline_xml("sip:carol@contoso.test", "application/xml", "Failure", Some("Declined"))]
#[case::no_answer_json("sip:dave@contoso.test", "application/json", "Failure", Some("Timeout"))]
#[case::no_answer_xml("sip:dave@contoso.test", "application/xml", "Failure", Some("Timeout"))]
#[case::unknown_peer(
    "sip:nobody@contoso.test",
    "application/json",
    "Failure",
    Some("DestinationNotFound")
)]
fn each_peer_behaviour_gives_its_event_sequence(
    #[case] peer: &str,
    #[case] accept: &str,
    #[case] status: &str,
    #[case] subcode: Option<&str>,
) {
    let seen = block_on(async {
        let client = Client::with_config(quick()).await;
        let (created, _, _) = client
            .post(
                "application/json",
                &format!(r#"{{"operationId":"op-7","to":"{peer}"}}"#),
            )
            .await;
        assert_eq!(created, 201);
        collect(&client, accept).await
    });
    let op = Some("op-7".to_string());
    assert_eq!(
        seen.first(),
        Some(&("started".into(), "messagingInvitation".into(), op.clone(), None, None)),
        "{seen:?}"
    );
    assert!(seen.iter().any(|e| e.0 == "added" && e.1 == "conversation"), "{seen:?}");
    let completed = seen.iter().find(|e| e.0 == "completed").expect("a completed event");
    assert_eq!(
        completed,
        &(
            "completed".into(),
            "messagingInvitation".into(),
            op,
            Some(status.into()),
            subcode.map(str::to_string)
        )
    );
}

#[test]
fn the_channel_resends_a_lost_batch_resyncs_a_stale_ack_and_releases_empty() {
    block_on(async {
        let client = Client::with_config(quick()).await;
        let get = |url: String| {
            let request = client.http.get(url).bearer_auth(&client.token);
            async move {
                let response = request.send().await.expect("events");
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.expect("json"))
            }
        };
        let (status, empty) = get(client.events.clone()).await;
        assert_eq!(status, 200);
        assert!(
            empty.get("sender").is_none(),
            "released empty after the timeout: {empty}"
        );
        let next = empty["_links"]["next"]["href"].as_str().expect("next").to_string();
        assert!(next.ends_with("ack=2"), "{next}");
        let (_, again) = get(client.events.clone()).await;
        assert_eq!(again, empty, "asking for the same ack re-sends the batch");
        let stale = client.events.replace("ack=1", "ack=7");
        let (status, resync) = get(stale).await;
        assert_eq!(status, 200);
        assert!(resync["_links"]["resync"]["href"].is_string(), "{resync}");
        assert!(resync["_links"].get("next").is_none(), "{resync}");
    });
}

#[test]
fn a_second_pending_get_with_the_same_ack_replaces_the_first() {
    block_on(async {
        let client = Client::with_config(Config {
            event_timeout: Duration::from_secs(5),
            ..Config::default()
        })
        .await;
        let first = client.http.get(&client.events).bearer_auth(&client.token).send();
        let first = tokio::spawn(first);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let second = client.http.get(&client.events).bearer_auth(&client.token).send();
        let second = tokio::spawn(second);
        let replaced = first.await.expect("task").expect("response");
        assert_eq!(replaced.status(), 409);
        let kind = replaced.headers()["content-type"].to_str().expect("ascii").to_string();
        assert_eq!(
            error_of(&kind, &replaced.text().await.expect("body")),
            ("Conflict".into(), Some("PGetReplaced".into()))
        );
        let (created, _, _) = client
            .post(
                "application/json",
                r#"{"operationId":"op-1","to":"sip:bob@contoso.test"}"#,
            )
            .await;
        assert_eq!(created, 201);
        let delivered = second.await.expect("task").expect("response");
        assert_eq!(delivered.status(), 200, "the new P-GET gets the events");
    });
}

#[test]
fn an_idle_application_expires_with_410_inactive_application_expired() {
    block_on(async {
        let client = Client::with_config(Config {
            idle_timeout: Duration::from_millis(200),
            ..Config::default()
        })
        .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let (status, kind, body) = client
            .post(
                "application/json",
                r#"{"operationId":"op-1","to":"sip:bob@contoso.test"}"#,
            )
            .await;
        assert_eq!(status, 410, "{body}");
        assert_eq!(
            error_of(&kind, &body),
            ("Gone".into(), Some("InactiveApplicationExpired".into()))
        );
    });
}

#[test]
fn deleting_the_application_ends_it() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let deleted = client
            .http
            .delete(&client.application)
            .bearer_auth(&client.token)
            .send()
            .await
            .expect("delete");
        assert_eq!(deleted.status(), 204);
        let (status, kind, body) = client
            .post(
                "application/json",
                r#"{"operationId":"op-1","to":"sip:bob@contoso.test"}"#,
            )
            .await;
        assert_eq!(status, 404);
        assert_eq!(
            error_of(&kind, &body),
            ("NotFound".into(), Some("ApplicationNotFound".into()))
        );
    });
}

/// Runs one of the independent clients of `tests/clients` against a fresh `serve`-like reference,
/// in JSON and XML: sign-in from the root at the host, makeMeAvailable, startMessaging, messaging
/// Connected, sendMessage and its completion, stopMessaging and the conversation's end.
fn independent_client_walks(program: &str, script: &str, install: &str) {
    if !crate::support::tool(program, install) {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime
        .block_on(ucwa_conformance::reference::spawn(
            quick(),
            "127.0.0.1:0".parse().expect("addr"),
        ))
        .expect("listens");
    let script = format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR"));
    let host = format!("http://{}/", server.addr);
    for media in ["json", "xml"] {
        let output = std::process::Command::new(program)
            .args([
                script.as_str(),
                &host,
                "alice@contoso.test",
                "alice-password",
                "sip:bob@contoso.test",
                media,
            ])
            .output()
            .unwrap_or_else(|e| panic!("`{program}` does not run ({e}); install it: {install}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{program} {media}:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("walk ok"), "{stdout}");
        assert!(stdout.contains("sendMessage -> 201"), "{stdout}");
    }
}

#[test]
fn an_independent_python_client_signs_in_and_sends_an_im() {
    independent_client_walks("python3", "walk.py", "apt-get install -y python3");
}

/// Reads header names case-sensitively, as the browser helper library of the UCWA samples does.
#[test]
fn an_independent_node_client_signs_in_and_sends_an_im() {
    independent_client_walks("node", "walk.mjs", "apt-get install -y nodejs (.ci/run does)");
}
