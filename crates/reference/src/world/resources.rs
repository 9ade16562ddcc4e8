//! How each resource of the world looks (its properties, links and embedded resources), as a
//! [`Res`] that `repr` writes in JSON or XML. Pure functions of the world's state, used at the
//! HTTP edge only: handlers draw the resources they answer with, and the event handler draws each
//! event's [`Snapshot`] as it was when the event happened.

use super::events::Snapshot;
use super::{Application, ConversationState, Invitation, InvitationState, Message, ModalityState};
use crate::hrefs;
use crate::mutants::{LinkRule, Rules};
use crate::res::Res;

/// The name part of a SIP address or user name: `alice` for `sip:alice@contoso.test`.
fn display_name(uri: &str) -> String {
    let bare = hrefs::bare(uri);
    bare.split('@').next().unwrap_or(bare).to_string()
}

/// An event's resource, as it was when the event happened.
pub fn snapshot(app: &Application, about: &Snapshot, rules: &Rules) -> Res {
    match about {
        Snapshot::Me { available } => me_as(app, *available),
        Snapshot::MePart(part) => Res::new(part, hrefs::me_part(&app.href, part)),
        Snapshot::Communication {
            modalities,
            formats,
            version,
        } => communication_as(app, modalities, formats, *version, rules),
        Snapshot::Invitation(i) => invitation_event(app, i, rules),
        Snapshot::Conversation(i) => conversation(app, i, rules),
        Snapshot::LocalParticipant(i) => local_participant(app, i),
        Snapshot::RemoteParticipant(i) => remote_participant(app, i),
        Snapshot::ParticipantMessaging { invitation, local } => {
            let participant = if *local {
                local_participant(app, invitation)
            } else {
                remote_participant(app, invitation)
            };
            participant_messaging(participant.href())
        }
        Snapshot::Messaging(i) => messaging(app, i, rules),
        Snapshot::Message { conversation, number } => message_event(app, *conversation, *number),
    }
}

/// The application with its `batch` and `events` links and its embedded `me`, `people`,
/// `onlineMeetings` and `communication`, as the instance `instance` sees it (its own `events`
/// link, `MultiTabSupport.md`).
pub fn application(app: &Application, rules: &Rules, instance: Option<&str>) -> Res {
    let events = match instance.filter(|i| !i.is_empty()) {
        Some(i) => {
            let i: String = url::form_urlencoded::byte_serialize(i.as_bytes()).collect();
            format!("{}?ack=1&instanceId={i}", hrefs::events(&app.href))
        }
        None => format!("{}?ack=1", hrefs::events(&app.href)),
    };
    let mut res = Res::new("application", app.href.clone())
        .prop("culture", app.fields.culture.clone())
        .prop("endpointId", app.fields.endpoint_id.clone())
        .prop("id", app.id.clone())
        .prop("type", app.fields.app_type.clone())
        .prop("userAgent", app.fields.user_agent.clone());
    if let Some(i) = instance.filter(|i| !i.is_empty()) {
        res = res.prop("instanceId", i.to_string());
    }
    if rules.batch_served {
        res = res.link("batch", format!("{}/batch", app.href));
    }
    res.link("events", events)
        .embed(me(app))
        .embed(people(app))
        .embed(online_meetings(app))
        .embed(communication(app, rules))
}

/// `onlineMeetings` with the links the traces show (facts 10.6). The reference serves none of
/// them (404): no IM flow follows them (INTERPRETATION I-29).
pub fn online_meetings(app: &Application) -> Res {
    let href = format!("{}/onlineMeetings", app.href);
    let mut res = Res::new("onlineMeetings", href.clone());
    for (rel, part) in [
        ("myOnlineMeetings", "myOnlineMeetings"),
        ("onlineMeetingDefaultValues", "defaultValues"),
        ("onlineMeetingEligibleValues", "eligibleValues"),
        ("onlineMeetingInvitationCustomization", "customInvitation"),
        ("onlineMeetingPolicies", "policies"),
        ("phoneDialInInformation", "phoneDialInInformation"),
    ] {
        res = res.link(rel, format!("{href}/{part}"));
    }
    res
}

/// `me`: name and uri (and e-mail for signed-in users); makeMeAvailable until it succeeded,
/// then presence, note, location and reportMyActivity (`MeDashboard.md`, the traces).
pub fn me(app: &Application) -> Res {
    me_as(app, app.available.is_some())
}

/// `me` with makeMeAvailable done (`available`) or not.
fn me_as(app: &Application, available: bool) -> Res {
    let mut res = Res::new("me", hrefs::me(&app.href))
        .prop("name", display_name(&app.user))
        .prop("uri", app.user_uri());
    if app.anonymous {
        return res;
    }
    // The endpoint's GRUU, as me_ref.md shows it (`sip:…;opaque=user:epid:…;gruu`).
    let endpoint = format!("{};opaque=user:epid:{};gruu", app.user_uri(), app.fields.endpoint_id);
    res = res
        .list("emailAddresses", &[app.user.as_str()])
        .prop("endpointUri", endpoint);
    if !available {
        return res.link("makeMeAvailable", hrefs::me_part(&app.href, "makeMeAvailable"));
    }
    for part in ["presence", "note", "location", "reportMyActivity"] {
        res = res.link(part, hrefs::me_part(&app.href, part));
    }
    res
}

