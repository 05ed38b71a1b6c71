//! What every create and edit form shares: when a post is refused for its input, the same form comes back in the
//! viewer's language with the message beside each bad field and the values typed kept (a password never). A
//! refusal that is not about the input (not found, forbidden, the server's own) is the error page instead.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chainpark_core::error::FieldError;

use super::i18n::Lang;
use super::{PageError, PageResult};
use crate::error::ApiError;

/// The messages of a refused form, by field, in the page's language.
#[derive(Debug, Default)]
pub struct FormErrors {
    fields: Vec<(String, String)>,
    /// Messages about no field the form shows (shown above the form).
    pub general: Vec<String>,
}

impl FormErrors {
    /// No errors: the form as first shown.
    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    /// The messages of `error` for a form whose fields are `fields`, or the error itself when it is not about
    /// the input.
    pub fn of(lang: Lang, error: ApiError, fields: &[&str]) -> Result<FormErrors, PageError> {
        let Some(found) = error.field_errors() else {
            return Err(PageError {
                lang,
                error,
                chrome: None,
            });
        };
        let mut errors = FormErrors::default();
        for FieldError { field, message } in found {
            let text = message_in(lang, &field, &message);
            // "version" is the page the form came from, not a field the user typed.
            if fields.contains(&field.as_str()) {
                errors.fields.push((field, text));
            } else {
                errors.general.push(text);
            }
        }
        if errors.fields.is_empty() && errors.general.is_empty() {
            errors.general.push(lang.t("form.check").to_string());
        }
        Ok(errors)
    }

    pub fn any(&self) -> bool {
        !self.fields.is_empty() || !self.general.is_empty()
    }

    /// The message beside `field` ("" when the field is fine).
    pub fn get(&self, field: &str) -> &str {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }

    /// `aria-invalid` of `field`.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.get(field).is_empty() {
            "false"
        } else {
            "true"
        }
    }
}

/// A refused form among several on one page (a project's stage, milestone and investment forms; the steps of a
/// work order; the admin's forms): which form, what was typed into it (a password never: no such form has one),
/// and why. Every other form of the page shows empty.
#[derive(Debug, Default)]
pub struct Refusal {
    form: String,
    values: Vec<(String, String)>,
    errors: FormErrors,
}

impl Refusal {
    /// No form refused: the page as first shown.
    pub fn none() -> Refusal {
        Refusal::default()
    }

    /// The form `form` refused with `errors`, its fields as typed in `typed` (a form struct: its string fields).
    pub fn new(
        form: impl Into<String>,
        typed: &impl serde::Serialize,
        errors: FormErrors,
    ) -> Refusal {
        let values = match serde_json::to_value(typed) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        Refusal {
            form: form.into(),
            values,
            errors,
        }
    }

    /// The form that was refused, if any.
    pub fn form(&self) -> Option<&str> {
        (!self.form.is_empty()).then_some(self.form.as_str())
    }

    /// The form `form` was the one refused.
    pub fn is(&self, form: &str) -> bool {
        !self.form.is_empty() && self.form == form
    }

    /// What was typed into `field` of `form` ("" for any other form).
    pub fn value(&self, form: &str, field: &str) -> &str {
        if !self.is(form) {
            return "";
        }
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The message beside `field` of `form`.
    pub fn error(&self, form: &str, field: &str) -> &str {
        if self.is(form) {
            self.errors.get(field)
        } else {
            ""
        }
    }

    /// `aria-invalid` of `field` of `form`.
    pub fn invalid(&self, form: &str, field: &str) -> &'static str {
        if self.error(form, field).is_empty() {
            "false"
        } else {
            "true"
        }
    }

    /// The messages of `form` about no field it shows (shown above it).
    pub fn general(&self, form: &str) -> &[String] {
        if self.is(form) {
            &self.errors.general
        } else {
            &[]
        }
    }
}

