//! Supply links between segments; editing one needs the right to edit the chains of both ends.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::Utc;

use super::segments::segment_chains;
use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::LinkStore;
use crate::{Actor, Result, StoreError};

const LINK_COLUMNS: &str =
    "SELECT l.id, l.from_segment_id, l.to_segment_id, l.note, l.archived, l.updated_at";

async fn link_by_id(c: &mut Conn, id: Id) -> Result<SupplyLink> {
    let sql = format!("{LINK_COLUMNS} FROM supply_links l WHERE l.id = $1");
    let row: Option<LinkRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.map(LinkRow::into_link).ok_or(StoreError::NotFound {
        kind: "supply link",
        id,
    })
}

/// A supply link belongs to the chains of both its ends: whoever edits it must be allowed to edit both.
async fn may_edit_link(c: &mut Conn, actor: &Actor, from: Id, to: Id) -> Result<()> {
    let chains = segment_chains(c, &[from, to]).await?;
    for segment in [from, to] {
        match chains.get(&segment) {
            Some(chain) => actor.scope.may_edit_chain(*chain)?,
            None if actor.scope.is_admin() => {}
            None => {
                return Err(StoreError::Denied(format!(
                    "segment {segment} is not in a chain you may change"
                )));
            }
        }
    }
    Ok(())
}

pub(super) async fn insert_link(
    c: &mut Conn,
    d: &SupplyLinkDraft,
    now: chrono::DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO supply_links (from_segment_id, to_segment_id, note, updated_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(d.from_segment_id).bind(d.to_segment_id).bind(&d.note).bind(now)
    .fetch_one(&mut *c).await?)
}

#[async_trait]
impl LinkStore for Engine {
    async fn list_links(
        &self,
        actor: &Actor,
        f: &LinkFilter,
        paging: &Paging,
    ) -> Result<Page<SupplyLink>> {
        let order = order_by(
            paging,
            &[
                ("from_segment_id", "l.from_segment_id"),
                ("to_segment_id", "l.to_segment_id"),
            ],
            "l.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<LinkRow>(
            &mut c,
            LINK_COLUMNS,
            |qb| {
                qb.push("FROM supply_links l WHERE 1 = 1");
                push_reach(qb, Kind::SupplyLink, &actor.scope.reach(Kind::SupplyLink));
                push_archived(qb, "l", f.include_archived);
                if let Some(chain) = f.chain_id {
                    qb.push(
                        " AND (l.from_segment_id IN (SELECT id FROM segments WHERE chain_id = ",
                    );
                    qb.push_bind(chain);
                    qb.push(") OR l.to_segment_id IN (SELECT id FROM segments WHERE chain_id = ");
                    qb.push_bind(chain);
                    qb.push("))");
                }
                if let Some(segment) = f.segment_id {
                    qb.push(" AND (l.from_segment_id = ");
                    qb.push_bind(segment);
                    qb.push(" OR l.to_segment_id = ");
                    qb.push_bind(segment);
                    qb.push(")");
                }
            },
            &order,
            paging,
        )
        .await?;
        Ok(page(
            rows.into_iter().map(LinkRow::into_link).collect(),
            total,
            paging,
        ))
    }

    async fn get_link(&self, actor: &Actor, id: Id) -> Result<SupplyLink> {
        let mut c = self.read().await?;
        let link = link_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::SupplyLink, "supply link", id).await?;
        Ok(link)
    }

    async fn create_link(&self, actor: &Actor, d: SupplyLinkDraft) -> Result<SupplyLink> {
        may_edit_link(
            &mut *self.read().await?,
            actor,
            d.from_segment_id,
            d.to_segment_id,
        )
        .await?;
        let mut tx = self.begin_write().await?;
        ensure_exists(tx.conn(), "segments", "from_segment_id", d.from_segment_id).await?;
        ensure_exists(tx.conn(), "segments", "to_segment_id", d.to_segment_id).await?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM supply_links WHERE from_segment_id = $1 AND to_segment_id = $2",
        )
        .bind(d.from_segment_id)
        .bind(d.to_segment_id)
        .fetch_optional(tx.conn())
        .await?;
        if let Some(other) = existing {
            return Err(StoreError::conflict(
                "to_segment_id",
                format!("this supply link already exists as {other}"),
            ));
        }
        let id = insert_link(tx.conn(), &d, Utc::now()).await?;
        let after = link_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "supply_link", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_link(
        &self,
        actor: &Actor,
        id: Id,
        d: SupplyLinkDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<SupplyLink> {
        let current = link_by_id(&mut *self.read().await?, id).await?;
        may_edit_link(
            &mut *self.read().await?,
            actor,
            current.from_segment_id,
            current.to_segment_id,
        )
        .await?;
        may_edit_link(
            &mut *self.read().await?,
            actor,
            d.from_segment_id,
            d.to_segment_id,
        )
        .await?;
        let mut tx = self.begin_write().await?;
        let before = link_by_id(tx.conn(), id).await?;
        claim_version(
            tx.conn(),
            "supply_links",
            "supply link",
            id,
            before.updated_at,
            expected,
        )
        .await?;
        ensure_exists(tx.conn(), "segments", "from_segment_id", d.from_segment_id).await?;
        ensure_exists(tx.conn(), "segments", "to_segment_id", d.to_segment_id).await?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM supply_links WHERE from_segment_id = $1 AND to_segment_id = $2 AND id <> $3",
        )
        .bind(d.from_segment_id).bind(d.to_segment_id).bind(id)
        .fetch_optional(tx.conn()).await?;
        if let Some(other) = existing {
            return Err(StoreError::conflict(
                "to_segment_id",
                format!("this supply link already exists as {other}"),
            ));
        }
        sqlx::query("UPDATE supply_links SET from_segment_id = $1, to_segment_id = $2, note = $3, updated_at = $4 WHERE id = $5")
            .bind(d.from_segment_id).bind(d.to_segment_id).bind(&d.note).bind(Utc::now()).bind(id)
            .execute(tx.conn()).await?;
        let after = link_by_id(tx.conn(), id).await?;
        tx.commit_audited(
            actor,
            "supply_link",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    async fn archive_link(&self, actor: &Actor, id: Id) -> Result<SupplyLink> {
        let current = link_by_id(&mut *self.read().await?, id).await?;
        may_edit_link(
            &mut *self.read().await?,
            actor,
            current.from_segment_id,
            current.to_segment_id,
        )
        .await?;
        archive!(self, actor, id, "supply_links", "supply_link", link_by_id)
    }
}
