//! A self-contained HTML report (no network: inline CSS and a few lines of script). One results
//! file: a summary, then each trial with expected vs actual, the request and response, and a
//! curl command that replays the last request (secrets stay redacted). Several results files:
//! a vendor x trial matrix, filtered by outcome, tag and spec item. Colours, order and the open
//! cards follow each trial's standing.

use super::curl;
use super::results::{INSECURE_NOTE, Results};
use crate::judge::area_verdict::AreaWord;
use crate::judge::run_verdict::RunVerdict;
use crate::judge::standing;
use crate::judge::verdict::{CaseResult, Outcome};
use std::collections::BTreeSet;
use std::fmt::Write as _;

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.meta{color:#57606a;margin-bottom:16px}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0 20px}
.card{border:1px solid #d0d7de;border-radius:8px;padding:8px 14px;min-width:92px}
.card b{display:block;font-size:22px}
.verdict{display:inline-block;padding:4px 10px;border-radius:6px;font-weight:600}
.ok{background:#dafbe1;color:#116329} .bad{background:#ffebe9;color:#a40e26}
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
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>{STYLE}</style><script>{SCRIPT}</script></head><body>{body}</body></html>\n",
        esc(&title)
    )
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
fn areas(r: &Results) -> String {
    if r.areas.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<table class=\"areas\"><caption>By area</caption><tr><th>area</th><th>verdict</th><th>trials</th><th>passed</th><th>counted failures</th></tr>",
    );
    for a in &r.areas {
        let class = match a.verdict {
            AreaWord::Conformant => "ok",
            AreaWord::NotConformant => "bad",
            AreaWord::Incomplete | AreaWord::NotTested => "",
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td><span class=\"verdict {class}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.area),
            a.verdict.as_str(),
            a.trials,
            a.pass,
            a.counted
        );
    }
    out.push_str("</table>");
    out
}

fn single(r: &Results) -> String {
    let s = &r.summary;
    let mut out = format!(
        "<h1>ucwa-conformance against {}</h1><div class=\"meta\">{} &middot; suite {} &middot; started {} &middot; {} ms &middot; {}{}</div>",
        esc(&r.target.name),
        esc(&r.target.base_url),
        esc(&r.suite_version),
        esc(&r.started_at),
        r.duration_ms,
        esc(&r.case_set_digest),
        if r.strict { " &middot; strict" } else { "" }
    );
    let (word, class) = verdict(r);
    let _ = write!(
        out,
        "<span class=\"verdict {class}\">{word}</span> <span>{} counted failures</span>",
        s.counted
    );
    if r.target.insecure {
        let _ = write!(out, "<div class=\"banner\">{}</div>", esc(INSECURE_NOTE));
    }
    if let RunVerdict::Partial { missing, .. } = &r.verdict {
        let _ = write!(
            out,
            "<div class=\"banner\">Partitions {} are missing from this merge: the verdict does not cover their trials.</div>",
            esc(&crate::report::console::list(missing))
        );
    }
    if let Some(cause) = r.verdict.stop_cause() {
        let _ = write!(
            out,
            "<div class=\"banner\">The run was {}: trials that had not finished are <b>not run</b>.</div>",
            esc(cause)
        );
    }
    out.push_str(&settings(r));
    out.push_str(&areas(r));
    if s.must_not_run > 0 {
        let _ = write!(
            out,
            "<div class=\"banner\">{} must-level trials did not run (skipped or not run): the verdict does not cover them.{}</div>",
            s.must_not_run,
            not_run(r)
        );
    }
    out.push_str(&failure_index(r));
    out.push_str("<div class=\"cards\">");
    for outcome in Outcome::ALL {
        let n = s.count(outcome);
        if n > 0 || matches!(outcome, Outcome::Pass | Outcome::Fail) {
            let _ = write!(out, "<div class=\"card\"><b>{n}</b>{}</div>", outcome.label());
        }
    }
    out.push_str("</div>");
    out.push_str(&filters(&r.cases));
    out.push_str("<h2>Trials</h2>");
    let mut ordered: Vec<&CaseResult> = r.cases.iter().collect();
    ordered.sort_by_key(|c| (standing::of(c, r.strict).shown, c.name()));
    for c in ordered {
        out.push_str(&trial(c, r));
    }
    out
}

fn trial(c: &CaseResult, run: &Results) -> String {
    let standing = standing::of(c, run.strict);
    let open = if standing.counts { " open" } else { "" };
    let class = standing.shown.as_str();
    let mut out = format!(
        "<details{open} id=\"{}\" data-outcomes=\"{}\" data-tags=\"{}\" data-spec=\"{}\"><summary><span class=\"s-{class}\">{}</span> &nbsp;<code>{}</code> &nbsp;{} <small>({}, {} ms{})</small></summary>",
        anchor(c),
        esc(c.outcome.as_str()),
        esc(&c.tags.join(" ")),
        esc(&c.spec.join(" ")),
        esc(c.outcome.label()),
        esc(&c.name()),
        inline_code(&c.title),
        esc(c.severity.as_str()),
        c.duration_ms,
        if standing.counts { ", counted" } else { "" }
    );
    let _ = write!(out, "<div>spec: {}</div>", esc(&c.spec.join(", ")));
    if let Some(reason) = &c.reason {
        let _ = write!(out, "<p>{}</p>", esc(reason));
    }
    if !c.mismatches.is_empty() {
        let step = c.failed_step.map(|s| format!(" (step {s})")).unwrap_or_default();
        let _ = write!(
            out,
            "<h3>Expected vs actual{step}</h3><table class=\"diff\"><tr><th>what</th><th>expected</th><th>actual</th></tr>"
        );
        for m in &c.mismatches {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&m.what),
                esc(&m.expected),
                esc(&m.actual)
            );
        }
        out.push_str("</table>");
    }
    for (i, e) in c.exchanges.iter().enumerate() {
        let _ = write!(out, "<h3>Step {}</h3><pre>{}</pre>", i + 1, esc(&e.request_text()));
        let response = e.response_text();
        if response.is_empty() {
            continue;
        }
        match pretty_response(e) {
            // A JSON or XML body shown indented, the exact bytes one click away.
            Some(pretty) => {
                let _ = write!(
                    out,
                    "<pre>{}</pre><details class=\"raw\"><summary>exact response</summary><pre>{}</pre></details>",
                    esc(&pretty),
                    esc(&response)
                );
            }
            None => {
                let _ = write!(out, "<pre>{}</pre>", esc(&response));
            }
        }
    }
    if let Some(command) = c.exchanges.last().and_then(curl::command) {
        let note = if run.applications_kept {
            "The run kept its applications (--keep-applications), so the URL still works while they live."
        } else {
            "The run deleted its applications when it ended: replaying needs a live application (run with --keep-applications, or create one and change the URL)."
        };
        let _ = write!(out, "<h3>Reproduce</h3><p>{note}</p><pre>{}</pre>", esc(&command));
    }
    out.push_str("</details>");
    out
}

