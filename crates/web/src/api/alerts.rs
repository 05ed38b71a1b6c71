//! Alerts (预警): what the caller should act on at the application's "now" — appeals overdue or due within one
//! working day, milestones overdue, projects without progress for 90 days, firms whose output keeps falling — in
//! the caller's reach, most pressing first.

use axum::Json;
use axum::extract::State;
use chainpark_core::workflow::alerts::Alert;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::ApiResult;
use crate::{AppState, Caller};

/// The alerts the caller may see now, most pressing first; each names the object it links to.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", responses((status = 200, body = Vec<Alert>)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Alert>>> {
    Ok(Json(
        state
            .store
            .alerts(&caller.actor(), state.clock.now())
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}
