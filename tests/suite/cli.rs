//! The binary's contract: libtest lines, exit codes 0-4, targets from flags, environment and
//! profile files, and no secret in anything it prints.

use crate::support::*;
use std::process::{Command, Output};
use ucwa_conformance::reference::{self, Config};
use wiremock::ResponseTemplate;

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The libtest line of trial `name` (names are padded to align), if there is one.
fn line<'a>(stdout: &'a str, name: &str) -> Option<&'a str> {
    stdout.lines().find(|l| {
        l.strip_prefix("test ")
            .and_then(|r| r.strip_prefix(name))
            .is_some_and(|r| r.starts_with(' '))
    })
}

fn passed(stdout: &str, name: &str) -> bool {
    line(stdout, name).is_some_and(|l| l.ends_with("... ok"))
}

#[test]
fn run_without_a_target_uses_the_embedded_reference_and_passes() {
    let output = binary()
        .args(["run", "--skip", "entity-too-large"])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(passed(&stdout, "start-messaging.created [json]"), "{stdout}");
    assert!(passed(&stdout, "start-messaging.created [xml]"), "{stdout}");
    assert!(
        stdout.contains("ucwa-conformance: conformant against reference"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("alice-password") && !stdout.contains("cwt="),
        "a secret leaked:\n{stdout}"
    );
}

#[test]
fn a_broken_case_file_exits_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bad.toml"),
        "id = \"a.b\"\ntitle = \"t\"\nspec = [\"x\"]\nseverity = \"must\"\n[[step]]\nmethod = 5\n",
    )
    .expect("write");
    let output = binary()
        .args(["run", "--cases"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.toml:6:10"), "{stderr}");
}

#[test]
fn an_unreachable_target_exits_3() {
    let output = binary()
        .args(["run", "--base-url", "http://127.0.0.1:9/root", "--peer", "sip:a@b.test"])
        .output()
        .expect("runs");
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("the target cannot be used"), "{stderr}");
}

#[test]
fn a_filter_that_selects_nothing_exits_4() {
    let output = binary().args(["run", "no-such-case-anywhere"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(4));
}

#[rstest::rstest]
#[case(&["run", "start-messaging.created", "start-messaging.creatd"], "the filter `start-messaging.creatd`", "start-messaging.created")]
#[case(&["list", "--tag", "happy-pth"], "--tag happy-pth", "happy-path")]
#[case(&["run", "--spec", "post.creatd", "start-messaging.created"], "--spec post.creatd", "post.created")]
fn a_filter_that_matches_no_case_exits_4_even_beside_others(
    #[case] args: &[&str],
    #[case] named: &str,
    #[case] nearest: &str,
) {
    let output = binary().args(args).output().expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stdout}{stderr}");
    assert!(stderr.contains(named) && stderr.contains("selects nothing"), "{stderr}");
    assert!(stderr.contains(&format!("did you mean {nearest}")), "{stderr}");
    assert!(!stdout.contains("running"), "nothing ran: {stdout}");
}

#[test]
fn a_missing_peer_is_a_usage_error() {
    let output = binary()
        .args(["run", "--base-url", "http://127.0.0.1:9/root"])
        .output()
        .expect("runs");
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("UCWA_PEER"), "{stderr}");
}

#[test]
fn a_non_conformant_server_exits_1_and_shows_the_difference() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        answer_start(&server, ResponseTemplate::new(200)).await;
        server
    });
    let output = binary()
        .args(["run", "--exact", "start-messaging.created [json]"])
        .env("UCWA_BASE_URL", format!("{}/autodiscover/root", server.uri()))
        .env("UCWA_TOKEN", TOKEN)
        .env("UCWA_PEER", PEER)
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        line(&stdout, "start-messaging.created [json]").is_some_and(|l| l.ends_with("... FAILED")),
        "{stdout}"
    );
    assert!(stdout.contains("expected: 201"), "{stdout}");
    assert!(!stdout.contains("mock-token"), "the token leaked:\n{stdout}");
}

