//! Deliberately broken variants of the reference server, each breaking one spec item, so the
//! suite can prove that its cases catch what they claim (`serve --mutant NAME`, the `mutants`
//! command, and `cargo test`).
//!
//! A mutant reaches the server in one of two ways, never as a check inside a handler:
//! - behaviour: [`Rules::of`] turns it into the one [`Rules`] field it changes; the world, the
//!   resources and the handlers consult `Rules` at their named decision points and never name a
//!   mutant (a resource's content included: the tree is built as the rules say);
//! - what is sent back: `rewrite` changes a response's status or headers, or the error it carries
//!   as a value, on its way out; it never edits written text.

macro_rules! mutants {
    ($($variant:ident = $name:literal, $item:literal, $what:literal;)*) => {
        /// A deliberate deviation from the spec.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Mutant { $(#[doc = $what] $variant,)* }

        impl Mutant {
            /// Every mutant.
            pub const ALL: &'static [Mutant] = &[$(Mutant::$variant,)*];

            /// Its name (`serve --mutant NAME`).
            pub fn name(self) -> &'static str {
                match self { $(Mutant::$variant => $name,)* }
            }

            /// The spec item (inventory id) it breaks.
            pub fn breaks(self) -> &'static str {
                match self { $(Mutant::$variant => $item,)* }
            }

            /// What it does wrong.
            pub fn description(self) -> &'static str {
                match self { $(Mutant::$variant => $what,)* }
            }
        }
    };
}

