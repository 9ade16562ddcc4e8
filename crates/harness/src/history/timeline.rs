//! A target's builds and its trials' outcomes build by build, and the questions asked of them:
//! which trials fail now and since when (`regressions`), which flip (`flaky`). Pure functions of
//! what the store read.
//!
//! A trial's status in a build: it **fails** when it counts as a failure under that run's
//! strictness, **passes** when it passed (also an unexpected pass, or flaky: passed on a retry),
//! and is **neither** otherwise (skipped, not run, a known failure, an uncounted should-level
//! deviation or error): a "neither" build neither ends a failing streak nor starts one.

use crate::judge::area_verdict::AreaVerdict;
use crate::judge::run_verdict::VerdictKind;
use crate::judge::verdict::Outcome;
use serde::Serialize;
use std::collections::BTreeMap;

/// One build of a target, as its latest run says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildSummary {
    /// The store's id.
    #[serde(skip)]
    pub id: i64,
    /// The build id as given (`--build`), or the run's start time.
    pub build: String,
    /// When it ran (its earliest run).
    pub at: String,
    /// The same, in milliseconds since the epoch.
    #[serde(skip)]
    pub at_ms: i64,
    /// How many runs were recorded for it (a re-run adds one; the latest speaks).
    pub runs: usize,
    /// Its verdict (`conformant`, `not-conformant`, `partial`, `stopped`); `None` for a name
    /// this version does not know.
    pub verdict: Option<VerdictKind>,
    /// Trials that count as failures.
    pub counted: usize,
    /// Trials that passed.
    pub pass: usize,
    /// Trials.
    pub trials: usize,
    /// Whether should-level deviations counted.
    pub strict: bool,
    /// The verdict of each area.
    pub areas: Vec<AreaVerdict>,
}

impl BuildSummary {
    /// Passed trials out of those that passed or count (0 when none did).
    pub fn pass_rate(&self) -> f64 {
        let judged = self.pass + self.counted;
        if judged == 0 {
            0.0
        } else {
            self.pass as f64 / judged as f64
        }
    }
}

/// A trial's outcome in one build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The outcome.
    pub outcome: Outcome,
    /// Whether it counted as a failure.
    pub counts: bool,
}

/// A trial's status in a build (see the module's doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// It counted as a failure.
    Fail,
    /// It passed.
    Pass,
    /// Neither (or absent from the build).
    Neither,
}

impl Cell {
    /// Its status.
    pub fn status(&self) -> Status {
        if self.counts {
            Status::Fail
        } else if matches!(self.outcome, Outcome::Pass | Outcome::UnexpectedPass | Outcome::Flaky) {
            Status::Pass
        } else {
            Status::Neither
        }
    }
}

/// One trial across builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialLine {
    /// The areas of its case.
    pub areas: Vec<String>,
    /// Its outcome per build, aligned with the timeline's builds (`None`: not in that build).
    pub cells: Vec<Option<Cell>>,
}

impl TrialLine {
    fn status(&self, at: usize) -> Status {
        self.cells[at].map_or(Status::Neither, |c| c.status())
    }

    /// True when it belongs to `area` (ASCII case ignored).
    pub fn in_area(&self, area: &str) -> bool {
        self.areas.iter().any(|a| a.eq_ignore_ascii_case(area))
    }
}

/// A target's builds (oldest first) and its trials across them.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The target.
    pub target: String,
    /// Its builds, oldest first.
    pub builds: Vec<BuildSummary>,
    /// Its trials by name (`id [media]`).
    pub trials: BTreeMap<String, TrialLine>,
}

/// A trial that fails in the target's latest build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regression {
    /// The target.
    pub target: String,
    /// The trial (`id [media]`).
    pub trial: String,
    /// Its areas.
    pub areas: Vec<String>,
    /// Its outcome in the latest build.
    pub outcome: Outcome,
    /// The first build in which it failed after its last pass.
    pub first_failing: String,
    /// The last build in which it passed (`None`: it never passed in the history).
    pub last_pass: Option<String>,
    /// How many builds it has failed in since its last pass (builds where it was neither are not
    /// counted).
    pub failing_builds: usize,
}

/// A trial whose status flipped between pass and fail at least twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flaky {
    /// The target.
    pub target: String,
    /// The trial (`id [media]`).
    pub trial: String,
    /// Its areas.
    pub areas: Vec<String>,
    /// Changes between pass and fail (builds where it was neither are skipped over).
    pub flips: usize,
    /// The builds looked at.
    pub builds: usize,
    /// True when it fails in the latest build (it is also a regression).
    pub failing_now: bool,
    /// Its status per build looked at, oldest first.
    pub statuses: Vec<Status>,
}

