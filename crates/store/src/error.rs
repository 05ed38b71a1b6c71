//! What can go wrong in the store, in terms the HTTP edge maps to a status: not found, invalid, conflict.
//!
//! This is the one place where a database error becomes a problem a user reads: `From<sqlx::Error>` turns a
//! violated unique key into `Conflict` and a missing reference into `Invalid`, each naming the column, and
//! `StoreError::is_overflow` recognises a sum past the largest integer. Any other database error stays
//! `Database` (or `Sqlite`); its text is for the log and the operator's command line only, and the web answers it
//! with a 500 that does not repeat it.

use chainpark_core::error::Invalid;
use chainpark_core::registry::Id;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{kind} {id} does not exist")]
    NotFound { kind: &'static str, id: Id },
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    Denied(String),
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    #[error("stored data is broken: {0}")]
    Corrupt(String),
    #[error("configuration: {0}")]
    Config(String),
    /// The database could not take the work now and nothing was changed: SQLite's write lock still held after the
    /// busy timeout, no free connection in the pool in time, a PostgreSQL lock wait, deadlock or serialisation
    /// failure. Trying again later is the answer (503 with `Retry-After`), not a server fault.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// Anything else the database refused; a violated unique or foreign key never ends up here (see `From`).
    #[error("database: {0}")]
    Database(sqlx::Error),
    /// From the statements that bulk-write imported values on SQLite's own connection.
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// The one place where a rule the database enforced becomes an answer. The store checks uniqueness and references
/// before it writes; two requests at once on PostgreSQL can both pass those checks, and then the database's own
/// constraint stops the second: a unique key answers 409 (`Conflict`), a missing reference 422 (`Invalid`), on both
/// engines, each naming the column.
impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if matches!(error, sqlx::Error::PoolTimedOut) {
            return StoreError::Busy(error.to_string());
        }
        let sqlx::Error::Database(db) = &error else {
            return StoreError::Database(error);
        };
        if db.code().as_deref().is_some_and(is_busy_code) {
            return StoreError::Busy(db.message().to_string());
        }
        let kind = db.kind();
        let (table, columns) = violated(db.as_ref());
        let field = columns
            .last()
            .cloned()
            .unwrap_or_else(|| "body".to_string());
        match kind {
            sqlx::error::ErrorKind::UniqueViolation => {
                let message = match (table.as_deref(), field.as_str()) {
                    (Some("posts"), "park_id") => {
                        "the park already has a park chief with no end date: end that post first"
                            .to_string()
                    }
                    (Some("posts"), "chain_id") => {
                        "the chain already has a chain chief with no end date: end that post first"
                            .to_string()
                    }
                    (Some(table), _) => format!(
                        "is already used by another row of {table} (it was saved at the same moment)"
                    ),
                    (None, _) => "is already used (it was saved at the same moment)".to_string(),
                };
                StoreError::Conflict { field, message }
            }
            sqlx::error::ErrorKind::ForeignKeyViolation => StoreError::Invalid(Invalid::field(
                &field,
                "refers to something that does not exist (or no longer does)",
            )),
            _ => StoreError::Database(error),
        }
    }
}

/// Whether a database error code says "busy, try again": SQLite's SQLITE_BUSY (5) and SQLITE_LOCKED (6) with
/// their extended codes (the low byte), PostgreSQL's serialization_failure, deadlock_detected and
/// lock_not_available.
fn is_busy_code(code: &str) -> bool {
    match code.parse::<i32>() {
        Ok(sqlite) => matches!(sqlite & 0xff, 5 | 6),
        Err(_) => matches!(code, "40001" | "40P01" | "55P03"),
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy(error.to_string())
            }
            _ => StoreError::Sqlite(error),
        }
    }
}