/// Starts a reference server on a free port in `rt`.
fn reference_in(rt: &tokio::runtime::Runtime) -> reference::Running {
    rt.block_on(reference::spawn(
        Config::default(),
        "127.0.0.1:0".parse().expect("addr"),
    ))
    .expect("listens")
}

#[test]
fn base_url_with_credentials_from_the_environment() {
    let rt = runtime();
    let server = reference_in(&rt);
    let output = binary()
        .args(["run", "--tag", "happy-path", "--base-url", &server.base_url()])
        .env("UCWA_USERNAME", "alice@contoso.test")
        .env("UCWA_PASSWORD", "alice-password")
        .env("UCWA_PEER", "sip:bob@contoso.test")
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(passed(&stdout, "start-messaging.all-inputs [xml]"), "{stdout}");
    // Fault-control cases are skipped: a bare --base-url offers no preconditions.
    assert!(!stdout.contains("alice-password"), "{stdout}");
}

#[test]
fn a_target_profile_offers_faults_and_runs_them() {
    let rt = runtime();
    let server = reference_in(&rt);
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = dir.path().join("reference.toml");
    std::fs::write(
        &profile,
        format!(
            "name = \"local reference\"\nbase_url = \"{}\"\npeer = \"sip:bob@contoso.test\"\nfaults_url = \"{}\"\noffers = [\"fault:TooManyGroups\"]\n[auth]\nusername = \"alice@contoso.test\"\npassword = \"alice-password\"\n",
            server.base_url(),
            server.faults_url()
        ),
    )
    .expect("write");
    let output = binary()
        .args(["run", "--tag", "error-table", "--target"])
        .arg(&profile)
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        passed(&stdout, "start-messaging.error.too-many-groups [xml]"),
        "{stdout}"
    );
    let skipped = line(&stdout, "start-messaging.error.cannot-redirect [json]").unwrap_or_default();
    assert!(
        skipped.ends_with("... ignored (precondition `fault:CannotRedirect` not offered by the target)"),
        "{stdout}"
    );
}

#[test]
fn list_shows_cases_with_their_spec_items() {
    let output = binary().args(["list", "--spec", "error.409"]).output().expect("runs");
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout.contains("start-messaging.error.too-many-groups  [json,xml]  must  error.409.too-many-groups"),
        "{stdout}"
    );
    assert!(!stdout.contains("start-messaging.created"), "{stdout}");
}

#[test]
fn serve_prints_its_url_users_and_peers_serves_and_stops_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    let mut child = binary()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--user",
            "zoe@contoso.test:zoe-pw",
            "--peer",
            "sip:ann@contoso.test=decline",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        let done = line.contains("Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    let text = printed.join("\n");
    assert!(text.contains("user: zoe@contoso.test"), "{text}");
    assert!(text.contains("peer: sip:ann@contoso.test (decline)"), "{text}");
    let base = text
        .lines()
        .find_map(|l| l.split("base URL (autodiscover root): ").nth(1))
        .expect("the base URL is printed")
        .trim()
        .to_string();
    ucwa_conformance::client::install_crypto_provider();
    let root = runtime().block_on(async { reqwest::get(&base).await.expect("root answers").status() });
    assert_eq!(root, 200);
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let status = child.wait().expect("serve exits");
    assert_eq!(status.code(), Some(0), "serve stops cleanly on Ctrl-C");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "stopped"), "{rest:?}");
}

#[test]
fn bench_prints_its_table_and_writes_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("bench.json");
    let output = binary()
        .args([
            "bench",
            "--repeat",
            "1",
            "--samples",
            "1",
            "--history-files",
            "60",
            "--json",
        ])
        .arg(&json)
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("jobs  trials  requests  harness ms"), "{stdout}");
    let figures: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("valid");
    assert_eq!(figures["levels"].as_array().map(Vec::len), Some(3));
    assert_eq!(figures["loading"][1]["files"], 10_000);
    assert!(figures["levels"][2]["ratio"].as_f64().is_some_and(|r| r > 0.0));
    // The history section: 60 builds of the whole corpus's trial count, with the pattern's
    // regressions (trials broken in the latest build) and flips (the last 50 builds).
    let history = &figures["history"];
    assert_eq!(history["files"], 60, "{history}");
    assert!(history["trials"].as_u64().is_some_and(|t| t >= 107), "{history}");
    assert!(history["regressions"].as_u64().is_some_and(|n| n > 0), "{history}");
    assert!(history["flaky"].as_u64().is_some_and(|n| n > 0), "{history}");
    assert!(stdout.contains("history (SQLite): 60 results files"), "{stdout}");
}

