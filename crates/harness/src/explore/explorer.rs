//! The exploration: plan trials for a seed, ask the model what each is owed, run them through
//! the runner (`jobs` at a time, under a request rate and a time limit), then shrink each
//! distinct failure to a minimal request that fails the same way, and group the failures by
//! that minimal request.

use super::generate::{Planned, Rng, Sequence, Space, covered_by, covering, pairs, plain_random, random};
use super::oracle::Oracle;
use super::script::{Disagreement, Heading, Scripted, StandIn, script};
use super::space::{Class, Dimension, Draft, Judged, Reading, classes};
use super::summary::{Exploration, Finding};
use crate::case::{Case, Media, PeerRole, Severity, parse_case};
use crate::judge::verdict::{CaseResult, Mismatch, Outcome};
use crate::run::{Event, PlannedRun, Runner, Sink};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The default budget, in requests: every required pair of value classes within it, and under a
/// minute against a server on the same machine.
pub const DEFAULT_BUDGET: usize = 1000;

/// The axes shrinking simplifies along (see `Explorer::simpler`): the sequence, where `to`
/// goes, and every input but the media type.
const AXES: usize = 1 + Dimension::ALL.len();

/// How an exploration runs.
#[derive(Debug, Clone)]
pub struct ExploreOptions {
    /// The seed: the same seed plans the same trials.
    pub seed: u64,
    /// Requests to send while exploring (shrinking has its own allowance).
    pub budget: usize,
    /// Stop planning new trials after this long.
    pub time_limit: Option<Duration>,
    /// The media types to send in.
    pub media: Vec<Media>,
    /// At most this many requests per second.
    pub rate: Option<f64>,
    /// Trials at once (each has at most one invitation waiting).
    pub jobs: usize,
    /// Requests allowed to shrink each distinct failure.
    pub shrink_budget: usize,
    /// Stop starting trials once this many have found differences (the kill matrix needs one
    /// to call a mutant found); `None` explores the whole budget.
    pub max_failures: Option<usize>,
}

impl Default for ExploreOptions {
    fn default() -> Self {
        Self {
            seed: 0,
            budget: DEFAULT_BUDGET,
            time_limit: None,
            media: Media::ALL.to_vec(),
            rate: None,
            jobs: 4,
            shrink_budget: 120,
            max_failures: None,
        }
    }
}

/// What an exploration gave: every trial's result and the summary.
#[derive(Debug)]
pub struct Explored {
    /// Every trial run (shrinking's attempts are not among them).
    pub results: Vec<CaseResult>,
    /// Seed, coverage, findings.
    pub summary: Exploration,
}

/// One trial ready to run: its plan, its case and what the page's reading made of it.
struct Trial {
    planned: Planned,
    case: Arc<Case>,
    script: Scripted,
}

/// What a worker tells the listener.
enum Report {
    Started(String),
    Finished(usize, Box<(Trial, CaseResult)>),
    Disagreement(String),
}

/// The requests a trial's case sends (its wait steps send none).
fn requests_of(case: &Case) -> usize {
    case.steps
        .iter()
        .filter(|s| matches!(s.action, crate::case::Action::Request(_)))
        .count()
}

/// The requests a planned trial will send, as the page's reading tells (a created invitation
/// is read back once): what the plan counts against the budget.
fn estimate(planned: &Planned) -> usize {
    match planned.sequence {
        Some(Sequence::WhileWaiting | Sequence::AfterCancel) => 4,
        Some(Sequence::AfterDeclined) => 2,
        None => match super::space::reading(&planned.draft) {
            Judged::Accept(_) => 2,
            Judged::Refuse { .. } | Judged::Either => 1,
        },
    }
}

/// Paces trial starts to a request rate.
struct Pace {
    next: Mutex<Instant>,
    per_request: Option<Duration>,
}

impl Pace {
    fn new(rate: Option<f64>) -> Self {
        Self {
            next: Mutex::new(Instant::now()),
            per_request: rate.filter(|r| *r > 0.0).map(|r| Duration::from_secs_f64(1.0 / r)),
        }
    }

