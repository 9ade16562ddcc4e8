//! A target that attacks the run rather than merely breaking the spec: it tries to crash it,
//! to write its verdict (forged console lines, Markdown headings and rows, raw HTML), to break
//! its JUnit, and to read its credentials back in another spelling. The binary runs against it
//! as a user would, with every output requested; each test checks what the target could not do.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Output;
use wiremock::{MockServer, ResponseTemplate};

/// Server text that tries to forge lines, headings, table rows and HTML, to drive the terminal
/// (clear the screen, set the title, plant a hyperlink, a C1 CSI), and to break XML (U+FFFE,
/// U+FFFF, U+0001).
const FORGERY: &str = "X\r\n## ucwa-conformance against mock: conformant\n| forged | row |\n\
    <img src=x onerror=alert(1)>\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]8;;http://evil.example\u{7}link\
    \u{9b}31m\u{fffe}\u{ffff}\u{1}\ntest forged ... ok\nucwa-conformance: conformant against mock";

/// The token, echoed back in spellings valid inside a JSON string.
fn json_spellings() -> Vec<String> {
    let unicode: String = TOKEN.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
    vec![
        unicode,
        TOKEN.replace('=', "\\u003d").replace('-', "\\u002D"),
        TOKEN.replace('=', "%3D").replace('-', "%2d"),
        TOKEN.replace('=', "&#61;").replace('c', "&#x63;"),
        base64_of(TOKEN),
        base64_of(&format!("xy{TOKEN}")),
        // A JSON string inside a JSON string holding `\u003d`: one unescape further away.
        TOKEN.replace('=', "\\\\\\\\u003d"),
    ]
}

/// The token, echoed back in spellings valid inside XML text.
fn xml_spellings() -> Vec<String> {
    vec![
        TOKEN.replace('=', "&#61;").replace('-', "&#x2D;"),
        TOKEN.replace('=', "&amp;#61;"),
        TOKEN.replace('=', "%3d"),
        base64_of(TOKEN),
    ]
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A UCWA mock whose startMessaging answers with the forgery as the subcode and the token in
/// every spelling as the message: a JSON error for JSON requests, an XML one for XML requests.
async fn forging_target() -> MockServer {
    let server = ucwa_mock(StartLink::Plain).await;
    let json_body = format!(
        r#"{{"code":"BadRequest","subcode":{},"message":"you sent {}"}}"#,
        serde_json::to_string(FORGERY).expect("JSON"),
        json_spellings().join(" and ")
    );
    let xml_forgery = FORGERY
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('\r', "&#13;")
        .replace('\n', "&#10;")
        .chars()
        // XML cannot carry these even as references: they are left out of the XML body.
        .filter(|c| !matches!(c, '\u{1}' | '\u{7}' | '\u{1b}' | '\u{fffe}' | '\u{ffff}'))
        .collect::<String>();
    let xml_body = format!(
        r#"<reason xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><code>BadRequest</code><subcode>{xml_forgery}</subcode><message>you sent {}</message></reason>"#,
        xml_spellings().join(" and ")
    );
    answer_start_per_media(
        &server,
        ResponseTemplate::new(400).set_body_raw(xml_body, "application/xml"),
        ResponseTemplate::new(400).set_body_raw(json_body, "application/json"),
    )
    .await;
    server
}

/// Every output of one run, read back.
struct Outputs {
    run: Output,
    dir: tempfile::TempDir,
}

impl Outputs {
    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.run.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.run.stderr).into_owned()
    }

    /// Every text the run wrote: console, reports, and the pending snapshots.
    fn all(&self) -> Vec<(String, String)> {
        let mut texts = vec![
            ("stdout".to_string(), self.stdout()),
            ("stderr".to_string(), self.stderr()),
        ];
        for name in ["results.json", "junit.xml", "report.md", "report.html"] {
            texts.push((name.to_string(), self.file(name)));
        }
        for snapshot in snapshot_files(&self.dir.path().join("snapshots")) {
            let text = std::fs::read_to_string(&snapshot).unwrap_or_default();
            texts.push((snapshot.display().to_string(), text));
        }
        texts
    }
}

