//! Figures in SQL, compiled once per engine (`crate::sqlite`, `crate::postgres`) with that engine's `Db` and
//! store type `Engine`.

use super::{Db, Engine};
use std::collections::HashMap;

use crate::common::push_reached_condition;
use crate::disclosure_facts::{BaseCache, BaseKey, FactsCache, FactsKey, SharedFacts};
use async_trait::async_trait;
use chainpark_core::access::{Kind, Place, Reach};
use chainpark_core::digital_economy::{DigitalEconomyCategory, DigitalEconomyMap};
use chainpark_core::disclosure::{CellFacts, figure_reach};
use chainpark_core::district::DistrictCode;
use chainpark_core::figures::*;
use chainpark_core::list::{Page, Paging};
use chainpark_core::period::{Month, Period};
use chainpark_core::registry::Id;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use std::sync::Arc;

use crate::figure_batches::{NewMonths, all_new, blocking};
use crate::figures::*;
use crate::import_timing::PhaseTimes;
use crate::staging::{Prefetched, Staging};
use crate::{Actor, Result, StoreError};
use std::time::Instant;
type Conn = <Db as sqlx::Database>::Connection;

const INDICATOR_COLUMNS: &str = "SELECT id, code, name_zh, name_en, unit, aggregation, allow_negative, \
    aliases, builtin, archived, max_per_month FROM indicators";
const IMPORT_COLUMNS: &str = "SELECT id, at, actor, file_name, stored, values_received, values_changed, \
    values_unchanged, report FROM figure_imports";
/// History rows an import writes in each of its transactions before its write transaction: short enough for
/// other writes to get their turn often (about 0.1 s each on SQLite).
const HISTORY_ROWS_A_TRANSACTION: usize = 50_000;
/// Enterprises whose history of a failed import is removed in each transaction.
const ENTERPRISES_FORGOTTEN_A_TRANSACTION: usize = 50;
/// Lines `check_figures` lists of aggregates that differ from their values; further ones are counted.
const LISTED_MISMATCHES: usize = 1000;

/// Takes the lock that every transaction writing values, aggregates or the catalogue takes first, so
/// they follow one another on PostgreSQL too (SQLite's writer lock already orders them), and returns the
/// revision of the values: it changes whenever an import changes values.
async fn lock_figures(c: &mut Conn) -> Result<i64> {
    sqlx::query("UPDATE figure_revision SET revision = revision WHERE id = 1")
        .execute(&mut *c)
        .await?;
    figure_revision(c).await
}

async fn figure_revision(c: &mut Conn) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT revision FROM figure_revision WHERE id = 1")
            .fetch_one(&mut *c)
            .await?,
    )
}

async fn indicator_by_id(c: &mut Conn, id: Id) -> Result<Indicator> {
    let row: Option<IndicatorRow> = sqlx::query_as(&format!("{INDICATOR_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound {
        kind: "indicator",
        id,
    })?
    .into_indicator()
}

/// Each of the draft's code, names and aliases must mean no other indicator: compared as the import
/// compares a file's headers (case, width, spacing, punctuation and bracketed units set aside), so that
/// no file can be ambiguous. Checked in the transaction that writes the indicator.
async fn check_indicator_names(c: &mut Conn, id: Option<Id>, d: &IndicatorDraft) -> Result<()> {
    let others: Vec<IndicatorRow> = sqlx::query_as(&format!("{INDICATOR_COLUMNS} WHERE id <> $1"))
        .bind(id.unwrap_or(-1))
        .fetch_all(&mut *c)
        .await?;
    let mut taken: HashMap<String, (String, String)> = HashMap::new();
    for other in others {
        let other = other.into_indicator()?;
        let def = chainpark_import::IndicatorDef::from(&other);
        for name in def.names() {
            taken
                .entry(chainpark_import::name_key(name))
                .or_insert_with(|| (other.code.clone(), name.to_string()));
        }
    }
    let mut names = vec![
        ("code".to_string(), d.code.as_str()),
        ("name_zh".to_string(), d.name_zh.as_str()),
    ];
    if !d.name_en.is_empty() {
        names.push(("name_en".to_string(), d.name_en.as_str()));
    }
    names.extend(
        d.aliases
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("aliases[{i}]"), a.as_str())),
    );
    for (field, name) in names {
        let key = chainpark_import::name_key(name);
        if key.is_empty() {
            return Err(StoreError::invalid(
                &field,
                format!("{name:?} is empty once spacing, punctuation and brackets are set aside"),
            ));
        }
        if let Some((other, as_written)) = taken.get(&key) {
            return Err(StoreError::conflict(
                &field,
                format!(
                    "{name:?} would also mean indicator {other} (its name {as_written:?}): a file could \
                     not tell the two apart"
                ),
            ));
        }
    }
    Ok(())
}

/// Writes an indicator's change with its audit entry.
async fn audit_indicator(
    c: &mut Conn,
    actor: &Actor,
    action: &str,
    before: Option<&Indicator>,
    after: &Indicator,
) -> Result<()> {
    super::tx::audit(c, actor, "indicator", after.id, action, before, Some(after)).await
}

/// What may have changed since a file was read, checked again in its write transaction: enterprises
/// archived, indicators archived or given a lower maximum. A refusal stores nothing.
async fn check_staged_against_registry(c: &mut Conn, staging: &Staging) -> Result<()> {
    // Every enterprise and indicator the values name exists: checked here for the whole import at once, not by a
    // foreign key on each value (PostgreSQL's values have none since migration 0026; `chainpark check` looks for
    // values whose enterprise or indicator is missing).
    let known: rustc_hash::FxHashSet<i64> = sqlx::query_scalar("SELECT id FROM enterprises")
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .collect();
    if let Some(id) = staging.enterprises.iter().find(|id| !known.contains(id)) {
        return Err(StoreError::conflict(
            "file",
            format!("enterprise {id} no longer exists; nothing was stored"),
        ));
    }
    let archived: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, credit_code FROM enterprises WHERE archived = $1")
            .bind(true)
            .fetch_all(&mut *c)
            .await?;
    if let Some((_, code)) = archived
        .iter()
        .find(|(id, _)| staging.enterprises.contains(id))
    {
        return Err(StoreError::conflict(
            "file",
            format!(
                "enterprise {code} is archived and takes no new figures; nothing was stored (import the \
                 file again to have its rows reported)"
            ),
        ));
    }
    let indicators: Vec<IndicatorRow> =
        sqlx::query_as(INDICATOR_COLUMNS).fetch_all(&mut *c).await?;
    if let Some(id) = staging
        .largest
        .keys()
        .find(|id| !indicators.iter().any(|row| row.id == **id))
    {
        return Err(StoreError::conflict(
            "file",
            format!("indicator {id} no longer exists; nothing was stored"),
        ));
    }
    for row in indicators {
        let indicator = row.into_indicator()?;
        let Some(&largest) = staging.largest.get(&indicator.id) else {
            continue;
        };
        if indicator.archived {
            return Err(StoreError::conflict(
                "file",
                format!(
                    "indicator {} is archived and takes no new figures; nothing was stored (import the \
                     file again to have its rows reported)",
                    indicator.code
                ),
            ));
        }
        if largest > indicator.max_per_month_in_force.unsigned_abs() {
            return Err(StoreError::conflict(
                "file",
                format!(
                    "indicator {} takes at most {} per enterprise and month; nothing was stored (import \
                     the file again to have its rows reported)",
                    indicator.code,
                    amount::to_decimal(indicator.max_per_month_in_force)
                ),
            ));
        }
    }
    Ok(())
}

async fn indicator_by_code(c: &mut Conn, code: &str) -> Result<Indicator> {
    let row: Option<IndicatorRow> = sqlx::query_as(&format!("{INDICATOR_COLUMNS} WHERE code = $1"))
        .bind(code)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or_else(|| {
        StoreError::invalid(
            "indicator",
            format!("{code:?} is not in the indicator catalogue"),
        )
    })?
    .into_indicator()
}

