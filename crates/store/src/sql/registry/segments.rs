//! Chain segments: the tree of each chain, with its checks (parent in the same chain, no cycles).

use super::{Db, Engine};
use std::collections::HashMap;

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::chain_tree::would_create_cycle;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::Utc;
use sqlx::QueryBuilder;

use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::SegmentStore;
use crate::{Actor, Result, StoreError};

const SEGMENT_COLUMNS: &str = "SELECT s.id, s.chain_id, s.parent_id, s.code, s.name, s.name_en, s.stage, s.position, s.industry_codes, s.archived, s.updated_at";

async fn segment_by_id(c: &mut Conn, id: Id) -> Result<Segment> {
    let sql = format!("{SEGMENT_COLUMNS} FROM segments s WHERE s.id = $1");
    let row: Option<SegmentRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound {
        kind: "segment",
        id,
    })?
    .into_segment()
}

async fn check_segment_draft(c: &mut Conn, id: Option<Id>, d: &SegmentDraft) -> Result<()> {
    ensure_exists(c, "chains", "chain_id", d.chain_id).await?;
    ensure_unique(c, "segments", "code", &d.code, id).await?;
    if let Some(parent) = d.parent_id {
        let parent_chain: Option<i64> =
            sqlx::query_scalar("SELECT chain_id FROM segments WHERE id = $1")
                .bind(parent)
                .fetch_optional(&mut *c)
                .await?;
        match parent_chain {
            None => {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!("segment {parent} does not exist"),
                ));
            }
            Some(chain) if chain != d.chain_id => {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!(
                        "segment {parent} belongs to chain {chain}, not to chain {}",
                        d.chain_id
                    ),
                ));
            }
            Some(_) => {}
        }
        if let Some(id) = id {
            let rows: Vec<(i64, Option<i64>)> =
                sqlx::query_as("SELECT id, parent_id FROM segments WHERE chain_id = $1")
                    .bind(d.chain_id)
                    .fetch_all(&mut *c)
                    .await?;
            let parents: HashMap<Id, Option<Id>> = rows.into_iter().collect();
            let limit = parents.len() + 1;
            if would_create_cycle(id, parent, |n| parents.get(&n).copied().flatten(), limit) {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!("segment {parent} is {id} itself or below it: that would make a cycle"),
                ));
            }
        }
    }
    if let Some(id) = id {
        let current = segment_by_id(c, id).await?;
        if current.chain_id != d.chain_id {
            let children: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM segments WHERE parent_id = $1")
                    .bind(id)
                    .fetch_one(&mut *c)
                    .await?;
            if children > 0 {
                return Err(StoreError::invalid(
                    "chain_id",
                    "a segment with sub-segments cannot move to another chain",
                ));
            }
        }
    }
    Ok(())
}

/// The chain of each segment.
pub(super) async fn segment_chains(c: &mut Conn, segments: &[Id]) -> Result<HashMap<Id, Id>> {
    if segments.is_empty() {
        return Ok(HashMap::new());
    }
    let mut qb: QueryBuilder<'static, Db> =
        QueryBuilder::new("SELECT id, chain_id FROM segments WHERE 1 = 1");
    push_in(&mut qb, "id", segments);
    let rows: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
    Ok(rows.into_iter().collect())
}

pub(super) async fn insert_segment(
    c: &mut Conn,
    d: &SegmentDraft,
    now: chrono::DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO segments (chain_id, parent_id, code, name, name_en, stage, position, industry_codes, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(d.chain_id).bind(d.parent_id).bind(&d.code).bind(&d.name).bind(&d.name_en)
    .bind(d.stage.as_str()).bind(d.position).bind(join_codes(&d.industry_codes)).bind(now)
    .fetch_one(&mut *c).await?)
}

#[async_trait]
impl SegmentStore for Engine {
    async fn list_segments(
        &self,
        actor: &Actor,
        f: &SegmentFilter,
        paging: &Paging,
    ) -> Result<Page<Segment>> {
        let order = order_by(
            paging,
            &[
                ("code", "s.code"),
                ("name", "s.name"),
                ("position", "s.position"),
                ("stage", "s.stage"),
                ("updated_at", "s.updated_at"),
            ],
            "s.chain_id, s.position",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<SegmentRow>(
            &mut c,
            SEGMENT_COLUMNS,
            |qb| {
                qb.push("FROM segments s WHERE 1 = 1");
                push_archived(qb, "s", f.include_archived);
                push_eq(qb, "s.chain_id", f.chain_id);
                push_reach(qb, Kind::Segment, &actor.scope.reach(Kind::Segment));
                push_eq(qb, "s.parent_id", f.parent_id);
                push_eq(qb, "s.stage", f.stage.map(|s| s.as_str()));
                if f.roots_only {
                    qb.push(" AND s.parent_id IS NULL");
                }
                push_search(qb, &f.q, &["s.code", "s.name", "s.name_en"]);
            },
            &order,
            paging,
        )
        .await?;
        let items = rows
            .into_iter()
            .map(SegmentRow::into_segment)
            .collect::<Result<Vec<_>>>()?;
        Ok(page(items, total, paging))
    }

    async fn get_segment(&self, actor: &Actor, id: Id) -> Result<Segment> {
        let mut c = self.read().await?;
        let segment = segment_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Segment, "segment", id).await?;
        Ok(segment)
    }

    async fn create_segment(&self, actor: &Actor, d: SegmentDraft) -> Result<Segment> {
        actor.scope.may_edit_chain(d.chain_id)?;
        let mut tx = self.begin_write().await?;
        check_segment_draft(tx.conn(), None, &d).await?;
        let id = insert_segment(tx.conn(), &d, Utc::now()).await?;
        let after = segment_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "segment", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_segment(
        &self,
        actor: &Actor,
        id: Id,
        d: SegmentDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Segment> {
        let mut tx = self.begin_write().await?;
        let before = segment_by_id(tx.conn(), id).await?;
        claim_version(
            tx.conn(),
            "segments",
            "segment",
            id,
            before.updated_at,
            expected,
        )
        .await?;
        actor.scope.may_edit_chain(before.chain_id)?;
        actor.scope.may_edit_chain(d.chain_id)?;
        check_segment_draft(tx.conn(), Some(id), &d).await?;
        sqlx::query(
            "UPDATE segments SET chain_id = $1, parent_id = $2, code = $3, name = $4, name_en = $5, stage = $6, \
             position = $7, industry_codes = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(d.chain_id).bind(d.parent_id).bind(&d.code).bind(&d.name).bind(&d.name_en)
        .bind(d.stage.as_str()).bind(d.position).bind(join_codes(&d.industry_codes)).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = segment_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "segment", id, "update", Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    async fn archive_segment(&self, actor: &Actor, id: Id) -> Result<Segment> {
        let chain = segment_by_id(&mut *self.read().await?, id).await?.chain_id;
        actor.scope.may_edit_chain(chain)?;
        archive!(self, actor, id, "segments", "segment", segment_by_id)
    }
}
