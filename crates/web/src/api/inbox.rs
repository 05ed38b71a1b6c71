//! The personal inbox: what the signed-in person was told (a case routed or assigned to them, an escalation, a
//! reply to their enterprise's appeal), with the counts for the badge.

use axum::Json;
use axum::extract::{Path, State};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_store::workflow::{InboxCounts, Notification};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiResult, Problem};
use crate::extract::ApiQuery;
use crate::{AppState, Caller};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only unread messages.
    pub unread: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The caller's messages, newest first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox", params(InboxQuery), responses((status = 200, body = Page<Notification>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<Page<Notification>>> {
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .list_inbox(&caller.actor(), q.unread.unwrap_or(false), &paging)
            .await?,
    ))
}

/// Unread and total counts, and unread by kind.
#[utoipa::path(get, path = "/api/v1/inbox/counts", tag = "inbox", responses((status = 200, body = InboxCounts)))]
pub async fn counts(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<InboxCounts>> {
    Ok(Json(state.store.inbox_counts(&caller.actor()).await?))
}

/// Marks one message read; another person's message answers 404.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", tag = "inbox", params(("id" = i64, Path)),
    responses((status = 200, body = InboxCounts), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<InboxCounts>> {
    Ok(Json(
        state.store.mark_read(&caller.actor(), Some(id)).await?,
    ))
}

/// Marks every message read.
#[utoipa::path(post, path = "/api/v1/inbox/read-all", tag = "inbox", responses((status = 200, body = InboxCounts)))]
pub async fn read_all(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<InboxCounts>> {
    Ok(Json(state.store.mark_read(&caller.actor(), None).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(counts))
        .routes(routes!(read))
        .routes(routes!(read_all))
}
