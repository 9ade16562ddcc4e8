//! `verify` and signed results files, as a buyer checks what a vendor hands over: a whole,
//! signed run of the embedded reference verifies; each way of tampering with it is found.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

/// One signed run of the whole corpus against the embedded reference, shared by the tests:
/// the folder, the results file, and the key pair.
struct Signed {
    _dir: tempfile::TempDir,
    results: PathBuf,
    key: PathBuf,
}

fn signed_run() -> &'static Signed {
    static RUN: OnceLock<Signed> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().expect("dir");
        let key = dir.path().join("vendor.key");
        let keygen = binary().arg("keygen").arg(&key).output().expect("keygen");
        assert_eq!(keygen.status.code(), Some(0), "{}", said(&keygen));
        let results = dir.path().join("r.json");
        let run = binary()
            .args(["run", "--json"])
            .arg(&results)
            .arg("--sign")
            .arg(&key)
            .output()
            .expect("runs");
        assert_eq!(run.status.code(), Some(0), "{}", said(&run));
        assert!(said(&run).contains("signed: "), "{}", said(&run));
        Signed {
            _dir: dir,
            results,
            key,
        }
    })
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `verify FILE` with `extra` arguments.
fn verify(file: &Path, extra: &[&str]) -> Output {
    binary()
        .arg("verify")
        .arg(file)
        .args(extra)
        .output()
        .expect("verify runs")
}

/// The public key's path, as an argument.
fn public(signed: &Signed) -> String {
    format!("{}.pub", signed.key.display())
}

/// A copy of the signed results file, edited by `edit`, with the original's signature beside it.
fn tampered(name: &str, edit: impl FnOnce(&mut Value)) -> (tempfile::TempDir, PathBuf) {
    let signed = signed_run();
    let dir = tempfile::tempdir().expect("dir");
    let mut value: Value = serde_json::from_slice(&std::fs::read(&signed.results).expect("read")).expect("JSON");
    edit(&mut value);
    let path = dir.path().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&value).expect("JSON")).expect("write");
    let sig = format!("{}.sig", signed.results.display());
    std::fs::copy(sig, format!("{}.sig", path.display())).expect("copy the signature");
    (dir, path)
}

/// The index of the first trial with `outcome`.
fn first_with(value: &Value, outcome: &str) -> usize {
    value["cases"]
        .as_array()
        .and_then(|cases| cases.iter().position(|c| c["outcome"] == outcome))
        .unwrap_or_else(|| panic!("a trial with outcome {outcome}"))
}

#[test]
fn a_whole_signed_run_verifies() {
    let signed = signed_run();
    let output = verify(&signed.results, &["--key", &public(signed), "--require-complete"]);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("agrees: its verdict, counts and area words"), "{text}");
    assert!(text.contains("complete: every trial of this binary's corpus"), "{text}");
    assert!(text.contains("signature: valid"), "{text}");
}

#[test]
fn an_outcome_flipped_is_found_by_the_counts_and_the_trial() {
    let (_dir, path) = tampered("flipped.json", |v| {
        let i = first_with(v, "pass");
        v["cases"][i]["outcome"] = "fail".into();
    });
    let output = verify(&path, &[]);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("summary.pass: the file says"), "{text}");
    assert!(text.contains("failed, yet records no difference"), "{text}");
    assert!(
        text.contains("verdict: the file says {\"is\":\"conformant\"}"),
        "{text}"
    );
}

#[test]
fn a_trial_removed_is_found_by_the_counts_and_the_coverage() {
    let (_dir, path) = tampered("removed.json", |v| {
        if let Some(cases) = v["cases"].as_array_mut() {
            cases.remove(0);
        }
    });
    let output = verify(&path, &[]);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("summary."), "{text}");
    assert!(
        text.contains("PARTIAL") && text.contains("1 trial of the corpus is not in it"),
        "{text}"
    );
}

