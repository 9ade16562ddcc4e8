//! An outgoing messagingInvitation and the conversation it opens, with its messaging modality
//! and the messages sent in it. Each change moves the state on and queues the events that
//! `SendAnIM.md` shows (and, where the docs are silent, what INTERPRETATION.md decided):
//!
//! - start: invitation `started`, conversation `added`, localParticipant `added`, messaging
//!   `updated` (Connecting);
//! - accepted: conversation `updated` (Connected), participant and participantMessaging `added`,
//!   messaging `updated` (Connected, with sendMessage), invitation `completed` (Success);
//! - declined, unanswered, unknown peer, cancelled: invitation `completed` (Failure, with a
//!   reason), then the conversation ends;
//! - sendMessage: message `started` and `completed` (Success);
//! - stopMessaging: the conversation ends: messaging `updated` (Disconnected), participants
//!   `deleted`, conversation `updated` (Disconnected) and `deleted`; it then answers 404.

use super::MAX_INVITATIONS_PER_APPLICATION;
use super::application::Application;
use super::events::{Event, EventType, Reason, Sender, SenderRel, Snapshot, Status};
use super::invitation::{
    ConversationState, Invitation, InvitationState, Message, ModalityState, conversation_href, exact_number,
};
use super::problem::Problem;
use crate::hrefs;
use crate::mutants::Rules;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A valid startMessaging request.
#[derive(Debug, Clone)]
pub struct StartRequest {
    /// `operationId`.
    pub operation_id: String,
    /// `to`.
    pub to: String,
    /// `importance`, in its documented spelling.
    pub importance: String,
    /// `subject`.
    pub subject: String,
    /// `threadId`, if given.
    pub thread_id: Option<String>,
    /// The `message` link.
    pub message: Option<String>,
    /// The `customContent` link.
    pub custom_content: Option<String>,
}

/// How an invitation's peer answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted.
    Accepted,
    /// Failed with this reason subcode (Declined, Timeout, DestinationNotFound).
    Failed(&'static str),
}

impl Outcome {
    /// How an invitation ends, as its peer behaves: accepted, declined, unanswered (Timeout),
    /// or nobody by that URI (DestinationNotFound).
    pub fn of(peer: Option<super::PeerBehaviour>) -> Self {
        use super::PeerBehaviour as P;
        match peer {
            Some(P::Accept) => Outcome::Accepted,
            Some(P::Decline) => Outcome::Failed("Declined"),
            Some(P::Ignore) => Outcome::Failed("Timeout"),
            None => Outcome::Failed("DestinationNotFound"),
        }
    }
}

/// The participantMessaging of the conversation's local participant (`local`) or of the peer.
fn participant_messaging(then: &Arc<Invitation>, local: bool) -> Snapshot {
    Snapshot::ParticipantMessaging {
        invitation: Arc::clone(then),
        local,
    }
}

/// The sender of conversation `id`'s own events (participants, messaging, messages).
fn conversation_sender(id: u64, app: &str) -> Sender {
    Sender {
        rel: SenderRel::Conversation,
        href: conversation_href(app, id),
    }
}

impl Application {
    /// The invitation `id` (an exact string).
    pub fn invitation(&self, id: &str) -> Option<&Invitation> {
        exact_number(id).and_then(|n| self.invitations.get(&n))
    }

    /// The live conversation `id` (an exact string); `None` once it ended.
    pub fn conversation(&self, id: &str) -> Option<&Invitation> {
        self.invitation(id).filter(|i| !i.conversation_gone)
    }

    fn live_conversation_mut(&mut self, id: &str) -> Result<&mut Invitation, Problem> {
        exact_number(id)
            .and_then(|n| self.invitations.get_mut(&n))
            .filter(|i| !i.conversation_gone)
            .ok_or(Problem::NotFound)
    }

    /// True when an active invitation uses this operationId.
    pub fn operation_in_use(&self, operation_id: &str) -> bool {
        self.invitations
            .values()
            .any(|i| i.operation_id == operation_id && i.state.is_active())
    }

