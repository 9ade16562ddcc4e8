//! Joining the results files of a partitioned run (`merge`): every trial once, one verdict. A
//! set that is not the partitions of one run is refused with the field and the files that
//! differ, so a merged file never claims a selection it does not hold.
//!
//! May use what `report` may.

use super::results::{Partition, Results, SelectionInfo, judge, partition_list};
use crate::judge::area_verdict;
use crate::judge::run_verdict::RunVerdict;
use crate::judge::verdict::CaseResult;

/// One results file to merge, with the name its errors give it (its path, as the user gave it).
#[derive(Debug, Clone)]
pub struct Part {
    /// The file's name.
    pub name: String,
    /// Its results.
    pub results: Results,
}

/// Why partitions do not merge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Partitions of the set are missing (and `--allow-partial` was not given).
    #[error(
        "{}{}: a lost job would go unnoticed; give every partition, or --allow-partial to merge anyway \
         (the verdict is then PARTIAL, exit 1)",
        missing_partitions_text(.missing, *.count),
        absent_files(.absent)
    )]
    Missing {
        /// The missing partitions (`K` of `K/N`).
        missing: Vec<u64>,
        /// N.
        count: u64,
        /// Files given that do not exist (a partition that ended without writing its results).
        absent: Vec<String>,
    },
    /// No file.
    #[error("nothing to merge")]
    Empty,
    /// Two files are not partitions of one run: they differ in `field`.
    #[error(
        "{other} and {first} are not partitions of one run: their {field} differ ({other_value} and \
         {first_value}); merge only the partitions of one run"
    )]
    Differ {
        /// What differs: `case sets`, `targets`, `filters`, `media types`, `strictness`, ...
        field: &'static str,
        /// The first file.
        first: String,
        /// Its value.
        first_value: String,
        /// The file that differs from it.
        other: String,
        /// Its value.
        other_value: String,
    },
    /// A trial is in two partitions.
    #[error("{0} is in two partitions")]
    TrialTwice(String),
    /// Some files are partitions and others are not.
    #[error("some files are partitions (--partition K/N) and others are not")]
    Mixed,
    /// Partitions of different N.
    #[error("the files are partitions of different counts (K/N with different N)")]
    Counts,
    /// A partition given twice.
    #[error("partition {0}/{1} is given twice")]
    Repeated(u64, u64),
}

/// `partition 3 of 4 is missing`, `partitions 2, 4 of 4 are missing`, or, when the files present
/// cannot say which (they are not partitions), `a partition is missing`.
fn missing_partitions_text(missing: &[u64], count: u64) -> String {
    match missing {
        [] => "a partition is missing".into(),
        [one] => format!("partition {one} of {count} is missing"),
        many => format!("partitions {} of {count} are missing", partition_list(many)),
    }
}

/// ` (r3.json does not exist)`, for the files of a merge that are not there.
fn absent_files(absent: &[String]) -> String {
    match absent {
        [] => String::new(),
        [one] => format!(" ({one} does not exist)"),
        many => format!(" ({} do not exist)", many.join(", ")),
    }
}

/// Joins the results of partitions of one run (`run --partition K/N` against one target with
/// one case set and one selection): every trial once, the earliest start, the wall span from
/// the first start to the last end (with the partitions' durations added up beside it). The
/// parts must be the partitions 1 to N of one N, each once: a set with partitions missing is
/// refused, naming them (and `absent`, files given that do not exist), unless `allow_partial`,
/// which merges it with the verdict PARTIAL (exit 1). Parts of different case sets, targets
/// (the embedded reference is one target whatever its port), selections or strictness, or with
/// a trial in two of them, are refused.
pub fn merge(parts: Vec<Part>, absent: &[String], allow_partial: bool) -> Result<Results, MergeError> {
    let parts = same_run(parts, absent)?;
    let missing = missing_partitions(&parts)?;
    if (!missing.is_empty() || !absent.is_empty()) && !allow_partial {
        return Err(MergeError::Missing {
            count: parts.first().and_then(|p| p.selection.partition).map_or(0, |p| p.count),
            missing,
            absent: absent.to_vec(),
        });
    }
    let joined = joined(parts)?;
    Ok(judged(joined, missing, absent.is_empty()))
}

