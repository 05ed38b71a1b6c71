//! Comparing and writing one batch of an import's values, the only part of the figures store written once per
//! engine: an import spends nearly all its time here, and each engine has its own fastest way.
//!
//! Comparing: for each value of a batch, the current value of its enterprise × indicator × month is found (on
//! SQLite by merging the sorted batch with range scans of the stored months); the result says whether the store
//! held nothing, the same value, or another one. It runs before the write lock is taken (on a reading connection),
//! and again inside the write transaction only when other values were stored meanwhile. Writing the history: each
//! value a different one replaces goes to `figure_history`, under the id of the replacing import (readers ignore it
//! until that import is stored); normally before the write transaction, in short transactions of their own. Writing: an equal value writes nothing, a different one
//! replaces the current one (its history written here too unless it was already), a new one is inserted, and
//! every change is noted in the aggregate deltas. Batches are sorted in the table's key order first, so B-tree
//! pages are read and written in sequence.

use sqlx::QueryBuilder;

use crate::Result;
use crate::figures::{AggregateDeltas, FigureValue, GroupCell};
use crate::staging::{Held, Staged};

/// What a batch did: values written (new or different) and values equal to the current ones.
pub(crate) type BatchCounts = (i64, i64);

/// A value that replaces another: (the new value, the old value, the import that stored the old one).
pub(crate) type Replaced = (FigureValue, i64, i64);

/// The months an import is the first to fill, on PostgreSQL (migrations 0031, 0034): their values are copied into
/// tables of their own without an index (`loader` is a partitioned table of them), which become partitions of
/// `figure_values`, their keys built, at the end of the write transaction; their aggregates likewise, summed over
/// the whole file first so that each cell is copied once. Never any on SQLite, which keeps each table whole.
///
/// Each month's values wait here until [`MONTH_COPY_ROWS`] of them can be copied straight into the month's table.
/// Copied through the partitioned loader instead, a batch's runs of a few hundred rows a month (a file goes
/// enterprise by enterprise) made the server build and drop insert buffers for nearly every row: a third of its
/// time in the city tier's profile (docs/figures.md, session 13).
#[derive(Default)]
pub(crate) struct NewMonths {
    /// Ascending.
    months: Vec<i32>,
    loader: String,
    /// The new months' aggregate cells, taken from the deltas when every value is written.
    aggregates: Vec<(GroupCell, (i64, i64))>,
    /// Per new month, its values not copied yet (binary COPY rows) and how many; each month's allocation is kept
    /// from one copy to the next (made and dropped each time, they grew the allocator's arenas by 200 MB at the
    /// zone tier).
    waiting: rustc_hash::FxHashMap<i32, (CopyBinary, usize)>,
}

/// Values of a new month copied into its table at a time (PostgreSQL): 10,000 rows are 460 KB, so that a
/// file of 120 new months keeps at most 55 MB waiting.
const MONTH_COPY_ROWS: usize = 10_000;

impl NewMonths {
    pub(crate) fn holds(&self, month: i32) -> bool {
        self.months.binary_search(&month).is_ok()
    }

    /// Takes the new months' cells out of `deltas`, once the import has noted all its values.
    pub(crate) fn take_aggregates(&mut self, deltas: &mut AggregateDeltas) {
        if !self.months.is_empty() {
            self.aggregates = deltas.take_by_group(|m| self.holds(m));
        }
    }

    /// Adds a value of a new month to the month's waiting rows; returns the month when they are enough to copy.
    fn wait(&mut self, v: &FigureValue, import_id: i64) -> Option<i32> {
        let month = v.month.key();
        let (rows, count) = self
            .waiting
            .entry(month)
            .or_insert_with(|| (CopyBinary::new(5, MONTH_COPY_ROWS), 0));
        rows.row()
            .int8(v.enterprise_id)
            .int8(v.indicator_id)
            .int4(month)
            .int8(v.value)
            .int8(import_id);
        *count += 1;
        (*count >= MONTH_COPY_ROWS).then_some(month)
    }

    /// PostgreSQL: copies `month`'s waiting values into its table.
    async fn copy_month(&mut self, c: &mut sqlx::PgConnection, month: i32) -> Result<()> {
        let Some((rows, count)) = self.waiting.get_mut(&month).filter(|(_, n)| *n > 0) else {
            return Ok(());
        };
        copy_in(
            c,
            format!(
                "COPY figure_values_m{month} (enterprise_id, indicator_id, month, value, import_id) FROM STDIN \
                 (FORMAT binary)"
            ),
            rows.ended(),
        )
        .await?;
        rows.clear();
        *count = 0;
        Ok(())
    }

    /// PostgreSQL: copies every month's waiting values, month by month.
    async fn copy_waiting(&mut self, c: &mut sqlx::PgConnection) -> Result<()> {
        let mut months: Vec<i32> = self.waiting.keys().copied().collect();
        months.sort_unstable();
        for month in months {
            self.copy_month(c, month).await?;
        }
        Ok(())
    }
}

/// The values of a batch that replace others, for the history.
pub(crate) fn replaced(staged: &[Staged]) -> Vec<Replaced> {
    staged
        .iter()
        .filter_map(|s| match s.held {
            Held::Other { value, import_id } => Some((s.value, value, import_id)),
            _ => None,
        })
        .collect()
}

/// Sorts a batch by key (enterprise, indicator, month). A file usually gives each enterprise's rows together, month
/// by month, its indicators in any order within a month: then each enterprise's run is regrouped by indicator,
/// keeping the months' order, in one pass per indicator instead of a comparison sort.
fn sort(values: &mut [FigureValue]) {
    let key = |v: &FigureValue| (v.enterprise_id, v.indicator_id, v.month);
    let in_file_order = values.is_sorted_by_key(|v| (v.enterprise_id, v.month));
    if !in_file_order {
        values.sort_unstable_by_key(key);
        return;
    }
    let mut indicators: Vec<i64> = Vec::new();
    let mut regrouped: Vec<FigureValue> = Vec::new();
    for run in values.chunk_by_mut(|a, b| a.enterprise_id == b.enterprise_id) {
        indicators.clear();
        for v in run.iter() {
            if !indicators.contains(&v.indicator_id) {
                indicators.push(v.indicator_id);
                if indicators.len() > REGROUPED_INDICATORS {
                    break;
                }
            }
        }
        if indicators.len() > REGROUPED_INDICATORS {
            // Many indicators: a stable sort by indicator keeps the months' order as well.
            run.sort_by_key(|v| v.indicator_id);
            continue;
        }
        indicators.sort_unstable();
        regrouped.clear();
        for &indicator in &indicators {
            regrouped.extend(run.iter().filter(|v| v.indicator_id == indicator));
        }
        run.copy_from_slice(&regrouped);
    }
    debug_assert!(values.is_sorted_by_key(key));
}