/// Gives every enterprise without a category row (or whose industry code changed) the category its
/// industry code maps to; hand-set categories stay.
async fn sync_categories(c: &mut Conn, map: &DigitalEconomyMap) -> Result<()> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT e.id, e.industry_code FROM enterprises e \
         LEFT JOIN enterprise_digital_categories d ON d.enterprise_id = e.id \
         WHERE d.enterprise_id IS NULL OR (d.overridden = FALSE AND d.industry_code <> e.industry_code)",
    )
    .fetch_all(&mut *c)
    .await?;
    for chunk in rows.chunks(2000) {
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "INSERT INTO enterprise_digital_categories (enterprise_id, category, industry_code, overridden) ",
        );
        qb.push_values(chunk.iter().cloned(), |mut b, (id, code)| {
            let category = derived_category(map, &code);
            b.push_bind(id)
                .push_bind(category.map(|c| c.code()))
                .push_bind(code)
                .push_bind(false);
        });
        qb.push(
            " ON CONFLICT (enterprise_id) DO UPDATE SET category = excluded.category, \
             industry_code = excluded.industry_code, overridden = excluded.overridden",
        );
        qb.build().execute(&mut *c).await?;
    }
    Ok(())
}

/// Brings the group memberships up to date with the registry; true when they changed, so the
/// aggregates must be rebuilt.
/// The latest mapping loaded, or the shipped one.
async fn map_in_force(c: &mut Conn) -> Result<DigitalMapInForce> {
    let row: Option<(DateTime<Utc>, String, String, Option<String>)> = sqlx::query_as(
        "SELECT loaded_at, actor, file_name, mapping FROM digital_economy_maps ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(&mut *c)
    .await?;
    let Some((since, actor, file_name, mapping)) = row else {
        return Ok(DigitalMapInForce {
            origin: DigitalMapOrigin::Shipped,
            since: None,
            actor: None,
            file_name: String::new(),
            map: SHIPPED_DIGITAL_MAP.clone(),
        });
    };
    let (origin, map) = match mapping {
        Some(csv) => (
            DigitalMapOrigin::Loaded,
            DigitalEconomyMap::from_csv(&csv)
                .map_err(|e| StoreError::Corrupt(format!("digital_economy_maps: {e}")))?,
        ),
        None => (DigitalMapOrigin::Shipped, SHIPPED_DIGITAL_MAP.clone()),
    };
    Ok(DigitalMapInForce {
        origin,
        since: Some(since),
        actor: Some(actor),
        file_name,
        map,
    })
}

/// Gives every enterprise already classified, and not by hand, the category `map` derives; returns how
/// many changed. Enterprises never classified yet get theirs from [`refresh_members`].
async fn reclassify(c: &mut Conn, map: &DigitalEconomyMap) -> Result<usize> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT enterprise_id, industry_code, category FROM enterprise_digital_categories WHERE overridden = $1",
    )
    .bind(false)
    .fetch_all(&mut *c)
    .await?;
    let changed: Vec<(i64, Option<&'static str>)> = rows
        .into_iter()
        .filter_map(|(id, code, stored)| {
            let derived = derived_category(map, &code).map(|c| c.code());
            (derived != stored.as_deref()).then_some((id, derived))
        })
        .collect();
    for chunk in changed.chunks(2000) {
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "UPDATE enterprise_digital_categories SET category = CASE enterprise_id ",
        );
        for (id, category) in chunk {
            qb.push("WHEN ")
                .push_bind(*id)
                .push(" THEN ")
                .push_bind(*category)
                .push(" ");
        }
        qb.push("END WHERE enterprise_id IN (");
        let mut ids = qb.separated(", ");
        for (id, _) in chunk {
            ids.push_bind(*id);
        }
        qb.push(")");
        qb.build().execute(&mut *c).await?;
    }
    Ok(changed.len())
}

async fn refresh_members(c: &mut Conn, map: &DigitalEconomyMap) -> Result<bool> {
    sync_categories(c, map).await?;
    // The memberships the registry gives, computed once (materialized), against the stored ones: both sets hold
    // each membership once (a UNION; the primary key), so they are equal when both are as large as what they
    // share, found through the stored ones' primary key (cheaper than comparing both ways with EXCEPT).
    let (computed, stored, shared): (i64, i64, i64) = sqlx::query_as(&format!(
        "WITH n AS MATERIALIZED ({MEMBERS_SQL}) \
         SELECT (SELECT COUNT(*) FROM n), (SELECT COUNT(*) FROM figure_group_members), \
                (SELECT COUNT(*) FROM n JOIN figure_group_members m ON m.dimension = n.dimension \
                   AND m.group_id = n.group_id AND m.enterprise_id = n.enterprise_id)"
    ))
    .fetch_one(&mut *c)
    .await?;
    if computed == shared && stored == shared {
        return Ok(false);
    }
    // What is computed from the values and the memberships (disclosure control's shared facts) is
    // kept per revision: new memberships are a new revision.
    sqlx::query("UPDATE figure_revision SET revision = revision + 1 WHERE id = 1")
        .execute(&mut *c)
        .await?;
    sqlx::query("DELETE FROM figure_group_members")
        .execute(&mut *c)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO figure_group_members (dimension, group_id, enterprise_id) SELECT * FROM ({MEMBERS_SQL}) n"
    ))
    .execute(&mut *c)
    .await?;
    Ok(true)
}

async fn rebuild_aggregates(c: &mut Conn) -> Result<()> {
    sqlx::query("DELETE FROM figure_aggregates")
        .execute(&mut *c)
        .await?;
    sqlx::query(
        "INSERT INTO figure_aggregates (dimension, indicator_id, month, group_id, value, firms) \
         SELECT m.dimension, v.indicator_id, v.month, m.group_id, SUM(v.value), COUNT(*) \
         FROM figure_values v JOIN figure_group_members m ON m.enterprise_id = v.enterprise_id \
         WHERE TRUE GROUP BY m.dimension, v.indicator_id, v.month, m.group_id",
    )
    .execute(&mut *c)
    .await
    .map_err(|e| {
        overflow_named(e, || {
            "the sum of the stored values of some group and month".into()
        })
    })?;
    Ok(())
}

/// Adds an import's changes to the aggregate tables, but those of the months it is the first to fill: they stay
/// in `deltas` until every value is noted, then go with the months' tables (`NewMonths::take_aggregates`).
async fn write_aggregates(
    c: &mut Conn,
    deltas: &mut AggregateDeltas,
    new_months: &NewMonths,
) -> Result<()> {
    deltas.check()?;
    super::aggregate_cells(c, deltas.take_by_group(|m| !new_months.holds(m)))
        .await
        .map_err(|e| overflow_named(e, || "a total this import adds to".into()))
}

/// The groups each enterprise counts in, after bringing them up to date (and the aggregates with them).
async fn current_members(c: &mut Conn) -> Result<HashMap<i64, Vec<(usize, i64)>>> {
    let map = map_in_force(c).await?.map;
    if refresh_members(c, &map).await? {
        rebuild_aggregates(c).await?;
    }
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT enterprise_id, dimension, group_id FROM figure_group_members")
            .fetch_all(&mut *c)
            .await?;
    let mut members: HashMap<i64, Vec<(usize, i64)>> = HashMap::new();
    for (enterprise, dimension, group) in rows {
        if let Some(dim) = Dimension::ALL.iter().position(|d| d.as_str() == dimension) {
            members.entry(enterprise).or_default().push((dim, group));
        }
    }
    Ok(members)
}

async fn record_import(
    c: &mut Conn,
    actor: &Actor,
    file_name: &str,
    at: DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO figure_imports (at, actor, file_name) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(at)
    .bind(&actor.account)
    .bind(file_name)
    .fetch_one(&mut *c)
    .await?)
}

