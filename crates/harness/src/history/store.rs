//! Where the history lives ([`Location`]: a SQLite file or a `postgres://` URL) and the one store
//! both databases sit behind ([`Store`]): it opens (refusing a database that is not ours, is
//! corrupt, or was written by a newer version, without writing to it), migrates, adds runs in one
//! transaction each (a run already recorded is recognised by its digest), and reads a target's
//! builds and timeline back. The SQL is in `schema`; each backend only moves values.

use super::record::{RunRecord, TrialRecord};
use super::schema;
use super::sql::{DbError, Sql, Value};
use super::timeline::{BuildSummary, Cell, Flaky, Regression, Timeline, TrialLine};
use crate::judge::area_verdict::{AreaVerdict, AreaWord};
use crate::judge::run_verdict::VerdictKind;
use crate::judge::verdict::Outcome;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The default SQLite file, in the working directory.
pub const DEFAULT_PATH: &str = "ucwa-history.sqlite";

/// Where the history is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://` or `postgresql://` URL; it may hold a password).
    Postgres(String),
}

impl Location {
    /// `postgres://...` and `postgresql://...` are PostgreSQL; anything else is a SQLite path.
    pub fn parse(text: &str) -> Self {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// How messages name it: a URL's password (and query) is never shown.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => match url::Url::parse(url) {
                Ok(mut u) => {
                    if u.password().is_some() {
                        let _ = u.set_password(Some("***"));
                    }
                    u.set_query(None);
                    u.to_string()
                }
                Err(_) => "a postgres:// URL that does not parse".into(),
            },
        }
    }
}

/// Why the history cannot be used: it names the database (without a password) and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("error: history {location}: {message}")]
pub struct HistoryError {
    /// The database, as [`Location::shown`] gives it.
    pub location: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl From<HistoryError> for crate::error::Error {
    fn from(e: HistoryError) -> Self {
        crate::error::Error::History {
            location: e.location,
            message: e.message,
        }
    }
}

/// Whether a run was new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// Recorded as a new run of `build`.
    New {
        /// The build.
        build: String,
    },
    /// The same results were recorded before, as a run of `build`: nothing changed.
    Known {
        /// The build it was recorded in.
        build: String,
    },
}

/// An open history.
pub struct Store {
    sql: Box<dyn Sql>,
    location: Location,
}

impl Store {
    /// Opens the history at `location`. With `create`, a SQLite file that does not exist is
    /// created and an empty database gets the tables; without it, a missing history is an error.
    /// A database that is not ours, is corrupt, or is of a newer version is an error, and nothing
    /// is written to it.
    pub fn open(location: &Location, create: bool) -> Result<Store, HistoryError> {
        let fail = |error: DbError| HistoryError {
            location: location.shown(),
            message: error.to_string(),
        };
        let sql: Box<dyn Sql> = match location {
            Location::Sqlite(path) => Box::new(super::sqlite::Sqlite::open(path, create).map_err(fail)?),
            Location::Postgres(url) => Box::new(super::postgres::Postgres::connect(url).map_err(fail)?),
        };
        let mut store = Store {
            sql,
            location: location.clone(),
        };
        let version = store.version()?;
        if version == 0 && !create {
            return Err(store.error("no history here yet: add runs with `ucwa-conformance history add`"));
        }
        store.sql.configure().map_err(|e| store.error(e))?;
        if version < schema::latest() {
            store.migrate()?;
        }
        Ok(store)
    }

    /// The names of the database's tables.
    fn tables(&mut self) -> Result<Vec<String>, DbError> {
        let query = self.sql.tables_query();
        Ok(self.sql.rows(query, &[])?.into_iter().map(|r| r[0].text()).collect())
    }

    fn error(&self, message: impl std::fmt::Display) -> HistoryError {
        HistoryError {
            location: self.location.shown(),
            message: message.to_string(),
        }
    }

