//! Park work orders (facility faults and requests) and their steps.

use super::{Db, Engine};

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::{Id, PostRole};
use chainpark_core::time::china_date;
use chainpark_core::workflow::appeals::{CASE_CHAIN_ROLES, CASE_PARK_ROLES};
use chainpark_core::workflow::work_orders::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;

use super::calendar::calendar;
use super::shared::*;
use crate::common::push_reach;
use crate::workflow::*;
use crate::{Actor, Result, StoreError};

pub(super) async fn work_order_row(c: &mut Conn, id: Id) -> Result<WorkOrderRow> {
    let row: Option<WorkOrderRow> =
        sqlx::query_as(&format!("{WORK_ORDER_COLUMNS} WHERE w.id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    row.ok_or(StoreError::NotFound {
        kind: "work order",
        id,
    })
}

async fn visible_work_order(c: &mut Conn, actor: &Actor, id: Id) -> Result<WorkOrderRow> {
    let mut qb = QueryBuilder::<Db>::new(format!("{WORK_ORDER_COLUMNS} WHERE w.id = "));
    qb.push_bind(id);
    push_reach(
        &mut qb,
        Kind::WorkOrder,
        &actor.scope.reach(Kind::WorkOrder),
    );
    let row: Option<WorkOrderRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
    row.ok_or(StoreError::NotFound {
        kind: "work order",
        id,
    })
}

