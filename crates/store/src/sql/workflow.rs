//! Workflow in SQL, compiled once per engine (`crate::sqlite`, `crate::postgres`) with that engine's `Db` and
//! store type `Engine`.

use super::{Db, Engine};
use std::collections::HashMap;

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::calendar::WorkCalendar;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_core::time::china_date;
use chainpark_core::workflow::OnTimeRate;
use chainpark_core::workflow::appeals::*;
use chainpark_core::workflow::projects::*;
use chainpark_core::workflow::transformation::*;
use chainpark_core::workflow::work_orders::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;

use crate::workflow::*;
use crate::{Actor, Result, StoreError};
type Conn = <Db as sqlx::Database>::Connection;

async fn audit<T: serde::Serialize>(
    c: &mut Conn,
    actor: &Actor,
    kind: &str,
    id: Id,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let json = |v: Option<&T>| {
        v.and_then(|v| serde_json::to_value(v).ok())
            .map(sqlx::types::Json)
    };
    sqlx::query("INSERT INTO audit_log (at, actor, object_kind, object_id, action, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(Utc::now()).bind(&actor.account).bind(kind).bind(id).bind(action).bind(json(before)).bind(json(after))
        .execute(&mut *c).await?;
    Ok(())
}

/// The registry person of the actor's account, if it has one.
async fn actor_person(c: &mut Conn, actor: &Actor) -> Result<Option<Id>> {
    let Some(account) = actor.account_id else {
        return Ok(None);
    };
    let person: Option<Option<i64>> =
        sqlx::query_scalar("SELECT person_id FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(&mut *c)
            .await?;
    Ok(person.flatten())
}

async fn ensure_exists(c: &mut Conn, table: &str, field: &str, id: Option<Id>) -> Result<()> {
    let Some(id) = id else { return Ok(()) };
    let archived: Option<bool> =
        sqlx::query_scalar(&format!("SELECT archived FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    match archived {
        None => Err(StoreError::invalid(field, format!("{id} does not exist"))),
        Some(true) => Err(StoreError::invalid(field, format!("{id} is archived"))),
        Some(false) => Ok(()),
    }
}

/// The first person who holds the post on `day`; for a chain chief, a chief of that chain before the
/// overall chief.
async fn post_holder(
    c: &mut Conn,
    role: &str,
    chain: Option<Id>,
    park: Option<Id>,
    day: NaiveDate,
) -> Result<Option<Id>> {
    let held =
        "po.archived = $2 AND po.starts_on <= $3 AND (po.ends_on IS NULL OR po.ends_on >= $3)";
    let found: Option<i64> = match (chain, park) {
        (Some(chain), _) if role == "chain_chief" => sqlx::query_scalar(&format!(
            "SELECT po.person_id FROM posts po WHERE po.role = $1 AND {held} AND (po.chain_id = $4 OR po.chain_id IS NULL) \
             ORDER BY CASE WHEN po.chain_id IS NULL THEN 2 WHEN po.chief_level = 'deputy' THEN 1 ELSE 0 END, po.id LIMIT 1"))
            .bind(role).bind(false).bind(day).bind(chain).fetch_optional(&mut *c).await?,
        (Some(chain), _) if role.starts_with("chain") => sqlx::query_scalar(&format!(
            "SELECT po.person_id FROM posts po WHERE po.role = $1 AND {held} AND po.chain_id = $4 ORDER BY po.id LIMIT 1"))
            .bind(role).bind(false).bind(day).bind(chain).fetch_optional(&mut *c).await?,
        (_, Some(park)) if role.starts_with("park") => sqlx::query_scalar(&format!(
            "SELECT po.person_id FROM posts po WHERE po.role = $1 AND {held} AND po.park_id = $4 ORDER BY po.id LIMIT 1"))
            .bind(role).bind(false).bind(day).bind(park).fetch_optional(&mut *c).await?,
        _ => None,
    };
    Ok(found)
}

/// The person a route reaches on `day`, if anybody.
async fn route_person(c: &mut Conn, route: &Route, day: NaiveDate) -> Result<Option<Id>> {
    match route.target {
        RouteTarget::Person => Ok(route.person_id),
        RouteTarget::ChainTaskForce => {
            post_holder(c, "chain_task_force", route.chain_id, None, day).await
        }
        RouteTarget::ChainChief => post_holder(c, "chain_chief", route.chain_id, None, day).await,
        RouteTarget::ParkChief => post_holder(c, "park_chief", None, route.park_id, day).await,
        RouteTarget::ParkStaff => post_holder(c, "park_staff", None, route.park_id, day).await,
    }
}

/// The chief an overdue case goes to: the chief of the chain it was routed under, else of its park.
async fn escalation_chief(
    c: &mut Conn,
    chain: Option<Id>,
    park: Option<Id>,
    day: NaiveDate,
) -> Result<Option<Id>> {
    if chain.is_some() {
        if let Some(person) = post_holder(c, "chain_chief", chain, None, day).await? {
            return Ok(Some(person));
        }
    }
    post_holder(c, "park_chief", None, park, day).await
}

/// Writes a message to a person's inbox and, when the person has an e-mail address, to the mail outbox.
pub(crate) async fn notify(
    c: &mut Conn,
    person: Id,
    kind: &str,
    subject: &str,
    body: &str,
    object_kind: &str,
    object_id: Id,
) -> Result<()> {
    let now = Utc::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notifications (person_id, kind, subject, body, object_kind, object_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(person).bind(kind).bind(subject).bind(body).bind(object_kind).bind(object_id).bind(now)
        .fetch_one(&mut *c).await?;
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
        .bind(person)
        .fetch_optional(&mut *c)
        .await?;
    if let Some(email) = email.filter(|e| !e.trim().is_empty()) {
        sqlx::query(
            "INSERT INTO mail_outbox (notification_id, to_address, subject, body, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(email.trim()).bind(subject).bind(body).bind(now).bind(now)
            .execute(&mut *c).await?;
    }
    Ok(())
}

/// Writes a message to an account's inbox (admins need not be registry people; no mail is sent).
async fn notify_account(
    c: &mut Conn,
    account: Id,
    kind: &str,
    subject: &str,
    body: &str,
    object_kind: &str,
    object_id: Id,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notifications (account_id, kind, subject, body, object_kind, object_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(account).bind(kind).bind(subject).bind(body).bind(object_kind).bind(object_id).bind(Utc::now())
        .execute(&mut *c).await?;
    Ok(())
}

async fn record_step(c: &mut Conn, actor: &Actor, r: StepRecord<'_>) -> Result<()> {
    let StepRecord {
        kind,
        id,
        at,
        action,
        from,
        to,
        person,
        note,
    } = r;
    sqlx::query(
        "INSERT INTO case_steps (object_kind, object_id, at, actor, action, from_status, to_status, person_id, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(kind).bind(id).bind(at).bind(&actor.account).bind(action).bind(from).bind(to).bind(person).bind(note)
        .execute(&mut *c).await?;
    Ok(())
}

async fn calendar(c: &mut Conn) -> Result<WorkCalendar> {
    let rows: Vec<(NaiveDate, String, String)> =
        sqlx::query_as("SELECT day, kind, name FROM calendar_days ORDER BY day")
            .fetch_all(&mut *c)
            .await?;
    let mut calendar = WorkCalendar::embedded();
    if !rows.is_empty() {
        let mut text = String::from("date,kind,name\n");
        for (day, kind, name) in rows {
            text.push_str(&format!("{day},{kind},{name}\n"));
        }
        let loaded = WorkCalendar::from_csv(&text)
            .map_err(|e| StoreError::Corrupt(format!("calendar_days: {e}")))?;
        calendar.merge(loaded);
    }
    Ok(calendar)
}

async fn rule_by_id(c: &mut Conn, id: Id) -> Result<AppealRule> {
    let row: Option<AppealRuleRow> = sqlx::query_as(
        "SELECT id, category, chain_id, park_id, target, person_id, note, archived, updated_at FROM appeal_rules WHERE id = $1")
        .bind(id).fetch_optional(&mut *c).await?;
    row.ok_or(StoreError::NotFound {
        kind: "appeal rule",
        id,
    })?
    .into_rule()
}

/// A rule must reach somebody: its person exists, or someone holds its post in its chain or park today.
async fn check_rule(c: &mut Conn, d: &AppealRuleDraft, today: NaiveDate) -> Result<()> {
    ensure_exists(c, "chains", "chain_id", d.chain_id).await?;
    ensure_exists(c, "parks", "park_id", d.park_id).await?;
    ensure_exists(c, "people", "person_id", d.person_id).await?;
    let route = Route {
        rule_id: None,
        target: d.target,
        person_id: d.person_id,
        chain_id: d.chain_id,
        park_id: d.park_id,
    };
    let names_scope = (d.target.is_chain_target() && d.chain_id.is_some())
        || (d.target.is_park_target() && d.park_id.is_some());
    if names_scope && route_person(c, &route, today).await?.is_none() {
        return Err(StoreError::invalid(
            "target",
            format!(
                "nobody holds the {} post there today: the rule would route to nobody",
                d.target
            ),
        ));
    }
    Ok(())
}

async fn appeal_row(c: &mut Conn, id: Id) -> Result<AppealRow> {
    let row: Option<AppealRow> =
        sqlx::query_as(&format!("{APPEAL_COLUMNS} {APPEAL_FROM} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    row.ok_or(StoreError::NotFound { kind: "appeal", id })
}

/// The appeal if the actor may see it; 404 otherwise, so a foreign appeal's existence is not revealed.
async fn visible_appeal(c: &mut Conn, actor: &Actor, id: Id) -> Result<AppealRow> {
    let person = actor_person(c, actor).await?;
    let mut sql = format!("{APPEAL_COLUMNS} {APPEAL_FROM} WHERE a.id = $1");
    if let Some(scope) = case_scope(actor, person, "a", APPEAL_PERSONS) {
        sql.push_str(&format!(" AND {scope}"));
    }
    let row: Option<AppealRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound { kind: "appeal", id })
}

fn push_appeal_filter(
    qb: &mut QueryBuilder<'static, Db>,
    scope: &Option<String>,
    f: &AppealFilter,
) {
    qb.push(format!(" {APPEAL_FROM} WHERE 1 = 1"));
    if let Some(scope) = scope {
        qb.push(format!(" AND {scope}"));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = crate::common::contains_pattern(q);
        qb.push(" AND (LOWER(a.title) LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(e.name) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(s) = f.status {
        qb.push(" AND a.status = ").push_bind(s.as_str());
    }
    if let Some(k) = f.category {
        qb.push(" AND a.category = ").push_bind(k.as_str());
    }
    if let Some(v) = f.enterprise_id {
        qb.push(" AND a.enterprise_id = ").push_bind(v);
    }
    if let Some(v) = f.chain_id {
        qb.push(" AND a.chain_id = ").push_bind(v);
    }
    if let Some(v) = f.park_id {
        qb.push(" AND a.park_id = ").push_bind(v);
    }
    if let Some(v) = f.assignee_person_id {
        qb.push(" AND a.assignee_person_id = ").push_bind(v);
    }
    if let Some(v) = f.received_from {
        qb.push(" AND a.received_on >= ").push_bind(v);
    }
    if let Some(v) = f.received_to {
        qb.push(" AND a.received_on <= ").push_bind(v);
    }
    match f.open {
        Some(true) => {
            qb.push(" AND a.status <> 'closed'");
        }
        Some(false) => {
            qb.push(" AND a.status = 'closed'");
        }
        None => {}
    }
    if let Some(overdue) = f.overdue {
        qb.push(if overdue { " AND " } else { " AND NOT " });
        qb.push("(a.status NOT IN ('replied', 'closed') AND (a.reply_due < ")
            .push_bind(f.as_of)
            .push(" OR (a.status = 'submitted' AND a.accept_due < ")
            .push_bind(f.as_of)
            .push(")))");
    }
}

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

async fn project_row(c: &mut Conn, id: Id) -> Result<Project> {
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
async fn check_project(c: &mut Conn, d: &ProjectDraft) -> Result<()> {
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
async fn write_project(c: &mut Conn, current: Option<(Id, i64)>, d: &ProjectDraft) -> Result<Id> {
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

fn push_project_filter(
    qb: &mut QueryBuilder<'static, Db>,
    scope: &Option<String>,
    f: &ProjectFilter,
) {
    qb.push(" WHERE 1 = 1");
    if let Some(scope) = scope {
        qb.push(format!(" AND {scope}"));
    }
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

async fn enterprise_chains(c: &mut Conn, enterprise: Id) -> Result<Vec<Id>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT s.chain_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id WHERE es.enterprise_id = $1 ORDER BY s.chain_id")
        .bind(enterprise).fetch_all(&mut *c).await?)
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

async fn work_order_row(c: &mut Conn, id: Id) -> Result<WorkOrderRow> {
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
    let person = actor_person(c, actor).await?;
    let mut sql = format!("{WORK_ORDER_COLUMNS} WHERE w.id = $1");
    if let Some(scope) = work_order_scope(actor, person) {
        sql.push_str(&format!(" AND {scope}"));
    }
    let row: Option<WorkOrderRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound {
        kind: "work order",
        id,
    })
}

/// Whether the person holds, on `day`, a chief or task-force post of one of the chains or a chief or staff
/// post of one of the parks.
async fn serves_case(
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
        any.push(format!("(role IN ('chain_chief', 'chain_task_force') AND (chain_id IN ({chains}) OR (role = 'chain_chief' AND chain_id IS NULL)))"));
    }
    if !parks.is_empty() {
        any.push(format!(
            "(role IN ('park_chief', 'park_staff') AND park_id IN ({parks}))"
        ));
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
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM posts WHERE person_id = $1 AND park_id = $2 AND role IN ('park_chief', 'park_staff') AND archived = $3 \
         AND starts_on <= $4 AND (ends_on IS NULL OR ends_on >= $4) LIMIT 1")
        .bind(person).bind(park).bind(false).bind(day).fetch_optional(&mut *c).await?;
    Ok(found.is_some())
}

/// The messages of a person or an account (-1 stands for none: ids are positive).
const ADDRESSEE: &str = "(person_id = $1 OR account_id = $2)";

async fn inbox_counts_for(
    c: &mut Conn,
    person: Option<Id>,
    account: Option<Id>,
) -> Result<InboxCounts> {
    if person.is_none() && account.is_none() {
        return Ok(InboxCounts::default());
    }
    let (person, account) = (person.unwrap_or(-1), account.unwrap_or(-1));
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM notifications WHERE {ADDRESSEE}"
    ))
    .bind(person)
    .bind(account)
    .fetch_one(&mut *c)
    .await?;
    let by_kind: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT kind, COUNT(*) FROM notifications WHERE {ADDRESSEE} AND read_at IS NULL GROUP BY kind ORDER BY kind"))
        .bind(person).bind(account).fetch_all(&mut *c).await?;
    let unread = by_kind.iter().map(|(_, n)| n).sum();
    Ok(InboxCounts {
        unread,
        total,
        unread_by_kind: by_kind.into_iter().collect(),
    })
}

/// A record of one enterprise (transformation project, recognition) follows its enterprise: hidden from
/// another enterprise's user and from chain owners outside its chains, it answers 404, as if it did not exist.
async fn ensure_enterprise_record_visible(
    c: &mut Conn,
    actor: &Actor,
    enterprise_id: Id,
    kind: &'static str,
    id: Id,
) -> Result<()> {
    let park: Option<i64> = sqlx::query_scalar("SELECT park_id FROM enterprises WHERE id = $1")
        .bind(enterprise_id)
        .fetch_optional(&mut *c)
        .await?
        .flatten();
    crate::figures::ensure_enterprise_seen(
        actor,
        enterprise_id,
        park,
        &enterprise_chains(c, enterprise_id).await?,
    )
    .map_err(|_| StoreError::NotFound { kind, id })
}

#[async_trait]
impl WorkflowStore for Engine {
    async fn check_workflow(&self) -> Result<Vec<String>> {
        let mut c = self.read().await?;
        let mut problems = Vec::new();
        let checks: [(&str, &str); 6] = [
            (
                "SELECT r.id FROM recognitions r WHERE r.kind = 'intelligent_factory' AND r.archived = FALSE                           AND (SELECT COUNT(*) FROM factory_workshops f WHERE f.factory_id = r.id) < 2 ORDER BY r.id",
                "recognition {}: an intelligent factory on fewer than two recognised workshops",
            ),
            (
                "SELECT f.factory_id FROM factory_workshops f JOIN recognitions r ON r.id = f.factory_id JOIN recognitions w ON w.id = f.workshop_id                           WHERE w.enterprise_id <> r.enterprise_id OR w.kind <> 'digital_workshop' OR w.recognised_on > r.recognised_on ORDER BY f.factory_id",
                "recognition {}: a factory's workshop is of another enterprise, not a workshop, or recognised later",
            ),
            (
                "SELECT id FROM appeals WHERE reply_due < received_on OR accept_due < received_on ORDER BY id",
                "appeal {}: a deadline before the day it was received",
            ),
            (
                "SELECT id FROM appeals WHERE status IN ('replied', 'closed') AND reply = '' ORDER BY id",
                "appeal {}: answered or closed without a reply",
            ),
            (
                "SELECT id FROM work_orders WHERE due_at < created_at ORDER BY id",
                "work order {}: due before it was reported",
            ),
            (
                "SELECT id FROM mail_outbox WHERE sent_at IS NULL AND attempts >= 10 ORDER BY id",
                "mail {}: not sent after 10 attempts; check the SMTP settings",
            ),
        ];
        for (sql, message) in checks {
            let ids: Vec<i64> = sqlx::query_scalar(sql).fetch_all(&mut *c).await?;
            problems.extend(
                ids.into_iter()
                    .map(|id| message.replace("{}", &id.to_string())),
            );
        }
        let rows: Vec<ProjectRow> =
            sqlx::query_as(&format!("{PROJECT_COLUMNS} {PROJECT_FROM} ORDER BY p.id"))
                .fetch_all(&mut *c)
                .await?;
        for project in rows.into_iter().map(ProjectRow::into_project) {
            let mut v = chainpark_core::error::Violations::default();
            project.stages.check(&mut v, "");
            if !v.is_empty() {
                problems.push(format!("project {}: {}", project.id, v.into_invalid()));
            }
        }
        Ok(problems)
    }

    async fn work_calendar(&self) -> Result<WorkCalendar> {
        calendar(&mut *self.read().await?).await
    }

    async fn load_calendar(&self, actor: &Actor, csv: &str) -> Result<CalendarLoad> {
        actor.scope.may_edit_workflow_rules()?;
        let invalid = |e: chainpark_core::calendar::CalendarError| {
            StoreError::invalid("calendar", e.to_string())
        };
        let loaded = WorkCalendar::from_csv(csv).map_err(invalid)?;
        let listed_years = loaded.listed_years();
        if listed_years.is_empty() {
            return Err(StoreError::invalid("calendar", "lists no dates"));
        }
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        calendar(c)
            .await?
            .check_addition(&loaded)
            .map_err(invalid)?;
        let loaded_years = loaded.covered_years();
        for year in &loaded_years {
            let from = NaiveDate::from_ymd_opt(*year, 1, 1)
                .ok_or_else(|| StoreError::invalid("calendar", "bad year"))?;
            let to = NaiveDate::from_ymd_opt(*year, 12, 31)
                .ok_or_else(|| StoreError::invalid("calendar", "bad year"))?;
            sqlx::query("DELETE FROM calendar_days WHERE day >= $1 AND day <= $2")
                .bind(from)
                .bind(to)
                .execute(&mut *c)
                .await?;
        }
        for (day, kind, name) in loaded.days() {
            sqlx::query("INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) \
                         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name")
                .bind(day).bind(kind.as_str()).bind(name).execute(&mut *c).await?;
        }
        let added_to_years: Vec<i32> = listed_years
            .into_iter()
            .filter(|y| !loaded_years.contains(y))
            .collect();
        audit(c, actor, "calendar", i64::from(loaded_years.first().or(added_to_years.first()).copied().unwrap_or_default()), "load", None,
            Some(&serde_json::json!({"loaded_years": &loaded_years, "added_to_years": &added_to_years}))).await?;
        // Deadlines counted on weekdays for want of a year are counted again on what is loaded now.
        let cal = calendar(c).await?;
        let mut load = CalendarLoad {
            years: cal.covered_years(),
            loaded_years,
            added_to_years,
            ..Default::default()
        };
        let appeals: Vec<(i64, NaiveDate, Option<NaiveDate>, i32, NaiveDate, NaiveDate, Option<i32>)> = sqlx::query_as(
            "SELECT id, received_on, reply_from, limit_days, accept_due, reply_due, provisional_year FROM appeals \
             WHERE provisional_year IS NOT NULL ORDER BY id")
            .fetch_all(&mut *c).await?;
        for (id, received_on, reply_from, limit, accept_due, reply_due, provisional_year) in appeals
        {
            let limit =
                u32::try_from(limit).map_err(|e| crate::common::corrupt("appeal", id, e))?;
            let due = deadlines(&cal, received_on, reply_from.unwrap_or(received_on), limit)?;
            sqlx::query("UPDATE appeals SET accept_due = $1, reply_due = $2, provisional_year = $3, updated_at = $4 WHERE id = $5")
                .bind(due.accept_due).bind(due.reply_due).bind(due.provisional_year).bind(Utc::now()).bind(id).execute(&mut *c).await?;
            let before = RecountedDeadlines {
                accept_due: Some(accept_due),
                reply_due: Some(reply_due),
                due_at: None,
                provisional_year,
            };
            let after = RecountedDeadlines {
                accept_due: Some(due.accept_due),
                reply_due: Some(due.reply_due),
                due_at: None,
                provisional_year: due.provisional_year,
            };
            audit(
                c,
                actor,
                "appeal",
                id,
                "recount",
                Some(&before),
                Some(&after),
            )
            .await?;
            load.recounted_appeals.push(id);
        }
        let orders: Vec<(i64, DateTime<Utc>, DateTime<Utc>, Option<i32>, Option<i32>)> = sqlx::query_as(
            "SELECT id, created_at, due_at, limit_working_days, provisional_year FROM work_orders \
             WHERE provisional_year IS NOT NULL ORDER BY id")
            .fetch_all(&mut *c).await?;
        for (id, created_at, due_at, limit, provisional_year) in orders {
            let n = limit
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| crate::common::corrupt("work order", id, "limit_working_days"))?;
            let due = work_order_due(&cal, created_at, TimeLimit::WorkingDays(n))?;
            sqlx::query("UPDATE work_orders SET due_at = $1, provisional_year = $2, updated_at = $3 WHERE id = $4")
                .bind(due.due_at).bind(due.provisional_year).bind(Utc::now()).bind(id).execute(&mut *c).await?;
            let before = RecountedDeadlines {
                accept_due: None,
                reply_due: None,
                due_at: Some(due_at),
                provisional_year,
            };
            let after = RecountedDeadlines {
                accept_due: None,
                reply_due: None,
                due_at: Some(due.due_at),
                provisional_year: due.provisional_year,
            };
            audit(
                c,
                actor,
                "work_order",
                id,
                "recount",
                Some(&before),
                Some(&after),
            )
            .await?;
            load.recounted_work_orders.push(id);
        }
        tx.commit().await?;
        Ok(load)
    }

    async fn remind_missing_calendar(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<CalendarReminder>> {
        actor.scope.may_edit_workflow_rules()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let Some(year) = calendar(c).await?.year_to_load(china_date(now)) else {
            return Ok(None);
        };
        let admins: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM accounts WHERE role = $1 AND disabled = $2 ORDER BY id",
        )
        .bind(chainpark_core::access::Role::Admin.as_str())
        .bind(false)
        .fetch_all(&mut *c)
        .await?;
        let subject = format!("请载入{year}年节假日安排 Load the holiday calendar of {year}");
        let body = format!(
            "{year}年国务院部分节假日安排尚未载入：延伸到{year}年的诉求和工单时限暂按周一至周五计算，载入后自动重算。\n\
             The State Council's holiday arrangement for {year} is not loaded: deadlines that run into {year} are counted \
             on weekdays for now and are counted again when it is loaded.\n\n\
             chainpark calendar FILE · POST /api/v1/calendar (text/csv: date,kind,name)"
        );
        let mut notified = Vec::new();
        for account in admins {
            let told: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM notifications WHERE account_id = $1 AND kind = 'calendar_missing' AND object_id = $2")
                .bind(account).bind(i64::from(year)).fetch_optional(&mut *c).await?;
            if told.is_none() {
                notify_account(
                    c,
                    account,
                    "calendar_missing",
                    &subject,
                    &body,
                    "calendar",
                    i64::from(year),
                )
                .await?;
                notified.push(account);
            }
        }
        if !notified.is_empty() {
            audit(
                c,
                actor,
                "calendar",
                i64::from(year),
                "remind",
                None,
                Some(&notified),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Some(CalendarReminder {
            year,
            notified_accounts: notified,
        }))
    }

    async fn list_appeal_rules(&self, actor: &Actor, paging: &Paging) -> Result<Page<AppealRule>> {
        if !actor.scope.reads_everything()
            && actor.scope.role == chainpark_core::access::Role::Enterprise
        {
            return Err(StoreError::Denied(
                "an enterprise account cannot read the routing rules".into(),
            ));
        }
        let mut c = self.read().await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM appeal_rules WHERE archived = $1")
                .bind(false)
                .fetch_one(&mut *c)
                .await?;
        let rows: Vec<AppealRuleRow> = sqlx::query_as(
            "SELECT id, category, chain_id, park_id, target, person_id, note, archived, updated_at FROM appeal_rules \
             WHERE archived = $1 ORDER BY category, id LIMIT $2 OFFSET $3")
            .bind(false).bind(crate::common::sql_limit(paging)).bind(paging.offset).fetch_all(&mut *c).await?;
        let items = rows
            .into_iter()
            .map(AppealRuleRow::into_rule)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_appeal_rule(&self, actor: &Actor, id: Id) -> Result<AppealRule> {
        if actor.scope.role == chainpark_core::access::Role::Enterprise {
            return Err(StoreError::Denied(
                "an enterprise account cannot read the routing rules".into(),
            ));
        }
        rule_by_id(&mut *self.read().await?, id).await
    }

    async fn create_appeal_rule(
        &self,
        actor: &Actor,
        d: AppealRuleDraft,
        today: NaiveDate,
    ) -> Result<AppealRule> {
        actor.scope.may_edit_workflow_rules()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        check_rule(c, &d, today).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO appeal_rules (category, chain_id, park_id, target, person_id, note, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(d.category.as_str()).bind(d.chain_id).bind(d.park_id).bind(d.target.as_str()).bind(d.person_id)
            .bind(&d.note).bind(Utc::now()).fetch_one(&mut *c).await?;
        let after = rule_by_id(c, id).await?;
        audit(c, actor, "appeal_rule", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_appeal_rule(
        &self,
        actor: &Actor,
        id: Id,
        d: AppealRuleDraft,
        today: NaiveDate,
    ) -> Result<AppealRule> {
        actor.scope.may_edit_workflow_rules()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = rule_by_id(c, id).await?;
        check_rule(c, &d, today).await?;
        sqlx::query("UPDATE appeal_rules SET category = $1, chain_id = $2, park_id = $3, target = $4, person_id = $5, note = $6, updated_at = $7 WHERE id = $8")
            .bind(d.category.as_str()).bind(d.chain_id).bind(d.park_id).bind(d.target.as_str()).bind(d.person_id)
            .bind(&d.note).bind(Utc::now()).bind(id).execute(&mut *c).await?;
        let after = rule_by_id(c, id).await?;
        audit(
            c,
            actor,
            "appeal_rule",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn archive_appeal_rule(&self, actor: &Actor, id: Id) -> Result<AppealRule> {
        actor.scope.may_edit_workflow_rules()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = rule_by_id(c, id).await?;
        // Idempotent, as archiving registry objects.
        let changed = sqlx::query("UPDATE appeal_rules SET archived = $1, updated_at = $2 WHERE id = $3 AND archived = $4")
            .bind(true).bind(Utc::now()).bind(id).bind(false).execute(&mut *c).await?.rows_affected();
        let after = rule_by_id(c, id).await?;
        if changed > 0 {
            audit(
                c,
                actor,
                "appeal_rule",
                id,
                "archive",
                Some(&before),
                Some(&after),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(after)
    }

    async fn file_appeal(
        &self,
        actor: &Actor,
        d: AppealDraft,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Appeal> {
        not_in_future("received_at", at, now)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let found: Option<(Option<i64>, bool)> =
            sqlx::query_as("SELECT park_id, archived FROM enterprises WHERE id = $1")
                .bind(d.enterprise_id)
                .fetch_optional(&mut *c)
                .await?;
        let Some((park, archived)) = found else {
            return Err(StoreError::invalid(
                "enterprise_id",
                format!("{} does not exist", d.enterprise_id),
            ));
        };
        let chains: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT s.chain_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id WHERE es.enterprise_id = $1 ORDER BY s.chain_id")
            .bind(d.enterprise_id).fetch_all(&mut *c).await?;
        actor
            .scope
            .may_file_appeal(d.enterprise_id, &chains, park)?;
        if archived {
            return Err(StoreError::invalid(
                "enterprise_id",
                format!("{} is archived", d.enterprise_id),
            ));
        }
        let received_on = china_date(at);
        let limit = reply_limit_days(d.category, d.urgency, false);
        let cal = calendar(c).await?;
        let due = deadlines(&cal, received_on, received_on, limit)?;
        let rules: Vec<AppealRuleRow> = sqlx::query_as(
            "SELECT id, category, chain_id, park_id, target, person_id, note, archived, updated_at FROM appeal_rules WHERE category = $1 AND archived = $2")
            .bind(d.category.as_str()).bind(false).fetch_all(&mut *c).await?;
        let rules = rules
            .into_iter()
            .map(AppealRuleRow::into_rule)
            .collect::<Result<Vec<_>>>()?;
        let facts = RoutingFacts {
            category: d.category,
            chains: chains.clone(),
            park,
        };
        let route = route(&rules, &facts);
        let handler = route_person(c, &route, received_on).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO appeals (enterprise_id, category, urgency, complex, title, description, chain_id, park_id, status, \
             filed_at, filed_by, received_on, limit_days, accept_due, reply_due, rule_id, route_chain_id, route_park_id, \
             handler_person_id, last_step_at, updated_at, reply_from, provisional_year) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id")
            .bind(d.enterprise_id).bind(d.category.as_str()).bind(d.urgency.as_str()).bind(false).bind(&d.title).bind(&d.description)
            .bind(chains.first().copied()).bind(park).bind(AppealStatus::Submitted.as_str())
            .bind(at).bind(&actor.account).bind(received_on).bind(limit as i32).bind(due.accept_due).bind(due.reply_due)
            .bind(route.rule_id).bind(route.target.is_chain_target().then_some(route.chain_id).flatten())
            .bind((!route.target.is_chain_target()).then_some(route.park_id).flatten())
            .bind(handler).bind(at).bind(Utc::now()).bind(received_on).bind(due.provisional_year)
            .fetch_one(&mut *c).await?;
        record_step(
            c,
            actor,
            StepRecord {
                kind: "appeal",
                id,
                at,
                action: "file",
                from: "",
                to: AppealStatus::Submitted.as_str(),
                person: handler,
                note: &d.description,
            },
        )
        .await?;
        let after = appeal_row(c, id).await?.into_appeal(received_on)?;
        if let Some(handler) = handler {
            let (subject, body) = appeal_message("appeal_routed", &after);
            notify(c, handler, "appeal_routed", &subject, &body, "appeal", id).await?;
        }
        audit(c, actor, "appeal", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn list_appeals(
        &self,
        actor: &Actor,
        f: &AppealFilter,
        paging: &Paging,
    ) -> Result<Page<Appeal>> {
        let order = crate::common::order_by(
            paging,
            &[
                ("received_on", "a.received_on"),
                ("reply_due", "a.reply_due"),
                ("status", "a.status"),
                ("category", "a.category"),
                ("updated_at", "a.updated_at"),
            ],
            "a.id",
        )?
        .replace(", id ", ", a.id ");
        let mut c = self.read().await?;
        let person = actor_person(&mut c, actor).await?;
        let scope = case_scope(actor, person, "a", APPEAL_PERSONS);
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
        push_appeal_filter(&mut count, &scope, f);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(APPEAL_COLUMNS);
        push_appeal_filter(&mut rows, &scope, f);
        rows.push(order)
            .push(" LIMIT ")
            .push_bind(crate::common::sql_limit(paging))
            .push(" OFFSET ")
            .push_bind(paging.offset);
        let rows: Vec<AppealRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        let items = rows
            .into_iter()
            .map(|r| r.into_appeal(f.as_of))
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_appeal(&self, actor: &Actor, id: Id, as_of: NaiveDate) -> Result<Appeal> {
        visible_appeal(&mut *self.read().await?, actor, id)
            .await?
            .into_appeal(as_of)
    }

    async fn appeal_steps(&self, actor: &Actor, id: Id) -> Result<Vec<CaseStep>> {
        let mut c = self.read().await?;
        visible_appeal(&mut c, actor, id).await?;
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, from_status, to_status, person_id, note FROM case_steps \
             WHERE object_kind = 'appeal' AND object_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn step_appeal(
        &self,
        actor: &Actor,
        id: Id,
        step: AppealStep,
        note: String,
        at: DateTime<Utc>,
        version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Appeal> {
        not_in_future("at", at, now)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let row = visible_appeal(c, actor, id).await?;
        if at < row.last_step_at {
            return Err(StoreError::invalid(
                "at",
                format!(
                    "is before the appeal's previous step ({})",
                    row.last_step_at
                ),
            ));
        }
        let day = china_date(at);
        let before = row.into_appeal(day)?;
        let person = actor_person(c, actor).await?;
        let scope = &actor.scope;
        let allowed = match step {
            AppealStep::Rate { .. } => {
                scope.is_admin() || scope.has_enterprise(before.enterprise_id)
            }
            _ => {
                scope.is_admin()
                    || scope.is_chief_of(
                        before.route_chain_id.or(before.chain_id),
                        before.route_park_id.or(before.park_id),
                    )
                    || person.is_some_and(|p| {
                        before
                            .assignee
                            .as_ref()
                            .map(|a| a.id)
                            .or(before.handler.as_ref().map(|h| h.id))
                            == Some(p)
                    })
                    || person.is_some_and(|p| before.escalated_to.as_ref().map(|x| x.id) == Some(p))
            }
        };
        if !allowed {
            return Err(StoreError::Denied(format!(
                "only the assignee or a chief may '{}' appeal {id}",
                step.action()
            )));
        }
        if let Some(seen) = version.filter(|seen| *seen != before.version) {
            return Err(stale_version("appeal", id, seen, before.version));
        }
        let next = next_status(before.status, &step)?;
        let mut assignee = before.assignee.as_ref().map(|a| a.id);
        let mut notify_person: Option<(Id, &str)> = None;
        let (mut complex, mut limit, mut reply_due) =
            (before.complex, before.limit_days, before.reply_due);
        let (mut accepted_at, mut replied_at, mut closed_at) =
            (before.accepted_at, before.replied_at, before.closed_at);
        let mut replied_on_value = before.replied_at.map(china_date);
        let (mut reply, mut satisfied, mut rating, mut reopen_count) = (
            before.reply.clone(),
            before.satisfied,
            before.rating,
            before.reopen_count,
        );
        let mut escalation_reset = false;
        // Deadlines counted again, with the day the reply limit counts from.
        let mut recounted: Option<(NaiveDate, AppealDeadlines)> = None;
        match &step {
            AppealStep::Accept {
                complex: is_complex,
            } => {
                accepted_at = Some(at);
                if *is_complex {
                    complex = true;
                    limit = reply_limit_days(before.category, before.urgency, true);
                    let due = deadlines(
                        &calendar(c).await?,
                        before.received_on,
                        before.received_on,
                        limit,
                    )?;
                    reply_due = due.reply_due;
                    recounted = Some((before.received_on, due));
                }
                if assignee.is_none() {
                    assignee = person.or(before.handler.as_ref().map(|h| h.id));
                }
            }
            AppealStep::Assign { person_id } => {
                ensure_exists(c, "people", "assignee_person_id", Some(*person_id)).await?;
                // A case goes to someone who answers for its chain or park (or whom a rule named).
                let is_handler = before.handler.as_ref().map(|h| h.id) == Some(*person_id);
                if !is_handler
                    && !serves_case(
                        c,
                        *person_id,
                        [before.chain_id, before.route_chain_id],
                        [before.park_id, before.route_park_id],
                        day,
                    )
                    .await?
                {
                    return Err(StoreError::invalid(
                        "assignee_person_id",
                        format!("person {person_id} holds no post of the appeal's chain or park"),
                    ));
                }
                assignee = Some(*person_id);
                notify_person = Some((*person_id, "appeal_assigned"));
            }
            AppealStep::Handle => {}
            AppealStep::Reply { text } => {
                reply = text.clone();
                replied_at = Some(at);
                replied_on_value = Some(day);
            }
            AppealStep::Close { .. } => closed_at = Some(at),
            AppealStep::Rate {
                satisfied: ok,
                rating: r,
            } => {
                satisfied = Some(*ok);
                rating = Some(*r);
                if *ok {
                    closed_at = closed_at.or(Some(at));
                } else {
                    // Re-opened: a new reply limit counts from today, the old reply no longer answers.
                    reopen_count += 1;
                    closed_at = None;
                    replied_at = None;
                    replied_on_value = None;
                    let due = deadlines(&calendar(c).await?, before.received_on, day, limit)?;
                    reply_due = due.reply_due;
                    recounted = Some((day, due));
                    escalation_reset = true;
                    notify_person = assignee.map(|p| (p, "appeal_reopened"));
                }
            }
        }
        // Guarded: written only if nobody changed the appeal since it was read in this transaction.
        let written = sqlx::query(
            "UPDATE appeals SET status = $1, complex = $2, limit_days = $3, reply_due = $4, assignee_person_id = $5, accepted_at = $6, \
             replied_at = $7, replied_on = $8, closed_at = $9, reply = $10, satisfied = $11, rating = $12, reopen_count = $13, \
             last_step_at = $14, updated_at = $15, version = version + 1 WHERE id = $16 AND version = $17")
            .bind(next.as_str()).bind(complex).bind(limit as i32).bind(reply_due).bind(assignee).bind(accepted_at)
            .bind(replied_at).bind(replied_on_value).bind(closed_at).bind(&reply).bind(satisfied).bind(rating).bind(reopen_count)
            .bind(at).bind(Utc::now()).bind(id).bind(before.version).execute(&mut *c).await?.rows_affected();
        if written == 0 {
            return Err(changed_meanwhile("appeal", id));
        }
        if escalation_reset {
            sqlx::query("UPDATE appeals SET escalated_at = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
        }
        if let Some((reply_from, due)) = recounted {
            sqlx::query("UPDATE appeals SET accept_due = $1, reply_from = $2, provisional_year = $3 WHERE id = $4")
                .bind(due.accept_due).bind(reply_from).bind(due.provisional_year).bind(id).execute(&mut *c).await?;
        }
        let step_person = match &step {
            AppealStep::Assign { person_id } => Some(*person_id),
            _ => person,
        };
        record_step(
            c,
            actor,
            StepRecord {
                kind: "appeal",
                id,
                at,
                action: step.action().as_str(),
                from: before.status.as_str(),
                to: next.as_str(),
                person: step_person,
                note: &note,
            },
        )
        .await?;
        let after = appeal_row(c, id).await?.into_appeal(day)?;
        if let Some((p, kind)) = notify_person {
            let (subject, body) = appeal_message(kind, &after);
            notify(c, p, kind, &subject, &body, "appeal", id).await?;
        }
        if matches!(step, AppealStep::Reply { .. }) {
            // The enterprise's contacts are told that the answer is there to rate.
            let contacts: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT person_id FROM posts WHERE role = 'enterprise_contact' AND enterprise_id = $1 AND archived = $2 \
                 AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)")
                .bind(after.enterprise_id).bind(false).bind(day).fetch_all(&mut *c).await?;
            let (subject, body) = appeal_message("appeal_replied", &after);
            for contact in contacts {
                notify(
                    c,
                    contact,
                    "appeal_replied",
                    &subject,
                    &format!("{body}\n\n答复 Reply: {}", after.reply),
                    "appeal",
                    id,
                )
                .await?;
            }
        }
        audit(
            c,
            actor,
            "appeal",
            id,
            step.action().as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn appeal_on_time_rate(&self, actor: &Actor, f: &AppealFilter) -> Result<OnTimeRate> {
        let mut c = self.read().await?;
        let person = actor_person(&mut c, actor).await?;
        let scope = case_scope(actor, person, "a", APPEAL_PERSONS);
        let mut rows = QueryBuilder::<Db>::new(APPEAL_COLUMNS);
        push_appeal_filter(&mut rows, &scope, f);
        let rows: Vec<AppealRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        Ok(OnTimeRate::count(
            rows.iter().map(|r| (r.reply_due(), r.replied_on())),
            f.as_of,
        ))
    }

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
        audit(c, actor, "signing_event", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
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
        let scope = project_scope(actor);
        let mut c = self.read().await?;
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM projects p");
        push_project_filter(&mut count, &scope, f);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(format!("{PROJECT_COLUMNS} {PROJECT_FROM}"));
        push_project_filter(&mut rows, &scope, f);
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
        audit(c, actor, "project", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
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
        audit(
            c,
            actor,
            "project",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
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
            audit(
                c,
                actor,
                "project",
                id,
                "archive",
                Some(&before),
                Some(&after),
            )
            .await?;
            tx.commit().await?;
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
        audit(c, actor, "project", id, "move", Some(&before), Some(&after)).await?;
        tx.commit().await?;
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
        audit(c, actor, "project", id, "investment", None, Some(&record)).await?;
        tx.commit().await?;
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
        audit(c, actor, "milestone", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
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
        audit(
            c,
            actor,
            "milestone",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn list_milestones(
        &self,
        actor: &Actor,
        f: &MilestoneFilter,
        paging: &Paging,
    ) -> Result<Page<Milestone>> {
        let scope = project_scope(actor);
        let push = |qb: &mut QueryBuilder<'static, Db>| {
            qb.push(" WHERE p.archived = ").push_bind(false);
            if let Some(scope) = &scope {
                qb.push(format!(" AND {scope}"));
            }
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
        let scope = project_scope(actor);
        let mut qb = QueryBuilder::<Db>::new(format!(
            "SELECT {key} AS key, {name} AS key_name, p.signed_on, p.started_on, p.production_on, \
             (SELECT CAST(COALESCE(SUM(pl.amount), 0) AS BIGINT) FROM project_plans pl WHERE pl.project_id = p.id AND pl.year = "
        ));
        qb.push_bind(year).push(") AS planned_year, (SELECT CAST(COALESCE(SUM(pi.amount), 0) AS BIGINT) FROM project_investments pi WHERE pi.project_id = p.id AND pi.month >= ")
            .push_bind(from).push(" AND pi.month <= ").push_bind(to).push(") AS completed_year FROM projects p");
        push_project_filter(&mut qb, &scope, f);
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
        audit(
            c,
            actor,
            "transformation_project",
            id,
            "create",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
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
        audit(
            c,
            actor,
            "transformation_project",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
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
        audit(c, actor, "recognition", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
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
        let c = tx.conn();
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
        audit(c, actor, "work_order", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn list_work_orders(
        &self,
        actor: &Actor,
        f: &WorkOrderFilter,
        paging: &Paging,
    ) -> Result<Page<WorkOrder>> {
        let mut c = self.read().await?;
        let person = actor_person(&mut c, actor).await?;
        let scope = work_order_scope(actor, person);
        let push = |qb: &mut QueryBuilder<'static, Db>| {
            qb.push(" WHERE 1 = 1");
            if let Some(s) = &scope {
                qb.push(format!(" AND {s}"));
            }
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
        let mut rows = QueryBuilder::<Db>::new(WORK_ORDER_COLUMNS);
        push(&mut rows);
        rows.push(" ORDER BY w.due_at, w.id LIMIT ")
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
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, from_status, to_status, person_id, note FROM case_steps \
             WHERE object_kind = 'work_order' AND object_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await?)
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
        let person = actor_person(c, actor).await?;
        let is_assignee = person.is_some() && person == before.assignee.as_ref().map(|a| a.id);
        let park_team = actor.scope.may_edit_park_work(before.park_id).is_ok();
        let allowed = match step.action {
            // The park's staff dispatch; confirming or rejecting the work is the chief's; the work is the assignee's.
            WorkOrderAction::Assign => park_team,
            WorkOrderAction::Close | WorkOrderAction::Reject => {
                actor.scope.is_admin() || actor.scope.is_chief_of(None, Some(before.park_id))
            }
            WorkOrderAction::Start | WorkOrderAction::Finish => {
                is_assignee
                    || actor.scope.is_admin()
                    || actor.scope.is_chief_of(None, Some(before.park_id))
            }
        };
        if !allowed {
            return Err(StoreError::Denied(format!(
                "only the assignee or the park's chief may '{}' work order {id}",
                step.action
            )));
        }
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
        if step.action == WorkOrderAction::Assign || step.action == WorkOrderAction::Reject {
            if let Some(p) = assignee {
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
        }
        audit(
            c,
            actor,
            "work_order",
            id,
            step.action.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn list_inbox(
        &self,
        actor: &Actor,
        unread_only: bool,
        paging: &Paging,
    ) -> Result<Page<Notification>> {
        let mut c = self.read().await?;
        let person = actor_person(&mut c, actor).await?.unwrap_or(-1);
        let account = actor.account_id.unwrap_or(-1);
        let unread = if unread_only {
            " AND read_at IS NULL"
        } else {
            ""
        };
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM notifications WHERE {ADDRESSEE}{unread}"
        ))
        .bind(person)
        .bind(account)
        .fetch_one(&mut *c)
        .await?;
        let items: Vec<Notification> = sqlx::query_as(&format!(
            "SELECT id, kind, subject, body, object_kind, object_id, created_at, read_at FROM notifications \
             WHERE {ADDRESSEE}{unread} ORDER BY id DESC LIMIT $3 OFFSET $4"))
            .bind(person).bind(account).bind(crate::common::sql_limit(paging)).bind(paging.offset).fetch_all(&mut *c).await?;
        Ok(Page {
            items,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn inbox_counts(&self, actor: &Actor) -> Result<InboxCounts> {
        let mut c = self.read().await?;
        let person = actor_person(&mut c, actor).await?;
        inbox_counts_for(&mut c, person, actor.account_id).await
    }

    async fn mark_read(&self, actor: &Actor, id: Option<Id>) -> Result<InboxCounts> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let person = actor_person(c, actor).await?;
        let (p, a) = (person.unwrap_or(-1), actor.account_id.unwrap_or(-1));
        match id {
            Some(id) => {
                let changed = sqlx::query(&format!("UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE {ADDRESSEE} AND id = $4"))
                    .bind(p).bind(a).bind(Utc::now()).bind(id).execute(&mut *c).await?.rows_affected();
                if changed == 0 {
                    return Err(StoreError::NotFound {
                        kind: "notification",
                        id,
                    });
                }
            }
            None => {
                sqlx::query(&format!(
                    "UPDATE notifications SET read_at = $3 WHERE {ADDRESSEE} AND read_at IS NULL"
                ))
                .bind(p)
                .bind(a)
                .bind(Utc::now())
                .execute(&mut *c)
                .await?;
            }
        }
        let counts = inbox_counts_for(c, person, actor.account_id).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn due_mail(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OutboxMail>> {
        Ok(sqlx::query_as(
            "SELECT id, to_address, subject, body, attempts, sent_at, last_error FROM mail_outbox \
             WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    async fn mail_sent(&self, id: Id, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2")
            .bind(at).bind(id).execute(tx.conn()).await?;
        tx.commit().await
    }

    async fn mail_failed(&self, id: Id, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
            .bind(error.chars().take(1000).collect::<String>()).bind(retry_at).bind(id).execute(tx.conn()).await?;
        tx.commit().await
    }

    async fn list_outbox(&self, actor: &Actor) -> Result<Vec<OutboxMail>> {
        actor.scope.may_administer()?;
        Ok(sqlx::query_as("SELECT id, to_address, subject, body, attempts, sent_at, last_error FROM mail_outbox ORDER BY id")
            .fetch_all(&mut *self.read().await?).await?)
    }

    async fn escalate_overdue(&self, actor: &Actor, at: DateTime<Utc>) -> Result<EscalationRun> {
        actor.scope.may_edit_workflow_rules()?;
        let as_of = china_date(at);
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let mut run = EscalationRun {
            as_of,
            ..Default::default()
        };
        let rows: Vec<AppealRow> = sqlx::query_as(&format!(
            "{APPEAL_COLUMNS} {APPEAL_FROM} WHERE a.escalated_at IS NULL AND a.status NOT IN ('replied', 'closed') \
             AND (a.reply_due < $1 OR (a.status = 'submitted' AND a.accept_due < $1)) ORDER BY a.id"))
            .bind(as_of).fetch_all(&mut *c).await?;
        for row in rows {
            let before = row.into_appeal(as_of)?;
            let chief = escalation_chief(
                c,
                before.route_chain_id.or(before.chain_id),
                before.route_park_id.or(before.park_id),
                as_of,
            )
            .await?;
            // A case stepped or escalated by someone else meanwhile is left to the next run.
            let written = sqlx::query("UPDATE appeals SET escalated_at = $1, escalated_to_person_id = $2, updated_at = $3, version = version + 1 \
                 WHERE id = $4 AND version = $5")
                .bind(at).bind(chief).bind(Utc::now()).bind(before.id).bind(before.version).execute(&mut *c).await?.rows_affected();
            if written == 0 {
                continue;
            }
            let step = before.overdue.map(|s| s.as_str()).unwrap_or("reply");
            record_step(
                c,
                actor,
                StepRecord {
                    kind: "appeal",
                    id: before.id,
                    at,
                    action: "escalate",
                    from: before.status.as_str(),
                    to: before.status.as_str(),
                    person: chief,
                    note: &format!("overdue: the {step} deadline has passed"),
                },
            )
            .await?;
            let after = appeal_row(c, before.id).await?.into_appeal(as_of)?;
            if let Some(chief) = chief {
                let (subject, body) = appeal_message("appeal_escalated", &after);
                notify(
                    c,
                    chief,
                    "appeal_escalated",
                    &subject,
                    &body,
                    "appeal",
                    before.id,
                )
                .await?;
            }
            audit(
                c,
                actor,
                "appeal",
                before.id,
                "escalate",
                Some(&before),
                Some(&after),
            )
            .await?;
            run.appeals.push(Escalated {
                id: before.id,
                to: after.escalated_to.clone(),
            });
        }
        let orders: Vec<WorkOrderRow> = sqlx::query_as(&format!(
            "{WORK_ORDER_COLUMNS} WHERE w.escalated_at IS NULL AND w.status IN ('open', 'assigned', 'in_progress') AND w.due_at < $1 ORDER BY w.id"))
            .bind(at).fetch_all(&mut *c).await?;
        for row in orders {
            let before = row.into_work_order(at)?;
            let chief = post_holder(c, "park_chief", None, Some(before.park_id), as_of).await?;
            let written = sqlx::query("UPDATE work_orders SET escalated_at = $1, escalated_to_person_id = $2, updated_at = $3, version = version + 1 \
                 WHERE id = $4 AND version = $5")
                .bind(at).bind(chief).bind(Utc::now()).bind(before.id).bind(before.version).execute(&mut *c).await?.rows_affected();
            if written == 0 {
                continue;
            }
            record_step(
                c,
                actor,
                StepRecord {
                    kind: "work_order",
                    id: before.id,
                    at,
                    action: "escalate",
                    from: before.status.as_str(),
                    to: before.status.as_str(),
                    person: chief,
                    note: &format!("overdue: due {}", before.due_at),
                },
            )
            .await?;
            let after = work_order_row(c, before.id).await?.into_work_order(at)?;
            if let Some(chief) = chief {
                let (subject, body) = work_order_message("work_order_escalated", &after);
                notify(
                    c,
                    chief,
                    "work_order_escalated",
                    &subject,
                    &body,
                    "work_order",
                    before.id,
                )
                .await?;
            }
            audit(
                c,
                actor,
                "work_order",
                before.id,
                "escalate",
                Some(&before),
                Some(&after),
            )
            .await?;
            run.work_orders.push(Escalated {
                id: before.id,
                to: after.escalated_to.clone(),
            });
        }
        tx.commit().await?;
        Ok(run)
    }
}
