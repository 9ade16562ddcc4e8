//! The reference as a whole UCWA world, beyond startMessaging: the wire as IIS writes it (header
//! spelling, lenient paths, exact ids), discovery at the host, makeMeAvailable and `me`, and the
//! messaging modality's rules. The full sign-in-to-IM walk is the independent clients' job
//! (`reference_events.rs`).

use crate::reference_server::{Client, error_of};
use crate::selftest::block_on;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ucwa_conformance::reference::Config;

impl Client {
    async fn get(&self, url: &str) -> (u16, Value) {
        let response = self.http.get(url).bearer_auth(&self.token).send().await.expect("GET");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post_json(&self, url: &str, body: Value) -> (u16, String) {
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("POST");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    }

    fn absolute(&self, href: &Value) -> String {
        format!("{}{}", self.origin, href.as_str().expect("an href"))
    }
}

/// Two requests on one connection, read raw: the response heads as the bytes on the wire.
async fn raw_exchange(origin: &str, requests: &[&str]) -> String {
    let address = origin.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connect");
    let mut seen = String::new();
    for request in requests {
        let text = format!("{request}\r\nHost: {address}\r\nAccept: application/json\r\n\r\n");
        stream.write_all(text.as_bytes()).await.expect("write");
        let mut buffer = vec![0u8; 16 * 1024];
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buffer))
            .await
            .expect("an answer in time")
            .expect("read");
        seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    seen
}

#[test]
fn header_names_are_spelt_as_iis_writes_them() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let user = "GET /autodiscover/autodiscoverservice.svc/root/oauth/user HTTP/1.1";
        let root = "GET / HTTP/1.1";
        let wire = raw_exchange(&client.origin, &[user, root]).await;
        assert!(wire.contains("\r\nContent-Type: text/html\r\n"), "{wire}");
        assert!(wire.contains("\r\nWWW-Authenticate: Bearer "), "{wire}");
        assert!(wire.contains("\r\nWWW-Authenticate: MsRtcOAuth "), "{wire}");
        let first = wire.split("HTTP/1.1 200").next().expect("the 401");
        assert!(
            first.contains("\r\nX-MS-UcwaVersion: "),
            "every response carries it: {first}"
        );
        // The second response on the same connection is respelt too.
        let second = wire.split("HTTP/1.1 200").nth(1).expect("the root's answer");
        assert!(second.contains("\r\nX-MS-UcwaVersion: "), "{second}");
        assert!(second.contains("\r\nContent-Type: application/json"), "{second}");
        assert!(!wire.contains("\r\ncontent-type:"), "{wire}");
    });
}

#[test]
fn paths_are_lenient_and_ids_are_exact_strings() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let path = client.application.trim_start_matches(&client.origin);
        let (status, app) = client
            .get(&format!(
                "{}/{}",
                client.origin,
                path.to_uppercase().replace("/UCWA", "/ucwa")
            ))
            .await;
        assert_eq!(status, 200, "another letter case: {app}");
        let doubled = format!("{}/{}", client.origin, path.replace('/', "//"));
        assert_eq!(client.get(&doubled).await.0, 200, "repeated slashes");
        let id = path.rsplit('/').next().expect("an id");
        let padded = client.application.replace(&format!("/{id}"), &format!("/0{id}"));
        let response = client
            .http
            .get(&padded)
            .bearer_auth(&client.token)
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 404);
        let body = response.text().await.expect("body");
        assert_eq!(
            error_of("application/json", &body).1.as_deref(),
            Some("ApplicationNotFound")
        );
    });
}

