//! Exploration, tried as a vendor's QA would: against a startMessaging server written here, apart
//! from the reference (its own parsing, its own checks, its own spelling), carrying faults of
//! the kinds the fixed corpus cannot see (two inputs at once, another unit, one representation).
//! Each is found within the default budget; the same server without its faults gets nothing.
//! Then the command itself: its outputs, repeatability, its limits, its bad input, and a
//! finding kept as a case that fails against the faulty server and passes against the reference.

use crate::support;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use ucwa_conformance::explore::{ExploreOptions, Explorer};
use ucwa_conformance::oracle::model::ReferenceOracle;
use ucwa_conformance::run::{RunOptions, Runner, Stop};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const NS: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

/// A fault of the independent server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// With importance Emergency, the subject limit counts UTF-8 bytes.
    SubjectBytesWhenEmergency,
    /// XML bodies skip the threadId limit.
    ThreadIdUncheckedInXml,
    /// `to` given in the query is not checked as a SIP URI.
    QueryToUnchecked,
    /// customContent is not checked when a message is given.
    CustomContentUncheckedWithMessage,
    /// The operationId limit counts UTF-16 code units.
    OperationIdInUtf16,
    /// A missing `to` is accepted when a subject is given.
    ToOptionalWithSubject,
}

/// The independent server's startMessaging and invitations.
struct Independent {
    fault: Option<Fault>,
    invitations: Mutex<Vec<HashMap<String, String>>>,
}

/// The inputs of a request: query parameters, then the body's properties and links.
fn inputs(request: &Request) -> (HashMap<String, String>, HashMap<String, String>, bool) {
    let mut properties: HashMap<String, String> = HashMap::new();
    let mut query = HashMap::new();
    for (k, v) in request.url.query_pairs() {
        query.insert(k.to_string(), v.to_string());
    }
    let mut links = HashMap::new();
    let xml = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("xml"));
    if xml {
        let text = String::from_utf8_lossy(&request.body).to_string();
        if let Ok(doc) = roxmltree::Document::parse(&text) {
            for node in doc.root_element().children().filter(|n| n.is_element()) {
                match node.tag_name().name() {
                    "property" => {
                        let name = node.attribute("name").unwrap_or_default();
                        properties.insert(name.to_string(), node.text().unwrap_or_default().to_string());
                    }
                    "link" => {
                        let rel = node.attribute("rel").unwrap_or_default();
                        links.insert(rel.to_string(), node.attribute("href").unwrap_or_default().to_string());
                    }
                    _ => {}
                }
            }
        }
    } else if let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&request.body) {
        for (k, v) in body {
            match (k.as_str(), v) {
                ("_links", Value::Object(l)) => {
                    for (rel, link) in l {
                        let href = link.get("href").and_then(Value::as_str).unwrap_or_default();
                        links.insert(rel, href.to_string());
                    }
                }
                (_, Value::String(s)) => {
                    properties.insert(k, s);
                }
                _ => {}
            }
        }
    }
    for (k, v) in query {
        properties.entry(format!("query:{k}")).or_insert(v);
    }
    (properties, links, xml)
}

fn is_sip(to: &str) -> bool {
    let Some(rest) = to.strip_prefix("sip:").or_else(|| to.strip_prefix("SIP:")) else {
        return false;
    };
    match rest.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && !user.contains([' ', ':', '@'])
                && !host.is_empty()
                && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        }
        None => false,
    }
}

impl Independent {
    fn error(xml: bool, what: &str) -> ResponseTemplate {
        if xml {
            ResponseTemplate::new(400).set_body_raw(
                format!("<reason xmlns=\"{NS}\"><code>BadRequest</code><subcode>ParameterValidationFailure</subcode><message>{what}</message></reason>"),
                "application/xml",
            )
        } else {
            ResponseTemplate::new(400).set_body_json(json!({
                "code": "BadRequest", "subcode": "ParameterValidationFailure", "message": what
            }))
        }
    }

