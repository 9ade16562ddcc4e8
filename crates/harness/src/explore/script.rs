//! A generated trial as a case file: the steps a planned request needs (with the state its
//! sequence builds first), each expectation taken from the model's answer and held to the
//! page's reading. The text is an ordinary case file: what runs is what `--found` writes, and
//! `run --cases DIR` runs it unchanged.

use super::generate::{Planned, Sequence};
use super::oracle::{Answer, Model};
use super::space::{Dimension, Judged, Reading, Value, reading};
use crate::case::{
    Action, Auth, Body, Call, Capture, CaptureSource, Case, Expect, HeaderCheck, HeaderRule, Identity, Media, PeerRole,
    RequestSpec, ResourceRule, Severity, Step, SubcodeRule, Template, Values, Wait,
};
use crate::wire::{render_input_with, request_content_type};
use std::collections::BTreeSet;
use toml::{Table, Value as Toml};

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
#[derive(Debug, Clone, Default)]
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

/// One step of a generated trial, before it is written: the one description both the case
/// file (`table`) and the runnable case (`step`) are made from.
#[derive(Debug, Clone, Default)]
struct StepPlan {
    /// POST on startMessaging with these inputs; otherwise `href` (GET, or POST with `post`).
    inputs: Option<Inputs>,
    href: Option<&'static str>,
    post: bool,
    /// A wait for the invitation's `completed` event with this operationId.
    wait_completed: Option<String>,
    status: Vec<u16>,
    code: Option<String>,
    subcode: Option<String>,
    location: bool,
    resource: Option<Shows>,
    capture: Option<(&'static str, &'static str, &'static str)>,
}

impl StepPlan {
    fn post(inputs: &Inputs) -> Self {
        Self {
            inputs: Some(inputs.clone()),
            ..Self::default()
        }
    }

    fn expect_answer(mut self, answer: &Answer, subcode: bool) -> Self {
        self.status = vec![answer.status];
        self.code = answer.code.clone();
        self.subcode = answer.subcode.clone().filter(|_| subcode && answer.code.is_some());
        self.location = answer.status == 201;
        self
    }

    fn capture(mut self, name: &'static str, source: &'static str, what: &'static str) -> Self {
        self.capture = Some((name, source, what));
        self
    }

    fn get(href: &'static str, rel: &str, properties: Vec<(String, String)>, links: Vec<String>) -> Self {
        Self {
            href: Some(href),
            status: vec![200],
            resource: Some((rel.to_string(), properties, links)),
            ..Self::default()
        }
    }

