//! The reference server's world, with no HTTP in it: users and their tokens, applications and
//! what lives in them (availability, invitations, conversations, messaging, the event channel),
//! peers and armed faults. Every collection is bounded; idle applications expire. Changes are
//! methods that check what the docs require, move state on and queue the events they cause.

mod application;
mod conversation;
pub mod events;
mod problem;

pub use application::{AppFields, Application, Availability};
pub use conversation::{ConversationState, Invitation, InvitationState, Message, ModalityState, Outcome, StartRequest};
pub use problem::Problem;

use super::mutants::{Mutant, Rules};
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

/// The whole world, behind one mutex.
#[derive(Debug)]
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

    /// Creates an application, or `None` when the user has too many.
    pub fn create_application(&mut self, user: &str, fields: AppFields) -> Option<String> {
        self.expire_idle();
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
        self.applications
            .insert(id.clone(), Application::new(&id, user, anonymous, fields));
        Some(id)
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

    /// Arms a fault for an operationId; false when too many are armed.
    pub fn arm(&mut self, operation_id: &str, fault: Fault) -> bool {
        if self.faults.len() >= MAX_ARMED_FAULTS && !self.faults.contains_key(operation_id) {
            return false;
        }
        self.faults.insert(operation_id.to_string(), fault);
        true
    }
}
