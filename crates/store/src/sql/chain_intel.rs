//! Chain intelligence in SQL (see `crate::chain_intel`), compiled once per engine. The facts of all chains are read
//! with four queries whatever their number: segments, links, firms with their output (read by each engine its own
//! way, `crate::chain_members`), and the zone's total.

use super::{Db, Engine};

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chainpark_core::access::{Kind, Place};
use chainpark_core::chain_intel::*;
use chainpark_core::error::Invalid;
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, QueryBuilder};

use super::tx::audit;
use crate::chain_intel::*;
use crate::chain_members::MemberQuery;
use crate::common::push_reach;
use crate::{Actor, Result, StoreError};

type Conn = <Db as sqlx::Database>::Connection;

/// The last day of a month: a firm counts in a month if it was in the zone on that day.
fn last_day(month: Month) -> NaiveDate {
    let next = month.next();
    NaiveDate::from_ymd_opt(next.year(), next.month(), 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

const REFERENCE_COLUMNS: &str = "SELECT r.id, r.name, r.region, r.measure, r.year, r.source, r.total, r.file_name, \
     (SELECT COUNT(*) FROM reference_values v WHERE v.reference_id = r.id) AS rows, r.imported_at, r.actor \
     FROM reference_tables r";

#[derive(FromRow)]
struct ReferenceRow {
    id: i64,
    name: String,
    region: String,
    measure: String,
    year: i32,
    source: String,
    total: i64,
    file_name: String,
    rows: i64,
    imported_at: DateTime<Utc>,
    actor: String,
}

impl ReferenceRow {
    fn into_table(self) -> Result<ReferenceTable> {
        let measure = ReferenceMeasure::parse(&self.measure)
            .ok_or_else(|| crate::common::corrupt("reference table", self.id, "unknown measure"))?;
        Ok(ReferenceTable {
            id: self.id,
            name: self.name,
            region: self.region,
            measure,
            year: self.year,
            source: self.source,
            total: self.total,
            file_name: self.file_name,
            rows: self.rows,
            imported_at: self.imported_at,
            actor: self.actor,
        })
    }
}

async fn reference(c: &mut Conn, id: Option<Id>) -> Result<Option<ReferenceTable>> {
    let row: Option<ReferenceRow> = match id {
        Some(id) => {
            let row = sqlx::query_as(&format!("{REFERENCE_COLUMNS} WHERE r.id = $1"))
                .bind(id)
                .fetch_optional(&mut *c)
                .await?;
            Some(row.ok_or(StoreError::NotFound {
                kind: "reference table",
                id,
            })?)
        }
        None => {
            sqlx::query_as(&format!(
                "{REFERENCE_COLUMNS} ORDER BY r.imported_at DESC, r.id DESC LIMIT 1"
            ))
            .fetch_optional(&mut *c)
            .await?
        }
    };
    row.map(ReferenceRow::into_table).transpose()
}

/// The unarchived chains the diagnosis covers: one (if the actor may read its intelligence) or all in reach.
async fn chains_in_reach(c: &mut Conn, actor: &Actor, chain: Option<Id>) -> Result<Vec<Id>> {
    if let Some(chain) = chain {
        actor.scope.may_read_chain_intel(chain)?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM chains WHERE id = $1")
            .bind(chain)
            .fetch_optional(&mut *c)
            .await?;
        return found.map(|id| vec![id]).ok_or(StoreError::NotFound {
            kind: "chain",
            id: chain,
        });
    }
    let mut qb: QueryBuilder<'static, Db> =
        QueryBuilder::new("SELECT c.id FROM chains c WHERE c.archived = FALSE");
    push_reach(
        &mut qb,
        Kind::ChainIntel,
        &actor.scope.reach(Kind::ChainIntel),
    );
    qb.push(" ORDER BY c.id");
    Ok(qb.build_query_scalar().fetch_all(&mut *c).await?)
}

fn push_ids(qb: &mut QueryBuilder<'static, Db>, ids: &[Id]) {
    qb.push("(");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

#[derive(FromRow)]
struct SegmentFactRow {
    id: i64,
    chain_id: i64,
    parent_id: Option<i64>,
    industry_codes: String,
    weight: i64,
}

/// A list of ids written into a statement (integers from the store, never text a user typed).
fn id_list(ids: &[Id]) -> String {
    if ids.is_empty() {
        return "NULL".to_string();
    }
    ids.iter().map(Id::to_string).collect::<Vec<_>>().join(", ")
}

/// The membership query of [`MemberQuery`]: firms in the zone on the month's last day (`$4`) — settled by then (no
/// tenure row: always there), not yet left, and, when no leaving date is known, still active — in a segment, with
/// their output (`$1` the indicator, `$2` the month, `$3` a year earlier); and the key projects in production by
/// then in a segment of `chains`, as their enterprise (or, before it is registered, as the project itself, a
/// negative id).
///
/// All chains at once (`segments` is `None`) read nearly every membership of the zone, so the query walks the
/// enterprises in the order of their id and looks up each one's tenure, memberships and values by key, in the same
/// order (on SQLite, whose values are kept by enterprise, each lookup lands on a page the previous one read; `CROSS
/// JOIN` keeps that order on SQLite and is an inner join to PostgreSQL). It tests no segment: the caller keeps the
/// rows of the segments it diagnoses, which costs less than a test of every row against a list. One chain reads a
/// tenth of the zone and goes in through its segments' index.
fn member_rows_sql(segments: Option<&[Id]>, chains: &[Id], month: Month) -> String {
    let (from, segment_test) = match segments {
        None => (
            "enterprises e LEFT JOIN enterprise_tenures t ON t.enterprise_id = e.id \
             CROSS JOIN enterprise_segments es",
            String::new(),
        ),
        Some(ids) => (
            "enterprise_segments es CROSS JOIN enterprises e \
             LEFT JOIN enterprise_tenures t ON t.enterprise_id = e.id",
            format!(" AND es.segment_id IN ({})", id_list(ids)),
        ),
    };
    let year_earlier = Month::new(month.year() - 1, month.month()).unwrap_or(month);
    let (v, value) = super::month_value("v", "e.id", "$1", "$2", month);
    let (y, earlier) = super::month_value("y", "e.id", "$1", "$3", year_earlier);
    let (pv, p_value) = super::month_value("v", "p.enterprise_id", "$1", "$2", month);
    let (py, p_earlier) = super::month_value("y", "p.enterprise_id", "$1", "$3", year_earlier);
    format!(
        "SELECT es.segment_id, es.enterprise_id, COALESCE({value}, 0) AS output, \
         COALESCE({earlier}, 0) AS output_year_earlier FROM {from} \
         LEFT JOIN {v} LEFT JOIN {y} \
         WHERE es.enterprise_id = e.id AND e.archived = FALSE \
         AND (t.settled_on IS NULL OR t.settled_on <= $4) AND (t.left_on IS NULL OR t.left_on > $4) \
         AND (e.status = 'active' OR t.left_on IS NOT NULL){segment_test} \
         UNION ALL SELECT p.segment_id, COALESCE(p.enterprise_id, -p.id), COALESCE({p_value}, 0), \
         COALESCE({p_earlier}, 0) FROM projects p JOIN segments s ON s.id = p.segment_id \
         LEFT JOIN {pv} LEFT JOIN {py} \
         WHERE p.archived = FALSE AND s.archived = FALSE AND p.stage IN ('in_production', 'at_capacity') \
         AND p.production_on <= $4 AND s.chain_id IN ({})",
        id_list(chains)
    )
}

#[async_trait]
impl ChainIntelStore for Engine {
    async fn chain_facts(
        &self,
        actor: &Actor,
        chain: Option<Id>,
        month: Month,
        reference_id: Option<Id>,
    ) -> Result<ChainFactSet> {
        let mut c = self.read().await?;
        let chains = chains_in_reach(&mut c, actor, chain).await?;
        let reference = reference(&mut c, reference_id).await?;
        let indicator = reference
            .as_ref()
            .map_or(DEFAULT_INDICATOR, |r| r.measure.indicator())
            .to_string();
        let mut set = ChainFactSet {
            month,
            indicator: indicator.clone(),
            reference,
            chains: Vec::new(),
        };
        if chains.is_empty() {
            return Ok(set);
        }
        let indicator_id: i64 = sqlx::query_scalar("SELECT id FROM indicators WHERE code = $1")
            .bind(&indicator)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("the indicator {indicator} is missing")))?;

        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "SELECT s.id, s.chain_id, s.parent_id, s.industry_codes, COALESCE(w.weight, 100) AS weight \
             FROM segments s LEFT JOIN segment_weights w ON w.segment_id = s.id \
             WHERE s.archived = FALSE AND s.chain_id IN ",
        );
        push_ids(&mut qb, &chains);
        qb.push(" ORDER BY s.chain_id, s.position, s.id");
        let segments: Vec<SegmentFactRow> = qb.build_query_as().fetch_all(&mut *c).await?;

        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "SELECT l.from_segment_id, l.to_segment_id FROM supply_links l \
             JOIN segments f ON f.id = l.from_segment_id JOIN segments t ON t.id = l.to_segment_id \
             WHERE l.archived = FALSE AND f.archived = FALSE AND t.archived = FALSE AND f.chain_id = t.chain_id \
             AND f.chain_id IN ",
        );
        push_ids(&mut qb, &chains);
        let links: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;

        let segment_ids: Vec<Id> = segments.iter().map(|s| s.id).collect();
        let query = MemberQuery {
            sql: member_rows_sql(
                chain.is_some().then_some(segment_ids.as_slice()),
                &chains,
                month,
            ),
            indicator_id,
            month: month.key(),
            year_earlier: month.key() - 100,
            day: last_day(month),
        };
        let members = super::read_members(&mut c, &query).await?;

        let zone_total: Option<i64> = sqlx::query_scalar(
            "SELECT value FROM figure_aggregates WHERE dimension = 'zone' AND group_id = 0 \
             AND indicator_id = $1 AND month = $2",
        )
        .bind(indicator_id)
        .bind(month.key())
        .fetch_optional(&mut *c)
        .await?;

        let reference_rows: Vec<(String, i64)> = match &set.reference {
            Some(r) => {
                sqlx::query_as(
                    "SELECT industry_code, value FROM reference_values WHERE reference_id = $1",
                )
                .bind(r.id)
                .fetch_all(&mut *c)
                .await?
            }
            None => Vec::new(),
        };
        let reference_total = set.reference.as_ref().map(|r| r.total);

        let mut by_chain: BTreeMap<Id, ChainFacts> = chains
            .iter()
            .map(|id| {
                (
                    *id,
                    ChainFacts {
                        segments: Vec::new(),
                        links: Vec::new(),
                        members: Vec::new(),
                        zone_total: zone_total.unwrap_or(0),
                        reference_total,
                    },
                )
            })
            .collect();
        let mut chain_of: HashMap<Id, Id> = HashMap::with_capacity(segments.len());
        for s in segments {
            chain_of.insert(s.id, s.chain_id);
            let codes: Vec<String> = s
                .industry_codes
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(facts) = by_chain.get_mut(&s.chain_id) {
                facts.segments.push(SegmentFacts {
                    id: s.id,
                    parent_id: s.parent_id,
                    weight: s.weight,
                    reference_output: set
                        .reference
                        .as_ref()
                        .and_then(|_| reference_output(&codes, &reference_rows)),
                });
            }
        }
        for (from, to) in links {
            if let Some(facts) = chain_of.get(&from).and_then(|c| by_chain.get_mut(c)) {
                facts.links.push((from, to));
            }
        }
        // Rows of segments not diagnosed here (archived, or of chains not asked for) are left out.
        for m in members {
            if let Some(facts) = chain_of
                .get(&m.segment_id)
                .and_then(|c| by_chain.get_mut(c))
            {
                facts.members.push(m);
            }
        }
        set.chains = by_chain.into_iter().collect();
        Ok(set)
    }

    async fn set_segment_weights(
        &self,
        actor: &Actor,
        chain: Id,
        weights: &[(Id, i64)],
    ) -> Result<()> {
        actor.scope.may_steer_chain(chain)?;
        let mut tx = self.begin_write().await?;
        let ids: Vec<Id> = weights.iter().map(|(s, _)| *s).collect();
        let mut before: BTreeMap<Id, i64> = BTreeMap::new();
        if !ids.is_empty() {
            let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
                "SELECT s.id, s.chain_id, COALESCE(w.weight, 100) FROM segments s \
                 LEFT JOIN segment_weights w ON w.segment_id = s.id WHERE s.id IN ",
            );
            push_ids(&mut qb, &ids);
            let found: Vec<(i64, i64, i64)> = qb.build_query_as().fetch_all(tx.conn()).await?;
            let chain_of: HashMap<Id, (Id, i64)> =
                found.into_iter().map(|(s, c, w)| (s, (c, w))).collect();
            for (i, (segment, _)) in weights.iter().enumerate() {
                match chain_of.get(segment) {
                    Some((c, w)) if *c == chain => {
                        before.insert(*segment, *w);
                    }
                    _ => {
                        return Err(Invalid::field(
                            &format!("weights[{i}].segment_id"),
                            format!("segment {segment} is not a segment of chain {chain}"),
                        )
                        .into());
                    }
                }
            }
        }
        let now = Utc::now();
        for (segment, weight) in weights {
            sqlx::query(
                "INSERT INTO segment_weights (segment_id, weight, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (segment_id) DO UPDATE SET weight = excluded.weight, updated_at = excluded.updated_at",
            )
            .bind(segment)
            .bind(weight)
            .bind(now)
            .execute(tx.conn())
            .await?;
        }
        let after: BTreeMap<Id, i64> = weights.iter().copied().collect();
        tx.commit_audited(
            actor,
            "segment_weights",
            chain,
            "update",
            Some(&before),
            Some(&after),
        )
        .await
    }

    async fn set_tenure(&self, actor: &Actor, tenure: Tenure) -> Result<Tenure> {
        if tenure.left_on.is_some_and(|left| left <= tenure.settled_on) {
            return Err(Invalid::field("left_on", "must be after settled_on").into());
        }
        let mut tx = self.begin_write().await?;
        let park: Option<Option<i64>> =
            sqlx::query_scalar("SELECT park_id FROM enterprises WHERE id = $1")
                .bind(tenure.enterprise_id)
                .fetch_optional(tx.conn())
                .await?;
        let Some(park) = park else {
            return Err(StoreError::NotFound {
                kind: "enterprise",
                id: tenure.enterprise_id,
            });
        };
        let chains: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT s.chain_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id \
             WHERE es.enterprise_id = $1",
        )
        .bind(tenure.enterprise_id)
        .fetch_all(tx.conn())
        .await?;
        let place = Place {
            chains: &chains,
            parks: park.as_slice(),
            enterprises: std::slice::from_ref(&tenure.enterprise_id),
            people: &[],
        };
        if !actor.scope.sees(Kind::Enterprise, place) {
            return Err(StoreError::NotFound {
                kind: "enterprise",
                id: tenure.enterprise_id,
            });
        }
        actor.scope.may_record_tenure(park, &chains)?;
        let before: Option<(NaiveDate, Option<NaiveDate>)> = sqlx::query_as(
            "SELECT settled_on, left_on FROM enterprise_tenures WHERE enterprise_id = $1",
        )
        .bind(tenure.enterprise_id)
        .fetch_optional(tx.conn())
        .await?;
        sqlx::query(
            "INSERT INTO enterprise_tenures (enterprise_id, settled_on, left_on, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (enterprise_id) DO UPDATE SET settled_on = excluded.settled_on, \
             left_on = excluded.left_on, updated_at = excluded.updated_at",
        )
        .bind(tenure.enterprise_id)
        .bind(tenure.settled_on)
        .bind(tenure.left_on)
        .bind(Utc::now())
        .execute(tx.conn())
        .await?;
        let before = before.map(|(settled_on, left_on)| Tenure {
            enterprise_id: tenure.enterprise_id,
            settled_on,
            left_on,
        });
        audit(
            tx.conn(),
            actor,
            "enterprise_tenure",
            tenure.enterprise_id,
            if before.is_some() { "update" } else { "create" },
            before.as_ref(),
            Some(&tenure),
        )
        .await?;
        tx.commit().await?;
        Ok(tenure)
    }

    async fn create_reference(
        &self,
        actor: &Actor,
        draft: ReferenceDraft,
    ) -> Result<ReferenceTable> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let now = Utc::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reference_tables (name, region, measure, year, source, total, file_name, imported_at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&draft.name)
        .bind(&draft.region)
        .bind(draft.measure.indicator())
        .bind(draft.year)
        .bind(&draft.source)
        .bind(draft.total)
        .bind(&draft.file_name)
        .bind(now)
        .bind(&actor.account)
        .fetch_one(tx.conn())
        .await?;
        for chunk in draft.rows.chunks(500) {
            let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
                "INSERT INTO reference_values (reference_id, industry_code, value) ",
            );
            qb.push_values(chunk, |mut row, (code, value)| {
                row.push_bind(id).push_bind(code.clone()).push_bind(*value);
            });
            qb.build().execute(tx.conn()).await?;
        }
        let row: ReferenceRow = sqlx::query_as(&format!("{REFERENCE_COLUMNS} WHERE r.id = $1"))
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
        let table = row.into_table()?;
        tx.commit_audited(actor, "reference_table", id, "create", None, Some(&table))
            .await?;
        Ok(table)
    }

    async fn list_references(&self, actor: &Actor) -> Result<Vec<ReferenceTable>> {
        actor.scope.may_see_zone_views()?;
        let mut c = self.read().await?;
        let rows: Vec<ReferenceRow> = sqlx::query_as(&format!(
            "{REFERENCE_COLUMNS} ORDER BY r.imported_at DESC, r.id DESC"
        ))
        .fetch_all(&mut *c)
        .await?;
        rows.into_iter().map(ReferenceRow::into_table).collect()
    }
}
