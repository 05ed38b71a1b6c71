//! The rules that keep the PostgreSQL schema ready for a distributed engine that speaks its protocol (Citus; see
//! docs/scale.md), read from the catalogue of a migrated database. The high-volume tables are distributed by the
//! column named here; every other table of the schema is a reference table (copied to every node). The rules:
//! * every primary and unique key of a distributed table includes its distribution column (Citus refuses one that
//!   does not: uniqueness could not be checked on one node);
//! * no foreign key points from a reference table to a distributed one (Citus refuses it);
//! * a foreign key between two distributed tables joins them on their distribution columns (co-location);
//! * each table of [`PARTITIONED_BY_MONTH`] is partitioned by range of its month column, so that old months can be
//!   detached and archived.

use sqlx::PgConnection;

use crate::Result;

/// The high-volume tables and the column each is distributed by.
pub const DISTRIBUTED: &[(&str, &str)] = &[
    ("figure_values", "enterprise_id"),
    ("figure_history", "enterprise_id"),
    ("figure_aggregates", "group_id"),
    ("meter_readings", "meter_id"),
    ("meter_rollups", "meter_id"),
];

/// The tables partitioned by month, with their partition column (yyyymm, or Unix seconds for readings).
pub const PARTITIONED_BY_MONTH: &[(&str, &str)] = &[
    ("figure_values", "month"),
    ("figure_history", "month"),
    ("figure_aggregates", "month"),
    ("meter_readings", "t"),
];

/// Every broken rule of the schema the connection's `search_path` names first, one sentence each; empty when the
/// schema is ready to distribute.
pub async fn check(c: &mut PgConnection) -> Result<Vec<String>> {
    let mut broken = Vec::new();
    let tables: Vec<String> = DISTRIBUTED.iter().map(|(t, _)| t.to_string()).collect();
    let columns: Vec<String> = DISTRIBUTED.iter().map(|(_, c)| c.to_string()).collect();
    let keys: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT t.relname::TEXT, i.relname::TEXT, d.col FROM pg_index x \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN unnest($1::TEXT[], $2::TEXT[]) AS d (tab, col) ON d.tab = t.relname \
         WHERE t.relnamespace = current_schema()::regnamespace AND x.indisunique \
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = d.col \
                           AND a.attnum = ANY (x.indkey)) \
         ORDER BY 1, 2",
    )
    .bind(&tables)
    .bind(&columns)
    .fetch_all(&mut *c)
    .await?;
    for (table, index, column) in keys {
        broken.push(format!(
            "{table}: the unique key {index} does not include the distribution column {column}"
        ));
    }
    let foreign: Vec<(String, String, String, bool, bool)> = sqlx::query_as(
        "SELECT s.relname::TEXT, f.conname::TEXT, r.relname::TEXT, \
           EXISTS (SELECT 1 FROM unnest($1::TEXT[], $2::TEXT[]) AS d (tab, col) \
                   JOIN pg_attribute a ON a.attrelid = s.oid AND a.attname = d.col \
                   WHERE d.tab = s.relname AND a.attnum = ANY (f.conkey)), \
           EXISTS (SELECT 1 FROM unnest($1::TEXT[], $2::TEXT[]) AS d (tab, col) \
                   JOIN pg_attribute a ON a.attrelid = r.oid AND a.attname = d.col \
                   WHERE d.tab = r.relname AND a.attnum = ANY (f.confkey)) \
         FROM pg_constraint f \
         JOIN pg_class s ON s.oid = f.conrelid \
         JOIN pg_class r ON r.oid = f.confrelid \
         WHERE f.contype = 'f' AND f.conparentid = 0 AND s.relnamespace = current_schema()::regnamespace \
           AND NOT s.relispartition AND NOT r.relispartition AND r.relname = ANY ($1) \
         ORDER BY 1, 2",
    )
    .bind(&tables)
    .bind(&columns)
    .fetch_all(&mut *c)
    .await?;
    for (from, constraint, to, from_column, to_column) in foreign {
        if !tables.contains(&from) {
            broken.push(format!(
                "{from}: the foreign key {constraint} points from a reference table to the distributed table {to}"
            ));
        } else if !(from_column && to_column) {
            broken.push(format!(
                "{from}: the foreign key {constraint} to {to} does not join their distribution columns"
            ));
        }
    }
    for (table, column) in PARTITIONED_BY_MONTH {
        let key: Option<(String, String)> = sqlx::query_as(
            "SELECT p.partstrat::TEXT, a.attname::TEXT FROM pg_partitioned_table p \
             JOIN pg_class t ON t.oid = p.partrelid \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = p.partattrs[0] \
             WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = $1 AND p.partnatts = 1",
        )
        .bind(table)
        .fetch_optional(&mut *c)
        .await?;
        if key != Some(("r".to_string(), column.to_string())) {
            broken.push(format!(
                "{table}: not partitioned by range of {column} (month partitions)"
            ));
        }
    }
    Ok(broken)
}
