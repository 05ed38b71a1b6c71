//! SQLite's write-ahead log folded into the database file by a task of the store's own after each commit, instead
//! of by the writer that committed. SQLite's automatic checkpoint (off on every connection, `crate::sqlite`) runs
//! inside the committing call: after an import it copied the ~100 MB the import wrote from the log into the file
//! and synced both, a third of a second the import's caller waited for, while other writers waited for the lock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, watch};

/// Wakes the task that checkpoints one SQLite store's write-ahead log; a clone per write transaction.
#[derive(Clone)]
pub(crate) struct Checkpoints {
    wake: mpsc::Sender<()>,
    /// Commits told so far.
    committed: Arc<AtomicU64>,
    /// Commits the task has checkpointed after (as many as were told when it began its last checkpoint).
    done: watch::Receiver<u64>,
}

impl Checkpoints {
    /// Starts the task on the current runtime: once woken, it runs a passive checkpoint (which copies what no
    /// reader still needs, waiting for nobody) on a connection of `pool`; commits told meanwhile are taken by the
    /// next one. It ends when every `Checkpoints` of the store is gone, or the pool is closed.
    pub(crate) fn start(pool: sqlx::SqlitePool) -> Checkpoints {
        let (wake, mut woken) = mpsc::channel(1);
        let committed = Arc::new(AtomicU64::new(0));
        let (done_tx, done) = watch::channel(0);
        let told = committed.clone();
        tokio::spawn(async move {
            while woken.recv().await.is_some() {
                let upto = told.load(Ordering::SeqCst);
                match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    Ok(_) => {}
                    Err(sqlx::Error::PoolClosed) => break,
                    Err(e) => tracing::warn!(
                        error = %e,
                        "the write-ahead log could not be folded into the database file; the next commit tries again"
                    ),
                }
                done_tx.send_replace(upto);
            }
        });
        Checkpoints {
            wake,
            committed,
            done,
        }
    }

    /// Tells the task that a write transaction committed.
    pub(crate) fn committed(&self) {
        self.committed.fetch_add(1, Ordering::SeqCst);
        // Full: the task is woken already, and reads the count when it begins.
        let _ = self.wake.try_send(());
    }

    /// Waits until every commit told so far has been followed by a checkpoint (false if the task has ended).
    pub(crate) async fn settled(&self) -> bool {
        let target = self.committed.load(Ordering::SeqCst);
        let mut done = self.done.clone();
        done.wait_for(|upto| *upto >= target).await.is_ok()
    }
}
