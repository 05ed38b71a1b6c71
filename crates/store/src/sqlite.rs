//! The embedded engine: one SQLite file in the data directory, in WAL mode. SQLite allows one writer at a time,
//! so writes queue on a lock here instead of failing with "database is locked".

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;

use crate::Result;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub struct SqliteStore {
    pool: sqlx::SqlitePool,
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// The database file (None in memory), for backups.
    path: Option<std::path::PathBuf>,
    /// Disclosure control's facts shared by every restricted reader, per `figure_revision`.
    disclosure: crate::disclosure_facts::FactsCache,
    /// Same-firms bases of roll-ups, per figure revision.
    same_firm_bases: crate::disclosure_facts::BaseCache,
    /// The task that checkpoints the write-ahead log after commits (a file's store only).
    checkpoints: Option<crate::checkpoint::Checkpoints>,
}

impl SqliteStore {
    const ENGINE: &'static str = "sqlite";
    const MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");
    /// A write transaction takes SQLite's write lock at its start, waiting for it (`busy_timeout`) if another
    /// connection still holds it. A deferred one would read first and then fail at once with "database is locked"
    /// when it came to write, because SQLite does not wait for a lock a transaction that has read must upgrade.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    /// Opens (creating if needed) the database at `url`, e.g. `sqlite://data/chainpark.db` or `sqlite::memory:`.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Up to 64 MiB of pages per connection, allocated only as used: an import into a large value table
            // keeps the B-tree's inner pages in memory instead of reading them back from the WAL at every insert.
            .pragma("cache_size", "-65536")
            // Checkpoints are the store's own task's, after the commit (`crate::checkpoint`), not the writer's.
            .pragma("wal_autocheckpoint", "0")
            // A new store's pages: 8 KiB, half as many B-tree pages to split, find and log as SQLite's default
            // 4 KiB when an import inserts years of values amid the stored ones (an existing store keeps its size).
            .page_size(8192)
            .busy_timeout(Duration::from_secs(30));
        // An in-memory database exists once per connection: keep exactly one.
        let in_memory = url.contains(":memory:");
        let path = (!in_memory).then(|| options.get_filename().to_path_buf());
        let max = if in_memory { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(options)
            .await?;
        let checkpoints = path
            .is_some()
            .then(|| crate::checkpoint::Checkpoints::start(pool.clone()));
        Ok(SqliteStore {
            checkpoints,
            pool,
            write_lock: Some(Arc::new(tokio::sync::Mutex::new(()))),
            path,
            disclosure: Default::default(),
            same_firm_bases: Default::default(),
        })
    }

    fn checkpoints(&self) -> Option<&crate::checkpoint::Checkpoints> {
        self.checkpoints.as_ref()
    }

    /// SQLite has no read replica: every read is local.
    fn replica(&self) -> Option<&Arc<crate::replica::Replica>> {
        None
    }

    async fn replica_connection(
        &self,
        _replica: &crate::replica::Replica,
    ) -> std::result::Result<sqlx::pool::PoolConnection<sqlx::Sqlite>, sqlx::Error> {
        Err(sqlx::Error::PoolClosed)
    }