mutants! {
    Created200 = "created-200", "post.created", "answers 200 OK instead of 201 Created";
    NoLocation = "no-location", "post.location", "answers 201 without a Location header";
    LocationToConversation = "location-to-conversation", "invitation.resource", "Location names the conversation, not the messagingInvitation";
    InvitationIncoming = "invitation-incoming", "invitation.resource", "the messagingInvitation says direction Incoming";
    NoStartMessagingLink = "no-start-messaging-link", "link.start-messaging", "the communication resource has no startMessaging link";
    StartMessagingMoved = "start-messaging-moved", "link.start-messaging", "the startMessaging link points where nothing is served";
    QueryIgnored = "query-ignored", "query.to", "inputs given as query parameters are ignored";
    OperationIdNotRequired = "operation-id-not-required", "body.operationId.required", "a missing operationId is accepted";
    ToNotRequired = "to-not-required", "body.to.required", "a missing to is accepted";
    OperationIdLimit49 = "operation-id-limit-49", "body.operationId.max-length", "an operationId of 50 characters is refused (off by one)";
    OperationIdUnlimited = "operation-id-unlimited", "body.operationId.max-length", "an operationId of any length is accepted";
    SubjectLimit249 = "subject-limit-249", "body.subject.max-length", "a subject of 250 characters is refused (off by one)";
    SubjectUnlimited = "subject-unlimited", "body.subject.max-length", "a subject of any length is accepted";
    SubjectLimitInBytes = "subject-limit-in-bytes", "body.subject.max-length", "the subject limit counts UTF-8 bytes, not characters";
    SubjectTruncated = "subject-truncated", "invitation.resource", "the invitation keeps only the first 200 characters of the subject";
    OperationIdLowercased = "operation-id-lowercased", "invitation.resource", "the invitation keeps the operationId lower-cased, not as supplied";
    MessageLinkDropped = "message-link-dropped", "invitation.resource", "the invitation does not keep the first message's link";
    ThreadIdLimit249 = "thread-id-limit-249", "body.threadId.max-length", "a threadId of 250 characters is refused (off by one)";
    ThreadIdUnlimited = "thread-id-unlimited", "body.threadId.max-length", "a threadId of any length is accepted";
    ImportanceUnchecked = "importance-unchecked", "body.importance.values", "any importance value is accepted";
    ImportanceCaseSensitiveLower = "importance-refuses-urgent", "body.importance.values", "importance Urgent is refused";
    SipUnchecked = "sip-unchecked", "body.to.sip-uri", "any to value is accepted, SIP URI or not";
    DataUriUnchecked = "data-uri-unchecked", "body.message.data-uri", "a message link that is not a data URI is accepted";
    PercentEncodingRefused = "percent-encoding-refused", "body.message.data-uri", "percent-encoded data URIs are refused";
    CustomContentRefused = "custom-content-refused", "body.customContent.data-uri", "a customContent link is refused";
    UnknownInputsRefused = "unknown-inputs-refused", "body.unknown-ignored", "inputs the page does not list are refused";
    PvfSubcodeMissing = "pvf-subcode-missing", "generic.400.parameter-validation", "400 for a missing input has no ParameterValidationFailure subcode";
    AnonymousTargetUnchecked = "anonymous-target-unchecked", "error.403.forbidden", "anonymous applications may invite anyone";
    Forbidden400 = "forbidden-400", "error.403.forbidden", "the anonymous-target refusal is 400, not 403";
    DuplicatesAllowed = "duplicates-allowed", "error.409.already-exists", "an active operationId may be reused";
    AlreadyExists400 = "already-exists-400", "error.409.already-exists", "a reused operationId gets 400 BadRequest / AlreadyExists (the documented row is 409 Conflict)";
    TooManyGroupsNoSubcode = "too-many-groups-no-subcode", "error.409.too-many-groups", "409 TooManyGroups comes without its subcode";
    TooManyGroupsWrongCase = "too-many-groups-wrong-case", "error.409.too-many-groups", "the subcode is spelt toomanygroups";
    UnsupportedWithSubcode = "unsupported-with-subcode", "error.409.no-subcode", "409 for an unsupported API carries a subcode";
    CannotRedirectWrongSubcode = "cannot-redirect-wrong-subcode", "error.410.cannot-redirect", "410 comes with subcode Redirected";
    CallbackChannelWrongCode = "callback-channel-wrong-code", "error.500.callback-channel-error", "500 comes with code InternalServerError";
    FaultsIgnored = "faults-ignored", "error.409.too-many-groups", "the fault-control contract arms nothing";
    ErrorsAlwaysJson = "errors-always-json", "error.body.format", "errors are JSON whatever the request's representation";
    ErrorsTextPlain = "errors-text-plain", "error.body.format", "errors are sent as text/plain";
    XmlErrorsWrongNamespace = "xml-errors-wrong-namespace", "error.body.format", "XML errors are in another namespace";
    MalformedBody500 = "malformed-body-500", "generic.400.bad-request", "a malformed body gets 500";
    TokenNotChecked = "token-not-checked", "generic.401", "any bearer token is accepted";
    ApplicationNotFoundNoSubcode = "application-not-found-no-subcode", "generic.404.application-not-found", "404 for a missing application has no subcode";
    MethodNotAllowed404 = "method-not-allowed-404", "generic.405", "other methods get 404";
    UnsupportedMediaType400 = "unsupported-media-type-400", "generic.415", "an unsupported content type gets 400";
    BodyLimitOff = "body-limit-off", "generic.413", "bodies of any size are read";
    EntityTooLarge400 = "entity-too-large-400", "generic.413", "an oversized body gets 400 with code EntityTooLarge (the documented row is 413)";
    NoStartedEvent = "no-started-event", "events.started.operation-id", "no messagingInvitation started event";
    OperationIdNotEchoed = "operation-id-not-echoed", "events.started.operation-id", "events do not echo the operationId";
    NoCompletedEvent = "no-completed-event", "events.completed.success", "no messagingInvitation completed event";
    InvitationEventsWrongSender = "invitation-events-wrong-sender", "events.sender", "messagingInvitation events come under the conversation sender, not communication";
    StartedAfterCompleted = "started-after-completed", "events.order", "the started event arrives after completed";
    NoAcceptedByParticipant = "no-accepted-by-participant", "events.completed.success", "a completed invitation does not embed acceptedByParticipant";
    CompletedStatusFailure = "completed-status-failure", "events.completed.success", "an accepted invitation completes with status Failure";
    DeclinedAsSuccess = "declined-as-success", "events.completed.failure", "a declined invitation completes with status Success";
    FailureWithoutReason = "failure-without-reason", "events.completed.failure", "a failed invitation completes without a reason";
    NoAnswerNeverCompletes = "no-answer-never-completes", "invitation.timeout", "an unanswered invitation never completes";
    CancelIgnored = "cancel-ignored", "invitation.cancel", "POST cancel answers 204 and cancels nothing";
    NoCancelLink = "no-cancel-link", "invitation.cancel", "a waiting invitation has no cancel link";
    FirstMessageNotInEvents = "first-message-not-in-events", "invitation.first-message", "the invitation's events leave out the first message's link";
    MessagingNeverConnected = "messaging-never-connected", "messaging.connected", "messaging stays Connecting after the peer accepts";
    SendMessageLinkMissing = "send-message-link-missing", "messaging.connected", "messaging is Connected without a sendMessage link";
    SendMessageNoLocation = "send-message-no-location", "message.send", "sendMessage answers 201 without a Location";
    MessageNotCompleted = "message-not-completed", "message.completed", "a sent message never completes on the event channel";
    StopLeavesConversation = "stop-leaves-conversation", "messaging.stop", "stopMessaging answers 204 and the conversation goes on";
    MakeMeAvailable200 = "make-me-available-200", "me.make-me-available", "makeMeAvailable answers 200 with a body instead of 204";
    MakeMeAvailableRepeatAllowed = "make-me-available-repeat-allowed", "me.make-me-available.repeat", "a second makeMeAvailable answers 204 (documented: 409 AlreadyExists)";
    BatchNotServed = "batch-not-served", "batch.multipart", "the application offers no batch link and batch answers 404";
    NoMessagingModality = "no-messaging-modality", "messaging.connected", "conversations never link or announce a messaging modality";
    ApplicationPerPost = "application-per-post", "application.same-fields", "every POST to applications creates another application, even with the same fields";
    SubjectUncheckedWithThreadId = "subject-unchecked-with-thread-id", "body.subject.max-length", "the subject limit is skipped when a threadId is given too (a fault of two inputs)";
    OperationIdOptionalWithMessage = "operation-id-optional-with-message", "body.operationId.required", "a missing operationId is accepted when a first message is given (a fault of two inputs)";
    ThreadIdLimitInUtf16 = "thread-id-limit-in-utf16", "body.threadId.max-length", "the threadId limit counts UTF-16 code units: a character outside the BMP counts twice";
    OperationIdLimitInBytesXml = "operation-id-limit-in-bytes-xml", "body.operationId.max-length", "in XML only, the operationId limit counts UTF-8 bytes (a fault of one representation)";
}

