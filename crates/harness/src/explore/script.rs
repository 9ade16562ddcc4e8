//! A generated trial as a case file: the steps a planned request needs (with the state its
//! sequence builds first), each expectation taken from the model's answer and held to the
//! page's reading. The text is an ordinary case file: what runs is what `--found` writes, and
//! `run --cases DIR` runs it unchanged.

use super::generate::{Planned, Sequence};
use super::oracle::{Answer, Model};
use super::space::{Dimension, Judged, Reading, Value, reading};
use crate::case::{Media, PeerRole, Severity, Template, Values};
use crate::wire::{render_input_with, request_content_type};
use toml::{Table, Value as Toml};

/// A case file's text and what the page's reading made of it.
#[derive(Debug, Clone)]
pub struct Script {
    /// The case file.
    pub text: String,
    /// The page's reading of the last request.
    pub judged: Judged,
    /// The case's severity.
    pub severity: Severity,
}

/// The model and the page's reading disagree: a bug of the explorer or of the model, never
/// the target's fault. Nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the model answers {status} where the page's reading is {reading}: {request}")]
pub struct Disagreement {
    /// The model's status.
    pub status: u16,
    /// The page's reading.
    pub reading: String,
    /// The request.
    pub request: String,
}

/// Header lines of a case file.
#[derive(Debug, Clone)]
pub struct Heading {
    /// Case id.
    pub id: String,
    /// Case title.
    pub title: String,
    /// A comment above the case (how it was found).
    pub comment: String,
    /// The media types it runs in.
    pub media: Vec<Media>,
}

/// The values a model renders with: an operationId of the same length as the run's (32
/// characters), the target's peers.
#[derive(Debug, Clone)]
pub struct StandIn {
    /// Stands for `{{operation_id}}`.
    pub operation_id: String,
    /// The target's peers, by role.
    pub peers: Vec<(PeerRole, String)>,
}

impl StandIn {
    /// Stand-in values for trial `n`.
    pub fn new(n: u64, peers: Vec<(PeerRole, String)>) -> Self {
        Self {
            operation_id: format!("{n:032x}"),
            peers,
        }
    }
}

impl Values for StandIn {
    fn operation_id(&self) -> &str {
        &self.operation_id
    }
    fn peer(&self, role: PeerRole) -> Option<&str> {
        self.peers.iter().find(|(r, _)| *r == role).map(|(_, uri)| uri.as_str())
    }
    fn capture(&self, _: &str) -> Option<&str> {
        None
    }
}

/// One POST's inputs as templates.
struct Inputs {
    query: Vec<(String, String)>,
    properties: Vec<(String, String)>,
    links: Vec<(String, String)>,
}

fn inputs(planned: &Planned, to_override: Option<&str>) -> Inputs {
    let mut out = Inputs {
        query: Vec::new(),
        properties: Vec::new(),
        links: Vec::new(),
    };
    for class in planned.draft.each() {
        let Some(text) = class.value.text() else { continue };
        let text = match (class.dimension, to_override) {
            (Dimension::To, Some(to)) => to.to_string(),
            _ => text,
        };
        match class.dimension {
            Dimension::Media => {}
            Dimension::ToQuery => out.query.push(("to".into(), text)),
            Dimension::Message => out.links.push(("message".into(), text)),
            Dimension::CustomContent => out.links.push(("customContent".into(), text)),
            Dimension::Unknown => out.properties.push(("sessionContext".into(), text)),
            d => out.properties.push((d.name().to_string(), text)),
        }
    }
    out
}

/// Asks the model what a POST of these inputs gets.
fn ask(model: &mut dyn Model, media: Media, inputs: &Inputs, values: &dyn Values) -> Answer {
    let render = |t: &String| {
        Template::parse(t)
            .ok()
            .and_then(|t| t.render(values).ok())
            .unwrap_or_default()
    };
    let query = (!inputs.query.is_empty()).then(|| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &inputs.query {
            s.append_pair(k, &render(v));
        }
        s.finish()
    });
    let rendered = |list: &[(String, String)]| list.iter().map(|(k, v)| (k.clone(), render(v))).collect::<Vec<_>>();
    let body = render_input_with(
        media,
        &rendered(&inputs.properties),
        &rendered(&inputs.links),
        String::len,
        |v, out| {
            out.push_str(v);
            Ok::<(), std::convert::Infallible>(())
        },
    )
    .unwrap_or_default();
    model.start_messaging(query.as_deref(), request_content_type(media), body.as_bytes())
}

fn strings(pairs: &[(String, String)]) -> Toml {
    Toml::Table(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Toml::String(v.clone())))
            .collect(),
    )
}

fn post(inputs: &Inputs) -> Table {
    let mut step = Table::new();
    step.insert("method".into(), "POST".into());
    step.insert("rel".into(), "startMessaging".into());
    if !inputs.query.is_empty() {
        step.insert("query".into(), strings(&inputs.query));
    }
    step.insert("body".into(), strings(&inputs.properties));
    if !inputs.links.is_empty() {
        step.insert("links".into(), strings(&inputs.links));
    }
    step
}