/// The xframe page's script, run by Node with a stub window: the lower-case names a browser's
/// `getAllResponseHeaders()` gives come back as the server spelt them.
fn xframe_respells_headers(page: &str) {
    if !crate::support::tool("node", "apt-get install -y nodejs") {
        return;
    }
    let script = page
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("the page has a script");
    let program = format!(
        "var window = {{ addEventListener: function () {{}} }};\n{script}\n\
         process.stdout.write(respell('content-type: application/json\\r\\nwww-authenticate: Bearer\\r\\n\
         x-ms-diagnostics: 1\\r\\nx-ms-ucwaversion: 1.7\\r\\nx-custom-thing: y\\r\\n'));"
    );
    let output = std::process::Command::new("node")
        .arg("-e")
        .arg(&program)
        .output()
        .expect("node runs (installed by .ci/run)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for line in [
        "Content-Type: application/json",
        "WWW-Authenticate: Bearer",
        "X-Ms-diagnostics: 1",
        "X-MS-UcwaVersion: 1.7",
        "X-Custom-Thing: y",
    ] {
        assert!(text.contains(&format!("{line}\r\n")), "missing {line:?} in {text:?}");
    }
}

#[test]
fn discovery_answers_at_the_host_and_xframe_is_a_page() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let root: Value = client
            .http
            .get(format!("{}/", client.origin))
            .send()
            .await
            .expect("root")
            .json()
            .await
            .expect("json");
        let user = root["_links"]["user"]["href"].as_str().expect("user").to_string();
        let xframe = root["_links"]["xframe"]["href"].as_str().expect("xframe").to_string();
        assert!(xframe.starts_with("http://"), "absolute: {xframe}");
        let page = client.http.get(&xframe).send().await.expect("xframe");
        assert_eq!(page.status(), 200);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .expect("ascii")
                .starts_with("text/html")
        );
        let page = page.text().await.expect("the page");
        let (_, signed_in) = client.get(&user).await;
        assert_eq!(
            signed_in["_links"]["self"]["href"],
            user.as_str(),
            "the self link keeps its query"
        );
        xframe_respells_headers(&page);
    });
}

#[test]
fn make_me_available_follows_the_docs() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let (_, app) = client.get(&client.application).await;
        let me = &app["_embedded"]["me"];
        let available = client.absolute(&me["_links"]["makeMeAvailable"]["href"]);
        let presence = available.replace("makeMeAvailable", "presence");
        let before = app["_embedded"]["communication"].clone();
        assert_eq!(before["supportedModalities"], json!([]));

        let (status, body) = client.get(&presence).await;
        assert_eq!(
            (status, body["subcode"].as_str()),
            (409, Some("MakeMeAvailableRequired"))
        );
        let (status, body) = client
            .post_json(&available, json!({ "SupportedModalities": ["Video"] }))
            .await;
        assert_eq!(status, 403, "beyond Messaging and PhoneAudio: {body}");
        assert_eq!(error_of("application/json", &body), ("Forbidden".into(), None));
        let (status, _) = client
            .post_json(&available, json!({ "supportedModalities": ["Telepathy"] }))
            .await;
        assert_eq!(status, 400);

        let (status, _) = client
            .post_json(&available, json!({ "SupportedModalities": ["Messaging"] }))
            .await;
        assert_eq!(status, 204);
        let (_, me) = client.get(&client.absolute(&me["_links"]["self"]["href"])).await;
        assert!(me["_links"]["makeMeAvailable"].is_null(), "{me}");
        assert!(me["_links"]["presence"].is_object(), "{me}");
        assert_eq!(client.get(&presence).await.0, 200);
        let (_, app) = client.get(&client.application).await;
        let after = &app["_embedded"]["communication"];
        assert_eq!(after["supportedModalities"], json!(["Messaging"]));
        assert_ne!(after["etag"], before["etag"], "communication changed, so did its etag");
        let guid = after
            .as_object()
            .expect("object")
            .iter()
            .find(|(k, _)| k.len() == 36 && k.matches('-').count() == 4)
            .expect("the random-GUID property");
        assert_eq!(guid.1, "please pass this in a PUT request");

        let (status, body) = client.post_json(&available, json!({})).await;
        assert_eq!(status, 409);
        assert_eq!(error_of("application/json", &body).1.as_deref(), Some("AlreadyExists"));
    });
}