/// The id a trial's block has, for links to it.
fn anchor(c: &CaseResult) -> String {
    format!("t-{}-{}", esc(&c.id), c.media)
}

/// A title with its `inline code` rendered as code (the text escaped first).
fn inline_code(title: &str) -> String {
    let escaped = esc(title);
    let mut out = String::new();
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The run's settings: strictness, the selection and the partition.
fn settings(r: &Results) -> String {
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
    if let Some(p) = sel.partition {
        parts.push(format!("partition {}/{}", p.index, p.count));
    }
    if let Some(sum) = r.partitions_duration_ms {
        parts.push(format!("merged: {} ms wall, {sum} ms in all partitions", r.duration_ms));
    }
    let parts: Vec<String> = parts.iter().map(|p| esc(p)).collect();
    format!("<div class=\"meta\">settings: {}</div>", parts.join(" &middot; "))
}

/// The must-level trials that did not run, each with why and what would run it.
fn not_run(r: &Results) -> String {
    let rows: Vec<String> = r
        .cases
        .iter()
        .filter(|c| c.severity.as_str() == "must" && matches!(c.outcome, Outcome::Skip | Outcome::NotRun))
        .map(|c| {
            let reason = c.reason.clone().unwrap_or_default();
            format!(
                "<li><a href=\"#{}\"><code>{}</code></a>: {}{}</li>",
                anchor(c),
                esc(&c.name()),
                esc(&reason),
                esc(&offered_by(&reason))
            )
        })
        .collect();
    format!("<ul>{}</ul>", rows.join(""))
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
fn failure_index(r: &Results) -> String {
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
    if groups.is_empty() {
        return String::new();
    }
    groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    let mut out = String::from("<h2>Counted failures, by cause</h2><ol class=\"index\">");
    for (cause, members) in groups {
        let mut items: Vec<&str> = members.iter().flat_map(|c| c.spec.iter().map(String::as_str)).collect();
        items.sort_unstable();
        items.dedup();
        let cause = format!("{cause} (spec items: {})", items.join(", "));
        let links: Vec<String> = members
            .iter()
            .map(|c| format!("<a href=\"#{}\"><code>{}</code></a>", anchor(c), esc(&c.name())))
            .collect();
        let _ = write!(
            out,
            "<li><b>{} trial{}</b>: {}<br>{}</li>",
            members.len(),
            if members.len() == 1 { "" } else { "s" },
            esc(&cause),
            links.join(" ")
        );
    }
    out.push_str("</ol>");
    out
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

/// XML with one element per line, indented by depth (within the nesting limit).
fn indent_xml(text: &str) -> Option<String> {
    crate::wire::parse::xml(text).ok()?;
    let mut out = String::new();
    let mut depth = 0usize;
    for piece in text.replace('>', ">\n").replace('<', "\n<").lines() {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        if piece.starts_with("</") {
            depth = depth.saturating_sub(1);
        }
        out.push_str(&"  ".repeat(depth));
        out.push_str(piece);
        out.push('\n');
        if piece.starts_with('<') && !piece.starts_with("</") && !piece.starts_with("<?") && !piece.ends_with("/>") {
            depth += 1;
        }
    }
    Some(out)
}

fn filters(cases: &[CaseResult]) -> String {
    let outcomes: BTreeSet<&str> = cases.iter().map(|c| c.outcome.as_str()).collect();
    let mut out = String::from(
        "<div class=\"filters\"><label>outcome <select id=\"f-outcome\" onchange=\"applyFilters()\"><option value=\"\">all</option>",
    );
    for o in outcomes {
        let _ = write!(out, "<option>{}</option>", esc(o));
    }
    out.push_str(
        "</select></label><label>tag <input id=\"f-tag\" oninput=\"applyFilters()\" placeholder=\"errors\"></label>\
         <label>spec item <input id=\"f-spec\" oninput=\"applyFilters()\" placeholder=\"error.409\"></label></div>",
    );
    out
}

fn matrix(runs: &[Results]) -> String {
    let mut out = String::from("<h1>ucwa-conformance: vendor matrix</h1><div class=\"meta\">");
    for r in runs {
        let (word, class) = verdict(r);
        let _ = write!(
            out,
            "<div><b>{}</b> ({}): <span class=\"verdict {class}\">{word}</span> {} &middot; {}{}</div>",
            esc(&r.target.name),
            esc(&r.target.base_url),
            esc(&r.summary.line()),
            esc(&r.started_at),
            if r.areas.is_empty() {
                String::new()
            } else {
                format!(
                    " &middot; by area: {}",
                    esc(&crate::judge::area_verdict::line(&r.areas))
                )
            }
        );
    }
    out.push_str("</div>");
    let all: Vec<CaseResult> = runs.iter().flat_map(|r| r.cases.iter().cloned()).collect();
    out.push_str(&filters(&all));
    out.push_str("<table><tr><th>trial</th><th>severity</th><th>spec</th>");
    for name in super::results::run_names(runs) {
        let _ = write!(out, "<th>{}</th>", esc(&name));
    }
    out.push_str("</tr>");
    let names: BTreeSet<String> = all.iter().map(CaseResult::name).collect();
    for name in names {
        let entries: Vec<Option<&CaseResult>> =
            runs.iter().map(|r| r.cases.iter().find(|c| c.name() == name)).collect();
        let Some(any) = entries.iter().flatten().next() else {
            continue;
        };
        let outcomes: Vec<&str> = entries.iter().map(|e| e.map_or("-", |c| c.outcome.as_str())).collect();
        let _ = write!(
            out,
            "<tr data-outcomes=\"{}\" data-tags=\"{}\" data-spec=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td>",
            esc(&outcomes.join(" ")),
            esc(&any.tags.join(" ")),
            esc(&any.spec.join(" ")),
            esc(&name),
            esc(any.severity.as_str()),
            esc(&any.spec.join(", "))
        );
        for (entry, run) in entries.iter().zip(runs) {
            match entry {
                Some(c) => {
                    let shown = standing::of(c, run.strict).shown;
                    let _ = write!(
                        out,
                        "<td class=\"s-{}\" title=\"{}\">{}</td>",
                        shown.as_str(),
                        esc(&c.first_difference()),
                        esc(c.outcome.label())
                    );
                }
                None => out.push_str("<td>-</td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

use super::escape::html as esc;
