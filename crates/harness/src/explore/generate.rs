//! What to send, deterministic for a seed: first requests that cover every required pair of
//! value classes (greedy, as AETG does: each new request covers as many uncovered pairs as it
//! can), then sequences that build state (an operationId reused while its invitation waits,
//! after it was cancelled, after it was declined), then random combinations, several inputs
//! outside at once included.

use super::space::{Choice, Dimension, Draft, Pair, Reading, classes, required_pairs};
use crate::case::Media;
use std::collections::BTreeSet;

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same exploration on
/// every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// A state the exploration builds before its request: the same operationId used by an earlier
/// invitation of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sequence {
    /// The earlier invitation still waits (nobody answers it): 409 AlreadyExists.
    WhileWaiting,
    /// The earlier invitation was cancelled: its operationId is free again.
    AfterCancel,
    /// The earlier invitation was declined (completed with Failure): free again.
    AfterDeclined,
}

impl Sequence {
    /// Every sequence.
    pub const ALL: [Sequence; 3] = [Sequence::WhileWaiting, Sequence::AfterCancel, Sequence::AfterDeclined];

    /// Its name in ids and reports.
    pub fn name(self) -> &'static str {
        match self {
            Sequence::WhileWaiting => "reused-while-waiting",
            Sequence::AfterCancel => "reused-after-cancel",
            Sequence::AfterDeclined => "reused-after-declined",
        }
    }

    /// The peer its first invitation goes to.
    pub fn needs(self) -> &'static str {
        match self {
            Sequence::WhileWaiting | Sequence::AfterCancel => "peer:ignore",
            Sequence::AfterDeclined => "peer:decline",
        }
    }
}

/// One generated trial: a request's classes, and the state it is sent in (`None`: a fresh
/// operationId).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Planned {
    /// The classes of the (last) request.
    pub draft: Draft,
    /// The state built before it.
    pub sequence: Option<Sequence>,
}

/// What the generator may use.
#[derive(Debug, Clone)]
pub struct Space {
    /// The media types to send in.
    pub media: Vec<Media>,
    /// The peer roles the target has (`peer:decline`, `peer:ignore`).
    pub peers: BTreeSet<String>,
}

impl Space {
    fn usable(&self, d: usize, c: usize) -> bool {
        let class = &classes(Dimension::ALL[d])[c];
        class.needs.is_none_or(|n| self.peers.contains(n))
            && (class.dimension != Dimension::Media || self.media.contains(&super::space::media_of(class)))
    }

    fn usable_classes(&self, d: usize) -> Vec<usize> {
        (0..classes(Dimension::ALL[d]).len())
            .filter(|c| self.usable(d, *c))
            .collect()
    }

    fn plain(d: usize, c: usize) -> bool {
        matches!(classes(Dimension::ALL[d])[c].reading, Reading::Inside(_))
    }

    /// The plain request: JSON (or the only media), an ASCII operationId, the accepting peer.
    fn base(&self) -> [usize; 10] {
        let mut base = [0; 10];
        base[0] = self.usable_classes(0).first().copied().unwrap_or(0);
        base[1] = 1;
        base[2] = 1;
        base
    }
}

/// Every required pair of value classes, for `space`.
pub fn pairs(space: &Space) -> Vec<Pair> {
    required_pairs(&space.media, |p| space.peers.contains(p))
}

/// A pair of (dimension, class) in the order pairs are kept: the lower dimension first.
fn ordered(a: Choice, b: Choice) -> Pair {
    if a.0 < b.0 { (a, b) } else { (b, a) }
}

/// The pairs a draft covers, among `wanted`.
pub fn covered_by(draft: &Draft, wanted: &BTreeSet<Pair>) -> Vec<Pair> {
    let mut out = Vec::new();
    for a in 0..10 {
        for b in a + 1..10 {
            let pair = ((a, draft.0[a]), (b, draft.0[b]));
            if wanted.contains(&pair) {
                out.push(pair);
            }
        }
    }
    out
}

