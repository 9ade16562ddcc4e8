//! The history's tables, their migrations and every statement the store sends, written once for
//! both databases: statements use `?N` placeholders (PostgreSQL's backend turns them into `$N`),
//! `ON CONFLICT` and `RETURNING`, which SQLite (3.35 and later, compiled in) and PostgreSQL both
//! speak. Only the id column is spelled per database.
//!
//! Every table is prefixed `ucwa_`, so a PostgreSQL database may hold other applications' tables;
//! `ucwa_meta` says the database is ours and which migration it is at.

/// The value of `ucwa_meta.format`.
pub const FORMAT: &str = "ucwa-conformance/history";

/// The migrations, in order: migration N (from 1) brings a database at N-1 to N. `{id}` is the
/// database's auto-increment primary key.
pub const MIGRATIONS: &[&str] = &[
    // 1: builds, runs, per-area verdicts and trials.
    "CREATE TABLE ucwa_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE ucwa_builds (
         id {id},
         target TEXT NOT NULL,
         build TEXT NOT NULL,
         at TEXT NOT NULL,
         at_ms BIGINT NOT NULL,
         UNIQUE (target, build)
     );
     CREATE INDEX ucwa_builds_by_time ON ucwa_builds (target, at_ms);
     CREATE TABLE ucwa_runs (
         id {id},
         digest TEXT NOT NULL UNIQUE,
         build_id BIGINT NOT NULL REFERENCES ucwa_builds (id),
         at TEXT NOT NULL,
         at_ms BIGINT NOT NULL,
         added_at TEXT NOT NULL,
         suite_version TEXT NOT NULL,
         case_set_digest TEXT NOT NULL,
         strict BIGINT NOT NULL,
         verdict TEXT NOT NULL,
         counted BIGINT NOT NULL,
         pass BIGINT NOT NULL,
         trials BIGINT NOT NULL
     );
     CREATE INDEX ucwa_runs_by_build ON ucwa_runs (build_id);
     CREATE TABLE ucwa_run_areas (
         run_id BIGINT NOT NULL REFERENCES ucwa_runs (id),
         position BIGINT NOT NULL,
         area TEXT NOT NULL,
         trials BIGINT NOT NULL,
         pass BIGINT NOT NULL,
         counted BIGINT NOT NULL,
         not_run BIGINT NOT NULL,
         verdict TEXT NOT NULL,
         PRIMARY KEY (run_id, area)
     );
     CREATE TABLE ucwa_trials (
         run_id BIGINT NOT NULL REFERENCES ucwa_runs (id),
         trial TEXT NOT NULL,
         areas TEXT NOT NULL,
         outcome TEXT NOT NULL,
         counts BIGINT NOT NULL,
         PRIMARY KEY (run_id, trial)
     );
     INSERT INTO ucwa_meta (key, value) VALUES ('format', 'ucwa-conformance/history');
     INSERT INTO ucwa_meta (key, value) VALUES ('version', '0');",
    // 2: each area's failures, errors, should-level deviations and must-level passes apart
    // (rows written before read as 0, and keep the verdict they were given).
    "ALTER TABLE ucwa_run_areas ADD COLUMN failed BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE ucwa_run_areas ADD COLUMN errors BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE ucwa_run_areas ADD COLUMN deviations BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE ucwa_run_areas ADD COLUMN must_passed BIGINT NOT NULL DEFAULT 0;",
];

/// The migration this version of the suite writes and reads.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// `key, value` of `ucwa_meta`.
pub const META: &str = "SELECT key, value FROM ucwa_meta";

/// Records the migration reached.
pub const SET_VERSION: &str = "UPDATE ucwa_meta SET value = ?1 WHERE key = 'version'";

/// The run with a digest, and its build: `run id, build`.
pub const RUN_BY_DIGEST: &str = "SELECT r.id, b.build FROM ucwa_runs r JOIN ucwa_builds b ON b.id = r.build_id \
     WHERE r.digest = ?1";