#[test]
fn a_refused_anonymous_token_is_exit_3_and_never_printed() {
    let rt = runtime();
    let server = reference_in(&rt);
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = dir.path().join("anon.toml");
    let origin = format!("http://{}", server.addr);
    std::fs::write(
        &profile,
        format!(
            "base_url = \"{}\"\npeer = \"sip:bob@contoso.test\"\n[auth]\nusername = \"alice@contoso.test\"\npassword = \"alice-password\"\n\
             [anonymous]\ndiscover_url = \"{origin}/platformService/discover?anonymousContext=psat%3Dbogus-anon-secret\"\n\
             token = \"psat=bogus-anon-secret\"\ntarget = \"sip:helpdesk@contoso.test\"\n",
            server.base_url()
        ),
    )
    .expect("write");
    let output = binary().args(["run", "--target"]).arg(&profile).output().expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stderr.contains("401"), "{stderr}");
    assert!(
        !stderr.contains("bogus-anon-secret") && !stdout.contains("bogus-anon-secret"),
        "{stderr}"
    );
}

#[test]
fn a_trial_that_passes_on_a_retry_is_flaky_not_failed() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = ucwa_mock(StartLink::Plain).await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .and(wiremock::matchers::path(START_PATH))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        answer_start(
            &server,
            ResponseTemplate::new(201).insert_header("Location", INVITATION_PATH),
        )
        .await;
        server
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let junit = dir.path().join("j.xml");
    let output = binary()
        .args([
            "run",
            "--exact",
            "start-messaging.created [json]",
            "--retries",
            "2",
            "--junit",
        ])
        .arg(&junit)
        .env("UCWA_BASE_URL", format!("{}/autodiscover/root", server.uri()))
        .env("UCWA_TOKEN", TOKEN)
        .env("UCWA_PEER", PEER)
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let flaky = line(&stdout, "start-messaging.created [json]").unwrap_or_default();
    assert!(flaky.contains("FLAKY: passed on attempt 2"), "{stdout}");
    assert!(stdout.contains("1 flaky"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).expect("junit");
    assert!(xml.contains("<flakyFailure"), "{xml}");
}

#[test]
fn completions_and_a_man_page_are_printed() {
    for shell in ["bash", "zsh", "fish"] {
        let output = binary().args(["completions", shell]).output().expect("runs");
        let script = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        assert!(
            script.contains("ucwa-conformance") && script.contains("fail-fast"),
            "{shell}: {script}"
        );
    }
    let man = binary().arg("man").output().expect("runs");
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.contains(".TH ucwa-conformance 1") && page.contains("SUBCOMMANDS"),
        "{page}"
    );
}

#[test]
fn serve_writes_a_profile_with_which_every_trial_runs_and_none_is_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = dir.path().join("reference.toml");
    let mut serve = serve_process(dir.path(), "2000");
    let output = binary().args(["run", "--target"]).arg(&profile).output().expect("runs");
    let _ = Command::new("kill").args(["-INT", &serve.id().to_string()]).status();
    let _ = serve.wait();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let verdict = stdout
        .lines()
        .find(|l| l.starts_with("ucwa-conformance:"))
        .unwrap_or_default();
    assert!(
        verdict.contains(" passed (exit 0)") && !verdict.contains("skipped"),
        "{verdict}"
    );
}

