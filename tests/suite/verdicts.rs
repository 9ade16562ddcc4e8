//! One verdict from trial to every report: the results file and its schema, honest diffs, clean
//! JSON on standard output, outputs checked before the run, and graceful stops on SIGINT and
//! SIGTERM that write every output and delete the run's applications.

use crate::support::{binary, runtime, valid_results};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use ucwa_conformance::judge::verdict::Outcome;
use ucwa_conformance::reference::{self, Config};
use ucwa_conformance::report::results::{self, Summary};

fn server(rt: &tokio::runtime::Runtime, config: Config) -> reference::Running {
    rt.block_on(reference::spawn(config, "127.0.0.1:0".parse().expect("addr")))
        .expect("listens")
}

/// `run` against `server` with the password grant and every peer.
fn run_against(server: &reference::Running) -> std::process::Command {
    let mut command = binary();
    command
        .args(["run", "--base-url", &server.base_url()])
        .env("UCWA_USERNAME", "alice@contoso.test")
        .env("UCWA_PASSWORD", "alice-password")
        .env("UCWA_PEER", "sip:bob@contoso.test")
        .env("UCWA_PEER_IGNORE", "sip:dave@contoso.test");
    command
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_committed_schema_is_the_one_the_types_generate() {
    let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/results-2.json"))
        .expect("schema/results-2.json is committed");
    assert!(
        committed == results::json_schema(),
        "schema/results-2.json is stale: regenerate it with `cargo run -- schema > schema/results-2.json`"
    );
}

#[test]
fn a_diff_of_runs_that_differ_only_by_should_level_deviations_exits_0() {
    let rt = runtime();
    let good = server(&rt, Config::default());
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.json");
    let output = run_against(&good)
        .args(["--skip", "events.", "--json"])
        .arg(&old)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let mut file = valid_results(&old);
    let mut turned = 0;
    for case in file.cases.iter_mut().filter(|c| c.severity.as_str() == "should") {
        case.outcome = Outcome::ShouldDeviation;
        turned += 1;
    }
    assert!(turned > 3, "the corpus has should-level cases");
    file.summary = Summary::of(&file.cases, false);
    file.summary.conformant = file.verdict.is_conformant();
    let new = dir.path().join("new.json");
    std::fs::write(&new, results::to_json(&file)).expect("write");
    let diff = |strict: bool| {
        let mut command = binary();
        command.arg("diff").arg(&old).arg(&new);
        if strict {
            command.arg("--strict");
        }
        command.output().expect("diff runs")
    };
    let lenient = diff(false);
    assert_eq!(lenient.status.code(), Some(0), "{}", text(&lenient));
    let report = text(&lenient);
    assert!(report.contains("**0 regressions**"), "{report}");
    assert!(
        report.contains(&format!("{turned} new should-level deviations")),
        "{report}"
    );
    let strict = diff(true);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
    assert!(
        text(&strict).contains(&format!("**{turned} regressions**")),
        "{}",
        text(&strict)
    );
}

#[test]
fn a_diff_ignores_ids_that_only_differ_by_value() {
    let rt = runtime();
    let (a, b) = (server(&rt, Config::default()), server(&rt, Config::default()));
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for (s, path) in [(&a, &old), (&b, &new)] {
        let output = run_against(s)
            .args(["start-messaging.created", "--json"])
            .arg(path)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let diff = binary().arg("diff").arg(&old).arg(&new).output().expect("diff runs");
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    assert!(text(&diff).contains("0 changed responses"), "{}", text(&diff));
}

#[test]
fn every_stdout_line_of_format_json_is_json_and_the_summary_goes_to_stderr() {
    let output = binary()
        .args(["run", "--format", "json", "--skip", "events."])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(events[0]["type"], "suite");
    assert_eq!(events[0]["event"], "started");
    let last = events.last().expect("a final event");
    assert_eq!(
        (last["type"].as_str(), last["event"].as_str()),
        (Some("suite"), Some("ok"))
    );
    assert_eq!(last["exit_code"], 0);
    let trials: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["type"] == "test" && e["event"] != "started")
        .collect();
    assert_eq!(
        trials.len() as u64,
        events[0]["test_count"].as_u64().unwrap_or_default()
    );
    let started = events
        .iter()
        .filter(|e| e["event"] == "started" && e["type"] == "test")
        .count();
    assert_eq!(started, trials.len(), "one started event per trial");
    for t in &trials {
        for field in ["name", "outcome", "severity", "media", "duration_ms", "counts"] {
            assert!(!t[field].is_null(), "no `{field}` in {t}");
        }
    }
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("ucwa-conformance: conformant against reference"),
        "{}",
        text(&output)
    );
    let leaked_token = regex::Regex::new(r"(cwt|psat)=[^\[]").expect("regex");
    assert!(!text(&output).contains("alice-password") && !leaked_token.is_match(&text(&output)));
}

