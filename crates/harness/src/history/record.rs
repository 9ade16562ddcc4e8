//! One run as the history keeps it: the target, the build it belongs to, when it ran, its verdict
//! and per-area verdicts, and each trial's outcome and whether it counts. Made from a results file;
//! a partial merge and a lone partition are refused (their missing trials would read as trials
//! that vanished).

use crate::judge::area_verdict::{self, AreaVerdict};
use crate::judge::run_verdict::{RunVerdict, VerdictKind};
use crate::judge::standing;
use crate::judge::verdict::Outcome;
use crate::report::results::Results;

/// One trial of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialRecord {
    /// `id [media]`.
    pub name: String,
    /// The areas of the spec items its case cites.
    pub areas: Vec<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Whether it counts as a failure under the run's strictness.
    pub counts: bool,
}

/// One run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// `sha256:` of the results (their canonical JSON): the same file added twice is one run.
    pub digest: String,
    /// The target's name.
    pub target: String,
    /// The build it tested: a CI build number, a commit, a version (default: the start time).
    pub build: String,
    /// When it ran (RFC 3339), or the `--at` given.
    pub at: String,
    /// The same instant in milliseconds since the epoch: builds are ordered by it.
    pub at_ms: i64,
    /// The suite's version.
    pub suite_version: String,
    /// The case set's digest.
    pub case_set_digest: String,
    /// Whether should-level deviations counted.
    pub strict: bool,
    /// Its verdict, without details.
    pub verdict: VerdictKind,
    /// Trials that count as failures.
    pub counted: usize,
    /// Trials that passed.
    pub pass: usize,
    /// The verdict of each area.
    pub areas: Vec<AreaVerdict>,
    /// Every trial.
    pub trials: Vec<TrialRecord>,
}

/// Why a results file is not added to the history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// A merge with partitions missing.
    #[error(
        "a partial merge ({} missing): its missing trials would read as trials that vanished; add the full merge",
        crate::report::results::missing_partitions(.0)
    )]
    PartialMerge(Vec<u64>),
    /// One partition of a run.
    #[error(
        "partition {0}/{1} of a run: merge the partitions first (`ucwa-conformance merge`) and add the merged file"
    )]
    Partition(u64, u64),
    /// `--at` (or the start time) does not read.
    #[error("the time `{0}` is not an RFC 3339 instant (like 2026-12-02T10:00:00Z): {1}")]
    Time(String, String),
    /// `--build ""`.
    #[error("the build id is empty")]
    EmptyBuild,
}

impl RunRecord {
    /// The record of `results`, as build `build` (default: its start time) at `at` (RFC 3339;
    /// default: its start time). Refuses a partial merge and a lone partition, and a time that
    /// does not read.
    pub fn of(results: &Results, build: Option<&str>, at: Option<&str>) -> Result<Self, Refused> {
        if let RunVerdict::Partial { missing, .. } = &results.verdict {
            return Err(Refused::PartialMerge(missing.clone()));
        }
        if let Some(p) = results.selection.partition {
            return Err(Refused::Partition(p.index, p.count));
        }
        let when = at.unwrap_or(&results.started_at);
        let at_ms =
            crate::clock::parse_rfc3339(when).map_err(|why| Refused::Time(when.to_string(), why.to_string()))?;
        // Serialising typed results cannot fail (every map has string keys).
        let canonical = serde_json::to_vec(results).unwrap_or_default();
        let digest = crate::digest::sha256(&canonical);
        // Files written before areas existed: from the cases' areas, when they have them.
        let areas = if results.areas.is_empty() {
            let complete = results.verdict.stop_cause().is_none();
            area_verdict::of(&results.cases, results.strict, complete, &[])
        } else {
            results.areas.clone()
        };
        let build = match build {
            Some(b) if !b.trim().is_empty() => b.trim().to_string(),
            Some(_) => return Err(Refused::EmptyBuild),
            None => results.started_at.clone(),
        };
        Ok(RunRecord {
            digest,
            target: results.target.name.clone(),
            build,
            at: crate::clock::rfc3339_millis(at_ms),
            at_ms,
            suite_version: results.suite_version.clone(),
            case_set_digest: results.case_set_digest.clone(),
            strict: results.strict,
            verdict: results.verdict.kind(),
            counted: results.summary.counted,
            pass: results.summary.pass,
            areas,
            trials: results
                .cases
                .iter()
                .map(|c| TrialRecord {
                    name: c.name(),
                    areas: c.areas.clone(),
                    outcome: c.outcome,
                    counts: standing::of(c, results.strict).counts,
                })
                .collect(),
        })
    }
}
