//! The chiefs' daily work as pages, one module per page: the inbox (with the badge's count in the navigation),
//! enterprise appeals — the list with its filters and the form an enterprise files with ([`appeals`]), one appeal
//! with its steps, deadlines and the forms of the steps the viewer may take ([`appeal`]) — the key projects by
//! stage with their figures ([`projects`]), and the park work orders ([`work_orders`]). Every read and change
//! goes through the store with the viewer's actor, so the API's scopes and rules apply unchanged; which step forms
//! a page offers, the access policy in core decides.

mod appeal;
mod appeals;
mod inbox;
mod projects;
mod work_order;
mod work_orders;

pub(super) use appeal::{appeal, step_appeal};
pub(super) use appeals::{appeals, file_appeal};
pub(super) use inbox::{inbox, inbox_read};
pub(super) use projects::projects;
pub(super) use work_order::work_order;
pub(super) use work_orders::{create_work_order, step_work_order, work_orders};

use axum::response::{IntoResponse, Redirect, Response};
use chainpark_core::registry::{Id, PersonRef};
use chainpark_core::time::china;
use chrono::{DateTime, Utc};

use super::Viewer;
use crate::error::ApiError;

/// A form or query field: empty means not given.
pub(super) fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub(super) fn number(field: &str, value: &Option<String>) -> Result<Option<Id>, ApiError> {
    given(value)
        .map(|v| {
            v.parse::<Id>()
                .map_err(|_| ApiError::bad_field(field, "must be a number"))
        })
        .transpose()
}

pub(super) fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(super) fn name(person: &Option<PersonRef>) -> String {
    person.as_ref().map(|p| p.name.clone()).unwrap_or_default()
}

/// "calendar for 2027 not loaded": a deadline counted on weekdays for want of that year's holiday calendar.
pub(super) fn provisional(viewer: &Viewer, year: Option<i32>) -> String {
    year.map(|y| {
        viewer
            .t("deadline.provisional")
            .replace("{year}", &y.to_string())
    })
    .unwrap_or_default()
}

/// The answer to a form: a redirect to `target` after the change, or the error page.
pub(super) fn finish(viewer: &Viewer, result: Result<String, ApiError>) -> Response {
    match result {
        Ok(target) => Redirect::to(&target).into_response(),
        Err(e) => viewer.fail(e).into_response(),
    }
}

/// A share in per cent with one decimal, "—" when there is none.
pub(super) fn percent(p: Option<f64>) -> String {
    p.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}
