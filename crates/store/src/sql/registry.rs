//! Registry in SQL, compiled once per engine (`crate::sqlite`, `crate::postgres`) with that engine's `Db` and
//! store type `Engine`.

use super::{Db, Engine};
use std::collections::HashMap;

use async_trait::async_trait;
use chainpark_core::access::{Kind, PeopleReach, PostReach, Reach};
use chainpark_core::chain_tree::would_create_cycle;
use chainpark_core::demo::DemoZone;
use chainpark_core::list::{Page, Paging};
use chainpark_core::pinyin_initials::initials;
use chainpark_core::registry::*;
use chrono::Utc;
use serde::Serialize;
use sqlx::{QueryBuilder, Transaction};

use crate::common::*;
use crate::filter::*;
use crate::{Actor, AuditEntry, Result, Store, StoreError};
type Conn = <Db as sqlx::Database>::Connection;

/// A write transaction; on SQLite it also holds the single-writer lock until it ends.
pub(super) struct WriteTx {
    tx: Transaction<'static, Db>,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(super) fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    pub(super) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Engine {
    pub(super) async fn begin_write(&self) -> Result<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }

    pub(super) async fn read(&self) -> Result<sqlx::pool::PoolConnection<Db>> {
        Ok(self.pool.acquire().await?)
    }
}

fn today() -> chrono::NaiveDate {
    chainpark_core::time::china_date(Utc::now())
}

async fn audit<T: Serialize>(
    c: &mut Conn,
    actor: &Actor,
    kind: &str,
    id: Id,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let to_json = |v: Option<&T>| -> Result<Option<sqlx::types::Json<serde_json::Value>>> {
        match v {
            None => Ok(None),
            Some(v) => serde_json::to_value(v)
                .map(|v| Some(sqlx::types::Json(v)))
                .map_err(|e| StoreError::Corrupt(e.to_string())),
        }
    };
    sqlx::query(
        "INSERT INTO audit_log (at, actor, object_kind, object_id, action, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Utc::now())
    .bind(&actor.account)
    .bind(kind)
    .bind(id)
    .bind(action)
    .bind(to_json(before)?)
    .bind(to_json(after)?)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Refuses a second object with the same natural key (code, credit code) with a 409 that names the field.
async fn ensure_unique(
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
async fn ensure_exists(c: &mut Conn, table: &str, field: &str, id: Id) -> Result<()> {
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

async fn count_and_fetch<R>(
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

fn page<T>(items: Vec<T>, total: i64, paging: &Paging) -> Page<T> {
    Page {
        items,
        total,
        limit: paging.limit,
        offset: paging.offset,
    }
}

fn push_archived(qb: &mut QueryBuilder<'static, Db>, alias: &str, include: bool) {
    if !include {
        qb.push(format!(" AND {alias}.archived = "));
        qb.push_bind(false);
    }
}

fn push_search(qb: &mut QueryBuilder<'static, Db>, q: &Option<String>, columns: &[&str]) {
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

fn push_eq<T>(qb: &mut QueryBuilder<'static, Db>, column: &str, value: Option<T>)
where
    T: 'static + Send + sqlx::Encode<'static, Db> + sqlx::Type<Db>,
{
    if let Some(value) = value {
        qb.push(format!(" AND {column} = "));
        qb.push_bind(value);
    }
}

// ---- single objects ----

const AREA_COLUMNS: &str =
    "SELECT a.id, a.code, a.name, a.name_en, a.description, a.archived, a.updated_at";
const CHAIN_COLUMNS: &str =
    "SELECT c.id, c.area_id, c.code, c.name, c.name_en, c.description, c.archived, c.updated_at";
const SEGMENT_COLUMNS: &str = "SELECT s.id, s.chain_id, s.parent_id, s.code, s.name, s.name_en, s.stage, s.position, s.industry_codes, s.archived, s.updated_at";
const LINK_COLUMNS: &str =
    "SELECT l.id, l.from_segment_id, l.to_segment_id, l.note, l.archived, l.updated_at";
const PERSON_COLUMNS: &str = "SELECT p.id, p.name, p.title, p.organisation, p.phone, p.email, p.office_phone, p.archived, p.updated_at";
const POST_COLUMNS: &str = "SELECT po.id, po.person_id, po.role, po.chain_id, po.park_id, po.enterprise_id, po.chief_level, po.owner_kind, po.title, po.starts_on, po.ends_on, po.archived, po.updated_at";
const PARK_COLUMNS: &str = "SELECT k.id, k.area_id, k.code, k.name, k.name_en, k.district, k.land_area_centi_mu, k.lon, k.lat, k.outline, k.archived, k.updated_at";
const ENTERPRISE_COLUMNS: &str = "SELECT e.id, e.credit_code, e.name, e.name_en, e.industry_code, e.district, e.park_id, e.above_size, e.high_tech, e.is_leading AS leading, e.founded_on, e.status, e.contact_name, e.phone, e.email, e.address, e.archived, e.updated_at";

async fn area_by_id(c: &mut Conn, id: Id) -> Result<IndustryArea> {
    let sql = format!("{AREA_COLUMNS} FROM industry_areas a WHERE a.id = $1");
    let row: Option<AreaRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.map(AreaRow::into_area).ok_or(StoreError::NotFound {
        kind: "industry area",
        id,
    })
}

async fn chain_by_id(c: &mut Conn, id: Id) -> Result<Chain> {
    let sql = format!("{CHAIN_COLUMNS} FROM chains c WHERE c.id = $1");
    let row: Option<ChainRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.map(ChainRow::into_chain)
        .ok_or(StoreError::NotFound { kind: "chain", id })
}

async fn segment_by_id(c: &mut Conn, id: Id) -> Result<Segment> {
    let sql = format!("{SEGMENT_COLUMNS} FROM segments s WHERE s.id = $1");
    let row: Option<SegmentRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound {
        kind: "segment",
        id,
    })?
    .into_segment()
}

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

async fn person_by_id(c: &mut Conn, id: Id) -> Result<Person> {
    let sql = format!("{PERSON_COLUMNS} FROM people p WHERE p.id = $1");
    let row: Option<PersonRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.map(PersonRow::into_person)
        .ok_or(StoreError::NotFound { kind: "person", id })
}

async fn post_by_id(c: &mut Conn, id: Id) -> Result<Post> {
    let sql = format!("{POST_COLUMNS} FROM posts po WHERE po.id = $1");
    let row: Option<PostRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound { kind: "post", id })?
        .into_post()
}

/// The people who hold the park-chief post of each park today.
async fn park_chiefs(c: &mut Conn, park_ids: &[Id]) -> Result<HashMap<Id, PersonRef>> {
    if park_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let today = today();
    let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
        "SELECT po.park_id, p.id, p.name FROM posts po JOIN people p ON p.id = po.person_id \
         WHERE po.role = 'park_chief' AND po.archived = ",
    );
    qb.push_bind(false);
    qb.push(" AND po.starts_on <= ");
    qb.push_bind(today);
    qb.push(" AND (po.ends_on IS NULL OR po.ends_on >= ");
    qb.push_bind(today);
    qb.push(") AND po.park_id ");
    push_id_list(&mut qb, park_ids);
    let rows: Vec<(i64, i64, String)> = qb.build_query_as().fetch_all(&mut *c).await?;
    Ok(rows
        .into_iter()
        .map(|(park, id, name)| (park, PersonRef { id, name }))
        .collect())
}

async fn park_by_id(c: &mut Conn, id: Id) -> Result<Park> {
    let sql = format!("{PARK_COLUMNS} FROM parks k WHERE k.id = $1");
    let row: Option<ParkRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    let row = row.ok_or(StoreError::NotFound { kind: "park", id })?;
    let mut chiefs = park_chiefs(c, &[id]).await?;
    row.into_park(chiefs.remove(&id))
}

async fn segments_of(c: &mut Conn, enterprise_ids: &[Id]) -> Result<HashMap<Id, Vec<Id>>> {
    let mut map: HashMap<Id, Vec<Id>> = HashMap::new();
    if enterprise_ids.is_empty() {
        return Ok(map);
    }
    let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
        "SELECT enterprise_id, segment_id FROM enterprise_segments WHERE enterprise_id ",
    );
    push_id_list(&mut qb, enterprise_ids);
    qb.push(" ORDER BY enterprise_id, segment_id");
    let rows: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
    for (enterprise, segment) in rows {
        map.entry(enterprise).or_default().push(segment);
    }
    Ok(map)
}

async fn enterprise_by_id(c: &mut Conn, id: Id) -> Result<Enterprise> {
    let sql = format!("{ENTERPRISE_COLUMNS} FROM enterprises e WHERE e.id = $1");
    let row: Option<EnterpriseRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    let row = row.ok_or(StoreError::NotFound {
        kind: "enterprise",
        id,
    })?;
    let mut segments = segments_of(c, &[id]).await?;
    row.into_enterprise(segments.remove(&id).unwrap_or_default())
}

// ---- rules that need the stored data ----

async fn check_segment_draft(c: &mut Conn, id: Option<Id>, d: &SegmentDraft) -> Result<()> {
    ensure_exists(c, "chains", "chain_id", d.chain_id).await?;
    ensure_unique(c, "segments", "code", &d.code, id).await?;
    if let Some(parent) = d.parent_id {
        let parent_chain: Option<i64> =
            sqlx::query_scalar("SELECT chain_id FROM segments WHERE id = $1")
                .bind(parent)
                .fetch_optional(&mut *c)
                .await?;
        match parent_chain {
            None => {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!("segment {parent} does not exist"),
                ));
            }
            Some(chain) if chain != d.chain_id => {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!(
                        "segment {parent} belongs to chain {chain}, not to chain {}",
                        d.chain_id
                    ),
                ));
            }
            Some(_) => {}
        }
        if let Some(id) = id {
            let rows: Vec<(i64, Option<i64>)> =
                sqlx::query_as("SELECT id, parent_id FROM segments WHERE chain_id = $1")
                    .bind(d.chain_id)
                    .fetch_all(&mut *c)
                    .await?;
            let parents: HashMap<Id, Option<Id>> = rows.into_iter().collect();
            let limit = parents.len() + 1;
            if would_create_cycle(id, parent, |n| parents.get(&n).copied().flatten(), limit) {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!("segment {parent} is {id} itself or below it: that would make a cycle"),
                ));
            }
        }
    }
    if let Some(id) = id {
        let current = segment_by_id(c, id).await?;
        if current.chain_id != d.chain_id {
            let children: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM segments WHERE parent_id = $1")
                    .bind(id)
                    .fetch_one(&mut *c)
                    .await?;
            if children > 0 {
                return Err(StoreError::invalid(
                    "chain_id",
                    "a segment with sub-segments cannot move to another chain",
                ));
            }
        }
    }
    Ok(())
}

