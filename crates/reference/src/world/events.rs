//! Events as the world records them: who sent them, what happened, and to which resource, as a
//! typed snapshot of it at that moment; and the queue of one application's channel. The world
//! draws nothing: how a snapshot looks is `resources`', and how a batch is written on the wire is
//! the event handler's business.

use super::invitation::Invitation;
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::Notify;

/// Most events queued for one application; the oldest are dropped beyond it.
pub const MAX_QUEUED_EVENTS: usize = 10_000;

/// Which resource sends an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderRel {
    /// The application's `communication`: conversations and invitations.
    Communication,
    /// A `conversation`: its participants, modalities and messages.
    Conversation,
    /// `me`: presence, note and location.
    Me,
}

impl SenderRel {
    /// Its rel on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::Communication => "communication",
            Self::Conversation => "conversation",
            Self::Me => "me",
        }
    }
}

/// What happened to an event's resource: the event's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// The resource was added to its collection.
    Added,
    /// The resource changed.
    Updated,
    /// The resource was removed.
    Deleted,
    /// An operation started.
    Started,
    /// An operation ended (its status says how).
    Completed,
}

impl EventType {
    /// Its name on the wire (also the XML element's name).
    pub fn name(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::Started => "started",
            Self::Completed => "completed",
        }
    }
}

/// How a completed operation ended: the event's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It succeeded.
    Success,
    /// It failed (the event's reason says why).
    Failure,
}

impl Status {
    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::Success => "Success",
            Self::Failure => "Failure",
        }
    }
}

/// Who sends an event: the `sender` it is grouped under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// Which resource it is.
    pub rel: SenderRel,
    /// Its href.
    pub href: String,
}

/// The reason of a failed operation.
#[derive(Debug, Clone)]
pub struct Reason {
    /// `code`, e.g. RemoteFailure.
    pub code: &'static str,
    /// `subcode`, e.g. Declined.
    pub subcode: &'static str,
    /// A human message.
    pub message: &'static str,
}

/// What an event is about, as it was when the event happened: what is needed to draw it.
#[derive(Debug, Clone)]
pub enum Snapshot {
    /// `me`; `available` once makeMeAvailable succeeded.
    Me { available: bool },
    /// A part of `me` that makeMeAvailable added (`presence`, `note`, `location`): a link only.
    MePart(&'static str),
    /// `communication`: the modalities and message formats makeMeAvailable set, its version.
    Communication {
        modalities: Vec<String>,
        formats: Vec<String>,
        version: u64,
    },
    /// The messagingInvitation, as its events embed it.
    Invitation(Arc<Invitation>),
    /// The invitation's conversation.
    Conversation(Arc<Invitation>),
    /// The conversation's local participant.
    LocalParticipant(Arc<Invitation>),
    /// The invited peer, as a participant of the conversation.
    RemoteParticipant(Arc<Invitation>),
    /// The participantMessaging of the local participant (`local`) or of the peer.
    ParticipantMessaging { invitation: Arc<Invitation>, local: bool },
    /// The conversation's messaging modality.
    Messaging(Arc<Invitation>),
    /// A message sent in a conversation (its events carry links only): the conversation's id
    /// and the message's number.
    Message { conversation: u64, number: u64 },
}

/// One event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its sender.
    pub sender: Sender,
    /// What happened.
    pub kind: EventType,
    /// The resource it is about, as it was then.
    pub about: Snapshot,
    /// Embed the resource in the event (else the event carries its link only).
    pub embed: bool,
    /// The collection the resource belongs to (`in`), as (rel, href).
    pub within: Option<(&'static str, String)>,
    /// How a completed operation ended.
    pub status: Option<Status>,
    /// Why an operation failed.
    pub reason: Option<Reason>,
}

impl Event {
    /// An event with the resource embedded.
    pub fn embedded(sender: &Sender, kind: EventType, about: Snapshot) -> Self {
        Self {
            sender: sender.clone(),
            kind,
            about,
            embed: true,
            within: None,
            status: None,
            reason: None,
        }
    }

    /// An event with the link only.
    pub fn link(sender: &Sender, kind: EventType, about: Snapshot) -> Self {
        Self {
            embed: false,
            ..Self::embedded(sender, kind, about)
        }
    }

    /// The same event, in a collection.
    pub fn within(mut self, rel: &'static str, href: String) -> Self {
        self.within = Some((rel, href));
        self
    }
}

/// The event channel of one application.
#[derive(Debug, Clone, Default)]
pub struct Channel {
    /// Events not yet delivered.
    pub queue: VecDeque<Event>,
    /// The last batch delivered, with its ack (re-sent when asked again).
    pub delivered: Option<(u64, Vec<Event>)>,
    /// Bumped by each pending GET, so an older one knows it was replaced.
    pub generation: u64,
    /// Wakes the pending GET.
    pub notify: Arc<Notify>,
}

impl Channel {
    /// Queues events and wakes the pending GET.
    pub fn push(&mut self, events: impl IntoIterator<Item = Event>) {
        self.queue.extend(events);
        while self.queue.len() > MAX_QUEUED_EVENTS {
            self.queue.pop_front();
        }
        self.notify.notify_waiters();
    }
}