/// Most indicators in one enterprise's run that [`sort`] regroups pass by pass.
const REGROUPED_INDICATORS: usize = 12;

/// What was held for a value, from the current value of its key (value, import).
fn held(value: i64, current: Option<(i64, i64)>) -> Held {
    match current {
        None => Held::Nothing,
        Some((old, _)) if old == value => Held::Same,
        Some((old, import_id)) => Held::Other {
            value: old,
            import_id,
        },
    }
}

/// A batch for a store that held no values when the import began: every value is new.
pub(crate) fn all_new(mut values: Vec<FigureValue>) -> Vec<Staged> {
    sort(&mut values);
    values
        .into_iter()
        .map(|value| Staged {
            value,
            held: Held::Nothing,
        })
        .collect()
}

/// Notes a staged value's change in the aggregate deltas and returns the value to write, if any.
fn note(staged: Staged, deltas: &mut AggregateDeltas) -> Option<FigureValue> {
    let v = staged.value;
    let key = (v.enterprise_id, v.indicator_id, v.month.key());
    match staged.held {
        Held::Nothing => {
            deltas.add(key.0, key.1, key.2, v.value, 1);
            Some(v)
        }
        Held::Same => None,
        Held::Other { value: old, .. } => {
            deltas.replace(key.0, key.1, key.2, old, v.value);
            Some(v)
        }
    }
}

/// Packed rows of one multi-row upsert on SQLite (27 parameters each): large enough to make the per-statement cost
/// vanish, small enough to prepare in a fraction of a millisecond.
const SQLITE_ROWS: usize = 500;

/// Rows of one multi-row insert into SQLite's history (7 parameters each).
const SQLITE_HISTORY_ROWS: usize = 500;

/// The columns of a year's row on SQLite after its key (migration 0033): the value and the import of each month.
const SQLITE_MONTHS: &str = "v1, i1, v2, i2, v3, i3, v4, i4, v5, i5, v6, i6, v7, i7, v8, i8, v9, i9, v10, i10, \
                             v11, i11, v12, i12";

/// A year of an enterprise's indicator as SQLite keeps it: each month's value and import, if any.
type YearRow = [Option<(i64, i64)>; 12];

/// The upsert of `rows` packed rows (key, then value and import of each month; NULL for a month left as it is): a
/// new row is inserted, an existing one keeps the months the import does not change.
fn sqlite_upsert(rows: usize) -> String {
    let mut sql = format!(
        "INSERT INTO figure_years (enterprise_id, indicator_id, year, {SQLITE_MONTHS}) VALUES "
    );
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    }
    sql.push_str(" ON CONFLICT (enterprise_id, indicator_id, year) DO UPDATE SET ");
    for m in 1..=12 {
        if m > 1 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "v{m} = COALESCE(excluded.v{m}, v{m}), i{m} = COALESCE(excluded.i{m}, i{m})"
        ));
    }
    sql
}

/// SQLite: compares a batch with the current values, through rusqlite on sqlx's own connection (see
/// [`apply_sqlite`]). On a connection outside a transaction, the batch's lookups share one read transaction.
pub(crate) async fn compare_sqlite(
    c: &mut sqlx::SqliteConnection,
    values: Vec<FigureValue>,
) -> Result<Vec<Staged>> {
    let mut handle = c.lock_handle().await?;
    let raw = handle.as_raw_handle();
    blocking(|| {
        // SAFETY: as in `apply_sqlite`.
        #[allow(unsafe_code)]
        let conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
        let own = conn.is_autocommit();
        if own {
            conn.execute_batch("BEGIN")?;
        }
        let compared = sqlite_compare(&conn, values);
        if own {
            conn.execute_batch(if compared.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            })?;
        }
        Ok(compared?)
    })
}

/// Compares a sorted batch with the stored values by merging: the batch is cut into runs of one enterprise ×
/// indicator (a file gives an enterprise's months together), and each run is merged with one range scan of the
/// stored years it spans (migration 0033: a row holds a year), read in key order from the clustered table. A file
/// of 180 months × 6 indicators costs about one B-tree descent and 15 rows per 180 values instead of one row per
/// value.
fn sqlite_compare(
    conn: &rusqlite::Connection,
    mut values: Vec<FigureValue>,
) -> rusqlite::Result<Vec<Staged>> {
    sort(&mut values);
    let mut range = conn.prepare_cached(&format!(
        "SELECT year, {SQLITE_MONTHS} FROM figure_years \
         WHERE enterprise_id = ?1 AND indicator_id = ?2 AND year BETWEEN ?3 AND ?4 ORDER BY year"
    ))?;
    let mut staged = Vec::with_capacity(values.len());
    let mut stored: Vec<(i32, YearRow)> = Vec::new();
    for run in values
        .chunk_by(|a, b| (a.enterprise_id, a.indicator_id) == (b.enterprise_id, b.indicator_id))
    {
        let first = run[0];
        let last = run[run.len() - 1];
        stored.clear();
        let mut rows = range.query((
            first.enterprise_id,
            first.indicator_id,
            first.month.year(),
            last.month.year(),
        ))?;
        while let Some(r) = rows.next()? {
            let mut months: YearRow = [None; 12];
            for (m, held) in months.iter_mut().enumerate() {
                let value: Option<i64> = r.get(1 + 2 * m)?;
                let import: Option<i64> = r.get(2 + 2 * m)?;
                *held = value.zip(import);
            }
            stored.push((r.get(0)?, months));
        }
        let mut at = 0;
        for v in run {
            let year = v.month.year();
            while at < stored.len() && stored[at].0 < year {
                at += 1;
            }
            let current = stored
                .get(at)
                .filter(|s| s.0 == year)
                .and_then(|s| s.1[v.month.month() as usize - 1]);
            staged.push(Staged {
                value: *v,
                held: held(v.value, current),
            });
        }
    }
    Ok(staged)
}