#[test]
fn a_verdict_edited_is_found() {
    let (_dir, path) = tampered("verdict.json", |v| {
        v["verdict"] = serde_json::json!({ "is": "not-conformant", "counted": 2 });
    });
    let output = verify(&path, &[]);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("verdict: the file says {\"is\":\"not-conformant\""),
        "{text}"
    );
    let (_dir, path) = tampered("area.json", |v| {
        v["areas"][0]["verdict"] = "not-conformant".into();
    });
    let output = verify(&path, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", said(&output));
    assert!(
        said(&output).contains("].verdict: the file says \"not-conformant\""),
        "{}",
        said(&output)
    );
}

#[test]
fn an_edit_that_keeps_the_counts_consistent_is_found_by_the_signature() {
    let signed = signed_run();
    // What a trial recorded, edited without touching any count: only the signature can tell.
    let (_dir, path) = tampered("consistent.json", |v| {
        v["cases"][0]["duration_ms"] = 1.into();
        v["cases"][0]["reason"] = "edited".into();
    });
    let unsigned = verify(&path, &[]);
    assert_eq!(unsigned.status.code(), Some(0), "{}", said(&unsigned));
    assert!(
        said(&unsigned).contains("signature: not checked"),
        "{}",
        said(&unsigned)
    );
    let output = verify(&path, &["--key", &public(signed)]);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("signature: INVALID"), "{text}");
}

#[test]
fn the_signature_of_another_file_or_by_another_key_does_not_hold() {
    let signed = signed_run();
    let dir = tempfile::tempdir().expect("dir");
    // The untouched bytes with another file's signature.
    let copy = dir.path().join("copy.json");
    std::fs::copy(&signed.results, &copy).expect("copy");
    std::fs::write(
        format!("{}.sig", copy.display()),
        "ucwa-conformance-signature/1 ed25519\n",
    )
    .expect("write");
    let output = verify(&copy, &["--key", &public(signed)]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a malformed signature: {}",
        said(&output)
    );
    let (_dir, other) = tampered("other.json", |v| v["duration_ms"] = 1.into());
    std::fs::copy(format!("{}.sig", other.display()), format!("{}.sig", copy.display())).expect("copy");
    let mut edited = std::fs::read(&signed.results).expect("read");
    edited.push(b'\n');
    std::fs::write(&copy, edited).expect("write");
    let output = verify(&copy, &["--key", &public(signed)]);
    assert_eq!(output.status.code(), Some(1), "{}", said(&output));
    assert!(said(&output).contains("signature: INVALID"), "{}", said(&output));
    // A key the buyer did not get from this vendor.
    let stranger = dir.path().join("stranger.key");
    binary().arg("keygen").arg(&stranger).output().expect("keygen");
    let output = verify(&signed.results, &["--key", &format!("{}.pub", stranger.display())]);
    assert_eq!(output.status.code(), Some(1), "{}", said(&output));
    assert!(said(&output).contains("BY ANOTHER KEY"), "{}", said(&output));
    // No signature at all.
    let output = verify(&copy, &["--key", &public(signed), "--signature", "/nonexistent.sig"]);
    assert_eq!(output.status.code(), Some(1), "{}", said(&output));
    assert!(said(&output).contains("signature: MISSING"), "{}", said(&output));
}

#[test]
fn a_filtered_run_agrees_but_is_partial() {
    let dir = tempfile::tempdir().expect("dir");
    let results = dir.path().join("r.json");
    let run = binary()
        .args(["run", "start-messaging.created", "--media", "json", "--json"])
        .arg(&results)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(0), "{}", said(&run));
    let output = verify(&results, &[]);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("agrees") && text.contains("PARTIAL"), "{text}");
    assert!(
        text.contains("filters start-messaging.created") && text.contains("--media json"),
        "{text}"
    );
    let strict = verify(&results, &["--require-complete"]);
    assert_eq!(strict.status.code(), Some(1), "{}", said(&strict));
}
