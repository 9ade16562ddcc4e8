//! Grading clients (`serve --grade-clients`): what the reference saw of each client (its
//! journal: every request under the application it created, with the answer it got) judged
//! against the page, as the trials of a results file (results/2) whose target names the client.
//!
//! The reference's answers are its reading of the page (its validation, its world); a refusal
//! it gave a client is the client's fault when the page puts the rule on the request. Each
//! check cites the inventory item whose rule it holds the client to.

use crate::case::{Media, Severity};
use crate::judge::verdict::{CaseResult, Mismatch, MismatchKind, Outcome};
use crate::reference::{Client, Journal, Seen};
use crate::report::results::{self, Results, RunInfo, SelectionInfo};
use crate::under_test::{Credentials, Limits, Target};

/// Requests in a row, each the same failing one answered the same way within
/// [`RETRY_GAP`] of the previous, that make a retry loop.
pub const RETRY_LOOP: usize = 5;
/// The most time between two requests of a retry loop.
pub const RETRY_GAP: std::time::Duration = std::time::Duration::from_secs(2);

/// One client's grade.
#[derive(Debug, Clone)]
pub struct Graded {
    /// The application id (the file is named after it).
    pub application: String,
    /// The results file.
    pub results: Results,
}

/// The trials of every client in `journal`, each client a results file; with no client at all,
/// one file whose one trial says nothing was seen. `base_url` is the server's; `stopped` says
/// the server stopped (a client still signed in then never deleted its application).
pub fn grade(journal: &Journal, base_url: &url::Url, stopped: bool) -> Vec<Graded> {
    if journal.clients.is_empty() {
        let seen = CaseResult {
            title: "a client signed in and created an application".into(),
            spec: vec!["application.same-fields".into()],
            ..CaseResult::new("client.seen", Media::Json, Severity::Must, Outcome::Fail)
        }
        .with(
            Outcome::Fail,
            "no client created an application on this server: nothing to grade",
        );
        return vec![Graded {
            application: "none".into(),
            results: file(base_url, "no client", &[seen]),
        }];
    }
    journal
        .clients
        .iter()
        .map(|(id, client)| {
            let name = name_of(id, client);
            let trials = trials(client, stopped);
            Graded {
                application: id.clone(),
                results: file(base_url, &name, &trials),
            }
        })
        .collect()
}

/// `client: USER-AGENT (endpointId E), application ID`, from the request that created it.
fn name_of(id: &str, client: &Client) -> String {
    let body = client.created.as_ref().map(|c| c.body.as_str()).unwrap_or_default();
    let field = |name: &str| -> Option<String> {
        if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(body) {
            return o
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.as_str().map(str::to_string));
        }
        xml_property(body, name)
    };
    let agent = field("userAgent").unwrap_or_else(|| "unknown client".into());
    let endpoint = field("endpointId").unwrap_or_else(|| "-".into());
    let clean = |s: String| -> String { s.chars().filter(|c| !c.is_control()).take(100).collect() };
    format!(
        "client: {} (endpointId {}), application {id}",
        clean(agent),
        clean(endpoint)
    )
}

/// A property's text in a UCWA XML input (`<property name="N">text</property>`), without a parser.
fn xml_property(body: &str, name: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let at = lower.find(&format!("name=\"{}\"", name.to_ascii_lowercase()))?;
    let start = body[at..].find('>')? + at + 1;
    let end = body[start..].find('<')? + start;
    Some(body[start..end].to_string())
}

/// The media type the client reads (XML when its Accept names XML first).
fn media_of(client: &Client) -> Media {
    let xml = client
        .requests
        .iter()
        .filter_map(|s| s.accept.as_deref())
        .next()
        .is_some_and(|a| a.to_ascii_lowercase().contains("xml") && !a.to_ascii_lowercase().contains("json"));
    if xml { Media::Xml } else { Media::Json }
}

fn is_start_messaging(s: &Seen) -> bool {
    s.method == "POST"
        && s.path
            .to_ascii_lowercase()
            .trim_end_matches('/')
            .ends_with("/messaginginvitations")
}

fn is_events(s: &Seen) -> bool {
    s.method == "GET" && s.path.to_ascii_lowercase().trim_end_matches('/').ends_with("/events")
}

