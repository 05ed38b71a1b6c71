//! Chain intelligence over HTTP: each chain's diagnosis (gap classes, criticality, priority, completeness, every
//! number with its formula and inputs) now or on a past month, its history month by month, the segments' weights,
//! when firms settled in the zone, and the reference tables for location quotients. Computed by
//! `chainpark_app::chain_intel`; who may read and change what is `chainpark_core::access`'s.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chainpark_app::chain_intel::{
    ChainHealth, HealthPoint, ReferenceImport, ReferenceQuery, import_reference, parse_month,
    set_segment_weights,
};
use chainpark_core::chain_intel::parse_weight;
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_store::chain_intel::{ReferenceTable, Tenure};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::file_import::{SentFile, import_file};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, Caller};

/// Which month, compared with which reference table.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HealthQuery {
    /// `YYYY-MM`; the current month by default.
    pub month: Option<String>,
    /// The reference table of the location quotients; the latest imported by default.
    pub reference_id: Option<Id>,
}

/// Which months.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// `YYYY-MM`; eleven months before `to` by default.
    pub from: Option<String>,
    /// `YYYY-MM`; the current month by default.
    pub to: Option<String>,
    pub reference_id: Option<Id>,
}

fn month_of(day: NaiveDate) -> Month {
    Month::new(day.year(), day.month()).unwrap_or_else(|| {
        Month::new(2000, 1).unwrap_or_else(|| unreachable!("January 2000 is a month"))
    })
}

fn month_or(field: &str, text: Option<&str>, default: Month) -> ApiResult<Month> {
    Ok(match text {
        Some(text) => parse_month(field, text)?,
        None => default,
    })
}

/// The diagnosis of every chain the caller reads, on a month: readers of everything see all chains, chain chiefs,
/// task forces and owners their own; park and enterprise users none.
#[utoipa::path(get, path = "/api/v1/chain-health", tag = "chains", params(HealthQuery),
    responses((status = 200, body = Vec<ChainHealth>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn all(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<HealthQuery>,
) -> ApiResult<Json<Vec<ChainHealth>>> {
    let month = month_or("month", q.month.as_deref(), month_of(state.clock.today()))?;
    Ok(Json(
        state
            .chain_health
            .chains(
                state.store.as_ref(),
                &caller.actor(),
                month,
                q.reference_id,
                state.cache.version(),
            )
            .await?,
    ))
}

/// One chain's diagnosis on a month (as the registry and figures were on its last day): for every segment its
/// local firms, output, share, growth, location quotient, HHI, gap class, degree, Katz centrality and priority; for
/// the chain its completeness and counts by gap class. Readers of everything and the chain's own chiefs, task force
/// and owners.
#[utoipa::path(get, path = "/api/v1/chains/{id}/health", tag = "chains", params(("id" = i64, Path), HealthQuery),
    responses((status = 200, body = ChainHealth), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<HealthQuery>,
) -> ApiResult<Json<ChainHealth>> {
    let month = month_or("month", q.month.as_deref(), month_of(state.clock.today()))?;
    Ok(Json(
        state
            .chain_health
            .chain(
                state.store.as_ref(),
                &caller.actor(),
                id,
                month,
                q.reference_id,
                state.cache.version(),
            )
            .await?,
    ))
}

/// A chain's health month by month (at most 36 months): firms, output, completeness and gap counts as they were on
/// each month's last day.
#[utoipa::path(get, path = "/api/v1/chains/{id}/health/history", tag = "chains", params(("id" = i64, Path), HistoryQuery),
    responses((status = 200, body = Vec<HealthPoint>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<Vec<HealthPoint>>> {
    let to = month_or("to", q.to.as_deref(), month_of(state.clock.today()))?;
    // Eleven months before `to`: a year of history.
    let index = to.year() * 12 + to.month() as i32 - 1 - 11;
    let default_from =
        Month::new(index.div_euclid(12), index.rem_euclid(12) as u32 + 1).unwrap_or(to);
    let from = month_or("from", q.from.as_deref(), default_from)?;
    Ok(Json(
        state
            .chain_health
            .history(
                state.store.as_ref(),
                &caller.actor(),
                id,
                from,
                to,
                q.reference_id,
                state.cache.version(),
            )
            .await?,
    ))
}

/// One segment's importance weight in its chain's completeness.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentWeight {
    pub segment_id: Id,
    /// 0 to 100; 1 by default.
    pub weight: f64,
}

/// The weights to set; segments not listed keep theirs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentWeights {
    pub weights: Vec<SegmentWeight>,
}

/// Sets the importance weights of segments of a chain (the chain's chiefs and task force, and the admin).
#[utoipa::path(put, path = "/api/v1/chains/{id}/segment-weights", tag = "chains", params(("id" = i64, Path)),
    request_body = SegmentWeights,
    responses((status = 200, body = SegmentWeights), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_weights(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<SegmentWeights>,
) -> ApiResult<Json<SegmentWeights>> {
    let mut weights = Vec::with_capacity(input.weights.len());
    for (i, w) in input.weights.iter().enumerate() {
        weights.push((
            w.segment_id,
            parse_weight(&format!("weights[{i}].weight"), w.weight)?,
        ));
    }
    set_segment_weights(state.store.as_ref(), &caller.actor(), id, &weights).await?;
    Ok(Json(input))
}

/// When a firm settled in the zone, and when it left.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenureInput {
    pub settled_on: NaiveDate,
    #[serde(default)]
    pub left_on: Option<NaiveDate>,
}

/// Records when a firm settled in the zone (and left it), which a chain's past months count: the admin, its
/// park's chief and staff, its chains' chiefs and task force.
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/tenure", tag = "registry", params(("id" = i64, Path)),
    request_body = TenureInput,
    responses((status = 200, body = Tenure), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn set_tenure(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<TenureInput>,
) -> ApiResult<Json<Tenure>> {
    let tenure = Tenure {
        enterprise_id: id,
        settled_on: input.settled_on,
        left_on: input.left_on,
    };
    Ok(Json(state.store.set_tenure(&caller.actor(), tenure).await?))
}

/// The reference tables for location quotients, the latest first (everyone who works in the zone).
#[utoipa::path(get, path = "/api/v1/reference-tables", tag = "chains",
    responses((status = 200, body = Vec<ReferenceTable>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn references(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ReferenceTable>>> {
    Ok(Json(state.store.list_references(&caller.actor()).await?))
}

/// Imports a reference table for location quotients (the admin's): CSV (UTF-8, GBK/GB18030, UTF-16) or XLSX as the
/// body, with a code column (行业代码) and a value column (its unit in the header, a 单位 column or the cell); a row
/// 合计 gives the region's total. A file with a bad row stores nothing and answers 422 with every bad row.
#[utoipa::path(post, path = "/api/v1/reference-tables", tag = "chains", params(ReferenceQuery),
    request_body(description = "the file", content((Vec<u8> = "application/octet-stream"))),
    responses((status = 201, body = ReferenceImport), (status = 422, body = ReferenceImport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
pub async fn import_reference_table(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReferenceQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let store = state.store.as_ref();
    let actor = caller.actor();
    let file_name = q.filename.clone();
    import_file(
        &state,
        SentFile {
            name: Some(&file_name),
            sheet: None,
            headers: &headers,
            body,
        },
        |file| async move { Ok(import_reference(store, &actor, q, file.bytes, file.options).await?) },
    )
    .await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all))
        .routes(routes!(one))
        .routes(routes!(history))
        .routes(routes!(set_weights))
        .routes(routes!(set_tenure))
        .routes(routes!(references, import_reference_table))
}
