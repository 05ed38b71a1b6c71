//! Land parcels, leases, evaluation schemes, runs and results in SQL, compiled once per engine (`crate::sqlite`,
//! `crate::postgres`) with that engine's `Db` and store type `Engine`. What each actor reaches is the policy's
//! `Kind::LandParcel`, `Kind::Lease` and `Kind::AssessmentResult`, rendered by `push_reach`.

use super::registry::shared::{count_and_fetch, ensure_exists, page};
use super::{Db, Engine};
use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::assessment::evaluate::FirmResult;
use chainpark_core::assessment::land::{LandParcel, Lease, LeaseDraft, ParcelDraft, ParcelVersion};
use chainpark_core::assessment::scheme::{Class, SchemeBody, SchemeDraft};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, QueryBuilder};

use crate::assessment::*;
use crate::common::*;
use crate::{Actor, Result, StoreError};

type Conn = <Db as sqlx::Database>::Connection;

const PARCEL_COLUMNS: &str = "lp.id, lp.code, lp.park_id, lp.holder_enterprise_id, lp.area_mu_centi, lp.land_use, \
     lp.valid_from, lp.valid_to, lp.outline, lp.archived";

#[derive(FromRow)]
struct ParcelRow {
    id: i64,
    code: String,
    park_id: i64,
    holder_enterprise_id: Option<i64>,
    area_mu_centi: i64,
    land_use: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    outline: Option<String>,
    archived: bool,
}

impl ParcelRow {
    fn into_parcel(self) -> Result<LandParcel> {
        let outline = self
            .outline
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("land parcel", self.id, e))?;
        Ok(LandParcel {
            id: self.id,
            code: self.code,
            park_id: self.park_id,
            holder_enterprise_id: self.holder_enterprise_id,
            area_mu_centi: self.area_mu_centi,
            land_use: self.land_use,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            outline,
            archived: self.archived,
        })
    }
}

const LEASE_COLUMNS: &str = "ls.id, ls.code, ls.enterprise_id, ls.park_id, ls.unit_id, ls.area_m2_centi, \
     ls.monthly_rent_fen, ls.valid_from, ls.valid_to, ls.archived";

#[derive(FromRow)]
struct LeaseRow {
    id: i64,
    code: String,
    enterprise_id: i64,
    park_id: i64,
    unit_id: Option<i64>,
    area_m2_centi: i64,
    monthly_rent_fen: Option<i64>,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    archived: bool,
}

impl LeaseRow {
    fn into_lease(self) -> Lease {
        Lease {
            id: self.id,
            code: self.code,
            enterprise_id: self.enterprise_id,
            park_id: self.park_id,
            unit_id: self.unit_id,
            area_m2_centi: self.area_m2_centi,
            monthly_rent_fen: self.monthly_rent_fen,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            archived: self.archived,
        }
    }
}

/// Adds the filter's conditions on a table aliased `alias` whose enterprise column is `enterprise`.
fn push_land_filter(
    qb: &mut QueryBuilder<'static, Db>,
    alias: &str,
    enterprise: &str,
    filter: &LandFilter,
) {
    if let Some(park) = filter.park_id {
        qb.push(format!(" AND {alias}.park_id = "));
        qb.push_bind(park);
    }
    if let Some(e) = filter.enterprise_id {
        qb.push(format!(" AND {alias}.{enterprise} = "));
        qb.push_bind(e);
    }
    if let Some(day) = filter.on {
        qb.push(format!(" AND {alias}.valid_from <= "));
        qb.push_bind(day);
        qb.push(format!(
            " AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= "
        ));
        qb.push_bind(day);
        qb.push(")");
    }
}

async fn count_rows(c: &mut Conn, qb: &mut QueryBuilder<'static, Db>) -> Result<i64> {
    Ok(qb.build_query_scalar::<i64>().fetch_one(&mut *c).await?)
}

#[async_trait]
impl LandStore for Engine {
    async fn list_parcels(
        &self,
        actor: &Actor,
        filter: &LandFilter,
        paging: &Paging,
    ) -> Result<Page<LandParcel>> {
        let reach = actor.scope.reach(Kind::LandParcel);
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<ParcelRow>(
            &mut c,
            &format!("SELECT {PARCEL_COLUMNS}"),
            |qb| {
                qb.push(" FROM land_parcels lp WHERE 1 = 1");
                push_reach(qb, Kind::LandParcel, &reach);
                push_land_filter(qb, "lp", "holder_enterprise_id", filter);
            },
            " ORDER BY lp.code",
            paging,
        )
        .await?;
        Ok(page(
            rows.into_iter()
                .map(ParcelRow::into_parcel)
                .collect::<Result<_>>()?,
            total,
            paging,
        ))
    }

