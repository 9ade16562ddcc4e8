//! The suite proves itself: run the corpus against the reference server and against each of its
//! deliberate mutants, and record which cases catch which mutant (the kill matrix). A mutant is
//! killed by a case that passes against the reference and fails against the mutant. Its second
//! column is exploration's: one exploration against each mutant whose fault lies in
//! startMessaging's inputs or state, which must find it (the corpus is blind by design to
//! [`Mutant::corpus_blind`]).

use crate::case::Case;
use crate::client::HttpClient;
use crate::judge::verdict::Outcome;
use crate::oracle::embedded;
use crate::reference::{Config, Mutant};
use crate::run::{self, PlannedRun, RunOptions, Selection, Stop};
use std::sync::Arc;
use std::time::Duration;

/// Wait budgets are capped at this against the reference and its mutants (they answer at once or
/// never), so a mutant that never sends an event costs seconds, not the case's own budget.
pub const MAX_WAIT: Duration = Duration::from_secs(4);

/// One mutant's row of the kill matrix.
#[derive(Debug, Clone)]
pub struct MutantRow {
    /// The mutant.
    pub mutant: Mutant,
    /// Trials (`id [media]`) that caught it, with the spec items their cases cite.
    pub killed_by: Vec<(String, Vec<String>)>,
    /// Why the run against it could not happen (the target was unusable), if so.
    pub error: Option<ColumnError>,
    /// Exploration's column: the findings (ids) of one exploration against it, or why it
    /// could not run; `None` when it was not explored (its fault is not startMessaging's, or
    /// the matrix ran without exploration).
    pub explored: Option<Result<Vec<String>, ColumnError>>,
}

/// Why a server's column of the matrix could not be filled.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ColumnError {
    /// The embedded server did not start.
    #[error("the reference server did not start: {0}")]
    Start(Arc<std::io::Error>),
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    Client(Arc<crate::client::TransportError>),
    /// The run could not open or go on.
    #[error("{0}")]
    Run(Arc<crate::error::Error>),
}

impl MutantRow {
    /// True when a killing case cites the spec item the mutant breaks.
    pub fn killed_on_its_item(&self) -> bool {
        self.killed_by
            .iter()
            .any(|(_, spec)| spec.iter().any(|s| s == self.mutant.breaks()))
    }

    /// True when the row holds what the suite claims of its mutant: the corpus kills it on its
    /// item (or, for a mutant the corpus is blind to by design, misses it), and exploration,
    /// where it ran, found it.
    pub fn holds(&self) -> bool {
        let corpus = if self.mutant.corpus_blind() {
            self.killed_by.is_empty() && self.error.is_none()
        } else {
            self.killed_on_its_item()
        };
        let explored = match &self.explored {
            None => true,
            Some(Ok(found)) => !found.is_empty(),
            Some(Err(_)) => false,
        };
        corpus && explored
    }
}

/// The whole self-test.
#[derive(Debug, Clone, Default)]
pub struct KillMatrix {
    /// Trials that do not pass against the reference itself (each one is a bug).
    pub reference_failures: Vec<String>,
    /// One row per mutant run.
    pub rows: Vec<MutantRow>,
}

impl KillMatrix {
    /// Mutants killed by a case citing the item they break, out of all mutants run.
    pub fn score(&self) -> (usize, usize) {
        (
            self.rows.iter().filter(|r| r.killed_on_its_item()).count(),
            self.rows.len(),
        )
    }

    /// Mutants exploration found, out of those it ran against.
    pub fn explore_score(&self) -> (usize, usize) {
        let explored = self.rows.iter().filter_map(|r| r.explored.as_ref());
        let found = explored
            .clone()
            .filter(|e| e.as_ref().is_ok_and(|f| !f.is_empty()))
            .count();
        (found, explored.count())
    }

    /// True when the reference passes everything (and exploration finds nothing in it) and
    /// every row holds (see [`MutantRow::holds`]).
    pub fn is_perfect(&self) -> bool {
        self.reference_failures.is_empty() && self.rows.iter().all(MutantRow::holds)
    }
}

/// The seed the matrix explores with, so that its column repeats.
pub const EXPLORE_SEED: u64 = 1;

