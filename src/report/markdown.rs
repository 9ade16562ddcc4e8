//! A Markdown summary a CI job can post on a pull request: one run's counts and failures, or a
//! vendor x case matrix for several runs.

use super::junit::first;
use super::results::Results;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The Markdown summary of one or several runs.
pub fn render(runs: &[Results]) -> String {
    match runs {
        [one] => single(one),
        many => matrix(many),
    }
}

fn single(r: &Results) -> String {
    let s = &r.summary;
    let verdict = if s.fail + s.error == 0 {
        "conformant"
    } else {
        "**NOT conformant**"
    };
    let mut out = format!(
        "## ucwa-conformance against {}: {verdict}\n\n{} passed, {} failed, {} should-level deviations, {} known failures, {} unexpected passes, {} skipped, {} errors ({} ms; suite {}; {})\n\n",
        r.target.name,
        s.pass,
        s.fail,
        s.should,
        s.expected_fail,
        s.unexpected_pass,
        s.skip,
        s.error,
        r.duration_ms,
        r.suite_version,
        r.started_at
    );
    let failing: Vec<_> = r
        .cases
        .iter()
        .filter(|c| c.outcome != "pass" && c.outcome != "skip")
        .collect();
    if !failing.is_empty() {
        out.push_str("| trial | severity | outcome | first difference |\n|---|---|---|---|\n");
        for c in failing {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                c.name(),
                c.severity,
                c.outcome,
                cell(&first(c))
            );
        }
    }
    out
}

fn matrix(runs: &[Results]) -> String {
    let names: BTreeSet<String> = runs.iter().flat_map(|r| r.cases.iter().map(|c| c.name())).collect();
    let mut out = String::from("## ucwa-conformance: vendor matrix\n\n| trial |");
    for name in super::results::run_names(runs) {
        let _ = write!(out, " {} |", cell(&name));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(runs.len()));
    out.push('\n');
    for name in names {
        let _ = write!(out, "| `{name}` |");
        for r in runs {
            let outcome = r
                .cases
                .iter()
                .find(|c| c.name() == name)
                .map_or("-", |c| c.outcome.as_str());
            let _ = write!(out, " {outcome} |");
        }
        out.push('\n');
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
