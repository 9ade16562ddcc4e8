//! Response snapshots: each exchange (case x media type x step) reduced to what matters (status,
//! Content-Type, Location, the body in a canonical form) with volatile values replaced (origins,
//! ids in hrefs, 32-hex ids, dates), then compared with the stored one under
//! `snapshots/<target>/`.
//!
//! Normalising is a pure function of a response. Files are insta's: read and compared with
//! insta's own types (its normalisation of contents), written in its format, so pending
//! snapshots can be reviewed with `cargo insta review`. insta's assertion macros are not used:
//! they panic on a difference and take their settings from the environment, and a run needs
//! neither.

use crate::judge::verdict::{CaseResult, SnapshotChange, SnapshotChangeKind};
use crate::record::exchange::{Exchange, RecordedResponse};
use crate::under_test::secret::Redactor;
use crate::wire::{Family, family};
use insta::TextSnapshotKind;
use insta::internals::TextSnapshotContents;
use regex::Regex;
use std::path::PathBuf;
use std::sync::LazyLock;

/// How a run treats snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No snapshots.
    Off,
    /// Compare; a change is shown beside the outcome, never a failure (new and changed
    /// snapshots are written as pending `.snap.new` files).
    Check,
    /// Compare and accept: write every new or changed snapshot.
    Update,
    /// Compare; a change fails the case.
    Strict,
}

/// Largest body kept in a snapshot.
const MAX_SNAPSHOT_BODY: usize = 8000;

/// An origin with an explicit port (the embedded reference listens on a random one).
static ORIGIN: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"https?://[A-Za-z0-9.\-\[\]]+:[0-9]+").ok());
static NUMBER_IN_PATH: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"/[0-9]+\b").ok());
static HEX32: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\b[0-9a-f]{32}\b").ok());
static UUID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b").ok()
});
static ACK: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"ack=[0-9]+").ok());
/// A server-assigned numeric `id` property (an application's), in JSON and in canonical XML.
static ID_PROPERTY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"("id": "|<property name="id"> )[0-9]+"#).ok());
static DATE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\\?/Date\([0-9+-]+\)\\?/").ok());
/// An ISO 8601 moment, as XML representations write dates.
static ISO_DATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?").ok()
});

/// Replaces values that change from run to run.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_string();
    let rules: [(&LazyLock<Option<Regex>>, &str); 8] = [
        (&ORIGIN, "{origin}"),
        (&ID_PROPERTY, "${1}{n}"),
        (&UUID, "{uuid}"),
        (&HEX32, "{hex}"),
        (&DATE, "{date}"),
        (&ISO_DATE, "{date}"),
        (&ACK, "ack={n}"),
        (&NUMBER_IN_PATH, "/{n}"),
    ];
    for (pattern, replacement) in rules {
        if let Some(re) = pattern.as_ref() {
            out = re.replace_all(&out, replacement).into_owned();
        }
    }
    out
}

/// The snapshot text of a recorded exchange (already redacted): for a response, its status, the
/// headers that matter and the canonical body; for an event, its description; volatile values
/// replaced. `None` when nothing came back. Snapshots and `diff` both compare this form.
pub fn of_exchange(exchange: &Exchange) -> Option<String> {
    match exchange {
        Exchange::Http {
            response: Some(response),
            ..
        } => Some(of_response(response)),
        Exchange::Http { response: None, .. } | Exchange::Event { event: None, .. } => None,
        Exchange::Event { event: Some(text), .. } => Some(scrub(text)),
    }
}

fn of_response(response: &RecordedResponse) -> String {
    let mut out = format!("status: {}\n", response.status);
    let content_type = response.header("content-type").unwrap_or("");
    if !content_type.is_empty() {
        out.push_str(&format!(
            "content-type: {}\n",
            content_type.to_ascii_lowercase().replace(' ', "")
        ));
    }
    for name in ["location", "www-authenticate"] {
        for header in response.headers.iter().filter(|h| h.name.eq_ignore_ascii_case(name)) {
            out.push_str(&format!("{name}: {}\n", header.value));
        }
    }
    let text = response
        .body
        .as_ref()
        .map(|b| b.whole_text().unwrap_or_else(|| b.display()))
        .unwrap_or_default();
    if !text.is_empty() {
        out.push_str("body:\n");
        out.push_str(&canonical_body(content_type, &text));
        out.push('\n');
    }
    scrub(&out)
}

