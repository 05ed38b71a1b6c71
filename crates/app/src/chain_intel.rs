//! Chain intelligence for the interfaces: a chain's diagnosis for a month (now or any past month), every chain's at
//! once, and a chain's health month by month. The store gathers the facts as they were on each month's last day,
//! `chainpark_core::chain_intel` computes and explains; the API, the pages and the benchmark call these.

use chainpark_core::chain_intel::{
    ChainDiagnosis, GapCounts, ReferenceInput, ReferenceMeasure, diagnose,
};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_import::{ImportOptions, ReferenceUnit, RowError, read_reference};
use chainpark_store::chain_intel::{ChainFactSet, ReferenceTable};
use chainpark_store::prelude::*;
use chainpark_store::{Actor, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

/// The most months one history answer covers (three years).
pub const MAX_HISTORY_MONTHS: usize = 36;

/// One chain's diagnosis for a month.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChainHealth {
    pub chain_id: Id,
    /// `YYYY-MM`.
    pub month: String,
    /// The indicator the outputs are values of (hundredths of a yuan, or persons for employment).
    pub indicator: String,
    /// The reference table of the location quotients, when there is one.
    pub reference: Option<ReferenceTable>,
    pub diagnosis: ChainDiagnosis,
}

/// A chain's health in one month of its history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HealthPoint {
    /// `YYYY-MM`.
    pub month: String,
    pub firms: usize,
    pub output: f64,
    pub completeness: Option<f64>,
    pub gaps: GapCounts,
}

/// Parses `YYYY-MM`, naming `field` when it is not a month.
pub fn parse_month(field: &str, text: &str) -> AppResult<Month> {
    text.split_once('-')
        .and_then(|(y, m)| Month::new(y.parse().ok()?, m.parse().ok()?))
        .filter(|_| text.len() == 7)
        .ok_or_else(|| AppError::bad_field(field, "write the month as YYYY-MM"))
}

fn healths(set: ChainFactSet) -> Vec<ChainHealth> {
    let month = set.month.to_string();
    set.chains
        .iter()
        .map(|(chain, facts)| ChainHealth {
            chain_id: *chain,
            month: month.clone(),
            indicator: set.indicator.clone(),
            reference: set.reference.clone(),
            diagnosis: diagnose(facts),
        })
        .collect()
}

/// One chain's diagnosis on `month`, for readers of everything and the chain's own chiefs, task force and owners.
pub async fn chain_health(
    store: &dyn Store,
    actor: &Actor,
    chain: Id,
    month: Month,
    reference: Option<Id>,
) -> AppResult<ChainHealth> {
    // A chain owner or enterprise user does not learn of other chains (404), as in the registry.
    store.get_chain(actor, chain).await?;
    let set = store
        .chain_facts(actor, Some(chain), month, reference)
        .await?;
    healths(set)
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal(format!("chain {chain} has no facts")))
}

/// The diagnosis of every chain the actor reaches, on `month`.
pub async fn all_chains_health(
    store: &dyn Store,
    actor: &Actor,
    month: Month,
    reference: Option<Id>,
) -> AppResult<Vec<ChainHealth>> {
    actor.scope.may_see_zone_views().map_err(StoreError::from)?;
    Ok(healths(
        store.chain_facts(actor, None, month, reference).await?,
    ))
}

/// How long a remembered diagnosis is used at most, even when no change on this server moved the data version
/// (changes made by another process on the same database are seen after this long).
pub const HEALTH_MAX_AGE: Duration = Duration::from_secs(60);
/// (month, reference) pairs remembered at once.
const HEALTH_ENTRIES: usize = 64;

struct Remembered {
    version: u64,
    made: Instant,
    healths: Arc<Vec<ChainHealth>>,
}

/// Every unarchived chain's diagnosis for a (month, reference table), remembered for the data version it was
/// computed at (the server's version moves with every change, see `chainpark_web::cache`): the facts of all chains
/// are read in four queries and diagnosed once, and every chain page and overview of that month then filters and
/// clones. Who may see which chain is checked on every answer, never cached.
#[derive(Default)]
pub struct HealthCache {
    entries: Mutex<HashMap<(Month, Option<Id>), Remembered>>,
    /// One chain's health in one month of its history, per (chain, month, reference): remembered like the
    /// diagnoses, for the data version it was computed at and at most [`HEALTH_MAX_AGE`].
    points: Mutex<HashMap<PointKey, RememberedPoint>>,
}

/// (chain, month, reference table) of a remembered history point.
type PointKey = (Id, Month, Option<Id>);

struct RememberedPoint {
    version: u64,
    made: Instant,
    point: HealthPoint,
}

