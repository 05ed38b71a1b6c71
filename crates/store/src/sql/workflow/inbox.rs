//! Each person's inbox of notifications, and the mail outbox that sends them.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chrono::{DateTime, Utc};

use super::shared::*;
use crate::workflow::*;
use crate::{Actor, Result, StoreError};

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

#[async_trait]
impl InboxStore for Engine {
    async fn list_inbox(
        &self,
        actor: &Actor,
        unread_only: bool,
        paging: &Paging,
    ) -> Result<Page<Notification>> {
        let mut c = self.read().await?;
        let person = actor.scope.person.unwrap_or(-1);
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
        let person = actor.scope.person;
        inbox_counts_for(&mut c, person, actor.account_id).await
    }

    async fn mark_read(&self, actor: &Actor, id: Option<Id>) -> Result<InboxCounts> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let person = actor.scope.person;
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
            "SELECT id, to_address, subject, body, attempts, next_attempt_at, sent_at, last_error FROM mail_outbox \
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

    async fn outbox_waiting(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL")
                .fetch_one(&mut *self.read().await?)
                .await?,
        )
    }

    async fn list_outbox(&self, actor: &Actor) -> Result<Vec<OutboxMail>> {
        actor.scope.may_administer()?;
        Ok(sqlx::query_as("SELECT id, to_address, subject, body, attempts, next_attempt_at, sent_at, last_error FROM mail_outbox ORDER BY id")
            .fetch_all(&mut *self.read().await?).await?)
    }
}