    async fn take(&self, requests: usize) {
        let Some(each) = self.per_request else { return };
        let at = {
            let mut next = self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let at = (*next).max(Instant::now());
            *next = at + each * requests as u32;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

/// The explorer: the runner it sends through, the oracle it asks, the space it draws from.
pub struct Explorer<'a> {
    runner: &'a Arc<Runner>,
    oracle: &'a dyn Oracle,
    options: ExploreOptions,
    space: Space,
    peers: Vec<(PeerRole, String)>,
    made: AtomicUsize,
    /// The explorer's own time so far (building trials), microseconds.
    own_us: std::sync::atomic::AtomicU64,
    /// The runner's time on the trials so far, microseconds.
    exchange_us: std::sync::atomic::AtomicU64,
}

impl<'a> Explorer<'a> {
    /// An explorer of the runner's target.
    pub fn new(runner: &'a Arc<Runner>, oracle: &'a dyn Oracle, options: ExploreOptions) -> Self {
        let target = runner.target();
        let peers: Vec<(PeerRole, String)> = [PeerRole::Accept, PeerRole::Decline, PeerRole::Ignore]
            .into_iter()
            .filter_map(|r| target.peer(r).map(|p| (r, p.to_string())))
            .collect();
        let media: Vec<Media> = options
            .media
            .iter()
            .copied()
            .filter(|m| target.media.contains(m))
            .collect();
        let space = Space {
            media,
            peers: peers
                .iter()
                .filter_map(|(r, _)| r.precondition().map(str::to_string))
                .collect(),
        };
        Self {
            runner,
            oracle,
            options,
            space,
            peers,
            made: AtomicUsize::new(0),
            own_us: Default::default(),
            exchange_us: Default::default(),
        }
    }

    /// The media types it sends in (the asked ones the target offers).
    pub fn media(&self) -> &[Media] {
        &self.space.media
    }

    /// Builds the case of a planned trial under `heading`, asking a fresh model.
    fn build(&self, planned: &Planned, heading: &Heading) -> Result<(Arc<Case>, Scripted), Disagreement> {
        let n = self.made.fetch_add(1, Ordering::Relaxed) as u64;
        let mut model = self.oracle.fresh();
        let values = StandIn::new(n, self.peers.clone());
        let scripted = script(planned, model.as_mut(), &values)?;
        Ok((Arc::new(scripted.case(heading)), scripted))
    }

    /// Plans the trials of the seed, within the budget as their requests are estimated from the
    /// page's reading: the covering requests with the sequences spread among them early (they
    /// wait for events), then random ones.
    fn plan(&self, rng: &mut Rng) -> Vec<Planned> {
        let mut planned: Vec<Planned> = covering(&self.space, rng)
            .into_iter()
            .map(|draft| Planned { draft, sequence: None })
            .collect();
        let sequences: Vec<Sequence> = Sequence::ALL
            .into_iter()
            .filter(|s| self.space.peers.contains(s.needs()))
            .collect();
        for (i, sequence) in sequences
            .iter()
            .cycle()
            .take(sequences.len() * self.space.media.len())
            .enumerate()
        {
            let mut draft = plain_random(&self.space, rng);
            draft.0[0] = media_index(self.space.media[i / sequences.len().max(1)]);
            let at = (i * 7).min(planned.len());
            planned.insert(
                at,
                Planned {
                    draft,
                    sequence: Some(*sequence),
                },
            );
        }
        let mut kept = Vec::new();
        let mut spent = 0;
        let mut queue = planned.into_iter();
        while spent < self.options.budget {
            let next = queue.next().unwrap_or_else(|| {
                let sequence =
                    (!sequences.is_empty() && rng.below(12) == 0).then(|| sequences[rng.below(sequences.len())]);
                let draft = if sequence.is_some() {
                    plain_random(&self.space, rng)
                } else {
                    random(&self.space, rng)
                };
                Planned { draft, sequence }
            });
            let cost = estimate(&next);
            if spent + cost > self.options.budget {
                break;
            }
            spent += cost;
            kept.push(next);
        }
        kept
    }

    /// The trial `n` of the plan: its case, built from the model's answers.
    fn trial(&self, n: usize, planned: &Planned) -> Result<Trial, Disagreement> {
        let heading = Heading {
            id: format!("explore.s{}.{n:04}", self.options.seed),
            title: format!("explored (seed {}): {}", self.options.seed, describe(planned)),
            comment: String::new(),
            media: vec![planned.draft.media()],
        };
        let (case, script) = self.build(planned, &heading)?;
        Ok(Trial {
            planned: planned.clone(),
            case,
            script,
        })
    }

    /// Explores: plans, runs every trial telling `sink`, shrinks the failures.
    pub async fn explore(&self, mut sink: impl Sink) -> Explored {
        let started = Instant::now();
        let mut rng = Rng::new(self.options.seed);
        let plan = self.plan(&mut rng);
        sink.event(&Event::Started {
            trials: plan.len(),
            waits: self.runner.waiting(),
            screen: self.runner.redactor(),
        });
        let (ran, disagreements) = self.run_all(&plan, &mut sink, started).await;
        let stop = self.runner.stop().requested();
        sink.event(&Event::Finished { stop: stop.as_ref() });
        let (findings, unwritten) = if stop.is_none() {
            self.findings(&ran).await
        } else {
            (Vec::new(), Vec::new())
        };
        let mut disagreements = disagreements;
        disagreements.extend(unwritten);
        let wanted: BTreeSet<_> = pairs(&self.space).into_iter().collect();
        let mut covered = BTreeSet::new();
        for (trial, _) in &ran {
            covered.extend(covered_by(&trial.planned.draft, &wanted));
        }
        let summary = Exploration {
            seed: self.options.seed,
            budget: self.options.budget,
            // The requests a trial sent (its event waits read the shared channel, not counted).
            requests: ran
                .iter()
                .map(|(t, r)| r.exchanges.len().min(requests_of(&t.case)))
                .sum(),
            trials: ran.len(),
            sequences: ran.iter().filter(|(t, _)| t.planned.sequence.is_some()).count(),
            pairs: wanted.len(),
            pairs_covered: covered.len(),
            media: self.space.media.clone(),
            findings,
            disagreements,
            time_limited: self.options.time_limit.is_some_and(|l| started.elapsed() >= l) && ran.len() < plan.len(),
            own_us: self.own_us.load(Ordering::Relaxed),
            exchange_us: self.exchange_us.load(Ordering::Relaxed),
        };
        Explored {
            results: ran.into_iter().map(|(_, r)| r).collect(),
            summary,
        }
    }

    /// Runs the plan `jobs` trials at a time (each built when its turn comes), paced, until the
    /// time limit or a stop; answers what ran (in plan order) and the trials not sent because
    /// the model and the page's reading disagree.
    async fn run_all(
        &self,
        plan: &[Planned],
        sink: &mut impl Sink,
        started: Instant,
    ) -> (Vec<(Trial, CaseResult)>, Vec<String>) {
        let next = AtomicUsize::new(0);
        let failures = AtomicUsize::new(0);
        let enough = |failures: &AtomicUsize| {
            self.options
                .max_failures
                .is_some_and(|max| failures.load(Ordering::Relaxed) >= max)
        };
        let pace = Pace::new(self.options.rate);
        let deadline = self.options.time_limit.map(|l| started + l);
        let (sender, mut reports) = tokio::sync::mpsc::unbounded_channel::<Report>();
        let worker = |sender: tokio::sync::mpsc::UnboundedSender<Report>| {
            let (next, pace, failures) = (&next, &pace, &failures);
            async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(planned) = plan.get(i) else { break };
                    if deadline.is_some_and(|d| Instant::now() >= d)
                        || self.runner.stop().requested().is_some()
                        || enough(failures)
                    {
                        break;
                    }
                    self.run_one(i, planned, pace, failures, &sender).await;
                }
            }
        };
        let workers: Vec<_> = (0..self.options.jobs.clamp(1, plan.len().max(1)))
            .map(|_| worker(sender.clone()))
            .collect();
        drop(sender);
        let mut ran = Vec::with_capacity(plan.len());
        let mut disagreements = Vec::new();
        let listen = async {
            while let Some(report) = reports.recv().await {
                match report {
                    Report::Started(name) => sink.event(&Event::TrialStarted { name: &name }),
                    Report::Finished(i, done) => {
                        sink.event(&Event::TrialFinished { result: &done.1 });
                        ran.push((i, *done));
                    }
                    Report::Disagreement(e) => disagreements.push(e),
                }
            }
        };
        futures_util::future::join(futures_util::future::join_all(workers), listen).await;
        ran.sort_by_key(|(i, _)| *i);
        let ran = ran
            .into_iter()
            .map(|(_, done)| done)
            .filter(|(_, r)| r.outcome != Outcome::NotRun)
            .collect();
        (ran, disagreements)
    }

