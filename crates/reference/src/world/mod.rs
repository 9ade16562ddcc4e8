//! The reference server's world, with no HTTP in it: users and their tokens, applications and
//! what lives in them (availability, invitations, conversations, messaging, the event channel),
//! peers and armed faults. Every collection is bounded; idle applications expire. Changes are
//! methods that check what the docs require, move state on and queue the events they cause.

mod application;
mod conversation;
pub mod events;
mod invitation;
mod problem;
pub(crate) mod resources;

pub use application::{AppFields, Application, Availability};
pub use conversation::{Outcome, StartRequest};
pub use invitation::{ConversationState, Invitation, InvitationState, Message, ModalityState};
pub use problem::Problem;

use crate::mutants::{Mutant, Rules};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

/// How an invited peer answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerBehaviour {
    /// Accepts at once: the invitation completes with Success.
    Accept,
    /// Declines: the invitation completes with Failure / Declined.
    Decline,
    /// Never answers: the invitation completes with Failure / Timeout after the invitation timeout.
    Ignore,
}

impl PeerBehaviour {
    /// Parses `accept`, `decline` or `ignore`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "accept" => Some(Self::Accept),
            "decline" => Some(Self::Decline),
            "ignore" => Some(Self::Ignore),
            _ => None,
        }
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
            Self::Ignore => "ignore",
        }
    }
}

/// How the reference server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Users as (name, password).
    pub users: Vec<(String, String)>,
    /// Peers as (SIP URI, behaviour).
    pub peers: Vec<(String, PeerBehaviour)>,
    /// How long an unanswered invitation waits before it fails (about 30 s on real pools).
    pub invitation_timeout: Duration,
    /// How long an application may be idle before it expires.
    pub idle_timeout: Duration,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    /// How long a pending GET on the event channel waits before an empty answer (documented
    /// default 180 s; the `timeout` query parameter takes 180-1800 s).
    pub event_timeout: Duration,
    /// A deliberate deviation from the spec, for the suite's self-test; `None` is the reference.
    pub mutant: Option<Mutant>,
    /// Record every client's requests for grading (`serve --grade-clients`; the HTTP edge keeps
    /// the journal, the world never reads it).
    pub grade_clients: bool,
    /// Documented errors each application's first startMessaging requests get, one each, in
    /// order (`serve --answer-once`), so that a client's reaction to them can be seen.
    pub answer_once: Vec<Refusal>,
}

/// The message of the 409 AlreadyExists for an operationId whose invitation is still active.
const OPERATION_ACTIVE: &str = "An invitation with this operationId is already active.";

/// The message of the 403 an anonymous application gets for a `to` its token does not allow.
const ANONYMOUS_TARGET_MISMATCH: &str = "The target URI does not match the target URI provisioned in anonymous token.";

/// A documented startMessaging error `serve --answer-once` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 409 Conflict / AlreadyExists.
    AlreadyExists,
    /// 403 Forbidden, as an anonymous application gets for a `to` its token was not issued for
    /// (the page's 403 row; given to any application, so a signed-in client's reaction shows).
    Forbidden,
    /// One of the fault-control contract's errors (TooManyGroups, Unsupported, CannotRedirect,
    /// CallbackChannelError).
    Fault(Fault),
}

impl Refusal {
    /// Parses `AlreadyExists`, `Forbidden` or a fault's name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "AlreadyExists" => Some(Self::AlreadyExists),
            "Forbidden" => Some(Self::Forbidden),
            other => Fault::from_name(other).map(Self::Fault),
        }
    }

    fn problem(self) -> Problem {
        match self {
            Self::AlreadyExists => Problem::AlreadyExists(OPERATION_ACTIVE),
            Self::Forbidden => Problem::Forbidden(ANONYMOUS_TARGET_MISMATCH.into()),
            Self::Fault(fault) => Problem::Fault(fault),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            users: vec![("alice@contoso.test".into(), "alice-password".into())],
            peers: vec![
                ("sip:bob@contoso.test".into(), PeerBehaviour::Accept),
                ("sip:carol@contoso.test".into(), PeerBehaviour::Decline),
                ("sip:dave@contoso.test".into(), PeerBehaviour::Ignore),
                ("sip:helpdesk@contoso.test".into(), PeerBehaviour::Accept),
            ],
            invitation_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(15 * 60),
            max_body_bytes: 64 * 1024,
            event_timeout: Duration::from_secs(180),
            mutant: None,
            grade_clients: false,
            answer_once: Vec::new(),
        }
    }
}