/// SQLite: the statements run on sqlx's own connection (inside the import's transaction) through rusqlite, on this
/// thread, with parameters bound straight into prepared statements. Going through sqlx's worker thread instead
/// costs a channel message per statement and per fetched row, which for millions of values is most of the time.
/// `history_written`: the history of the values this batch replaces is in the store already.
pub(crate) async fn apply_sqlite(
    c: &mut sqlx::SqliteConnection,
    import_id: i64,
    staged: Vec<Staged>,
    deltas: &mut AggregateDeltas,
    history_written: bool,
    _new_months: &mut NewMonths,
) -> Result<BatchCounts> {
    let mut handle = c.lock_handle().await?;
    let raw = handle.as_raw_handle();
    blocking(|| {
        // SAFETY: `handle` keeps sqlx's worker thread away from the connection until it is dropped, after this
        // closure; the statements below are the connection's only user meanwhile. A rusqlite connection made from a
        // handle does not close it when dropped (it only finalizes the statements it prepared).
        #[allow(unsafe_code)]
        let conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
        Ok(sqlite_apply(
            &conn,
            import_id,
            staged,
            deltas,
            history_written,
        )?)
    })
}

/// SQLite: writes the history of replaced values (see [`apply_sqlite`] for the connection).
pub(crate) async fn history_sqlite(
    c: &mut sqlx::SqliteConnection,
    import_id: i64,
    rows: &[Replaced],
) -> Result<()> {
    let mut handle = c.lock_handle().await?;
    let raw = handle.as_raw_handle();
    blocking(|| {
        // SAFETY: as in `apply_sqlite`.
        #[allow(unsafe_code)]
        let conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
        Ok(sqlite_history(&conn, import_id, rows)?)
    })
}

/// A packed row of SQLite's `figure_years`: its key and each month's value and import, if the import writes it.
type PackedRow = (i64, i64, i32, YearRow);

/// Staged values noted and packed at a time by the second thread of [`sqlite_apply`]; the cut is moved to the end
/// of a year's row, so that each row is written once.
const SQLITE_PACKED_AT_ONCE: usize = 20_000;

/// Writes a batch on two threads: a spawned one notes each staged value's change in the aggregate deltas and packs
/// the changed months into year rows, part after part, while this one (the connection's) binds and runs the
/// upserts of the parts already packed. Noting and packing are about a third of the write; SQLite's own work is
/// the rest, and the two now overlap on the machine's two cores.
fn sqlite_apply(
    conn: &rusqlite::Connection,
    import_id: i64,
    staged: Vec<Staged>,
    deltas: &mut AggregateDeltas,
    history_written: bool,
) -> rusqlite::Result<BatchCounts> {
    if !history_written {
        sqlite_history(conn, import_id, &replaced(&staged))?;
    }
    let (packed, parts) = std::sync::mpsc::sync_channel::<Vec<PackedRow>>(2);
    std::thread::scope(|scope| {
        let packer = scope.spawn(move || {
            let (mut changed, mut unchanged) = (0i64, 0i64);
            let mut rest = staged.as_slice();
            while !rest.is_empty() {
                let mut cut = rest.len().min(SQLITE_PACKED_AT_ONCE);
                while cut < rest.len() && same_year_row(&rest[cut - 1].value, &rest[cut].value) {
                    cut += 1;
                }
                let (part, after) = rest.split_at(cut);
                rest = after;
                let rows = pack(import_id, part, deltas, &mut changed, &mut unchanged);
                if packed.send(rows).is_err() {
                    // The writer stopped on an error, which it returns.
                    break;
                }
            }
            (changed, unchanged)
        });
        let written = write_packed_rows(conn, parts);
        let counts = packer
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        written.map(|()| counts)
    })
}

fn same_year_row(a: &FigureValue, b: &FigureValue) -> bool {
    (a.enterprise_id, a.indicator_id, a.month.year())
        == (b.enterprise_id, b.indicator_id, b.month.year())
}

/// Notes each value's change in `deltas` and packs the changed ones into year rows (the values are sorted by key,
/// so a year's changed months are together).
fn pack(
    import_id: i64,
    part: &[Staged],
    deltas: &mut AggregateDeltas,
    changed: &mut i64,
    unchanged: &mut i64,
) -> Vec<PackedRow> {
    let mut rows: Vec<PackedRow> = Vec::new();
    for s in part {
        let Some(v) = note(*s, deltas) else {
            *unchanged += 1;
            continue;
        };
        *changed += 1;
        let month = v.month.month() as usize - 1;
        match rows.last_mut() {
            Some((e, i, y, months))
                if (*e, *i, *y) == (v.enterprise_id, v.indicator_id, v.month.year()) =>
            {
                months[month] = Some((v.value, import_id));
            }
            _ => {
                let mut months: YearRow = [None; 12];
                months[month] = Some((v.value, import_id));
                rows.push((v.enterprise_id, v.indicator_id, v.month.year(), months));
            }
        }
    }
    rows
}