#[test]
fn offers_and_the_fault_url_come_from_flags_and_the_environment() {
    let rt = runtime();
    let server = reference_in(&rt);
    let run = |offers: &[&str], env: Option<&str>| {
        let mut command = binary();
        command
            .args(["run", "--tag", "fault-control", "--base-url", &server.base_url()])
            .args(["--faults-url", &server.faults_url()])
            .args(offers.iter().flat_map(|o| ["--offer", o]))
            .env("UCWA_USERNAME", "alice@contoso.test")
            .env("UCWA_PASSWORD", "alice-password")
            .env("UCWA_PEER", "sip:bob@contoso.test");
        if let Some(list) = env {
            command.env("UCWA_OFFERS", list);
        }
        text(&command.output().expect("runs")).0
    };
    let from_flags = run(&["fault:TooManyGroups", "fault:Unsupported"], None);
    assert!(
        passed(&from_flags, "start-messaging.error.conflict-no-subcode [json]"),
        "{from_flags}"
    );
    assert!(
        passed(&from_flags, "start-messaging.error.too-many-groups [xml]"),
        "{from_flags}"
    );
    let from_env = run(&[], Some("fault:CannotRedirect,fault:Unsupported"));
    assert!(
        passed(&from_env, "start-messaging.error.cannot-redirect [json]"),
        "{from_env}"
    );
    assert!(
        !passed(&from_env, "start-messaging.error.too-many-groups [json]"),
        "{from_env}"
    );
    let bad = binary()
        .args(["run", "--base-url", &server.base_url(), "--offer", "fault:Nonsense"])
        .env("UCWA_PEER", "sip:bob@contoso.test")
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad).1.contains("unknown precondition `fault:Nonsense`"),
        "{}",
        text(&bad).1
    );
}

#[test]
fn the_binary_carries_its_corpus_and_runs_the_whole_of_it_from_any_directory() {
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let copy = elsewhere.path().join("ucwa-conformance");
    copy_binary(&copy);
    let list = crate::support::scrubbed(&copy)
        .arg("list")
        .current_dir(elsewhere.path())
        .output()
        .expect("lists");
    let stdout = String::from_utf8_lossy(&list.stdout);
    assert_eq!(list.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("corpus: built-in (sha256:"), "{stdout}");
    let json = elsewhere.path().join("r.json");
    let run = crate::support::scrubbed(&copy)
        .args(["run", "--snapshots", "check", "--json"])
        .arg(&json)
        .current_dir(elsewhere.path())
        .env("CI", "true")
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(0), "{stdout}\n{stderr}");
    let results = std::fs::read_to_string(&json).expect("results");
    assert!(results.contains("\"corpus\": \"built-in\""), "{results}");
    // The embedded reference's own snapshots travel in the binary: a first run in an empty
    // directory matches them and writes no pending snapshot.
    let verdict = stdout
        .lines()
        .find(|l| l.starts_with("ucwa-conformance:"))
        .unwrap_or_default();
    assert!(
        verdict.contains("conformant against reference") && verdict.contains(" passed (exit 0)"),
        "{verdict}"
    );
    assert!(!stdout.contains("snapshot changes"), "{stdout}");
    assert!(
        !elsewhere.path().join("snapshots").exists(),
        "a first run wrote snapshots it need not"
    );
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::io::Read as _;
    // More output than a pipe holds (64 KiB), so writing goes on after the reader left.
    let dir = tempfile::tempdir().expect("dir");
    for n in 0..2000 {
        let case = format!(
            "id = \"g.case-{n}\"\ntitle = \"a generated case with a title long enough to fill the pipe\"\n\
             spec = [\"post.created\"]\nseverity = \"must\"\n[[step]]\nmethod = \"POST\"\nrel = \"startMessaging\"\n\
             body = {{ operationId = \"{{{{operation_id}}}}\", to = \"{{{{peer}}}}\" }}\nexpect.status = 201\n"
        );
        std::fs::write(dir.path().join(format!("c{n}.toml")), case).expect("case file");
    }
    let mut child = binary()
        .arg("list")
        .arg("--cases")
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    // Read one line, then close the pipe, as `list | head -1` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("a first line");
    drop(stdout);
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_report_to_standard_output_moves_the_console_to_standard_error() {
    let output = binary()
        .args(["run", "start-messaging.created", "--json", "-"])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let file: serde_json::Value = serde_json::from_str(&stdout).expect("standard output is the results file only");
    assert_eq!(file["verdict"]["is"], "conformant");
    assert!(stderr.contains("test start-messaging.created [json]"), "{stderr}");
    let twice = binary()
        .args(["run", "start-messaging.created", "--json", "-", "--junit", "-"])
        .output()
        .expect("runs");
    assert_eq!(twice.status.code(), Some(2));
}