    /// Its own reading of the page: `None` when the request is fine.
    fn refusal(&self, p: &HashMap<String, String>, links: &HashMap<String, String>, xml: bool) -> Option<&'static str> {
        let given = |name: &str| p.get(name).filter(|v| !v.is_empty());
        let fault = |f: Fault| self.fault == Some(f);
        let operation_id = given("operationId")?;
        let units = if fault(Fault::OperationIdInUtf16) {
            operation_id.encode_utf16().count()
        } else {
            operation_id.chars().count()
        };
        if units > 50 {
            return Some("operationId too long");
        }
        match (given("to"), given("query:to")) {
            (Some(to), _) if !is_sip(to) => return Some("to is not a SIP URI"),
            (None, Some(to)) if !is_sip(to) && !fault(Fault::QueryToUnchecked) => return Some("to is not a SIP URI"),
            (None, None) if !(fault(Fault::ToOptionalWithSubject) && given("subject").is_some()) => {
                return Some("to is missing");
            }
            _ => {}
        }
        if let Some(subject) = given("subject") {
            let bytes =
                fault(Fault::SubjectBytesWhenEmergency) && given("importance").map(String::as_str) == Some("Emergency");
            if (if bytes { subject.len() } else { subject.chars().count() }) > 250 {
                return Some("subject too long");
            }
        }
        if let Some(thread) = given("threadId")
            && thread.chars().count() > 250
            && !(xml && fault(Fault::ThreadIdUncheckedInXml))
        {
            return Some("threadId too long");
        }
        if let Some(importance) = p.get("importance")
            && !["Normal", "Urgent", "Emergency"].contains(&importance.as_str())
        {
            return Some("importance");
        }
        let data = |href: &String| href.starts_with("data:") && href.contains(',');
        if links.get("message").is_some_and(|m| !data(m)) {
            return Some("message is not a data URI");
        }
        let skip = fault(Fault::CustomContentUncheckedWithMessage) && links.contains_key("message");
        if !skip && links.get("customContent").is_some_and(|c| !data(c)) {
            return Some("customContent is not a data URI");
        }
        None
    }

    fn invitation(&self, n: usize, xml: bool) -> ResponseTemplate {
        let invitations = self.invitations.lock().expect("lock");
        let Some(inv) = invitations.get(n) else {
            return ResponseTemplate::new(404);
        };
        let href = format!("{}/{n}", support::START_PATH);
        if xml {
            let mut body = format!("<resource rel=\"messagingInvitation\" href=\"{href}\" xmlns=\"{NS}\">");
            for (k, v) in inv.iter().filter(|(k, _)| !k.starts_with("link:")) {
                let v = v.replace('&', "&amp;").replace('<', "&lt;");
                body.push_str(&format!("<property name=\"{k}\">{v}</property>"));
            }
            for (k, v) in inv.iter().filter_map(|(k, v)| k.strip_prefix("link:").map(|k| (k, v))) {
                body.push_str(&format!(
                    "<link rel=\"{k}\" href=\"{}\"/>",
                    v.replace('&', "&amp;").replace('"', "&quot;")
                ));
            }
            body.push_str("</resource>");
            ResponseTemplate::new(200).set_body_raw(body, "application/xml")
        } else {
            let mut body = json!({ "rel": "messagingInvitation", "_links": { "self": { "href": href } } });
            for (k, v) in inv {
                match k.strip_prefix("link:") {
                    Some(rel) => body["_links"][rel] = json!({ "href": v }),
                    None => body[k] = json!(v),
                }
            }
            ResponseTemplate::new(200).set_body_json(body)
        }
    }
}

impl Respond for Independent {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let accepts_xml = request
            .headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("xml"));
        if request.method.as_str() == "GET" {
            let n = request.url.path().rsplit('/').next().and_then(|n| n.parse().ok());
            return n.map_or(ResponseTemplate::new(404), |n| self.invitation(n, accepts_xml));
        }
        let (p, links, xml) = inputs(request);
        if p.get("operationId").is_none_or(String::is_empty) {
            return Self::error(xml, "operationId is missing");
        }
        if let Some(what) = self.refusal(&p, &links, xml) {
            return Self::error(xml, what);
        }
        let mut kept: HashMap<String, String> = HashMap::new();
        kept.insert("direction".into(), "Outgoing".into());
        let to = p
            .get("to")
            .filter(|t| !t.is_empty())
            .or(p.get("query:to"))
            .cloned()
            .unwrap_or_default();
        kept.insert("to".into(), to);
        for name in ["operationId", "subject", "threadId", "importance"] {
            if let Some(v) = p.get(name) {
                kept.insert(name.into(), v.clone());
            }
        }
        kept.entry("importance".into()).or_insert_with(|| "Normal".into());
        for (rel, href) in links {
            kept.insert(format!("link:{rel}"), href);
        }
        let mut invitations = self.invitations.lock().expect("lock");
        invitations.push(kept);
        ResponseTemplate::new(201)
            .insert_header("Location", format!("{}/{}", support::START_PATH, invitations.len() - 1))
    }
}

