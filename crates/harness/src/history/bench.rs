//! The history's benchmark (the `history` section of `bench`): a thousand results files (by
//! default) made from
//! one real run, each a build of one target in which some trials fail by a pattern (regressions
//! that last, trials that flip), added to a fresh SQLite file the way `history add` adds them
//! (read, checked, recorded, one transaction each); then `regressions` and `flaky` over every
//! build, and the dashboard, each timed. Writing the files is not timed.

use super::store::{Location, Store};
use super::{RunRecord, dashboard};
use crate::judge::verdict::{CaseResult, Outcome};
use crate::report::results::{self, Results};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryBench {
    /// Results files added.
    pub files: usize,
    /// Trials in each.
    pub trials: usize,
    /// Size of one results file, bytes.
    pub file_bytes: usize,
    /// Adding them all (read, checked, recorded), milliseconds.
    pub add_ms: f64,
    /// `regressions` over every build, milliseconds.
    pub regressions_ms: f64,
    /// Regressions found.
    pub regressions: usize,
    /// `flaky` over the last 20 builds, milliseconds.
    pub flaky_ms: f64,
    /// Flaky trials found.
    pub flaky: usize,
    /// The dashboard (read and written), milliseconds.
    pub dashboard_ms: f64,
    /// Its size, bytes.
    pub dashboard_bytes: usize,
    /// The database's size, bytes.
    pub database_bytes: u64,
}

/// Build `build` of the series made from `template`: trial `i` fails where the pattern says so.
fn variant(template: &Results, build: usize, files: usize) -> Results {
    let mut run = template.clone();
    let start = crate::clock::parse_rfc3339(&template.started_at).unwrap_or(0);
    run.started_at = crate::clock::rfc3339_millis(start + 600_000 * build as i64);
    let cases: Vec<CaseResult> = run
        .cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            // Every 13th trial breaks for 40 builds in every 300; every 17th flips on odd builds
            // in the last 50.
            let broken = i % 13 == 0 && (build + i) % 300 < 40;
            let flipping = i % 17 == 1 && build % 2 == 1 && build + 50 > files;
            if broken || flipping {
                let mut failed = case.clone();
                failed.outcome = Outcome::failed(case.severity);
                failed
            } else {
                case.clone()
            }
        })
        .collect();
    let (summary, verdict, areas) = results::judge(&cases, run.strict, None, &[]);
    run.summary = summary;
    run.verdict = verdict;
    run.areas = areas;
    run.cases = cases;
    run
}

/// Results files in the series, by default.
pub const FILES: usize = 1_000;

/// `template` with at least `trials` trials: its trials repeated under other ids when it has
/// fewer (the template runs only the cases that do not wait for events).
fn padded(template: &Results, trials: usize) -> Results {
    let mut run = template.clone();
    let mut copy = 0;
    while run.cases.len() < trials && !template.cases.is_empty() {
        let case = &template.cases[copy % template.cases.len()];
        run.cases.push(CaseResult {
            id: format!("{}.copy-{}", case.id, copy / template.cases.len() + 1),
            ..case.clone()
        });
        copy += 1;
    }
    run
}

/// Why the history benchmark could not give its figures.
#[derive(Debug, thiserror::Error)]
pub enum HistoryBenchError {
    /// Writing a generated file or the scratch directory failed.
    #[error("{what}: {source}")]
    Files {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A generated results file did not read back.
    #[error("reading a generated results file: {0}")]
    Results(#[from] crate::error::Error),
    /// A generated results file was refused as a run.
    #[error("a generated results file was refused: {0}")]
    Refused(#[from] super::record::Refused),
    /// The history store failed.
    #[error("{0}")]
    Store(#[from] super::HistoryError),
}

/// `what` failed with an I/O error.
fn files(what: String) -> impl FnOnce(std::io::Error) -> HistoryBenchError {
    move |source| HistoryBenchError::Files { what, source }
}

/// Runs the benchmark with `files` results files of at least `trials` trials made from
/// `template`, in a directory of its own under `scratch`, removed afterwards.
pub fn run(template: &Results, trials: usize, files: usize, scratch: &Path) -> Result<HistoryBench, HistoryBenchError> {
    let template = &padded(template, trials);
    let dir = scratch.join(format!("ucwa-history-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(self::files(format!("creating {}", dir.display())))?;
    let outcome = measure(template, files, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

fn measure(template: &Results, files: usize, dir: &Path) -> Result<HistoryBench, HistoryBenchError> {
    let mut paths: Vec<PathBuf> = Vec::with_capacity(files);
    let mut file_bytes = 0;
    for build in 0..files {
        let path = dir.join(format!("build-{build:04}.json"));
        let text = results::to_json(&variant(template, build, files));
        file_bytes = text.len();
        std::fs::write(&path, text).map_err(self::files(format!("writing {}", path.display())))?;
        paths.push(path);
    }
    let db = dir.join("history.sqlite");
    let location = Location::Sqlite(db.clone());
    let started = Instant::now();
    let mut store = Store::open(&location, true)?;
    for (build, path) in paths.iter().enumerate() {
        let results = results::read(path)?;
        let record = RunRecord::of(&results, Some(&format!("1.0.{build}")), None)?;
        store.add(&record)?;
    }
    let add_ms = ms(started);
    let target = template.target.name.clone();
    let started = Instant::now();
    let regressions = store.regressions(&target, None)?;
    let regressions_ms = ms(started);
    let started = Instant::now();
    let flaky = store.flaky(&target, dashboard::FLAKY_BUILDS, None)?;
    let flaky_ms = ms(started);
    let started = Instant::now();
    let gathered = dashboard::gather(&mut store, &[], None)?;
    let page = dashboard::render(&gathered, None);
    let written = dir.join("dashboard.html");
    std::fs::write(&written, &page).map_err(self::files(format!("writing {}", written.display())))?;
    let dashboard_ms = ms(started);
    Ok(HistoryBench {
        files,
        trials: template.cases.len(),
        file_bytes,
        add_ms,
        regressions_ms,
        regressions: regressions.len(),
        flaky_ms,
        flaky: flaky.len(),
        dashboard_ms,
        dashboard_bytes: page.len(),
        database_bytes: std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0),
    })
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The figures as a table.
pub fn render(b: &HistoryBench) -> String {
    format!(
        "\nhistory (SQLite): {} results files of {} trials ({} KiB each)\n\
         add all     {:>8.0} ms   database {} MiB\n\
         regressions {:>8.1} ms   ({} found, over every build)\n\
         flaky       {:>8.1} ms   ({} found, last {} builds)\n\
         dashboard   {:>8.1} ms   ({} KiB)\n",
        b.files,
        b.trials,
        b.file_bytes / 1024,
        b.add_ms,
        b.database_bytes / (1024 * 1024),
        b.regressions_ms,
        b.regressions,
        b.flaky_ms,
        b.flaky,
        dashboard::FLAKY_BUILDS,
        b.dashboard_ms,
        b.dashboard_bytes / 1024
    )
}