impl Mutant {
    /// The mutants no case of the fixed corpus can see, by design: their fault needs two inputs
    /// at once, counts a length in another unit, or lives in one representation. Exploration
    /// finds them (the kill matrix's second column).
    pub const CORPUS_BLIND: [Mutant; 4] = [
        Mutant::SubjectUncheckedWithThreadId,
        Mutant::OperationIdOptionalWithMessage,
        Mutant::ThreadIdLimitInUtf16,
        Mutant::OperationIdLimitInBytesXml,
    ];

    /// True when its fault lies in startMessaging's answer to its inputs (validation, the 201,
    /// what the invitation keeps, the duplicate state) as an ordinary signed-in user sees it:
    /// exploration alone must find it.
    pub fn explorable(self) -> bool {
        use Mutant as M;
        Self::CORPUS_BLIND.contains(&self)
            || matches!(
                self,
                M::Created200
                    | M::NoLocation
                    | M::LocationToConversation
                    | M::InvitationIncoming
                    | M::QueryIgnored
                    | M::OperationIdNotRequired
                    | M::ToNotRequired
                    | M::OperationIdLimit49
                    | M::OperationIdUnlimited
                    | M::SubjectLimit249
                    | M::SubjectUnlimited
                    | M::SubjectLimitInBytes
                    | M::SubjectTruncated
                    | M::OperationIdLowercased
                    | M::MessageLinkDropped
                    | M::ThreadIdLimit249
                    | M::ThreadIdUnlimited
                    | M::ImportanceUnchecked
                    | M::ImportanceCaseSensitiveLower
                    | M::SipUnchecked
                    | M::DataUriUnchecked
                    | M::PercentEncodingRefused
                    | M::CustomContentRefused
                    | M::UnknownInputsRefused
                    | M::PvfSubcodeMissing
                    | M::DuplicatesAllowed
                    | M::AlreadyExists400
                    | M::NoCancelLink
            )
    }

    /// Parses a mutant name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.name() == name)
    }
}

