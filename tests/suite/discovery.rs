//! Discovery follows links only: namespaced rels, absolute and relative hrefs, server-added
//! query parameters kept, the password grant from the 401 challenge, and clear failures.

use crate::selftest::block_on;
use crate::support::*;
use ucwa_conformance::case::{Identity, Media};
use ucwa_conformance::judge::verdict::Outcome;
use ucwa_conformance::oracle::embedded;
use ucwa_conformance::reference::Config;
use ucwa_conformance::under_test::Credentials;
use ucwa_conformance::under_test::secret::Secret;
use wiremock::ResponseTemplate;

const CREATED: &str = r#"
id = "t.created"
title = "201"
spec = ["post.created"]
severity = "must"
[[step]]
method = "POST"
rel = "ms:rtc:saas:startMessaging"
body = { operationId = "{{operation_id}}", to = "{{peer}}" }
expect.status = 201
"#;

#[test]
fn namespaced_rels_and_server_added_query_parameters_are_followed() {
    for link in [StartLink::Plain, StartLink::Namespaced] {
        let (result, requests) = block_on(async {
            let server = ucwa_mock(link).await;
            answer_start(
                &server,
                ResponseTemplate::new(201).insert_header("Location", INVITATION_PATH),
            )
            .await;
            let result = run_inline(&server, CREATED, Media::Json).await;
            (result, server.received_requests().await.unwrap_or_default())
        });
        assert_eq!(result.outcome, Outcome::Pass, "{}", result.explain());
        let post = requests
            .iter()
            .find(|r| r.url.path() == START_PATH)
            .expect("the startMessaging POST reached the mock");
        assert_eq!(post.url.query(), Some("endpointId=sip:me@mock.test"));
        let auth = post.headers.get("authorization").and_then(|v| v.to_str().ok());
        assert_eq!(auth, Some(format!("Bearer {TOKEN}").as_str()));
    }
}

#[test]
fn the_password_grant_follows_the_msrtcoauth_challenge() {
    let sessions = block_on(async {
        let server = embedded::start(Config::default()).await.expect("reference starts");
        runner(server.target).await.map(|r| r.applications().clone())
    })
    .expect("discovery with the password grant");
    assert_eq!(
        sessions.len(),
        4,
        "one application per identity (user, anonymous) and media type"
    );
    for ((identity, _), session) in &sessions {
        let prefix = if *identity == Identity::User { "cwt=" } else { "psat=" };
        assert!(session.token.as_ref().is_some_and(|t| t.expose().starts_with(prefix)));
        assert!(
            session.links["startMessaging"]
                .path()
                .ends_with("/messagingInvitations")
        );
        assert!(session.links.contains_key("events"));
    }
    let user = |media| &sessions[&(Identity::User, media)];
    assert_ne!(user(Media::Json).application, user(Media::Xml).application);
    let anonymous = &sessions[&(Identity::Anonymous, Media::Json)];
    assert!(
        anonymous.application.path().starts_with("/ucwa/psanon/"),
        "{}",
        anonymous.application
    );
    assert!(
        anonymous
            .token
            .as_ref()
            .is_some_and(|t| t.expose().starts_with("psat="))
    );
}

#[test]
fn a_wrong_password_is_a_clear_discovery_error() {
    let error = block_on(async {
        let mut server = embedded::start(Config::default()).await.expect("reference starts");
        server.target.credentials = Credentials::Password {
            username: "alice@contoso.test".into(),
            password: Secret::new("wrong"),
        };
        runner(server.target).await.map(|_| ())
    })
    .expect_err("sign-in must fail");
    let text = error.to_string();
    assert!(text.contains("invalid_grant"), "{text}");
    assert!(!text.contains("wrong"), "the password leaked: {text}");
}

#[test]
fn an_unreachable_target_is_a_discovery_error() {
    let error = block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        let mut target = mock_target(&server);
        target.base_url = "http://127.0.0.1:9/autodiscover/root".parse().expect("url");
        runner(target).await.map(|_| ())
    })
    .expect_err("nothing listens on port 9");
    assert!(
        error.to_string().contains("GET http://127.0.0.1:9/autodiscover/root"),
        "{error}"
    );
}
