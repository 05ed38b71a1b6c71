//! Shared helpers of the end-to-end tests: each test gets the whole application on port 0, once per engine,
//! each with a fresh database (SQLite in a temporary file; PostgreSQL in a fresh schema of the server that
//! CHAINPARK_TEST_POSTGRES names).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chainpark_store::prelude::*;
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

/// Set to a PostgreSQL URL to run every test on PostgreSQL too.
pub const POSTGRES_VAR: &str = "CHAINPARK_TEST_POSTGRES";
/// Set to 1 (CI does) to make a missing PostgreSQL a failure instead of a skip.
pub const REQUIRE_POSTGRES_VAR: &str = "CHAINPARK_REQUIRE_POSTGRES";

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub fn unique_name(prefix: &str) -> String {
    // Random per process (std's hasher keys), so that two runs sharing a database do not collide; no clock.
    let nanos =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), prefix);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Writes past the test harness's output capture, so a skip is seen even when the test passes.
pub fn tell(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{message}");
}

fn require_postgres() -> bool {
    std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1" || v == "true")
}

/// A fresh, migrated, empty store for each engine that is available.
pub async fn fresh_stores() -> Vec<Arc<dyn Store>> {
    fresh_databases()
        .await
        .into_iter()
        .map(|(_, store)| store)
        .collect()
}

/// Like [`fresh_stores`], with the URL each store was opened with, for tests that reach the database behind the
/// program's back (see [`tamper`]).
pub async fn fresh_databases() -> Vec<(String, Arc<dyn Store>)> {
    let mut stores = Vec::new();
    let dir = std::env::temp_dir().join(unique_name("chainpark_test"));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let url = format!("sqlite://{}", dir.join("test.db").display());
    let sqlite = chainpark_store::connect(&url).await.expect("SQLite opens");
    sqlite.migrate().await.expect("SQLite migrates");
    stores.push((url, sqlite));
    match std::env::var(POSTGRES_VAR) {
        Ok(url) if !url.is_empty() => match fresh_postgres(&url).await {
            Ok(store) => stores.push(store),
            Err(e) if require_postgres() => {
                panic!("PostgreSQL at {url} is required but failed: {e}")
            }
            Err(e) => tell(&format!(
                "SKIPPED on PostgreSQL: {url} is not reachable ({e})"
            )),
        },
        _ if require_postgres() => {
            panic!("{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_VAR} does not name a server")
        }
        _ => tell(&format!(
            "SKIPPED on PostgreSQL: set {POSTGRES_VAR}=postgres://... to run this test there too"
        )),
    }
    stores
}

async fn fresh_postgres(url: &str) -> anyhow::Result<(String, Arc<dyn Store>)> {
    let scoped = fresh_postgres_schema(url).await?;
    let store = chainpark_store::connect(&scoped).await?;
    store.migrate().await?;
    Ok((scoped, store))
}

/// A new, empty schema on the PostgreSQL server at `url`; the URL that works in it.
async fn fresh_postgres_schema(url: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let schema = unique_name("t");
    let mut admin = sqlx::PgConnection::connect(url).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{url}{separator}options=-c%20search_path%3D{schema}"
    ))
}

/// The URL of a new, empty PostgreSQL schema (nothing migrated), for tests of the real binary on PostgreSQL; None
/// (after saying SKIPPED) when no server is named, unless one is required.
pub async fn empty_postgres_database(test: &str) -> Option<String> {
    match std::env::var(POSTGRES_VAR) {
        Ok(url) if !url.is_empty() => match fresh_postgres_schema(&url).await {
            Ok(scoped) => Some(scoped),
            Err(e) if require_postgres() => {
                panic!("PostgreSQL at {url} is required but failed: {e}")
            }
            Err(e) => {
                tell(&format!("SKIPPED {test}: {url} is not reachable ({e})"));
                None
            }
        },
        _ if require_postgres() => {
            panic!("{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_VAR} does not name a server")
        }
        _ => {
            tell(&format!(
                "SKIPPED {test}: set {POSTGRES_VAR}=postgres://... to run it"
            ));
            None
        }
    }
}

/// Runs SQL on the database at `url` directly, as a hand-made UPDATE or a broken disk would change it.
pub async fn tamper(url: &str, sql: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("SQLite");
        sqlx::query(sql).execute(&mut c).await.expect("tampered");
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("PostgreSQL");
        sqlx::query(sql).execute(&mut c).await.expect("tampered");
    }
}

/// The password of the accounts the tests create.
pub const PASSWORD: &str = "test-password-1";

/// The instant every test application stands at unless a test chooses another: deadlines, overdue views and
/// defaults never depend on the day the tests run. The evening of the day, so that the instants a test names on
/// 2026-06-15 (office hours) are in its past. Real-binary tests pass it as `CHAINPARK_NOW`.
pub const TEST_NOW: &str = "2026-06-15T18:00:00+08:00";

