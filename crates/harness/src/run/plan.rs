//! Which cases run, in which media types: the filters of the CLI applied to the loaded cases.

use crate::case::{Case, Media, Severity};
use crate::judge::verdict::trial_name;
use std::sync::Arc;

/// The filters a user selects cases with.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Keep trials whose `id [media]` name contains any of these (or equals one with `exact`);
    /// none keeps every trial, as libtest does.
    pub filters: Vec<String>,
    /// Compare `filter` and `skip` with the whole name.
    pub exact: bool,
    /// Drop trials whose name contains (or equals) any of these.
    pub skip: Vec<String>,
    /// Keep cases that have any of these tags (all cases when empty).
    pub tags: Vec<String>,
    /// Keep cases that cite any of these spec items, or items under them (`body.operationId`
    /// selects `body.operationId.max-length`).
    pub spec: Vec<String>,
    /// Keep cases of any of these areas (`startMessaging`, `me`, ...; ASCII case ignored).
    pub areas: Vec<String>,
    /// Keep only these media types (all when empty).
    pub media: Vec<Media>,
    /// Keep only cases of this severity (all when unset).
    pub severity: Option<Severity>,
    /// Keep only shard K of N (1-based), split by a stable hash of the case id.
    pub partition: Option<(u64, u64)>,
}

/// One case in one media type, to be run.
#[derive(Debug, Clone)]
pub struct PlannedRun {
    /// The case.
    pub case: Arc<Case>,
    /// The media type.
    pub media: Media,
}

impl PlannedRun {
    /// Its libtest-style name.
    pub fn name(&self) -> String {
        trial_name(&self.case.id, self.media)
    }
}

/// Applies the selection; the order is the cases' order, JSON before XML.
pub fn plan(cases: &[Arc<Case>], selection: &Selection) -> Vec<PlannedRun> {
    let mut out = Vec::new();
    for case in cases {
        if let Some((k, n)) = selection.partition
            && stable_hash(&case.id) % n != k - 1
        {
            continue;
        }
        if selection.severity.is_some_and(|s| s != case.severity) {
            continue;
        }
        if !selection.tags.is_empty() && !case.tags.iter().any(|t| selection.tags.contains(t)) {
            continue;
        }
        if !selection.spec.is_empty()
            && !case
                .spec
                .iter()
                .any(|item| selection.spec.iter().any(|s| spec_matches(item, s)))
        {
            continue;
        }
        if !selection.areas.is_empty() && !case.areas.iter().any(|a| area_matches(a, &selection.areas)) {
            continue;
        }
        for &media in &case.media {
            if !selection.media.is_empty() && !selection.media.contains(&media) {
                continue;
            }
            let run = PlannedRun {
                case: Arc::clone(case),
                media,
            };
            let name = run.name();
            let hit = |pattern: &String| {
                if selection.exact {
                    &name == pattern
                } else {
                    name.contains(pattern.as_str())
                }
            };
            let wanted = selection.filters.is_empty() || selection.filters.iter().any(hit);
            if !wanted || selection.skip.iter().any(hit) {
                continue;
            }
            out.push(run);
        }
    }
    out
}

/// A filter, tag or spec item of a selection that matches no case of the corpus at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    /// How the user gave it: `` the filter `x` ``, `--tag x`, `--spec x`.
    pub what: String,
    /// The nearest names of its kind (case ids, tags, spec items), nearest first.
    pub nearest: Vec<String>,
}

/// Every filter, `--tag` and `--spec` of `selection` that matches no case of `cases`, whatever
/// the other criteria select.
pub fn unmatched(cases: &[Arc<Case>], selection: &Selection) -> Vec<Unmatched> {
    let mut out = Vec::new();
    let names: Vec<String> = cases
        .iter()
        .flat_map(|c| c.media.iter().map(|&m| trial_name(&c.id, m)))
        .collect();
    for filter in &selection.filters {
        let hit = names.iter().any(|n| {
            if selection.exact {
                n == filter
            } else {
                n.contains(filter.as_str())
            }
        });
        if !hit {
            out.push(Unmatched {
                what: format!("the filter `{filter}`"),
                nearest: nearest_ids(cases, filter, 3).into_iter().map(str::to_string).collect(),
            });
        }
    }
    let tags: Vec<&str> = unique(cases.iter().flat_map(|c| c.tags.iter().map(String::as_str)));
    for tag in selection.tags.iter().filter(|t| !tags.contains(&t.as_str())) {
        out.push(Unmatched {
            what: format!("--tag {tag}"),
            nearest: crate::diag::nearest(tag, tags.iter().copied(), 3, 3)
                .into_iter()
                .map(str::to_string)
                .collect(),
        });
    }
    let items: Vec<&str> = unique(cases.iter().flat_map(|c| c.spec.iter().map(String::as_str)));
    for wanted in &selection.spec {
        if !items.iter().any(|item| spec_matches(item, wanted)) {
            out.push(Unmatched {
                what: format!("--spec {wanted}"),
                nearest: crate::diag::nearest(wanted, items.iter().copied(), usize::MAX, 3)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            });
        }
    }
    let areas: Vec<&str> = unique(cases.iter().flat_map(|c| c.areas.iter().map(String::as_str)));
    for wanted in &selection.areas {
        if !areas.iter().any(|a| a.eq_ignore_ascii_case(wanted)) {
            out.push(Unmatched {
                what: format!("--area {wanted}"),
                nearest: crate::diag::nearest(wanted, areas.iter().copied(), usize::MAX, 3)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            });
        }
    }
    out
}

