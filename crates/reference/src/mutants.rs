//! Deliberately broken variants of the reference server, each breaking one spec item, so the
//! suite can prove that its cases catch what they claim (`serve --mutant NAME`, the `mutants`
//! command, and `cargo test`).
//!
//! Each mutant is declared once, in the table below: its name, the spec item it breaks, what
//! finds it, what it does wrong, and its [`Mechanism`], never a check inside a handler:
//! - a rule ([`Mechanism::Rule`]): the one [`Rules`] field it changes; the world, the resources
//!   and the handlers consult `Rules` at their named decision points and never name a mutant (a
//!   resource's content included: the tree is built as the rules say);
//! - an edit of what is sent back ([`Mechanism::Response`], [`Mechanism::Error`]): a response's
//!   status or headers, or the error it carries as a value, changed on its way out by `rewrite`,
//!   which never edits written text and never names a mutant either.

macro_rules! mutants {
    ($($variant:ident = $name:literal, $item:literal, $found_by:ident, $what:literal, $mechanism:expr;)*) => {
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

            /// What is meant to find it.
            pub fn found_by(self) -> FoundBy {
                match self { $(Mutant::$variant => FoundBy::$found_by,)* }
            }

            /// How it breaks the server.
            pub fn mechanism(self) -> Mechanism {
                use ErrorEdit::*;
                use Mechanism::*;
                use ResponseEdit::*;
                match self { $(Mutant::$variant => $mechanism,)* }
            }
        }
    };
}

