//! Event-channel batches: JSON (`_links.next`/`resync`, `sender[].events[]` with `link`, `type`,
//! `status`, `reason`, `_embedded`) and XML (`<events>` with `<link rel="next">` and `<sender>`
//! holding one element per event, named by its type).

use super::UCWA_NS;
use super::error_body::ErrorBody;
use super::parse::WireError;
use super::resource::{Resource, parse_json_resource, parse_xml_resource};
use crate::case::Media;

/// One answer of the event channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// The `next` link, when the channel goes on.
    pub next: Option<String>,
    /// The `resync` link, when the server asks the client to resynchronise.
    pub resync: Option<String>,
    /// The events, in order.
    pub events: Vec<Event>,
}

/// One event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The sender's rel (`communication`, `conversation`).
    pub sender: String,
    /// The sender's href (a conversation's own events come under its href).
    pub sender_href: String,
    /// added, updated, deleted, started, completed.
    pub kind: String,
    /// The rel of the resource it is about.
    pub rel: String,
    /// The href of that resource.
    pub href: String,
    /// `Success` or `Failure` on completed operations, when the server says.
    pub status: Option<String>,
    /// Why an operation failed.
    pub reason: Option<ErrorBody>,
    /// The embedded resource, when the event carries one.
    pub resource: Option<Resource>,
}

/// Parses a batch in the given representation.
pub fn parse_batch(media: Media, body: &str) -> Result<Batch, WireError> {
    match media {
        Media::Json => json(body),
        Media::Xml => xml(body),
    }
}

fn json(body: &str) -> Result<Batch, WireError> {
    let value: serde_json::Value = super::parse::json(body)?;
    let link = |rel: &str| value["_links"][rel]["href"].as_str().map(str::to_string);
    let mut batch = Batch {
        next: link("next"),
        resync: link("resync"),
        events: Vec::new(),
    };
    for sender in value["sender"].as_array().into_iter().flatten() {
        let sender_rel = sender["rel"].as_str().unwrap_or_default().to_string();
        let sender_href = sender["href"].as_str().unwrap_or_default().to_string();
        for e in sender["events"].as_array().into_iter().flatten() {
            let rel = e["link"]["rel"]
                .as_str()
                .ok_or_else(|| WireError::Shape("an event has no link.rel".into()))?
                .to_string();
            let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
            let reason = e.get("reason").filter(|r| r.is_object()).map(|r| ErrorBody {
                code: text(&r["code"]).unwrap_or_default(),
                subcode: text(&r["subcode"]),
                message: text(&r["message"]),
            });
            let resource = match e["_embedded"].get(&rel) {
                Some(embedded) => Some(parse_json_resource(embedded, Some(&rel))?),
                None => None,
            };
            batch.events.push(Event {
                sender: sender_rel.clone(),
                sender_href: sender_href.clone(),
                kind: text(&e["type"]).ok_or_else(|| WireError::Shape("an event has no type".into()))?,
                href: text(&e["link"]["href"]).unwrap_or_default(),
                rel,
                status: text(&e["status"]),
                reason,
                resource,
            });
        }
    }
    Ok(batch)
}