    /// The migration the database is at (0: none of our tables yet). A database with tables of
    /// its own and no `ucwa_meta`, or whose meta says another format or a newer version, is
    /// refused.
    fn version(&mut self) -> Result<i64, HistoryError> {
        let tables = self
            .tables()
            .map_err(|e| self.error(format!("not a readable database (corrupt, or not SQLite?): {e}")))?;
        let ours: Vec<&String> = tables.iter().filter(|t| t.starts_with("ucwa_")).collect();
        let is_sqlite = matches!(self.location, Location::Sqlite(_));
        if !tables.iter().any(|t| t == "ucwa_meta") {
            let foreign = if is_sqlite {
                !tables.is_empty()
            } else {
                !ours.is_empty()
            };
            if foreign {
                let names: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
                return Err(self.error(format!(
                    "not a ucwa-conformance history (it has tables {} and no ucwa_meta); nothing was written \
                     to it: give another --db",
                    names.join(", ")
                )));
            }
            return Ok(0);
        }
        let meta: BTreeMap<String, String> = self
            .sql
            .rows(schema::META, &[])
            .map_err(|e| self.error(format!("cannot read ucwa_meta: {e}")))?
            .into_iter()
            .map(|row| (row[0].text(), row[1].text()))
            .collect();
        if meta.get("format").map(String::as_str) != Some(schema::FORMAT) {
            return Err(self.error(format!(
                "not a ucwa-conformance history (ucwa_meta has no format `{}`); nothing was written to it",
                schema::FORMAT
            )));
        }
        let version: i64 = meta.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1);
        if version < 0 || version > schema::latest() {
            return Err(self.error(format!(
                "written by a newer version of ucwa-conformance (history version {}, this version knows up to \
                 {}): update ucwa-conformance",
                meta.get("version").map_or("?", String::as_str),
                schema::latest()
            )));
        }
        Ok(version)
    }

    /// Brings the database to the latest migration, in one transaction (another process
    /// migrating at the same time waits, then finds nothing to do).
    fn migrate(&mut self) -> Result<(), HistoryError> {
        let result = (|| -> Result<(), DbError> {
            self.sql.begin_write()?;
            self.sql.lock_for_migration()?;
            let tables = self.tables()?;
            let mut version = if tables.iter().any(|t| t == "ucwa_meta") {
                self.sql
                    .rows(schema::META, &[])?
                    .into_iter()
                    .find(|r| r[0].text() == "version")
                    .map_or(0, |r| r[1].int())
            } else {
                0
            };
            while version < schema::latest() {
                let ddl = schema::MIGRATIONS[version as usize].replace("{id}", self.sql.id_column());
                self.sql.batch(&ddl)?;
                version += 1;
                self.sql
                    .exec(schema::SET_VERSION, &[Value::Text(version.to_string())])?;
            }
            self.sql.batch("COMMIT")
        })();
        result.map_err(|e| {
            let _ = self.sql.batch("ROLLBACK");
            self.error(format!("cannot create the history's tables: {e}"))
        })
    }

    /// Records a run in one transaction: either all of it lands or nothing does. The same
    /// results added again are recognised by their digest and change nothing.
    pub fn add(&mut self, run: &RunRecord) -> Result<Added, HistoryError> {
        let outcome = (|| -> Result<Added, DbError> {
            self.sql.begin_write()?;
            if let Some(row) = self
                .sql
                .rows(schema::RUN_BY_DIGEST, &[Value::Text(run.digest.clone())])?
                .into_iter()
                .next()
            {
                self.sql.batch("ROLLBACK")?;
                return Ok(Added::Known { build: row[1].text() });
            }
            let build_id = self
                .sql
                .rows(
                    schema::UPSERT_BUILD,
                    &[
                        Value::Text(run.target.clone()),
                        Value::Text(run.build.clone()),
                        Value::Text(run.at.clone()),
                        Value::Int(run.at_ms),
                    ],
                )?
                .first()
                .map(|r| r[0].int())
                .ok_or(DbError::Missing("the build was not recorded"))?;
            // Another process added the same results a moment ago.
            let Some(run_id) = self.insert_run(run, build_id)? else {
                self.sql.batch("ROLLBACK")?;
                return Ok(Added::Known {
                    build: run.build.clone(),
                });
            };
            self.insert_areas(run_id, &run.areas)?;
            self.insert_trials(run_id, &run.trials)?;
            self.sql.batch("COMMIT")?;
            Ok(Added::New {
                build: run.build.clone(),
            })
        })();
        outcome.map_err(|e| {
            let _ = self.sql.batch("ROLLBACK");
            self.error(format!("cannot record the run (nothing of it was written): {e}"))
        })
    }

    /// The run's row; its id, or `None` when the same results are there already.
    fn insert_run(&mut self, run: &RunRecord, build_id: i64) -> Result<Option<i64>, DbError> {
        let added_at = crate::clock::rfc3339_millis(crate::clock::millis(std::time::SystemTime::now()));
        let inserted = self.sql.rows(
            schema::INSERT_RUN,
            &[
                Value::Text(run.digest.clone()),
                Value::Int(build_id),
                Value::Text(run.at.clone()),
                Value::Int(run.at_ms),
                Value::Text(added_at),
                Value::Text(run.suite_version.clone()),
                Value::Text(run.case_set_digest.clone()),
                Value::Int(i64::from(run.strict)),
                Value::Text(run.verdict.name().into()),
                Value::Int(run.counted as i64),
                Value::Int(run.pass as i64),
                Value::Int(run.trials.len() as i64),
            ],
        )?;
        Ok(inserted.first().map(|r| r[0].int()))
    }

    /// One row per area of the run, in its order.
    fn insert_areas(&mut self, run_id: i64, areas: &[AreaVerdict]) -> Result<(), DbError> {
        for (position, area) in areas.iter().enumerate() {
            self.sql.exec(
                schema::INSERT_AREA,
                &[
                    Value::Int(run_id),
                    Value::Int(position as i64),
                    Value::Text(area.area.clone()),
                    Value::Int(area.trials as i64),
                    Value::Int(area.pass as i64),
                    Value::Int(area.counted as i64),
                    Value::Int(area.not_run as i64),
                    Value::Text(area.verdict.name().into()),
                    Value::Int(area.failed as i64),
                    Value::Int(area.errors as i64),
                    Value::Int(area.deviations as i64),
                    Value::Int(area.must_passed as i64),
                ],
            )?;
        }
        Ok(())
    }

    /// The run's trials, [`schema::TRIALS_PER_INSERT`] rows per statement.
    fn insert_trials(&mut self, run_id: i64, trials: &[TrialRecord]) -> Result<(), DbError> {
        for chunk in trials.chunks(schema::TRIALS_PER_INSERT) {
            let mut sql = String::from(schema::INSERT_TRIALS);
            let mut params = Vec::with_capacity(chunk.len() * 5);
            for (i, trial) in chunk.iter().enumerate() {
                let n = i * 5;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("(?{}, ?{}, ?{}, ?{}, ?{})", n + 1, n + 2, n + 3, n + 4, n + 5));
                params.extend([
                    Value::Int(run_id),
                    Value::Text(trial.name.clone()),
                    Value::Text(trial.areas.join(" ")),
                    Value::Text(trial.outcome.as_str().into()),
                    Value::Int(i64::from(trial.counts)),
                ]);
            }
            self.sql.exec(&sql, &params)?;
        }
        Ok(())
    }

    /// The targets with builds, by name.
    pub fn targets(&mut self) -> Result<Vec<String>, HistoryError> {
        let rows = self.sql.rows(schema::TARGETS, &[]).map_err(|e| self.error(e))?;
        Ok(rows.into_iter().map(|r| r[0].text()).collect())
    }

    /// A target's builds, oldest first, each as its latest run says.
    pub fn builds(&mut self, target: &str) -> Result<Vec<BuildSummary>, HistoryError> {
        let t = [Value::Text(target.to_string())];
        let runs = self.sql.rows(schema::RUNS, &t).map_err(|e| self.error(e))?;
        let areas = self.sql.rows(schema::AREAS, &t).map_err(|e| self.error(e))?;
        let mut by_run: BTreeMap<i64, Vec<AreaVerdict>> = BTreeMap::new();
        for a in areas {
            let verdict = AreaWord::from_name(&a[6].text()).unwrap_or(AreaWord::NotTested);
            by_run.entry(a[0].int()).or_default().push(AreaVerdict {
                area: a[1].text(),
                trials: a[2].int() as usize,
                pass: a[3].int() as usize,
                counted: a[4].int() as usize,
                not_run: a[5].int() as usize,
                failed: a[7].int() as usize,
                errors: a[8].int() as usize,
                deviations: a[9].int() as usize,
                must_passed: a[10].int() as usize,
                verdict,
                conformant: verdict == AreaWord::Conformant,
            });
        }
        let mut builds: Vec<BuildSummary> = Vec::new();
        for r in runs {
            let summary = BuildSummary {
                id: r[0].int(),
                build: r[1].text(),
                at: r[2].text(),
                at_ms: r[9].int(),
                runs: 1,
                verdict: VerdictKind::from_name(&r[4].text()),
                counted: r[5].int() as usize,
                pass: r[6].int() as usize,
                trials: r[7].int() as usize,
                strict: r[8].int() != 0,
                areas: by_run.remove(&r[3].int()).unwrap_or_default(),
            };
            match builds.last_mut() {
                // A later run of the same build: it speaks for the build.
                Some(last) if last.id == summary.id => {
                    let runs = last.runs + 1;
                    *last = BuildSummary { runs, ..summary };
                }
                _ => builds.push(summary),
            }
        }
        Ok(builds)
    }

    /// A target's timeline over its last `last` builds (all when `None`), for the trials
    /// `only` (all when `None`). Within a build, a trial's outcome is its latest run's.
    pub fn timeline(
        &mut self,
        target: &str,
        last: Option<usize>,
        only: Option<&[String]>,
    ) -> Result<Timeline, HistoryError> {
        let builds = self.builds(target)?;
        self.timeline_over(target, last_of(&builds, last), only)
    }

    /// The timeline of `target` over `builds` (its own, as [`Store::builds`] read them, or the
    /// last of them), for the trials `only` (all when `None`): the caller that already read the
    /// builds does not read them again.
    pub(super) fn timeline_over(
        &mut self,
        target: &str,
        builds: Vec<BuildSummary>,
        only: Option<&[String]>,
    ) -> Result<Timeline, HistoryError> {
        let since = builds.first().map_or(i64::MAX, |b| b.at_ms);
        let index: BTreeMap<i64, usize> = builds.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
        let mut params = vec![Value::Text(target.to_string()), Value::Int(since)];
        let sql = match only {
            None => schema::TRIALS_SINCE.to_string(),
            Some([]) => {
                return Ok(Timeline {
                    target: target.to_string(),
                    builds,
                    trials: BTreeMap::new(),
                });
            }
            Some(names) => {
                let marks: Vec<String> = (0..names.len()).map(|i| format!("?{}", i + 3)).collect();
                params.extend(names.iter().map(|n| Value::Text(n.clone())));
                format!(
                    "{}{}{}",
                    schema::TRIALS_NAMED_SINCE,
                    marks.join(", "),
                    schema::TRIALS_NAMED_ORDER
                )
            }
        };
        let rows = self.sql.rows(&sql, &params).map_err(|e| self.error(e))?;
        let mut trials: BTreeMap<String, TrialLine> = BTreeMap::new();
        for row in rows {
            let Some(&at) = index.get(&row[0].int()) else { continue };
            let line = trials.entry(row[1].text()).or_insert_with(|| TrialLine {
                areas: row[2].text().split_whitespace().map(str::to_string).collect(),
                cells: vec![None; builds.len()],
            });
            line.cells[at] = Some(Cell {
                outcome: outcome(&row[3].text()),
                counts: row[4].int() != 0,
            });
        }
        Ok(Timeline {
            target: target.to_string(),
            builds,
            trials,
        })
    }
}

