//! The verdict of each area (resource) of a run: a vendor that implements startMessaging but not
//! makeMeAvailable reads "startMessaging: conformant; me: NOT conformant (4 failed)", not one
//! word for everything. Decided here once from the trials' standings; the run's own verdict and
//! exit code stay the whole selection's (`run_verdict`).
//!
//! A trial counts in every area of the spec items it cites.

use crate::judge::standing;
use crate::judge::verdict::{CaseResult, Outcome};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How one area fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AreaWord {
    /// Its trials ran and none counts as a failure.
    Conformant,
    /// Some of its trials count as failures.
    NotConformant,
    /// None counts, but the run stopped early or is a partial merge: the area is not covered.
    Incomplete,
    /// None of its trials ran (all skipped): nothing is known of it.
    NotTested,
}

impl AreaWord {
    /// Every word.
    pub const ALL: [AreaWord; 4] = [
        AreaWord::Conformant,
        AreaWord::NotConformant,
        AreaWord::Incomplete,
        AreaWord::NotTested,
    ];

    /// Its name in the results file: `conformant`, `not-conformant`, `incomplete`, `not-tested`.
    pub fn name(self) -> &'static str {
        match self {
            AreaWord::Conformant => "conformant",
            AreaWord::NotConformant => "not-conformant",
            AreaWord::Incomplete => "incomplete",
            AreaWord::NotTested => "not-tested",
        }
    }

    /// The word named `name` (as [`name`](Self::name) gives it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.name() == name)
    }

    /// As reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaWord::Conformant => "conformant",
            AreaWord::NotConformant => "NOT conformant",
            AreaWord::Incomplete => "incomplete",
            AreaWord::NotTested => "not tested",
        }
    }
}

/// One area's trials and verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AreaVerdict {
    /// The area, as the inventory names it (`startMessaging`, `me`, ...).
    pub area: String,
    /// Its trials (case x media type).
    pub trials: usize,
    /// Those that passed.
    pub pass: usize,
    /// Those that count as failures under the run's strictness.
    pub counted: usize,
    /// Those that did not run (skipped or not run).
    pub not_run: usize,
    /// The verdict.
    pub verdict: AreaWord,
    /// True only when the verdict is `conformant` (for scripts: `.areas[] | select(.conformant)`).
    #[serde(default)]
    pub conformant: bool,
}

impl AreaVerdict {
    /// `me: NOT conformant (4 failed)`, `startMessaging: conformant`.
    pub fn line(&self) -> String {
        match self.verdict {
            AreaWord::NotConformant => format!("{}: {} ({} failed)", self.area, self.verdict.as_str(), self.counted),
            AreaWord::Conformant | AreaWord::Incomplete | AreaWord::NotTested => {
                format!("{}: {}", self.area, self.verdict.as_str())
            }
        }
    }
}

/// The verdict of each area the trials cite, in `order` (the inventory's order; areas it does not
/// name follow alphabetically). `complete` is false when the run stopped early or is a partial
/// merge.
pub fn of(cases: &[CaseResult], strict: bool, complete: bool, order: &[String]) -> Vec<AreaVerdict> {
    let mut areas: Vec<AreaVerdict> = Vec::new();
    for case in cases {
        let counts = standing::of(case, strict).counts;
        for area in &case.areas {
            let index = match areas.iter().position(|a| &a.area == area) {
                Some(i) => i,
                None => {
                    areas.push(AreaVerdict {
                        area: area.clone(),
                        trials: 0,
                        pass: 0,
                        counted: 0,
                        not_run: 0,
                        verdict: AreaWord::NotTested,
                        conformant: false,
                    });
                    areas.len() - 1
                }
            };
            let a = &mut areas[index];
            a.trials += 1;
            a.pass += usize::from(case.outcome == Outcome::Pass);
            a.counted += usize::from(counts);
            a.not_run += usize::from(matches!(case.outcome, Outcome::Skip | Outcome::NotRun));
        }
    }
    for a in &mut areas {
        a.verdict = if a.counted > 0 {
            AreaWord::NotConformant
        } else if !complete {
            AreaWord::Incomplete
        } else if a.not_run == a.trials {
            AreaWord::NotTested
        } else {
            AreaWord::Conformant
        };
        a.conformant = a.verdict == AreaWord::Conformant;
    }
    let rank = |area: &str| order.iter().position(|o| o == area).unwrap_or(order.len());
    areas.sort_by(|a, b| (rank(&a.area), &a.area).cmp(&(rank(&b.area), &b.area)));
    areas
}

/// `startMessaging: conformant; me: NOT conformant (4 failed)`.
pub fn line(areas: &[AreaVerdict]) -> String {
    areas.iter().map(AreaVerdict::line).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Media, Severity};

    fn trial(id: &str, areas: &[&str], severity: Severity, outcome: Outcome) -> CaseResult {
        CaseResult {
            areas: areas.iter().map(|a| a.to_string()).collect(),
            ..CaseResult::new(id, Media::Json, severity, outcome)
        }
    }

    #[test]
    fn names_are_the_results_files() {
        for word in AreaWord::ALL {
            assert_eq!(serde_json::to_value(word).expect("JSON"), word.name());
            assert_eq!(AreaWord::from_name(word.name()), Some(word));
        }
    }

    #[test]
    fn a_failing_area_does_not_darken_the_others() {
        let cases = vec![
            trial("s.one", &["startMessaging"], Severity::Must, Outcome::Pass),
            trial("s.two", &["startMessaging"], Severity::Should, Outcome::ShouldDeviation),
            trial("m.one", &["me"], Severity::Must, Outcome::Fail),
            trial("m.two", &["me"], Severity::Must, Outcome::Error),
            trial("g.one", &["generic"], Severity::Must, Outcome::Skip),
        ];
        let order = ["startMessaging".to_string(), "me".to_string()];
        let areas = of(&cases, false, true, &order);
        assert_eq!(
            line(&areas),
            "startMessaging: conformant; me: NOT conformant (2 failed); generic: not tested"
        );
        let strict = of(&cases, true, true, &order);
        assert_eq!(strict[0].verdict, AreaWord::NotConformant);
    }

    #[test]
    fn a_trial_counts_in_each_area_it_cites_and_a_stop_leaves_areas_incomplete() {
        let cases = vec![
            trial(
                "x",
                &["startMessaging", "messagingInvitation"],
                Severity::Must,
                Outcome::Fail,
            ),
            trial("y", &["me"], Severity::Must, Outcome::Pass),
        ];
        let areas = of(&cases, false, false, &[]);
        let words: Vec<(&str, AreaWord)> = areas.iter().map(|a| (a.area.as_str(), a.verdict)).collect();
        assert_eq!(
            words,
            vec![
                ("me", AreaWord::Incomplete),
                ("messagingInvitation", AreaWord::NotConformant),
                ("startMessaging", AreaWord::NotConformant),
            ]
        );
    }
}
