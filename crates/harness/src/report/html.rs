//! A self-contained HTML report (no network: inline CSS and a few lines of script). One results
//! file: a summary, then each trial with expected vs actual, the request and response, and a
//! curl command that replays the last request (secrets stay redacted). Several results files:
//! a vendor x trial matrix, filtered by outcome, tag and spec item. Colours, order and the open
//! cards follow each trial's standing. Written with maud: every value is escaped by construction
//! (only the fixed style and script go in unescaped).

use super::curl;
use super::results::{INSECURE_NOTE, Results};
use crate::judge::area_verdict;
use crate::judge::run_verdict::RunVerdict;
use crate::judge::standing;
use crate::judge::verdict::{CaseResult, Outcome};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::BTreeSet;

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.meta{color:#57606a;margin-bottom:16px}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0 20px}
.card{border:1px solid #d0d7de;border-radius:8px;padding:8px 14px;min-width:92px}
.card b{display:block;font-size:22px}
.verdict{display:inline-block;padding:4px 10px;border-radius:6px;font-weight:600}
.ok{background:#dafbe1;color:#116329} .bad{background:#ffebe9;color:#a40e26} .warn{background:#fff8c5;color:#7d4e00}
table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #d8dee4;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}
.s-passed{color:#116329} .s-failure,.s-error{color:#a40e26;font-weight:600} .s-not-judged{color:#57606a}
.s-deviation{color:#9a6700;font-weight:600} .s-excused{color:#9a6700} .s-notice{color:#8250df;font-weight:600}
.banner{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px;margin:8px 0}
details{border:1px solid #d0d7de;border-radius:8px;margin:8px 0;padding:6px 10px}
details[open]{background:#fbfcfd} summary{cursor:pointer}
pre{background:#f6f8fa;border-radius:6px;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-all;max-height:360px}
.diff td:nth-child(2){color:#116329} .diff td:nth-child(3){color:#a40e26}
.filters{display:flex;gap:12px;margin:10px 0;flex-wrap:wrap} .filters input,.filters select{padding:4px 6px}
"#;

const SCRIPT: &str = r#"
function applyFilters(){
  const o=document.getElementById('f-outcome').value, t=document.getElementById('f-tag').value.trim(), s=document.getElementById('f-spec').value.trim();
  document.querySelectorAll('[data-outcomes]').forEach(function(el){
    const ok=(!o||el.dataset.outcomes.split(' ').includes(o))&&(!t||el.dataset.tags.split(' ').includes(t))&&(!s||el.dataset.spec.split(' ').some(function(x){return x===s||x.startsWith(s+'.')}));
    el.style.display=ok?'':'none';
  });
}
"#;

/// The HTML report of one run, or the matrix of several.
pub fn render(runs: &[Results]) -> String {
    let (title, body) = match runs {
        [one] => (format!("ucwa-conformance: {}", one.target.name), single(one)),
        many => ("ucwa-conformance: vendor matrix".to_string(), matrix(many)),
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { (title) }
                style { (PreEscaped(STYLE)) }
                script { (PreEscaped(SCRIPT)) }
            }
            body { (body) }
        }
    };
    // Target text may hold characters HTML forbids (a terminal's ESC): made visible.
    super::escape::xml_chars(&page.into_string()) + "\n"
}

/// The verdict of a run, as a word and a CSS class.
fn verdict(r: &Results) -> (&'static str, &'static str) {
    let class = match r.verdict {
        RunVerdict::Conformant => "ok",
        RunVerdict::NotConformant { .. } | RunVerdict::Partial { .. } | RunVerdict::Stopped { .. } => "bad",
    };
    (r.verdict.word(), class)
}

/// The verdict of each area, as a table.
fn areas(r: &Results) -> Markup {
    html! {
        @if !r.areas.is_empty() {
            table.areas {
                caption { "By area" }
                tr { th { "area" } th { "verdict" } th { "trials" } th { "passed" } th { "failed" } th { "errors" } th { "should-level deviations" } }
                @for a in &r.areas {
                    tr {
                        td { (a.area) }
                        td { span class={ "verdict " (a.verdict.class()) } { (a.text()) } }
                        td { (a.trials) }
                        td { (a.pass) }
                        td { (a.failed) }
                        td { (a.errors) }
                        td { (a.deviations) }
                    }
                }
            }
        }
    }
}

/// The differences of the trials that need a look, by kind, as a table.
fn kinds(r: &Results) -> Markup {
    let kinds = super::kinds::by_kind(r);
    html! {
        @if !kinds.is_empty() {
            table.areas {
                caption { "Differences by kind" }
                tr { th { "kind" } th { "differences" } th { "trials" } }
                @for k in &kinds {
                    tr { td { (k.kind.as_str()) } td { (k.differences) } td { (k.trials) } }
                }
            }
        }
    }
}

/// An exploration's coverage, seed and findings, each with its case file.
fn exploration(r: &Results) -> Markup {
    let Some(e) = &r.explore else { return html! {} };
    html! {
        h2 { "Exploration" }
        p { (e.line()) " (repeat with " code { "explore --seed " (e.seed) } ")." }
        @for f in &e.findings {
            details.trial {
                summary {
                    b { (f.severity.as_str()) } " " (f.request) ": " (f.what) " expected " (f.expected)
                    ", got " (f.actual) " (" (area_verdict::counted(f.hits, "generated request", "generated requests")) ")"
                }
                pre { (f.case) }
            }
        }
    }
}

fn single(r: &Results) -> Markup {
    let s = &r.summary;
    let (word, class) = verdict(r);
    let mut ordered: Vec<&CaseResult> = r.cases.iter().collect();
    ordered.sort_by_key(|c| (standing::of(c, r.strict).shown, c.name()));
    html! {
        h1 { "ucwa-conformance against " (r.target.name) }
        div.meta {
            (r.target.base_url) " · suite " (r.suite_version) " · started " (r.started_at) " · "
            (r.duration_ms) " ms · " (r.case_set_digest)
            @if r.strict { " · strict" }
        }
        span class={ "verdict " (class) } { (word) }
        " "
        span { (s.counted) " counted failures" }
        @if r.target.insecure {
            div.banner { (INSECURE_NOTE) }
        }
        @if let RunVerdict::Partial { missing, .. } = &r.verdict {
            div.banner {
                "Missing from this merge: " (crate::report::results::missing_partitions(missing))
                ". The verdict does not cover the trials missing."
            }
        }
        @if let Some(cause) = r.verdict.stop_cause() {
            div.banner { "The run was " (cause) ": trials that had not finished are " b { "not run" } "." }
        }
        (settings(r))
        (exploration(r))
        (areas(r))
        (kinds(r))
        @if s.must_not_run > 0 {
            div.banner {
                (s.must_not_run) " must-level " (if s.must_not_run == 1 { "trial" } else { "trials" })
                " did not run (skipped or not run): the verdict does not cover them."
                (not_run(r))
            }
        }
        (failure_index(r))
        div.cards {
            @for outcome in Outcome::ALL {
                @let n = s.count(outcome);
                @if n > 0 || matches!(outcome, Outcome::Pass | Outcome::Fail) {
                    div.card { b { (n) } (outcome.label()) }
                }
            }
        }
        (filters(&r.cases))
        h2 { "Trials" }
        @for c in ordered {
            (trial(c, r))
        }
    }
}

fn trial(c: &CaseResult, run: &Results) -> Markup {
    let standing = standing::of(c, run.strict);
    let replay = c.exchanges.last().and_then(curl::command);
    let note = if run.applications_kept {
        "The run kept its applications (--keep-applications), so the URL still works while they live."
    } else {
        "The run deleted its applications when it ended: replaying needs a live application (run with --keep-applications, or create one and change the URL)."
    };
    html! {
        details open[standing.counts] id=(anchor(c)) data-outcomes=(c.outcome.as_str())
            data-tags=(c.tags.join(" ")) data-spec=(c.spec.join(" ")) {
            summary {
                span class={ "s-" (standing.shown.as_str()) } { (c.outcome.label()) }
                " \u{a0}" code { (c.name()) } " \u{a0}" (inline_code(&c.title)) " "
                small { "(" (c.severity.as_str()) ", " (c.duration_ms) " ms" @if standing.counts { ", counted" } ")" }
            }
            div { "spec: " (c.spec.join(", ")) }
            @if let Some(reason) = &c.reason {
                p { (reason) }
            }
            @if !c.mismatches.is_empty() {
                h3 {
                    "Expected vs actual"
                    @if let Some(step) = c.failed_step { " (step " (step) ")" }
                }
                table.diff {
                    tr { th { "what" } th { "expected" } th { "actual" } }
                    @for m in &c.mismatches {
                        tr { td { (m.what) } td { (m.expected) } td { (m.actual) } }
                    }
                }
            }
            @for (i, e) in c.exchanges.iter().enumerate() {
                h3 { "Step " (i + 1) }
                pre { (e.request_text()) }
                @let response = e.response_text();
                @if !response.is_empty() {
                    @match pretty_response(e) {
                        // A JSON or XML body shown indented, the exact bytes one click away.
                        Some(pretty) => {
                            pre { (pretty) }
                            details.raw { summary { "exact response" } pre { (response) } }
                        }
                        None => { pre { (response) } }
                    }
                }
            }
            @if let Some(command) = replay {
                h3 { "Reproduce" }
                p { (note) }
                pre { (command) }
            }
        }
    }
}

/// The id a trial's block has, for links to it.
fn anchor(c: &CaseResult) -> String {
    format!("t-{}-{}", c.id, c.media)
}

/// A title with its `inline code` rendered as code.
fn inline_code(title: &str) -> Markup {
    html! {
        @for (i, part) in title.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

/// The run's settings: strictness, the selection and the partition.
fn settings(r: &Results) -> Markup {
    let sel = &r.selection;
    let mut parts: Vec<String> = vec![if r.strict { "strict".into() } else { "not strict".into() }];
    if !sel.filters.is_empty() {
        parts.push(format!("filters: {}", sel.filters.join(", ")));
    }
    if !sel.skip.is_empty() {
        parts.push(format!("skip: {}", sel.skip.join(", ")));
    }
    if !sel.tags.is_empty() {
        parts.push(format!("tags: {}", sel.tags.join(", ")));
    }
    if !sel.spec.is_empty() {
        parts.push(format!("spec: {}", sel.spec.join(", ")));
    }
    if !sel.areas.is_empty() {
        parts.push(format!("areas: {}", sel.areas.join(", ")));
    }
    if let Some(p) = sel.partition {
        parts.push(format!("partition {}/{}", p.index, p.count));
    }
    if let Some(sum) = r.partitions_duration_ms {
        parts.push(format!("merged: {} ms wall, {sum} ms in all partitions", r.duration_ms));
    }
    html! { div.meta { "settings: " (parts.join(" · ")) } }
}

/// The must-level trials that did not run, each with why and what would run it.
fn not_run(r: &Results) -> Markup {
    let skipped = r
        .cases
        .iter()
        .filter(|c| c.severity.as_str() == "must" && matches!(c.outcome, Outcome::Skip | Outcome::NotRun));
    html! {
        ul {
            @for c in skipped {
                @let reason = c.reason.clone().unwrap_or_default();
                li { a href={ "#" (anchor(c)) } { code { (c.name()) } } ": " (reason) (offered_by(&reason)) }
            }
        }
    }
}

/// What offers the precondition a skip names: the flag, variable or profile key.
fn offered_by(reason: &str) -> String {
    let hints: [(&str, &str); 5] = [
        (
            "peer:decline",
            "--peer-decline, UCWA_PEER_DECLINE or peer_decline in the profile",
        ),
        (
            "peer:ignore",
            "--peer-ignore, UCWA_PEER_IGNORE or peer_ignore in the profile",
        ),
        ("anonymous", "the profile's [anonymous] table"),
        (
            "fault:",
            "--offer fault:NAME (UCWA_OFFERS, offers in the profile) and --faults-url",
        ),
        (
            "peer:accept",
            "--offer peer:accept (UCWA_OFFERS, offers in the profile)",
        ),
    ];
    hints
        .iter()
        .find(|(needle, _)| reason.contains(needle))
        .map(|(_, how)| format!(" (offered by {how})"))
        .unwrap_or_default()
}

/// The counted failures at the top, grouped by cause (the same first difference), with the spec
/// items they cite: one broken rule that fails sixteen trials reads as one group of sixteen.
fn failure_index(r: &Results) -> Markup {
    let mut groups: Vec<(String, Vec<&CaseResult>)> = Vec::new();
    for c in r.cases.iter().filter(|c| standing::of(c, r.strict).counts) {
        let cause = c
            .mismatches
            .first()
            .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.actual))
            .unwrap_or_else(|| c.reason.clone().unwrap_or_default());
        match groups.iter_mut().find(|(k, _)| *k == cause) {
            Some((_, members)) => members.push(c),
            None => groups.push((cause, vec![c])),
        }
    }
    groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    html! {
        @if !groups.is_empty() {
            h2 { "Counted failures, by cause" }
            ol.index {
                @for (cause, members) in &groups {
                    li {
                        b { (members.len()) " trial" @if members.len() != 1 { "s" } }
                        ": " (cause) " (spec items: " (cited(members)) ")"
                        br;
                        @for (i, c) in members.iter().enumerate() {
                            @if i > 0 { " " }
                            a href={ "#" (anchor(c)) } { code { (c.name()) } }
                        }
                    }
                }
            }
        }
    }
}

/// The spec items some trials cite, sorted, each once.
fn cited(members: &[&CaseResult]) -> String {
    let items: BTreeSet<&str> = members.iter().flat_map(|c| c.spec.iter().map(String::as_str)).collect();
    items.into_iter().collect::<Vec<_>>().join(", ")
}

/// The response with its JSON or XML body indented, when it is one that parses.
fn pretty_response(e: &crate::record::exchange::Exchange) -> Option<String> {
    let crate::record::exchange::Exchange::Http {
        response: Some(response),
        ..
    } = e
    else {
        return None;
    };
    // Only a body stored whole as text (at most 64 KiB): a filler body stored as repeated units
    // stays in its compact form rather than expanded into the page.
    let crate::record::exchange::Stored::Text { text: body } = &response.body.as_ref()?.stored else {
        return None;
    };
    let kind = response.header("content-type").unwrap_or("");
    let pretty = match crate::wire::family(kind) {
        crate::wire::Family::Json => serde_json::to_string_pretty(&crate::wire::parse::json(body).ok()?).ok()?,
        crate::wire::Family::Xml => indent_xml(body)?,
        crate::wire::Family::Other => return None,
    };
    let mut head = format!("HTTP {}\n", response.status);
    for h in &response.headers {
        head.push_str(&format!("{}: {}\n", h.name, h.value));
    }
    Some(format!("{head}\n{pretty}"))
}

/// XML with one element per line, indented by depth: written from the parsed document (within
/// the nesting limit), attributes and text as they were.
fn indent_xml(text: &str) -> Option<String> {
    let doc = crate::wire::parse::xml(text).ok()?;
    let mut out = String::new();
    write_element(doc.root_element(), 0, &mut out);
    Some(out)
}

fn write_element(node: roxmltree::Node<'_, '_>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let name = qualified(node);
    out.push_str(&indent);
    out.push('<');
    out.push_str(&name);
    for ns in node.namespaces() {
        // Declared here, not inherited from the parent.
        let inherited = node
            .parent_element()
            .is_some_and(|p| p.namespaces().any(|n| n.name() == ns.name() && n.uri() == ns.uri()));
        if !inherited {
            match ns.name() {
                Some(prefix) => out.push_str(&format!(" xmlns:{prefix}=\"{}\"", ns.uri())),
                None => out.push_str(&format!(" xmlns=\"{}\"", ns.uri())),
            }
        }
    }
    for a in node.attributes() {
        let prefix = a
            .namespace()
            .and_then(|uri| node.lookup_prefix(uri))
            .map(|p| format!("{p}:"))
            .unwrap_or_default();
        out.push_str(&format!(" {prefix}{}=\"{}\"", a.name(), a.value()));
    }
    let children: Vec<roxmltree::Node<'_, '_>> = node
        .children()
        .filter(|c| c.is_element() || (c.is_text() && !c.text().unwrap_or("").trim().is_empty()))
        .collect();
    match children.as_slice() {
        [] => out.push_str("/>\n"),
        [only] if only.is_text() => {
            out.push('>');
            out.push_str(only.text().unwrap_or(""));
            out.push_str(&format!("</{name}>\n"));
        }
        _ => {
            out.push_str(">\n");
            for child in children {
                if child.is_element() {
                    write_element(child, depth + 1, out);
                } else {
                    out.push_str(&format!("{indent}  {}\n", child.text().unwrap_or("").trim()));
                }
            }
            out.push_str(&format!("{indent}</{name}>\n"));
        }
    }
}

/// An element's name with the prefix its document gave it.
fn qualified(node: roxmltree::Node<'_, '_>) -> String {
    let tag = node.tag_name();
    match tag.namespace().and_then(|uri| node.lookup_prefix(uri)) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}:{}", tag.name()),
        _ => tag.name().to_string(),
    }
}

fn filters(cases: &[CaseResult]) -> Markup {
    let outcomes: BTreeSet<&str> = cases.iter().map(|c| c.outcome.as_str()).collect();
    html! {
        div.filters {
            label {
                "outcome "
                select #f-outcome onchange="applyFilters()" {
                    option value="" { "all" }
                    @for o in outcomes { option { (o) } }
                }
            }
            label { "tag " input #f-tag oninput="applyFilters()" placeholder="errors"; }
            label { "spec item " input #f-spec oninput="applyFilters()" placeholder="error.409"; }
        }
    }
}

fn matrix(runs: &[Results]) -> Markup {
    let all: Vec<CaseResult> = runs.iter().flat_map(|r| r.cases.iter().cloned()).collect();
    let names: BTreeSet<String> = all.iter().map(CaseResult::name).collect();
    html! {
        h1 { "ucwa-conformance: vendor matrix" }
        div.meta {
            @for r in runs {
                @let (word, class) = verdict(r);
                div {
                    b { (r.target.name) } " (" (r.target.base_url) "): "
                    span class={ "verdict " (class) } { (word) }
                    " " (r.summary.line()) " · " (r.started_at)
                    @if !r.areas.is_empty() { " · by area: " (area_verdict::line(&r.areas)) }
                }
            }
        }
        (filters(&all))
        table {
            tr {
                th { "trial" } th { "severity" } th { "spec" }
                @for name in super::results::run_names(runs) { th { (name) } }
            }
            @for name in &names {
                @let entries: Vec<Option<&CaseResult>> =
                    runs.iter().map(|r| r.cases.iter().find(|c| &c.name() == name)).collect();
                @if let Some(any) = entries.iter().flatten().next() {
                    @let outcomes: Vec<&str> = entries.iter().map(|e| e.map_or("-", |c| c.outcome.as_str())).collect();
                    tr data-outcomes=(outcomes.join(" ")) data-tags=(any.tags.join(" ")) data-spec=(any.spec.join(" ")) {
                        td { code { (name) } }
                        td { (any.severity.as_str()) }
                        td { (any.spec.join(", ")) }
                        @for (entry, run) in entries.iter().zip(runs) {
                            @match entry {
                                Some(c) => {
                                    td class={ "s-" (standing::of(c, run.strict).shown.as_str()) } title=(c.first_difference()) {
                                        (c.outcome.label())
                                    }
                                }
                                None => { td { "-" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_is_indented_from_the_parsed_document_keeping_prefixes_and_text() {
        let text = "<?xml version=\"1.0\"?><r:resource xmlns:r=\"urn:x\" rel=\"me\"><r:property name=\"a\">x &lt; y</r:property><r:link rel=\"b\" href=\"/b\"/></r:resource>";
        let pretty = indent_xml(text).expect("parses");
        assert_eq!(
            pretty,
            "<r:resource xmlns:r=\"urn:x\" rel=\"me\">\n  <r:property name=\"a\">x < y</r:property>\n  <r:link rel=\"b\" href=\"/b\"/>\n</r:resource>\n"
        );
        assert!(indent_xml("<a><b></a>").is_none(), "not XML: shown as it came");
    }

    #[test]
    fn every_value_of_a_results_file_is_escaped() {
        let mut case = CaseResult::new(
            "x\"><script>alert(1)</script>",
            crate::case::Media::Json,
            crate::case::Severity::Must,
            Outcome::Fail,
        );
        case.title = "`<b>`".into();
        case.reason = Some("<img src=x onerror=alert(1)>".into());
        let run: Results = serde_json::from_value(serde_json::json!({
            "schema": "ucwa-conformance/results/2", "suite_version": "0", "case_set_digest": "sha256:x",
            "target": {"name": "t", "base_url": "http://t/", "media": ["json"], "offers": []},
            "started_at": "2026-12-02T00:00:00Z", "duration_ms": 1, "strict": false, "interrupted": false,
            "applications_kept": false, "verdict": {"is": "conformant"}, "cases": [],
            "summary": {"pass": 0, "fail": 0, "should_deviation": 0, "skip": 0, "error": 0, "known_failure": 0,
                        "unexpected_pass": 0, "flaky": 0, "not_run": 0, "counted": 0, "conformant": true}
        }))
        .expect("a results file");
        let markup = trial(&case, &run).into_string();
        assert!(
            !markup.contains("<script>") && !markup.contains("<img") && !markup.contains("<b>"),
            "{markup}"
        );
        assert!(markup.contains("&lt;img src=x"), "{markup}");
    }
}
