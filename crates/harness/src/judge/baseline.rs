//! Baselines: a target's known failures (case, media type, reason, link, optional expiry), so a
//! CI gate can be switched on before everything passes. A listed failure becomes expected-fail; a
//! listed case that passes is an unexpected pass; an expired entry no longer excuses anything.

use crate::case::Media;
use crate::clock::Date;
use crate::diag::FileError;
use crate::judge::standing;
use crate::judge::verdict::{CaseResult, Outcome};
use serde::Deserialize;
use std::path::Path;

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The case id.
    pub case: String,
    /// The media type, or both when absent.
    pub media: Option<Media>,
    /// Why it fails (a vendor's words, a ticket title).
    pub reason: String,
    /// A link to the ticket, if any.
    pub link: Option<String>,
    /// The last day the entry excuses the failure, if it expires.
    pub expires: Option<Date>,
}

impl Entry {
    fn matches(&self, id: &str, media: Media) -> bool {
        self.case == id && self.media.is_none_or(|m| m == media)
    }

    fn excuse(&self) -> String {
        match &self.link {
            Some(link) => format!("{} ({link})", self.reason),
            None => self.reason.clone(),
        }
    }
}

/// A target's known failures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    #[serde(default, rename = "known")]
    entries: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    case: String,
    media: Option<toml::Spanned<String>>,
    reason: String,
    link: Option<String>,
    expires: Option<toml::Spanned<toml::Value>>,
}

/// Reads a baseline file; a missing file is an empty baseline (the CLI refuses one unless
/// `--update-baseline` is to create it).
pub fn load(path: &Path) -> Result<Baseline, FileError> {
    let source = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Baseline::default()),
        Err(e) => return Err(FileError::unreadable(path, format!("cannot read the baseline: {e}"))),
    };
    let raw: RawBaseline = toml::from_str(&source)
        .map_err(|e| FileError::new(path, &source, e.span().unwrap_or(0..0), e.message().trim().to_string()))?;
    let mut entries = Vec::new();
    for e in raw.entries {
        let media = match &e.media {
            None => None,
            Some(m) => Some(Media::from_name(m.get_ref()).ok_or_else(|| {
                FileError::new(path, &source, m.span(), format!("unknown media type `{}`", m.get_ref()))
            })?),
        };
        let expires = match &e.expires {
            None => None,
            Some(d) => Some(expiry(d.get_ref()).map_err(|e| FileError::new(path, &source, d.span(), e.to_string()))?),
        };
        entries.push(Entry {
            case: e.case,
            media,
            reason: e.reason,
            link: e.link,
            expires,
        });
    }
    Ok(Baseline { entries })
}