/// Anonymous applications are numbered from here, so their hrefs can live under `/ucwa/psanon/`.
pub const ANONYMOUS_APPLICATION_IDS: u64 = 1_000_001;

/// Most applications one user may hold (410 TooManyApplications beyond).
pub const MAX_APPLICATIONS_PER_USER: usize = 64;
/// Most invitations one application keeps; the oldest finished ones are dropped first.
pub const MAX_INVITATIONS_PER_APPLICATION: usize = 1024;
/// Most issued tokens kept; the oldest are forgotten first.
pub const MAX_TOKENS: usize = 4096;
/// Most instances (event channels) one application keeps.
pub const MAX_INSTANCES: usize = 64;
/// Most armed faults kept.
pub const MAX_ARMED_FAULTS: usize = 4096;

/// A fault the fault-control contract can arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 409 Conflict / TooManyGroups.
    TooManyGroups,
    /// 409 Conflict, no subcode.
    Unsupported,
    /// 410 Gone / CannotRedirect.
    CannotRedirect,
    /// 500 ServiceFailure / CallbackChannelError.
    CallbackChannelError,
}

impl Fault {
    /// Parses a fault name of the contract.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "TooManyGroups" => Some(Self::TooManyGroups),
            "Unsupported" => Some(Self::Unsupported),
            "CannotRedirect" => Some(Self::CannotRedirect),
            "CallbackChannelError" => Some(Self::CallbackChannelError),
            _ => None,
        }
    }
}

/// An invitation startMessaging started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The href of its application.
    pub application_href: String,
    /// Its id within the application.
    pub invitation: u64,
    /// How the invited peer behaves (`None`: nobody by that URI).
    pub peer: Option<PeerBehaviour>,
    /// How long an unanswered invitation waits.
    pub timeout: Duration,
}

/// The whole world, behind one mutex.
#[derive(Debug, Clone)]
pub struct World {
    /// The configuration it was started with.
    pub config: Config,
    /// How it behaves (the reference's rules, or its mutant's).
    pub rules: Rules,
    /// token -> user name.
    pub tokens: HashMap<String, String>,
    token_order: VecDeque<String>,
    /// Applications by id (ids are exact strings: `0101` is not `101`).
    pub applications: BTreeMap<String, Application>,
    /// Ids of applications that expired (answered with 410), bounded.
    pub expired: VecDeque<String>,
    next_application: u64,
    next_anonymous_application: u64,
    /// Anonymous users (named by their token) -> the one SIP URI their token lets them invite.
    pub anonymous_targets: HashMap<String, String>,
    /// operationId -> fault armed for it.
    pub faults: HashMap<String, Fault>,
}

impl World {
    /// A fresh world.
    pub fn new(config: Config) -> Self {
        Self {
            rules: Rules::of(config.mutant),
            config,
            tokens: HashMap::new(),
            token_order: VecDeque::new(),
            applications: BTreeMap::new(),
            expired: VecDeque::new(),
            next_application: 101,
            next_anonymous_application: ANONYMOUS_APPLICATION_IDS,
            anonymous_targets: HashMap::new(),
            faults: HashMap::new(),
        }
    }

    /// Issues a token for `user`.
    pub fn issue_token(&mut self, user: &str) -> String {
        let token = format!("cwt={}", uuid::Uuid::new_v4().simple());
        self.tokens.insert(token.clone(), user.to_string());
        self.token_order.push_back(token.clone());
        while self.token_order.len() > MAX_TOKENS {
            if let Some(old) = self.token_order.pop_front() {
                self.tokens.remove(&old);
            }
        }
        token
    }