mutants! {
    Created200 = "created-200", "post.created", Both,
        "answers 200 OK instead of 201 Created",
        Response(StartCreatedAs(200));
    NoLocation = "no-location", "post.location", Both,
        "answers 201 without a Location header",
        Response(StartWithoutLocation);
    LocationToConversation = "location-to-conversation", "invitation.resource", Both,
        "Location names the conversation, not the messagingInvitation",
        Response(StartLocation { from: "messagingInvitations", to: "conversations" });
    InvitationIncoming = "invitation-incoming", "invitation.resource", Both,
        "the messagingInvitation says direction Incoming",
        Rule(|r| r.invitation_direction = "Incoming");
    NoStartMessagingLink = "no-start-messaging-link", "link.start-messaging", Corpus,
        "the communication resource has no startMessaging link",
        Rule(|r| r.start_messaging_link = LinkRule::Absent);
    StartMessagingMoved = "start-messaging-moved", "link.start-messaging", Corpus,
        "the startMessaging link points where nothing is served",
        Rule(|r| r.start_messaging_link = LinkRule::Moved);
    QueryIgnored = "query-ignored", "query.to", Both,
        "inputs given as query parameters are ignored",
        Rule(|r| r.query_inputs = false);
    OperationIdNotRequired = "operation-id-not-required", "body.operationId.required", Both,
        "a missing operationId is accepted",
        Rule(|r| r.operation_id_required = false);
    ToNotRequired = "to-not-required", "body.to.required", Both,
        "a missing to is accepted",
        Rule(|r| r.to_required = false);
    OperationIdLimit49 = "operation-id-limit-49", "body.operationId.max-length", Both,
        "an operationId of 50 characters is refused (off by one)",
        Rule(|r| r.operation_id_limit = 49);
    OperationIdUnlimited = "operation-id-unlimited", "body.operationId.max-length", Both,
        "an operationId of any length is accepted",
        Rule(|r| r.operation_id_limit = usize::MAX);
    SubjectLimit249 = "subject-limit-249", "body.subject.max-length", Both,
        "a subject of 250 characters is refused (off by one)",
        Rule(|r| r.subject_limit = 249);
    SubjectUnlimited = "subject-unlimited", "body.subject.max-length", Both,
        "a subject of any length is accepted",
        Rule(|r| r.subject_limit = usize::MAX);
    SubjectLimitInBytes = "subject-limit-in-bytes", "body.subject.max-length", Both,
        "the subject limit counts UTF-8 bytes, not characters",
        Rule(|r| r.subject_limit_in_bytes = true);
    SubjectTruncated = "subject-truncated", "invitation.resource", Both,
        "the invitation keeps only the first 200 characters of the subject",
        Rule(|r| r.subject_kept = 200);
    OperationIdLowercased = "operation-id-lowercased", "invitation.resource", Both,
        "the invitation keeps the operationId lower-cased, not as supplied",
        Rule(|r| r.operation_id_lowercased = true);
    MessageLinkDropped = "message-link-dropped", "invitation.resource", Both,
        "the invitation does not keep the first message's link",
        Rule(|r| r.message_link_kept = false);
    ThreadIdLimit249 = "thread-id-limit-249", "body.threadId.max-length", Both,
        "a threadId of 250 characters is refused (off by one)",
        Rule(|r| r.thread_id_limit = 249);
    ThreadIdUnlimited = "thread-id-unlimited", "body.threadId.max-length", Both,
        "a threadId of any length is accepted",
        Rule(|r| r.thread_id_limit = usize::MAX);
    ImportanceUnchecked = "importance-unchecked", "body.importance.values", Both,
        "any importance value is accepted",
        Rule(|r| r.importance = ImportanceRule::Unchecked);
    ImportanceCaseSensitiveLower = "importance-refuses-urgent", "body.importance.values", Both,
        "importance Urgent is refused",
        Rule(|r| r.importance = ImportanceRule::RefusesUrgent);
    SipUnchecked = "sip-unchecked", "body.to.sip-uri", Both,
        "any to value is accepted, SIP URI or not",
        Rule(|r| r.sip_checked = false);
    DataUriUnchecked = "data-uri-unchecked", "body.message.data-uri", Both,
        "a message link that is not a data URI is accepted",
        Rule(|r| r.data_uri = DataUriRule::Unchecked);
    PercentEncodingRefused = "percent-encoding-refused", "body.message.data-uri", Both,
        "percent-encoded data URIs are refused",
        Rule(|r| r.data_uri = DataUriRule::RefusesPercentEncoding);
    CustomContentRefused = "custom-content-refused", "body.customContent.data-uri", Both,
        "a customContent link is refused",
        Rule(|r| r.data_uri = DataUriRule::RefusesCustomContent);
    UnknownInputsRefused = "unknown-inputs-refused", "body.unknown-ignored", Both,
        "inputs the page does not list are refused",
        Rule(|r| r.unknown_inputs_refused = true);
    PvfSubcodeMissing = "pvf-subcode-missing", "generic.400.parameter-validation", Both,
        "400 for a missing input has no ParameterValidationFailure subcode",
        Error(DropSubcode("ParameterValidationFailure"));
    AnonymousTargetUnchecked = "anonymous-target-unchecked", "error.403.forbidden", Corpus,
        "anonymous applications may invite anyone",
        Rule(|r| r.anonymous_target_checked = false);
    Forbidden400 = "forbidden-400", "error.403.forbidden", Corpus,
        "the anonymous-target refusal is 400, not 403",
        Response(Status { from: 403, to: 400 });
    DuplicatesAllowed = "duplicates-allowed", "error.409.already-exists", Both,
        "an active operationId may be reused",
        Rule(|r| r.duplicates_refused = false);
    AlreadyExists400 = "already-exists-400", "error.409.already-exists", Both,
        "a reused operationId gets 400 BadRequest / AlreadyExists (the documented row is 409 Conflict)",
        Error(StatusOfSubcode { subcode: "AlreadyExists", status: 400, code: Some("BadRequest") });
    TooManyGroupsNoSubcode = "too-many-groups-no-subcode", "error.409.too-many-groups", Corpus,
        "409 TooManyGroups comes without its subcode",
        Error(DropSubcode("TooManyGroups"));
    TooManyGroupsWrongCase = "too-many-groups-wrong-case", "error.409.too-many-groups", Corpus,
        "the subcode is spelt toomanygroups",
        Error(Subcode { from: "TooManyGroups", to: "toomanygroups" });
    UnsupportedWithSubcode = "unsupported-with-subcode", "error.409.no-subcode", Corpus,
        "409 for an unsupported API carries a subcode",
        Error(SubcodeOnBareConflict("Unsupported"));
    CannotRedirectWrongSubcode = "cannot-redirect-wrong-subcode", "error.410.cannot-redirect", Corpus,
        "410 comes with subcode Redirected",
        Error(Subcode { from: "CannotRedirect", to: "Redirected" });
    CallbackChannelWrongCode = "callback-channel-wrong-code", "error.500.callback-channel-error", Corpus,
        "500 comes with code InternalServerError",
        Error(Code { from: "ServiceFailure", to: "InternalServerError" });
    FaultsIgnored = "faults-ignored", "error.409.too-many-groups", Corpus,
        "the fault-control contract arms nothing",
        Rule(|r| r.faults_armed = false);
    ErrorsAlwaysJson = "errors-always-json", "error.body.format", Corpus,
        "errors are JSON whatever the request's representation",
        Error(ClientErrorsInJson);
    ErrorsTextPlain = "errors-text-plain", "error.body.format", Corpus,
        "errors are sent as text/plain",
        Response(ErrorContentType("text/plain; charset=utf-8"));
    XmlErrorsWrongNamespace = "xml-errors-wrong-namespace", "error.body.format", Corpus,
        "XML errors are in another namespace",
        Error(XmlNamespace("urn:example:errors"));
    MalformedBody500 = "malformed-body-500", "generic.400.bad-request", Corpus,
        "a malformed body gets 500",
        Error(StatusOfSubcode { subcode: "DeserializationFailure", status: 500, code: None });
    TokenNotChecked = "token-not-checked", "generic.401", Corpus,
        "any bearer token is accepted",
        Rule(|r| r.tokens_checked = false);
    ApplicationNotFoundNoSubcode = "application-not-found-no-subcode", "generic.404.application-not-found", Corpus,
        "404 for a missing application has no subcode",
        Error(DropSubcode("ApplicationNotFound"));
    MethodNotAllowed404 = "method-not-allowed-404", "generic.405", Corpus,
        "other methods get 404",
        Response(Status { from: 405, to: 404 });
    UnsupportedMediaType400 = "unsupported-media-type-400", "generic.415", Corpus,
        "an unsupported content type gets 400",
        Response(Status { from: 415, to: 400 });
    BodyLimitOff = "body-limit-off", "generic.413", Corpus,
        "bodies of any size are read",
        Rule(|r| r.body_limit = false);
    EntityTooLarge400 = "entity-too-large-400", "generic.413", Corpus,
        "an oversized body gets 400 with code EntityTooLarge (the documented row is 413)",
        Response(Status { from: 413, to: 400 });
    NoStartedEvent = "no-started-event", "events.started.operation-id", Corpus,
        "no messagingInvitation started event",
        Rule(|r| r.invitation_events.started = false);
    OperationIdNotEchoed = "operation-id-not-echoed", "events.started.operation-id", Corpus,
        "events do not echo the operationId",
        Rule(|r| r.invitation_events.operation_id_echoed = false);
    NoCompletedEvent = "no-completed-event", "events.completed.success", Corpus,
        "no messagingInvitation completed event",
        Rule(|r| r.invitation_events.completed = false);
    InvitationEventsWrongSender = "invitation-events-wrong-sender", "events.sender", Corpus,
        "messagingInvitation events come under the conversation sender, not communication",
        Rule(|r| r.invitation_events.communication_sender = false);
    StartedAfterCompleted = "started-after-completed", "events.order", Corpus,
        "the started event arrives after completed",
        Rule(|r| r.invitation_events.started_late = true);
    NoAcceptedByParticipant = "no-accepted-by-participant", "events.completed.success", Corpus,
        "a completed invitation does not embed acceptedByParticipant",
        Rule(|r| r.invitation_events.accepted_by_participant = false);
    CompletedStatusFailure = "completed-status-failure", "events.completed.success", Corpus,
        "an accepted invitation completes with status Failure",
        Rule(|r| r.invitation_events.accepted_is_success = false);
    DeclinedAsSuccess = "declined-as-success", "events.completed.failure", Corpus,
        "a declined invitation completes with status Success",
        Rule(|r| r.invitation_events.declined_is_failure = false);
    FailureWithoutReason = "failure-without-reason", "events.completed.failure", Corpus,
        "a failed invitation completes without a reason",
        Rule(|r| r.invitation_events.reason_given = false);
    NoAnswerNeverCompletes = "no-answer-never-completes", "invitation.timeout", Corpus,
        "an unanswered invitation never completes",
        Rule(|r| r.unanswered_completes = false);
    CancelIgnored = "cancel-ignored", "invitation.cancel", Corpus,
        "POST cancel answers 204 and cancels nothing",
        Rule(|r| r.cancel_honoured = false);
    NoCancelLink = "no-cancel-link", "invitation.cancel", Both,
        "a waiting invitation has no cancel link",
        Rule(|r| r.cancel_link = false);
    FirstMessageNotInEvents = "first-message-not-in-events", "invitation.first-message", Corpus,
        "the invitation's events leave out the first message's link",
        Rule(|r| r.invitation_events.message_link = false);
    MessagingNeverConnected = "messaging-never-connected", "messaging.connected", Corpus,
        "messaging stays Connecting after the peer accepts",
        Rule(|r| r.messaging_connects = false);
    SendMessageLinkMissing = "send-message-link-missing", "messaging.connected", Corpus,
        "messaging is Connected without a sendMessage link",
        Rule(|r| r.send_message_link = false);
    SendMessageNoLocation = "send-message-no-location", "message.send", Corpus,
        "sendMessage answers 201 without a Location",
        Rule(|r| r.message_location = false);
    MessageNotCompleted = "message-not-completed", "message.completed", Corpus,
        "a sent message never completes on the event channel",
        Rule(|r| r.message_completes = false);
    StopLeavesConversation = "stop-leaves-conversation", "messaging.stop", Corpus,
        "stopMessaging answers 204 and the conversation goes on",
        Rule(|r| r.stop_ends_conversation = false);
    MakeMeAvailable200 = "make-me-available-200", "me.make-me-available", Corpus,
        "makeMeAvailable answers 200 with a body instead of 204",
        Rule(|r| r.make_me_available_no_content = false);
    MakeMeAvailableRepeatAllowed = "make-me-available-repeat-allowed", "me.make-me-available.repeat", Corpus,
        "a second makeMeAvailable answers 204 (documented: 409 AlreadyExists)",
        Rule(|r| r.make_me_available_once = false);
    BatchNotServed = "batch-not-served", "batch.multipart", Corpus,
        "the application offers no batch link and batch answers 404",
        Rule(|r| r.batch_served = false);
    NoMessagingModality = "no-messaging-modality", "messaging.connected", Corpus,
        "conversations never link or announce a messaging modality",
        Rule(|r| r.messaging_modality = false);
    ApplicationPerPost = "application-per-post", "application.same-fields", Corpus,
        "every POST to applications creates another application, even with the same fields",
        Rule(|r| r.same_fields_same_application = false);
    SubjectUncheckedWithThreadId = "subject-unchecked-with-thread-id", "body.subject.max-length", Exploration,
        "the subject limit is skipped when a threadId is given too (a fault of two inputs)",
        Rule(|r| r.subject_unchecked_with_thread_id = true);
    OperationIdOptionalWithMessage = "operation-id-optional-with-message", "body.operationId.required", Exploration,
        "a missing operationId is accepted when a first message is given (a fault of two inputs)",
        Rule(|r| r.operation_id_optional_with_message = true);
    ThreadIdLimitInUtf16 = "thread-id-limit-in-utf16", "body.threadId.max-length", Exploration,
        "the threadId limit counts UTF-16 code units: a character outside the BMP counts twice",
        Rule(|r| r.thread_id_limit_in_utf16 = true);
    OperationIdLimitInBytesXml = "operation-id-limit-in-bytes-xml", "body.operationId.max-length", Exploration,
        "in XML only, the operationId limit counts UTF-8 bytes (a fault of one representation)",
        Rule(|r| r.operation_id_limit_in_bytes_xml = true);
}