    /// The step as a case file's `[[step]]` table.
    fn table(&self) -> Table {
        let strings = |pairs: &[(String, String)]| -> Toml {
            Toml::Table(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Toml::String(v.clone())))
                    .collect(),
            )
        };
        let mut step = Table::new();
        if let Some(operation_id) = &self.wait_completed {
            let mut wait = Table::new();
            wait.insert("type".into(), "completed".into());
            wait.insert("rel".into(), "messagingInvitation".into());
            wait.insert("operation_id".into(), Toml::String(operation_id.clone()));
            wait.insert("within_ms".into(), Toml::Integer(WAIT.as_millis() as i64));
            step.insert("wait".into(), Toml::Table(wait));
            return step;
        }
        match (&self.inputs, self.href) {
            (Some(inputs), _) => {
                step.insert("method".into(), "POST".into());
                step.insert("rel".into(), "startMessaging".into());
                if !inputs.query.is_empty() {
                    step.insert("query".into(), strings(&inputs.query));
                }
                step.insert("body".into(), strings(&inputs.properties));
                if !inputs.links.is_empty() {
                    step.insert("links".into(), strings(&inputs.links));
                }
            }
            (None, href) => {
                step.insert("method".into(), if self.post { "POST" } else { "GET" }.into());
                step.insert("href".into(), href.unwrap_or_default().into());
            }
        }
        let mut expect = Table::new();
        match self.status.as_slice() {
            [one] => expect.insert("status".into(), Toml::Integer((*one).into())),
            all => expect.insert(
                "status".into(),
                Toml::Array(all.iter().map(|s| Toml::Integer((*s).into())).collect()),
            ),
        };
        if let Some(code) = &self.code {
            expect.insert("code".into(), Toml::String(code.clone()));
        }
        if let Some(subcode) = &self.subcode {
            expect.insert("subcode".into(), Toml::String(subcode.clone()));
        }
        if self.location {
            let mut location = Table::new();
            location.insert("present".into(), Toml::Boolean(true));
            let mut headers = Table::new();
            headers.insert("Location".into(), Toml::Table(location));
            expect.insert("headers".into(), Toml::Table(headers));
        }
        if let Some((rel, properties, links)) = &self.resource {
            let mut resource = Table::new();
            resource.insert("rel".into(), Toml::String(rel.clone()));
            if !properties.is_empty() {
                resource.insert("properties".into(), strings(properties));
            }
            if !links.is_empty() {
                resource.insert(
                    "links".into(),
                    Toml::Array(links.iter().map(|l| Toml::String(l.clone())).collect()),
                );
            }
            expect.insert("resource".into(), Toml::Table(resource));
        }
        step.insert("expect".into(), Toml::Table(expect));
        if let Some((name, source, what)) = self.capture {
            let mut from = Table::new();
            from.insert(source.into(), what.into());
            let mut captures = Table::new();
            captures.insert(name.into(), Toml::Table(from));
            step.insert("capture".into(), Toml::Table(captures));
        }
        step
    }

    /// The step as the loader would make it of [`Self::table`] (a test holds the two equal),
    /// without writing and parsing the text: the peer roles it names go to `needs`.
    fn step(&self, needs: &mut BTreeSet<String>) -> Step {
        let mut templates = Templates { needs };
        let action = self.action(&mut templates);
        let expect = self.expect(&mut templates);
        let captures = self
            .capture
            .map(|(name, source, what)| Capture {
                name: name.into(),
                source: match source {
                    "header" => CaptureSource::Header(what.into()),
                    "link" => CaptureSource::Link(what.into()),
                    _ => CaptureSource::Property(what.into()),
                },
            })
            .into_iter()
            .collect();
        Step {
            action,
            expect,
            captures,
        }
    }

    /// What the step does: wait for the invitation's completion, or send its request.
    fn action(&self, templates: &mut Templates<'_>) -> Action {
        if let Some(operation_id) = &self.wait_completed {
            Action::Wait(Wait {
                kind: "completed".into(),
                rel: "messagingInvitation".into(),
                operation_id: Some(templates.one(operation_id)),
                sender: None,
                href: None,
                filter: Vec::new(),
                within: WAIT,
            })
        } else {
            let (call, query, body) = match (&self.inputs, self.href) {
                (Some(inputs), _) => (
                    Call::Rel("startMessaging".into()),
                    templates.sorted(&inputs.query),
                    Body::Input {
                        properties: templates.sorted(&inputs.properties),
                        links: templates.sorted(&inputs.links),
                    },
                ),
                (None, href) => (
                    Call::Href(templates.one(href.unwrap_or_default())),
                    Vec::new(),
                    Body::None,
                ),
            };
            Action::Request(RequestSpec {
                method: if self.inputs.is_some() || self.post {
                    "POST"
                } else {
                    "GET"
                }
                .into(),
                identity: Identity::User,
                call,
                query,
                headers: Vec::new(),
                body,
                auth: Auth::Token,
                fault: None,
            })
        }
    }

    /// What the step expects back.
    fn expect(&self, templates: &mut Templates<'_>) -> Expect {
        Expect {
            status: self.status.clone(),
            code: self.code.clone(),
            subcode: self.subcode.clone().map(SubcodeRule::Equals),
            headers: if self.location {
                vec![HeaderRule {
                    name: "Location".into(),
                    check: HeaderCheck::Present,
                }]
            } else {
                Vec::new()
            },
            resource: self.resource.as_ref().map(|(rel, properties, links)| ResourceRule {
                rel: Some(rel.clone()),
                properties: templates.sorted(properties),
                links: links.clone(),
                embedded: Vec::new(),
            }),
            event: None,
        }
    }
}

