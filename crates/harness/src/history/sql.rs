//! The one interface both databases implement: statements with `?N` placeholders over
//! [`Value`]s. `store` speaks it; `sqlite` and `postgres` implement it, and need nothing else of
//! the history.

/// Why a database refused, with its driver's words: opening it, a statement, or an answer the
/// store needed and did not get.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// The database could not be opened, reached or used as a history.
    #[error("{0}")]
    Open(String),
    /// A statement failed.
    #[error("{0}")]
    Statement(String),
    /// A statement ran, and what the store needed from it is not there.
    #[error("{0}")]
    Missing(&'static str),
}

impl DbError {
    /// A failed statement, in its driver's words.
    pub(super) fn statement(error: impl std::fmt::Display) -> Self {
        DbError::Statement(error.to_string())
    }
}

/// A value passed to or read from a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// SQL NULL.
    Null,
}

impl Value {
    /// The value as an integer (text parsed, NULL and what does not parse as 0).
    pub(super) fn int(&self) -> i64 {
        match self {
            Value::Int(i) => *i,
            Value::Text(t) => t.parse().unwrap_or(0),
            Value::Null => 0,
        }
    }

    /// The value as text (NULL as empty).
    pub(super) fn text(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Text(t) => t.clone(),
            Value::Null => String::new(),
        }
    }
}

/// What a backend does: run statements written with `?N` placeholders.
pub(super) trait Sql {
    /// Runs statements without parameters (several, separated by `;`).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
    /// Starts a transaction that writes (SQLite takes the write lock at once).
    fn begin_write(&mut self) -> Result<(), DbError>;
    /// Runs one statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    /// Runs one query; its rows.
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError>;
    /// The query that lists the tables' names (PostgreSQL: in the current schema).
    fn tables_query(&self) -> &'static str;
    /// Serialises migrations between processes (PostgreSQL: an advisory lock in the transaction).
    fn lock_for_migration(&mut self) -> Result<(), DbError>;
    /// The id column's type.
    fn id_column(&self) -> &'static str;
    /// Sets the connection up for writing, once the database is known to be ours (SQLite:
    /// write-ahead logging, which changes the file's header).
    fn configure(&mut self) -> Result<(), DbError>;
}
