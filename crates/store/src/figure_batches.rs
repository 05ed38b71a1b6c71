//! Writing one batch of an import's values, the only part of the figures store written once per engine: an import
//! spends nearly all its time here, and each engine has its own fastest way.
//!
//! For each value of a batch: when the store held values before the import began (`existing`), the current value
//! of its enterprise × indicator × month is looked up; an equal value writes nothing, a different one moves the
//! old value to `figure_history` and replaces it, a new one is inserted. Every change is noted in the aggregate
//! deltas. Batches are sorted in the table's key order first, so B-tree pages are read and written in sequence.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use sqlx::QueryBuilder;

use crate::Result;
use crate::figures::{AggregateDeltas, FigureValue};

/// What a batch did: values written (new or different) and values equal to the current ones.
pub(crate) type BatchCounts = (i64, i64);

fn sort(values: &mut [FigureValue]) {
    values.sort_unstable_by_key(|v| (v.enterprise_id, v.indicator_id, v.month));
}

/// Rows of one multi-row insert on SQLite (4 parameters each): large enough to make the per-statement cost
/// vanish, small enough to prepare in a fraction of a millisecond.
const SQLITE_ROWS: usize = 500;

/// The insert of `rows` values for an import; its id is written into the statement (an integer from the
/// database), which saves binding it for every row.
fn sqlite_insert(rows: usize, import_id: i64) -> String {
    let mut sql = String::from(
        "INSERT INTO figure_values (enterprise_id, indicator_id, month, value, import_id) VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,");
        sql.push_str(&import_id.to_string());
        sql.push(')');
    }
    sql.push_str(
        " ON CONFLICT (enterprise_id, indicator_id, month) DO UPDATE SET value = excluded.value, \
         import_id = excluded.import_id",
    );
    sql
}

/// SQLite: the statements run on sqlx's own connection (inside the import's transaction) through rusqlite, on this
/// thread, with parameters bound straight into prepared statements. Going through sqlx's worker thread instead
/// costs a channel message per statement and per fetched row, which for millions of values is most of the time.
pub(crate) async fn write_batch_sqlite(
    c: &mut sqlx::SqliteConnection,
    import_id: i64,
    values: Vec<FigureValue>,
    existing: bool,
    deltas: &mut AggregateDeltas,
) -> Result<BatchCounts> {
    let mut handle = c.lock_handle().await?;
    let raw = handle.as_raw_handle();
    blocking(|| {
        // SAFETY: `handle` keeps sqlx's worker thread away from the connection until it is dropped, after this
        // closure; the statements below are the connection's only user meanwhile. A rusqlite connection made from a
        // handle does not close it when dropped (it only finalizes the statements it prepared).
        #[allow(unsafe_code)]
        let conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
        Ok(sqlite_batch(&conn, import_id, values, existing, deltas)?)
    })
}