/// How the server behaves: the reference's rules, or a mutant's. Each field is one decision
/// point, named for what it decides; [`Rules::of`] is the only place that maps a mutant to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Bearer tokens are checked (any token passes when false).
    pub tokens_checked: bool,
    /// Request bodies beyond the configured size get 413.
    pub body_limit: bool,
    /// Query parameters count as startMessaging inputs.
    pub query_inputs: bool,
    /// startMessaging requires `operationId`.
    pub operation_id_required: bool,
    /// startMessaging requires `to`.
    pub to_required: bool,
    /// Longest operationId accepted.
    pub operation_id_limit: usize,
    /// Longest subject accepted.
    pub subject_limit: usize,
    /// The subject limit counts UTF-8 bytes instead of characters.
    pub subject_limit_in_bytes: bool,
    /// The subject limit is skipped when a threadId is given too.
    pub subject_unchecked_with_thread_id: bool,
    /// A missing operationId is accepted when a `message` link is given.
    pub operation_id_optional_with_message: bool,
    /// The threadId limit counts UTF-16 code units instead of characters.
    pub thread_id_limit_in_utf16: bool,
    /// In XML bodies, the operationId limit counts UTF-8 bytes instead of characters.
    pub operation_id_limit_in_bytes_xml: bool,
    /// Longest threadId accepted.
    pub thread_id_limit: usize,
    /// How importance is checked.
    pub importance: ImportanceRule,
    /// `to` must be a SIP URI.
    pub sip_checked: bool,
    /// How the `message` and `customContent` links are checked.
    pub data_uri: DataUriRule,
    /// Inputs the page does not list are refused.
    pub unknown_inputs_refused: bool,
    /// An anonymous application may invite only its token's target.
    pub anonymous_target_checked: bool,
    /// A reused active operationId gets 409 AlreadyExists.
    pub duplicates_refused: bool,
    /// The fault-control endpoint arms faults.
    pub faults_armed: bool,
    /// Where the communication resource's startMessaging link points.
    pub start_messaging_link: LinkRule,
    /// The invitation keeps only this many characters of the subject.
    pub subject_kept: usize,
    /// The invitation keeps the operationId lower-cased.
    pub operation_id_lowercased: bool,
    /// The invitation keeps the first message's link.
    pub message_link_kept: bool,
    /// How the invitation's events are told.
    pub invitation_events: InvitationEvents,
    /// An unanswered invitation completes after the invitation timeout.
    pub unanswered_completes: bool,
    /// POST cancel cancels a waiting invitation.
    pub cancel_honoured: bool,
    /// Messaging reaches Connected when the peer accepts.
    pub messaging_connects: bool,
    /// Connected messaging offers sendMessage.
    pub send_message_link: bool,
    /// sendMessage's 201 carries a Location.
    pub message_location: bool,
    /// A sent message completes on the event channel.
    pub message_completes: bool,
    /// stopMessaging ends the conversation.
    pub stop_ends_conversation: bool,
    /// makeMeAvailable answers 204 (200 with a body when false).
    pub make_me_available_no_content: bool,
    /// A second makeMeAvailable gets 409 AlreadyExists.
    pub make_me_available_once: bool,
    /// Conversations link and announce their messaging modality.
    pub messaging_modality: bool,
    /// The application offers `batch` and it is served.
    pub batch_served: bool,
    /// A POST to applications with the fields of an existing application is that application.
    pub same_fields_same_application: bool,
    /// What a messagingInvitation says its direction is (`Outgoing`).
    pub invitation_direction: &'static str,
    /// A waiting messagingInvitation offers its cancel link.
    pub cancel_link: bool,
}

/// How importance values are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportanceRule {
    /// Normal, Urgent, Emergency (any letter case).
    Documented,
    /// Anything goes.
    Unchecked,
    /// Urgent is refused.
    RefusesUrgent,
}

/// How data-URI links are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataUriRule {
    /// A valid data URI is accepted, anything else refused.
    Documented,
    /// Anything goes.
    Unchecked,
    /// Percent-encoded (non-base64) data URIs are refused too.
    RefusesPercentEncoding,
    /// customContent is refused whatever it is.
    RefusesCustomContent,
}

/// Where a link points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRule {
    /// Where the resource is served.
    Served,
    /// Nowhere: the link is left out.
    Absent,
    /// Where nothing is served.
    Moved,
}

