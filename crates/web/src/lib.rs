//! chainpark's HTTP layer: the JSON API under `/api/v1` with its OpenAPI document, and the web pages. Handlers
//! are thin: they parse, authorise, call the application layer (`chainpark_app`), the domain and the store, and
//! map errors in one place.

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod cache;
pub mod download;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod ui;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chainpark_app::spool::Spool;
use chainpark_core::time::Clock;
use chainpark_store::prelude::*;

pub use auth::Caller;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub throttle: Arc<auth::Throttle>,
    /// Served over HTTPS: session cookies get the Secure flag.
    pub https: bool,
    /// The thresholds of statistical disclosure control for roll-ups (from the configuration).
    pub disclosure: chainpark_core::disclosure::DisclosureRules,
    /// The appeals' closed loop: how long a closed appeal may be re-opened (from the configuration).
    pub appeals: chainpark_core::workflow::appeals::AppealRules,
    /// Reverse proxies whose `X-Forwarded-For` names the client (setting `trusted_proxies`; none by default).
    pub trusted_proxies: Arc<auth::TrustedProxies>,
    /// Limits of imports: upload size, and what a file may hold.
    pub import_limits: chainpark_import::ImportLimits,
    /// Where uploads wait while they are read.
    pub spool: Arc<Spool>,
    /// "Now" for every rule and default a handler applies (deadlines, overdue, escalation, today's posts); the
    /// system clock unless a test or a demonstration fixed it. Sessions and tokens expire on it too; the instants
    /// at which records are written are the system's.
    pub clock: Clock,
    /// Who each credential is and the roll-ups' answers, valid until the next change (see `cache`).
    pub cache: Arc<cache::ReadCache>,
    /// Every chain's diagnosis per month, for the data version of `cache`.
    pub chain_health: Arc<chainpark_app::chain_intel::HealthCache>,
    /// The zone's scorecards per (peers, period), for the data version of `cache`.
    pub scorecards: Arc<chainpark_app::scorecards::ScorecardCache>,
    /// Requests, imports, outbox and pool for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// A bearer token that reads `/metrics` (setting `metrics_token`); admins read it without.
    pub metrics_token: Option<Arc<str>>,
    /// The readings being filled in the background (the demo's year), which the park board reports while it runs.
    pub readings_fill: Arc<chainpark_app::meters::ReadingsFill>,
}

impl AppState {
    /// The state with default import limits and the default spool folder.
    pub fn new(store: Arc<dyn Store>) -> Self {
        AppState {
            store,
            throttle: Arc::new(auth::Throttle::new()),
            https: false,
            disclosure: Default::default(),
            appeals: Default::default(),
            trusted_proxies: Arc::new(auth::TrustedProxies::default()),
            import_limits: chainpark_import::ImportLimits::default(),
            spool: Arc::new(Spool::new(Spool::default_root())),
            clock: Clock::System,
            cache: Arc::new(cache::ReadCache::default()),
            chain_health: Arc::default(),
            scorecards: Arc::default(),
            metrics: Arc::new(metrics::Metrics::default()),
            metrics_token: None,
            readings_fill: Arc::default(),
        }
    }

    /// The same state on another clock.
    pub fn with_clock(self, clock: Clock) -> Self {
        AppState { clock, ..self }
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
        .route("/metrics", get(metrics::metrics))
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .merge(api)
        .merge(ui::routes())
        .fallback(ui::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(middleware::from_fn_with_state(
            state.cache.clone(),
            changes_move_the_version,
        ))
        .layer(middleware::from_fn(reads_may_use_the_replica))
        .layer(middleware::from_fn(security_headers))
        // Logs method, path and status; never headers or bodies, which carry cookies, tokens and passwords.
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// A request that may change something (any method but GET, HEAD and OPTIONS) moves the data version of the
/// read caches when its handler ends, finished or dropped, whatever it answered: a change is never served from
/// what was remembered before it.
async fn changes_move_the_version(
    State(cache): State<Arc<cache::ReadCache>>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    struct MoveOnDrop(Arc<cache::ReadCache>);
    impl Drop for MoveOnDrop {
        fn drop(&mut self) {
            self.0.changed();
        }
    }
    let _moves = MoveOnDrop(cache);
    next.run(request).await
}

/// GET and HEAD requests (pages, roll-ups, lists, exports) may read from the read replica, once it has replayed
/// this server's writes (`chainpark_store::replica`); every other request reads and writes on the primary.
async fn reads_may_use_the_replica(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        chainpark_store::replica::reads_may_use_replica(next.run(request)).await
    } else {
        next.run(request).await
    }
}

/// Headers every answer carries, and problem documents for the answers that the framework itself gives.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        let status = response.status();
        let rewrite = match status {
            StatusCode::PAYLOAD_TOO_LARGE => Some(format!(
                "the request body is larger than {} bytes",
                BODY_LIMIT
            )),
            StatusCode::METHOD_NOT_ALLOWED => Some("this path does not take that method".into()),
            StatusCode::NOT_FOUND if response.headers().get(header::CONTENT_TYPE).is_none() => {
                Some("no such page or endpoint".into())
            }
            _ => None,
        };
        if let Some(detail) = rewrite {
            let title = status.canonical_reason().unwrap_or("Error");
            let kind = title.to_lowercase().replace(' ', "-");
            let mut rewritten = error::problem(status, &kind, title, detail, Vec::new());
            for name in [header::ALLOW] {
                if let Some(v) = response.headers().get(&name) {
                    rewritten.headers_mut().insert(name, v.clone());
                }
            }
            response = rewritten;
        }
    }
    let headers = response.headers_mut();
    // Answers carry sessions, CSRF tokens, API tokens, personal data and exports: no cache may keep them. Only an
    // answer that says otherwise (the static files) is cacheable.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