fn sqlite_batch(
    conn: &rusqlite::Connection,
    import_id: i64,
    mut values: Vec<FigureValue>,
    existing: bool,
    deltas: &mut AggregateDeltas,
) -> rusqlite::Result<BatchCounts> {
    sort(&mut values);
    let mut unchanged = 0;
    if existing {
        let mut lookup = conn.prepare_cached(
            "SELECT v.value, v.import_id, i.at FROM figure_values v JOIN figure_imports i ON i.id = v.import_id \
             WHERE v.enterprise_id = ?1 AND v.indicator_id = ?2 AND v.month = ?3",
        )?;
        // The old value keeps its instant as stored (text on SQLite), and is superseded at this import's instant.
        let mut history = conn.prepare_cached(
            "INSERT INTO figure_history (enterprise_id, indicator_id, month, value, recorded_at, import_id, \
             superseded_at, superseded_by) SELECT ?1, ?2, ?3, ?4, ?5, ?6, at, id FROM figure_imports WHERE id = ?7",
        )?;
        let mut kept = Vec::with_capacity(values.len());
        for v in values {
            let key = (v.enterprise_id, v.indicator_id, v.month.key());
            let current: Option<(i64, i64, String)> = lookup
                .query_row(key, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            match current {
                None => {
                    deltas.add(key.0, key.1, key.2, v.value, 1);
                    kept.push(v);
                }
                Some((old, _, _)) if old == v.value => unchanged += 1,
                Some((old, old_import, recorded_at)) => {
                    deltas.add(key.0, key.1, key.2, v.value - old, 0);
                    history.execute((
                        key.0,
                        key.1,
                        key.2,
                        old,
                        recorded_at,
                        old_import,
                        import_id,
                    ))?;
                    kept.push(v);
                }
            }
        }
        values = kept;
    } else {
        for v in &values {
            deltas.add(v.enterprise_id, v.indicator_id, v.month.key(), v.value, 1);
        }
    }
    let mut many = conn.prepare_cached(&sqlite_insert(SQLITE_ROWS, import_id))?;
    let mut chunks = values.chunks_exact(SQLITE_ROWS);
    for chunk in &mut chunks {
        for (row, v) in chunk.iter().enumerate() {
            let at = row * 4;
            many.raw_bind_parameter(at + 1, v.enterprise_id)?;
            many.raw_bind_parameter(at + 2, v.indicator_id)?;
            many.raw_bind_parameter(at + 3, v.month.key())?;
            many.raw_bind_parameter(at + 4, v.value)?;
        }
        many.raw_execute()?;
    }
    let mut one = conn.prepare_cached(&sqlite_insert(1, import_id))?;
    for v in chunks.remainder() {
        one.execute((v.enterprise_id, v.indicator_id, v.month.key(), v.value))?;
    }
    Ok((values.len() as i64, unchanged))
}

/// Runs blocking database work on the current thread, telling a multi-threaded runtime to move its other tasks
/// elsewhere meanwhile (a single-threaded runtime, as in tests, simply waits).
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Values per multi-row insert (5 parameters each) and per lookup of current values (3 each) on PostgreSQL: under
/// its 65,535 parameters.
const PG_VALUE_ROWS: usize = 6000;
const PG_LOOKUP_ROWS: usize = 10_000;
/// History rows per insert (8 parameters each).
const PG_HISTORY_ROWS: usize = 2500;

/// Key → (value, import, recorded at) of the values current before a batch.
type CurrentValues = rustc_hash::FxHashMap<(i64, i64, i32), (i64, i64, DateTime<Utc>)>;

/// PostgreSQL: multi-row statements with bound parameters, the current values looked up a chunk at a time.
pub(crate) async fn write_batch_postgres(
    c: &mut sqlx::PgConnection,
    import_id: i64,
    mut values: Vec<FigureValue>,
    existing: bool,
    deltas: &mut AggregateDeltas,
) -> Result<BatchCounts> {
    type Db = sqlx::Postgres;
    sort(&mut values);
    let mut current: CurrentValues = Default::default();
    if existing {
        for chunk in values.chunks(PG_LOOKUP_ROWS) {
            let mut qb: QueryBuilder<'static, Db> =
                QueryBuilder::new("WITH j (enterprise_id, indicator_id, month) AS (");
            qb.push_values(chunk.iter(), |mut b, v| {
                b.push_bind(v.enterprise_id)
                    .push_bind(v.indicator_id)
                    .push_bind(v.month.key());
            });
            qb.push(
                ") SELECT v.enterprise_id, v.indicator_id, v.month, v.value, v.import_id, i.at \
                 FROM j JOIN figure_values v ON v.enterprise_id = j.enterprise_id \
                   AND v.indicator_id = j.indicator_id AND v.month = j.month \
                 JOIN figure_imports i ON i.id = v.import_id",
            );
            let rows: Vec<(i64, i64, i32, i64, i64, DateTime<Utc>)> =
                qb.build_query_as().fetch_all(&mut *c).await?;
            current.extend(
                rows.into_iter()
                    .map(|(e, i, m, v, imp, at)| ((e, i, m), (v, imp, at))),
            );
        }
    }
    let mut history = Vec::new();
    let mut unchanged = 0;
    values.retain(|v| {
        let key = (v.enterprise_id, v.indicator_id, v.month.key());
        match current.get(&key) {
            None => {
                deltas.add(key.0, key.1, key.2, v.value, 1);
                true
            }
            Some((old, _, _)) if *old == v.value => {
                unchanged += 1;
                false
            }
            Some((old, old_import, recorded_at)) => {
                deltas.add(key.0, key.1, key.2, v.value - old, 0);
                history.push((*v, *old, *recorded_at, *old_import));
                true
            }
        }
    });
    if !history.is_empty() {
        let now: DateTime<Utc> = sqlx::query_scalar("SELECT at FROM figure_imports WHERE id = $1")
            .bind(import_id)
            .fetch_one(&mut *c)
            .await?;
        for chunk in history.chunks(PG_HISTORY_ROWS) {
            let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
                "INSERT INTO figure_history (enterprise_id, indicator_id, month, value, recorded_at, import_id, \
                 superseded_at, superseded_by) ",
            );
            qb.push_values(
                chunk.iter().copied(),
                |mut b, (v, old, recorded_at, old_import)| {
                    b.push_bind(v.enterprise_id)
                        .push_bind(v.indicator_id)
                        .push_bind(v.month.key())
                        .push_bind(old)
                        .push_bind(recorded_at)
                        .push_bind(old_import)
                        .push_bind(now)
                        .push_bind(import_id);
                },
            );
            qb.build().execute(&mut *c).await?;
        }
    }
    for chunk in values.chunks(PG_VALUE_ROWS) {
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "INSERT INTO figure_values (enterprise_id, indicator_id, month, value, import_id) ",
        );
        qb.push_values(chunk.iter(), |mut b, v| {
            b.push_bind(v.enterprise_id)
                .push_bind(v.indicator_id)
                .push_bind(v.month.key())
                .push_bind(v.value)
                .push_bind(import_id);
        });
        qb.push(
            " ON CONFLICT (enterprise_id, indicator_id, month) DO UPDATE SET value = excluded.value, \
             import_id = excluded.import_id",
        );
        qb.build().execute(&mut *c).await?;
    }
    Ok((values.len() as i64, unchanged))
}
