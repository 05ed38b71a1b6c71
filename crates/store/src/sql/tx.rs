//! The write transaction every change runs in, the audit row every change writes, and the read connection every
//! query uses; compiled once per engine (`crate::sqlite`, `crate::postgres`) with that engine's `Db` and store
//! type `Engine`.
//!
//! Every change has the same shape: `begin_write`, the checks that need stored data, the write, then
//! `commit_audited`, which writes the audit row in the same transaction and commits. A change that writes several
//! audit rows calls `WriteTx::audit` for each and then `commit`. `audit` is the only statement that writes to
//! `audit_log`.

use super::{Db, Engine};
use chainpark_core::registry::Id;
use chrono::Utc;
use serde::Serialize;
use sqlx::Transaction;

use crate::{Actor, Result, StoreError};
type Conn = <Db as sqlx::Database>::Connection;

/// Records one change in the audit trail on `c`, the connection of a write transaction: who (`actor`), what
/// (`kind` and `id`), how (`action`: `create`, `update`, `archive`, a step ...) and the object before and after.
/// Helpers that hold only the connection of a `WriteTx` call this; the others call `WriteTx::audit`.
pub(super) async fn audit<T: Serialize + ?Sized>(
    c: &mut Conn,
    actor: &Actor,
    kind: &str,
    id: Id,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let to_json = |v: Option<&T>| -> Result<Option<sqlx::types::Json<serde_json::Value>>> {
        match v {
            None => Ok(None),
            Some(v) => serde_json::to_value(v)
                .map(|v| Some(sqlx::types::Json(v)))
                .map_err(|e| StoreError::Corrupt(format!("audit entry of {kind} {id}: {e}"))),
        }
    };
    sqlx::query(
        "INSERT INTO audit_log (at, actor, object_kind, object_id, action, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Utc::now())
    .bind(&actor.account)
    .bind(kind)
    .bind(id)
    .bind(action)
    .bind(to_json(before)?)
    .bind(to_json(after)?)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// A write transaction; on SQLite it also holds the single-writer lock until it ends.
pub(super) struct WriteTx {
    tx: Transaction<'static, Db>,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// The read replica told of the commit, so that this process's reads wait for it (PostgreSQL only).
    replica: Option<std::sync::Arc<crate::replica::Replica>>,
    /// The task told of the commit, to fold the write-ahead log into the database file (SQLite only).
    checkpoints: Option<crate::checkpoint::Checkpoints>,
}

impl WriteTx {
    /// The transaction's connection, for the statements of the change.
    pub(super) fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Commits what the transaction wrote.
    pub(super) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.committed();
        }
        if let Some(replica) = &self.replica {
            replica.committed().await;
        }
        Ok(())
    }

    /// Records a change in the audit trail, in this transaction (see `audit`).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn audit<T: Serialize + ?Sized>(
        &mut self,
        actor: &Actor,
        kind: &str,
        id: Id,
        action: &str,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<()> {
        audit(self.conn(), actor, kind, id, action, before, after).await
    }

    /// Records the change in the audit trail and commits: the end of every change.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn commit_audited<T: Serialize + ?Sized>(
        mut self,
        actor: &Actor,
        kind: &str,
        id: Id,
        action: &str,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<()> {
        self.audit(actor, kind, id, action, before, after).await?;
        self.commit().await
    }
}

impl Engine {
    /// Begins a write transaction; on SQLite it waits for the single-writer lock first, and then begins with
    /// `BEGIN IMMEDIATE` (`Engine::BEGIN_WRITE`): a transaction dropped without commit is rolled back by its
    /// connection's worker after the lock is released, so SQLite's own write lock may still be held for a moment.
    pub(super) async fn begin_write(&self) -> Result<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
        Ok(WriteTx {
            tx,
            _guard: guard,
            replica: self.replica().cloned(),
            checkpoints: self.checkpoints().cloned(),
        })
    }

    /// A connection for reading; reads do not wait for writes. In read-only work (a GET request) it comes from the
    /// read replica when there is one and it has replayed this process's writes (`crate::replica`); from the
    /// primary otherwise, and when the replica cannot give one.
    pub(super) async fn read(&self) -> Result<sqlx::pool::PoolConnection<Db>> {
        if let Some(replica) = self.replica()
            && replica.serves_this_read().await
        {
            match self.replica_connection(replica).await {
                Ok(c) => return Ok(c),
                Err(e) => {
                    tracing::warn!(error = %e, "no connection to the read replica: reading from the primary")
                }
            }
        }
        Ok(self.pool.acquire().await?)
    }
}