/// What is meant to find a mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundBy {
    /// The fixed corpus (its fault lies outside what exploration varies).
    Corpus,
    /// The corpus and exploration alike: its fault lies in startMessaging's answer to its inputs
    /// (validation, the 201, what the invitation keeps, the duplicate state) as an ordinary
    /// signed-in user sees it.
    Both,
    /// Exploration only, by design: its fault needs two inputs at once, counts a length in
    /// another unit, or lives in one representation (the kill matrix's second column).
    Exploration,
}

/// How a mutant breaks the server.
#[derive(Clone, Copy)]
pub enum Mechanism {
    /// It changes the rules the world, the resources and the handlers consult.
    Rule(fn(&mut Rules)),
    /// It changes the status or headers of responses on their way out.
    Response(ResponseEdit),
    /// It changes the error a response carries, as a value, before it is written again.
    Error(ErrorEdit),
}

/// A change to the status or headers of a response, in the terms of the page, not of HTTP types
/// (`rewrite` applies it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseEdit {
    /// startMessaging's 201 Created is answered with this status.
    StartCreatedAs(u16),
    /// startMessaging's answer leaves out its Location.
    StartWithoutLocation,
    /// startMessaging's Location has `from` replaced by `to`.
    StartLocation {
        /// Replaced.
        from: &'static str,
        /// By this.
        to: &'static str,
    },
    /// Every response of status `from` is sent with status `to`.
    Status {
        /// The status the reference sends.
        from: u16,
        /// The status sent instead.
        to: u16,
    },
    /// Error responses (4xx and 5xx) are labelled with this Content-Type.
    ErrorContentType(&'static str),
}

