//! The harness judges right: against wiremock servers, a conformant answer passes and each
//! wrong answer fails with a message that names the difference.

use crate::support::*;
use rstest::rstest;
use ucwa_conformance::case::Media;
use ucwa_conformance::judge::verdict::Outcome;
use wiremock::ResponseTemplate;

const CREATED: &str = r#"
id = "t.created"
title = "201 with Location"
spec = ["post.created"]
severity = "must"
[[step]]
method = "POST"
rel = "startMessaging"
body = { operationId = "{{operation_id}}", to = "{{peer}}" }
expect.status = 201
expect.headers.Location = { present = true }
"#;
const TOO_MANY_GROUPS: &str = r#"
id = "t.groups"
title = "409 TooManyGroups"
spec = ["error.409.too-many-groups"]
severity = "must"
[[step]]
method = "POST"
rel = "startMessaging"
fault = "TooManyGroups"
body = { operationId = "{{operation_id}}", to = "{{peer}}" }
expect.status = 409
expect.code = "Conflict"
expect.subcode = "TooManyGroups"
"#;

const LOCATION: &str = r#"
id = "t.location"
title = "Location is a messagingInvitation"
spec = ["post.location"]
severity = "must"
[[step]]
method = "POST"
rel = "startMessaging"
body = { operationId = "{{operation_id}}", to = "{{peer}}" }
expect.status = 201
capture.invitation = { header = "Location" }
[[step]]
method = "GET"
href = "{{capture:invitation}}"
expect.status = 200
expect.resource = { rel = "messagingInvitation" }
"#;

fn created() -> ResponseTemplate {
    ResponseTemplate::new(201).insert_header("Location", INVITATION_PATH)
}

fn invitation(rel: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "rel": rel, "direction": "Outgoing", "_links": { "self": { "href": INVITATION_PATH } }
    }))
}

#[rstest]
#[case::conformant_created(CREATED, Media::Json, created(), &[])]
#[case::conformant_error_json(MISSING_OPERATION_ID, Media::Json, json_error(400, "BadRequest", Some("ParameterValidationFailure")), &[])]
#[case::conformant_error_xml(MISSING_OPERATION_ID, Media::Xml, xml_error(400, "BadRequest", Some("ParameterValidationFailure")), &[])]
#[case::conformant_vnd_content_type(MISSING_OPERATION_ID, Media::Json,
    ResponseTemplate::new(400).set_body_raw(r#"{"code":"BadRequest","subcode":"ParameterValidationFailure"}"#, "application/vnd.microsoft.com.ucwa+json; charset=utf-8"), &[])]
#[case::conformant_no_subcode(NO_SUBCODE, Media::Json, json_error(409, "Conflict", None), &[])]
fn a_conformant_answer_passes(
    #[case] text: &str,
    #[case] media: Media,
    #[case] answer: ResponseTemplate,
    #[case] _nothing: &[&str],
) {
    let result = block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start(&server, answer).await;
        run_inline(&server, text, media).await
    });
    assert_eq!(result.outcome, Outcome::Pass, "{}", result.explain());
}

#[rstest]
#[case::wrong_status(CREATED, Media::Json, ResponseTemplate::new(200).insert_header("Location", "/x"),
    &["status", "expected: 201", "actual:   200"])]
#[case::missing_location(CREATED, Media::Json, ResponseTemplate::new(201),
    &["header Location", "expected: present", "actual:   absent"])]
#[case::missing_subcode(MISSING_OPERATION_ID, Media::Json, json_error(400, "BadRequest", None),
    &["subcode", "expected: ParameterValidationFailure", "actual:   (none)"])]
#[case::wrong_subcode(TOO_MANY_GROUPS, Media::Xml, xml_error(409, "Conflict", Some("AlreadyExists")),
    &["subcode", "expected: TooManyGroups", "actual:   AlreadyExists"])]
#[case::subcode_in_wrong_case(TOO_MANY_GROUPS, Media::Json, json_error(409, "Conflict", Some("toomanygroups")),
    &["subcode", "actual:   toomanygroups"])]
