//! Parks, with their outline and today's park chief.

use super::{Db, Engine};
use std::collections::HashMap;

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::{NaiveDate, Utc};
use sqlx::QueryBuilder;

use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::ParkStore;
use crate::{Actor, Result, StoreError};

const PARK_COLUMNS: &str = "SELECT k.id, k.area_id, k.code, k.name, k.name_en, k.district, k.land_area_centi_mu, k.lon, k.lat, k.outline, k.archived, k.updated_at";

/// The people who hold the park-chief post of each park on `day`, the actor's (none without a day).
async fn park_chiefs(
    c: &mut Conn,
    park_ids: &[Id],
    day: Option<NaiveDate>,
) -> Result<HashMap<Id, PersonRef>> {
    let Some(day) = day else {
        return Ok(HashMap::new());
    };
    if park_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
        "SELECT po.park_id, p.id, p.name FROM posts po JOIN people p ON p.id = po.person_id \
         WHERE po.role = 'park_chief' AND po.archived = ",
    );
    qb.push_bind(false);
    qb.push(" AND po.starts_on <= ");
    qb.push_bind(day);
    qb.push(" AND (po.ends_on IS NULL OR po.ends_on >= ");
    qb.push_bind(day);
    qb.push(") AND po.park_id ");
    push_id_list(&mut qb, park_ids);
    let rows: Vec<(i64, i64, String)> = qb.build_query_as().fetch_all(&mut *c).await?;
    Ok(rows
        .into_iter()
        .map(|(park, id, name)| (park, PersonRef { id, name }))
        .collect())
}

async fn park_by_id(c: &mut Conn, id: Id, day: Option<NaiveDate>) -> Result<Park> {
    let sql = format!("{PARK_COLUMNS} FROM parks k WHERE k.id = $1");
    let row: Option<ParkRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    let row = row.ok_or(StoreError::NotFound { kind: "park", id })?;
    let mut chiefs = park_chiefs(c, &[id], day).await?;
    row.into_park(chiefs.remove(&id))
}

fn outline_json(outline: &Option<Vec<GeoPoint>>) -> Result<Option<String>> {
    outline
        .as_ref()
        .map(|o| serde_json::to_string(o).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

pub(super) async fn insert_park(
    c: &mut Conn,
    d: &ParkDraft,
    now: chrono::DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO parks (area_id, code, name, name_en, district, land_area_centi_mu, lon, lat, outline, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(d.area_id).bind(&d.code).bind(&d.name).bind(&d.name_en).bind(d.district.as_str())
    .bind(d.land_area.centi_mu()).bind(d.location.map(|p| p.lon)).bind(d.location.map(|p| p.lat))
    .bind(outline_json(&d.outline)?).bind(now)
    .fetch_one(&mut *c).await?)
}

#[async_trait]
impl ParkStore for Engine {
    async fn list_parks(
        &self,
        actor: &Actor,
        f: &ParkFilter,
        paging: &Paging,
    ) -> Result<Page<Park>> {
        let order = order_by(
            paging,
            &[
                ("code", "k.code"),
                ("name", "k.name"),
                ("district", "k.district"),
                ("land_area", "k.land_area_centi_mu"),
                ("updated_at", "k.updated_at"),
            ],
            "k.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<ParkRow>(
            &mut c,
            PARK_COLUMNS,
            |qb| {
                qb.push("FROM parks k WHERE 1 = 1");
                push_reach(qb, Kind::Park, &actor.scope.reach(Kind::Park));
                push_archived(qb, "k", f.include_archived);
                push_eq(qb, "k.area_id", f.area_id);
                push_eq(qb, "k.district", f.district.clone());
                push_search(qb, &f.q, &["k.code", "k.name", "k.name_en"]);
            },
            &order,
            paging,
        )
        .await?;
        let ids: Vec<Id> = rows.iter().map(|r| r.id()).collect();
        let mut chiefs = park_chiefs(&mut c, &ids, actor.day).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let chief = chiefs.remove(&r.id());
                r.into_park(chief)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(page(items, total, paging))
    }

    async fn get_park(&self, actor: &Actor, id: Id) -> Result<Park> {
        let mut c = self.read().await?;
        let park = park_by_id(&mut c, id, actor.day).await?;
        ensure_reached(&mut c, actor, Kind::Park, "park", id).await?;
        Ok(park)
    }

    async fn create_park(&self, actor: &Actor, d: ParkDraft) -> Result<Park> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        ensure_exists(tx.conn(), "industry_areas", "area_id", d.area_id).await?;
        ensure_unique(tx.conn(), "parks", "code", &d.code, None).await?;
        let id = insert_park(tx.conn(), &d, Utc::now()).await?;
        let after = park_by_id(tx.conn(), id, actor.day).await?;
        tx.commit_audited(actor, "park", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_park(
        &self,
        actor: &Actor,
        id: Id,
        d: ParkDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Park> {
        actor.scope.may_edit_park(id)?;
        let mut tx = self.begin_write().await?;
        let before = park_by_id(tx.conn(), id, actor.day).await?;
        claim_version(tx.conn(), "parks", "park", id, before.updated_at, expected).await?;
        if d.area_id != before.area_id {
            ensure_exists(tx.conn(), "industry_areas", "area_id", d.area_id).await?;
        }
        ensure_unique(tx.conn(), "parks", "code", &d.code, Some(id)).await?;
        sqlx::query(
            "UPDATE parks SET area_id = $1, code = $2, name = $3, name_en = $4, district = $5, land_area_centi_mu = $6, \
             lon = $7, lat = $8, outline = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(d.area_id).bind(&d.code).bind(&d.name).bind(&d.name_en).bind(d.district.as_str())
        .bind(d.land_area.centi_mu()).bind(d.location.map(|p| p.lon)).bind(d.location.map(|p| p.lat))
        .bind(outline_json(&d.outline)?).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = park_by_id(tx.conn(), id, actor.day).await?;
        tx.commit_audited(actor, "park", id, "update", Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    async fn archive_park(&self, actor: &Actor, id: Id) -> Result<Park> {
        actor.scope.may_administer()?;
        archive!(self, actor, id, "parks", "park", park_by_id, actor.day)
    }
}