#[test]
fn messages_wait_for_connected_messaging_and_stop_ends_the_conversation() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        // dave never answers: the invitation waits, messaging stays Connecting.
        let body = json!({ "operationId": "w1", "to": "sip:dave@contoso.test" }).to_string();
        let (status, _, _) = client.post("application/json", &body).await;
        assert_eq!(status, 201);
        let invitation = format!("{}/1", client.start);
        let (_, invitation) = client.get(&invitation).await;
        let conversation = client.absolute(&invitation["_links"]["conversation"]["href"]);
        let (_, messaging) = client.get(&format!("{conversation}/messaging")).await;
        assert_eq!(messaging["state"], "Connecting");
        assert!(messaging["_links"]["sendMessage"].is_null(), "{messaging}");
        let sent = client
            .http
            .post(format!("{conversation}/messaging/messages"))
            .bearer_auth(&client.token)
            .header("content-type", "text/plain")
            .body("too early")
            .send()
            .await
            .expect("POST");
        assert_eq!(sent.status(), 409);
        let stop = client.absolute(&messaging["_links"]["stopMessaging"]["href"]);
        let stopped = client
            .http
            .post(&stop)
            .bearer_auth(&client.token)
            .send()
            .await
            .expect("POST");
        assert_eq!(stopped.status(), 204);
        assert_eq!(client.get(&conversation).await.0, 404, "the conversation ended");
        let (_, invitation) = client.get(&format!("{}/1", client.start)).await;
        assert_eq!(
            invitation["state"], "Cancelled",
            "stopping a waiting invitation cancels it"
        );
    });
}

/// POSTs `body` as a batch with `boundary`; answers the status, Content-Type and body.
async fn post_batch(client: &Client, boundary: &str, body: String) -> (u16, String, String) {
    let response = client
        .http
        .post(format!("{}/batch", client.application))
        .bearer_auth(&client.token)
        .header("content-type", format!("multipart/batching;boundary={boundary}"))
        .header("accept", "multipart/batching")
        .body(body)
        .send()
        .await
        .expect("batch");
    let status = response.status().as_u16();
    let kind = response.headers()["content-type"].to_str().expect("ascii").to_string();
    (status, kind, response.text().await.expect("body"))
}

/// One part of a batch answer as Microsoft's UCWA samples read it (`Mime.js`): the part split
/// on CRLF; the first line naming a Content-Type other than the part's own `application/http`
/// sets the body's type; a `HTTP/1.1` line gives the status; every non-empty line after the
/// body's Content-Type is the whole body, parsed as JSON when the type names json (a parse that
/// fails is the sample's failure). Reimplemented here from that behaviour.
#[derive(Debug, Default)]
struct MimeJsPart {
    status: Option<String>,
    body: String,
    json: Option<serde_json::Value>,
}

fn read_as_mime_js(content_type: &str, body: &str) -> Result<Vec<MimeJsPart>, String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
        .ok_or("no boundary")?;
    let mut parts = Vec::new();
    for chunk in body.split(&format!("--{boundary}")) {
        let chunk = chunk.trim();
        if chunk.is_empty() || chunk == "--" {
            continue;
        }
        let mut part = MimeJsPart::default();
        let mut body_type: Option<String> = None;
        for line in chunk.split("\r\n") {
            if body_type.is_none() && line.contains("Content-Type") {
                if !line.contains("http; msgtype=response") {
                    body_type = Some(if line.contains("json") {
                        "json".into()
                    } else {
                        line.to_string()
                    });
                }
            } else if line.contains("HTTP/1.1") {
                part.status = line.split(' ').nth(1).map(str::to_string);
            } else if body_type.is_some() && !line.trim().is_empty() {
                part.body = line.to_string();
                if body_type.as_deref() == Some("json") {
                    part.json = Some(
                        serde_json::from_str(line.trim()).map_err(|e| format!("JSON.parse({line:?}) fails: {e}"))?,
                    );
                }
            }
        }
        parts.push(part);
    }
    Ok(parts)
}