/// How the events of an invitation are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitationEvents {
    /// A `started` event is sent.
    pub started: bool,
    /// `started` is held back until after `completed`.
    pub started_late: bool,
    /// A `completed` event is sent.
    pub completed: bool,
    /// Events echo the operationId.
    pub operation_id_echoed: bool,
    /// Events come under the `communication` sender (the conversation's when false).
    pub communication_sender: bool,
    /// A completed, accepted invitation embeds acceptedByParticipant.
    pub accepted_by_participant: bool,
    /// An accepted invitation completes with status Success (Failure when false).
    pub accepted_is_success: bool,
    /// A declined invitation completes with status Failure (Success when false).
    pub declined_is_failure: bool,
    /// A failed invitation's completed event carries a reason.
    pub reason_given: bool,
    /// The events embed the first message's link.
    pub message_link: bool,
}

impl Rules {
    /// The reference's rules.
    pub const REFERENCE: Rules = Rules {
        tokens_checked: true,
        body_limit: true,
        query_inputs: true,
        operation_id_required: true,
        to_required: true,
        operation_id_limit: 50,
        subject_limit: 250,
        subject_limit_in_bytes: false,
        subject_unchecked_with_thread_id: false,
        operation_id_optional_with_message: false,
        thread_id_limit_in_utf16: false,
        operation_id_limit_in_bytes_xml: false,
        thread_id_limit: 250,
        importance: ImportanceRule::Documented,
        sip_checked: true,
        data_uri: DataUriRule::Documented,
        unknown_inputs_refused: false,
        anonymous_target_checked: true,
        duplicates_refused: true,
        faults_armed: true,
        start_messaging_link: LinkRule::Served,
        subject_kept: usize::MAX,
        operation_id_lowercased: false,
        message_link_kept: true,
        invitation_events: InvitationEvents {
            started: true,
            started_late: false,
            completed: true,
            operation_id_echoed: true,
            communication_sender: true,
            accepted_by_participant: true,
            accepted_is_success: true,
            declined_is_failure: true,
            reason_given: true,
            message_link: true,
        },
        unanswered_completes: true,
        cancel_honoured: true,
        messaging_connects: true,
        send_message_link: true,
        message_location: true,
        message_completes: true,
        stop_ends_conversation: true,
        make_me_available_no_content: true,
        make_me_available_once: true,
        messaging_modality: true,
        batch_served: true,
        same_fields_same_application: true,
        invitation_direction: "Outgoing",
        cancel_link: true,
    };