/// Templates made of a step's text as the loader makes them, collecting the peer roles they
/// name (a case's `needs`).
struct Templates<'a> {
    needs: &'a mut BTreeSet<String>,
}

impl Templates<'_> {
    /// One text as a template.
    fn one(&mut self, text: &str) -> Template {
        let template = Template::parse(text).unwrap_or_else(|_| Template::literal(text));
        self.needs
            .extend(template.peers().filter_map(|r| r.precondition()).map(str::to_string));
        template
    }

    /// Named texts as templates, sorted by name, the first of each name kept (as a TOML table).
    fn sorted(&mut self, pairs: &[(String, String)]) -> Vec<(String, Template)> {
        let mut out: Vec<(String, Template)> = pairs.iter().map(|(k, v)| (k.clone(), self.one(v))).collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }
}

/// What GET must show: the rel, properties and link rels.
type Shows = (String, Vec<(String, String)>, Vec<String>);

/// How long a sequence waits for its declined invitation to complete.
const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// What GET on the Location must show: every input given inside the page's constraints, as
/// the model keeps it (written as the request's own template where the model kept it as
/// supplied), the direction, and the links given.
fn echo(planned: &Planned, inputs: &Inputs, shown: &super::oracle::Shown, values: &dyn Values) -> StepPlan {
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
    StepPlan::get("{{capture:invitation}}", &shown.rel, properties, links)
}

fn describe(judged: &Judged) -> String {
    match judged {
        Judged::Accept(_) => "created".into(),
        Judged::Refuse { .. } => "refused".into(),
        Judged::Either => "either".into(),
    }
}

fn disagree(status: u16, judged: &Judged, planned: &Planned) -> Disagreement {
    Disagreement {
        status,
        reading: describe(judged),
        request: planned.draft.describe(),
    }
}

/// A planned trial's steps (the state its sequence builds, then its request), each expectation
/// the model's answer, held to the page's reading.
struct Steps {
    steps: Vec<StepPlan>,
    severity: Severity,
    items: Vec<String>,
}

fn single(
    planned: &Planned,
    model: &mut dyn Model,
    values: &dyn Values,
    items: &mut Vec<String>,
) -> Result<(Vec<StepPlan>, Severity), Disagreement> {
    let judged = reading(&planned.draft);
    let last = inputs(planned, None);
    let answer = ask(model, planned.draft.media(), &last, values);
    match (&judged, answer.status) {
        (Judged::Accept(severity), 201) => {
            let mut steps =
                vec![
                    StepPlan::post(&last)
                        .expect_answer(&answer, false)
                        .capture("invitation", "header", "Location"),
                ];
            if let Some(shown) = &answer.invitation {
                steps.push(echo(planned, &last, shown, values));
            }
            items.extend(["post.created", "post.location", "invitation.resource"].map(String::from));
            Ok((steps, *severity))
        }
        (
            Judged::Refuse {
                severity,
                subcode,
                items: broken,
            },
            400..=499,
        ) => {
            *items = broken.iter().map(|i| i.to_string()).collect();
            Ok((vec![StepPlan::post(&last).expect_answer(&answer, *subcode)], *severity))
        }
        (Judged::Either, 201 | 400) => {
            let step = StepPlan {
                status: vec![201, 400],
                ..StepPlan::post(&last)
            };
            Ok((vec![step], Severity::Should))
        }
        _ => Err(disagree(answer.status, &judged, planned)),
    }
}