/// History points remembered at once (a 36-month history of every demo chain several times over).
const HISTORY_POINTS: usize = 4096;

impl HealthCache {
    fn lookup(&self, key: &(Month, Option<Id>), version: u64) -> Option<Arc<Vec<ChainHealth>>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|r| r.version == version && r.made.elapsed() < HEALTH_MAX_AGE)
            .map(|r| r.healths.clone())
    }

    /// Every chain's diagnosis on `month`, from memory when it was computed at `version` less than
    /// [`HEALTH_MAX_AGE`] ago.
    pub async fn all(
        &self,
        store: &dyn Store,
        month: Month,
        reference: Option<Id>,
        version: u64,
    ) -> AppResult<Arc<Vec<ChainHealth>>> {
        let key = (month, reference);
        if let Some(hit) = self.lookup(&key, version) {
            return Ok(hit);
        }
        let set = store
            .chain_facts(&Actor::system("chain diagnosis"), None, month, reference)
            .await?;
        let healths = Arc::new(healths(set));
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= HEALTH_ENTRIES {
            entries.retain(|_, r| r.version == version && r.made.elapsed() < HEALTH_MAX_AGE);
            if entries.len() >= HEALTH_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Remembered {
                version,
                made: Instant::now(),
                healths: healths.clone(),
            },
        );
        Ok(healths)
    }

    /// One chain's diagnosis, as [`chain_health`] answers it, through the remembered set (an archived chain, which
    /// the set leaves out, is computed alone).
    pub async fn chain(
        &self,
        store: &dyn Store,
        actor: &Actor,
        chain: Id,
        month: Month,
        reference: Option<Id>,
        version: u64,
    ) -> AppResult<ChainHealth> {
        store.get_chain(actor, chain).await?;
        actor
            .scope
            .may_read_chain_intel(chain)
            .map_err(StoreError::from)?;
        let all = self.all(store, month, reference, version).await?;
        match all.iter().find(|h| h.chain_id == chain) {
            Some(health) => Ok(health.clone()),
            None => chain_health(store, actor, chain, month, reference).await,
        }
    }

    /// Every chain the actor reaches, as [`all_chains_health`] answers it, through the remembered set.
    pub async fn chains(
        &self,
        store: &dyn Store,
        actor: &Actor,
        month: Month,
        reference: Option<Id>,
        version: u64,
    ) -> AppResult<Vec<ChainHealth>> {
        actor.scope.may_see_zone_views().map_err(StoreError::from)?;
        let all = self.all(store, month, reference, version).await?;
        Ok(all
            .iter()
            .filter(|h| actor.scope.may_read_chain_intel(h.chain_id).is_ok())
            .cloned()
            .collect())
    }
}

impl HealthCache {
    /// A chain's health month by month, as [`chain_history`] answers it, each month from memory when it was computed
    /// at `version` less than [`HEALTH_MAX_AGE`] ago. The caller's access is checked first, every time.
    #[allow(clippy::too_many_arguments)]
    pub async fn history(
        &self,
        store: &dyn Store,
        actor: &Actor,
        chain: Id,
        from: Month,
        to: Month,
        reference: Option<Id>,
        version: u64,
    ) -> AppResult<Vec<HealthPoint>> {
        let months = history_months(from, to)?;
        store.get_chain(actor, chain).await?;
        actor
            .scope
            .may_read_chain_intel(chain)
            .map_err(StoreError::from)?;
        let mut points = Vec::with_capacity(months.len());
        for month in months {
            let key = (chain, month, reference);
            let hit = {
                let remembered = self.points.lock().unwrap_or_else(|e| e.into_inner());
                remembered
                    .get(&key)
                    .filter(|r| r.version == version && r.made.elapsed() < HEALTH_MAX_AGE)
                    .map(|r| r.point.clone())
            };
            let point = match hit {
                Some(point) => point,
                None => {
                    let system = Actor::system("chain history");
                    let point =
                        history_point(chain_health(store, &system, chain, month, reference).await?);
                    let mut remembered = self.points.lock().unwrap_or_else(|e| e.into_inner());
                    if remembered.len() >= HISTORY_POINTS {
                        remembered.retain(|_, r| {
                            r.version == version && r.made.elapsed() < HEALTH_MAX_AGE
                        });
                        if remembered.len() >= HISTORY_POINTS {
                            remembered.clear();
                        }
                    }
                    remembered.insert(
                        key,
                        RememberedPoint {
                            version,
                            made: Instant::now(),
                            point: point.clone(),
                        },
                    );
                    point
                }
            };
            points.push(point);
        }
        Ok(points)
    }
}