/// A clock fixed at `TEST_NOW`.
pub fn test_clock() -> chainpark_core::time::Clock {
    clock_at(TEST_NOW)
}

/// A clock fixed at an RFC 3339 instant.
pub fn clock_at(instant: &str) -> chainpark_core::time::Clock {
    chainpark_core::time::Clock::parse_fixed(instant).expect("an RFC 3339 instant")
}

/// The application served on a free port of loopback, over one store, with a client signed in (as the admin
/// unless `as_account` made another).
pub struct TestApp {
    pub base: String,
    pub engine: &'static str,
    pub store: Arc<dyn Store>,
    pub client: Client,
    pub csrf: String,
}

impl TestApp {
    /// Serves the store at `TEST_NOW` and signs in as a fresh admin account.
    pub async fn start(store: Arc<dyn Store>) -> TestApp {
        TestApp::start_with(store, |_| {}).await
    }

    /// Serves the store on `clock` and signs in as a fresh admin account.
    pub async fn start_at(store: Arc<dyn Store>, clock: chainpark_core::time::Clock) -> TestApp {
        TestApp::start_with(store, move |state| state.clock = clock).await
    }

    /// Like `start`, with the application's state adjusted first (e.g. trusted proxies; its clock is at
    /// `TEST_NOW` unless `configure` sets another).
    pub async fn start_with(
        store: Arc<dyn Store>,
        configure: impl FnOnce(&mut chainpark_web::AppState),
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let mut state = chainpark_web::AppState::new(store.clone()).with_clock(test_clock());
        configure(&mut state);
        let app = chainpark_web::app(state);
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .expect("server runs");
        });
        create_account(&store, "admin", chainpark_core::access::Role::Admin, None).await;
        let mut app = TestApp {
            base,
            engine: store.engine(),
            store,
            client: Client::new(),
            csrf: String::new(),
        };
        app.sign_in("admin", PASSWORD).await;
        app
    }

    /// The same server, with a new client that is not signed in.
    pub fn anonymous(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            engine: self.engine,
            store: self.store.clone(),
            client: Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            csrf: String::new(),
        }
    }

    /// The same server, with a new client signed in as a new account of `role` tied to `person`.
    pub async fn as_account(
        &self,
        username: &str,
        role: chainpark_core::access::Role,
        person: Option<i64>,
    ) -> TestApp {
        create_account(&self.store, username, role, person).await;
        let mut other = self.anonymous();
        other.sign_in(username, PASSWORD).await;
        other
    }

    /// Signs this client in (replacing its cookie jar) and keeps the CSRF token.
    pub async fn sign_in(&mut self, username: &str, password: &str) {
        self.client = Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let response = self
            .client
            .post(format!("{}/api/v1/session", self.base))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("sign-in answered");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "[{}] sign in as {username}",
            self.engine
        );
        let body: Value = response.json().await.expect("json");
        self.csrf = body["csrf_token"].as_str().unwrap_or_default().to_string();
    }

    /// Sends a request and returns the status and the JSON body (Null when there is none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request).await
    }

    /// Sends a file as the raw request body (imports, the calendar, the digital-economy mapping).
    pub async fn send_file(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .header("content-type", content_type)
            .body(body);
        answer(request).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    /// Creates an object and returns it, failing the test with the server's answer if that did not work.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, json) = self.post(path, body).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "[{}] POST {path}: {json}",
            self.engine
        );
        json
    }
}

/// A fresh folder with a migrated SQLite database, for tests of the real binary: the folder, the database's URL
/// and the store, to fill before the binary runs.
pub async fn binary_database(name: &str) -> (std::path::PathBuf, String, Arc<dyn Store>) {
    let dir = std::env::temp_dir().join(format!("chainpark_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let store = chainpark_store::connect(&url).await.expect("opens");
    store.migrate().await.expect("migrates");
    (dir, url, store)
}

/// The status and the JSON body of the answer (Null when there is none, the text when it is not JSON).
async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("request is answered");
    let status = response.status();
    let text = response.text().await.expect("body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, json)
}

/// Creates an account directly in the store, with the test password.
pub async fn create_account(
    store: &Arc<dyn Store>,
    username: &str,
    role: chainpark_core::access::Role,
    person: Option<i64>,
) {
    let (draft, password) = chainpark_core::account::AccountInput {
        username: username.to_string(),
        password: PASSWORD.to_string(),
        role,
        person_id: person,
        display_name: String::new(),
    }
    .parse()
    .expect("a valid account");
    let hash = chainpark_app::passwords::hash_password(&password)
        .await
        .expect("hash");
    store
        .create_account(&chainpark_store::Actor::system("test"), draft, hash)
        .await
        .expect("account created");
}

pub async fn delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.call(Method::DELETE, path, None).await
}

/// One application per available engine, each on a fresh store, at `TEST_NOW`.
pub async fn apps() -> Vec<TestApp> {
    apps_at(test_clock()).await
}

/// One application per available engine, each on a fresh store, on `clock`.
pub async fn apps_at(clock: chainpark_core::time::Clock) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for store in fresh_stores().await {
        apps.push(TestApp::start_at(store, clock).await);
    }
    apps
}

