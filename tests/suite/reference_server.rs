//! The reference server itself, driven with a bare HTTP client (not the harness): discovery and
//! auth as real pools answer, and every status and subcode it implements, in JSON and in XML.

use crate::selftest::block_on;
use rstest::rstest;
use serde_json::{Value, json};
use ucwa_conformance::reference::{self, Config};

const NS: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

/// A signed-in client of a fresh reference server, with its application's links.
pub struct Client {
    pub http: reqwest::Client,
    pub origin: String,
    pub token: String,
    pub start: String,
    pub events: String,
    pub application: String,
    faults: String,
    _server: reference::Running,
}

impl Client {
    async fn new() -> Self {
        Self::with_config(Config::default()).await
    }

    /// Walks discovery, sign-in and application creation on a fresh server.
    pub async fn with_config(config: Config) -> Self {
        let server = reference::spawn(config, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("listens");
        ucwa_conformance::client::install_crypto_provider();
        let http = reqwest::Client::new();
        let origin = format!("http://{}", server.addr);
        let root: Value = http
            .get(server.base_url())
            .send()
            .await
            .expect("root")
            .json()
            .await
            .expect("json");
        let user_href = root["_links"]["user"]["href"].as_str().expect("user link").to_string();
        let unauthorized = http.get(&user_href).send().await.expect("user");
        assert_eq!(unauthorized.status(), 401);
        assert_eq!(unauthorized.headers()["content-type"], "text/html");
        let challenges: Vec<String> = unauthorized
            .headers()
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().expect("ascii").to_string())
            .collect();
        assert!(challenges.iter().any(|c| c.starts_with("Bearer")), "{challenges:?}");
        let oauth = challenges
            .iter()
            .find(|c| c.starts_with("MsRtcOAuth"))
            .expect("MsRtcOAuth challenge");
        let token_href = oauth.split('"').nth(1).expect("href").to_string();
        let granted: Value = http
            .post(&token_href)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=password&username=alice%40contoso.test&password=alice-password")
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        assert_eq!(granted["token_type"], "Bearer");
        let token = granted["access_token"].as_str().expect("token").to_string();
        let user: Value = http
            .get(&user_href)
            .bearer_auth(&token)
            .send()
            .await
            .expect("user")
            .json()
            .await
            .expect("json");
        let apps = user["_links"]["applications"]["href"]
            .as_str()
            .expect("applications")
            .to_string();
        let created = http
            .post(&apps)
            .bearer_auth(&token)
            .json(&json!({ "UserAgent": "test", "EndpointId": "e1", "Culture": "en-US" }))
            .send()
            .await
            .expect("application");
        assert_eq!(created.status(), 201);
        let app: Value = created.json().await.expect("json");
        let link = |v: &Value| v["href"].as_str().map(|h| format!("{origin}{h}")).expect("a link");
        Self {
            start: link(&app["_embedded"]["communication"]["_links"]["startMessaging"]),
            events: link(&app["_links"]["events"]),
            application: link(&app["_links"]["self"]),
            faults: server.faults_url(),
            http,
            origin,
            token,
            _server: server,
        }
    }

    /// POSTs to startMessaging; answers (status, Content-Type, body).
    pub async fn post(&self, content_type: &str, body: &str) -> (u16, String, String) {
        let accept = if content_type.contains("xml") {
            "application/xml"
        } else {
            "application/json"
        };
        let response = self
            .http
            .post(&self.start)
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .header("accept", accept)
            .body(body.to_string())
            .send()
            .await
            .expect("post");
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or("").to_string())
            .unwrap_or_default();
        (status, kind, response.text().await.expect("body"))
    }
}

fn json_body(fields: &[(&str, String)]) -> String {
    let map: serde_json::Map<String, Value> = fields.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    Value::Object(map).to_string()
}

fn xml_body(fields: &[(&str, String)]) -> String {
    let props: String = fields
        .iter()
        .map(|(k, v)| format!("<property name=\"{k}\">{v}</property>"))
        .collect();
    format!("<input xmlns=\"{NS}\">{props}</input>")
}

/// (code, subcode) of an error body in either representation.
pub fn error_of(kind: &str, body: &str) -> (String, Option<String>) {
    if kind.contains("json") {
        let v: Value = serde_json::from_str(body).expect("JSON error");
        (
            v["code"].as_str().unwrap_or("").to_string(),
            v["subcode"].as_str().map(str::to_string),
        )
    } else {
        let doc = roxmltree::Document::parse(body).expect("XML error");
        let root = doc.root_element();
        assert!(root.has_tag_name((NS, "reason")), "{body}");
        let child = |n: &str| {
            root.children()
                .find(|c| c.has_tag_name((NS, n)))
                .and_then(|c| c.text())
                .map(str::to_string)
        };
        (child("code").unwrap_or_default(), child("subcode"))
    }
}

