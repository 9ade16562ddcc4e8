//! The verdict of each area (resource) of a run: a vendor that implements startMessaging but not
//! makeMeAvailable reads "startMessaging: conformant; me: NOT conformant (4 failed)", not one
//! word for everything. Decided here once from the trials' standings; the run's own verdict and
//! exit code stay the whole selection's (`run_verdict`).
//!
//! A trial counts in every area of the spec items it cites.

use crate::case::Severity;
use crate::judge::standing::{self, Shown};
use crate::judge::verdict::{CaseResult, Outcome};
use serde::{Deserialize, Serialize};

/// How one area fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum AreaWord {
    /// Its trials ran, none counts as a failure, and a must-level trial passed (or, in an area
    /// without must-level trials, should-level trials passed with no deviation).
    Conformant,
    /// Some of its trials count as failures: the target answered against the spec.
    NotConformant,
    /// None failed, but some could not be decided (errors that count): nothing is blamed on the
    /// target, and nothing is shown conformant either.
    Undecided,
    /// None counts, but the run stopped early or is a partial merge: the area is not covered.
    Incomplete,
    /// None of its trials ran (all skipped): nothing is known of it.
    NotTested,
    /// None counts, yet no must-level trial passed and what ran deviated or was excused (an
    /// area whose should-level trials all deviate): nothing shows it conformant.
    NoMustLevelPass,
}

impl AreaWord {
    /// Every word.
    pub const ALL: [AreaWord; 6] = [
        AreaWord::Conformant,
        AreaWord::NotConformant,
        AreaWord::Undecided,
        AreaWord::Incomplete,
        AreaWord::NotTested,
        AreaWord::NoMustLevelPass,
    ];

    /// Its name in the results file: `conformant`, `not-conformant`, `undecided`, `incomplete`,
    /// `not-tested`, `no-must-level-pass`.
    pub fn name(self) -> &'static str {
        match self {
            AreaWord::Conformant => "conformant",
            AreaWord::NotConformant => "not-conformant",
            AreaWord::Undecided => "undecided",
            AreaWord::Incomplete => "incomplete",
            AreaWord::NotTested => "not-tested",
            AreaWord::NoMustLevelPass => "no-must-level-pass",
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
            AreaWord::Undecided => "undecided",
            AreaWord::Incomplete => "incomplete",
            AreaWord::NotTested => "not tested",
            AreaWord::NoMustLevelPass => "no must-level trial passed",
        }
    }

    /// How the HTML pages colour it: `ok`, `bad`, `warn`, or nothing.
    pub fn class(self) -> &'static str {
        match self {
            AreaWord::Conformant => "ok",
            AreaWord::NotConformant => "bad",
            AreaWord::Undecided | AreaWord::NoMustLevelPass => "warn",
            AreaWord::Incomplete | AreaWord::NotTested => "",
        }
    }
}

/// One area's trials and verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AreaVerdict {
    /// The area, as the inventory names it (`startMessaging`, `me`, ...).
    pub area: String,
    /// Its trials (case x media type).
    pub trials: usize,
    /// Those that passed.
    pub pass: usize,
    /// Those that count toward the exit code under the run's strictness (failures and counted
    /// errors).
    pub counted: usize,
    /// Those that did not run (skipped or not run).
    pub not_run: usize,
    /// Counted trials that are failures: the target answered against the spec.
    #[serde(default)]
    pub failed: usize,
    /// Trials the harness could not decide (errors, counted or not): never blamed on the target.
    #[serde(default)]
    pub errors: usize,
    /// Should-level deviations not counted (without `--strict`).
    #[serde(default)]
    pub deviations: usize,
    /// Must-level trials that passed (on the first attempt, on a retry, or against the baseline).
    #[serde(default)]
    pub must_passed: usize,
    /// The verdict.
    pub verdict: AreaWord,
    /// True only when the verdict is `conformant` (for scripts: `.areas[] | select(.conformant)`).
    #[serde(default)]
    pub conformant: bool,
}

impl AreaVerdict {
    /// The verdict with what it rests on: `NOT conformant (4 failed, 1 error)`, `undecided (3
    /// errors)`, `no must-level trial passed (6 should-level deviations)`, `conformant`.
    pub fn text(&self) -> String {
        let errors = (self.errors, "error", "errors");
        let deviations = (self.deviations, "should-level deviation", "should-level deviations");
        let shown = match self.verdict {
            // Files written before the counts were recorded: a failing area still says how many.
            AreaWord::NotConformant if self.failed == 0 && self.errors == 0 => vec![(self.counted, "failed", "failed")],
            AreaWord::NotConformant => vec![(self.failed, "failed", "failed"), errors],
            AreaWord::Undecided | AreaWord::Incomplete => vec![errors],
            AreaWord::NoMustLevelPass | AreaWord::Conformant => vec![deviations, errors],
            AreaWord::NotTested => Vec::new(),
        };
        let counts: Vec<String> = shown
            .into_iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| counted(n, one, many))
            .collect();
        if counts.is_empty() {
            self.verdict.as_str().to_string()
        } else {
            format!("{} ({})", self.verdict.as_str(), counts.join(", "))
        }
    }

    /// `me: NOT conformant (4 failed)`, `startMessaging: conformant`.
    pub fn line(&self) -> String {
        format!("{}: {}", self.area, self.text())
    }
}

