//! Enterprises, their segments, and what chain maps count of them.

use super::{Db, Engine};
use std::collections::HashMap;

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::pinyin_initials::initials;
use chainpark_core::registry::*;
use chrono::Utc;
use sqlx::QueryBuilder;

use super::segments::segment_chains;
use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::EnterpriseStore;
use crate::{Actor, Result, StoreError};

pub(super) const ENTERPRISE_COLUMNS: &str = "SELECT e.id, e.credit_code, e.name, e.name_en, e.industry_code, e.district, e.park_id, e.above_size, e.high_tech, e.is_leading AS leading, e.founded_on, e.status, e.contact_name, e.phone, e.email, e.address, e.archived, e.updated_at";

async fn segments_of(c: &mut Conn, enterprise_ids: &[Id]) -> Result<HashMap<Id, Vec<Id>>> {
    let mut map: HashMap<Id, Vec<Id>> = HashMap::new();
    if enterprise_ids.is_empty() {
        return Ok(map);
    }
    let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
        "SELECT enterprise_id, segment_id FROM enterprise_segments WHERE enterprise_id ",
    );
    push_id_list(&mut qb, enterprise_ids);
    qb.push(" ORDER BY enterprise_id, segment_id");
    let rows: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
    for (enterprise, segment) in rows {
        map.entry(enterprise).or_default().push(segment);
    }
    Ok(map)
}

async fn enterprise_by_id(c: &mut Conn, id: Id) -> Result<Enterprise> {
    let sql = format!("{ENTERPRISE_COLUMNS} FROM enterprises e WHERE e.id = $1");
    let row: Option<EnterpriseRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    let row = row.ok_or(StoreError::NotFound {
        kind: "enterprise",
        id,
    })?;
    let mut segments = segments_of(c, &[id]).await?;
    row.into_enterprise(segments.remove(&id).unwrap_or_default())
}

async fn check_enterprise_draft(c: &mut Conn, id: Option<Id>, d: &EnterpriseDraft) -> Result<()> {
    ensure_unique(c, "enterprises", "credit_code", d.credit_code.as_str(), id).await?;
    if let Some(park) = d.park_id {
        ensure_exists(c, "parks", "park_id", park).await?;
    }
    if !d.segment_ids.is_empty() {
        // One query for the whole list, however long.
        let mut qb: QueryBuilder<'static, Db> =
            QueryBuilder::new("SELECT id, archived FROM segments WHERE id ");
        push_id_list(&mut qb, &d.segment_ids);
        let found: HashMap<i64, bool> = qb
            .build_query_as::<(i64, bool)>()
            .fetch_all(&mut *c)
            .await?
            .into_iter()
            .collect();
        for (i, segment) in d.segment_ids.iter().enumerate() {
            match found.get(segment) {
                None => {
                    return Err(StoreError::invalid(
                        &format!("segment_ids[{i}]"),
                        format!("{segment} does not exist"),
                    ));
                }
                Some(true) => {
                    return Err(StoreError::invalid(
                        &format!("segment_ids[{i}]"),
                        format!("{segment} is archived"),
                    ));
                }
                Some(false) => {}
            }
        }
    }
    Ok(())
}

async fn write_enterprise_segments(c: &mut Conn, id: Id, segments: &[Id]) -> Result<()> {
    sqlx::query("DELETE FROM enterprise_segments WHERE enterprise_id = $1")
        .bind(id)
        .execute(&mut *c)
        .await?;
    let mut qb: QueryBuilder<'static, Db> =
        QueryBuilder::new("INSERT INTO enterprise_segments (enterprise_id, segment_id) SELECT ");
    qb.push_bind(id);
    qb.push(", s.id FROM segments s WHERE s.id ");
    push_id_list(&mut qb, segments);
    qb.build().execute(&mut *c).await?;
    Ok(())
}

/// Hides the contact data of enterprises the actor may not see privately.
async fn project_enterprises(c: &mut Conn, actor: &Actor, items: &mut [Enterprise]) -> Result<()> {
    if actor.scope.reads_everything() {
        return Ok(());
    }
    let segments: Vec<Id> = items
        .iter()
        .flat_map(|e| e.segment_ids.iter().copied())
        .collect();
    let chains = segment_chains(c, &segments).await?;
    for e in items.iter_mut() {
        let own_chains: Vec<Id> = e
            .segment_ids
            .iter()
            .filter_map(|s| chains.get(s).copied())
            .collect();
        if !actor.scope.sees_private(e.id, e.park_id, &own_chains) {
            e.contact = None;
        }
    }
    Ok(())
}

