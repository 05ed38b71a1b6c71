//! Enterprise appeals: filing, the closed loop, routing rules, the on-time rate, escalation of overdue cases, the
//! holiday calendar deadlines are counted on, and the list as CSV or XLSX.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_core::error::Invalid;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_core::time::Clock;
use chainpark_core::workflow::OnTimeRate;
use chainpark_core::workflow::appeals::*;
use chainpark_store::workflow::{
    AppealFilter, CalendarLoad, CaseStep, EscalationRun, start_of_china_day,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::reports::download;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, merge_patch};
use crate::{AppState, Caller};
use chainpark_app::exports::{ExportFormat, appeal_sheet};

/// Filters, sorting and paging of the appeal list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AppealQuery {
    /// Part of the title or the enterprise's name.
    pub q: Option<String>,
    pub status: Option<AppealStatus>,
    pub category: Option<AppealCategory>,
    pub enterprise_id: Option<i64>,
    pub chain_id: Option<i64>,
    pub park_id: Option<i64>,
    pub assignee_person_id: Option<i64>,
    /// Only overdue (true) or not overdue (false) appeals on `as_of`.
    pub overdue: Option<bool>,
    /// Only open (true) or closed (false) appeals.
    pub open: Option<bool>,
    /// Received on or after this day.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this day.
    pub received_to: Option<NaiveDate>,
    /// The day deadlines are judged on (default today, China time).
    pub as_of: Option<NaiveDate>,
    /// Sort key (received_on, reply_due, status, category, updated_at); prefix `-` for descending.
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// For the export: csv (default) or xlsx.
    pub format: Option<ExportFormat>,
}

impl AppealQuery {
    fn filter(&self, clock: Clock) -> AppealFilter {
        AppealFilter {
            q: self.q.clone(),
            status: self.status,
            category: self.category,
            enterprise_id: self.enterprise_id,
            chain_id: self.chain_id,
            park_id: self.park_id,
            assignee_person_id: self.assignee_person_id,
            overdue: self.overdue,
            open: self.open,
            received_from: self.received_from,
            received_to: self.received_to,
            as_of: self.as_of.unwrap_or_else(|| clock.today()),
        }
    }
}

/// The day an answer is judged on.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AsOfQuery {
    /// Default today (China time).
    pub as_of: Option<NaiveDate>,
}

/// Lists the appeals the caller may see.
#[utoipa::path(get, path = "/api/v1/appeals", tag = "appeals", params(AppealQuery),
    responses((status = 200, body = Page<Appeal>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AppealQuery>,
) -> ApiResult<Json<Page<Appeal>>> {
    let paging = Paging::new(q.limit, q.offset, q.sort.as_deref());
    Ok(Json(
        state
            .store
            .list_appeals(&caller.actor(), &q.filter(state.clock), &paging)
            .await?,
    ))
}

/// Everything the filter selects, as CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/appeals/export", tag = "appeals", params(AppealQuery),
    responses((status = 200, description = "text/csv or an XLSX workbook")))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AppealQuery>,
) -> ApiResult<Response> {
    let mut paging = Paging::all();
    paging.sort = Paging::new(None, None, q.sort.as_deref()).sort;
    let page = state
        .store
        .list_appeals(&caller.actor(), &q.filter(state.clock), &paging)
        .await?;
    download(
        q.format.unwrap_or_default(),
        "appeals",
        vec![appeal_sheet(&page.items)],
    )
    .await
}

/// The honest on-time rate of the appeals the filter selects: open overdue appeals count against it.
#[utoipa::path(get, path = "/api/v1/appeals/on-time-rate", tag = "appeals", params(AppealQuery),
    responses((status = 200, body = OnTimeRate)))]
pub async fn on_time_rate(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AppealQuery>,
) -> ApiResult<Json<OnTimeRate>> {
    Ok(Json(
        state
            .store
            .appeal_on_time_rate(&caller.actor(), &q.filter(state.clock))
            .await?,
    ))
}

