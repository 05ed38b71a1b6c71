//! What can go wrong in the store, in terms the HTTP edge maps to a status: not found, invalid, conflict.

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
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// From the statements that bulk-write imported values on SQLite's own connection.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl From<chainpark_core::access::Denied> for StoreError {
    fn from(denied: chainpark_core::access::Denied) -> Self {
        StoreError::Denied(denied.0)
    }
}

impl StoreError {
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
