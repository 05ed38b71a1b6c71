//! The five endpoints every registry object has — list, get, create, update (JSON merge patch), archive — written
//! once. Each object's module gives its types, its query parameters and the store methods to call.

use axum::http::{HeaderMap, HeaderValue, header};
use chainpark_store::StoreError;
use chrono::{DateTime, Utc};

use crate::error::ApiError;

/// The entity tag of a registry object's version: its `updated_at` in nanoseconds, quoted (a strong tag).
pub fn version_tag(updated_at: DateTime<Utc>) -> HeaderValue {
    let nanos = updated_at
        .timestamp_nanos_opt()
        .unwrap_or_else(|| updated_at.timestamp_micros().saturating_mul(1000));
    HeaderValue::from_str(&format!("\"{nanos}\"")).expect("digits and quotes")
}

/// The versions an update's `If-Match` accepts: `None` when the header is absent or `*` (any version); otherwise
/// the entity tags it lists. A weak tag (`W/"..."`) never matches, as RFC 9110 asks for `If-Match`.
pub fn if_match(headers: &HeaderMap) -> Result<Option<Vec<String>>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::bad_field("If-Match", "is not a list of entity tags"))?;
    if value.trim() == "*" {
        return Ok(None);
    }
    Ok(Some(
        value.split(',').map(|t| t.trim().to_string()).collect(),
    ))
}

/// Whether the listed tags name this version.
pub fn matches(tags: &[String], updated_at: DateTime<Utc>) -> bool {
    let tag = version_tag(updated_at);
    tags.iter().any(|t| t.as_bytes() == tag.as_bytes())
}

/// The answer when `If-Match` names a version that is no longer the object's.
pub fn precondition_failed(kind: &str, id: i64) -> ApiError {
    ApiError::PreconditionFailed(format!(
        "{kind} {id} has changed since the version named in If-Match: read it again (its ETag) and apply the change to that"
    ))
}

/// Whether the store refused an update because the object changed after the version it was based on.
pub fn changed_meanwhile(error: &StoreError) -> bool {
    matches!(error, StoreError::Conflict { field, .. } if field == "version")
}

/// How often an update without `If-Match` re-reads the object and applies its patch again when someone else
/// changed the object in between; after that it answers 409.
pub const PATCH_ATTEMPTS: usize = 3;

/// Query parameters shared by every list.
pub trait ListParams {
    type Filter;
    fn into_parts(self) -> (Self::Filter, chainpark_core::list::Paging);
}