/// The SQL list of the roles' stored names, from core's lists of who serves a case (constants, never input).
fn role_list(roles: &[PostRole]) -> String {
    roles
        .iter()
        .map(|r| format!("'{}'", r.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the person holds, on `day`, a chief or task-force post of one of the chains or a chief or staff
/// post of one of the parks.
pub(super) async fn serves_case(
    c: &mut Conn,
    person: Id,
    chains: [Option<Id>; 2],
    parks: [Option<Id>; 2],
    day: NaiveDate,
) -> Result<bool> {
    let list = |ids: &[Option<Id>]| {
        ids.iter()
            .flatten()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (chains, parks) = (list(&chains), list(&parks));
    let mut any = Vec::new();
    if !chains.is_empty() {
        let roles = role_list(&CASE_CHAIN_ROLES);
        any.push(format!("(role IN ({roles}) AND (chain_id IN ({chains}) OR (role = 'chain_chief' AND chain_id IS NULL)))"));
    }
    if !parks.is_empty() {
        let roles = role_list(&CASE_PARK_ROLES);
        any.push(format!("(role IN ({roles}) AND park_id IN ({parks}))"));
    }
    if any.is_empty() {
        return Ok(false);
    }
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM posts WHERE person_id = $1 AND archived = $2 AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)                      AND ({}) LIMIT 1", any.join(" OR ")))
        .bind(person).bind(false).bind(day).fetch_optional(&mut *c).await?;
    Ok(found.is_some())
}

/// Whether the person holds a post of the park's chief or staff on `day`.
async fn serves_park(c: &mut Conn, person: Id, park: Id, day: NaiveDate) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM posts WHERE person_id = $1 AND park_id = $2 AND role IN ({}) AND archived = $3 \
         AND starts_on <= $4 AND (ends_on IS NULL OR ends_on >= $4) LIMIT 1", role_list(&CASE_PARK_ROLES)))
        .bind(person).bind(park).bind(false).bind(day).fetch_optional(&mut *c).await?;
    Ok(found.is_some())
}

/// Writes a new work order reported at `at`, its first step and its assignee's message on `c`, the connection of
/// a write transaction; the caller checks the policy and writes the audit row. Alarms on meters open their work
/// orders through this too, in the transaction that raises the alarm.
pub(crate) async fn insert_work_order(
    c: &mut Conn,
    actor: &Actor,
    d: WorkOrderDraft,
    at: DateTime<Utc>,
) -> Result<WorkOrder> {
    ensure_exists(c, "parks", "park_id", Some(d.park_id)).await?;
    let day = china_date(at);
    if let Some(person) = d.assignee_person_id {
        ensure_exists(c, "people", "assignee_person_id", Some(person)).await?;
        if !serves_park(c, person, d.park_id, day).await? {
            return Err(StoreError::invalid(
                "assignee_person_id",
                format!("person {person} is not on the park's staff"),
            ));
        }
    }
    let due = work_order_due(&calendar(c).await?, at, d.time_limit())?;
    let limit_working_days = d.time_limit().working_days().map(|n| n as i32);
    let status = if d.assignee_person_id.is_some() {
        WorkOrderStatus::Assigned
    } else {
        WorkOrderStatus::Open
    };
    let id: i64 = sqlx::query_scalar(
            "INSERT INTO work_orders (park_id, facility, kind, urgency, title, description, status, created_at, created_by, due_at, \
             assignee_person_id, last_step_at, updated_at, limit_working_days, provisional_year) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id")
            .bind(d.park_id).bind(&d.facility).bind(d.kind.as_str()).bind(d.urgency.as_str()).bind(&d.title).bind(&d.description)
            .bind(status.as_str()).bind(at).bind(&actor.account).bind(due.due_at).bind(d.assignee_person_id).bind(at).bind(Utc::now())
            .bind(limit_working_days).bind(due.provisional_year)
            .fetch_one(&mut *c).await?;
    record_step(
        c,
        actor,
        StepRecord {
            kind: "work_order",
            id,
            at,
            action: "create",
            from: "",
            to: status.as_str(),
            person: d.assignee_person_id,
            note: &d.description,
        },
    )
    .await?;
    let after = work_order_row(c, id).await?.into_work_order(at)?;
    if let Some(person) = d.assignee_person_id {
        let (subject, body) = work_order_message("work_order_assigned", &after);
        notify(
            c,
            person,
            "work_order_assigned",
            &subject,
            &body,
            "work_order",
            id,
        )
        .await?;
    }
    Ok(after)
}

#[async_trait]
impl WorkOrderStore for Engine {
    async fn create_work_order(
        &self,
        actor: &Actor,
        d: WorkOrderDraft,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<WorkOrder> {
        not_in_future("created_at", at, now)?;
        actor.scope.may_edit_park_work(d.park_id)?;
        let mut tx = self.begin_write().await?;
        let after = insert_work_order(tx.conn(), actor, d, at).await?;
        tx.commit_audited(actor, "work_order", after.id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_work_orders(
        &self,
        actor: &Actor,
        f: &WorkOrderFilter,
        paging: &Paging,
    ) -> Result<Page<WorkOrder>> {
        let mut c = self.read().await?;
        let reach = actor.scope.reach(Kind::WorkOrder);
        let push = |qb: &mut QueryBuilder<'static, Db>| {
            qb.push(" WHERE 1 = 1");
            push_reach(qb, Kind::WorkOrder, &reach);
            if let Some(v) = f.park_id {
                qb.push(" AND w.park_id = ").push_bind(v);
            }
            if let Some(v) = f.status {
                qb.push(" AND w.status = ").push_bind(v.as_str());
            }
            if let Some(v) = f.kind {
                qb.push(" AND w.kind = ").push_bind(v.as_str());
            }
            if let Some(v) = f.assignee_person_id {
                qb.push(" AND w.assignee_person_id = ").push_bind(v);
            }
            if let Some(overdue) = f.overdue {
                qb.push(if overdue { " AND " } else { " AND NOT " });
                qb.push("(w.status IN ('open', 'assigned', 'in_progress') AND w.due_at < ")
                    .push_bind(f.at)
                    .push(")");
            }
        };
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM work_orders w");
        push(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let order = crate::common::order_by(
            paging,
            &[
                ("due_at", "w.due_at"),
                ("title", "w.title"),
                ("facility", "w.facility"),
                ("kind", "w.kind"),
                ("urgency", "w.urgency"),
                ("status", "w.status"),
            ],
            "w.due_at",
        )?
        .replace(", id ", ", w.id ");
        let mut rows = QueryBuilder::<Db>::new(WORK_ORDER_COLUMNS);
        push(&mut rows);
        rows.push(order)
            .push(" LIMIT ")
            .push_bind(crate::common::sql_limit(paging))
            .push(" OFFSET ")
            .push_bind(paging.offset);
        let rows: Vec<WorkOrderRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        let items = rows
            .into_iter()
            .map(|r| r.into_work_order(f.at))
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_work_order(&self, actor: &Actor, id: Id, at: DateTime<Utc>) -> Result<WorkOrder> {
        visible_work_order(&mut *self.read().await?, actor, id)
            .await?
            .into_work_order(at)
    }

    async fn work_order_steps(&self, actor: &Actor, id: Id) -> Result<Vec<CaseStep>> {
        let mut c = self.read().await?;
        visible_work_order(&mut c, actor, id).await?;
        let mut steps: Vec<CaseStep> = sqlx::query_as(
            "SELECT s.id, s.at, s.actor, s.action, s.from_status, s.to_status, s.person_id, p.name AS person_name, s.note \
             FROM case_steps s LEFT JOIN people p ON p.id = s.person_id WHERE s.object_kind = 'work_order' AND s.object_id = $1 ORDER BY s.at, s.id",
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await?;
        hide_unseen_names(&mut c, actor, &mut steps, &[]).await?;
        Ok(steps)
    }

    async fn step_work_order(
        &self,
        actor: &Actor,
        id: Id,
        step: WorkOrderStepInput,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<WorkOrder> {
        not_in_future("at", at, now)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let row = visible_work_order(c, actor, id).await?;
        if at < row.last_step_at {
            return Err(StoreError::invalid(
                "at",
                format!(
                    "is before the work order's previous step ({})",
                    row.last_step_at
                ),
            ));
        }
        let before = row.into_work_order(at)?;
        may_step(&actor.scope, &before, step.action)?;
        let person = actor.scope.person;
        if let Some(seen) = step.version.filter(|seen| *seen != before.version) {
            return Err(stale_version("work order", id, seen, before.version));
        }
        let next = next_work_order_status(before.status, step.action)?;
        let mut assignee = before.assignee.as_ref().map(|a| a.id);
        let (mut done_at, mut closed_at) = (before.done_at, before.closed_at);
        match step.action {
            WorkOrderAction::Assign => {
                let p = step
                    .assignee_person_id
                    .ok_or_else(|| StoreError::invalid("assignee_person_id", "is required"))?;
                if !serves_park(c, p, before.park_id, china_date(at)).await? {
                    return Err(StoreError::invalid(
                        "assignee_person_id",
                        format!("person {p} is not on the park's staff"),
                    ));
                }
                assignee = Some(p);
            }
            WorkOrderAction::Finish => done_at = Some(at),
            WorkOrderAction::Close => closed_at = Some(at),
            WorkOrderAction::Reject => done_at = None,
            WorkOrderAction::Start => {}
        }
        let written = sqlx::query("UPDATE work_orders SET status = $1, assignee_person_id = $2, done_at = $3, closed_at = $4, last_step_at = $5, \
             updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8")
            .bind(next.as_str()).bind(assignee).bind(done_at).bind(closed_at).bind(at).bind(Utc::now()).bind(id).bind(before.version)
            .execute(&mut *c).await?.rows_affected();
        if written == 0 {
            return Err(changed_meanwhile("work order", id));
        }
        record_step(
            c,
            actor,
            StepRecord {
                kind: "work_order",
                id,
                at,
                action: step.action.as_str(),
                from: before.status.as_str(),
                to: next.as_str(),
                person: if step.action == WorkOrderAction::Assign {
                    assignee
                } else {
                    person
                },
                note: &step.note,
            },
        )
        .await?;
        let after = work_order_row(c, id).await?.into_work_order(at)?;
        if (step.action == WorkOrderAction::Assign || step.action == WorkOrderAction::Reject)
            && let Some(p) = assignee
        {
            let (subject, body) = work_order_message("work_order_assigned", &after);
            notify(
                c,
                p,
                "work_order_assigned",
                &subject,
                &format!("{body}\n\n{}", step.note),
                "work_order",
                id,
            )
            .await?;
        }
        tx.commit_audited(
            actor,
            "work_order",
            id,
            step.action.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }
}
