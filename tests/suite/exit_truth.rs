//! Exit codes that never lie: a closed pipe does not end a run, and a target that dies mid-run
//! is exit 3 (the harness could not finish), never "NOT conformant" (the vendor failed).

use crate::support::*;
use std::process::{Command, Stdio};
use ucwa_conformance::judge::run_verdict::{RunVerdict, StopKind};
use ucwa_conformance::reference::Mutant;

#[test]
fn a_run_piped_into_head_keeps_its_exit_code_and_writes_its_reports() {
    let rt = runtime();
    let broken = reference_server(&rt, Some(Mutant::NoLocation));
    let dir = tempfile::tempdir().expect("dir");
    let junit = dir.path().join("j.xml");
    let json = dir.path().join("r.json");
    // GitHub's default shell: a step that trims its log with `| head` must stay red.
    let script = format!(
        "\"$BIN\" run --skip events. --base-url '{}' --junit '{}' --json '{}' | head -3",
        broken.base_url(),
        junit.display(),
        json.display()
    );
    let output = Command::new("bash")
        .args(["-o", "pipefail", "-c", &script])
        .env("BIN", env!("CARGO_BIN_EXE_ucwa-conformance"))
        .env("UCWA_SNAPSHOTS", "off")
        .env("UCWA_USERNAME", "alice@contoso.test")
        .env("UCWA_PASSWORD", "alice-password")
        .env("UCWA_PEER", "sip:bob@contoso.test")
        .env_remove("UCWA_TARGET")
        .env_remove("UCWA_TOKEN")
        .output()
        .expect("bash runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let file = valid_results(&json);
    assert!(
        matches!(file.verdict, RunVerdict::NotConformant { .. }),
        "{:?}",
        file.verdict
    );
    let junit = std::fs::read_to_string(&junit).expect("the JUnit file was written");
    assert!(junit.contains("<failure"), "{junit}");
    assert_eq!(broken.application_count(), 0, "the run's applications were deleted");
}

#[test]
fn a_target_killed_mid_run_is_exit_3_with_its_trials_kept_and_errors_apart() {
    let dir = tempfile::tempdir().expect("dir");
    let mut server = serve_process(dir.path(), "2000");
    let json = dir.path().join("r.json");
    let junit = dir.path().join("j.xml");
    let run = binary()
        .args(["run", "--target"])
        .arg(dir.path().join("reference.toml"))
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    server.kill().expect("kills serve");
    let _ = server.wait();
    let output = run.wait_with_output().expect("ends");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
    let verdict = stdout
        .lines()
        .find(|l| l.starts_with("ucwa-conformance: STOPPED"))
        .unwrap_or_else(|| panic!("a STOPPED verdict line: {stdout}"));
    assert!(verdict.contains("the target stopped answering"), "{verdict}");
    assert!(verdict.contains("Connection refused"), "names what was seen: {verdict}");
    assert!(!stdout.contains("NOT conformant"), "{stdout}");
    let file = valid_results(&json);
    assert!(
        matches!(
            file.verdict,
            RunVerdict::Stopped {
                kind: StopKind::TargetSilent,
                ..
            }
        ),
        "{:?}",
        file.verdict
    );
    assert!(
        file.summary.pass > 0,
        "the trials that ran are kept: {:?}",
        file.summary
    );
    assert!(file.summary.not_run > 0, "{:?}", file.summary);
    assert_eq!(
        file.summary.fail, 0,
        "nothing is blamed on the dead target: {:?}",
        file.summary
    );
    for area in &file.areas {
        assert_eq!(area.failed, 0, "{area:?}");
        assert!(!area.conformant, "{area:?}");
    }
    assert!(std::fs::read_to_string(&junit).is_ok(), "JUnit written");
}

/// Standard output and standard error as text.
fn text(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_run_that_mostly_waited_says_which_option_shortens_it() {
    let dir = tempfile::tempdir().expect("dir");
    let profile = dir.path().join("reference.toml");
    let mut serve = serve_process(dir.path(), "6000");
    let output = binary()
        .args(["run", "events.completed.no-answer", "--media", "json", "--target"])
        .arg(&profile)
        .output()
        .expect("runs");
    let _ = serve.kill();
    let _ = serve.wait();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("waiting for events") && stdout.contains("--invitation-timeout-ms 2000"),
        "{stdout}"
    );
}