/// Names of the fields a problem document reports.
pub fn bad_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A small registry to test against: one area, one chain with a two-level tree, one park, one person.
pub struct Fixture {
    pub area: i64,
    pub chain: i64,
    pub other_chain: i64,
    pub root_segment: i64,
    pub child_segment: i64,
    pub other_segment: i64,
    pub park: i64,
    pub person: i64,
}

/// A valid credit code made from a 17-character body.
pub fn credit_code(body: &str) -> String {
    chainpark_core::credit_code::CreditCode::from_body(body)
        .expect("valid body")
        .as_str()
        .to_string()
}

pub async fn fixture(app: &TestApp) -> Fixture {
    let area = app
        .create("/api/v1/areas", serde_json::json!({"code": "AUTO", "name": "汽车产业功能区", "name_en": "Automobile area"}))
        .await["id"]
        .as_i64()
        .expect("id");
    let chain = app
        .create(
            "/api/v1/chains",
            serde_json::json!({"area_id": area, "code": "auto", "name": "汽车产业链"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let other_chain = app
        .create(
            "/api/v1/chains",
            serde_json::json!({"area_id": area, "code": "ic", "name": "集成电路产业链"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let root_segment = app
        .create("/api/v1/segments", serde_json::json!({"chain_id": chain, "code": "auto-nev", "name": "新能源汽车", "stage": "downstream", "industry_codes": ["3612"]}))
        .await["id"]
        .as_i64()
        .expect("id");
    let child_segment = app
        .create("/api/v1/segments", serde_json::json!({"chain_id": chain, "parent_id": root_segment, "code": "auto-batt", "name": "动力电池", "stage": "upstream", "industry_codes": ["3841"]}))
        .await["id"]
        .as_i64()
        .expect("id");
    let other_segment = app
        .create("/api/v1/segments", serde_json::json!({"chain_id": other_chain, "code": "ic-design", "name": "芯片设计", "stage": "upstream"}))
        .await["id"]
        .as_i64()
        .expect("id");
    let park = app
        .create("/api/v1/parks", serde_json::json!({"area_id": area, "code": "yufu", "name": "鱼复工业园", "district": "500112", "land_area_mu": 1500, "location": {"lon": 106.78, "lat": 29.72}}))
        .await["id"]
        .as_i64()
        .expect("id");
    let person = app
        .create(
            "/api/v1/people",
            serde_json::json!({"name": "张伟", "title": "副主任"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    Fixture {
        area,
        chain,
        other_chain,
        root_segment,
        child_segment,
        other_segment,
        park,
        person,
    }
}

/// Sends one POST per body to `path` all at once (each on its own task of the runtime, sharing the signed-in
/// client), and returns every answer, in the order of the bodies: for the rules about simultaneous changes.
pub async fn post_all_at_once(
    app: &TestApp,
    path: &str,
    bodies: Vec<Value>,
) -> Vec<(StatusCode, Value)> {
    let url = format!("{}{path}", app.base);
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let request = app
                .client
                .post(&url)
                .header("x-csrf-token", &app.csrf)
                .json(&body);
            tokio::spawn(answer(request))
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("the request task finishes"));
    }
    answers
}

/// How many answers had each status.
pub fn count_statuses(answers: &[(StatusCode, Value)]) -> std::collections::BTreeMap<u16, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for (status, _) in answers {
        *counts.entry(status.as_u16()).or_insert(0) += 1;
    }
    counts
}

/// A one-population evaluation scheme for tests: every firm with evaluated area, scored on added value per mu
/// against a fixed benchmark of 2,000,000 yuan (weight 100, capped at 150 %), classes by quotas 20/60/95 %.
pub fn assessment_scheme(code: &str) -> Value {
    serde_json::json!({"code": code, "name": format!("测试评价{code}"), "name_en": "Test scheme", "year": 2021,
        "body": {"plot_ratio_centi": 120, "populations": [{"code": "all", "name_zh": "全部企业", "name_en": "All firms",
            "members": {}, "indicators": [{"code": "added_value_per_mu", "name_zh": "亩均增加值",
                "name_en": "Added value per mu", "numerator": "added_value", "per": {"kind": "mu"}, "weight": 100,
                "benchmark": {"kind": "fixed", "value": "2000000"}, "cap_percent": 150}],
            "classing": {"kind": "quotas", "a_percent": 20, "b_percent": 60, "c_percent": 95}}],
            "policies": [{"class": "D", "text_zh": "用电价格上浮", "text_en": "Higher power prices"}]}})
}