/// The embedded reference running as `mutant` (the reference itself without one), and a client
/// for it.
async fn started(mutant: Option<Mutant>) -> Result<(embedded::Embedded, HttpClient), ColumnError> {
    let config = Config {
        mutant,
        ..embedded::run_config()
    };
    let server = embedded::start(config)
        .await
        .map_err(|e| ColumnError::Start(Arc::new(e)))?;
    let client = HttpClient::new(server.target.limits).map_err(|e| ColumnError::Client(Arc::new(e)))?;
    Ok((server, client))
}

/// Exploration's column of one server: the ids of the findings of one exploration (default
/// budget, [`EXPLORE_SEED`], ended by its first failure) against the reference run as `mutant`.
pub async fn explored(mutant: Option<Mutant>) -> Result<Vec<String>, ColumnError> {
    use crate::explore::{ExploreOptions, Explorer};
    let (server, client) = started(mutant).await?;
    let target = server.target.clone();
    let options = RunOptions {
        jobs: 4,
        max_wait: Some(MAX_WAIT),
        ..RunOptions::default()
    };
    let found = async {
        let runner = Arc::new(
            run::Runner::open(target.clone(), client, options, Stop::new())
                .await
                .map_err(|e| ColumnError::Run(Arc::new(e)))?,
        );
        let oracle = crate::oracle::model::ReferenceOracle::for_target(&target);
        // A mutant is found by its first failure (then shrunk); the reference, which has none,
        // is explored over the whole budget.
        let explore = ExploreOptions {
            seed: EXPLORE_SEED,
            max_failures: Some(1),
            ..ExploreOptions::default()
        };
        let explored = Explorer::new(&runner, &oracle, explore).explore(()).await;
        runner.close().await;
        let mut found: Vec<String> = explored.summary.findings.into_iter().map(|f| f.id).collect();
        found.extend(
            explored
                .summary
                .disagreements
                .into_iter()
                .map(|d| format!("disagreement: {d}")),
        );
        Ok::<_, ColumnError>(found)
    }
    .await;
    server.server.stop();
    found
}

/// The outcome of every trial against the reference, or against one mutant: a run session
/// with every trial at once (the reference answers at once or never).
async fn outcomes(cases: &[Arc<Case>], mutant: Option<Mutant>) -> Result<Vec<(PlannedRun, Outcome)>, ColumnError> {
    let (server, client) = started(mutant).await?;
    let plan = run::plan(cases, &Selection::default());
    let options = RunOptions {
        jobs: plan.len(),
        max_wait: Some(MAX_WAIT),
        ..RunOptions::default()
    };
    let by_name: std::collections::BTreeMap<String, PlannedRun> = plan.iter().map(|p| (p.name(), p.clone())).collect();
    let finished = run::run_plan(server.target, client, plan, options, Stop::new(), ()).await;
    server.server.stop();
    Ok(finished
        .map_err(|e| ColumnError::Run(Arc::new(e)))?
        .results
        .into_iter()
        .filter_map(|r| by_name.get(&r.name()).map(|p| (p.clone(), r.outcome)))
        .collect())
}

/// Which cases run against each mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every case: the whole matrix, every trial that catches each mutant (`mutants`).
    Everything,
    /// Only the cases citing the item the mutant breaks: enough to prove it is killed on its
    /// item, at a fraction of the cost (the test suite).
    ItsItem,
}

/// Runs the corpus against the reference and against each of `mutants` (the cases `scope`
/// says), `parallel` servers at a time; with `explore`, exploration too, against the reference
/// (where it must find nothing) and against each mutant it must find
/// ([`Mutant::explorable`]).
pub async fn kill_matrix(
    cases: Vec<Arc<Case>>,
    mutants: &[Mutant],
    parallel: usize,
    scope: Scope,
    explore: bool,
) -> KillMatrix {
    let (passing, reference_failures) = reference_column(&cases, explore).await;
    let mut matrix = KillMatrix {
        reference_failures,
        ..KillMatrix::default()
    };
    let limit = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for &mutant in mutants {
        let cases: Vec<Arc<Case>> = match scope {
            Scope::Everything => cases.clone(),
            Scope::ItsItem => cases
                .iter()
                .filter(|c| c.spec.iter().any(|s| s == mutant.breaks()))
                .cloned()
                .collect(),
        };
        let limit = Arc::clone(&limit);
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let explored = match explore && mutant.explorable() {
                true => Some(explored(Some(mutant)).await),
                false => None,
            };
            (mutant, outcomes(&cases, Some(mutant)).await, explored)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((mutant, run, explored)) = joined else { continue };
        let row = match run {
            Ok(all) => MutantRow {
                mutant,
                killed_by: all
                    .into_iter()
                    .filter(|(p, o)| o.found_differences() && passing.contains(&p.name()))
                    .map(|(p, _)| (p.name(), p.case.spec.clone()))
                    .collect(),
                error: None,
                explored,
            },
            Err(e) => MutantRow {
                mutant,
                killed_by: Vec::new(),
                error: Some(e),
                explored,
            },
        };
        matrix.rows.push(row);
    }
    matrix
        .rows
        .sort_by_key(|r| Mutant::ALL.iter().position(|m| *m == r.mutant));
    for row in &mut matrix.rows {
        row.killed_by.sort();
    }
    matrix
}