#[test]
fn an_output_in_a_missing_directory_is_refused_before_any_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let output = binary()
        .args(["run", "--base-url", "http://127.0.0.1:9/root", "--junit"])
        .arg(dir.path().join("missing/junit.xml"))
        .env("UCWA_TOKEN", "cwt=x")
        .env("UCWA_PEER", "sip:b@c")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("does not exist"), "{}", text(&output));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[rstest::rstest]
#[case::old_schema(r#"{"schema":"ucwa-conformance/results/1","cases":[]}"#, "Regenerate it with")]
#[case::unknown_schema(
    r#"{"schema":"ucwa-conformance/results/9"}"#,
    "this version of ucwa-conformance reads"
)]
#[case::not_ours(r#"{"name":"x"}"#, "not a ucwa-conformance results file")]
#[case::not_json("<xml/>", "not JSON")]
fn a_results_file_that_is_not_ours_exits_2_naming_it(#[case] content: &str, #[case] words: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("r.json");
    std::fs::write(&path, content).expect("write");
    for args in [vec!["diff"], vec!["report"], vec!["coverage", "--results"]] {
        let mut command = binary();
        command.args(&args).arg(&path);
        if args[0] == "diff" {
            command.arg(&path);
        }
        let output = command.output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&path.display().to_string()) && stderr.contains(words),
            "{args:?}: {stderr}"
        );
    }
}

/// Starts `command`, waits until a line of its standard output satisfies `ready` (or `patience`
/// passes), sends `signal`, and returns its output and how long it took to exit after the signal.
fn signalled(
    mut command: std::process::Command,
    signal: &str,
    ready: impl Fn(&str) -> bool,
    patience: Duration,
) -> (Output, Duration) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line.clone());
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    });
    let deadline = Instant::now() + patience;
    while let Ok(line) = receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if ready(&line) {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let mut output = child.wait_with_output().expect("exits");
    let after = sent.elapsed();
    output.stdout = reader.join().expect("reader").into_bytes();
    (output, after)
}

#[rstest::rstest]
#[case::sigint("-INT", 130)]
#[case::sigterm("-TERM", 143)]
fn a_signal_during_the_run_writes_every_output_and_deletes_the_applications(#[case] signal: &str, #[case] code: i32) {
    let rt = runtime();
    let reference = server(
        &rt,
        Config {
            invitation_timeout: Duration::from_secs(60),
            ..Config::default()
        },
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (json, junit) = (dir.path().join("r.json"), dir.path().join("j.xml"));
    let mut command = run_against(&reference);
    command
        .args(["events.completed.no-answer", "--jobs", "2", "--json"])
        .arg(&json)
        .arg("--junit")
        .arg(&junit);
    let (output, after) = signalled(command, signal, |l| l.starts_with("running "), Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(code), "{}", text(&output));
    assert!(after < Duration::from_secs(10), "the stop took {after:?}");
    let file = valid_results(&json);
    assert!(file.interrupted);
    assert!(!file.summary.conformant);
    assert_eq!(file.summary.not_run, 2, "{:?}", file.summary);
    assert!(
        file.cases
            .iter()
            .all(|c| c.reason.as_deref().is_some_and(|r| r.contains("interrupted by"))),
        "{:?}",
        file.cases
    );
    assert!(
        std::fs::read_to_string(&junit)
            .expect("junit written")
            .contains("<testsuites")
    );
    assert!(text(&output).contains("STOPPED (interrupted by"), "{}", text(&output));
    assert_eq!(reference.application_count(), 0, "the run's applications were deleted");
}

#[test]
fn a_signal_during_sign_in_writes_the_results_with_every_trial_not_run() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    // Accepts and never answers: sign-in hangs until the signal.
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(8).collect();
        std::thread::sleep(Duration::from_secs(60));
        drop(held);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("r.json");
    let mut command = binary();
    command
        .args([
            "run",
            "start-messaging.created",
            "--base-url",
            &format!("http://{addr}/root"),
        ])
        .env("UCWA_TOKEN", "cwt=never-printed-token")
        .env("UCWA_PEER", "sip:b@c")
        .arg("--json")
        .arg(&json);
    let (output, _) = signalled(command, "-INT", |_| false, Duration::from_secs(1));
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
    let file = valid_results(&json);
    assert!(file.interrupted);
    assert_eq!(file.summary.not_run, file.cases.len());
    assert!(!text(&output).contains("never-printed-token"));
}