/// The table and columns a violated constraint is about. SQLite says "UNIQUE constraint failed: enterprises.
/// credit_code" (and, for a foreign key, nothing more); PostgreSQL names the table and says "Key (credit_code)=
/// (...) already exists." in its detail.
fn violated(db: &dyn sqlx::error::DatabaseError) -> (Option<String>, Vec<String>) {
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let columns = pg
            .detail()
            .and_then(|d| d.strip_prefix("Key ("))
            .and_then(|d| d.split_once(")="))
            .map(|(columns, _)| columns.split(", ").map(str::to_string).collect())
            .unwrap_or_default();
        return (pg.table().map(str::to_string), columns);
    }
    let Some((_, list)) = db.message().split_once("constraint failed: ") else {
        return (None, Vec::new());
    };
    let mut table = None;
    let columns = list
        .split(", ")
        .filter_map(|qualified| {
            let (t, column) = qualified.trim().split_once('.')?;
            table = Some(t.to_string());
            Some(column.to_string())
        })
        .collect();
    (table, columns)
}

impl From<chainpark_core::access::Denied> for StoreError {
    fn from(denied: chainpark_core::access::Denied) -> Self {
        StoreError::Denied(denied.0)
    }
}

impl StoreError {
    /// Whether the database refused a sum past the largest integer: PostgreSQL's "bigint out of range" (22003),
    /// SQLite's "integer overflow" from SUM, or the CHECK that keeps SQLite's aggregates integers (SQLite would
    /// otherwise turn an overflowing sum into a float). The figures code names what was added up instead.
    pub(crate) fn is_overflow(&self) -> bool {
        match self {
            StoreError::Database(e) => e.as_database_error().is_some_and(|d| {
                d.code().as_deref() == Some("22003")
                    || d.message().contains("integer overflow")
                    || d.message().contains("aggregate_value_is_integer")
            }),
            StoreError::Sqlite(e) => {
                let message = e.to_string();
                message.contains("integer overflow")
                    || message.contains("aggregate_value_is_integer")
            }
            _ => false,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(Invalid::field(field, message))
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;
    use sqlx::Connection;

    #[tokio::test]
    async fn a_sum_past_the_largest_integer_is_an_overflow_and_nothing_else_is() {
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("SQLite opens");
        let sum = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        let overflow: StoreError =
            sum("SELECT SUM(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1 AS x)")
                .fetch_one(&mut c)
                .await
                .expect_err("the sum overflows")
                .into();
        assert!(overflow.is_overflow(), "{overflow}");
        let other: StoreError = sum("SELECT x FROM no_such_table")
            .fetch_one(&mut c)
            .await
            .expect_err("the table does not exist")
            .into();
        assert!(!other.is_overflow(), "{other}");
    }

    #[tokio::test]
    async fn a_write_that_finds_sqlites_write_lock_taken_is_busy_not_a_failure() {
        let path = std::env::temp_dir().join(format!("chainpark-busy-{}.db", std::process::id()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut holder = sqlx::SqliteConnection::connect(&url).await.expect("opens");
        let mut other = sqlx::SqliteConnection::connect(&url).await.expect("opens");
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut holder)
            .await
            .expect("creates");
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .expect("takes the write lock");
        // No busy timeout on `other`: it is refused at once instead of after the store's 30 s.
        sqlx::query("PRAGMA busy_timeout = 0")
            .execute(&mut other)
            .await
            .expect("sets the timeout");
        let refused: StoreError = sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut other)
            .await
            .expect_err("the write lock is held")
            .into();
        assert!(matches!(refused, StoreError::Busy(_)), "{refused:?}");
        let rusqlite_refused: StoreError = {
            let c = rusqlite::Connection::open(&path).expect("opens");
            c.busy_timeout(std::time::Duration::ZERO).expect("sets");
            c.execute("INSERT INTO t VALUES (2)", [])
                .expect_err("the write lock is held")
                .into()
        };
        assert!(
            matches!(rusqlite_refused, StoreError::Busy(_)),
            "{rusqlite_refused:?}"
        );
        drop((holder, other));
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
