//! Economic figures in the store, for both engines (one SQL text, but for the comparing and writing of a batch): the
//! indicator catalogue, monthly values per enterprise with their revision history, imports, region figures,
//! digital-economy categories, and the aggregate tables that roll-ups read instead of the raw values.
//!
//! An import has three parts. While its file is read, each batch of values is compared with the current values (unless
//! the store held none) and staged in a temporary file, without the write lock: other writes go on. When the file is
//! good, its record is written (not stored yet), and the values it replaces are written to the history under its id, in
//! short transactions of their own (other writes get their turn between them); readers ignore history whose import is
//! not stored. Then ONE short write transaction checks again what may have changed meanwhile (archived enterprises and
//! indicators, the catalogue's maxima; the values, through `figure_revision`, compared again — and their history
//! written again — only if another import stored values), then writes: equal values are skipped, new and changed ones
//! are written over the current ones, the aggregate changes are summed in memory with checked arithmetic and the
//! aggregates adjusted, the record marked stored, and the transaction commits. A file with errors writes only the
//! record of the attempt. A refused or failed import leaves nothing: its history is removed (in short transactions)
//! with its record; killed before its commit, it leaves history no reader sees. The aggregates group enterprises as the
//! registry does when the import writes; when that grouping changed since the last import (a firm moved park, a
//! category was overridden), the aggregates are rebuilt from the values in the same transaction.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_trait::async_trait;
use chainpark_core::digital_economy::{DigitalEconomyCategory, DigitalEconomyMap};
use chainpark_core::figures::{Aggregation, Dimension, Unit};
use chainpark_core::figures::{
    GrowthMethod, Indicator, IndicatorDraft, RegionSubject, RollupCells,
};
use chainpark_core::industry::IndustryCode;
use chainpark_core::list::{Page, Paging};
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

/// An enterprise as an import resolves it: its id, and whether it is archived (an archived one takes no figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnterpriseRef {
    pub id: Id,
    pub archived: bool,
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
    /// Every indicator, archived ones included (their history stays readable).
    async fn list_indicators(&self, actor: &Actor) -> Result<Vec<Indicator>>;
    /// Admins add indicators. Its code, names and aliases must each mean no other indicator (compared as a file's
    /// header is: case, spacing, punctuation and bracketed units set aside), or the answer is a conflict.
    async fn create_indicator(&self, actor: &Actor, draft: IndicatorDraft) -> Result<Indicator>;
    /// Changes an indicator (the admin): names, aliases, aggregation, sign and maximum; its code and unit stay.
    /// Names are checked as for a new one.
    async fn update_indicator(
        &self,
        actor: &Actor,
        id: Id,
        draft: IndicatorDraft,
    ) -> Result<Indicator>;
    /// Archives an indicator (the admin): it takes no new figures, and its values stay readable.
    async fn archive_indicator(&self, actor: &Actor, id: Id) -> Result<Indicator>;
    /// Credit code → enterprise of every enterprise (public registry fields), to resolve a file's rows.
    async fn enterprise_ids(&self, actor: &Actor) -> Result<HashMap<String, EnterpriseRef>>;
    /// Runs one import: values arrive on `messages` until `Finish`, and are compared and staged without the
    /// write lock; a good file is then written in one short transaction. If the channel closes without
    /// `Finish`, nothing is stored and an error is returned.
    async fn import_figures(
        &self,
        actor: &Actor,
        file_name: &str,
        messages: tokio::sync::mpsc::Receiver<ImportMessage>,
    ) -> Result<ImportRecord>;
    async fn get_import(&self, actor: &Actor, id: Id) -> Result<ImportRecord>;
    /// The imports the actor sees (its own; every one when `Scope::sees_every_import`), newest first, each with
    /// its row report.
    async fn list_imports(&self, actor: &Actor, paging: &Paging) -> Result<Page<ImportRecord>>;
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
    /// Looks for figures that do not add up, one line per problem: an indicator catalogue the import cannot read,
    /// and every aggregate that differs from the sum of its values (or has none, or is missing).
    async fn check_figures(&self) -> Result<Vec<String>>;
    /// The latest month (yyyymm) up to `through` (yyyymm) for which the zone has a value of the indicator named
    /// `indicator`, if any: where a report opens.
    async fn latest_figure_month(
        &self,
        actor: &Actor,
        indicator: &str,
        through: u32,
    ) -> Result<Option<u32>>;
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
    pub(crate) id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    unit: String,
    aggregation: String,
    allow_negative: bool,
    aliases: String,
    builtin: bool,
    archived: bool,
    max_per_month: Option<i64>,
}

