//! Judging one response against one step's expectations, in a fixed order: status, error body
//! (representation, code, subcode), headers, then the resource body. Every difference is kept.

use crate::case::{Expect, HeaderCheck, ResourceRule, SubcodeRule, Values};
use crate::judge::reading::Reading;
use crate::judge::verdict::{Mismatch, MismatchKind};
use crate::wire::{Event, Family, Resource, family};

/// Every difference between `expect` and a response (read in its request's media type).
pub fn judge(expect: &Expect, reading: &Reading<'_>, values: &dyn Values) -> Vec<Mismatch> {
    let response = reading.response;
    let mut out = Vec::new();
    if !expect.status.is_empty() && !expect.status.contains(&response.status) {
        let want: Vec<String> = expect.status.iter().map(u16::to_string).collect();
        out.push(mismatch(
            MismatchKind::Status,
            "status",
            want.join(" or "),
            response.status,
        ));
    }
    if expect.wants_error_body() {
        error_body(expect, reading, &mut out);
    }
    out.extend(crate::judge::error_rows::check(reading));
    for rule in &expect.headers {
        let actual = response.header(&rule.name);
        let what = format!("header {}", rule.name);
        match (&rule.check, actual) {
            (HeaderCheck::Present, None) => out.push(mismatch(MismatchKind::Header, what, "present", "absent")),
            (HeaderCheck::Absent, Some(v)) => out.push(mismatch(MismatchKind::Header, what, "absent", quoted(v))),
            (HeaderCheck::Equals(t), v) => match t.render(values) {
                Ok(want) if v == Some(want.as_str()) => {}
                Ok(want) => out.push(mismatch(
                    MismatchKind::Header,
                    what,
                    quoted(&want),
                    v.map_or("absent".into(), quoted),
                )),
                Err(e) => out.push(mismatch(MismatchKind::Header, what, t.to_string(), e)),
            },
            (HeaderCheck::Matches(re), v) => {
                if !v.is_some_and(|v| re.is_match(v)) {
                    out.push(mismatch(
                        MismatchKind::Header,
                        what,
                        format!("matching /{re}/"),
                        v.map_or("absent".into(), quoted),
                    ));
                }
            }
            (HeaderCheck::Present, Some(_)) | (HeaderCheck::Absent, None) => {}
        }
    }
    if let Some(rule) = &expect.resource {
        resource(rule, reading, values, &mut out);
    }
    out
}

fn error_body(expect: &Expect, reading: &Reading<'_>, out: &mut Vec<Mismatch>) {
    let (media, response) = (reading.media, reading.response);
    let want = Family::of(media);
    let got = family(response.content_type());
    if got != want {
        let actual = match got {
            Family::Other if response.content_type().is_empty() => "no Content-Type".to_string(),
            Family::Other => format!(
                "`{}`: not a UCWA error (an intermediary's page?)",
                response.content_type()
            ),
            Family::Json | Family::Xml => format!(
                "`{}`: a UCWA error in the other representation",
                response.content_type()
            ),
        };
        out.push(mismatch(
            MismatchKind::Body,
            "error Content-Type",
            format!("{media} (the request's representation)"),
            actual,
        ));
        return;
    }
    let error = match reading.error() {
        Ok(e) => e,
        Err(reason) => {
            out.push(mismatch(
                MismatchKind::Body,
                "error body",
                format!("a UCWA error in {media}"),
                reason,
            ));
            return;
        }
    };
    if let Some(code) = &expect.code
        && &error.code != code
    {
        out.push(mismatch(MismatchKind::Code, "code", code, &error.code));
    }
    let actual_subcode = error.subcode.as_deref().unwrap_or("(none)");
    match &expect.subcode {
        Some(SubcodeRule::Absent) if error.subcode.is_some() => {
            out.push(mismatch(MismatchKind::Subcode, "subcode", "(none)", actual_subcode));
        }
        Some(SubcodeRule::Equals(want)) if error.subcode.as_deref() != Some(want.as_str()) => {
            out.push(mismatch(MismatchKind::Subcode, "subcode", want, actual_subcode));
        }
        _ => {}
    }
}