/// Files an appeal: the enterprise's own user, or an officer of its chain or park on its behalf. It is routed at
/// once by the rules and its handler is notified.
#[utoipa::path(post, path = "/api/v1/appeals", tag = "appeals", request_body = AppealInput,
    responses((status = 201, body = Appeal),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AppealInput>,
) -> ApiResult<impl IntoResponse> {
    let draft = input.parse()?;
    let now = state.clock.now();
    let at = draft.received_at.unwrap_or(now);
    let created = state
        .store
        .file_appeal(&caller.actor(), draft, at, now)
        .await?;
    let location = format!("/api/v1/appeals/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

/// One appeal; one the caller may not see answers 404.
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "appeals", params(("id" = i64, Path), AsOfQuery),
    responses((status = 200, body = Appeal), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> ApiResult<Json<Appeal>> {
    Ok(Json(
        state
            .store
            .get_appeal(
                &caller.actor(),
                id,
                q.as_of.unwrap_or_else(|| state.clock.today()),
            )
            .await?,
    ))
}

/// The appeal's history, step by step.
#[utoipa::path(get, path = "/api/v1/appeals/{id}/steps", tag = "appeals", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CaseStep>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn steps(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<CaseStep>>> {
    Ok(Json(state.store.appeal_steps(&caller.actor(), id).await?))
}

/// Takes one step of the closed loop: accept, assign, handle, reply, close (after a call-back), rate (the
/// enterprise, once per answer) or reopen (the enterprise, within the configured working days after closing). An impossible step answers 422 and changes nothing; a step decided on a
/// `version` the appeal no longer has, or that lost to another step taken at the same moment, answers 409.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/steps", tag = "appeals", params(("id" = i64, Path)),
    request_body = AppealStepInput,
    responses((status = 200, body = Appeal),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<AppealStepInput>,
) -> ApiResult<Json<Appeal>> {
    let version = input.version;
    let (step, note, at) = input.parse()?;
    let now = state.clock.now();
    Ok(Json(
        state
            .store
            .step_appeal(
                &caller.actor(),
                id,
                step,
                note,
                at.unwrap_or(now),
                version,
                state.appeals,
                now,
            )
            .await?,
    ))
}

/// Which day to escalate for.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationInput {
    /// Default today (China time); never a later day.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
}

/// Escalates every open appeal and work order that is overdue on `as_of` to its chain or park chief, who is
/// notified. The server also does this by itself every few minutes. Admin only. A day after today answers 422:
/// judged on a future day every open case would be overdue.
#[utoipa::path(post, path = "/api/v1/escalations", tag = "appeals", request_body = EscalationInput,
    responses((status = 200, body = EscalationRun), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<EscalationInput>,
) -> ApiResult<Json<EscalationRun>> {
    let now = state.clock.now();
    let today = state.clock.today();
    if let Some(day) = input.as_of.filter(|day| *day > today) {
        return Err(Invalid::field(
            "as_of",
            format!(
                "{day} is in the future (today is {today}): only what is overdue by today can be escalated"
            ),
        )
        .into());
    }
    // A day means its first instant in Chongqing: what is overdue on that day is escalated from its start.
    let at = input.as_of.map(start_of_china_day).unwrap_or(now);
    Ok(Json(
        state.store.escalate_overdue(&caller.actor(), at).await?,
    ))
}

/// The years the working-day calendar covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYears {
    /// Years whose State Council arrangement is loaded whole; deadlines in other years are provisional.
    pub years: Vec<i32>,
    /// The year an admin should load today: this year when it is missing, from 1 November next year.
    pub year_to_load: Option<i32>,
}

/// The years deadlines can be counted in.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "appeals",
    responses((status = 200, body = CalendarYears)))]
pub async fn calendar(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<CalendarYears>> {
    let calendar = state.store.work_calendar().await?;
    Ok(Json(CalendarYears {
        years: calendar.covered_years(),
        year_to_load: calendar.year_to_load(state.clock.today()),
    }))
}

/// Loads a year's State Council notice as CSV (`date,kind,name`, kind `holiday` or `workday`). A year counts as
/// loaded only when the file lists the holidays of all seven festivals (元旦, 春节, 清明节, 劳动节, 端午节, 中秋节,
/// 国庆节); it then replaces that year whole. Other days are added to years already loaded (a make-up working day
/// in the December before, say); a year covered only in part that is not loaded refuses the file with 422, naming
/// the festivals it lacks. Deadlines counted provisionally on weekdays are recounted in the same transaction.
/// Admin only.
#[utoipa::path(post, path = "/api/v1/calendar", tag = "appeals", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = CalendarLoad), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn load_calendar(
    State(state): State<AppState>,
    caller: Caller,
    body: String,
) -> ApiResult<Json<CalendarLoad>> {
    Ok(Json(
        state.store.load_calendar(&caller.actor(), &body).await?,
    ))
}

/// Paging of the rule list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RuleQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The routing rules: category × chain or park → who answers.
#[utoipa::path(get, path = "/api/v1/appeal-rules", tag = "appeals", params(RuleQuery),
    responses((status = 200, body = Page<AppealRule>)))]
pub async fn list_rules(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RuleQuery>,
) -> ApiResult<Json<Page<AppealRule>>> {
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .list_appeal_rules(&caller.actor(), &paging)
            .await?,
    ))
}

/// Adds a routing rule. A rule that would route to nobody answers 422. Admin only.
#[utoipa::path(post, path = "/api/v1/appeal-rules", tag = "appeals", request_body = AppealRuleInput,
    responses((status = 201, body = AppealRule),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AppealRuleInput>,
) -> ApiResult<impl IntoResponse> {
    let created = state
        .store
        .create_appeal_rule(&caller.actor(), input.parse()?, state.clock.today())
        .await?;
    let location = format!("/api/v1/appeal-rules/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

#[utoipa::path(get, path = "/api/v1/appeal-rules/{id}", tag = "appeals", params(("id" = i64, Path)),
    responses((status = 200, body = AppealRule), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<AppealRule>> {
    Ok(Json(
        state.store.get_appeal_rule(&caller.actor(), id).await?,
    ))
}

/// Changes a routing rule with a JSON merge patch. Admin only.
#[utoipa::path(patch, path = "/api/v1/appeal-rules/{id}", tag = "appeals", params(("id" = i64, Path)),
    request_body = serde_json::Value,
    responses((status = 200, body = AppealRule), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> ApiResult<Json<AppealRule>> {
    let current = state.store.get_appeal_rule(&caller.actor(), id).await?;
    let input: AppealRuleInput = merge_patch(&current.to_input(), patch)?;
    Ok(Json(
        state
            .store
            .update_appeal_rule(&caller.actor(), id, input.parse()?, state.clock.today())
            .await?,
    ))
}

/// Archives a routing rule: it no longer routes. Admin only.
#[utoipa::path(post, path = "/api/v1/appeal-rules/{id}/archive", tag = "appeals", params(("id" = i64, Path)),
    responses((status = 200, body = AppealRule), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn archive_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<AppealRule>> {
    Ok(Json(
        state.store.archive_appeal_rule(&caller.actor(), id).await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(on_time_rate))
        .routes(routes!(get))
        .routes(routes!(steps, step))
        .routes(routes!(escalate))
        .routes(routes!(calendar, load_calendar))
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(get_rule, update_rule))
        .routes(routes!(archive_rule))
}
