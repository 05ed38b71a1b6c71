//! Signing events, investment projects, their stages, investments and milestones, and the figures over them.

use super::{Db, Engine};

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_core::workflow::projects::*;
use chrono::{NaiveDate, Utc};
use sqlx::QueryBuilder;

use super::shared::*;
use crate::common::push_reach;
use crate::workflow::*;
use crate::{Actor, Result, StoreError};

async fn event_by_id(c: &mut Conn, id: Id) -> Result<SigningEvent> {
    let row: Option<EventRow> = sqlx::query_as(&format!("{EVENT_COLUMNS} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row
        .ok_or(StoreError::NotFound {
            kind: "signing event",
            id,
        })?
        .into_event())
}

pub(crate) async fn project_row(c: &mut Conn, id: Id) -> Result<Project> {
    let row: Option<ProjectRow> =
        sqlx::query_as(&format!("{PROJECT_COLUMNS} {PROJECT_FROM} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    Ok(row
        .ok_or(StoreError::NotFound {
            kind: "project",
            id,
        })?
        .into_project())
}

/// The project if the actor may see it; 404 otherwise.
async fn visible_project(c: &mut Conn, actor: &Actor, id: Id) -> Result<Project> {
    let project = project_row(c, id).await?;
    if actor.scope.sees_project(project.chain_id, project.park_id) {
        Ok(project)
    } else {
        Err(StoreError::NotFound {
            kind: "project",
            id,
        })
    }
}

/// References of a project draft exist, and its segment belongs to its chain.
pub(crate) async fn check_project(c: &mut Conn, d: &ProjectDraft) -> Result<()> {
    ensure_exists(c, "enterprises", "enterprise_id", d.enterprise_id).await?;
    ensure_exists(c, "chains", "chain_id", d.chain_id).await?;
    ensure_exists(c, "segments", "segment_id", d.segment_id).await?;
    ensure_exists(c, "parks", "park_id", d.park_id).await?;
    ensure_exists(c, "people", "chief_person_id", d.chief_person_id).await?;
    ensure_exists(c, "people", "officer_person_id", d.officer_person_id).await?;
    ensure_exists(c, "signing_events", "event_id", d.event_id).await?;
    if let Some(segment) = d.segment_id {
        let chain: i64 = sqlx::query_scalar("SELECT chain_id FROM segments WHERE id = $1")
            .bind(segment)
            .fetch_one(&mut *c)
            .await?;
        if d.chain_id != Some(chain) {
            return Err(StoreError::invalid(
                "segment_id",
                format!("segment {segment} is not in the project's chain"),
            ));
        }
    }
    Ok(())
}

/// Inserts a project (`current: None`) or rewrites one, guarded by the version it was read at
/// (`current: Some((id, version))`): a project changed by someone else meanwhile answers 409.
pub(crate) async fn write_project(
    c: &mut Conn,
    current: Option<(Id, i64)>,
    d: &ProjectDraft,
) -> Result<Id> {
    let s = &d.stages;
    let sql = match current {
        None => "INSERT INTO projects (name, name_en, investor, enterprise_id, planned_investment, contracted_investment, chain_id, segment_id, \
                 park_id, chief_person_id, officer_person_id, event_id, stage, lead_on, visit_on, negotiation_on, signed_on, registered_on, \
                 started_on, production_on, capacity_on, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id".to_string(),
        Some((id, version)) => format!("UPDATE projects SET name = $1, name_en = $2, investor = $3, enterprise_id = $4, planned_investment = $5, \
                 contracted_investment = $6, chain_id = $7, segment_id = $8, park_id = $9, chief_person_id = $10, officer_person_id = $11, \
                 event_id = $12, stage = $13, lead_on = $14, visit_on = $15, negotiation_on = $16, signed_on = $17, registered_on = $18, \
                 started_on = $19, production_on = $20, capacity_on = $21, updated_at = $22, version = version + 1 \
                 WHERE id = {id} AND version = {version} RETURNING id"),
    };
    let written: Option<i64> = sqlx::query_scalar(&sql)
        .bind(&d.name)
        .bind(&d.name_en)
        .bind(&d.investor)
        .bind(d.enterprise_id)
        .bind(d.planned_investment)
        .bind(d.contracted_investment)
        .bind(d.chain_id)
        .bind(d.segment_id)
        .bind(d.park_id)
        .bind(d.chief_person_id)
        .bind(d.officer_person_id)
        .bind(d.event_id)
        .bind(s.current().as_str())
        .bind(s.lead_on)
        .bind(s.visit_on)
        .bind(s.negotiation_on)
        .bind(s.signed_on)
        .bind(s.registered_on)
        .bind(s.started_on)
        .bind(s.production_on)
        .bind(s.capacity_on)
        .bind(Utc::now())
        .fetch_optional(&mut *c)
        .await?;
    written.ok_or_else(|| changed_meanwhile("project", current.map_or(0, |(id, _)| id)))
}

fn push_project_filter(qb: &mut QueryBuilder<'static, Db>, actor: &Actor, f: &ProjectFilter) {
    qb.push(" WHERE 1 = 1");
    push_reach(qb, Kind::Project, &actor.scope.reach(Kind::Project));
    if !f.include_archived {
        qb.push(" AND p.archived = ").push_bind(false);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = crate::common::contains_pattern(q);
        qb.push(" AND (LOWER(p.name) LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(p.investor) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(v) = f.stage {
        qb.push(" AND p.stage = ").push_bind(v.as_str());
    }
    if let Some(v) = f.chain_id {
        qb.push(" AND p.chain_id = ").push_bind(v);
    }
    if let Some(v) = f.park_id {
        qb.push(" AND p.park_id = ").push_bind(v);
    }
    if let Some(v) = f.event_id {
        qb.push(" AND p.event_id = ").push_bind(v);
    }
    if let Some(v) = f.chief_person_id {
        qb.push(" AND p.chief_person_id = ").push_bind(v);
    }
}

async fn milestone_by_id(c: &mut Conn, id: Id, as_of: NaiveDate) -> Result<Milestone> {
    let row: Option<MilestoneRow> = sqlx::query_as(&format!("{MILESTONE_COLUMNS} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row
        .ok_or(StoreError::NotFound {
            kind: "milestone",
            id,
        })?
        .into_milestone(as_of))
}

#[async_trait]
impl ProjectStore for Engine {
    async fn list_signing_events(
        &self,
        actor: &Actor,
        paging: &Paging,
    ) -> Result<Page<SigningEvent>> {
        actor.scope.may_see_zone_views()?;
        let mut c = self.read().await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM signing_events WHERE archived = $1")
                .bind(false)
                .fetch_one(&mut *c)
                .await?;
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "{EVENT_COLUMNS} WHERE v.archived = $1 ORDER BY v.held_on, v.id LIMIT $2 OFFSET $3"
        ))
        .bind(false)
        .bind(crate::common::sql_limit(paging))
        .bind(paging.offset)
        .fetch_all(&mut *c)
        .await?;
        Ok(Page {
            items: rows.into_iter().map(EventRow::into_event).collect(),
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_signing_event(&self, actor: &Actor, id: Id) -> Result<SigningEvent> {
        actor.scope.may_see_zone_views()?;
        event_by_id(&mut *self.read().await?, id).await
    }

    async fn create_signing_event(
        &self,
        actor: &Actor,
        d: SigningEventDraft,
    ) -> Result<SigningEvent> {
        actor.scope.may_edit_workflow_rules()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let id: i64 = sqlx::query_scalar("INSERT INTO signing_events (name, name_en, held_on, place, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(&d.name).bind(&d.name_en).bind(d.held_on).bind(&d.place).bind(Utc::now()).fetch_one(&mut *c).await?;
        let after = event_by_id(c, id).await?;
        tx.commit_audited(actor, "signing_event", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_projects(
        &self,
        actor: &Actor,
        f: &ProjectFilter,
        paging: &Paging,
    ) -> Result<Page<Project>> {
        let order = crate::common::order_by(
            paging,
            &[
                ("name", "p.name"),
                ("stage", "p.stage"),
                ("signed_on", "p.signed_on"),
                ("planned_investment", "p.planned_investment"),
                ("contracted_investment", "p.contracted_investment"),
                ("updated_at", "p.updated_at"),
            ],
            "p.id",
        )?
        .replace(", id ", ", p.id ");
        let mut c = self.read().await?;
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM projects p");
        push_project_filter(&mut count, actor, f);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(format!("{PROJECT_COLUMNS} {PROJECT_FROM}"));
        push_project_filter(&mut rows, actor, f);
        rows.push(order)
            .push(" LIMIT ")
            .push_bind(crate::common::sql_limit(paging))
            .push(" OFFSET ")
            .push_bind(paging.offset);
        let rows: Vec<ProjectRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        Ok(Page {
            items: rows.into_iter().map(ProjectRow::into_project).collect(),
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_project(&self, actor: &Actor, id: Id) -> Result<Project> {
        visible_project(&mut *self.read().await?, actor, id).await
    }

    async fn create_project(&self, actor: &Actor, d: ProjectDraft) -> Result<Project> {
        actor.scope.may_edit_project(d.chain_id)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        check_project(c, &d).await?;
        let id = write_project(c, None, &d).await?;
        let after = project_row(c, id).await?;
        tx.commit_audited(actor, "project", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_project(&self, actor: &Actor, id: Id, d: ProjectDraft) -> Result<Project> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = visible_project(c, actor, id).await?;
        actor.scope.may_edit_project(before.chain_id)?;
        actor.scope.may_edit_project(d.chain_id)?;
        check_project(c, &d).await?;
        write_project(c, Some((id, before.version)), &d).await?;
        let after = project_row(c, id).await?;
        tx.commit_audited(actor, "project", id, "update", Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    async fn archive_project(&self, actor: &Actor, id: Id) -> Result<Project> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = visible_project(c, actor, id).await?;
        actor.scope.may_edit_project(before.chain_id)?;
        // Idempotent, as archiving registry objects: of two archives at once the second changes nothing.
        let changed = sqlx::query("UPDATE projects SET archived = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND archived = $4")
            .bind(true).bind(Utc::now()).bind(id).bind(false).execute(&mut *c).await?.rows_affected();
        let after = project_row(c, id).await?;
        if changed > 0 {
            tx.commit_audited(actor, "project", id, "archive", Some(&before), Some(&after))
                .await?;
        }
        Ok(after)
    }

    async fn move_project(
        &self,
        actor: &Actor,
        id: Id,
        stage: ProjectStage,
        on: NaiveDate,
    ) -> Result<Project> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = visible_project(c, actor, id).await?;
        actor.scope.may_edit_project(before.chain_id)?;
        let stages = move_to(&before.stages, stage, on)?;
        let mut draft = before.to_input();
        draft.stages = stages;
        write_project(c, Some((id, before.version)), &draft).await?;
        let after = project_row(c, id).await?;
        tx.commit_audited(actor, "project", id, "move", Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    async fn record_investment(
        &self,
        actor: &Actor,
        id: Id,
        investment: Investment,
    ) -> Result<Project> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = visible_project(c, actor, id).await?;
        actor.scope.may_edit_project(before.chain_id)?;
        let written = sqlx::query("UPDATE projects SET updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(Utc::now()).bind(id).bind(before.version).execute(&mut *c).await?.rows_affected();
        if written == 0 {
            return Err(changed_meanwhile("project", id));
        }
        let (table, column, period, amount) = match investment {
            Investment::Completed { month, amount } => {
                ("project_investments", "month", month, amount)
            }
            Investment::Planned { year, amount } => ("project_plans", "year", year, amount),
        };
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE project_id = $1 AND {column} = $2"
        ))
        .bind(id)
        .bind(period)
        .execute(&mut *c)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO {table} (project_id, {column}, amount) VALUES ($1, $2, $3)"
        ))
        .bind(id)
        .bind(period)
        .bind(amount)
        .execute(&mut *c)
        .await?;
        let after = project_row(c, id).await?;
        let record = serde_json::json!({ column: period, "amount": amount, "project": &after });
        tx.commit_audited(actor, "project", id, "investment", None, Some(&record))
            .await?;
        Ok(after)
    }

    async fn create_milestone(
        &self,
        actor: &Actor,
        project: Id,
        d: MilestoneDraft,
        as_of: NaiveDate,
    ) -> Result<Milestone> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let p = visible_project(c, actor, project).await?;
        actor.scope.may_edit_project(p.chain_id)?;
        let id: i64 = sqlx::query_scalar("INSERT INTO milestones (project_id, name, due_on, done_on, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(project).bind(&d.name).bind(d.due_on).bind(d.done_on).bind(Utc::now()).fetch_one(&mut *c).await?;
        let after = milestone_by_id(c, id, as_of).await?;
        tx.commit_audited(actor, "milestone", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_milestone(
        &self,
        actor: &Actor,
        id: Id,
        d: MilestoneDraft,
        as_of: NaiveDate,
    ) -> Result<Milestone> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = milestone_by_id(c, id, as_of).await?;
        let p = visible_project(c, actor, before.project_id)
            .await
            .map_err(|_| StoreError::NotFound {
                kind: "milestone",
                id,
            })?;
        actor.scope.may_edit_project(p.chain_id)?;
        sqlx::query("UPDATE milestones SET name = $1, due_on = $2, done_on = $3, updated_at = $4 WHERE id = $5")
            .bind(&d.name).bind(d.due_on).bind(d.done_on).bind(Utc::now()).bind(id).execute(&mut *c).await?;
        let after = milestone_by_id(c, id, as_of).await?;
        tx.commit_audited(
            actor,
            "milestone",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    async fn list_milestones(
        &self,
        actor: &Actor,
        f: &MilestoneFilter,
        paging: &Paging,
    ) -> Result<Page<Milestone>> {
        let reach = actor.scope.reach(Kind::Project);
        let push = |qb: &mut QueryBuilder<'static, Db>| {
            qb.push(" WHERE p.archived = ").push_bind(false);
            push_reach(qb, Kind::Project, &reach);
            if let Some(v) = f.project_id {
                qb.push(" AND m.project_id = ").push_bind(v);
            }
            match f.overdue {
                Some(true) => {
                    qb.push(" AND m.done_on IS NULL AND m.due_on < ")
                        .push_bind(f.as_of);
                }
                Some(false) => {
                    qb.push(" AND (m.done_on IS NOT NULL OR m.due_on >= ")
                        .push_bind(f.as_of)
                        .push(")");
                }
                None => {}
            }
        };
        let mut c = self.read().await?;
        let mut count = QueryBuilder::<Db>::new(
            "SELECT COUNT(*) FROM milestones m JOIN projects p ON p.id = m.project_id",
        );
        push(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(MILESTONE_COLUMNS);
        push(&mut rows);
        rows.push(" ORDER BY m.due_on, m.id LIMIT ")
            .push_bind(crate::common::sql_limit(paging))
            .push(" OFFSET ")
            .push_bind(paging.offset);
        let rows: Vec<MilestoneRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(|r| r.into_milestone(f.as_of))
                .collect(),
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn project_figures(
        &self,
        actor: &Actor,
        grouping: ProjectGrouping,
        f: &ProjectFilter,
        as_of: NaiveDate,
    ) -> Result<Vec<ProjectFigures>> {
        use chrono::Datelike;
        actor.scope.may_see_zone_views()?;
        let (key, name) = match grouping {
            ProjectGrouping::Zone => ("CAST(NULL AS BIGINT)", "CAST(NULL AS TEXT)"),
            ProjectGrouping::Chain => (
                "p.chain_id",
                "(SELECT name FROM chains WHERE id = p.chain_id)",
            ),
            ProjectGrouping::Park => ("p.park_id", "(SELECT name FROM parks WHERE id = p.park_id)"),
            ProjectGrouping::Chief => (
                "p.chief_person_id",
                "(SELECT name FROM people WHERE id = p.chief_person_id)",
            ),
            ProjectGrouping::Event => (
                "p.event_id",
                "(SELECT name FROM signing_events WHERE id = p.event_id)",
            ),
        };
        let year = as_of.year();
        let (from, to) = (year * 100 + 1, year * 100 + as_of.month() as i32);
        let mut qb = QueryBuilder::<Db>::new(format!(
            "SELECT {key} AS key, {name} AS key_name, p.signed_on, p.started_on, p.production_on, \
             (SELECT CAST(COALESCE(SUM(pl.amount), 0) AS BIGINT) FROM project_plans pl WHERE pl.project_id = p.id AND pl.year = "
        ));
        qb.push_bind(year).push(") AS planned_year, (SELECT CAST(COALESCE(SUM(pi.amount), 0) AS BIGINT) FROM project_investments pi WHERE pi.project_id = p.id AND pi.month >= ")
            .push_bind(from).push(" AND pi.month <= ").push_bind(to).push(") AS completed_year FROM projects p");
        push_project_filter(&mut qb, actor, f);
        let rows: Vec<FactRow> = qb
            .build_query_as()
            .fetch_all(&mut *self.read().await?)
            .await?;
        let facts: Vec<ProjectFacts> = rows
            .into_iter()
            .map(|r| ProjectFacts {
                key: r.key,
                name: r.key_name.unwrap_or_else(|| {
                    if grouping == ProjectGrouping::Zone {
                        "全区 Zone".into()
                    } else {
                        "—".into()
                    }
                }),
                stages: StageDates {
                    signed_on: r.signed_on,
                    started_on: r.started_on,
                    production_on: r.production_on,
                    ..Default::default()
                },
                planned_year: r.planned_year,
                completed_year: r.completed_year,
            })
            .collect();
        Ok(project_figures(&facts, as_of))
    }
}
