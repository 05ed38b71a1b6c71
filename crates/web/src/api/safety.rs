//! A park's safety inspections: inspection plans with their checklists, inspections done with a finding per item
//! and photos, and hazards — rectified through a work order and closed by a passing re-check. The park's chief
//! and staff (and the admin) write; readers of everything read all; chain roles and enterprise users reach none.

use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use chainpark_core::parkops::safety::{
    Hazard, HazardLevel, Inspection, InspectionInput, InspectionPlan, MAX_PHOTO_BYTES, PhotoInfo,
    PlanInput, RecheckInput,
};
use chainpark_core::registry::Id;
use chainpark_core::workflow::work_orders::WorkOrder;
use chainpark_store::safety::{HazardDetail, HazardFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::imports::upload_too_large;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, Caller};

/// Which park's plans or inspections to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    pub park_id: Option<Id>,
}

/// The inspection plans the caller reaches, with their checklists and next due day.
#[utoipa::path(get, path = "/api/v1/inspection-plans", tag = "park operations", params(PlanQuery),
    responses((status = 200, body = Vec<InspectionPlan>)))]
pub async fn list_plans(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> ApiResult<Json<Vec<InspectionPlan>>> {
    Ok(Json(
        state.store.list_plans(&caller.actor(), q.park_id).await?,
    ))
}

/// A new inspection plan (what, where, every how many days) with its checklist: the admin or the park's chief
/// or staff.
#[utoipa::path(post, path = "/api/v1/inspection-plans", tag = "park operations", request_body = PlanInput,
    responses((status = 201, body = InspectionPlan), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PlanInput>,
) -> ApiResult<impl IntoResponse> {
    let draft = input.parse()?;
    let created = state
        .store
        .create_plan(&caller.actor(), draft, state.clock.now())
        .await?;
    let location = format!("/api/v1/inspection-plans/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

#[utoipa::path(get, path = "/api/v1/inspection-plans/{id}", tag = "park operations", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionPlan), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<InspectionPlan>> {
    Ok(Json(state.store.get_plan(&caller.actor(), id).await?))
}

/// Records an inspection of the plan: one finding per checklist item, a hazard with each failed item (its
/// deadline counted in working days from the day of the inspection).
#[utoipa::path(post, path = "/api/v1/inspection-plans/{id}/inspections", tag = "park operations",
    params(("id" = i64, Path)), request_body = InspectionInput,
    responses((status = 201, body = Inspection), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_inspection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<InspectionInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.actor();
    let plan = state.store.get_plan(&actor, id).await?;
    let now = state.clock.now();
    let draft = input.parse(&plan, now)?;
    let done = state.store.record_inspection(&actor, draft, now).await?;
    let location = format!("/api/v1/inspections/{}", done.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(done),
    ))
}

/// Which inspections to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InspectionQuery {
    pub park_id: Option<Id>,
    pub plan_id: Option<Id>,
}

/// The inspections the caller reaches, latest first (at most 200).
#[utoipa::path(get, path = "/api/v1/inspections", tag = "park operations", params(InspectionQuery),
    responses((status = 200, body = Vec<Inspection>)))]
pub async fn list_inspections(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<InspectionQuery>,
) -> ApiResult<Json<Vec<Inspection>>> {
    Ok(Json(
        state
            .store
            .list_inspections(&caller.actor(), q.park_id, q.plan_id)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "park operations", params(("id" = i64, Path)),
    responses((status = 200, body = Inspection), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_inspection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Inspection>> {
    Ok(Json(state.store.get_inspection(&caller.actor(), id).await?))
}

/// Which checklist item a photo shows.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PhotoQuery {
    pub item_id: Option<Id>,
}

/// A photo of the inspection, the image as the body with its `Content-Type` (JPEG, PNG or WebP, at most 5 MiB;
/// the first bytes must be the type sent). Kept in the store; at most 20 per inspection.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/photos", tag = "park operations",
    params(("id" = i64, Path), PhotoQuery),
    request_body(description = "the image", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"))),
    responses((status = 201, body = PhotoInfo), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<PhotoQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let max = MAX_PHOTO_BYTES as u64;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(body, MAX_PHOTO_BYTES)
        .await
        .map_err(|_| upload_too_large(max))?;
    let photo = state
        .store
        .add_photo(
            &caller.actor(),
            id,
            q.item_id,
            &content_type,
            bytes.to_vec(),
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(photo)))
}

/// A photo's image, as it was sent.
#[utoipa::path(get, path = "/api/v1/inspection-photos/{id}", tag = "park operations", params(("id" = i64, Path)),
    responses((status = 200, description = "the image", content_type = "image/*"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<impl IntoResponse> {
    let (info, bytes) = state.store.get_photo(&caller.actor(), id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, info.content_type),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"inspection-{}-photo-{}\"",
                    info.inspection_id, info.id
                ),
            ),
        ],
        bytes,
    ))
}

