//! Values nested in values: a JSON string literal that holds an escaped JSON document (a body
//! echoed inside a body, a body recorded in a results file), or XML text that holds escaped XML.
//! The spellings `spelling` knows reach one escape deep; a secret escaped twice over (`\\\"`,
//! `&amp;quot;`) is found only after the value around it is decoded. This module finds the
//! values worth decoding, decodes them, and encodes a screened value back the same way.
//!
//! Only values whose escapes are themselves escaped are offered (`\\` in a JSON literal,
//! `&amp;` in XML text): a value escaped once is screened as it stands.

use std::ops::Range;

/// One value of a text, decoded, with how to write a new value in its place.
pub struct Nested {
    /// Where it is in the text (the whole literal, quotes included, for JSON).
    pub range: Range<usize>,
    /// Its decoded text.
    pub decoded: String,
    /// Its syntax, to encode a replacement.
    pub syntax: Syntax,
}

/// The syntax a nested value was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// A JSON string literal.
    Json,
    /// XML character data or an attribute value.
    Xml,
}

impl Syntax {
    /// `value` written in this syntax, in place of the original.
    pub fn encode(self, value: &str) -> String {
        match self {
            Syntax::Json => serde_json::to_string(value).unwrap_or_else(|_| "\"\"".into()),
            Syntax::Xml => value
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;"),
        }
    }
}

/// The values of `text` whose escapes are escaped again, decoded, in order and not overlapping.
pub fn values(text: &str) -> Vec<Nested> {
    let mut found = Vec::new();
    if text.contains("\\\\") {
        found.extend(json_literals(text));
    }
    if text.contains("&amp;") {
        let runs: Vec<Nested> = xml_runs(text)
            .filter(|n| !found.iter().any(|j: &Nested| overlaps(&j.range, &n.range)))
            .collect();
        found.extend(runs);
    }
    found.sort_by_key(|n| n.range.start);
    found
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// JSON string literals holding `\\`, decoded. A quote that opens no valid literal is skipped.
fn json_literals(text: &str) -> impl Iterator<Item = Nested> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = memchr::memchr(b'"', &bytes[i..]) {
            let start = i + offset;
            let mut j = start + 1;
            let mut doubled = false;
            while j < bytes.len() && bytes[j] != b'"' {
                if bytes[j] == b'\\' {
                    doubled |= bytes.get(j + 1) == Some(&b'\\');
                    j += 1;
                }
                j += 1;
            }
            if j >= bytes.len() {
                return None;
            }
            let range = start..j + 1;
            if !doubled {
                i = j + 1;
                continue;
            }
            match serde_json::from_str::<String>(&text[range.clone()]) {
                Ok(decoded) => {
                    i = j + 1;
                    return Some(Nested {
                        range,
                        decoded,
                        syntax: Syntax::Json,
                    });
                }
                // Not a literal after all (a quote in plain text): the next quote may open one.
                Err(_) => i = start + 1,
            }
        }
        None
    })
}

/// Runs of XML text (between markup and quotes) holding `&amp;`, with their entities decoded.
fn xml_runs(text: &str) -> impl Iterator<Item = Nested> + '_ {
    let mut start = 0;
    text.split_inclusive(['<', '>', '"', '\'']).filter_map(move |piece| {
        let run_start = start;
        start += piece.len();
        let run = piece.trim_end_matches(['<', '>', '"', '\'']);
        run.contains("&amp;").then(|| Nested {
            range: run_start..run_start + run.len(),
            decoded: decode_entities(run),
            syntax: Syntax::Xml,
        })
    })
}

/// `text` with XML's entities and character references decoded once; anything else stays.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_literals_with_escaped_escapes_are_decoded_in_place() {
        let text = r#"{"a":"plain \" quote","b":"{\"pw\":\"p\\\"w\"}"}"#;
        let found = values(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].decoded, r#"{"pw":"p\"w"}"#);
        assert_eq!(&text[found[0].range.clone()], r#""{\"pw\":\"p\\\"w\"}""#);
        assert_eq!(Syntax::Json.encode(&found[0].decoded), &text[found[0].range.clone()]);
    }

    #[test]
    fn literals_in_plain_text_are_found_and_a_quote_left_open_ends_the_search() {
        let found = values(r#"say "x\\y" and "z""#);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].decoded, "x\\y");
        assert!(values(r#"open "x\\y"#).is_empty());
    }

    #[test]
    fn xml_text_with_escaped_entities_is_decoded_once() {
        let text = "<property name=\"m\">p&amp;quot;w &amp;#60;</property>";
        let found = values(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].decoded, "p&quot;w &#60;");
        assert_eq!(decode_entities("&lt;&#x41;&#66;&bogus;&"), "<AB&bogus;&");
    }
}