async fn insert_enterprise(c: &mut Conn, d: &EnterpriseDraft) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO enterprises (credit_code, name, name_en, industry_code, district, park_id, above_size, high_tech, \
         is_leading, founded_on, status, contact_name, phone, email, address, updated_at, name_initials) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(d.credit_code.as_str()).bind(&d.name).bind(&d.name_en).bind(d.industry_code.as_str())
    .bind(d.district.as_str()).bind(d.park_id).bind(d.above_size).bind(d.high_tech).bind(d.leading)
    .bind(d.founded_on).bind(d.status.as_str()).bind(&d.contact.contact_name).bind(&d.contact.phone)
    .bind(&d.contact.email).bind(&d.contact.address).bind(Utc::now()).bind(initials(&d.name))
    .fetch_one(&mut *c).await?)
}

#[async_trait]
impl EnterpriseStore for Engine {
    async fn list_enterprises(
        &self,
        actor: &Actor,
        f: &EnterpriseFilter,
        paging: &Paging,
    ) -> Result<Page<Enterprise>> {
        let order = order_by(
            paging,
            &[
                ("name", "e.name"),
                ("credit_code", "e.credit_code"),
                ("industry_code", "e.industry_code"),
                ("founded_on", "e.founded_on"),
                ("updated_at", "e.updated_at"),
            ],
            "e.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<EnterpriseRow>(&mut c, ENTERPRISE_COLUMNS, |qb| {
            qb.push("FROM enterprises e WHERE 1 = 1");
            push_reach(qb, Kind::Enterprise, &actor.scope.reach(Kind::Enterprise));
            push_archived(qb, "e", f.include_archived);
            push_eq(qb, "e.park_id", f.park_id);
            push_eq(qb, "e.district", f.district.clone());
            push_eq(qb, "e.status", f.status.map(|s| s.as_str()));
            push_eq(qb, "e.above_size", f.above_size);
            push_eq(qb, "e.high_tech", f.high_tech);
            push_eq(qb, "e.is_leading", f.leading);
            if let Some(code) = &f.industry_code {
                qb.push(" AND e.industry_code LIKE ");
                qb.push_bind(format!("{}%", code.trim().replace(['%', '_'], "")));
            }
            if let Some(segment) = f.segment_id {
                qb.push(" AND e.id IN (SELECT enterprise_id FROM enterprise_segments WHERE segment_id = ");
                qb.push_bind(segment);
                qb.push(")");
            }
            if let Some(chain) = f.chain_id {
                qb.push(" AND e.id IN (SELECT es.enterprise_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id WHERE s.chain_id = ");
                qb.push_bind(chain);
                qb.push(")");
            }
            push_search(qb, &f.q, &["e.name", "e.credit_code", "e.name_en", "e.name_initials"]);
            if let Some(ids) = &f.ids {
                push_in(qb, "e.id", ids);
            }
        }, &order, paging).await?;
        let ids: Vec<Id> = rows.iter().map(|r| r.id()).collect();
        let mut segments = segments_of(&mut c, &ids).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let s = segments.remove(&r.id()).unwrap_or_default();
                r.into_enterprise(s)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut items = items;
        project_enterprises(&mut c, actor, &mut items).await?;
        Ok(page(items, total, paging))
    }

    async fn chain_memberships(&self, actor: &Actor, chain_id: Id) -> Result<Vec<ChainMembership>> {
        ensure_reached(
            &mut *self.read().await?,
            actor,
            Kind::Chain,
            "chain",
            chain_id,
        )
        .await?;
        let rows: Vec<(i64, i64, Option<i64>, bool, bool)> = sqlx::query_as(
            "SELECT es.enterprise_id, es.segment_id, e.park_id, e.is_leading, e.above_size \
             FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id \
             JOIN enterprises e ON e.id = es.enterprise_id \
             WHERE s.chain_id = $1 AND e.archived = $2 ORDER BY es.enterprise_id, es.segment_id",
        )
        .bind(chain_id)
        .bind(false)
        .fetch_all(&mut *self.read().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(enterprise_id, segment_id, park_id, leading, above_size)| ChainMembership {
                    enterprise_id,
                    segment_id,
                    park_id,
                    leading,
                    above_size,
                },
            )
            .collect())
    }

    async fn chain_firm_counts(&self, actor: &Actor) -> Result<HashMap<Id, i64>> {
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "SELECT s.chain_id, COUNT(DISTINCT es.enterprise_id) FROM enterprise_segments es \
             JOIN segments s ON s.id = es.segment_id JOIN enterprises e ON e.id = es.enterprise_id \
             WHERE e.archived = ",
        );
        qb.push_bind(false);
        push_reached_ids(
            &mut qb,
            "s.chain_id",
            Kind::Chain,
            &actor.scope.reach(Kind::Chain),
        );
        qb.push(" GROUP BY s.chain_id");
        let rows: Vec<(i64, i64)> = qb
            .build_query_as()
            .fetch_all(&mut *self.read().await?)
            .await?;
        Ok(rows.into_iter().collect())
    }

    async fn get_enterprise(&self, actor: &Actor, id: Id) -> Result<Enterprise> {
        let mut c = self.read().await?;
        let enterprise = enterprise_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Enterprise, "enterprise", id).await?;
        let mut items = [enterprise];
        project_enterprises(&mut c, actor, &mut items).await?;
        let [enterprise] = items;
        Ok(enterprise)
    }

    async fn create_enterprise(&self, actor: &Actor, d: EnterpriseDraft) -> Result<Enterprise> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        check_enterprise_draft(tx.conn(), None, &d).await?;
        let id = insert_enterprise(tx.conn(), &d).await?;
        write_enterprise_segments(tx.conn(), id, &d.segment_ids).await?;
        let after = enterprise_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "enterprise", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_enterprise(
        &self,
        actor: &Actor,
        id: Id,
        d: EnterpriseDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Enterprise> {
        let mut tx = self.begin_write().await?;
        let before = enterprise_by_id(tx.conn(), id).await?;
        claim_version(
            tx.conn(),
            "enterprises",
            "enterprise",
            id,
            before.updated_at,
            expected,
        )
        .await?;
        // Whoever cannot see the contact data sent none: keep what is stored rather than clear it.
        let mut d = d;
        let before_chains = segment_chains(tx.conn(), &before.segment_ids).await?;
        let chains_of_before: Vec<Id> = before_chains.values().copied().collect();
        if !actor
            .scope
            .sees_private(id, before.park_id, &chains_of_before)
            && d.contact == EnterpriseContact::default()
        {
            d.contact = before.contact.clone().unwrap_or_default();
        }
        let changed: Vec<Id> = before
            .segment_ids
            .iter()
            .filter(|s| !d.segment_ids.contains(s))
            .chain(
                d.segment_ids
                    .iter()
                    .filter(|s| !before.segment_ids.contains(s)),
            )
            .copied()
            .collect();
        let chains = segment_chains(tx.conn(), &changed).await?;
        actor
            .scope
            .may_update_enterprise(&before, &d, |s| chains.get(&s).copied())?;
        check_enterprise_draft(tx.conn(), Some(id), &d).await?;
        sqlx::query(
            "UPDATE enterprises SET credit_code = $1, name = $2, name_en = $3, industry_code = $4, district = $5, park_id = $6, \
             above_size = $7, high_tech = $8, is_leading = $9, founded_on = $10, status = $11, contact_name = $12, phone = $13, \
             email = $14, address = $15, updated_at = $16, name_initials = $18 WHERE id = $17",
        )
        .bind(d.credit_code.as_str()).bind(&d.name).bind(&d.name_en).bind(d.industry_code.as_str())
        .bind(d.district.as_str()).bind(d.park_id).bind(d.above_size).bind(d.high_tech).bind(d.leading)
        .bind(d.founded_on).bind(d.status.as_str()).bind(&d.contact.contact_name).bind(&d.contact.phone)
        .bind(&d.contact.email).bind(&d.contact.address).bind(Utc::now()).bind(id)
        .bind(initials(&d.name))
        .execute(tx.conn()).await?;
        if before.segment_ids != d.segment_ids {
            write_enterprise_segments(tx.conn(), id, &d.segment_ids).await?;
        }
        let after = enterprise_by_id(tx.conn(), id).await?;
        tx.commit_audited(
            actor,
            "enterprise",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        let mut items = [after];
        project_enterprises(&mut *self.read().await?, actor, &mut items).await?;
        let [after] = items;
        Ok(after)
    }

    async fn archive_enterprise(&self, actor: &Actor, id: Id) -> Result<Enterprise> {
        actor.scope.may_administer()?;
        archive!(
            self,
            actor,
            id,
            "enterprises",
            "enterprise",
            enterprise_by_id
        )
    }
}
