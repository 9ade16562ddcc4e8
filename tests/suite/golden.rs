//! Golden files of every output: one fixed results file (`tests/suite/fixtures/golden.json`:
//! every outcome, a run stopped by `--max-fail`, target text that tries to forge each output, a
//! mismatch with its exchange) rendered by every renderer and compared with insta snapshots in
//! `tests/suite/snapshots/`. A change to a renderer shows here as a diff to review (`cargo insta
//! review`), not as code to read.
//!
//! The fixture's cases are the source of truth: its summary, verdict and areas are judged again
//! from them, as `results::build` does, so the golden files cannot disagree with the rules.

use std::path::Path;
use ucwa_conformance::case::{Media, Severity};
use ucwa_conformance::explore::{Exploration, Finding};
use ucwa_conformance::judge::run_verdict::RunVerdict;
use ucwa_conformance::judge::verdict::Outcome;
use ucwa_conformance::report::console::{self, Format};
use ucwa_conformance::report::merge::{self, Part};
use ucwa_conformance::report::results::{self, Partition, Results};
use ucwa_conformance::report::{diff, html, junit, markdown};

/// The fixture, read as `report` reads a results file, its verdict judged again from its cases.
fn fixture() -> Results {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/fixtures/golden.json");
    let text = std::fs::read_to_string(&path).expect("the fixture reads");
    let file = results::parse(&path, &text).unwrap_or_else(|e| panic!("the fixture parses: {e}"));
    judged(file)
}