    async fn parcel_history(
        &self,
        actor: &Actor,
        id: Id,
    ) -> Result<(LandParcel, Vec<ParcelVersion>)> {
        let reach = actor.scope.reach(Kind::LandParcel);
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::new(format!(
            "SELECT {PARCEL_COLUMNS} FROM land_parcels lp WHERE lp.id = "
        ));
        qb.push_bind(id);
        push_reach(&mut qb, Kind::LandParcel, &reach);
        let row: Option<ParcelRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
        let parcel = row
            .ok_or(StoreError::NotFound {
                kind: "land parcel",
                id,
            })?
            .into_parcel()?;
        let versions: Vec<(Option<i64>, i64, String, NaiveDate, NaiveDate)> = sqlx::query_as(
            "SELECT holder_enterprise_id, area_mu_centi, land_use, valid_from, valid_to FROM land_parcel_versions \
             WHERE parcel_id = $1 ORDER BY valid_from, id",
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await?;
        Ok((
            parcel,
            versions
                .into_iter()
                .map(|(holder, area, land_use, from, to)| ParcelVersion {
                    holder_enterprise_id: holder,
                    area_mu_centi: area,
                    land_use,
                    valid_from: from,
                    valid_to: to,
                })
                .collect(),
        ))
    }

    async fn put_parcels(&self, actor: &Actor, drafts: Vec<ParcelDraft>) -> Result<LandImport> {
        for d in &drafts {
            actor.scope.may_keep_land(d.park_id)?;
        }
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let mut report = LandImport::default();
        for (row, d) in drafts.iter().enumerate() {
            let field = |name: &str| format!("rows[{row}].{name}");
            ensure_exists(tx.conn(), "parks", &field("park_id"), d.park_id).await?;
            if let Some(holder) = d.holder_enterprise_id {
                ensure_exists(
                    tx.conn(),
                    "enterprises",
                    &field("holder_enterprise_id"),
                    holder,
                )
                .await?;
            }
            let outline = d.outline.as_ref().map(|o| o.to_string());
            let old: Option<ParcelRow> = sqlx::query_as(&format!(
                "SELECT {PARCEL_COLUMNS} FROM land_parcels lp WHERE lp.code = $1"
            ))
            .bind(&d.code)
            .fetch_optional(tx.conn())
            .await?;
            let Some(old) = old else {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO land_parcels (code, park_id, holder_enterprise_id, area_mu_centi, land_use, \
                     valid_from, valid_to, outline, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(&d.code).bind(d.park_id).bind(d.holder_enterprise_id).bind(d.area_mu_centi)
                .bind(&d.land_use).bind(d.valid_from).bind(d.valid_to).bind(&outline).bind(now)
                .fetch_one(tx.conn())
                .await?;
                let after = parcel_json(id, d);
                tx.audit(actor, "land_parcel", id, "create", None, Some(&after))
                    .await?;
                report.created += 1;
                continue;
            };
            actor.scope.may_keep_land(old.park_id)?;
            let state_changes = (
                old.holder_enterprise_id,
                old.area_mu_centi,
                old.land_use.as_str(),
            ) != (d.holder_enterprise_id, d.area_mu_centi, d.land_use.as_str());
            let same = !state_changes
                && old.park_id == d.park_id
                && old.valid_from == d.valid_from
                && old.valid_to == d.valid_to
                && old.outline == outline
                && !old.archived;
            if same {
                report.unchanged += 1;
                continue;
            }
            if state_changes && d.valid_from > old.valid_from {
                let until = d.valid_from.pred_opt().unwrap_or(d.valid_from);
                sqlx::query(
                    "INSERT INTO land_parcel_versions (parcel_id, holder_enterprise_id, area_mu_centi, land_use, \
                     valid_from, valid_to, superseded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(old.id).bind(old.holder_enterprise_id).bind(old.area_mu_centi).bind(&old.land_use)
                .bind(old.valid_from).bind(until).bind(now)
                .execute(tx.conn())
                .await?;
            }
            sqlx::query(
                "UPDATE land_parcels SET park_id = $2, holder_enterprise_id = $3, area_mu_centi = $4, land_use = $5, \
                 valid_from = $6, valid_to = $7, outline = $8, archived = $9, updated_at = $10 WHERE id = $1",
            )
            .bind(old.id).bind(d.park_id).bind(d.holder_enterprise_id).bind(d.area_mu_centi).bind(&d.land_use)
            .bind(d.valid_from).bind(d.valid_to).bind(&outline).bind(false).bind(now)
            .execute(tx.conn())
            .await?;
            let before = serde_json::json!({
                "code": old.code, "park_id": old.park_id, "holder_enterprise_id": old.holder_enterprise_id,
                "area_mu_centi": old.area_mu_centi, "land_use": old.land_use, "valid_from": old.valid_from,
                "valid_to": old.valid_to,
            });
            let after = parcel_json(old.id, d);
            tx.audit(
                actor,
                "land_parcel",
                old.id,
                "update",
                Some(&before),
                Some(&after),
            )
            .await?;
            report.changed += 1;
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn list_leases(
        &self,
        actor: &Actor,
        filter: &LandFilter,
        paging: &Paging,
    ) -> Result<Page<Lease>> {
        let reach = actor.scope.reach(Kind::Lease);
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<LeaseRow>(
            &mut c,
            &format!("SELECT {LEASE_COLUMNS}"),
            |qb| {
                qb.push(" FROM leases ls WHERE 1 = 1");
                push_reach(qb, Kind::Lease, &reach);
                push_land_filter(qb, "ls", "enterprise_id", filter);
            },
            " ORDER BY ls.code",
            paging,
        )
        .await?;
        Ok(page(
            rows.into_iter().map(LeaseRow::into_lease).collect(),
            total,
            paging,
        ))
    }

    async fn put_leases(&self, actor: &Actor, drafts: Vec<LeaseDraft>) -> Result<LandImport> {
        for d in &drafts {
            actor.scope.may_keep_land(d.park_id)?;
        }
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let mut report = LandImport::default();
        for (row, d) in drafts.iter().enumerate() {
            let field = |name: &str| format!("rows[{row}].{name}");
            ensure_exists(tx.conn(), "parks", &field("park_id"), d.park_id).await?;
            ensure_exists(
                tx.conn(),
                "enterprises",
                &field("enterprise_id"),
                d.enterprise_id,
            )
            .await?;
            let old: Option<LeaseRow> = sqlx::query_as(&format!(
                "SELECT {LEASE_COLUMNS} FROM leases ls WHERE ls.code = $1"
            ))
            .bind(&d.code)
            .fetch_optional(tx.conn())
            .await?;
            let after = serde_json::json!({
                "code": d.code, "enterprise_id": d.enterprise_id, "park_id": d.park_id, "unit_id": d.unit_id,
                "area_m2_centi": d.area_m2_centi, "monthly_rent_fen": d.monthly_rent_fen,
                "valid_from": d.valid_from, "valid_to": d.valid_to,
            });
            match old {
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO leases (code, enterprise_id, park_id, unit_id, area_m2_centi, monthly_rent_fen, \
                         valid_from, valid_to, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(&d.code).bind(d.enterprise_id).bind(d.park_id).bind(d.unit_id).bind(d.area_m2_centi)
                    .bind(d.monthly_rent_fen).bind(d.valid_from).bind(d.valid_to).bind(now)
                    .fetch_one(tx.conn())
                    .await?;
                    tx.audit(actor, "lease", id, "create", None, Some(&after))
                        .await?;
                    report.created += 1;
                }
                Some(old) => {
                    actor.scope.may_keep_land(old.park_id)?;
                    let current = LeaseDraft {
                        code: old.code.clone(),
                        enterprise_id: old.enterprise_id,
                        park_id: old.park_id,
                        unit_id: old.unit_id,
                        area_m2_centi: old.area_m2_centi,
                        monthly_rent_fen: old.monthly_rent_fen,
                        valid_from: old.valid_from,
                        valid_to: old.valid_to,
                    };
                    if current == *d && !old.archived {
                        report.unchanged += 1;
                        continue;
                    }
                    sqlx::query(
                        "UPDATE leases SET enterprise_id = $2, park_id = $3, unit_id = $4, area_m2_centi = $5, \
                         monthly_rent_fen = $6, valid_from = $7, valid_to = $8, archived = $9, updated_at = $10 \
                         WHERE id = $1",
                    )
                    .bind(old.id).bind(d.enterprise_id).bind(d.park_id).bind(d.unit_id).bind(d.area_m2_centi)
                    .bind(d.monthly_rent_fen).bind(d.valid_from).bind(d.valid_to).bind(false).bind(now)
                    .execute(tx.conn())
                    .await?;
                    let before = old.into_lease();
                    tx.audit(
                        actor,
                        "lease",
                        before.id,
                        "update",
                        Some(
                            &serde_json::to_value(&before)
                                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        ),
                        Some(&after),
                    )
                    .await?;
                    report.changed += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(report)
    }
}

fn parcel_json(id: Id, d: &ParcelDraft) -> serde_json::Value {
    serde_json::json!({
        "id": id, "code": d.code, "park_id": d.park_id, "holder_enterprise_id": d.holder_enterprise_id,
        "area_mu_centi": d.area_mu_centi, "land_use": d.land_use, "valid_from": d.valid_from,
        "valid_to": d.valid_to,
    })
}

#[derive(FromRow)]
struct SchemeRow {
    id: i64,
    code: String,
    version: i64,
    name: String,
    name_en: String,
    year: i64,
    body: String,
    based_on_id: Option<i64>,
    in_use: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl SchemeRow {
    fn into_scheme(self) -> Result<Scheme> {
        let body: SchemeBody = serde_json::from_str(&self.body)
            .map_err(|e| corrupt("assessment scheme", self.id, e))?;
        Ok(Scheme {
            id: self.id,
            code: self.code,
            version: self.version,
            name: self.name,
            name_en: self.name_en,
            year: self.year as i32,
            body,
            based_on_id: self.based_on_id,
            in_use: self.in_use,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

const SCHEME_COLUMNS: &str = "SELECT s.id, s.code, s.version, s.name, s.name_en, s.year, s.body, s.based_on_id, \
     EXISTS (SELECT 1 FROM assessment_runs r WHERE r.scheme_id = s.id) AS in_use, s.created_at, s.updated_at \
     FROM assessment_schemes s";

async fn scheme_by_id(c: &mut Conn, id: Id) -> Result<Scheme> {
    let row: Option<SchemeRow> = sqlx::query_as(&format!("{SCHEME_COLUMNS} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound {
        kind: "assessment scheme",
        id,
    })?
    .into_scheme()
}

fn body_text(body: &SchemeBody) -> Result<String> {
    serde_json::to_string(body).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[derive(FromRow)]
struct RunRow {
    id: i64,
    scheme_id: i64,
    scheme_code: String,
    scheme_version: i64,
    year: i64,
    data_as_of: DateTime<Utc>,
    ran_at: DateTime<Utc>,
    actor: String,
    previous_run_id: Option<i64>,
    firms: i64,
    summary: String,
}

impl RunRow {
    fn into_run(self) -> Result<AssessmentRun> {
        let summary = serde_json::from_str(&self.summary)
            .map_err(|e| corrupt("assessment run", self.id, e))?;
        Ok(AssessmentRun {
            id: self.id,
            scheme_id: self.scheme_id,
            scheme_code: self.scheme_code,
            scheme_version: self.scheme_version,
            year: self.year as i32,
            data_as_of: self.data_as_of,
            ran_at: self.ran_at,
            actor: self.actor,
            previous_run_id: self.previous_run_id,
            firms: self.firms,
            summary,
        })
    }
}

const RUN_COLUMNS: &str = "SELECT r.id, r.scheme_id, s.code AS scheme_code, s.version AS scheme_version, r.year, \
     r.data_as_of, r.ran_at, r.actor, r.previous_run_id, r.firms, r.summary \
     FROM assessment_runs r JOIN assessment_schemes s ON s.id = r.scheme_id";

#[derive(FromRow)]
struct ResultRow {
    run_id: i64,
    enterprise_id: i64,
    enterprise_name: String,
    credit_code: String,
    park_id: Option<i64>,
    class: String,
    detail: String,
}

impl ResultRow {
    fn into_result(self) -> Result<StoredResult> {
        let detail: FirmResult = serde_json::from_str(&self.detail)
            .map_err(|e| corrupt("assessment result of enterprise", self.enterprise_id, e))?;
        let class = Class::parse(&self.class).ok_or_else(|| {
            corrupt(
                "assessment result of enterprise",
                self.enterprise_id,
                &self.class,
            )
        })?;
        Ok(StoredResult {
            run_id: self.run_id,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            credit_code: self.credit_code,
            park_id: self.park_id,
            class,
            detail,
        })
    }
}

/// The conditions of a run's results as `actor`'s reach and the filter narrow them.
fn push_result_filter(
    qb: &mut QueryBuilder<'static, Db>,
    run_id: Id,
    reach: &chainpark_core::access::Reach,
    filter: &ResultFilter,
) {
    qb.push(" WHERE ar.run_id = ");
    qb.push_bind(run_id);
    push_reach(qb, Kind::AssessmentResult, reach);
    if let Some(park) = filter.park_id {
        qb.push(" AND ar.park_id = ");
        qb.push_bind(park);
    }
    if let Some(chain) = filter.chain_id {
        qb.push(
            " AND ar.enterprise_id IN (SELECT fes.enterprise_id FROM enterprise_segments fes \
             JOIN segments fs ON fs.id = fes.segment_id WHERE fs.chain_id = ",
        );
        qb.push_bind(chain);
        qb.push(")");
    }
    if let Some(class) = filter.class {
        qb.push(" AND ar.class = ");
        qb.push_bind(class.as_str());
    }
}

/// The run's own order of its results: by population, ranked firms first by rank, then by score.
const RUN_ORDER: [(&str, bool); 5] = [
    ("ar.population", false),
    ("CASE WHEN ar.rank IS NULL THEN 1 ELSE 0 END", false),
    ("ar.rank", false),
    ("ar.score_centi", true),
    ("ar.enterprise_id", false),
];

/// The `ORDER BY` of a class list: the sort key's columns (`score`: best first, then by name; `name`; `class`:
/// by class, best first within it), each list ending in the run's own order so that ties fall alike on both
/// engines; names compare by their characters' code points (`Dialect::BY_CODE_POINT`) on both. `-key` reverses
/// the whole order.
fn result_order(paging: &Paging) -> Result<String> {
    let name = format!("e.name{}", <Db as Dialect>::BY_CODE_POINT);
    let first: Vec<(&str, bool)> = match paging.sort.as_deref() {
        None => Vec::new(),
        Some("score") => vec![("ar.score_centi", true), (name.as_str(), false)],
        Some("name") => vec![(name.as_str(), false)],
        Some("class") => vec![
            ("ar.class", false),
            ("ar.score_centi", true),
            (name.as_str(), false),
        ],
        Some(other) => {
            return Err(StoreError::invalid(
                "sort",
                format!("unknown sort key {other:?}; use one of score, name, class"),
            ));
        }
    };
    let keys: Vec<String> = first
        .into_iter()
        .chain(RUN_ORDER)
        .map(|(column, descending)| {
            let direction = if descending != paging.descending {
                "DESC"
            } else {
                "ASC"
            };
            format!("{column} {direction}")
        })
        .collect();
    Ok(format!(" ORDER BY {}", keys.join(", ")))
}

const RESULT_COLUMNS: &str = "SELECT ar.run_id, ar.enterprise_id, e.name AS enterprise_name, e.credit_code, \
     ar.park_id, ar.class, ar.detail FROM assessment_results ar JOIN enterprises e ON e.id = ar.enterprise_id";

#[async_trait]
impl AssessmentStore for Engine {
    async fn list_schemes(&self, _actor: &Actor) -> Result<Vec<Scheme>> {
        let mut c = self.read().await?;
        let rows: Vec<SchemeRow> = sqlx::query_as(&format!(
            "{SCHEME_COLUMNS} WHERE s.archived = $1 ORDER BY s.code, s.version DESC"
        ))
        .bind(false)
        .fetch_all(&mut *c)
        .await?;
        rows.into_iter().map(SchemeRow::into_scheme).collect()
    }

    async fn get_scheme(&self, _actor: &Actor, id: Id) -> Result<Scheme> {
        let mut c = self.read().await?;
        scheme_by_id(&mut c, id).await
    }

    async fn create_scheme(
        &self,
        actor: &Actor,
        draft: SchemeDraft,
        based_on: Option<Id>,
    ) -> Result<Scheme> {
        actor.scope.may_run_assessments()?;
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM assessment_schemes WHERE code = $1 LIMIT 1")
                .bind(&draft.code)
                .fetch_optional(tx.conn())
                .await?;
        if let Some(other) = taken {
            return Err(StoreError::conflict(
                "code",
                format!(
                    "{} is already used by assessment scheme {other}",
                    draft.code
                ),
            ));
        }
        if let Some(source) = based_on {
            scheme_by_id(tx.conn(), source).await?;
        }
        let id = insert_scheme(tx.conn(), &draft, 1, based_on, now).await?;
        let scheme = scheme_by_id(tx.conn(), id).await?;
        tx.commit_audited(
            actor,
            "assessment_scheme",
            id,
            "create",
            None,
            Some(&scheme),
        )
        .await?;
        Ok(scheme)
    }

    async fn edit_scheme(&self, actor: &Actor, id: Id, draft: SchemeDraft) -> Result<Scheme> {
        actor.scope.may_run_assessments()?;
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let before = scheme_by_id(tx.conn(), id).await?;
        if draft.code != before.code {
            return Err(StoreError::invalid(
                "code",
                format!(
                    "a scheme keeps its code {:?}; copy it to make another",
                    before.code
                ),
            ));
        }
        if before.in_use {
            let latest: i64 = sqlx::query_scalar(
                "SELECT CAST(MAX(version) AS BIGINT) FROM assessment_schemes WHERE code = $1",
            )
            .bind(&before.code)
            .fetch_one(tx.conn())
            .await?;
            let new_id = insert_scheme(tx.conn(), &draft, latest + 1, Some(id), now).await?;
            let scheme = scheme_by_id(tx.conn(), new_id).await?;
            tx.commit_audited(
                actor,
                "assessment_scheme",
                new_id,
                "create",
                Some(&before),
                Some(&scheme),
            )
            .await?;
            return Ok(scheme);
        }
        sqlx::query(
            "UPDATE assessment_schemes SET name = $2, name_en = $3, year = $4, body = $5, updated_at = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(&draft.name)
        .bind(&draft.name_en)
        .bind(i64::from(draft.year))
        .bind(body_text(&draft.body)?)
        .bind(now)
        .execute(tx.conn())
        .await?;
        let scheme = scheme_by_id(tx.conn(), id).await?;
        tx.commit_audited(
            actor,
            "assessment_scheme",
            id,
            "update",
            Some(&before),
            Some(&scheme),
        )
        .await?;
        Ok(scheme)
    }

    async fn year_inputs(
        &self,
        actor: &Actor,
        year: i32,
        as_of: DateTime<Utc>,
    ) -> Result<YearInputs> {
        actor.scope.may_run_assessments()?;
        let mut c = self.read().await?;
        let year_end = NaiveDate::from_ymd_opt(year, 12, 31)
            .ok_or_else(|| StoreError::invalid("year", format!("{year} is not a year")))?;
        let firms: Vec<(i64, String, String, String, bool, Option<NaiveDate>, Option<i64>, String)> = sqlx::query_as(
            "SELECT id, credit_code, name, industry_code, above_size, founded_on, park_id, district FROM enterprises \
             WHERE archived = $1 AND status = 'active' ORDER BY id",
        )
        .bind(false)
        .fetch_all(&mut *c)
        .await?;
        let firms = firms
            .into_iter()
            .map(
                |(
                    id,
                    credit_code,
                    name,
                    industry_code,
                    above_size,
                    founded_on,
                    park_id,
                    district,
                )| FirmFacts {
                    id,
                    credit_code,
                    name,
                    industry_code,
                    above_size,
                    founded_on,
                    park_id,
                    district,
                },
            )
            .collect();
        let indicators: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, code, aggregation FROM indicators")
                .fetch_all(&mut *c)
                .await?;
        let indicators: HashMap<i64, (String, bool)> = indicators
            .into_iter()
            .map(|(id, code, aggregation)| (id, (code, aggregation == "last")))
            .collect();
        let (first, last) = (year * 100 + 1, year * 100 + 12);
        let values: Vec<(i64, i64, i32, i64)> = sqlx::query_as(
            "SELECT v.enterprise_id, v.indicator_id, v.month, v.value FROM figure_values v \
             JOIN figure_imports i ON i.id = v.import_id \
             WHERE v.month >= $1 AND v.month <= $2 AND i.at <= $3 \
             UNION ALL \
             SELECT h.enterprise_id, h.indicator_id, h.month, h.value FROM figure_history h \
             WHERE h.month >= $1 AND h.month <= $2 AND h.recorded_at <= $3 AND h.superseded_at > $3 \
               AND NOT EXISTS (SELECT 1 FROM figure_imports n WHERE n.id = h.superseded_by AND n.stored = $4)",
        )
        .bind(first)
        .bind(last)
        .bind(as_of)
        .bind(false)
        .fetch_all(&mut *c)
        .await?;
        // Sum indicators add up the months; "last" indicators take the latest month reported.
        let mut totals: HashMap<Id, BTreeMap<String, i64>> = HashMap::new();
        let mut latest: HashMap<(Id, i64), i32> = HashMap::new();
        for (enterprise, indicator, month, value) in values {
            let Some((code, is_last)) = indicators.get(&indicator) else {
                continue;
            };
            let entry = totals.entry(enterprise).or_default();
            if *is_last {
                let seen = latest.entry((enterprise, indicator)).or_insert(0);
                if month >= *seen {
                    *seen = month;
                    entry.insert(code.clone(), value);
                }
            } else {
                let total = entry.entry(code.clone()).or_insert(0);
                *total = total.checked_add(value).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "the {year} total of {code} of enterprise {enterprise} overflows"
                    ))
                })?;
            }
        }
        let held: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT holder, CAST(SUM(area) AS BIGINT) FROM ( \
               SELECT holder_enterprise_id AS holder, area_mu_centi AS area FROM land_parcels \
               WHERE archived = $1 AND holder_enterprise_id IS NOT NULL AND valid_from <= $2 \
                 AND (valid_to IS NULL OR valid_to >= $2) \
               UNION ALL \
               SELECT holder_enterprise_id, area_mu_centi FROM land_parcel_versions \
               WHERE holder_enterprise_id IS NOT NULL AND valid_from <= $2 AND valid_to >= $2 \
             ) t GROUP BY holder",
        )
        .bind(false)
        .bind(year_end)
        .fetch_all(&mut *c)
        .await?;
        let leased: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT enterprise_id, CAST(SUM(area_m2_centi) AS BIGINT) FROM leases \
             WHERE archived = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) GROUP BY enterprise_id",
        )
        .bind(false)
        .bind(year_end)
        .fetch_all(&mut *c)
        .await?;
        let mut areas: HashMap<Id, (i64, i64)> = HashMap::new();
        for (e, a) in held {
            areas.entry(e).or_default().0 = a;
        }
        for (e, a) in leased {
            areas.entry(e).or_default().1 = a;
        }
        let park_land: Vec<(i64, i64)> = sqlx::query_as("SELECT id, land_area_centi_mu FROM parks")
            .fetch_all(&mut *c)
            .await?;
        Ok(YearInputs {
            firms,
            totals,
            areas,
            park_land: park_land.into_iter().collect(),
        })
    }

    async fn record_run(&self, actor: &Actor, run: NewRun) -> Result<AssessmentRun> {
        actor.scope.may_run_assessments()?;
        let summary = run.summary.to_string();
        let mut tx = self.begin_write().await?;
        scheme_by_id(tx.conn(), run.scheme_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessment_runs (scheme_id, year, data_as_of, ran_at, actor, previous_run_id, firms, summary) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(run.scheme_id)
        .bind(i64::from(run.year))
        .bind(run.data_as_of)
        .bind(run.ran_at)
        .bind(&actor.account)
        .bind(run.previous_run_id)
        .bind(run.results.len() as i64)
        .bind(&summary)
        .fetch_one(tx.conn())
        .await?;
        for chunk in run.results.chunks(500) {
            let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
                "INSERT INTO assessment_results (run_id, enterprise_id, population, park_id, area_mu_centi, \
                 score_centi, rank, class, detail) ",
            );
            let mut rows = Vec::with_capacity(chunk.len());
            for (result, park) in chunk {
                let detail = serde_json::to_string(result)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                rows.push((result.clone(), *park, detail));
            }
            qb.push_values(rows, |mut b, (result, park, detail)| {
                b.push_bind(id)
                    .push_bind(result.enterprise_id)
                    .push_bind(result.population.clone())
                    .push_bind(park)
                    .push_bind(result.area.total_centi_mu())
                    .push_bind(result.score_centi)
                    .push_bind(result.rank)
                    .push_bind(result.class.as_str())
                    .push_bind(detail);
            });
            qb.build().execute(tx.conn()).await?;
        }
        let after = serde_json::json!({
            "scheme_id": run.scheme_id, "year": run.year, "data_as_of": run.data_as_of,
            "previous_run_id": run.previous_run_id, "firms": run.results.len(),
        });
        tx.commit_audited(actor, "assessment_run", id, "create", None, Some(&after))
            .await?;
        let mut c = self.read().await?;
        run_by_id(&mut c, id).await
    }

    async fn list_runs(&self, _actor: &Actor) -> Result<Vec<AssessmentRun>> {
        let mut c = self.read().await?;
        let rows: Vec<RunRow> =
            sqlx::query_as(&format!("{RUN_COLUMNS} ORDER BY r.year DESC, r.id DESC"))
                .fetch_all(&mut *c)
                .await?;
        rows.into_iter().map(RunRow::into_run).collect()
    }

    async fn get_run(&self, _actor: &Actor, id: Id) -> Result<AssessmentRun> {
        let mut c = self.read().await?;
        run_by_id(&mut c, id).await
    }

    async fn run_results(
        &self,
        actor: &Actor,
        run_id: Id,
        filter: &ResultFilter,
        paging: &Paging,
    ) -> Result<Page<StoredResult>> {
        let order = result_order(paging)?;
        let reach = actor.scope.reach(Kind::AssessmentResult);
        let mut c = self.read().await?;
        run_by_id(&mut c, run_id).await?;
        let mut count = QueryBuilder::new(
            "SELECT COUNT(*) FROM assessment_results ar JOIN enterprises e ON e.id = ar.enterprise_id",
        );
        push_result_filter(&mut count, run_id, &reach, filter);
        let total = count_rows(&mut c, &mut count).await?;
        let mut qb = QueryBuilder::new(RESULT_COLUMNS);
        push_result_filter(&mut qb, run_id, &reach, filter);
        qb.push(order);
        qb.push(" LIMIT ");
        qb.push_bind(sql_limit(paging));
        qb.push(" OFFSET ");
        qb.push_bind(paging.offset);
        let rows: Vec<ResultRow> = qb.build_query_as().fetch_all(&mut *c).await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(ResultRow::into_result)
                .collect::<Result<_>>()?,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn run_class_counts(
        &self,
        actor: &Actor,
        run_id: Id,
        filter: &ResultFilter,
    ) -> Result<Vec<(Class, i64)>> {
        let reach = actor.scope.reach(Kind::AssessmentResult);
        let mut c = self.read().await?;
        run_by_id(&mut c, run_id).await?;
        let mut qb = QueryBuilder::new(
            "SELECT ar.class, COUNT(*) FROM assessment_results ar JOIN enterprises e ON e.id = ar.enterprise_id",
        );
        push_result_filter(
            &mut qb,
            run_id,
            &reach,
            &ResultFilter {
                class: None,
                ..filter.clone()
            },
        );
        qb.push(" GROUP BY ar.class");
        let rows: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
        let counted: HashMap<String, i64> = rows.into_iter().collect();
        Ok(Class::ALL
            .iter()
            .map(|class| (*class, counted.get(class.as_str()).copied().unwrap_or(0)))
            .collect())
    }

    async fn firm_result(
        &self,
        actor: &Actor,
        run_id: Id,
        enterprise_id: Id,
    ) -> Result<StoredResult> {
        let reach = actor.scope.reach(Kind::AssessmentResult);
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::new(RESULT_COLUMNS);
        qb.push(" WHERE ar.run_id = ");
        qb.push_bind(run_id);
        qb.push(" AND ar.enterprise_id = ");
        qb.push_bind(enterprise_id);
        push_reach(&mut qb, Kind::AssessmentResult, &reach);
        let row: Option<ResultRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
        row.ok_or(StoreError::NotFound {
            kind: "assessment result",
            id: enterprise_id,
        })?
        .into_result()
    }
}

async fn insert_scheme(
    c: &mut Conn,
    draft: &SchemeDraft,
    version: i64,
    based_on: Option<Id>,
    now: DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO assessment_schemes (code, version, name, name_en, year, body, based_on_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(&draft.code)
    .bind(version)
    .bind(&draft.name)
    .bind(&draft.name_en)
    .bind(i64::from(draft.year))
    .bind(body_text(&draft.body)?)
    .bind(based_on)
    .bind(now)
    .fetch_one(&mut *c)
    .await?)
}

async fn run_by_id(c: &mut Conn, id: Id) -> Result<AssessmentRun> {
    let row: Option<RunRow> = sqlx::query_as(&format!("{RUN_COLUMNS} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound {
        kind: "assessment run",
        id,
    })?
    .into_run()
}