const PEER: &str = "sip:bob@contoso.test";

#[rstest]
#[case::missing_operation_id(vec![("to", PEER.into())], 400, "BadRequest", Some("ParameterValidationFailure"))]
#[case::missing_to(vec![("operationId", "op-1".into())], 400, "BadRequest", Some("ParameterValidationFailure"))]
#[case::operation_id_too_long(vec![("operationId", "x".repeat(51)), ("to", PEER.into())], 400, "BadRequest", Some("ParameterValidationFailure"))]
#[case::subject_too_long(vec![("operationId", "op-1".into()), ("to", PEER.into()), ("subject", "s".repeat(251))], 400, "BadRequest", Some("ParameterValidationFailure"))]
#[case::thread_id_too_long(vec![("operationId", "op-1".into()), ("to", PEER.into()), ("threadId", "t".repeat(251))], 400, "BadRequest", Some("ParameterValidationFailure"))]
#[case::bad_importance(vec![("operationId", "op-1".into()), ("to", PEER.into()), ("importance", "High".into())], 400, "BadRequest", Some("ParameterValidationFailure"))]
#[case::not_a_sip_uri(vec![("operationId", "op-1".into()), ("to", "bob@contoso.test".into())], 400, "BadRequest", Some("ParameterValidationFailure"))]
fn validation_errors_in_both_representations(
    #[case] fields: Vec<(&str, String)>,
    #[case] status: u16,
    #[case] code: &str,
    #[case] subcode: Option<&str>,
) {
    block_on(async {
        let client = Client::new().await;
        for (content_type, body) in [
            ("application/json", json_body(&fields)),
            ("application/xml", xml_body(&fields)),
        ] {
            let (got, kind, text) = client.post(content_type, &body).await;
            assert_eq!(got, status, "{content_type}: {text}");
            assert!(
                kind.contains(if content_type.contains("xml") { "xml" } else { "json" }),
                "{kind}"
            );
            assert_eq!(
                error_of(&kind, &text),
                (code.to_string(), subcode.map(str::to_string)),
                "{content_type}"
            );
        }
    });
}

#[rstest]
#[case::too_many_groups("TooManyGroups", 409, "Conflict", Some("TooManyGroups"))]
#[case::unsupported("Unsupported", 409, "Conflict", None)]
#[case::cannot_redirect("CannotRedirect", 410, "Gone", Some("CannotRedirect"))]
#[case::callback_channel_error("CallbackChannelError", 500, "ServiceFailure", Some("CallbackChannelError"))]
fn armed_faults_answer_their_documented_error_once(
    #[case] fault: &str,
    #[case] status: u16,
    #[case] code: &str,
    #[case] subcode: Option<&str>,
) {
    block_on(async {
        let client = Client::new().await;
        for (n, content_type) in ["application/json", "application/vnd.microsoft.com.ucwa+xml"]
            .into_iter()
            .enumerate()
        {
            let op = format!("fault-{n}");
            let armed = client
                .http
                .post(&client.faults)
                .bearer_auth(&client.token)
                .json(&json!({ "operationId": op, "fault": fault }))
                .send()
                .await
                .expect("arm");
            assert_eq!(armed.status(), 204);
            let fields = [("operationId", op.clone()), ("to", PEER.to_string())];
            let body = if content_type.contains("xml") {
                xml_body(&fields)
            } else {
                json_body(&fields)
            };
            let (got, kind, text) = client.post(content_type, &body).await;
            assert_eq!(got, status, "{text}");
            assert_eq!(error_of(&kind, &text), (code.to_string(), subcode.map(str::to_string)));
            let (again, _, _) = client.post(content_type, &body).await;
            assert_eq!(again, 201, "a fault answers once");
        }
    });
}

