//! What the application layer's operations fail with: a bad field of the caller's input, or the store's error
//! (which also carries the internal failures: a blocking thread that broke off, a file that could not be written).

use chainpark_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input the caller must correct, naming the field.
    #[error("{field}: {message}")]
    BadField { field: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        AppError::BadField {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A failure that is nobody's input: the server's (an internal error).
    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Store(StoreError::Corrupt(message.into()))
    }
}
