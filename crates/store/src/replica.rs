//! Reads from a PostgreSQL streaming replica (`--read-database`), writes to the primary.
//!
//! Which statements may go to the replica: those run through the store's read connection (`read()`, never a write
//! transaction) while the caller has marked its work as a read with [`reads_may_use_replica`] — the web server
//! marks GET and HEAD requests (pages, roll-ups, lists, exports). Everything else, and every transaction, runs on
//! the primary.
//!
//! Reading one's own writes: after every write transaction this process commits, it asks the primary for its WAL
//! position (`pg_current_wal_lsn()`), which is at or past that commit's record. A read goes to the replica only if
//! the replica has replayed at least the highest position this process wrote; otherwise it asks the replica how far
//! it has replayed (`pg_last_wal_replay_lsn()`, one round trip) and, if it is still behind, reads from the primary.
//! Nothing waits: a page after a redirect either finds its change on the replica or is read from the primary. Writes
//! made by other processes on the same database reach this process's pages when the replica replays them.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::PgPool;

tokio::task_local! {
    static READ_ONLY_WORK: bool;
}

/// Runs `work` with its plain reads allowed on the read replica (when the store has one and it has caught up with
/// this process's writes). Tasks spawned by `work` do not inherit the mark: they read from the primary.
pub async fn reads_may_use_replica<F: Future>(work: F) -> F::Output {
    READ_ONLY_WORK.scope(true, work).await
}

fn in_read_only_work() -> bool {
    READ_ONLY_WORK.try_with(|v| *v).unwrap_or(false)
}

/// How long reads stay on the primary when the primary's WAL position could not be read after a commit.
const UNKNOWN_POSITION_HOLD: Duration = Duration::from_secs(10);

/// The read replica of a PostgreSQL store and what this process knows of the positions.
pub struct Replica {
    /// The replica's pool.
    pool: PgPool,
    /// The primary's pool, for its WAL position after a commit.
    primary: PgPool,
    /// The highest WAL position (bytes) this process's commits reached on the primary.
    written: AtomicU64,
    /// The highest WAL position the replica was seen to have replayed.
    replayed: AtomicU64,
    /// Reads stay on the primary until this many milliseconds after `started` (a commit whose position is unknown).
    hold_until_ms: AtomicU64,
    started: Instant,
    /// Reads served by the replica and by the primary in read-only work, for `/metrics` and the tests.
    replica_reads: AtomicU64,
    primary_reads: AtomicU64,
}

/// Reads counted since the store was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadRouting {
    /// Connections for reading taken from the replica.
    pub replica: u64,
    /// Connections for reading in read-only work taken from the primary because the replica had not yet replayed
    /// this process's last write (or could not be reached).
    pub primary: u64,
}

impl Replica {
    pub(crate) fn new(pool: PgPool, primary: PgPool) -> Arc<Replica> {
        Arc::new(Replica {
            pool,
            primary,
            written: AtomicU64::new(0),
            replayed: AtomicU64::new(0),
            hold_until_ms: AtomicU64::new(0),
            started: Instant::now(),
            replica_reads: AtomicU64::new(0),
            primary_reads: AtomicU64::new(0),
        })
    }

    pub(crate) fn routing(&self) -> ReadRouting {
        ReadRouting {
            replica: self.replica_reads.load(Ordering::Relaxed),
            primary: self.primary_reads.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// After a commit on the primary: remember the primary's WAL position, which is at or past the commit.
    pub(crate) async fn committed(&self) {
        let position: Result<Option<i64>, sqlx::Error> =
            sqlx::query_scalar("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
                .fetch_one(&self.primary)
                .await;
        match position {
            Ok(Some(p)) => {
                self.written.fetch_max(p as u64, Ordering::AcqRel);
            }
            other => {
                tracing::warn!(
                    error = ?other.err(),
                    "the primary's WAL position is unknown after a commit: reads stay on the primary for a while"
                );
                let until = self.started.elapsed() + UNKNOWN_POSITION_HOLD;
                self.hold_until_ms
                    .fetch_max(until.as_millis() as u64, Ordering::AcqRel);
            }
        }
    }

    /// Whether the current read may go to the replica: read-only work, and the replica has replayed what this
    /// process wrote.
    pub(crate) async fn serves_this_read(&self) -> bool {
        if !in_read_only_work() {
            return false;
        }
        let caught_up = self.caught_up().await;
        if caught_up {
            self.replica_reads.fetch_add(1, Ordering::Relaxed);
        } else {
            self.primary_reads.fetch_add(1, Ordering::Relaxed);
        }
        caught_up
    }

    async fn caught_up(&self) -> bool {
        if (self.started.elapsed().as_millis() as u64) < self.hold_until_ms.load(Ordering::Acquire)
        {
            return false;
        }
        let written = self.written.load(Ordering::Acquire);
        if self.replayed.load(Ordering::Acquire) >= written {
            return true;
        }
        let replayed: Result<Option<i64>, sqlx::Error> =
            sqlx::query_scalar("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
                .fetch_one(&self.pool)
                .await;
        match replayed {
            Ok(Some(p)) => {
                let p = p as u64;
                self.replayed.fetch_max(p, Ordering::AcqRel);
                p >= written
            }
            // Not in recovery: the "replica" is a primary itself (e.g. the same server under another name), so it
            // has what was committed.
            Ok(None) => {
                self.replayed.fetch_max(written, Ordering::AcqRel);
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "the read replica does not answer: reading from the primary");
                false
            }
        }
    }
}