fn expect_answer(step: &mut Table, answer: &Answer, subcode: bool) {
    let mut expect = Table::new();
    expect.insert("status".into(), Toml::Integer(answer.status.into()));
    if let Some(code) = &answer.code {
        expect.insert("code".into(), Toml::String(code.clone()));
        if subcode && let Some(sub) = &answer.subcode {
            expect.insert("subcode".into(), Toml::String(sub.clone()));
        }
    }
    if answer.status == 201 {
        let mut location = Table::new();
        location.insert("present".into(), Toml::Boolean(true));
        let mut headers = Table::new();
        headers.insert("Location".into(), Toml::Table(location));
        expect.insert("headers".into(), Toml::Table(headers));
    }
    step.insert("expect".into(), Toml::Table(expect));
}

fn capture(step: &mut Table, name: &str, source: &str, what: &str) {
    let mut from = Table::new();
    from.insert(source.into(), what.into());
    let mut captures = Table::new();
    captures.insert(name.into(), Toml::Table(from));
    step.insert("capture".into(), Toml::Table(captures));
}

fn get(href: &str, rel: &str, properties: &[(String, String)], links: &[String]) -> Table {
    let mut step = Table::new();
    step.insert("method".into(), "GET".into());
    step.insert("href".into(), Toml::String(href.into()));
    let mut resource = Table::new();
    resource.insert("rel".into(), Toml::String(rel.into()));
    if !properties.is_empty() {
        resource.insert("properties".into(), strings(properties));
    }
    if !links.is_empty() {
        resource.insert(
            "links".into(),
            Toml::Array(links.iter().map(|l| Toml::String(l.clone())).collect()),
        );
    }
    let mut expect = Table::new();
    expect.insert("status".into(), Toml::Integer(200));
    expect.insert("resource".into(), Toml::Table(resource));
    step.insert("expect".into(), Toml::Table(expect));
    step
}

/// What GET on the Location must show: every input given inside the page's constraints, as
/// the model keeps it (written as the request's own template where the model kept it as
/// supplied), the direction, and the links given.
fn echo(planned: &Planned, inputs: &Inputs, shown: &super::oracle::Shown, values: &dyn Values) -> Table {
    let render = |t: &str| Template::parse(t).ok().and_then(|t| t.render(values).ok());
    let mut properties = Vec::new();
    if let Some(direction) = shown.property("direction") {
        properties.push(("direction".to_string(), direction.to_string()));
    }
    for class in planned.draft.each() {
        let Some(text) = class.value.text() else { continue };
        if !matches!(class.reading, Reading::Inside(_)) {
            continue;
        }
        let name = match class.dimension {
            Dimension::OperationId | Dimension::Subject | Dimension::ThreadId | Dimension::Importance => {
                class.dimension.name()
            }
            Dimension::To | Dimension::ToQuery => "to",
            _ => continue,
        };
        if text.is_empty() || properties.iter().any(|(n, _)| n == name) {
            continue;
        }
        let Some(kept) = shown.property(name) else { continue };
        let value = if render(&text).as_deref() == Some(kept) {
            text
        } else if kept.contains("{{") {
            continue;
        } else {
            kept.to_string()
        };
        properties.push((name.to_string(), value));
    }
    let links: Vec<String> = inputs
        .links
        .iter()
        .map(|(rel, _)| rel.clone())
        .filter(|rel| shown.links.contains(rel))
        .collect();
    get("{{capture:invitation}}", &shown.rel, &properties, &links)
}

fn describe(judged: &Judged) -> String {
    match judged {
        Judged::Accept(_) => "created".into(),
        Judged::Refuse { .. } => "refused".into(),
        Judged::Either => "either".into(),
    }
}

fn disagree(answer: &Answer, judged: &Judged, planned: &Planned) -> Disagreement {
    Disagreement {
        status: answer.status,
        reading: describe(judged),
        request: planned.draft.describe(),
    }
}

