//! Every UCWA error the reference answers, in one table at the HTTP edge: the problem, its
//! status, code, subcode and message. Handlers and the world name a [`Problem`] (the world's own
//! type, with no HTTP in it); only this table knows its row.

use crate::repr::UcwaError;
use crate::world::Fault;
pub use crate::world::Problem;
use axum::http::StatusCode;

impl Problem {
    /// The error this problem answers with.
    pub fn error(&self) -> UcwaError {
        use StatusCode as S;
        let (status, code, subcode, message): (S, &'static str, Option<&'static str>, String) = match self {
            Problem::NotFound => (S::NOT_FOUND, "NotFound", None, "The resource does not exist.".into()),
            Problem::ApplicationNotFound => (
                S::NOT_FOUND,
                "NotFound",
                Some("ApplicationNotFound"),
                "The application does not exist.".into(),
            ),
            Problem::ApplicationExpired => (
                S::GONE,
                "Gone",
                Some("InactiveApplicationExpired"),
                "The application expired after a period of inactivity.".into(),
            ),
            Problem::TooManyApplications => (
                S::GONE,
                "Gone",
                Some("TooManyApplications"),
                "Too many applications.".into(),
            ),
            Problem::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                None,
                "The HTTP method is not supported here.".into(),
            ),
            Problem::Invalid(what) => (
                S::BAD_REQUEST,
                "BadRequest",
                Some("ParameterValidationFailure"),
                what.clone(),
            ),
            Problem::Malformed(what) => (
                S::BAD_REQUEST,
                "BadRequest",
                Some("DeserializationFailure"),
                format!("The request body could not be read: {what}"),
            ),
            Problem::UnsupportedMediaType(takes) => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                None,
                format!("The content type is not supported; use {takes}."),
            ),
            Problem::TooLarge(limit) => (
                S::PAYLOAD_TOO_LARGE,
                "EntityTooLarge",
                None,
                format!("The request is larger than {limit} bytes."),
            ),
            Problem::Forbidden(why) => (S::FORBIDDEN, "Forbidden", None, why.clone()),
            Problem::AnonymousNotAllowed => (
                S::FORBIDDEN,
                "Forbidden",
                Some("AnonymousNotAllowed"),
                "Anonymous applications cannot do this.".into(),
            ),
            Problem::AlreadyExists(what) => (S::CONFLICT, "Conflict", Some("AlreadyExists"), (*what).into()),
            Problem::MakeMeAvailableRequired => (
                S::CONFLICT,
                "Conflict",
                Some("MakeMeAvailableRequired"),
                "POST makeMeAvailable first.".into(),
            ),
            Problem::NotNow(why) => (S::CONFLICT, "Conflict", None, (*why).into()),
            Problem::TooManyRequests => (
                S::TOO_MANY_REQUESTS,
                "TooManyRequests",
                None,
                "Too many requests: none of the batch's requests ran; send fewer at once.".into(),
            ),
            Problem::PGetReplaced => (
                S::CONFLICT,
                "Conflict",
                Some("PGetReplaced"),
                "Another pending GET with the same ack replaced this one.".into(),
            ),
            Problem::Fault(Fault::TooManyGroups) => (
                S::CONFLICT,
                "Conflict",
                Some("TooManyGroups"),
                "Too many groups.".into(),
            ),
            Problem::Fault(Fault::Unsupported) => (
                S::CONFLICT,
                "Conflict",
                None,
                "Unsupported service, resource or API.".into(),
            ),
            Problem::Fault(Fault::CannotRedirect) => (
                S::GONE,
                "Gone",
                Some("CannotRedirect"),
                "Cannot redirect since there is no backup pool configured.".into(),
            ),
            Problem::Fault(Fault::CallbackChannelError) => (
                S::INTERNAL_SERVER_ERROR,
                "ServiceFailure",
                Some("CallbackChannelError"),
                "The remote event channel is not reachable.".into(),
            ),
        };
        UcwaError::new(status, code, subcode, message)
    }
}