#[test]
fn a_started_invitation_is_created_and_readable_at_its_location() {
    block_on(async {
        let client = Client::new().await;
        let body = r#"{"operationId":"op-9","to":"sip:bob@contoso.test","_links":{"message":{"href":"data:text/plain,Hi+there"}}}"#;
        let response = client
            .http
            .post(&client.start)
            .bearer_auth(&client.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 201);
        let location = response.headers()["location"].to_str().expect("ascii").to_string();
        assert!(response.text().await.expect("body").is_empty());
        let invitation: Value = client
            .http
            .get(format!("{}{location}", client.origin))
            .bearer_auth(&client.token)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert_eq!(invitation["rel"], "messagingInvitation");
        assert_eq!(invitation["direction"], "Outgoing");
        assert_eq!(invitation["operationId"], "op-9");
        assert_eq!(invitation["state"], "Connecting");
        assert_eq!(
            invitation["threadId"].as_str().map(str::len),
            Some(32),
            "a threadId is assigned"
        );
        assert_eq!(invitation["_links"]["message"]["href"], "data:text/plain,Hi+there");
        let (dup, kind, text) = client
            .post(
                "application/json",
                r#"{"operationId":"op-9","to":"sip:bob@contoso.test"}"#,
            )
            .await;
        assert_eq!(dup, 409);
        assert_eq!(
            error_of(&kind, &text),
            ("Conflict".into(), Some("AlreadyExists".into()))
        );
    });
}

#[rstest]
#[case::unsupported_media_type("text/plain", "hello", 415, "UnsupportedMediaType")]
#[case::malformed_json("application/json", "{\"to\":", 400, "BadRequest")]
#[case::malformed_xml(
    "application/xml",
    "<input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\">",
    400,
    "BadRequest"
)]
#[case::too_large("application/json", &format!("{{\"subject\":\"{}\"}}", "x".repeat(100_000)), 413, "EntityTooLarge")]
fn generic_errors_in_both_representations(
    #[case] content_type: &str,
    #[case] body: &str,
    #[case] status: u16,
    #[case] code: &str,
    #[values("application/json", "application/xml")] accept: &str,
) {
    block_on(async {
        let client = Client::new().await;
        let response = client
            .http
            .post(&client.start)
            .bearer_auth(&client.token)
            .header("content-type", content_type)
            .header("accept", accept)
            .body(body.to_string())
            .send()
            .await
            .expect("post");
        assert_eq!(response.status().as_u16(), status);
        let kind = response.headers()["content-type"].to_str().expect("ascii").to_string();
        // An error about a body comes in the body's representation; otherwise Accept's (I-09).
        let expected = match content_type {
            t if t.contains("xml") => "xml",
            t if t.contains("json") => "json",
            _ if accept.contains("xml") => "xml",
            _ => "json",
        };
        assert!(kind.contains(expected), "{kind} for {content_type} / {accept}");
        assert_eq!(error_of(&kind, &response.text().await.expect("body")).0, code);
    });
}

#[rstest]
fn wrong_methods_unknown_applications_and_missing_tokens(
    #[values("application/json", "application/xml")] accept: &str,
) {
    block_on(async {
        let client = Client::new().await;
        let send = |request: reqwest::RequestBuilder| async move {
            let response = request.header("accept", accept).send().await.expect("answer");
            let status = response.status().as_u16();
            let kind = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            (status, kind.clone(), response.text().await.expect("body"))
        };
        let (status, kind, body) = send(client.http.put(&client.start).bearer_auth(&client.token)).await;
        assert_eq!(status, 405);
        assert!(
            kind.contains(if accept.contains("xml") { "xml" } else { "json" }),
            "{kind}"
        );
        assert_eq!(error_of(&kind, &body), ("MethodNotAllowed".into(), None));
        let other_app = client.start.replace("/applications/101/", "/applications/999/");
        let (status, kind, body) = send(client.http.post(&other_app).bearer_auth(&client.token)).await;
        assert_eq!(status, 404);
        assert_eq!(
            error_of(&kind, &body),
            ("NotFound".into(), Some("ApplicationNotFound".into()))
        );
        let (status, kind, _) = send(client.http.post(&client.start)).await;
        assert_eq!((status, kind.as_str()), (401, "text/html"));
        let (status, _, _) = send(client.http.post(&client.start).bearer_auth("cwt=forged")).await;
        assert_eq!(status, 401);

        // Methods are routed; every other method (HEAD too) is the UCWA 405 once the caller and
        // the application check out, and those are answered first.
        let application = client
            .start
            .split("/communication/")
            .next()
            .expect("the application")
            .to_string();
        for (method, href) in [
            (reqwest::Method::HEAD, format!("{application}/me")),
            (reqwest::Method::PUT, format!("{application}/events")),
            (reqwest::Method::POST, application.clone()),
            (reqwest::Method::GET, format!("{application}/me/makeMeAvailable")),
        ] {
            let (status, kind, body) =
                send(client.http.request(method.clone(), &href).bearer_auth(&client.token)).await;
            assert_eq!(status, 405, "{method} {href}");
            if method != reqwest::Method::HEAD {
                assert_eq!(
                    error_of(&kind, &body),
                    ("MethodNotAllowed".into(), None),
                    "{method} {href}"
                );
            }
            let (status, _, _) = send(client.http.request(method.clone(), &href)).await;
            assert_eq!(status, 401, "{method} {href} without a token");
            let elsewhere = href.replace("/applications/101", "/applications/999");
            let (status, _, _) = send(
                client
                    .http
                    .request(method.clone(), &elsewhere)
                    .bearer_auth(&client.token),
            )
            .await;
            assert_eq!(status, 404, "{method} {elsewhere}");
        }
        // Before makeMeAvailable, a part of me answers 409 whatever the method; after, 405.
        let presence = format!("{application}/me/presence");
        let (status, _, body) = send(client.http.delete(&presence).bearer_auth(&client.token)).await;
        assert_eq!(status, 409, "{body}");
    });
}

