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