/// Which hazards to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HazardQuery {
    pub park_id: Option<Id>,
    pub level: Option<HazardLevel>,
    /// Only hazards not closed (true) or only closed ones (false).
    pub open: Option<bool>,
}

/// The hazards the caller reaches, not closed first, earliest deadline first.
#[utoipa::path(get, path = "/api/v1/hazards", tag = "park operations", params(HazardQuery),
    responses((status = 200, body = Vec<Hazard>)))]
pub async fn list_hazards(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<HazardQuery>,
) -> ApiResult<Json<Vec<Hazard>>> {
    let filter = HazardFilter {
        park_id: q.park_id,
        level: q.level,
        open: q.open,
    };
    Ok(Json(
        state.store.list_hazards(&caller.actor(), &filter).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "park operations", params(("id" = i64, Path)),
    responses((status = 200, body = HazardDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_hazard(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<HazardDetail>> {
    Ok(Json(state.store.get_hazard(&caller.actor(), id).await?))
}

/// Who does the rectification.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardWorkOrderInput {
    /// Someone of the park's staff (or its chief).
    #[serde(default)]
    pub assignee_person_id: Option<Id>,
}

/// The hazard and the work order that now rectifies it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardWorkOrder {
    pub hazard: Hazard,
    pub work_order: WorkOrder,
}

/// Opens the work order that rectifies an open hazard (safety work, due by the hazard's deadline); 409 when the
/// hazard has one in progress or is closed.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/work-order", tag = "park operations", params(("id" = i64, Path)),
    request_body = HazardWorkOrderInput,
    responses((status = 201, body = HazardWorkOrder), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn open_work_order(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<HazardWorkOrderInput>,
) -> ApiResult<impl IntoResponse> {
    let (hazard, work_order) = state
        .store
        .open_hazard_work_order(
            &caller.actor(),
            id,
            input.assignee_person_id,
            state.clock.now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(HazardWorkOrder { hazard, work_order }),
    ))
}

/// A re-check as sent, with the hazard's version it was decided on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckBody {
    pub passed: bool,
    /// Required when the re-check fails: what is still wrong.
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// The hazard's `version`; 409 when it changed since.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Re-checks a hazard whose work order is done: a pass closes it, a failure opens it again for a new work order.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/rechecks", tag = "park operations", params(("id" = i64, Path)),
    request_body = RecheckBody,
    responses((status = 200, body = HazardDetail), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn recheck(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(body): ApiJson<RecheckBody>,
) -> ApiResult<Json<HazardDetail>> {
    let now = state.clock.now();
    let input = RecheckInput {
        passed: body.passed,
        note: body.note,
        at: body.at,
    }
    .parse()?;
    let at = input.at.unwrap_or(now).min(now);
    Ok(Json(
        state
            .store
            .recheck_hazard(&caller.actor(), id, input, body.version, at)
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    let photos = OpenApiRouter::new()
        .routes(routes!(add_photo))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES + 1));
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan))
        .routes(routes!(record_inspection))
        .routes(routes!(list_inspections))
        .routes(routes!(get_inspection))
        .routes(routes!(get_photo))
        .routes(routes!(list_hazards))
        .routes(routes!(get_hazard))
        .routes(routes!(open_work_order))
        .routes(routes!(recheck))
        .merge(photos)
}