/// Writes the packed rows as they come, by 500-row upserts; the rows short of 500 wait for the next part, and those
/// left at the end go one by one.
fn write_packed_rows(
    conn: &rusqlite::Connection,
    parts: std::sync::mpsc::Receiver<Vec<PackedRow>>,
) -> rusqlite::Result<()> {
    let bind = |statement: &mut rusqlite::CachedStatement<'_>,
                row: usize,
                (enterprise, indicator, year, months): &PackedRow|
     -> rusqlite::Result<()> {
        let at = row * 27;
        statement.raw_bind_parameter(at + 1, *enterprise)?;
        statement.raw_bind_parameter(at + 2, *indicator)?;
        statement.raw_bind_parameter(at + 3, *year)?;
        for (m, held) in months.iter().enumerate() {
            statement.raw_bind_parameter(at + 4 + 2 * m, held.map(|h| h.0))?;
            statement.raw_bind_parameter(at + 5 + 2 * m, held.map(|h| h.1))?;
        }
        Ok(())
    };
    let mut many = conn.prepare_cached(&sqlite_upsert(SQLITE_ROWS))?;
    let mut waiting: Vec<PackedRow> = Vec::new();
    for part in parts {
        waiting.extend(part);
        let mut chunks = waiting.chunks_exact(SQLITE_ROWS);
        for chunk in &mut chunks {
            for (row, r) in chunk.iter().enumerate() {
                bind(&mut many, row, r)?;
            }
            many.raw_execute()?;
        }
        let written = waiting.len() - chunks.remainder().len();
        waiting.drain(..written);
    }
    let mut one = conn.prepare_cached(&sqlite_upsert(1))?;
    for r in &waiting {
        bind(&mut one, 0, r)?;
        one.raw_execute()?;
    }
    Ok(())
}

/// Moves replaced values to the history: each keeps the instant of its import (text on SQLite), read once per
/// import, and is superseded at this import's instant; prepared 500-row inserts, as for the values.
fn sqlite_history(
    conn: &rusqlite::Connection,
    import_id: i64,
    rows: &[Replaced],
) -> rusqlite::Result<()> {
    let mut at_of = conn.prepare_cached("SELECT at FROM figure_imports WHERE id = ?1")?;
    let mut instants: rustc_hash::FxHashMap<i64, String> = Default::default();
    let mut instant = |import: i64| -> rusqlite::Result<String> {
        if let Some(at) = instants.get(&import) {
            return Ok(at.clone());
        }
        let at: String = at_of.query_row([import], |r| r.get(0))?;
        instants.insert(import, at.clone());
        Ok(at)
    };
    let now = instant(import_id)?;
    let insert = |rows: usize| {
        let mut sql = String::from(
            "INSERT INTO figure_history (enterprise_id, indicator_id, month, value, recorded_at, import_id, \
             superseded_at, superseded_by) VALUES ",
        );
        for row in 0..rows {
            if row > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?,?,?,?,");
            sql.push_str(&import_id.to_string());
            sql.push(')');
        }
        sql
    };
    for chunk in rows.chunks(SQLITE_HISTORY_ROWS) {
        let mut statement = conn.prepare_cached(&insert(chunk.len()))?;
        for (row, (v, old, old_import)) in chunk.iter().enumerate() {
            let at = row * 7;
            statement.raw_bind_parameter(at + 1, v.enterprise_id)?;
            statement.raw_bind_parameter(at + 2, v.indicator_id)?;
            statement.raw_bind_parameter(at + 3, v.month.key())?;
            statement.raw_bind_parameter(at + 4, *old)?;
            statement.raw_bind_parameter(at + 5, instant(*old_import)?)?;
            statement.raw_bind_parameter(at + 6, *old_import)?;
            statement.raw_bind_parameter(at + 7, now.as_str())?;
        }
        statement.raw_execute()?;
    }
    Ok(())
}

/// SQLite: adds an import's aggregate changes to `figure_aggregates`, by prepared 500-row upserts, in the table's
/// key order (see [`apply_sqlite`] for the connection). Through sqlx, the same cells went as 5,000-row statements of
/// 30,000 parameters over its worker thread, a large part of the write transaction.
pub(crate) async fn aggregates_sqlite(
    c: &mut sqlx::SqliteConnection,
    mut cells: Vec<(GroupCell, (i64, i64))>,
) -> Result<()> {
    use chainpark_core::figures::Dimension;
    cells.sort_unstable_by_key(|((dim, group, indicator, month), _)| {
        (Dimension::ALL[*dim].as_str(), *indicator, *month, *group)
    });
    let mut handle = c.lock_handle().await?;
    let raw = handle.as_raw_handle();
    blocking(|| {
        // SAFETY: as in `apply_sqlite`.
        #[allow(unsafe_code)]
        let conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
        let upsert = |rows: usize| {
            let mut sql = String::from(
                "INSERT INTO figure_aggregates (dimension, indicator_id, month, group_id, value, firms) VALUES ",
            );
            for row in 0..rows {
                if row > 0 {
                    sql.push(',');
                }
                sql.push_str("(?,?,?,?,?,?)");
            }
            sql.push_str(
                " ON CONFLICT (dimension, indicator_id, month, group_id) DO UPDATE SET \
                 value = figure_aggregates.value + excluded.value, firms = figure_aggregates.firms + excluded.firms",
            );
            sql
        };
        let mut many = conn.prepare_cached(&upsert(SQLITE_AGGREGATE_ROWS))?;
        let mut one = conn.prepare_cached(&upsert(1))?;
        let mut chunks = cells.chunks_exact(SQLITE_AGGREGATE_ROWS);
        for chunk in &mut chunks {
            for (row, cell) in chunk.iter().enumerate() {
                bind_cell(&mut many, row, cell)?;
            }
            many.raw_execute()?;
        }
        for cell in chunks.remainder() {
            bind_cell(&mut one, 0, cell)?;
            one.raw_execute()?;
        }
        Ok(())
    })
}

/// Aggregate cells written by one upsert on SQLite (6 parameters each).
const SQLITE_AGGREGATE_ROWS: usize = 500;

fn bind_cell(
    statement: &mut rusqlite::CachedStatement<'_>,
    row: usize,
    ((dim, group, indicator, month), (value, firms)): &(GroupCell, (i64, i64)),
) -> rusqlite::Result<()> {
    let at = row * 6;
    statement.raw_bind_parameter(
        at + 1,
        chainpark_core::figures::Dimension::ALL[*dim].as_str(),
    )?;
    statement.raw_bind_parameter(at + 2, *indicator)?;
    statement.raw_bind_parameter(at + 3, *month)?;
    statement.raw_bind_parameter(at + 4, *group)?;
    statement.raw_bind_parameter(at + 5, *value)?;
    statement.raw_bind_parameter(at + 6, *firms)?;
    Ok(())
}

