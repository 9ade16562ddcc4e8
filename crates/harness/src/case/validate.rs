//! Raw case files to validated cases: every rule a case must follow, checked with the file at
//! hand so each error carries its file, line and column.

use super::model::*;
use super::raw::*;
use super::template::Template;
use crate::diag::FileError;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// The rels a step may call. Discovery finds them among the application's links and the links of
/// its embedded resources (`communication`, `me`, ...); `application` is the application itself.
pub const KNOWN_RELS: &[&str] = &[
    "application",
    "applications",
    "batch",
    "communication",
    "conversations",
    "events",
    "makeMeAvailable",
    "me",
    "mediaPolicies",
    "onlineMeetings",
    "people",
    "policies",
    "startMessaging",
];

/// Preconditions a case may declare with `needs`, besides `fault:NAME`.
pub const KNOWN_PRECONDITIONS: &[&str] = &["anonymous", "peer:accept", "peer:decline", "peer:ignore"];

/// The longest a wait step may wait (10 minutes).
pub const MAX_WAIT_MS: u64 = 600_000;

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// Validation with the file at hand, so every error gets its position.
pub struct Validator<'a> {
    path: &'a Path,
    source: &'a str,
    /// Preconditions implied by the placeholders met so far (`{{peer:decline}}` needs `peer:decline`).
    implied: std::cell::RefCell<BTreeSet<String>>,
}

type Result<T, E = FileError> = std::result::Result<T, E>;