async fn finish_record(
    c: &mut Conn,
    id: Id,
    stored: bool,
    counts: (i64, i64, i64),
    report: &serde_json::Value,
) -> Result<ImportRecord> {
    sqlx::query(
        "UPDATE figure_imports SET stored = $2, values_received = $3, values_changed = $4, \
         values_unchanged = $5, report = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(stored)
    .bind(counts.0)
    .bind(counts.1)
    .bind(counts.2)
    .bind(report.to_string())
    .execute(&mut *c)
    .await?;
    let row: ImportRow = sqlx::query_as(&format!("{IMPORT_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *c)
        .await?;
    Ok(row.into_record())
}

/// The enterprise's park and chains, for the private-data rule.
async fn enterprise_place(c: &mut Conn, id: Id) -> Result<(Option<Id>, Vec<Id>)> {
    let park: Option<Option<i64>> =
        sqlx::query_scalar("SELECT park_id FROM enterprises WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    let Some(park) = park else {
        return Err(StoreError::NotFound {
            kind: "enterprise",
            id,
        });
    };
    let chains: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT s.chain_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id \
         WHERE es.enterprise_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?;
    Ok((park, chains))
}

/// Names of a dimension's groups and the group whose total each is part of (a segment's chain, a
/// chain's area): (code, name, parent) by group id.
async fn group_names(
    c: &mut Conn,
    by: Dimension,
    ids: &[Id],
) -> Result<HashMap<Id, (String, String, Option<Id>)>> {
    let table = match by {
        Dimension::Area => Some(("industry_areas", "CAST(NULL AS BIGINT)")),
        Dimension::Chain => Some(("chains", "area_id")),
        Dimension::Segment => Some(("segments", "chain_id")),
        Dimension::Park => Some(("parks", "CAST(NULL AS BIGINT)")),
        _ => None,
    };
    if let Some((table, parent)) = table {
        let rows: Vec<(i64, String, String, Option<i64>)> =
            sqlx::query_as(&format!("SELECT id, code, name, {parent} FROM {table}"))
                .fetch_all(&mut *c)
                .await?;
        return Ok(rows
            .into_iter()
            .map(|(id, code, name, parent)| (id, (code, name, parent)))
            .collect());
    }
    Ok(ids
        .iter()
        .map(|&id| {
            let names = match by {
                Dimension::Zone => ("zone".to_string(), "全区 the zone".to_string()),
                Dimension::DigitalEconomy => (
                    "digital_economy".to_string(),
                    "数字经济 digital economy (01-05)".to_string(),
                ),
                Dimension::District => {
                    let code = format!("{id}");
                    let name = DistrictCode::parse(&code)
                        .map(|d| d.name().to_string())
                        .unwrap_or_default();
                    (code, name)
                }
                Dimension::DigitalCategory => {
                    let code = format!("{id:02}");
                    let name = DigitalEconomyCategory::from_code(&code)
                        .map(|c| c.name_zh().to_string())
                        .unwrap_or_default();
                    (code, name)
                }
                _ => (id.to_string(), String::new()),
            };
            (id, (names.0, names.1, None))
        })
        .collect())
}

/// The months (`yyyymm`, both included) a roll-up of `indicator` over `period` adds up: all of them for a sum, the
/// last one for a level (an indicator kept as its latest value).
fn months_summed(indicator: &Indicator, period: Period) -> (i32, i32) {
    let last = period.last_month().key();
    let first = match indicator.aggregation {
        Aggregation::Sum => period.first_month().key(),
        Aggregation::Last => last,
    };
    (first, last)
}

/// The disclosure facts of every group of `by` (and of the zone when `with_zone`) for a caller who
/// may not read every firm's figures: per firm its contribution to the period (or, with
/// `restated_base`, its value of the same months a year earlier, for the months it reported this
/// period), then per group the firms, the largest contribution and the sum of contributions by
/// magnitude, and the firms the caller may not read. The part that depends on no caller reads the
/// period's raw values of the groups' firms once per `figure_revision` and is shared by every caller
/// (`crate::disclosure_facts`); the caller's part is `readable`, the firms its reach reads ([`readable_firms`]),
/// counted in memory.
#[allow(clippy::too_many_arguments)]
async fn cell_facts(
    c: &mut Conn,
    cache: &FactsCache,
    by: Dimension,
    indicator: &Indicator,
    period: Period,
    readable: &[Id],
    restated_base: bool,
    with_zone: bool,
) -> Result<(HashMap<Id, CellFacts>, Option<CellFacts>)> {
    let (first, last) = months_summed(indicator, period);
    let key = FactsKey {
        by,
        with_zone,
        indicator: indicator.id,
        first,
        last,
        restated_base,
    };
    let revision = figure_revision(c).await?;
    let shared = match cache.get(&key, revision) {
        Some(shared) => shared,
        None => {
            let shared = Arc::new(shared_cell_facts(c, &key).await?);
            // Remembered only when no import committed meanwhile: the facts are then those of `revision`.
            if figure_revision(c).await? == revision {
                cache.put(key, revision, shared.clone());
            }
            shared
        }
    };
    Ok(shared.as_read_by(readable))
}

/// The firms whose figures a caller of `reach` may read, by id: "the caller may read the figures of the
/// enterprise" is the policy's reach, rendered by the one renderer. Read once per roll-up, for all its facts.
async fn readable_firms(c: &mut Conn, reach: &Reach) -> Result<Vec<Id>> {
    let mut qb: QueryBuilder<'static, Db> =
        QueryBuilder::new("SELECT e.id FROM enterprises e WHERE ");
    push_reached_condition(&mut qb, "e.id", Kind::EnterpriseContact, reach);
    qb.push(" ORDER BY e.id");
    Ok(qb.build_query_scalar().fetch_all(&mut *c).await?)
}

/// The caller-independent part of [`cell_facts`]: each contributing firm of each group with its contribution.
async fn shared_cell_facts(c: &mut Conn, key: &FactsKey) -> Result<SharedFacts> {
    let mut qb: QueryBuilder<'static, Db> =
        QueryBuilder::new("SELECT m.dimension, m.group_id, m.enterprise_id, ");
    qb.push(if key.restated_base {
        "CAST(SUM(p.value) AS BIGINT)"
    } else {
        "CAST(SUM(v.value) AS BIGINT)"
    });
    qb.push(
        " FROM figure_group_members m JOIN figure_values v ON v.enterprise_id = m.enterprise_id \
             AND v.indicator_id = ",
    );
    qb.push_bind(key.indicator);
    qb.push(" AND v.month >= ")
        .push_bind(key.first)
        .push(" AND v.month <= ")
        .push_bind(key.last);
    if key.restated_base {
        qb.push(
            " JOIN figure_values p ON p.enterprise_id = v.enterprise_id \
             AND p.indicator_id = v.indicator_id AND p.month = v.month - 100",
        );
    }
    qb.push(" WHERE m.dimension IN (")
        .push_bind(key.by.as_str())
        .push(", ");
    qb.push_bind(if key.with_zone {
        Dimension::Zone.as_str()
    } else {
        key.by.as_str()
    });
    qb.push(") GROUP BY m.dimension, m.group_id, m.enterprise_id");
    let rows: Vec<(String, i64, i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
    let zone = Dimension::Zone.as_str();
    Ok(SharedFacts::from_rows(rows.into_iter().flat_map(
        |(dimension, group, firm, total)| {
            let of_by = (dimension == key.by.as_str()).then_some((false, group, firm, total));
            let of_zone =
                (key.with_zone && dimension == zone).then_some((true, group, firm, total));
            of_by.into_iter().chain(of_zone)
        },
    )))
}

/// Sums of the aggregates by group over [first, last] (or only `last` for stocks): value and firms
/// reporting in `last`.
async fn aggregate_sums(
    c: &mut Conn,
    by: Dimension,
    indicator: &Indicator,
    period: Period,
) -> Result<HashMap<Id, (i64, i64)>> {
    let (first, last) = months_summed(indicator, period);
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT group_id, CAST(SUM(value) AS BIGINT), \
                CAST(SUM(CASE WHEN month = $4 THEN firms ELSE 0 END) AS BIGINT) \
         FROM figure_aggregates WHERE dimension = $1 AND indicator_id = $2 AND month >= $3 AND month <= $4 \
         GROUP BY group_id",
    )
    .bind(by.as_str())
    .bind(indicator.id)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *c)
    .await
    .map_err(|e| overflow_named(e, || format!("the total of {} for {period} by {by}", indicator.code)))?;
    Ok(rows.into_iter().map(|(g, v, f)| (g, (v, f))).collect())
}

/// Last year's values of exactly the firms and months that reported in the period, by group: read once per figure
/// revision and shared by every reader (`cache`).
async fn same_firm_bases(
    c: &mut Conn,
    cache: &BaseCache,
    by: Dimension,
    indicator: &Indicator,
    period: Period,
) -> Result<Arc<HashMap<Id, i64>>> {
    let (first, last) = months_summed(indicator, period);
    let key = BaseKey {
        by,
        indicator: indicator.id,
        first,
        last,
    };
    let revision = figure_revision(c).await?;
    if let Some(bases) = cache.get(&key, revision) {
        return Ok(bases);
    }
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT m.group_id, CAST(SUM(p.value) AS BIGINT) \
         FROM figure_group_members m \
         JOIN figure_values v ON v.enterprise_id = m.enterprise_id AND v.indicator_id = $2 \
           AND v.month >= $3 AND v.month <= $4 \
         JOIN figure_values p ON p.enterprise_id = v.enterprise_id AND p.indicator_id = v.indicator_id \
           AND p.month = v.month - 100 \
         WHERE m.dimension = $1 GROUP BY m.group_id",
    )
    .bind(by.as_str())
    .bind(indicator.id)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *c)
    .await
    .map_err(|e| {
        overflow_named(e, || {
            format!("last year's total of the same firms of {} for {period} by {by}", indicator.code)
        })
    })?;
    let bases: Arc<HashMap<Id, i64>> = Arc::new(
        rows.into_iter()
            .filter_map(|(g, v)| v.map(|v| (g, v)))
            .collect(),
    );
    // Remembered only when no import committed meanwhile: the bases are then those of `revision`.
    if figure_revision(c).await? == revision {
        cache.put(key, revision, bases.clone());
    }
    Ok(bases)
}