impl Timeline {
    /// The trials that fail in the latest build, each with the build where its current failing
    /// streak began, its last passing build, and the streak's length. In trial order.
    pub fn regressions(&self) -> Vec<Regression> {
        let Some(latest) = self.builds.len().checked_sub(1) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, line) in &self.trials {
            if line.status(latest) != Status::Fail {
                continue;
            }
            let mut first_failing = latest;
            let mut failing_builds = 0;
            let mut last_pass = None;
            for at in (0..=latest).rev() {
                match line.status(at) {
                    Status::Fail => {
                        first_failing = at;
                        failing_builds += 1;
                    }
                    Status::Pass => {
                        last_pass = Some(at);
                        break;
                    }
                    Status::Neither => {}
                }
            }
            out.push(Regression {
                target: self.target.clone(),
                trial: name.clone(),
                areas: line.areas.clone(),
                outcome: line.cells[latest].map_or(Outcome::NotRun, |c| c.outcome),
                first_failing: self.builds[first_failing].build.clone(),
                last_pass: last_pass.map(|at| self.builds[at].build.clone()),
                failing_builds,
            });
        }
        out
    }

    /// The trials whose status changed between pass and fail at least twice over the timeline's
    /// builds, most flips first.
    pub fn flaky(&self) -> Vec<Flaky> {
        let latest = self.builds.len().checked_sub(1);
        let mut out: Vec<Flaky> = Vec::new();
        for (name, line) in &self.trials {
            let statuses: Vec<Status> = (0..self.builds.len()).map(|at| line.status(at)).collect();
            let judged: Vec<Status> = statuses.iter().copied().filter(|s| *s != Status::Neither).collect();
            let flips = judged.windows(2).filter(|w| w[0] != w[1]).count();
            if flips < 2 {
                continue;
            }
            out.push(Flaky {
                target: self.target.clone(),
                trial: name.clone(),
                areas: line.areas.clone(),
                flips,
                builds: self.builds.len(),
                failing_now: latest.is_some_and(|at| line.status(at) == Status::Fail),
                statuses,
            });
        }
        out.sort_by(|a, b| b.flips.cmp(&a.flips).then_with(|| a.trial.cmp(&b.trial)));
        out
    }

    /// Keeps only the trials of `area`.
    pub fn in_area(mut self, area: &str) -> Self {
        self.trials.retain(|_, line| line.in_area(area));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(statuses: &str) -> Timeline {
        let builds: Vec<BuildSummary> = (0..statuses.len())
            .map(|i| BuildSummary {
                id: i as i64,
                build: format!("b{}", i + 1),
                at: String::new(),
                at_ms: i as i64,
                runs: 1,
                verdict: None,
                counted: 0,
                pass: 0,
                trials: 1,
                strict: false,
                areas: Vec::new(),
            })
            .collect();
        let cells = statuses
            .chars()
            .map(|c| match c {
                'P' => Some(Cell {
                    outcome: Outcome::Pass,
                    counts: false,
                }),
                'F' => Some(Cell {
                    outcome: Outcome::Fail,
                    counts: true,
                }),
                's' => Some(Cell {
                    outcome: Outcome::Skip,
                    counts: false,
                }),
                _ => None,
            })
            .collect();
        let mut trials = BTreeMap::new();
        trials.insert(
            "t [json]".to_string(),
            TrialLine {
                areas: vec!["me".into()],
                cells,
            },
        );
        Timeline {
            target: "x".into(),
            builds,
            trials,
        }
    }

    #[test]
    fn a_regression_names_the_first_failing_build_after_the_last_pass() {
        let r = timeline("PPFFPsF-F").regressions();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].first_failing, "b7");
        assert_eq!(r[0].last_pass.as_deref(), Some("b5"));
        assert_eq!(r[0].failing_builds, 2, "skipped and absent builds are not counted");
    }

    #[test]
    fn a_trial_that_never_passed_has_no_last_pass() {
        let r = timeline("FsF").regressions();
        assert_eq!(r[0].first_failing, "b1");
        assert_eq!(r[0].last_pass, None);
        assert!(timeline("FFP").regressions().is_empty());
    }

    #[test]
    fn flips_are_counted_over_judged_builds_only() {
        let f = timeline("PPFsFPF").flaky();
        assert_eq!(f[0].flips, 3);
        assert!(f[0].failing_now);
        assert!(
            timeline("PPFFF").flaky().is_empty(),
            "one change is a regression, not a flake"
        );
        assert!(timeline("PsPsP").flaky().is_empty());
    }
}