/// Sets importance weights (hundredths) of segments of a chain: its chiefs, its task force and the admin.
pub async fn set_segment_weights(
    store: &dyn Store,
    actor: &Actor,
    chain: Id,
    weights: &[(Id, i64)],
) -> AppResult<()> {
    store.get_chain(actor, chain).await?;
    Ok(store.set_segment_weights(actor, chain, weights).await?)
}

/// The months of a history from `from` to `to`: at most [`MAX_HISTORY_MONTHS`], `from` not after `to`.
fn history_months(from: Month, to: Month) -> AppResult<Vec<Month>> {
    if from > to {
        return Err(AppError::bad_field("from", "must not be after `to`"));
    }
    let mut months = vec![from];
    while let Some(last) = months.last().copied().filter(|m| *m < to) {
        if months.len() >= MAX_HISTORY_MONTHS {
            return Err(AppError::bad_field(
                "from",
                format!("a history covers at most {MAX_HISTORY_MONTHS} months"),
            ));
        }
        months.push(last.next());
    }
    Ok(months)
}

fn history_point(health: ChainHealth) -> HealthPoint {
    let d = health.diagnosis;
    HealthPoint {
        month: health.month,
        firms: d.firms,
        output: d.output.or_zero(),
        completeness: d.completeness.value,
        gaps: d.gaps,
    }
}

/// A chain's health each month from `from` to `to`, as it was on each month's last day (computed afresh; the
/// server answers through [`HealthCache::history`]).
pub async fn chain_history(
    store: &dyn Store,
    actor: &Actor,
    chain: Id,
    from: Month,
    to: Month,
    reference: Option<Id>,
) -> AppResult<Vec<HealthPoint>> {
    let months = history_months(from, to)?;
    let mut points = Vec::with_capacity(months.len());
    for month in months {
        points.push(history_point(
            chain_health(store, actor, chain, month, reference).await?,
        ));
    }
    Ok(points)
}

/// What a reference table is about, given with its file.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReferenceQuery {
    pub name: String,
    /// A division code (500000 = Chongqing, 100000 = the nation) or a region's name.
    pub region: String,
    /// gross_output, operating_revenue or employees.
    pub measure: String,
    pub year: i32,
    /// Where the figures were published, e.g. 重庆统计年鉴 2025.
    pub source: String,
    /// The file's name: `.xlsx` is read as a workbook, anything else as CSV.
    pub filename: String,
}

/// The outcome of a reference import: the stored table, or every bad row (and nothing stored).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferenceImport {
    pub stored: bool,
    pub table: Option<ReferenceTable>,
    /// Each bad row: line, column, problem, cell and reason (in English and Chinese), as in figure imports.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<RowError>,
}

/// Imports a reference table for location quotients (the admin's): the file is read with the figure imports'
/// conventions (encodings, units, row report); a file with any bad row stores nothing.
pub async fn import_reference(
    store: &dyn Store,
    actor: &Actor,
    q: ReferenceQuery,
    bytes: Vec<u8>,
    options: ImportOptions,
) -> AppResult<ReferenceImport> {
    actor.scope.may_administer().map_err(StoreError::from)?;
    let measure = ReferenceMeasure::parse(&q.measure).ok_or_else(|| {
        AppError::bad_field(
            "measure",
            "must be gross_output, operating_revenue or employees",
        )
    })?;
    let unit = match measure {
        ReferenceMeasure::Employees => ReferenceUnit::Person,
        _ => ReferenceUnit::Yuan,
    };
    let file_name = q.filename.clone();
    let read =
        tokio::task::spawn_blocking(move || read_reference(&bytes, &file_name, unit, &options))
            .await
            .map_err(|e| AppError::internal(format!("reading the reference file: {e}")))?
            .map_err(|e| AppError::bad_field("file", format!("{e} ({})", e.message_zh())))?;
    if !read.errors.is_empty() {
        return Ok(ReferenceImport {
            stored: false,
            table: None,
            errors: read.errors,
        });
    }
    let draft = ReferenceInput {
        name: q.name,
        region: q.region,
        measure,
        year: q.year,
        source: q.source,
        total: read.total,
        file_name: q.filename,
        rows: read.rows,
    }
    .parse()
    .map_err(StoreError::from)?;
    let table = store.create_reference(actor, draft).await?;
    Ok(ReferenceImport {
        stored: true,
        table: Some(table),
        errors: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_written_yyyy_mm() {
        assert_eq!(parse_month("month", "2026-05").ok(), Month::new(2026, 5));
        for bad in ["2026-5", "2026-13", "May", "2026-05-01"] {
            assert!(parse_month("month", bad).is_err(), "{bad}");
        }
    }
}