/// The parts' results, once each is known to be a partition of the same run as the first
/// (case set, target, selection, strictness, suite version).
fn same_run(parts: Vec<Part>, absent: &[String]) -> Result<Vec<Results>, MergeError> {
    let Some(first) = parts.first() else {
        return Err(match absent {
            [] => MergeError::Empty,
            absent => MergeError::Missing {
                missing: Vec::new(),
                count: 0,
                absent: absent.to_vec(),
            },
        });
    };
    for part in &parts[1..] {
        if let Some((field, first_value, other_value)) = difference(&first.results, &part.results) {
            return Err(MergeError::Differ {
                field,
                first: first.name.clone(),
                first_value,
                other: part.name.clone(),
                other_value,
            });
        }
    }
    Ok(parts.into_iter().map(|p| p.results).collect())
}

/// The parts' trials in one run (a trial in two parts is refused), sorted, with the earliest
/// start, the wall span, the partitions' summed time, and the first stop among them.
fn joined(parts: Vec<Results>) -> Result<Results, MergeError> {
    let spans: Vec<Option<(i64, i64)>> = parts.iter().map(span).collect();
    let sum: u64 = parts.iter().map(|p| p.duration_ms).sum();
    let mut parts = parts.into_iter();
    let mut joined = parts.next().ok_or(MergeError::Empty)?;
    let mut names: std::collections::BTreeSet<String> = joined.cases.iter().map(CaseResult::name).collect();
    for part in parts {
        if joined.verdict.stop_cause().is_none() && part.verdict.stop_cause().is_some() {
            joined.verdict = part.verdict.clone();
        }
        for case in part.cases {
            if !names.insert(case.name()) {
                return Err(MergeError::TrialTwice(case.name()));
            }
            joined.cases.push(case);
        }
        joined.started_at = joined.started_at.min(part.started_at);
        joined.duration_ms = joined.duration_ms.max(part.duration_ms);
        joined.interrupted |= part.interrupted;
        joined.stopped = joined.stopped.or(part.stopped);
        joined.applications_kept |= part.applications_kept;
    }
    // The wall span, when every start time reads.
    if let Some(spans) = spans.into_iter().collect::<Option<Vec<(i64, i64)>>>() {
        let first = spans.iter().map(|s| s.0).min().unwrap_or(0);
        let last = spans.iter().map(|s| s.1).max().unwrap_or(0);
        joined.duration_ms = u64::try_from(last - first).unwrap_or(joined.duration_ms);
    }
    joined.partitions_duration_ms = Some(sum);
    joined.selection.partition = None;
    joined.cases.sort_by(|a, b| (&a.id, a.media).cmp(&(&b.id, b.media)));
    Ok(joined)
}

/// The joined run judged again: a partition that stopped stops the whole (its kind gives the
/// merged exit code too); otherwise, with partitions `missing` (or files absent: `all_read` is
/// false), the verdict is PARTIAL and no area is called conformant.
fn judged(mut joined: Results, missing: Vec<u64>, all_read: bool) -> Results {
    let stopped = match joined.verdict.clone() {
        RunVerdict::Stopped { kind, cause } => Some((kind, cause)),
        RunVerdict::Conformant | RunVerdict::NotConformant { .. } | RunVerdict::Partial { .. } => None,
    };
    let order: Vec<String> = joined.areas.iter().map(|a| a.area.clone()).collect();
    let (summary, verdict, areas) = judge(&joined.cases, joined.strict, stopped, &order);
    joined.summary = summary;
    let whole = missing.is_empty() && all_read;
    joined.areas = if whole {
        areas
    } else {
        area_verdict::of(&joined.cases, joined.strict, false, &order)
    };
    joined.verdict = match (verdict, whole) {
        (verdict @ RunVerdict::Stopped { .. }, _) | (verdict, true) => verdict,
        // A file that does not exist is a partition missing too, even when the others cannot
        // say which (files of runs that were not partitioned): `missing` is then empty.
        (_, false) => RunVerdict::Partial {
            counted: summary.counted,
            missing,
        },
    };
    joined.summary.conformant = joined.verdict.is_conformant();
    joined
}