    /// The rules of a server running as `mutant` (the reference's without one). Mutants that
    /// only change what is sent back (`rewrite`) leave the rules as they are.
    pub fn of(mutant: Option<Mutant>) -> Rules {
        let mut r = Rules::REFERENCE;
        match mutant {
            None => {}
            Some(Mutant::TokenNotChecked) => r.tokens_checked = false,
            Some(Mutant::BodyLimitOff) => r.body_limit = false,
            Some(Mutant::QueryIgnored) => r.query_inputs = false,
            Some(Mutant::OperationIdNotRequired) => r.operation_id_required = false,
            Some(Mutant::ToNotRequired) => r.to_required = false,
            Some(Mutant::OperationIdLimit49) => r.operation_id_limit = 49,
            Some(Mutant::OperationIdUnlimited) => r.operation_id_limit = usize::MAX,
            Some(Mutant::SubjectLimit249) => r.subject_limit = 249,
            Some(Mutant::SubjectUnlimited) => r.subject_limit = usize::MAX,
            Some(Mutant::SubjectLimitInBytes) => r.subject_limit_in_bytes = true,
            Some(Mutant::SubjectUncheckedWithThreadId) => r.subject_unchecked_with_thread_id = true,
            Some(Mutant::OperationIdOptionalWithMessage) => r.operation_id_optional_with_message = true,
            Some(Mutant::ThreadIdLimitInUtf16) => r.thread_id_limit_in_utf16 = true,
            Some(Mutant::OperationIdLimitInBytesXml) => r.operation_id_limit_in_bytes_xml = true,
            Some(Mutant::ThreadIdLimit249) => r.thread_id_limit = 249,
            Some(Mutant::ThreadIdUnlimited) => r.thread_id_limit = usize::MAX,
            Some(Mutant::ImportanceUnchecked) => r.importance = ImportanceRule::Unchecked,
            Some(Mutant::ImportanceCaseSensitiveLower) => r.importance = ImportanceRule::RefusesUrgent,
            Some(Mutant::SipUnchecked) => r.sip_checked = false,
            Some(Mutant::DataUriUnchecked) => r.data_uri = DataUriRule::Unchecked,
            Some(Mutant::PercentEncodingRefused) => r.data_uri = DataUriRule::RefusesPercentEncoding,
            Some(Mutant::CustomContentRefused) => r.data_uri = DataUriRule::RefusesCustomContent,
            Some(Mutant::UnknownInputsRefused) => r.unknown_inputs_refused = true,
            Some(Mutant::AnonymousTargetUnchecked) => r.anonymous_target_checked = false,
            Some(Mutant::DuplicatesAllowed) => r.duplicates_refused = false,
            Some(Mutant::FaultsIgnored) => r.faults_armed = false,
            Some(Mutant::NoStartMessagingLink) => r.start_messaging_link = LinkRule::Absent,
            Some(Mutant::StartMessagingMoved) => r.start_messaging_link = LinkRule::Moved,
            Some(Mutant::SubjectTruncated) => r.subject_kept = 200,
            Some(Mutant::OperationIdLowercased) => r.operation_id_lowercased = true,
            Some(Mutant::MessageLinkDropped) => r.message_link_kept = false,
            Some(Mutant::NoStartedEvent) => r.invitation_events.started = false,
            Some(Mutant::StartedAfterCompleted) => r.invitation_events.started_late = true,
            Some(Mutant::NoCompletedEvent) => r.invitation_events.completed = false,
            Some(Mutant::OperationIdNotEchoed) => r.invitation_events.operation_id_echoed = false,
            Some(Mutant::InvitationEventsWrongSender) => r.invitation_events.communication_sender = false,
            Some(Mutant::NoAcceptedByParticipant) => r.invitation_events.accepted_by_participant = false,
            Some(Mutant::CompletedStatusFailure) => r.invitation_events.accepted_is_success = false,
            Some(Mutant::DeclinedAsSuccess) => r.invitation_events.declined_is_failure = false,
            Some(Mutant::FailureWithoutReason) => r.invitation_events.reason_given = false,
            Some(Mutant::FirstMessageNotInEvents) => r.invitation_events.message_link = false,
            Some(Mutant::NoAnswerNeverCompletes) => r.unanswered_completes = false,
            Some(Mutant::CancelIgnored) => r.cancel_honoured = false,
            Some(Mutant::MessagingNeverConnected) => r.messaging_connects = false,
            Some(Mutant::SendMessageLinkMissing) => r.send_message_link = false,
            Some(Mutant::SendMessageNoLocation) => r.message_location = false,
            Some(Mutant::MessageNotCompleted) => r.message_completes = false,
            Some(Mutant::StopLeavesConversation) => r.stop_ends_conversation = false,
            Some(Mutant::MakeMeAvailable200) => r.make_me_available_no_content = false,
            Some(Mutant::MakeMeAvailableRepeatAllowed) => r.make_me_available_once = false,
            Some(Mutant::BatchNotServed) => r.batch_served = false,
            Some(Mutant::NoMessagingModality) => r.messaging_modality = false,
            Some(Mutant::ApplicationPerPost) => r.same_fields_same_application = false,
            Some(Mutant::InvitationIncoming) => r.invitation_direction = "Incoming",
            Some(Mutant::NoCancelLink) => r.cancel_link = false,
            // The others change what is sent back (see `rewrite::edit`).
            Some(
                Mutant::Created200
                | Mutant::NoLocation
                | Mutant::LocationToConversation
                | Mutant::PvfSubcodeMissing
                | Mutant::Forbidden400
                | Mutant::AlreadyExists400
                | Mutant::TooManyGroupsNoSubcode
                | Mutant::TooManyGroupsWrongCase
                | Mutant::UnsupportedWithSubcode
                | Mutant::CannotRedirectWrongSubcode
                | Mutant::CallbackChannelWrongCode
                | Mutant::ErrorsAlwaysJson
                | Mutant::ErrorsTextPlain
                | Mutant::XmlErrorsWrongNamespace
                | Mutant::MalformedBody500
                | Mutant::ApplicationNotFoundNoSubcode
                | Mutant::MethodNotAllowed404
                | Mutant::UnsupportedMediaType400
                | Mutant::EntityTooLarge400,
            ) => {}
        }
        r
    }
}