/// Creates a build or moves its time to the earliest of its runs; gives its id.
pub const UPSERT_BUILD: &str = "INSERT INTO ucwa_builds (target, build, at, at_ms) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (target, build) DO UPDATE SET \
     at = CASE WHEN excluded.at_ms < ucwa_builds.at_ms THEN excluded.at ELSE ucwa_builds.at END, \
     at_ms = CASE WHEN excluded.at_ms < ucwa_builds.at_ms THEN excluded.at_ms ELSE ucwa_builds.at_ms END \
     RETURNING id";

/// Adds a run unless its digest is known; gives its id (no row when known).
pub const INSERT_RUN: &str = "INSERT INTO ucwa_runs \
     (digest, build_id, at, at_ms, added_at, suite_version, case_set_digest, strict, verdict, counted, pass, trials) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
     ON CONFLICT (digest) DO NOTHING RETURNING id";

/// Adds one area's verdict of a run.
pub const INSERT_AREA: &str = "INSERT INTO ucwa_run_areas \
     (run_id, position, area, trials, pass, counted, not_run, verdict, failed, errors, deviations, must_passed) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// The start of a many-row insert of trials; each row is five values.
pub const INSERT_TRIALS: &str = "INSERT INTO ucwa_trials (run_id, trial, areas, outcome, counts) VALUES ";

/// Rows of trials per insert statement.
pub const TRIALS_PER_INSERT: usize = 100;

/// The targets, by name.
pub const TARGETS: &str = "SELECT DISTINCT target FROM ucwa_builds ORDER BY target";

/// Every run of a target's builds, oldest build first and, within a build, oldest run first:
/// `build id, build, at, run id, verdict, counted, pass, trials, strict, build time (ms)`.
pub const RUNS: &str = "SELECT b.id, b.build, b.at, r.id, r.verdict, r.counted, r.pass, r.trials, r.strict, b.at_ms \
     FROM ucwa_builds b JOIN ucwa_runs r ON r.build_id = b.id WHERE b.target = ?1 \
     ORDER BY b.at_ms, b.build, r.at_ms, r.id";

/// The per-area verdicts of a target's runs: `run id, area, trials, pass, counted, not run,
/// verdict, failed, errors, deviations, must-level passes`.
pub const AREAS: &str = "SELECT a.run_id, a.area, a.trials, a.pass, a.counted, a.not_run, a.verdict, \
     a.failed, a.errors, a.deviations, a.must_passed \
     FROM ucwa_run_areas a JOIN ucwa_runs r ON r.id = a.run_id JOIN ucwa_builds b ON b.id = r.build_id \
     WHERE b.target = ?1 ORDER BY a.run_id, a.position";

/// The trials of a target's runs from a time on, in the order of `RUNS`: `build id, trial,
/// areas, outcome, counts`.
pub const TRIALS_SINCE: &str = "SELECT b.id, t.trial, t.areas, t.outcome, t.counts \
     FROM ucwa_builds b JOIN ucwa_runs r ON r.build_id = b.id JOIN ucwa_trials t ON t.run_id = r.id \
     WHERE b.target = ?1 AND b.at_ms >= ?2 ORDER BY b.at_ms, b.build, r.at_ms, r.id";

/// `TRIALS_SINCE` for some trials only: `?3` onwards are their names (the caller appends the
/// placeholders and the closing parenthesis).
pub const TRIALS_NAMED_SINCE: &str = "SELECT b.id, t.trial, t.areas, t.outcome, t.counts \
     FROM ucwa_builds b JOIN ucwa_runs r ON r.build_id = b.id JOIN ucwa_trials t ON t.run_id = r.id \
     WHERE b.target = ?1 AND b.at_ms >= ?2 AND t.trial IN (";

/// The order of `TRIALS_NAMED_SINCE`, after its list.
pub const TRIALS_NAMED_ORDER: &str = ") ORDER BY b.at_ms, b.build, r.at_ms, r.id";