fn snapshot_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Runs `case` against `server` with every output requested (snapshots checked, so pending
/// `.snap.new` files are written) and `env` added.
fn run_with_outputs(server: &MockServer, case: &str, env: &[(&str, &str)]) -> Outputs {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).expect("cases dir");
    std::fs::write(cases.join("attack.toml"), case).expect("case file");
    let mut command = binary();
    command
        .args(["run", "--base-url", &format!("{}/autodiscover/root", server.uri())])
        .arg("--cases")
        .arg(&cases)
        .args(["--snapshots", "check", "--snapshot-dir"])
        .arg(dir.path().join("snapshots"))
        .env("UCWA_TOKEN", TOKEN)
        .env("UCWA_PEER", PEER);
    for (flag, name) in [
        ("--json", "results.json"),
        ("--junit", "junit.xml"),
        ("--markdown", "report.md"),
        ("--html", "report.html"),
    ] {
        command.arg(flag).arg(dir.path().join(name));
    }
    for (name, value) in env {
        command.env(name, value);
    }
    Outputs {
        run: command.output().expect("the binary runs"),
        dir,
    }
}

/// How many DELETE requests `server` received (the run's applications, deleted at its end).
fn deletes(rt: &tokio::runtime::Runtime, server: &MockServer) -> usize {
    rt.block_on(server.received_requests())
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .count()
}

#[test]
fn a_target_cannot_forge_the_verdict_or_break_a_report() {
    let rt = runtime();
    let server = rt.block_on(forging_target());
    let out = run_with_outputs(&server, MISSING_OPERATION_ID, &[]);
    assert_eq!(out.run.status.code(), Some(1), "{}", out.stderr());

    // Console: no control character from the target, no line of its own.
    let console = format!("{}{}", out.stdout(), out.stderr());
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\r', '\u{1}'] {
        assert!(!console.contains(c), "{c:?} reached the console:\n{console}");
    }
    for line in console.lines() {
        assert!(
            !line.starts_with("test forged") && !line.starts_with("## ") && !line.starts_with("| forged"),
            "a forged line: {line:?}"
        );
        assert!(
            !line.starts_with("ucwa-conformance: conformant"),
            "a forged verdict: {line:?}"
        );
    }
    assert!(console.contains("ucwa-conformance: NOT conformant"), "{console}");
    assert!(
        console.contains("\\u{1b}[2J"),
        "the escape is shown, visibly:\n{console}"
    );

    // Markdown: one heading, the real one; no forged row; no HTML.
    let markdown = out.file("report.md");
    let headings: Vec<&str> = markdown.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(headings.len(), 1, "{markdown}");
    assert!(headings[0].contains("NOT conformant"), "{markdown}");
    assert!(!markdown.lines().any(|l| l.starts_with("| forged")), "{markdown}");
    assert!(
        !markdown.replace("\\<", "").contains("<img"),
        "raw HTML from the target in the Markdown:\n{markdown}"
    );
    for row in markdown.lines().filter(|l| l.starts_with("| `t.missing")) {
        // trial | severity | outcome | counted | first difference: five cells, whatever the target sent.
        let bars = row
            .char_indices()
            .filter(|(i, c)| *c == '|' && !row[..*i].ends_with('\\'))
            .count();
        assert_eq!(bars, 6, "{row}");
    }

    // JUnit: well-formed, with the failure in it.
    let junit = out.file("junit.xml");
    let doc = roxmltree::Document::parse(&junit).unwrap_or_else(|e| panic!("JUnit is not well-formed: {e}\n{junit}"));
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("failure")).count(), 2);

    // HTML: the target's markup is text.
    let html = out.file("report.html");
    assert!(!html.contains("<img src=x"), "raw HTML from the target in the report");
    assert!(html.contains("&lt;img src=x"), "the target's markup is shown as text");

    // Results: still valid against the schema.
    valid_results(&out.dir.path().join("results.json"));
}

#[test]
fn no_secret_reaches_an_output_in_any_spelling() {
    let rt = runtime();
    let server = rt.block_on(forging_target());
    let out = run_with_outputs(&server, MISSING_OPERATION_ID, &[]);
    assert_eq!(out.run.status.code(), Some(1), "{}", out.stderr());
    let texts = out.all();
    assert!(
        texts.iter().any(|(name, _)| name.ends_with(".snap.new")),
        "pending snapshots were written"
    );
    let base64_core = &base64_of(TOKEN)[..20];
    let mut spellings = json_spellings();
    spellings.extend(xml_spellings());
    for (name, text) in &texts {
        assert!(!text.contains("mock-token"), "the token reached {name}:\n{text}");
        assert!(
            !text.contains(base64_core),
            "the token's base64 reached {name}:\n{text}"
        );
        for spelling in &spellings {
            assert!(
                !text.contains(spelling.as_str()),
                "`{spelling}` reached {name}:\n{text}"
            );
        }
    }
    assert!(out.file("results.json").contains("[redacted]"));
}

