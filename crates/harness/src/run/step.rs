//! What every kind of step shares: how a step ends when it does not pass, the difference for an
//! href outside the trust set, and captures from a resource. Request steps (`request`) and wait
//! steps (`wait`) use it; `exec` runs them.

use crate::case::{Capture, CaptureSource};
use crate::judge::verdict::Mismatch;
use crate::wire::Resource;

/// How a step ended when it did not pass.
pub enum StepEnd {
    /// The target's answer differs from the expectation.
    Mismatches(Vec<Mismatch>),
    /// The harness could not decide.
    Error(String),
}

/// The difference reported when a target's href leads outside its trust set.
pub fn untrusted(reason: String) -> Mismatch {
    Mismatch {
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
        what: format!("capture {}", capture.name),
        expected: format!("`{name}` in the resource"),
        actual: "absent".into(),
        must: false,
    })
}

impl From<crate::case::Unfilled> for StepEnd {
    /// A placeholder without a value is the harness's error, never the target's.
    fn from(unfilled: crate::case::Unfilled) -> Self {
        StepEnd::Error(unfilled.to_string())
    }
}
