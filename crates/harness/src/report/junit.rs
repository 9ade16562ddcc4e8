//! JUnit XML, in the layout nextest's quick-junit writes (written here: the format is small, and
//! quick-junit brought seven crates to the build): one testsuite per target, one testcase per
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
use crate::wire::escape_xml as xml;
use std::fmt::Write as _;

/// What a trial becomes in JUnit.
enum Status {
    /// A success, with nothing to say.
    Passed,
    /// A counted failure: a `failure` element with its first difference and the explanation.
    Failure { message: String, text: String },
    /// A counted error: an `error` element with its reason and the explanation.
    Error { message: String, text: String },
    /// A success after a failed attempt: a `flakyFailure` (Jenkins' `rerunType`, whose `type`
    /// is required).
    Flaky { message: String },
    /// A `skipped` element with its reason.
    Skipped { message: String },
}

/// The JUnit document of a run, written on the machine named `hostname` (the suite's
/// `hostname` attribute: [`this_host`] for a report written here).
pub fn render(results: &Results, hostname: &str) -> String {
    let trials: Vec<(&CaseResult, Status)> = results.cases.iter().map(|c| (c, status(c, results.strict))).collect();
    let count = |f: fn(&Status) -> bool| trials.iter().filter(|(_, s)| f(s)).count();
    let failures = count(|s| matches!(s, Status::Failure { .. }));
    let errors = count(|s| matches!(s, Status::Error { .. }));
    let skipped = count(|s| matches!(s, Status::Skipped { .. }));
    let time = seconds(results.duration_ms);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"ucwa-conformance\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{time}\">",
        trials.len()
    );
    let _ = writeln!(
        out,
        "    <testsuite name=\"{}\" tests=\"{}\" skipped=\"{skipped}\" errors=\"{errors}\" failures=\"{failures}\" time=\"{time}\" timestamp=\"{}\" hostname=\"{}\">",
        attr(&format!("ucwa-conformance: {}", results.target.name)),
        trials.len(),
        attr(&results.started_at),
        attr(hostname)
    );
    properties(results, &mut out);
    for (case, status) in &trials {
        test_case(case, status, results.strict, &mut out);
    }
    out.push_str("    </testsuite>\n</testsuites>");
    // Target text may hold characters XML 1.0 forbids; the file must stay well-formed.
    super::escape::xml_chars(&out)
}

/// Milliseconds as JUnit's seconds, to the millisecond: `4.321`.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Text for an attribute value: escaped as element content is (`wire::escape_xml`), and line
/// breaks and tabs as character references, which a reader keeps (written as they are, a
/// reader would turn each into a space).
fn attr(text: &str) -> String {
    xml(text)
        .replace('\r', "&#13;")
        .replace('\n', "&#10;")
        .replace('\t', "&#9;")
}

/// The suite's properties: the target, the suite and case set, the start, the verdict, each
/// area's verdict, and TLS when it was not verified.
fn properties(results: &Results, out: &mut String) {
    let mut properties = vec![
        ("target".to_string(), results.target.base_url.clone()),
        ("suite_version".into(), results.suite_version.clone()),
        ("case_set_digest".into(), results.case_set_digest.clone()),
        ("started_at".into(), results.started_at.clone()),
        ("interrupted".into(), results.interrupted.to_string()),
        ("verdict".into(), results.verdict.word().to_string()),
    ];
    for area in &results.areas {
        properties.push((format!("area.{}", area.area), area.text()));
    }
    if results.target.insecure {
        properties.push(("tls".into(), "not verified (--insecure)".into()));
    }
    out.push_str("        <properties>\n");
    for (name, value) in properties {
        let _ = writeln!(
            out,
            "            <property name=\"{}\" value=\"{}\"/>",
            attr(&name),
            attr(&value)
        );
    }
    out.push_str("        </properties>\n");
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

/// What the trial's standing makes of it.
fn status(case: &CaseResult, strict: bool) -> Status {
    let reason = case.reason.clone().unwrap_or_default();
    let standing = standing::of(case, strict);
    let skipped = |message: String| Status::Skipped { message };
    match (standing.shown, standing.counts) {
        (Shown::Failure, _) => Status::Failure {
            message: case.first_difference(),
            text: case.explain(),
        },
        (Shown::Error, true) => Status::Error {
            message: reason,
            text: case.explain(),
        },
        (Shown::Error, false) => skipped(format!(
            "error in a should-level case (not counted without --strict): {reason}"
        )),
        (Shown::Deviation, _) => skipped(format!(
            "SHOULD-level deviation (not counted): {}",
            case.first_difference()
        )),
        (Shown::Notice, _) if case.outcome == Outcome::Flaky => Status::Flaky { message: reason },
        // An unexpected pass is a success; its `system-out` names its outcome.
        (Shown::Notice, _) | (Shown::Passed, _) => Status::Passed,
        (Shown::Excused, _) => skipped(format!("known failure (baseline): {reason}")),
        (Shown::NotJudged, _) => skipped(format!("{}: {reason}", case.outcome.label())),
    }
}

/// One `testcase`: its status element, then its `system-out` (severity, outcome, spec items,
/// and the exchanges of a trial that counts).
fn test_case(case: &CaseResult, status: &Status, strict: bool, out: &mut String) {
    let _ = writeln!(
        out,
        "        <testcase name=\"{}\" classname=\"{}\" time=\"{}\">",
        attr(&case.name()),
        attr(&case.id),
        seconds(case.duration_ms)
    );
    match status {
        Status::Passed => {}
        Status::Failure { message, text } => non_success(out, "failure", message, "non-conformance", text),
        Status::Error { message, text } => {
            non_success(out, "error", message, "harness error (not blamed on the target)", text);
        }
        Status::Flaky { message } => {
            let _ = writeln!(
                out,
                "            <flakyFailure message=\"{}\" type=\"failed attempt\">\n            </flakyFailure>",
                attr(message)
            );
        }
        Status::Skipped { message } => {
            let _ = writeln!(out, "            <skipped message=\"{}\"/>", attr(message));
        }
    }
    let mut system_out = format!(
        "severity: {}\noutcome: {}\nspec: {}\n",
        case.severity.as_str(),
        case.outcome.as_str(),
        case.spec.join(" ")
    );
    if standing::of(case, strict).counts {
        for (step, exchange) in case.exchanges.iter().enumerate() {
            let _ = write!(
                system_out,
                "\nstep {}:\n{}\n{}",
                step + 1,
                exchange.request_text(),
                exchange.response_text()
            );
        }
    }
    let _ = writeln!(out, "            <system-out>{}</system-out>", xml(&system_out));
    out.push_str("        </testcase>\n");
}

/// A `failure` or `error` element: message and type as attributes, the explanation as text.
fn non_success(out: &mut String, element: &str, message: &str, kind: &str, text: &str) {
    let _ = writeln!(
        out,
        "            <{element} message=\"{}\" type=\"{}\">{}</{element}>",
        attr(message),
        attr(kind),
        xml(text)
    );
}
