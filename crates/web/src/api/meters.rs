//! Park operations: meters, their readings (the API is one of the three ways in, with MQTT and files), their
//! roll-ups, the alarms raised on them, and the month's energy use written as the enterprises' `energy_use` figure.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chainpark_app::meters::{IngestReport, energy_figures, ingest};
use chainpark_core::error::Invalid;
use chainpark_core::list::{Page, Paging};
use chainpark_core::parkops::alarms::Alarm;
use chainpark_core::parkops::meters::{
    Grain, Medium, Meter, MeterInput, ReadingsInput, RollupPoint, bucket,
};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_store::StoreError;
use chainpark_store::figures::ImportRecord;
use chainpark_store::parkops::{AlarmFilter, MeterFilter};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, Caller};

/// Filters and paging of the meter list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeterQuery {
    pub park_id: Option<Id>,
    pub enterprise_id: Option<Id>,
    pub medium: Option<Medium>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The meters the caller sees: its parks' (park chiefs and staff), its enterprise's (enterprise users), all
/// (readers of everything).
#[utoipa::path(get, path = "/api/v1/meters", tag = "park operations", params(MeterQuery),
    responses((status = 200, body = Page<Meter>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MeterQuery>,
) -> ApiResult<Json<Page<Meter>>> {
    let filter = MeterFilter {
        park_id: q.park_id,
        enterprise_id: q.enterprise_id,
        medium: q.medium,
    };
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .list_meters(&caller.actor(), &filter, &paging)
            .await?,
    ))
}

/// A new meter: the admin or the park's chief or staff. A virtual meter's formula names real meters of the same
/// park and medium.
#[utoipa::path(post, path = "/api/v1/meters", tag = "park operations", request_body = MeterInput,
    responses((status = 201, body = Meter), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<MeterInput>,
) -> ApiResult<impl IntoResponse> {
    let draft = input.parse()?;
    let created = state
        .store
        .create_meter(&caller.actor(), draft, state.clock.now())
        .await?;
    let location = format!("/api/v1/meters/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

#[utoipa::path(get, path = "/api/v1/meters/{id}", tag = "park operations", params(("id" = i64, Path)),
    responses((status = 200, body = Meter), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Meter>> {
    Ok(Json(state.store.get_meter(&caller.actor(), id).await?))
}

/// Readings of the meter (the admin or the park's chief or staff): stored with their roll-ups, a reading already
/// held (same instant) ignored, then judged by the meter's alarm rules.
#[utoipa::path(post, path = "/api/v1/meters/{id}/readings", tag = "park operations", params(("id" = i64, Path)),
    request_body = ReadingsInput,
    responses((status = 200, body = IngestReport), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn readings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<ReadingsInput>,
) -> ApiResult<Json<IngestReport>> {
    let actor = caller.actor();
    state.store.get_meter(&actor, id).await?;
    let readings = input.parse(id)?;
    Ok(Json(
        ingest(&state.store, &actor, &readings, state.clock.now()).await?,
    ))
}

/// The period of a roll-up.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RollupQuery {
    /// hour, day (default) or month.
    pub grain: Option<Grain>,
    /// The first instant (RFC 3339).
    pub from: DateTime<Utc>,
    /// The last instant (RFC 3339), at most 400 days after `from`.
    pub to: DateTime<Utc>,
}

/// A meter's amounts per hour, day or month (China calendar), multiplier applied; a virtual meter's are its
/// formula over its parts'.
#[utoipa::path(get, path = "/api/v1/meters/{id}/rollup", tag = "park operations", params(("id" = i64, Path), RollupQuery),
    responses((status = 200, body = Vec<RollupPoint>), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn rollup(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<RollupQuery>,
) -> ApiResult<Json<Vec<RollupPoint>>> {
    if q.to < q.from || q.to - q.from > chrono::Duration::days(400) {
        return Err(Invalid::field("to", "must be after from, at most 400 days later").into());
    }
    let grain = q.grain.unwrap_or(Grain::Day);
    let amounts = state
        .store
        .meter_rollup(
            &caller.actor(),
            id,
            grain,
            bucket(grain, q.from),
            bucket(grain, q.to),
        )
        .await?;
    Ok(Json(
        amounts
            .into_iter()
            .map(|(b, amount)| RollupPoint::new(grain, b, amount))
            .collect(),
    ))
}

/// Filters and paging of the alarm list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlarmQuery {
    pub park_id: Option<Id>,
    pub meter_id: Option<Id>,
    /// Only open (true) or only ended (false) alarms.
    pub open: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The alarms on the meters the caller sees, newest first.
#[utoipa::path(get, path = "/api/v1/meter-alarms", tag = "park operations", params(AlarmQuery),
    responses((status = 200, body = Page<Alarm>)))]
pub async fn alarms(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AlarmQuery>,
) -> ApiResult<Json<Page<Alarm>>> {
    let filter = AlarmFilter {
        park_id: q.park_id,
        meter_id: q.meter_id,
        open: q.open,
    };
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .list_alarms(&caller.actor(), &filter, &paging)
            .await?,
    ))
}

/// The month whose energy use is written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnergyFiguresInput {
    #[schema(value_type = String, example = "2026-05")]
    pub month: String,
}

/// Writes each enterprise's energy use in the month — its meters' amounts times the energy factors, in tce — as
/// its `energy_use` figure, as an import of its own (the admin).
#[utoipa::path(post, path = "/api/v1/energy-figures", tag = "park operations", request_body = EnergyFiguresInput,
    responses((status = 200, body = ImportRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn energy(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<EnergyFiguresInput>,
) -> ApiResult<Json<ImportRecord>> {
    let actor = caller.actor();
    actor.scope.may_administer().map_err(StoreError::from)?;
    let month = parse_month(&input.month)
        .ok_or_else(|| Invalid::field("month", "must be a month such as 2026-05"))?;
    Ok(Json(energy_figures(&state.store, &actor, month).await?))
}

fn parse_month(text: &str) -> Option<Month> {
    let (year, month) = text.trim().split_once('-')?;
    Month::new(year.parse().ok()?, month.parse().ok()?)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get))
        .routes(routes!(readings))
        .routes(routes!(rollup))
        .routes(routes!(alarms))
        .routes(routes!(energy))
}