/// Aggregate cells written by one statement on PostgreSQL (6 parameters each).
const PG_AGGREGATE_ROWS: usize = 5000;

/// PostgreSQL: adds an import's aggregate changes to `figure_aggregates`, a few thousand cells a statement.
pub(crate) async fn aggregates_postgres(
    c: &mut sqlx::PgConnection,
    cells: Vec<(GroupCell, (i64, i64))>,
) -> Result<()> {
    use chainpark_core::figures::Dimension;
    for chunk in cells.chunks(PG_AGGREGATE_ROWS) {
        let mut qb: QueryBuilder<'static, sqlx::Postgres> = QueryBuilder::new(
            "INSERT INTO figure_aggregates (dimension, indicator_id, month, group_id, value, firms) ",
        );
        qb.push_values(
            chunk.iter().copied(),
            |mut b, ((dim, group, indicator, month), (value, firms))| {
                b.push_bind(Dimension::ALL[dim].as_str())
                    .push_bind(indicator)
                    .push_bind(month)
                    .push_bind(group)
                    .push_bind(value)
                    .push_bind(firms);
            },
        );
        qb.push(
            " ON CONFLICT (dimension, indicator_id, month, group_id) DO UPDATE SET \
             value = figure_aggregates.value + excluded.value, firms = figure_aggregates.firms + excluded.firms",
        );
        qb.build().execute(&mut *c).await?;
    }
    Ok(())
}

/// One month's value of an enterprise's indicator, for a reader that looks it up by key (a `LEFT JOIN`, which
/// SQLite cannot flatten the view `figure_values` into): the joined table with its condition, and the value. On
/// SQLite, the year's row by its whole key (migration 0033) and the month's column of it, both written into the
/// statement (integers from a `Month`, never text), so that nothing is computed per row; `_param` is unused.
pub(crate) fn month_value_sqlite(
    alias: &str,
    enterprise: &str,
    indicator: &str,
    _param: &str,
    month: chainpark_core::period::Month,
) -> (String, String) {
    (
        format!(
            "figure_years {alias} ON {alias}.enterprise_id = {enterprise} AND {alias}.indicator_id = {indicator} \
             AND {alias}.year = {}",
            month.year()
        ),
        format!("{alias}.v{}", month.month()),
    )
}

/// PostgreSQL: as [`month_value_sqlite`], the month's row of `figure_values`, the month bound as `param`.
pub(crate) fn month_value_postgres(
    alias: &str,
    enterprise: &str,
    indicator: &str,
    param: &str,
    _month: chainpark_core::period::Month,
) -> (String, String) {
    (
        format!(
            "figure_values {alias} ON {alias}.enterprise_id = {enterprise} AND {alias}.indicator_id = {indicator} \
             AND {alias}.month = {param}"
        ),
        format!("{alias}.value"),
    )
}

/// Runs blocking database work on the current thread, telling a multi-threaded runtime to move its other tasks
/// elsewhere meanwhile (a single-threaded runtime, as in tests, simply waits).
pub(crate) fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// SQLite keeps each table whole: nothing to make before writing months.
pub(crate) async fn partitions_sqlite(
    _c: &mut sqlx::SqliteConnection,
    _parent: &str,
    _months: &[i32],
) -> Result<()> {
    Ok(())
}

/// SQLite: no month is ever new (see [`NewMonths`]).
pub(crate) async fn new_months_sqlite(
    _c: &mut sqlx::SqliteConnection,
    _import_id: i64,
    _months: &[i32],
) -> Result<NewMonths> {
    Ok(NewMonths::default())
}

/// SQLite: nothing to attach.
pub(crate) async fn attach_months_sqlite(
    _c: &mut sqlx::SqliteConnection,
    _new_months: NewMonths,
) -> Result<()> {
    Ok(())
}

/// PostgreSQL: makes the month partitions (migrations 0022, 0031) that writing `months` of `parent` needs:
/// `meter_readings`, or `figure` for the three figure tables at once — for an import, before its write
/// transaction, and only of the months that have values' partitions already (normally nothing to make): the
/// others are new months, which the write transaction makes ([`new_months_postgres`]). Nothing is locked when the
/// partitions exist already.
pub(crate) async fn partitions_postgres(
    c: &mut sqlx::PgConnection,
    parent: &str,
    months: &[i32],
) -> Result<()> {
    if months.is_empty() {
        return Ok(());
    }
    let statement = if parent == "figure" {
        "SELECT chainpark_figure_partitions(ARRAY(SELECT m FROM unnest($1::INTEGER[]) AS m \
         WHERE chainpark_has_month('figure_values', m)))"
    } else {
        "SELECT chainpark_month_partitions($1, $2)"
    };
    let mut query = sqlx::query_scalar::<_, i32>(statement);
    if parent != "figure" {
        query = query.bind(parent);
    }
    query.bind(months).fetch_one(&mut *c).await?;
    Ok(())
}

/// PostgreSQL, in the import's write transaction: finds the import's months that have no partition of
/// `figure_values` yet and prepares their tables (`chainpark_new_figure_months`, migration 0031: under an advisory
/// lock per month, so that nobody else makes them meanwhile; a month made by someone else since the import read
/// its file is written as an existing one).
pub(crate) async fn new_months_postgres(
    c: &mut sqlx::PgConnection,
    import_id: i64,
    months: &[i32],
) -> Result<NewMonths> {
    if months.is_empty() {
        return Ok(NewMonths::default());
    }
    let loader = format!("figure_values_loading_{import_id}");
    let mut months: Vec<i32> = sqlx::query_scalar("SELECT chainpark_new_figure_months($1, $2)")
        .bind(months)
        .bind(&loader)
        .fetch_one(&mut *c)
        .await?;
    months.sort_unstable();
    Ok(NewMonths {
        months,
        loader,
        ..NewMonths::default()
    })
}