impl Baseline {
    /// The entry excusing `id` in `media` on `today`, if one does (expired entries do not).
    pub fn excuse(&self, id: &str, media: Media, today: Date) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.matches(id, media) && e.expires.is_none_or(|d| today <= d))
    }

    /// Entries that have expired by `today`.
    pub fn expired(&self, today: Date) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.expires.is_some_and(|d| today > d))
            .collect()
    }

    /// Turns a listed failure into expected-fail and a listed pass into unexpected-pass.
    pub fn apply(&self, result: &mut CaseResult, today: Date) {
        let Some(entry) = self.excuse(&result.id, result.media, today) else {
            return;
        };
        let outcome = match result.outcome {
            Outcome::Fail | Outcome::ShouldDeviation => Outcome::KnownFailure,
            Outcome::Pass => Outcome::UnexpectedPass,
            Outcome::Skip
            | Outcome::Error
            | Outcome::KnownFailure
            | Outcome::UnexpectedPass
            | Outcome::Flaky
            | Outcome::NotRun => return,
        };
        result.outcome = outcome;
        result.reason = Some(entry.excuse());
    }

    /// The baseline that lists exactly the failures of `results`, and what changed: entries that
    /// still fail keep their place, reason and link (an expired one is renewed: its `expires` is
    /// dropped, and the change says so); new failures are appended at the end, with a reason
    /// naming the date they were added; entries whose trials no longer fail are dropped.
    pub fn updated(&self, results: &[CaseResult], today: Date, strict: bool) -> (Baseline, Vec<String>) {
        let mut failing: Vec<&CaseResult> = results
            .iter()
            .filter(|r| {
                r.outcome == Outcome::KnownFailure || (r.outcome.found_differences() && standing::of(r, strict).counts)
            })
            .collect();
        failing.sort_by(|a, b| (&a.id, a.media).cmp(&(&b.id, b.media)));
        let mut entries: Vec<Entry> = Vec::new();
        let mut changes = Vec::new();
        for known in &self.entries {
            let still: Vec<&CaseResult> = failing
                .iter()
                .copied()
                .filter(|r| known.matches(&r.id, r.media))
                .collect();
            if still.is_empty() {
                changes.push(format!("dropped {} (it no longer fails)", name_of(known)));
                continue;
            }
            let expired = known.expires.is_some_and(|d| today > d);
            if expired {
                changes.push(format!(
                    "renewed {} (its expires date {} had passed and it still fails; give it a new one)",
                    name_of(known),
                    known.expires.map(|d| d.to_string()).unwrap_or_default()
                ));
            }
            let expires = if expired { None } else { known.expires };
            // An entry for every media type whose trials all still fail stays one entry.
            let every_media = results.iter().filter(|r| r.id == known.case).count() == still.len();
            if known.media.is_none() && every_media {
                entries.push(Entry {
                    expires,
                    ..known.clone()
                });
                continue;
            }
            for r in still {
                entries.push(Entry {
                    media: Some(r.media),
                    expires,
                    ..known.clone()
                });
            }
        }
        for r in failing {
            if self.entries.iter().any(|e| e.matches(&r.id, r.media)) {
                continue;
            }
            changes.push(format!("added {} [{}]", r.id, r.media));
            entries.push(Entry {
                case: r.id.clone(),
                media: Some(r.media),
                reason: format!("failing when the baseline was updated on {today}"),
                link: None,
                expires: None,
            });
        }
        (Baseline { entries }, changes)
    }

    /// Entries that name no case of `cases` (id and media types), each with the nearest ids:
    /// a typo in a baseline would excuse nothing while looking as if it did.
    pub fn unknown(&self, cases: &[(&str, &[Media])]) -> Vec<(String, Vec<String>)> {
        self.entries
            .iter()
            .filter(|e| {
                !cases
                    .iter()
                    .any(|(id, media)| *id == e.case && e.media.is_none_or(|m| media.contains(&m)))
            })
            .map(|e| {
                let nearest = crate::diag::nearest(&e.case, cases.iter().map(|(id, _)| *id), usize::MAX, 3);
                (name_of(e), nearest.into_iter().map(str::to_string).collect())
            })
            .collect()
    }

    /// The baseline as a TOML file. With the `original` file's text, that document is edited
    /// (toml_edit): its comments, key order and formatting stay, each entry that is kept keeps
    /// its table, and only new entries are written anew.
    pub fn to_toml(&self, original: Option<&str>) -> String {
        let mut doc = original
            .and_then(|text| text.parse::<toml_edit::DocumentMut>().ok())
            .unwrap_or_else(|| {
                let mut doc = toml_edit::DocumentMut::new();
                doc.decor_mut()
                    .set_prefix("# Known failures of this target (ucwa-conformance baseline).\n");
                doc
            });
        let old: Vec<toml_edit::Table> = doc
            .get("known")
            .and_then(toml_edit::Item::as_array_of_tables)
            .map(|tables| tables.iter().cloned().collect())
            .unwrap_or_default();
        let mut known = toml_edit::ArrayOfTables::new();
        let mut used = vec![false; old.len()];
        for entry in &self.entries {
            let kept = old.iter().position(|t| {
                let media = t.get("media").and_then(toml_edit::Item::as_str);
                t.get("case").and_then(toml_edit::Item::as_str) == Some(entry.case.as_str())
                    && media.is_none_or(|m| Some(m) == entry.media.map(Media::as_str))
            });
            known.push(match kept {
                Some(index) => {
                    let mut table = old[index].clone();
                    // An entry split by media type: its comment goes with the first part only.
                    if std::mem::replace(&mut used[index], true) {
                        table.decor_mut().set_prefix("\n");
                    }
                    if let Some(m) = entry.media
                        && table.get("media").and_then(toml_edit::Item::as_str) != Some(m.as_str())
                    {
                        table["media"] = toml_edit::value(m.as_str());
                    }
                    // A renewed entry loses its passed date in the file too, not only in memory.
                    match entry.expires {
                        None => {
                            table.remove("expires");
                        }
                        Some(date) if written_date(&table) != Some(date) => {
                            table["expires"] = toml_edit::value(date_value(date));
                        }
                        Some(_) => {}
                    }
                    table
                }
                None => new_table(entry),
            });
        }
        // The comment above the first entry is the file's header: it stays at the top even when
        // that entry is dropped.
        let header = old.first().and_then(|t| t.decor().prefix()).cloned();
        if let (Some(header), Some(first)) = (header, known.iter_mut().next())
            && first.decor().prefix() != Some(&header)
        {
            first.decor_mut().set_prefix(header);
        }
        doc["known"] = toml_edit::Item::ArrayOfTables(known);
        doc.to_string()
    }
}

