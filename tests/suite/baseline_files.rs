//! Baselines as users keep them: golden files of the TOML `run --update-baseline` writes (a
//! renewed entry loses its passed date, a kept one keeps its own, a fixed one goes, a new
//! failure is appended, comments stay), and of what a run says of expired and unknown entries.

use crate::support::*;
use std::path::Path;
use std::process::Output;
use ucwa_conformance::reference::Mutant;

/// The baseline a team keeps for a pool that drops the Location of a 201.
const BEFORE: &str = r#"# Known failures of the pool, reviewed every Monday.

# Vendor ticket 12. Its date has passed, and it still fails.
[[known]]
case = "start-messaging.created"
reason = "ticket 12: no Location" # the vendor's words
expires = 2026-01-01

# Still failing, and its date is ahead.
[[known]]
case = "start-messaging.all-inputs"
media = "json"
reason = "ticket 13"
link = "https://tickets.example/13"
expires = 2099-12-31

# Fixed in build 7: it passes now.
[[known]]
case = "start-messaging.generic.no-token"
reason = "ticket 9"
"#;

/// The trials of the golden runs: listed failures, a listed case that passes, a new failure
/// (both media types).
const SELECTED: [&str; 4] = [
    "start-messaging.created",
    "start-messaging.all-inputs",
    "start-messaging.generic.no-token",
    "start-messaging.importance.normal",
];

/// `run` of the selected trials against `server` with `args`, from `dir`.
fn run_in(dir: &Path, server: &ucwa_conformance::reference::Running, args: &[&str]) -> Output {
    binary()
        .current_dir(dir)
        .arg("run")
        .args(SELECTED)
        .args(["--base-url", &server.base_url()])
        .args(args)
        .env("UCWA_USERNAME", "alice@contoso.test")
        .env("UCWA_PASSWORD", "alice-password")
        .env("UCWA_PEER", "sip:bob@contoso.test")
        .output()
        .expect("runs")
}

/// Today's date, which the written file and the notes hold, as `TODAY`.
fn dated(text: &str) -> String {
    text.replace(&ucwa_conformance::clock::today().to_string(), "TODAY")
}

/// The lines of standard output that speak of the baseline.
fn baseline_lines(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip_while(|l| !l.starts_with("ucwa-conformance:"))
        .filter(|l| l.contains("baseline") || l.starts_with("    "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_update_renews_drops_adds_and_keeps_comments_in_the_written_file() {
    let rt = runtime();
    let pool = reference_server(&rt, Some(Mutant::NoLocation));
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("baseline.toml");
    std::fs::write(&file, BEFORE).expect("write");

    // Without the update: the expired entry excuses nothing, and the run says so.
    let gated = run_in(dir.path(), &pool, &["--baseline", "baseline.toml"]);
    assert_eq!(
        gated.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&gated.stdout)
    );
    insta::assert_snapshot!("expired_entry_notes", baseline_lines(&gated));

    let updated = run_in(dir.path(), &pool, &["--baseline", "baseline.toml", "--update-baseline"]);
    insta::assert_snapshot!("update_notes", dated(&baseline_lines(&updated)));
    let after = std::fs::read_to_string(&file).expect("the baseline");
    insta::assert_snapshot!("after_update", dated(&after));

    // The written file is what the next run reads: every failure excused, nothing expired.
    let next = run_in(dir.path(), &pool, &["--baseline", "baseline.toml"]);
    let said = String::from_utf8_lossy(&next.stdout);
    assert_eq!(next.status.code(), Some(0), "{said}");
    assert!(!said.contains("expired"), "{said}");
}

#[test]
fn an_entry_naming_no_case_is_refused_with_the_nearest_id() {
    let rt = runtime();
    let pool = reference_server(&rt, Some(Mutant::NoLocation));
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("baseline.toml"),
        "[[known]]\ncase = \"start-messaging.creatd\"\nreason = \"typo\"\n",
    )
    .expect("write");
    let output = run_in(dir.path(), &pool, &["--baseline", "baseline.toml"]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("unknown_entry", String::from_utf8_lossy(&output.stderr));
}
