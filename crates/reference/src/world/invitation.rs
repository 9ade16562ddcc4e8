//! A messagingInvitation and its conversation as data: their states, the messages sent, and the
//! hrefs they derive. What changes them, and the events they cause, is `conversation`'s.

use crate::hrefs;
use std::collections::BTreeMap;
use std::sync::Arc;

/// State of a messagingInvitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    /// Waiting for the peer.
    Connecting,
    /// Accepted.
    Connected,
    /// Declined, timed out or unreachable.
    Failed,
    /// Cancelled by the inviter (cancel, or stopMessaging while it waited).
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

/// State of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationState {
    /// The invitation waits.
    Connecting,
    /// The peer accepted.
    Connected,
    /// It ended.
    Disconnected,
}

/// State of a modality (messaging).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModalityState {
    /// Being set up.
    Connecting,
    /// Messages can be sent.
    Connected,
    /// Stopped.
    Disconnected,
}

impl ConversationState {
    /// The UCWA name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting",
            Self::Connected => "Connected",
            Self::Disconnected => "Disconnected",
        }
    }
}

impl ModalityState {
    /// The UCWA name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting",
            Self::Connected => "Connected",
            Self::Disconnected => "Disconnected",
        }
    }
}

/// A message sent with sendMessage.
#[derive(Debug, Clone)]
pub struct Message {
    /// Its number within the conversation.
    pub id: u64,
    /// The client's operationId (`operationId` or `OperationContext`), if given.
    pub operation_id: Option<String>,
    /// The text as sent.
    pub text: String,
    /// Sent as text/html.
    pub html: bool,
    /// When it was sent (milliseconds since the epoch).
    pub time_ms: u128,
}

/// An outgoing messagingInvitation and its conversation (one conversation per invitation; they
/// share the number).
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
    /// The failure subcode once failed (Declined, Timeout, DestinationNotFound, Canceled).
    pub failure: Option<&'static str>,
    /// Where its conversation stands.
    pub conversation: ConversationState,
    /// The conversation ended and was deleted: it and everything under it answer 404.
    pub conversation_gone: bool,
    /// Where its messaging modality stands.
    pub messaging: ModalityState,
    /// The message formats negotiated when it connected.
    pub formats: Vec<String>,
    /// Messages sent, by number.
    pub messages: BTreeMap<u64, Message>,
    /// Next message number.
    pub next_message: u64,
}

/// The href of conversation `id` of application `app` (an invitation and its conversation share
/// the number).
pub fn conversation_href(app: &str, id: u64) -> String {
    hrefs::conversation(app, &id.to_string())
}

impl Invitation {
    /// Its conversation's href.
    pub fn conversation_href(&self, app: &str) -> String {
        conversation_href(app, self.id)
    }

    /// The message `number` (an exact string) sent in its conversation.
    pub fn message(&self, number: &str) -> Option<&Message> {
        exact_number(number).and_then(|n| self.messages.get(&n))
    }

    /// Itself without its messages, as events' snapshots hold it (no snapshot shows them); the
    /// events of one change share it.
    pub fn as_it_was(&self) -> Arc<Invitation> {
        Arc::new(Invitation {
            messages: BTreeMap::new(),
            ..self.clone()
        })
    }
}

/// A number as an exact string: `7`, not `07` or `+7`.
pub fn exact_number(id: &str) -> Option<u64> {
    id.parse::<u64>().ok().filter(|n| n.to_string() == id)
}
