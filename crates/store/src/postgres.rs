//! The server engine: PostgreSQL, and through it the Postgres-compatible distributed engines, for zones that
//! outgrow one machine. PostgreSQL handles concurrent writers itself, so no lock is held here.

use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;

use crate::Result;
use crate::replica::Replica;
use sqlx::postgres::PgPoolOptions;

pub struct PgStore {
    pool: sqlx::PgPool,
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// The read replica (`--read-database`), when there is one.
    replica: Option<Arc<Replica>>,
    /// Disclosure control's facts shared by every restricted reader, per `figure_revision`.
    disclosure: crate::disclosure_facts::FactsCache,
    /// Same-firms bases of roll-ups, per figure revision.
    same_firm_bases: crate::disclosure_facts::BaseCache,
}

impl PgStore {
    const ENGINE: &'static str = "postgres";
    const MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");
    /// A write transaction starts like any other; rows it changes are locked as it changes them.
    const BEGIN_WRITE: &'static str = "BEGIN";

    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(PgStore {
            pool,
            write_lock: None,
            replica: None,
            disclosure: Default::default(),
            same_firm_bases: Default::default(),
        })
    }

    /// The store at `url` whose plain reads in read-only work go to the streaming replica at `read_url` once it has
    /// replayed this process's writes (`crate::replica`). The replica's pool is as large as the primary's; it is
    /// opened lazily, so a replica that is down when chainpark starts only sends the reads to the primary.
    pub async fn connect_with_replica(url: &str, read_url: &str) -> Result<Self> {
        let mut store = PgStore::connect(url).await?;
        let replica = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(2))
            .connect_lazy(read_url)?;
        store.replica = Some(Replica::new(replica, store.pool.clone()));
        Ok(store)
    }

    /// PostgreSQL checkpoints by itself.
    fn checkpoints(&self) -> Option<&crate::checkpoint::Checkpoints> {
        None
    }

    fn replica(&self) -> Option<&Arc<Replica>> {
        self.replica.as_ref()
    }

    async fn replica_connection(
        &self,
        replica: &Replica,
    ) -> std::result::Result<sqlx::pool::PoolConnection<sqlx::Postgres>, sqlx::Error> {
        replica.pool().acquire().await
    }

    async fn backup_to(&self, _dest: &std::path::Path) -> Result<crate::operations::BackupSummary> {
        Err(crate::StoreError::Config(
            "a PostgreSQL store is backed up with pg_dump and restored with pg_restore (docs/operations.md)"
                .to_string(),
        ))
    }

    /// PostgreSQL keeps its own log; nothing to fold.
    async fn before_close(&self) -> Result<()> {
        Ok(())
    }
}

// The store's SQL, written once in `src/sql/` and compiled here for this engine.
type Db = sqlx::Postgres;
type Engine = PgStore;
use crate::chain_members::members_postgres as read_members;
use crate::figure_batches::{
    aggregates_postgres as aggregate_cells, apply_postgres as apply_batch,
    attach_months_postgres as attach_months, compare_postgres as compare_batch,
    history_postgres as write_history, month_value_postgres as month_value,
    new_months_postgres as new_months, partitions_postgres as month_partitions,
};

/// Staged values read back and written at a time by an import (one binary COPY each).
const STAGED_CHUNK: usize = 20_000;

#[path = "sql/accounts.rs"]
mod accounts;
#[path = "sql/assessment.rs"]
mod assessment;
#[path = "sql/chain_intel.rs"]
mod chain_intel;
#[path = "sql/figures.rs"]
mod figures;
#[path = "sql/parkops.rs"]
mod parkops;
#[path = "sql/policies.rs"]
mod policies;
#[path = "sql/registry/mod.rs"]
mod registry;
#[path = "sql/safety.rs"]
mod safety;
#[path = "sql/space.rs"]
mod space;
#[path = "sql/targets.rs"]
mod targets;
#[path = "sql/tx.rs"]
mod tx;
#[path = "sql/workflow/mod.rs"]
mod workflow;
