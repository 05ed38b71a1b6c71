//! Rule violations found while checking what a user sent. Each names the field it is about, so the HTTP edge can
//! answer with every bad field at once.

use serde::Serialize;
use utoipa::ToSchema;

/// One broken rule on one field (`contact.email`, `outline[3].lat`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A refused input: at least one field broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", describe(.0))]
pub struct Invalid(pub Vec<FieldError>);

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Invalid {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }
}

/// The most ids or codes one field of a request may list (`segment_ids`, `industry_codes`, `workshop_ids`): far more
/// than any real object needs, and few enough that the store checks them in one short query.
pub const MAX_LIST_LEN: usize = 1_000;

/// Collects violations while a whole input is checked, so the user learns of every bad field at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// Refuses a list longer than `MAX_LIST_LEN`, naming the field and the limit; true when the list is within it
    /// (its items are worth checking one by one).
    pub fn list_within_limit(&mut self, field: &str, len: usize) -> bool {
        if len > MAX_LIST_LEN {
            self.add(
                field,
                format!("lists {len} items; at most {MAX_LIST_LEN} are allowed"),
            );
            return false;
        }
        true
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_invalid(self) -> Invalid {
        Invalid(self.0)
    }

    /// The checked value when nothing was wrong, else every violation.
    pub fn finish<T>(self, value: T) -> Result<T, Invalid> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(Invalid(self.0))
        }
    }
}
