//! The SQLite backend (compiled in: nothing to install). Write-ahead logging and a busy timeout
//! let several CI jobs add to one file at once: each waits for the write lock (`BEGIN
//! IMMEDIATE`) instead of failing. An existing file is checked before anything is written to
//! it: a file that is not SQLite stays byte for byte as it was.

use super::sql::{DbError, Sql, Value};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another process's transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// An open SQLite history.
pub struct Sqlite {
    connection: Connection,
}

impl Sqlite {
    /// Opens `path` (creating it with `create`). A file that does not read as SQLite is an error
    /// and is not changed.
    pub fn open(path: &Path, create: bool) -> Result<Self, DbError> {
        if !create && !path.exists() {
            return Err(DbError::Open(
                "no history here (the file does not exist): add runs with `ucwa-conformance history add`".into(),
            ));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let connection =
            Connection::open_with_flags(path, flags).map_err(|e| DbError::Open(format!("cannot open: {e}")))?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(DbError::statement)?;
        // Read only: a file that is not a database fails here, and nothing is written before the
        // store knows the database is ours (`configure`).
        let check: Result<String, _> = connection.query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
        match check {
            Ok(ok) if ok == "ok" => {}
            Ok(problem) => return Err(DbError::Open(format!("the database is corrupt: {problem}"))),
            Err(e) => {
                return Err(DbError::Open(format!(
                    "not a readable SQLite database (corrupt, or another kind of file?): {e}"
                )));
            }
        }
        Ok(Sqlite { connection })
    }
}

impl Sqlite {
    /// Switches the file to write-ahead logging, once. The switch needs the file to itself and
    /// SQLite refuses it at once (no busy handler) while another process reads it, as two `history
    /// add` creating one file at the same moment do: it is tried again until the busy timeout,
    /// and a file another process switched meanwhile needs nothing more.
    fn switch_to_wal(&mut self) -> Result<(), DbError> {
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            let mode: String = self
                .connection
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(|e| DbError::Open(format!("cannot read the journal mode: {e}")))?;
            if mode.eq_ignore_ascii_case("wal") {
                return Ok(());
            }
            match self.connection.pragma_update(None, "journal_mode", "WAL") {
                Ok(()) => return Ok(()),
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(e) => return Err(DbError::Open(format!("cannot switch to write-ahead logging: {e}"))),
            }
        }
    }
}

fn to_sql(values: &[Value]) -> Vec<SqlValue> {
    values
        .iter()
        .map(|v| match v {
            Value::Int(i) => SqlValue::Integer(*i),
            Value::Text(t) => SqlValue::Text(t.clone()),
            Value::Null => SqlValue::Null,
        })
        .collect()
}

impl Sql for Sqlite {
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.connection.execute_batch(sql).map_err(DbError::statement)
    }

    fn begin_write(&mut self) -> Result<(), DbError> {
        self.batch("BEGIN IMMEDIATE")
    }

    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let mut statement = self.connection.prepare_cached(sql).map_err(DbError::statement)?;
        let changed = statement
            .execute(rusqlite::params_from_iter(to_sql(params)))
            .map_err(DbError::statement)?;
        Ok(changed as u64)
    }

    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let mut statement = self.connection.prepare_cached(sql).map_err(DbError::statement)?;
        let columns = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(to_sql(params)))
            .map_err(DbError::statement)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(DbError::statement)? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match row.get_ref(i).map_err(DbError::statement)? {
                    ValueRef::Integer(n) => Value::Int(n),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Real(f) => Value::Int(f as i64),
                    ValueRef::Null | ValueRef::Blob(_) => Value::Null,
                });
            }
            out.push(values);
        }
        Ok(out)
    }

    fn tables_query(&self) -> &'static str {
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    }

    fn lock_for_migration(&mut self) -> Result<(), DbError> {
        // BEGIN IMMEDIATE already holds the write lock.
        Ok(())
    }

    fn id_column(&self) -> &'static str {
        "INTEGER PRIMARY KEY"
    }

    fn configure(&mut self) -> Result<(), DbError> {
        self.switch_to_wal()?;
        self.connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(DbError::statement)?;
        self.connection
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(DbError::statement)
    }
}
