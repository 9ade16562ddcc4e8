//! Where each resource of the reference lives. Routes are matched in lower case (IIS matches
//! paths case-insensitively), so every path here may be written in its documented camel case.

/// The autodiscover root path (the root is also served at `/`, as the discovery host does).
pub const ROOT_PATH: &str = "/autodiscover/autodiscoverservice.svc/root";
/// The user resource path.
pub const USER_PATH: &str = "/autodiscover/autodiscoverservice.svc/root/oauth/user";
/// The cross-domain frame page.
pub const XFRAME_PATH: &str = "/xframe";
/// The WebTicket token endpoint the 401 challenge announces.
pub const TOKEN_PATH: &str = "/WebTicket/oauthtoken";
/// The applications collection path.
pub const APPLICATIONS_PATH: &str = "/ucwa/oauth/v1/applications";
/// The anonymous applications collection path.
pub const ANONYMOUS_APPLICATIONS_PATH: &str = "/ucwa/psanon/v1/applications";
/// Where a service application asks for anonymous tokens.
pub const ANONYMOUS_TOKENS_PATH: &str = "/platformService/v1/anonApplicationTokens";
/// Where an anonymous client discovers its `anonApplications` link.
pub const ANONYMOUS_DISCOVER_PATH: &str = "/platformService/discover";

/// An application's href.
pub fn application(id: &str, anonymous: bool) -> String {
    let collection = if anonymous {
        ANONYMOUS_APPLICATIONS_PATH
    } else {
        APPLICATIONS_PATH
    };
    format!("{collection}/{id}")
}

/// The event channel of an application (without its `ack`).
pub fn events(app: &str) -> String {
    format!("{app}/events")
}

/// The communication resource of an application.
pub fn communication(app: &str) -> String {
    format!("{app}/communication")
}

/// The startMessaging href (the messagingInvitations collection).
pub fn invitations(app: &str) -> String {
    format!("{app}/communication/messagingInvitations")
}

/// One messagingInvitation.
pub fn invitation(app: &str, id: &str) -> String {
    format!("{}/{id}", invitations(app))
}

/// The cancel link of a messagingInvitation.
pub fn cancel(app: &str, id: &str) -> String {
    format!("{}/cancel", invitation(app, id))
}

/// The active conversations.
pub fn conversations(app: &str) -> String {
    format!("{app}/communication/conversations")
}

/// One conversation.
pub fn conversation(app: &str, id: &str) -> String {
    format!("{}/{id}", conversations(app))
}

/// Where multi-party invitations would go (the reference offers none).
pub fn participant_invitations(app: &str) -> String {
    format!("{app}/communication/participantInvitations")
}

/// The messaging modality of a conversation.
pub fn messaging(conversation: &str) -> String {
    format!("{conversation}/messaging")
}

/// sendMessage (and the messages sent).
pub fn messages(conversation: &str) -> String {
    format!("{conversation}/messaging/messages")
}

/// stopMessaging.
pub fn terminate(conversation: &str) -> String {
    format!("{conversation}/messaging/terminate")
}

/// setIsTyping.
pub fn typing(conversation: &str) -> String {
    format!("{conversation}/messaging/typing")
}

/// typingParticipants.
pub fn typing_participants(conversation: &str) -> String {
    format!("{conversation}/messaging/typingParticipants")
}

/// The participants of a conversation.
pub fn participants(conversation: &str) -> String {
    format!("{conversation}/participants")
}

/// One participant, named by their SIP address without `sip:` (as the traces write it).
pub fn participant(conversation: &str, uri: &str) -> String {
    format!("{}/{}", participants(conversation), bare(uri))
}

/// The `me` resource and what hangs off it.
pub fn me(app: &str) -> String {
    format!("{app}/me")
}

/// A link under `me` (`makeMeAvailable`, `presence`, `note`, `location`, `reportMyActivity`).
pub fn me_part(app: &str, part: &str) -> String {
    format!("{app}/me/{part}")
}

/// The people resource.
pub fn people(app: &str) -> String {
    format!("{app}/people")
}

/// A contact, named by their SIP address without `sip:`.
pub fn contact(app: &str, uri: &str) -> String {
    format!("{}/{}", people(app), bare(uri))
}

/// `alice@contoso.test` for `sip:alice@contoso.test`.
pub fn bare(uri: &str) -> &str {
    uri.get(..4)
        .filter(|p| p.eq_ignore_ascii_case("sip:"))
        .map_or(uri, |_| &uri[4..])
}