/// `people`, with the `search` and `myContacts` links (the parts of it the reference serves).
pub fn people(app: &Application) -> Res {
    let href = hrefs::people(&app.href);
    Res::new("people", href.clone())
        .link("search", format!("{href}/search"))
        .link("myContacts", format!("{href}/contacts"))
}

/// A contact of the directory (`ReceiveAnIM.md`'s myContacts entries, without presence links).
pub fn contact(app: &Application, uri: &str) -> Res {
    Res::new("contact", hrefs::contact(&app.href, uri))
        .prop("uri", uri.to_string())
        .prop("name", display_name(uri))
        .list("emailAddresses", &[hrefs::bare(uri)])
        .prop("sourceNetwork", "SameEnterprise")
        .prop("type", "User")
}

/// `communication`: the random-GUID property and `etag` the traces show, the modalities and
/// formats makeMeAvailable set, `conversations` and `startMessaging` (revision 2 on anonymous
/// applications).
pub fn communication(app: &Application, rules: &Rules) -> Res {
    snapshot(app, &app.communication_now(), rules)
}

/// `communication` with these modalities, formats and version.
fn communication_as(app: &Application, modalities: &[String], formats: &[String], version: u64, rules: &Rules) -> Res {
    let href = hrefs::communication(&app.href);
    let modalities: Vec<&str> = modalities.iter().map(String::as_str).collect();
    let formats: Vec<&str> = formats.iter().map(String::as_str).collect();
    let resource = Res::new("communication", href.clone())
        .prop(&app.communication_guid, "please pass this in a PUT request")
        .list("supportedModalities", &modalities)
        .list("supportedMessageFormats", &formats)
        .prop("etag", version.to_string())
        .link(
            "conversations",
            format!("{}?filter=active", hrefs::conversations(&app.href)),
        );
    let start = match rules.start_messaging_link {
        LinkRule::Served => hrefs::invitations(&app.href),
        LinkRule::Moved => format!("{href}/startMessaging"),
        LinkRule::Absent => return resource,
    };
    // Revision 2 is marked on the anonymous application's link, as the traces show it; the
    // signed-in application's link carries no revision in them.
    if app.anonymous {
        resource.link_rev("startMessaging", start, "2")
    } else {
        resource.link("startMessaging", start)
    }
}

/// The messagingInvitation as GET answers it.
pub fn invitation(app: &Application, i: &Invitation, rules: &Rules) -> Res {
    invitation_with(app, i, rules, &i.operation_id, true, true)
}

/// The messagingInvitation as its events embed it (a mutant may leave parts out).
fn invitation_event(app: &Application, i: &Invitation, rules: &Rules) -> Res {
    let told = &rules.invitation_events;
    let operation_id = if told.operation_id_echoed {
        i.operation_id.as_str()
    } else {
        ""
    };
    invitation_with(
        app,
        i,
        rules,
        operation_id,
        told.accepted_by_participant,
        told.message_link,
    )
}

fn invitation_with(
    app: &Application,
    i: &Invitation,
    rules: &Rules,
    operation_id: &str,
    accepted_by: bool,
    message: bool,
) -> Res {
    let conversation = i.conversation_href(&app.href);
    let id = i.id.to_string();
    let mut res = Res::new("messagingInvitation", hrefs::invitation(&app.href, &id))
        .prop("direction", rules.invitation_direction)
        .prop("importance", i.importance.clone())
        .prop("operationId", operation_id.to_string())
        .prop("state", i.state.as_str())
        .prop("subject", i.subject.clone())
        .prop("threadId", i.thread_id.clone())
        .prop("to", i.to.clone())
        .link("conversation", conversation.clone())
        .link("messaging", hrefs::messaging(&conversation))
        .link("from", hrefs::participant(&conversation, &app.user_uri()))
        .link("to", hrefs::contact(&app.href, &i.to));
    if let Some(m) = i.message.as_ref().filter(|_| message) {
        res = res.link("message", m.clone());
    }
    if let Some(c) = &i.custom_content {
        res = res.link("customContent", c.clone());
    }
    // Capability links come and go with state: an invitation can be cancelled while it waits.
    if i.state == InvitationState::Connecting && rules.cancel_link {
        res = res.link("cancel", hrefs::cancel(&app.href, &id));
    }
    res = res.embed_as("from", participant(app, i, &app.user_uri(), "participant"));
    if i.state == InvitationState::Connected && accepted_by {
        res = res.embed_list("acceptedByParticipant", vec![remote_participant(app, i)]);
    }
    res
}