    /// Builds trial `i` of the plan, waits for its pace, runs it and reports it to `sender` (or
    /// the disagreement that kept it from being sent), counting a failure in `failures`.
    async fn run_one(
        &self,
        i: usize,
        planned: &Planned,
        pace: &Pace,
        failures: &AtomicUsize,
        sender: &tokio::sync::mpsc::UnboundedSender<Report>,
    ) {
        // Timed on trials without a sequence: a sequence's event wait is the server's time, not
        // the exchange's.
        let timed = planned.sequence.is_none();
        let building = Instant::now();
        let built = self.trial(i, planned);
        if timed {
            self.own_us
                .fetch_add(building.elapsed().as_micros() as u64, Ordering::Relaxed);
        }
        let trial = match built {
            Ok(trial) => trial,
            Err(e) => {
                let _ = sender.send(Report::Disagreement(e.to_string()));
                return;
            }
        };
        pace.take(requests_of(&trial.case)).await;
        let run = PlannedRun {
            case: Arc::clone(&trial.case),
            media: planned.draft.media(),
        };
        let _ = sender.send(Report::Started(run.name()));
        let exchanging = Instant::now();
        let result = self.runner.trial(&run).await;
        if timed {
            self.exchange_us
                .fetch_add(exchanging.elapsed().as_micros() as u64, Ordering::Relaxed);
        }
        if result.outcome.found_differences() {
            failures.fetch_add(1, Ordering::Relaxed);
        }
        let _ = sender.send(Report::Finished(i, Box::new((trial, result))));
    }