/// JSON with sorted keys, pretty; XML as one line per element with sorted attributes; else the text.
fn canonical_body(content_type: &str, text: &str) -> String {
    let canonical = match family(content_type) {
        Family::Json => crate::wire::parse::json(text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&sorted(v)).ok()),
        // Within the nesting limit, so the walk below is bounded; deeper bodies stay as text.
        Family::Xml => crate::wire::parse::xml(text).ok().map(|doc| {
            let mut out = String::new();
            xml_lines(doc.root_element(), 0, &mut out);
            out
        }),
        Family::Other => None,
    };
    let body = canonical.unwrap_or_else(|| text.to_string());
    body.chars().take(MAX_SNAPSHOT_BODY).collect()
}

/// `value` with the keys of every object in order (objects keep the order a server wrote; a
/// snapshot must not depend on it). Bounded by the nesting limit `value` was read within.
fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(String, serde_json::Value)> = map.into_iter().collect();
            // By the key as the snapshot shows it: a volatile key (a GUID) sorts as `{uuid}`.
            entries.sort_by_cached_key(|(k, _)| scrub(k));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn xml_lines(node: roxmltree::Node<'_, '_>, depth: usize, out: &mut String) {
    let mut attributes: Vec<String> = node
        .attributes()
        .map(|a| format!("{}=\"{}\"", a.name(), a.value()))
        .collect();
    attributes.sort();
    let text = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect::<String>();
    let text = text.trim();
    // The UCWA namespace is the norm and goes unsaid; any other is shown.
    let namespace = match node.tag_name().namespace() {
        Some(crate::wire::UCWA_NS) | None => String::new(),
        Some(other) => format!(" {{{other}}}"),
    };
    out.push_str(&format!("{}<{}{namespace}", "  ".repeat(depth), node.tag_name().name()));
    for a in attributes {
        out.push(' ');
        out.push_str(&a);
    }
    out.push('>');
    if !text.is_empty() {
        out.push_str(&format!(" {text}"));
    }
    out.push('\n');
    for child in node.children().filter(|c| c.is_element()) {
        xml_lines(child, depth + 1, out);
    }
}

/// Where a target's snapshots live, and how to treat them.
#[derive(Debug, Clone)]
pub struct Store {
    /// `snapshots/<target>` (absolute).
    pub dir: PathBuf,
    /// The mode.
    pub mode: Mode,
    /// Snapshots compiled into the binary, compared when `dir` has none of a name (the embedded
    /// reference's own, so a first run in an empty directory writes nothing it need not).
    pub built_in: Option<&'static include_dir::Dir<'static>>,
}

impl Store {
    /// The store for `target` under `root` (the project's `snapshots/` directory).
    pub fn new(root: PathBuf, target: &str, mode: Mode) -> Self {
        let safe: String = target
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Self {
            dir: root.join(safe),
            mode,
            built_in: None,
        }
    }

    /// The same store, falling back on snapshots compiled into the binary.
    pub fn with_built_in(mut self, snapshots: &'static include_dir::Dir<'static>) -> Self {
        self.built_in = Some(snapshots);
        self
    }

    /// The stored snapshot of `name`: the directory's, else the built-in one.
    fn stored(&self, name: &str) -> Option<TextSnapshotContents> {
        let path = self.dir.join(format!("{name}.snap"));
        if let Some(found) = insta::Snapshot::from_file(&path)
            .ok()
            .and_then(|s| s.as_text().cloned())
        {
            return Some(found);
        }
        let text = self.built_in?.get_file(format!("{name}.snap"))?.contents_utf8()?;
        // The body of an insta file: what follows the second `---` line.
        let body = text.strip_prefix("---\n")?.split_once("\n---\n")?.1;
        Some(TextSnapshotContents::new(body.to_string(), TextSnapshotKind::File))
    }

