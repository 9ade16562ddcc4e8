//! UCWA resources: JSON (`rel`, properties, `_links`, `_embedded`) and XML
//! (`<resource rel href>` with `<link>`, `<property>`, `<propertyList>` and nested resources),
//! both read into one [`Resource`] so checks never care which one came back.

use super::UCWA_NS;
use super::parse::WireError;
use crate::case::Media;
use std::collections::BTreeMap;

/// A resource as the server represented it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resource {
    /// Its `rel` (the resource type).
    pub rel: Option<String>,
    /// For an embedded resource, the relationship it is embedded under (the JSON `_embedded`
    /// key; in XML, the nested resource's rel).
    pub role: Option<String>,
    /// Its own href (`_links.self` / the `href` attribute).
    pub href: Option<String>,
    /// Properties by name.
    pub properties: BTreeMap<String, Property>,
    /// Links, in document order (a rel may repeat).
    pub links: Vec<Link>,
    /// Embedded resources, each with its rel.
    pub embedded: Vec<Resource>,
}

/// A property value.
#[derive(Debug, Clone, PartialEq)]
pub enum Property {
    /// A single value, as text (numbers and booleans in their JSON spelling).
    Text(String),
    /// A list (`propertyList` / JSON array).
    List(Vec<String>),
    /// Explicitly null.
    Null,
}

impl Property {
    /// The value as one string, as a case compares it.
    pub fn as_text(&self) -> String {
        match self {
            Property::Text(t) => t.clone(),
            Property::List(items) => items.join(","),
            Property::Null => String::new(),
        }
    }
}

/// A link of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The rel as written (possibly namespaced, e.g. `ms:rtc:saas:startMessaging`).
    pub rel: String,
    /// The href as written (relative or absolute).
    pub href: String,
    /// The `revision` attribute, if any.
    pub revision: Option<String>,
}

impl Link {
    /// The rel without a namespace prefix.
    pub fn local_rel(&self) -> &str {
        local_name(&self.rel)
    }
}

/// A rel without its namespace prefix: `ms:rtc:saas:startMessaging` -> `startMessaging`.
pub fn local_name(rel: &str) -> &str {
    rel.rsplit(':').next().unwrap_or(rel)
}

impl Resource {
    /// The first link whose rel (namespace ignored) is `rel`.
    pub fn link(&self, rel: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.local_rel() == rel)
    }

    /// The first embedded resource embedded under `rel`, or else whose own rel is `rel`
    /// (namespaces ignored).
    pub fn embedded(&self, rel: &str) -> Option<&Resource> {
        let under = |r: &&Resource| r.role.as_deref().map(local_name) == Some(rel);
        let typed = |r: &&Resource| r.rel.as_deref().map(local_name) == Some(rel);
        self.embedded
            .iter()
            .find(under)
            .or_else(|| self.embedded.iter().find(typed))
    }
}

/// Parses a resource in the given representation.
pub fn parse_resource(media: Media, body: &str) -> Result<Resource, WireError> {
    match media {
        Media::Json => {
            let value: serde_json::Value = super::parse::json(body)?;
            json_resource(&value, None)
        }
        Media::Xml => {
            let doc = super::parse::xml(body)?;
            let root = doc.root_element();
            if !root.has_tag_name((UCWA_NS, "resource")) {
                return Err(WireError::Shape(format!(
                    "root element is `{}` in namespace `{}`; expected `resource` in `{UCWA_NS}`",
                    root.tag_name().name(),
                    root.tag_name().namespace().unwrap_or("(none)")
                )));
            }
            Ok(xml_resource(root))
        }
    }
}

/// Reads a JSON resource already parsed (embedded in an event, say); `rel` names it when it has no `rel`.
pub fn parse_json_resource(value: &serde_json::Value, rel: Option<&str>) -> Result<Resource, WireError> {
    json_resource(value, rel)
}

/// Reads an XML `<resource>` element.
pub fn parse_xml_resource(node: roxmltree::Node<'_, '_>) -> Resource {
    xml_resource(node)
}

fn json_resource(value: &serde_json::Value, rel: Option<&str>) -> Result<Resource, WireError> {
    let object = value
        .as_object()
        .ok_or_else(|| WireError::Shape("a resource must be a JSON object".into()))?;
    let mut resource = Resource {
        rel: rel.map(str::to_string),
        role: rel.map(str::to_string),
        ..Resource::default()
    };
    for (key, value) in object {
        match key.as_str() {
            "rel" => resource.rel = value.as_str().map(str::to_string),
            "_links" => resource.links = json_links(value)?,
            "_embedded" => resource.embedded = json_embedded(value)?,
            _ => {
                resource.properties.insert(key.clone(), json_property(value));
            }
        }
    }
    resource.href = resource.link("self").map(|l| l.href.clone());
    Ok(resource)
}