/// The steps of a planned trial and its severity and items, or the disagreement that keeps it
/// from being sent.
fn steps(
    planned: &Planned,
    model: &mut dyn Model,
    values: &dyn Values,
) -> Result<(Vec<Table>, Severity, Vec<String>), Disagreement> {
    let media = planned.draft.media();
    let judged = reading(&planned.draft);
    let last = inputs(planned, None);
    let mut items: Vec<String> = planned
        .draft
        .each()
        .filter(|c| c.value != Value::Absent && !c.item.is_empty())
        .map(|c| c.item.to_string())
        .collect();
    let mut steps = Vec::new();
    let severity;
    match planned.sequence {
        None => {
            let answer = ask(model, media, &last, values);
            let mut step = post(&last);
            match (&judged, answer.status) {
                (Judged::Accept(s), 201) => {
                    severity = *s;
                    expect_answer(&mut step, &answer, false);
                    capture(&mut step, "invitation", "header", "Location");
                    steps.push(step);
                    if let Some(shown) = &answer.invitation {
                        steps.push(echo(planned, &last, shown, values));
                    }
                    items.extend(["post.created", "post.location", "invitation.resource"].map(String::from));
                }
                (
                    Judged::Refuse {
                        severity: s,
                        subcode,
                        items: broken,
                    },
                    400..=499,
                ) => {
                    severity = *s;
                    expect_answer(&mut step, &answer, *subcode);
                    steps.push(step);
                    items = broken.iter().map(|i| i.to_string()).collect();
                }
                (Judged::Either, 201 | 400) => {
                    severity = Severity::Should;
                    let mut expect = Table::new();
                    expect.insert(
                        "status".into(),
                        Toml::Array(vec![Toml::Integer(201), Toml::Integer(400)]),
                    );
                    step.insert("expect".into(), Toml::Table(expect));
                    steps.push(step);
                }
                _ => return Err(disagree(&answer, &judged, planned)),
            }
        }
        Some(sequence) => {
            if !matches!(judged, Judged::Accept(_)) {
                return Err(disagree(
                    &Answer {
                        status: 0,
                        code: None,
                        subcode: None,
                        invitation: None,
                    },
                    &judged,
                    planned,
                ));
            }
            severity = Severity::Should;
            let role = if sequence == Sequence::AfterDeclined {
                "{{peer:decline}}"
            } else {
                "{{peer:ignore}}"
            };
            let mut first_inputs = inputs(planned, Some(role));
            first_inputs.query.clear();
            let first = ask(model, media, &first_inputs, values);
            let Some(shown) = first.invitation.clone().filter(|_| first.status == 201) else {
                return Err(disagree(&first, &Judged::Accept(Severity::Must), planned));
            };
            let mut step = post(&first_inputs);
            expect_answer(&mut step, &first, false);
            capture(&mut step, "first", "header", "Location");
            steps.push(step);
            match sequence {
                Sequence::WhileWaiting | Sequence::AfterCancel => {
                    let mut look = get("{{capture:first}}", &shown.rel, &[], &["cancel".to_string()]);
                    capture(&mut look, "cancel", "link", "cancel");
                    steps.push(look);
                    items.push("invitation.cancel".into());
                }
                Sequence::AfterDeclined => {
                    model.peer_answers(shown.id);
                    let operation_id = first_inputs
                        .properties
                        .iter()
                        .find(|(k, _)| k == "operationId")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    let mut wait = Table::new();
                    wait.insert("type".into(), "completed".into());
                    wait.insert("rel".into(), "messagingInvitation".into());
                    wait.insert("operation_id".into(), Toml::String(operation_id));
                    wait.insert("within_ms".into(), Toml::Integer(10_000));
                    let mut step = Table::new();
                    step.insert("wait".into(), Toml::Table(wait));
                    steps.push(step);
                    items.push("events.completed.failure".into());
                }
            }
            let cancel = |model: &mut dyn Model| {
                let answer = model.cancel(shown.id);
                let mut step = Table::new();
                step.insert("method".into(), "POST".into());
                step.insert("href".into(), "{{capture:cancel}}".into());
                expect_answer(&mut step, &answer, false);
                step
            };
            if sequence == Sequence::AfterCancel {
                steps.push(cancel(model));
            }
            let answer = ask(model, media, &last, values);
            let mut step = post(&last);
            expect_answer(&mut step, &answer, true);
            steps.push(step);
            if sequence == Sequence::WhileWaiting {
                steps.push(cancel(model));
            }
            items.push("error.409.already-exists".into());
        }
    }
    items.sort();
    items.dedup();
    Ok((steps, severity, items))
}

/// The case file of a planned trial.
pub fn script(
    planned: &Planned,
    heading: &Heading,
    model: &mut dyn Model,
    values: &dyn Values,
) -> Result<Script, Disagreement> {
    let (steps, severity, items) = steps(planned, model, values)?;
    let mut case = Table::new();
    case.insert("id".into(), Toml::String(heading.id.clone()));
    case.insert("title".into(), Toml::String(heading.title.clone()));
    case.insert(
        "spec".into(),
        Toml::Array(items.into_iter().map(Toml::String).collect()),
    );
    case.insert("severity".into(), severity.as_str().into());
    case.insert("tags".into(), Toml::Array(vec!["explore".into()]));
    case.insert(
        "media".into(),
        Toml::Array(heading.media.iter().map(|m| Toml::String(m.as_str().into())).collect()),
    );
    case.insert("step".into(), Toml::Array(steps.into_iter().map(Toml::Table).collect()));
    let comment: String = heading.comment.lines().map(|l| format!("# {l}\n")).collect();
    let body = toml::to_string(&case).unwrap_or_default();
    Ok(Script {
        text: format!("{comment}{body}"),
        judged: reading(&planned.draft),
        severity,
    })
}
