//! The serde mirror of a case file: field names exactly as written, with spans, and no rules.
//!
//! Nothing outside `case` sees these types: `load` validates them into the model first.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A whole case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub spec: Spanned<Vec<Spanned<String>>>,
    pub severity: Spanned<String>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub media: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub needs: Vec<Spanned<String>>,
    #[serde(default)]
    pub interpretation: Option<Spanned<String>>,
    #[serde(rename = "step")]
    pub steps: Spanned<Vec<Spanned<RawStep>>>,
}

/// One request of a case and what its response must be.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub method: Option<Spanned<String>>,
    pub wait: Option<Spanned<RawWait>>,
    pub rel: Option<Spanned<String>>,
    pub href: Option<Spanned<String>>,
    #[serde(default)]
    pub query: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    pub body: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    pub links: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    pub raw: Option<Spanned<RawBody>>,
    pub auth: Option<Spanned<String>>,
    #[serde(rename = "as")]
    pub identity: Option<Spanned<String>>,
    pub fault: Option<Spanned<String>>,
    pub expect: Option<Spanned<RawExpect>>,
    #[serde(default)]
    pub capture: BTreeMap<String, Spanned<RawCapture>>,
}

/// A wait on the event channel.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWait {
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub rel: Spanned<String>,
    pub operation_id: Option<Spanned<String>>,
    pub sender: Option<Spanned<String>>,
    pub href: Option<Spanned<String>>,
    #[serde(rename = "where", default)]
    pub filter: BTreeMap<String, Spanned<String>>,
    pub within_ms: Spanned<u64>,
}

/// A body sent exactly as written, per media type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBody {
    pub json: Option<String>,
    pub xml: Option<String>,
}

/// The expected response of a step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub status: Option<Spanned<RawStatus>>,
    pub code: Option<Spanned<String>>,
    pub subcode: Option<Spanned<RawSubcode>>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<RawHeaderExpect>>,
    pub resource: Option<Spanned<RawResourceExpect>>,
    pub event: Option<Spanned<RawEventExpect>>,
}

/// Rules for an event found by a wait step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEventExpect {
    pub status: Option<String>,
    pub sender: Option<String>,
    #[serde(default)]
    pub after_previous: bool,
    #[serde(default)]
    pub reason: bool,
    pub reason_code: Option<String>,
    pub reason_subcode: Option<String>,
}

/// `subcode = "Name"` or `subcode = false` (no subcode allowed).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawSubcode {
    Name(String),
    Present(bool),
}

/// One header rule: exactly one of the fields is set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeaderExpect {
    pub present: Option<bool>,
    pub equals: Option<String>,
    pub matches: Option<String>,
}

/// Rules for a UCWA resource in the response body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResourceExpect {
    pub rel: Option<Spanned<String>>,
    #[serde(default)]
    pub properties: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub links: Vec<Spanned<String>>,
    #[serde(default)]
    pub embedded: Vec<Spanned<String>>,
}

/// Where a captured value comes from: exactly one field is set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapture {
    pub header: Option<String>,
    pub property: Option<String>,
    pub link: Option<String>,
}

/// `status = 201`, or `status = [201, 400]` where the page allows either.
#[derive(Debug)]
pub struct RawStatus(pub Vec<u16>);

impl<'de> Deserialize<'de> for RawStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawStatus;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an HTTP status, or a list of the statuses allowed")
            }
            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<RawStatus, E> {
                u16::try_from(value)
                    .map(|s| RawStatus(vec![s]))
                    .map_err(|_| E::custom(format!("status {value} is not an HTTP status")))
            }
            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<RawStatus, E> {
                self.visit_i64(i64::try_from(value).unwrap_or(i64::MAX))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawStatus, A::Error> {
                let mut all = Vec::new();
                while let Some(status) = seq.next_element::<u16>()? {
                    all.push(status);
                }
                Ok(RawStatus(all))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
