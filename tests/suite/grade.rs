//! Grading clients: the project's own walkers grade conformant; deliberately wrong clients (an
//! operationId of 51 characters, a `to` without `sip:`, events read with a skipped ack, a retry
//! loop on 409) each get the failure named with the request that showed it; a server nobody
//! talked to says so; `serve --grade-clients` writes the files and exits by what it saw.

use crate::support;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use ucwa_conformance::judge::verdict::{CaseResult, Outcome};
use ucwa_conformance::oracle::grade;
use ucwa_conformance::reference::{Config, Running};

fn grading_server(rt: &tokio::runtime::Runtime) -> Running {
    let config = Config {
        grade_clients: true,
        ..Config::default()
    };
    rt.block_on(ucwa_conformance::reference::spawn(
        config,
        "127.0.0.1:0".parse().expect("addr"),
    ))
    .expect("listens")
}

/// Each client's trials by its userAgent.
fn grades(server: &Running) -> BTreeMap<String, Vec<CaseResult>> {
    let base = url::Url::parse(&server.base_url()).expect("URL");
    grade::grade(&server.journal(), &base, true)
        .into_iter()
        .map(|g| {
            let agent = g
                .results
                .target
                .name
                .split(" (endpointId")
                .next()
                .unwrap_or_default()
                .to_string();
            (agent.trim_start_matches("client: ").to_string(), g.results.cases)
        })
        .collect()
}

fn outcome<'a>(trials: &'a [CaseResult], id: &str) -> &'a CaseResult {
    trials
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no trial {id}"))
}

/// A client written here: signs in with the password grant and creates an application.
struct Wrong {
    http: reqwest::Client,
    host: String,
    token: String,
    app: Value,
}

impl Wrong {
    async fn sign_in(server: &Running, agent: &str) -> Self {
        Self::sign_in_at(&format!("http://{}", server.addr), agent).await
    }