fn sequence(
    planned: &Planned,
    sequence: Sequence,
    model: &mut dyn Model,
    values: &dyn Values,
    items: &mut Vec<String>,
) -> Result<Vec<StepPlan>, Disagreement> {
    let media = planned.draft.media();
    let judged = reading(&planned.draft);
    if !matches!(judged, Judged::Accept(_)) {
        return Err(disagree(0, &judged, planned));
    }
    let last = inputs(planned, None);
    let role = if sequence == Sequence::AfterDeclined {
        "{{peer:decline}}"
    } else {
        "{{peer:ignore}}"
    };
    let mut first_inputs = inputs(planned, Some(role));
    first_inputs.query.clear();
    let first = ask(model, media, &first_inputs, values);
    let Some(shown) = first.invitation.clone().filter(|_| first.status == 201) else {
        return Err(disagree(first.status, &Judged::Accept(Severity::Must), planned));
    };
    let mut steps = vec![
        StepPlan::post(&first_inputs)
            .expect_answer(&first, false)
            .capture("first", "header", "Location"),
    ];
    match sequence {
        Sequence::WhileWaiting | Sequence::AfterCancel => {
            steps.push(
                StepPlan::get("{{capture:first}}", &shown.rel, Vec::new(), vec!["cancel".into()])
                    .capture("cancel", "link", "cancel"),
            );
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
            steps.push(StepPlan {
                wait_completed: Some(operation_id),
                ..StepPlan::default()
            });
            items.push("events.completed.failure".into());
        }
    }
    let cancel = |model: &mut dyn Model| {
        let answer = model.cancel(shown.id);
        StepPlan {
            href: Some("{{capture:cancel}}"),
            post: true,
            ..StepPlan::default()
        }
        .expect_answer(&answer, false)
    };
    if sequence == Sequence::AfterCancel {
        steps.push(cancel(model));
    }
    let answer = ask(model, media, &last, values);
    steps.push(StepPlan::post(&last).expect_answer(&answer, true));
    if sequence == Sequence::WhileWaiting {
        steps.push(cancel(model));
    }
    items.push("error.409.already-exists".into());
    Ok(steps)
}

fn steps(planned: &Planned, model: &mut dyn Model, values: &dyn Values) -> Result<Steps, Disagreement> {
    let mut items: Vec<String> = planned
        .draft
        .each()
        .filter(|c| c.value != Value::Absent && !c.item.is_empty())
        .map(|c| c.item.to_string())
        .collect();
    let (steps, severity) = match planned.sequence {
        None => single(planned, model, values, &mut items)?,
        Some(s) => (sequence(planned, s, model, values, &mut items)?, Severity::Should),
    };
    items.sort();
    items.dedup();
    Ok(Steps { steps, severity, items })
}

/// A planned trial, scripted: runnable as it is, and written as a case file on demand.
#[derive(Debug, Clone)]
pub struct Scripted {
    steps: Vec<StepPlan>,
    /// The page's reading of the last request.
    pub judged: Judged,
    /// The case's severity.
    pub severity: Severity,
    items: Vec<String>,
}

/// Scripts a planned trial: each step's expectation from the model, held to the page's reading.
pub fn script(planned: &Planned, model: &mut dyn Model, values: &dyn Values) -> Result<Scripted, Disagreement> {
    let Steps { steps, severity, items } = steps(planned, model, values)?;
    Ok(Scripted {
        steps,
        judged: reading(&planned.draft),
        severity,
        items,
    })
}

impl Scripted {
    /// The case file: what `--found` writes and `run --cases DIR` runs.
    pub fn text(&self, heading: &Heading) -> String {
        let mut case = Table::new();
        case.insert("id".into(), Toml::String(heading.id.clone()));
        case.insert("title".into(), Toml::String(heading.title.clone()));
        case.insert(
            "spec".into(),
            Toml::Array(self.items.iter().cloned().map(Toml::String).collect()),
        );
        case.insert("severity".into(), self.severity.as_str().into());
        case.insert("tags".into(), Toml::Array(vec!["explore".into()]));
        case.insert(
            "media".into(),
            Toml::Array(heading.media.iter().map(|m| Toml::String(m.as_str().into())).collect()),
        );
        case.insert(
            "step".into(),
            Toml::Array(self.steps.iter().map(|s| Toml::Table(s.table())).collect()),
        );
        let comment: String = heading.comment.lines().map(|l| format!("# {l}\n")).collect();
        let body = toml::to_string(&case).unwrap_or_default();
        format!("{comment}{body}")
    }

