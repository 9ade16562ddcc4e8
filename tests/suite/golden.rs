//! Golden files of every output: one fixed results file (`tests/suite/fixtures/golden.json`:
//! every outcome, a run stopped by `--max-fail`, target text that tries to forge each output, a
//! mismatch with its exchange) rendered by every renderer and compared with insta snapshots in
//! `tests/suite/snapshots/`. A change to a renderer shows here as a diff to review (`cargo insta
//! review`), not as code to read.
//!
//! The fixture's cases are the source of truth: its summary, verdict and areas are judged again
//! from them, as `results::build` does, so the golden files cannot disagree with the rules.

use std::path::Path;
use ucwa_conformance::judge::run_verdict::RunVerdict;
use ucwa_conformance::judge::verdict::Outcome;
use ucwa_conformance::report::console::{self, Format};
use ucwa_conformance::report::merge::{self, Part};
use ucwa_conformance::report::results::{self, Partition, Results};
use ucwa_conformance::report::{html, junit, markdown};

/// The fixture, read as `report` reads a results file, its verdict judged again from its cases.
fn fixture() -> Results {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/fixtures/golden.json");
    let text = std::fs::read_to_string(&path).expect("the fixture reads");
    let mut file = results::parse(&path, &text).unwrap_or_else(|e| panic!("the fixture parses: {e}"));
    let order: Vec<String> = file.areas.iter().map(|a| a.area.clone()).collect();
    let (summary, verdict, areas) = results::judge(
        &file.cases,
        file.strict,
        match &file.verdict {
            RunVerdict::Stopped { kind, cause } => Some((*kind, cause.clone())),
            _ => None,
        },
        &order,
    );
    (file.summary, file.verdict, file.areas) = (summary, verdict, areas);
    file
}

/// Terminal text made visible: an escape character as `␛`.
fn visible(text: &str) -> String {
    text.replace('\u{1b}', "␛")
}

/// Every trial line of a console format, then (for people) the summary.
fn console(format: Format) -> String {
    let file = fixture();
    let mut out = console::started(format, file.cases.len());
    for case in &file.cases {
        if format == Format::Json {
            out.push_str(&console::test_started(format, &case.name()));
        }
        out.push_str(&console::trial(format, case, file.strict));
    }
    match format {
        Format::Json => out.push_str(&console::finished_event(
            &file.summary,
            &file.verdict,
            file.duration_ms,
            3,
        )),
        Format::Pretty | Format::Terse => out.push_str(&console::summary(
            &file.cases,
            file.strict,
            &format!("{} ({})", file.target.name, file.target.base_url),
            &file.verdict,
            &file.areas,
        )),
    }
    visible(&out)
}

#[test]
fn the_fixture_holds_every_outcome_and_a_stop() {
    let file = fixture();
    for outcome in Outcome::ALL {
        assert!(
            file.cases.iter().any(|c| c.outcome == outcome),
            "the fixture has no {outcome:?} trial"
        );
    }
    assert!(file.verdict.stop_cause().is_some(), "the fixture's run stopped");
}

#[test]
fn console_pretty() {
    insta::assert_snapshot!(console(Format::Pretty));
}

#[test]
fn console_terse() {
    insta::assert_snapshot!(console(Format::Terse));
}

#[test]
fn console_json_events() {
    insta::assert_snapshot!(console(Format::Json));
}

#[test]
fn results_file() {
    insta::assert_snapshot!(results::to_json(&fixture()));
}

#[test]
fn junit_report() {
    insta::assert_snapshot!(junit::render(&fixture(), "ci-runner-7"));
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!(markdown::render(&[fixture()]));
}

#[test]
fn html_report() {
    insta::assert_snapshot!(html::render(&[fixture()]));
}

/// The first of two partitions (a run that was not stopped), merged alone with
/// `--allow-partial`: the verdict PARTIAL, and the reports that name the missing partition.
#[test]
fn a_partial_merge() {
    let mut first = fixture();
    first.stopped = None;
    first.verdict = RunVerdict::of(first.summary.counted, None);
    first.selection.partition = Some(Partition { index: 1, count: 2 });
    let parts = vec![Part {
        name: "part-1.json".into(),
        results: first,
    }];
    let merged = merge::merge(parts, &["part-2.json".to_string()], true).expect("a partial merge");
    let summary = console::summary(
        &merged.cases,
        merged.strict,
        &merged.target.name,
        &merged.verdict,
        &merged.areas,
    );
    insta::assert_snapshot!(format!(
        "{}\n---- markdown ----\n{}",
        visible(&summary),
        markdown::render(&[merged])
    ));
}

/// Every manual page `man --dir` writes (one per command and subcommand), each a golden file:
/// a change to a command's help, exit codes or examples shows as a diff of the page a user reads.
#[test]
fn manual_pages() {
    let dir = tempfile::tempdir().expect("dir");
    let output = crate::support::binary()
        .arg("man")
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let mut pages: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the pages")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    pages.sort();
    assert!(pages.len() >= 20, "{pages:?}");
    for page in pages {
        let name = page.file_stem().expect("a name").to_string_lossy().replace('.', "_");
        let text = std::fs::read_to_string(&page).expect("the page reads");
        insta::assert_snapshot!(format!("man_{name}"), text);
    }
}