    /// Runs one candidate of a shrink: its result, or `None` when it cannot be built.
    async fn attempt(&self, planned: &Planned, tag: &str) -> Option<(Arc<Case>, Scripted, CaseResult)> {
        let heading = Heading {
            id: format!("explore.shrink.{tag}"),
            title: "a shrinking attempt".into(),
            comment: String::new(),
            media: vec![planned.draft.media()],
        };
        let (case, script) = self.build(planned, &heading).ok()?;
        let run = PlannedRun {
            case: Arc::clone(&case),
            media: planned.draft.media(),
        };
        let result = self.runner.trial(&run).await;
        Some((case, script, result))
    }

    /// Shrinks `planned` (which failed with `signature`) to a minimal request that still
    /// fails the same way, in passes to a fixed point: each pass tries, axis by axis (the
    /// sequence, where `to` goes, then each input), that axis's simpler choices, simplest first,
    /// and keeps the first that still fails so before going on to the next axis; then whether
    /// the other media type fails too. A pass costs at most one attempt per choice, so the
    /// budget reaches the last inputs (starting over after each step spent it on the first).
    async fn shrink(&self, planned: &Planned, signature: &str) -> (Planned, Vec<Media>, usize) {
        let mut best = planned.clone();
        let mut spent = 0;
        let mut improved = true;
        while improved && spent < self.options.shrink_budget {
            improved = false;
            for axis in 0..AXES {
                for candidate in self.simpler(&best, axis) {
                    if spent >= self.options.shrink_budget {
                        break;
                    }
                    let Some((case, _, result)) = self.attempt(&candidate, "candidate").await else {
                        continue;
                    };
                    spent += requests_of(&case);
                    if signature_of(&result) == signature {
                        best = candidate;
                        improved = true;
                        break;
                    }
                }
            }
        }
        let mut media = vec![best.draft.media()];
        for other in self
            .space
            .media
            .iter()
            .filter(|m| !media.contains(m))
            .copied()
            .collect::<Vec<_>>()
        {
            let mut candidate = best.clone();
            candidate.draft.0[0] = media_index(other);
            if let Some((case, _, result)) = self.attempt(&candidate, "media").await {
                spent += requests_of(&case);
                if signature_of(&result) == signature {
                    media.push(other);
                }
            }
        }
        media.sort();
        (best, media, spent)
    }