macro_rules! crud {
    (
        tag: $tag:literal,
        kind: $kind:literal,
        list_path: $list_path:literal,
        item_path: $item_path:literal,
        archive_path: $archive_path:literal,
        model: $Model:ty,
        input: $Input:ty,
        query: $Query:ty,
        store: ($list:ident, $get:ident, $create:ident, $update:ident, $archive:ident) $(,)?
    ) => {
        use axum::extract::{Path, State};
        use axum::http::{StatusCode, header};
        use axum::response::IntoResponse;
        use axum::Json;
        use chainpark_core::list::Page;
        use chainpark_core::registry::Id;
        use utoipa_axum::{router::OpenApiRouter, routes};

        use crate::api::crud::{self, ListParams};
        use crate::error::{ApiResult, Problem};
        use crate::extract::{ApiJson, ApiQuery, merge_patch};
        use crate::{AppState, Caller};

        #[doc = concat!("Lists ", $kind, " objects: filter, sort (`sort=name`, `sort=-name`), page with `limit` and `offset`.")]
        #[utoipa::path(get, path = $list_path, tag = $tag, params($Query),
            responses((status = 200, body = Page<$Model>), (status = 400, body = Problem, content_type = "application/problem+json")))]
        pub async fn list(
            State(state): State<AppState>,
            caller: Caller,
            ApiQuery(query): ApiQuery<$Query>,
        ) -> ApiResult<Json<Page<$Model>>> {
            let (filter, paging) = query.into_parts();
            Ok(Json(state.store.$list(&caller.actor(), &filter, &paging).await?))
        }

        #[doc = concat!("Gets one ", $kind, ". The `ETag` names this version, for an update's `If-Match`.")]
        #[utoipa::path(get, path = $item_path, tag = $tag, params(("id" = i64, Path)),
            responses((status = 200, body = $Model), (status = 404, body = Problem, content_type = "application/problem+json")))]
        pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<Id>) -> ApiResult<impl IntoResponse> {
            let found = state.store.$get(&caller.actor(), id).await?;
            Ok(([(header::ETAG, crud::version_tag(found.updated_at))], Json(found)))
        }

        #[doc = concat!("Creates a ", $kind, ". Every bad field is named in the answer; nothing is written unless all is well.")]
        #[utoipa::path(post, path = $list_path, tag = $tag, request_body = $Input,
            responses((status = 201, body = $Model),
                (status = 400, body = Problem, content_type = "application/problem+json"),
                (status = 409, body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json")))]
        pub async fn create(
            State(state): State<AppState>,
            caller: Caller,
            ApiJson(input): ApiJson<$Input>,
        ) -> ApiResult<impl IntoResponse> {
            let draft = input.parse()?;
            let created = state.store.$create(&caller.actor(), draft).await?;
            let location = format!(concat!($list_path, "/{}"), created.id);
            Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(created)))
        }

        #[doc = concat!("Updates a ", $kind, " with a JSON merge patch (RFC 7386) of its input form: name only the fields to change; `null` clears an optional one. ",
            "The patch is applied to the version stored when the change is written, so two updates of different fields both take effect. ",
            "With `If-Match` (the `ETag` of a read) the update applies only to that version: 412 when the object changed since.")]
        #[utoipa::path(patch, path = $item_path, tag = $tag, params(("id" = i64, Path)), request_body = serde_json::Value,
            responses((status = 200, body = $Model),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, body = Problem, content_type = "application/problem+json"),
                (status = 412, body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json")))]
        pub async fn update(
            State(state): State<AppState>,
            caller: Caller,
            Path(id): Path<Id>,
            headers: axum::http::HeaderMap,
            ApiJson(patch): ApiJson<serde_json::Value>,
        ) -> ApiResult<impl IntoResponse> {
            let wanted = crud::if_match(&headers)?;
            let actor = caller.actor();
            let mut attempt = 1;
            loop {
                let current = state.store.$get(&actor, id).await?;
                if wanted.as_deref().is_some_and(|tags| !crud::matches(tags, current.updated_at)) {
                    return Err(crud::precondition_failed($kind, id));
                }
                let input: $Input = merge_patch(&current.to_input(), patch.clone())?;
                let draft = input.parse()?;
                match state.store.$update(&actor, id, draft, Some(current.updated_at)).await {
                    Ok(updated) => {
                        return Ok(([(header::ETAG, crud::version_tag(updated.updated_at))], Json(updated)));
                    }
                    Err(e) if crud::changed_meanwhile(&e) && wanted.is_some() => {
                        return Err(crud::precondition_failed($kind, id));
                    }
                    Err(e) if crud::changed_meanwhile(&e) && attempt < crud::PATCH_ATTEMPTS => attempt += 1,
                    Err(e) => return Err(e.into()),
                }
            }
        }

        #[doc = concat!("Archives a ", $kind, ": it leaves the lists (unless `include_archived=true`) but is never deleted.")]
        #[utoipa::path(post, path = $archive_path, tag = $tag, params(("id" = i64, Path)),
            responses((status = 200, body = $Model), (status = 404, body = Problem, content_type = "application/problem+json")))]
        pub async fn archive(State(state): State<AppState>, caller: Caller, Path(id): Path<Id>) -> ApiResult<Json<$Model>> {
            // What the caller may not even see answers 404 before any question of permission.
            state.store.$get(&caller.actor(), id).await?;
            Ok(Json(state.store.$archive(&caller.actor(), id).await?))
        }

        pub fn router() -> OpenApiRouter<AppState> {
            OpenApiRouter::new()
                .routes(routes!(list, create))
                .routes(routes!(get, update))
                .routes(routes!(archive))
        }
    };
}

pub(crate) use crud;
