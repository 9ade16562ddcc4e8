//! Helpers that keep each test to a few lines: a UCWA-shaped wiremock server, a target for it,
//! and running one inline case against it.

use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use ucwa_conformance::case::{Case, Fault, Media, parse_case};
use ucwa_conformance::client::HttpClient;
use ucwa_conformance::judge::verdict::CaseResult;
use ucwa_conformance::run::{PlannedRun, RunOptions, Runner, Stop};
use ucwa_conformance::under_test::secret::Secret;
use ucwa_conformance::under_test::{Credentials, Limits, Target};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The token the mock accepts.
pub const TOKEN: &str = "cwt=mock-token-0123456789";
/// The peer cases invite.
pub const PEER: &str = "sip:peer@mock.test";
/// Where the mock's startMessaging link points (with a server-added query parameter).
pub const START_PATH: &str = "/ucwa/v1/applications/7/communication/messagingInvitations";
/// Where the mock's invitation lives.
pub const INVITATION_PATH: &str = "/ucwa/v1/applications/7/communication/messagingInvitations/1";

/// The communication resource's startMessaging link in the mock.
pub enum StartLink {
    /// `startMessaging`, relative href with a server-added query parameter.
    Plain,
    /// `ms:rtc:saas:startMessaging`, absolute href.
    Namespaced,
    /// No startMessaging link at all.
    Missing,
}

/// A wiremock server that walks discovery like a UCWA pool: root -> user -> applications ->
/// application with an embedded communication resource.
pub async fn ucwa_mock(link: StartLink) -> MockServer {
    ucwa_mock_elsewhere(link, None).await
}

/// Like [`ucwa_mock`], but with the startMessaging and events links on another server
/// (`elsewhere`, an origin such as `http://127.0.0.1:4000`), a hostile one say.
pub async fn ucwa_mock_elsewhere(link: StartLink, elsewhere: Option<&str>) -> MockServer {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/autodiscover/root"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_links": { "self": { "href": format!("{base}/autodiscover/root") },
                        "user": { "href": format!("{base}/autodiscover/root/oauth/user?originalDomain=mock.test") } }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/autodiscover/root/oauth/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_links": { "self": { "href": "/autodiscover/root/oauth/user" },
                        "applications": { "href": "/ucwa/v1/applications" } }
        })))
        .mount(&server)
        .await;
    let mut communication_links = json!({ "self": { "href": "/ucwa/v1/applications/7/communication" } });
    match (link, elsewhere) {
        (_, Some(other)) => {
            communication_links["startMessaging"] = json!({ "href": format!("{other}{START_PATH}") });
        }
        (StartLink::Plain, None) => {
            communication_links["startMessaging"] =
                json!({ "href": format!("{START_PATH}?endpointId=sip:me@mock.test"), "revision": "2" });
        }
        (StartLink::Namespaced, None) => {
            communication_links["ms:rtc:saas:startMessaging"] =
                json!({ "href": format!("{base}{START_PATH}?endpointId=sip:me@mock.test") });
        }
        (StartLink::Missing, None) => {
            communication_links["conversations"] =
                json!({ "href": "/ucwa/v1/applications/7/communication/conversations" });
        }
    }
    Mock::given(method("POST"))
        .and(path("/ucwa/v1/applications"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "rel": "application", "id": "7",
            "_links": { "self": { "href": "/ucwa/v1/applications/7" },
                        "events": { "href": format!("{}/ucwa/v1/applications/7/events?ack=1", elsewhere.unwrap_or("")) } },
            "_embedded": { "communication": { "rel": "communication", "_links": communication_links } }
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/faults"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

/// Mounts the answer to startMessaging POSTs.
pub async fn answer_start(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(START_PATH))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Mounts the answers to startMessaging POSTs per representation: `xml` to requests that accept
/// XML, `json` to the others.
pub async fn answer_start_per_media(server: &MockServer, xml: ResponseTemplate, json: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(START_PATH))
        .and(wiremock::matchers::header_regex("accept", "xml"))
        .respond_with(xml)
        .mount(server)
        .await;
    answer_start(server, json).await;
}

/// Mounts the answer to GET on the invitation.
pub async fn answer_invitation(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(INVITATION_PATH))
        .respond_with(response)
        .mount(server)
        .await;
}

