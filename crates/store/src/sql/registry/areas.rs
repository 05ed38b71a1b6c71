//! Industry areas: the top of the registry, each grouping chains.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::Utc;

use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::AreaStore;
use crate::{Actor, Result, StoreError};

const AREA_COLUMNS: &str =
    "SELECT a.id, a.code, a.name, a.name_en, a.description, a.archived, a.updated_at";

async fn area_by_id(c: &mut Conn, id: Id) -> Result<IndustryArea> {
    let sql = format!("{AREA_COLUMNS} FROM industry_areas a WHERE a.id = $1");
    let row: Option<AreaRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.map(AreaRow::into_area).ok_or(StoreError::NotFound {
        kind: "industry area",
        id,
    })
}

pub(super) async fn insert_area(
    c: &mut Conn,
    d: &IndustryAreaDraft,
    now: chrono::DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO industry_areas (code, name, name_en, description, updated_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&d.code)
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.description)
    .bind(now)
    .fetch_one(&mut *c)
    .await?)
}

#[async_trait]
impl AreaStore for Engine {
    async fn list_areas(
        &self,
        actor: &Actor,
        f: &AreaFilter,
        paging: &Paging,
    ) -> Result<Page<IndustryArea>> {
        let order = order_by(
            paging,
            &[
                ("code", "a.code"),
                ("name", "a.name"),
                ("updated_at", "a.updated_at"),
            ],
            "a.code",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<AreaRow>(
            &mut c,
            AREA_COLUMNS,
            |qb| {
                qb.push("FROM industry_areas a WHERE 1 = 1");
                push_reach(qb, Kind::Area, &actor.scope.reach(Kind::Area));
                push_archived(qb, "a", f.include_archived);
                push_search(qb, &f.q, &["a.code", "a.name", "a.name_en"]);
            },
            &order,
            paging,
        )
        .await?;
        Ok(page(
            rows.into_iter().map(AreaRow::into_area).collect(),
            total,
            paging,
        ))
    }

    async fn get_area(&self, actor: &Actor, id: Id) -> Result<IndustryArea> {
        let mut c = self.read().await?;
        let area = area_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Area, "industry area", id).await?;
        Ok(area)
    }

    async fn create_area(&self, actor: &Actor, d: IndustryAreaDraft) -> Result<IndustryArea> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        ensure_unique(tx.conn(), "industry_areas", "code", &d.code, None).await?;
        let id = insert_area(tx.conn(), &d, Utc::now()).await?;
        let after = area_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "industry_area", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_area(
        &self,
        actor: &Actor,
        id: Id,
        d: IndustryAreaDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<IndustryArea> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let before = area_by_id(tx.conn(), id).await?;
        claim_version(
            tx.conn(),
            "industry_areas",
            "industry area",
            id,
            before.updated_at,
            expected,
        )
        .await?;
        ensure_unique(tx.conn(), "industry_areas", "code", &d.code, Some(id)).await?;
        sqlx::query(
            "UPDATE industry_areas SET code = $1, name = $2, name_en = $3, description = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&d.code).bind(&d.name).bind(&d.name_en).bind(&d.description).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = area_by_id(tx.conn(), id).await?;
        tx.commit_audited(
            actor,
            "industry_area",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    async fn archive_area(&self, actor: &Actor, id: Id) -> Result<IndustryArea> {
        actor.scope.may_administer()?;
        archive!(
            self,
            actor,
            id,
            "industry_areas",
            "industry_area",
            area_by_id
        )
    }
}
