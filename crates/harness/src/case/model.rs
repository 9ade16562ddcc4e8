//! The validated case: what the rest of the suite works with. Every value here has passed the
//! loader's checks, so nothing downstream handles an unknown key, rel or capture.

use super::template::Template;
use regex::Regex;
use std::fmt;
use std::path::PathBuf;

/// A UCWA representation a case runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Media {
    /// `application/json`
    Json,
    /// `application/xml`
    Xml,
}

impl Media {
    /// Both representations, in the order cases run.
    pub const ALL: [Media; 2] = [Media::Json, Media::Xml];

    /// The short name used in case files, trial names and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Media::Json => "json",
            Media::Xml => "xml",
        }
    }

    /// Parses the short name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "json" => Some(Media::Json),
            "xml" => Some(Media::Xml),
            _ => None,
        }
    }
}

impl fmt::Display for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How binding a requirement is: a failed `Should` case changes the exit code only with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The seed page or a documented fact demands it.
    Must,
    /// Captured traces show it, or the project's interpretation recommends it.
    Should,
}

impl Severity {
    /// The name used in case files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Must => "must",
            Severity::Should => "should",
        }
    }
}

/// A state of the server that the harness cannot create by ordinary requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// 409 Conflict / TooManyGroups.
    TooManyGroups,
    /// 409 Conflict with no subcode: unsupported service, resource or API.
    Unsupported,
    /// 410 Gone / CannotRedirect: no backup pool.
    CannotRedirect,
    /// 500 ServiceFailure / CallbackChannelError: the event channel is unreachable.
    CallbackChannelError,
}

impl Fault {
    /// Every fault, in documentation order.
    pub const ALL: [Fault; 4] = [
        Fault::TooManyGroups,
        Fault::Unsupported,
        Fault::CannotRedirect,
        Fault::CallbackChannelError,
    ];

    /// The name used in case files, target profiles and the fault-control contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::TooManyGroups => "TooManyGroups",
            Fault::Unsupported => "Unsupported",
            Fault::CannotRedirect => "CannotRedirect",
            Fault::CallbackChannelError => "CallbackChannelError",
        }
    }

    /// Parses the name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The precondition a target must offer for cases that arm this fault.
    pub fn precondition(self) -> String {
        format!("fault:{}", self.as_str())
    }
}

/// A case: one requirement (or a few closely tied ones) checked by one or more steps.
#[derive(Debug, Clone)]
pub struct Case {
    /// Stable, hierarchical id, e.g. `start-messaging.operation-id.too-long`.
    pub id: String,
    /// A sentence a vendor understands without reading the file.
    pub title: String,
    /// The spec items it checks.
    pub spec: Vec<String>,
    /// Must or should.
    pub severity: Severity,
    /// Free tags for filtering.
    pub tags: Vec<String>,
    /// The representations it runs in.
    pub media: Vec<Media>,
    /// Preconditions the target must offer (explicit ones plus one per armed fault).
    pub needs: Vec<String>,
    /// The interpretation entry it tests, if the behaviour is a project decision.
    pub interpretation: Option<String>,
    /// The areas (resources) of the items it cites, from the corpus's inventory (empty without
    /// one).
    pub areas: Vec<String>,
    /// The requests, in order.
    pub steps: Vec<Step>,
    /// The file it came from.
    pub source: PathBuf,
}

/// One action and what must come of it.
#[derive(Debug, Clone)]
pub struct Step {
    /// A request, or a wait on the event channel.
    pub action: Action,
    /// What the response (or the event) must be.
    pub expect: Expect,
    /// Values to keep for later steps.
    pub captures: Vec<Capture>,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Send an HTTP request.
    Request(RequestSpec),
    /// Wait for an event on the application's event channel.
    Wait(Wait),
}

/// Waits for the first event that matches, within a time budget.
#[derive(Debug, Clone)]
pub struct Wait {
    /// The event type: added, updated, deleted, started or completed.
    pub kind: String,
    /// The rel of the resource it is about (namespace ignored).
    pub rel: String,
    /// The operationId its embedded resource must carry, if any.
    pub operation_id: Option<Template>,
    /// The href of its sender (a conversation's events come under the conversation), if given.
    pub sender: Option<Template>,
    /// The href of the resource it is about, if given.
    pub href: Option<Template>,
    /// Property values its embedded resource must have (`where`): the first such event counts.
    pub filter: Vec<(String, Template)>,
    /// How long to wait.
    pub within: std::time::Duration,
}

/// A rel without its namespace prefix: `ms:rtc:saas:startMessaging` -> `startMessaging`.
pub fn local_rel(rel: &str) -> &str {
    rel.rsplit(':').next().unwrap_or(rel)
}

/// The event types of the event channel.
pub const EVENT_TYPES: [&str; 5] = ["added", "updated", "deleted", "started", "completed"];

