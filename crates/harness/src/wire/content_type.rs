//! Content types compared by media type: parameters are ignored, and the precise
//! `application/vnd.microsoft.com.ucwa+json` / `+xml` forms count as JSON / XML.

use crate::case::Media;

/// What kind of representation a Content-Type announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A UCWA JSON representation.
    Json,
    /// A UCWA XML representation.
    Xml,
    /// Anything else (HTML from a proxy, text, ...).
    Other,
}

impl Family {
    /// The family a media type's responses must have.
    pub fn of(media: Media) -> Self {
        match media {
            Media::Json => Family::Json,
            Media::Xml => Family::Xml,
        }
    }
}

/// Classifies a Content-Type header value.
pub fn family(content_type: &str) -> Family {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "text/json" => Family::Json,
        "application/xml" | "text/xml" => Family::Xml,
        e if e.starts_with("application/") && e.ends_with("+json") => Family::Json,
        e if e.starts_with("application/") && e.ends_with("+xml") => Family::Xml,
        _ => Family::Other,
    }
}

/// The Content-Type (and Accept) the harness sends for a media type.
pub fn request_content_type(media: Media) -> &'static str {
    match media {
        Media::Json => "application/json",
        Media::Xml => "application/xml",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("application/json", Family::Json)]
    #[case("application/json; charset=utf-8", Family::Json)]
    #[case("Application/JSON", Family::Json)]
    #[case("application/vnd.microsoft.com.ucwa+json; charset=utf-8", Family::Json)]
    #[case("application/xml", Family::Xml)]
    #[case("application/vnd.microsoft.com.ucwa+xml", Family::Xml)]
    #[case("application/vnd.microsoft.ucwa+xml", Family::Xml)]
    #[case("text/html; charset=utf-8", Family::Other)]
    #[case("", Family::Other)]
    fn classifies_content_types(#[case] value: &str, #[case] expected: Family) {
        assert_eq!(family(value), expected);
    }
}
