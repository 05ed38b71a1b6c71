//! What an operator does with a store rather than through it: back a SQLite store up while it serves, restore such
//! a backup, see the connection pool, and close the store at shutdown. PostgreSQL stores are backed up and restored
//! with PostgreSQL's own tools (`pg_dump`, `pg_restore`; see docs/operations.md): a restored database whose schema is
//! newer than the program is refused when the program opens it (`migrate`).

use std::path::{Path, PathBuf};

use rusqlite::OpenFlags;
use serde::Serialize;

use crate::{Result, StoreError};

/// The connections of a store's pool at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PoolStatus {
    /// Connections open (busy and idle).
    pub size: u32,
    /// Of them, waiting for work.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    /// The schema version (the last migration) the backup holds.
    pub schema_version: i64,
}

/// What a restore found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreSummary {
    /// The schema version of the backup, before it was brought up to date.
    pub backup_schema_version: i64,
    /// The schema version of the restored store.
    pub schema_version: i64,
    /// History rows removed because the import they were written for was never stored (a backup taken while an
    /// import wrote the history of the values it was about to replace).
    pub unfinished_history_removed: u64,
}

/// Copies the SQLite database at `source` to a new file `dest` with SQLite's online backup API, all pages in one
/// step: the copy is the database as of one instant (one read transaction), whatever the serving program writes
/// meanwhile — an import is in it entirely or not at all, since each import commits in one transaction. Writers
/// are not held up (WAL). `dest` must not exist yet.
pub fn backup_sqlite(source: &Path, dest: &Path) -> Result<BackupSummary> {
    if dest.exists() {
        return Err(StoreError::Config(format!(
            "{} exists already: a backup is written to a new file",
            dest.display()
        )));
    }
    let from = rusqlite::Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let partial = partial_name(dest);
    let _ = std::fs::remove_file(&partial);
    let outcome = (|| -> Result<()> {
        let mut to = rusqlite::Connection::open(&partial)?;
        {
            let backup = rusqlite::backup::Backup::new(&from, &mut to)?;
            // -1: every page in one step, under one read lock of the source. Busy or locked only while another
            // connection changes the schema or checkpoints: try again a little later.
            let mut waits = 0;
            loop {
                match backup.step(-1)? {
                    rusqlite::backup::StepResult::Done => break,
                    _ if waits < 600 => {
                        waits += 1;
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    _ => {
                        return Err(StoreError::Config(
                            "the database stayed busy for 30 s: the backup was not taken"
                                .to_string(),
                        ));
                    }
                }
            }
        }
        to.close().map_err(|(_, e)| e)?;
        Ok(())
    })();
    if let Err(e) = outcome {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let schema_version = schema_version_of(&partial)?;
    std::fs::rename(&partial, dest)
        .map_err(|e| StoreError::Config(format!("writing {}: {e}", dest.display())))?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary {
        path: dest.to_path_buf(),
        bytes,
        schema_version,
    })
}

/// The newest migration applied to the SQLite database at `path`; an error when it is no SQLite database or none
/// of chainpark's.
pub fn schema_version_of(path: &Path) -> Result<i64> {
    let conn = rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| not_a_store(path, &e.to_string()))?;
    let integrity: String = conn
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(|e| not_a_store(path, &e.to_string()))?;
    if integrity != "ok" {
        return Err(StoreError::Corrupt(format!(
            "{} fails SQLite's integrity check: {integrity}",
            path.display()
        )));
    }
    conn.query_row(
        "SELECT max(version) FROM _sqlx_migrations WHERE success",
        [],
        |row| row.get::<_, Option<i64>>(0),
    )
    .ok()
    .flatten()
    .ok_or_else(|| not_a_store(path, "it holds no chainpark schema"))
}

fn not_a_store(path: &Path, why: &str) -> StoreError {
    StoreError::Config(format!(
        "{} is not a chainpark SQLite store: {why}",
        path.display()
    ))
}

/// Restores the backup at `source` as the SQLite store `target` (a path). The backup is checked (SQLite's
/// integrity check; a chainpark schema no newer than this program's), copied next to the target, brought up to
/// date, cleared of the history of imports that were never stored, and checked with every rule of `check`; only
/// then does it replace the target, in one rename. An existing target is replaced only with `replace`. The program
/// must not be serving the target meanwhile.
pub async fn restore_sqlite(source: &Path, target: &Path, replace: bool) -> Result<RestoreSummary> {
    let backup_schema_version = schema_version_of(source)?;
    let known = crate::sqlite::SqliteStore::schema_version();
    if backup_schema_version > known {
        return Err(StoreError::Config(format!(
            "{} holds schema version {backup_schema_version}, newer than this chainpark's {known}: restore it \
             with the chainpark that made it, or a newer one",
            source.display()
        )));
    }
    if target.exists() && !replace {
        return Err(StoreError::Config(format!(
            "{} exists: pass --replace to replace it with the backup",
            target.display()
        )));
    }
    let staged = partial_name(target);
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(source, &staged).map_err(|e| {
        StoreError::Config(format!(
            "copying {} to {}: {e}",
            source.display(),
            staged.display()
        ))
    })?;
    let outcome = prepare(&staged).await;
    let (unfinished_history_removed, schema_version) = match outcome {
        Ok(done) => done,
        Err(e) => {
            remove_with_journal(&staged);
            return Err(e);
        }
    };
    remove_with_journal(target);
    std::fs::rename(&staged, target)
        .map_err(|e| StoreError::Config(format!("writing {}: {e}", target.display())))?;
    Ok(RestoreSummary {
        backup_schema_version,
        schema_version,
        unfinished_history_removed,
    })
}

/// Migrates, cleans and checks the copy of a backup; its WAL is folded back so the file stands alone.
async fn prepare(path: &Path) -> Result<(u64, i64)> {
    use crate::Store;
    let store =
        crate::sqlite::SqliteStore::connect(&format!("sqlite://{}", path.display())).await?;
    store.migrate().await?;
    let removed = store.discard_unfinished_import_history().await?;
    let mut problems = store.check().await?;
    problems.extend(crate::workflow::WorkflowStore::check_workflow(&store).await?);
    problems.extend(crate::figures::FigureStore::check_figures(&store).await?);
    store.close().await?;
    if !problems.is_empty() {
        return Err(StoreError::Corrupt(format!(
            "the backup fails {} check(s): {}",
            problems.len(),
            problems.join("; ")
        )));
    }
    Ok((removed, crate::sqlite::SqliteStore::schema_version()))
}

fn partial_name(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Removes a SQLite database file with its WAL and shared-memory files.
fn remove_with_journal(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