#[case::subcode_where_none_is_due(NO_SUBCODE, Media::Json, json_error(409, "Conflict", Some("AlreadyExists")),
    &["subcode", "expected: (none)", "actual:   AlreadyExists"])]
#[case::wrong_code(MISSING_OPERATION_ID, Media::Json, json_error(400, "Conflict", Some("ParameterValidationFailure")),
    &["code", "expected: BadRequest", "actual:   Conflict"])]
#[case::xml_error_for_a_json_request(MISSING_OPERATION_ID, Media::Json, xml_error(400, "BadRequest", Some("ParameterValidationFailure")),
    &["error Content-Type", "json (the request's representation)", "other representation"])]
#[case::intermediary_html_page(MISSING_OPERATION_ID, Media::Xml,
    ResponseTemplate::new(400).set_body_raw("<html><body>Bad gateway</body></html>", "text/html"),
    &["error Content-Type", "text/html", "not a UCWA error"])]
#[case::malformed_error_body(MISSING_OPERATION_ID, Media::Json,
    ResponseTemplate::new(400).set_body_raw(r#"{"code": "BadReq"#, "application/json"),
    &["error body", "malformed JSON"])]
#[case::xml_error_in_wrong_namespace(MISSING_OPERATION_ID, Media::Xml,
    ResponseTemplate::new(400).set_body_raw(r#"<reason xmlns="urn:wrong"><code>BadRequest</code></reason>"#, "application/xml"),
    &["error body", "namespace `urn:wrong`"])]
fn a_wrong_answer_fails_and_names_the_difference(
    #[case] text: &str,
    #[case] media: Media,
    #[case] answer: ResponseTemplate,
    #[case] words: &[&str],
) {
    let result = block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start(&server, answer).await;
        run_inline(&server, text, media).await
    });
    assert_eq!(result.outcome, Outcome::Fail, "{}", result.explain());
    let message = result.explain();
    for word in words {
        assert!(message.contains(word), "missing `{word}` in:\n{message}");
    }
}

#[rstest]
#[case::location_is_an_invitation("messagingInvitation", Outcome::Pass)]
#[case::location_is_another_resource("conversation", Outcome::Fail)]
fn the_location_must_name_a_messaging_invitation(#[case] rel: &str, #[case] expected: Outcome) {
    let result = block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start(&server, created()).await;
        answer_invitation(&server, invitation(rel)).await;
        run_inline(&server, LOCATION, Media::Json).await
    });
    assert_eq!(result.outcome, expected, "{}", result.explain());
    if expected == Outcome::Fail {
        assert!(result.explain().contains("resource rel"), "{}", result.explain());
        assert!(
            result.explain().contains("actual:   conversation"),
            "{}",
            result.explain()
        );
        assert_eq!(result.failed_step, Some(2));
    }
}

#[test]
fn a_missing_start_messaging_link_fails_the_case_and_says_so() {
    let result = block_on(async {
        let server = ucwa_mock(StartLink::Missing).await;
        run_inline(&server, CREATED, Media::Json).await
    });
    assert_eq!(result.outcome, Outcome::Fail, "{}", result.explain());
    let message = result.explain();
    assert!(message.contains("discovery: `startMessaging` link"), "{message}");
    assert!(message.contains("conversations"), "{message}");
}

#[test]
fn a_failure_shows_the_request_with_secrets_removed() {
    let result = block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start(&server, ResponseTemplate::new(500)).await;
        run_inline(&server, CREATED, Media::Xml).await
    });
    let message = result.explain();
    assert!(message.contains("request:\n  POST http://"), "{message}");
    assert!(
        message.contains("<property name=\"to\">sip:peer@mock.test</property>"),
        "{message}"
    );
    assert!(message.contains("Authorization: Bearer [redacted]"), "{message}");
    assert!(!message.contains("mock-token"), "{message}");
}