fn json_links(value: &serde_json::Value) -> Result<Vec<Link>, WireError> {
    let map = value
        .as_object()
        .ok_or_else(|| WireError::Shape("`_links` must be an object".into()))?;
    let mut links = Vec::new();
    for (rel, item) in map {
        let items: Vec<&serde_json::Value> = match item {
            serde_json::Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            let href = item
                .get("href")
                .and_then(|h| h.as_str())
                .ok_or_else(|| WireError::Shape(format!("link `{rel}` has no string `href`")))?;
            links.push(Link {
                rel: rel.clone(),
                href: href.to_string(),
                revision: item.get("revision").map(|r| match r {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
            });
        }
    }
    Ok(links)
}

fn json_embedded(value: &serde_json::Value) -> Result<Vec<Resource>, WireError> {
    let map = value
        .as_object()
        .ok_or_else(|| WireError::Shape("`_embedded` must be an object".into()))?;
    let mut out = Vec::new();
    for (rel, item) in map {
        match item {
            serde_json::Value::Array(items) => {
                for item in items {
                    out.push(json_resource(item, Some(rel))?);
                }
            }
            other => out.push(json_resource(other, Some(rel))?),
        }
    }
    Ok(out)
}

fn json_property(value: &serde_json::Value) -> Property {
    match value {
        serde_json::Value::Null => Property::Null,
        serde_json::Value::String(s) => Property::Text(s.clone()),
        serde_json::Value::Array(items) => Property::List(
            items
                .iter()
                .map(|i| match i {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        other => Property::Text(other.to_string()),
    }
}

fn xml_resource(node: roxmltree::Node<'_, '_>) -> Resource {
    let mut resource = Resource {
        rel: node.attribute("rel").map(str::to_string),
        role: node.attribute("rel").map(str::to_string),
        href: node.attribute("href").map(str::to_string),
        ..Resource::default()
    };
    for child in node.children().filter(|c| c.is_element()) {
        if child.tag_name().namespace() != Some(UCWA_NS) {
            continue;
        }
        match child.tag_name().name() {
            "link" => {
                if let (Some(rel), Some(href)) = (child.attribute("rel"), child.attribute("href")) {
                    resource.links.push(Link {
                        rel: rel.to_string(),
                        href: href.to_string(),
                        revision: child.attribute("revision").map(str::to_string),
                    });
                }
            }
            "property" => {
                if let Some(name) = child.attribute("name") {
                    let value = child.text().map_or(Property::Null, |t| Property::Text(t.to_string()));
                    resource.properties.insert(name.to_string(), value);
                }
            }
            "propertyList" => {
                if let Some(name) = child.attribute("name") {
                    let items = child
                        .children()
                        .filter(|i| i.is_element())
                        .map(|i| i.text().unwrap_or("").to_string())
                        .collect();
                    resource.properties.insert(name.to_string(), Property::List(items));
                }
            }
            "resource" => resource.embedded.push(xml_resource(child)),
            _ => {}
        }
    }
    if let Some(href) = &resource.href
        && resource.link("self").is_none()
    {
        resource.links.insert(
            0,
            Link {
                rel: "self".into(),
                href: href.clone(),
                revision: None,
            },
        );
    }
    resource
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"rel":"application","id":"42","culture":"en-US","flag":true,
        "_links":{"self":{"href":"/ucwa/oauth/v1/applications/42"},"events":{"href":"/a/42/events?ack=1"}},
        "_embedded":{"communication":{"supportedModalities":["Messaging"],
            "_links":{"self":{"href":"/a/42/communication"},
                      "ms:rtc:saas:startMessaging":{"href":"/a/42/communication/messagingInvitations?endpointId=x","revision":"2"}}}}}"#;

    const XML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
        <resource rel="application" href="/a/42" xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa">
          <link rel="events" href="/a/42/events?ack=1"/>
          <property name="culture">en-US</property>
          <resource rel="communication" href="/a/42/communication">
            <link rel="startMessaging" href="/a/42/communication/messagingInvitations" revision="2"/>
            <propertyList name="supportedModalities"><item>Messaging</item></propertyList>
          </resource>
        </resource>"#;

    #[test]
    fn json_and_xml_read_into_the_same_shape() {
        for (media, body) in [(Media::Json, JSON), (Media::Xml, XML)] {
            let app = parse_resource(media, body).expect("parses");
            assert_eq!(app.rel.as_deref(), Some("application"), "{media}");
            assert!(app.href.is_some(), "{media}");
            assert_eq!(app.properties["culture"], Property::Text("en-US".into()), "{media}");
            let communication = app.embedded("communication").expect("embedded communication");
            let start = communication.link("startMessaging").expect("startMessaging link");
            assert!(start.href.contains("messagingInvitations"), "{media}");
            assert_eq!(start.revision.as_deref(), Some("2"), "{media}");
            assert_eq!(
                communication.properties["supportedModalities"],
                Property::List(vec!["Messaging".into()])
            );
        }
    }

    #[test]
    fn namespaced_rels_match_by_local_name() {
        let app = parse_resource(Media::Json, JSON).expect("parses");
        let link = app.embedded("communication").and_then(|c| c.link("startMessaging"));
        assert_eq!(link.map(|l| l.rel.as_str()), Some("ms:rtc:saas:startMessaging"));
    }

    #[test]
    fn xml_in_another_namespace_is_refused() {
        let error = parse_resource(Media::Xml, r#"<resource xmlns="urn:other" rel="x"/>"#).expect_err("wrong ns");
        assert!(error.to_string().contains("namespace `urn:other`"), "{error}");
    }
}
