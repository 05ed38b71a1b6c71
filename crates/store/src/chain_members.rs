//! Reading the members of chain segments with their output (the largest part of a chain diagnosis's facts), the one
//! part of chain intelligence written once per engine: all chains at once read nearly every membership of the zone
//! (114,242 at the city tier), and each engine has its own fastest way to hand that many rows over. The query itself
//! is the same on both (`src/sql/chain_intel.rs` writes it).
//!
//! SQLite: the rows are stepped through rusqlite on sqlx's own connection, four integers a row read straight from
//! the statement, as the figure imports write (see `figure_batches`): going through sqlx's worker thread costs a
//! channel message per row. PostgreSQL: the server packs each segment's members into one text (`string_agg`), so a
//! few hundred rows cross instead of one per membership, and the text is split back here.

use chainpark_core::chain_intel::Member;
use chainpark_core::registry::Id;
use chrono::NaiveDate;

use crate::Result;
use crate::figure_batches::blocking;

/// The membership query and its parameters: `$1` the indicator, `$2` the month's key, `$3` the key of the same
/// month a year earlier, `$4` the month's last day. Its rows are (segment, enterprise, output, output a year
/// earlier).
pub(crate) struct MemberQuery {
    pub sql: String,
    pub indicator_id: i64,
    pub month: i32,
    pub year_earlier: i32,
    pub day: NaiveDate,
}

/// SQLite: the members, one row each, stepped on this thread through rusqlite.
pub(crate) async fn members_sqlite(
    c: &mut sqlx::SqliteConnection,
    q: &MemberQuery,
) -> Result<Vec<Member>> {
    let mut handle = c.lock_handle().await?;
    let raw = handle.as_raw_handle();
    blocking(|| {
        // SAFETY: `handle` keeps sqlx's worker thread away from the connection until it is dropped, after this
        // closure; the statement below is the connection's only user meanwhile, and a rusqlite connection made
        // from a handle does not close it when dropped (see `figure_batches::apply_sqlite`).
        #[allow(unsafe_code)]
        let conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
        let mut statement = conn.prepare(&q.sql)?;
        // Dates are kept as `YYYY-MM-DD` text on SQLite, as sqlx writes them. Bound by name, and only the names
        // the statement holds: SQLite numbers `$n` parameters in the order they first appear, and its value
        // lookups write the months into the statement (`figure_batches::month_value_sqlite`).
        let day = q.day.format("%Y-%m-%d").to_string();
        let parameters: [(&str, &dyn rusqlite::ToSql); 4] = [
            ("$1", &q.indicator_id),
            ("$2", &q.month),
            ("$3", &q.year_earlier),
            ("$4", &day),
        ];
        for (name, value) in parameters {
            if let Some(index) = statement.parameter_index(name)? {
                statement.raw_bind_parameter(index, value)?;
            }
        }
        let mut rows = statement.raw_query();
        let mut members = Vec::new();
        while let Some(row) = rows.next()? {
            members.push(Member {
                segment_id: row.get(0)?,
                enterprise_id: row.get(1)?,
                output: row.get(2)?,
                output_year_earlier: row.get(3)?,
            });
        }
        Ok(members)
    })
}

/// PostgreSQL: the members packed one row per segment as `enterprise:output:output_year_earlier` joined by commas.
pub(crate) async fn members_postgres(
    c: &mut sqlx::PgConnection,
    q: &MemberQuery,
) -> Result<Vec<Member>> {
    let packed: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT m.segment_id, string_agg(CAST(m.enterprise_id AS TEXT) || ':' || CAST(m.output AS TEXT) || ':' \
         || CAST(m.output_year_earlier AS TEXT), ',') FROM ({}) m GROUP BY m.segment_id",
        q.sql
    ))
    .bind(q.indicator_id)
    .bind(q.month)
    .bind(q.year_earlier)
    .bind(q.day)
    .fetch_all(&mut *c)
    .await?;
    let mut members = Vec::new();
    for (segment_id, text) in packed {
        unpack_members(segment_id, &text, &mut members)?;
    }
    Ok(members)
}

/// Unpacks one segment's members (see [`members_postgres`]) onto `out`; a malformed item is an error naming the
/// segment, never skipped.
fn unpack_members(segment_id: Id, packed: &str, out: &mut Vec<Member>) -> Result<()> {
    let bad = |detail: &str| {
        crate::common::corrupt("segment", segment_id, format!("packed members: {detail}"))
    };
    for item in packed.split(',').filter(|i| !i.is_empty()) {
        let mut parts = item.splitn(3, ':').map(str::parse::<i64>);
        let mut next = || -> Result<i64> {
            parts
                .next()
                .ok_or_else(|| bad(item))?
                .map_err(|_| bad(item))
        };
        let (enterprise_id, output, output_year_earlier) = (next()?, next()?, next()?);
        out.push(Member {
            segment_id,
            enterprise_id,
            output,
            output_year_earlier,
        });
    }
    Ok(())
}