/// `case [media]`, or the case alone for both media types.
fn name_of(entry: &Entry) -> String {
    match entry.media {
        Some(m) => format!("{} [{m}]", entry.case),
        None => entry.case.clone(),
    }
}

/// The `expires` date a kept table holds, as TOML or as a `"YYYY-MM-DD"` string.
fn written_date(table: &toml_edit::Table) -> Option<Date> {
    let item = table.get("expires")?;
    match item.as_value()? {
        toml_edit::Value::String(text) => crate::clock::parse_date(text.value()).ok(),
        toml_edit::Value::Datetime(d) => crate::clock::parse_date(&d.value().to_string()).ok(),
        _ => None,
    }
}

/// A date as a TOML date value (`expires = 2027-03-31`).
fn date_value(date: Date) -> toml_edit::Value {
    match date.to_string().parse::<toml_edit::Datetime>() {
        Ok(datetime) => toml_edit::Value::from(datetime),
        Err(_) => toml_edit::Value::from(date.to_string()),
    }
}

/// A `[[known]]` table for a new entry.
fn new_table(entry: &Entry) -> toml_edit::Table {
    let mut table = toml_edit::Table::new();
    table["case"] = toml_edit::value(entry.case.as_str());
    if let Some(m) = entry.media {
        table["media"] = toml_edit::value(m.as_str());
    }
    table["reason"] = toml_edit::value(entry.reason.as_str());
    if let Some(link) = &entry.link {
        table["link"] = toml_edit::value(link.as_str());
    }
    if let Some(date) = entry.expires {
        table["expires"] = toml_edit::value(date_value(date));
    }
    table.decor_mut().set_prefix("\n");
    table
}

/// Why an `expires` value is not a date.
#[derive(Debug, thiserror::Error)]
enum ExpiryError {
    /// A string that does not read as `YYYY-MM-DD`.
    #[error("{0}")]
    Text(String),
    /// A TOML date that does not exist (`2027-02-30`).
    #[error("`{value}` is not a date: {why}")]
    Impossible {
        /// The value as written.
        value: String,
        /// Why it is not a date.
        why: String,
    },
    /// A date with a time.
    #[error("`{0}`: expires takes a date without a time")]
    WithTime(String),
    /// Neither a date nor a string.
    #[error("`{0}` is not a date (write expires = 2027-03-31)")]
    NotADate(String),
}