/// The conversation: state, subject, importance, threadId, activeModalities; messaging and
/// participants always, localParticipant and addParticipant once connected (the traces).
pub fn conversation(app: &Application, i: &Invitation, rules: &Rules) -> Res {
    let href = i.conversation_href(&app.href);
    let modalities: &[&str] = if i.conversation == ConversationState::Connected && rules.messaging_modality {
        &["Messaging"]
    } else {
        &[]
    };
    let mut res = Res::new("conversation", href.clone())
        .prop("state", i.conversation.as_str())
        .prop("subject", i.subject.clone())
        .prop("importance", i.importance.clone())
        .prop("threadId", i.thread_id.clone())
        .prop(
            "participantCount",
            if i.conversation == ConversationState::Connected {
                "2"
            } else {
                "1"
            },
        )
        .list("activeModalities", modalities);
    if rules.messaging_modality {
        res = res.link("messaging", hrefs::messaging(&href));
    }
    res = res.link("participants", hrefs::participants(&href));
    if i.conversation == ConversationState::Connected {
        res = res
            .link("localParticipant", hrefs::participant(&href, &app.user_uri()))
            .link(
                "addParticipant",
                format!("{}?conversation={}", hrefs::participant_invitations(&app.href), i.id),
            );
    }
    res
}

/// The messaging modality, its links as its state allows (`messaging_ref.md`, the traces).
pub fn messaging(app: &Application, i: &Invitation, rules: &Rules) -> Res {
    let conversation = i.conversation_href(&app.href);
    let mut res = Res::new("messaging", hrefs::messaging(&conversation))
        .prop("state", i.messaging.as_str())
        .link("conversation", conversation.clone());
    match i.messaging {
        ModalityState::Connecting => res = res.link("stopMessaging", hrefs::terminate(&conversation)),
        ModalityState::Connected => {
            let formats: Vec<&str> = i.formats.iter().map(String::as_str).collect();
            res = res.list("negotiatedMessageFormats", &formats);
            if rules.send_message_link {
                res = res.link("sendMessage", hrefs::messages(&conversation));
            }
            res = res
                .link("setIsTyping", hrefs::typing(&conversation))
                .link("typingParticipants", hrefs::typing_participants(&conversation))
                .link("stopMessaging", hrefs::terminate(&conversation));
        }
        ModalityState::Disconnected => {}
    }
    res
}

/// A participant of the conversation, with its participantMessaging link.
fn participant(app: &Application, i: &Invitation, uri: &str, rel: &str) -> Res {
    let conversation = i.conversation_href(&app.href);
    let href = hrefs::participant(&conversation, uri);
    Res::new(rel, href.clone())
        .prop("name", display_name(uri))
        .prop("uri", uri.to_string())
        .prop("sourceNetwork", "SameEnterprise")
        .link("conversation", conversation)
        .link("participantMessaging", format!("{href}/messaging"))
}

/// The local participant (`localParticipant`), with its `me` link.
pub fn local_participant(app: &Application, i: &Invitation) -> Res {
    participant(app, i, &app.user_uri(), "localParticipant").link("me", hrefs::me(&app.href))
}

/// The invited peer as a participant, with its `contact` link.
pub fn remote_participant(app: &Application, i: &Invitation) -> Res {
    participant(app, i, &i.to, "participant").link("contact", hrefs::contact(&app.href, &i.to))
}

/// The participantMessaging of a participant.
pub fn participant_messaging(participant: &str) -> Res {
    Res::new("participantMessaging", format!("{participant}/messaging")).link("participant", participant.to_string())
}

/// An outgoing message as its events embed it: its self and `messaging` links only, as the traces
/// show (`SendAnIM.md`, the Trusted Application SDK's message fixtures). The text and status are
/// in the message itself (`GET`), never in its events: a client takes a message event that
/// carries text for an incoming IM.
fn message_event(app: &Application, conversation: u64, number: u64) -> Res {
    let conversation = super::invitation::conversation_href(&app.href, conversation);
    Res::new("message", format!("{}/{}", hrefs::messages(&conversation), number))
        .link("messaging", hrefs::messaging(&conversation))
}

/// A sent message: direction, operationId (when given), status, timeStamp, its text as a data URI.
pub fn message(app: &Application, i: &Invitation, m: &Message) -> Res {
    let conversation = i.conversation_href(&app.href);
    let mut res = Res::new("message", format!("{}/{}", hrefs::messages(&conversation), m.id))
        .prop("direction", "Outgoing")
        .prop("status", "Succeeded")
        .date("timeStamp", m.time_ms)
        .link("messaging", hrefs::messaging(&conversation));
    if let Some(op) = &m.operation_id {
        res = res.prop("operationId", op.clone());
    }
    let (rel, kind) = if m.html {
        ("htmlMessage", "text/html")
    } else {
        ("plainMessage", "text/plain")
    };
    let text: String = url::form_urlencoded::byte_serialize(m.text.as_bytes()).collect();
    res.link(rel, format!("data:{kind};charset=utf-8,{text}"))
}