/// PostgreSQL, at the end of the import's write transaction: builds the keys of the new months' tables and
/// attaches them as partitions of `figure_values`.
pub(crate) async fn attach_months_postgres(
    c: &mut sqlx::PgConnection,
    mut new_months: NewMonths,
) -> Result<()> {
    if new_months.months.is_empty() {
        return Ok(());
    }
    new_months.copy_waiting(c).await?;
    if !new_months.aggregates.is_empty() {
        use chainpark_core::figures::Dimension;
        let mut cells = new_months.aggregates;
        cells.sort_unstable_by_key(|((dim, group, indicator, month), _)| {
            (*month, *dim, *indicator, *group)
        });
        let mut rows = CopyBinary::new(6, cells.len());
        for ((dim, group, indicator, month), (value, firms)) in cells {
            rows.row()
                .text(Dimension::ALL[dim].as_str())
                .int8(indicator)
                .int4(month)
                .int8(group)
                .int8(value)
                .int8(firms);
        }
        copy_in(
            c,
            format!(
                "COPY {}_aggregates (dimension, indicator_id, month, group_id, value, firms) FROM STDIN \
                 (FORMAT binary)",
                new_months.loader
            ),
            rows.finish(),
        )
        .await?;
    }
    sqlx::query("SELECT chainpark_attach_figure_months($1, $2)")
        .bind(&new_months.months)
        .bind(&new_months.loader)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Values per lookup of current values on PostgreSQL (3 parameters each): under its 65,535 parameters.
const PG_LOOKUP_ROWS: usize = 10_000;

/// Rows in PostgreSQL's binary COPY format (`COPY ... FROM STDIN (FORMAT binary)`): a signature and two empty
/// header fields, then per row its number of fields and each field as its length and its big-endian bytes, then
/// -1. Only the two integer types and the text the staging tables hold are written.
struct CopyBinary {
    bytes: Vec<u8>,
    fields: i16,
}

impl CopyBinary {
    fn new(fields: i16, rows: usize) -> CopyBinary {
        let mut bytes = Vec::with_capacity(19 + rows * (2 + fields as usize * 12) + 2);
        bytes.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        bytes.extend_from_slice(&0i32.to_be_bytes());
        bytes.extend_from_slice(&0i32.to_be_bytes());
        CopyBinary { bytes, fields }
    }

    fn row(&mut self) -> &mut Self {
        self.bytes.extend_from_slice(&self.fields.to_be_bytes());
        self
    }

    fn int8(&mut self, n: i64) -> &mut Self {
        self.bytes.extend_from_slice(&8i32.to_be_bytes());
        self.bytes.extend_from_slice(&n.to_be_bytes());
        self
    }

    fn int4(&mut self, n: i32) -> &mut Self {
        self.bytes.extend_from_slice(&4i32.to_be_bytes());
        self.bytes.extend_from_slice(&n.to_be_bytes());
        self
    }

    /// Text: its UTF-8 bytes.
    fn text(&mut self, s: &str) -> &mut Self {
        self.bytes
            .extend_from_slice(&(s.len() as i32).to_be_bytes());
        self.bytes.extend_from_slice(s.as_bytes());
        self
    }

    fn finish(mut self) -> Vec<u8> {
        self.bytes.extend_from_slice(&(-1i16).to_be_bytes());
        self.bytes
    }

    /// The rows so far with the end mark, to be sent; [`CopyBinary::clear`] then makes room for the next rows in
    /// the same allocation.
    fn ended(&mut self) -> &[u8] {
        self.bytes.extend_from_slice(&(-1i16).to_be_bytes());
        &self.bytes
    }

    /// Back to no rows, the allocation kept.
    fn clear(&mut self) {
        self.bytes.truncate(COPY_HEADER);
    }
}

/// The signature and the two header fields of the binary COPY format.
const COPY_HEADER: usize = 19;

/// Copies `data` (binary COPY format) into the connection's empty temporary table `table`, made on first use
/// with `columns`; it is emptied at the end of the transaction. The future is boxed as `Send` by hand: the
/// compiler cannot prove it of sqlx's COPY future inside the store's `async_trait` methods.
fn copy_staged<'a>(
    c: &'a mut sqlx::PgConnection,
    table: &'static str,
    columns: &'static str,
    data: Vec<u8>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + 'a>> {
    Box::pin(async move {
        sqlx::query(&format!(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns}) ON COMMIT DELETE ROWS"
        ))
        .execute(&mut *c)
        .await?;
        sqlx::query(&format!("TRUNCATE {table}"))
            .execute(&mut *c)
            .await?;
        copy_in(c, format!("COPY {table} FROM STDIN (FORMAT binary)"), data).await
    })
}

/// Runs `statement`, a `COPY ... FROM STDIN (FORMAT binary)`, with `data`; boxed as `Send` like [`copy_staged`].
fn copy_in<'a>(
    c: &'a mut sqlx::PgConnection,
    statement: String,
    data: impl std::ops::Deref<Target = [u8]> + Send + 'a,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + 'a>> {
    Box::pin(async move {
        let mut copy = c.copy_in_raw(&statement).await?;
        copy.send(data).await?;
        copy.finish().await?;
        Ok(())
    })
}

/// Key → (value, import) of the values current before a batch.
type CurrentValues = rustc_hash::FxHashMap<(i64, i64, i32), (i64, i64)>;

/// The enterprises, indicators and first and last month of a sorted chunk, when the keys they span hold at most
/// [`RANGE_SPREAD`] times the chunk's own: then one range read finds the chunk's current values among few others.
fn key_ranges(chunk: &[FigureValue]) -> Option<(Vec<i64>, Vec<i64>, i32, i32)> {
    let mut enterprises: Vec<i64> = chunk.iter().map(|v| v.enterprise_id).collect();
    enterprises.dedup();
    let mut indicators: Vec<i64> = chunk.iter().map(|v| v.indicator_id).collect();
    indicators.sort_unstable();
    indicators.dedup();
    let months = chunk.iter().map(|v| v.month.key());
    let (first, last) = (months.clone().min()?, months.max()?);
    let span = |key: i32| i64::from(key / 100) * 12 + i64::from(key % 100);
    let keys = (enterprises.len() as i64)
        .saturating_mul(indicators.len() as i64)
        .saturating_mul(span(last) - span(first) + 1);
    (keys <= RANGE_SPREAD * chunk.len() as i64).then_some((enterprises, indicators, first, last))
}

