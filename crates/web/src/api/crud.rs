//! The five endpoints every registry object has — list, get, create, update (JSON merge patch), archive — written
//! once. Each object's module gives its types, its query parameters and the store methods to call.

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

        use crate::api::crud::ListParams;
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

        #[doc = concat!("Gets one ", $kind, ".")]
        #[utoipa::path(get, path = $item_path, tag = $tag, params(("id" = i64, Path)),
            responses((status = 200, body = $Model), (status = 404, body = Problem, content_type = "application/problem+json")))]
        pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<Id>) -> ApiResult<Json<$Model>> {
            Ok(Json(state.store.$get(&caller.actor(), id).await?))
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

        #[doc = concat!("Updates a ", $kind, " with a JSON merge patch (RFC 7386) of its input form: name only the fields to change; `null` clears an optional one.")]
        #[utoipa::path(patch, path = $item_path, tag = $tag, params(("id" = i64, Path)), request_body = serde_json::Value,
            responses((status = 200, body = $Model),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json")))]
        pub async fn update(
            State(state): State<AppState>,
            caller: Caller,
            Path(id): Path<Id>,
            ApiJson(patch): ApiJson<serde_json::Value>,
        ) -> ApiResult<Json<$Model>> {
            let current = state.store.$get(&caller.actor(), id).await?;
            let input: $Input = merge_patch(&current.to_input(), patch)?;
            let draft = input.parse()?;
            Ok(Json(state.store.$update(&caller.actor(), id, draft).await?))
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