async fn independent(fault: Option<Fault>) -> MockServer {
    let server = support::ucwa_mock(support::StartLink::Plain).await;
    let responder = Arc::new(Independent {
        fault,
        invitations: Mutex::new(Vec::new()),
    });
    struct Shared(Arc<Independent>);
    impl Respond for Shared {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            self.0.respond(request)
        }
    }
    Mock::given(method("POST"))
        .and(path(support::START_PATH))
        .respond_with(Shared(Arc::clone(&responder)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(format!("^{}/[0-9]+$", support::START_PATH)))
        .respond_with(Shared(responder))
        .mount(&server)
        .await;
    server
}

/// One exploration with the default budget against the independent server: its findings, as
/// `request: what expected, got` lines.
fn explore(fault: Option<Fault>, seed: u64) -> Vec<String> {
    let summary = exploration(
        fault,
        ExploreOptions {
            seed,
            ..ExploreOptions::default()
        },
    );
    assert_eq!(summary.pairs_covered, summary.pairs);
    summary
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} [{}]: {} expected {}, got {}",
                f.request,
                f.severity.as_str(),
                f.what,
                f.expected,
                f.actual
            )
        })
        .collect()
}

/// One exploration against the independent server with `options`: its summary.
fn exploration(fault: Option<Fault>, options: ExploreOptions) -> ucwa_conformance::explore::Exploration {
    let runtime = support::runtime();
    runtime.block_on(async {
        let server = independent(fault).await;
        let target = support::mock_target(&server);
        let client = ucwa_conformance::client::HttpClient::new(target.limits).expect("client");
        let runner = Arc::new(
            Runner::open(
                target.clone(),
                client,
                RunOptions {
                    jobs: 4,
                    ..RunOptions::default()
                },
                Stop::new(),
            )
            .await
            .expect("signs in"),
        );
        let oracle = ReferenceOracle::for_target(&target);
        let explored = Explorer::new(&runner, &oracle, options).explore(()).await;
        assert!(
            explored.summary.disagreements.is_empty(),
            "{:?}",
            explored.summary.disagreements
        );
        explored.summary
    })
}

#[test]
fn max_failures_ends_the_exploration_at_its_first_failure_and_still_shrinks_it() {
    let options = ExploreOptions {
        seed: 11,
        max_failures: Some(1),
        ..ExploreOptions::default()
    };
    let summary = exploration(Some(Fault::QueryToUnchecked), options);
    assert!(
        summary
            .findings
            .iter()
            .any(|f| f.request.contains("to (query)=no-scheme")),
        "{:#?}",
        summary.findings
    );
    // The trials already running when the first failed may fail too: at most one per job.
    assert!(summary.findings.len() <= 4, "{:#?}", summary.findings);
    assert!(
        summary.requests < summary.budget / 2,
        "{} requests of {}",
        summary.requests,
        summary.budget
    );
}

#[test]
fn the_independent_server_without_faults_gets_no_finding() {
    for seed in [1, 2] {
        let found = explore(None, seed);
        assert!(found.is_empty(), "seed {seed}: {found:#?}");
    }
}