#[test]
fn a_wrong_password_gets_invalid_grant() {
    block_on(async {
        let client = Client::new().await;
        let response = client
            .http
            .post(format!("{}/WebTicket/oauthtoken", client.origin))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=password&username=alice%40contoso.test&password=nope")
            .send()
            .await
            .expect("token");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], "invalid_grant");
    });
}

#[test]
fn the_anonymous_flow_gets_403_for_any_target_but_the_provisioned_one() {
    block_on(async {
        let client = Client::new().await;
        let issued: Value = client
            .http
            .post(format!(
                "{}/platformService/v1/anonApplicationTokens?endpointId=sip:helpdesk@contoso.test",
                client.origin
            ))
            .bearer_auth(&client.token)
            .json(&json!({ "applicationSessionId": "s1", "allowedOrigins": "https://contoso.test" }))
            .send()
            .await
            .expect("anonymous token")
            .json()
            .await
            .expect("json");
        let psat = issued["token"].as_str().expect("token").to_string();
        assert!(psat.starts_with("psat="), "{issued}");
        let discover = issued["_links"]["ms:rtc:saas:discover"]["href"]
            .as_str()
            .expect("discover link");
        let found: Value = client
            .http
            .get(discover)
            .bearer_auth(&psat)
            .send()
            .await
            .expect("discover")
            .json()
            .await
            .expect("json");
        let anon_apps = found["_links"]["anonApplications"]["href"]
            .as_str()
            .expect("anonApplications")
            .to_string();
        assert!(anon_apps.contains("/ucwa/psanon/"), "{anon_apps}");
        let refused = client
            .http
            .post(&anon_apps)
            .bearer_auth(&client.token)
            .json(&json!({ "UserAgent": "x", "Culture": "en-US" }))
            .send()
            .await
            .expect("post");
        assert_eq!(
            refused.status(),
            403,
            "a signed-in user's token is not an anonymous token"
        );
        let app: Value = client
            .http
            .post(&anon_apps)
            .bearer_auth(&psat)
            .json(&json!({ "AnonymousDisplayName": "Guest", "UserAgent": "x", "Culture": "en-US" }))
            .send()
            .await
            .expect("anonymous application")
            .json()
            .await
            .expect("json");
        let start = app["_embedded"]["communication"]["_links"]["startMessaging"]["href"]
            .as_str()
            .expect("link");
        assert!(start.starts_with("/ucwa/psanon/v1/applications/"), "{start}");
        let start = format!("{}{start}", client.origin);
        for (content_type, body) in [
            (
                "application/json",
                json_body(&[("operationId", "a1".into()), ("to", PEER.into())]),
            ),
            (
                "application/xml",
                xml_body(&[("operationId", "a2".into()), ("to", PEER.into())]),
            ),
        ] {
            let response = client
                .http
                .post(&start)
                .bearer_auth(&psat)
                .header("content-type", content_type)
                .header("accept", content_type)
                .body(body)
                .send()
                .await
                .expect("post");
            assert_eq!(response.status(), 403);
            let kind = response.headers()["content-type"].to_str().expect("ascii").to_string();
            assert_eq!(
                error_of(&kind, &response.text().await.expect("body")),
                ("Forbidden".into(), None)
            );
        }
        let allowed = client
            .http
            .post(&start)
            .bearer_auth(&psat)
            .header("content-type", "application/json")
            .body(r#"{"operationId":"a3","to":"sip:helpdesk@contoso.test"}"#)
            .send()
            .await
            .expect("post");
        assert_eq!(allowed.status(), 201);
    });
}
