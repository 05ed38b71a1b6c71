//! Industry chains, each in one industry area.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::Utc;

use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::ChainStore;
use crate::{Actor, Result, StoreError};

const CHAIN_COLUMNS: &str =
    "SELECT c.id, c.area_id, c.code, c.name, c.name_en, c.description, c.archived, c.updated_at";

async fn chain_by_id(c: &mut Conn, id: Id) -> Result<Chain> {
    let sql = format!("{CHAIN_COLUMNS} FROM chains c WHERE c.id = $1");
    let row: Option<ChainRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.map(ChainRow::into_chain)
        .ok_or(StoreError::NotFound { kind: "chain", id })
}

pub(super) async fn insert_chain(
    c: &mut Conn,
    d: &ChainDraft,
    now: chrono::DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO chains (area_id, code, name, name_en, description, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(d.area_id)
    .bind(&d.code)
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.description)
    .bind(now)
    .fetch_one(&mut *c)
    .await?)
}

#[async_trait]
impl ChainStore for Engine {
    async fn list_chains(
        &self,
        actor: &Actor,
        f: &ChainFilter,
        paging: &Paging,
    ) -> Result<Page<Chain>> {
        let order = order_by(
            paging,
            &[
                ("code", "c.code"),
                ("name", "c.name"),
                ("area_id", "c.area_id"),
                ("updated_at", "c.updated_at"),
            ],
            "c.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<ChainRow>(
            &mut c,
            CHAIN_COLUMNS,
            |qb| {
                qb.push("FROM chains c WHERE 1 = 1");
                push_archived(qb, "c", f.include_archived);
                push_eq(qb, "c.area_id", f.area_id);
                push_reach(qb, Kind::Chain, &actor.scope.reach(Kind::Chain));
                push_search(qb, &f.q, &["c.code", "c.name", "c.name_en"]);
            },
            &order,
            paging,
        )
        .await?;
        Ok(page(
            rows.into_iter().map(ChainRow::into_chain).collect(),
            total,
            paging,
        ))
    }

    async fn get_chain(&self, actor: &Actor, id: Id) -> Result<Chain> {
        let mut c = self.read().await?;
        let chain = chain_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Chain, "chain", id).await?;
        Ok(chain)
    }

    async fn create_chain(&self, actor: &Actor, d: ChainDraft) -> Result<Chain> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        ensure_exists(tx.conn(), "industry_areas", "area_id", d.area_id).await?;
        ensure_unique(tx.conn(), "chains", "code", &d.code, None).await?;
        let id = insert_chain(tx.conn(), &d, Utc::now()).await?;
        let after = chain_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "chain", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_chain(
        &self,
        actor: &Actor,
        id: Id,
        d: ChainDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Chain> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let before = chain_by_id(tx.conn(), id).await?;
        claim_version(
            tx.conn(),
            "chains",
            "chain",
            id,
            before.updated_at,
            expected,
        )
        .await?;
        if d.area_id != before.area_id {
            ensure_exists(tx.conn(), "industry_areas", "area_id", d.area_id).await?;
        }
        ensure_unique(tx.conn(), "chains", "code", &d.code, Some(id)).await?;
        sqlx::query(
            "UPDATE chains SET area_id = $1, code = $2, name = $3, name_en = $4, description = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(d.area_id).bind(&d.code).bind(&d.name).bind(&d.name_en).bind(&d.description).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = chain_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "chain", id, "update", Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    async fn archive_chain(&self, actor: &Actor, id: Id) -> Result<Chain> {
        actor.scope.may_administer()?;
        archive!(self, actor, id, "chains", "chain", chain_by_id)
    }
}