    /// The simplifications of a planned trial along one axis, simplest first: axis 0, no
    /// sequence (a fresh operationId); axis 1, `to` in the body rather than the query; axis
    /// 1 + d, input d's simpler classes (absent first, then shorter values and simpler
    /// characters).
    fn simpler(&self, planned: &Planned, axis: usize) -> Vec<Planned> {
        let mut out = Vec::new();
        match axis {
            0 => {
                if planned.sequence.is_some() {
                    out.push(Planned {
                        sequence: None,
                        ..planned.clone()
                    });
                }
            }
            1 => {
                let (to, query) = (index_of(Dimension::To), index_of(Dimension::ToQuery));
                if planned.draft.0[to] == 0 && planned.draft.0[query] == 1 {
                    let mut moved = planned.clone();
                    moved.draft.0[to] = 1;
                    moved.draft.0[query] = 0;
                    out.push(moved);
                }
            }
            _ => {
                let d = axis - 1;
                let dimension = Dimension::ALL[d];
                for simpler in 0..planned.draft.0[d] {
                    let class = &classes(dimension)[simpler];
                    if class.needs.is_some_and(|n| !self.space.peers.contains(n)) {
                        continue;
                    }
                    let mut candidate = planned.clone();
                    candidate.draft.0[d] = simpler;
                    out.push(candidate);
                }
            }
        }
        out
    }

    /// The header lines of the case file of a finding: `minimal`, shrunk from `trial`, which
    /// differed as `mismatch` says.
    fn finding_heading(&self, minimal: &Planned, trial: &Trial, mismatch: &Mismatch, media: &[Media]) -> Heading {
        Heading {
            id: format!("explore.found.{}", slug(minimal)),
            // No text of the target's in the title: a case file holds only what the explorer
            // wrote (the difference found is in the results and the reports).
            title: format!(
                "found by explore (seed {}): {}: {} expected {}",
                self.options.seed,
                describe(minimal),
                mismatch.what,
                mismatch.expected,
            ),
            comment: format!(
                "Found by `ucwa-conformance explore --seed {}`, shrunk from: {}\nThe expectations come from the reference model; the page's reading: {}.",
                self.options.seed,
                describe(&trial.planned),
                reading_text(&trial.script.judged)
            ),
            media: media.to_vec(),
        }
    }

    /// The findings: failed trials grouped by signature, the first of each shrunk, then the
    /// groups that shrink to the same request merged.
    async fn findings(&self, ran: &[(Trial, CaseResult)]) -> (Vec<Finding>, Vec<String>) {
        let mut merged: BTreeMap<(Planned, String), Finding> = BTreeMap::new();
        let mut unwritten = Vec::new();
        for (_, members) in failure_groups(ran) {
            let (trial, result) = members[0];
            let signature = signature_of(result);
            let (mut minimal, media, spent) = self.shrink(&trial.planned, &signature).await;
            // The same minimal request found in either media type is one finding.
            minimal.draft.0[0] = media_index(media.first().copied().unwrap_or(Media::Json));
            let key = (minimal.clone(), signature.clone());
            if let Some(finding) = merged.get_mut(&key) {
                finding.hits += members.len();
                continue;
            }
            let mismatch = result.mismatches.first().cloned().unwrap_or_else(|| Mismatch {
                kind: Default::default(),
                what: "outcome".into(),
                expected: "pass".into(),
                actual: result.outcome.to_string(),
                must: false,
            });
            let heading = self.finding_heading(&minimal, trial, &mismatch, &media);
            let Ok((_, scripted)) = self.build(&minimal, &heading) else {
                continue;
            };
            let text = scripted.text(&heading);
            // What --found writes must load: a case the loader refuses is the explorer's bug.
            if let Err(e) = parse_case(Path::new(&format!("{}.toml", heading.id)), &text) {
                unwritten.push(format!(
                    "{}: the explorer wrote a case its own loader refuses: {e}",
                    heading.id
                ));
                continue;
            }
            merged.insert(
                key,
                Finding {
                    id: heading.id.clone(),
                    title: heading.title.clone(),
                    severity: scripted.severity,
                    request: describe(&minimal),
                    first_seen: describe(&trial.planned),
                    what: mismatch.what.clone(),
                    expected: mismatch.expected.clone(),
                    actual: mismatch.actual.clone(),
                    hits: members.len(),
                    media,
                    shrink_requests: spent,
                    case: text,
                },
            );
        }
        let mut findings: Vec<Finding> = merged.into_values().collect();
        findings.sort_by(|a, b| {
            (a.severity, std::cmp::Reverse(a.hits), &a.id).cmp(&(b.severity, std::cmp::Reverse(b.hits), &b.id))
        });
        (findings, unwritten)
    }
}