/// A target for the mock: token auth, every fault offered, short timeouts.
pub fn mock_target(server: &MockServer) -> Target {
    let url = |p: &str| Url::parse(&format!("{}{p}", server.uri())).expect("mock URL");
    Target {
        name: "mock".into(),
        trust: ucwa_conformance::under_test::trust::Trust::new(&url("/"), [], false),
        base_url: url("/autodiscover/root"),
        credentials: Credentials::Token(Secret::new(TOKEN)),
        peer: PEER.into(),
        peer_decline: None,
        peer_ignore: None,
        anonymous: None,
        media: Media::ALL.to_vec(),
        offers: Fault::ALL.iter().map(|f| f.precondition()).collect(),
        faults_url: Some(url("/faults")),
        limits: Limits {
            request_timeout: std::time::Duration::from_secs(2),
            case_timeout: std::time::Duration::from_secs(5),
            max_body_bytes: 64 * 1024,
            max_wait: None,
        },
        tls: ucwa_conformance::under_test::tls::Tls::default(),
    }
}

/// Parses an inline case file.
pub fn case(text: &str) -> Case {
    parse_case(Path::new("inline.toml"), text).unwrap_or_else(|e| panic!("inline case is invalid:\n{e}"))
}

/// Signs in to `target` with a runner of default options.
pub async fn runner(target: Target) -> Result<Runner, ucwa_conformance::error::Error> {
    let client = HttpClient::new(target.limits).expect("client");
    Runner::open(target, client, RunOptions::default(), Stop::new()).await
}

/// Runs one inline case against the mock in one media type, as the runner does (so the
/// result is redacted as every report sees it).
pub async fn run_inline(server: &MockServer, text: &str, media: Media) -> CaseResult {
    run_inline_against(mock_target(server), text, media).await
}

/// Runs one inline case against `target` in one media type, as the runner does.
pub async fn run_inline_against(target: Target, text: &str, media: Media) -> CaseResult {
    let runner = runner(target).await.unwrap_or_else(|e| panic!("discovery failed: {e}"));
    let planned = PlannedRun {
        case: Arc::new(case(text)),
        media,
    };
    let result = runner.trial(&planned).await;
    runner.close().await;
    result
}

/// A JSON UCWA error response.
pub fn json_error(status: u16, code: &str, subcode: Option<&str>) -> ResponseTemplate {
    let mut body = json!({ "code": code, "message": "m" });
    if let Some(s) = subcode {
        body["subcode"] = json!(s);
    }
    ResponseTemplate::new(status).set_body_json(body)
}

/// An XML UCWA error response.
pub fn xml_error(status: u16, code: &str, subcode: Option<&str>) -> ResponseTemplate {
    let subcode = subcode.map(|s| format!("<subcode>{s}</subcode>")).unwrap_or_default();
    ResponseTemplate::new(status).set_body_raw(
        format!("<?xml version=\"1.0\"?><reason xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><code>{code}</code>{subcode}<message>m</message></reason>"),
        "application/xml",
    )
}