    /// startMessaging: a new invitation, waiting; queues its first events. Answers its id.
    pub fn start(&mut self, request: StartRequest, rules: &Rules) -> u64 {
        while self.invitations.len() >= MAX_INVITATIONS_PER_APPLICATION {
            let Some(oldest) = self.invitations.keys().next().copied() else {
                break;
            };
            self.invitations.remove(&oldest);
        }
        let id = self.next_invitation;
        self.next_invitation += 1;
        let invitation = Invitation {
            id,
            operation_id: if rules.operation_id_lowercased {
                request.operation_id.to_lowercase()
            } else {
                request.operation_id
            },
            to: request.to,
            importance: request.importance,
            subject: request.subject.chars().take(rules.subject_kept).collect(),
            thread_id: request
                .thread_id
                .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
            message: request.message.filter(|_| rules.message_link_kept),
            custom_content: request.custom_content,
            state: InvitationState::Connecting,
            failure: None,
            conversation: ConversationState::Connecting,
            conversation_gone: false,
            messaging: ModalityState::Connecting,
            formats: Vec::new(),
            messages: BTreeMap::new(),
            next_message: 1,
        };
        let events = if rules.invitation_events.started_late {
            Vec::new()
        } else {
            self.started_events(&invitation, rules)
        };
        self.invitations.insert(id, invitation);
        self.tell(events);
        id
    }

    fn started_events(&self, i: &Invitation, rules: &Rules) -> Vec<Event> {
        let conversation = conversation_sender(i.id, &self.href);
        let then = i.as_it_was();
        let mut events = Vec::new();
        if rules.invitation_events.started {
            events.push(Event::embedded(
                &self.invitation_sender(i, rules),
                EventType::Started,
                Snapshot::Invitation(Arc::clone(&then)),
            ));
        }
        events.push(Event::embedded(
            &self.communication_sender(),
            EventType::Added,
            Snapshot::Conversation(Arc::clone(&then)),
        ));
        events.push(Event::embedded(
            &conversation,
            EventType::Added,
            Snapshot::LocalParticipant(Arc::clone(&then)),
        ));
        if rules.messaging_modality {
            events.push(Event::embedded(
                &conversation,
                EventType::Updated,
                Snapshot::Messaging(then),
            ));
        }
        events
    }

    /// The sender of an invitation's own events: `communication` (facts 2).
    fn invitation_sender(&self, i: &Invitation, rules: &Rules) -> Sender {
        if rules.invitation_events.communication_sender {
            self.communication_sender()
        } else {
            conversation_sender(i.id, &self.href)
        }
    }

    /// The invitation's `completed` event.
    fn completed_event(&self, i: &Invitation, rules: &Rules) -> Option<Event> {
        let told = &rules.invitation_events;
        if !told.completed {
            return None;
        }
        let mut status = if i.state == InvitationState::Connected {
            if told.accepted_is_success {
                Status::Success
            } else {
                Status::Failure
            }
        } else {
            Status::Failure
        };
        if i.failure == Some("Declined") && !told.declined_is_failure {
            status = Status::Success;
        }
        let mut event = Event::embedded(
            &self.invitation_sender(i, rules),
            EventType::Completed,
            Snapshot::Invitation(i.as_it_was()),
        );
        event.status = Some(status);
        event.reason = i.failure.filter(|_| told.reason_given).map(reason);
        Some(event)
    }

    /// The peer answered invitation `id` (if it still waits).
    pub fn answer(&mut self, id: u64, outcome: Outcome, rules: &Rules) {
        let formats = self.formats();
        let Some(invitation) = self.invitations.get_mut(&id) else {
            return;
        };
        if invitation.state != InvitationState::Connecting {
            return;
        }
        let events = match outcome {
            Outcome::Accepted => {
                invitation.state = InvitationState::Connected;
                invitation.conversation = ConversationState::Connected;
                invitation.formats = formats;
                if rules.messaging_connects {
                    invitation.messaging = ModalityState::Connected;
                }
                let invitation = invitation.clone();
                self.accepted_events(&invitation, rules)
            }
            Outcome::Failed(subcode) => {
                invitation.state = InvitationState::Failed;
                invitation.failure = Some(subcode);
                self.failed(id, rules)
            }
        };
        self.tell(events);
    }