#[test]
fn libtest_json_has_started_events_and_the_real_filtered_out() {
    let output = binary()
        .args(["run", "start-messaging.created", "--format", "json"])
        .output()
        .expect("runs");
    let (stdout, _) = text(&output);
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event per line"))
        .collect();
    for name in ["start-messaging.created [json]", "start-messaging.created [xml]"] {
        let position = |event: &str| {
            events
                .iter()
                .position(|e| e["name"] == name && e["event"] == event)
                .unwrap_or_else(|| panic!("no {event} event for {name}: {stdout}"))
        };
        assert!(position("started") < position("ok"), "{stdout}");
    }
    let listed = binary().args(["list", "--format", "json"]).output().expect("lists");
    let trials = String::from_utf8_lossy(&listed.stdout).lines().count();
    let last = events.last().expect("a closing event");
    assert_eq!(last["filtered_out"], trials - 2, "{last}");
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&listed.stdout).lines().next().expect("a trial")).expect("JSON");
    for key in ["name", "id", "media", "severity", "spec", "tags", "title"] {
        assert!(!first[key].is_null(), "{key} in {first}");
    }
}

#[test]
fn a_baseline_must_exist_and_name_known_cases() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("missing.toml");
    let output = binary()
        .args(["run", "start-messaging.created", "--baseline"])
        .arg(&missing)
        .output()
        .expect("runs");
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("does not exist") && stderr.contains("--update-baseline"),
        "{stderr}"
    );

    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[[known]]\ncase = \"start-messaging.creatd\"\nreason = \"r\"\n").expect("write");
    let output = binary()
        .args(["run", "start-messaging.created", "--baseline"])
        .arg(&typo)
        .output()
        .expect("runs");
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean start-messaging.created"), "{stderr}");

    let created = binary()
        .args(["run", "start-messaging.created", "--update-baseline", "--baseline"])
        .arg(&missing)
        .output()
        .expect("runs");
    assert_eq!(created.status.code(), Some(0), "{}", text(&created).1);
    assert!(missing.exists(), "--update-baseline creates it");
}

