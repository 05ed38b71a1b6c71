//! The policy registry in SQL (see `crate::policies`), compiled once per engine.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::error::Invalid;
use chainpark_core::policies::{Policy, PolicyDraft};
use chainpark_core::registry::Id;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use crate::policies::PolicyStore;
use crate::prelude::ChainStore;
use crate::{Actor, Result, StoreError};

type Conn = <super::Db as sqlx::Database>::Connection;

const COLUMNS: &str = "SELECT id, chain_id, title, issuer, document_number, issued_on, url, body, summary, \
     created_at, updated_at FROM policies";

#[derive(FromRow)]
struct PolicyRow {
    id: i64,
    chain_id: i64,
    title: String,
    issuer: String,
    document_number: String,
    issued_on: NaiveDate,
    url: String,
    body: String,
    summary: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<PolicyRow> for Policy {
    fn from(r: PolicyRow) -> Policy {
        Policy {
            id: r.id,
            chain_id: r.chain_id,
            title: r.title,
            issuer: r.issuer,
            document_number: r.document_number,
            issued_on: r.issued_on,
            url: r.url,
            text: r.body,
            summary: r.summary,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

async fn policy_row(c: &mut Conn, id: Id) -> Result<Policy> {
    let row: Option<PolicyRow> =
        sqlx::query_as(&format!("{COLUMNS} WHERE id = $1 AND archived = FALSE"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    row.map(Policy::from)
        .ok_or(StoreError::NotFound { kind: "policy", id })
}

impl Engine {
    /// A live document the actor may read: its chain unseen answers 404 (as the registry does), seen but not
    /// read (a park's or an enterprise's account) 403.
    async fn readable_policy(&self, actor: &Actor, id: Id) -> Result<Policy> {
        let policy = {
            let mut c = self.read().await?;
            policy_row(&mut c, id).await?
        };
        self.get_chain(actor, policy.chain_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => StoreError::NotFound { kind: "policy", id },
                other => other,
            })?;
        actor.scope.may_read_chain_intel(policy.chain_id)?;
        Ok(policy)
    }
}

#[async_trait]
impl PolicyStore for Engine {
    async fn create_policy(&self, actor: &Actor, draft: PolicyDraft) -> Result<Policy> {
        actor.scope.may_steer_chain(draft.chain_id)?;
        let mut tx = self.begin_write().await?;
        let chain: Option<bool> = sqlx::query_scalar("SELECT archived FROM chains WHERE id = $1")
            .bind(draft.chain_id)
            .fetch_optional(tx.conn())
            .await?;
        match chain {
            None => {
                return Err(Invalid::field(
                    "chain_id",
                    format!("chain {} does not exist", draft.chain_id),
                )
                .into());
            }
            Some(true) => {
                return Err(Invalid::field(
                    "chain_id",
                    format!("chain {} is archived", draft.chain_id),
                )
                .into());
            }
            Some(false) => {}
        }
        let now = Utc::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO policies (chain_id, title, issuer, document_number, issued_on, url, body, summary, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(draft.chain_id)
        .bind(&draft.title)
        .bind(&draft.issuer)
        .bind(&draft.document_number)
        .bind(draft.issued_on)
        .bind(&draft.url)
        .bind(&draft.text)
        .bind(&draft.summary)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
        let policy = policy_row(tx.conn(), id).await?;
        tx.commit_audited(actor, "policy", id, "create", None, Some(&policy))
            .await?;
        Ok(policy)
    }

    async fn list_policies(&self, actor: &Actor, chain: Id) -> Result<Vec<Policy>> {
        actor.scope.may_read_chain_intel(chain)?;
        let mut c = self.read().await?;
        let rows: Vec<PolicyRow> = sqlx::query_as(&format!(
            "{COLUMNS} WHERE chain_id = $1 AND archived = FALSE ORDER BY issued_on DESC, id DESC"
        ))
        .bind(chain)
        .fetch_all(&mut *c)
        .await?;
        Ok(rows.into_iter().map(Policy::from).collect())
    }

    async fn get_policy(&self, actor: &Actor, id: Id) -> Result<Policy> {
        self.readable_policy(actor, id).await
    }

    async fn update_policy(&self, actor: &Actor, id: Id, draft: PolicyDraft) -> Result<Policy> {
        let before = self.readable_policy(actor, id).await?;
        actor.scope.may_steer_chain(before.chain_id)?;
        if draft.chain_id != before.chain_id {
            return Err(Invalid::field(
                "chain_id",
                format!(
                    "a policy stays with its chain ({}); file it again under the other chain",
                    before.chain_id
                ),
            )
            .into());
        }
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE policies SET title = $1, issuer = $2, document_number = $3, issued_on = $4, url = $5, \
             body = $6, summary = $7, updated_at = $8 WHERE id = $9 AND archived = FALSE",
        )
        .bind(&draft.title)
        .bind(&draft.issuer)
        .bind(&draft.document_number)
        .bind(draft.issued_on)
        .bind(&draft.url)
        .bind(&draft.text)
        .bind(&draft.summary)
        .bind(Utc::now())
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound { kind: "policy", id });
        }
        let after = policy_row(tx.conn(), id).await?;
        tx.commit_audited(actor, "policy", id, "update", Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    async fn archive_policy(&self, actor: &Actor, id: Id) -> Result<Policy> {
        let before = self.readable_policy(actor, id).await?;
        actor.scope.may_steer_chain(before.chain_id)?;
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE policies SET archived = TRUE, updated_at = $1 WHERE id = $2 AND archived = FALSE",
        )
        .bind(Utc::now())
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound { kind: "policy", id });
        }
        tx.commit_audited(
            actor,
            "policy",
            id,
            "archive",
            Some(&before),
            None::<&Policy>,
        )
        .await?;
        Ok(before)
    }
}