/// The covering requests: each starts from an uncovered pair and fills the other dimensions
/// with plain classes that cover the most uncovered pairs (ties broken by the generator), so
/// that no request has more than one class outside or open unless a pair asks for none.
pub fn covering(space: &Space, rng: &mut Rng) -> Vec<Draft> {
    let mut uncovered: BTreeSet<_> = pairs(space).into_iter().collect();
    let mut drafts = Vec::new();
    while let Some(&start) = uncovered.iter().nth(rng.below(uncovered.len())) {
        let ((a, ca), (b, cb)) = start;
        let mut choice = space.base();
        choice[a] = ca;
        choice[b] = cb;
        let mut order: Vec<usize> = (0..10).filter(|d| *d != a && *d != b).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut fixed: Vec<usize> = vec![a, b];
        for d in order {
            let mut best = (0usize, choice[d]);
            for c in space.usable_classes(d) {
                if !Space::plain(d, c) {
                    continue;
                }
                let gain = fixed
                    .iter()
                    .filter(|f| uncovered.contains(&ordered((**f, choice[**f]), (d, c))))
                    .count();
                if gain > best.0 || (gain == best.0 && gain > 0 && rng.below(2) == 0) {
                    best = (gain, c);
                }
            }
            choice[d] = best.1;
            fixed.push(d);
        }
        let draft = Draft(choice);
        let before = uncovered.len();
        for pair in covered_by(&draft, &uncovered) {
            uncovered.remove(&pair);
        }
        if uncovered.len() == before {
            uncovered.remove(&start);
            continue;
        }
        drafts.push(draft);
    }
    drafts
}

/// A random request: each dimension's class drawn among the usable ones, plain classes twice
/// as likely, so that several inputs outside at once come up too.
pub fn random(space: &Space, rng: &mut Rng) -> Draft {
    let mut choice = space.base();
    for (d, slot) in choice.iter_mut().enumerate() {
        let usable = space.usable_classes(d);
        let weighted: Vec<usize> = usable
            .iter()
            .flat_map(|c| if Space::plain(d, *c) { vec![*c, *c] } else { vec![*c] })
            .collect();
        if !weighted.is_empty() {
            *slot = weighted[rng.below(weighted.len())];
        }
    }
    Draft(choice)
}

/// A sequence's last request: a plain random request (every class inside), so that only the
/// state decides its answer.
pub fn plain_random(space: &Space, rng: &mut Rng) -> Draft {
    let mut choice = space.base();
    for (d, slot) in choice.iter_mut().enumerate() {
        // The operationId is what a sequence reuses, and `to` names its peer: both are sent.
        let plain: Vec<usize> = space
            .usable_classes(d)
            .into_iter()
            .filter(|c| Space::plain(d, *c) && !(matches!(d, 1 | 2) && *c == 0))
            .collect();
        if !plain.is_empty() {
            *slot = plain[rng.below(plain.len())];
        }
    }
    Draft(choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> Space {
        Space {
            media: Media::ALL.to_vec(),
            peers: ["peer:decline".to_string(), "peer:ignore".to_string()].into(),
        }
    }

    #[test]
    fn the_covering_requests_cover_every_required_pair_and_repeat_for_a_seed() {
        let space = space();
        let drafts = covering(&space, &mut Rng::new(42));
        let wanted: BTreeSet<_> = pairs(&space).into_iter().collect();
        let mut covered = BTreeSet::new();
        for d in &drafts {
            covered.extend(covered_by(d, &wanted));
        }
        assert_eq!(covered.len(), wanted.len());
        assert!(drafts.len() < 400, "{} requests", drafts.len());
        assert_eq!(drafts, covering(&space, &mut Rng::new(42)));
        assert_ne!(drafts, covering(&space, &mut Rng::new(43)));
        let outside = |d: &Draft| d.each().filter(|c| !matches!(c.reading, Reading::Inside(_))).count();
        assert!(
            drafts.iter().all(|d| outside(d) <= 1),
            "one value outside or open at most"
        );
    }

    #[test]
    fn classes_a_target_cannot_take_are_left_out() {
        let space = Space {
            media: vec![Media::Xml],
            peers: BTreeSet::new(),
        };
        for d in covering(&space, &mut Rng::new(7)) {
            assert_eq!(d.media(), Media::Xml);
            assert!(d.each().all(|c| c.needs.is_none()));
        }
    }
}
