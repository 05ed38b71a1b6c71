//! A park's space: buildings, their units, the leases of units (rows of the assessment's leases) and the park's
//! occupancy on any day — vacancy and space per firm.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chainpark_core::assessment::land::Lease;
use chainpark_core::parkops::space::{
    Building, BuildingInput, Occupancy, Unit, UnitInput, UnitLeaseInput,
};
use chainpark_core::registry::Id;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, Caller};

/// Which park's buildings to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BuildingQuery {
    pub park_id: Option<Id>,
}

/// The buildings the caller reaches: its parks' (park chiefs and staff), all (readers of everything).
#[utoipa::path(get, path = "/api/v1/buildings", tag = "park operations", params(BuildingQuery),
    responses((status = 200, body = Vec<Building>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<BuildingQuery>,
) -> ApiResult<Json<Vec<Building>>> {
    Ok(Json(
        state
            .store
            .list_buildings(&caller.actor(), q.park_id)
            .await?,
    ))
}

/// A new building of a park: the admin or the park's chief or staff.
#[utoipa::path(post, path = "/api/v1/buildings", tag = "park operations", request_body = BuildingInput,
    responses((status = 201, body = Building), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<BuildingInput>,
) -> ApiResult<impl IntoResponse> {
    let draft = input.parse()?;
    let created = state
        .store
        .create_building(&caller.actor(), draft, state.clock.now())
        .await?;
    let location = format!("/api/v1/buildings/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

/// A building with its units.
#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingDetail {
    pub building: Building,
    pub units: Vec<Unit>,
}

#[utoipa::path(get, path = "/api/v1/buildings/{id}", tag = "park operations", params(("id" = i64, Path)),
    responses((status = 200, body = BuildingDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<BuildingDetail>> {
    let actor = caller.actor();
    let building = state.store.get_building(&actor, id).await?;
    let units = state.store.list_units(&actor, Some(id), None).await?;
    Ok(Json(BuildingDetail { building, units }))
}

/// A new unit of the building: the admin or the park's chief or staff. Its floor must be one of the building's.
#[utoipa::path(post, path = "/api/v1/buildings/{id}/units", tag = "park operations", params(("id" = i64, Path)),
    request_body = UnitInput,
    responses((status = 201, body = Unit), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_unit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<UnitInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.actor();
    let building = state.store.get_building(&actor, id).await?;
    let draft = input.parse(&building)?;
    let created = state
        .store
        .create_unit(&actor, draft, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Leases the unit to a firm: a lease of the assessment's leases (the same contracts the per-mu evaluation
/// reads) over the unit's area. A lease sharing a day with another of the unit answers 409.
#[utoipa::path(post, path = "/api/v1/units/{id}/leases", tag = "park operations", params(("id" = i64, Path)),
    request_body = UnitLeaseInput,
    responses((status = 201, body = Lease), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn lease(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<UnitLeaseInput>,
) -> ApiResult<impl IntoResponse> {
    let draft = input.parse()?;
    let created = state
        .store
        .lease_unit(&caller.actor(), id, draft, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The day of an occupancy.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OccupancyQuery {
    /// The day (default: today, China time); a past day counts the units and leases in force then.
    pub on: Option<NaiveDate>,
}

/// A park's occupancy on a day: units and area, leased and vacant, the vacancy rate and each tenant's space
/// (readers of everything and the park's chief and staff).
#[utoipa::path(get, path = "/api/v1/parks/{id}/occupancy", tag = "park operations", params(("id" = i64, Path), OccupancyQuery),
    responses((status = 200, body = Occupancy), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn occupancy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<OccupancyQuery>,
) -> ApiResult<Json<Occupancy>> {
    let on = q.on.unwrap_or_else(|| state.clock.today());
    Ok(Json(state.store.occupancy(&caller.actor(), id, on).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get))
        .routes(routes!(create_unit))
        .routes(routes!(lease))
        .routes(routes!(occupancy))
}
