//! The CLI's behaviour as data, in the style of Hurl's integration tests and trycmd: each folder
//! of `tests/cli/` is one command. Its `args` file holds the arguments, one per line; its `files/`
//! folder (if any) is copied into an empty working directory, beside the golden results fixture
//! (`golden.json`). The command runs there with no target variables (and, its output not being a
//! terminal, no colour), and its exit
//! code, standard output and standard error are compared with the committed snapshot
//! `tests/suite/snapshots/suite__cli_data__NAME.snap` (review a change with `cargo insta
//! review`). The working directory's path is written `[dir]`.

use crate::support::{binary, copy_dir};
use std::path::Path;

/// Runs one case folder and renders what the command did.
fn run_case(case: &Path) -> String {
    let args_text = std::fs::read_to_string(case.join("args")).expect("the case's args");
    let args: Vec<&str> = args_text.lines().filter(|l| !l.is_empty()).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let files = case.join("files");
    if files.is_dir() {
        copy_dir(&files, dir.path());
    }
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/fixtures/golden.json");
    std::fs::copy(&fixture, dir.path().join("golden.json")).expect("the fixture copies");
    let output = binary()
        .current_dir(dir.path())
        .env("COLUMNS", "100")
        .args(&args)
        .output()
        .expect("the binary runs");
    let shown = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let place = dir.path().to_string_lossy().into_owned();
        text.replace(&place, "[dir]")
    };
    format!(
        "$ ucwa-conformance {}\nexit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        args.join(" "),
        output.status.code().map_or("signal".into(), |c| c.to_string()),
        shown(&output.stdout),
        shown(&output.stderr)
    )
}

#[test]
fn every_cli_case_does_what_its_snapshot_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/cli lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "the CLI cases are there: {cases:?}");
    for case in cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        insta::assert_snapshot!(name, run_case(&case));
    }
}