    /// Issues an anonymous (`psat=`) token that may invite only `target`; its user is anonymous.
    pub fn issue_anonymous_token(&mut self, target: &str) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let user = format!("{id}@anonymous.invalid");
        let token = format!("psat={id}");
        self.tokens.insert(token.clone(), user.clone());
        self.token_order.push_back(token.clone());
        self.anonymous_targets.insert(user, target.to_string());
        while self.token_order.len() > MAX_TOKENS {
            if let Some(old) = self.token_order.pop_front()
                && let Some(user) = self.tokens.remove(&old)
            {
                self.anonymous_targets.remove(&user);
            }
        }
        token
    }

    /// The user of a token.
    pub fn user_of(&self, token: &str) -> Option<&str> {
        self.tokens.get(token).map(String::as_str)
    }

    /// True when `user` / `password` are configured.
    pub fn check_password(&self, user: &str, password: &str) -> bool {
        self.config
            .users
            .iter()
            .any(|(u, p)| u.eq_ignore_ascii_case(user) && p == password)
    }

    /// How a peer behaves; `None` for an unknown peer.
    pub fn peer(&self, uri: &str) -> Option<PeerBehaviour> {
        self.config
            .peers
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(uri))
            .map(|(_, b)| *b)
    }

    /// Creates an application, or `None` when the user has too many. An application of the
    /// user's with the same culture, endpointId, type and userAgent is the same application
    /// (`MultiTabSupport.md`): a new `instanceId` gets its own event channel on it, a known one
    /// (or none, again) its existing channel. Answers the id and whether anything was created
    /// (201) or not (200).
    pub fn create_application(&mut self, user: &str, fields: AppFields) -> Option<(String, bool)> {
        self.expire_idle();
        let same_fields = self.rules.same_fields_same_application;
        if let Some(app) = self
            .applications
            .values_mut()
            .find(|a| same_fields && a.user == user && a.fields.same_application(&fields))
        {
            let created = match fields.instance_id.as_deref() {
                None | Some("") => false,
                Some(instance) if app.instances.contains_key(instance) => false,
                Some(_) if app.instances.len() >= MAX_INSTANCES => return None,
                Some(instance) => {
                    app.instances.insert(instance.to_string(), events::Channel::default());
                    true
                }
            };
            app.last_seen = std::time::Instant::now();
            return Some((app.id.clone(), created));
        }
        if self.applications.values().filter(|a| a.user == user).count() >= MAX_APPLICATIONS_PER_USER {
            return None;
        }
        let anonymous = self.anonymous_targets.contains_key(user);
        let counter = if anonymous {
            &mut self.next_anonymous_application
        } else {
            &mut self.next_application
        };
        let id = counter.to_string();
        *counter += 1;
        let mut app = Application::new(&id, user, anonymous, fields);
        if let Some(instance) = app.fields.instance_id.clone().filter(|i| !i.is_empty()) {
            app.instances.insert(instance, events::Channel::default());
        }
        self.applications.insert(id.clone(), app);
        Some((id, true))
    }

    /// The SIP URIs of the configured users and peers (the contacts `search` finds).
    pub fn directory(&self) -> Vec<String> {
        let users = self.config.users.iter().map(|(u, _)| format!("sip:{u}"));
        users.chain(self.config.peers.iter().map(|(p, _)| p.clone())).collect()
    }

    /// Removes applications idle for longer than the idle timeout.
    pub fn expire_idle(&mut self) {
        let idle = self.config.idle_timeout;
        let gone: Vec<String> = self
            .applications
            .iter()
            .filter(|(_, a)| a.last_seen.elapsed() > idle)
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            self.applications.remove(&id);
            self.expired.push_back(id);
            if self.expired.len() > MAX_TOKENS {
                self.expired.pop_front();
            }
        }
    }

    /// startMessaging by `user` on its application `app_id`, with a valid request: refused when
    /// an anonymous user invites another target than its token names (403), when a fault is
    /// armed for the operationId (it fires once), or when an active invitation of the
    /// application uses the operationId (409 AlreadyExists); else the invitation starts.
    pub fn start_messaging(&mut self, user: &str, app_id: &str, request: StartRequest) -> Result<Started, Problem> {
        let rules = self.rules;
        if let Some(allowed) = self.anonymous_targets.get(user)
            && !allowed.eq_ignore_ascii_case(&request.to)
            && rules.anonymous_target_checked
        {
            return Err(Problem::Forbidden(ANONYMOUS_TARGET_MISMATCH.into()));
        }
        if let Some(fault) = self.faults.remove(&request.operation_id) {
            return Err(Problem::Fault(fault));
        }
        let peer = self.peer(&request.to);
        let timeout = self.config.invitation_timeout;
        let app = self
            .applications
            .get_mut(app_id)
            .filter(|a| a.user == user)
            .ok_or(Problem::ApplicationNotFound)?;
        if let Some(refusal) = self.config.answer_once.get(app.refusals_given) {
            app.refusals_given += 1;
            return Err(refusal.problem());
        }
        if app.operation_in_use(&request.operation_id) && rules.duplicates_refused {
            return Err(Problem::AlreadyExists(OPERATION_ACTIVE));
        }
        let invitation = app.start(request, &rules);
        Ok(Started {
            application_href: app.href.clone(),
            invitation,
            peer,
            timeout,
        })
    }

    /// Arms a fault for an operationId; false when too many are armed.
    pub fn arm(&mut self, operation_id: &str, fault: Fault) -> bool {
        if self.faults.len() >= MAX_ARMED_FAULTS && !self.faults.contains_key(operation_id) {
            return false;
        }
        self.faults.insert(operation_id.to_string(), fault);
        true
    }
}