async fn region_value(
    c: &mut Conn,
    region: &str,
    subject: RegionSubject,
    indicator: &Indicator,
    period: Period,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT value FROM region_figures WHERE region_code = $1 AND subject = $2 AND indicator_id = $3 \
         AND period = $4",
    )
    .bind(region)
    .bind(subject.as_str())
    .bind(indicator.id)
    .bind(period.to_string())
    .fetch_optional(&mut *c)
    .await?)
}

async fn category_of(c: &mut Conn, enterprise_id: Id) -> Result<DigitalCategoryAssignment> {
    let row: Option<(Option<String>, String, bool)> = sqlx::query_as(
        "SELECT category, industry_code, overridden FROM enterprise_digital_categories WHERE enterprise_id = $1",
    )
    .bind(enterprise_id)
    .fetch_optional(&mut *c)
    .await?;
    let (category, industry_code, overridden) = row.ok_or(StoreError::NotFound {
        kind: "enterprise",
        id: enterprise_id,
    })?;
    Ok(DigitalCategoryAssignment {
        enterprise_id,
        category: category
            .as_deref()
            .and_then(DigitalEconomyCategory::from_code),
        industry_code,
        overridden,
    })
}

impl Engine {
    /// Writes the history of the values an import replaces, in short transactions of their own (other writes
    /// go on between them), under the import's id; returns the rows written.
    async fn write_history_early(&self, import_id: Id, staging: &mut Staging) -> Result<i64> {
        let mut replaced = blocking(|| staging.read_replaced()).map_err(staging_error)?;
        let mut written = 0;
        loop {
            let rows = blocking(|| replaced.next_chunk(HISTORY_ROWS_A_TRANSACTION))
                .map_err(staging_error)?;
            if rows.is_empty() {
                return Ok(written);
            }
            let mut tx = self.begin_write().await?;
            super::write_history(tx.conn(), import_id, &rows).await?;
            tx.commit().await?;
            written += rows.len() as i64;
        }
    }

    /// The import's one short write transaction. What the reading relied on is checked again: the registry and
    /// the catalogue always (cheaply), the stored values through their revision — when another import changed
    /// them meanwhile, each batch is compared again here, and the history written early is written again.
    async fn write_import(
        &self,
        import_id: Id,
        revision: i64,
        staging: &mut Staging,
        history: i64,
        report: &serde_json::Value,
        times: &mut PhaseTimes,
    ) -> Result<ImportRecord> {
        let t = Instant::now();
        let mut tx = self.begin_write().await?;
        let compared_still_holds = lock_figures(tx.conn()).await? == revision;
        // First after the figures' lock: the new months' advisory locks come before any other lock on the figure
        // tables (docs/scale.md).
        let months = staging.months();
        let mut new_months = super::new_months(tx.conn(), import_id, &months).await?;
        times.add("lock and new months' tables", t);
        let t = Instant::now();
        check_staged_against_registry(tx.conn(), staging).await?;
        let history_written =
            compared_still_holds && history_rows(tx.conn(), import_id).await? == history;
        if !history_written {
            sqlx::query("DELETE FROM figure_history WHERE superseded_by = $1")
                .bind(import_id)
                .execute(tx.conn())
                .await?;
        }
        times.add("registry check", t);
        let t = Instant::now();
        let mut deltas = AggregateDeltas::new(current_members(tx.conn()).await?);
        times.add("group members", t);
        let received = staging.len() as i64;
        let staged = blocking(|| staging.read_back()).map_err(staging_error)?;
        let mut staged = Prefetched::new(staged, super::STAGED_CHUNK);
        let (mut changed, mut unchanged): (i64, i64) = (0, 0);
        loop {
            let t = Instant::now();
            let chunk = blocking(|| staged.next_chunk()).map_err(staging_error)?;
            times.add("staging read back", t);
            if chunk.is_empty() {
                break;
            }
            let t = Instant::now();
            let chunk = if compared_still_holds {
                chunk
            } else {
                super::compare_batch(tx.conn(), chunk.into_iter().map(|s| s.value).collect())
                    .await?
            };
            let (c, u) = super::apply_batch(
                tx.conn(),
                import_id,
                chunk,
                &mut deltas,
                history_written,
                &mut new_months,
            )
            .await?;
            changed += c;
            unchanged += u;
            times.add("values written (COPY, merge)", t);
            if deltas.is_full() {
                let t = Instant::now();
                write_aggregates(tx.conn(), &mut deltas, &new_months).await?;
                times.add("aggregates", t);
            }
        }
        let t = Instant::now();
        write_aggregates(tx.conn(), &mut deltas, &new_months).await?;
        times.add("aggregates", t);
        let t = Instant::now();
        deltas.check()?;
        new_months.take_aggregates(&mut deltas);
        super::attach_months(tx.conn(), new_months).await?;
        times.add("new months' values and aggregates keyed and attached", t);
        let t = Instant::now();
        if changed > 0 {
            sqlx::query("UPDATE figure_revision SET revision = revision + 1 WHERE id = 1")
                .execute(tx.conn())
                .await?;
        }
        let record = finish_record(
            tx.conn(),
            import_id,
            true,
            (received, changed, unchanged),
            report,
        )
        .await?;
        tx.commit().await?;
        times.add("record and commit", t);
        Ok(record)
    }

