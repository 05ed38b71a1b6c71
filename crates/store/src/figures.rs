//! Economic figures in the store, for both engines (one SQL text, but for the unpacking of a batch): the indicator catalogue, monthly values per
//! enterprise with their revision history, imports, region figures, digital-economy categories, and the aggregate
//! tables that roll-ups read instead of the raw values.
//!
//! An import streams its values in batches into ONE write transaction: each batch is compared with the current
//! values (unless the store held none), equal values are skipped, replaced ones move to the history, new and changed
//! ones are upserted, and the aggregate changes are summed in memory; at the end of a good file the aggregates are
//! adjusted and the transaction commits, otherwise it is rolled back and only the record of the attempt remains.
//! The aggregates group enterprises as the registry does when the import runs; when that grouping changed since the
//! last import (a firm moved park, a category was
//! overridden), the aggregates are rebuilt from the values in the same transaction.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_trait::async_trait;
use chainpark_core::digital_economy::{DigitalEconomyCategory, DigitalEconomyMap};
use chainpark_core::figures::{Aggregation, Dimension, Unit};
use chainpark_core::figures::{
    GrowthMethod, Indicator, IndicatorDraft, RegionSubject, RollupCells,
};
use chainpark_core::industry::IndustryCode;
use chainpark_core::period::{Month, Period};
use chainpark_core::registry::Id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::common::corrupt;
use crate::{Actor, Result, StoreError};

/// One monthly value on its way into the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureValue {
    pub enterprise_id: Id,
    pub indicator_id: Id,
    pub month: Month,
    /// Hundredths of the indicator's unit.
    pub value: i64,
}

/// What an import sends to the store while a file is read.
#[derive(Debug)]
pub enum ImportMessage {
    /// Accepted values, in any number of batches.
    Values(Vec<FigureValue>),
    /// The end of the file: commit the values (`store`) or roll them back; the report is kept with the record.
    Finish {
        store: bool,
        report: serde_json::Value,
    },
}

/// The record of one import attempt.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportRecord {
    pub id: Id,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub file_name: String,
    /// Whether its values were stored (all of them, or with `accept_valid` the good ones).
    pub stored: bool,
    pub values_received: i64,
    /// Values that were new or different from the current ones: each became current.
    pub values_changed: i64,
    /// Values equal to the current ones: nothing was written for them.
    pub values_unchanged: i64,
    /// The parser's row-by-row report.
    pub report: serde_json::Value,
}

/// A monthly value of one enterprise as known at some instant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnterpriseFigure {
    #[schema(example = "2021-06")]
    pub month: String,
    pub value: i64,
    pub decimal: String,
    pub recorded_at: DateTime<Utc>,
    /// True when a later report replaced this value.
    pub superseded: bool,
}

/// A published total of a region outside the zone (Chongqing city: 500000) for a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegionFigure {
    pub region_code: String,
    pub subject: RegionSubject,
    pub indicator: String,
    #[schema(value_type = String, example = "2021-H1")]
    pub period: Period,
    /// Hundredths of the indicator's unit.
    pub value: i64,
    #[serde(default)]
    pub source: String,
}

/// The digital-economy category of an enterprise and where it came from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DigitalCategoryAssignment {
    pub enterprise_id: Id,
    pub category: Option<DigitalEconomyCategory>,
    pub industry_code: String,
    /// True when set by hand (the statistics bureau's own assignment), false when derived from the industry code.
    pub overridden: bool,
}

/// Where the digital-economy mapping in force came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DigitalMapOrigin {
    /// The mapping shipped with chainpark: its own approximation, not the official table.
    Shipped,
    /// A table an administrator loaded (the statistics bureau's, or one extended from it).
    Loaded,
}

/// The digital-economy mapping in force: its rows, and when, by whom and from which file it was loaded.
#[derive(Debug, Clone)]
pub struct DigitalMapInForce {
    pub origin: DigitalMapOrigin,
    /// When the mapping in force was put in force (`None`: the shipped one, never changed).
    pub since: Option<DateTime<Utc>>,
    pub actor: Option<String>,
    pub file_name: String,
    pub map: DigitalEconomyMap,
}

/// A change of the digital-economy mapping, from a CSV of `gbt4754_code,category,mid_class,note` rows.
#[derive(Debug, Clone, Copy)]
pub enum DigitalMapUpdate<'a> {
    /// The file becomes the whole mapping (the official table).
    Replace { csv: &'a str, file_name: &'a str },
    /// The file's rows are added to the mapping in force; where both list a code, the file wins.
    Merge { csv: &'a str, file_name: &'a str },
    /// Back to the mapping shipped with chainpark.
    RestoreShipped,
}

/// What a change of the mapping did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DigitalMapChange {
    pub origin: DigitalMapOrigin,
    pub file_name: String,
    /// Rows of the mapping now in force.
    pub entries: usize,
    /// Enterprises whose derived category changed (categories set by hand are never touched).
    pub enterprises_reclassified: usize,
}

/// What share a roll-up's groups are shares of.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ShareOf {
    #[default]
    Zone,
    /// A region figure of this GB/T 2260 code.
    Region(String),
}

/// A roll-up request.
#[derive(Debug, Clone)]
pub struct RollupQuery {
    pub indicator: String,
    pub period: Period,
    pub by: Dimension,
    pub method: GrowthMethod,
    pub share_of: ShareOf,
}