#[cfg(test)]
mod tests {
    //! The world without a server: plain calls, no HTTP.

    use super::*;
    use rstest::rstest;

    const ALICE: &str = "alice@contoso.test";

    fn world() -> World {
        World::new(Config::default())
    }

    fn request(operation_id: &str, to: &str) -> StartRequest {
        StartRequest {
            operation_id: operation_id.into(),
            to: to.into(),
            importance: "Normal".into(),
            subject: String::new(),
            thread_id: None,
            message: None,
            custom_content: None,
        }
    }

    /// The fields of an application of its own (a new endpointId each time).
    fn fields() -> AppFields {
        AppFields {
            endpoint_id: uuid::Uuid::new_v4().to_string(),
            ..AppFields::default()
        }
    }

    /// A new application of Alice's; answers its id.
    fn with_application(world: &mut World) -> String {
        let (id, created) = world.create_application(ALICE, fields()).expect("an application");
        assert!(created);
        id
    }

    /// The events queued for `app`, each as its drawn resource's rel and its type.
    fn kinds(world: &mut World, app: &str) -> Vec<(String, &'static str)> {
        let rules = world.rules;
        let application = world.applications.get_mut(app).expect("app");
        let events: Vec<events::Event> = application.channel.queue.drain(..).collect();
        events
            .iter()
            .map(|e| {
                let drawn = resources::snapshot(application, &e.about, &rules);
                (drawn.rel().to_string(), e.kind.name())
            })
            .collect()
    }

    #[test]
    fn tokens_name_their_user_and_passwords_are_checked() {
        let mut world = world();
        let token = world.issue_token(ALICE);
        assert!(token.starts_with("cwt="));
        assert_eq!(world.user_of(&token), Some(ALICE));
        assert_eq!(world.user_of("cwt=forged"), None);
        assert!(world.check_password("ALICE@contoso.test", "alice-password"));
        assert!(!world.check_password(ALICE, "ALICE-PASSWORD"));
    }

    #[test]
    fn application_ids_are_exact_strings_and_bounded_per_user() {
        let mut world = world();
        let first = with_application(&mut world);
        assert_eq!(first, "101");
        for _ in 1..MAX_APPLICATIONS_PER_USER {
            with_application(&mut world);
        }
        assert_eq!(world.create_application(ALICE, fields()), None, "the quota holds");
        let app = world.applications.get_mut(&first).expect("app");
        assert!(app.invitation("01").is_none() && app.conversation("1").is_none());
    }