/// How many keys a range read of a chunk may span for each value of the chunk.
const RANGE_SPREAD: i64 = 4;

/// PostgreSQL: compares a batch with the current values, looked up a chunk at a time.
pub(crate) async fn compare_postgres(
    c: &mut sqlx::PgConnection,
    mut values: Vec<FigureValue>,
) -> Result<Vec<Staged>> {
    type Db = sqlx::Postgres;
    sort(&mut values);
    let mut current: CurrentValues = Default::default();
    for chunk in values.chunks(PG_LOOKUP_ROWS) {
        let rows: Vec<(i64, i64, i32, i64, i64)> = match key_ranges(chunk) {
            // A chunk of a few enterprises' runs (a file in the usual order): one range read, its months pruned to
            // their partitions, each enterprise through the partitions' primary keys.
            Some((enterprises, indicators, first, last)) => {
                sqlx::query_as(
                    "SELECT enterprise_id, indicator_id, month, value, import_id FROM figure_values \
                     WHERE enterprise_id = ANY($1) AND indicator_id = ANY($2) AND month BETWEEN $3 AND $4",
                )
                .bind(enterprises)
                .bind(indicators)
                .bind(first)
                .bind(last)
                .fetch_all(&mut *c)
                .await?
            }
            // Keys spread thinly (a file in another order): each key looked up.
            None => {
                let mut qb: QueryBuilder<'static, Db> =
                    QueryBuilder::new("WITH j (enterprise_id, indicator_id, month) AS (");
                qb.push_values(chunk.iter(), |mut b, v| {
                    b.push_bind(v.enterprise_id)
                        .push_bind(v.indicator_id)
                        .push_bind(v.month.key());
                });
                qb.push(
                    ") SELECT v.enterprise_id, v.indicator_id, v.month, v.value, v.import_id \
                     FROM j JOIN figure_values v ON v.enterprise_id = j.enterprise_id \
                       AND v.indicator_id = j.indicator_id AND v.month = j.month",
                );
                qb.build_query_as().fetch_all(&mut *c).await?
            }
        };
        current.extend(
            rows.into_iter()
                .map(|(e, i, m, v, import)| ((e, i, m), (v, import))),
        );
    }
    Ok(values
        .into_iter()
        .map(|v| Staged {
            value: v,
            held: held(
                v.value,
                current
                    .get(&(v.enterprise_id, v.indicator_id, v.month.key()))
                    .copied(),
            ),
        })
        .collect())
}

/// PostgreSQL: the values of new months wait in `new_months` to be copied (binary COPY) into their months' tables
/// many at a time ([`NewMonths`]); the others are copied into a temporary staging table,
/// then merged into the values in one statement. `history_written` as for [`apply_sqlite`].
pub(crate) async fn apply_postgres(
    c: &mut sqlx::PgConnection,
    import_id: i64,
    staged: Vec<Staged>,
    deltas: &mut AggregateDeltas,
    history_written: bool,
    new_months: &mut NewMonths,
) -> Result<BatchCounts> {
    if !history_written {
        history_postgres(c, import_id, &replaced(&staged)).await?;
    }
    let mut values = Vec::with_capacity(staged.len());
    let mut fresh = Vec::new();
    let mut unchanged = 0;
    for s in staged {
        match note(s, deltas) {
            Some(v) if new_months.holds(v.month.key()) => fresh.push(v),
            Some(v) => values.push(v),
            None => unchanged += 1,
        }
    }
    let written = (values.len() + fresh.len()) as i64;
    // In key order within each month, so that its table's key is built from presorted rows.
    fresh.sort_unstable_by_key(|v| (v.month.key(), v.enterprise_id, v.indicator_id));
    for v in &fresh {
        if let Some(month) = new_months.wait(v, import_id) {
            new_months.copy_month(c, month).await?;
        }
    }
    if values.is_empty() {
        return Ok((written, unchanged));
    }
    let mut rows = CopyBinary::new(4, values.len());
    for v in &values {
        rows.row()
            .int8(v.enterprise_id)
            .int8(v.indicator_id)
            .int4(v.month.key())
            .int8(v.value);
    }
    copy_staged(
        c,
        "staged_figure_values",
        "enterprise_id BIGINT, indicator_id BIGINT, month INTEGER, value BIGINT",
        rows.finish(),
    )
    .await?;
    sqlx::query(
        "INSERT INTO figure_values (enterprise_id, indicator_id, month, value, import_id) \
         SELECT enterprise_id, indicator_id, month, value, $1 FROM staged_figure_values \
         ON CONFLICT (enterprise_id, indicator_id, month) DO UPDATE SET value = excluded.value, \
         import_id = excluded.import_id",
    )
    .bind(import_id)
    .execute(&mut *c)
    .await?;
    Ok((written, unchanged))
}

