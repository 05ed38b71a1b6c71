//! Enterprise appeals and the rules that route them: filing, listing, steps through their state machine,
//! on-time rate.

use super::{Db, Engine};

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_core::time::china_date;
use chainpark_core::workflow::OnTimeRate;
use chainpark_core::workflow::appeals::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;

use super::calendar::calendar;
use super::shared::*;
use super::work_orders::serves_case;
use crate::common::push_reach;
use crate::workflow::*;
use crate::{Actor, Result, StoreError};

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

pub(super) async fn appeal_row(c: &mut Conn, id: Id) -> Result<AppealRow> {
    let row: Option<AppealRow> =
        sqlx::query_as(&format!("{APPEAL_COLUMNS} {APPEAL_FROM} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    row.ok_or(StoreError::NotFound { kind: "appeal", id })
}

/// The appeal if the actor may see it; 404 otherwise, so a foreign appeal's existence is not revealed.
async fn visible_appeal(c: &mut Conn, actor: &Actor, id: Id) -> Result<AppealRow> {
    let mut qb = QueryBuilder::<Db>::new(format!("{APPEAL_COLUMNS} {APPEAL_FROM} WHERE a.id = "));
    qb.push_bind(id);
    push_reach(&mut qb, Kind::Appeal, &actor.scope.reach(Kind::Appeal));
    let row: Option<AppealRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
    row.ok_or(StoreError::NotFound { kind: "appeal", id })
}

fn push_appeal_filter(qb: &mut QueryBuilder<'static, Db>, actor: &Actor, f: &AppealFilter) {
    qb.push(format!(" {APPEAL_FROM} WHERE 1 = 1"));
    push_reach(qb, Kind::Appeal, &actor.scope.reach(Kind::Appeal));
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

#[async_trait]
impl AppealStore for Engine {
    async fn list_appeal_rules(&self, actor: &Actor, paging: &Paging) -> Result<Page<AppealRule>> {
        actor.scope.may_read_routing_rules()?;
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
        actor.scope.may_read_routing_rules()?;
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
        tx.commit_audited(actor, "appeal_rule", id, "create", None, Some(&after))
            .await?;
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
        tx.commit_audited(
            actor,
            "appeal_rule",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
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
            tx.commit_audited(
                actor,
                "appeal_rule",
                id,
                "archive",
                Some(&before),
                Some(&after),
            )
            .await?;
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
        tx.commit_audited(actor, "appeal", id, "create", None, Some(&after))
            .await?;
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
                ("title", "a.title"),
                ("enterprise", "e.name"),
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
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
        push_appeal_filter(&mut count, actor, f);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(APPEAL_COLUMNS);
        push_appeal_filter(&mut rows, actor, f);
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
        let shown = visible_appeal(&mut c, actor, id).await?.named_people();
        let mut steps: Vec<CaseStep> = sqlx::query_as(
            "SELECT s.id, s.at, s.actor, s.action, s.from_status, s.to_status, s.person_id, p.name AS person_name, s.note \
             FROM case_steps s LEFT JOIN people p ON p.id = s.person_id WHERE s.object_kind = 'appeal' AND s.object_id = $1 ORDER BY s.at, s.id",
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await?;
        hide_unseen_names(&mut c, actor, &mut steps, &shown).await?;
        Ok(steps)
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
        rules: AppealRules,
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
        may_step(&actor.scope, &before, step.action())?;
        let person = actor.scope.person;
        if let Some(seen) = version.filter(|seen| *seen != before.version) {
            return Err(stale_version("appeal", id, seen, before.version));
        }
        let next = next_status(before.status, &step)?;
        open_to(&before, step.action(), day)?;
        let mut assignee = before.assignee.as_ref().map(|a| a.id);
        let mut notify_person: Option<(Id, &str)> = None;
        let (mut complex, mut limit, mut reply_due) =
            (before.complex, before.limit_days, before.reply_due);
        let (mut accepted_at, mut replied_at, mut closed_at) =
            (before.accepted_at, before.replied_at, before.closed_at);
        let mut reopen_until = before.reopen_until;
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
            AppealStep::Close { .. } => {}
            AppealStep::Rate {
                satisfied: ok,
                rating: r,
            } => {
                satisfied = Some(*ok);
                rating = Some(*r);
            }
            AppealStep::Reopen { .. } => {
                // A new reply limit counts from today; the old reply, its rating and the closing no longer stand.
                reopen_count += 1;
                closed_at = None;
                reopen_until = None;
                replied_at = None;
                replied_on_value = None;
                satisfied = None;
                rating = None;
                let due = deadlines(&calendar(c).await?, before.received_on, day, limit)?;
                reply_due = due.reply_due;
                recounted = Some((day, due));
                escalation_reset = true;
                notify_person = assignee.map(|p| (p, "appeal_reopened"));
            }
        }
        if next == AppealStatus::Closed && before.status != AppealStatus::Closed {
            closed_at = Some(at);
            reopen_until = Some(rules.reopen_until(&calendar(c).await?, day)?);
        }
        // Guarded: written only if nobody changed the appeal since it was read in this transaction.
        let written = sqlx::query(
            "UPDATE appeals SET status = $1, complex = $2, limit_days = $3, reply_due = $4, assignee_person_id = $5, accepted_at = $6, \
             replied_at = $7, replied_on = $8, closed_at = $9, reply = $10, satisfied = $11, rating = $12, reopen_count = $13, \
             last_step_at = $14, updated_at = $15, reopen_until = $16, version = version + 1 WHERE id = $17 AND version = $18")
            .bind(next.as_str()).bind(complex).bind(limit as i32).bind(reply_due).bind(assignee).bind(accepted_at)
            .bind(replied_at).bind(replied_on_value).bind(closed_at).bind(&reply).bind(satisfied).bind(rating).bind(reopen_count)
            .bind(at).bind(Utc::now()).bind(reopen_until).bind(id).bind(before.version).execute(&mut *c).await?.rows_affected();
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
        tx.commit_audited(
            actor,
            "appeal",
            id,
            step.action().as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    async fn appeal_on_time_rate(&self, actor: &Actor, f: &AppealFilter) -> Result<OnTimeRate> {
        let mut c = self.read().await?;
        let mut rows = QueryBuilder::<Db>::new(APPEAL_COLUMNS);
        push_appeal_filter(&mut rows, actor, f);
        let rows: Vec<AppealRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        Ok(OnTimeRate::count(
            rows.iter().map(|r| (r.reply_due(), r.replied_on())),
            f.as_of,
        ))
    }
}
