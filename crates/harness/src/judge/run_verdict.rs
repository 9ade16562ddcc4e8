//! How a run ended, decided once: [`RunVerdict`]. Every report (console, HTML, Markdown, JUnit,
//! `merge`) and the exit code ask this one value, and match on it without a catch-all, so a new
//! way for a run to end is a compile error in each of them until it is handled.
//!
//! A trial's standing (`standing`) says whether it counts; the run's verdict is a function of how
//! many count and whether the run stopped early.

use crate::exit::ExitCode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "is", rename_all = "kebab-case")]
pub enum RunVerdict {
    /// Every trial ran; none counts as a failure (exit 0).
    Conformant,
    /// `counted` trials count as failures (exit 1).
    NotConformant {
        /// How many.
        counted: usize,
    },
    /// A merge of partitions some of which are missing (`merge --allow-partial`): whatever the
    /// trials say, the run does not cover the corpus (exit 1).
    Partial {
        /// Trials that count as failures among those present.
        counted: usize,
        /// The missing partitions (`K` of `K/N`).
        missing: Vec<u64>,
    },
    /// The run stopped before every trial ended: a signal (exit 130 or 143), a target that
    /// stopped answering (exit 3), or `--fail-fast` (exit 1). Trials cut short are `not-run`.
    Stopped {
        /// Why, as a kind.
        kind: StopKind,
        /// Why, in words (`interrupted by SIGINT`).
        cause: String,
    },
}

/// Why a run stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StopKind {
    /// SIGINT (Ctrl-C): exit 130.
    Sigint,
    /// SIGTERM: exit 143.
    Sigterm,
    /// The target stopped answering (`--dead-after`): exit 3.
    TargetSilent,
    /// The first counted failure with `--fail-fast`, or the Nth with `--max-fail N`: exit 1.
    FailFast,
}

impl StopKind {
    /// The kind of a stop described in words, as results files written before the verdict was
    /// recorded hold it (`stopped`).
    pub fn from_cause(cause: &str) -> Self {
        if cause.contains("SIGINT") {
            StopKind::Sigint
        } else if cause.contains("SIGTERM") {
            StopKind::Sigterm
        } else if cause.contains("--fail-fast") {
            StopKind::FailFast
        } else {
            StopKind::TargetSilent
        }
    }
}

impl RunVerdict {
    /// The verdict of a run in which `counted` trials count as failures, stopped early for
    /// `stopped` (its kind and words) if it was.
    pub fn of(counted: usize, stopped: Option<(StopKind, String)>) -> Self {
        match (stopped, counted) {
            (Some((kind, cause)), _) => RunVerdict::Stopped { kind, cause },
            (None, 0) => RunVerdict::Conformant,
            (None, counted) => RunVerdict::NotConformant { counted },
        }
    }

    /// The process exit code of this verdict.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            RunVerdict::Conformant => ExitCode::Conformant,
            RunVerdict::NotConformant { .. } | RunVerdict::Partial { .. } => ExitCode::Failures,
            RunVerdict::Stopped { kind, .. } => match kind {
                StopKind::Sigint => ExitCode::Interrupted,
                StopKind::Sigterm => ExitCode::Terminated,
                StopKind::TargetSilent => ExitCode::TargetUnusable,
                StopKind::FailFast => ExitCode::Failures,
            },
        }
    }

    /// True only for [`RunVerdict::Conformant`].
    pub fn is_conformant(&self) -> bool {
        match self {
            RunVerdict::Conformant => true,
            RunVerdict::NotConformant { .. } | RunVerdict::Partial { .. } | RunVerdict::Stopped { .. } => false,
        }
    }

    /// The verdict in a word or two, as every report writes it: `conformant`, `NOT conformant`,
    /// `STOPPED`.
    pub fn word(&self) -> &'static str {
        match self {
            RunVerdict::Conformant => "conformant",
            RunVerdict::NotConformant { .. } => "NOT conformant",
            RunVerdict::Partial { .. } => "PARTIAL",
            RunVerdict::Stopped { .. } => "STOPPED",
        }
    }

    /// Its name in the results file (`is`): `conformant`, `not-conformant`, `partial`, `stopped`.
    pub fn name(&self) -> &'static str {
        match self {
            RunVerdict::Conformant => "conformant",
            RunVerdict::NotConformant { .. } => "not-conformant",
            RunVerdict::Partial { .. } => "partial",
            RunVerdict::Stopped { .. } => "stopped",
        }
    }

    /// The [`word`](Self::word) of the verdict named `name` (as [`name`](Self::name) gives it,
    /// for a verdict stored by name), and whether it is conformant; `None` for an unknown name.
    pub fn word_of(name: &str) -> Option<(&'static str, bool)> {
        let verdict = match name {
            "conformant" => RunVerdict::Conformant,
            "not-conformant" => RunVerdict::NotConformant { counted: 0 },
            "partial" => RunVerdict::Partial {
                counted: 0,
                missing: Vec::new(),
            },
            "stopped" => RunVerdict::Stopped {
                kind: StopKind::Sigint,
                cause: String::new(),
            },
            _ => return None,
        };
        Some((verdict.word(), verdict.is_conformant()))
    }

    /// Why the run stopped early, if it did.
    pub fn stop_cause(&self) -> Option<&str> {
        match self {
            RunVerdict::Stopped { cause, .. } => Some(cause),
            RunVerdict::Conformant | RunVerdict::NotConformant { .. } | RunVerdict::Partial { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn a_verdict_stored_by_name_reads_as_the_same_word() {
        for verdict in [
            RunVerdict::Conformant,
            RunVerdict::NotConformant { counted: 3 },
            RunVerdict::Partial {
                counted: 0,
                missing: vec![2],
            },
            RunVerdict::Stopped {
                kind: StopKind::Sigterm,
                cause: "x".into(),
            },
        ] {
            let json = serde_json::to_value(&verdict).expect("JSON");
            assert_eq!(json["is"], verdict.name(), "the results file's name");
            assert_eq!(
                RunVerdict::word_of(verdict.name()),
                Some((verdict.word(), verdict.is_conformant()))
            );
        }
        assert_eq!(RunVerdict::word_of("other"), None);
    }

    #[rstest]
    #[case(0, None, 0, "conformant")]
    #[case(3, None, 1, "NOT conformant")]
    #[case(0, Some(StopKind::Sigint), 130, "STOPPED")]
    #[case(2, Some(StopKind::Sigterm), 143, "STOPPED")]
    #[case(0, Some(StopKind::TargetSilent), 3, "STOPPED")]
    #[case(1, Some(StopKind::FailFast), 1, "STOPPED")]
    fn one_verdict_gives_the_exit_code_and_the_word(
        #[case] counted: usize,
        #[case] stop: Option<StopKind>,
        #[case] code: i32,
        #[case] word: &str,
    ) {
        let verdict = RunVerdict::of(counted, stop.map(|k| (k, "why".to_string())));
        assert_eq!(verdict.exit_code().code(), code);
        assert_eq!(verdict.word(), word);
        assert_eq!(verdict.is_conformant(), code == 0);
    }

    #[rstest]
    #[case("interrupted by SIGINT", StopKind::Sigint)]
    #[case("interrupted by SIGTERM", StopKind::Sigterm)]
    #[case("halted: the target stopped answering (3 exchanges)", StopKind::TargetSilent)]
    #[case("halted after the first failure (--fail-fast)", StopKind::FailFast)]
    fn older_files_say_why_in_words(#[case] cause: &str, #[case] kind: StopKind) {
        assert_eq!(StopKind::from_cause(cause), kind);
    }
}
