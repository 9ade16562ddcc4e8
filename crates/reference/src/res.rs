//! The resource tree the world shows of itself: a resource's rel, href, properties, links and
//! embedded resources, and how it is written in JSON and XML. Plain data, no HTTP: the handlers
//! (`repr`) put it in responses, the world (`world::events`) keeps snapshots of it in events.
//!
//! Written independently of the harness's `wire` module on purpose: the suite must never check
//! the server with the server's own code.

/// The UCWA XML namespace.
pub const NS: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

/// A property value of a resource.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string.
    Text(String),
    /// A list of strings.
    List(Vec<String>),
    /// A moment (milliseconds since the epoch): `\/Date(ms)\/` in JSON, ISO 8601 in XML.
    Date(u128),
}

/// A resource to send: rel, href, properties, links and embedded resources.
#[derive(Debug, Clone)]
pub struct Res {
    rel: String,
    href: String,
    properties: Vec<(String, Value)>,
    links: Vec<(String, String, Option<String>)>,
    embedded: Vec<(String, Res)>,
    embedded_lists: Vec<(String, Vec<Res>)>,
}

impl Res {
    /// A resource with its self href.
    pub fn new(rel: &str, href: impl Into<String>) -> Self {
        Self {
            rel: rel.to_string(),
            href: href.into(),
            properties: Vec::new(),
            links: Vec::new(),
            embedded: Vec::new(),
            embedded_lists: Vec::new(),
        }
    }

    /// Adds a string property.
    pub fn prop(mut self, name: &str, value: impl Into<String>) -> Self {
        self.properties.push((name.to_string(), Value::Text(value.into())));
        self
    }