/// `file` with its summary, verdict and areas judged again from its cases.
fn judged(mut file: Results) -> Results {
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

/// The JUnit file, which also validates against Jenkins' schema (under CI, with xmllint), reads
/// back with an independent reader (nextest's quick-junit) with the fixture's counts, and keeps
/// a message's line breaks for an XML reader.
#[test]
fn junit_report() {
    let text = junit::render(&fixture(), "ci-runner-7");
    insta::assert_snapshot!(text);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, &text).expect("written");
    crate::reports::valid_junit(&path);
    let read = quick_junit::Report::deserialize_from_str(&text).expect("quick-junit reads it");
    let suite = &read.test_suites[0];
    assert_eq!((read.tests, read.failures, read.errors), (12, 2, 1));
    assert_eq!((suite.tests, suite.skipped, suite.test_cases.len()), (12, 5, 12));
    // A message's line breaks survive an XML reader (written raw, each would read as a space).
    let doc = roxmltree::Document::parse(&text).expect("well-formed");
    let error = doc.descendants().find(|n| n.has_tag_name("error")).expect("an error");
    let message = error.attribute("message").expect("a message");
    assert!(message.contains("\n# forged heading\n"), "{message:?}");
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

/// What the target sent, trying to forge each output: a closing `pre` and a script (HTML), a
/// table cell's end and a heading (Markdown), a colour and a new line (the terminal).
const FORGERY: &str = "</pre><script>alert(1)</script> | `x` \u{1b}[32mok\n## pass";

/// The fixture with an exploration: two findings (one seen once), one whose target text is
/// [`FORGERY`].
fn explored() -> Results {
    let finding = |id: &str, severity, actual: &str, hits| Finding {
        id: id.to_string(),
        title: format!("explored: {id}"),
        severity,
        request: "to=valid subject=long operationId=reused".into(),
        first_seen: "to=valid subject=long operationId=reused importance=High".into(),
        what: "status".into(),
        expected: "409".into(),
        actual: actual.to_string(),
        hits,
        media: vec![Media::Json, Media::Xml],
        shrink_requests: 12,
        case: format!("id = \"{id}\"\n# the target sent: {actual}\n"),
    };
    let mut file = fixture();
    file.explore = Some(Exploration {
        seed: 42,
        budget: 1000,
        requests: 612,
        trials: 300,
        sequences: 20,
        pairs: 180,
        pairs_covered: 179,
        media: vec![Media::Json, Media::Xml],
        findings: vec![
            finding("explore-42-1", Severity::Must, "201", 1),
            finding("explore-42-2", Severity::Should, FORGERY, 7),
        ],
        disagreements: Vec::new(),
        time_limited: true,
        own_us: 1_000,
        exchange_us: 50_000,
    });
    file
}

/// What `with` adds to `without`: the text between their common beginning and common end.
fn added(with: &str, without: &str) -> String {
    let start = with.bytes().zip(without.bytes()).take_while(|(a, b)| a == b).count();
    let end = with[start..]
        .bytes()
        .rev()
        .zip(without[start..].bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    with[start..with.len() - end].to_string()
}

/// An exploration's lines on the console, after the run's summary.
#[test]
fn exploration_console() {
    let file = explored();
    let summary = file.explore.as_ref().expect("explored");
    insta::assert_snapshot!(visible(&console::exploration(summary)));
}

/// What an exploration adds to the Markdown summary and to the HTML report.
#[test]
fn exploration_in_markdown_and_html() {
    let (with, without) = (explored(), fixture());
    insta::assert_snapshot!(format!(
        "---- markdown ----\n{}\n---- html ----\n{}",
        added(
            &markdown::render(std::slice::from_ref(&with)),
            &markdown::render(std::slice::from_ref(&without))
        ),
        added(
            &html::render(std::slice::from_ref(&with)),
            &html::render(std::slice::from_ref(&without))
        )
    ));
}

/// `diff OLD NEW` between the fixture and a later run of it: one trial newly failing, one fixed,
/// one gone and one new, whose name carries target-like text.
#[test]
fn a_diff_of_two_runs() {
    let old = fixture();
    let mut new = fixture();
    let passing = new
        .cases
        .iter()
        .position(|c| c.outcome == Outcome::Pass)
        .expect("a pass");
    let failing = new
        .cases
        .iter()
        .position(|c| c.outcome == Outcome::Fail)
        .expect("a fail");
    new.cases[passing].outcome = Outcome::Fail;
    new.cases[failing].outcome = Outcome::Pass;
    new.cases.pop();
    let mut fresh = new.cases[0].clone();
    fresh.id = "start-messaging.new | `case` <b>".into();
    new.cases.push(fresh);
    let new = judged(new);
    let compared = diff::compare(&old, &new, false);
    insta::assert_snapshot!(diff::markdown(&compared, &old, &new));
}

/// A history of two builds of the fixture's target, the second a later run in which one passing
/// trial fails, with a build id that tries to forge each output.
fn two_builds(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("history.sqlite");
    let first = fixture();
    let mut second = fixture();
    second.started_at = "2026-12-06T08:30:00Z".into();
    let passing = second
        .cases
        .iter()
        .position(|c| c.outcome == Outcome::Pass)
        .expect("a pass");
    second.cases[passing].outcome = Outcome::Fail;
    let second = judged(second);
    for (n, (file, build)) in [(first, "1.0"), (second, "2.0 <i>\u{1b}[2J</i> | x")]
        .into_iter()
        .enumerate()
    {
        let path = dir.join(format!("run-{n}.json"));
        std::fs::write(&path, results::to_json(&file)).expect("written");
        let output = crate::support::binary()
            .args(["history", "add"])
            .arg(&path)
            .args(["--build", build, "--db"])
            .arg(&db)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }
    db
}

/// `history ARGS --db DB`: its exit code, standard output and standard error, as one text.
fn history(db: &Path, args: &[&str]) -> String {
    let output = crate::support::binary()
        .arg("history")
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .expect("runs");
    visible(&format!(
        "$ history {}\nexit {:?}\n---- stdout ----\n{}---- stderr ----\n{}",
        args.join(" "),
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// The history's dashboard (`history report --html`).
#[test]
fn history_dashboard() {
    let dir = tempfile::tempdir().expect("dir");
    let db = two_builds(dir.path());
    let page = dir.path().join("dashboard.html");
    let shown = history(&db, &["report", "--html", &page.to_string_lossy()]);
    assert!(
        shown.starts_with(&format!("$ history report --html {}\nexit Some(0)", page.display())),
        "{shown}"
    );
    insta::assert_snapshot!(std::fs::read_to_string(&page).expect("the page reads"));
}

/// The history's answers for people: builds, regressions, flaky trials, one trial's builds.
#[test]
fn history_questions() {
    let dir = tempfile::tempdir().expect("dir");
    let db = two_builds(dir.path());
    let answers: Vec<String> = [
        &["builds"][..],
        &["regressions"],
        &["flaky"],
        &["trial", "start-messaging.created"],
    ]
    .iter()
    .map(|args| history(&db, args))
    .collect();
    insta::assert_snapshot!(answers.join("\n"));
}

/// `bench`'s table and its `--json` file, from fixed figures (the real ones are timings).
#[test]
fn bench_report() {
    use ucwa_conformance::history::bench::HistoryBench;
    use ucwa_conformance::oracle::bench::{self, Exploring, Level, Loading, Report};
    let level = |jobs: usize, harness_ms: f64, floor_ms: f64| Level {
        jobs,
        trials: 1780,
        requests: 2869,
        harness_ms,
        harness_rps: 2869.0 * 1000.0 / harness_ms,
        harness_peak_mib: 180.5,
        floor_ms,
        floor_rps: 2869.0 * 1000.0 / floor_ms,
        ratio: harness_ms / floor_ms,
    };
    let report = Report {
        schema: "ucwa-conformance/bench/1".into(),
        suite_version: "0.1.0".into(),
        corpus: "non-waiting".into(),
        repeat: 20,
        samples: 5,
        levels: vec![level(1, 484.8, 392.8), level(2, 242.8, 205.0), level(8, 212.8, 180.4)],
        loading: vec![Loading {
            files: 1000,
            ms: 95.2,
            peak_mib: 40.0,
        }],
        process_peak_mib: 201.3,
        history: HistoryBench {
            files: 1000,
            trials: 111,
            file_bytes: 120_000,
            add_ms: 2500.0,
            regressions_ms: 40.0,
            regressions: 12,
            flaky_ms: 30.0,
            flaky: 3,
            dashboard_ms: 62.1,
            dashboard_bytes: 160_000,
            database_bytes: 9_000_000,
        },
        exploring: Exploring {
            budget: 1000,
            requests: 1000,
            trials: 480,
            ms: 900.0,
            own_us_per_request: 20.5,
            exchange_us_per_request: 410.0,
            own_share_percent: 5.0,
        },
    };
    insta::assert_snapshot!(format!(
        "{}\n---- --json ----\n{}",
        bench::render(&report),
        serde_json::to_string_pretty(&report).expect("JSON")
    ));
}
