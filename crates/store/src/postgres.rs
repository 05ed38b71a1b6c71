//! The server engine: PostgreSQL, and through it the Postgres-compatible distributed engines, for zones that
//! outgrow one machine. PostgreSQL handles concurrent writers itself, so no lock is held here.

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

pub struct PgStore {
    pool: sqlx::PgPool,
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl PgStore {
    const ENGINE: &'static str = "postgres";
    const MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(PgStore {
            pool,
            write_lock: None,
        })
    }
}

crate::common::sql_store!(PgStore, sqlx::Postgres);
crate::accounts::accounts_store!(super::PgStore, sqlx::Postgres);
crate::figures::figures_store!(
    super::PgStore,
    sqlx::Postgres,
    crate::figure_batches::compare_postgres,
    crate::figure_batches::apply_postgres
);
crate::workflow::workflow_store!(super::PgStore, sqlx::Postgres);