    /// Its string properties, in the order they were added.
    pub fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.properties.iter().filter_map(|(name, value)| match value {
            Value::Text(text) => Some((name.as_str(), text.as_str())),
            _ => None,
        })
    }

    /// The rels of its links.
    pub fn link_rels(&self) -> impl Iterator<Item = &str> {
        self.links.iter().map(|(rel, _, _)| rel.as_str())
    }

    /// Adds a list property.
    pub fn list(mut self, name: &str, items: &[&str]) -> Self {
        let items = items.iter().map(|s| s.to_string()).collect();
        self.properties.push((name.to_string(), Value::List(items)));
        self
    }

    /// Adds a link.
    pub fn link(mut self, rel: &str, href: impl Into<String>) -> Self {
        self.links.push((rel.to_string(), href.into(), None));
        self
    }

    /// Adds a link with a `revision`.
    pub fn link_rev(mut self, rel: &str, href: impl Into<String>, revision: &str) -> Self {
        self.links
            .push((rel.to_string(), href.into(), Some(revision.to_string())));
        self
    }

    /// Adds a date property.
    pub fn date(mut self, name: &str, millis: u128) -> Self {
        self.properties.push((name.to_string(), Value::Date(millis)));
        self
    }

    /// Embeds a resource under its own rel.
    pub fn embed(mut self, resource: Res) -> Self {
        self.embedded.push((resource.rel.clone(), resource));
        self
    }

    /// Embeds a resource under another relationship (`from`: a participant).
    pub fn embed_as(mut self, relationship: &str, resource: Res) -> Self {
        self.embedded.push((relationship.to_string(), resource));
        self
    }

    /// Embeds resources that JSON writes as an array (`acceptedByParticipant`, say).
    pub fn embed_list(mut self, rel: &str, resources: Vec<Res>) -> Self {
        self.embedded_lists.push((rel.to_string(), resources));
        self
    }

    /// Its rel.
    pub fn rel(&self) -> &str {
        &self.rel
    }

    /// Its href.
    pub fn href(&self) -> &str {
        &self.href
    }

    /// The JSON form.
    pub fn to_json(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        for (name, value) in &self.properties {
            let v = match value {
                Value::Text(t) => serde_json::Value::String(t.clone()),
                Value::List(items) => serde_json::json!(items),
                Value::Date(ms) => serde_json::Value::String(format!("/Date({ms})/")),
            };
            object.insert(name.clone(), v);
        }
        let mut links = serde_json::Map::new();
        links.insert("self".into(), serde_json::json!({ "href": self.href }));
        for (rel, href, revision) in &self.links {
            let mut link = serde_json::json!({ "href": href });
            if let Some(r) = revision {
                link["revision"] = serde_json::json!(r);
            }
            links.insert(rel.clone(), link);
        }
        object.insert("_links".into(), serde_json::Value::Object(links));
        if !self.embedded.is_empty() || !self.embedded_lists.is_empty() {
            let mut embedded = serde_json::Map::new();
            for (relationship, e) in &self.embedded {
                embedded.insert(relationship.clone(), e.to_json());
            }
            for (rel, items) in &self.embedded_lists {
                let items: Vec<serde_json::Value> = items.iter().map(Res::to_json).collect();
                embedded.insert(rel.clone(), serde_json::Value::Array(items));
            }
            object.insert("_embedded".into(), serde_json::Value::Object(embedded));
        }
        object.insert("rel".into(), serde_json::json!(self.rel));
        serde_json::Value::Object(object)
    }

    /// The XML form (without the XML declaration).
    pub fn to_xml(&self, with_ns: bool) -> String {
        let ns = if with_ns {
            format!(" xmlns=\"{NS}\"")
        } else {
            String::new()
        };
        let mut out = format!("<resource rel=\"{}\" href=\"{}\"{ns}>", esc(&self.rel), esc(&self.href));
        for (rel, href, revision) in &self.links {
            let revision = revision
                .as_deref()
                .map(|r| format!(" revision=\"{}\"", esc(r)))
                .unwrap_or_default();
            out.push_str(&format!(
                "<link rel=\"{}\" href=\"{}\"{revision}/>",
                esc(rel),
                esc(href)
            ));
        }
        for (name, value) in &self.properties {
            match value {
                Value::Text(t) => out.push_str(&format!("<property name=\"{}\">{}</property>", esc(name), esc(t))),
                Value::List(items) => {
                    out.push_str(&format!("<propertyList name=\"{}\">", esc(name)));
                    for i in items {
                        out.push_str(&format!("<item>{}</item>", esc(i)));
                    }
                    out.push_str("</propertyList>");
                }
                Value::Date(ms) => {
                    let iso = rfc3339(*ms);
                    out.push_str(&format!("<property name=\"{}\">{}</property>", esc(name), esc(&iso)));
                }
            }
        }
        // XML has no keys: an embedded resource's rel is its relationship.
        for (relationship, e) in &self.embedded {
            let as_role = Res {
                rel: relationship.clone(),
                ..e.clone()
            };
            out.push_str(&as_role.to_xml(false));
        }
        // XML has no arrays: each item is a nested resource whose rel is the relationship.
        for (rel, items) in &self.embedded_lists {
            for item in items {
                let as_role = Res {
                    rel: rel.clone(),
                    ..item.clone()
                };
                out.push_str(&as_role.to_xml(false));
            }
        }
        out.push_str("</resource>");
        out
    }
}

/// Escapes text for XML.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `ms` milliseconds since 1970 as an RFC 3339 UTC timestamp, with the milliseconds when there
/// are any (`2026-11-27T06:26:00.25Z`): how XML writes a date. The proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`; the harness's `clock` has the same arithmetic, and the
/// reference shares no code with the harness).
fn rfc3339(ms: u128) -> String {
    let days = (ms / 86_400_000) as i64 + 719_468;
    let in_day = ms % 86_400_000;
    let era = days / 146_097;
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let (hours, minutes, seconds, millis) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    let mut out = format!("{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}");
    if millis != 0 {
        out.push('.');
        out.push_str(format!("{millis:03}").trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn dates_are_written_as_rfc3339_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_759_560_250), "2026-11-27T06:06:00.25Z");
        assert_eq!(rfc3339(4_107_542_399_999), "2100-02-28T23:59:59.999Z");
        assert_eq!(rfc3339(4_107_542_400_000), "2100-03-01T00:00:00Z");
    }
}
