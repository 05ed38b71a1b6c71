//! `/metrics` for Prometheus: requests by route and status, their latency, imports and the rows they brought, the
//! imports under way, the mail outbox and the database pool. Counted in memory by this process (each server of a
//! cluster is scraped on its own); the outbox and the pool are read when scraped. Readable by admins (session or
//! API token) and by whoever presents the configured `metrics_token` as a bearer token (what Prometheus'
//! `authorization` setting sends) — nothing else, since route names and volumes say how the zone works.

use std::sync::atomic::AtomicI64;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::error::{ApiError, ApiResult};
use crate::{AppState, Caller};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ImportLabels {
    /// `stored` or `refused`.
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    /// `open`, `idle` or `max`.
    state: String,
}

/// The process's counters and the registry that names them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    imports: Family<ImportLabels, Counter>,
    import_rows: Counter,
    imports_running: Gauge<i64, AtomicI64>,
    outbox_waiting: Gauge<i64, AtomicI64>,
    pool: Family<PoolLabels, Gauge<i64, AtomicI64>>,
    reads: Family<ReadLabels, Gauge<i64, AtomicI64>>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReadLabels {
    /// `replica` or `primary`.
    served_by: String,
}

/// Latency buckets from 0.25 ms to about 8 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.00025, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("chainpark");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        let latency =
            Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response head, by method and route",
            latency.clone(),
        );
        let imports = Family::<ImportLabels, Counter>::default();
        registry.register(
            "imports",
            "Figure imports finished, by outcome",
            imports.clone(),
        );
        let import_rows = Counter::default();
        registry.register(
            "import_values",
            "Values received by figure imports (stored or not)",
            import_rows.clone(),
        );
        let imports_running = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "imports_running",
            "Figure imports being read or written now",
            imports_running.clone(),
        );
        let outbox_waiting = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "mail_outbox_waiting",
            "Mails in the outbox not sent yet",
            outbox_waiting.clone(),
        );
        let pool = Family::<PoolLabels, Gauge<i64, AtomicI64>>::default();
        registry.register(
            "database_pool_connections",
            "Connections of the database pool: open, idle, and the most it opens",
            pool.clone(),
        );
        let reads = Family::<ReadLabels, Gauge<i64, AtomicI64>>::default();
        registry.register(
            "read_only_reads",
            "Reads of GET and HEAD requests since start: served by the read replica, or by the primary because the \
             replica had not yet replayed this server's writes (both 0 without --read-database)",
            reads.clone(),
        );
        Metrics {
            registry,
            reads,
            requests,
            latency,
            imports,
            import_rows,
            imports_running,
            outbox_waiting,
            pool,
        }
    }
}

impl Metrics {
    fn record_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// An import starts; the guard counts it as running until it is dropped.
    pub fn import_started(&self) -> RunningImport<'_> {
        self.imports_running.inc();
        RunningImport(self)
    }

    /// An import ended with `values` received, stored or refused.
    pub fn import_finished(&self, values: i64, stored: bool) {
        let outcome = if stored { "stored" } else { "refused" };
        self.imports
            .get_or_create(&ImportLabels {
                outcome: outcome.to_string(),
            })
            .inc();
        self.import_rows.inc_by(values.max(0) as u64);
    }

    /// The text exposition (OpenMetrics, which Prometheus reads), with the gauges read now.
    pub fn render(
        &self,
        outbox_waiting: i64,
        pool: chainpark_store::operations::PoolStatus,
        reads: chainpark_store::replica::ReadRouting,
    ) -> String {
        for (served_by, value) in [("replica", reads.replica), ("primary", reads.primary)] {
            self.reads
                .get_or_create(&ReadLabels {
                    served_by: served_by.to_string(),
                })
                .set(value as i64);
        }
        self.outbox_waiting.set(outbox_waiting);
        for (state, value) in [("open", pool.size), ("idle", pool.idle), ("max", pool.max)] {
            self.pool
                .get_or_create(&PoolLabels {
                    state: state.to_string(),
                })
                .set(i64::from(value));
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Counts an import as running while it lives.
pub struct RunningImport<'a>(&'a Metrics);

impl Drop for RunningImport<'_> {
    fn drop(&mut self) {
        self.0.imports_running.dec();
    }
}

/// Counts every request by the route it matched (the route's pattern, never the path: ids and search terms stay
/// out), its method and status, and times it.
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    state.metrics.record_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Result<Caller, ApiError>,
) -> ApiResult<Response> {
    let by_token = state.metrics_token.as_deref().is_some_and(|expected| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.trim().as_bytes(), expected.as_bytes()))
    });
    if !by_token {
        caller?
            .actor
            .scope
            .may_read_metrics()
            .map_err(|denied| ApiError::Forbidden(denied.0))?;
    }
    let outbox = state.store.outbox_waiting().await?;
    let body = state.metrics.render(
        outbox,
        state.store.pool_status(),
        state.store.read_routing(),
    );
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