    /// Signs in at `host` (`http://127.0.0.1:PORT`), a reference of this process or a `serve`.
    async fn sign_in_at(host: &str, agent: &str) -> Self {
        ucwa_conformance::client::http::install_crypto_provider();
        let http = reqwest::Client::new();
        let host = host.to_string();
        let token: Value = http
            .post(format!("{host}/WebTicket/oauthtoken"))
            .form(&[
                ("grant_type", "password"),
                ("username", "alice@contoso.test"),
                ("password", "alice-password"),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token JSON");
        let token = token["access_token"].as_str().expect("access_token").to_string();
        let app: Value = http
            .post(format!("{host}/ucwa/oauth/v1/applications"))
            .bearer_auth(&token)
            .json(&json!({ "culture": "en-US", "endpointId": format!("{agent}-endpoint"), "userAgent": agent }))
            .send()
            .await
            .expect("application")
            .json()
            .await
            .expect("application JSON");
        Self { http, host, token, app }
    }

    fn href(&self, pointer: &str) -> String {
        let href = self
            .app
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{pointer}"));
        format!("{}{href}", self.host)
    }

    async fn start(&self, body: Value) -> u16 {
        let url = self.href("/_embedded/communication/_links/startMessaging/href");
        self.http
            .post(url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("start")
            .status()
            .as_u16()
    }

    async fn events(&self, ack: u32) -> u16 {
        let href = self.href("/_links/events/href");
        let url = format!("{}?ack={ack}", href.split('?').next().unwrap_or(&href));
        self.http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("events")
            .status()
            .as_u16()
    }
}

#[test]
fn wrong_clients_each_get_their_fault_named_with_the_request() {
    let rt = support::runtime();
    let server = grading_server(&rt);
    rt.block_on(async {
        let long = Wrong::sign_in(&server, "long-operation-id").await;
        assert_eq!(
            long.start(json!({ "operationId": "x".repeat(51), "to": "sip:bob@contoso.test" }))
                .await,
            400
        );
        let no_sip = Wrong::sign_in(&server, "no-sip").await;
        assert_eq!(
            no_sip
                .start(json!({ "operationId": "op-1", "to": "bob@contoso.test" }))
                .await,
            400
        );
        let skipper = Wrong::sign_in(&server, "skipped-ack").await;
        assert_eq!(skipper.events(5).await, 200);
        let looper = Wrong::sign_in(&server, "retry-loop").await;
        assert_eq!(
            looper
                .start(json!({ "operationId": "same", "to": "sip:dave@contoso.test" }))
                .await,
            201
        );
        for _ in 0..6 {
            assert_eq!(
                looper
                    .start(json!({ "operationId": "same", "to": "sip:dave@contoso.test" }))
                    .await,
                409
            );
        }
    });
    let grades = grades(&server);
    let failed = |agent: &str, id: &str, outcome: Outcome, shows: &[&str]| {
        let trial = outcome_of(&grades, agent, id);
        assert_eq!(trial.outcome, outcome, "{agent} {id}: {trial:?}");
        let actual = &trial.mismatches[0].actual;
        for s in shows {
            assert!(actual.contains(s), "{agent} {id}: {actual}");
        }
    };
    failed(
        "long-operation-id",
        "client.start-messaging.inputs",
        Outcome::Fail,
        &[
            "POST /ucwa/oauth/v1/applications/",
            "operationId exceeds the maximum length of 50",
            "xxxxxxxxxx",
        ],
    );
    failed(
        "no-sip",
        "client.start-messaging.inputs",
        Outcome::Fail,
        &["to must be a SIP URI", "bob@contoso.test"],
    );
    failed(
        "skipped-ack",
        "client.events.in-order",
        Outcome::ShouldDeviation,
        &["GET ", "/events", "ack=5"],
    );
    failed(
        "retry-loop",
        "client.no-retry-loop",
        Outcome::ShouldDeviation,
        &["6 times in a row", "409 Conflict/AlreadyExists"],
    );
    failed(
        "retry-loop",
        "client.start-messaging.operation-id-unique",
        Outcome::ShouldDeviation,
        &["\"operationId\":\"same\""],
    );
    // Nothing else is blamed on them.
    assert_eq!(
        outcome_of(&grades, "no-sip", "client.events.in-order").outcome,
        Outcome::Skip
    );
    assert_eq!(
        outcome_of(&grades, "skipped-ack", "client.start-messaging.inputs").outcome,
        Outcome::Skip
    );
    assert_eq!(
        outcome_of(&grades, "retry-loop", "client.start-messaging.inputs").outcome,
        Outcome::Pass
    );
    // Every check each client was held to, as a golden file: a change to a check's rule or its
    // words shows as a diff (the server's port and the requests' times masked).
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").expect("regex");
    let at = regex::Regex::new(r"\(at \d+\.\d s\)").expect("regex");
    let mut table = String::new();
    for (agent, trials) in &grades {
        table.push_str(&format!("{agent}\n"));
        for t in trials {
            let why = t.mismatches.first().map_or_else(
                || t.reason.clone().unwrap_or_default(),
                |m| format!("{}: expected {}, got {}", m.what, m.expected, m.actual),
            );
            table.push_str(&format!("  {} {}: {}\n", t.id, t.outcome.as_str(), why));
        }
    }
    let table = port.replace_all(&table, "[port]");
    insta::assert_snapshot!(at.replace_all(&table, "(at [t] s)"));
    server.stop();
}

fn outcome_of<'a>(grades: &'a BTreeMap<String, Vec<CaseResult>>, agent: &str, id: &str) -> &'a CaseResult {
    outcome(
        grades
            .get(agent)
            .unwrap_or_else(|| panic!("no client {agent}: {:?}", grades.keys())),
        id,
    )
}

#[rstest::rstest]
#[case::python("python3", "walk.py", "apt-get install -y python3")]
#[case::node("node", "walk.mjs", "apt-get install -y nodejs (.ci/run does)")]
fn the_projects_walkers_grade_conformant(#[case] program: &str, #[case] script: &str, #[case] install: &str) {
    if !support::tool(program, install) {
        return;
    }
    let rt = support::runtime();
    let server = grading_server(&rt);
    let script = format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR"));
    for media in ["json", "xml"] {
        let out = std::process::Command::new(program)
            .args([
                &script,
                &format!("http://{}/", server.addr),
                "alice@contoso.test",
                "alice-password",
                "sip:bob@contoso.test",
                media,
            ])
            .output()
            .expect("the walker runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    }
    let base = url::Url::parse(&server.base_url()).expect("URL");
    let graded = grade::grade(&server.journal(), &base, true);
    assert_eq!(graded.len(), 2, "one client per walk");
    for g in graded {
        let r = &g.results;
        let not_passed: Vec<_> = r
            .cases
            .iter()
            .filter(|c| c.outcome != Outcome::Pass)
            .map(|c| (&c.id, c.outcome, &c.mismatches))
            .collect();
        assert!(not_passed.is_empty(), "{}: {not_passed:#?}", r.target.name);
        assert!(
            r.target.name.contains(script.rsplit('/').next().unwrap_or_default()),
            "{}",
            r.target.name
        );
    }
    server.stop();
}

/// The rest of a `serve`'s standard output.
type Lines = std::io::Lines<std::io::BufReader<std::process::ChildStdout>>;

/// `serve --grade-clients grades` in `dir`, once it says it listens: the process, the rest of
/// its output, and its host (`http://127.0.0.1:PORT`).
fn serve_grading(dir: &std::path::Path) -> (std::process::Child, Lines, String) {
    let mut serve = support::binary()
        .args(["serve", "--listen", "127.0.0.1:0", "--grade-clients", "grades"])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = serve.stdout.take().expect("stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let mut host = String::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        if let Some(url) = line.split("base URL (autodiscover root): ").nth(1) {
            host = url.split("/autodiscover").next().unwrap_or_default().to_string();
        }
        if line.contains("Ctrl-C") {
            break;
        }
    }
    (serve, lines, host)
}

#[test]
fn serve_writes_the_grades_when_it_stops_and_a_server_nobody_used_is_not_conformant() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut serve, lines, _) = serve_grading(dir.path());
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = serve.wait().expect("serve ends");
    assert_eq!(status.code(), Some(1), "{rest:?}");
    assert!(
        rest.iter()
            .any(|l| l.contains("no client") && l.contains("NOT conformant")),
        "{rest:?}"
    );
    let results = support::valid_results(&dir.path().join("grades/client-none.json"));
    assert_eq!(results.cases.len(), 1);
    assert_eq!(results.cases[0].id, "client.seen");
    assert_eq!(results.cases[0].outcome, Outcome::Fail);
}