    /// The hrefs of a conversation's local participant and of its peer (the `in` of their
    /// participantMessaging's events).
    fn participant_hrefs(&self, i: &Invitation) -> (String, String) {
        let conversation = i.conversation_href(&self.href);
        (
            hrefs::participant(&conversation, &self.user_uri()),
            hrefs::participant(&conversation, &i.to),
        )
    }

    fn accepted_events(&self, i: &Invitation, rules: &Rules) -> Vec<Event> {
        let conversation = conversation_sender(i.id, &self.href);
        let (local, remote) = self.participant_hrefs(i);
        let then = i.as_it_was();
        let mut events = vec![
            Event::embedded(
                &self.communication_sender(),
                EventType::Updated,
                Snapshot::Conversation(Arc::clone(&then)),
            ),
            Event::link(
                &conversation,
                EventType::Added,
                Snapshot::RemoteParticipant(Arc::clone(&then)),
            ),
            Event::link(&conversation, EventType::Added, participant_messaging(&then, false))
                .within("participant", remote),
            Event::embedded(&conversation, EventType::Added, participant_messaging(&then, true))
                .within("localParticipant", local),
            Event::embedded(&conversation, EventType::Updated, Snapshot::Messaging(then)),
        ];
        without_messaging_unless_offered(&mut events, rules);
        events.extend(self.completed_event(i, rules));
        if rules.invitation_events.started_late {
            events.extend(self.started_events(i, rules));
        }
        events
    }

    /// The events of an invitation that failed (or was cancelled), and the end of its conversation.
    fn failed(&mut self, id: u64, rules: &Rules) -> Vec<Event> {
        let Some(snapshot) = self.invitations.get(&id).cloned() else {
            return Vec::new();
        };
        let mut events: Vec<Event> = self.completed_event(&snapshot, rules).into_iter().collect();
        events.extend(self.end_conversation(id, rules));
        if rules.invitation_events.started_late {
            events.extend(self.started_events(&snapshot, rules));
        }
        events
    }

    /// Ends conversation `id`: messaging Disconnected, participants deleted (when connected),
    /// the conversation updated Disconnected, then deleted. It answers 404 from then on.
    fn end_conversation(&mut self, id: u64, rules: &Rules) -> Vec<Event> {
        let Some(invitation) = self.invitations.get_mut(&id) else {
            return Vec::new();
        };
        let was_connected = invitation.conversation == ConversationState::Connected;
        invitation.messaging = ModalityState::Disconnected;
        invitation.conversation = ConversationState::Disconnected;
        invitation.conversation_gone = true;
        let i = invitation.as_it_was();
        let conversation = conversation_sender(i.id, &self.href);
        let communication = self.communication_sender();
        let mut events = vec![Event::embedded(
            &conversation,
            EventType::Updated,
            Snapshot::Messaging(Arc::clone(&i)),
        )];
        if was_connected {
            let (local, remote) = self.participant_hrefs(&i);
            events.push(
                Event::link(&conversation, EventType::Deleted, participant_messaging(&i, false))
                    .within("participant", remote),
            );
            events.push(
                Event::link(&conversation, EventType::Deleted, participant_messaging(&i, true))
                    .within("localParticipant", local),
            );
            events.push(Event::link(
                &conversation,
                EventType::Deleted,
                Snapshot::RemoteParticipant(Arc::clone(&i)),
            ));
        }
        events.push(Event::embedded(
            &communication,
            EventType::Updated,
            Snapshot::Conversation(Arc::clone(&i)),
        ));
        events.push(Event::link(
            &communication,
            EventType::Deleted,
            Snapshot::Conversation(i),
        ));
        without_messaging_unless_offered(&mut events, rules);
        events
    }