impl Store {
    /// The trials of `area` (all when `None`) that fail in `target`'s latest build, each with its
    /// first failing build after its last pass (their whole history is read, for them only).
    pub fn regressions(&mut self, target: &str, area: Option<&str>) -> Result<Vec<Regression>, HistoryError> {
        let builds = self.builds(target)?;
        self.regressions_over(target, &builds, area)
    }

    /// [`Store::regressions`] over builds already read.
    pub(super) fn regressions_over(
        &mut self,
        target: &str,
        builds: &[BuildSummary],
        area: Option<&str>,
    ) -> Result<Vec<Regression>, HistoryError> {
        let latest = self.timeline_over(target, last_of(builds, Some(1)), None)?;
        let failing: Vec<String> = latest
            .trials
            .iter()
            .filter(|(_, line)| line.cells.first().copied().flatten().is_some_and(|c| c.counts))
            .filter(|(_, line)| area.is_none_or(|a| line.in_area(a)))
            .map(|(name, _)| name.clone())
            .collect();
        Ok(self
            .timeline_over(target, builds.to_vec(), Some(&failing))?
            .regressions())
    }

    /// The trials of `area` (all when `None`) whose status flipped at least twice in `target`'s
    /// last `last` builds.
    pub fn flaky(&mut self, target: &str, last: usize, area: Option<&str>) -> Result<Vec<Flaky>, HistoryError> {
        let builds = self.builds(target)?;
        self.flaky_over(target, &builds, last, area)
    }