/// A field two runs must share: its name in a refusal, and how its value is shown.
type Field<T> = (&'static str, fn(&T) -> String);

/// The first field in which `other` is not a partition of the same run as `first`: its name
/// and both values, as the refusal shows them.
fn difference(first: &Results, other: &Results) -> Option<(&'static str, String, String)> {
    let same_target = (&other.target.name, &other.target.base_url) == (&first.target.name, &first.target.base_url)
        || other.target.embedded && first.target.embedded && other.suite_version == first.suite_version;
    if !same_target {
        let at = |r: &Results| format!("{} at {}", r.target.name, r.target.base_url);
        return Some(("targets", at(first), at(other)));
    }
    let fields: [Field<Results>; 3] = [
        ("case sets", |r| r.case_set_digest.clone()),
        ("strictness", |r| {
            if r.strict { "--strict" } else { "not strict" }.to_string()
        }),
        ("suite versions", |r| r.suite_version.clone()),
    ];
    for (field, value) in fields {
        let (a, b) = (value(first), value(other));
        if a != b {
            return Some((field, a, b));
        }
    }
    selection_difference(&first.selection, &other.selection)
}

/// The first selection field (filters, skips, tags, spec items, areas, media types, severity;
/// not the partition) in which two runs differ.
fn selection_difference(first: &SelectionInfo, other: &SelectionInfo) -> Option<(&'static str, String, String)> {
    fn list(values: &[String]) -> String {
        if values.is_empty() {
            "none".to_string()
        } else {
            values.join(", ")
        }
    }
    let fields: [Field<SelectionInfo>; 8] = [
        ("filters", |s| list(&s.filters)),
        ("--exact", |s| s.exact.to_string()),
        ("--skip patterns", |s| list(&s.skip)),
        ("--tag values", |s| list(&s.tags)),
        ("--spec items", |s| list(&s.spec)),
        ("--area values", |s| list(&s.areas)),
        ("media types", |s| {
            let media: Vec<String> = s.media.iter().map(|m| m.as_str().to_string()).collect();
            if media.is_empty() {
                "all".into()
            } else {
                media.join(", ")
            }
        }),
        ("severities", |s| {
            s.severity.map_or("all".into(), |v| v.as_str().to_string())
        }),
    ];
    fields.into_iter().find_map(|(field, value)| {
        let (a, b) = (value(first), value(other));
        (a != b).then_some((field, a, b))
    })
}

/// The partitions (`K` of `K/N`) a set of parts lacks; an error when the parts are not
/// partitions of one N, or one appears twice. Parts without a partition (files of runs that
/// were not partitioned, or written before partitions were recorded) are merged unchecked.
fn missing_partitions(parts: &[Results]) -> Result<Vec<u64>, MergeError> {
    let partitions: Vec<Option<Partition>> = parts.iter().map(|p| p.selection.partition).collect();
    if partitions.iter().all(Option::is_none) {
        return Ok(Vec::new());
    }
    let Some(partitions) = partitions.into_iter().collect::<Option<Vec<Partition>>>() else {
        return Err(MergeError::Mixed);
    };
    let count = partitions[0].count;
    if partitions.iter().any(|p| p.count != count) {
        return Err(MergeError::Counts);
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in &partitions {
        if !seen.insert(p.index) {
            return Err(MergeError::Repeated(p.index, count));
        }
    }
    Ok((1..=count).filter(|k| !seen.contains(k)).collect())
}

/// A run's start and end, in milliseconds since the epoch, when its start time reads.
fn span(results: &Results) -> Option<(i64, i64)> {
    let start = crate::clock::parse_rfc3339(&results.started_at).ok()?;
    Some((start, start + i64::try_from(results.duration_ms).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Media, Severity};
    use crate::judge::run_verdict::StopKind;
    use crate::judge::verdict::Outcome;
    use crate::report::results::fixture;

    fn part(name: &str, results: Results) -> Part {
        Part {
            name: name.into(),
            results,
        }
    }

    /// Partition `index` of `count`, holding one passing trial of its own.
    fn partition(index: u64, count: u64) -> Results {
        let mut r = fixture(
            vec![CaseResult::new(
                format!("c{index}"),
                Media::Json,
                Severity::Must,
                Outcome::Pass,
            )],
            false,
            None,
        );
        r.selection.partition = Some(Partition { index, count });
        r
    }

    #[test]
    fn merged_partitions_keep_a_partitions_stop() {
        let mut stopped = fixture(
            vec![CaseResult::new("c", Media::Json, Severity::Must, Outcome::Pass)],
            false,
            None,
        );
        stopped.verdict = RunVerdict::of(0, Some((StopKind::Sigint, "interrupted by SIGINT".into())));
        let other = fixture(
            vec![CaseResult::new("d", Media::Json, Severity::Must, Outcome::Fail)],
            false,
            None,
        );
        let merged = merge(vec![part("a", other), part("b", stopped)], &[], false).expect("merges");
        assert_eq!(merged.verdict.exit_code().code(), 130, "{:?}", merged.verdict);
    }

    #[test]
    fn partitions_of_another_selection_are_refused_naming_the_field_and_the_files() {
        let mut json_only = partition(2, 2);
        json_only.selection.media = vec![Media::Json];
        let error = merge(
            vec![part("r1.json", partition(1, 2)), part("r2.json", json_only)],
            &[],
            false,
        )
        .expect_err("refused");
        assert_eq!(
            error.to_string(),
            "r2.json and r1.json are not partitions of one run: their media types differ (json and all); \
             merge only the partitions of one run"
        );
        let mut strict = partition(2, 2);
        strict.strict = true;
        let error = merge(vec![part("a", partition(1, 2)), part("b", strict)], &[], false).expect_err("refused");
        assert!(error.to_string().contains("their strictness differ"), "{error}");
        let mut tagged = partition(2, 2);
        tagged.selection.tags = vec!["events".into()];
        let error = merge(vec![part("a", partition(1, 2)), part("b", tagged)], &[], false).expect_err("refused");
        assert!(
            error.to_string().contains("--tag values differ (events and none)"),
            "{error}"
        );
    }

    #[test]
    fn a_file_that_does_not_exist_is_named_as_its_missing_partition() {
        let parts = vec![part("r1.json", partition(1, 3)), part("r2.json", partition(2, 3))];
        let error = merge(parts.clone(), &["r3.json".into()], false).expect_err("refused");
        assert_eq!(
            error.to_string(),
            "partition 3 of 3 is missing (r3.json does not exist): a lost job would go unnoticed; give every \
             partition, or --allow-partial to merge anyway (the verdict is then PARTIAL, exit 1)"
        );
        let partial = merge(parts, &["r3.json".into()], true).expect("merges partially");
        assert_eq!(
            partial.verdict,
            RunVerdict::Partial {
                counted: 0,
                missing: vec![3]
            }
        );
        // Files that are not partitions cannot say which part the absent one held.
        let whole = |id: &str| {
            part(
                id,
                fixture(
                    vec![CaseResult::new(id, Media::Json, Severity::Must, Outcome::Pass)],
                    false,
                    None,
                ),
            )
        };
        let partial = merge(vec![whole("a"), whole("b")], &["c.json".into()], true).expect("merges partially");
        assert_eq!(
            partial.verdict,
            RunVerdict::Partial {
                counted: 0,
                missing: vec![]
            }
        );
        assert_eq!(partition_list(&[]), "not named by the files");
    }
}