    /// The case as the loader makes it of [`Self::text`], built directly (a trial is not
    /// written and parsed just to be run; a test holds the two equal).
    pub fn case(&self, heading: &Heading) -> Case {
        let mut needs = BTreeSet::new();
        let steps = self.steps.iter().map(|s| s.step(&mut needs)).collect();
        Case {
            id: heading.id.clone(),
            title: heading.title.clone(),
            spec: self.items.clone(),
            severity: self.severity,
            tags: vec!["explore".into()],
            media: heading.media.clone(),
            needs: needs.into_iter().collect(),
            interpretation: None,
            areas: Vec::new(),
            steps,
            source: std::path::PathBuf::from(format!("{}.toml", heading.id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::generate::{Rng, Space, covering, plain_random, random};
    use crate::explore::oracle::Shown;

    /// A model that answers as the page's reading of the trial says (what the harness's own
    /// tests can know without the reference), enough to write every kind of step.
    struct AsRead {
        judged: Judged,
        sequence: bool,
        started: u64,
    }

    impl Model for AsRead {
        fn start_messaging(&mut self, _: Option<&str>, _: &str, _: &[u8]) -> Answer {
            self.started += 1;
            let error = |status, code: &str, subcode: &str| (status, Some(code.to_string()), Some(subcode.to_string()));
            let (status, code, subcode) = match &self.judged {
                _ if self.sequence && self.started == 1 => (201, None, None),
                Judged::Accept(_) if self.sequence => error(409, "Conflict", "AlreadyExists"),
                Judged::Accept(_) => (201, None, None),
                Judged::Refuse { .. } | Judged::Either => error(400, "BadRequest", "ParameterValidationFailure"),
            };
            Answer {
                status,
                code,
                subcode,
                invitation: (status == 201).then(|| Shown {
                    id: self.started,
                    rel: "messagingInvitation".into(),
                    properties: vec![
                        ("direction".into(), "Outgoing".into()),
                        ("importance".into(), "Urgent".into()),
                    ],
                    links: vec!["cancel".into(), "message".into()],
                }),
            }
        }
        fn cancel(&mut self, _: u64) -> Answer {
            Answer {
                status: 204,
                code: None,
                subcode: None,
                invitation: None,
            }
        }
        fn peer_answers(&mut self, _: u64) {}
    }

    #[test]
    fn a_trial_runs_as_its_case_file_loads() {
        let space = Space {
            media: Media::ALL.to_vec(),
            peers: ["peer:decline".to_string(), "peer:ignore".to_string()].into(),
        };
        let peers = vec![
            (PeerRole::Accept, "sip:a@x.test".to_string()),
            (PeerRole::Decline, "sip:d@x.test".to_string()),
            (PeerRole::Ignore, "sip:i@x.test".to_string()),
        ];
        let mut rng = Rng::new(3);
        let mut planned: Vec<Planned> = covering(&space, &mut rng)
            .into_iter()
            .chain((0..200).map(|_| random(&space, &mut rng)))
            .map(|draft| Planned { draft, sequence: None })
            .collect();
        for sequence in Sequence::ALL {
            planned.push(Planned {
                draft: plain_random(&space, &mut rng),
                sequence: Some(sequence),
            });
        }
        let mut kinds = BTreeSet::new();
        for (n, p) in planned.iter().enumerate() {
            let mut model = AsRead {
                judged: reading(&p.draft),
                sequence: p.sequence.is_some(),
                started: 0,
            };
            let values = StandIn::new(n as u64, peers.clone());
            let Ok(scripted) = script(p, &mut model, &values) else {
                continue;
            };
            kinds.insert(format!("{:?}/{}", p.sequence, describe(&scripted.judged)));
            let heading = Heading {
                id: format!("explore.t.{n}"),
                title: "t".into(),
                comment: "a comment\nof two lines".into(),
                media: vec![p.draft.media()],
            };
            let text = scripted.text(&heading);
            let parsed = crate::case::parse_case(std::path::Path::new(&format!("explore.t.{n}.toml")), &text)
                .unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(
                format!("{:?}", scripted.case(&heading)),
                format!("{parsed:?}"),
                "{text}"
            );
        }
        assert!(kinds.len() >= 6, "{kinds:?}");
    }
}
