//! Chain attraction over HTTP (产业链招商): the candidate registry (search, import, settling), each chain's target
//! lists with their explained scores, the score's weights, pinning and excluding targets, and turning a target into
//! a lead. Computed by `chainpark_app::targets`; who may read and change what is `chainpark_core::access`'s.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chainpark_app::chain_intel::parse_month;
use chainpark_app::targets::{
    CandidateImport, LeadInput, TargetLists, import_candidates, target_lists, turn_into_lead,
};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_core::targets::TargetWeights;
use chainpark_core::workflow::projects::Project;
use chainpark_store::targets::{Candidate, CandidateSearch, TargetMark};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::file_import::{SentFile, import_file};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, Caller};

/// How to search the candidate registry.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CandidateQuery {
    /// Words of the name, the credit code, the province or the city.
    pub q: Option<String>,
    /// Only candidates that could serve this segment.
    pub segment_id: Option<Id>,
    /// At most this many (100 by default, 1,000 at most).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The candidate registry (招商目标库), searched: readers of everything and chain roles.
#[utoipa::path(get, path = "/api/v1/candidates", tag = "chains", params(CandidateQuery),
    responses((status = 200, body = Vec<Candidate>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CandidateQuery>,
) -> ApiResult<Json<Vec<Candidate>>> {
    let search = CandidateSearch {
        q: q.q,
        segment_id: q.segment_id,
        limit: q.limit.unwrap_or(100),
        offset: q.offset.unwrap_or(0),
    };
    Ok(Json(
        state
            .store
            .list_candidates(&caller.actor(), &search)
            .await?,
    ))
}

/// One candidate.
#[utoipa::path(get, path = "/api/v1/candidates/{id}", tag = "chains", params(("id" = i64, Path)),
    responses((status = 200, body = Candidate), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Candidate>> {
    Ok(Json(state.store.get_candidate(&caller.actor(), id).await?))
}

/// The file's name.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CandidateFile {
    /// `.xlsx` is read as a workbook, anything else as CSV.
    pub filename: String,
}

/// Imports candidate firms (the admin, chain chiefs and task forces): CSV (UTF-8, GBK/GB18030, UTF-16) or XLSX as
/// the body, one firm a row (企业名称, 统一社会信用代码, 省份, 城市, 行业代码, 可服务环节, 营收规模, 从业人员, 是否上市,
/// 营收增速（%）, 距离（公里）, 本地合作企业信用代码, 来源, 来源日期). A known credit code is updated; a file with a bad
/// row — a credit code twice included — stores nothing and answers 422 with every bad row.
#[utoipa::path(post, path = "/api/v1/candidates/import", tag = "chains", params(CandidateFile),
    request_body(description = "the file", content((Vec<u8> = "application/octet-stream"))),
    responses((status = 201, body = CandidateImport), (status = 422, body = CandidateImport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CandidateFile>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let store = state.store.as_ref();
    let actor = caller.actor();
    let file_name = q.filename.as_str();
    import_file(
        &state,
        SentFile {
            name: Some(file_name),
            sheet: None,
            headers: &headers,
            body,
        },
        |file| async move {
            Ok(import_candidates(store, &actor, file_name, file.bytes, file.options).await?)
        },
    )
    .await
}

/// The local enterprise a candidate became.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleInput {
    pub enterprise_id: Id,
}

/// Records that a candidate settled in the zone as a local enterprise (the admin, chain chiefs and task forces); the
/// candidate keeps its history and the link.
#[utoipa::path(post, path = "/api/v1/candidates/{id}/settle", tag = "chains", params(("id" = i64, Path)),
    request_body = SettleInput,
    responses((status = 200, body = Candidate), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn settle(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<SettleInput>,
) -> ApiResult<Json<Candidate>> {
    Ok(Json(
        state
            .store
            .settle_candidate(&caller.actor(), id, input.enterprise_id)
            .await?,
    ))
}

/// Which month's gaps.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TargetQuery {
    /// `YYYY-MM`; the current month by default.
    pub month: Option<String>,
}

/// The month of a query, or the current one.
pub fn month_or_now(state: &AppState, text: Option<&str>) -> ApiResult<Month> {
    let today = state.clock.today();
    Ok(match text {
        Some(text) => parse_month("month", text)?,
        None => Month::new(today.year(), today.month())
            .ok_or_else(|| chainpark_app::error::AppError::internal("today is not a month"))?,
    })
}

/// A chain's target lists (招商目标清单): its gap segments by priority, each with its candidates ranked by an
/// explained score (segment match, scale, growth, relations with the chain's firms, distance), pinned first, the
/// excluded apart with their reason, and the leads already made. Readers of everything and the chain's own people.
#[utoipa::path(get, path = "/api/v1/chains/{id}/targets", tag = "chains", params(("id" = i64, Path), TargetQuery),
    responses((status = 200, body = TargetLists), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn targets(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<TargetQuery>,
) -> ApiResult<Json<TargetLists>> {
    let month = month_or_now(&state, q.month.as_deref())?;
    Ok(Json(
        target_lists(
            state.store.as_ref(),
            &state.chain_health,
            state.cache.version(),
            &caller.actor(),
            id,
            month,
        )
        .await?,
    ))
}

/// Sets the weights of the target score's parts (0 to 100 each) for a chain: its chiefs and task force, the admin.
#[utoipa::path(put, path = "/api/v1/chains/{id}/target-weights", tag = "chains", params(("id" = i64, Path)),
    request_body = TargetWeights,
    responses((status = 200, body = TargetWeights), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_weights(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<TargetWeights>,
) -> ApiResult<Json<TargetWeights>> {
    state.store.get_chain(&caller.actor(), id).await?;
    Ok(Json(
        state
            .store
            .set_target_weights(&caller.actor(), id, input)
            .await?,
    ))
}

/// Pins a candidate for a segment of the chain, excludes it (with a reason) or clears both: its chiefs and task
/// force, the admin.
#[utoipa::path(put, path = "/api/v1/chains/{id}/target-marks", tag = "chains", params(("id" = i64, Path)),
    request_body = TargetMark,
    responses((status = 200, body = TargetMark), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn mark(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<TargetMark>,
) -> ApiResult<Json<TargetMark>> {
    state.store.get_chain(&caller.actor(), id).await?;
    Ok(Json(
        state.store.mark_target(&caller.actor(), id, input).await?,
    ))
}

/// Turns a target into a lead: a key project at stage "lead" for the gap segment, with the chain's chief
/// responsible, linked to the candidate; the project workflow carries it on, and once it produces the segment
/// counts it. The chain's chiefs and task force, the admin.
#[utoipa::path(post, path = "/api/v1/chains/{id}/leads", tag = "chains", params(("id" = i64, Path)),
    request_body = LeadInput,
    responses((status = 201, body = Project), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<impl IntoResponse> {
    let project = turn_into_lead(state.store.as_ref(), &caller.actor(), id, input).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(import))
        .routes(routes!(settle))
        .routes(routes!(targets))
        .routes(routes!(set_weights))
        .routes(routes!(mark))
        .routes(routes!(lead))
}
