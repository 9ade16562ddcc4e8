//! An application: who owns it, what it was created with, whether its user made themselves
//! available (makeMeAvailable), its invitations and its event channel.

use super::events::{Channel, Event, EventType, Sender, SenderRel, Snapshot};
use super::invitation::Invitation;
use super::problem::Problem;
use crate::hrefs;
use crate::mutants::Rules;
use std::collections::BTreeMap;
use std::time::Instant;

/// An application of a user.
#[derive(Debug, Clone)]
pub struct Application {
    /// Its id, an exact string.
    pub id: String,
    /// Its href.
    pub href: String,
    /// The owner.
    pub user: String,
    /// Created with an anonymous (`psat=`) token.
    pub anonymous: bool,
    /// The fields it was created with.
    pub fields: AppFields,
    /// Last request that touched it.
    pub last_seen: Instant,
    /// What makeMeAvailable set, once it succeeded ("lurker mode" before).
    pub available: Option<Availability>,
    /// The communication resource's random property name (a GUID, per application).
    pub communication_guid: String,
    /// The communication resource's version, its `etag`; bumped when it changes.
    pub communication_version: u64,
    /// How many of the configured once-only refusals (`Config::answer_once`) it has had.
    pub refusals_given: usize,
    /// Invitations (and their conversations) by id, in creation order.
    pub invitations: BTreeMap<u64, Invitation>,
    /// Next invitation id.
    pub next_invitation: u64,
    /// The event channel of the instance created without an `instanceId`.
    pub channel: Channel,
    /// The event channels of the instances created with an `instanceId` (`MultiTabSupport.md`:
    /// each instance has its own); every event goes to every channel.
    pub instances: BTreeMap<String, Channel>,
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
    /// `type` (`Browser` when not given).
    pub app_type: String,
    /// `instanceId`: which instance (a browser tab, say) of the application this is; not part of
    /// the application's identity (`MultiTabSupport.md`).
    pub instance_id: Option<String>,
}

impl AppFields {
    /// True when `other` names the same application (`MultiTabSupport.md`: the same culture,
    /// endpointId, type and userAgent are one application resource).
    pub fn same_application(&self, other: &AppFields) -> bool {
        (&self.culture, &self.endpoint_id, &self.app_type, &self.user_agent)
            == (&other.culture, &other.endpoint_id, &other.app_type, &other.user_agent)
    }
}

/// What a successful makeMeAvailable set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Availability {
    /// `supportedModalities` as given (communication echoes them).
    pub modalities: Vec<String>,
    /// `supportedMessageFormats` as given, `Plain` when none were.
    pub formats: Vec<String>,
}

impl Application {
    /// A new application.
    pub fn new(id: &str, user: &str, anonymous: bool, fields: AppFields) -> Self {
        Self {
            id: id.to_string(),
            href: hrefs::application(id, anonymous),
            user: user.to_string(),
            anonymous,
            fields,
            last_seen: Instant::now(),
            available: None,
            communication_guid: uuid::Uuid::new_v4().to_string(),
            communication_version: 1,
            refusals_given: 0,
            invitations: BTreeMap::new(),
            next_invitation: 1,
            channel: Channel::default(),
            instances: BTreeMap::new(),
        }
    }

    /// Queues events on the channel of every instance.
    pub fn tell(&mut self, events: Vec<Event>) {
        for channel in self.instances.values_mut() {
            channel.push(events.iter().cloned());
        }
        self.channel.push(events);
    }

    /// The event channel of an instance (`None`: the one created without an `instanceId`).
    pub fn channel_of(&mut self, instance: Option<&str>) -> Option<&mut Channel> {
        match instance {
            None | Some("") => Some(&mut self.channel),
            Some(id) => self.instances.get_mut(id),
        }
    }

    /// The user's SIP URI.
    pub fn user_uri(&self) -> String {
        format!("sip:{}", self.user)
    }

    /// The message formats this application negotiates (`Plain` until makeMeAvailable says more).
    pub fn formats(&self) -> Vec<String> {
        self.available
            .as_ref()
            .map_or_else(|| vec!["Plain".to_string()], |a| a.formats.clone())
    }

    /// `communication` as it is now, for an event.
    pub fn communication_now(&self) -> Snapshot {
        Snapshot::Communication {
            modalities: self.modalities(),
            formats: self.formats(),
            version: self.communication_version,
        }
    }

    /// The modalities makeMeAvailable set (none before it).
    pub fn modalities(&self) -> Vec<String> {
        self.available
            .as_ref()
            .map(|a| a.modalities.clone())
            .unwrap_or_default()
    }

    /// The sender of conversation and invitation events.
    pub fn communication_sender(&self) -> Sender {
        Sender {
            rel: SenderRel::Communication,
            href: hrefs::communication(&self.href),
        }
    }

    /// POST makeMeAvailable: the user becomes available for the given modalities. Anonymous
    /// applications may not (403 AnonymousNotAllowed); a second call is 409 AlreadyExists. Then
    /// `me` is updated and gains presence, note and location, and communication is updated.
    pub fn make_available(&mut self, availability: Availability, rules: &Rules) -> Result<(), Problem> {
        if self.anonymous {
            return Err(Problem::AnonymousNotAllowed);
        }
        if self.available.is_some() && rules.make_me_available_once {
            return Err(Problem::AlreadyExists("makeMeAvailable already succeeded."));
        }
        self.available = Some(availability);
        self.communication_version += 1;
        let me = Sender {
            rel: SenderRel::Me,
            href: hrefs::me(&self.href),
        };
        let mut events = vec![Event::link(&me, EventType::Updated, Snapshot::Me { available: true })];
        for part in ["presence", "note", "location"] {
            events.push(Event::link(&me, EventType::Added, Snapshot::MePart(part)));
        }
        events.push(Event::embedded(
            &self.communication_sender(),
            EventType::Updated,
            self.communication_now(),
        ));
        self.tell(events);
        Ok(())
    }
}