#[test]
fn help_stands_alone_man_pages_per_subcommand_and_an_example_profile() {
    let help = binary().arg("--help").output().expect("help");
    let (stdout, _) = text(&help);
    for words in ["Exit status:", "130", "Examples:", "UCWA_TOKEN", "profile --example"] {
        assert!(stdout.contains(words), "--help lacks {words}:\n{stdout}");
    }
    let run_help = binary().args(["run", "--help"]).output().expect("run help");
    assert!(text(&run_help).0.contains("Exit status:"));
    assert!(
        text(&run_help).0.contains("profile --example"),
        "--target's help names it"
    );

    let dir = tempfile::tempdir().expect("dir");
    let man = binary().arg("man").arg("--dir").arg(dir.path()).output().expect("man");
    assert_eq!(man.status.code(), Some(0), "{}", text(&man).1);
    for page in [
        "ucwa-conformance.1",
        "ucwa-conformance-run.1",
        "ucwa-conformance-merge.1",
    ] {
        let roff = std::fs::read_to_string(dir.path().join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        for section in [
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH EXAMPLES",
            "UCWA_PASSWORD",
        ] {
            assert!(roff.contains(section), "{page} lacks {section}");
        }
    }

    // Every page another page names is written (history's own subcommands, `help` too).
    let written: Vec<String> = std::fs::read_dir(dir.path())
        .expect("the pages")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let reference = regex::Regex::new(r"(ucwa\\-conformance[a-z\\-]*)\(1\)").expect("regex");
    for page in &written {
        let roff = std::fs::read_to_string(dir.path().join(page)).expect("a page");
        for named in reference.captures_iter(&roff) {
            let file = format!("{}.1", named[1].replace('\\', ""));
            assert!(written.contains(&file), "{page} names {file}, which is not written");
        }
        assert!(
            !roff.contains("README"),
            "{page} points at a README an installed binary lacks"
        );
    }
    assert!(
        written.contains(&"ucwa-conformance-history-add.1".to_string()),
        "{written:?}"
    );
    // Each page has its own command's exit status and examples.
    let page = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("a page");
    let diff = page("ucwa-conformance-diff.1");
    assert!(diff.contains("a regression") && !diff.contains("130"), "{diff}");
    assert!(
        !diff.contains("ucwa-conformance run --target"),
        "run's examples on diff's page"
    );
    assert!(page("ucwa-conformance-run.1").contains("130"));
    assert!(page("ucwa-conformance-verify.1").contains("--require-complete"));
    assert!(page("ucwa-conformance-history-add.1").contains("history add r.json"));

    let profile = binary().args(["profile", "--example"]).output().expect("profile");
    let path = dir.path().join("pool.toml");
    std::fs::write(&path, &profile.stdout).expect("write");
    let overrides = ucwa_conformance::under_test::Overrides {
        password: Some(ucwa_conformance::under_test::secret::Secret::new(
            "from-the-environment",
        )),
        ..Default::default()
    };
    let target = ucwa_conformance::under_test::from_file(&path, overrides)
        .unwrap_or_else(|e| panic!("the example profile is a valid profile: {e}"));
    assert_eq!(target.name, "contoso-pool");
}

#[test]
fn bash_completes_subcommand_options_and_values() {
    let script = binary().args(["completions", "bash"]).output().expect("completions");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ucwa-conformance.bash");
    std::fs::write(&path, &script.stdout).expect("write");
    // What bash does on TAB: the completion function with the words so far.
    let complete = |words: &[&str]| -> Vec<String> {
        let line = words.join(" ");
        let program = format!(
            "source {}\nCOMP_WORDS=({line})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n\
             _ucwa__conformance ucwa-conformance '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display(),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let output = std::process::Command::new("bash")
            .arg("-c")
            .arg(&program)
            .output()
            .expect("bash runs");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let options = complete(&["ucwa-conformance", "run", "--"]);
    for option in ["--base-url", "--json", "--partition", "--baseline"] {
        assert!(
            options.iter().any(|o| o == option),
            "run --<TAB> lacks {option}: {options:?}"
        );
    }
    let values = complete(&["ucwa-conformance", "run", "--snapshots", ""]);
    assert!(values.iter().any(|v| v == "strict"), "--snapshots <TAB>: {values:?}");
    let subcommands = complete(&["ucwa-conformance", "me"]);
    assert!(subcommands.iter().any(|s| s == "merge"), "{subcommands:?}");
    // Secrets come from the environment only: their hidden flags are never offered.
    assert!(
        !options.iter().any(|o| o.contains("from-env-only")),
        "run --<TAB> offers a hidden flag: {options:?}"
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = binary().args(["completions", shell]).output().expect("completions");
        let script = String::from_utf8_lossy(&script.stdout);
        assert!(
            !script.contains("from-env-only"),
            "{shell} completion offers a hidden flag"
        );
    }
}

#[rstest::rstest]
#[case(&[], &[], false)]
#[case(&["--color", "always"], &[], true)]
#[case(&[], &[("CLICOLOR_FORCE", "1")], true)]
#[case(&[], &[("UCWA_COLOR", "always")], true)]
#[case(&["--color", "never"], &[("CLICOLOR_FORCE", "1")], false)]
#[case(&[], &[("NO_COLOR", "1")], false)]
fn colour_follows_the_flag_and_the_conventions(
    #[case] args: &[&str],
    #[case] env: &[(&str, &str)],
    #[case] coloured: bool,
) {
    let mut command = binary();
    command.args(["run", "start-messaging.created"]).args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("runs");
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout.contains('\u{1b}'), coloured, "{stdout:?}");
    assert!(stdout.contains("conformant"), "{stdout}");
}