/// The verdict of each area the trials cite, in `order` (the inventory's order; areas it does not
/// name follow alphabetically). `complete` is false when the run stopped early or is a partial
/// merge.
pub fn of(cases: &[CaseResult], strict: bool, complete: bool, order: &[String]) -> Vec<AreaVerdict> {
    let mut areas: Vec<AreaVerdict> = Vec::new();
    for case in cases {
        let standing = standing::of(case, strict);
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
                        failed: 0,
                        errors: 0,
                        deviations: 0,
                        must_passed: 0,
                        verdict: AreaWord::NotTested,
                        conformant: false,
                    });
                    areas.len() - 1
                }
            };
            let a = &mut areas[index];
            let passed = matches!(case.outcome, Outcome::Pass | Outcome::Flaky | Outcome::UnexpectedPass);
            a.trials += 1;
            a.pass += usize::from(case.outcome == Outcome::Pass);
            a.counted += usize::from(standing.counts);
            a.failed += usize::from(standing.counts && standing.shown == Shown::Failure);
            a.errors += usize::from(case.outcome == Outcome::Error);
            a.deviations += usize::from(standing.shown == Shown::Deviation);
            a.must_passed += usize::from(passed && case.severity == Severity::Must);
            a.not_run += usize::from(matches!(case.outcome, Outcome::Skip | Outcome::NotRun));
        }
    }
    for a in &mut areas {
        a.verdict = word(a, complete);
        a.conformant = a.verdict == AreaWord::Conformant;
    }
    let rank = |area: &str| order.iter().position(|o| o == area).unwrap_or(order.len());
    areas.sort_by(|a, b| (rank(&a.area), &a.area).cmp(&(rank(&b.area), &b.area)));
    areas
}

/// The word of an area from its counts: a failure first, then what could not be decided, then
/// what was not covered; "conformant" only when something passed that shows it.
fn word(a: &AreaVerdict, complete: bool) -> AreaWord {
    if a.failed > 0 {
        AreaWord::NotConformant
    } else if a.counted > 0 {
        AreaWord::Undecided
    } else if !complete {
        AreaWord::Incomplete
    } else if a.not_run == a.trials {
        AreaWord::NotTested
    } else if a.must_passed == 0 && (a.deviations > 0 || a.pass == 0) {
        AreaWord::NoMustLevelPass
    } else {
        AreaWord::Conformant
    }
}

/// `startMessaging: conformant; me: NOT conformant (4 failed)`.
pub fn line(areas: &[AreaVerdict]) -> String {
    areas.iter().map(AreaVerdict::line).collect::<Vec<_>>().join("; ")
}

/// A count and its noun in agreement: `1 fix`, `2 fixes`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Media;

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
            "startMessaging: conformant (1 should-level deviation); me: NOT conformant (1 failed, 1 error); \
             generic: not tested"
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

    #[test]
    fn an_area_of_should_level_deviations_alone_is_not_conformant() {
        let cases: Vec<CaseResult> = (0..6)
            .map(|n| {
                trial(
                    &format!("m.{n}"),
                    &["messaging"],
                    Severity::Should,
                    Outcome::ShouldDeviation,
                )
            })
            .collect();
        let areas = of(&cases, false, true, &[]);
        assert_eq!(areas[0].verdict, AreaWord::NoMustLevelPass);
        assert!(!areas[0].conformant);
        assert_eq!(
            line(&areas),
            "messaging: no must-level trial passed (6 should-level deviations)"
        );
        // With --strict they count, and the area fails.
        assert_eq!(of(&cases, true, true, &[])[0].verdict, AreaWord::NotConformant);
    }

    #[test]
    fn errors_alone_leave_an_area_undecided_not_failed() {
        let cases = vec![
            trial("a", &["me"], Severity::Must, Outcome::Error),
            trial("b", &["me"], Severity::Must, Outcome::Error),
            trial("c", &["me"], Severity::Must, Outcome::Pass),
        ];
        let areas = of(&cases, false, true, &[]);
        assert_eq!(areas[0].verdict, AreaWord::Undecided);
        assert_eq!(areas[0].counted, 2);
        assert_eq!(areas[0].failed, 0);
        assert_eq!(line(&areas), "me: undecided (2 errors)");
        // A stop does not hide them either.
        assert_eq!(line(&of(&cases, false, false, &[])), "me: undecided (2 errors)");
    }

    #[test]
    fn should_level_trials_that_all_pass_are_conformant_and_excused_ones_are_not() {
        let passing = vec![trial("a", &["x"], Severity::Should, Outcome::Pass)];
        assert_eq!(of(&passing, false, true, &[])[0].verdict, AreaWord::Conformant);
        let excused = vec![trial("a", &["x"], Severity::Must, Outcome::KnownFailure)];
        assert_eq!(of(&excused, false, true, &[])[0].verdict, AreaWord::NoMustLevelPass);
    }
}
