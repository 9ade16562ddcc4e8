//! A response read in the request's media type: its body parsed at most once as a UCWA resource
//! and at most once as a UCWA error, however many checks and captures ask.

use crate::case::Media;
use crate::client::Response;
use crate::wire::{ErrorBody, Resource, WireError, parse_error, parse_resource};
use std::cell::OnceCell;

/// One response, with what its body parses to, computed on first use.
pub struct Reading<'a> {
    /// The response as it arrived.
    pub response: &'a Response,
    /// The media type the request asked for.
    pub media: Media,
    resource: OnceCell<Result<Resource, WireError>>,
    error: OnceCell<Result<ErrorBody, WireError>>,
}

impl<'a> Reading<'a> {
    /// A response to a request made in `media`; nothing is parsed yet.
    pub fn new(response: &'a Response, media: Media) -> Self {
        Self {
            response,
            media,
            resource: OnceCell::new(),
            error: OnceCell::new(),
        }
    }

    /// The body as a UCWA resource in the media type.
    pub fn resource(&self) -> Result<&Resource, &WireError> {
        self.resource
            .get_or_init(|| parse_resource(self.media, &self.response.text()))
            .as_ref()
    }

    /// The body as a UCWA error in the media type.
    pub fn error(&self) -> Result<&ErrorBody, &WireError> {
        self.error
            .get_or_init(|| parse_error(self.media, &self.response.text()))
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str) -> Response {
        Response {
            status: 409,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            elapsed: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn parses_each_reading_once_and_keeps_the_failure() {
        let error = response(r#"{"code":"Conflict","subcode":"AlreadyExists"}"#);
        let reading = Reading::new(&error, Media::Json);
        let first = reading.error().map(|e| e as *const ErrorBody);
        let second = reading.error().map(|e| e as *const ErrorBody);
        assert_eq!(first.ok(), second.ok(), "the second ask reuses the first parse");
        assert_eq!(reading.error().map(|e| e.code.as_str()), Ok("Conflict"));
        let broken = response("{not json");
        let reading = Reading::new(&broken, Media::Json);
        assert!(reading.resource().is_err());
        assert_eq!(reading.resource().err(), reading.resource().err());
    }
}