/// Who sends a request: which of the run's applications it goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Identity {
    /// The signed-in user (the default).
    User,
    /// An anonymous client holding a `psat=` token limited to one target (`as = "anonymous"`).
    Anonymous,
    /// The signed-in user, through an application of this case's own, created at its first use
    /// and deleted when the case ends (`as = "fresh"`): for cases that end their application.
    Fresh,
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    /// HTTP method, upper case.
    pub method: String,
    /// Whose application the request goes through.
    pub identity: Identity,
    /// What to call.
    pub call: Call,
    /// Query parameters added to the URL (server-added ones are kept).
    pub query: Vec<(String, Template)>,
    /// Extra request headers; they override the harness's defaults.
    pub headers: Vec<(String, Template)>,
    /// What to send.
    pub body: Body,
    /// Which credentials to send.
    pub auth: Auth,
    /// A server state to arm (through the target's fault control) before sending.
    pub fault: Option<Fault>,
}

/// The URL a step calls.
#[derive(Debug, Clone)]
pub enum Call {
    /// A link found by discovery, by rel (namespace prefixes are ignored).
    Rel(String),
    /// A URL, usually a captured Location; relative ones resolve against the capturing request.
    Href(Template),
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// No body.
    None,
    /// UCWA input properties, rendered per media type.
    Input {
        /// Plain properties (`<property name=..>` / JSON members).
        properties: Vec<(String, Template)>,
        /// Link-valued inputs such as `message` (`_links` in JSON).
        links: Vec<(String, Template)>,
    },
    /// A body sent exactly as written; a media type without text does not run.
    Raw {
        /// Sent with `application/json`.
        json: Option<Template>,
        /// Sent with `application/xml`.
        xml: Option<Template>,
    },
}

/// The credentials a step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The session's token.
    Token,
    /// No Authorization header.
    None,
    /// A well-formed but unknown bearer token.
    Invalid,
}

/// What a response (or an event) must be.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The HTTP status (requests only); more than one where the page allows either (empty:
    /// not checked, wait steps).
    pub status: Vec<u16>,
    /// The error `code`, when the response must be a UCWA error.
    pub code: Option<String>,
    /// The error `subcode` rule, when it matters.
    pub subcode: Option<SubcodeRule>,
    /// Header rules.
    pub headers: Vec<HeaderRule>,
    /// Rules for a resource body (for a wait step: the event's embedded resource).
    pub resource: Option<ResourceRule>,
    /// Rules for the event itself (wait steps only).
    pub event: Option<EventRule>,
}

/// Rules for an event.
#[derive(Debug, Clone, Default)]
pub struct EventRule {
    /// The event-level `status` (Success or Failure).
    pub status: Option<String>,
    /// The rel of the sender the event must come under (`communication`, namespace ignored).
    pub sender: Option<String>,
    /// The event must have arrived after the event the case's previous wait step found.
    pub after_previous: bool,
    /// The event must carry a `reason` (any code): a failed operation says why.
    pub reason_present: bool,
    /// The `reason.code`.
    pub reason_code: Option<String>,
    /// The `reason.subcode`.
    pub reason_subcode: Option<String>,
}

impl Expect {
    /// True when the response must carry a UCWA error body.
    pub fn wants_error_body(&self) -> bool {
        self.code.is_some() || self.subcode.is_some()
    }
}

/// The subcode an error must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubcodeRule {
    /// No subcode at all (the seed's "None").
    Absent,
    /// Exactly this subcode (case-sensitive).
    Equals(String),
}

/// A rule on one response header.
#[derive(Debug, Clone)]
pub struct HeaderRule {
    /// Header name, as written in the case.
    pub name: String,
    /// What it must be.
    pub check: HeaderCheck,
}

/// What a header must be.
#[derive(Debug, Clone)]
pub enum HeaderCheck {
    /// Present with any value.
    Present,
    /// Not present.
    Absent,
    /// Exactly this value.
    Equals(Template),
    /// Matching this regular expression.
    Matches(Regex),
}

/// Rules for a UCWA resource body.
#[derive(Debug, Clone)]
pub struct ResourceRule {
    /// The resource's `rel`.
    pub rel: Option<String>,
    /// Properties and their exact values.
    pub properties: Vec<(String, Template)>,
    /// Link rels that must be present.
    pub links: Vec<String>,
    /// Embedded resource rels that must be present.
    pub embedded: Vec<String>,
}

/// A value kept for later steps.
#[derive(Debug, Clone)]
pub struct Capture {
    /// Name used as `{{capture:NAME}}`.
    pub name: String,
    /// Where it comes from.
    pub source: CaptureSource,
}

/// Where a captured value comes from.
#[derive(Debug, Clone)]
pub enum CaptureSource {
    /// A response header.
    Header(String),
    /// A property of the response resource.
    Property(String),
    /// The href of a link of the response resource.
    Link(String),
}
