//! Baselines: a target's known failures (case, media type, reason, link, optional expiry), so a
//! CI gate can be switched on before everything passes. A listed failure becomes expected-fail; a
//! listed case that passes is an unexpected pass; an expired entry no longer excuses anything.

use crate::case::Media;
use crate::clock::Date;
use crate::diag::FileError;
use crate::standing;
use crate::verdict::{CaseResult, Outcome};
use serde::Deserialize;
use std::fmt::Write as _;
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
    expires: Option<toml::Spanned<String>>,
}

/// Reads a baseline file; a missing file is an empty baseline (so `--update-baseline` can create it).
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
            Some(d) => Some(Date::parse(d.get_ref()).ok_or_else(|| {
                FileError::new(
                    path,
                    &source,
                    d.span(),
                    format!("`{}` is not a YYYY-MM-DD date", d.get_ref()),
                )
            })?),
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

    /// The baseline that lists exactly the failures of `results`: entries that still fail keep
    /// their reason, link and expiry; new failures get a reason naming the date they were added.
    pub fn updated(&self, results: &[CaseResult], today: Date, strict: bool) -> Baseline {
        let mut failing: Vec<&CaseResult> = results
            .iter()
            .filter(|r| {
                r.outcome == Outcome::KnownFailure || (r.outcome.found_differences() && standing::of(r, strict).counts)
            })
            .collect();
        failing.sort_by(|a, b| (&a.id, a.media).cmp(&(&b.id, b.media)));
        let entries = failing
            .into_iter()
            .map(|r| match self.entries.iter().find(|e| e.matches(&r.id, r.media)) {
                Some(known) => Entry {
                    media: Some(r.media),
                    ..known.clone()
                },
                None => Entry {
                    case: r.id.clone(),
                    media: Some(r.media),
                    reason: format!("failing when the baseline was updated on {today}"),
                    link: None,
                    expires: None,
                },
            })
            .collect();
        Baseline { entries }
    }

    /// The baseline as a TOML file.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("# Known failures of this target (ucwa-conformance baseline).\n");
        for e in &self.entries {
            let _ = write!(out, "\n[[known]]\ncase = {}\n", quote(&e.case));
            if let Some(m) = e.media {
                let _ = writeln!(out, "media = \"{m}\"");
            }
            let _ = writeln!(out, "reason = {}", quote(&e.reason));
            if let Some(link) = &e.link {
                let _ = writeln!(out, "link = {}", quote(link));
            }
            if let Some(d) = e.expires {
                let _ = writeln!(out, "expires = \"{d}\"");
            }
        }
        out
    }
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
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

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 27,
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
        let updated = b.updated(&results, TODAY, false);
        let text = updated.to_toml();
        assert!(
            text.contains("case = \"a\"\nmedia = \"json\"\nreason = \"ticket 7\""),
            "{text}"
        );
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
}
