//! UCWA input bodies: a flat JSON object with link-valued inputs under `_links`, or
//! `<input xmlns=..><property name=..>` with link-valued inputs as `<link rel href/>`.

use super::UCWA_NS;
use crate::case::Media;
use std::collections::BTreeMap;

/// Renders input properties and link-valued inputs in a media type, from values that write
/// themselves into the body (a case's templates): a large value is written once, straight into
/// the body, and escaped only if it needs it. `len` guesses each value's length, so the body is
/// allocated once.
pub fn render_input_with<T, E>(
    media: Media,
    properties: &[(String, T)],
    links: &[(String, T)],
    len: impl Fn(&T) -> usize,
    write: impl Fn(&T, &mut String) -> Result<(), E>,
) -> Result<String, E> {
    let size: usize = properties
        .iter()
        .chain(links)
        .map(|(k, v)| k.len() + len(v) + 48)
        .sum::<usize>()
        + 256;
    let mut out = String::with_capacity(size);
    match media {
        Media::Json => json(&mut out, properties, links, &write)?,
        Media::Xml => xml(&mut out, properties, links, &write)?,
    }
    Ok(out)
}

fn json<T, E>(
    out: &mut String,
    properties: &[(String, T)],
    links: &[(String, T)],
    write: &impl Fn(&T, &mut String) -> Result<(), E>,
) -> Result<(), E> {
    // Keys in sorted order (as a JSON object map keeps them), the last of a repeated name winning.
    let properties: BTreeMap<&str, &T> = properties.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let links: BTreeMap<&str, &T> = links.iter().map(|(k, v)| (k.as_str(), v)).collect();
    out.push('{');
    let mut first = true;
    let mut entry = |out: &mut String, name: &str| {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        json_string(out, name);
        out.push(':');
    };
    for (name, value) in &properties {
        if *name == "_links" && !links.is_empty() {
            continue;
        }
        entry(out, name);
        json_value(out, *value, write)?;
    }
    if !links.is_empty() {
        entry(out, "_links");
        out.push('{');
        for (i, (rel, href)) in links.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(out, rel);
            out.push_str(":{\"href\":");
            json_value(out, *href, write)?;
            out.push('}');
        }
        out.push('}');
    }
    out.push('}');
    Ok(())
}

/// Writes a value as a JSON string: straight into `out`, then escaped in place only if needed.
fn json_value<T, E>(out: &mut String, value: &T, write: &impl Fn(&T, &mut String) -> Result<(), E>) -> Result<(), E> {
    out.push('"');
    let start = out.len();
    write(value, out)?;
    if json_needs_escape(&out[start..]) {
        let raw = out.split_off(start);
        out.pop();
        out.push_str(&serde_json::Value::String(raw).to_string());
    } else {
        out.push('"');
    }
    Ok(())
}

/// True when a JSON string needs escaping (one vectorised scan and one memchr pass).
fn json_needs_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().fold(false, |found, b| found | (*b < 0x20)) || memchr::memchr2(b'"', b'\\', bytes).is_some()
}

/// Appends `text` as a JSON string: copied whole when nothing needs escaping (one vectorised
/// scan, so a 2 MiB value costs a copy), else escaped by serde_json.
fn json_string(out: &mut String, text: &str) {
    if !json_needs_escape(text) {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&serde_json::Value::String(text.to_string()).to_string());
    }
}

fn xml<T, E>(
    out: &mut String,
    properties: &[(String, T)],
    links: &[(String, T)],
    write: &impl Fn(&T, &mut String) -> Result<(), E>,
) -> Result<(), E> {
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<input xmlns=\"");
    out.push_str(UCWA_NS);
    out.push_str("\">\n");
    for (name, value) in properties {
        out.push_str("  <property name=\"");
        escape_into(out, name);
        out.push_str("\">");
        xml_value(out, value, write)?;
        out.push_str("</property>\n");
    }
    for (rel, href) in links {
        out.push_str("  <link rel=\"");
        escape_into(out, rel);
        out.push_str("\" href=\"");
        xml_value(out, href, write)?;
        out.push_str("\"/>\n");
    }
    out.push_str("</input>\n");
    Ok(())
}

/// Writes a value straight into `out`, escaping it in place only if it needs it.
fn xml_value<T, E>(out: &mut String, value: &T, write: &impl Fn(&T, &mut String) -> Result<(), E>) -> Result<(), E> {
    let start = out.len();
    write(value, out)?;
    if xml_needs_escape(&out[start..]) {
        let raw = out.split_off(start);
        escape_into(out, &raw);
    }
    Ok(())
}

fn xml_needs_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr3(b'&', b'<', b'>', bytes).is_some() || memchr::memchr2(b'"', b'\'', bytes).is_some()
}

/// `text` escaped for XML content and attribute values: `&`, `<`, `>`, `"` and `'`.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Appends `text` escaped for XML content and attribute values (copied whole when clean: two
/// memchr passes find out).
fn escape_into(out: &mut String, text: &str) {
    if !xml_needs_escape(text) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders plain string values (the tests' shorthand).
    fn render_input(media: Media, properties: &[(String, String)], links: &[(String, String)]) -> String {
        let written = render_input_with(
            media,
            properties,
            links,
            |v: &String| v.len(),
            |v, out| {
                out.push_str(v);
                Ok::<(), std::convert::Infallible>(())
            },
        );
        match written {
            Ok(body) => body,
            Err(never) => match never {},
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn json_puts_links_under_links() {
        let body = render_input(
            Media::Json,
            &pairs(&[("operationId", "op"), ("to", "sip:a@b")]),
            &pairs(&[("message", "data:text/plain,hi")]),
        );
        let value: serde_json::Value = serde_json::from_str(&body).expect("valid json");
        assert_eq!(
            body,
            r#"{"operationId":"op","to":"sip:a@b","_links":{"message":{"href":"data:text/plain,hi"}}}"#
        );
        assert_eq!(value["operationId"], "op");
        assert_eq!(value["_links"]["message"]["href"], "data:text/plain,hi");
    }

    #[test]
    fn json_escapes_what_needs_it() {
        let body = render_input(Media::Json, &pairs(&[("s", "a\"b\\c\nd")]), &[]);
        let value: serde_json::Value = serde_json::from_str(&body).expect("valid json");
        assert_eq!(value["s"], "a\"b\\c\nd");
    }

    #[test]
    fn xml_is_a_namespaced_input_with_escaped_values() {
        let body = render_input(
            Media::Xml,
            &pairs(&[("subject", "a<b & \"c\"")]),
            &pairs(&[("message", "data:,x")]),
        );
        let doc = roxmltree::Document::parse(&body).expect("well-formed xml");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "input");
        assert_eq!(root.tag_name().namespace(), Some(UCWA_NS));
        let property = root
            .children()
            .find(|n| n.has_tag_name((UCWA_NS, "property")))
            .expect("property");
        assert_eq!(property.attribute("name"), Some("subject"));
        assert_eq!(property.text(), Some("a<b & \"c\""));
        let link = root
            .children()
            .find(|n| n.has_tag_name((UCWA_NS, "link")))
            .expect("link");
        assert_eq!(link.attribute("href"), Some("data:,x"));
    }
}
