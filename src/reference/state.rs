//! The reference server's world: users and their tokens, applications, invitations, peers and
//! armed faults. Every collection is bounded; idle applications expire.

use super::mutants::Mutant;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

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

/// State of a messagingInvitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    /// Waiting for the peer.
    Connecting,
    /// Accepted.
    Connected,
    /// Declined, timed out or unreachable.
    Failed,
    /// Cancelled by the inviter (POST on the `cancel` link).
    Cancelled,
}

impl InvitationState {
    /// Connecting or connected: its operationId is in use (I-03).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Connecting | Self::Connected)
    }

    /// The UCWA name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting",
            Self::Connected => "Connected",
            Self::Failed => "Failed",
            Self::Cancelled => "Cancelled",
        }
    }
}

/// An outgoing messagingInvitation.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// Its id within the application.
    pub id: u64,
    /// The client's operationId.
    pub operation_id: String,
    /// The target SIP URI.
    pub to: String,
    /// Normal, Urgent or Emergency.
    pub importance: String,
    /// The subject, possibly empty.
    pub subject: String,
    /// Given by the client or assigned.
    pub thread_id: String,
    /// The first message's data URI, if sent.
    pub message: Option<String>,
    /// Custom content's data URI, if sent.
    pub custom_content: Option<String>,
    /// Where it stands.
    pub state: InvitationState,
    /// The failure subcode once failed (Declined, Timeout, DestinationNotFound).
    pub failure: Option<&'static str>,
}

/// An application of a user.
#[derive(Debug)]
pub struct Application {
    /// The owner.
    pub user: String,
    /// The fields it was created with.
    pub fields: AppFields,
    /// Last request that touched it.
    pub last_seen: Instant,
    /// Invitations by id, in creation order.
    pub invitations: BTreeMap<u64, Invitation>,
    /// Next invitation id.
    pub next_invitation: u64,
    /// Its event channel.
    pub channel: super::events::Channel,
}

/// The inputs an application was created with.
#[derive(Debug, Clone, Default)]
pub struct AppFields {
    /// `culture`, e.g. en-US.
    pub culture: String,
    /// `endpointId`.
    pub endpoint_id: String,
    /// `userAgent`.
    pub user_agent: String,
}

/// The whole world, behind one mutex.
#[derive(Debug)]
pub struct World {
    /// The configuration it was started with.
    pub config: Config,
    /// token -> user name.
    pub tokens: HashMap<String, String>,
    token_order: VecDeque<String>,
    /// Applications by id.
    pub applications: BTreeMap<u64, Application>,
    /// Ids of applications that expired (answered with 410), bounded.
    pub expired: VecDeque<u64>,
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

    /// True when the server runs as `mutant`.
    pub fn is(&self, mutant: Mutant) -> bool {
        self.config.mutant == Some(mutant)
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
    pub fn create_application(&mut self, user: &str, fields: AppFields) -> Option<u64> {
        self.expire_idle();
        if self.applications.values().filter(|a| a.user == user).count() >= MAX_APPLICATIONS_PER_USER {
            return None;
        }
        let counter = if self.anonymous_targets.contains_key(user) {
            &mut self.next_anonymous_application
        } else {
            &mut self.next_application
        };
        let id = *counter;
        *counter += 1;
        self.applications.insert(
            id,
            Application {
                user: user.to_string(),
                fields,
                last_seen: Instant::now(),
                invitations: BTreeMap::new(),
                next_invitation: 1,
                channel: Default::default(),
            },
        );
        Some(id)
    }

    /// Removes applications idle for longer than the idle timeout.
    pub fn expire_idle(&mut self) {
        let idle = self.config.idle_timeout;
        let gone: Vec<u64> = self
            .applications
            .iter()
            .filter(|(_, a)| a.last_seen.elapsed() > idle)
            .map(|(id, _)| *id)
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
