//! The audit trail: every change, with the object before and after.

use super::Engine;

use async_trait::async_trait;
use chainpark_core::list::{Page, Paging};

use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::AuditStore;
use crate::{Actor, AuditEntry, Result};

#[async_trait]
impl AuditStore for Engine {
    async fn list_audit(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        paging: &Paging,
    ) -> Result<Page<AuditEntry>> {
        actor.scope.may_read_audit()?;
        let order = order_by(
            paging,
            &[
                ("at", "a.at"),
                ("actor", "a.actor"),
                ("object_kind", "a.object_kind"),
            ],
            "a.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<AuditRow>(
            &mut c,
            "SELECT a.id, a.at, a.actor, a.object_kind, a.object_id, a.action, a.before, a.after",
            |qb| {
                qb.push("FROM audit_log a WHERE 1 = 1");
                push_eq(qb, "a.object_kind", f.object_kind.clone());
                push_eq(qb, "a.object_id", f.object_id);
                push_eq(qb, "a.actor", f.actor.clone());
                if let Some(since) = f.since {
                    qb.push(" AND a.at >= ");
                    qb.push_bind(since);
                }
                if let Some(until) = f.until {
                    qb.push(" AND a.at < ");
                    qb.push_bind(until);
                }
            },
            &order,
            paging,
        )
        .await?;
        let items = rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.actor,
                object_kind: r.object_kind,
                object_id: r.object_id,
                action: r.action,
                before: r.before.map(|j| j.0),
                after: r.after.map(|j| j.0),
            })
            .collect();
        Ok(page(items, total, paging))
    }
}
