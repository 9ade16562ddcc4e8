//! A self-contained HTML report (no network: inline CSS and a few lines of script). One results
//! file: a summary, then each trial with expected vs actual, the request and response, and a
//! curl command that replays the last request (secrets stay redacted). Several results files:
//! a vendor x trial matrix, filtered by outcome, tag and spec item. Colours, order and the open
//! cards follow each trial's standing.

use super::curl;
use super::results::{INSECURE_NOTE, Results};
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
            "<div class=\"banner\">The run {}: trials that had not finished are <b>not run</b>.</div>",
            esc(cause)
        );
    }
    if s.must_not_run > 0 {
        let _ = write!(
            out,
            "<div class=\"banner\">{} must-level trials did not run (skipped or not run): the verdict does not cover them.</div>",
            s.must_not_run
        );
    }
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
        "<details{open} data-outcomes=\"{}\" data-tags=\"{}\" data-spec=\"{}\"><summary><span class=\"s-{class}\">{}</span> &nbsp;<code>{}</code> &nbsp;{} <small>({}, {} ms{})</small></summary>",
        esc(c.outcome.as_str()),
        esc(&c.tags.join(" ")),
        esc(&c.spec.join(" ")),
        esc(c.outcome.label()),
        esc(&c.name()),
        esc(&c.title),
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
        if !response.is_empty() {
            let _ = write!(out, "<pre>{}</pre>", esc(&response));
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
            "<div><b>{}</b> ({}): <span class=\"verdict {class}\">{word}</span> {} &middot; {}</div>",
            esc(&r.target.name),
            esc(&r.target.base_url),
            esc(&r.summary.line()),
            esc(&r.started_at)
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

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