#[rstest::rstest]
#[case::subject_in_bytes_with_emergency(Fault::SubjectBytesWhenEmergency, &["subject=", "importance=emergency"], "201")]
#[case::thread_id_unchecked_in_xml(Fault::ThreadIdUncheckedInXml, &["threadId=", "over-limit"], "400")]
#[case::query_to_unchecked(Fault::QueryToUnchecked, &["to (query)=no-scheme"], "400")]
#[case::custom_content_unchecked_with_message(Fault::CustomContentUncheckedWithMessage, &["customContent=https-link", "message="], "400")]
#[case::operation_id_in_utf16(Fault::OperationIdInUtf16, &["operationId=astral-at-limit"], "201")]
#[case::to_optional_with_subject(Fault::ToOptionalWithSubject, &["subject="], "400")]
fn each_fault_of_the_independent_server_is_found_and_shrunk(
    #[case] fault: Fault,
    #[case] names: &[&str],
    #[case] expected: &str,
) {
    let found = explore(Some(fault), 11);
    let hit = found
        .iter()
        .find(|f| names.iter().all(|n| f.contains(n)) && f.contains(&format!("expected {expected}")));
    assert!(hit.is_some(), "{fault:?} not found as {names:?}; found: {found:#?}");
}

fn explore_command(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    support::binary()
        .arg("explore")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("explore runs")
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_command_says_what_it_covered_and_writes_every_output() {
    let dir = tempfile::tempdir().expect("dir");
    let out = explore_command(
        dir.path(),
        &[
            "--seed",
            "5",
            "--quiet",
            "--json",
            "r.json",
            "--junit",
            "j.xml",
            "--markdown",
            "m.md",
            "--html",
            "h.html",
        ],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("with seed 5") && said.contains("(repeat with --seed 5)"),
        "{said}"
    );
    assert!(
        said.contains("100% of") && said.contains("seed 5: nothing found"),
        "{said}"
    );
    let results = support::valid_results(&dir.path().join("r.json"));
    let e = results.explore.as_ref().expect("an explore section");
    assert_eq!((e.seed, e.budget), (5, ucwa_conformance::explore::DEFAULT_BUDGET));
    assert!(
        e.requests <= e.budget && e.requests > e.budget / 2,
        "{} requests",
        e.requests
    );
    assert_eq!(e.pairs_covered, e.pairs);
    assert!(e.sequences >= 6, "{} sequences", e.sequences);
    assert!(e.findings.is_empty());
    assert_eq!(results.cases.len(), e.trials);
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).expect("junit");
    assert_eq!(junit.matches("<testcase").count(), e.trials);
    let markdown = std::fs::read_to_string(dir.path().join("m.md")).expect("markdown");
    assert!(markdown.contains("explore --seed 5"), "{markdown}");
    let html = std::fs::read_to_string(dir.path().join("h.html")).expect("html");
    assert!(html.contains("Exploration") && html.contains("explore --seed 5"));
    // The history takes an exploration's results as it takes a run's.
    let db = dir.path().join("h.sqlite");
    let added = support::binary()
        .args(["history", "add"])
        .arg(dir.path().join("r.json"))
        .arg("--db")
        .arg(&db)
        .output()
        .expect("history add");
    assert_eq!(added.status.code(), Some(0), "{}", text(&added));
}