    #[test]
    fn the_same_fields_are_the_same_application_with_a_channel_per_instance() {
        let mut world = world();
        let tab = |instance: Option<&str>| AppFields {
            culture: "en-us".into(),
            endpoint_id: "123".into(),
            app_type: "Browser".into(),
            user_agent: "foo".into(),
            instance_id: instance.map(str::to_string),
        };
        let (first, created) = world.create_application(ALICE, tab(None)).expect("app");
        assert!(created);
        assert_eq!(world.create_application(ALICE, tab(None)), Some((first.clone(), false)));
        assert_eq!(
            world.create_application(ALICE, tab(Some("abc"))),
            Some((first.clone(), true))
        );
        assert_eq!(
            world.create_application(ALICE, tab(Some("abc"))),
            Some((first.clone(), false))
        );
        let other = AppFields {
            user_agent: "bar".into(),
            ..tab(None)
        };
        assert_ne!(world.create_application(ALICE, other).map(|a| a.0), Some(first.clone()));
        // Every instance hears every event.
        world
            .start_messaging(ALICE, &first, request("op", "sip:bob@contoso.test"))
            .expect("started");
        let app = world.applications.get_mut(&first).expect("app");
        let default = app.channel_of(None).map(|c| c.queue.len());
        let tab = app.channel_of(Some("abc")).map(|c| c.queue.len());
        assert!(default.is_some_and(|n| n > 0) && default == tab, "{default:?} {tab:?}");
        assert!(app.channel_of(Some("unknown")).is_none());
    }

    #[test]
    fn anonymous_applications_are_numbered_apart() {
        let mut world = world();
        let token = world.issue_anonymous_token("sip:helpdesk@contoso.test");
        let user = world.user_of(&token).expect("a user").to_string();
        let (id, _) = world.create_application(&user, AppFields::default()).expect("app");
        assert_eq!(id, ANONYMOUS_APPLICATION_IDS.to_string());
        assert!(world.applications[&id].anonymous);
    }

    #[test]
    fn an_anonymous_user_invites_only_its_target() {
        let mut world = world();
        let token = world.issue_anonymous_token("sip:helpdesk@contoso.test");
        let user = world.user_of(&token).expect("a user").to_string();
        let (app, _) = world.create_application(&user, AppFields::default()).expect("app");
        let refused = world.start_messaging(&user, &app, request("op-1", "sip:bob@contoso.test"));
        assert!(matches!(refused, Err(Problem::Forbidden(_))), "{refused:?}");
        let started = world.start_messaging(&user, &app, request("op-2", "SIP:helpdesk@contoso.test"));
        assert!(started.is_ok(), "{started:?}");
    }

    #[test]
    fn an_armed_fault_fires_once() {
        let mut world = world();
        let app = with_application(&mut world);
        assert!(world.arm("op-f", Fault::TooManyGroups));
        let first = world.start_messaging(ALICE, &app, request("op-f", "sip:bob@contoso.test"));
        assert_eq!(first, Err(Problem::Fault(Fault::TooManyGroups)));
        let second = world.start_messaging(ALICE, &app, request("op-f", "sip:bob@contoso.test"));
        assert!(second.is_ok(), "{second:?}");
    }

    #[test]
    fn answer_once_gives_each_application_its_refusals_in_order_then_serves_it() {
        let mut world = World::new(Config {
            answer_once: ["Forbidden", "AlreadyExists", "CannotRedirect"]
                .into_iter()
                .map(|name| Refusal::from_name(name).expect("a refusal"))
                .collect(),
            ..Config::default()
        });
        let bob = "sip:bob@contoso.test";
        for _ in 0..2 {
            let app = with_application(&mut world);
            let answers: Vec<_> = (0..4)
                .map(|_| world.start_messaging(ALICE, &app, request("op-o", bob)).map(|_| ()))
                .collect();
            assert_eq!(
                answers,
                [
                    Err(Problem::Forbidden(ANONYMOUS_TARGET_MISMATCH.into())),
                    Err(Problem::AlreadyExists(OPERATION_ACTIVE)),
                    Err(Problem::Fault(Fault::CannotRedirect)),
                    Ok(()),
                ]
            );
        }
        assert_eq!(Refusal::from_name("Teapot"), None);
    }

