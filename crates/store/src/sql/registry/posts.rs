//! Posts: who holds which chief, owner or staff post of a chain, park or enterprise, and when.

use super::{Db, Engine};

use async_trait::async_trait;
use chainpark_core::access::PeopleReach;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::Utc;
use sqlx::QueryBuilder;

use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::PostStore;
use crate::{Actor, Result, StoreError};

const POST_COLUMNS: &str = "SELECT po.id, po.person_id, po.role, po.chain_id, po.park_id, po.enterprise_id, po.chief_level, po.owner_kind, po.title, po.starts_on, po.ends_on, po.archived, po.updated_at";

async fn post_by_id(c: &mut Conn, id: Id) -> Result<Post> {
    let sql = format!("{POST_COLUMNS} FROM posts po WHERE po.id = $1");
    let row: Option<PostRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound { kind: "post", id })?
        .into_post()
}

pub(super) async fn check_post_draft(c: &mut Conn, id: Option<Id>, d: &PostDraft) -> Result<()> {
    ensure_exists(c, "people", "person_id", d.person_id).await?;
    if let Some(chain) = d.chain_id {
        ensure_exists(c, "chains", "chain_id", chain).await?;
    }
    if let Some(park) = d.park_id {
        ensure_exists(c, "parks", "park_id", park).await?;
    }
    if let Some(enterprise) = d.enterprise_id {
        ensure_exists(c, "enterprises", "enterprise_id", enterprise).await?;
    }
    // One person answers for a park, and one chain chief (分链长) leads a chain, at any time.
    let exclusive = d.sole_holder_of().map(|sole| match sole {
        SoleHolderOf::Park(park) => ("park_id", park, "park"),
        SoleHolderOf::Chain(chain) => ("chain_id", chain, "chain"),
    });
    if let Some((field, scope, what)) = exclusive {
        // Two posts saved at once must not both pass the check below: the park's (chain's) row is locked
        // first, so on PostgreSQL the second waits until the first commits and then sees it (SQLite has one
        // writer anyway). The partial unique index of migration 0010 backs this for open-ended posts.
        let table = if what == "park" { "parks" } else { "chains" };
        sqlx::query(&format!(
            "UPDATE {table} SET updated_at = updated_at WHERE id = $1"
        ))
        .bind(scope)
        .execute(&mut *c)
        .await?;
        let far_future = chrono::NaiveDate::MAX;
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "SELECT po.id, po.starts_on, po.ends_on FROM posts po WHERE po.archived = ",
        );
        qb.push_bind(false);
        qb.push(" AND po.role = ");
        qb.push_bind(d.role.as_str());
        qb.push(format!(" AND po.{field} = "));
        qb.push_bind(scope);
        qb.push(" AND po.id <> ");
        qb.push_bind(id.unwrap_or(-1));
        if what == "chain" {
            qb.push(" AND po.chief_level = 'chain'");
        }
        let others: Vec<(i64, chrono::NaiveDate, Option<chrono::NaiveDate>)> =
            qb.build_query_as().fetch_all(&mut *c).await?;
        let end = d.ends_on.unwrap_or(far_future);
        for (other, start, other_end) in others {
            let other_end_or_max = other_end.unwrap_or(far_future);
            if start <= end && d.starts_on <= other_end_or_max {
                let until = other_end.map_or("open-ended".to_string(), |e| format!("until {e}"));
                return Err(StoreError::conflict(
                    field,
                    format!(
                        "the {what} already has a {} from {start} ({until}) in post {other}",
                        d.role
                    ),
                ));
            }
        }
    }
    Ok(())
}

pub(super) async fn insert_post(
    c: &mut Conn,
    d: &PostDraft,
    now: chrono::DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO posts (person_id, role, chain_id, park_id, enterprise_id, chief_level, owner_kind, title, starts_on, ends_on, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(d.person_id).bind(d.role.as_str()).bind(d.chain_id).bind(d.park_id).bind(d.enterprise_id)
    .bind(d.chief_level.map(|l| l.as_str())).bind(d.owner_kind.map(|k| k.as_str()))
    .bind(&d.title).bind(d.starts_on).bind(d.ends_on).bind(now)
    .fetch_one(&mut *c).await?)
}

