//! What every registry aggregate uses: uniqueness and reference checks, paged lists, filter
//! clauses and the reach (which rows an actor sees).

use super::Db;

use chainpark_core::access::{Kind, PeopleReach, PostReach, Reach};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::Utc;
use sqlx::QueryBuilder;

use crate::common::*;
use crate::{Actor, Result, StoreError};
pub(super) type Conn = <Db as sqlx::Database>::Connection;

/// Guards an update against a lost update. `expected` is the `updated_at` of the version the change was decided
/// on (the API's `If-Match`, or the version its merge patch was applied to); `current` is the row's, read in this
/// write transaction. When they differ, or when another transaction changes the row before this one can claim it
/// (PostgreSQL: the claim waits for that transaction's row lock and then finds a newer version), the change is
/// refused with 409 on `version` and nothing is written. With no expectation the change applies to whatever is
/// stored (the pages, which send whole forms).
pub(super) async fn claim_version(
    c: &mut Conn,
    table: &str,
    kind: &str,
    id: Id,
    current: chrono::DateTime<Utc>,
    expected: Option<chrono::DateTime<Utc>>,
) -> Result<()> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let changed = || {
        StoreError::conflict(
            "version",
            format!(
                "{kind} {id} has changed since the version this change was based on: reload it and change it again"
            ),
        )
    };
    if expected != current {
        return Err(changed());
    }
    let claimed = sqlx::query(&format!(
        "UPDATE {table} SET updated_at = updated_at WHERE id = $1 AND updated_at = $2"
    ))
    .bind(id)
    .bind(expected)
    .execute(&mut *c)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Err(changed());
    }
    Ok(())
}

/// Refuses a second object with the same natural key (code, credit code) with a 409 that names the field.
pub(super) async fn ensure_unique(
    c: &mut Conn,
    table: &str,
    column: &str,
    value: &str,
    except: Option<Id>,
) -> Result<()> {
    let sql = format!("SELECT id FROM {table} WHERE {column} = $1 AND id <> $2");
    let found: Option<i64> = sqlx::query_scalar(&sql)
        .bind(value)
        .bind(except.unwrap_or(-1))
        .fetch_optional(&mut *c)
        .await?;
    match found {
        Some(other) => Err(StoreError::conflict(
            column,
            format!("{value} is already used by {table} {other}"),
        )),
        None => Ok(()),
    }
}

/// Checks that a referenced object exists (and is not archived), else names the field.
pub(crate) async fn ensure_exists(c: &mut Conn, table: &str, field: &str, id: Id) -> Result<()> {
    let sql = format!("SELECT archived FROM {table} WHERE id = $1");
    let archived: Option<bool> = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    match archived {
        None => Err(StoreError::invalid(field, format!("{id} does not exist"))),
        Some(true) => Err(StoreError::invalid(field, format!("{id} is archived"))),
        Some(false) => Ok(()),
    }
}

pub(crate) async fn count_and_fetch<R>(
    c: &mut Conn,
    select: &str,
    from_where: impl Fn(&mut QueryBuilder<'static, Db>),
    order: &str,
    paging: &Paging,
) -> Result<(Vec<R>, i64)>
where
    R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    let mut count = QueryBuilder::new("SELECT COUNT(*) ");
    from_where(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
    let mut rows = QueryBuilder::new(select);
    rows.push(" ");
    from_where(&mut rows);
    rows.push(order);
    rows.push(" LIMIT ");
    rows.push_bind(sql_limit(paging));
    rows.push(" OFFSET ");
    rows.push_bind(paging.offset);
    let items = rows.build_query_as::<R>().fetch_all(&mut *c).await?;
    Ok((items, total))
}

pub(crate) fn page<T>(items: Vec<T>, total: i64, paging: &Paging) -> Page<T> {
    Page {
        items,
        total,
        limit: paging.limit,
        offset: paging.offset,
    }
}

pub(super) fn push_archived(qb: &mut QueryBuilder<'static, Db>, alias: &str, include: bool) {
    if !include {
        qb.push(format!(" AND {alias}.archived = "));
        qb.push_bind(false);
    }
}

pub(super) fn push_search(
    qb: &mut QueryBuilder<'static, Db>,
    q: &Option<String>,
    columns: &[&str],
) {
    if let Some(q) = q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = contains_pattern(q);
        qb.push(" AND (");
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push(format!("LOWER({column}) LIKE "));
            qb.push_bind(pattern.clone());
            qb.push(" ESCAPE '\\'");
        }
        qb.push(")");
    }
}