impl IndicatorRow {
    pub(crate) fn into_indicator(self) -> Result<Indicator> {
        let unit = Unit::parse(&self.unit).ok_or_else(|| corrupt("indicator", self.id, "unit"))?;
        Ok(Indicator {
            unit,
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
            max_per_month: self.max_per_month,
            max_per_month_in_force: self
                .max_per_month
                .unwrap_or_else(|| unit.default_max_per_month()),
            archived: self.archived,
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

/// An indicator × year of [`AggregateDeltas`]: (indicator id, year), then (value, firms) per group and month.
type DeltaRow = ((i64, i32), Vec<(i64, i64)>);

/// Changes to the aggregate cells, summed in memory while an import streams in, then written in one pass, so the
/// join of values × groups never runs in SQL. Groups are numbered densely, and each indicator × year touched has
/// one row holding, group after group, the twelve months' (value, firms): a value costs an array addition per group
/// it counts in, and a file's values, which come enterprise by enterprise, indicator by indicator and month by
/// month, add to neighbouring cells of the same row (a row per month instead put each value's groups in as many
/// far-apart places, and summing was a quarter of the write transaction).
pub(crate) struct AggregateDeltas {
    /// Dense group number → (dimension index in `Dimension::ALL`, group id).
    groups: Vec<(usize, i64)>,
    /// Enterprise → index of its membership set.
    member_of: rustc_hash::FxHashMap<i64, u32>,
    /// Membership sets: the dense numbers of the groups an enterprise counts in (enterprises share equal sets).
    sets: Vec<Vec<u32>>,
    /// (indicator id, year) → index in `rows`.
    row_of: rustc_hash::FxHashMap<(i64, i32), usize>,
    /// Per (indicator, year) in `row_of`: the key and the (value, firms) of cell `group * 12 + month - 1`.
    rows: Vec<DeltaRow>,
    /// The last enterprise and indicator × year added to, with their set and row (a file's values come in runs).
    last: Option<(i64, u32, (i64, i32), usize)>,
    /// The first (indicator id, month) whose change did not fit in an integer.
    overflow: Option<(i64, i32)>,
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
            row_of: rustc_hash::FxHashMap::default(),
            rows: Vec::new(),
            last: None,
            overflow: None,
        }
    }

    /// The membership set of `enterprise` and the row of `indicator` × the year of `month` (`yyyymm`), made if new;
    /// `None` for an enterprise that counts in no group.
    fn set_and_row(&mut self, enterprise: i64, indicator: i64, month: i32) -> Option<(u32, usize)> {
        let year = (indicator, month / 100);
        if let Some((e, set, y, row)) = self.last
            && e == enterprise
            && y == year
        {
            return Some((set, row));
        }
        let set = *self.member_of.get(&enterprise)?;
        let width = self.groups.len() * 12;
        let rows = &mut self.rows;
        let row = *self.row_of.entry(year).or_insert_with(|| {
            rows.push((year, vec![(0, 0); width]));
            rows.len() - 1
        });
        self.last = Some((enterprise, set, year, row));
        Some((set, row))
    }

    pub(crate) fn add(
        &mut self,
        enterprise: i64,
        indicator: i64,
        month: i32,
        value: i64,
        firms: i64,
    ) {
        let Some((set, row)) = self.set_and_row(enterprise, indicator, month) else {
            return;
        };
        let in_year = (month % 100) as usize - 1;
        let cells = &mut self.rows[row].1;
        for &group in &self.sets[set as usize] {
            let cell = &mut cells[group as usize * 12 + in_year];
            match (cell.0.checked_add(value), cell.1.checked_add(firms)) {
                (Some(v), Some(f)) => *cell = (v, f),
                _ => {
                    self.overflow.get_or_insert((indicator, month));
                }
            }
        }
    }

    /// Notes a value that replaced `old` with `new`.
    pub(crate) fn replace(
        &mut self,
        enterprise: i64,
        indicator: i64,
        month: i32,
        old: i64,
        new: i64,
    ) {
        match new.checked_sub(old) {
            Some(change) => self.add(enterprise, indicator, month, change, 0),
            None => {
                self.overflow.get_or_insert((indicator, month));
            }
        }
    }

    /// An error when a change summed so far did not fit in an integer.
    pub(crate) fn check(&self) -> Result<()> {
        match self.overflow {
            None => Ok(()),
            Some((indicator, month)) => Err(beyond_integers(format!(
                "the changes this import makes to the totals of indicator {indicator} for {month}"
            ))),
        }
    }

    /// Cells held before they are written out (16 bytes each), so memory stays bounded whatever the file's size
    /// (the cells of months a PostgreSQL import is the first to fill are held to its end: at most the file's
    /// indicators × years × 12 × the groups).
    const MAX_CELLS: usize = 4_000_000;

    /// Whether the cells held have reached the bound and should be written out.
    pub(crate) fn is_full(&self) -> bool {
        self.rows.len() * self.groups.len() * 12 > Self::MAX_CELLS
    }

    /// Takes the changes summed so far of the months `taken` says, by aggregate cell: (dimension index, group,
    /// indicator, month) → (value, firms). The months not taken stay, with their rows.
    pub(crate) fn take_by_group(
        &mut self,
        taken: impl Fn(i32) -> bool,
    ) -> Vec<(GroupCell, (i64, i64))> {
        let mut out = Vec::new();
        let mut kept = Vec::new();
        for ((indicator, year), mut cells) in std::mem::take(&mut self.rows) {
            let months: [(i32, bool); 12] = std::array::from_fn(|at| {
                let month = year * 100 + at as i32 + 1;
                (month, taken(month))
            });
            let mut left = false;
            for (&(dim, group), group_cells) in self.groups.iter().zip(cells.chunks_exact_mut(12)) {
                for (delta, &(month, take)) in group_cells.iter_mut().zip(&months) {
                    if *delta == (0, 0) {
                        continue;
                    }
                    if take {
                        out.push(((dim, group, indicator, month), std::mem::take(delta)));
                    } else {
                        left = true;
                    }
                }
            }
            if left {
                kept.push(((indicator, year), cells));
            }
        }
        self.row_of = kept
            .iter()
            .enumerate()
            .map(|(at, (key, _))| (*key, at))
            .collect();
        self.rows = kept;
        self.last = None;
        out
    }
}

/// The refusal of a sum that would not fit in the integers every amount is kept in.
pub(crate) fn beyond_integers(what: String) -> StoreError {
    StoreError::conflict(
        "figures",
        format!(
            "{what} would exceed the largest amount chainpark can add up ({} hundredths of the unit); nothing was \
             changed — look for values far too large (each indicator has a max_per_month)",
            i64::MAX
        ),
    )
}

/// `e` as the refusal of an overflowing sum when it is one, naming `what` was added up.
pub(crate) fn overflow_named(
    e: impl Into<StoreError>,
    what: impl FnOnce() -> String,
) -> StoreError {
    let e = e.into();
    if e.is_overflow() {
        beyond_integers(what())
    } else {
        e
    }
}

/// What a failure to write the staging file becomes.
pub(crate) fn staging_error(e: std::io::Error) -> StoreError {
    StoreError::Config(format!(
        "the import's temporary file in {}: {e}",
        std::env::temp_dir().display()
    ))
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
            ids.get(&e.credit_code).map(|e| e.id).ok_or_else(|| {
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
        let mut sent = 0u64;
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
                sent += values.len() as u64;
                if sender.send(ImportMessage::Values(values)).await.is_err() {
                    return;
                }
            }
        }
        // A report like a file's, so that the demo's import record downloads as any other.
        let report = serde_json::to_value(chainpark_import::ImportReport::generated(sent))
            .unwrap_or(serde_json::Value::Null);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Each enterprise counts in the zone and in one of two parks (dimension 1); enterprise 5 in no group.
    fn members() -> HashMap<i64, Vec<(usize, i64)>> {
        (1..=4)
            .map(|e| (e, vec![(0, 0), (1, 10 + e % 2)]))
            .collect()
    }

    #[test]
    fn deltas_sum_each_group_and_month_whatever_order_the_values_come_in() {
        // (enterprise, indicator, month, value, firms), over two years and two indicators, some keys twice.
        let mut values = Vec::new();
        for e in 1..=5i64 {
            for indicator in [3i64, 4] {
                for month in [202011, 202012, 202101, 202102] {
                    values.push((e, indicator, month, e * 100 + i64::from(month % 100), 1));
                }
            }
        }
        values.push((2, 3, 202012, -7, 0));
        let mut expected: BTreeMap<GroupCell, (i64, i64)> = BTreeMap::new();
        for &(e, indicator, month, value, firms) in &values {
            for &(dim, group) in members().get(&e).map(Vec::as_slice).unwrap_or_default() {
                let cell = expected.entry((dim, group, indicator, month)).or_default();
                *cell = (cell.0 + value, cell.1 + firms);
            }
        }
        let mut reversed = values.clone();
        reversed.reverse();
        for order in [values, reversed] {
            let mut deltas = AggregateDeltas::new(members());
            for (e, indicator, month, value, firms) in order {
                deltas.add(e, indicator, month, value, firms);
            }
            // The months of 2021 first, then the rest: nothing twice, nothing lost.
            let mut taken: BTreeMap<GroupCell, (i64, i64)> =
                deltas.take_by_group(|m| m > 202100).into_iter().collect();
            assert!(taken.keys().all(|(_, _, _, month)| *month > 202100));
            taken.extend(deltas.take_by_group(|_| true));
            assert_eq!(taken, expected);
            assert!(deltas.take_by_group(|_| true).is_empty());
            deltas.check().expect("no overflow");
        }
    }

    #[test]
    fn a_change_past_the_integers_is_refused_by_name_of_its_indicator_and_month() {
        let mut deltas = AggregateDeltas::new(members());
        deltas.add(1, 3, 202101, i64::MAX, 1);
        deltas.add(3, 3, 202101, 1, 1);
        let error = deltas.check().expect_err("overflow").to_string();
        assert!(error.contains("indicator 3 for 202101"), "{error}");
    }
}