/// The request and its answer, in one line a client developer can find in their own logs.
fn shown(s: &Seen) -> String {
    let query = s.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
    let body: String = s.body.chars().filter(|c| !c.is_control()).take(300).collect();
    let body = if body.is_empty() {
        String::new()
    } else {
        format!(" {body}")
    };
    let answer = match &s.error {
        Some((code, subcode, message)) => {
            let subcode = subcode.as_deref().map(|s| format!("/{s}")).unwrap_or_default();
            format!("{} {code}{subcode}: {message}", s.status)
        }
        None => s.status.to_string(),
    };
    format!(
        "{} {}{query}{body} (at {:.1} s) answered {answer}",
        s.method,
        s.path,
        s.at.as_secs_f64()
    )
}

/// One check: the first request that breaks it, if any.
struct Check {
    id: &'static str,
    title: &'static str,
    severity: Severity,
    spec: &'static [&'static str],
    expected: &'static str,
    /// Why it is not judged (the client never did what it is about), if so.
    untested: Option<&'static str>,
    /// The first request that breaks it, and what it shows.
    broken: Option<String>,
}

fn first(client: &Client, mut test: impl FnMut(&Seen) -> bool) -> Option<String> {
    client.requests.iter().find(|s| test(s)).map(shown)
}

fn error_is(s: &Seen, status: u16, subcode: Option<&str>) -> bool {
    s.status == status
        && match subcode {
            None => true,
            Some(want) => s.error.as_ref().and_then(|(_, sub, _)| sub.as_deref()) == Some(want),
        }
}

/// The first request to a resource the server never linked (404 with no subcode on a path no
/// earlier answer gave as an href, and none served: a resource that ended is not a guess), or
/// with a method it does not take (405).
fn guessed(client: &Client) -> Option<String> {
    let mut known: std::collections::BTreeSet<String> =
        client.created.iter().flat_map(|c| c.links.iter().cloned()).collect();
    for s in &client.requests {
        let path = s.path.to_ascii_lowercase();
        let unknown =
            s.status == 404 && s.error.as_ref().is_some_and(|(_, sub, _)| sub.is_none()) && !known.contains(&path);
        if unknown || s.status == 405 {
            return Some(shown(s));
        }
        if s.status < 300 {
            known.insert(path);
        }
        known.extend(s.links.iter().cloned());
    }
    None
}

/// The same failing request answered the same way [`RETRY_LOOP`] times in a row, each within
/// [`RETRY_GAP`] of the previous.
fn retry_loop(client: &Client) -> Option<String> {
    let mut run = 1;
    let mut found = None;
    for pair in client.requests.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let same = a.method == b.method
            && a.path == b.path
            && a.query == b.query
            && a.body == b.body
            && a.status == b.status
            && a.status >= 400
            && b.at.saturating_sub(a.at) <= RETRY_GAP;
        run = if same { run + 1 } else { 1 };
        if run >= RETRY_LOOP {
            found = Some(format!("{run} times in a row, the last: {}", shown(b)));
        } else if found.is_some() {
            break;
        }
    }
    found
}

