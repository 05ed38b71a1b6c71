//! The audit trail: who changed what, when, with the object before and after.

use axum::Json;
use axum::extract::State;
use chainpark_core::list::{Page, Paging};
use chainpark_store::{AuditEntry, AuditFilter};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiResult, Problem};
use crate::extract::ApiQuery;
use crate::{AppState, Caller};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// industry_area, chain, segment, supply_link, person, post, park, enterprise, ...
    pub object_kind: Option<String>,
    pub object_id: Option<i64>,
    /// The account that made the change.
    pub actor: Option<String>,
    /// Changes at or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Changes before this instant (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// Sort key (at, actor, object_kind); prefix `-` for descending.
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Lists changes, newest last unless `sort=-at`.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let paging = Paging::new(q.limit, q.offset, q.sort.as_deref());
    let filter = AuditFilter {
        object_kind: q.object_kind,
        object_id: q.object_id,
        actor: q.actor,
        since: q.since,
        until: q.until,
    };
    Ok(Json(
        state
            .store
            .list_audit(&caller.actor(), &filter, &paging)
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}
