//! UCWA input bodies: a flat JSON object with link-valued inputs under `_links`, or
//! `<input xmlns=..><property name=..>` with link-valued inputs as `<link rel href/>`.

use super::UCWA_NS;
use crate::case::Media;

/// Renders input properties and link-valued inputs in a media type.
pub fn render_input(media: Media, properties: &[(String, String)], links: &[(String, String)]) -> String {
    match media {
        Media::Json => json(properties, links),
        Media::Xml => xml(properties, links),
    }
}

fn json(properties: &[(String, String)], links: &[(String, String)]) -> String {
    let mut object = serde_json::Map::new();
    for (name, value) in properties {
        object.insert(name.clone(), serde_json::Value::String(value.clone()));
    }
    if !links.is_empty() {
        let mut link_map = serde_json::Map::new();
        for (rel, href) in links {
            link_map.insert(rel.clone(), serde_json::json!({ "href": href }));
        }
        object.insert("_links".into(), serde_json::Value::Object(link_map));
    }
    serde_json::Value::Object(object).to_string()
}

fn xml(properties: &[(String, String)], links: &[(String, String)]) -> String {
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<input xmlns=\"{UCWA_NS}\">\n");
    for (name, value) in properties {
        out.push_str(&format!(
            "  <property name=\"{}\">{}</property>\n",
            escape(name),
            escape(value)
        ));
    }
    for (rel, href) in links {
        out.push_str(&format!(
            "  <link rel=\"{}\" href=\"{}\"/>\n",
            escape(rel),
            escape(href)
        ));
    }
    out.push_str("</input>\n");
    out
}

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    if !text.bytes().any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(value["operationId"], "op");
        assert_eq!(value["_links"]["message"]["href"], "data:text/plain,hi");
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
