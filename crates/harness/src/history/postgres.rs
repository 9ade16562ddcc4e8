//! The PostgreSQL backend, for a history shared by many pipelines: the same tables and statements
//! as SQLite (`?N` placeholders become `$N`). Connects without TLS (`sslmode` other than `disable`
//! or `prefer` is refused rather than silently ignored); a password in the URL is never shown.
//!
//! The client is synchronous (it runs its own small runtime), so it is only used outside the
//! async runtime of a run.

use super::sql::{DbError, Sql, Value};
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls};

/// An open PostgreSQL history.
pub struct Postgres {
    client: Client,
}

impl Postgres {
    /// Connects to `url`.
    pub fn connect(url: &str) -> Result<Self, DbError> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| DbError::Open(format!("not a PostgreSQL connection URL: {e}")))?;
        if matches!(config.get_ssl_mode(), postgres::config::SslMode::Require) {
            return Err(DbError::Open(
                "sslmode=require is not supported: this build connects without TLS (use a local socket, \
                        a tunnel, or sslmode=disable on a trusted network)"
                    .into(),
            ));
        }
        let client = config
            .connect(NoTls)
            .map_err(|e| DbError::Open(format!("cannot connect: {}", error_text(&e))))?;
        Ok(Postgres { client })
    }
}

/// `$N` for every `?N`.
fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

/// The server's message when there is one (the library's Display says only "db error").
fn error_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    }
}

impl Sql for Postgres {
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.client
            .batch_execute(sql)
            .map_err(|e| DbError::Statement(error_text(&e)))
    }

    fn begin_write(&mut self) -> Result<(), DbError> {
        self.batch("BEGIN")
    }

    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let owned = Params::of(params);
        self.client
            .execute(&dollars(sql), &owned.refs())
            .map_err(|e| DbError::Statement(error_text(&e)))
    }

    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let owned = Params::of(params);
        let rows = self
            .client
            .query(&dollars(sql), &owned.refs())
            .map_err(|e| DbError::Statement(error_text(&e)))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let ty = column.type_();
                let value = if *ty == Type::INT8 {
                    row.try_get::<_, Option<i64>>(i)
                        .map_err(DbError::statement)?
                        .map(Value::Int)
                } else if *ty == Type::INT4 {
                    row.try_get::<_, Option<i32>>(i)
                        .map_err(DbError::statement)?
                        .map(|n| Value::Int(i64::from(n)))
                } else {
                    row.try_get::<_, Option<String>>(i)
                        .map_err(DbError::statement)?
                        .map(Value::Text)
                };
                values.push(value.unwrap_or(Value::Null));
            }
            out.push(values);
        }
        Ok(out)
    }

    fn tables_query(&self) -> &'static str {
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         ORDER BY table_name"
    }

    fn lock_for_migration(&mut self) -> Result<(), DbError> {
        // One key for "ucwa-conformance history migration"; released at the transaction's end.
        self.batch("SELECT pg_advisory_xact_lock(72639041)")
    }

    fn id_column(&self) -> &'static str {
        "BIGSERIAL PRIMARY KEY"
    }

    fn configure(&mut self) -> Result<(), DbError> {
        Ok(())
    }
}

/// Parameters in the types the driver binds.
struct Params {
    values: Vec<Box<dyn ToSql + Sync>>,
}

impl Params {
    fn of(params: &[Value]) -> Self {
        Params {
            values: params
                .iter()
                .map(|v| -> Box<dyn ToSql + Sync> {
                    match v {
                        Value::Int(i) => Box::new(*i),
                        Value::Text(t) => Box::new(t.clone()),
                        Value::Null => Box::new(Option::<String>::None),
                    }
                })
                .collect(),
        }
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values.iter().map(|b| b.as_ref()).collect()
    }
}
