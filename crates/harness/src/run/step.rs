//! What every kind of step shares: how a step ends when it does not pass, the difference for an
//! href outside the trust set, and captures from a resource. Request steps (`request`) and wait
//! steps (`wait`) use it; `exec` runs them.

use crate::case::{Capture, CaptureSource, Identity, Media, Unfilled};
use crate::client::{DiscoveryError, TransportError, WaitError};
use crate::judge::verdict::{Mismatch, MismatchKind};
use crate::wire::Resource;
use url::Url;

/// How a step ended when it did not pass.
pub enum StepEnd {
    /// The target's answer differs from the expectation.
    Mismatches(Vec<Mismatch>),
    /// The harness could not decide (boxed: the transport's errors are large, and every step
    /// returns this).
    Error(Box<StepError>),
}

impl StepEnd {
    /// A step the harness could not decide.
    pub fn error(error: StepError) -> Self {
        StepEnd::Error(Box::new(error))
    }
}

/// Why the harness could not decide a step: never blamed on the target. Its words become the
/// trial's reason (`exec`), the one place it is rendered.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// A request got no answer the harness could judge (a network error, a timeout).
    #[error("{method} {url}: {error}")]
    Transport {
        /// The request's method.
        method: String,
        /// Its URL.
        url: Url,
        /// What went wrong.
        error: TransportError,
    },
    /// The case's own application (`as = "fresh"`) could not be opened.
    #[error("opening the case's own application: {0}")]
    OwnApplication(DiscoveryError),
    /// The case's own application was closed under it.
    #[error("the case's own application is gone")]
    OwnApplicationGone,
    /// The run opened no application for this identity and media type.
    #[error("no application for {identity:?} in media type {media}")]
    NoApplication {
        /// Who sends the request.
        identity: Identity,
        /// In which media type.
        media: Media,
    },
    /// A wait step in a media type the run opened no application (no event channel) for.
    #[error("no application for media type {0}")]
    NoEventChannel(Media),
    /// A case arms a fault, and the target has no fault-control URL.
    #[error("the target has no fault-control URL")]
    NoFaultControl,
    /// The fault-control URL refused to arm the fault.
    #[error("arming fault {fault} at {url}: status {status}")]
    FaultRefused {
        /// The fault.
        fault: &'static str,
        /// The fault-control URL.
        url: Url,
        /// Its answer's status.
        status: u16,
    },
    /// The fault-control URL gave no answer.
    #[error("arming fault {fault} at {url}: {error}")]
    FaultUnanswered {
        /// The fault.
        fault: &'static str,
        /// The fault-control URL.
        url: Url,
        /// What went wrong.
        error: TransportError,
    },
    /// A placeholder of the case had no value.
    #[error(transparent)]
    Unfilled(Unfilled),
    /// The event channel failed in a way that is not the target's answer.
    #[error(transparent)]
    Wait(WaitError),
}

/// The difference reported when a target's href leads outside its trust set.
pub fn untrusted(reason: String) -> Mismatch {
    Mismatch {
        kind: MismatchKind::Credentials,
        what: "credentials".into(),
        expected: "every href the target gives, with credentials, on a host in its trust set".into(),
        actual: reason,
        must: false,
    }
}

/// A property or link capture from a resource (a response body or an event's embedded resource).
pub fn captured_from(capture: &Capture, resource: &Resource) -> Result<String, Mismatch> {
    let (name, value) = match &capture.source {
        CaptureSource::Property(name) => (name, resource.properties.get(name).map(|p| p.as_text())),
        CaptureSource::Link(name) => (name, resource.link(name).map(|l| l.href.clone())),
        CaptureSource::Header(name) => (name, None),
    };
    value.ok_or_else(|| Mismatch {
        kind: MismatchKind::Capture,
        what: format!("capture {}", capture.name),
        expected: format!("`{name}` in the resource"),
        actual: "absent".into(),
        must: false,
    })
}

impl From<Unfilled> for StepEnd {
    /// A placeholder without a value is the harness's error, never the target's.
    fn from(unfilled: Unfilled) -> Self {
        StepEnd::error(StepError::Unfilled(unfilled))
    }
}
