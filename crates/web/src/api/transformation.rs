//! Digital transformation: transformation projects, recognised digital workshops and intelligent factories, and
//! the counts the dashboard shows (`/api/v1/transformation/summary?as_of=2021-09-30`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_core::workflow::transformation::*;
use chainpark_store::workflow::TransformationFilter;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::appeals::AsOfQuery;
use crate::api::reports::download;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, merge_patch};
use crate::{AppState, Caller};
use chainpark_app::exports::{Cell, ExportFormat, Sheet};

/// Filters of the transformation lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TransformationQuery {
    pub enterprise_id: Option<i64>,
    /// Only projects completed, or recognitions made, on or before this day.
    pub by: Option<NaiveDate>,
    /// For recognitions: digital_workshop or intelligent_factory.
    pub kind: Option<RecognitionKind>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// For the export: csv (default) or xlsx.
    pub format: Option<ExportFormat>,
}

impl TransformationQuery {
    fn filter(&self) -> TransformationFilter {
        TransformationFilter {
            enterprise_id: self.enterprise_id,
            by: self.by,
            kind: self.kind,
        }
    }
}

/// The counts on a day: completed transformation projects, recognised workshops and factories.
#[utoipa::path(get, path = "/api/v1/transformation/summary", tag = "transformation", params(AsOfQuery),
    responses((status = 200, body = TransformationSummary)))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> ApiResult<Json<TransformationSummary>> {
    Ok(Json(
        state
            .store
            .transformation_summary(
                &caller.actor(),
                q.as_of.unwrap_or_else(|| state.clock.today()),
            )
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/transformation/projects", tag = "transformation", params(TransformationQuery),
    responses((status = 200, body = Page<TransformationProject>)))]
pub async fn list_projects(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TransformationQuery>,
) -> ApiResult<Json<Page<TransformationProject>>> {
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .list_transformation_projects(&caller.actor(), &q.filter(), &paging)
            .await?,
    ))
}

/// Every transformation project the filter selects, as CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/transformation/projects/export", tag = "transformation", params(TransformationQuery),
    responses((status = 200, description = "text/csv or an XLSX workbook")))]
pub async fn export_projects(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TransformationQuery>,
) -> ApiResult<Response> {
    let page = state
        .store
        .list_transformation_projects(&caller.actor(), &q.filter(), &Paging::all())
        .await?;
    let mut sheet = Sheet::new(
        "智能化改造 Transformation",
        &[
            "编号 id",
            "企业 enterprise",
            "项目 name",
            "投资(万元) investment",
            "开始 started_on",
            "完成 completed_on",
        ],
    );
    for p in &page.items {
        sheet.rows.push(vec![
            Cell::Int(p.id),
            p.enterprise_name.clone().into(),
            p.name.clone().into(),
            Cell::Int(p.investment),
            p.started_on.to_string().into(),
            p.completed_on.map(|d| d.to_string()).into(),
        ]);
    }
    download(
        q.format.unwrap_or_default(),
        "transformation_projects",
        vec![sheet],
    )
    .await
}

/// Records a transformation project: the admin, or a chief or task-force member of the enterprise's chain.
#[utoipa::path(post, path = "/api/v1/transformation/projects", tag = "transformation", request_body = TransformationProjectInput,
    responses((status = 201, body = TransformationProject), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_project(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<TransformationProjectInput>,
) -> ApiResult<impl IntoResponse> {
    let created = state
        .store
        .create_transformation_project(&caller.actor(), input.parse()?)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/transformation/projects/{id}", tag = "transformation", params(("id" = i64, Path)),
    responses((status = 200, body = TransformationProject), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_project(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<TransformationProject>> {
    Ok(Json(
        state
            .store
            .get_transformation_project(&caller.actor(), id)
            .await?,
    ))
}

/// Changes a transformation project (e.g. records its completion) with a JSON merge patch.
#[utoipa::path(patch, path = "/api/v1/transformation/projects/{id}", tag = "transformation", params(("id" = i64, Path)),
    request_body = serde_json::Value,
    responses((status = 200, body = TransformationProject), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_project(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> ApiResult<Json<TransformationProject>> {
    let current = state
        .store
        .get_transformation_project(&caller.actor(), id)
        .await?;
    let input: TransformationProjectInput = merge_patch(&current.to_input(), patch)?;
    Ok(Json(
        state
            .store
            .update_transformation_project(&caller.actor(), id, input.parse()?)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/transformation/recognitions", tag = "transformation", params(TransformationQuery),
    responses((status = 200, body = Page<Recognition>)))]
pub async fn list_recognitions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TransformationQuery>,
) -> ApiResult<Json<Page<Recognition>>> {
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .list_recognitions(&caller.actor(), &q.filter(), &paging)
            .await?,
    ))
}

/// Records a recognised digital workshop or intelligent factory with the criteria met. Criteria below the
/// thresholds, or a factory without two recognised workshops of the same enterprise: 422.
#[utoipa::path(post, path = "/api/v1/transformation/recognitions", tag = "transformation", request_body = RecognitionInput,
    responses((status = 201, body = Recognition), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_recognition(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RecognitionInput>,
) -> ApiResult<impl IntoResponse> {
    let created = state
        .store
        .create_recognition(&caller.actor(), input.parse()?)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/transformation/recognitions/{id}", tag = "transformation", params(("id" = i64, Path)),
    responses((status = 200, body = Recognition), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_recognition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Recognition>> {
    Ok(Json(
        state.store.get_recognition(&caller.actor(), id).await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(list_projects, create_project))
        .routes(routes!(export_projects))
        .routes(routes!(get_project, update_project))
        .routes(routes!(list_recognitions, create_recognition))
        .routes(routes!(get_recognition))
}