async fn check_post_draft(c: &mut Conn, id: Option<Id>, d: &PostDraft) -> Result<()> {
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
    let exclusive = match (d.role, d.chief_level) {
        (PostRole::ParkChief, _) => Some(("park_id", d.park_id, "park")),
        (PostRole::ChainChief, Some(ChiefLevel::Chain)) => Some(("chain_id", d.chain_id, "chain")),
        _ => None,
    };
    if let Some((field, Some(scope), what)) = exclusive {
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
        if d.role == PostRole::ChainChief {
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

async fn check_enterprise_draft(c: &mut Conn, id: Option<Id>, d: &EnterpriseDraft) -> Result<()> {
    ensure_unique(c, "enterprises", "credit_code", d.credit_code.as_str(), id).await?;
    if let Some(park) = d.park_id {
        ensure_exists(c, "parks", "park_id", park).await?;
    }
    if !d.segment_ids.is_empty() {
        // One query for the whole list, however long.
        let mut qb: QueryBuilder<'static, Db> =
            QueryBuilder::new("SELECT id, archived FROM segments WHERE id ");
        push_id_list(&mut qb, &d.segment_ids);
        let found: HashMap<i64, bool> = qb
            .build_query_as::<(i64, bool)>()
            .fetch_all(&mut *c)
            .await?
            .into_iter()
            .collect();
        for (i, segment) in d.segment_ids.iter().enumerate() {
            match found.get(segment) {
                None => {
                    return Err(StoreError::invalid(
                        &format!("segment_ids[{i}]"),
                        format!("{segment} does not exist"),
                    ));
                }
                Some(true) => {
                    return Err(StoreError::invalid(
                        &format!("segment_ids[{i}]"),
                        format!("{segment} is archived"),
                    ));
                }
                Some(false) => {}
            }
        }
    }
    Ok(())
}

async fn write_enterprise_segments(c: &mut Conn, id: Id, segments: &[Id]) -> Result<()> {
    sqlx::query("DELETE FROM enterprise_segments WHERE enterprise_id = $1")
        .bind(id)
        .execute(&mut *c)
        .await?;
    let mut qb: QueryBuilder<'static, Db> =
        QueryBuilder::new("INSERT INTO enterprise_segments (enterprise_id, segment_id) SELECT ");
    qb.push_bind(id);
    qb.push(", s.id FROM segments s WHERE s.id ");
    push_id_list(&mut qb, segments);
    qb.build().execute(&mut *c).await?;
    Ok(())
}

fn outline_json(outline: &Option<Vec<GeoPoint>>) -> Result<Option<String>> {
    outline
        .as_ref()
        .map(|o| serde_json::to_string(o).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// `IN` over any number of ids, bound as one parameter (see `Dialect::ID_LIST`).
fn push_id_list(qb: &mut QueryBuilder<'static, Db>, ids: &[Id]) {
    let (open, close) = <Db as Dialect>::ID_LIST;
    qb.push(open);
    qb.push_bind(id_list_json(ids));
    qb.push(close);
}

fn push_in(qb: &mut QueryBuilder<'static, Db>, column: &str, ids: &[Id]) {
    if ids.is_empty() {
        qb.push(" AND 1 = 0");
        return;
    }
    qb.push(format!(" AND {column} "));
    push_id_list(qb, ids);
}

/// The chain of each segment.
async fn segment_chains(c: &mut Conn, segments: &[Id]) -> Result<HashMap<Id, Id>> {
    if segments.is_empty() {
        return Ok(HashMap::new());
    }
    let mut qb: QueryBuilder<'static, Db> =
        QueryBuilder::new("SELECT id, chain_id FROM segments WHERE 1 = 1");
    push_in(&mut qb, "id", segments);
    let rows: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
    Ok(rows.into_iter().collect())
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

/// Adds ` AND (condition)` limiting posts (alias `po`) to those the reach shows: each post follows the
/// chain, park or enterprise it is a post of.
fn push_post_reach(qb: &mut QueryBuilder<'static, Db>, posts: &PostReach) {
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
fn push_people_reach(qb: &mut QueryBuilder<'static, Db>, actor: &Actor) {
    let PeopleReach::Some { own, posts } = actor.scope.people_reach() else {
        return;
    };
    qb.push(" AND (p.id = ");
    qb.push_bind(own.unwrap_or(-1));
    qb.push(" OR p.id IN (SELECT po.person_id FROM posts po WHERE 1 = 1");
    push_post_reach(qb, &posts);
    qb.push(")");
    if let Some(cases) =
        crate::workflow::case_scope(actor, own, "ha", crate::workflow::APPEAL_PERSONS)
    {
        for column in [
            "handler_person_id",
            "assignee_person_id",
            "escalated_to_person_id",
        ] {
            qb.push(format!(
                " OR p.id IN (SELECT ha.{column} FROM appeals ha WHERE {cases})"
            ));
        }
    }
    qb.push(")");
}

/// Whether the actor reaches the object `id` of `kind`; what it does not reach answers "not found", as if
/// it did not exist.
async fn ensure_reached(
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

/// Empties the own phone and e-mail of the people whose own phone and e-mail the actor may not see.
async fn project_people(c: &mut Conn, actor: &Actor, items: &mut [Person]) -> Result<()> {
    if actor.scope.is_staff() || items.is_empty() {
        return Ok(());
    }
    let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
        "SELECT DISTINCT po.person_id FROM posts po WHERE po.role = 'enterprise_contact'",
    );
    push_in(
        &mut qb,
        "po.person_id",
        &items.iter().map(|p| p.id).collect::<Vec<_>>(),
    );
    push_reached_ids(
        &mut qb,
        "po.enterprise_id",
        Kind::EnterpriseContact,
        &actor.scope.reach(Kind::EnterpriseContact),
    );
    let contacts: Vec<i64> = qb.build_query_scalar().fetch_all(&mut *c).await?;
    for person in items.iter_mut() {
        if !actor
            .scope
            .sees_personal_contact(person.id, contacts.contains(&person.id))
        {
            person.phone.clear();
            person.email.clear();
        }
    }
    Ok(())
}

/// Hides the contact data of enterprises the actor may not see privately.
async fn project_enterprises(c: &mut Conn, actor: &Actor, items: &mut [Enterprise]) -> Result<()> {
    if actor.scope.reads_everything() {
        return Ok(());
    }
    let segments: Vec<Id> = items
        .iter()
        .flat_map(|e| e.segment_ids.iter().copied())
        .collect();
    let chains = segment_chains(c, &segments).await?;
    for e in items.iter_mut() {
        let own_chains: Vec<Id> = e
            .segment_ids
            .iter()
            .filter_map(|s| chains.get(s).copied())
            .collect();
        if !actor.scope.sees_private(e.id, e.park_id, &own_chains) {
            e.contact = None;
        }
    }
    Ok(())
}

/// Sets `archived` on one row and records the change.
macro_rules! archive {
    ($self:ident, $actor:ident, $id:ident, $table:literal, $kind:literal, $get:ident) => {{
        let mut tx = $self.begin_write().await?;
        let before = $get(tx.conn(), $id).await?;
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
        let after = $get(tx.conn(), $id).await?;
        if changed > 0 {
            audit(tx.conn(), $actor, $kind, $id, "archive", Some(&before), Some(&after)).await?;
            tx.commit().await?;
        }
        Ok(after)
    }};
}

#[async_trait]
impl Store for Engine {
    fn engine(&self) -> &'static str {
        Self::ENGINE
    }

    async fn migrate(&self) -> Result<()> {
        Self::MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn check(&self) -> Result<Vec<String>> {
        let mut c = self.read().await?;
        let mut problems = Vec::new();
        let checks: &[(&str, &str)] = &[
            (
                "segment whose parent is in another chain",
                "SELECT s.id FROM segments s JOIN segments p ON p.id = s.parent_id WHERE p.chain_id <> s.chain_id",
            ),
            (
                "post that ends before it starts",
                "SELECT id FROM posts WHERE ends_on IS NOT NULL AND ends_on < starts_on",
            ),
            (
                "enterprise in an unknown park",
                "SELECT e.id FROM enterprises e LEFT JOIN parks k ON k.id = e.park_id WHERE e.park_id IS NOT NULL AND k.id IS NULL",
            ),
            (
                "chain in an unknown industry area",
                "SELECT c.id FROM chains c LEFT JOIN industry_areas a ON a.id = c.area_id WHERE a.id IS NULL",
            ),
        ];
        for (what, sql) in checks {
            let ids: Vec<i64> = sqlx::query_scalar(sql).fetch_all(&mut *c).await?;
            for id in ids {
                problems.push(format!("{what}: {id}"));
            }
        }
        // Every segment tree must be a tree.
        let rows: Vec<(i64, Option<i64>)> = sqlx::query_as("SELECT id, parent_id FROM segments")
            .fetch_all(&mut *c)
            .await?;
        let parents: HashMap<Id, Option<Id>> = rows.iter().copied().collect();
        for (id, parent) in &rows {
            if let Some(parent) = parent {
                if would_create_cycle(
                    *id,
                    *parent,
                    |n| parents.get(&n).copied().flatten(),
                    rows.len() + 1,
                ) {
                    problems.push(format!("segment in a cycle: {id}"));
                }
            }
        }
        // Stored codes must still parse: the reference tables may have changed since they were written.
        let enterprises: Vec<EnterpriseRow> =
            sqlx::query_as(&format!("{ENTERPRISE_COLUMNS} FROM enterprises e"))
                .fetch_all(&mut *c)
                .await?;
        for row in enterprises {
            let id = row.id();
            if let Err(e) = row.into_enterprise(Vec::new()) {
                problems.push(format!("enterprise {id}: {e}"));
            }
        }
        // Each park has at most one chief at a time.
        let doubled: Vec<i64> = sqlx::query_scalar(
            "SELECT a.park_id FROM posts a JOIN posts b ON a.park_id = b.park_id AND a.id < b.id \
             WHERE a.role = 'park_chief' AND b.role = 'park_chief' AND NOT a.archived AND NOT b.archived \
             AND a.starts_on <= COALESCE(b.ends_on, '9999-12-31') AND b.starts_on <= COALESCE(a.ends_on, '9999-12-31')",
        )
        .fetch_all(&mut *c)
        .await?;
        for park in doubled {
            problems.push(format!("park with two chiefs at once: {park}"));
        }
        Ok(problems)
    }

    async fn is_empty(&self) -> Result<bool> {
        let mut c = self.read().await?;
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM industry_areas) + (SELECT COUNT(*) FROM enterprises) + (SELECT COUNT(*) FROM people)",
        )
        .fetch_one(&mut *c)
        .await?;
        Ok(n == 0)
    }

    // ---- industry areas ----

    async fn list_areas(
        &self,
        actor: &Actor,
        f: &AreaFilter,
        paging: &Paging,
    ) -> Result<Page<IndustryArea>> {
        let order = order_by(
            paging,
            &[
                ("code", "a.code"),
                ("name", "a.name"),
                ("updated_at", "a.updated_at"),
            ],
            "a.code",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<AreaRow>(
            &mut c,
            AREA_COLUMNS,
            |qb| {
                qb.push("FROM industry_areas a WHERE 1 = 1");
                push_reach(qb, Kind::Area, &actor.scope.reach(Kind::Area));
                push_archived(qb, "a", f.include_archived);
                push_search(qb, &f.q, &["a.code", "a.name", "a.name_en"]);
            },
            &order,
            paging,
        )
        .await?;
        Ok(page(
            rows.into_iter().map(AreaRow::into_area).collect(),
            total,
            paging,
        ))
    }

    async fn get_area(&self, actor: &Actor, id: Id) -> Result<IndustryArea> {
        let mut c = self.read().await?;
        let area = area_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Area, "industry area", id).await?;
        Ok(area)
    }

    async fn create_area(&self, actor: &Actor, d: IndustryAreaDraft) -> Result<IndustryArea> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        ensure_unique(tx.conn(), "industry_areas", "code", &d.code, None).await?;
        let id = insert_area(tx.conn(), &d, Utc::now()).await?;
        let after = area_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "industry_area",
            id,
            "create",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_area(
        &self,
        actor: &Actor,
        id: Id,
        d: IndustryAreaDraft,
    ) -> Result<IndustryArea> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let before = area_by_id(tx.conn(), id).await?;
        ensure_unique(tx.conn(), "industry_areas", "code", &d.code, Some(id)).await?;
        sqlx::query(
            "UPDATE industry_areas SET code = $1, name = $2, name_en = $3, description = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&d.code).bind(&d.name).bind(&d.name_en).bind(&d.description).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = area_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "industry_area",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn archive_area(&self, actor: &Actor, id: Id) -> Result<IndustryArea> {
        actor.scope.may_administer()?;
        archive!(
            self,
            actor,
            id,
            "industry_areas",
            "industry_area",
            area_by_id
        )
    }

    // ---- chains ----

    async fn list_chains(
        &self,
        actor: &Actor,
        f: &ChainFilter,
        paging: &Paging,
    ) -> Result<Page<Chain>> {
        let order = order_by(
            paging,
            &[
                ("code", "c.code"),
                ("name", "c.name"),
                ("area_id", "c.area_id"),
                ("updated_at", "c.updated_at"),
            ],
            "c.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<ChainRow>(
            &mut c,
            CHAIN_COLUMNS,
            |qb| {
                qb.push("FROM chains c WHERE 1 = 1");
                push_archived(qb, "c", f.include_archived);
                push_eq(qb, "c.area_id", f.area_id);
                push_reach(qb, Kind::Chain, &actor.scope.reach(Kind::Chain));
                push_search(qb, &f.q, &["c.code", "c.name", "c.name_en"]);
            },
            &order,
            paging,
        )
        .await?;
        Ok(page(
            rows.into_iter().map(ChainRow::into_chain).collect(),
            total,
            paging,
        ))
    }

    async fn get_chain(&self, actor: &Actor, id: Id) -> Result<Chain> {
        let mut c = self.read().await?;
        let chain = chain_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Chain, "chain", id).await?;
        Ok(chain)
    }

    async fn create_chain(&self, actor: &Actor, d: ChainDraft) -> Result<Chain> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        ensure_exists(tx.conn(), "industry_areas", "area_id", d.area_id).await?;
        ensure_unique(tx.conn(), "chains", "code", &d.code, None).await?;
        let id = insert_chain(tx.conn(), &d, Utc::now()).await?;
        let after = chain_by_id(tx.conn(), id).await?;
        audit(tx.conn(), actor, "chain", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_chain(&self, actor: &Actor, id: Id, d: ChainDraft) -> Result<Chain> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let before = chain_by_id(tx.conn(), id).await?;
        if d.area_id != before.area_id {
            ensure_exists(tx.conn(), "industry_areas", "area_id", d.area_id).await?;
        }
        ensure_unique(tx.conn(), "chains", "code", &d.code, Some(id)).await?;
        sqlx::query(
            "UPDATE chains SET area_id = $1, code = $2, name = $3, name_en = $4, description = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(d.area_id).bind(&d.code).bind(&d.name).bind(&d.name_en).bind(&d.description).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = chain_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "chain",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn archive_chain(&self, actor: &Actor, id: Id) -> Result<Chain> {
        actor.scope.may_administer()?;
        archive!(self, actor, id, "chains", "chain", chain_by_id)
    }

    // ---- segments ----

    async fn list_segments(
        &self,
        actor: &Actor,
        f: &SegmentFilter,
        paging: &Paging,
    ) -> Result<Page<Segment>> {
        let order = order_by(
            paging,
            &[
                ("code", "s.code"),
                ("name", "s.name"),
                ("position", "s.position"),
                ("stage", "s.stage"),
                ("updated_at", "s.updated_at"),
            ],
            "s.chain_id, s.position",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<SegmentRow>(
            &mut c,
            SEGMENT_COLUMNS,
            |qb| {
                qb.push("FROM segments s WHERE 1 = 1");
                push_archived(qb, "s", f.include_archived);
                push_eq(qb, "s.chain_id", f.chain_id);
                push_reach(qb, Kind::Segment, &actor.scope.reach(Kind::Segment));
                push_eq(qb, "s.parent_id", f.parent_id);
                push_eq(qb, "s.stage", f.stage.map(|s| s.as_str()));
                if f.roots_only {
                    qb.push(" AND s.parent_id IS NULL");
                }
                push_search(qb, &f.q, &["s.code", "s.name", "s.name_en"]);
            },
            &order,
            paging,
        )
        .await?;
        let items = rows
            .into_iter()
            .map(SegmentRow::into_segment)
            .collect::<Result<Vec<_>>>()?;
        Ok(page(items, total, paging))
    }

    async fn get_segment(&self, actor: &Actor, id: Id) -> Result<Segment> {
        let mut c = self.read().await?;
        let segment = segment_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Segment, "segment", id).await?;
        Ok(segment)
    }

    async fn create_segment(&self, actor: &Actor, d: SegmentDraft) -> Result<Segment> {
        actor.scope.may_edit_chain(d.chain_id)?;
        let mut tx = self.begin_write().await?;
        check_segment_draft(tx.conn(), None, &d).await?;
        let id = insert_segment(tx.conn(), &d, Utc::now()).await?;
        let after = segment_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "segment",
            id,
            "create",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_segment(&self, actor: &Actor, id: Id, d: SegmentDraft) -> Result<Segment> {
        let mut tx = self.begin_write().await?;
        let before = segment_by_id(tx.conn(), id).await?;
        actor.scope.may_edit_chain(before.chain_id)?;
        actor.scope.may_edit_chain(d.chain_id)?;
        check_segment_draft(tx.conn(), Some(id), &d).await?;
        sqlx::query(
            "UPDATE segments SET chain_id = $1, parent_id = $2, code = $3, name = $4, name_en = $5, stage = $6, \
             position = $7, industry_codes = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(d.chain_id).bind(d.parent_id).bind(&d.code).bind(&d.name).bind(&d.name_en)
        .bind(d.stage.as_str()).bind(d.position).bind(join_codes(&d.industry_codes)).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = segment_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "segment",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn archive_segment(&self, actor: &Actor, id: Id) -> Result<Segment> {
        let chain = segment_by_id(&mut *self.read().await?, id).await?.chain_id;
        actor.scope.may_edit_chain(chain)?;
        archive!(self, actor, id, "segments", "segment", segment_by_id)
    }

    // ---- supply links ----

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
        audit(
            tx.conn(),
            actor,
            "supply_link",
            id,
            "create",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_link(&self, actor: &Actor, id: Id, d: SupplyLinkDraft) -> Result<SupplyLink> {
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
        audit(
            tx.conn(),
            actor,
            "supply_link",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
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

    // ---- people ----

    async fn list_people(
        &self,
        actor: &Actor,
        f: &PersonFilter,
        paging: &Paging,
    ) -> Result<Page<Person>> {
        let order = order_by(
            paging,
            &[
                ("name", "p.name"),
                ("organisation", "p.organisation"),
                ("updated_at", "p.updated_at"),
            ],
            "p.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<PersonRow>(
            &mut c,
            PERSON_COLUMNS,
            |qb| {
                qb.push("FROM people p WHERE 1 = 1");
                push_people_reach(qb, actor);
                push_archived(qb, "p", f.include_archived);
                push_search(qb, &f.q, &["p.name", "p.organisation", "p.title"]);
            },
            &order,
            paging,
        )
        .await?;
        let mut items: Vec<Person> = rows.into_iter().map(PersonRow::into_person).collect();
        project_people(&mut c, actor, &mut items).await?;
        Ok(page(items, total, paging))
    }

    async fn get_person(&self, actor: &Actor, id: Id) -> Result<Person> {
        let mut c = self.read().await?;
        let person = person_by_id(&mut c, id).await?;
        if actor.scope.people_reach() != PeopleReach::All {
            let mut qb: QueryBuilder<'static, Db> =
                QueryBuilder::new("SELECT COUNT(*) FROM people p WHERE p.id = ");
            qb.push_bind(id);
            push_people_reach(&mut qb, actor);
            let found: i64 = qb.build_query_scalar().fetch_one(&mut *c).await?;
            if found == 0 {
                return Err(StoreError::NotFound { kind: "person", id });
            }
        }
        let mut items = [person];
        project_people(&mut c, actor, &mut items).await?;
        let [person] = items;
        Ok(person)
    }

    async fn create_person(&self, actor: &Actor, d: PersonDraft) -> Result<Person> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let id = insert_person(tx.conn(), &d, Utc::now()).await?;
        let after = person_by_id(tx.conn(), id).await?;
        audit(tx.conn(), actor, "person", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_person(&self, actor: &Actor, id: Id, d: PersonDraft) -> Result<Person> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let before = person_by_id(tx.conn(), id).await?;
        sqlx::query("UPDATE people SET name = $1, title = $2, organisation = $3, phone = $4, email = $5, updated_at = $6, office_phone = $8 WHERE id = $7")
            .bind(&d.name).bind(&d.title).bind(&d.organisation).bind(&d.phone).bind(&d.email).bind(Utc::now()).bind(id)
            .bind(&d.office_phone)
            .execute(tx.conn()).await?;
        let after = person_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "person",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn archive_person(&self, actor: &Actor, id: Id) -> Result<Person> {
        actor.scope.may_administer()?;
        archive!(self, actor, id, "people", "person", person_by_id)
    }

    // ---- posts ----

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
        audit(tx.conn(), actor, "post", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_post(&self, actor: &Actor, id: Id, d: PostDraft) -> Result<Post> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let before = post_by_id(tx.conn(), id).await?;
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
        audit(
            tx.conn(),
            actor,
            "post",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn archive_post(&self, actor: &Actor, id: Id) -> Result<Post> {
        actor.scope.may_administer()?;
        archive!(self, actor, id, "posts", "post", post_by_id)
    }

    // ---- parks ----

    async fn list_parks(
        &self,
        actor: &Actor,
        f: &ParkFilter,
        paging: &Paging,
    ) -> Result<Page<Park>> {
        let order = order_by(
            paging,
            &[
                ("code", "k.code"),
                ("name", "k.name"),
                ("district", "k.district"),
                ("land_area", "k.land_area_centi_mu"),
                ("updated_at", "k.updated_at"),
            ],
            "k.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<ParkRow>(
            &mut c,
            PARK_COLUMNS,
            |qb| {
                qb.push("FROM parks k WHERE 1 = 1");
                push_reach(qb, Kind::Park, &actor.scope.reach(Kind::Park));
                push_archived(qb, "k", f.include_archived);
                push_eq(qb, "k.area_id", f.area_id);
                push_eq(qb, "k.district", f.district.clone());
                push_search(qb, &f.q, &["k.code", "k.name", "k.name_en"]);
            },
            &order,
            paging,
        )
        .await?;
        let ids: Vec<Id> = rows.iter().map(|r| r.id()).collect();
        let mut chiefs = park_chiefs(&mut c, &ids).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let chief = chiefs.remove(&r.id());
                r.into_park(chief)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(page(items, total, paging))
    }

    async fn get_park(&self, actor: &Actor, id: Id) -> Result<Park> {
        let mut c = self.read().await?;
        let park = park_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Park, "park", id).await?;
        Ok(park)
    }

    async fn create_park(&self, actor: &Actor, d: ParkDraft) -> Result<Park> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        ensure_exists(tx.conn(), "industry_areas", "area_id", d.area_id).await?;
        ensure_unique(tx.conn(), "parks", "code", &d.code, None).await?;
        let id = insert_park(tx.conn(), &d, Utc::now()).await?;
        let after = park_by_id(tx.conn(), id).await?;
        audit(tx.conn(), actor, "park", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_park(&self, actor: &Actor, id: Id, d: ParkDraft) -> Result<Park> {
        actor.scope.may_edit_park(id)?;
        let mut tx = self.begin_write().await?;
        let before = park_by_id(tx.conn(), id).await?;
        if d.area_id != before.area_id {
            ensure_exists(tx.conn(), "industry_areas", "area_id", d.area_id).await?;
        }
        ensure_unique(tx.conn(), "parks", "code", &d.code, Some(id)).await?;
        sqlx::query(
            "UPDATE parks SET area_id = $1, code = $2, name = $3, name_en = $4, district = $5, land_area_centi_mu = $6, \
             lon = $7, lat = $8, outline = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(d.area_id).bind(&d.code).bind(&d.name).bind(&d.name_en).bind(d.district.as_str())
        .bind(d.land_area.centi_mu()).bind(d.location.map(|p| p.lon)).bind(d.location.map(|p| p.lat))
        .bind(outline_json(&d.outline)?).bind(Utc::now()).bind(id)
        .execute(tx.conn()).await?;
        let after = park_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "park",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn archive_park(&self, actor: &Actor, id: Id) -> Result<Park> {
        actor.scope.may_administer()?;
        archive!(self, actor, id, "parks", "park", park_by_id)
    }

    // ---- enterprises ----

    async fn list_enterprises(
        &self,
        actor: &Actor,
        f: &EnterpriseFilter,
        paging: &Paging,
    ) -> Result<Page<Enterprise>> {
        let order = order_by(
            paging,
            &[
                ("name", "e.name"),
                ("credit_code", "e.credit_code"),
                ("industry_code", "e.industry_code"),
                ("founded_on", "e.founded_on"),
                ("updated_at", "e.updated_at"),
            ],
            "e.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<EnterpriseRow>(&mut c, ENTERPRISE_COLUMNS, |qb| {
            qb.push("FROM enterprises e WHERE 1 = 1");
            push_reach(qb, Kind::Enterprise, &actor.scope.reach(Kind::Enterprise));
            push_archived(qb, "e", f.include_archived);
            push_eq(qb, "e.park_id", f.park_id);
            push_eq(qb, "e.district", f.district.clone());
            push_eq(qb, "e.status", f.status.map(|s| s.as_str()));
            push_eq(qb, "e.above_size", f.above_size);
            push_eq(qb, "e.high_tech", f.high_tech);
            push_eq(qb, "e.is_leading", f.leading);
            if let Some(code) = &f.industry_code {
                qb.push(" AND e.industry_code LIKE ");
                qb.push_bind(format!("{}%", code.trim().replace(['%', '_'], "")));
            }
            if let Some(segment) = f.segment_id {
                qb.push(" AND e.id IN (SELECT enterprise_id FROM enterprise_segments WHERE segment_id = ");
                qb.push_bind(segment);
                qb.push(")");
            }
            if let Some(chain) = f.chain_id {
                qb.push(" AND e.id IN (SELECT es.enterprise_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id WHERE s.chain_id = ");
                qb.push_bind(chain);
                qb.push(")");
            }
            push_search(qb, &f.q, &["e.name", "e.credit_code", "e.name_en", "e.name_initials"]);
            if let Some(ids) = &f.ids {
                push_in(qb, "e.id", ids);
            }
        }, &order, paging).await?;
        let ids: Vec<Id> = rows.iter().map(|r| r.id()).collect();
        let mut segments = segments_of(&mut c, &ids).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let s = segments.remove(&r.id()).unwrap_or_default();
                r.into_enterprise(s)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut items = items;
        project_enterprises(&mut c, actor, &mut items).await?;
        Ok(page(items, total, paging))
    }

    async fn chain_memberships(&self, actor: &Actor, chain_id: Id) -> Result<Vec<ChainMembership>> {
        ensure_reached(
            &mut *self.read().await?,
            actor,
            Kind::Chain,
            "chain",
            chain_id,
        )
        .await?;
        let rows: Vec<(i64, i64, Option<i64>, bool, bool)> = sqlx::query_as(
            "SELECT es.enterprise_id, es.segment_id, e.park_id, e.is_leading, e.above_size \
             FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id \
             JOIN enterprises e ON e.id = es.enterprise_id \
             WHERE s.chain_id = $1 AND e.archived = $2 ORDER BY es.enterprise_id, es.segment_id",
        )
        .bind(chain_id)
        .bind(false)
        .fetch_all(&mut *self.read().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(enterprise_id, segment_id, park_id, leading, above_size)| ChainMembership {
                    enterprise_id,
                    segment_id,
                    park_id,
                    leading,
                    above_size,
                },
            )
            .collect())
    }

    async fn chain_firm_counts(&self, actor: &Actor) -> Result<HashMap<Id, i64>> {
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "SELECT s.chain_id, COUNT(DISTINCT es.enterprise_id) FROM enterprise_segments es \
             JOIN segments s ON s.id = es.segment_id JOIN enterprises e ON e.id = es.enterprise_id \
             WHERE e.archived = ",
        );
        qb.push_bind(false);
        push_reached_ids(
            &mut qb,
            "s.chain_id",
            Kind::Chain,
            &actor.scope.reach(Kind::Chain),
        );
        qb.push(" GROUP BY s.chain_id");
        let rows: Vec<(i64, i64)> = qb
            .build_query_as()
            .fetch_all(&mut *self.read().await?)
            .await?;
        Ok(rows.into_iter().collect())
    }

    async fn get_enterprise(&self, actor: &Actor, id: Id) -> Result<Enterprise> {
        let mut c = self.read().await?;
        let enterprise = enterprise_by_id(&mut c, id).await?;
        ensure_reached(&mut c, actor, Kind::Enterprise, "enterprise", id).await?;
        let mut items = [enterprise];
        project_enterprises(&mut c, actor, &mut items).await?;
        let [enterprise] = items;
        Ok(enterprise)
    }

    async fn create_enterprise(&self, actor: &Actor, d: EnterpriseDraft) -> Result<Enterprise> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        check_enterprise_draft(tx.conn(), None, &d).await?;
        let id = insert_enterprise(tx.conn(), &d).await?;
        write_enterprise_segments(tx.conn(), id, &d.segment_ids).await?;
        let after = enterprise_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "enterprise",
            id,
            "create",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn update_enterprise(
        &self,
        actor: &Actor,
        id: Id,
        d: EnterpriseDraft,
    ) -> Result<Enterprise> {
        let mut tx = self.begin_write().await?;
        let before = enterprise_by_id(tx.conn(), id).await?;
        // Whoever cannot see the contact data sent none: keep what is stored rather than clear it.
        let mut d = d;
        let before_chains = segment_chains(tx.conn(), &before.segment_ids).await?;
        let chains_of_before: Vec<Id> = before_chains.values().copied().collect();
        if !actor
            .scope
            .sees_private(id, before.park_id, &chains_of_before)
            && d.contact == EnterpriseContact::default()
        {
            d.contact = before.contact.clone().unwrap_or_default();
        }
        let changed: Vec<Id> = before
            .segment_ids
            .iter()
            .filter(|s| !d.segment_ids.contains(s))
            .chain(
                d.segment_ids
                    .iter()
                    .filter(|s| !before.segment_ids.contains(s)),
            )
            .copied()
            .collect();
        let chains = segment_chains(tx.conn(), &changed).await?;
        actor
            .scope
            .may_update_enterprise(&before, &d, |s| chains.get(&s).copied())?;
        check_enterprise_draft(tx.conn(), Some(id), &d).await?;
        sqlx::query(
            "UPDATE enterprises SET credit_code = $1, name = $2, name_en = $3, industry_code = $4, district = $5, park_id = $6, \
             above_size = $7, high_tech = $8, is_leading = $9, founded_on = $10, status = $11, contact_name = $12, phone = $13, \
             email = $14, address = $15, updated_at = $16, name_initials = $18 WHERE id = $17",
        )
        .bind(d.credit_code.as_str()).bind(&d.name).bind(&d.name_en).bind(d.industry_code.as_str())
        .bind(d.district.as_str()).bind(d.park_id).bind(d.above_size).bind(d.high_tech).bind(d.leading)
        .bind(d.founded_on).bind(d.status.as_str()).bind(&d.contact.contact_name).bind(&d.contact.phone)
        .bind(&d.contact.email).bind(&d.contact.address).bind(Utc::now()).bind(id)
        .bind(initials(&d.name))
        .execute(tx.conn()).await?;
        if before.segment_ids != d.segment_ids {
            write_enterprise_segments(tx.conn(), id, &d.segment_ids).await?;
        }
        let after = enterprise_by_id(tx.conn(), id).await?;
        audit(
            tx.conn(),
            actor,
            "enterprise",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        let mut items = [after];
        project_enterprises(&mut *self.read().await?, actor, &mut items).await?;
        let [after] = items;
        Ok(after)
    }

    async fn archive_enterprise(&self, actor: &Actor, id: Id) -> Result<Enterprise> {
        actor.scope.may_administer()?;
        archive!(
            self,
            actor,
            id,
            "enterprises",
            "enterprise",
            enterprise_by_id
        )
    }

    // ---- audit ----

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

    async fn load_registry(&self, actor: &Actor, zone: &DemoZone) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let counts = load_zone(tx.conn(), zone).await?;
        audit(tx.conn(), actor, "registry", 0, "load", None, Some(&counts)).await?;
        tx.commit().await
    }
}

fn prefixed(what: String, e: chainpark_core::error::Invalid) -> StoreError {
    StoreError::Invalid(chainpark_core::error::Invalid(
        e.0.into_iter()
            .map(|f| chainpark_core::error::FieldError {
                field: format!("{what}.{}", f.field),
                message: f.message,
            })
            .collect(),
    ))
}

fn lookup(map: &HashMap<String, Id>, what: &str, key: &str) -> Result<Id> {
    map.get(key)
        .copied()
        .ok_or_else(|| StoreError::invalid(what, format!("{key} is not in the batch")))
}

/// Writes a whole registry batch (the demo zone) through the same checks as single objects. Enterprises and
/// their segments go in multi-row inserts: a zone has thousands.
async fn load_zone(c: &mut Conn, zone: &DemoZone) -> Result<HashMap<&'static str, usize>> {
    let now = Utc::now();
    let mut areas = HashMap::new();
    for a in &zone.areas {
        let d = IndustryAreaInput {
            code: a.code.clone(),
            name: a.name.clone(),
            name_en: a.name_en.clone(),
            description: a.description.clone(),
        }
        .parse()
        .map_err(|e| prefixed(format!("area {}", a.code), e))?;
        let id = insert_area(c, &d, now).await?;
        areas.insert(a.code.clone(), id);
    }
    let mut chains = HashMap::new();
    let mut segments = HashMap::new();
    let mut link_count = 0;
    for ch in &zone.chains {
        let area_id = lookup(&areas, "chain.area_code", &ch.area_code)?;
        let d = ChainInput {
            area_id,
            code: ch.code.clone(),
            name: ch.name.clone(),
            name_en: ch.name_en.clone(),
            description: String::new(),
        }
        .parse()
        .map_err(|e| prefixed(format!("chain {}", ch.code), e))?;
        let chain_id = insert_chain(c, &d, now).await?;
        chains.insert(ch.code.clone(), chain_id);
        // Parents before children, whatever order the batch lists them in.
        let mut pending: Vec<_> = ch.segments.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for s in pending {
                let parent_id = match &s.parent {
                    None => None,
                    Some(p) => match segments.get(p) {
                        Some(id) => Some(*id),
                        None => {
                            rest.push(s);
                            continue;
                        }
                    },
                };
                let d = SegmentInput {
                    chain_id,
                    parent_id,
                    code: s.code.clone(),
                    name: s.name.clone(),
                    name_en: s.name_en.clone(),
                    stage: s.stage,
                    position: s.position,
                    industry_codes: s.industry_codes.clone(),
                }
                .parse()
                .map_err(|e| prefixed(format!("segment {}", s.code), e))?;
                let id = insert_segment(c, &d, now).await?;
                segments.insert(s.code.clone(), id);
            }
            if rest.len() == before {
                return Err(StoreError::invalid(
                    "segment.parent",
                    format!(
                        "{} has a parent that is not in its chain, or a cycle",
                        rest[0].code
                    ),
                ));
            }
            pending = rest;
        }
        for (from, to) in &ch.links {
            let d = SupplyLinkInput {
                from_segment_id: lookup(&segments, "link.from", from)?,
                to_segment_id: lookup(&segments, "link.to", to)?,
                note: String::new(),
            }
            .parse()
            .map_err(|e| prefixed(format!("link {from}->{to}"), e))?;
            insert_link(c, &d, now).await?;
            link_count += 1;
        }
    }
    let mut parks = HashMap::new();
    for k in &zone.parks {
        let d = ParkInput {
            area_id: lookup(&areas, "park.area_code", &k.area_code)?,
            code: k.code.clone(),
            name: k.name.clone(),
            name_en: k.name_en.clone(),
            district: k.district.clone(),
            land_area_mu: Some(k.land_area_mu as f64),
            land_area_ha: None,
            location: Some(GeoPoint {
                lon: k.lon,
                lat: k.lat,
            }),
            outline: k.outline.as_ref().map(|o| {
                o.iter()
                    .map(|(lon, lat)| GeoPoint {
                        lon: *lon,
                        lat: *lat,
                    })
                    .collect()
            }),
        }
        .parse()
        .map_err(|e| prefixed(format!("park {}", k.code), e))?;
        let id = insert_park(c, &d, now).await?;
        parks.insert(k.code.clone(), id);
    }
    let mut drafts = Vec::with_capacity(zone.enterprises.len());
    for e in &zone.enterprises {
        let park_id = match &e.park_code {
            Some(p) => Some(lookup(&parks, "enterprise.park_code", p)?),
            None => None,
        };
        let segment_ids = e
            .segment_codes
            .iter()
            .map(|s| lookup(&segments, "enterprise.segment_codes", s))
            .collect::<Result<Vec<_>>>()?;
        let d = EnterpriseInput {
            credit_code: e.credit_code.clone(),
            name: e.name.clone(),
            name_en: e.name_en.clone(),
            industry_code: e.industry_code.clone(),
            district: e.district.clone(),
            park_id,
            segment_ids,
            above_size: e.above_size,
            high_tech: e.high_tech,
            leading: e.leading,
            founded_on: e.founded_on,
            status: e.status,
            contact: EnterpriseContact {
                contact_name: e.contact_name.clone(),
                phone: e.phone.clone(),
                email: e.email.clone(),
                address: e.address.clone(),
            },
        }
        .parse()
        .map_err(|err| prefixed(format!("enterprise {}", e.credit_code), err))?;
        drafts.push(d);
    }
    let mut enterprises = HashMap::new();
    for chunk in drafts.chunks(400) {
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "INSERT INTO enterprises (credit_code, name, name_en, industry_code, district, park_id, above_size, high_tech, \
             is_leading, founded_on, status, contact_name, phone, email, address, updated_at, name_initials) ",
        );
        qb.push_values(chunk.iter().cloned(), |mut b, d| {
            let name_initials = initials(&d.name);
            b.push_bind(d.credit_code.as_str().to_string())
                .push_bind(d.name)
                .push_bind(d.name_en)
                .push_bind(d.industry_code.as_str().to_string())
                .push_bind(d.district.as_str().to_string())
                .push_bind(d.park_id)
                .push_bind(d.above_size)
                .push_bind(d.high_tech)
                .push_bind(d.leading)
                .push_bind(d.founded_on)
                .push_bind(d.status.as_str())
                .push_bind(d.contact.contact_name)
                .push_bind(d.contact.phone)
                .push_bind(d.contact.email)
                .push_bind(d.contact.address)
                .push_bind(now)
                .push_bind(name_initials);
        });
        qb.push(" RETURNING id, credit_code");
        let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut *c).await?;
        for (id, code) in rows {
            enterprises.insert(code, id);
        }
    }
    let pairs: Vec<(i64, i64)> = drafts
        .iter()
        .flat_map(|d| {
            let id = enterprises[d.credit_code.as_str()];
            d.segment_ids.iter().map(move |s| (id, *s))
        })
        .collect();
    for chunk in pairs.chunks(1000) {
        let mut qb: QueryBuilder<'static, Db> =
            QueryBuilder::new("INSERT INTO enterprise_segments (enterprise_id, segment_id) ");
        qb.push_values(chunk.iter().copied(), |mut b, (e, s)| {
            b.push_bind(e).push_bind(s);
        });
        qb.build().execute(&mut *c).await?;
    }
    let mut post_count = 0;
    for p in &zone.people {
        let d = PersonInput {
            name: p.name.clone(),
            title: p.title.clone(),
            organisation: p.organisation.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            office_phone: p.office_phone.clone(),
        }
        .parse()
        .map_err(|e| prefixed(format!("person {}", p.name), e))?;
        let person_id = insert_person(c, &d, now).await?;
        for post in &p.posts {
            let d = PostInput {
                person_id,
                role: post.role,
                chain_id: match &post.chain_code {
                    Some(x) => Some(lookup(&chains, "post.chain_code", x)?),
                    None => None,
                },
                park_id: match &post.park_code {
                    Some(x) => Some(lookup(&parks, "post.park_code", x)?),
                    None => None,
                },
                enterprise_id: match &post.enterprise_credit_code {
                    Some(x) => Some(lookup(&enterprises, "post.enterprise_credit_code", x)?),
                    None => None,
                },
                chief_level: post.chief_level,
                owner_kind: post.owner_kind,
                title: post.title.clone(),
                starts_on: post.starts_on,
                ends_on: post.ends_on,
            }
            .parse()
            .map_err(|e| prefixed(format!("post of {}", p.name), e))?;
            check_post_draft(c, None, &d).await?;
            insert_post(c, &d, now).await?;
            post_count += 1;
        }
    }
    Ok(HashMap::from([
        ("areas", areas.len()),
        ("chains", chains.len()),
        ("segments", segments.len()),
        ("supply_links", link_count),
        ("parks", parks.len()),
        ("enterprises", enterprises.len()),
        ("people", zone.people.len()),
        ("posts", post_count),
    ]))
}

async fn insert_area(
    c: &mut Conn,
    d: &IndustryAreaDraft,
    now: chrono::DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO industry_areas (code, name, name_en, description, updated_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&d.code)
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.description)
    .bind(now)
    .fetch_one(&mut *c)
    .await?)
}

async fn insert_chain(c: &mut Conn, d: &ChainDraft, now: chrono::DateTime<Utc>) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO chains (area_id, code, name, name_en, description, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(d.area_id)
    .bind(&d.code)
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.description)
    .bind(now)
    .fetch_one(&mut *c)
    .await?)
}

async fn insert_segment(c: &mut Conn, d: &SegmentDraft, now: chrono::DateTime<Utc>) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO segments (chain_id, parent_id, code, name, name_en, stage, position, industry_codes, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(d.chain_id).bind(d.parent_id).bind(&d.code).bind(&d.name).bind(&d.name_en)
    .bind(d.stage.as_str()).bind(d.position).bind(join_codes(&d.industry_codes)).bind(now)
    .fetch_one(&mut *c).await?)
}

async fn insert_link(c: &mut Conn, d: &SupplyLinkDraft, now: chrono::DateTime<Utc>) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO supply_links (from_segment_id, to_segment_id, note, updated_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(d.from_segment_id).bind(d.to_segment_id).bind(&d.note).bind(now)
    .fetch_one(&mut *c).await?)
}

async fn insert_person(c: &mut Conn, d: &PersonDraft, now: chrono::DateTime<Utc>) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO people (name, title, organisation, phone, email, office_phone, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&d.name).bind(&d.title).bind(&d.organisation).bind(&d.phone).bind(&d.email).bind(&d.office_phone).bind(now)
    .fetch_one(&mut *c).await?)
}

async fn insert_post(c: &mut Conn, d: &PostDraft, now: chrono::DateTime<Utc>) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO posts (person_id, role, chain_id, park_id, enterprise_id, chief_level, owner_kind, title, starts_on, ends_on, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(d.person_id).bind(d.role.as_str()).bind(d.chain_id).bind(d.park_id).bind(d.enterprise_id)
    .bind(d.chief_level.map(|l| l.as_str())).bind(d.owner_kind.map(|k| k.as_str()))
    .bind(&d.title).bind(d.starts_on).bind(d.ends_on).bind(now)
    .fetch_one(&mut *c).await?)
}

