//! chainpark's HTTP layer: the JSON API under `/api/v1` with its OpenAPI document, and the web pages. Handlers
//! are thin: they parse, authorise, call the domain and the store, and map errors in one place.

pub mod api;
pub mod error;
pub mod extract;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use chainpark_store::{Actor, Store};

use crate::error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
}

/// Who is calling. Every change is recorded under the caller's account.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: String,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor::new(self.account.clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            account: "anonymous".to_string(),
        })
    }
}

/// Request bodies above this size are refused with 413 before they are read.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The whole application.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::routes().split_for_parts();
    let openapi = Arc::new(openapi);
    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .merge(api)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}
