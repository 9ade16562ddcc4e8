//! How a run ended, decided once: [`RunVerdict`]. Every report (console, HTML, Markdown, JUnit,
//! `merge`) and the exit code ask this one value, and match on it without a catch-all, so a new
//! way for a run to end is a compile error in each of them until it is handled.
//!
//! A trial's standing (`standing`) says whether it counts; the run's verdict is a function of how
//! many count and whether the run stopped early.

use crate::exit::ExitCode;
use serde::{Deserialize, Serialize};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// A run's verdict without its details (counts, missing partitions, the stop's cause): what the
/// history keeps of a run. Written by its name (`not-conformant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictKind {
    /// Every selected trial conforms.
    Conformant,
    /// Some trials count as failures.
    NotConformant,
    /// A merge with partitions missing.
    Partial,
    /// The run stopped before its plan ended.
    Stopped,
}

impl VerdictKind {
    /// `conformant`, `not-conformant`, `partial` or `stopped`.
    pub fn name(self) -> &'static str {
        match self {
            VerdictKind::Conformant => "conformant",
            VerdictKind::NotConformant => "not-conformant",
            VerdictKind::Partial => "partial",
            VerdictKind::Stopped => "stopped",
        }
    }

    /// The kind named `name` ([`VerdictKind::name`]); `None` for any other text.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            VerdictKind::Conformant,
            VerdictKind::NotConformant,
            VerdictKind::Partial,
            VerdictKind::Stopped,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }

    /// `conformant`, `NOT conformant`, `PARTIAL` or `STOPPED`, as every report writes it.
    pub fn word(self) -> &'static str {
        match self {
            VerdictKind::Conformant => "conformant",
            VerdictKind::NotConformant => "NOT conformant",
            VerdictKind::Partial => "PARTIAL",
            VerdictKind::Stopped => "STOPPED",
        }
    }

    /// True only for [`VerdictKind::Conformant`].
    pub fn is_conformant(self) -> bool {
        self == VerdictKind::Conformant
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

    /// Which verdict it is, without its details.
    pub fn kind(&self) -> VerdictKind {
        match self {
            RunVerdict::Conformant => VerdictKind::Conformant,
            RunVerdict::NotConformant { .. } => VerdictKind::NotConformant,
            RunVerdict::Partial { .. } => VerdictKind::Partial,
            RunVerdict::Stopped { .. } => VerdictKind::Stopped,
        }
    }

    /// The verdict in a word or two, as every report writes it: `conformant`, `NOT conformant`,
    /// `STOPPED`.
    pub fn word(&self) -> &'static str {
        self.kind().word()
    }

    /// Its name in the results file (`is`): `conformant`, `not-conformant`, `partial`, `stopped`.
    pub fn name(&self) -> &'static str {
        self.kind().name()
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
            let kind = VerdictKind::from_name(verdict.name()).expect("a known name");
            assert_eq!(
                (kind, kind.word(), kind.is_conformant()),
                (verdict.kind(), verdict.word(), verdict.is_conformant())
            );
            assert_eq!(
                serde_json::to_value(kind).expect("JSON"),
                json["is"],
                "the history writes the same name"
            );
        }
        assert_eq!(VerdictKind::from_name("other"), None);
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