    /// [`Store::flaky`] over builds already read.
    pub(super) fn flaky_over(
        &mut self,
        target: &str,
        builds: &[BuildSummary],
        last: usize,
        area: Option<&str>,
    ) -> Result<Vec<Flaky>, HistoryError> {
        let mut timeline = self.timeline_over(target, last_of(builds, Some(last)), None)?;
        if let Some(area) = area {
            timeline = timeline.in_area(area);
        }
        Ok(timeline.flaky())
    }
}

/// The last `last` of `builds` (all when `None`).
pub(super) fn last_of(builds: &[BuildSummary], last: Option<usize>) -> Vec<BuildSummary> {
    let skip = last.map_or(0, |n| builds.len().saturating_sub(n));
    builds[skip..].to_vec()
}

/// An outcome from its stored name (an unknown name, from a newer version, reads as not run).
fn outcome(name: &str) -> Outcome {
    Outcome::ALL
        .into_iter()
        .find(|o| o.as_str() == name)
        .unwrap_or(Outcome::NotRun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::TrialRecord;

    fn record(digest: &str, build: &str, at_ms: i64, outcomes: &[(&str, Outcome)]) -> RunRecord {
        RunRecord {
            digest: digest.into(),
            target: "pool".into(),
            build: build.into(),
            at: format!("t{at_ms}"),
            at_ms,
            suite_version: "0".into(),
            case_set_digest: "sha256:x".into(),
            strict: false,
            verdict: VerdictKind::Conformant,
            counted: 0,
            pass: 0,
            areas: Vec::new(),
            trials: outcomes
                .iter()
                .map(|(name, outcome)| TrialRecord {
                    name: name.to_string(),
                    areas: vec!["me".into()],
                    outcome: *outcome,
                    counts: *outcome == Outcome::Fail,
                })
                .collect(),
        }
    }

    #[test]
    fn a_rerun_of_a_build_speaks_for_it_and_builds_keep_their_first_time() {
        let dir = tempfile::tempdir().expect("dir");
        let location = Location::Sqlite(dir.path().join("h.sqlite"));
        let mut store = Store::open(&location, true).expect("opens");
        store
            .add(&record(
                "a",
                "b1",
                10,
                &[("t [json]", Outcome::Fail), ("u [json]", Outcome::Pass)],
            ))
            .expect("adds");
        store
            .add(&record("b", "b2", 20, &[("t [json]", Outcome::Fail)]))
            .expect("adds");
        // b1 again, later: its trials now pass; the build keeps its place in time.
        let added = store
            .add(&record("c", "b1", 30, &[("t [json]", Outcome::Pass)]))
            .expect("adds");
        assert_eq!(added, Added::New { build: "b1".into() });
        let builds = store.builds("pool").expect("builds");
        let names: Vec<(&str, usize)> = builds.iter().map(|b| (b.build.as_str(), b.runs)).collect();
        assert_eq!(names, vec![("b1", 2), ("b2", 1)]);
        let timeline = store.timeline("pool", None, None).expect("timeline");
        let t = &timeline.trials["t [json]"];
        assert_eq!(
            t.cells[0].map(|c| c.outcome),
            Some(Outcome::Pass),
            "the later run of b1"
        );
        assert_eq!(
            timeline.trials["u [json]"].cells[0].map(|c| c.outcome),
            Some(Outcome::Pass),
            "a trial only the first run had stays"
        );
        let regressions = store.regressions("pool", None).expect("regressions");
        assert_eq!(regressions[0].first_failing, "b2");
        assert_eq!(regressions[0].last_pass.as_deref(), Some("b1"));
        assert_eq!(
            store.add(&record("a", "other", 99, &[])).expect("known"),
            Added::Known { build: "b1".into() }
        );
    }

    #[test]
    fn a_history_of_a_newer_version_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("h.sqlite");
        let location = Location::Sqlite(path.clone());
        drop(Store::open(&location, true).expect("creates"));
        {
            let connection = rusqlite::Connection::open(&path).expect("opens");
            connection
                .execute("UPDATE ucwa_meta SET value = '99' WHERE key = 'version'", [])
                .expect("updates");
        }
        let error = Store::open(&location, true).err().expect("refused");
        assert!(error.message.contains("newer version"), "{error}");
    }

    #[test]
    fn a_postgres_password_is_never_shown() {
        let location = Location::parse("postgres://ucwa:s3cret@db.example:5432/ucwa?sslmode=disable");
        assert_eq!(location.shown(), "postgres://ucwa:***@db.example:5432/ucwa");
        assert_eq!(Location::parse("h.sqlite"), Location::Sqlite("h.sqlite".into()));
    }
}
