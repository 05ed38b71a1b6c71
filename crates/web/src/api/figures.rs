//! Economic figures: the indicator catalogue, roll-ups (`/api/v1/stats`) with last year's figures, year-on-year
//! growth and shares, one enterprise's monthly values as known on any date, region figures (Chongqing city's
//! totals) and each enterprise's digital-economy category.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chainpark_app::rollups::{self, StatsQuery};
use chainpark_core::digital_economy::DigitalEconomyCategory;
use chainpark_core::figures::{Indicator, IndicatorInput, Rollup};
use chainpark_core::period::Period;
use chainpark_core::registry::Id;
use chainpark_store::figures::{DigitalCategoryAssignment, EnterpriseFigure, RegionFigure};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, merge_patch};
use crate::{AppState, Caller};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IndicatorListQuery {
    /// Also list archived indicators (they take no new figures; their values stay readable).
    pub include_archived: Option<bool>,
}

/// The indicator catalogue.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "figures", params(IndicatorListQuery),
    responses((status = 200, body = Vec<Indicator>)))]
pub async fn list_indicators(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<IndicatorListQuery>,
) -> ApiResult<Json<Vec<Indicator>>> {
    let mut indicators = state.store.list_indicators(&caller.actor()).await?;
    if !q.include_archived.unwrap_or(false) {
        indicators.retain(|i| !i.archived);
    }
    Ok(Json(indicators))
}

/// The stored indicator with this code, or 404.
async fn indicator(state: &AppState, caller: &Caller, code: &str) -> ApiResult<Indicator> {
    state
        .store
        .list_indicators(&caller.actor())
        .await?
        .into_iter()
        .find(|i| i.code == code)
        .ok_or_else(|| ApiError::NotFound(format!("no indicator {code}")))
}

