//! What spans the workflows: the consistency check and escalating overdue cases.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::time::china_date;
use chrono::{DateTime, Utc};

use super::appeals::appeal_row;
use super::shared::*;
use super::work_orders::work_order_row;
use crate::workflow::*;
use crate::{Actor, Result};

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