/// PostgreSQL: writes the history of replaced values. The old value keeps the instant of its import, and is
/// superseded at this import's instant.
pub(crate) async fn history_postgres(
    c: &mut sqlx::PgConnection,
    import_id: i64,
    rows: &[Replaced],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut data = CopyBinary::new(5, rows.len());
    for (v, old, old_import) in rows {
        data.row()
            .int8(v.enterprise_id)
            .int8(v.indicator_id)
            .int4(v.month.key())
            .int8(*old)
            .int8(*old_import);
    }
    copy_staged(
        c,
        "staged_figure_history",
        "e BIGINT, i BIGINT, m INTEGER, v BIGINT, o BIGINT",
        data.finish(),
    )
    .await?;
    sqlx::query(
        "INSERT INTO figure_history (enterprise_id, indicator_id, month, value, recorded_at, import_id, \
         superseded_at, superseded_by) SELECT j.e, j.i, j.m, j.v, o.at, o.id, n.at, n.id \
         FROM staged_figure_history j JOIN figure_imports o ON o.id = j.o JOIN figure_imports n ON n.id = $1",
    )
    .bind(import_id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chainpark_core::period::Month;

    fn value(enterprise_id: i64, indicator_id: i64, year: i32, month: u32) -> FigureValue {
        FigureValue {
            enterprise_id,
            indicator_id,
            month: Month::new(year, month).expect("a month"),
            value: 1,
        }
    }

    #[test]
    fn a_batch_is_sorted_by_key_whether_it_comes_in_file_order_or_any_other() {
        let mut file_order = Vec::new();
        for enterprise in [3, 5] {
            for month in 1..=12 {
                for indicator in [20, 10, 30] {
                    file_order.push(value(enterprise, indicator, 2021, month));
                }
            }
        }
        let mut expected = file_order.clone();
        expected.sort_unstable_by_key(|v| (v.enterprise_id, v.indicator_id, v.month));
        let mut many_indicators: Vec<FigureValue> = (1..=3)
            .flat_map(|month| (1..=20).rev().map(move |i| value(7, i, 2021, month)))
            .collect();
        let mut scattered = expected.clone();
        scattered.reverse();
        for batch in [&mut file_order, &mut scattered] {
            sort(batch);
            assert_eq!(&expected, batch);
        }
        many_indicators.sort_by_key(|v| v.month);
        let mut many_expected = many_indicators.clone();
        many_expected.sort_unstable_by_key(|v| (v.enterprise_id, v.indicator_id, v.month));
        sort(&mut many_indicators);
        assert_eq!(many_expected, many_indicators);
    }

    #[test]
    fn a_chunk_of_few_enterprises_runs_is_read_as_one_range_and_scattered_keys_are_not() {
        // Two enterprises × two indicators × 2021-11..2022-02 (4 months): 16 keys for 16 values.
        let mut runs = Vec::new();
        for enterprise in [3, 7] {
            for indicator in [1, 2] {
                for (year, month) in [(2021, 11), (2021, 12), (2022, 1), (2022, 2)] {
                    runs.push(value(enterprise, indicator, year, month));
                }
            }
        }
        assert_eq!(
            key_ranges(&runs),
            Some((vec![3, 7], vec![1, 2], 202111, 202202))
        );
        // Three values ten years apart for three enterprises: 3 × 1 × 241 months spanned for 3 values.
        let scattered = [
            value(1, 1, 2010, 1),
            value(2, 1, 2015, 1),
            value(3, 1, 2030, 1),
        ];
        assert_eq!(key_ranges(&scattered), None);
    }

    /// A batch larger than a packing part, cut in the middle of a year's row, writes every changed month once with
    /// the import's id, leaves the months it does not change (and the equal ones) as they were, counts what it
    /// did and notes every change in the deltas.
    #[test]
    fn a_batch_packed_in_parts_writes_every_changed_month_once_and_keeps_the_others() {
        let conn = rusqlite::Connection::open_in_memory().expect("opens");
        conn.execute_batch(&format!(
            "CREATE TABLE figure_years (enterprise_id INTEGER NOT NULL, indicator_id INTEGER NOT NULL, \
             year INTEGER NOT NULL, {SQLITE_MONTHS}, PRIMARY KEY (enterprise_id, indicator_id, year)) WITHOUT ROWID; \
             INSERT INTO figure_years VALUES (1, 1, 2020, 1,1, 2,1, 3,1, 4,1, 5,1, 6,1, 7,1, 8,1, 9,1, 10,1, 11,1, \
             12,1);"
        ))
        .expect("a year stored by import 1");
        // 120 enterprises × 180 months (2008–2022): the part's cut at 20,000 falls in 2009 of enterprise 112.
        let mut staged = Vec::new();
        for enterprise in 1..=120 {
            for year in 2008..=2022 {
                for month in 1..=12u32 {
                    let v = FigureValue {
                        value: enterprise * 1000 + i64::from(month),
                        ..value(enterprise, 1, year, month)
                    };
                    let held = match (enterprise, year, month) {
                        // Stored: the first three months equal, the next three changed, the rest not in the file.
                        (1, 2020, 1..=3) => Held::Same,
                        (1, 2020, 4..=6) => Held::Other {
                            value: i64::from(month),
                            import_id: 1,
                        },
                        (1, 2020, _) => continue,
                        _ => Held::Nothing,
                    };
                    let v = if held == Held::Same {
                        FigureValue {
                            value: i64::from(month),
                            ..v
                        }
                    } else {
                        v
                    };
                    staged.push(Staged { value: v, held });
                }
            }
        }
        assert!(staged.len() > SQLITE_PACKED_AT_ONCE);
        let expected_delta: i64 = staged
            .iter()
            .map(|s| match s.held {
                Held::Nothing => s.value.value,
                Held::Same => 0,
                Held::Other { value, .. } => s.value.value - value,
            })
            .sum();
        let members = (1..=120).map(|e| (e, vec![(0, 7)])).collect();
        let mut deltas = AggregateDeltas::new(members);
        let counts = sqlite_apply(&conn, 9, staged.clone(), &mut deltas, true).expect("written");
        assert_eq!(counts, (staged.len() as i64 - 3, 3));
        let noted: i64 = deltas
            .take_by_group(|_| true)
            .iter()
            .map(|(_, (value, _))| value)
            .sum();
        assert_eq!(noted, expected_delta);

        let mut read = conn
            .prepare(&format!(
                "SELECT enterprise_id, year, {SQLITE_MONTHS} FROM figure_years ORDER BY 1, 2"
            ))
            .expect("prepared");
        let rows: Vec<(i64, i32, YearRow)> = read
            .query_map([], |r| {
                let mut months: YearRow = [None; 12];
                for (m, held) in months.iter_mut().enumerate() {
                    let value: Option<i64> = r.get(2 + 2 * m)?;
                    let import: Option<i64> = r.get(3 + 2 * m)?;
                    *held = value.zip(import);
                }
                Ok((r.get(0)?, r.get(1)?, months))
            })
            .expect("read")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(rows.len(), 120 * 15, "one row a year, none twice");
        for (enterprise, year, months) in rows {
            for (m, held) in months.into_iter().enumerate() {
                let month = m as i64 + 1;
                let expected = match (enterprise, year, month) {
                    (1, 2020, 1..=3) | (1, 2020, 7..) => (month, 1),
                    _ => (enterprise * 1000 + month, 9),
                };
                assert_eq!(held, Some(expected), "{enterprise} {year}-{month:02}");
            }
        }
    }
}
