//! JUnit XML (quick-junit, as nextest writes it): one testsuite per target, one testcase per
//! case and media type. What each becomes follows the trial's standing: counted failures are
//! failures, counted errors are errors, everything not counted is a success (passes, flaky
//! trials with their first failure as a rerun, unexpected passes) or skipped with its reason
//! (should-level deviations, uncounted errors, known failures, skips, trials not run).
//!
//! The file validates against Jenkins' `junit-10.xsd` (the version with `rerunType`), which
//! Jenkins and GitLab parsers follow: no `properties` inside a `testcase` (a trial's severity,
//! outcome and spec items go to its `system-out`, with the exchanges of a counted failure), no
//! `skipped` on `testsuites`, and the suite's `timestamp` and `hostname`.

use super::results::Results;
use crate::judge::standing::{self, Shown};
use crate::judge::verdict::{CaseResult, Outcome};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};
use std::time::Duration;

/// The JUnit document of a run, written on the machine named `hostname` (the suite's
/// `hostname` attribute: [`this_host`] for a report written here).
pub fn render(results: &Results, hostname: &str) -> String {
    let mut suite = TestSuite::new(format!("ucwa-conformance: {}", results.target.name));
    suite.set_time(Duration::from_millis(results.duration_ms));
    suite.add_property(Property::new("target", results.target.base_url.as_str()));
    suite.add_property(Property::new("suite_version", results.suite_version.as_str()));
    suite.add_property(Property::new("case_set_digest", results.case_set_digest.as_str()));
    suite.add_property(Property::new("started_at", results.started_at.as_str()));
    suite.add_property(Property::new("interrupted", results.interrupted.to_string()));
    suite.add_property(Property::new("verdict", results.verdict.word()));
    for area in &results.areas {
        suite.add_property(Property::new(format!("area.{}", area.area), area.text()));
    }
    if results.target.insecure {
        suite.add_property(Property::new("tls", "not verified (--insecure)"));
    }
    suite
        .extra
        .insert("timestamp".into(), results.started_at.as_str().into());
    suite.extra.insert("hostname".into(), hostname.into());
    for case in &results.cases {
        suite.add_test_case(test_case(case, results.strict));
    }
    let mut report = Report::new("ucwa-conformance");
    report.set_time(Duration::from_millis(results.duration_ms));
    report.add_test_suite(suite);
    // Target text may hold characters XML 1.0 forbids; the file must stay well-formed.
    let text = super::escape::xml_chars(&report.to_string().unwrap_or_default());
    without_skipped_on_testsuites(&text)
}

/// The document with the `skipped` attribute of `<testsuites>` removed: quick-junit writes it,
/// the schema Jenkins and GitLab follow does not allow it there (each `testsuite` keeps its own).
fn without_skipped_on_testsuites(text: &str) -> String {
    let Some(start) = text.find("<testsuites ") else {
        return text.to_string();
    };
    let end = text[start..].find('>').map_or(text.len(), |e| start + e);
    let tag = &text[start..end];
    let Some(at) = tag.find(" skipped=\"") else {
        return text.to_string();
    };
    let close = tag[at + 10..].find('"').map_or(tag.len(), |c| at + 10 + c + 1);
    format!("{}{}{}", &text[..start + at], &tag[close..], &text[end..])
}

/// The name of this machine (`localhost` when it has none to tell).
pub fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

fn test_case(case: &CaseResult, strict: bool) -> TestCase {
    let reason = case.reason.clone().unwrap_or_default();
    let standing = standing::of(case, strict);
    let status = match (standing.shown, standing.counts) {
        (Shown::Failure, _) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(case.first_difference());
            s.set_type("non-conformance");
            s.set_description(case.explain());
            s
        }
        (Shown::Error, true) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(reason.clone());
            s.set_type("harness error (not blamed on the target)");
            s.set_description(case.explain());
            s
        }
        (Shown::Error, false) => skipped(format!(
            "error in a should-level case (not counted without --strict): {reason}"
        )),
        (Shown::Deviation, _) => skipped(format!(
            "SHOULD-level deviation (not counted): {}",
            case.first_difference()
        )),
        (Shown::Notice, _) if case.outcome == Outcome::Flaky => {
            let mut s = TestCaseStatus::success();
            let mut rerun = TestRerun::new(NonSuccessKind::Failure);
            rerun.set_message(reason.clone());
            s.add_rerun(rerun);
            s
        }
        (Shown::Notice, _) => {
            let mut s = TestCaseStatus::success();
            s.set_description(format!("UNEXPECTED PASS: the baseline lists it as failing ({reason})"));
            s
        }
        (Shown::Excused, _) => skipped(format!("known failure (baseline): {reason}")),
        (Shown::NotJudged, _) => skipped(format!("{}: {reason}", case.outcome.label())),
        (Shown::Passed, _) => TestCaseStatus::success(),
    };
    let mut test_case = TestCase::new(case.name(), status);
    test_case.set_classname(case.id.as_str());
    test_case.set_time(Duration::from_millis(case.duration_ms));
    let mut out = format!(
        "severity: {}\noutcome: {}\nspec: {}\n",
        case.severity.as_str(),
        case.outcome.as_str(),
        case.spec.join(" ")
    );
    if standing.counts {
        for (step, exchange) in case.exchanges.iter().enumerate() {
            out.push_str(&format!(
                "\nstep {}:\n{}\n{}",
                step + 1,
                exchange.request_text(),
                exchange.response_text()
            ));
        }
    }
    test_case.set_system_out(out);
    test_case
}

fn skipped(message: String) -> TestCaseStatus {
    let mut s = TestCaseStatus::skipped();
    s.set_message(message);
    s
}