async fn insert_park(c: &mut Conn, d: &ParkDraft, now: chrono::DateTime<Utc>) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO parks (area_id, code, name, name_en, district, land_area_centi_mu, lon, lat, outline, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(d.area_id).bind(&d.code).bind(&d.name).bind(&d.name_en).bind(d.district.as_str())
    .bind(d.land_area.centi_mu()).bind(d.location.map(|p| p.lon)).bind(d.location.map(|p| p.lat))
    .bind(outline_json(&d.outline)?).bind(now)
    .fetch_one(&mut *c).await?)
}

async fn insert_enterprise(c: &mut Conn, d: &EnterpriseDraft) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO enterprises (credit_code, name, name_en, industry_code, district, park_id, above_size, high_tech, \
         is_leading, founded_on, status, contact_name, phone, email, address, updated_at, name_initials) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(d.credit_code.as_str()).bind(&d.name).bind(&d.name_en).bind(d.industry_code.as_str())
    .bind(d.district.as_str()).bind(d.park_id).bind(d.above_size).bind(d.high_tech).bind(d.leading)
    .bind(d.founded_on).bind(d.status.as_str()).bind(&d.contact.contact_name).bind(&d.contact.phone)
    .bind(&d.contact.email).bind(&d.contact.address).bind(Utc::now()).bind(initials(&d.name))
    .fetch_one(&mut *c).await?)
}