/// Economic figures. Every method takes the actor first; its scope is part of the query.
#[async_trait]
pub trait FigureStore: Send + Sync {
    async fn list_indicators(&self, actor: &Actor) -> Result<Vec<Indicator>>;
    /// Admins add indicators.
    async fn create_indicator(&self, actor: &Actor, draft: IndicatorDraft) -> Result<Indicator>;
    /// Credit code → enterprise id of every enterprise (public registry fields), to resolve a file's rows.
    async fn enterprise_ids(&self, actor: &Actor) -> Result<HashMap<String, Id>>;
    /// Runs one import in one transaction: values arrive on `messages` until `Finish`. If the channel closes
    /// without `Finish`, nothing is stored and an error is returned.
    async fn import_figures(
        &self,
        actor: &Actor,
        file_name: &str,
        messages: tokio::sync::mpsc::Receiver<ImportMessage>,
    ) -> Result<ImportRecord>;
    async fn get_import(&self, actor: &Actor, id: Id) -> Result<ImportRecord>;
    /// Monthly values of one enterprise for a period, as known at `as_of` (now when `None`).
    async fn enterprise_figures(
        &self,
        actor: &Actor,
        enterprise_id: Id,
        indicator: &str,
        period: Period,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Vec<EnterpriseFigure>>;
    /// The roll-up's cells before disclosure control, with the facts the rules need when the caller may not read
    /// every firm's own figures (gathered only then); `chainpark_core::disclosure::publish` makes the answer.
    async fn rollup(&self, actor: &Actor, query: &RollupQuery) -> Result<RollupCells>;
    /// Stores (or replaces) a region figure: the admin.
    async fn put_region_figure(&self, actor: &Actor, figure: RegionFigure) -> Result<RegionFigure>;
    async fn list_region_figures(&self, actor: &Actor) -> Result<Vec<RegionFigure>>;
    async fn digital_category(
        &self,
        actor: &Actor,
        enterprise_id: Id,
    ) -> Result<DigitalCategoryAssignment>;
    /// Sets an enterprise's category by hand (`overridden`), or returns it to the one its industry code gives.
    async fn set_digital_category(
        &self,
        actor: &Actor,
        enterprise_id: Id,
        category: Option<DigitalEconomyCategory>,
        overridden: bool,
    ) -> Result<DigitalCategoryAssignment>;
    /// The mapping from industry codes to digital-economy categories in force (every signed-in role reads it).
    async fn digital_economy_map(&self, actor: &Actor) -> Result<DigitalMapInForce>;
    /// Changes the mapping (the admin) and, in the same transaction, re-derives the category of every enterprise
    /// not set by hand and brings the aggregates up to date. A file that does not read is refused whole, naming its
    /// line, and nothing changes.
    async fn update_digital_economy_map(
        &self,
        actor: &Actor,
        update: DigitalMapUpdate<'_>,
    ) -> Result<DigitalMapChange>;
    /// Recomputes every aggregate from the values (after registry changes made outside an import).
    async fn rebuild_figure_aggregates(&self, actor: &Actor) -> Result<()>;
}

/// The mapping shipped with the program, in force until an admin loads another.
pub(crate) static SHIPPED_DIGITAL_MAP: LazyLock<DigitalEconomyMap> =
    LazyLock::new(DigitalEconomyMap::default_map);

/// The category a mapping gives an industry code as stored (a code that no longer parses has none).
pub(crate) fn derived_category(
    map: &DigitalEconomyMap,
    industry_code: &str,
) -> Option<DigitalEconomyCategory> {
    IndustryCode::parse(industry_code)
        .ok()
        .and_then(|code| map.classify(&code))
}

/// The groups of every dimension that each enterprise counts in, from the registry as it is now.
pub(crate) const MEMBERS_SQL: &str = "\
    SELECT 'zone' AS dimension, CAST(0 AS BIGINT) AS group_id, e.id AS enterprise_id FROM enterprises e \
    UNION SELECT 'segment', es.segment_id, es.enterprise_id FROM enterprise_segments es \
    UNION SELECT 'chain', s.chain_id, es.enterprise_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id \
    UNION SELECT 'area', c.area_id, es.enterprise_id FROM enterprise_segments es \
        JOIN segments s ON s.id = es.segment_id JOIN chains c ON c.id = s.chain_id \
    UNION SELECT 'area', k.area_id, e.id FROM enterprises e JOIN parks k ON k.id = e.park_id \
        WHERE NOT EXISTS (SELECT 1 FROM enterprise_segments es WHERE es.enterprise_id = e.id) \
    UNION SELECT 'park', e.park_id, e.id FROM enterprises e WHERE e.park_id IS NOT NULL \
    UNION SELECT 'district', CAST(e.district AS BIGINT), e.id FROM enterprises e \
    UNION SELECT 'digital_category', CAST(d.category AS BIGINT), d.enterprise_id FROM enterprise_digital_categories d \
        WHERE d.category IS NOT NULL \
    UNION SELECT 'digital_economy', CAST(0 AS BIGINT), d.enterprise_id FROM enterprise_digital_categories d \
        WHERE d.category IS NOT NULL";

#[derive(FromRow)]
pub(crate) struct IndicatorRow {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    unit: String,
    aggregation: String,
    allow_negative: bool,
    aliases: String,
    builtin: bool,
}

impl IndicatorRow {
    pub(crate) fn into_indicator(self) -> Result<Indicator> {
        Ok(Indicator {
            unit: Unit::parse(&self.unit).ok_or_else(|| corrupt("indicator", self.id, "unit"))?,
            aggregation: Aggregation::parse(&self.aggregation)
                .ok_or_else(|| corrupt("indicator", self.id, "aggregation"))?,
            id: self.id,
            code: self.code,
            name_zh: self.name_zh,
            name_en: self.name_en,
            allow_negative: self.allow_negative,
            aliases: self
                .aliases
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            builtin: self.builtin,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct ImportRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    file_name: String,
    stored: bool,
    values_received: i64,
    values_changed: i64,
    values_unchanged: i64,
    report: String,
}

impl ImportRow {
    pub(crate) fn into_record(self) -> ImportRecord {
        ImportRecord {
            id: self.id,
            at: self.at,
            actor: self.actor,
            file_name: self.file_name,
            stored: self.stored,
            values_received: self.values_received,
            values_changed: self.values_changed,
            values_unchanged: self.values_unchanged,
            report: serde_json::from_str(&self.report).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// An aggregate cell: (dimension index in `Dimension::ALL`, group id, indicator id, month `yyyymm`).
pub(crate) type GroupCell = (usize, i64, i64, i32);

/// Changes to the aggregate cells, summed in memory while an import streams in, then written in one pass, so the
/// join of values × groups never runs in SQL. Groups are numbered densely, and each indicator × month touched has
/// one row of (value, firms) per group: a value costs one hash lookup and an array addition per group it counts in.
pub(crate) struct AggregateDeltas {
    /// Dense group number → (dimension index in `Dimension::ALL`, group id).
    groups: Vec<(usize, i64)>,
    /// Enterprise → index of its membership set.
    member_of: rustc_hash::FxHashMap<i64, u32>,
    /// Membership sets: the dense numbers of the groups an enterprise counts in (enterprises share equal sets).
    sets: Vec<Vec<u32>>,
    /// (indicator id, month `yyyymm`) → (value, firms) of every group.
    rows: rustc_hash::FxHashMap<(i64, i32), Vec<(i64, i64)>>,
}

impl AggregateDeltas {
    pub(crate) fn new(members: HashMap<i64, Vec<(usize, i64)>>) -> AggregateDeltas {
        let mut numbers: HashMap<(usize, i64), u32> = HashMap::new();
        let mut groups = Vec::new();
        let mut index: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut sets = Vec::new();
        let mut member_of = rustc_hash::FxHashMap::default();
        for (enterprise, memberships) in members {
            let mut set: Vec<u32> = memberships
                .into_iter()
                .map(|group| {
                    *numbers.entry(group).or_insert_with(|| {
                        groups.push(group);
                        groups.len() as u32 - 1
                    })
                })
                .collect();
            set.sort_unstable();
            set.dedup();
            let next = sets.len() as u32;
            let set = *index.entry(set.clone()).or_insert_with(|| {
                sets.push(set);
                next
            });
            member_of.insert(enterprise, set);
        }
        AggregateDeltas {
            groups,
            member_of,
            sets,
            rows: rustc_hash::FxHashMap::default(),
        }
    }

    pub(crate) fn add(
        &mut self,
        enterprise: i64,
        indicator: i64,
        month: i32,
        value: i64,
        firms: i64,
    ) {
        if let Some(&set) = self.member_of.get(&enterprise) {
            let width = self.groups.len();
            let row = self
                .rows
                .entry((indicator, month))
                .or_insert_with(|| vec![(0, 0); width]);
            for &group in &self.sets[set as usize] {
                let cell = &mut row[group as usize];
                cell.0 += value;
                cell.1 += firms;
            }
        }
    }

    /// Cells held before they are written out (16 bytes each), so memory stays bounded whatever the file's size.
    const MAX_CELLS: usize = 4_000_000;

    /// Whether the cells held have reached the bound and should be written out.
    pub(crate) fn is_full(&self) -> bool {
        self.rows.len() * self.groups.len() > Self::MAX_CELLS
    }

    /// Takes the changes summed so far, by aggregate cell: (dimension index, group, indicator, month) →
    /// (value, firms).
    pub(crate) fn take_by_group(&mut self) -> Vec<(GroupCell, (i64, i64))> {
        let mut out = Vec::new();
        for ((indicator, month), row) in std::mem::take(&mut self.rows) {
            for (&(dim, group), &delta) in self.groups.iter().zip(&row) {
                if delta != (0, 0) {
                    out.push(((dim, group, indicator, month), delta));
                }
            }
        }
        out
    }
}

/// Who may store region figures, override categories and rebuild aggregates: the admin (leaders and analysts
/// read everything and change nothing).
pub(crate) fn may_maintain_figures(actor: &Actor) -> Result<()> {
    Ok(actor.scope.may_administer()?)
}

/// An enterprise the actor does not see (another firm for an enterprise user, a foreign chain's for a chain
/// owner) answers "not found", as in the registry.
pub(crate) fn ensure_enterprise_seen(
    actor: &Actor,
    enterprise: Id,
    park: Option<Id>,
    chains: &[Id],
) -> Result<()> {
    if actor.scope.sees_enterprise(enterprise, park, chains) {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            kind: "enterprise",
            id: enterprise,
        })
    }
}

/// Implements `FigureStore` for an engine's store type (fields as for `sql_store!`), writing imported values with
/// the engine's own `$write_batch` (see `figure_batches`).
macro_rules! figures_store {
    ($Store:ty, $Db:ty, $write_batch:path) => {
        mod figures_impl {
            use std::collections::HashMap;

            use async_trait::async_trait;
            use chainpark_core::access::{Kind, Place, Reach};
            use chainpark_core::digital_economy::{DigitalEconomyCategory, DigitalEconomyMap};
            use chainpark_core::district::DistrictCode;
            use chainpark_core::disclosure::{CellFacts, FigureReach};
            use chainpark_core::figures::*;
            use chainpark_core::period::{Month, Period};
            use chainpark_core::registry::Id;
            use chrono::{DateTime, Utc};
            use sqlx::QueryBuilder;

            use crate::figures::*;
            use crate::{Actor, Result, StoreError};

            type Db = $Db;
            type Conn = <Db as sqlx::Database>::Connection;

            const INDICATOR_COLUMNS: &str =
                "SELECT id, code, name_zh, name_en, unit, aggregation, allow_negative, aliases, builtin FROM indicators";
            const IMPORT_COLUMNS: &str = "SELECT id, at, actor, file_name, stored, values_received, values_changed, \
                values_unchanged, report FROM figure_imports";
            /// Rows per multi-row insert: 6 parameters each stays under both engines' limits.
            const AGGREGATE_CHUNK: usize = 5000;

            async fn indicator_by_code(c: &mut Conn, code: &str) -> Result<Indicator> {
                let row: Option<IndicatorRow> = sqlx::query_as(&format!("{INDICATOR_COLUMNS} WHERE code = $1"))
                    .bind(code)
                    .fetch_optional(&mut *c)
                    .await?;
                row.ok_or_else(|| StoreError::invalid("indicator", format!("{code:?} is not in the indicator catalogue")))?
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
                        b.push_bind(id).push_bind(category.map(|c| c.code())).push_bind(code).push_bind(false);
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
                Ok(DigitalMapInForce { origin, since: Some(since), actor: Some(actor), file_name, map })
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
                        qb.push("WHEN ").push_bind(*id).push(" THEN ").push_bind(*category).push(" ");
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
                let differences: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM (SELECT * FROM ({MEMBERS_SQL}) n EXCEPT \
                       SELECT dimension, group_id, enterprise_id FROM figure_group_members) added"
                ))
                .fetch_one(&mut *c)
                .await?;
                let stale: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM (SELECT dimension, group_id, enterprise_id FROM figure_group_members \
                       EXCEPT SELECT * FROM ({MEMBERS_SQL}) n) removed"
                ))
                .fetch_one(&mut *c)
                .await?;
                if differences + stale == 0 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM figure_group_members").execute(&mut *c).await?;
                sqlx::query(&format!(
                    "INSERT INTO figure_group_members (dimension, group_id, enterprise_id) SELECT * FROM ({MEMBERS_SQL}) n"
                ))
                .execute(&mut *c)
                .await?;
                Ok(true)
            }

            async fn rebuild_aggregates(c: &mut Conn) -> Result<()> {
                sqlx::query("DELETE FROM figure_aggregates").execute(&mut *c).await?;
                sqlx::query(
                    "INSERT INTO figure_aggregates (dimension, indicator_id, month, group_id, value, firms) \
                     SELECT m.dimension, v.indicator_id, v.month, m.group_id, SUM(v.value), COUNT(*) \
                     FROM figure_values v JOIN figure_group_members m ON m.enterprise_id = v.enterprise_id \
                     WHERE TRUE GROUP BY m.dimension, v.indicator_id, v.month, m.group_id",
                )
                .execute(&mut *c)
                .await?;
                Ok(())
            }

            /// Adds an import's changes to the aggregate tables.
            async fn write_aggregates(c: &mut Conn, deltas: &mut AggregateDeltas) -> Result<()> {
                let cells = deltas.take_by_group();
                for chunk in cells.chunks(AGGREGATE_CHUNK) {
                    let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
                        "INSERT INTO figure_aggregates (dimension, indicator_id, month, group_id, value, firms) ",
                    );
                    qb.push_values(chunk.iter().copied(), |mut b, ((dim, group, indicator, month), (value, firms))| {
                        b.push_bind(Dimension::ALL[dim].as_str())
                            .push_bind(indicator)
                            .push_bind(month)
                            .push_bind(group)
                            .push_bind(value)
                            .push_bind(firms);
                    });
                    qb.push(
                        " ON CONFLICT (dimension, indicator_id, month, group_id) DO UPDATE SET \
                         value = figure_aggregates.value + excluded.value, firms = figure_aggregates.firms + excluded.firms",
                    );
                    qb.build().execute(&mut *c).await?;
                }
                Ok(())
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
                let park: Option<Option<i64>> = sqlx::query_scalar("SELECT park_id FROM enterprises WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *c)
                    .await?;
                let Some(park) = park else {
                    return Err(StoreError::NotFound { kind: "enterprise", id });
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
                    return Ok(rows.into_iter().map(|(id, code, name, parent)| (id, (code, name, parent))).collect());
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
                                let name = DistrictCode::parse(&code).map(|d| d.name().to_string()).unwrap_or_default();
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

            /// The condition "the caller may read the figures of the enterprise in `column`": the caller's
            /// [`FigureReach`] (decided in core) written as SQL, its ids bound.
            fn push_reach(qb: &mut QueryBuilder<'static, Db>, reach: &FigureReach, column: &str) {
                let FigureReach::Firms { enterprises, parks, chains, all_chains } = reach else {
                    qb.push("TRUE");
                    return;
                };
                let list = |qb: &mut QueryBuilder<'static, Db>, ids: &[Id]| {
                    let mut list = qb.separated(", ");
                    for id in ids {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                };
                qb.push("(FALSE");
                if !enterprises.is_empty() {
                    qb.push(format!(" OR {column} IN ("));
                    list(qb, enterprises);
                }
                if !parks.is_empty() {
                    qb.push(format!(" OR {column} IN (SELECT id FROM enterprises WHERE park_id IN ("));
                    list(qb, parks);
                    qb.push(")");
                }
                if *all_chains {
                    qb.push(format!(" OR {column} IN (SELECT enterprise_id FROM enterprise_segments)"));
                } else if !chains.is_empty() {
                    qb.push(format!(
                        " OR {column} IN (SELECT es.enterprise_id FROM enterprise_segments es \
                         JOIN segments s ON s.id = es.segment_id WHERE s.chain_id IN ("
                    ));
                    list(qb, chains);
                    qb.push(")");
                }
                qb.push(")");
            }

            /// The disclosure facts of every group of `by` (and of the zone when `with_zone`) for a caller who
            /// may not read every firm's figures: per firm its contribution to the period (or, with
            /// `restated_base`, its value of the same months a year earlier, for the months it reported this
            /// period), then per group the firms, the largest contribution and the sum of contributions by
            /// magnitude, and the firms the caller may not read. Reads the period's raw values of the groups'
            /// firms, so it runs only for the callers who need it.
            async fn cell_facts(
                c: &mut Conn,
                by: Dimension,
                indicator: &Indicator,
                period: Period,
                reach: &FigureReach,
                restated_base: bool,
                with_zone: bool,
            ) -> Result<(HashMap<Id, CellFacts>, Option<CellFacts>)> {
                let last = period.last_month().key();
                let first = match indicator.aggregation {
                    Aggregation::Sum => period.first_month().key(),
                    Aggregation::Last => last,
                };
                let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
                    "SELECT f.dimension, f.group_id, COUNT(*), CAST(MAX(ABS(f.total)) AS BIGINT), \
                     CAST(SUM(ABS(f.total)) AS BIGINT), CAST(SUM(CASE WHEN ",
                );
                push_reach(&mut qb, reach, "f.enterprise_id");
                qb.push(" THEN 0 ELSE 1 END) AS BIGINT) FROM (SELECT m.dimension, m.group_id, m.enterprise_id, ");
                qb.push(if restated_base { "CAST(SUM(p.value) AS BIGINT)" } else { "CAST(SUM(v.value) AS BIGINT)" });
                qb.push(" AS total FROM figure_group_members m JOIN figure_values v ON v.enterprise_id = m.enterprise_id \
                         AND v.indicator_id = ");
                qb.push_bind(indicator.id);
                qb.push(" AND v.month >= ").push_bind(first).push(" AND v.month <= ").push_bind(last);
                if restated_base {
                    qb.push(
                        " JOIN figure_values p ON p.enterprise_id = v.enterprise_id \
                         AND p.indicator_id = v.indicator_id AND p.month = v.month - 100",
                    );
                }
                qb.push(" WHERE m.dimension IN (").push_bind(by.as_str()).push(", ");
                qb.push_bind(if with_zone { Dimension::Zone.as_str() } else { by.as_str() });
                qb.push(") GROUP BY m.dimension, m.group_id, m.enterprise_id) f GROUP BY f.dimension, f.group_id");
                let rows: Vec<(String, i64, i64, i64, i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
                let mut groups = HashMap::new();
                let mut zone = None;
                for (dimension, group, firms, largest, magnitude, unreadable_firms) in rows {
                    let facts = CellFacts { firms, largest, magnitude, unreadable_firms };
                    if dimension == by.as_str() {
                        groups.insert(group, facts);
                    }
                    if with_zone && dimension == Dimension::Zone.as_str() {
                        zone = Some(facts);
                    }
                }
                Ok((groups, zone))
            }

            /// Sums of the aggregates by group over [first, last] (or only `last` for stocks): value and firms
            /// reporting in `last`.
            async fn aggregate_sums(
                c: &mut Conn,
                by: Dimension,
                indicator: &Indicator,
                period: Period,
            ) -> Result<HashMap<Id, (i64, i64)>> {
                let last = period.last_month().key();
                let first = match indicator.aggregation {
                    Aggregation::Sum => period.first_month().key(),
                    Aggregation::Last => last,
                };
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
                .await?;
                Ok(rows.into_iter().map(|(g, v, f)| (g, (v, f))).collect())
            }

            /// Last year's values of exactly the firms and months that reported in the period, by group.
            async fn same_firm_bases(
                c: &mut Conn,
                by: Dimension,
                indicator: &Indicator,
                period: Period,
            ) -> Result<HashMap<Id, i64>> {
                let last = period.last_month().key();
                let first = match indicator.aggregation {
                    Aggregation::Sum => period.first_month().key(),
                    Aggregation::Last => last,
                };
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
                .await?;
                Ok(rows.into_iter().filter_map(|(g, v)| v.map(|v| (g, v))).collect())
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
                let (category, industry_code, overridden) =
                    row.ok_or(StoreError::NotFound { kind: "enterprise", id: enterprise_id })?;
                Ok(DigitalCategoryAssignment {
                    enterprise_id,
                    category: category.as_deref().and_then(DigitalEconomyCategory::from_code),
                    industry_code,
                    overridden,
                })
            }

            #[async_trait]
            impl FigureStore for $Store {
                async fn list_indicators(&self, _actor: &Actor) -> Result<Vec<Indicator>> {
                    let mut c = self.read().await?;
                    let rows: Vec<IndicatorRow> =
                        sqlx::query_as(&format!("{INDICATOR_COLUMNS} ORDER BY id")).fetch_all(&mut *c).await?;
                    rows.into_iter().map(IndicatorRow::into_indicator).collect()
                }

                async fn create_indicator(&self, actor: &Actor, d: IndicatorDraft) -> Result<Indicator> {
                    actor.scope.may_administer()?;
                    let mut tx = self.begin_write().await?;
                    let c = tx.conn();
                    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM indicators WHERE code = $1")
                        .bind(&d.code)
                        .fetch_optional(&mut *c)
                        .await?;
                    if let Some(other) = taken {
                        return Err(StoreError::conflict("code", format!("{} is already indicator {other}", d.code)));
                    }
                    sqlx::query(
                        "INSERT INTO indicators (code, name_zh, name_en, unit, aggregation, allow_negative, aliases, builtin) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&d.code)
                    .bind(&d.name_zh)
                    .bind(&d.name_en)
                    .bind(d.unit.as_str())
                    .bind(d.aggregation.as_str())
                    .bind(d.allow_negative)
                    .bind(d.aliases.join("\n"))
                    .bind(false)
                    .execute(&mut *c)
                    .await?;
                    let created = indicator_by_code(c, &d.code).await?;
                    sqlx::query(
                        "INSERT INTO audit_log (at, actor, object_kind, object_id, action, before, after) \
                         VALUES ($1, $2, 'indicator', $3, 'create', NULL, $4)",
                    )
                    .bind(Utc::now())
                    .bind(&actor.account)
                    .bind(created.id)
                    .bind(serde_json::to_value(&created).ok().map(sqlx::types::Json))
                    .execute(&mut *c)
                    .await?;
                    tx.commit().await?;
                    Ok(created)
                }

                async fn enterprise_ids(&self, _actor: &Actor) -> Result<HashMap<String, Id>> {
                    let mut c = self.read().await?;
                    let rows: Vec<(String, i64)> =
                        sqlx::query_as("SELECT credit_code, id FROM enterprises").fetch_all(&mut *c).await?;
                    Ok(rows.into_iter().collect())
                }

                async fn import_figures(
                    &self,
                    actor: &Actor,
                    file_name: &str,
                    mut messages: tokio::sync::mpsc::Receiver<ImportMessage>,
                ) -> Result<ImportRecord> {
                    may_import_figures(&actor.scope)?;
                    let now = Utc::now();
                    let mut tx = self.begin_write().await?;
                    let import_id = record_import(tx.conn(), actor, file_name, now).await?;
                    let mut deltas = AggregateDeltas::new(current_members(tx.conn()).await?);
                    let existing = sqlx::query_scalar::<_, i32>("SELECT 1 FROM figure_values LIMIT 1")
                        .fetch_optional(tx.conn())
                        .await?
                        .is_some();
                    let (mut received, mut changed, mut unchanged): (i64, i64, i64) = (0, 0, 0);
                    loop {
                        match messages.recv().await {
                            Some(ImportMessage::Values(values)) => {
                                if let Some(v) =
                                    values.iter().find(|v| !may_report_figures_of(&actor.scope, v.enterprise_id))
                                {
                                    return Err(StoreError::Denied(format!(
                                        "a {} account cannot report figures of enterprise {}",
                                        actor.scope.role, v.enterprise_id
                                    )));
                                }
                                received += values.len() as i64;
                                let (c, u) = $write_batch(tx.conn(), import_id, values, existing, &mut deltas).await?;
                                changed += c;
                                unchanged += u;
                                if deltas.is_full() {
                                    write_aggregates(tx.conn(), &mut deltas).await?;
                                }
                            }
                            Some(ImportMessage::Finish { store: true, report }) => {
                                write_aggregates(tx.conn(), &mut deltas).await?;
                                let record = finish_record(
                                    tx.conn(),
                                    import_id,
                                    true,
                                    (received, changed, unchanged),
                                    &report,
                                )
                                .await?;
                                tx.commit().await?;
                                return Ok(record);
                            }
                            Some(ImportMessage::Finish { store: false, report }) => {
                                drop(deltas);
                                drop(tx);
                                let mut tx = self.begin_write().await?;
                                let id = record_import(tx.conn(), actor, file_name, now).await?;
                                let record = finish_record(tx.conn(), id, false, (received, 0, 0), &report).await?;
                                tx.commit().await?;
                                return Ok(record);
                            }
                            None => {
                                return Err(StoreError::invalid("file", "the import stopped before the end of the file"));
                            }
                        }
                    }
                }

                async fn get_import(&self, actor: &Actor, id: Id) -> Result<ImportRecord> {
                    let mut c = self.read().await?;
                    let row: Option<ImportRow> = sqlx::query_as(&format!("{IMPORT_COLUMNS} WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *c)
                        .await?;
                    let record = row.ok_or(StoreError::NotFound { kind: "import", id })?.into_record();
                    // An import's report is its author's and the statistics staff's; others learn nothing of it.
                    if record.actor != actor.account && !actor.scope.reads_everything() {
                        return Err(StoreError::NotFound { kind: "import", id });
                    }
                    Ok(record)
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
                    if !FigureReach::of(&actor.scope).covers(enterprise_id, park, &chains) {
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
                         SELECT month, value, recorded_at, TRUE FROM figure_history \
                         WHERE enterprise_id = $1 AND indicator_id = $2 AND month >= $3 AND month <= $4 \
                           AND recorded_at <= $5 AND superseded_at > $5 \
                         ORDER BY 1",
                    )
                    .bind(enterprise_id)
                    .bind(indicator.id)
                    .bind(period.first_month().key())
                    .bind(period.last_month().key())
                    .bind(as_of)
                    .fetch_all(&mut *c)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .map(|(month, value, recorded_at, superseded)| EnterpriseFigure {
                            month: Month::from_key(i64::from(month)).map(|m| m.to_string()).unwrap_or_default(),
                            value,
                            decimal: amount::to_decimal(value),
                            recorded_at,
                            superseded,
                        })
                        .collect())
                }

                async fn rollup(&self, actor: &Actor, q: &RollupQuery) -> Result<RollupCells> {
                    actor.scope.may_see_zone_views()?;
                    let reach = FigureReach::of(&actor.scope);
                    let mut c = self.read().await?;
                    let indicator = indicator_by_code(&mut c, &q.indicator).await?;
                    let previous_period = q.period.a_year_earlier();
                    let current = aggregate_sums(&mut c, q.by, &indicator, q.period).await?;
                    let previous: HashMap<Id, i64> = match q.method {
                        GrowthMethod::PublishedTotals => aggregate_sums(&mut c, q.by, &indicator, previous_period)
                            .await?
                            .into_iter()
                            .map(|(g, (v, _))| (g, v))
                            .collect(),
                        GrowthMethod::SameFirms => same_firm_bases(&mut c, q.by, &indicator, q.period).await?,
                    };
                    // Disclosure facts, only for callers who may not read every firm's own figures: readers of
                    // everything never pay for them.
                    let zone_parent = q.share_of == ShareOf::Zone;
                    let (facts, zone_facts, previous_facts) = if reach.is_everything() {
                        (HashMap::new(), None, HashMap::new())
                    } else {
                        let (facts, zone) =
                            cell_facts(&mut c, q.by, &indicator, q.period, &reach, false, zone_parent).await?;
                        let (previous_facts, _) = match q.method {
                            GrowthMethod::PublishedTotals => {
                                cell_facts(&mut c, q.by, &indicator, previous_period, &reach, false, false).await?
                            }
                            GrowthMethod::SameFirms => {
                                cell_facts(&mut c, q.by, &indicator, q.period, &reach, true, false).await?
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
                    let chain_seen =
                        |chain: Id| actor.scope.sees(Kind::Chain, Place { chains: &[chain], ..Place::default() });
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
                        return Err(StoreError::invalid("region_code", "must be a 6-digit GB/T 2260 code"));
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
                    sqlx::query(
                        "INSERT INTO audit_log (at, actor, object_kind, object_id, action, before, after) \
                         VALUES ($1, $2, 'region_figure', $3, 'update', NULL, $4)",
                    )
                    .bind(Utc::now())
                    .bind(&actor.account)
                    .bind(f.region_code.parse::<i64>().unwrap_or(0))
                    .bind(serde_json::to_value(&f).ok().map(sqlx::types::Json))
                    .execute(&mut *c)
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

                async fn digital_category(&self, actor: &Actor, enterprise_id: Id) -> Result<DigitalCategoryAssignment> {
                    // The category follows from the public industry code, so every signed-in role that sees the
                    // enterprise may read it.
                    let mut tx = self.begin_write().await?;
                    let (park, chains) = enterprise_place(tx.conn(), enterprise_id).await?;
                    ensure_enterprise_seen(actor, enterprise_id, park, &chains)?;
                    let map = map_in_force(tx.conn()).await?.map;
                    sync_categories(tx.conn(), &map).await?;
                    let found = category_of(tx.conn(), enterprise_id).await?;
                    tx.commit().await?;
                    Ok(found)
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
                    let map = map_in_force(tx.conn()).await?.map;
                    sync_categories(tx.conn(), &map).await?;
                    let before = category_of(tx.conn(), enterprise_id).await?;
                    let category = if overridden { category } else { derived_category(&map, &before.industry_code) };
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
                    sqlx::query(
                        "INSERT INTO audit_log (at, actor, object_kind, object_id, action, before, after) \
                         VALUES ($1, $2, 'digital_category', $3, 'update', $4, $5)",
                    )
                    .bind(Utc::now())
                    .bind(&actor.account)
                    .bind(enterprise_id)
                    .bind(serde_json::to_value(&before).ok().map(sqlx::types::Json))
                    .bind(serde_json::to_value(&after).ok().map(sqlx::types::Json))
                    .execute(tx.conn())
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
                        let map = DigitalEconomyMap::from_csv(csv).map_err(|e| StoreError::invalid("mapping", e.to_string()))?;
                        if map.is_empty() {
                            return Err(StoreError::invalid("mapping", "the file lists no industry codes"));
                        }
                        Ok(map)
                    };
                    let mut tx = self.begin_write().await?;
                    let (action, file_name, map) = match update {
                        DigitalMapUpdate::Replace { csv, file_name } => ("replace", file_name, Some(read(csv)?)),
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
                    sqlx::query(
                        "INSERT INTO audit_log (at, actor, object_kind, object_id, action, before, after) \
                         VALUES ($1, $2, 'digital_economy_map', $3, $4, NULL, $5)",
                    )
                    .bind(Utc::now())
                    .bind(&actor.account)
                    .bind(id)
                    .bind(action)
                    .bind(serde_json::to_value(&change).ok().map(sqlx::types::Json))
                    .execute(tx.conn())
                    .await?;
                    tx.commit().await?;
                    Ok(change)
                }

                async fn rebuild_figure_aggregates(&self, actor: &Actor) -> Result<()> {
                    may_maintain_figures(actor)?;
                    let mut tx = self.begin_write().await?;
                    let map = map_in_force(tx.conn()).await?.map;
                    refresh_members(tx.conn(), &map).await?;
                    rebuild_aggregates(tx.conn()).await?;
                    tx.commit().await
                }
            }
        }
    };
}

pub(crate) use figures_store;

/// Which part of the demo's figures to load: all of it for `chainpark demo`, a few indicators and years in tests.
#[derive(Debug, Clone)]
pub struct DemoFigureSelection {
    pub indicators: Vec<&'static str>,
    pub years: std::ops::RangeInclusive<i32>,
}

impl DemoFigureSelection {
    pub fn all() -> Self {
        DemoFigureSelection {
            indicators: chainpark_core::demo::figures::DEMO_INDICATORS.to_vec(),
            years: chainpark_core::demo::figures::FIRST_YEAR
                ..=chainpark_core::demo::figures::LAST_YEAR,
        }
    }
}

/// Loads the demo zone's monthly figures (generated in core) through the import path, so the aggregates are
/// maintained as for any file, and stores Chongqing city's digital-economy added value of 2021-H1 as a region
/// figure. The registry must be loaded already. Returns the number of values stored.
pub async fn load_demo_figures<S: FigureStore + ?Sized>(
    store: &S,
    actor: &Actor,
    zone: &chainpark_core::demo::DemoZone,
    selection: &DemoFigureSelection,
) -> Result<i64> {
    use chainpark_core::demo::figures::{CHONGQING_DIGITAL_ADDED_VALUE_H1_2021_FEN, DemoFigures};
    let ids = store.enterprise_ids(actor).await?;
    let enterprise_ids: Vec<Id> = zone
        .enterprises
        .iter()
        .map(|e| {
            ids.get(&e.credit_code).copied().ok_or_else(|| {
                StoreError::invalid(
                    "enterprise",
                    format!("{} is not in the registry", e.credit_code),
                )
            })
        })
        .collect::<Result<_>>()?;
    let indicators: HashMap<String, Id> = store
        .list_indicators(actor)
        .await?
        .into_iter()
        .map(|i| (i.code, i.id))
        .collect();
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    let generator = DemoFigures::new(zone);
    let produce = async move {
        for code in &selection.indicators {
            let Some(&indicator_id) = indicators.get(*code) else {
                continue;
            };
            for year in selection.years.clone() {
                let values: Vec<FigureValue> = generator
                    .year(code, year)
                    .into_iter()
                    .map(|f| FigureValue {
                        enterprise_id: enterprise_ids[f.enterprise],
                        indicator_id,
                        month: f.month,
                        value: f.value,
                    })
                    .collect();
                if sender.send(ImportMessage::Values(values)).await.is_err() {
                    return;
                }
            }
        }
        let report = serde_json::json!({"source": "demo", "note": "generated by chainpark_core::demo::figures"});
        let _ = sender
            .send(ImportMessage::Finish {
                store: true,
                report,
            })
            .await;
    };
    let (_, record) = tokio::join!(
        produce,
        store.import_figures(actor, "demo figures", receiver)
    );
    let record = record?;
    if selection.indicators.contains(&"added_value") && selection.years.contains(&2021) {
        store
            .put_region_figure(
                actor,
                RegionFigure {
                    region_code: "500000".into(),
                    subject: RegionSubject::DigitalEconomy,
                    indicator: "added_value".into(),
                    period: Period::HalfYear { year: 2021, half: 1 },
                    value: CHONGQING_DIGITAL_ADDED_VALUE_H1_2021_FEN,
                    source: "Chongqing's digital-economy added value, 1-6月 2021: three times Liangjiang's 336.28 亿元 \
                             (Liangjiang was one third of Chongqing)"
                        .into(),
                },
            )
            .await?;
    }
    Ok(record.values_changed)
}