    /// Removes what an import that was not stored wrote: its history (in short transactions, a few enterprises
    /// at a time), then its record.
    async fn forget_import(&self, import_id: Id, staging: &Staging) -> Result<()> {
        let mut enterprises: Vec<i64> = staging.enterprises.iter().copied().collect();
        enterprises.sort_unstable();
        for chunk in enterprises.chunks(ENTERPRISES_FORGOTTEN_A_TRANSACTION) {
            let mut tx = self.begin_write().await?;
            // `+` keeps the planner on the key index (enterprises first): the index on `superseded_by` would
            // read every row of the import again for each group of enterprises.
            let mut qb: QueryBuilder<'static, Db> =
                QueryBuilder::new("DELETE FROM figure_history WHERE +superseded_by = ");
            qb.push_bind(import_id).push(" AND enterprise_id IN (");
            let mut ids = qb.separated(", ");
            for id in chunk {
                ids.push_bind(*id);
            }
            qb.push(")");
            qb.build().execute(tx.conn()).await?;
            tx.commit().await?;
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM figure_history WHERE superseded_by = $1")
            .bind(import_id)
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM figure_imports WHERE id = $1 AND stored = $2")
            .bind(import_id)
            .bind(false)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// History rows written under an import.
async fn history_rows(c: &mut Conn, import_id: Id) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM figure_history WHERE superseded_by = $1")
            .bind(import_id)
            .fetch_one(&mut *c)
            .await?,
    )
}

#[async_trait]
impl FigureStore for Engine {
    async fn list_indicators(&self, _actor: &Actor) -> Result<Vec<Indicator>> {
        let mut c = self.read().await?;
        let rows: Vec<IndicatorRow> = sqlx::query_as(&format!("{INDICATOR_COLUMNS} ORDER BY id"))
            .fetch_all(&mut *c)
            .await?;
        rows.into_iter().map(IndicatorRow::into_indicator).collect()
    }