    /// The newest migration this program knows.
    pub fn schema_version() -> i64 {
        Self::MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    async fn backup_to(&self, dest: &std::path::Path) -> Result<crate::operations::BackupSummary> {
        let Some(source) = self.path.clone() else {
            return Err(crate::StoreError::Config(
                "an in-memory store cannot be backed up".to_string(),
            ));
        };
        let dest = dest.to_path_buf();
        tokio::task::spawn_blocking(move || crate::operations::backup_sqlite(&source, &dest))
            .await
            .map_err(|e| crate::StoreError::Config(format!("the backup stopped: {e}")))?
    }

    /// Folds the write-ahead log into the database file, so that the file alone holds everything.
    async fn before_close(&self) -> Result<()> {
        if let Some(checkpoints) = &self.checkpoints {
            // The task's checkpoint in progress first: the last one then waits for nobody.
            checkpoints.settled().await;
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

// The store's SQL, written once in `src/sql/` and compiled here for this engine.
type Db = sqlx::Sqlite;
type Engine = SqliteStore;
use crate::chain_members::members_sqlite as read_members;
use crate::figure_batches::{
    aggregates_sqlite as aggregate_cells, apply_sqlite as apply_batch,
    attach_months_sqlite as attach_months, compare_sqlite as compare_batch,
    history_sqlite as write_history, month_value_sqlite as month_value,
    new_months_sqlite as new_months, partitions_sqlite as month_partitions,
};

/// Staged values read back and written at a time by an import (about 60 bytes each in memory): large, because each
/// batch prepares the write statements afresh (rusqlite's statement cache is new on each batch's connection, and a
/// 500-row upsert of 13,500 parameters takes milliseconds to parse: at 20,000 values a batch, a tenth of the write).
const STAGED_CHUNK: usize = 250_000;

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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::SqliteStore;
    use crate::{Actor, Store};

    async fn count(store: &SqliteStore, table: &str) -> i64 {
        let mut c = store.read().await.expect("reads");
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *c)
            .await
            .expect("counts")
    }

    /// Writes an industry area and its audit row in one write transaction; commits it only if `commit`.
    async fn write_area(store: &SqliteStore, code: &str, commit: bool) {
        let actor = Actor::system("test");
        let at = Utc
            .with_ymd_and_hms(2026, 6, 15, 2, 0, 0)
            .single()
            .expect("instant");
        let mut tx = store.begin_write().await.expect("begins");
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO industry_areas (code, name, updated_at) VALUES ($1, '汽车', $2) RETURNING id",
        )
        .bind(code)
        .bind(at)
        .fetch_one(tx.conn())
        .await
        .expect("inserts");
        let after = serde_json::json!({ "code": code });
        if commit {
            tx.commit_audited(&actor, "industry_area", id, "create", None, Some(&after))
                .await
                .expect("commits");
        } else {
            tx.audit(&actor, "industry_area", id, "create", None, Some(&after))
                .await
                .expect("audits");
        }
    }

    /// A commit reaches the database file itself soon after, without the committing writer checkpointing (SQLite's
    /// own automatic checkpoint is off): the file copied without its write-ahead log holds the change.
    #[tokio::test]
    async fn a_commit_is_folded_into_the_database_file_by_the_store_s_checkpoint_task() {
        let dir = std::env::temp_dir().join(format!("chainpark-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("folder");
        let file = dir.join("store.db");
        let store = SqliteStore::connect(&format!("sqlite://{}", file.display()))
            .await
            .expect("opens");
        store.migrate().await.expect("migrates");
        write_area(&store, "CKPT", true).await;
        let checkpoints = store
            .checkpoints
            .as_ref()
            .expect("a file's store checkpoints");
        assert!(checkpoints.settled().await, "the task runs");
        let copy = dir.join("copy.db");
        std::fs::copy(&file, &copy).expect("copied without its log");
        let copied = rusqlite::Connection::open(&copy).expect("opens the copy");
        let areas: i64 = copied
            .query_row(
                "SELECT COUNT(*) FROM industry_areas WHERE code = 'CKPT'",
                [],
                |r| r.get(0),
            )
            .expect("reads the copy");
        assert_eq!(areas, 1);
        store.close().await.expect("closes");
        std::fs::remove_dir_all(&dir).expect("removed");
    }

    /// Values written one row a month before migration 0033 read back the same through the view `figure_values`
    /// after it: each month's value and import, in a year's row of `figure_years`, nothing added or lost.
    #[tokio::test]
    async fn values_written_before_they_were_packed_by_year_read_back_the_same() {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("opens");
        let (before, packing): (Vec<_>, Vec<_>) =
            SqliteStore::MIGRATOR.iter().partition(|m| m.version < 33);
        for m in before {
            sqlx::raw_sql(&m.sql)
                .execute(&mut c)
                .await
                .expect("migrates");
        }
        let rows: Vec<(i64, i64, i32, i64, i64)> = vec![
            (1, 1, 202012, -5, 1),
            (1, 1, 202101, 7, 1),
            (1, 1, 202106, 0, 2),
            (1, 1, 202112, i64::MAX, 3),
            (1, 2, 202106, 8, 2),
            (2, 1, 202101, i64::MIN, 3),
        ];
        for (enterprise, indicator, month, value, import) in &rows {
            sqlx::query(
                "INSERT INTO figure_values (enterprise_id, indicator_id, month, value, import_id) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(enterprise)
            .bind(indicator)
            .bind(month)
            .bind(value)
            .bind(import)
            .execute(&mut c)
            .await
            .expect("written");
        }
        for m in packing {
            sqlx::raw_sql(&m.sql)
                .execute(&mut c)
                .await
                .expect("migrates");
        }
        let read: Vec<(i64, i64, i32, i64, i64)> = sqlx::query_as(
            "SELECT enterprise_id, indicator_id, month, value, import_id FROM figure_values ORDER BY 1, 2, 3",
        )
        .fetch_all(&mut c)
        .await
        .expect("read");
        assert_eq!(read, rows);
        let years: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM figure_years")
            .fetch_one(&mut c)
            .await
            .expect("counted");
        assert_eq!(years, 4);
    }

    /// A write transaction holds SQLite's write lock from its start, so it never has to upgrade a read lock, which
    /// SQLite refuses at once ("database is locked") while another connection, e.g. one still rolling back a
    /// dropped transaction, holds the write lock. Seen from another connection: it cannot begin a write meanwhile.
    #[tokio::test]
    async fn a_write_transaction_holds_the_write_lock_from_its_start() {
        use sqlx::{ConnectOptions, Connection};
        let dir = std::env::temp_dir().join(format!("chainpark_store_lock_{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let url = format!("sqlite://{}", dir.join("lock.db").display());
        let store = SqliteStore::connect(&url).await.expect("opens");
        store.migrate().await.expect("migrates");
        let tx = store.begin_write().await.expect("begins");
        let mut other = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url)
            .expect("URL")
            .busy_timeout(std::time::Duration::ZERO)
            .connect()
            .await
            .expect("connects");
        let refused = sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .expect_err("the write lock is taken");
        assert!(
            refused.to_string().contains("database is locked"),
            "{refused}"
        );
        tx.commit().await.expect("commits");
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .expect("the write lock is free again");
        other.close().await.expect("closes");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_change_and_its_audit_row_are_stored_together_or_not_at_all() {
        let store = SqliteStore::connect("sqlite::memory:")
            .await
            .expect("opens");
        store.migrate().await.expect("migrates");
        write_area(&store, "auto", false).await;
        assert_eq!(
            (
                count(&store, "industry_areas").await,
                count(&store, "audit_log").await
            ),
            (0, 0)
        );
        write_area(&store, "auto", true).await;
        assert_eq!(
            (
                count(&store, "industry_areas").await,
                count(&store, "audit_log").await
            ),
            (1, 1)
        );
    }
}