fn area_matches(area: &str, wanted: &[String]) -> bool {
    wanted.iter().any(|w| w.eq_ignore_ascii_case(area))
}

/// The distinct values, in first-seen order.
fn unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The case ids closest to `pattern` (by edit distance), for a filter that matched nothing.
pub fn nearest_ids<'a>(cases: &'a [Arc<Case>], pattern: &str, most: usize) -> Vec<&'a str> {
    let pattern = pattern.split(" [").next().unwrap_or(pattern);
    crate::diag::nearest(pattern, cases.iter().map(|c| c.id.as_str()), usize::MAX, most)
}

/// FNV-1a: the same shard for the same id on every machine and every release.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn spec_matches(item: &str, wanted: &str) -> bool {
    item == wanted || item.strip_prefix(wanted).is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn case(id: &str, tags: &[&str], spec: &[&str]) -> Arc<Case> {
        Arc::new(Case {
            id: id.into(),
            title: "t".into(),
            spec: spec.iter().map(|s| s.to_string()).collect(),
            severity: Severity::Must,
            tags: tags.iter().map(|s| s.to_string()).collect(),
            media: Media::ALL.to_vec(),
            needs: vec![],
            interpretation: None,
            areas: spec
                .iter()
                .map(|s| s.split('.').next().unwrap_or("").to_string())
                .collect(),
            steps: vec![],
            source: "x.toml".into(),
        })
    }

    fn names(selection: Selection) -> Vec<String> {
        let cases = [
            case("a.one", &["happy"], &["post.201"]),
            case("a.two", &["limits"], &["body.operationId.max-length"]),
        ];
        plan(&cases, &selection).iter().map(PlannedRun::name).collect()
    }

    #[test]
    fn partitions_split_cases_without_overlap() {
        let cases: Vec<Arc<Case>> = (0..20).map(|i| case(&format!("c.{i}"), &[], &["x"])).collect();
        let mut seen = Vec::new();
        for k in 1..=3 {
            let selection = Selection {
                partition: Some((k, 3)),
                ..Selection::default()
            };
            seen.extend(plan(&cases, &selection).iter().map(PlannedRun::name));
        }
        seen.sort();
        let mut all: Vec<String> = plan(&cases, &Selection::default())
            .iter()
            .map(PlannedRun::name)
            .collect();
        all.sort();
        assert_eq!(seen, all);
    }

    #[rstest]
    #[case(Selection::default(), 4)]
    #[case(Selection { filters: vec!["two".into()], ..Selection::default() }, 2)]
    #[case(Selection { filters: vec!["a.two [xml]".into()], exact: true, ..Selection::default() }, 1)]
    #[case(Selection { filters: vec!["two".into(), "one".into()], ..Selection::default() }, 4)]
    #[case(Selection { skip: vec!["[xml]".into()], ..Selection::default() }, 2)]
    #[case(Selection { tags: vec!["happy".into()], ..Selection::default() }, 2)]
    #[case(Selection { spec: vec!["body.operationId".into()], ..Selection::default() }, 2)]
    #[case(Selection { spec: vec!["body.operation".into()], ..Selection::default() }, 0)]
    #[case(Selection { areas: vec!["BODY".into()], ..Selection::default() }, 2)]
    #[case(Selection { areas: vec!["post".into(), "body".into()], ..Selection::default() }, 4)]
    #[case(Selection { media: vec![Media::Xml], ..Selection::default() }, 2)]
    #[case(Selection { severity: Some(Severity::Should), ..Selection::default() }, 0)]
    #[case(Selection { severity: Some(Severity::Must), ..Selection::default() }, 4)]
    fn filters_select_trials(#[case] selection: Selection, #[case] count: usize) {
        assert_eq!(names(selection).len(), count);
    }

    #[test]
    fn an_area_that_no_case_has_is_named_with_the_nearest() {
        let cases = [case("a.one", &[], &["post.201"])];
        let selection = Selection {
            areas: vec!["posts".into()],
            ..Selection::default()
        };
        let unmatched = unmatched(&cases, &selection);
        assert_eq!(unmatched.len(), 1);
        assert_eq!(unmatched[0].what, "--area posts");
        assert_eq!(unmatched[0].nearest, vec!["post".to_string()]);
    }
}
