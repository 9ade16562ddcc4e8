//! The documented error rows, checked on every error response of every case. The sources fix
//! which status and code go with each documented subcode (the seed's error table, and the generic
//! errors of ErrorsAndInformationalMessages.md and ApplicationDashboard.md, all [D]) and which
//! status goes with each documented code. Whether a server refuses a request is often undocumented
//! (those cases are should-level), but whenever it answers with a documented subcode or code, the
//! row is a requirement: a mismatch here is a must-level difference in any case.

use crate::judge::reading::Reading;
use crate::judge::verdict::{Mismatch, MismatchKind};
use crate::wire::{Family, family};

/// Documented subcodes with the status and code the sources give them.
pub const SUBCODE_ROWS: &[(&str, u16, &str)] = &[
    ("AlreadyExists", 409, "Conflict"),
    ("TooManyGroups", 409, "Conflict"),
    ("CannotRedirect", 410, "Gone"),
    ("CallbackChannelError", 500, "ServiceFailure"),
    ("ParameterValidationFailure", 400, "BadRequest"),
    ("ApplicationNotFound", 404, "NotFound"),
    ("InactiveApplicationExpired", 410, "Gone"),
    ("TooManyApplications", 410, "Gone"),
    ("UserAgentNotAllowed", 410, "Gone"),
    ("APIVersionNotSupported", 404, "NotFound"),
];

/// Documented codes with their HTTP status (ErrorsAndInformationalMessages.md).
pub const CODE_ROWS: &[(&str, u16)] = &[
    ("BadRequest", 400),
    ("Forbidden", 403),
    ("NotFound", 404),
    ("MethodNotAllowed", 405),
    ("ClientTimeout", 408),
    ("Conflict", 409),
    ("Gone", 410),
    ("PreConditionFailed", 412),
    ("EntityTooLarge", 413),
    ("UnsupportedMediaType", 415),
    ("PreConditionRequired", 428),
    ("TooManyRequests", 429),
    ("ServiceFailure", 500),
];

/// The must-level differences between an error response and the documented rows (none for a
/// response that is not a UCWA error in the request's representation: the case's own checks
/// report that).
pub fn check(reading: &Reading<'_>) -> Vec<Mismatch> {
    let response = reading.response;
    if response.status < 400 || family(response.content_type()) != Family::of(reading.media) {
        return Vec::new();
    }
    let Ok(error) = reading.error() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let row = |what: String, expected: String, actual: String| Mismatch {
        kind: MismatchKind::ErrorRow,
        what,
        expected,
        actual,
        must: true,
    };
    if let Some(subcode) = &error.subcode
        && let Some((_, status, code)) = SUBCODE_ROWS.iter().find(|(s, _, _)| s == subcode)
        && (response.status != *status || error.code != *code)
    {
        out.push(row(
            format!("documented row for subcode {subcode}"),
            format!("{status} {code}"),
            format!("{} {}", response.status, error.code),
        ));
    }
    if let Some((_, status)) = CODE_ROWS.iter().find(|(c, _)| *c == error.code)
        && response.status != *status
    {
        out.push(row(
            format!("documented row for code {}", error.code),
            format!("status {status}"),
            format!("status {}", response.status),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Media;
    use crate::client::Response;
    use rstest::rstest;
    use std::time::Duration;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            elapsed: Duration::ZERO,
        }
    }

    #[rstest]
    #[case(409, r#"{"code":"Conflict","subcode":"AlreadyExists"}"#, 0)]
    #[case(400, r#"{"code":"BadRequest","subcode":"AlreadyExists"}"#, 1)]
    #[case(400, r#"{"code":"EntityTooLarge"}"#, 1)]
    #[case(413, r#"{"code":"EntityTooLarge"}"#, 0)]
    #[case(400, r#"{"code":"BadRequest"}"#, 0)]
    #[case(400, r#"{"code":"SomethingElse","subcode":"Unknown"}"#, 0)]
    #[case(500, r#"{"code":"Conflict","subcode":"AlreadyExists"}"#, 2)]
    fn a_documented_subcode_or_code_must_come_with_its_row(#[case] status: u16, #[case] body: &str, #[case] n: usize) {
        let response = response(status, body);
        let found = check(&Reading::new(&response, Media::Json));
        assert_eq!(found.len(), n, "{found:?}");
        assert!(found.iter().all(|m| m.must));
    }
}
