//! A fresh, migrated, empty store for each test, and the few helpers the cases share.

use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chainpark_core::error::Invalid;
use chainpark_store::{Actor, AuditFilter, Store, StoreError};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Set to a PostgreSQL URL to run the PostgreSQL half of the suite.
pub const POSTGRES_VAR: &str = "CHAINPARK_TEST_POSTGRES";
/// Set to 1 (CI does) to make a missing PostgreSQL a failure instead of a skip.
pub const REQUIRE_POSTGRES_VAR: &str = "CHAINPARK_REQUIRE_POSTGRES";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The store under test, with the URL it was opened with (for the cases that write behind its back).
pub struct Db {
    pub engine: Engine,
    pub url: String,
    pub store: Arc<dyn Store>,
}

impl std::ops::Deref for Db {
    type Target = dyn Store;

    fn deref(&self) -> &Self::Target {
        self.store.as_ref()
    }
}

/// Runs one case on a fresh store of `engine`; a PostgreSQL case without a server says SKIPPED (or fails, when
/// CHAINPARK_REQUIRE_POSTGRES=1).
pub async fn run<F, Fut>(engine: Engine, case: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = match engine {
        Engine::Sqlite => sqlite().await,
        Engine::Postgres => match std::env::var(POSTGRES_VAR) {
            Ok(server) if !server.is_empty() => postgres(&server).await,
            _ if required() => {
                panic!("{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_VAR} does not name a server")
            }
            _ => {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(
                    err,
                    "SKIPPED on PostgreSQL: set {POSTGRES_VAR}=postgres://... to run the conformance suite there"
                );
                return;
            }
        },
    };
    case(db).await;
}

fn required() -> bool {
    std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1" || v == "true")
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other test of any run uses.
fn unique_name(prefix: &str) -> String {
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

async fn sqlite() -> Db {
    let dir = std::env::temp_dir().join(unique_name("chainpark_store"));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let url = format!("sqlite://{}", dir.join("test.db").display());
    let store = chainpark_store::connect(&url).await.expect("SQLite opens");
    store.migrate().await.expect("SQLite migrates");
    Db {
        engine: Engine::Sqlite,
        url,
        store,
    }
}

async fn postgres(server: &str) -> Db {
    use sqlx::Connection;
    // Named `t_...` like the end-to-end tests' schemas, which `.ci/run` drops before each run.
    let schema = unique_name("t_store");
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server} is not reachable: {e}"));
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("a fresh schema");
    admin.close().await.expect("closes");
    let separator = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{separator}options=-c%20search_path%3D{schema}");
    let store = chainpark_store::connect(&url)
        .await
        .expect("PostgreSQL opens");
    store.migrate().await.expect("PostgreSQL migrates");
    Db {
        engine: Engine::Postgres,
        url,
        store,
    }
}

/// The program itself: full scope.
pub fn system() -> Actor {
    Actor::system("conformance")
}

/// A fixed instant of 2026-06-15 (China time): no case depends on the day it runs.
pub fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, hour, 0, 0)
        .single()
        .expect("an instant")
}

/// The day the tests' actors are resolved on ("today" for the posts they hold), as the application's clock would
/// give it: fixed, so that no test depends on the day it runs.
pub fn today() -> NaiveDate {
    day("2026-06-15")
}

pub fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
}

/// The actions the audit trail holds for one object, oldest first.
pub async fn audited(db: &Db, kind: &str, id: i64) -> Vec<String> {
    let filter = AuditFilter {
        object_kind: Some(kind.to_string()),
        object_id: Some(id),
        ..Default::default()
    };
    let page = db
        .list_audit(&system(), &filter, &chainpark_core::list::Paging::all())
        .await
        .expect("the audit trail");
    let mut entries = page.items;
    entries.sort_by_key(|e| e.id);
    for entry in &entries {
        assert_eq!(entry.actor, "conformance", "{kind} {id}");
    }
    entries.into_iter().map(|e| e.action).collect()
}

/// The field a 409 names.
#[track_caller]
pub fn conflict_field<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Conflict { field, .. }) => field,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// The fields an invalid input names.
#[track_caller]
pub fn invalid_fields<T: std::fmt::Debug>(result: Result<T, StoreError>) -> Vec<String> {
    match result {
        Err(StoreError::Invalid(Invalid(errors))) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    match result {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("expected not found, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_denied<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    match result {
        Err(StoreError::Denied(_)) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
}