fn checks(client: &Client, stopped: bool) -> Vec<Check> {
    let started = client.requests.iter().any(is_start_messaging);
    let read_events = client.requests.iter().any(is_events);
    let not_started = (!started).then_some("the client never started messaging");
    let no_events = (!read_events).then_some("the client never read its event channel");
    vec![
        Check {
            id: "client.start-messaging.inputs",
            title: "every startMessaging request sends the inputs the page requires, within its limits (operationId, to as a SIP URI, subject, threadId, importance, data URIs)",
            severity: Severity::Must,
            spec: &[
                "body.operationId.required",
                "body.operationId.max-length",
                "body.to.required",
                "body.to.sip-uri",
                "body.subject.max-length",
                "body.threadId.max-length",
                "body.importance.values",
                "body.message.data-uri",
                "body.customContent.data-uri",
            ],
            expected: "inputs the page allows",
            untested: not_started,
            broken: first(client, |s| is_start_messaging(s) && error_is(s, 400, None)),
        },
        Check {
            id: "client.start-messaging.operation-id-unique",
            title: "an operationId is not reused while its invitation is in progress",
            severity: Severity::Should,
            spec: &["error.409.already-exists"],
            expected: "an operationId of its own for each invitation in progress",
            untested: not_started,
            broken: first(client, |s| {
                is_start_messaging(s) && error_is(s, 409, Some("AlreadyExists"))
            }),
        },
        Check {
            id: "client.events.in-order",
            title: "the event channel is read in order: each GET with the ack the last next link gave (or the resync link)",
            severity: Severity::Should,
            spec: &["events.order"],
            expected: "the ack of the last next link",
            untested: no_events,
            broken: first(client, |s| is_events(s) && s.resync),
        },
        Check {
            id: "client.events.one-pending",
            title: "one pending GET on the event channel at a time",
            severity: Severity::Should,
            spec: &["events.order"],
            expected: "no second pending GET",
            untested: no_events,
            broken: first(client, |s| is_events(s) && error_is(s, 409, Some("PGetReplaced"))),
        },
        Check {
            id: "client.media-types",
            title: "requests carry a Content-Type the resource takes",
            severity: Severity::Must,
            spec: &["generic.415"],
            expected: "application/json or application/xml",
            untested: None,
            broken: first(client, |s| s.status == 415),
        },
        Check {
            id: "client.known-links",
            title: "requests go to links the server gave, with the methods they take (no guessed URLs)",
            severity: Severity::Should,
            spec: &["link.start-messaging"],
            expected: "a resource the server linked",
            untested: None,
            broken: guessed(client),
        },
        Check {
            id: "client.no-retry-loop",
            title: "a refused request is not sent again and again at once (it stops or backs off)",
            severity: Severity::Should,
            spec: &["error.409.already-exists"],
            expected: "fewer than 5 identical refused requests in a row within 2 s of each other",
            untested: None,
            broken: retry_loop(client),
        },
        Check {
            id: "client.application.deleted",
            title: "the client deletes its application when it is done",
            severity: Severity::Should,
            spec: &["application.same-fields"],
            expected: "DELETE on the application",
            untested: (!stopped && !client.deleted).then_some("the client is still signed in"),
            broken: (!client.deleted).then(|| "the server stopped with the application still there".to_string()),
        },
    ]
}

fn trials(client: &Client, stopped: bool) -> Vec<CaseResult> {
    let media = media_of(client);
    checks(client, stopped)
        .into_iter()
        .map(|check| {
            let base = CaseResult {
                title: check.title.into(),
                spec: check.spec.iter().map(|s| s.to_string()).collect(),
                tags: vec!["client".into()],
                ..CaseResult::new(check.id, media, check.severity, Outcome::Pass)
            };
            match (check.untested, check.broken) {
                (_, Some(actual)) => {
                    let outcome = match check.severity {
                        Severity::Must => Outcome::Fail,
                        Severity::Should => Outcome::ShouldDeviation,
                    };
                    CaseResult {
                        outcome,
                        failed_step: Some(1),
                        mismatches: vec![Mismatch {
                            kind: MismatchKind::Other,
                            what: "the client's request".into(),
                            expected: check.expected.into(),
                            actual,
                            must: false,
                        }],
                        ..base
                    }
                }
                (Some(why), None) => base.with(Outcome::Skip, why),
                (None, None) => base,
            }
        })
        .collect()
}

/// A results file for one client.
fn file(base_url: &url::Url, name: &str, trials: &[CaseResult]) -> Results {
    let target = Target {
        name: name.to_string(),
        trust: crate::under_test::trust::Trust::new(base_url, [], false),
        base_url: base_url.clone(),
        credentials: Credentials::None,
        peer: String::new(),
        peer_decline: None,
        peer_ignore: None,
        anonymous: None,
        media: Media::ALL.to_vec(),
        offers: Default::default(),
        faults_url: None,
        limits: Limits::default(),
        tls: Default::default(),
    };
    let info = RunInfo {
        case_set_digest: "grade-clients".into(),
        corpus: "grade-clients".into(),
        started_at: crate::clock::rfc3339(std::time::SystemTime::now()),
        duration: std::time::Duration::ZERO,
        strict: false,
        stop: None,
        selection: SelectionInfo::default(),
        embedded: true,
        applications_kept: false,
        area_order: Vec::new(),
    };
    results::build(info, &target, trials)
}