#[test]
fn a_server_that_never_answers_gives_an_error_within_the_timeout() {
    let started = std::time::Instant::now();
    let result = block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start(&server, created().set_delay(std::time::Duration::from_secs(30))).await;
        run_inline(&server, CREATED, Media::Json).await
    });
    assert!(
        result.outcome == Outcome::Error
            && result
                .reason
                .as_deref()
                .is_some_and(|e| e.contains("no complete response")),
        "{:?}",
        result
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_case_needing_an_unoffered_precondition_is_skipped_not_failed() {
    let result = block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        let mut target = mock_target(&server);
        target.offers.clear();
        run_inline_against(target, NO_SUBCODE, Media::Json).await
    });
    assert_eq!(result.outcome, Outcome::Skip);
    assert_eq!(
        result.reason.as_deref(),
        Some("precondition `fault:Unsupported` not offered by the target")
    );
}

/// Runs a future on a fresh current-thread runtime (wiremock servers run on their own threads).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

const WAIT_STARTED: &str = r#"
id = "t.started"
title = "started event"
spec = ["events.started.operation-id"]
severity = "must"
[[step]]
method = "POST"
rel = "startMessaging"
body = { operationId = "op-fixed", to = "{{peer}}" }
expect.status = 201
[[step]]
wait = { type = "started", rel = "messagingInvitation", operation_id = "op-fixed", within_ms = 800 }
expect.resource = { properties = { direction = "Outgoing" } }
"#;

const WAIT_COMPLETED: &str = r#"
id = "t.completed"
title = "completed event"
spec = ["events.completed.success"]
severity = "must"
[[step]]
method = "POST"
rel = "startMessaging"
body = { operationId = "op-fixed", to = "{{peer}}" }
expect.status = 201
[[step]]
wait = { type = "completed", rel = "messagingInvitation", operation_id = "op-fixed", within_ms = 800 }
expect.event = { status = "Success" }
"#;

fn run_with_events(text: &str, batch: serde_json::Value) -> ucwa_conformance::judge::verdict::CaseResult {
    block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start(&server, created()).await;
        answer_events(&server, batch).await;
        run_inline(&server, text, Media::Json).await
    })
}

#[test]
fn the_event_with_the_operation_id_passes() {
    let result = run_with_events(WAIT_STARTED, invitation_event("started", "op-fixed", None));
    assert_eq!(result.outcome, Outcome::Pass, "{}", result.explain());
}

#[test]
fn an_event_with_another_operation_id_is_not_the_one_and_the_wait_fails() {
    let result = run_with_events(WAIT_STARTED, invitation_event("started", "someone-else", None));
    assert_eq!(result.outcome, Outcome::Fail, "{}", result.explain());
    let message = result.explain();
    assert!(
        message.contains("a `started` event for `messagingInvitation` with operationId `op-fixed`"),
        "{message}"
    );
    assert!(message.contains("none (1 events arrived on the channel)"), "{message}");
}

#[test]
fn a_completed_event_with_the_wrong_status_fails_and_says_so() {
    let result = run_with_events(
        WAIT_COMPLETED,
        invitation_event("completed", "op-fixed", Some("Failure")),
    );
    assert_eq!(result.outcome, Outcome::Fail, "{}", result.explain());
    let message = result.explain();
    assert!(message.contains("event status"), "{message}");
    assert!(message.contains("expected: Success"), "{message}");
    assert!(message.contains("actual:   Failure"), "{message}");
}

#[test]
fn a_broken_event_channel_is_an_error_not_a_failure() {
    let result = block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start(&server, created()).await;
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path("/ucwa/v1/applications/7/events"))
            .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
            .mount(&server)
            .await;
        run_inline(&server, WAIT_STARTED, Media::Json).await
    });
    assert!(
        result.outcome == Outcome::Error
            && result
                .reason
                .as_deref()
                .is_some_and(|e| e.contains("the event channel failed") && e.contains("status 500")),
        "{:?}",
        result
    );
}
