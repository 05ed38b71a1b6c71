//! Digital transformation projects of enterprises and their recognitions (workshops, factories).

use super::{Db, Engine};
use std::collections::HashMap;

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_core::workflow::transformation::*;
use chrono::{NaiveDate, Utc};
use sqlx::QueryBuilder;

use super::shared::*;
use crate::workflow::*;
use crate::{Actor, Result, StoreError};

async fn transformation_by_id(c: &mut Conn, id: Id) -> Result<TransformationProject> {
    let row: Option<TransformationRow> =
        sqlx::query_as(&format!("{TRANSFORMATION_COLUMNS} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    Ok(row
        .ok_or(StoreError::NotFound {
            kind: "transformation project",
            id,
        })?
        .into_project())
}

async fn workshops_of(c: &mut Conn, ids: &[Id]) -> Result<HashMap<Id, Vec<Id>>> {
    let mut map: HashMap<Id, Vec<Id>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT factory_id, workshop_id FROM factory_workshops WHERE factory_id IN ({list}) ORDER BY workshop_id"))
        .fetch_all(&mut *c).await?;
    for (factory, workshop) in rows {
        map.entry(factory).or_default().push(workshop);
    }
    Ok(map)
}

async fn recognition_by_id(c: &mut Conn, id: Id) -> Result<Recognition> {
    let row: Option<RecognitionRow> =
        sqlx::query_as(&format!("{RECOGNITION_COLUMNS} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    let row = row.ok_or(StoreError::NotFound {
        kind: "recognition",
        id,
    })?;
    let mut workshops = workshops_of(c, &[id]).await?;
    row.into_recognition(workshops.remove(&id).unwrap_or_default())
}

#[async_trait]
impl TransformationStore for Engine {
    async fn list_transformation_projects(
        &self,
        actor: &Actor,
        f: &TransformationFilter,
        paging: &Paging,
    ) -> Result<Page<TransformationProject>> {
        // Transformation records follow their enterprise, as in the registry.
        let reach = actor.scope.reach(Kind::Enterprise);
        let push = |qb: &mut QueryBuilder<'static, Db>| {
            qb.push(" WHERE t.archived = ").push_bind(false);
            crate::common::push_reached_ids(qb, "t.enterprise_id", Kind::Enterprise, &reach);
            if let Some(v) = f.enterprise_id {
                qb.push(" AND t.enterprise_id = ").push_bind(v);
            }
            if let Some(v) = f.by {
                qb.push(" AND t.completed_on <= ").push_bind(v);
            }
        };
        let mut c = self.read().await?;
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM transformation_projects t");
        push(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(TRANSFORMATION_COLUMNS);
        push(&mut rows);
        rows.push(" ORDER BY t.started_on, t.id LIMIT ")
            .push_bind(crate::common::sql_limit(paging))
            .push(" OFFSET ")
            .push_bind(paging.offset);
        let rows: Vec<TransformationRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(TransformationRow::into_project)
                .collect(),
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_transformation_project(
        &self,
        actor: &Actor,
        id: Id,
    ) -> Result<TransformationProject> {
        let mut c = self.read().await?;
        let p = transformation_by_id(&mut c, id).await?;
        ensure_enterprise_record_visible(
            &mut c,
            actor,
            p.enterprise_id,
            "transformation project",
            id,
        )
        .await?;
        Ok(p)
    }

    async fn create_transformation_project(
        &self,
        actor: &Actor,
        d: TransformationProjectDraft,
    ) -> Result<TransformationProject> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        ensure_exists(c, "enterprises", "enterprise_id", Some(d.enterprise_id)).await?;
        actor
            .scope
            .may_record_transformation(&enterprise_chains(c, d.enterprise_id).await?)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO transformation_projects (enterprise_id, name, investment, started_on, completed_on, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(d.enterprise_id).bind(&d.name).bind(d.investment).bind(d.started_on).bind(d.completed_on).bind(Utc::now())
            .fetch_one(&mut *c).await?;
        let after = transformation_by_id(c, id).await?;
        tx.commit_audited(
            actor,
            "transformation_project",
            id,
            "create",
            None,
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    async fn update_transformation_project(
        &self,
        actor: &Actor,
        id: Id,
        d: TransformationProjectDraft,
    ) -> Result<TransformationProject> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = transformation_by_id(c, id).await?;
        actor
            .scope
            .may_record_transformation(&enterprise_chains(c, before.enterprise_id).await?)?;
        ensure_exists(c, "enterprises", "enterprise_id", Some(d.enterprise_id)).await?;
        sqlx::query("UPDATE transformation_projects SET enterprise_id = $1, name = $2, investment = $3, started_on = $4, completed_on = $5, updated_at = $6 WHERE id = $7")
            .bind(d.enterprise_id).bind(&d.name).bind(d.investment).bind(d.started_on).bind(d.completed_on).bind(Utc::now()).bind(id)
            .execute(&mut *c).await?;
        let after = transformation_by_id(c, id).await?;
        tx.commit_audited(
            actor,
            "transformation_project",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    async fn list_recognitions(
        &self,
        actor: &Actor,
        f: &TransformationFilter,
        paging: &Paging,
    ) -> Result<Page<Recognition>> {
        let reach = actor.scope.reach(Kind::Enterprise);
        let push = |qb: &mut QueryBuilder<'static, Db>| {
            qb.push(" WHERE r.archived = ").push_bind(false);
            crate::common::push_reached_ids(qb, "r.enterprise_id", Kind::Enterprise, &reach);
            if let Some(v) = f.enterprise_id {
                qb.push(" AND r.enterprise_id = ").push_bind(v);
            }
            if let Some(v) = f.by {
                qb.push(" AND r.recognised_on <= ").push_bind(v);
            }
            if let Some(v) = f.kind {
                qb.push(" AND r.kind = ").push_bind(v.as_str());
            }
        };
        let mut c = self.read().await?;
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM recognitions r");
        push(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(RECOGNITION_COLUMNS);
        push(&mut rows);
        rows.push(" ORDER BY r.recognised_on, r.id LIMIT ")
            .push_bind(crate::common::sql_limit(paging))
            .push(" OFFSET ")
            .push_bind(paging.offset);
        let rows: Vec<RecognitionRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        let ids: Vec<Id> = rows.iter().map(RecognitionRow::id).collect();
        let mut workshops = workshops_of(&mut c, &ids).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let w = workshops.remove(&r.id()).unwrap_or_default();
                r.into_recognition(w)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_recognition(&self, actor: &Actor, id: Id) -> Result<Recognition> {
        let mut c = self.read().await?;
        let r = recognition_by_id(&mut c, id).await?;
        ensure_enterprise_record_visible(&mut c, actor, r.enterprise_id, "recognition", id).await?;
        Ok(r)
    }

    async fn create_recognition(&self, actor: &Actor, d: RecognitionDraft) -> Result<Recognition> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        ensure_exists(c, "enterprises", "enterprise_id", Some(d.enterprise_id)).await?;
        actor
            .scope
            .may_record_transformation(&enterprise_chains(c, d.enterprise_id).await?)?;
        for (i, w) in d.workshop_ids.iter().enumerate() {
            let found: Option<(i64, String, NaiveDate, bool)> = sqlx::query_as("SELECT enterprise_id, kind, recognised_on, archived FROM recognitions WHERE id = $1")
                .bind(w).fetch_optional(&mut *c).await?;
            let field = format!("workshop_ids[{i}]");
            match found {
                Some((e, kind, on, false))
                    if e == d.enterprise_id
                        && kind == "digital_workshop"
                        && on <= d.recognised_on => {}
                Some((e, _, _, _)) if e != d.enterprise_id => {
                    return Err(StoreError::invalid(
                        &field,
                        format!("{w} is a workshop of another enterprise"),
                    ));
                }
                Some((_, kind, _, _)) if kind != "digital_workshop" => {
                    return Err(StoreError::invalid(
                        &field,
                        format!("{w} is not a recognised digital workshop"),
                    ));
                }
                Some((_, _, on, false)) => {
                    return Err(StoreError::invalid(
                        &field,
                        format!("{w} was recognised on {on}, after the factory"),
                    ));
                }
                Some(_) => return Err(StoreError::invalid(&field, format!("{w} is archived"))),
                None => return Err(StoreError::invalid(&field, format!("{w} does not exist"))),
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO recognitions (enterprise_id, kind, name, recognised_on, investment, cnc_rate_pct, key_process_cnc_pct, has_mes, \
             cost_reduction_pct, efficiency_gain_pct, defect_reduction_pct, energy_gain_pct, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id")
            .bind(d.enterprise_id).bind(d.kind.as_str()).bind(&d.name).bind(d.recognised_on).bind(d.investment).bind(d.cnc_rate_pct)
            .bind(d.key_process_cnc_pct).bind(d.has_mes).bind(d.cost_reduction_pct).bind(d.efficiency_gain_pct).bind(d.defect_reduction_pct)
            .bind(d.energy_gain_pct).bind(Utc::now()).fetch_one(&mut *c).await?;
        for w in &d.workshop_ids {
            sqlx::query("INSERT INTO factory_workshops (factory_id, workshop_id) VALUES ($1, $2)")
                .bind(id)
                .bind(w)
                .execute(&mut *c)
                .await?;
        }
        let after = recognition_by_id(c, id).await?;
        tx.commit_audited(actor, "recognition", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn transformation_summary(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
    ) -> Result<TransformationSummary> {
        actor.scope.may_see_zone_views()?;
        let mut c = self.read().await?;
        let (completed, investment): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(investment), 0) AS BIGINT) FROM transformation_projects WHERE archived = $1 AND completed_on <= $2")
            .bind(false).bind(as_of).fetch_one(&mut *c).await?;
        let under_way: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM transformation_projects WHERE archived = $1 AND started_on <= $2 AND (completed_on IS NULL OR completed_on > $2)")
            .bind(false).bind(as_of).fetch_one(&mut *c).await?;
        let count = |kind: &'static str| {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM recognitions WHERE archived = $1 AND kind = $2 AND recognised_on <= $3")
                .bind(false).bind(kind).bind(as_of)
        };
        let workshops = count("digital_workshop").fetch_one(&mut *c).await?;
        let factories = count("intelligent_factory").fetch_one(&mut *c).await?;
        Ok(TransformationSummary {
            as_of,
            completed_projects: completed,
            projects_under_way: under_way,
            completed_investment: investment,
            digital_workshops: workshops,
            intelligent_factories: factories,
        })
    }
}