    /// POST cancel: a waiting invitation is cancelled (Failure, LocalFailure / Canceled) and its
    /// conversation ends; one that no longer waits is left as it is.
    pub fn cancel(&mut self, id: &str, rules: &Rules) -> Result<(), Problem> {
        let number = exact_number(id).ok_or(Problem::NotFound)?;
        let invitation = self.invitations.get_mut(&number).ok_or(Problem::NotFound)?;
        if invitation.state == InvitationState::Connecting && rules.cancel_honoured {
            invitation.state = InvitationState::Cancelled;
            invitation.failure = Some("Canceled");
            let events = self.failed(number, rules);
            self.tell(events);
        }
        Ok(())
    }

    /// POST stopMessaging on conversation `id`: a waiting invitation is cancelled; the
    /// conversation ends (`SendAnIM.md`: stopMessaging ends the conversation).
    pub fn stop_messaging(&mut self, id: &str, rules: &Rules) -> Result<(), Problem> {
        let invitation = self.live_conversation_mut(id)?;
        if !rules.stop_ends_conversation {
            return Ok(());
        }
        let number = invitation.id;
        let events = if invitation.state == InvitationState::Connecting {
            invitation.state = InvitationState::Cancelled;
            invitation.failure = Some("Canceled");
            self.failed(number, rules)
        } else {
            self.end_conversation(number, rules)
        };
        self.tell(events);
        Ok(())
    }

    /// POST sendMessage on conversation `id`: only while messaging is Connected (409 otherwise).
    /// Queues the message's `started` and `completed` (Success) events; answers its number.
    pub fn send_message(
        &mut self,
        id: &str,
        text: String,
        html: bool,
        operation_id: Option<String>,
        rules: &Rules,
    ) -> Result<u64, Problem> {
        let invitation = self.live_conversation_mut(id)?;
        if invitation.messaging != ModalityState::Connected {
            return Err(Problem::NotNow(
                "Messaging is not connected: sendMessage is offered only while it is.",
            ));
        }
        let number = invitation.next_message;
        invitation.next_message += 1;
        let message = Message {
            id: number,
            operation_id,
            text,
            html,
            time_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis()),
        };
        invitation.messages.insert(number, message);
        let conversation = invitation.id;
        let sender = conversation_sender(conversation, &self.href);
        let about = Snapshot::Message { conversation, number };
        let mut events = vec![Event::embedded(&sender, EventType::Started, about.clone())];
        if rules.message_completes {
            let mut completed = Event::embedded(&sender, EventType::Completed, about);
            completed.status = Some(Status::Success);
            events.push(completed);
        }
        self.tell(events);
        Ok(number)
    }

    /// POST setIsTyping: 204 while messaging is Connected (409 otherwise); no event (the
    /// reference has no one to tell).
    pub fn set_typing(&mut self, id: &str) -> Result<(), Problem> {
        let invitation = self.live_conversation_mut(id)?;
        if invitation.messaging != ModalityState::Connected {
            return Err(Problem::NotNow("Messaging is not connected."));
        }
        Ok(())
    }
}

/// Drops the messaging modality's events when the server offers none (a mutant's rule).
fn without_messaging_unless_offered(events: &mut Vec<Event>, rules: &Rules) {
    if !rules.messaging_modality {
        events.retain(|e| !matches!(e.about, Snapshot::Messaging(_) | Snapshot::ParticipantMessaging { .. }));
    }
}

/// The reason block of a failed invitation.
fn reason(subcode: &'static str) -> Reason {
    Reason {
        code: if subcode == "Canceled" {
            "LocalFailure"
        } else {
            "RemoteFailure"
        },
        subcode,
        message: match subcode {
            "Declined" => "Your invitation was declined.",
            "Timeout" => "The invitation was not answered in time.",
            "Canceled" => "The invitation was cancelled.",
            _ => "The person you invited could not be found.",
        },
    }
}