/// An `expires` value: a TOML date (`2027-03-31`) or a `"YYYY-MM-DD"` string; impossible dates
/// are refused.
fn expiry(value: &toml::Value) -> Result<Date, ExpiryError> {
    match value {
        toml::Value::String(text) => crate::clock::parse_date(text).map_err(|e| ExpiryError::Text(e.to_string())),
        toml::Value::Datetime(datetime) => match (datetime.date, datetime.time) {
            (Some(d), None) => crate::clock::parse_date(&d.to_string()).map_err(|e| ExpiryError::Impossible {
                value: datetime.to_string(),
                why: e.reason.to_string(),
            }),
            _ => Err(ExpiryError::WithTime(datetime.to_string())),
        },
        other => Err(ExpiryError::NotADate(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Severity;

    fn result(id: &str, media: Media, outcome: Outcome) -> CaseResult {
        CaseResult::new(id, media, Severity::Must, outcome)
    }

    fn baseline(text: &str) -> Baseline {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("b.toml");
        std::fs::write(&path, text).expect("write");
        load(&path).expect("valid baseline")
    }

    const TODAY: Date = match Date::new(2026, 11, 27) {
        Some(date) => date,
        None => panic!("a date that exists"),
    };

    #[test]
    fn a_known_failure_is_expected_and_a_known_pass_is_unexpected() {
        let b = baseline("[[known]]\ncase = \"a\"\nreason = \"ticket 7\"\nlink = \"https://t/7\"\n");
        let mut failed = result("a", Media::Xml, Outcome::Fail);
        b.apply(&mut failed, TODAY);
        assert_eq!(failed.outcome, Outcome::KnownFailure);
        assert_eq!(failed.reason.as_deref(), Some("ticket 7 (https://t/7)"));
        let mut passed = result("a", Media::Json, Outcome::Pass);
        b.apply(&mut passed, TODAY);
        assert_eq!(passed.outcome, Outcome::UnexpectedPass);
        let mut other = result("b", Media::Json, Outcome::Fail);
        b.apply(&mut other, TODAY);
        assert_eq!(other.outcome, Outcome::Fail);
    }

    #[test]
    fn an_expired_entry_excuses_nothing_and_media_is_respected() {
        let b = baseline("[[known]]\ncase = \"a\"\nmedia = \"xml\"\nreason = \"r\"\nexpires = \"2026-11-26\"\n");
        let mut failed = result("a", Media::Xml, Outcome::Fail);
        b.apply(&mut failed, TODAY);
        assert_eq!(failed.outcome, Outcome::Fail);
        assert_eq!(b.expired(TODAY).len(), 1);
        let fresh = baseline("[[known]]\ncase = \"a\"\nmedia = \"xml\"\nreason = \"r\"\nexpires = \"2026-11-27\"\n");
        let mut json = result("a", Media::Json, Outcome::Fail);
        fresh.apply(&mut json, TODAY);
        assert_eq!(json.outcome, Outcome::Fail, "the entry is for xml only");
    }

    #[test]
    fn update_keeps_known_reasons_adds_new_failures_and_drops_passes() {
        let b = baseline(
            "[[known]]\ncase = \"a\"\nreason = \"ticket 7\"\n[[known]]\ncase = \"gone\"\nreason = \"fixed\"\n",
        );
        let results = [
            result("a", Media::Json, Outcome::KnownFailure),
            result("c", Media::Xml, Outcome::Fail),
            result("gone", Media::Json, Outcome::UnexpectedPass),
        ];
        let (updated, _) = b.updated(&results, TODAY, false);
        let text = updated.to_toml(None);
        // Only its JSON trial ran: the entry stays for both media types (nothing says XML passes).
        assert!(text.contains("case = \"a\"\nreason = \"ticket 7\""), "{text}");
        assert!(
            text.contains(
                "case = \"c\"\nmedia = \"xml\"\nreason = \"failing when the baseline was updated on 2026-11-27\""
            ),
            "{text}"
        );
        assert!(!text.contains("gone"), "{text}");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("b.toml"), &text).expect("write");
        assert_eq!(load(&dir.path().join("b.toml")).expect("round trip"), updated);
    }

    #[test]
    fn an_entry_for_both_media_types_narrows_to_the_one_that_still_fails() {
        let original = "# Ticket 7.\n[[known]]\ncase = \"a\"\nreason = \"ticket 7\"\n";
        let b = baseline(original);
        let results = [
            result("a", Media::Json, Outcome::KnownFailure),
            result("a", Media::Xml, Outcome::UnexpectedPass),
        ];
        let text = b.updated(&results, TODAY, false).0.to_toml(Some(original));
        assert_eq!(
            text,
            "# Ticket 7.\n[[known]]\ncase = \"a\"\nreason = \"ticket 7\"\nmedia = \"json\"\n"
        );
        let both = [
            result("a", Media::Json, Outcome::KnownFailure),
            result("a", Media::Xml, Outcome::KnownFailure),
        ];
        assert_eq!(b.updated(&both, TODAY, false).0.to_toml(Some(original)), original);
    }

    #[test]
    fn an_update_keeps_the_users_comments_and_order() {
        let original = "# Known failures of pool 7, reviewed weekly.\n\n\
                        # Vendor ticket; do not remove before March.\n[[known]]\ncase = \"a\"\nreason = \"ticket 7\" # the vendor's words\nexpires = 2027-03-31\n\n\
                        [[known]]\ncase = \"gone\"\nreason = \"fixed\"\n";
        let b = baseline(original);
        let results = [
            result("a", Media::Json, Outcome::KnownFailure),
            result("c", Media::Xml, Outcome::Fail),
        ];
        let text = b.updated(&results, TODAY, false).0.to_toml(Some(original));
        for kept in [
            "# Known failures of pool 7, reviewed weekly.",
            "# Vendor ticket; do not remove before March.",
            "reason = \"ticket 7\" # the vendor's words",
            "expires = 2027-03-31",
        ] {
            assert!(text.contains(kept), "lost `{kept}`:\n{text}");
        }
        assert!(!text.contains("gone"), "{text}");
        assert!(text.find("case = \"a\"") < text.find("case = \"c\""), "{text}");
    }

    #[test]
    fn new_entries_go_at_the_end_and_the_header_stays_on_top() {
        let original = "# Header of the file.\n\n[[known]]\ncase = \"m\"\nreason = \"kept\"\n";
        let b = baseline(original);
        let results = [
            result("a", Media::Json, Outcome::Fail),
            result("m", Media::Json, Outcome::KnownFailure),
        ];
        let (updated, changes) = b.updated(&results, TODAY, false);
        let text = updated.to_toml(Some(original));
        assert!(text.starts_with("# Header of the file."), "{text}");
        assert!(
            text.find("case = \"m\"") < text.find("case = \"a\""),
            "appended: {text}"
        );
        assert_eq!(changes, vec!["added a [json]".to_string()]);
        // The first entry dropped: the header still opens the file.
        let results = [result("a", Media::Json, Outcome::Fail)];
        let (updated, changes) = b.updated(&results, TODAY, false);
        let text = updated.to_toml(Some(original));
        assert!(text.starts_with("# Header of the file."), "{text}");
        assert!(changes.iter().any(|c| c.starts_with("dropped m")), "{changes:?}");
    }

    #[test]
    fn an_expired_entry_that_still_fails_is_renewed_visibly() {
        let b = baseline("[[known]]\ncase = \"a\"\nreason = \"r\"\nexpires = 2026-01-01\n");
        let (updated, changes) = b.updated(&[result("a", Media::Json, Outcome::Fail)], TODAY, false);
        assert_eq!(updated.entries[0].expires, None);
        let written = updated.to_toml(Some("[[known]]\ncase = \"a\"\nreason = \"r\"\nexpires = 2026-01-01\n"));
        assert!(
            !written.contains("expires"),
            "the file keeps the passed date:\n{written}"
        );
        assert!(
            changes[0].starts_with("renewed a (its expires date 2026-01-01 had passed"),
            "{changes:?}"
        );
    }

    #[test]
    fn entries_naming_no_case_are_found_with_the_nearest() {
        let b = baseline(
            "[[known]]\ncase = \"start-messaging.creatd\"\nreason = \"r\"\n[[known]]\ncase = \"x\"\nmedia = \"xml\"\nreason = \"r\"\n",
        );
        let known = [
            ("start-messaging.created", &[Media::Json, Media::Xml][..]),
            ("x", &[Media::Json][..]),
        ];
        let unknown = b.unknown(&known);
        assert_eq!(unknown.len(), 2, "{unknown:?}");
        assert_eq!(
            unknown[0].1.first().map(String::as_str),
            Some("start-messaging.created")
        );
        assert_eq!(unknown[1].0, "x [xml]");
    }

    #[rstest::rstest]
    #[case("expires = 2027-03-31", true)]
    #[case("expires = \"2027-03-31\"", true)]
    #[case("expires = \"2026-02-31\"", false)]
    #[case("expires = 2026-02-31", false)]
    #[case("expires = 2027-03-31T10:00:00Z", false)]
    fn expiry_dates_are_real_dates(#[case] line: &str, #[case] valid: bool) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("b.toml");
        std::fs::write(&path, format!("[[known]]\ncase = \"a\"\nreason = \"r\"\n{line}\n")).expect("write");
        match load(&path) {
            Ok(_) => assert!(valid, "{line} was accepted"),
            Err(e) => {
                assert!(!valid, "{line}: {e}");
                assert!(e.to_string().contains("b.toml:4:"), "no line and column: {e}");
            }
        }
    }
}
