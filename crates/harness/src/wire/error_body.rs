//! UCWA error bodies: `{"code","subcode","message"}` in JSON, `<reason>` in the UCWA namespace
//! in XML. Only `code` is required; anything else is reported as "not a UCWA error".
//!
//! One reading in both representations (INTERPRETATION.md I-21): a value that is empty or only
//! whitespace (`"subcode": ""`, `"subcode": null`, `<subcode/>`) is absent; values are trimmed.

use super::UCWA_NS;
use super::parse::WireError;
use crate::case::Media;

/// A UCWA error as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// The required `code`.
    pub code: String,
    /// The optional `subcode`.
    pub subcode: Option<String>,
    /// The optional, localized `message`.
    pub message: Option<String>,
}

/// Parses an error body in the given representation.
pub fn parse_error(media: Media, body: &str) -> Result<ErrorBody, WireError> {
    match media {
        Media::Json => json(body),
        Media::Xml => xml(body),
    }
}

fn json(body: &str) -> Result<ErrorBody, WireError> {
    let value: serde_json::Value = super::parse::json(body)?;
    let object = value
        .as_object()
        .ok_or_else(|| WireError::Shape("the error body is not a JSON object".into()))?;
    let text = |name: &str| -> Result<Option<String>, WireError> {
        match object.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Some(other) => Err(WireError::Shape(format!("`{name}` is {other}, not a string"))),
        }
    };
    let code = text("code")?.ok_or_else(|| WireError::Shape("the error body has no `code`".into()))?;
    Ok(ErrorBody {
        code,
        subcode: text("subcode")?,
        message: text("message")?,
    })
}

fn xml(body: &str) -> Result<ErrorBody, WireError> {
    let doc = super::parse::xml(body)?;
    let root = doc.root_element();
    if !root.has_tag_name((UCWA_NS, "reason")) {
        return Err(WireError::Shape(format!(
            "root element is `{}` in namespace `{}`; expected `reason` in `{UCWA_NS}`",
            root.tag_name().name(),
            root.tag_name().namespace().unwrap_or("(none)")
        )));
    }
    let child = |name: &str| {
        root.children()
            .find(|c| c.has_tag_name((UCWA_NS, name)))
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let code = child("code").ok_or_else(|| WireError::Shape("the <reason> has no <code>".into()))?;
    Ok(ErrorBody {
        code,
        subcode: child("subcode"),
        message: child("message"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        Media::Json,
        r#"{"code":"Conflict","subcode":"AlreadyExists","message":"m"}"#,
        Some("AlreadyExists")
    )]
    #[case(Media::Json, r#"{"code":"Conflict"}"#, None)]
    #[case(Media::Json, r#"{"code":"Conflict","subcode":""}"#, None)]
    #[case(Media::Json, r#"{"code":"Conflict","subcode":" "}"#, None)]
    #[case(Media::Json, r#"{"code":"Conflict","subcode":null}"#, None)]
    #[case(
        Media::Xml,
        r#"<reason xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><code>Conflict</code><subcode> </subcode></reason>"#,
        None
    )]
    #[case(Media::Xml, r#"<?xml version="1.0" encoding="utf-8"?><reason xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><code>Conflict</code><subcode>AlreadyExists</subcode><message>m</message><debugInfo /><parameters /></reason>"#, Some("AlreadyExists"))]
    #[case(
        Media::Xml,
        r#"<reason xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><code>Conflict</code><subcode/></reason>"#,
        None
    )]
    fn reads_code_and_subcode(#[case] media: Media, #[case] body: &str, #[case] subcode: Option<&str>) {
        let error = parse_error(media, body).expect("a UCWA error");
        assert_eq!(error.code, "Conflict");
        assert_eq!(error.subcode.as_deref(), subcode);
    }

    #[rstest]
    #[case(Media::Json, "<html>proxy</html>", "malformed JSON")]
    #[case(Media::Json, r#"{"subcode":"X"}"#, "no `code`")]
    #[case(Media::Json, r#"{"code":5}"#, "not a string")]
    #[case(Media::Xml, r#"<reason><code>Conflict</code></reason>"#, "namespace `(none)`")]
    #[case(Media::Xml, "{\"code\":\"Conflict\"}", "malformed XML")]
    fn explains_what_is_not_a_ucwa_error(#[case] media: Media, #[case] body: &str, #[case] words: &str) {
        let error = parse_error(media, body).expect_err("not a UCWA error");
        assert!(error.to_string().contains(words), "{error}");
    }
}
