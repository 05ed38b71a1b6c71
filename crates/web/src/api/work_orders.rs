//! Park work orders: opening, the steps from assignment to closing, overdue views and the list as CSV or XLSX.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_core::time::Clock;
use chainpark_core::workflow::work_orders::*;
use chainpark_store::workflow::{CaseStep, WorkOrderFilter};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::reports::download;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, Caller};
use chainpark_app::exports::{ExportFormat, work_order_sheet};

/// Filters and paging of the work-order list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderQuery {
    pub park_id: Option<i64>,
    pub status: Option<WorkOrderStatus>,
    pub kind: Option<WorkOrderKind>,
    pub assignee_person_id: Option<i64>,
    /// Only overdue (true) or not overdue (false) orders at `at`.
    pub overdue: Option<bool>,
    /// The instant overdue is judged at (RFC 3339); default now.
    pub at: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// For the export: csv (default) or xlsx.
    pub format: Option<ExportFormat>,
}

impl WorkOrderQuery {
    fn filter(&self, clock: Clock) -> WorkOrderFilter {
        WorkOrderFilter {
            park_id: self.park_id,
            status: self.status,
            kind: self.kind,
            assignee_person_id: self.assignee_person_id,
            overdue: self.overdue,
            at: self.at.unwrap_or_else(|| clock.now()),
        }
    }
}

/// The work orders of the caller's parks (or assigned to the caller), earliest due first.
#[utoipa::path(get, path = "/api/v1/work-orders", tag = "work orders", params(WorkOrderQuery),
    responses((status = 200, body = Page<WorkOrder>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WorkOrderQuery>,
) -> ApiResult<Json<Page<WorkOrder>>> {
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .list_work_orders(&caller.actor(), &q.filter(state.clock), &paging)
            .await?,
    ))
}

/// Everything the filter selects, as CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/work-orders/export", tag = "work orders", params(WorkOrderQuery),
    responses((status = 200, description = "text/csv or an XLSX workbook")))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WorkOrderQuery>,
) -> ApiResult<Response> {
    let page = state
        .store
        .list_work_orders(&caller.actor(), &q.filter(state.clock), &Paging::all())
        .await?;
    download(
        q.format.unwrap_or_default(),
        "work_orders",
        vec![work_order_sheet(&page.items)],
    )
    .await
}

/// Opens a work order: the park's chief or staff, or the admin. The limit follows from the type and urgency
/// unless given; the assignee must serve the park.
#[utoipa::path(post, path = "/api/v1/work-orders", tag = "work orders", request_body = WorkOrderInput,
    responses((status = 201, body = WorkOrder), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<WorkOrderInput>,
) -> ApiResult<impl IntoResponse> {
    let draft = input.parse()?;
    let now = state.clock.now();
    let at = draft.created_at.unwrap_or(now);
    let created = state
        .store
        .create_work_order(&caller.actor(), draft, at, now)
        .await?;
    let location = format!("/api/v1/work-orders/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

/// The instant an answer is judged at.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AtQuery {
    /// RFC 3339; default now.
    pub at: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/api/v1/work-orders/{id}", tag = "work orders", params(("id" = i64, Path), AtQuery),
    responses((status = 200, body = WorkOrder), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<WorkOrder>> {
    Ok(Json(
        state
            .store
            .get_work_order(
                &caller.actor(),
                id,
                q.at.unwrap_or_else(|| state.clock.now()),
            )
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/work-orders/{id}/steps", tag = "work orders", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CaseStep>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn steps(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<CaseStep>>> {
    Ok(Json(
        state.store.work_order_steps(&caller.actor(), id).await?,
    ))
}

/// Takes a step: assign (park team), start and finish (the assignee or the park chief), close or reject (park team).
/// A step decided on a `version` the order no longer has, or that lost to another step at the same moment, answers 409.
#[utoipa::path(post, path = "/api/v1/work-orders/{id}/steps", tag = "work orders", params(("id" = i64, Path)), request_body = WorkOrderStepInput,
    responses((status = 200, body = WorkOrder), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<WorkOrderStepInput>,
) -> ApiResult<Json<WorkOrder>> {
    let step = input.parse()?;
    let now = state.clock.now();
    let at = step.at.unwrap_or(now);
    Ok(Json(
        state
            .store
            .step_work_order(&caller.actor(), id, step, at, now)
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(get))
        .routes(routes!(steps, step))
}