fn xml(body: &str) -> Result<Batch, WireError> {
    let doc = super::parse::xml(body)?;
    let root = doc.root_element();
    if !root.has_tag_name((UCWA_NS, "events")) {
        return Err(WireError::Shape(format!(
            "root element is `{}` in namespace `{}`; expected `events` in `{UCWA_NS}`",
            root.tag_name().name(),
            root.tag_name().namespace().unwrap_or("(none)")
        )));
    }
    let ucwa = |n: &roxmltree::Node<'_, '_>, name: &str| n.has_tag_name((UCWA_NS, name));
    let link = |rel: &str| {
        root.children()
            .find(|c| ucwa(c, "link") && c.attribute("rel") == Some(rel))
            .and_then(|c| c.attribute("href"))
            .map(str::to_string)
    };
    let mut batch = Batch {
        next: link("next"),
        resync: link("resync"),
        events: Vec::new(),
    };
    for sender in root.children().filter(|c| ucwa(c, "sender")) {
        for e in sender
            .children()
            .filter(|c| c.is_element() && c.tag_name().namespace() == Some(UCWA_NS))
        {
            let reason = e.children().find(|c| ucwa(c, "reason")).map(|r| {
                let child = |name: &str| {
                    r.children()
                        .find(|c| ucwa(c, name))
                        .and_then(|c| c.text())
                        .map(|t| t.trim().to_string())
                };
                ErrorBody {
                    code: child("code").unwrap_or_default(),
                    subcode: child("subcode"),
                    message: child("message"),
                }
            });
            batch.events.push(Event {
                sender: sender.attribute("rel").unwrap_or_default().to_string(),
                sender_href: sender.attribute("href").unwrap_or_default().to_string(),
                kind: e.tag_name().name().to_string(),
                rel: e.attribute("rel").unwrap_or_default().to_string(),
                href: e.attribute("href").unwrap_or_default().to_string(),
                status: e.attribute("status").map(str::to_string),
                reason,
                resource: e.children().find(|c| ucwa(c, "resource")).map(parse_xml_resource),
            });
        }
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"_links":{"self":{"href":"/e?ack=1"},"next":{"href":"/e?ack=2"}},
      "sender":[{"rel":"communication","href":"/c","events":[
        {"link":{"rel":"messagingInvitation","href":"/c/mi/1"},"type":"started",
         "_embedded":{"messagingInvitation":{"operationId":"op","state":"Connecting","_links":{"self":{"href":"/c/mi/1"}}}}},
        {"link":{"rel":"messagingInvitation","href":"/c/mi/1"},"type":"completed","status":"Failure",
         "reason":{"code":"RemoteFailure","subcode":"Declined","message":"m"}}]}]}"#;

    const XML: &str = r#"<events xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa" href="/e?ack=1">
      <link rel="next" href="/e?ack=2"/>
      <sender rel="communication" href="/c">
        <started rel="messagingInvitation" href="/c/mi/1">
          <resource rel="messagingInvitation" href="/c/mi/1"><property name="operationId">op</property><property name="state">Connecting</property></resource>
        </started>
        <completed rel="messagingInvitation" href="/c/mi/1" status="Failure">
          <reason><code>RemoteFailure</code><subcode>Declined</subcode><message>m</message></reason>
        </completed>
      </sender>
    </events>"#;

    #[test]
    fn json_and_xml_batches_read_the_same() {
        for (media, body) in [(Media::Json, JSON), (Media::Xml, XML)] {
            let batch = parse_batch(media, body).expect("parses");
            assert_eq!(batch.next.as_deref(), Some("/e?ack=2"), "{media}");
            assert_eq!(batch.events.len(), 2, "{media}");
            let started = &batch.events[0];
            assert_eq!(
                (started.sender.as_str(), started.kind.as_str(), started.rel.as_str()),
                ("communication", "started", "messagingInvitation")
            );
            let op = started
                .resource
                .as_ref()
                .and_then(|r| r.properties.get("operationId"))
                .map(|p| p.as_text());
            assert_eq!(op.as_deref(), Some("op"), "{media}");
            let completed = &batch.events[1];
            assert_eq!(completed.status.as_deref(), Some("Failure"), "{media}");
            assert_eq!(
                completed.reason.as_ref().and_then(|r| r.subcode.as_deref()),
                Some("Declined"),
                "{media}"
            );
        }
    }

    #[test]
    fn resync_and_empty_batches() {
        let batch = parse_batch(
            Media::Json,
            r#"{"_links":{"self":{"href":"/e?ack=9"},"resync":{"href":"/e?ack=3"}}}"#,
        )
        .expect("parses");
        assert_eq!(
            batch,
            Batch {
                next: None,
                resync: Some("/e?ack=3".into()),
                events: vec![]
            }
        );
    }
}