/// `--answer-once`: each application's first startMessaging gets a documented error; a client
/// that sends it again and again at once is named, one that tries once more is not.
#[test]
fn a_client_that_loops_on_an_answered_error_is_named_and_one_that_stops_is_not() {
    let rt = support::runtime();
    let config = Config {
        grade_clients: true,
        answer_once: vec![ucwa_conformance::reference::Refusal::from_name("TooManyGroups").expect("a refusal")],
        ..Config::default()
    };
    let server = rt
        .block_on(ucwa_conformance::reference::spawn(
            config,
            "127.0.0.1:0".parse().expect("addr"),
        ))
        .expect("listens");
    rt.block_on(async {
        let looper = Wrong::sign_in(&server, "loops").await;
        let body = json!({ "operationId": "a", "to": "sip:bob@contoso.test" });
        assert_eq!(looper.start(body.clone()).await, 409);
        for _ in 0..7 {
            // The refusal came once; a loop that never stops sending the same request meets
            // 409 again once its first retry has started the invitation (AlreadyExists).
            let _ = looper.start(body.clone()).await;
        }
        let polite = Wrong::sign_in(&server, "stops").await;
        assert_eq!(polite.start(body.clone()).await, 409);
        assert_eq!(
            polite
                .start(json!({ "operationId": "b", "to": "sip:bob@contoso.test" }))
                .await,
            201
        );
    });
    let grades = grades(&server);
    let named = outcome_of(&grades, "loops", "client.no-retry-loop");
    assert_eq!(named.outcome, Outcome::ShouldDeviation, "{named:?}");
    assert!(named.mismatches[0].actual.contains("times in a row"), "{named:?}");
    assert_eq!(
        outcome_of(&grades, "stops", "client.no-retry-loop").outcome,
        Outcome::Pass
    );
    server.stop();
}

/// A client that sends its token and password where they do not belong (the query of a
/// startMessaging, percent-encoded) shows the request in its grade, but never the secrets.
#[test]
fn a_token_or_password_a_client_puts_in_a_query_never_reaches_its_grade() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut serve, lines, host) = serve_grading(dir.path());
    let rt = support::runtime();
    let token = rt.block_on(async {
        // Its userAgent (the grade's name for it, on the console too) carries the password.
        let leaky = Wrong::sign_in_at(&host, "leaky alice-password").await;
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("access_token", &leaky.token)
            .append_pair("password", "alice-password")
            .finish();
        let start = leaky.href("/_embedded/communication/_links/startMessaging/href");
        leaky
            .http
            .post(format!("{start}?{query}"))
            .bearer_auth(&leaky.token)
            .json(&json!({ "operationId": "x".repeat(51), "to": "sip:bob@contoso.test" }))
            .send()
            .await
            .expect("start");
        leaky
            .http
            .delete(leaky.href("/_links/self/href"))
            .bearer_auth(&leaky.token)
            .send()
            .await
            .expect("delete");
        leaky.token
    });
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let console: Vec<String> = lines.map_while(Result::ok).collect();
    let _ = serve.wait();
    assert!(
        console.iter().any(|l| l.contains("client: leaky [redacted]")),
        "{console:?}"
    );
    assert!(
        !console.iter().any(|l| l.contains("alice-password")),
        "the password reached the console: {console:?}"
    );
    let grades = std::fs::read_dir(dir.path().join("grades")).expect("grades");
    let mut read = 0;
    for file in grades {
        let text = std::fs::read_to_string(file.expect("a file").path()).expect("reads");
        let core = token.split_once('=').map(|(_, core)| core).expect("cwt=");
        assert!(!text.contains(core), "the token reached the grade: {text}");
        assert!(
            !text.contains("alice-password"),
            "the password reached the grade: {text}"
        );
        // The request is still shown, so the client's developer can find it.
        assert!(
            text.contains("access_token=[redacted]") || text.contains("[redacted]"),
            "{text}"
        );
        read += 1;
    }
    assert_eq!(read, 1);
}

/// `serve` on an address already taken exits 3 (the reference could not start), as its manual
/// page says, naming the address.
#[test]
fn serve_on_an_address_in_use_exits_3_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = taken.local_addr().expect("its address").to_string();
    let output = support::binary()
        .args(["serve", "--listen", &address])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&format!("cannot listen on {address}")), "{stderr}");
}