/// Runs the corpus (with `explore`, exploration too) against the reference: the names of the
/// trials that pass there (only they can kill a mutant), and what failed where nothing may.
async fn reference_column(cases: &[Arc<Case>], explore: bool) -> (Vec<String>, Vec<String>) {
    let mut failures = Vec::new();
    if explore {
        match explored(None).await {
            Ok(found) if found.is_empty() => {}
            Ok(found) => failures.push(format!(
                "exploration finds deviations in the reference: {}",
                found.join(", ")
            )),
            Err(e) => failures.push(format!("exploring the reference failed: {e}")),
        }
    }
    let passing = match outcomes(cases, None).await {
        Ok(all) => {
            for (planned, outcome) in &all {
                if *outcome != Outcome::Pass {
                    failures.push(format!("{} ({})", planned.name(), outcome));
                }
            }
            all.iter()
                .filter(|(_, o)| *o == Outcome::Pass)
                .map(|(p, _)| p.name())
                .collect()
        }
        Err(e) => {
            failures.push(format!("the reference run failed: {e}"));
            Vec::new()
        }
    };
    (passing, failures)
}

/// The kill matrix as text: one line per mutant, then the score.
pub fn render(matrix: &KillMatrix) -> String {
    let mut out = String::new();
    for failure in &matrix.reference_failures {
        out.push_str(&format!("REFERENCE FAILS: {failure}\n"));
    }
    let width = matrix.rows.iter().map(|r| r.mutant.name().len()).max().unwrap_or(8);
    for row in &matrix.rows {
        let blind = row.mutant.corpus_blind();
        let verdict = match (&row.error, row.killed_on_its_item(), row.killed_by.is_empty()) {
            (Some(e), _, _) => format!("ERROR     {e}"),
            (None, true, _) => "killed   ".to_string(),
            (None, false, false) => "killed, but by no case citing its item".to_string(),
            (None, false, true) if blind => "missed (by design)".to_string(),
            (None, false, true) => "SURVIVED ".to_string(),
        };
        let explored = match &row.explored {
            None => String::new(),
            Some(Ok(found)) if found.is_empty() => "  explore: SURVIVED".to_string(),
            Some(Ok(found)) => format!("  explore: found ({})", found.join(", ")),
            Some(Err(e)) => format!("  explore: ERROR {e}"),
        };
        let ids: std::collections::BTreeSet<&str> = row
            .killed_by
            .iter()
            .map(|(name, _)| name.split(" [").next().unwrap_or(name))
            .collect();
        out.push_str(&format!(
            "{:width$}  {verdict}  breaks {:34} caught by {} trials: {}{explored}\n",
            row.mutant.name(),
            row.mutant.breaks(),
            row.killed_by.len(),
            ids.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let (killed, total) = matrix.score();
    let percent = if total == 0 {
        0.0
    } else {
        killed as f64 * 100.0 / total as f64
    };
    out.push_str(&format!("\nkill score: {killed}/{total} mutants ({percent:.0}%)\n"));
    let (found, explored) = matrix.explore_score();
    if explored > 0 {
        out.push_str(&format!(
            "explore score: {found}/{explored} mutants of startMessaging's inputs and state (seed {EXPLORE_SEED}, budget {})\n",
            crate::explore::DEFAULT_BUDGET
        ));
    }
    out
}