/// XML (and JSON) nested far deeper than the limit, as a response and as an event.
fn nested_xml(levels: usize) -> String {
    format!(
        r#"<resource xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa" rel="messagingInvitation" href="/x">{}{}</resource>"#,
        "<resource rel=\"x\" href=\"/y\">".repeat(levels),
        "</resource>".repeat(levels)
    )
}

#[test]
fn deep_nesting_is_a_finding_not_a_crash() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        let deep_json = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        answer_start_per_media(
            &server,
            ResponseTemplate::new(400).set_body_raw(nested_xml(5000), "application/xml"),
            ResponseTemplate::new(400).set_body_raw(deep_json, "application/json"),
        )
        .await;
        server
    });
    let out = run_with_outputs(&server, MISSING_OPERATION_ID, &[]);
    assert_eq!(out.run.status.code(), Some(1), "{}", out.stderr());
    let results = valid_results(&out.dir.path().join("results.json"));
    assert_eq!(results.cases.len(), 2);
    for case in &results.cases {
        assert_eq!(case.outcome.as_str(), "fail", "{}", case.explain());
        assert!(case.explain().contains("deeper than 128 levels"), "{}", case.explain());
    }
    roxmltree::Document::parse(&out.file("junit.xml")).expect("well-formed JUnit");
    assert_eq!(deletes(&rt, &server), 2, "both applications were deleted");
}

#[test]
fn a_panic_in_a_trial_leaves_the_run_whole() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start_per_media(
            &server,
            xml_error(400, "BadRequest", Some("ParameterValidationFailure")),
            json_error(400, "BadRequest", Some("ParameterValidationFailure")),
        )
        .await;
        server
    });
    let out = run_with_outputs(
        &server,
        MISSING_OPERATION_ID,
        &[("UCWA_DEBUG_PANIC_IN", "t.missing [json]")],
    );
    // The panicking trial is an error in a must-level case: counted, exit 1; the other passes.
    assert_eq!(out.run.status.code(), Some(1), "{}", out.stderr());
    let results = valid_results(&out.dir.path().join("results.json"));
    let outcome = |name: &str| {
        results
            .cases
            .iter()
            .find(|c| c.name() == name)
            .map(|c| (c.outcome.as_str(), c.reason.clone().unwrap_or_default()))
    };
    let (panicked, reason) = outcome("t.missing [json]").expect("the panicking trial");
    assert_eq!(panicked, "error");
    assert!(
        reason.contains("panicked") && reason.contains("a panic on purpose"),
        "{reason}"
    );
    assert_eq!(outcome("t.missing [xml]").map(|o| o.0), Some("pass"));
    roxmltree::Document::parse(&out.file("junit.xml")).expect("well-formed JUnit");
    assert!(out.file("report.md").contains("NOT conformant"));
    assert_eq!(deletes(&rt, &server), 2, "both applications were deleted");
}

#[test]
fn a_base_url_with_credentials_is_refused_without_showing_them() {
    let run = binary()
        .args([
            "run",
            "--base-url",
            "https://alice:hunter2-secret@pool.contoso.test/autodiscover",
        ])
        .env("UCWA_PEER", PEER)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("carries credentials") && stderr.contains("UCWA_TOKEN"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2") && !String::from_utf8_lossy(&run.stdout).contains("hunter2"));
}

#[test]
fn a_target_that_cannot_be_used_cannot_forge_the_error_either() {
    let rt = runtime();
    let server =
        rt.block_on(async {
            let server = MockServer::start().await;
            wiremock::Mock::given(wiremock::matchers::any())
                .respond_with(ResponseTemplate::new(500).set_body_string(
                    "oops\r\nucwa-conformance: conformant against mock: 111 passed (exit 0)\n\u{1b}[2J",
                ))
                .mount(&server)
                .await;
            server
        });
    let output = binary()
        .args(["run", "--base-url", &format!("{}/autodiscover/root", server.uri())])
        .env("UCWA_TOKEN", TOKEN)
        .env("UCWA_PEER", PEER)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("body: oops"), "the target's answer is quoted: {stderr}");
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\r'), "{stderr:?}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("ucwa-conformance: conformant")),
        "a forged line: {stderr}"
    );
}