impl<'a> Validator<'a> {
    /// A validator for the text `source` of `path`.
    pub fn new(path: &'a Path, source: &'a str) -> Self {
        Self {
            path,
            source,
            implied: Default::default(),
        }
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> FileError {
        FileError::new(self.path, self.source, span, message)
    }

    /// Validates a whole case.
    pub fn case(&self, raw: RawCase) -> Result<Case> {
        let id = self.id(&raw.id)?;
        let title = raw.title.get_ref().trim().to_string();
        if title.is_empty() {
            return Err(self.error(raw.title.span(), "the title is empty"));
        }
        if raw.spec.get_ref().is_empty() {
            return Err(self.error(raw.spec.span(), "a case must name at least one spec item"));
        }
        let spec = raw.spec.get_ref().iter().map(|s| s.get_ref().clone()).collect();
        let severity = match raw.severity.get_ref().as_str() {
            "must" => Severity::Must,
            "should" => Severity::Should,
            other => {
                return Err(self.error(
                    raw.severity.span(),
                    format!("unknown severity `{other}`; expected `must` or `should`"),
                ));
            }
        };
        let media = self.media(raw.media.as_ref())?;
        let mut needs = BTreeSet::new();
        for need in &raw.needs {
            let name = need.get_ref();
            let known = KNOWN_PRECONDITIONS.contains(&name.as_str())
                || name
                    .strip_prefix("fault:")
                    .is_some_and(|f| Fault::from_name(f).is_some());
            if !known {
                return Err(self.error(
                    need.span(),
                    format!(
                        "unknown precondition `{name}`; known: {}, fault:{}",
                        KNOWN_PRECONDITIONS.join(", "),
                        Fault::ALL.map(Fault::as_str).join(", fault:")
                    ),
                ));
            }
            needs.insert(name.clone());
        }
        if raw.steps.get_ref().is_empty() {
            return Err(self.error(raw.steps.span(), "a case needs at least one [[step]]"));
        }
        let mut captures = BTreeSet::new();
        let mut steps = Vec::new();
        for raw_step in raw.steps.into_inner() {
            let step = self.step(raw_step, &mut captures, &media)?;
            if let Action::Request(RequestSpec { fault: Some(fault), .. }) = &step.action {
                needs.insert(fault.precondition());
            }
            steps.push(step);
        }
        needs.extend(self.implied.take());
        Ok(Case {
            id,
            title,
            spec,
            severity,
            tags: raw.tags.iter().map(|t| t.get_ref().clone()).collect(),
            media,
            needs: needs.into_iter().collect(),
            interpretation: raw.interpretation.map(Spanned::into_inner),
            areas: Vec::new(),
            steps,
            source: self.path.to_path_buf(),
        })
    }

    fn id(&self, id: &Spanned<String>) -> Result<String> {
        let text = id.get_ref();
        let valid = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !valid {
            return Err(self.error(
                id.span(),
                format!("case id `{text}` may use only a-z, 0-9, `-` and `.`"),
            ));
        }
        Ok(text.clone())
    }

    fn media(&self, media: Option<&Spanned<Vec<Spanned<String>>>>) -> Result<Vec<Media>> {
        let Some(list) = media else {
            return Ok(Media::ALL.to_vec());
        };
        if list.get_ref().is_empty() {
            return Err(self.error(list.span(), "`media` is empty; leave it out to run both"));
        }
        let mut out = Vec::new();
        for item in list.get_ref() {
            let media = Media::from_name(item.get_ref()).ok_or_else(|| {
                self.error(
                    item.span(),
                    format!("unknown media type `{}`; expected json or xml", item.get_ref()),
                )
            })?;
            if !out.contains(&media) {
                out.push(media);
            }
        }
        Ok(out)
    }

    fn template(&self, value: &Spanned<String>, captures: &BTreeSet<String>) -> Result<Template> {
        let template = Template::parse(value.get_ref()).map_err(|e| {
            // +1 skips the opening quote of a basic string.
            let start = value.span().start + 1 + e.offset;
            self.error(start..start + 2, e.message)
        })?;
        for role in template.peers() {
            if let Some(need) = role.precondition() {
                self.implied.borrow_mut().insert(need.to_string());
            }
        }
        for name in template.captures() {
            if !captures.contains(name) {
                return Err(self.error(
                    value.span(),
                    format!(
                        "unknown capture `{name}`; an earlier step must capture it (known: {})",
                        list_or_none(captures)
                    ),
                ));
            }
        }
        Ok(template)
    }

    fn templates(
        &self,
        map: &BTreeMap<String, Spanned<String>>,
        captures: &BTreeSet<String>,
    ) -> Result<Vec<(String, Template)>> {
        map.iter()
            .map(|(k, v)| Ok((k.clone(), self.template(v, captures)?)))
            .collect()
    }

    fn step(&self, raw: Spanned<RawStep>, captures: &mut BTreeSet<String>, media: &[Media]) -> Result<Step> {
        let step_span = raw.span();
        let raw = raw.into_inner();
        let action = match (&raw.method, &raw.wait) {
            (Some(_), None) => Action::Request(self.request(&raw, captures, media)?),
            (None, Some(wait)) => {
                self.no_request_keys(&raw, wait.span())?;
                Action::Wait(self.wait(wait, captures)?)
            }
            (Some(_), Some(wait)) => {
                return Err(self.error(
                    wait.span(),
                    "a step takes `method` (a request) or `wait` (an event), not both",
                ));
            }
            (None, None) => {
                return Err(self.error(
                    step_span,
                    "a step needs `method` (a request) or `wait` (an event on the event channel)",
                ));
            }
        };
        let waits = matches!(action, Action::Wait(_));
        let expect_span = raw.expect.as_ref().map_or(step_span.clone(), Spanned::span);
        let expect = match raw.expect {
            Some(expect) => self.expect(expect, captures, waits)?,
            None if waits => Expect::default(),
            None => return Err(self.error(step_span, "a request step needs `expect.status`")),
        };
        let mut step_captures = Vec::new();
        for (name, capture) in &raw.capture {
            let capture = self.capture(name, capture)?;
            if matches!(action, Action::Wait(_)) && matches!(capture.source, CaptureSource::Header(_)) {
                return Err(self.error(
                    expect_span.clone(),
                    format!("capture `{name}`: an event has no headers"),
                ));
            }
            step_captures.push(capture);
        }
        let step = Step {
            action,
            expect,
            captures: step_captures,
        };
        captures.extend(step.captures.iter().map(|c| c.name.clone()));
        Ok(step)
    }

    fn request(&self, raw: &RawStep, captures: &BTreeSet<String>, media: &[Media]) -> Result<RequestSpec> {
        let Some(raw_method) = &raw.method else {
            return Err(self.error(0..0, "a request step needs `method`"));
        };
        let method = raw_method.get_ref().to_ascii_uppercase();
        if !METHODS.contains(&method.as_str()) {
            return Err(self.error(
                raw_method.span(),
                format!(
                    "unknown method `{}`; expected one of {}",
                    raw_method.get_ref(),
                    METHODS.join(", ")
                ),
            ));
        }
        let call = match (&raw.rel, &raw.href) {
            (Some(rel), None) => Call::Rel(self.rel(rel)?),
            (None, Some(href)) => Call::Href(self.template(href, captures)?),
            (Some(_), Some(href)) => {
                return Err(self.error(href.span(), "a step takes `rel` or `href`, not both"));
            }
            (None, None) => {
                return Err(self.error(
                    raw_method.span(),
                    "a step needs `rel` (a discovered link) or `href` (usually a capture)",
                ));
            }
        };
        let body = self.body(raw, captures, media)?;
        let auth = match raw.auth.as_ref().map(|a| (a.get_ref().as_str(), a.span())) {
            None | Some(("token", _)) => Auth::Token,
            Some(("none", _)) => Auth::None,
            Some(("invalid", _)) => Auth::Invalid,
            Some((other, span)) => {
                return Err(self.error(span, format!("unknown auth `{other}`; expected token, none or invalid")));
            }
        };
        let fault = match &raw.fault {
            None => None,
            Some(name) => Some(self.fault(name, &body)?),
        };
        let identity = match raw.identity.as_ref().map(|a| (a.get_ref().as_str(), a.span())) {
            None | Some(("user", _)) => Identity::User,
            Some(("fresh", _)) => Identity::Fresh,
            Some(("anonymous", _)) => {
                self.implied.borrow_mut().insert("anonymous".to_string());
                Identity::Anonymous
            }
            Some((other, span)) => {
                return Err(self.error(
                    span,
                    format!("unknown `as` `{other}`; expected user, fresh or anonymous"),
                ));
            }
        };
        Ok(RequestSpec {
            method,
            identity,
            call,
            query: self.templates(&raw.query, captures)?,
            headers: self.templates(&raw.headers, captures)?,
            body,
            auth,
            fault,
        })
    }

    /// A wait step sends nothing: request keys are mistakes.
    fn no_request_keys(&self, raw: &RawStep, span: Range<usize>) -> Result<()> {
        let present = [
            ("rel", raw.rel.is_some()),
            ("href", raw.href.is_some()),
            ("query", !raw.query.is_empty()),
            ("headers", !raw.headers.is_empty()),
            ("body", raw.body.is_some()),
            ("links", raw.links.is_some()),
            ("raw", raw.raw.is_some()),
            ("auth", raw.auth.is_some()),
            ("as", raw.identity.is_some()),
            ("fault", raw.fault.is_some()),
        ];
        match present.iter().find(|(_, set)| *set) {
            Some((key, _)) => Err(self.error(span, format!("a wait step sends no request: remove `{key}`"))),
            None => Ok(()),
        }
    }

    fn wait(&self, raw: &Spanned<RawWait>, captures: &BTreeSet<String>) -> Result<Wait> {
        let w = raw.get_ref();
        let kind = w.kind.get_ref();
        if !EVENT_TYPES.contains(&kind.as_str()) {
            return Err(self.error(
                w.kind.span(),
                format!(
                    "unknown event type `{kind}`; expected one of {}",
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
        let within = *w.within_ms.get_ref();
        if within == 0 || within > MAX_WAIT_MS {
            return Err(self.error(
                w.within_ms.span(),
                format!("`within_ms` must be between 1 and {MAX_WAIT_MS}"),
            ));
        }
        let rel = w.rel.get_ref();
        if w.operation_id.is_none() && w.sender.is_none() && w.href.is_none() {
            // Cases share an application's channel: a wait must say which event is its own.
            return Err(self.error(
                raw.span(),
                "a wait must name its event by `operation_id`, `sender` or `href` (cases share the event channel)"
                    .to_string(),
            ));
        }
        let template = |t: &Option<Spanned<String>>| t.as_ref().map(|t| self.template(t, captures)).transpose();
        let mut filter = Vec::new();
        for (name, value) in &w.filter {
            filter.push((name.clone(), self.template(value, captures)?));
        }
        Ok(Wait {
            kind: kind.clone(),
            rel: crate::case::model::local_rel(rel).to_string(),
            operation_id: template(&w.operation_id)?,
            sender: template(&w.sender)?,
            href: template(&w.href)?,
            filter,
            within: std::time::Duration::from_millis(within),
        })
    }

    fn rel(&self, rel: &Spanned<String>) -> Result<String> {
        let name = rel.get_ref();
        let local = local_rel(name);
        if KNOWN_RELS.contains(&local) {
            return Ok(local.to_string());
        }
        let hint = closest(local, KNOWN_RELS)
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        Err(self.error(
            rel.span(),
            format!("unknown rel `{name}`{hint} (known: {})", KNOWN_RELS.join(", ")),
        ))
    }

    fn body(&self, raw: &RawStep, captures: &BTreeSet<String>, media: &[Media]) -> Result<Body> {
        if let Some(raw_body) = &raw.raw {
            if let Some(other) = raw
                .body
                .as_ref()
                .map(Spanned::span)
                .or(raw.links.as_ref().map(Spanned::span))
            {
                return Err(self.error(other, "a step takes `raw` or `body`/`links`, not both"));
            }
            let text = |t: &Option<String>| t.as_deref().map(Template::parse).transpose();
            let bad = |e: crate::case::template::TemplateError| self.error(raw_body.span(), e.message);
            let json = text(&raw_body.get_ref().json).map_err(bad)?;
            let xml = text(&raw_body.get_ref().xml).map_err(bad)?;
            for m in media {
                let present = match m {
                    Media::Json => json.is_some(),
                    Media::Xml => xml.is_some(),
                };
                if !present {
                    return Err(self.error(
                        raw_body.span(),
                        format!("the case runs in {m} but `raw` has no `{m}` text; add it or set `media`"),
                    ));
                }
            }
            return Ok(Body::Raw { json, xml });
        }
        if raw.body.is_none() && raw.links.is_none() {
            return Ok(Body::None);
        }
        let empty = BTreeMap::new();
        let properties = raw.body.as_ref().map_or(&empty, |b| b.get_ref());
        let links = raw.links.as_ref().map_or(&empty, |b| b.get_ref());
        Ok(Body::Input {
            properties: self.templates(properties, captures)?,
            links: self.templates(links, captures)?,
        })
    }

    fn fault(&self, name: &Spanned<String>, body: &Body) -> Result<Fault> {
        let fault = Fault::from_name(name.get_ref()).ok_or_else(|| {
            self.error(
                name.span(),
                format!(
                    "unknown fault `{}`; known: {}",
                    name.get_ref(),
                    Fault::ALL.map(Fault::as_str).join(", ")
                ),
            )
        })?;
        let keyed = matches!(body, Body::Input { properties, .. }
            if properties.iter().any(|(k, v)| k == "operationId" && v.is_operation_id()));
        if !keyed {
            return Err(self.error(
                name.span(),
                "a step with `fault` must send `operationId = \"{{operation_id}}\"`: the fault is armed for that operationId",
            ));
        }
        Ok(fault)
    }

    fn expect(&self, raw: Spanned<RawExpect>, captures: &BTreeSet<String>, waits: bool) -> Result<Expect> {
        let span = raw.span();
        let raw = raw.into_inner();
        let status = match (&raw.status, waits) {
            (Some(s), false) if s.get_ref().0.is_empty() => {
                return Err(self.error(s.span(), "`expect.status = []` allows no status: name at least one"));
            }
            (Some(s), false) => match s.get_ref().0.iter().find(|s| !(100..=599).contains(*s)) {
                Some(wrong) => return Err(self.error(s.span(), format!("status {wrong} is not an HTTP status"))),
                None => s.get_ref().0.clone(),
            },
            (None, false) => return Err(self.error(span, "a request step needs `expect.status`")),
            (None, true) => Vec::new(),
            (Some(s), true) => return Err(self.error(s.span(), "a wait step has no HTTP status: use `expect.event`")),
        };
        let request_only = [
            ("code", raw.code.is_some()),
            ("subcode", raw.subcode.is_some()),
            ("headers", !raw.headers.is_empty()),
        ];
        if waits && let Some((key, _)) = request_only.iter().find(|(_, set)| *set) {
            return Err(self.error(span, format!("`expect.{key}` applies to requests, not to wait steps")));
        }
        if let (Some(event), false) = (&raw.event, waits) {
            return Err(self.error(event.span(), "`expect.event` applies to wait steps only"));
        }
        let subcode = match &raw.subcode {
            None => None,
            Some(s) => Some(match s.get_ref() {
                RawSubcode::Name(name) if !name.is_empty() => SubcodeRule::Equals(name.clone()),
                RawSubcode::Present(false) => SubcodeRule::Absent,
                _ => {
                    return Err(self.error(
                        s.span(),
                        "`subcode` is a subcode name, or `false` when the response must have none",
                    ));
                }
            }),
        };
        let mut headers = Vec::new();
        for (name, rule) in &raw.headers {
            headers.push(self.header_rule(name, rule, captures)?);
        }
        let resource = match &raw.resource {
            None => None,
            Some(r) => {
                let r = r.get_ref();
                Some(ResourceRule {
                    rel: r.rel.as_ref().map(|s| s.get_ref().clone()),
                    properties: self.templates(&r.properties, captures)?,
                    links: r.links.iter().map(|l| l.get_ref().clone()).collect(),
                    embedded: r.embedded.iter().map(|l| l.get_ref().clone()).collect(),
                })
            }
        };
        Ok(Expect {
            status,
            code: raw.code.map(Spanned::into_inner),
            subcode,
            headers,
            resource,
            event: raw.event.map(|e| {
                let e = e.into_inner();
                EventRule {
                    status: e.status,
                    sender: e.sender,
                    after_previous: e.after_previous,
                    reason_present: e.reason,
                    reason_code: e.reason_code,
                    reason_subcode: e.reason_subcode,
                }
            }),
        })
    }

    fn header_rule(
        &self,
        name: &str,
        rule: &Spanned<RawHeaderExpect>,
        captures: &BTreeSet<String>,
    ) -> Result<HeaderRule> {
        let r = rule.get_ref();
        let set = [r.present.is_some(), r.equals.is_some(), r.matches.is_some()];
        if set.iter().filter(|b| **b).count() != 1 {
            return Err(self.error(
                rule.span(),
                format!("header `{name}` needs exactly one of `present`, `equals`, `matches`"),
            ));
        }
        let check = if let Some(present) = r.present {
            if present {
                HeaderCheck::Present
            } else {
                HeaderCheck::Absent
            }
        } else if let Some(value) = &r.equals {
            let spanned = Spanned::new(rule.span(), value.clone());
            HeaderCheck::Equals(self.template(&spanned, captures)?)
        } else {
            let pattern = r.matches.as_deref().unwrap_or_default();
            HeaderCheck::Matches(
                Regex::new(pattern)
                    .map_err(|e| self.error(rule.span(), format!("header `{name}`: invalid pattern: {e}")))?,
            )
        };
        Ok(HeaderRule {
            name: name.to_string(),
            check,
        })
    }

    fn capture(&self, name: &str, raw: &Spanned<RawCapture>) -> Result<Capture> {
        let r = raw.get_ref();
        let valid_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_name {
            return Err(self.error(
                raw.span(),
                format!("capture name `{name}` may use only letters, digits, `_` and `-`"),
            ));
        }
        let source = match (&r.header, &r.property, &r.link) {
            (Some(h), None, None) => CaptureSource::Header(h.clone()),
            (None, Some(p), None) => CaptureSource::Property(p.clone()),
            (None, None, Some(l)) => CaptureSource::Link(l.clone()),
            _ => {
                return Err(self.error(
                    raw.span(),
                    format!("capture `{name}` needs exactly one of `header`, `property`, `link`"),
                ));
            }
        };
        Ok(Capture {
            name: name.to_string(),
            source,
        })
    }
}

fn list_or_none(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "none".into()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// The known name nearest to `name`, if it is close enough to be a typo.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    crate::diag::nearest(name, known.iter().copied(), 3, 1).first().copied()
}