    /// Compares every exchange of `result` with its stored snapshot; returns the snapshots that
    /// are new or changed, each with a unified diff from the stored one when it changed. A new or
    /// changed snapshot is written as a pending `.snap.new` file (`cargo insta review` reads
    /// them), or over the stored one with [`Mode::Update`]; a pending file of a snapshot that
    /// matches again is removed. Each snapshot passes `redactor` last: normalising decodes
    /// escapes (XML entities, say), which may spell a secret the recorded text did not show.
    pub fn compare(&self, result: &CaseResult, redactor: &Redactor) -> Vec<Change> {
        if self.mode == Mode::Off {
            return Vec::new();
        }
        let mut changed = Vec::new();
        for (step, exchange) in result.exchanges.iter().enumerate() {
            let Some(snapshot) = of_exchange(exchange) else {
                continue;
            };
            let now = TextSnapshotContents::new(redactor.redact(&snapshot), TextSnapshotKind::File);
            let name = format!("{}@{}-{}", result.id, step + 1, result.media);
            let path = self.dir.join(format!("{name}.snap"));
            let pending = self.dir.join(format!("{name}.snap.new"));
            let stored = self.stored(&name);
            let stored = stored.as_ref();
            if stored.is_some_and(|s| s.matches_latest(&now)) {
                let _ = std::fs::remove_file(&pending);
                continue;
            }
            let description = format!("{} [{}] step {}: {}", result.id, result.media, step + 1, result.title);
            let written = if self.mode == Mode::Update { &path } else { &pending };
            // A snapshot that cannot be written is still reported as changed.
            let _ = write_snapshot(written, &description, &now);
            if self.mode == Mode::Update {
                let _ = std::fs::remove_file(&pending);
            }
            let diff = stored.map(|s| unified_diff(&s.to_string(), &now.to_string()));
            changed.push(Change { name, diff });
        }
        changed
    }
}

/// Writes a snapshot file in insta's format: a YAML header (source and description), `---`,
/// the contents.
fn write_snapshot(path: &std::path::Path, description: &str, contents: &TextSnapshotContents) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // A JSON string is a valid YAML double-quoted scalar.
    let quoted = serde_json::to_string(description).unwrap_or_default();
    let text = format!("---\nsource: {SOURCE}\ndescription: {quoted}\n---\n{contents}\n");
    std::fs::write(path, text)
}

/// What a snapshot file names as its source: the command that wrote it.
const SOURCE: &str = "ucwa-conformance run";

/// A snapshot that is new or differs from the stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `id@step-media`.
    pub name: String,
    /// The unified diff from the stored snapshot; `None` when there was none (a new snapshot).
    pub diff: Option<String>,
}

impl Change {
    /// The change as a result records it (without its diff).
    pub fn recorded(&self) -> SnapshotChange {
        SnapshotChange {
            snapshot: self.name.clone(),
            kind: match self.diff {
                Some(_) => SnapshotChangeKind::Changed,
                None => SnapshotChangeKind::New,
            },
        }
    }
}

/// A unified diff of two snapshot texts, a little context around each change.
fn unified_diff(stored: &str, now: &str) -> String {
    similar::TextDiff::from_lines(stored.trim_end(), now.trim_end())
        .unified_diff()
        .context_radius(2)
        .header("stored", "now")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_snapshots_are_insta_files() {
        // cargo-insta reads pending snapshots with the same reader.
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("case@1-json.snap.new");
        let contents = TextSnapshotContents::new("status: 201\nbody:\n\"quoted\"\n".into(), TextSnapshotKind::File);
        write_snapshot(&path, "case [json] step 1: a \"title\" with: colons", &contents).expect("written");
        let read = insta::Snapshot::from_file(&path).expect("insta reads it");
        assert_eq!(
            read.metadata().description(),
            Some("case [json] step 1: a \"title\" with: colons")
        );
        assert!(read.as_text().is_some_and(|t| t.matches_latest(&contents)));
    }

    #[test]
    fn dates_in_both_representations_are_replaced() {
        assert_eq!(
            scrub("timeStamp: /Date(1364327898968)/ and 2026-11-27T14:30:00.123Z"),
            "timeStamp: {date} and {date}"
        );
    }

    #[test]
    fn volatile_values_are_replaced() {
        let text = "location: /ucwa/oauth/v1/applications/101/communication/messagingInvitations/7\n\
                    href: http://127.0.0.1:4321/x/events?ack=3 op 5e45fa9c94d54aa7beb1df8b28d1c3b1";
        assert_eq!(
            scrub(text),
            "location: /ucwa/oauth/v1/applications/{n}/communication/messagingInvitations/{n}\n\
             href: {origin}/x/events?ack={n} op {hex}"
        );
    }

    #[test]
    fn bodies_are_canonical_whatever_the_order() {
        let a = canonical_body("application/json", r#"{"b":1,"a":{"d":2,"c":3}}"#);
        let b = canonical_body("application/json; charset=utf-8", r#"{"a":{"c":3,"d":2},"b":1}"#);
        assert_eq!(a, b);
        let x = canonical_body("application/xml", r#"<r xmlns="urn:x" b="2" a="1"><c>t</c></r>"#);
        assert_eq!(x, "<r {urn:x} a=\"1\" b=\"2\">\n  <c {urn:x}> t\n");
    }
}