pub(super) fn push_eq<T>(qb: &mut QueryBuilder<'static, Db>, column: &str, value: Option<T>)
where
    T: 'static + Send + sqlx::Encode<'static, Db> + sqlx::Type<Db>,
{
    if let Some(value) = value {
        qb.push(format!(" AND {column} = "));
        qb.push_bind(value);
    }
}

/// `IN` over any number of ids, bound as one parameter (see `Dialect::ID_LIST`).
pub(super) fn push_id_list(qb: &mut QueryBuilder<'static, Db>, ids: &[Id]) {
    let (open, close) = <Db as Dialect>::ID_LIST;
    qb.push(open);
    qb.push_bind(id_list_json(ids));
    qb.push(close);
}

pub(super) fn push_in(qb: &mut QueryBuilder<'static, Db>, column: &str, ids: &[Id]) {
    if ids.is_empty() {
        qb.push(" AND 1 = 0");
        return;
    }
    qb.push(format!(" AND {column} "));
    push_id_list(qb, ids);
}

/// Adds ` AND (condition)` limiting posts (alias `po`) to those the reach shows: each post follows the
/// chain, park or enterprise it is a post of.
pub(super) fn push_post_reach(qb: &mut QueryBuilder<'static, Db>, posts: &PostReach) {
    qb.push(" AND ((po.role IN ('chain_chief', 'chain_task_force', 'chain_owner')");
    push_reached_ids(qb, "po.chain_id", Kind::Chain, &posts.chain_posts);
    qb.push(") OR (po.role = 'chain_chief' AND po.chain_id IS NULL AND ");
    qb.push_bind(posts.overall_chief);
    qb.push(") OR (po.role IN ('park_chief', 'park_staff')");
    push_reached_ids(qb, "po.park_id", Kind::Park, &posts.park_posts);
    qb.push(") OR (po.role = 'enterprise_contact'");
    push_reached_ids(
        qb,
        "po.enterprise_id",
        Kind::EnterpriseContact,
        &posts.contacts,
    );
    qb.push("))");
}

/// Adds ` AND (condition)` limiting people (alias `p`) to those the actor sees: its own person, the holders
/// of the posts it sees and the people handling the appeals it sees.
pub(crate) fn push_people_reach(qb: &mut QueryBuilder<'static, Db>, actor: &Actor) {
    let PeopleReach::Some { own, posts } = actor.scope.people_reach() else {
        return;
    };
    qb.push(" AND (p.id = ");
    qb.push_bind(own.unwrap_or(-1));
    qb.push(" OR p.id IN (SELECT po.person_id FROM posts po WHERE 1 = 1");
    push_post_reach(qb, &posts);
    qb.push(")");
    let cases = actor.scope.reach(Kind::Appeal);
    for column in [
        "handler_person_id",
        "assignee_person_id",
        "escalated_to_person_id",
    ] {
        qb.push(format!(
            " OR p.id IN (SELECT a.{column} FROM appeals a WHERE 1 = 1"
        ));
        push_reach(qb, Kind::Appeal, &cases);
        qb.push(")");
    }
    qb.push(")");
}

/// Whether the actor reaches the object `id` of `kind`; what it does not reach answers "not found", as if
/// it did not exist.
pub(super) async fn ensure_reached(
    c: &mut Conn,
    actor: &Actor,
    kind: Kind,
    what: &'static str,
    id: Id,
) -> Result<()> {
    let reach = actor.scope.reach(kind);
    if reach == Reach::All {
        return Ok(());
    }
    let ties = ties_sql(kind);
    let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(format!(
        "SELECT COUNT(*) FROM {} WHERE {} = ",
        ties.table, ties.id
    ));
    qb.push_bind(id);
    push_reach(&mut qb, kind, &reach);
    let found: i64 = qb.build_query_scalar().fetch_one(&mut *c).await?;
    if found == 0 {
        return Err(StoreError::NotFound { kind: what, id });
    }
    Ok(())
}

/// Sets `archived` on one row and records the change.
macro_rules! archive {
    ($self:ident, $actor:ident, $id:ident, $table:literal, $kind:literal, $get:ident $(, $arg:expr)*) => {{
        let mut tx = $self.begin_write().await?;
        let before = $get(tx.conn(), $id $(, $arg)*).await?;
        // Only a live row is archived: of two archives at once, the second changes nothing and writes no
        // second audit entry; archiving is idempotent.
        let changed = sqlx::query(concat!("UPDATE ", $table, " SET archived = $1, updated_at = $2 WHERE id = $3 AND archived = $4"))
            .bind(true)
            .bind(Utc::now())
            .bind($id)
            .bind(false)
            .execute(tx.conn())
            .await?
            .rows_affected();
        let after = $get(tx.conn(), $id $(, $arg)*).await?;
        if changed > 0 {
            tx.commit_audited($actor, $kind, $id, "archive", Some(&before), Some(&after)).await?;
        }
        Ok(after)
    }};
}