#[test]
fn jobs_0_is_refused_and_several_filters_are_accepted() {
    let zero = binary().args(["run", "--jobs", "0"]).output().expect("runs");
    assert_eq!(zero.status.code(), Some(2), "{}", text(&zero));
    let two = binary()
        .args(["list", "start-messaging.created", "start-messaging.all-inputs"])
        .output()
        .expect("runs");
    let listed = String::from_utf8_lossy(&two.stdout);
    assert!(
        listed.contains("start-messaging.created  [") && listed.contains("start-messaging.all-inputs  ["),
        "{listed}"
    );
}

#[test]
fn a_filter_that_matches_nothing_names_the_nearest_case_ids() {
    let output = binary().args(["run", "start-messaging.creatd"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert!(
        text(&output).contains("did you mean start-messaging.created"),
        "{}",
        text(&output)
    );
}

#[rstest::rstest]
#[case::fail_fast(&["--fail-fast"], 1, "halted after the first failure (--fail-fast)")]
#[case::max_fail(&["--max-fail", "2"], 2, "halted after 2 failures (--max-fail 2)")]
fn fail_fast_starts_no_trial_after_the_first_counted_failure(
    #[case] flags: &[&str],
    #[case] counted: usize,
    #[case] cause: &str,
) {
    let rt = runtime();
    let broken = server(
        &rt,
        Config {
            mutant: Some(ucwa_conformance::reference::Mutant::NoLocation),
            ..Config::default()
        },
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("r.json");
    let output = run_against(&broken)
        .args(flags)
        .args(["--jobs", "1", "--skip", "events.", "--json"])
        .arg(&json)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let file = valid_results(&json);
    // One job: the trial that reaches the limit is the last one started.
    assert_eq!(file.summary.fail + file.summary.error, counted, "{:?}", file.summary);
    assert!(file.summary.not_run > 0, "{:?}", file.summary);
    assert_eq!(file.stopped.as_deref(), Some(cause));
    assert!(!file.interrupted);
}

#[test]
fn partitions_of_the_embedded_reference_merge_whatever_their_ports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let part = |k: &str| {
        let path = dir.path().join(format!("part-{}.json", k.replace('/', "-")));
        let output = binary()
            .args([
                "run",
                "start-messaging.",
                "--skip",
                "events.",
                "--partition",
                k,
                "--json",
            ])
            .arg(&path)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        path
    };
    let (one, two) = (part("1/2"), part("2/2"));
    let joined = dir.path().join("joined.json");
    let merged = binary()
        .arg("merge")
        .args([&one, &two])
        .arg("--json")
        .arg(&joined)
        .output()
        .expect("merge runs");
    assert_eq!(merged.status.code(), Some(0), "{}", text(&merged));
    let file = valid_results(&joined);
    assert!(file.target.embedded);
    assert_eq!(file.selection.partition, None);
    assert_eq!(file.selection.filters, vec!["start-messaging.".to_string()]);
    let parts = [valid_results(&one), valid_results(&two)];
    assert_eq!(parts[0].selection.partition.map(|p| (p.index, p.count)), Some((1, 2)));
    let sum: u64 = parts.iter().map(|p| p.duration_ms).sum();
    assert_eq!(file.partitions_duration_ms, Some(sum));
    assert!(file.duration_ms >= parts.iter().map(|p| p.duration_ms).max().unwrap_or(0));
}

#[test]
fn partitions_merge_into_one_run_and_mismatched_ones_are_refused() {
    let rt = runtime();
    let reference = server(&rt, Config::default());
    let dir = tempfile::tempdir().expect("temp dir");
    let part = |k: &str| {
        let path = dir.path().join(format!("part-{}.json", k.replace('/', "-")));
        let output = run_against(&reference)
            .args(["--skip", "events.", "--partition", k, "--json"])
            .arg(&path)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        path
    };
    let (one, two) = (part("1/2"), part("2/2"));
    let (joined, junit) = (dir.path().join("joined.json"), dir.path().join("joined.xml"));
    let merge = |files: &[&std::path::Path]| {
        let mut command = binary();
        command
            .arg("merge")
            .args(files)
            .arg("--json")
            .arg(&joined)
            .arg("--junit")
            .arg(&junit);
        command.output().expect("merge runs")
    };
    let merged = merge(&[&one, &two]);
    assert_eq!(merged.status.code(), Some(0), "{}", text(&merged));
    let file = valid_results(&joined);
    let listed = binary()
        .args(["run", "--list", "--skip", "events."])
        .output()
        .expect("lists");
    let expected = String::from_utf8_lossy(&listed.stdout).lines().count();
    assert_eq!(file.cases.len(), expected);
    assert_eq!(file.summary.pass + file.summary.skip, expected, "{:?}", file.summary);
    crate::reports::valid_junit(&junit);
    let report = std::fs::read_to_string(&junit).expect("junit");
    assert_eq!(
        quick_junit::Report::deserialize_from_str(&report).expect("JUnit").tests,
        expected
    );

    let twice = merge(&[&one, &one]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        text(&twice).contains("partition 1/2 is given twice"),
        "{}",
        text(&twice)
    );

    // A lost job: partition 2 of 2 is missing.
    let lost = merge(&[&one]);
    assert_eq!(lost.status.code(), Some(2), "{}", text(&lost));
    assert!(
        text(&lost).contains("partition 2 of 2 is missing") && text(&lost).contains("--allow-partial"),
        "{}",
        text(&lost)
    );
    let partial = binary()
        .arg("merge")
        .arg(&one)
        .arg("--allow-partial")
        .arg("--json")
        .arg(&joined)
        .output()
        .expect("merge runs");
    assert_eq!(partial.status.code(), Some(1), "{}", text(&partial));
    assert!(text(&partial).contains("PARTIAL"), "{}", text(&partial));
    let file = valid_results(&joined);
    assert!(
        matches!(&file.verdict, ucwa_conformance::judge::run_verdict::RunVerdict::Partial { missing, .. } if missing == &[2]),
        "{:?}",
        file.verdict
    );
    assert!(!file.summary.conformant);
    let mut other = valid_results(&two);
    other.case_set_digest = "sha256:another".into();
    let other_path = dir.path().join("other.json");
    std::fs::write(&other_path, results::to_json(&other)).expect("write");
    let mismatched = merge(&[&one, &other_path]);
    assert_eq!(mismatched.status.code(), Some(2));
    assert!(
        text(&mismatched).contains("their case sets differ"),
        "{}",
        text(&mismatched)
    );

    // A partition of another selection (`--media json`) merged with full ones is refused,
    // naming the field and both files.
    let json_only = dir.path().join("json-only.json");
    let output = run_against(&reference)
        .args(["--skip", "events.", "--media", "json", "--partition", "2/2", "--json"])
        .arg(&json_only)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let mixed = merge(&[&one, &json_only]);
    assert_eq!(mixed.status.code(), Some(2), "{}", text(&mixed));
    let said = text(&mixed);
    assert!(
        said.contains("media types differ (json and all)")
            && said.contains("json-only.json")
            && said.contains("part-1-2.json"),
        "{said}"
    );

    // A partition job that exited without writing its file: named as the missing partition.
    let never_written = dir.path().join("part-2-2-lost.json");
    let lost_file = merge(&[&one, &never_written]);
    assert_eq!(lost_file.status.code(), Some(2), "{}", text(&lost_file));
    assert!(
        text(&lost_file).contains("partition 2 of 2 is missing (")
            && text(&lost_file).contains("part-2-2-lost.json does not exist"),
        "{}",
        text(&lost_file)
    );
}

#[test]
fn a_wait_for_an_event_of_an_ended_conversation_ends_at_once() {
    // The peer declines: the conversation is deleted, so its messaging can never connect.
    let rt = runtime();
    let reference = server(&rt, Config::default());
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("declined.toml"),
        r#"
id = "t.declined-never-connects"
title = "messaging of a declined invitation"
spec = ["messaging.connected"]
severity = "should"
[[step]]
method = "POST"
rel = "startMessaging"
body = { operationId = "{{operation_id}}", to = "sip:carol@contoso.test" }
expect.status = 201
capture.invitation = { header = "Location" }
[[step]]
method = "GET"
href = "{{capture:invitation}}"
expect.status = 200
capture.conversation = { link = "conversation" }
[[step]]
wait = { type = "updated", rel = "messaging", sender = "{{capture:conversation}}", where = { state = "Connected" }, within_ms = 45000 }
"#,
    )
    .expect("case");
    let started = std::time::Instant::now();
    let output = run_against(&reference)
        .arg("--cases")
        .arg(dir.path())
        .args(["--media", "json"])
        .output()
        .expect("runs");
    let elapsed = started.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(10), "took {elapsed:?}");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        stdout.contains("none can come: the conversation") && stdout.contains("was deleted"),
        "{stdout}{stderr}"
    );
}