/// A change to the error a response carries (`rewrite` applies it and writes the error again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorEdit {
    /// The error loses this subcode.
    DropSubcode(&'static str),
    /// The subcode `from` is spelt `to`.
    Subcode {
        /// The subcode the reference sends.
        from: &'static str,
        /// Sent instead.
        to: &'static str,
    },
    /// A 409 without a subcode gets this one.
    SubcodeOnBareConflict(&'static str),
    /// An error with this subcode is sent with another status (and code, when given).
    StatusOfSubcode {
        /// The subcode.
        subcode: &'static str,
        /// The status sent.
        status: u16,
        /// The code sent, when it changes.
        code: Option<&'static str>,
    },
    /// The code `from` is sent as `to`.
    Code {
        /// The code the reference sends.
        from: &'static str,
        /// Sent instead.
        to: &'static str,
    },
    /// A client error asked for in XML is written in JSON.
    ClientErrorsInJson,
    /// XML errors are written in this namespace.
    XmlNamespace(&'static str),
}

impl Mutant {
    /// Parses a mutant name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// True when the fixed corpus cannot see it, by design ([`FoundBy::Exploration`]).
    pub fn corpus_blind(self) -> bool {
        self.found_by() == FoundBy::Exploration
    }

    /// True when exploration alone must find it ([`FoundBy::Both`] or [`FoundBy::Exploration`]).
    pub fn explorable(self) -> bool {
        self.found_by() != FoundBy::Corpus
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

    /// The rules of a server running as `mutant` (the reference's without one). A mutant that
    /// edits what is sent back leaves the rules as they are.
    pub fn of(mutant: Option<Mutant>) -> Rules {
        let mut rules = Rules::REFERENCE;
        if let Some(Mechanism::Rule(change)) = mutant.map(Mutant::mechanism) {
            change(&mut rules);
        }
        rules
    }
}