/// Microsoft's UCWA samples fill their contact list from a batch: every part must read whole
/// when each line after its Content-Type is taken as the body (I-29).
#[test]
fn a_batch_answer_reads_as_microsofts_samples_read_it() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let path = client.application.trim_start_matches(&client.origin).to_string();
        let part = |target: &str, accept: &str| {
            format!(
                "--b1\r\nContent-Type: application/http; msgtype=request\r\n\r\nGET {target} HTTP/1.1\r\nAccept: {accept}\r\n\r\n"
            )
        };
        let body = format!(
            "{}{}{}{}--b1--\r\n",
            part(&format!("{path}/people/contacts"), "application/json"),
            part(&format!("{path}/me"), "application/json"),
            part(&format!("{path}/me"), "application/xml"),
            part(&format!("{path}/communication/conversations/99"), "application/json"),
        );
        let (status, kind, text) = post_batch(&client, "b1", body).await;
        assert_eq!(status, 200, "{text}");
        let parts = read_as_mime_js(&kind, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(parts.len(), 4, "{parts:?}");
        let rel = |p: &MimeJsPart| p.json.as_ref().and_then(|j| j["rel"].as_str().map(str::to_string));
        assert_eq!(parts[0].status.as_deref(), Some("200"));
        assert_eq!(rel(&parts[0]).as_deref(), Some("myContacts"), "{parts:?}");
        assert_eq!(rel(&parts[1]).as_deref(), Some("me"), "{parts:?}");
        let xml = roxmltree::Document::parse(&parts[2].body).unwrap_or_else(|e| panic!("{e}: {}", parts[2].body));
        assert_eq!(xml.root_element().attribute("rel"), Some("me"));
        assert_eq!(parts[3].status.as_deref(), Some("404"));
        assert_eq!(
            parts[3].json.as_ref().map(|j| j["code"].clone()),
            Some(serde_json::json!("NotFound"))
        );
        for part in text.split("msgtype=response").skip(1) {
            let head = part.split("\r\n\r\n").nth(1).unwrap_or("");
            assert!(
                head.lines().last().is_some_and(|l| l.starts_with("Content-Type:")),
                "Content-Type is the part's last header: {head:?}"
            );
        }
    });
}

#[test]
fn batch_answers_each_part_as_it_would_alone() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let (_, app) = client.get(&client.application).await;
        assert!(
            app["_links"]["batch"]["href"].is_string(),
            "the application advertises batch"
        );
        assert!(app["_embedded"]["onlineMeetings"]["_links"]["myOnlineMeetings"]["href"].is_string());
        let path = client.application.trim_start_matches(&client.origin).to_string();
        let part = |target: &str, accept: &str| {
            format!(
                "--b1\nContent-Type: application/http; msgtype=request\n\nGET {target} HTTP/1.1\nHost: x\nAccept: {accept}\n\n"
            )
        };
        let body = format!(
            "{}{}{}{}--b1--\n",
            part(&format!("{path}/people/contacts"), "application/json"),
            part(&format!("{path}/me"), "application/xml"),
            part(&format!("{path}/communication/conversations/99"), "application/json"),
            part(&format!("{path}/events?ack=1"), "application/json"),
        );
        let (status, kind, text) = post_batch(&client, "b1", body).await;
        assert_eq!(status, 200, "{text}");
        assert!(kind.starts_with("multipart/batching; boundary="), "{kind}");
        let boundary = kind.split('"').nth(1).expect("a quoted boundary");
        let parts: Vec<&str> = text
            .split(&format!("--{boundary}"))
            .filter(|p| p.contains("msgtype=response"))
            .collect();
        assert_eq!(parts.len(), 4, "{text}");
        assert!(
            parts[0].contains("HTTP/1.1 200 OK") && parts[0].contains("\"rel\":\"myContacts\""),
            "{}",
            parts[0]
        );
        assert!(
            parts[1].contains("HTTP/1.1 200 OK") && parts[1].contains("<resource rel=\"me\""),
            "{}",
            parts[1]
        );
        assert!(
            parts[2].contains("HTTP/1.1 404") && parts[2].contains("NotFound"),
            "{}",
            parts[2]
        );
        assert!(
            parts[3].contains("HTTP/1.1 400") && parts[3].contains("ParameterValidationFailure"),
            "events are not batched: {}",
            parts[3]
        );

        let (status, _, text) = post_batch(&client, "b1", "not a batch".into()).await;
        assert_eq!(status, 400, "{text}");
        assert_eq!(error_of("json", &text).1.as_deref(), Some("DeserializationFailure"));
        let many: String = (0..101)
            .map(|_| part(&format!("{path}/me"), "application/json"))
            .collect();
        let (status, _, text) = post_batch(&client, "b1", format!("{many}--b1--\n")).await;
        assert_eq!(status, 429, "{text}");
        let unauthorized = client
            .http
            .post(format!("{}/batch", client.application))
            .header("content-type", "multipart/batching;boundary=b1")
            .body("--b1--\n")
            .send()
            .await
            .expect("batch");
        assert_eq!(unauthorized.status(), 401);
    });
}

