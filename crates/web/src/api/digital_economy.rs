//! The mapping from GB/T 4754 industry codes to NBS 2021 digital-economy categories: read it (JSON or the CSV an
//! administrator edits in Excel), replace it with the statistics bureau's official table, add rows to it, or go
//! back to the approximation shipped with chainpark. Every change re-derives the enterprises' categories.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chainpark_core::digital_economy::DigitalEconomyCategory;
use chainpark_store::StoreError;
use chainpark_store::figures::{DigitalMapChange, DigitalMapOrigin, DigitalMapUpdate};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::download::attachment;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiQuery;
use crate::{AppState, Caller};

/// One row of the mapping.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DigitalMapRow {
    /// A GB/T 4754 division, group or class; the most specific listed code decides.
    pub industry_code: String,
    pub industry_name: String,
    pub category: DigitalEconomyCategory,
    pub mid_class: Option<String>,
    pub mid_class_name: Option<String>,
    pub note: String,
}

/// The mapping in force and where it came from.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DigitalMapView {
    /// `shipped`: chainpark's own approximation, not the official table; `loaded`: a table an admin loaded.
    pub origin: DigitalMapOrigin,
    /// When it was put in force (absent for the shipped mapping never changed).
    pub since: Option<DateTime<Utc>>,
    pub actor: Option<String>,
    pub file_name: String,
    pub entries: Vec<DigitalMapRow>,
}

/// The mapping in force, row by row.
#[utoipa::path(get, path = "/api/v1/digital-economy/map", tag = "figures",
    responses((status = 200, body = DigitalMapView)))]
pub async fn get_map(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<DigitalMapView>> {
    let in_force = state.store.digital_economy_map(&caller.actor()).await?;
    let entries = in_force
        .map
        .entries()
        .map(|entry| DigitalMapRow {
            industry_code: entry.industry.to_string(),
            industry_name: entry.industry.name().to_string(),
            category: entry.category,
            mid_class: entry.mid_class.map(|mid| mid.code.to_string()),
            mid_class_name: entry.mid_class.map(|mid| mid.name.to_string()),
            note: entry.note.clone(),
        })
        .collect();
    Ok(Json(DigitalMapView {
        origin: in_force.origin,
        since: in_force.since,
        actor: in_force.actor,
        file_name: in_force.file_name,
        entries,
    }))
}

/// The mapping in force as CSV (UTF-8 with BOM, so that Excel reads the Chinese): edit it and load it back.
#[utoipa::path(get, path = "/api/v1/digital-economy/map.csv", tag = "figures",
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn get_map_csv(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let in_force = state.store.digital_economy_map(&caller.actor()).await?;
    let bytes = chainpark_app::exports::digital_map_csv(in_force.map).await?;
    Ok(attachment(
        bytes,
        "text/csv; charset=utf-8",
        "digital_economy_map.csv",
    ))
}

/// How a loaded table changes the mapping.
#[derive(Debug, Default, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoadMode {
    /// The file becomes the whole mapping (the official table).
    #[default]
    Replace,
    /// The file's rows are added; where both list a code, the file wins.
    Merge,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LoadQuery {
    /// `replace` (default) or `merge`.
    #[serde(default)]
    pub mode: LoadMode,
    /// The file's name, kept with the mapping.
    pub filename: Option<String>,
}

/// Loads a mapping table as CSV (`gbt4754_code,category,mid_class,note`; UTF-8, GBK/GB18030 or UTF-16): the admin.
/// Every enterprise whose category is not set by hand gets the category the new mapping gives, and the roll-ups
/// follow, in one transaction. A file that does not read is refused whole, naming its line.
#[utoipa::path(put, path = "/api/v1/digital-economy/map", tag = "figures", params(LoadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = DigitalMapChange), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_map(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LoadQuery>,
    body: Bytes,
) -> ApiResult<Json<DigitalMapChange>> {
    let actor = caller.actor();
    // Refuse a caller who may not change the mapping before telling them what is wrong with their file.
    actor.scope.may_administer().map_err(StoreError::from)?;
    let csv = chainpark_import::decode_text(&body)
        .map_err(|e| StoreError::invalid("mapping", e.to_string()))?;
    let file_name = q.filename.unwrap_or_default();
    let update = match q.mode {
        LoadMode::Replace => DigitalMapUpdate::Replace {
            csv: &csv,
            file_name: &file_name,
        },
        LoadMode::Merge => DigitalMapUpdate::Merge {
            csv: &csv,
            file_name: &file_name,
        },
    };
    Ok(Json(
        state
            .store
            .update_digital_economy_map(&actor, update)
            .await?,
    ))
}

/// Goes back to the mapping shipped with chainpark (the admin); categories follow as for a load.
#[utoipa::path(delete, path = "/api/v1/digital-economy/map", tag = "figures",
    responses((status = 200, body = DigitalMapChange), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn restore_shipped_map(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<DigitalMapChange>> {
    Ok(Json(
        state
            .store
            .update_digital_economy_map(&caller.actor(), DigitalMapUpdate::RestoreShipped)
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_map, put_map, restore_shipped_map))
        .routes(routes!(get_map_csv))
}
