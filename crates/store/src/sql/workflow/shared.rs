//! What every workflow uses: the audit row, the actor's person, who holds a post, notifications and case
//! steps.

use super::Db;

use chainpark_core::registry::Id;
use chainpark_core::workflow::appeals::*;
use chrono::{NaiveDate, Utc};

use crate::workflow::*;
use crate::{Actor, Result, StoreError};
pub(super) type Conn = <Db as sqlx::Database>::Connection;

/// Leaves out the names on a case's steps of the people the actor may not see, except those the case itself
/// shows (`shown`: its handler, assignee, the chief it was escalated to).
pub(super) async fn hide_unseen_names(
    c: &mut Conn,
    actor: &Actor,
    steps: &mut [CaseStep],
    shown: &[Id],
) -> Result<()> {
    if actor.scope.people_reach() == chainpark_core::access::PeopleReach::All {
        return Ok(());
    }
    for step in steps {
        let Some(id) = step.person_id.filter(|id| !shown.contains(id)) else {
            continue;
        };
        let mut qb: sqlx::QueryBuilder<'static, Db> =
            sqlx::QueryBuilder::new("SELECT COUNT(*) FROM people p WHERE p.id = ");
        qb.push_bind(id);
        super::super::registry::push_people_reach(&mut qb, actor);
        let seen: i64 = qb.build_query_scalar().fetch_one(&mut *c).await?;
        if seen == 0 {
            step.person_name = None;
        }
    }
    Ok(())
}
pub(super) use super::super::tx::audit;

pub(super) async fn ensure_exists(
    c: &mut Conn,
    table: &str,
    field: &str,
    id: Option<Id>,
) -> Result<()> {
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
pub(super) async fn post_holder(
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
pub(super) async fn route_person(
    c: &mut Conn,
    route: &Route,
    day: NaiveDate,
) -> Result<Option<Id>> {
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
pub(super) async fn escalation_chief(
    c: &mut Conn,
    chain: Option<Id>,
    park: Option<Id>,
    day: NaiveDate,
) -> Result<Option<Id>> {
    if chain.is_some()
        && let Some(person) = post_holder(c, "chain_chief", chain, None, day).await?
    {
        return Ok(Some(person));
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
        // A mail subject is one line: both languages side by side.
        let subject = subject.replace(LANGUAGE_BREAK, " / ");
        sqlx::query(
            "INSERT INTO mail_outbox (notification_id, to_address, subject, body, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(email.trim()).bind(&subject).bind(body).bind(now).bind(now)
            .execute(&mut *c).await?;
    }
    Ok(())
}

/// Writes a message to an account's inbox (admins need not be registry people; no mail is sent).
pub(super) async fn notify_account(
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

pub(super) async fn record_step(c: &mut Conn, actor: &Actor, r: StepRecord<'_>) -> Result<()> {
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

pub(super) async fn enterprise_chains(c: &mut Conn, enterprise: Id) -> Result<Vec<Id>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT s.chain_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id WHERE es.enterprise_id = $1 ORDER BY s.chain_id")
        .bind(enterprise).fetch_all(&mut *c).await?)
}

/// A record of one enterprise (transformation project, recognition) follows its enterprise: hidden from
/// another enterprise's user and from chain owners outside its chains, it answers 404, as if it did not exist.
pub(super) async fn ensure_enterprise_record_visible(
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
