//! What every case of a run shares: the client, the target, one application per media type,
//! the redactor, and the event-channel readers (started by the first wait step that needs one).

use super::stop::Stop;
use crate::case::{Identity, Media, PeerRole, Values};
use crate::client::{Account, EventHub, HttpClient, Session};
use crate::target::Target;
use crate::target::secret::Redactor;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use url::Url;

/// Everything a case needs from the run: shared, read-only.
#[derive(Debug)]
pub struct RunContext {
    /// The pooled client.
    pub client: HttpClient,
    /// The target.
    pub target: Target,
    /// One application per identity and media type the target offers (shared: every request
    /// of every trial reads one).
    pub sessions: BTreeMap<(Identity, Media), Arc<Session>>,
    /// Removes secrets from recorded exchanges.
    pub redactor: Redactor,
    /// The signed-in user's account, for applications of a case's own (`as = "fresh"`).
    pub account: Account,
    /// The run's stop request, which running cases watch.
    pub stop: Stop,
    /// The event waits running now (for a console to show).
    pub waiting: super::waiting::Waiting,
    hubs: BTreeMap<Media, OnceLock<EventHub>>,
}

/// The parts a [`RunContext`] is built from.
#[derive(Debug)]
pub struct Parts {
    /// The pooled client.
    pub client: HttpClient,
    /// The target.
    pub target: Target,
    /// The applications opened for the run.
    pub sessions: BTreeMap<(Identity, Media), Arc<Session>>,
    /// The redactor, knowing every secret learnt so far.
    pub redactor: Redactor,
    /// The signed-in user's account.
    pub account: Account,
    /// The run's stop request.
    pub stop: Stop,
}

impl RunContext {
    /// Assembles a context.
    pub fn new(parts: Parts) -> Self {
        let Parts {
            client,
            target,
            sessions,
            redactor,
            account,
            stop,
        } = parts;
        let hubs = sessions.keys().map(|(_, m)| (*m, OnceLock::new())).collect();
        Self {
            client,
            target,
            sessions,
            redactor,
            account,
            stop,
            waiting: super::waiting::Waiting::default(),
            hubs,
        }
    }

    /// The application an identity uses in a media type.
    pub fn session(&self, identity: Identity, media: Media) -> Option<&Arc<Session>> {
        self.sessions.get(&(identity, media))
    }

    /// The event-channel reader of the user's application in a media type (started on first
    /// use, inside the run's runtime).
    pub fn hub(&self, media: Media) -> Option<&EventHub> {
        let session = self.session(Identity::User, media)?;
        let cell = self.hubs.get(&media)?;
        Some(cell.get_or_init(|| EventHub::start(self.client.clone(), session, media)))
    }
}

/// The values of one run of one case: its operationId, its captures, its media type.
pub struct CaseState<'a> {
    /// Fresh per run of a case.
    pub operation_id: String,
    /// The target (for peers).
    pub target: &'a Target,
    /// Captured values, each with the URL relative hrefs in it resolve against.
    pub captures: BTreeMap<String, (String, Url)>,
    /// The media type the case runs in.
    pub media: Media,
    /// This case's own application (`as = "fresh"`), once opened.
    pub fresh: Option<Arc<Session>>,
    /// The arrival number of the event the previous wait step found, for order checks.
    pub last_event: Option<u64>,
}

impl<'a> CaseState<'a> {
    /// A fresh state for a run in `media`.
    pub fn new(ctx: &'a RunContext, media: Media) -> Self {
        Self {
            operation_id: uuid::Uuid::new_v4().simple().to_string(),
            target: &ctx.target,
            captures: BTreeMap::new(),
            media,
            fresh: None,
            last_event: None,
        }
    }

    /// The URL an href built from `template` resolves against: where its first capture was
    /// captured, if it has one.
    pub fn base_of(&self, template: &crate::case::Template) -> Option<Url> {
        template
            .captures()
            .find_map(|name| self.captures.get(name).map(|(_, base)| base.clone()))
    }
}

impl Values for CaseState<'_> {
    fn operation_id(&self) -> &str {
        &self.operation_id
    }
    fn peer(&self, role: PeerRole) -> Option<&str> {
        self.target.peer(role)
    }
    fn capture(&self, name: &str) -> Option<&str> {
        self.captures.get(name).map(|(v, _)| v.as_str())
    }
}
