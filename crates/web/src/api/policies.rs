//! The policy registry over HTTP (政策清单): a chain's policy documents — list, file, read, change and archive. Read
//! by readers of everything and the chain's chiefs, task force and owners; written by its chiefs and task force
//! and the admin (`chainpark_core::access`, checked by the store).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chainpark_core::policies::{Policy, PolicyInput};
use chainpark_core::registry::Id;
use chainpark_store::StoreError;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiResult, Problem};
use crate::extract::ApiJson;
use crate::{AppState, Caller};

/// A chain's policy documents, the latest issued first.
#[utoipa::path(get, path = "/api/v1/chains/{id}/policies", tag = "chains", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Policy>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<Policy>>> {
    let actor = caller.actor();
    state.store.get_chain(&actor, id).await?;
    Ok(Json(state.store.list_policies(&actor, id).await?))
}

/// Files a policy document under a chain: title, issuer, document number (文号), date of issue, its web address
/// or its text, and a summary.
#[utoipa::path(post, path = "/api/v1/policies", tag = "chains", request_body = PolicyInput,
    responses((status = 201, body = Policy), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PolicyInput>,
) -> ApiResult<impl IntoResponse> {
    let actor = caller.actor();
    actor
        .scope
        .may_steer_chain(input.chain_id)
        .map_err(StoreError::from)?;
    let draft = input.parse().map_err(StoreError::from)?;
    let policy = state.store.create_policy(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(policy)))
}

/// One policy document.
#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "chains", params(("id" = i64, Path)),
    responses((status = 200, body = Policy), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Policy>> {
    Ok(Json(state.store.get_policy(&caller.actor(), id).await?))
}

/// Replaces a policy document's fields; it stays with its chain.
#[utoipa::path(put, path = "/api/v1/policies/{id}", tag = "chains", params(("id" = i64, Path)), request_body = PolicyInput,
    responses((status = 200, body = Policy), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> ApiResult<Json<Policy>> {
    let actor = caller.actor();
    // Who may not change the document learns that first (or that it does not exist for them), before its input.
    let current = state.store.get_policy(&actor, id).await?;
    actor
        .scope
        .may_steer_chain(current.chain_id)
        .map_err(StoreError::from)?;
    let draft = input.parse().map_err(StoreError::from)?;
    Ok(Json(state.store.update_policy(&actor, id, draft).await?))
}

/// Archives a policy document: it leaves the chain's list; the audit trail keeps it.
#[utoipa::path(post, path = "/api/v1/policies/{id}/archive", tag = "chains", params(("id" = i64, Path)),
    responses((status = 200, body = Policy), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Policy>> {
    Ok(Json(state.store.archive_policy(&caller.actor(), id).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(create))
        .routes(routes!(one, update))
        .routes(routes!(archive))
}