#[test]
fn the_same_seed_sends_the_same_requests() {
    let dir = tempfile::tempdir().expect("dir");
    let titles = |seed: &str, file: &str| {
        let out = explore_command(
            dir.path(),
            &["--seed", seed, "--budget", "80", "--quiet", "--json", file],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let results = support::valid_results(&dir.path().join(file));
        results.cases.iter().map(|c| c.title.clone()).collect::<Vec<_>>()
    };
    let first = titles("9", "a.json");
    assert!(first.len() > 20, "{first:?}");
    assert_eq!(first, titles("9", "b.json"));
    assert_ne!(first, titles("10", "c.json"));
}

#[test]
fn the_rate_and_the_time_limit_hold() {
    let dir = tempfile::tempdir().expect("dir");
    let started = std::time::Instant::now();
    let out = explore_command(
        dir.path(),
        &[
            "--seed", "1", "--budget", "30", "--rate", "40", "--quiet", "--media", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let out = explore_command(
        dir.path(),
        &[
            "--seed",
            "1",
            "--budget",
            "100000",
            "--rate",
            "100",
            "--time-limit",
            "1500ms",
            "--quiet",
            "--json",
            "t.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(
        text(&out).contains("the time limit ended the exploration"),
        "{}",
        text(&out)
    );
    let e = support::valid_results(&dir.path().join("t.json"))
        .explore
        .expect("explore");
    assert!(e.time_limited && e.requests < 400, "{} requests", e.requests);
}

#[rstest::rstest]
#[case::seed(&["--seed", "x"])]
#[case::rate(&["--rate", "0"])]
#[case::time_limit(&["--time-limit", "5 parsecs"])]
#[case::budget(&["--budget", "0"])]
#[case::media(&["--media", "yaml"])]
fn bad_input_is_exit_2(#[case] args: &[&str]) {
    let dir = tempfile::tempdir().expect("dir");
    let out = explore_command(dir.path(), args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

/// A finding kept with `--found` is an ordinary case: `run --cases DIR` fails it against the
/// faulty server and passes it against the reference.
/// `command` aimed at the reference server at `addr` through the UCWA_* variables: its user
/// and its accepting peer.
fn at_reference(command: &mut std::process::Command, addr: std::net::SocketAddr) -> &mut std::process::Command {
    command
        .env("UCWA_BASE_URL", format!("http://{addr}/"))
        .env("UCWA_USERNAME", "alice@contoso.test")
        .env("UCWA_PASSWORD", "alice-password")
        .env("UCWA_PEER", "sip:bob@contoso.test")
}

#[test]
fn a_finding_kept_as_a_case_fails_against_the_faulty_server_and_passes_against_the_reference() {
    let dir = tempfile::tempdir().expect("dir");
    let runtime = support::runtime();
    let faulty = support::reference_server(
        &runtime,
        Some(ucwa_conformance::reference::Mutant::OperationIdLimitInBytesXml),
    );
    let against = |command: &mut std::process::Command| {
        at_reference(command, faulty.addr).current_dir(dir.path());
    };
    let mut explore = support::binary();
    explore.args(["explore", "--seed", "4", "--quiet", "--found", "found"]);
    against(&mut explore);
    let out = explore.output().expect("explore");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found: Vec<_> = std::fs::read_dir(dir.path().join("found")).expect("found/").collect();
    assert!(!found.is_empty(), "{}", text(&out));
    let mut rerun = support::binary();
    rerun.args(["run", "--cases", "found", "--quiet"]);
    against(&mut rerun);
    let out = rerun.output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = support::binary()
        .args(["run", "--cases", "found", "--quiet"])
        .current_dir(dir.path())
        .output()
        .expect("run against the reference");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    faulty.stop();
}

/// SIGINT stops an exploration as it stops a run: no new trial, outputs written, exit 130.
#[test]
fn sigint_stops_it_as_it_stops_run() {
    let dir = tempfile::tempdir().expect("dir");
    let child = support::binary()
        .args([
            "explore", "--seed", "1", "--budget", "5000", "--rate", "100", "--quiet", "--json", "r.json",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("explore starts");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let out = child.wait_with_output().expect("explore ends");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    let results = support::valid_results(&dir.path().join("r.json"));
    assert!(results.interrupted);
    let e = results.explore.expect("an explore section");
    assert!(e.trials > 0 && e.requests < 1000, "{} requests", e.requests);
}

/// One cause, one finding: against the reference's mutant that accepts an operationId of any
/// length, the failures found from many different requests all shrink to the same minimal
/// request. (Shrinking once started over after each step and spent its budget on the first
/// inputs: a request that also carried an unknown input stayed a finding of its own.)
#[test]
fn failures_of_one_cause_shrink_to_one_finding() {
    let dir = tempfile::tempdir().expect("dir");
    let runtime = support::runtime();
    let faulty = support::reference_server(
        &runtime,
        Some(ucwa_conformance::reference::Mutant::OperationIdUnlimited),
    );
    let json = dir.path().join("explored.json");
    let mut explore = support::binary();
    let out = at_reference(&mut explore, faulty.addr)
        .args(["explore", "--seed", "3", "--budget", "300", "--quiet", "--json"])
        .arg(&json)
        .env("UCWA_PEER_DECLINE", "sip:carol@contoso.test")
        .env("UCWA_PEER_IGNORE", "sip:dave@contoso.test")
        .current_dir(dir.path())
        .output()
        .expect("explore");
    faulty.stop();
    let file = support::valid_results(&json);
    let findings = file.explore.expect("an exploration").findings;
    let requests: Vec<&str> = findings.iter().map(|f| f.request.as_str()).collect();
    assert_eq!(requests, ["operationId=ascii-over-limit, to=peer"], "{}", text(&out));
}