/// Mounts the event channel: `ack=1` answers `batch`; `ack=2` hangs (a pending GET with no news).
pub async fn answer_events(server: &MockServer, batch: serde_json::Value) {
    use wiremock::matchers::query_param;
    Mock::given(method("GET"))
        .and(path("/ucwa/v1/applications/7/events"))
        .and(query_param("ack", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(batch))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ucwa/v1/applications/7/events"))
        .and(query_param("ack", "2"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(30)))
        .mount(server)
        .await;
}

/// A batch with one messagingInvitation event.
pub fn invitation_event(kind: &str, operation_id: &str, status: Option<&str>) -> serde_json::Value {
    let mut event = json!({
        "link": { "rel": "messagingInvitation", "href": INVITATION_PATH },
        "type": kind,
        "_embedded": { "messagingInvitation": { "operationId": operation_id, "direction": "Outgoing",
                       "_links": { "self": { "href": INVITATION_PATH } } } }
    });
    if let Some(s) = status {
        event["status"] = json!(s);
    }
    json!({
        "_links": { "self": { "href": "/ucwa/v1/applications/7/events?ack=1" },
                    "next": { "href": "/ucwa/v1/applications/7/events?ack=2" } },
        "sender": [{ "rel": "communication", "href": "/ucwa/v1/applications/7/communication", "events": [event] }]
    })
}

/// A multi-thread runtime for tests that keep servers running while a child process runs.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Copies a directory tree (a corpus or a snapshot folder to tamper with).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A case that expects 400 BadRequest / ParameterValidationFailure for a missing operationId.
pub const MISSING_OPERATION_ID: &str = r#"
id = "t.missing"
title = "400 PVF"
spec = ["body.operationId.required"]
severity = "must"
[[step]]
method = "POST"
rel = "startMessaging"
body = { to = "{{peer}}" }
expect.status = 400
expect.code = "BadRequest"
expect.subcode = "ParameterValidationFailure"
"#;

/// A copy of the built binary at `to`, written by `cp`: a copy written by this process would
/// have its file open for writing while another test thread forks, and the child would keep it
/// open until its exec, so running the copy could fail with "Text file busy" (ETXTBSY).
pub fn copy_binary(to: &Path) {
    let status = std::process::Command::new("cp")
        .arg(env!("CARGO_BIN_EXE_ucwa-conformance"))
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(status.success(), "cp of the binary to {}", to.display());
}

/// `program` (the binary, or a copy of it) with no setting of the machine's: no `UCWA_*`
/// variable (a developer's UCWA_JOBS, UCWA_STRICT or UCWA_COLOR would change what a test sees;
/// `--help` shows the values it is given) and no colour variable.
pub fn scrubbed(program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("UCWA_") {
            command.env_remove(name);
        }
    }
    for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        command.env_remove(var);
    }
    command
}

/// The binary, scrubbed, run from the project directory with no snapshots.
pub fn binary() -> std::process::Command {
    let mut command = scrubbed(env!("CARGO_BIN_EXE_ucwa-conformance"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    // Tests never write snapshots into the project (the drift test sets its own directory).
    command.env("UCWA_SNAPSHOTS", "off");
    command
}

/// Reads a results file the binary wrote, checking it against the committed JSON Schema.
pub fn valid_results(path: &Path) -> ucwa_conformance::report::results::Results {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/results-2.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("the committed schema")).expect("JSON");
    let text = std::fs::read_to_string(path).expect("the results file");
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let errors = crate::schema_check::errors(&schema, &value);
    assert!(
        errors.is_empty(),
        "{} does not match schema/results-2.json:\n{}",
        path.display(),
        errors.join("\n")
    );
    ucwa_conformance::report::results::read(path).expect("a readable results file")
}

/// A must-level case: POST startMessaging (arming fault `Unsupported`), 409 Conflict, no subcode.
pub const NO_SUBCODE: &str = r#"
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

/// A case that follows the Location of a 201 with a GET.
pub const FOLLOWS_LOCATION: &str = r#"
id = "t.follows-location"
title = "t"
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
"#;

/// The reference server (or a mutant of it) on a free loopback port, in `rt`.
pub fn reference_server(
    rt: &tokio::runtime::Runtime,
    mutant: Option<ucwa_conformance::reference::Mutant>,
) -> ucwa_conformance::reference::Running {
    let config = ucwa_conformance::reference::Config {
        mutant,
        ..ucwa_conformance::reference::Config::default()
    };
    rt.block_on(ucwa_conformance::reference::spawn(
        config,
        "127.0.0.1:0".parse().expect("addr"),
    ))
    .expect("listens")
}

/// True when `program` can be run here. Tests that need a tool beyond the Rust toolchain
/// (xmllint, python3, node) ask this first: without it they print one line saying what they
/// need and how to get it, and pass; under `CI=true` (`.ci/run` installs every such tool) a
/// missing tool fails the test instead, so CI never passes by skipping.
pub fn tool(program: &str, install: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if found {
        return true;
    }
    let required = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !required,
        "this test needs `{program}` and CI=true requires it: {install}"
    );
    eprintln!("SKIPPED: this test needs `{program}` ({install}); set CI=true to make its absence a failure");
    false
}

/// `serve` in a child process with invitations that time out after `timeout_ms`, started with
/// a profile in `dir`; its listening line read.
pub fn serve_process(dir: &Path, timeout_ms: &str) -> std::process::Child {
    let mut serve = binary()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--invitation-timeout-ms",
            timeout_ms,
            "--profile",
        ])
        .arg(dir.join("reference.toml"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = serve.stdout.take().expect("stdout");
    for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
        if line.expect("a line").contains("Ctrl-C") {
            break;
        }
    }
    serve
}