/// Changes an indicator (the admin) with a JSON merge patch (RFC 7386) of its input form: names, aliases,
/// aggregation, `allow_negative`, `max_per_month` (`null`: the unit's default). Its code and unit cannot change. A
/// name or alias that would also mean another indicator is a conflict.
#[utoipa::path(patch, path = "/api/v1/indicators/{code}", tag = "figures",
    params(("code" = String, Path, description = "the indicator's code, e.g. added_value")), request_body = serde_json::Value,
    responses((status = 200, body = Indicator),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_indicator(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> ApiResult<Json<Indicator>> {
    let current = indicator(&state, &caller, &code).await?;
    let input: IndicatorInput = merge_patch(&current.to_input(), patch)?;
    let draft = input.parse()?;
    Ok(Json(
        state
            .store
            .update_indicator(&caller.actor(), current.id, draft)
            .await?,
    ))
}

/// Archives an indicator (the admin): it takes no new figures (a file's values of it are row errors), leaves the
/// list unless `include_archived=true`, and its stored values stay readable.
#[utoipa::path(post, path = "/api/v1/indicators/{code}/archive", tag = "figures",
    params(("code" = String, Path, description = "the indicator's code, e.g. added_value")),
    responses((status = 200, body = Indicator), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn archive_indicator(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Indicator>> {
    let current = indicator(&state, &caller, &code).await?;
    Ok(Json(
        state
            .store
            .archive_indicator(&caller.actor(), current.id)
            .await?,
    ))
}

/// Adds an indicator (admins).
#[utoipa::path(post, path = "/api/v1/indicators", tag = "figures", request_body = IndicatorInput,
    responses((status = 201, body = Indicator), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_indicator(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<IndicatorInput>,
) -> ApiResult<(StatusCode, Json<Indicator>)> {
    let draft = input.parse()?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.create_indicator(&caller.actor(), draft).await?),
    ))
}

/// A roll-up of one indicator for one period by a dimension, each group with the same period last year,
/// year-on-year growth and its share of the parent (the zone, or a region's published figure). For a caller who
/// may not read the figures of every firm in a group, a group of fewer than 3 firms or where one firm makes more
/// than 85 % of the value (thresholds configurable) is withheld, and a second one where the first would follow
/// by subtraction from a published total: each names its rule in `suppressed`.
#[utoipa::path(get, path = "/api/v1/stats", tag = "figures", params(StatsQuery),
    responses((status = 200, body = Rollup), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn stats(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Rollup>> {
    let query = q.parse()?;
    let rules = &state.disclosure;
    Ok(Json(
        rollups::rollup(state.store.as_ref(), rules, &caller.actor(), &query).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseFiguresQuery {
    pub indicator: String,
    pub period: String,
    /// What was known at this instant (RFC 3339) or at the end of this day in China (2021-07-15).
    pub as_of: Option<String>,
}

fn parse_as_of(text: &str) -> ApiResult<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_field(
            "as_of",
            "use a date 2021-07-15 or an instant 2021-07-15T12:00:00Z",
        )
    })?;
    // The end of that day in China (UTC+8) is 16:00 UTC.
    let end = day
        .and_hms_opt(15, 59, 59)
        .map(|t| t.and_utc())
        .ok_or_else(|| ApiError::bad_field("as_of", "no such day"))?;
    Ok(end + chrono::Duration::microseconds(999_999))
}

/// One enterprise's monthly values of an indicator, as known at `as_of` (now by default). Readable by the
/// readers of everything, the enterprise's own user, and the chiefs and staff of its chains and park.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/figures", tag = "figures", params(EnterpriseFiguresQuery),
    responses((status = 200, body = Vec<EnterpriseFigure>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn enterprise_figures(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<EnterpriseFiguresQuery>,
) -> ApiResult<Json<Vec<EnterpriseFigure>>> {
    let period =
        Period::parse(&q.period).map_err(|e| ApiError::bad_field("period", e.to_string()))?;
    let as_of = q.as_of.as_deref().map(parse_as_of).transpose()?;
    Ok(Json(
        state
            .store
            .enterprise_figures(&caller.actor(), id, &q.indicator, period, as_of)
            .await?,
    ))
}

/// Published figures of regions outside the zone.
#[utoipa::path(get, path = "/api/v1/region-figures", tag = "figures", responses((status = 200, body = Vec<RegionFigure>)))]
pub async fn list_region_figures(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<RegionFigure>>> {
    Ok(Json(
        state.store.list_region_figures(&caller.actor()).await?,
    ))
}

/// Stores (or replaces) a region's published figure, e.g. Chongqing's (500000) digital-economy added value of
/// 2021-H1: the admin.
#[utoipa::path(put, path = "/api/v1/region-figures", tag = "figures", request_body = RegionFigure,
    responses((status = 200, body = RegionFigure), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn put_region_figure(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(figure): ApiJson<RegionFigure>,
) -> ApiResult<Json<RegionFigure>> {
    Ok(Json(
        state
            .store
            .put_region_figure(&caller.actor(), figure)
            .await?,
    ))
}

/// An enterprise's digital-economy category and where it came from.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/digital-category", tag = "figures",
    responses((status = 200, body = DigitalCategoryAssignment), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn digital_category(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<DigitalCategoryAssignment>> {
    Ok(Json(
        state.store.digital_category(&caller.actor(), id).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigitalCategoryInput {
    /// `01`-`05`, or null for "not digital economy"; ignored when `overridden` is false.
    pub category: Option<DigitalEconomyCategory>,
    /// True: the category is set by hand (the statistics bureau's assignment wins). False: back to the industry
    /// code's category.
    pub overridden: bool,
}

/// Sets an enterprise's digital-economy category by hand, or returns it to its industry code's (the admin).
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/digital-category", tag = "figures", request_body = DigitalCategoryInput,
    responses((status = 200, body = DigitalCategoryAssignment), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn set_digital_category(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<DigitalCategoryInput>,
) -> ApiResult<Json<DigitalCategoryAssignment>> {
    Ok(Json(
        state
            .store
            .set_digital_category(&caller.actor(), id, input.category, input.overridden)
            .await?,
    ))
}

/// Recomputes the aggregate tables from the stored values (after registry changes): the admin.
#[utoipa::path(post, path = "/api/v1/figures/rebuild", tag = "figures",
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn rebuild(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    state
        .store
        .rebuild_figure_aggregates(&caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_indicators, create_indicator))
        .routes(routes!(update_indicator))
        .routes(routes!(archive_indicator))
        .routes(routes!(stats))
        .routes(routes!(enterprise_figures))
        .routes(routes!(list_region_figures, put_region_figure))
        .routes(routes!(digital_category, set_digital_category))
        .routes(routes!(rebuild))
}
