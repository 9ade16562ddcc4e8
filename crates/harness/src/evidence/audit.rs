//! Checking a results file against itself and against this binary's corpus: its verdict, counts
//! and area words recomputed from its trials (by the same functions a run uses), each trial's
//! outcome against what it records, and whether the run covered the whole corpus.
//!
//! Only what the file states is compared (a file written before a field existed is not blamed
//! for lacking it). What a trial itself says (its outcome, its exchanges) cannot be recomputed
//! without the target: a signature (`signature`) proves those bytes are the signer's.

use crate::case::{Case, Severity};
use crate::judge::area_verdict;
use crate::judge::run_verdict::RunVerdict;
use crate::judge::verdict::{CaseResult, Outcome};
use crate::report::results::{Results, Summary};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Where a results file disagrees with itself or with the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disagreement {
    /// A field the file states differs from the value its trials give.
    Stated {
        /// The field (`summary.pass`, `verdict`, `areas[me].verdict`).
        field: String,
        /// What the file says (JSON).
        stated: String,
        /// What its trials give (JSON).
        recomputed: String,
    },
    /// An area the trials give is missing from the file, or the file has one they do not give.
    Area {
        /// The area.
        area: String,
        /// True when the file lists it and the trials do not.
        extra: bool,
    },
    /// A trial that contradicts itself or the corpus.
    Trial {
        /// `id [media]`.
        trial: String,
        /// How.
        fault: TrialFault,
    },
}

/// How a trial contradicts itself or the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrialFault {
    /// It passed, yet records differences.
    PassedWithDifferences,
    /// It failed or deviated, yet records no difference.
    FailedWithoutDifference,
    /// A should-level deviation in a must-level case.
    DeviationInMustCase,
    /// Its severity is not the one its case has in the corpus.
    Severity {
        /// The trial's.
        stated: Severity,
        /// The corpus's.
        corpus: Severity,
    },
    /// The file holds it twice.
    Twice,
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Disagreement::Stated {
                field,
                stated,
                recomputed,
            } => write!(f, "{field}: the file says {stated}, its trials give {recomputed}"),
            Disagreement::Area { area, extra: true } => {
                write!(f, "areas: the file lists {area}, which none of its trials cites")
            }
            Disagreement::Area { area, extra: false } => {
                write!(f, "areas: its trials cite {area}, which the file does not list")
            }
            Disagreement::Trial { trial, fault } => {
                let what = match fault {
                    TrialFault::PassedWithDifferences => "passed, yet records differences".to_string(),
                    TrialFault::FailedWithoutDifference => "failed, yet records no difference".to_string(),
                    TrialFault::DeviationInMustCase => "is a should-level deviation of a must-level case".to_string(),
                    TrialFault::Severity { stated, corpus } => format!(
                        "says severity {}, but the corpus's case is {}",
                        stated.as_str(),
                        corpus.as_str()
                    ),
                    TrialFault::Twice => "is in the file twice".to_string(),
                };
                write!(f, "trial {trial} {what}")
            }
        }
    }
}

/// How much of the corpus a run covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Every case in every media type of this binary's corpus ran to a verdict or was skipped for
    /// a precondition, with no filter.
    Complete {
        /// Trials in the corpus.
        trials: usize,
    },
    /// Not the whole corpus: each way it falls short.
    Partial(Vec<Gap>),
}

