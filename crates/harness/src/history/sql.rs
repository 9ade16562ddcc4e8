//! The one interface both databases implement: statements with `?N` placeholders over
//! [`Value`]s. `store` speaks it; `sqlite` and `postgres` implement it, and need nothing else of
//! the history.

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
    fn batch(&mut self, sql: &str) -> Result<(), String>;
    /// Starts a transaction that writes (SQLite takes the write lock at once).
    fn begin_write(&mut self) -> Result<(), String>;
    /// Runs one statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, String>;
    /// Runs one query; its rows.
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, String>;
    /// The query that lists the tables' names (PostgreSQL: in the current schema).
    fn tables_query(&self) -> &'static str;
    /// Serialises migrations between processes (PostgreSQL: an advisory lock in the transaction).
    fn lock_for_migration(&mut self) -> Result<(), String>;
    /// The id column's type.
    fn id_column(&self) -> &'static str;
    /// Sets the connection up for writing, once the database is known to be ours (SQLite:
    /// write-ahead logging, which changes the file's header).
    fn configure(&mut self) -> Result<(), String>;
}