    async fn create_indicator(&self, actor: &Actor, d: IndicatorDraft) -> Result<Indicator> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        lock_figures(c).await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM indicators WHERE code = $1")
            .bind(&d.code)
            .fetch_optional(&mut *c)
            .await?;
        if let Some(other) = taken {
            return Err(StoreError::conflict(
                "code",
                format!("{} is already indicator {other}", d.code),
            ));
        }
        check_indicator_names(c, None, &d).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO indicators (code, name_zh, name_en, unit, aggregation, allow_negative, aliases, \
             builtin, max_per_month) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&d.code)
        .bind(&d.name_zh)
        .bind(&d.name_en)
        .bind(d.unit.as_str())
        .bind(d.aggregation.as_str())
        .bind(d.allow_negative)
        .bind(d.aliases.join("\n"))
        .bind(false)
        .bind(d.max_per_month)
        .fetch_one(&mut *c)
        .await?;
        let created = indicator_by_id(c, id).await?;
        audit_indicator(c, actor, "create", None, &created).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn update_indicator(
        &self,
        actor: &Actor,
        id: Id,
        d: IndicatorDraft,
    ) -> Result<Indicator> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        lock_figures(c).await?;
        let before = indicator_by_id(c, id).await?;
        before.check_change(&d)?;
        check_indicator_names(c, Some(id), &d).await?;
        sqlx::query(
            "UPDATE indicators SET name_zh = $2, name_en = $3, aggregation = $4, allow_negative = $5, \
             aliases = $6, max_per_month = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(&d.name_zh)
        .bind(&d.name_en)
        .bind(d.aggregation.as_str())
        .bind(d.allow_negative)
        .bind(d.aliases.join("\n"))
        .bind(d.max_per_month)
        .execute(&mut *c)
        .await?;
        let after = indicator_by_id(c, id).await?;
        audit_indicator(c, actor, "update", Some(&before), &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn archive_indicator(&self, actor: &Actor, id: Id) -> Result<Indicator> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        lock_figures(c).await?;
        let before = indicator_by_id(c, id).await?;
        sqlx::query("UPDATE indicators SET archived = $2 WHERE id = $1")
            .bind(id)
            .bind(true)
            .execute(&mut *c)
            .await?;
        let after = indicator_by_id(c, id).await?;
        audit_indicator(c, actor, "archive", Some(&before), &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn enterprise_ids(&self, _actor: &Actor) -> Result<HashMap<String, EnterpriseRef>> {
        let mut c = self.read().await?;
        let rows: Vec<(String, i64, bool)> =
            sqlx::query_as("SELECT credit_code, id, archived FROM enterprises")
                .fetch_all(&mut *c)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(code, id, archived)| (code, EnterpriseRef { id, archived }))
            .collect())
    }

    async fn import_figures(
        &self,
        actor: &Actor,
        file_name: &str,
        mut messages: tokio::sync::mpsc::Receiver<ImportMessage>,
    ) -> Result<ImportRecord> {
        may_import_figures(&actor.scope)?;
        let mut times = PhaseTimes::new();
        // While the file is read: compare each batch with the stored values on a reading connection
        // and stage it, holding no write lock.
        let mut c = self.read().await?;
        let revision = figure_revision(&mut c).await?;
        let existing = sqlx::query_scalar::<_, i32>("SELECT 1 FROM figure_values LIMIT 1")
            .fetch_optional(&mut *c)
            .await?
            .is_some();
        let mut staging = Staging::new().map_err(staging_error)?;
        let report = loop {
            let t = Instant::now();
            let message = messages.recv().await;
            times.add("file read, parsed and sent", t);
            match message {
                Some(ImportMessage::Values(values)) => {
                    if let Some(v) = values
                        .iter()
                        .find(|v| !may_report_figures_of(&actor.scope, v.enterprise_id))
                    {
                        return Err(StoreError::Denied(format!(
                            "a {} account cannot report figures of enterprise {}",
                            actor.scope.role, v.enterprise_id
                        )));
                    }
                    let t = Instant::now();
                    let staged = if existing {
                        super::compare_batch(&mut c, values).await?
                    } else {
                        all_new(values)
                    };
                    times.add("compared with stored values", t);
                    let t = Instant::now();
                    blocking(|| staged.iter().try_for_each(|s| staging.push(s)))
                        .map_err(staging_error)?;
                    times.add("staged", t);
                }
                Some(ImportMessage::Finish {
                    store: true,
                    report,
                }) => break report,
                Some(ImportMessage::Finish {
                    store: false,
                    report,
                }) => {
                    drop(c);
                    let mut tx = self.begin_write().await?;
                    let id = record_import(tx.conn(), actor, file_name, Utc::now()).await?;
                    let received = staging.len() as i64;
                    let record =
                        finish_record(tx.conn(), id, false, (received, 0, 0), &report).await?;
                    tx.commit().await?;
                    return Ok(record);
                }
                None => {
                    return Err(StoreError::invalid(
                        "file",
                        "the import stopped before the end of the file",
                    ));
                }
            }
        };
        drop(c);
        // The record of the import, not stored yet: the history written before the write transaction goes
        // under its id, and readers ignore that history until the record says stored.
        let import_id = {
            let mut tx = self.begin_write().await?;
            let id = record_import(tx.conn(), actor, file_name, Utc::now()).await?;
            tx.commit().await?;
            id
        };
        let months = staging.months();
        let t = Instant::now();
        super::month_partitions(&mut *self.pool.acquire().await?, "figure", &months).await?;
        times.add("existing months' partitions", t);
        let t = Instant::now();
        let history = self.write_history_early(import_id, &mut staging).await;
        times.add("history written early", t);
        let written = match history {
            Ok(history) => {
                self.write_import(
                    import_id,
                    revision,
                    &mut staging,
                    history,
                    &report,
                    &mut times,
                )
                .await
            }
            Err(e) => Err(e),
        };
        times.log(staging.len());
        if written.is_err() {
            // Nothing of the import may stay: its history, unseen, goes in short transactions, then its record.
            // Should that fail too, the history stays unseen (the record is not stored).
            let _ = self.forget_import(import_id, &staging).await;
        }
        written
    }

    async fn get_import(&self, actor: &Actor, id: Id) -> Result<ImportRecord> {
        let mut c = self.read().await?;
        let row: Option<ImportRow> = sqlx::query_as(&format!("{IMPORT_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
        let record = row
            .ok_or(StoreError::NotFound { kind: "import", id })?
            .into_record();
        // An import's report is its author's and the statistics staff's; others learn nothing of it.
        if record.actor != actor.account && !actor.scope.sees_every_import() {
            return Err(StoreError::NotFound { kind: "import", id });
        }
        Ok(record)
    }

    async fn list_imports(&self, actor: &Actor, paging: &Paging) -> Result<Page<ImportRecord>> {
        let mut c = self.read().await?;
        let every = actor.scope.sees_every_import();
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM figure_imports WHERE ($1 OR actor = $2)")
                .bind(every)
                .bind(&actor.account)
                .fetch_one(&mut *c)
                .await?;
        let rows: Vec<ImportRow> = sqlx::query_as(
            "SELECT id, at, actor, file_name, stored, values_received, values_changed, values_unchanged, \
             report FROM figure_imports WHERE ($1 OR actor = $2) ORDER BY id DESC LIMIT $3 OFFSET $4",
        )
        .bind(every)
        .bind(&actor.account)
        .bind(paging.limit)
        .bind(paging.offset)
        .fetch_all(&mut *c)
        .await?;
        Ok(Page {
            items: rows.into_iter().map(ImportRow::into_record).collect(),
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn enterprise_figures(
        &self,
        actor: &Actor,
        enterprise_id: Id,
        indicator: &str,
        period: Period,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Vec<EnterpriseFigure>> {
        let mut c = self.read().await?;
        let (park, chains) = enterprise_place(&mut c, enterprise_id).await?;
        ensure_enterprise_seen(actor, enterprise_id, park, &chains)?;
        if !actor.scope.sees_private(enterprise_id, park, &chains) {
            return Err(StoreError::Denied(format!(
                "a {} account cannot read the figures of enterprise {enterprise_id}",
                actor.scope.role
            )));
        }
        let indicator = indicator_by_code(&mut c, indicator).await?;
        let as_of = as_of.unwrap_or_else(Utc::now);
        let rows: Vec<(i32, i64, DateTime<Utc>, bool)> = sqlx::query_as(
            "SELECT v.month, v.value, i.at, FALSE FROM figure_values v JOIN figure_imports i ON i.id = v.import_id \
             WHERE v.indicator_id = $2 AND v.month >= $3 AND v.month <= $4 AND v.enterprise_id = $1 AND i.at <= $5 \
             UNION ALL \
             SELECT h.month, h.value, h.recorded_at, TRUE FROM figure_history h \
             WHERE h.enterprise_id = $1 AND h.indicator_id = $2 AND h.month >= $3 AND h.month <= $4 \
               AND h.recorded_at <= $5 AND h.superseded_at > $5 \
               AND NOT EXISTS (SELECT 1 FROM figure_imports n WHERE n.id = h.superseded_by AND n.stored = $6) \
             ORDER BY 1",
        )
        .bind(enterprise_id)
        .bind(indicator.id)
        .bind(period.first_month().key())
        .bind(period.last_month().key())
        .bind(as_of)
        .bind(false)
        .fetch_all(&mut *c)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(month, value, recorded_at, superseded)| EnterpriseFigure {
                month: Month::from_key(i64::from(month))
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                value,
                decimal: amount::to_decimal(value),
                recorded_at,
                superseded,
            })
            .collect())
    }

    async fn rollup(&self, actor: &Actor, q: &RollupQuery) -> Result<RollupCells> {
        actor.scope.may_see_zone_views()?;
        let reach = figure_reach(&actor.scope);
        let mut c = self.read().await?;
        let indicator = indicator_by_code(&mut c, &q.indicator).await?;
        let previous_period = q.period.a_year_earlier();
        let current = aggregate_sums(&mut c, q.by, &indicator, q.period).await?;
        let previous: Arc<HashMap<Id, i64>> = match q.method {
            GrowthMethod::PublishedTotals => Arc::new(
                aggregate_sums(&mut c, q.by, &indicator, previous_period)
                    .await?
                    .into_iter()
                    .map(|(g, (v, _))| (g, v))
                    .collect(),
            ),
            GrowthMethod::SameFirms => {
                same_firm_bases(&mut c, &self.same_firm_bases, q.by, &indicator, q.period).await?
            }
        };
        // Disclosure facts, only for callers who may not read every firm's own figures: readers of
        // everything never pay for them.
        let zone_parent = q.share_of == ShareOf::Zone;
        let (facts, zone_facts, previous_facts) = if reach == Reach::All {
            (HashMap::new(), None, HashMap::new())
        } else {
            let readable = readable_firms(&mut c, &reach).await?;
            let (facts, zone) = cell_facts(
                &mut c,
                &self.disclosure,
                q.by,
                &indicator,
                q.period,
                &readable,
                false,
                zone_parent,
            )
            .await?;
            let (previous_facts, _) = match q.method {
                GrowthMethod::PublishedTotals => {
                    cell_facts(
                        &mut c,
                        &self.disclosure,
                        q.by,
                        &indicator,
                        previous_period,
                        &readable,
                        false,
                        false,
                    )
                    .await?
                }
                GrowthMethod::SameFirms => {
                    cell_facts(
                        &mut c,
                        &self.disclosure,
                        q.by,
                        &indicator,
                        q.period,
                        &readable,
                        true,
                        false,
                    )
                    .await?
                }
            };
            (facts, zone, previous_facts)
        };
        let cell = |value: i64, facts: Option<&CellFacts>| chainpark_core::disclosure::Cell {
            value,
            facts: facts.copied(),
        };
        let subject = q.by.region_subject();
        let parent = match &q.share_of {
            ShareOf::Zone => {
                let zone = aggregate_sums(&mut c, Dimension::Zone, &indicator, q.period).await?;
                ParentCell {
                    kind: "zone".into(),
                    region_code: None,
                    subject: RegionSubject::All,
                    name: "全区 the zone".into(),
                    value: zone.get(&0).map(|(v, _)| cell(*v, zone_facts.as_ref())),
                    public: false,
                }
            }
            ShareOf::Region(code) => {
                let value = region_value(&mut c, code, subject, &indicator, q.period).await?;
                if value.is_none() {
                    return Err(StoreError::invalid(
                        "share_of",
                        format!(
                            "region {code} has no {} figure of {} for {}; store one first",
                            subject.as_str(),
                            indicator.code,
                            q.period
                        ),
                    ));
                }
                let name = chainpark_core::district::DistrictCode::parse(code)
                    .map(|d| d.name().to_string())
                    .unwrap_or_else(|_| code.clone());
                ParentCell {
                    kind: "region".into(),
                    region_code: Some(code.clone()),
                    subject,
                    name,
                    value: value.map(|v| cell(v, None)),
                    public: true,
                }
            }
        };
        let mut ids: Vec<Id> = current.keys().copied().collect();
        ids.sort_unstable();
        let names = group_names(&mut c, q.by, &ids).await?;
        // Chain owners are shown only their own chains (and those chains' segments); the other groups
        // still take part in disclosure control.
        let limited = actor.scope.reach(Kind::Chain) != Reach::All;
        let chain_seen = |chain: Id| {
            actor.scope.sees(
                Kind::Chain,
                Place {
                    chains: &[chain],
                    ..Place::default()
                },
            )
        };
        let groups = ids
            .into_iter()
            .map(|id| {
                let (value, firms) = current[&id];
                let (code, name, parent_group) = names.get(&id).cloned().unwrap_or_default();
                let listed = !limited
                    || match q.by {
                        Dimension::Chain => chain_seen(id),
                        Dimension::Segment => parent_group.is_some_and(chain_seen),
                        _ => true,
                    };
                GroupCells {
                    group_id: id,
                    code,
                    name,
                    parent_group,
                    listed,
                    firms,
                    current: cell(value, facts.get(&id)),
                    previous: previous.get(&id).map(|&p| cell(p, previous_facts.get(&id))),
                }
            })
            .collect();
        Ok(RollupCells {
            indicator: IndicatorRef::from(&indicator),
            period: q.period,
            previous_period,
            by: q.by,
            method: q.method,
            parent,
            groups,
        })
    }

    async fn put_region_figure(&self, actor: &Actor, f: RegionFigure) -> Result<RegionFigure> {
        may_maintain_figures(actor)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let indicator = indicator_by_code(c, &f.indicator).await?;
        if f.region_code.len() != 6 || !f.region_code.chars().all(|ch| ch.is_ascii_digit()) {
            return Err(StoreError::invalid(
                "region_code",
                "must be a 6-digit GB/T 2260 code",
            ));
        }
        sqlx::query(
            "INSERT INTO region_figures (region_code, subject, indicator_id, period, value, source, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (region_code, subject, indicator_id, period) DO UPDATE SET value = excluded.value, \
               source = excluded.source, recorded_at = excluded.recorded_at",
        )
        .bind(&f.region_code)
        .bind(f.subject.as_str())
        .bind(indicator.id)
        .bind(f.period.to_string())
        .bind(f.value)
        .bind(&f.source)
        .bind(Utc::now())
        .execute(&mut *c)
        .await?;
        super::tx::audit(
            &mut *c,
            actor,
            "region_figure",
            f.region_code.parse::<i64>().unwrap_or(0),
            "update",
            None,
            Some(&f),
        )
        .await?;
        tx.commit().await?;
        Ok(f)
    }

    async fn list_region_figures(&self, _actor: &Actor) -> Result<Vec<RegionFigure>> {
        let mut c = self.read().await?;
        let rows: Vec<(String, String, String, String, i64, String)> = sqlx::query_as(
            "SELECT r.region_code, r.subject, i.code, r.period, r.value, r.source FROM region_figures r \
             JOIN indicators i ON i.id = r.indicator_id ORDER BY r.region_code, i.code, r.period",
        )
        .fetch_all(&mut *c)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(region_code, subject, indicator, period, value, source)| {
                Some(RegionFigure {
                    region_code,
                    subject: RegionSubject::parse(&subject)?,
                    indicator,
                    period: Period::parse(&period).ok()?,
                    value,
                    source,
                })
            })
            .collect())
    }

    async fn digital_category(
        &self,
        actor: &Actor,
        enterprise_id: Id,
    ) -> Result<DigitalCategoryAssignment> {
        // The category follows from the public industry code, so every signed-in role that sees the
        // enterprise may read it. A read writes nothing (a page showing it must not wait for an import's write
        // lock, nor send the page's other reads to the primary): a firm not classified yet, or whose industry
        // code changed since, gets the category the mapping in force derives, which the next write that
        // classifies (an import, a new mapping, a category set by hand) stores.
        let mut c = self.read().await?;
        let (park, chains) = enterprise_place(&mut c, enterprise_id).await?;
        ensure_enterprise_seen(actor, enterprise_id, park, &chains)?;
        let row: Option<(String, Option<String>, Option<String>, Option<bool>)> = sqlx::query_as(
            "SELECT e.industry_code, d.category, d.industry_code, d.overridden FROM enterprises e \
             LEFT JOIN enterprise_digital_categories d ON d.enterprise_id = e.id WHERE e.id = $1",
        )
        .bind(enterprise_id)
        .fetch_optional(&mut *c)
        .await?;
        let (industry_code, stored, stored_code, overridden) = row.ok_or(StoreError::NotFound {
            kind: "enterprise",
            id: enterprise_id,
        })?;
        let category = match (overridden, stored_code.as_deref()) {
            (Some(true), _) => stored,
            (Some(false), Some(code)) if code == industry_code => stored,
            _ => {
                let map = map_in_force(&mut c).await?.map;
                derived_category(&map, &industry_code).map(|c| c.code().to_string())
            }
        };
        Ok(DigitalCategoryAssignment {
            enterprise_id,
            category: category
                .as_deref()
                .and_then(DigitalEconomyCategory::from_code),
            industry_code: match overridden {
                Some(true) => stored_code.unwrap_or(industry_code),
                _ => industry_code,
            },
            overridden: overridden == Some(true),
        })
    }

    async fn set_digital_category(
        &self,
        actor: &Actor,
        enterprise_id: Id,
        category: Option<DigitalEconomyCategory>,
        overridden: bool,
    ) -> Result<DigitalCategoryAssignment> {
        let (park, chains) = enterprise_place(&mut *self.read().await?, enterprise_id).await?;
        ensure_enterprise_seen(actor, enterprise_id, park, &chains)?;
        may_maintain_figures(actor)?;
        let mut tx = self.begin_write().await?;
        lock_figures(tx.conn()).await?;
        let map = map_in_force(tx.conn()).await?.map;
        sync_categories(tx.conn(), &map).await?;
        let before = category_of(tx.conn(), enterprise_id).await?;
        let category = if overridden {
            category
        } else {
            derived_category(&map, &before.industry_code)
        };
        sqlx::query(
            "UPDATE enterprise_digital_categories SET category = $2, overridden = $3 WHERE enterprise_id = $1",
        )
        .bind(enterprise_id)
        .bind(category.map(|c| c.code()))
        .bind(overridden)
        .execute(tx.conn())
        .await?;
        if refresh_members(tx.conn(), &map).await? {
            rebuild_aggregates(tx.conn()).await?;
        }
        let after = category_of(tx.conn(), enterprise_id).await?;
        tx.audit(
            actor,
            "digital_category",
            enterprise_id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn digital_economy_map(&self, _actor: &Actor) -> Result<DigitalMapInForce> {
        map_in_force(&mut *self.read().await?).await
    }

    async fn update_digital_economy_map(
        &self,
        actor: &Actor,
        update: DigitalMapUpdate<'_>,
    ) -> Result<DigitalMapChange> {
        may_maintain_figures(actor)?;
        let read = |csv: &str| {
            let map = DigitalEconomyMap::from_csv(csv)
                .map_err(|e| StoreError::invalid("mapping", e.to_string()))?;
            if map.is_empty() {
                return Err(StoreError::invalid(
                    "mapping",
                    "the file lists no industry codes",
                ));
            }
            Ok(map)
        };
        let mut tx = self.begin_write().await?;
        lock_figures(tx.conn()).await?;
        let (action, file_name, map) = match update {
            DigitalMapUpdate::Replace { csv, file_name } => {
                ("replace", file_name, Some(read(csv)?))
            }
            DigitalMapUpdate::Merge { csv, file_name } => {
                let mut map = map_in_force(tx.conn()).await?.map;
                map.merge(read(csv)?);
                ("merge", file_name, Some(map))
            }
            DigitalMapUpdate::RestoreShipped => ("restore_shipped", "", None),
        };
        let (origin, in_force) = match &map {
            Some(map) => (DigitalMapOrigin::Loaded, map),
            None => (DigitalMapOrigin::Shipped, &*SHIPPED_DIGITAL_MAP),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO digital_economy_maps (loaded_at, actor, file_name, mapping) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(Utc::now())
        .bind(&actor.account)
        .bind(file_name)
        .bind(map.as_ref().map(DigitalEconomyMap::to_csv))
        .fetch_one(tx.conn())
        .await?;
        let enterprises_reclassified = reclassify(tx.conn(), in_force).await?;
        if refresh_members(tx.conn(), in_force).await? {
            rebuild_aggregates(tx.conn()).await?;
        }
        let change = DigitalMapChange {
            origin,
            file_name: file_name.to_string(),
            entries: in_force.len(),
            enterprises_reclassified,
        };
        tx.audit(
            actor,
            "digital_economy_map",
            id,
            action,
            None,
            Some(&change),
        )
        .await?;
        tx.commit().await?;
        Ok(change)
    }

    async fn rebuild_figure_aggregates(&self, actor: &Actor) -> Result<()> {
        may_maintain_figures(actor)?;
        let mut tx = self.begin_write().await?;
        lock_figures(tx.conn()).await?;
        let map = map_in_force(tx.conn()).await?.map;
        refresh_members(tx.conn(), &map).await?;
        rebuild_aggregates(tx.conn()).await?;
        tx.commit_audited::<()>(actor, "figure_aggregates", 0, "rebuild", None, None)
            .await
    }

    async fn latest_figure_month(
        &self,
        _actor: &Actor,
        indicator: &str,
        through: u32,
    ) -> Result<Option<u32>> {
        let month: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(MAX(a.month) AS BIGINT) FROM figure_aggregates a JOIN indicators i ON i.id = a.indicator_id \
             WHERE a.dimension = 'zone' AND i.code = $1 AND a.month <= $2",
        )
        .bind(indicator)
        .bind(through as i64)
        .fetch_one(&mut *self.read().await?)
        .await?;
        Ok(month.and_then(|m| u32::try_from(m).ok()))
    }

    async fn check_figures(&self) -> Result<Vec<String>> {
        let mut c = self.read().await?;
        let mut problems = Vec::new();
        let rows: Vec<IndicatorRow> = sqlx::query_as(&format!("{INDICATOR_COLUMNS} ORDER BY id"))
            .fetch_all(&mut *c)
            .await?;
        let mut indicators = Vec::new();
        for row in rows {
            match row.into_indicator() {
                Ok(indicator) => indicators.push(indicator),
                Err(e) => problems.push(format!("indicator catalogue: {e}")),
            }
        }
        if let Err(e) = chainpark_import::Catalogue::from_indicators(&indicators) {
            problems.push(format!(
                "indicator catalogue cannot be read by imports (every import is refused until it is \
                 fixed with PATCH /api/v1/indicators/{{code}}): {e}"
            ));
        }
        let codes: HashMap<i64, String> = indicators.into_iter().map(|i| (i.id, i.code)).collect();
        // Values whose enterprise or indicator is missing (PostgreSQL's values have no foreign keys since
        // migration 0026: imports check the whole file's enterprises and indicators at once instead).
        let orphans: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT v.enterprise_id, v.indicator_id, COUNT(*) FROM figure_values v \
             WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = v.enterprise_id) \
                OR NOT EXISTS (SELECT 1 FROM indicators i WHERE i.id = v.indicator_id) \
             GROUP BY v.enterprise_id, v.indicator_id ORDER BY 1, 2 LIMIT 100",
        )
        .fetch_all(&mut *c)
        .await?;
        for (enterprise, indicator, n) in orphans {
            problems.push(format!(
                "figure values: {n} values of enterprise {enterprise} and indicator {indicator}, one of which \
                 does not exist"
            ));
        }
        // Every aggregate against the sum of its values, both ways; the sums are read as text so that
        // PostgreSQL's exact sums are shown even past the integers. The two sides are read apart and matched here
        // by their key: SQLite runs a full outer join of two unindexed sets as a nested loop (minutes for the
        // demo's 41,760 cells), and the aggregates are few enough to hold (one entry a group × indicator × month).
        let sums: Vec<AggregateCheckRow> = match sqlx::query_as(
            "SELECT m.dimension, m.group_id, v.indicator_id, v.month, CAST(SUM(v.value) AS TEXT), COUNT(*) \
             FROM figure_values v JOIN figure_group_members m ON m.enterprise_id = v.enterprise_id \
             GROUP BY m.dimension, m.group_id, v.indicator_id, v.month",
        )
        .fetch_all(&mut *c)
        .await
        {
            Ok(rows) => rows,
            Err(e) => {
                let e = StoreError::from(e);
                if !e.is_overflow() {
                    return Err(e);
                }
                problems.push(
                    "aggregates cannot be compared with their values: the values of some group and \
                     month add up past the largest integer"
                        .to_string(),
                );
                return Ok(problems);
            }
        };
        let stored: Vec<AggregateCheckRow> = sqlx::query_as(
            "SELECT dimension, group_id, indicator_id, month, CAST(value AS TEXT), firms FROM figure_aggregates",
        )
        .fetch_all(&mut *c)
        .await?;
        let rows = aggregate_mismatches(stored, sums);
        let mismatches = rows.len();
        for (dimension, group, indicator, month, stored, stored_firms, sum, firms) in
            rows.into_iter().take(LISTED_MISMATCHES)
        {
            let indicator = codes
                .get(&indicator)
                .cloned()
                .unwrap_or_else(|| format!("#{indicator}"));
            let month = Month::from_key(i64::from(month))
                .map_or_else(|| month.to_string(), |m| m.to_string());
            let what = format!("aggregate {dimension} {group} {indicator} {month}");
            problems.push(match (stored, sum) {
                (Some(stored), Some(sum)) => format!(
                    "{what} holds {stored} (firms {}) but its values add up to {sum} (firms {})",
                    stored_firms.unwrap_or(0),
                    firms.unwrap_or(0)
                ),
                (Some(stored), None) => format!("{what} holds {stored} but has no values"),
                (None, sum) => format!(
                    "{what} is missing: its values add up to {} (firms {})",
                    sum.unwrap_or_default(),
                    firms.unwrap_or(0)
                ),
            });
        }
        if mismatches > LISTED_MISMATCHES {
            problems.push(format!(
                "... and {} more aggregates that differ from their values",
                mismatches - LISTED_MISMATCHES
            ));
        }
        Ok(problems)
    }
}

/// One aggregate cell as stored, or as its values add up: (dimension, group, indicator, month, value as text,
/// firms).
type AggregateCheckRow = (String, i64, i64, i32, String, i64);

/// A cell's (value as text, firms) as stored and as its values add up.
type CheckedCell = (Option<(String, i64)>, Option<(String, i64)>);

/// A cell that differs: its key, the stored value and firms, the sum and firms (`None` on a side that has no cell).
type AggregateMismatch = (
    String,
    i64,
    i64,
    i32,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// The cells where the stored aggregates and the sums of their values differ, by key: (key, stored value and
/// firms, summed value and firms), a side missing where the other has no cell.
fn aggregate_mismatches(
    stored: Vec<AggregateCheckRow>,
    sums: Vec<AggregateCheckRow>,
) -> Vec<AggregateMismatch> {
    let mut cells: std::collections::BTreeMap<(String, i64, i64, i32), CheckedCell> =
        std::collections::BTreeMap::new();
    for (dimension, group, indicator, month, value, firms) in stored {
        cells
            .entry((dimension, group, indicator, month))
            .or_default()
            .0 = Some((value, firms));
    }
    for (dimension, group, indicator, month, value, firms) in sums {
        cells
            .entry((dimension, group, indicator, month))
            .or_default()
            .1 = Some((value, firms));
    }
    cells
        .into_iter()
        .filter(|(_, (stored, sum))| stored != sum)
        .map(|((dimension, group, indicator, month), (stored, sum))| {
            let (stored, stored_firms) = stored.unzip();
            let (sum, firms) = sum.unzip();
            (
                dimension,
                group,
                indicator,
                month,
                stored,
                stored_firms,
                sum,
                firms,
            )
        })
        .collect()
}