/// One way a run falls short of the whole corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The file's case set is not this binary's corpus (another version, or `--cases`).
    OtherCorpus {
        /// The file's digest.
        stated: String,
        /// This binary's.
        ours: String,
    },
    /// The run selected part of the corpus: the option and its value.
    Selected(String),
    /// Trials of the corpus the file does not hold.
    Missing {
        /// How many.
        count: usize,
        /// The first few names.
        first: Vec<String>,
    },
    /// Trials the run did not finish (it stopped first).
    NotRun(usize),
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gap::OtherCorpus { stated, ours } => write!(
                f,
                "its case set {stated} is not this binary's corpus {ours} (another version, or --cases)"
            ),
            Gap::Selected(what) => write!(f, "it selected part of the corpus ({what})"),
            Gap::Missing { count, first } => {
                let are = if *count == 1 {
                    "trial of the corpus is"
                } else {
                    "trials of the corpus are"
                };
                write!(f, "{count} {are} not in it: {}", first.join(", "))?;
                if *count > first.len() {
                    write!(f, ", ...")?;
                }
                Ok(())
            }
            Gap::NotRun(n) => write!(
                f,
                "{n} {} did not run (the run stopped first)",
                if *n == 1 { "trial" } else { "trials" }
            ),
        }
    }
}

/// What a check of a results file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// Where the file disagrees with itself or the corpus (empty: it agrees).
    pub disagreements: Vec<Disagreement>,
    /// How much of the corpus it covers.
    pub coverage: Coverage,
    /// The verdict its trials give.
    pub verdict: RunVerdict,
}

/// Checks `results` (read from a file whose JSON is `raw`) against itself, and against
/// `corpus` (this binary's cases, with `digest`).
pub fn audit(raw: &Value, results: &Results, corpus: &[Case], digest: &str) -> Audit {
    let mut disagreements = trials(&results.cases, corpus, results.case_set_digest == digest);
    let stopped = match &results.verdict {
        RunVerdict::Stopped { kind, cause } => Some((*kind, cause.clone())),
        RunVerdict::Conformant | RunVerdict::NotConformant { .. } | RunVerdict::Partial { .. } => None,
    };
    let order: Vec<String> = results.areas.iter().map(|a| a.area.clone()).collect();
    let (summary, mut verdict, mut areas) =
        crate::report::results::judge(&results.cases, results.strict, stopped, &order);
    // A partial merge names its missing partitions: a fact of the merge, not of the trials.
    if let RunVerdict::Partial { missing, .. } = &results.verdict {
        if !matches!(verdict, RunVerdict::Stopped { .. }) {
            verdict = RunVerdict::Partial {
                counted: summary.counted,
                missing: missing.clone(),
            };
        }
        areas = area_verdict::of(&results.cases, results.strict, false, &order);
    }
    let summary = Summary {
        conformant: verdict.is_conformant(),
        ..summary
    };
    compare(&mut disagreements, "summary", raw.get("summary"), &to_value(&summary));
    compare(&mut disagreements, "verdict", raw.get("verdict"), &to_value(&verdict));
    let stated_areas: BTreeMap<&str, &Value> = raw
        .get("areas")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| Some((a.get("area")?.as_str()?, a)))
        .collect();
    // Files written before areas existed list none: nothing to compare.
    if !stated_areas.is_empty() {
        for area in &areas {
            match stated_areas.get(area.area.as_str()) {
                Some(stated) => compare(
                    &mut disagreements,
                    &format!("areas[{}]", area.area),
                    Some(stated),
                    &to_value(area),
                ),
                None => disagreements.push(Disagreement::Area {
                    area: area.area.clone(),
                    extra: false,
                }),
            }
        }
        for name in stated_areas.keys() {
            if !areas.iter().any(|a| a.area == *name) {
                disagreements.push(Disagreement::Area {
                    area: (*name).to_string(),
                    extra: true,
                });
            }
        }
    }
    Audit {
        disagreements,
        coverage: coverage(results, corpus, digest),
        verdict,
    }
}

