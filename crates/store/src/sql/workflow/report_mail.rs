//! The park reports mailed on a schedule: the admin's schedules, which are due at an instant, and the mailing of one
//! report — the notification, its mail and the workbook attached — once per schedule and month.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::parkops::report_mail::{
    MailAttachment, ReportSchedule, ReportScheduleInput, report_due,
};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_core::time::china_date;
use chrono::{DateTime, Datelike, Utc};

use super::shared::*;
use crate::workflow::*;
use crate::{Actor, Result, StoreError};

type ScheduleRow = (Id, Id, i32, DateTime<Utc>, String, Option<i64>);

const SCHEDULE_COLUMNS: &str = "SELECT s.id, s.park_id, s.day_of_month, s.created_at, s.created_by, \
    (SELECT MAX(m.month) FROM report_mailings m WHERE m.schedule_id = s.id) AS last_month \
    FROM report_schedules s";

fn schedule(
    (id, park_id, day_of_month, created_at, created_by, last): ScheduleRow,
) -> ReportSchedule {
    ReportSchedule {
        id,
        park_id,
        day_of_month,
        created_at,
        created_by,
        last_month: last.and_then(Month::from_key).map(|m| m.to_string()),
    }
}

fn admin_only(actor: &Actor) -> Result<()> {
    if actor.scope.is_admin() {
        Ok(())
    } else {
        Err(StoreError::Denied(
            "only the admin schedules the park reports".into(),
        ))
    }
}

#[async_trait]
impl ReportMailStore for Engine {
    async fn create_report_schedule(
        &self,
        actor: &Actor,
        input: ReportScheduleInput,
        now: DateTime<Utc>,
    ) -> Result<ReportSchedule> {
        admin_only(actor)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let park: Option<bool> = sqlx::query_scalar("SELECT archived FROM parks WHERE id = $1")
            .bind(input.park_id)
            .fetch_optional(&mut *c)
            .await?;
        if park != Some(false) {
            return Err(StoreError::invalid(
                "park_id",
                format!("{} does not exist or is archived", input.park_id),
            ));
        }
        let taken: Option<Id> = sqlx::query_scalar(
            "SELECT id FROM report_schedules WHERE park_id = $1 AND archived = FALSE",
        )
        .bind(input.park_id)
        .fetch_optional(&mut *c)
        .await?;
        if let Some(id) = taken {
            return Err(StoreError::conflict(
                "park_id",
                format!(
                    "park {} is scheduled already (schedule {id})",
                    input.park_id
                ),
            ));
        }
        let id: Id = sqlx::query_scalar(
            "INSERT INTO report_schedules (park_id, day_of_month, created_at, created_by) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(input.park_id)
        .bind(input.day_of_month)
        .bind(now)
        .bind(&actor.account)
        .fetch_one(&mut *c)
        .await?;
        let row: ScheduleRow = sqlx::query_as(&format!("{SCHEDULE_COLUMNS} WHERE s.id = $1"))
            .bind(id)
            .fetch_one(&mut *c)
            .await?;
        let after = schedule(row);
        tx.commit_audited(actor, "report_schedule", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_report_schedules(&self, actor: &Actor) -> Result<Vec<ReportSchedule>> {
        admin_only(actor)?;
        let rows: Vec<ScheduleRow> = sqlx::query_as(&format!(
            "{SCHEDULE_COLUMNS} WHERE s.archived = FALSE ORDER BY s.park_id, s.id"
        ))
        .fetch_all(&mut *self.read().await?)
        .await?;
        Ok(rows.into_iter().map(schedule).collect())
    }

    async fn due_report_schedules(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<(ReportSchedule, Month)>> {
        let today = china_date(at);
        let rows: Vec<ScheduleRow> = sqlx::query_as(&format!(
            "{SCHEDULE_COLUMNS} WHERE s.archived = FALSE AND s.day_of_month <= $1 ORDER BY s.id"
        ))
        .bind(today.day() as i32)
        .fetch_all(&mut *self.read().await?)
        .await?;
        let mut due = Vec::new();
        for row in rows {
            let s = schedule(row);
            if let Some(month) = report_due(s.day_of_month, today)
                && s.last_month.as_deref() < Some(month.to_string().as_str())
            {
                due.push((s, month));
            }
        }
        Ok(due)
    }

    async fn mail_report(
        &self,
        schedule_id: Id,
        month: Month,
        subject: &str,
        body: &str,
        attachment: MailAttachment,
        at: DateTime<Utc>,
    ) -> Result<ReportMailing> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let park: Id = sqlx::query_scalar("SELECT park_id FROM report_schedules WHERE id = $1")
            .bind(schedule_id)
            .fetch_optional(&mut *c)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "report schedule",
                id: schedule_id,
            })?;
        let Some(chief) = escalation_chief(c, None, Some(park), china_date(at)).await? else {
            return Ok(ReportMailing::NoChief);
        };
        let added = sqlx::query(
            "INSERT INTO report_mailings (schedule_id, month, person_id, mailed_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (schedule_id, month) DO NOTHING",
        )
        .bind(schedule_id)
        .bind(i64::from(month.key()))
        .bind(chief)
        .bind(at)
        .execute(&mut *c)
        .await?
        .rows_affected();
        if added == 0 {
            return Ok(ReportMailing::AlreadyMailed);
        }
        notify(c, chief, "park_report", subject, body, "park", park).await?;
        let outbox: Option<Id> = sqlx::query_scalar(
            "SELECT o.id FROM mail_outbox o JOIN notifications n ON n.id = o.notification_id \
             WHERE n.person_id = $1 AND n.kind = 'park_report' ORDER BY o.id DESC LIMIT 1",
        )
        .bind(chief)
        .fetch_optional(&mut *c)
        .await?;
        if let Some(outbox) = outbox {
            sqlx::query(
                "INSERT INTO mail_attachments (outbox_id, filename, content_type, data) VALUES ($1, $2, $3, $4)",
            )
            .bind(outbox)
            .bind(&attachment.filename)
            .bind(&attachment.content_type)
            .bind(&attachment.data)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE report_mailings SET outbox_id = $1 WHERE schedule_id = $2 AND month = $3",
            )
            .bind(outbox)
            .bind(schedule_id)
            .bind(i64::from(month.key()))
            .execute(&mut *c)
            .await?;
        }
        tx.commit().await?;
        Ok(ReportMailing::Mailed {
            person_id: chief,
            outbox_id: outbox,
        })
    }

    async fn mail_attachments(&self, outbox_id: Id) -> Result<Vec<MailAttachment>> {
        let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
            "SELECT filename, content_type, data FROM mail_attachments WHERE outbox_id = $1 ORDER BY id",
        )
        .bind(outbox_id)
        .fetch_all(&mut *self.read().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(filename, content_type, data)| MailAttachment {
                filename,
                content_type,
                data,
            })
            .collect())
    }
}
