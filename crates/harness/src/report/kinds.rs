//! Differences grouped by kind (status, subcode, event, ...): which kinds of thing a run found
//! wrong, so a reader sees at a glance whether a target fails on its error rows or on its
//! events. Counted over the trials a reader must look at (failures, errors, deviations).

use super::results::Results;
use crate::judge::standing::{self, Shown};
use crate::judge::verdict::MismatchKind;

/// One kind's share of a run's differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindCount {
    /// The kind.
    pub kind: MismatchKind,
    /// Differences of that kind.
    pub differences: usize,
    /// Trials with at least one difference of that kind.
    pub trials: usize,
}

/// The kinds of difference in `r`'s failed, errored and deviating trials, in
/// [`MismatchKind::ALL`]'s order; kinds with no difference are left out.
pub fn by_kind(r: &Results) -> Vec<KindCount> {
    let looked_at = r.cases.iter().filter(|c| {
        matches!(
            standing::of(c, r.strict).shown,
            Shown::Failure | Shown::Error | Shown::Deviation
        )
    });
    let mut counts: Vec<KindCount> = MismatchKind::ALL
        .into_iter()
        .map(|kind| KindCount {
            kind,
            differences: 0,
            trials: 0,
        })
        .collect();
    for trial in looked_at {
        for count in &mut counts {
            let n = trial.mismatches.iter().filter(|m| m.kind == count.kind).count();
            count.differences += n;
            count.trials += usize::from(n > 0);
        }
    }
    counts.retain(|c| c.differences > 0);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Media, Severity};
    use crate::judge::verdict::{CaseResult, Mismatch, Outcome};

    fn trial(id: &str, severity: Severity, outcome: Outcome, kinds: &[MismatchKind]) -> CaseResult {
        CaseResult {
            mismatches: kinds
                .iter()
                .map(|&kind| Mismatch {
                    kind,
                    what: "w".into(),
                    expected: "e".into(),
                    actual: "a".into(),
                    must: false,
                })
                .collect(),
            ..CaseResult::new(id, Media::Json, severity, outcome)
        }
    }

    #[test]
    fn kinds_are_counted_over_the_trials_a_reader_must_look_at() {
        use MismatchKind as K;
        let cases = vec![
            trial("a", Severity::Must, Outcome::Fail, &[K::Status, K::Subcode]),
            trial("b", Severity::Must, Outcome::Fail, &[K::Subcode]),
            trial("c", Severity::Should, Outcome::ShouldDeviation, &[K::Event, K::Event]),
            trial("d", Severity::Must, Outcome::KnownFailure, &[K::Header]),
            trial("e", Severity::Must, Outcome::Pass, &[]),
        ];
        let r = crate::report::results::fixture(cases, false, None);
        let counts: Vec<_> = by_kind(&r)
            .into_iter()
            .map(|c| (c.kind.as_str(), c.differences, c.trials))
            .collect();
        assert_eq!(counts, [("status", 1, 1), ("subcode", 2, 2), ("event", 2, 1)]);
    }
}