#[async_trait]
impl PostStore for Engine {
    async fn list_posts(
        &self,
        actor: &Actor,
        f: &PostFilter,
        paging: &Paging,
    ) -> Result<Page<Post>> {
        let order = order_by(
            paging,
            &[
                ("starts_on", "po.starts_on"),
                ("ends_on", "po.ends_on"),
                ("role", "po.role"),
                ("person_id", "po.person_id"),
            ],
            "po.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<PostRow>(
            &mut c,
            POST_COLUMNS,
            |qb| {
                qb.push("FROM posts po WHERE 1 = 1");
                if let PeopleReach::Some { posts, .. } = actor.scope.people_reach() {
                    push_post_reach(qb, &posts);
                }
                push_archived(qb, "po", f.include_archived);
                push_eq(qb, "po.person_id", f.person_id);
                push_eq(qb, "po.role", f.role.map(|r| r.as_str()));
                push_eq(qb, "po.chain_id", f.chain_id);
                push_eq(qb, "po.park_id", f.park_id);
                push_eq(qb, "po.enterprise_id", f.enterprise_id);
                if let Some(day) = f.on {
                    qb.push(" AND po.starts_on <= ");
                    qb.push_bind(day);
                    qb.push(" AND (po.ends_on IS NULL OR po.ends_on >= ");
                    qb.push_bind(day);
                    qb.push(")");
                }
            },
            &order,
            paging,
        )
        .await?;
        let items = rows
            .into_iter()
            .map(PostRow::into_post)
            .collect::<Result<Vec<_>>>()?;
        Ok(page(items, total, paging))
    }

    async fn get_post(&self, actor: &Actor, id: Id) -> Result<Post> {
        let mut c = self.read().await?;
        let post = post_by_id(&mut c, id).await?;
        if let PeopleReach::Some { posts, .. } = actor.scope.people_reach() {
            let mut qb: QueryBuilder<'static, Db> =
                QueryBuilder::new("SELECT COUNT(*) FROM posts po WHERE po.id = ");
            qb.push_bind(id);
            push_post_reach(&mut qb, &posts);
            let found: i64 = qb.build_query_scalar().fetch_one(&mut *c).await?;
            if found == 0 {
                return Err(StoreError::NotFound { kind: "post", id });
            }
        }
        Ok(post)
    }

    async fn create_post(&self, actor: &Actor, d: PostDraft) -> Result<Post> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        check_post_draft(tx.conn(), None, &d).await?;
        let id = insert_post(tx.conn(), &d, Utc::now()).await?;
        let after = post_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "post", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_post(
        &self,
        actor: &Actor,
        id: Id,
        d: PostDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Post> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let before = post_by_id(tx.conn(), id).await?;
        claim_version(tx.conn(), "posts", "post", id, before.updated_at, expected).await?;
        check_post_draft(tx.conn(), Some(id), &d).await?;
        sqlx::query(
            "UPDATE posts SET person_id = $1, role = $2, chain_id = $3, park_id = $4, enterprise_id = $5, chief_level = $6, \
             owner_kind = $7, title = $8, starts_on = $9, ends_on = $10, updated_at = $11 WHERE id = $12",
        )
        .bind(d.person_id).bind(d.role.as_str()).bind(d.chain_id).bind(d.park_id).bind(d.enterprise_id)
        .bind(d.chief_level.map(|l| l.as_str())).bind(d.owner_kind.map(|k| k.as_str()))
        .bind(&d.title).bind(d.starts_on).bind(d.ends_on).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = post_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "post", id, "update", Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    async fn archive_post(&self, actor: &Actor, id: Id) -> Result<Post> {
        actor.scope.may_administer()?;
        archive!(self, actor, id, "posts", "post", post_by_id)
    }
}