    #[test]
    fn a_duplicate_operation_id_is_refused_while_its_invitation_is_active() {
        let mut world = world();
        let app = with_application(&mut world);
        let started = world
            .start_messaging(ALICE, &app, request("op-d", "sip:bob@contoso.test"))
            .expect("started");
        assert_eq!(started.peer, Some(PeerBehaviour::Accept));
        let again = world.start_messaging(ALICE, &app, request("op-d", "sip:bob@contoso.test"));
        assert!(matches!(again, Err(Problem::AlreadyExists(_))), "{again:?}");
        let rules = world.rules;
        let application = world.applications.get_mut(&app).expect("app");
        application.answer(started.invitation, Outcome::Failed("Declined"), &rules);
        let after = world.start_messaging(ALICE, &app, request("op-d", "sip:bob@contoso.test"));
        assert!(after.is_ok(), "a failed invitation frees its operationId: {after:?}");
    }

    #[test]
    fn another_users_application_is_not_found() {
        let mut world = world();
        let app = with_application(&mut world);
        let refused = world.start_messaging("mallory@contoso.test", &app, request("op", "sip:bob@contoso.test"));
        assert_eq!(refused, Err(Problem::ApplicationNotFound));
    }

    #[test]
    fn an_accepted_invitation_connects_messaging_and_tells_the_channel() {
        let mut world = world();
        let app = with_application(&mut world);
        let started = world
            .start_messaging(ALICE, &app, request("op-a", "sip:bob@contoso.test"))
            .expect("started");
        let events = kinds(&mut world, &app);
        assert_eq!(
            events.first(),
            Some(&("messagingInvitation".to_string(), "started")),
            "{events:?}"
        );
        let rules = world.rules;
        let application = world.applications.get_mut(&app).expect("app");
        application.answer(started.invitation, Outcome::Accepted, &rules);
        let invitation = application.invitation("1").expect("invitation");
        assert_eq!(invitation.state, InvitationState::Connected);
        assert_eq!(invitation.messaging, ModalityState::Connected);
        let events = kinds(&mut world, &app);
        assert!(
            events.contains(&("messagingInvitation".to_string(), "completed")),
            "{events:?}"
        );
    }

    /// Events queued before a later change are drawn, when delivered, as their resource was
    /// when they happened: the invitation `started` Connecting and `completed` Connected,
    /// messaging `updated` Connecting then Connected, though both are drawn after the answer.
    #[test]
    fn an_event_shows_its_resource_as_it_was_when_it_happened() {
        let mut world = world();
        let app = with_application(&mut world);
        let started = world
            .start_messaging(ALICE, &app, request("op-a", "sip:bob@contoso.test"))
            .expect("started");
        let rules = world.rules;
        let application = world.applications.get_mut(&app).expect("app");
        application.answer(started.invitation, Outcome::Accepted, &rules);
        let events: Vec<events::Event> = application.channel.queue.drain(..).collect();
        let states = |rel: &str| -> Vec<String> {
            events
                .iter()
                .map(|e| resources::snapshot(application, &e.about, &rules))
                .filter(|drawn| drawn.rel() == rel)
                .filter_map(|drawn| {
                    drawn
                        .texts()
                        .find(|(name, _)| *name == "state")
                        .map(|(_, v)| v.to_string())
                })
                .collect()
        };
        assert_eq!(states("messagingInvitation"), ["Connecting", "Connected"]);
        assert_eq!(states("messaging"), ["Connecting", "Connected"]);
        assert_eq!(states("conversation"), ["Connecting", "Connected"]);
    }

