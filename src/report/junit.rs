//! JUnit XML (quick-junit, as nextest writes it): one testsuite per target, one testcase per
//! case and media type. Failures carry the differences; skips, known failures and should-level
//! deviations are skipped with their reason; errors are JUnit errors.

use super::results::{CaseEntry, Results};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};
use std::time::Duration;

/// The JUnit document of a run.
pub fn render(results: &Results) -> String {
    let mut suite = TestSuite::new(format!("ucwa-conformance: {}", results.target.name));
    suite.set_time(Duration::from_millis(results.duration_ms));
    suite.add_property(Property::new("target", results.target.base_url.as_str()));
    suite.add_property(Property::new("suite_version", results.suite_version.as_str()));
    suite.add_property(Property::new("case_set_digest", results.case_set_digest.as_str()));
    suite.add_property(Property::new("started_at", results.started_at.as_str()));
    for case in &results.cases {
        suite.add_test_case(test_case(case, results.strict));
    }
    let mut report = Report::new("ucwa-conformance");
    report.set_time(Duration::from_millis(results.duration_ms));
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}

fn test_case(case: &CaseEntry, strict: bool) -> TestCase {
    let details = details(case);
    let reason = case.reason.clone().unwrap_or_default();
    let status = match case.outcome.as_str() {
        "pass" => TestCaseStatus::success(),
        "flaky" => {
            let mut s = TestCaseStatus::success();
            let mut rerun = TestRerun::new(NonSuccessKind::Failure);
            rerun.set_message(reason.clone());
            s.add_rerun(rerun);
            s
        }
        "unexpected-pass" => {
            let mut s = TestCaseStatus::success();
            s.set_description(format!("UNEXPECTED PASS: the baseline lists it as failing ({reason})"));
            s
        }
        "fail" if case.severity == "should" && !strict => {
            skipped(format!("SHOULD-level deviation (not counted): {}", first(case)))
        }
        "fail" => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(first(case));
            s.set_type("non-conformance");
            s.set_description(details.clone());
            s
        }
        "error" => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(reason.clone());
            s.set_type("harness error (not blamed on the target)");
            s.set_description(details.clone());
            s
        }
        "expected-fail" => skipped(format!("known failure (baseline): {reason}")),
        _ => skipped(reason),
    };
    let mut test_case = TestCase::new(case.name(), status);
    test_case.set_classname(case.id.as_str());
    test_case.set_time(Duration::from_millis(case.duration_ms));
    test_case.add_property(Property::new("severity", case.severity.as_str()));
    test_case.add_property(Property::new("spec", case.spec.join(" ")));
    test_case
}

fn skipped(message: String) -> TestCaseStatus {
    let mut s = TestCaseStatus::skipped();
    s.set_message(message);
    s
}

/// The first difference, as one line.
pub fn first(case: &CaseEntry) -> String {
    case.mismatches
        .first()
        .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.actual))
        .unwrap_or_else(|| case.reason.clone().unwrap_or_default())
}

/// Every difference, then the last exchange.
fn details(case: &CaseEntry) -> String {
    let mut out = String::new();
    if let Some(step) = case.failed_step {
        out.push_str(&format!("step {step}\n"));
    }
    for m in &case.mismatches {
        out.push_str(&format!(
            "{}:\n  expected: {}\n  actual:   {}\n",
            m.what, m.expected, m.actual
        ));
    }
    if let Some(e) = case.exchanges.last() {
        out.push_str(&format!("\nrequest:\n{}\nresponse:\n{}\n", e.request, e.response));
    }
    out
}
