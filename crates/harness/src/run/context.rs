//! What every case of a run shares: the client, the target, one application per media type,
//! the redactor, and the event-channel readers (started by the first wait step that needs one);
//! how it is opened (sign-in, one application each) and closed (the applications deleted).

use super::stop::{Stop, StopCause};
use crate::case::{Identity, Media, PeerRole, Values};
use crate::client::{Account, EventHub, HttpClient, Session, close, open, sign_in, sign_in_anonymous};
use crate::error::Error;
use crate::under_test::Target;
use crate::under_test::secret::Redactor;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use url::Url;

/// Everything a case needs from the run: shared, read-only.
#[derive(Debug)]
pub(crate) struct RunContext {
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

impl RunContext {
    /// Signs in and opens one application per media type the target offers (each with its own
    /// event channel, read in that representation), and as many anonymous ones when the target
    /// offers anonymous access. Credentials go only to the target's trust set, whatever client
    /// the caller built. The stop request is checked between sign-in steps: what was created is
    /// deleted before returning.
    pub async fn open(target: Target, client: HttpClient, stop: Stop) -> Result<Self, Error> {
        let client = client.with_trust(target.trust.clone());
        let mut redactor = Redactor::new(target.secrets());
        let unusable = |e: crate::client::DiscoveryError, redactor: &Redactor| {
            Error::TargetUnusable(redactor.redact(&e.to_string()))
        };
        let account = tokio::select! {
            account = sign_in(&client, &target, &mut redactor) => account,
            cause = stop.wait() => return Err(stopped(cause)),
        };
        let account = account.map_err(|e| unusable(e, &redactor))?;
        let mut accounts = vec![(Identity::User, account.clone())];
        if let Some(anonymous) = &target.anonymous {
            let signed = tokio::select! {
                signed = sign_in_anonymous(&client, anonymous, &mut redactor) => signed,
                cause = stop.wait() => return Err(stopped(cause)),
            };
            accounts.push((Identity::Anonymous, signed.map_err(|e| unusable(e, &redactor))?));
        }
        let mut sessions = BTreeMap::new();
        for (identity, account) in &accounts {
            for media in &target.media {
                // Each application is created whole (its POST is not cut short), then the stop
                // is checked.
                let opened = open(&client, account).await;
                let failure = match (opened, stop.requested()) {
                    (Ok(session), None) => {
                        sessions.insert((*identity, *media), Arc::new(session));
                        continue;
                    }
                    (Ok(session), Some(cause)) => {
                        sessions.insert((*identity, *media), Arc::new(session));
                        stopped(cause)
                    }
                    (Err(e), _) => unusable(e, &redactor),
                };
                for session in sessions.values() {
                    close(&client, session).await;
                }
                return Err(failure);
            }
        }
        let hubs = sessions.keys().map(|(_, m)| (*m, OnceLock::new())).collect();
        Ok(Self {
            client,
            target,
            sessions,
            redactor,
            account,
            stop,
            waiting: super::waiting::Waiting::default(),
            hubs,
        })
    }

    /// Deletes the run's applications (best effort, all at once, each within a few seconds: a
    /// target that stopped answering must not hold the run up).
    pub async fn close(&self) {
        let within = self
            .target
            .limits
            .request_timeout
            .min(std::time::Duration::from_secs(5));
        let mut closing = tokio::task::JoinSet::new();
        for session in self.sessions.values() {
            let (client, session) = (self.client.clone(), session.clone());
            closing.spawn(async move {
                let _ = tokio::time::timeout(within, close(&client, &session)).await;
            });
        }
        while closing.join_next().await.is_some() {}
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

/// The error of a sign-in cut short by a stop request.
fn stopped(cause: StopCause) -> Error {
    match cause {
        StopCause::Signal(signal) => Error::Interrupted(signal),
        StopCause::TargetSilent(what) => Error::TargetUnusable(format!("it stopped answering: {what}")),
        StopCause::MaxFail(_) => Error::Usage("--max-fail stopped the run before any trial".into()),
    }
}

/// The values of one run of one case: its operationId, its captures, its media type.
pub(crate) struct CaseState<'a> {
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