/// Each trial against itself, and (`same_corpus`) against its case in `corpus`.
fn trials(cases: &[CaseResult], corpus: &[Case], same_corpus: bool) -> Vec<Disagreement> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for trial in cases {
        let mut fault = |fault| {
            found.push(Disagreement::Trial {
                trial: trial.name(),
                fault,
            })
        };
        if !seen.insert(trial.name()) {
            fault(TrialFault::Twice);
        }
        match trial.outcome {
            Outcome::Pass | Outcome::UnexpectedPass if !trial.mismatches.is_empty() => {
                fault(TrialFault::PassedWithDifferences)
            }
            Outcome::Fail | Outcome::ShouldDeviation if trial.mismatches.is_empty() => {
                fault(TrialFault::FailedWithoutDifference)
            }
            _ => {}
        }
        if trial.outcome == Outcome::ShouldDeviation && trial.severity == Severity::Must {
            fault(TrialFault::DeviationInMustCase);
        }
        if same_corpus
            && let Some(case) = corpus.iter().find(|c| c.id == trial.id)
            && case.severity != trial.severity
        {
            fault(TrialFault::Severity {
                stated: trial.severity,
                corpus: case.severity,
            });
        }
    }
    found
}

/// Adds a disagreement for each key of `stated` (an object, or any value) whose value differs
/// from `recomputed`'s; keys the file does not state are not compared. A tagged value (the
/// verdict: `{"is": ...}`) is one statement, compared whole: a verdict of another kind must not
/// pass because it lacks the other kind's fields.
fn compare(found: &mut Vec<Disagreement>, field: &str, stated: Option<&Value>, recomputed: &Value) {
    let Some(stated) = stated else {
        return;
    };
    match (stated, recomputed) {
        (Value::Object(stated), Value::Object(recomputed)) if !recomputed.contains_key("is") => {
            for (key, value) in stated {
                let ours = recomputed.get(key).unwrap_or(&Value::Null);
                if value != ours {
                    found.push(Disagreement::Stated {
                        field: format!("{field}.{key}"),
                        stated: value.to_string(),
                        recomputed: ours.to_string(),
                    });
                }
            }
        }
        (stated, recomputed) if stated != recomputed => found.push(Disagreement::Stated {
            field: field.to_string(),
            stated: stated.to_string(),
            recomputed: recomputed.to_string(),
        }),
        _ => {}
    }
}

fn to_value(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// How much of `corpus` the run of `results` covered.
fn coverage(results: &Results, corpus: &[Case], digest: &str) -> Coverage {
    let mut gaps = Vec::new();
    if results.case_set_digest != digest {
        gaps.push(Gap::OtherCorpus {
            stated: results.case_set_digest.clone(),
            ours: digest.to_string(),
        });
    }
    let s = &results.selection;
    let lists = [
        ("filters", &s.filters),
        ("--skip", &s.skip),
        ("--tag", &s.tags),
        ("--spec", &s.spec),
        ("--area", &s.areas),
    ];
    for (option, values) in lists {
        if !values.is_empty() {
            gaps.push(Gap::Selected(format!("{option} {}", values.join(", "))));
        }
    }
    if !s.media.is_empty() {
        let media: Vec<&str> = s.media.iter().map(|m| m.as_str()).collect();
        gaps.push(Gap::Selected(format!("--media {}", media.join(", "))));
    }
    if let Some(severity) = s.severity {
        gaps.push(Gap::Selected(format!("--severity {}", severity.as_str())));
    }
    if let Some(p) = s.partition {
        gaps.push(Gap::Selected(format!("--partition {}/{}", p.index, p.count)));
    }
    let held: BTreeSet<String> = results.cases.iter().map(CaseResult::name).collect();
    let wanted: Vec<String> = corpus
        .iter()
        .flat_map(|c| c.media.iter().map(move |m| format!("{} [{m}]", c.id)))
        .collect();
    let missing: Vec<&String> = wanted.iter().filter(|name| !held.contains(*name)).collect();
    if !missing.is_empty() {
        gaps.push(Gap::Missing {
            count: missing.len(),
            first: missing.iter().take(5).map(|n| (*n).clone()).collect(),
        });
    }
    let not_run = results.cases.iter().filter(|c| c.outcome == Outcome::NotRun).count();
    if not_run > 0 {
        gaps.push(Gap::NotRun(not_run));
    }
    if gaps.is_empty() {
        Coverage::Complete { trials: wanted.len() }
    } else {
        Coverage::Partial(gaps)
    }
}