/// The failed trials, grouped by how they failed and by which of their inputs the page reads
/// as outside what it allows.
fn failure_groups(ran: &[(Trial, CaseResult)]) -> BTreeMap<String, Vec<(&Trial, &CaseResult)>> {
    let mut groups: BTreeMap<String, Vec<(&Trial, &CaseResult)>> = BTreeMap::new();
    for (trial, result) in ran {
        if result.outcome.found_differences() {
            let key = format!("{}|{}", signature_of(result), outside_classes(&trial.planned.draft));
            groups.entry(key).or_default().push((trial, result));
        }
    }
    groups
}

/// How a trial failed, for "fails the same way": the first difference (checks run in a fixed
/// order: status, error body, headers, resource), its kind and what, and for a status, code or
/// subcode what was expected (never what the target sent, which may carry ids and times; the
/// media type's name left out).
/// Not the outcome: the same
/// difference found inside a sequence (should) and in a plain request (must) is one cause.
pub fn signature_of(result: &CaseResult) -> String {
    use crate::judge::verdict::MismatchKind as K;
    match result.mismatches.first() {
        // A status, code or subcode is the same whatever the request; a property's or a
        // header's expected value carries the request's own values (its operationId, say).
        Some(m) if matches!(m.kind, K::Status | K::Code | K::Subcode) => {
            let expected = m.expected.replace(result.media.as_str(), "<media>");
            format!("{:?}:{}:{expected}", m.kind, m.what)
        }
        Some(m) => format!("{:?}:{}", m.kind, m.what),
        None => result.outcome.to_string(),
    }
}

fn outside_classes(draft: &Draft) -> String {
    draft
        .each()
        .filter(|c| !matches!(c.reading, Reading::Inside(_)))
        .map(|c| format!("{}={}", c.dimension.slug(), c.name))
        .collect::<Vec<_>>()
        .join(",")
}

fn describe(planned: &Planned) -> String {
    match planned.sequence {
        None => planned.draft.describe(),
        Some(s) => format!("{} ({})", planned.draft.describe(), s.name()),
    }
}

fn reading_text(judged: &Judged) -> String {
    match judged {
        Judged::Accept(Severity::Must) => "created (must)".into(),
        Judged::Accept(Severity::Should) => "created (should)".into(),
        Judged::Refuse { severity, items, .. } => format!("refused ({}: {})", severity.as_str(), items.join(", ")),
        Judged::Either => "either answer is legal".into(),
    }
}

/// A file-name-safe id part: the classes that are not the plain request's (an ASCII
/// operationId, the accepting peer in the body, nothing else), and the sequence.
fn slug(planned: &Planned) -> String {
    let plain = |c: &Class| match c.dimension {
        Dimension::Media => true,
        Dimension::OperationId => c.name == "ascii",
        Dimension::To => c.name == "peer",
        _ => c.name == "absent",
    };
    let mut parts: Vec<String> = planned
        .draft
        .each()
        .filter(|c| !plain(c))
        .map(|c| format!("{}-{}", c.dimension.slug(), c.name))
        .collect();
    if let Some(s) = planned.sequence {
        parts.push(s.name().to_string());
    }
    if parts.is_empty() {
        "plain".into()
    } else {
        parts.join(".")
    }
}

fn index_of(dimension: Dimension) -> usize {
    Dimension::ALL.iter().position(|d| *d == dimension).unwrap_or(0)
}

/// The Media class of a media type.
fn media_index(media: Media) -> usize {
    classes(Dimension::Media)
        .iter()
        .position(|c| c.name == media.as_str())
        .unwrap_or(0)
}