/// Every difference between `expect` and an event found by a wait step: the event's `status`
/// and `reason`, then its embedded resource.
pub fn judge_event(expect: &Expect, event: &Event, values: &dyn Values) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if let Some(rule) = &expect.event {
        let reason_code = event.reason.as_ref().map(|r| r.code.as_str());
        let reason_subcode = event.reason.as_ref().and_then(|r| r.subcode.as_deref());
        let sender = crate::wire::local_name(&event.sender);
        let checks = [
            ("event sender", &rule.sender, Some(sender)),
            ("event status", &rule.status, event.status.as_deref()),
            ("event reason code", &rule.reason_code, reason_code),
            ("event reason subcode", &rule.reason_subcode, reason_subcode),
        ];
        if rule.reason_present && event.reason.is_none() {
            out.push(mismatch(
                MismatchKind::Event,
                "event reason",
                "a reason (the operation failed)",
                "none",
            ));
        }
        for (what, want, got) in checks {
            if let Some(want) = want
                && got != Some(want.as_str())
            {
                out.push(mismatch(MismatchKind::Event, what, want, got.unwrap_or("(none)")));
            }
        }
    }
    if let Some(rule) = &expect.resource {
        match &event.resource {
            Some(resource) => resource_rules(rule, resource, values, &mut out),
            None => out.push(mismatch(
                MismatchKind::Event,
                "event resource",
                "an embedded resource",
                "none",
            )),
        }
    }
    out
}

fn resource(rule: &ResourceRule, reading: &Reading<'_>, values: &dyn Values, out: &mut Vec<Mismatch>) {
    let (media, response) = (reading.media, reading.response);
    if family(response.content_type()) != Family::of(media) {
        out.push(mismatch(
            MismatchKind::Body,
            "resource Content-Type",
            media.to_string(),
            quoted(response.content_type()),
        ));
        return;
    }
    match reading.resource() {
        Ok(resource) => resource_rules(rule, resource, values, out),
        Err(reason) => out.push(mismatch(
            MismatchKind::Body,
            "resource body",
            format!("a UCWA resource in {media}"),
            reason,
        )),
    }
}

fn resource_rules(rule: &ResourceRule, resource: &Resource, values: &dyn Values, out: &mut Vec<Mismatch>) {
    if let Some(rel) = &rule.rel
        && resource.rel.as_deref().map(crate::wire::local_name) != Some(rel.as_str())
    {
        out.push(mismatch(
            MismatchKind::Resource,
            "resource rel",
            rel,
            resource.rel.as_deref().unwrap_or("(none)"),
        ));
    }
    for (name, template) in &rule.properties {
        let want = match template.render(values) {
            Ok(w) => w,
            Err(e) => {
                out.push(mismatch(
                    MismatchKind::Property,
                    format!("property {name}"),
                    template.to_string(),
                    e,
                ));
                continue;
            }
        };
        match resource.properties.get(name) {
            Some(p) if p.as_text() == want => {}
            Some(p) => out.push(mismatch(
                MismatchKind::Property,
                format!("property {name}"),
                quoted(&want),
                quoted(&p.as_text()),
            )),
            None => out.push(mismatch(
                MismatchKind::Property,
                format!("property {name}"),
                quoted(&want),
                "absent",
            )),
        }
    }
    for rel in &rule.links {
        if resource.link(rel).is_none() {
            let seen: Vec<&str> = resource.links.iter().map(|l| l.rel.as_str()).collect();
            out.push(mismatch(
                MismatchKind::Link,
                format!("link {rel}"),
                "present",
                format!("absent (links: {})", seen.join(", ")),
            ));
        }
    }
    for rel in &rule.embedded {
        if resource.embedded(rel).is_none() {
            let seen: Vec<&str> = resource.embedded.iter().filter_map(|e| e.rel.as_deref()).collect();
            out.push(mismatch(
                MismatchKind::Link,
                format!("embedded {rel}"),
                "present",
                format!("absent (embedded: {})", seen.join(", ")),
            ));
        }
    }
}

fn mismatch(kind: MismatchKind, what: impl ToString, expected: impl ToString, actual: impl ToString) -> Mismatch {
    Mismatch {
        kind,
        what: what.to_string(),
        expected: expected.to_string(),
        actual: actual.to_string(),
        must: false,
    }
}

fn quoted(text: &str) -> String {
    format!("`{text}`")
}