    #[test]
    fn a_message_needs_connected_messaging_and_stop_ends_the_conversation() {
        let mut world = world();
        let app = with_application(&mut world);
        let started = world
            .start_messaging(ALICE, &app, request("op-m", "sip:bob@contoso.test"))
            .expect("started");
        let rules = world.rules;
        let application = world.applications.get_mut(&app).expect("app");
        let early = application.send_message("1", "hi".into(), false, None, &rules);
        assert!(matches!(early, Err(Problem::NotNow(_))), "{early:?}");
        application.answer(started.invitation, Outcome::Accepted, &rules);
        assert_eq!(application.send_message("1", "hi".into(), false, None, &rules), Ok(1));
        assert_eq!(application.set_typing("1"), Ok(()));
        assert_eq!(application.stop_messaging("1", &rules), Ok(()));
        assert!(application.conversation("1").is_none(), "the conversation ended");
        assert_eq!(
            application.send_message("1", "late".into(), false, None, &rules),
            Err(Problem::NotFound)
        );
    }

    #[rstest]
    #[case(Outcome::Failed("Declined"), InvitationState::Failed, Some("Declined"))]
    #[case(Outcome::Failed("Timeout"), InvitationState::Failed, Some("Timeout"))]
    fn a_failed_invitation_says_why(
        #[case] outcome: Outcome,
        #[case] state: InvitationState,
        #[case] failure: Option<&str>,
    ) {
        let mut world = world();
        let app = with_application(&mut world);
        let started = world
            .start_messaging(ALICE, &app, request("op", "sip:carol@contoso.test"))
            .expect("started");
        let rules = world.rules;
        let application = world.applications.get_mut(&app).expect("app");
        application.answer(started.invitation, outcome, &rules);
        let invitation = application.invitation("1").expect("invitation");
        assert_eq!(invitation.state, state);
        assert_eq!(invitation.failure, failure);
        assert!(application.conversation("1").is_none(), "its conversation ended");
    }

    #[test]
    fn cancel_stops_only_a_waiting_invitation() {
        let mut world = world();
        let app = with_application(&mut world);
        world
            .start_messaging(ALICE, &app, request("op-c", "sip:dave@contoso.test"))
            .expect("started");
        let rules = world.rules;
        let application = world.applications.get_mut(&app).expect("app");
        assert_eq!(application.cancel("1", &rules), Ok(()));
        let invitation = application.invitation("1").expect("invitation");
        assert_eq!(invitation.state, InvitationState::Cancelled);
        assert_eq!(invitation.failure, Some("Canceled"));
        assert_eq!(application.cancel("2", &rules), Err(Problem::NotFound));
        assert_eq!(application.cancel("01", &rules), Err(Problem::NotFound));
    }

    #[test]
    fn make_me_available_once_and_never_anonymously() {
        let mut world = world();
        let app = with_application(&mut world);
        let rules = world.rules;
        let availability = Availability {
            modalities: vec!["Messaging".into()],
            formats: vec!["Plain".into(), "Html".into()],
        };
        let application = world.applications.get_mut(&app).expect("app");
        assert_eq!(application.formats(), vec!["Plain".to_string()]);
        assert_eq!(application.make_available(availability.clone(), &rules), Ok(()));
        assert_eq!(application.formats(), availability.formats);
        assert!(matches!(
            application.make_available(availability.clone(), &rules),
            Err(Problem::AlreadyExists(_))
        ));
        let mut anonymous = Application::new("1000001", "x@anonymous.invalid", true, AppFields::default());
        assert_eq!(
            anonymous.make_available(availability, &rules),
            Err(Problem::AnonymousNotAllowed)
        );
    }

    #[test]
    fn the_event_queue_is_bounded() {
        let mut world = world();
        let app = with_application(&mut world);
        let application = world.applications.get_mut(&app).expect("app");
        let sender = application.communication_sender();
        let event = events::Event::link(&sender, events::EventType::Updated, events::Snapshot::MePart("x"));
        application
            .channel
            .push(std::iter::repeat_n(event, events::MAX_QUEUED_EVENTS + 5));
        assert_eq!(application.channel.queue.len(), events::MAX_QUEUED_EVENTS);
    }
}
