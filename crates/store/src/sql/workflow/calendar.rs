//! The work calendar (working days and holidays) that deadlines count in, and the reminder when next year's is
//! missing.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::calendar::WorkCalendar;
use chainpark_core::time::china_date;
use chainpark_core::workflow::appeals::*;
use chainpark_core::workflow::work_orders::*;
use chrono::{DateTime, NaiveDate, Utc};

use super::shared::*;
use crate::workflow::*;
use crate::{Actor, Result, StoreError};

pub(crate) async fn calendar(c: &mut Conn) -> Result<WorkCalendar> {
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

#[async_trait]
impl CalendarStore for Engine {
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
        .bind(chainpark_core::access::Scope::RULES_KEEPER.as_str())
        .bind(false)
        .fetch_all(&mut *c)
        .await?;
        let subject = bilingual(
            &format!("请载入{year}年节假日安排"),
            &format!("Load the holiday calendar of {year}"),
        );
        let how = "chainpark calendar FILE · POST /api/v1/calendar (text/csv: date,kind,name)";
        let body = bilingual(
            &format!(
                "{year}年国务院部分节假日安排尚未载入：延伸到{year}年的诉求和工单时限暂按周一至周五计算，载入后自动重算。\n\n{how}"
            ),
            &format!(
                "The State Council's holiday arrangement for {year} is not loaded: deadlines that run into {year} are \
                 counted on weekdays for now and are counted again when it is loaded.\n\n{how}"
            ),
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
}