#[test]
fn answers_are_gzipped_when_the_request_accepts_it() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let get = |encoding: &'static str| {
            client
                .http
                .get(&client.application)
                .bearer_auth(&client.token)
                .header("accept", "application/json")
                .header("accept-encoding", encoding)
                .send()
        };
        let zipped = get("gzip, deflate").await.expect("get");
        assert_eq!(zipped.headers()["content-encoding"], "gzip");
        let bytes = zipped.bytes().await.expect("body");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text).expect("gzip");
        let app: Value = serde_json::from_str(&text).expect("JSON inside");
        assert_eq!(app["rel"], "application");
        let plain = get("identity").await.expect("get");
        assert!(plain.headers().get("content-encoding").is_none());
        let refused = get("gzip;q=0").await.expect("get");
        assert!(refused.headers().get("content-encoding").is_none());
    });
}

#[test]
fn the_same_application_fields_are_one_application_with_a_channel_per_instance() {
    block_on(async {
        let client = Client::with_config(Config::default()).await;
        let apps = client.application.rsplit_once('/').expect("an id").0.to_string();
        let create = |body: Value| {
            client
                .http
                .post(&apps)
                .bearer_auth(&client.token)
                .header("accept", "application/json")
                .json(&body)
                .send()
        };
        let tab = |instance: Option<&str>| {
            let mut body = json!({ "culture": "en-us", "endpointId": "123", "type": "Browser", "userAgent": "foo" });
            if let Some(i) = instance {
                body["instanceId"] = json!(i);
            }
            body
        };
        let first = create(tab(None)).await.expect("post");
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.expect("json");
        let again = create(tab(None)).await.expect("post");
        assert_eq!(again.status(), 200, "the same application again");
        let again: Value = again.json().await.expect("json");
        assert_eq!(again["_links"]["self"], first["_links"]["self"]);
        let tab_a = create(tab(Some("abc"))).await.expect("post");
        assert_eq!(tab_a.status(), 201, "a new instance");
        let tab_a: Value = tab_a.json().await.expect("json");
        assert_eq!(tab_a["_links"]["self"], first["_links"]["self"]);
        let events = tab_a["_links"]["events"]["href"].as_str().expect("events");
        assert!(events.ends_with("ack=1&instanceId=abc"), "{events}");
        assert_eq!(create(tab(Some("abc"))).await.expect("post").status(), 200);
        let tab_b = create(tab(Some("def"))).await.expect("post");
        assert_eq!(tab_b.status(), 201);
        // Deleting one instance of several leaves the application.
        let href = format!(
            "{}{}",
            client.origin,
            first["_links"]["self"]["href"].as_str().expect("self")
        );
        let deleted = client
            .http
            .delete(format!("{href}?instanceId=abc"))
            .bearer_auth(&client.token)
            .send()
            .await
            .expect("delete");
        assert_eq!(deleted.status(), 204);
        let (status, _) = client.get(&href).await;
        assert_eq!(status, 200, "the other instances keep it");
    });
}
