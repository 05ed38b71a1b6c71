//! The one place where errors become HTTP answers: `application/problem+json` (RFC 9457), naming each bad field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_core::error::{FieldError, Invalid};
use chainpark_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem detail document (RFC 9457) with, for invalid input, one entry per bad field.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String, Vec<FieldError>),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// Refused until `retry_after` seconds have passed (sent as `Retry-After`).
    #[error("{detail}")]
    TooManyAttempts { detail: String, retry_after: u64 },
    #[error("{0}")]
    TooLarge(String),
    /// The request's `If-Match` names a version that is no longer the object's (412).
    #[error("{0}")]
    PreconditionFailed(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<chainpark_app::AppError> for ApiError {
    fn from(e: chainpark_app::AppError) -> Self {
        match e {
            chainpark_app::AppError::BadField { field, message } => {
                ApiError::bad_field(&field, message)
            }
            chainpark_app::AppError::Store(e) => ApiError::Store(e),
        }
    }
}

impl ApiError {
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::BadRequest(
            format!("{field}: {message}"),
            vec![FieldError {
                field: field.to_string(),
                message,
            }],
        )
    }

    /// The bad fields of a refusal about the input (malformed, invalid, or decided on a stale version), which a
    /// form shows beside its fields; `None` for any other error (not found, forbidden, the server's own).
    pub fn field_errors(&self) -> Option<Vec<FieldError>> {
        let (status, _, _, errors) = self.parts();
        matches!(
            status,
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
        )
        .then_some(errors)
    }

    /// Failed sign-ins of one account from one address: wait this long (rounded up to whole seconds).
    pub fn too_many_attempts(wait: std::time::Duration) -> Self {
        let seconds = retry_after_seconds(wait);
        ApiError::TooManyAttempts {
            detail: format!(
                "too many failed sign-ins for this account from this address; try again in {seconds} s"
            ),
            retry_after: seconds,
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str, Vec<FieldError>) {
        match self {
            ApiError::BadRequest(_, errors) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Malformed request",
                errors.clone(),
            ),
            ApiError::Invalid(Invalid(errors))
            | ApiError::Store(StoreError::Invalid(Invalid(errors))) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Invalid input",
                errors.clone(),
            ),
            ApiError::Store(StoreError::NotFound { .. }) | ApiError::NotFound(_) => {
                (StatusCode::NOT_FOUND, "not-found", "Not found", Vec::new())
            }
            ApiError::Store(StoreError::Denied(_)) | ApiError::Forbidden(_) => {
                (StatusCode::FORBIDDEN, "forbidden", "Forbidden", Vec::new())
            }
            ApiError::Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Sign-in required",
                Vec::new(),
            ),
            ApiError::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Request body too large",
                Vec::new(),
            ),
            ApiError::PreconditionFailed(_) => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Changed meanwhile",
                Vec::new(),
            ),
            ApiError::TooManyAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-attempts",
                "Too many attempts",
                Vec::new(),
            ),
            ApiError::Store(StoreError::Conflict { field, message }) => (
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                vec![FieldError {
                    field: field.clone(),
                    message: message.clone(),
                }],
            ),
            ApiError::Store(StoreError::Busy(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, "busy", "Busy", Vec::new())
            }
            ApiError::Store(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                Vec::new(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, title, errors) = self.parts();
        let retry_after = match &self {
            ApiError::TooManyAttempts { retry_after, .. } => Some(*retry_after),
            ApiError::Store(StoreError::Busy(_)) => Some(BUSY_RETRY_AFTER_SECONDS),
            _ => None,
        };
        let detail = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
            "the server could not complete the request; it has been logged".to_string()
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(error = %self, "database busy");
            "the database is busy and nothing was changed; try again in a moment".to_string()
        } else {
            self.to_string()
        };
        let mut response = problem(status, kind, title, detail, errors);
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// How long a client is told to wait after the database was busy: SQLite's writer lock is held for at most a
/// few seconds by the longest write (an import's commit), and a retry sooner would only queue behind it.
const BUSY_RETRY_AFTER_SECONDS: u64 = 2;

/// Whole seconds to send in `Retry-After`, never less than the wait (and at least 1).
pub fn retry_after_seconds(wait: std::time::Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// Builds a problem+json response; also used by the middleware for 401/403/413.
pub fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: String,
    errors: Vec<FieldError>,
) -> Response {
    let body = Problem {
        kind: format!("https://chainpark.dev/problems/{kind}"),
        title: title.to_string(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_database_answers_503_with_retry_after() {
        let response =
            ApiError::Store(StoreError::Busy("database is locked".into())).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from(BUSY_RETRY_AFTER_SECONDS))
        );
    }
}