/// The answer to a form post: `Ok(target)` redirects there after the change; a refusal of the input re-renders
/// the form through `again` (422, or 409 for a stale version); any other refusal is the error page.
pub async fn answer<F, Fut>(
    lang: Lang,
    result: Result<String, ApiError>,
    fields: &[&str],
    again: F,
) -> Response
where
    F: FnOnce(FormErrors) -> Fut,
    Fut: std::future::Future<Output = PageResult>,
{
    match result {
        Ok(target) => axum::response::Redirect::to(&target).into_response(),
        Err(error) => {
            let status = match &error {
                ApiError::Store(chainpark_store::StoreError::Conflict { .. }) => {
                    StatusCode::CONFLICT
                }
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let page = match FormErrors::of(lang, error, fields) {
                Ok(errors) => again(errors).await,
                Err(e) => Err(e),
            };
            match page {
                Ok(mut page) => {
                    *page.status_mut() = status;
                    page
                }
                Err(e) => e.into_response(),
            }
        }
    }
}

/// A field message of the store or the domain in the page's language. The domain's messages are English
/// sentences for the API; the pages say the same in Chinese, and an unknown one as a plain request to check the
/// field rather than developer text.
pub fn message_in(lang: Lang, field: &str, message: &str) -> String {
    let number_in = |text: &str| -> String { text.chars().filter(char::is_ascii_digit).collect() };
    let key = if field == "version" {
        "form.stale"
    } else if message.starts_with("is required")
        || message == "must be given"
        || message == "an exclusion needs a reason"
    {
        "form.required"
    } else if message.starts_with("is longer than") {
        return lang.t("form.too_long").replace("{n}", &number_in(message));
    } else if message.starts_with("must have at least") {
        return lang.t("form.too_short").replace("{n}", &number_in(message));
    } else if field == "username" && message.ends_with("is taken") {
        "form.username_taken"
    } else if field == "username" {
        "form.username"
    } else if message.contains("needs the person") {
        "form.needs_person"
    } else if message.starts_with("must be a number") || message.starts_with("is not a number") {
        "form.number"
    } else if message.starts_with("must be 1 to 5") {
        "form.rating"
    } else if message.starts_with("the reply to the enterprise") {
        "form.reply"
    } else if message.starts_with("say what the call-back") {
        "form.call_back"
    } else if message.starts_with("say what is still") {
        "form.still_wrong"
    } else if message.contains("rated already") {
        "form.rated_already"
    } else if message.contains("could be re-opened until") {
        "form.reopen_late"
    } else if message.contains("holds no post") {
        "form.no_post"
    } else if message.contains("e-mail address") {
        "form.email"
    } else if message.ends_with("does not exist") {
        "form.missing"
    } else if message.ends_with("is archived") {
        "form.archived"
    } else if message == "must be from 0 to 100" {
        "form.percent"
    } else if message == "at least one weight must be above 0" {
        "form.weight_above_zero"
    } else if message.starts_with("give the document's web address") {
        "form.url_or_text"
    } else if message.starts_with("must be a web address") || message == "must not contain spaces" {
        "form.web_address"
    } else if message.contains("cannot be negative") {
        "form.negative"
    } else if message.contains("not a date")
        || message.contains("must be a date")
        || message.contains("YYYY-MM-DD")
    {
        "form.date"
    } else if lang == Lang::En {
        return message.to_string();
    } else {
        "form.check"
    };
    lang.t(key).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_message_reads_in_the_pages_language_without_developer_text() {
        assert_eq!(message_in(Lang::Zh, "title", "is required"), "请填写此项");
        assert_eq!(
            message_in(Lang::Zh, "title", "is longer than 200 characters"),
            "不能超过 200 个字"
        );
        assert_eq!(
            message_in(Lang::En, "title", "is longer than 200 characters"),
            "At most 200 characters"
        );
        let unknown = message_in(Lang::Zh, "x", "some new rule of the domain");
        assert!(!unknown.is_ascii(), "{unknown}");
        assert_eq!(
            message_in(Lang::En, "x", "some new rule of the domain"),
            "some new rule of the domain"
        );
    }

    #[test]
    fn a_refusal_not_about_the_input_is_the_error_page() {
        let denied = FormErrors::of(Lang::Zh, ApiError::Forbidden("no".into()), &["title"]);
        assert!(denied.is_err());
        let invalid = FormErrors::of(
            Lang::Zh,
            ApiError::bad_field("title", "is required"),
            &["title"],
        )
        .expect("shown on the form");
        assert_eq!(invalid.get("title"), "请填写此项");
        assert_eq!(invalid.invalid("title"), "true");
        assert_eq!(invalid.invalid("description"), "false");
        let elsewhere = FormErrors::of(
            Lang::Zh,
            ApiError::bad_field("received_at", "is required"),
            &["title"],
        )
        .expect("shown above the form");
        assert_eq!(elsewhere.general, ["请填写此项"]);
    }
}
