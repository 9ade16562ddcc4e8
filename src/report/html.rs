//! A self-contained HTML report (no network: inline CSS and a few lines of script). One results
//! file: a summary, then each trial with expected vs actual, the request and response, and a
//! curl command that reproduces the last request (secrets stay redacted). Several results files:
//! a vendor x trial matrix, filtered by outcome, tag and spec item.

use super::results::{CaseEntry, Results};
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
.o-pass{color:#116329} .o-fail,.o-error{color:#a40e26;font-weight:600} .o-skip{color:#57606a}
.o-expected-fail{color:#9a6700} .o-unexpected-pass{color:#8250df;font-weight:600}
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

fn single(r: &Results) -> String {
    let s = &r.summary;
    let conformant = s.fail + s.error == 0;
    let mut out = format!(
        "<h1>ucwa-conformance against {}</h1><div class=\"meta\">{} &middot; suite {} &middot; started {} &middot; {} ms &middot; {}</div>",
        esc(&r.target.name),
        esc(&r.target.base_url),
        esc(&r.suite_version),
        esc(&r.started_at),
        r.duration_ms,
        esc(&r.case_set_digest)
    );
    let _ = write!(
        out,
        "<span class=\"verdict {}\">{}</span>",
        if conformant { "ok" } else { "bad" },
        if conformant { "conformant" } else { "NOT conformant" }
    );
    out.push_str("<div class=\"cards\">");
    for (label, n) in [
        ("passed", s.pass),
        ("failed", s.fail),
        ("should-level", s.should),
        ("known failures", s.expected_fail),
        ("unexpected passes", s.unexpected_pass),
        ("skipped", s.skip),
        ("errors", s.error),
    ] {
        let _ = write!(out, "<div class=\"card\"><b>{n}</b>{label}</div>");
    }
    out.push_str("</div>");
    out.push_str(&filters(&r.cases));
    out.push_str("<h2>Trials</h2>");
    let mut ordered: Vec<&CaseEntry> = r.cases.iter().collect();
    ordered.sort_by_key(|c| (rank(&c.outcome), c.name()));
    for c in ordered {
        out.push_str(&trial(c));
    }
    out
}

/// Failures first, then errors, baseline states, should-level, skips, passes.
fn rank(outcome: &str) -> u8 {
    match outcome {
        "fail" => 0,
        "error" => 1,
        "unexpected-pass" => 2,
        "expected-fail" => 3,
        "flaky" => 4,
        "skip" => 5,
        _ => 6,
    }
}

fn trial(c: &CaseEntry) -> String {
    let open = if c.counts_as_failure() { " open" } else { "" };
    let mut out = format!(
        "<details{open} data-outcomes=\"{}\" data-tags=\"{}\" data-spec=\"{}\"><summary><span class=\"o-{}\">{}</span> &nbsp;<code>{}</code> &nbsp;{} <small>({}, {} ms)</small></summary>",
        esc(&c.outcome),
        esc(&c.tags.join(" ")),
        esc(&c.spec.join(" ")),
        esc(&c.outcome),
        esc(&c.outcome),
        esc(&c.name()),
        esc(&c.title),
        esc(&c.severity),
        c.duration_ms
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
        let _ = write!(out, "<h3>Step {}</h3><pre>{}</pre>", i + 1, esc(&e.request));
        if !e.response.is_empty() {
            let _ = write!(out, "<pre>{}</pre>", esc(&e.response));
        }
    }
    if let Some(curl) = c.exchanges.last().and_then(|e| curl(&e.request)) {
        let _ = write!(out, "<h3>Reproduce</h3><pre>{}</pre>", esc(&curl));
    }
    out.push_str("</details>");
    out
}

fn filters(cases: &[CaseEntry]) -> String {
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
        let s = &r.summary;
        let _ = write!(
            out,
            "<div><b>{}</b> ({}): {} passed, {} failed, {} errors, {} skipped &middot; {}</div>",
            esc(&r.target.name),
            esc(&r.target.base_url),
            s.pass,
            s.fail,
            s.error,
            s.skip,
            esc(&r.started_at)
        );
    }
    out.push_str("</div>");
    let all: Vec<CaseEntry> = runs.iter().flat_map(|r| r.cases.iter().cloned()).collect();
    out.push_str(&filters(&all));
    out.push_str("<table><tr><th>trial</th><th>severity</th><th>spec</th>");
    for name in super::results::run_names(runs) {
        let _ = write!(out, "<th>{}</th>", esc(&name));
    }
    out.push_str("</tr>");
    let names: BTreeSet<String> = all.iter().map(CaseEntry::name).collect();
    for name in names {
        let entries: Vec<Option<&CaseEntry>> = runs.iter().map(|r| r.cases.iter().find(|c| c.name() == name)).collect();
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
            esc(&any.severity),
            esc(&any.spec.join(", "))
        );
        for (entry, outcome) in entries.iter().zip(&outcomes) {
            let title = entry.map(super::junit::first).unwrap_or_default();
            let _ = write!(
                out,
                "<td class=\"o-{}\" title=\"{}\">{}</td>",
                esc(outcome),
                esc(&title),
                esc(outcome)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// A curl command for a recorded request (`METHOD URL`, headers, blank line, body). The
/// Authorization value stays redacted: the command reads the token from `$UCWA_TOKEN`.
pub fn curl(request: &str) -> Option<String> {
    let mut lines = request.lines();
    let (method, url) = lines.next()?.split_once(' ')?;
    if method == "WAIT" {
        return None;
    }
    let mut out = format!("curl -i -X {method} {}", shell(url));
    let mut body = Vec::new();
    let mut in_body = false;
    for line in lines {
        if in_body {
            body.push(line);
        } else if line.is_empty() {
            in_body = true;
        } else if let Some((name, _)) = line
            .split_once(':')
            .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        {
            out.push_str(&format!(" -H \"{name}: Bearer $UCWA_TOKEN\""));
        } else {
            out.push_str(&format!(" -H {}", shell(line)));
        }
    }
    if !body.is_empty() {
        out.push_str(&format!(" --data-binary {}", shell(&body.join("\n"))));
    }
    Some(out)
}

fn shell(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_reproduces_a_request_without_the_token() {
        let request = "POST http://h/x?to=sip:a@b\nAccept: application/json\nAuthorization: Bearer [redacted]\nContent-Type: application/json\n\n{\"operationId\":\"o'1\"}";
        let command = curl(request).expect("a command");
        assert_eq!(
            command,
            "curl -i -X POST 'http://h/x?to=sip:a@b' -H 'Accept: application/json' -H \"Authorization: Bearer $UCWA_TOKEN\" -H 'Content-Type: application/json' --data-binary '{\"operationId\":\"o'\\''1\"}'"
        );
        assert_eq!(curl("WAIT up to 1s for an event"), None);
    }
}
