//! What a run leaves behind: the results file, JUnit a JUnit reader loads, HTML and Markdown,
//! diffs that name regressions, baselines that excuse known failures and flag unexpected passes,
//! and no secret in any of it.

use crate::support::{copy_dir, reference_server, runtime, valid_results};
use regex::Regex;
use std::path::Path;
use std::process::Output;
use ucwa_conformance::reference::{self, Mutant};
use ucwa_conformance::report::results;

const PASSWORD: &str = "alice-password";

/// `run` against `server` with the password grant, plus `extra` arguments.
fn run(server: &reference::Running, extra: &[&str]) -> Output {
    crate::support::binary()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("UCWA_TOKEN")
        .env_remove("UCWA_TARGET")
        .env("UCWA_SNAPSHOTS", "off")
        .args(["run", "--skip", "events.", "--base-url", &server.base_url()])
        .args(extra)
        .env("UCWA_USERNAME", "alice@contoso.test")
        .env("UCWA_PASSWORD", PASSWORD)
        .env("UCWA_PEER", "sip:bob@contoso.test")
        .output()
        .expect("runs")
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_run_writes_results_junit_html_and_markdown_and_no_secret_anywhere() {
    let rt = runtime();
    let broken = reference_server(&rt, Some(Mutant::NoLocation));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = |n| path(dir.path(), n);
    let output = run(
        &broken,
        &[
            "--json",
            &out("r.json"),
            "--junit",
            &out("j.xml"),
            "--html",
            &out("r.html"),
            "--markdown",
            &out("r.md"),
            "--snapshots",
            "update",
            "--snapshot-dir",
            &out("snapshots"),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));

    let file = valid_results(Path::new(&out("r.json")));
    assert_eq!(file.schema, results::SCHEMA);
    assert!(file.case_set_digest.starts_with("sha256:"));
    let created = file
        .cases
        .iter()
        .find(|c| c.name() == "start-messaging.created [json]")
        .expect("the trial");
    assert_eq!(created.outcome, ucwa_conformance::judge::verdict::Outcome::Fail);
    assert!(
        created
            .mismatches
            .iter()
            .any(|m| m.what == "header Location" && m.actual == "absent")
    );
    assert!(
        created.exchanges[0]
            .request_text()
            .contains("Authorization: Bearer [redacted]")
    );

    let junit = std::fs::read_to_string(out("j.xml")).expect("junit");
    let report = quick_junit::Report::deserialize_from_str(&junit).expect("a JUnit reader loads it");
    let suite = &report.test_suites[0];
    assert_eq!(suite.test_cases.len(), file.cases.len());
    assert_eq!(suite.failures, file.summary.fail);
    valid_junit(Path::new(&out("j.xml")));
    assert!(
        junit.contains("timestamp=\"") && junit.contains("hostname=\""),
        "{junit}"
    );
    assert!(
        junit.contains("<system-out>severity: must"),
        "a trial's facts in system-out"
    );

    let html = std::fs::read_to_string(out("r.html")).expect("html");
    assert!(html.contains("NOT conformant") && html.contains("start-messaging.created [json]"));
    assert!(html.contains("curl -i -X POST"), "a reproduction command");
    // For a reader: the counted failures first, grouped by cause, each linked to its trial.
    let index = html
        .find("Counted failures, by cause")
        .expect("an index of the failures");
    assert!(
        index < html.find("<h2>Trials</h2>").expect("the trials"),
        "the index comes first"
    );
    assert!(
        html.contains("href=\"#t-start-messaging.created-json\""),
        "links to the trial"
    );
    assert!(html.contains("id=\"t-start-messaging.created-json\""));
    let groups = html.matches("<li><b>").count();
    assert!(
        groups >= 1 && groups < file.summary.counted,
        "{groups} groups for {} failures",
        file.summary.counted
    );
    assert!(html.contains("settings: not strict"), "the run's settings");
    assert!(
        html.contains("exact response"),
        "pretty bodies with the exact bytes one click away"
    );
    let markdown = std::fs::read_to_string(out("r.md")).expect("markdown");
    assert!(
        markdown.contains(
            "| `start-messaging.created [json]` | must | failed | yes | header Location: expected present, got absent |"
        ),
        "{markdown}"
    );

    let leaked_token = Regex::new(r"(cwt|psat)=[^\[]").expect("regex");
    let everything = [
        stdout(&output),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        junit,
        html,
        markdown,
    ]
    .into_iter()
    .chain(std::iter::once(
        std::fs::read_to_string(out("r.json")).unwrap_or_default(),
    ))
    .chain(snapshot_texts(&dir.path().join("snapshots")));
    let texts: Vec<String> = everything.collect();
    assert!(
        texts.len() > 60,
        "the snapshots were written and read ({} texts)",
        texts.len()
    );
    for text in texts {
        assert!(!text.contains(PASSWORD), "the password leaked");
        assert!(
            !leaked_token.is_match(&text),
            "a token leaked: {:?}",
            leaked_token.find(&text)
        );
    }
}

#[test]
fn a_diff_names_the_regression_and_exits_1() {
    let rt = runtime();
    let (good, bad) = (
        reference_server(&rt, None),
        reference_server(&rt, Some(Mutant::Created200)),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = (path(dir.path(), "old.json"), path(dir.path(), "new.json"));
    assert_eq!(run(&good, &["--json", &old]).status.code(), Some(0));
    assert_eq!(run(&bad, &["--json", &new]).status.code(), Some(1));
    let diff = |a: &str, b: &str| {
        crate::support::binary()
            .args(["diff", a, b])
            .output()
            .expect("diff runs")
    };
    let regressed = diff(&old, &new);
    let text = stdout(&regressed);
    assert_eq!(regressed.status.code(), Some(1), "{text}");
    assert!(
        text.contains("| `start-messaging.created [json]` | passed | failed |"),
        "{text}"
    );
    let fixed = diff(&new, &old);
    assert_eq!(fixed.status.code(), Some(0), "{}", stdout(&fixed));
    assert!(stdout(&fixed).contains("### Fixes"));
}

#[test]
fn a_baseline_excuses_known_failures_and_flags_unexpected_passes() {
    let rt = runtime();
    let (good, bad) = (
        reference_server(&rt, None),
        reference_server(&rt, Some(Mutant::NoLocation)),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let baseline = path(dir.path(), "baseline.toml");
    let first = run(&bad, &["--baseline", &baseline, "--update-baseline"]);
    assert_eq!(
        first.status.code(),
        Some(1),
        "the failures are still failures on the run that records them"
    );
    let written = std::fs::read_to_string(&baseline).expect("baseline written");
    assert!(written.contains("case = \"start-messaging.created\""), "{written}");

    let known = run(&bad, &["--baseline", &baseline]);
    let text = stdout(&known);
    assert_eq!(known.status.code(), Some(0), "{text}");
    assert!(
        text.contains("known failure: failing when the baseline was updated on"),
        "{text}"
    );

    let fixed = run(&good, &["--baseline", &baseline]);
    let text = stdout(&fixed);
    assert_eq!(fixed.status.code(), Some(0), "{text}");
    assert!(text.contains("UNEXPECTED PASSES"), "{text}");
    assert!(text.contains("start-messaging.created [json]"), "{text}");

    std::fs::write(
        &baseline,
        written.replace("reason =", "expires = \"2000-01-01\"\nreason ="),
    )
    .expect("expire");
    let expired = run(&bad, &["--baseline", &baseline]);
    assert_eq!(expired.status.code(), Some(1), "an expired entry excuses nothing");
    assert!(stdout(&expired).contains("baseline entry expired: start-messaging.created"));
}

#[test]
fn several_results_files_make_a_vendor_matrix() {
    let rt = runtime();
    let (good, bad) = (
        reference_server(&rt, None),
        reference_server(&rt, Some(Mutant::InvitationIncoming)),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b, html) = (
        path(dir.path(), "a.json"),
        path(dir.path(), "b.json"),
        path(dir.path(), "m.html"),
    );
    run(&good, &["--json", &a]);
    run(&bad, &["--json", &b]);
    let output = crate::support::binary()
        .args(["report", &a, &b, "--html", &html, "--markdown", "-"])
        .output()
        .expect("report runs");
    let markdown = stdout(&output);
    assert_eq!(output.status.code(), Some(0));
    assert!(markdown.contains("vendor matrix"), "{markdown}");
    assert!(
        markdown.contains(&format!(
            "| trial | 127.0.0.1:{} | 127.0.0.1:{} |",
            good.addr.port(),
            bad.addr.port()
        )),
        "{markdown}"
    );
    let row = "| `start-messaging.location-is-invitation [json]` | passed | **failed** |";
    assert!(markdown.contains(row), "{markdown}");
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(
        page.contains("id=\"f-outcome\"") && page.contains("data-spec=\"post.location invitation.resource\""),
        "filters"
    );
}

#[test]
fn a_drifted_snapshot_is_shown_in_check_mode_and_fails_in_strict_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"), dir.path());
    let snap = dir.path().join("reference/start-messaging.created@1-json.snap");
    let text = std::fs::read_to_string(&snap).expect("the committed snapshot");
    std::fs::write(&snap, text.replace("status: 201", "status: 299")).expect("drift it");
    let run = |mode: &str| {
        crate::support::binary()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("CI", "true")
            .env_remove("UCWA_BASE_URL")
            .args([
                "run",
                "--exact",
                "start-messaging.created [json]",
                "--snapshots",
                mode,
                "--snapshot-dir",
            ])
            .arg(dir.path())
            .output()
            .expect("runs")
    };
    let checked = run("check");
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    assert!(
        stdout(&checked).contains("snapshot changes (1: 0 new, 1 changed;"),
        "{}",
        stdout(&checked)
    );
    // CI=true (insta would write nothing): the pending file is there all the same.
    assert!(
        dir.path()
            .join("reference/start-messaging.created@1-json.snap.new")
            .exists(),
        "no pending snapshot under CI=true"
    );
    let strict = run("strict");
    assert_eq!(strict.status.code(), Some(1), "{}", stdout(&strict));
    assert!(
        stdout(&strict).contains("snapshot start-messaging.created@1-json (changed)"),
        "{}",
        stdout(&strict)
    );
    assert!(
        stdout(&strict).contains("-status: 299") && stdout(&strict).contains("+status: 201"),
        "the strict failure shows the unified diff:\n{}",
        stdout(&strict)
    );
}

/// The text of every snapshot written under `dir`.
fn snapshot_texts(dir: &Path) -> Vec<String> {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            texts.extend(snapshot_texts(&entry.path()));
        } else {
            texts.push(std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    texts
}

/// Validates a JUnit file against Jenkins' `junit-10.xsd` (tests/schemas, from the JUnit
/// plugin's schema as pytest's test suite ships it) with xmllint (`.ci/run` installs it).
/// Without xmllint (outside CI), says so and checks nothing.
pub fn valid_junit(path: &Path) {
    if !crate::support::tool("xmllint", "apt-get install -y libxml2-utils") {
        return;
    }
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit-10.xsd");
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(path)
        .output()
        .expect("xmllint runs (apt-get install -y libxml2-utils; .ci/run does)");
    assert!(
        output.status.success(),
        "{} does not validate against junit-10.xsd:\n{}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_server_broken_only_in_me_reads_conformant_for_start_messaging_and_can_gate_on_it() {
    let rt = runtime();
    let broken = reference_server(&rt, Some(Mutant::MakeMeAvailable200));
    let dir = tempfile::tempdir().expect("temp dir");
    let json = path(dir.path(), "r.json");
    let output = run(&broken, &["--json", &json]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let text = stdout(&output);
    let line = text
        .lines()
        .find(|l| l.starts_with("ucwa-conformance: by area: "))
        .unwrap_or_else(|| panic!("a per-area line: {text}"));
    assert!(line.contains("startMessaging: conformant"), "{line}");
    assert!(line.contains("me: NOT conformant ("), "{line}");
    let file = valid_results(Path::new(&json));
    let word = |area: &str| {
        file.areas
            .iter()
            .find(|a| a.area == area)
            .map(|a| a.verdict)
            .unwrap_or_else(|| panic!("{area} in {:?}", file.areas))
    };
    use ucwa_conformance::judge::area_verdict::AreaWord;
    assert_eq!(word("startMessaging"), AreaWord::Conformant);
    assert_eq!(word("me"), AreaWord::NotConformant);
    assert_eq!(file.areas[0].area, "startMessaging", "the inventory's order");

    // A vendor that implements startMessaging gates on it alone.
    let gated = run(&broken, &["--area", "startMessaging", "--json", &json]);
    assert_eq!(gated.status.code(), Some(0), "{}", stdout(&gated));
    let file = valid_results(Path::new(&json));
    assert_eq!(file.selection.areas, vec!["startMessaging".to_string()]);
    assert!(file.cases.iter().all(|c| c.areas.iter().any(|a| a == "startMessaging")));
}
