//! Why the world refuses a request, in the world's own terms: no status codes, no HTTP. The
//! HTTP edge (`reference::errors`) maps each problem to its UCWA error.

use super::Fault;

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// 404 NotFound: no such resource (or it ended).
    NotFound,
    /// 404 NotFound / ApplicationNotFound.
    ApplicationNotFound,
    /// 410 Gone / InactiveApplicationExpired.
    ApplicationExpired,
    /// 410 Gone / TooManyApplications.
    TooManyApplications,
    /// 405 MethodNotAllowed.
    MethodNotAllowed,
    /// 400 BadRequest / ParameterValidationFailure, with what is wrong.
    Invalid(String),
    /// 400 BadRequest / DeserializationFailure: the body does not parse.
    Malformed(String),
    /// 415 UnsupportedMediaType, naming what the resource takes.
    UnsupportedMediaType(&'static str),
    /// 413 EntityTooLarge beyond this many bytes.
    TooLarge(usize),
    /// 403 Forbidden (no subcode), with the policy that refuses.
    Forbidden(String),
    /// 403 Forbidden / AnonymousNotAllowed.
    AnonymousNotAllowed,
    /// 409 Conflict / AlreadyExists, naming what exists.
    AlreadyExists(&'static str),
    /// 409 Conflict / MakeMeAvailableRequired.
    MakeMeAvailableRequired,
    /// 409 Conflict (no subcode): the resource is not in a state that allows this.
    NotNow(&'static str),
    /// 409 Conflict / PGetReplaced.
    PGetReplaced,
    /// 429 TooManyRequests: a batch of more parts than the limit (none of them runs).
    TooManyRequests,
    /// An armed fault of the fault-control contract.
    Fault(Fault),
}
