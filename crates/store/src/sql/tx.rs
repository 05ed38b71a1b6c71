//! The write transaction every change runs in, and the read connection every query uses; compiled once per
//! engine (`crate::sqlite`, `crate::postgres`) with that engine's `Db` and store type `Engine`.

use super::{Db, Engine};
use sqlx::Transaction;

use crate::Result;
type Conn = <Db as sqlx::Database>::Connection;

/// A write transaction; on SQLite it also holds the single-writer lock until it ends.
pub(super) struct WriteTx {
    tx: Transaction<'static, Db>,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(super) fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    pub(super) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Engine {
    pub(super) async fn begin_write(&self) -> Result<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }

    pub(super) async fn read(&self) -> Result<sqlx::pool::PoolConnection<Db>> {
        Ok(self.pool.acquire().await?)
    }
}
