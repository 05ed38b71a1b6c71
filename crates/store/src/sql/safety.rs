//! Safety inspections in SQL, compiled once per engine (`crate::sqlite`, `crate::postgres`) with that engine's
//! `Db` and store type `Engine`: plans and checklists, inspections with findings and photos, hazards, their work
//! orders and re-checks. Every query of these tables joins the plan (`inspection_plans ip`), whose park ties them
//! to the policy's reach of `Kind::Inspection`.

use super::{Db, Engine};

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::parkops::safety::{
    ChecklistItem, Finding, FindingResult, Hazard, HazardCount, HazardLevel, HazardStatus,
    Inspection, InspectionDraft, InspectionPlan, MAX_PHOTOS_PER_INSPECTION, PhotoInfo, PlanDraft,
    Recheck, RecheckInput, after_recheck, check_photo, count_by_level, hazard_deadline,
    hazard_work_order, may_open_work_order, may_recheck, next_due,
};
use chainpark_core::registry::Id;
use chainpark_core::time::china_date;
use chainpark_core::workflow::work_orders::{WorkOrder, WorkOrderStatus};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, QueryBuilder};

use super::tx::audit;
use super::workflow::calendar::calendar;
use super::workflow::work_orders::insert_work_order;
use crate::common::{corrupt, push_reach};
use crate::safety::{HazardDetail, HazardFilter, SafetyStore};
use crate::{Actor, Result, StoreError};
type Conn = <Db as sqlx::Database>::Connection;

const PLAN_COLUMNS: &str = "SELECT ip.id, ip.park_id, ip.building_id, ip.title, ip.every_days, ip.starts_on, \
    (SELECT MAX(i.inspected_on) FROM inspections i WHERE i.plan_id = ip.id) AS last_done_on \
    FROM inspection_plans ip";
const INSPECTION_COLUMNS: &str = "SELECT i.id, i.plan_id, i.park_id, ip.title AS plan_title, i.inspector, \
    i.recorded_by, i.inspected_at FROM inspections i JOIN inspection_plans ip ON ip.id = i.plan_id";
const HAZARD_COLUMNS: &str = "SELECT h.id, h.park_id, h.building_id, h.inspection_id, h.item_id, h.level, \
    h.description, h.found_on, h.deadline, h.working_days, h.status, h.work_order_id, h.closed_at, h.version \
    FROM hazards h JOIN inspections i ON i.id = h.inspection_id JOIN inspection_plans ip ON ip.id = i.plan_id";
const PHOTO_COLUMNS: &str = "SELECT p.id, p.inspection_id, p.item_id, p.content_type, p.size, p.uploaded_at \
    FROM inspection_photos p JOIN inspections i ON i.id = p.inspection_id \
    JOIN inspection_plans ip ON ip.id = i.plan_id";

#[derive(FromRow)]
struct PlanRow {
    id: i64,
    park_id: i64,
    building_id: Option<i64>,
    title: String,
    every_days: i32,
    starts_on: NaiveDate,
    last_done_on: Option<NaiveDate>,
}

#[derive(FromRow)]
struct InspectionRow {
    id: i64,
    plan_id: i64,
    park_id: i64,
    plan_title: String,
    inspector: String,
    recorded_by: String,
    inspected_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct HazardRow {
    id: i64,
    park_id: i64,
    building_id: Option<i64>,
    inspection_id: i64,
    item_id: i64,
    level: String,
    description: String,
    found_on: NaiveDate,
    deadline: NaiveDate,
    working_days: i32,
    status: String,
    work_order_id: Option<i64>,
    closed_at: Option<DateTime<Utc>>,
    version: i64,
}

impl HazardRow {
    fn into_hazard(self) -> Result<Hazard> {
        Ok(Hazard {
            level: HazardLevel::parse(&self.level)
                .ok_or_else(|| corrupt("hazard", self.id, "level"))?,
            status: HazardStatus::parse(&self.status)
                .ok_or_else(|| corrupt("hazard", self.id, "status"))?,
            id: self.id,
            park_id: self.park_id,
            building_id: self.building_id,
            inspection_id: self.inspection_id,
            item_id: self.item_id,
            description: self.description,
            found_on: self.found_on,
            deadline: self.deadline,
            working_days: self.working_days,
            work_order_id: self.work_order_id,
            closed_at: self.closed_at,
            version: self.version,
        })
    }
}

#[derive(FromRow)]
struct PhotoRow {
    id: i64,
    inspection_id: i64,
    item_id: Option<i64>,
    content_type: String,
    size: i64,
    uploaded_at: DateTime<Utc>,
}

impl PhotoRow {
    fn into_info(self) -> PhotoInfo {
        PhotoInfo {
            id: self.id,
            inspection_id: self.inspection_id,
            item_id: self.item_id,
            content_type: self.content_type,
            size: self.size,
            uploaded_at: self.uploaded_at,
        }
    }
}

async fn checklist(c: &mut Conn, plan_id: Id) -> Result<Vec<ChecklistItem>> {
    let rows: Vec<(i64, i32, String)> = sqlx::query_as(
        "SELECT id, position, text FROM checklist_items WHERE plan_id = $1 ORDER BY position",
    )
    .bind(plan_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, position, text)| ChecklistItem { id, position, text })
        .collect())
}

async fn plan_with_checklist(c: &mut Conn, row: PlanRow) -> Result<InspectionPlan> {
    let checklist = checklist(c, row.id).await?;
    Ok(InspectionPlan {
        next_due_on: next_due(row.starts_on, row.every_days, row.last_done_on),
        id: row.id,
        park_id: row.park_id,
        building_id: row.building_id,
        title: row.title,
        every_days: row.every_days,
        checklist,
        starts_on: row.starts_on,
        last_done_on: row.last_done_on,
    })
}

async fn plan_row(c: &mut Conn, actor: &Actor, id: Id) -> Result<InspectionPlan> {
    let mut qb = QueryBuilder::<Db>::new(format!("{PLAN_COLUMNS} WHERE ip.id = "));
    qb.push_bind(id);
    push_reach(
        &mut qb,
        Kind::Inspection,
        &actor.scope.reach(Kind::Inspection),
    );
    let row: Option<PlanRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
    let row = row.ok_or(StoreError::NotFound {
        kind: "inspection plan",
        id,
    })?;
    plan_with_checklist(c, row).await
}

async fn complete_inspection(c: &mut Conn, row: InspectionRow) -> Result<Inspection> {
    let findings: Vec<(i64, i32, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT f.item_id, ci.position, ci.text, f.result, f.note, h.id FROM inspection_findings f \
         JOIN checklist_items ci ON ci.id = f.item_id \
         LEFT JOIN hazards h ON h.inspection_id = f.inspection_id AND h.item_id = f.item_id \
         WHERE f.inspection_id = $1 ORDER BY ci.position",
    )
    .bind(row.id)
    .fetch_all(&mut *c)
    .await?;
    let findings = findings
        .into_iter()
        .map(|(item_id, position, item, result, note, hazard_id)| {
            Ok(Finding {
                result: FindingResult::parse(&result)
                    .ok_or_else(|| corrupt("inspection", row.id, "finding result"))?,
                item_id,
                position,
                item,
                note,
                hazard_id,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let photos: Vec<PhotoRow> = sqlx::query_as(
        "SELECT p.id, p.inspection_id, p.item_id, p.content_type, p.size, p.uploaded_at \
         FROM inspection_photos p WHERE p.inspection_id = $1 ORDER BY p.id",
    )
    .bind(row.id)
    .fetch_all(&mut *c)
    .await?;
    Ok(Inspection {
        id: row.id,
        plan_id: row.plan_id,
        park_id: row.park_id,
        plan_title: row.plan_title,
        inspector: row.inspector,
        recorded_by: row.recorded_by,
        inspected_at: row.inspected_at,
        findings,
        photos: photos.into_iter().map(PhotoRow::into_info).collect(),
    })
}

async fn inspection_row(c: &mut Conn, actor: &Actor, id: Id) -> Result<Inspection> {
    let mut qb = QueryBuilder::<Db>::new(format!("{INSPECTION_COLUMNS} WHERE i.id = "));
    qb.push_bind(id);
    push_reach(
        &mut qb,
        Kind::Inspection,
        &actor.scope.reach(Kind::Inspection),
    );
    let row: Option<InspectionRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
    let row = row.ok_or(StoreError::NotFound {
        kind: "inspection",
        id,
    })?;
    complete_inspection(c, row).await
}

async fn hazard_row(c: &mut Conn, actor: &Actor, id: Id) -> Result<Hazard> {
    let mut qb = QueryBuilder::<Db>::new(format!("{HAZARD_COLUMNS} WHERE h.id = "));
    qb.push_bind(id);
    push_reach(
        &mut qb,
        Kind::Inspection,
        &actor.scope.reach(Kind::Inspection),
    );
    let row: Option<HazardRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
    row.ok_or(StoreError::NotFound { kind: "hazard", id })?
        .into_hazard()
}

async fn hazard_detail(c: &mut Conn, hazard: Hazard) -> Result<HazardDetail> {
    let (plan_id, plan_title, item): (i64, String, String) = sqlx::query_as(
        "SELECT ip.id, ip.title, ci.text FROM inspections i JOIN inspection_plans ip ON ip.id = i.plan_id \
         JOIN checklist_items ci ON ci.id = $2 WHERE i.id = $1",
    )
    .bind(hazard.inspection_id)
    .bind(hazard.item_id)
    .fetch_one(&mut *c)
    .await?;
    let rows: Vec<(i64, DateTime<Utc>, String, bool, String)> = sqlx::query_as(
        "SELECT id, checked_at, checked_by, passed, note FROM hazard_rechecks WHERE hazard_id = $1 \
         ORDER BY checked_at, id",
    )
    .bind(hazard.id)
    .fetch_all(&mut *c)
    .await?;
    let rechecks = rows
        .into_iter()
        .map(|(id, checked_at, checked_by, passed, note)| Recheck {
            id,
            hazard_id: hazard.id,
            checked_at,
            checked_by,
            passed,
            note,
        })
        .collect();
    Ok(HazardDetail {
        hazard,
        plan_id,
        plan_title,
        item,
        rechecks,
    })
}

/// The place a hazard's work order names: its building's code and name, or the plan's title.
async fn hazard_facility(c: &mut Conn, hazard: &Hazard) -> Result<String> {
    let building: Option<(String, String)> = match hazard.building_id {
        Some(id) => {
            sqlx::query_as("SELECT code, name FROM buildings WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
        }
        None => None,
    };
    if let Some((code, name)) = building {
        return Ok(format!("{code} {name}"));
    }
    let title: String = sqlx::query_scalar(
        "SELECT ip.title FROM inspections i JOIN inspection_plans ip ON ip.id = i.plan_id WHERE i.id = $1",
    )
    .bind(hazard.inspection_id)
    .fetch_one(&mut *c)
    .await?;
    Ok(title)
}

fn refused(r: chainpark_core::parkops::safety::Refused) -> StoreError {
    StoreError::conflict(r.0, r.1)
}

#[async_trait]
impl SafetyStore for Engine {
    async fn create_plan(
        &self,
        actor: &Actor,
        d: PlanDraft,
        now: DateTime<Utc>,
    ) -> Result<InspectionPlan> {
        actor.scope.may_keep_safety(d.park_id)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let park: Option<bool> = sqlx::query_scalar("SELECT archived FROM parks WHERE id = $1")
            .bind(d.park_id)
            .fetch_optional(&mut *c)
            .await?;
        if park != Some(false) {
            return Err(StoreError::invalid(
                "park_id",
                format!("{} does not exist or is archived", d.park_id),
            ));
        }
        if let Some(building) = d.building_id {
            let of: Option<i64> = sqlx::query_scalar("SELECT park_id FROM buildings WHERE id = $1")
                .bind(building)
                .fetch_optional(&mut *c)
                .await?;
            if of != Some(d.park_id) {
                return Err(StoreError::invalid(
                    "building_id",
                    format!("{building} is not a building of park {}", d.park_id),
                ));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inspection_plans (park_id, building_id, title, every_days, starts_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(d.park_id)
        .bind(d.building_id)
        .bind(&d.title)
        .bind(d.every_days)
        .bind(d.starts_on)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        for (i, text) in d.checklist.iter().enumerate() {
            sqlx::query(
                "INSERT INTO checklist_items (plan_id, position, text) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(i as i32 + 1)
            .bind(text)
            .execute(&mut *c)
            .await?;
        }
        let after = plan_row(c, &Actor::system("safety"), id).await?;
        tx.commit_audited(actor, "inspection_plan", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_plans(&self, actor: &Actor, park_id: Option<Id>) -> Result<Vec<InspectionPlan>> {
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(format!("{PLAN_COLUMNS} WHERE 1 = 1"));
        push_reach(
            &mut qb,
            Kind::Inspection,
            &actor.scope.reach(Kind::Inspection),
        );
        if let Some(park) = park_id {
            qb.push(" AND ip.park_id = ").push_bind(park);
        }
        qb.push(" ORDER BY ip.park_id, ip.title, ip.id");
        let rows: Vec<PlanRow> = qb.build_query_as().fetch_all(&mut *c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(plan_with_checklist(&mut c, row).await?);
        }
        Ok(out)
    }

    async fn get_plan(&self, actor: &Actor, id: Id) -> Result<InspectionPlan> {
        let mut c = self.read().await?;
        plan_row(&mut c, actor, id).await
    }

    async fn record_inspection(
        &self,
        actor: &Actor,
        d: InspectionDraft,
        now: DateTime<Utc>,
    ) -> Result<Inspection> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let plan = plan_row(c, actor, d.plan_id).await?;
        actor.scope.may_keep_safety(plan.park_id)?;
        let found_on = china_date(d.inspected_at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inspections (plan_id, park_id, inspector, recorded_by, inspected_at, inspected_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(plan.id)
        .bind(plan.park_id)
        .bind(&d.inspector)
        .bind(&actor.account)
        .bind(d.inspected_at)
        .bind(found_on)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        let work_calendar = calendar(c).await?;
        let mut hazards = Vec::new();
        for f in &d.findings {
            if !plan.checklist.iter().any(|item| item.id == f.item_id) {
                return Err(StoreError::invalid(
                    "findings",
                    format!(
                        "{} is not an item of plan {}'s checklist",
                        f.item_id, plan.id
                    ),
                ));
            }
            sqlx::query(
                "INSERT INTO inspection_findings (inspection_id, item_id, result, note) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(f.item_id)
            .bind(f.result.as_str())
            .bind(&f.note)
            .execute(&mut *c)
            .await?;
            if let Some(h) = &f.hazard {
                let due = hazard_deadline(&work_calendar, found_on, h.working_days)
                    .map_err(|e| StoreError::invalid("hazard.working_days", e.to_string()))?;
                let hazard: i64 = sqlx::query_scalar(
                    "INSERT INTO hazards (park_id, building_id, inspection_id, item_id, level, description, found_on, \
                     working_days, deadline, provisional_year, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind(plan.park_id)
                .bind(plan.building_id)
                .bind(id)
                .bind(f.item_id)
                .bind(h.level.as_str())
                .bind(&h.description)
                .bind(found_on)
                .bind(h.working_days as i32)
                .bind(due.date)
                .bind(due.provisional_year)
                .bind(HazardStatus::Open.as_str())
                .bind(now)
                .bind(now)
                .fetch_one(&mut *c)
                .await?;
                hazards.push(hazard);
            }
        }
        let system = Actor::system("safety");
        for hazard in hazards {
            let after = hazard_row(c, &system, hazard).await?;
            audit(c, actor, "hazard", hazard, "create", None, Some(&after)).await?;
        }
        let after = inspection_row(c, &system, id).await?;
        tx.commit_audited(actor, "inspection", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_inspections(
        &self,
        actor: &Actor,
        park_id: Option<Id>,
        plan_id: Option<Id>,
    ) -> Result<Vec<Inspection>> {
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(format!("{INSPECTION_COLUMNS} WHERE 1 = 1"));
        push_reach(
            &mut qb,
            Kind::Inspection,
            &actor.scope.reach(Kind::Inspection),
        );
        if let Some(park) = park_id {
            qb.push(" AND i.park_id = ").push_bind(park);
        }
        if let Some(plan) = plan_id {
            qb.push(" AND i.plan_id = ").push_bind(plan);
        }
        qb.push(" ORDER BY i.inspected_at DESC, i.id DESC LIMIT 200");
        let rows: Vec<InspectionRow> = qb.build_query_as().fetch_all(&mut *c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(complete_inspection(&mut c, row).await?);
        }
        Ok(out)
    }

    async fn get_inspection(&self, actor: &Actor, id: Id) -> Result<Inspection> {
        let mut c = self.read().await?;
        inspection_row(&mut c, actor, id).await
    }

    async fn add_photo(
        &self,
        actor: &Actor,
        inspection_id: Id,
        item_id: Option<Id>,
        content_type: &str,
        bytes: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<PhotoInfo> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let inspection = inspection_row(c, actor, inspection_id).await?;
        actor.scope.may_keep_safety(inspection.park_id)?;
        let kind = check_photo(content_type, &bytes)?;
        if let Some(item) = item_id
            && !inspection.findings.iter().any(|f| f.item_id == item)
        {
            return Err(StoreError::invalid(
                "item_id",
                format!("{item} is not an item of inspection {inspection_id}"),
            ));
        }
        if inspection.photos.len() as i64 >= MAX_PHOTOS_PER_INSPECTION {
            return Err(StoreError::conflict(
                "photo",
                format!(
                    "inspection {inspection_id} has {MAX_PHOTOS_PER_INSPECTION} photos already"
                ),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inspection_photos (inspection_id, item_id, content_type, size, data, uploaded_at, uploaded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(inspection_id)
        .bind(item_id)
        .bind(kind)
        .bind(bytes.len() as i64)
        .bind(bytes)
        .bind(now)
        .bind(&actor.account)
        .fetch_one(&mut *c)
        .await?;
        let info = PhotoInfo {
            id,
            inspection_id,
            item_id,
            content_type: kind.to_string(),
            size: 0,
            uploaded_at: now,
        };
        let info: PhotoInfo =
            sqlx::query_as::<_, PhotoRow>(&format!("{PHOTO_COLUMNS} WHERE p.id = $1"))
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
                .map_or(info, PhotoRow::into_info);
        tx.commit_audited(actor, "inspection_photo", id, "create", None, Some(&info))
            .await?;
        Ok(info)
    }

    async fn get_photo(&self, actor: &Actor, id: Id) -> Result<(PhotoInfo, Vec<u8>)> {
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(format!("{PHOTO_COLUMNS} WHERE p.id = "));
        qb.push_bind(id);
        push_reach(
            &mut qb,
            Kind::Inspection,
            &actor.scope.reach(Kind::Inspection),
        );
        let row: Option<PhotoRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
        let info = row
            .ok_or(StoreError::NotFound { kind: "photo", id })?
            .into_info();
        let bytes: Vec<u8> = sqlx::query_scalar("SELECT data FROM inspection_photos WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *c)
            .await?;
        Ok((info, bytes))
    }

    async fn list_hazards(&self, actor: &Actor, filter: &HazardFilter) -> Result<Vec<Hazard>> {
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(format!("{HAZARD_COLUMNS} WHERE 1 = 1"));
        push_reach(
            &mut qb,
            Kind::Inspection,
            &actor.scope.reach(Kind::Inspection),
        );
        if let Some(park) = filter.park_id {
            qb.push(" AND h.park_id = ").push_bind(park);
        }
        if let Some(level) = filter.level {
            qb.push(" AND h.level = ").push_bind(level.as_str());
        }
        match filter.open {
            Some(true) => {
                qb.push(" AND h.status <> 'closed'");
            }
            Some(false) => {
                qb.push(" AND h.status = 'closed'");
            }
            None => {}
        }
        qb.push(
            " ORDER BY CASE WHEN h.status = 'closed' THEN 1 ELSE 0 END, h.deadline, h.id LIMIT 1000",
        );
        let rows: Vec<HazardRow> = qb.build_query_as().fetch_all(&mut *c).await?;
        rows.into_iter().map(HazardRow::into_hazard).collect()
    }

    async fn get_hazard(&self, actor: &Actor, id: Id) -> Result<HazardDetail> {
        let mut c = self.read().await?;
        let hazard = hazard_row(&mut c, actor, id).await?;
        hazard_detail(&mut c, hazard).await
    }

    async fn open_hazard_work_order(
        &self,
        actor: &Actor,
        id: Id,
        assignee_person_id: Option<Id>,
        at: DateTime<Utc>,
    ) -> Result<(Hazard, WorkOrder)> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = hazard_row(c, actor, id).await?;
        actor.scope.may_keep_safety(before.park_id)?;
        may_open_work_order(&before).map_err(refused)?;
        let facility = hazard_facility(c, &before).await?;
        let mut draft = hazard_work_order(&before, &facility, &calendar(c).await?, china_date(at));
        draft.assignee_person_id = assignee_person_id;
        let draft = draft.parse()?;
        let order = insert_work_order(c, actor, draft, at).await?;
        audit(
            c,
            actor,
            "work_order",
            order.id,
            "create",
            None,
            Some(&order),
        )
        .await?;
        sqlx::query(
            "UPDATE hazards SET status = $1, work_order_id = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(HazardStatus::Rectifying.as_str())
        .bind(order.id)
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await?;
        let after = hazard_row(c, &Actor::system("safety"), id).await?;
        tx.commit_audited(
            actor,
            "hazard",
            id,
            "work_order",
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok((after, order))
    }

    async fn recheck_hazard(
        &self,
        actor: &Actor,
        id: Id,
        input: RecheckInput,
        version: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<HazardDetail> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = hazard_row(c, actor, id).await?;
        actor.scope.may_keep_safety(before.park_id)?;
        if let Some(v) = version
            && v != before.version
        {
            return Err(StoreError::conflict(
                "version",
                format!(
                    "hazard {id} was changed since (version {} now, {v} sent)",
                    before.version
                ),
            ));
        }
        let order_status: Option<String> = match before.work_order_id {
            Some(order) => {
                sqlx::query_scalar("SELECT status FROM work_orders WHERE id = $1")
                    .bind(order)
                    .fetch_optional(&mut *c)
                    .await?
            }
            None => None,
        };
        let order_status = order_status.as_deref().and_then(WorkOrderStatus::parse);
        may_recheck(&before, order_status).map_err(refused)?;
        let status = after_recheck(input.passed);
        sqlx::query(
            "INSERT INTO hazard_rechecks (hazard_id, work_order_id, checked_at, checked_by, passed, note) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(before.work_order_id)
        .bind(at)
        .bind(&actor.account)
        .bind(input.passed)
        .bind(&input.note)
        .execute(&mut *c)
        .await?;
        let closed_at = (status == HazardStatus::Closed).then_some(at);
        sqlx::query(
            "UPDATE hazards SET status = $1, closed_at = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(closed_at)
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await?;
        let after = hazard_row(c, &Actor::system("safety"), id).await?;
        let detail = hazard_detail(c, after.clone()).await?;
        tx.commit_audited(actor, "hazard", id, "recheck", Some(&before), Some(&after))
            .await?;
        Ok(detail)
    }

    async fn hazard_counts(
        &self,
        actor: &Actor,
        park_id: Id,
        today: NaiveDate,
    ) -> Result<Vec<HazardCount>> {
        actor.scope.may_read_safety(park_id)?;
        let mut c = self.read().await?;
        let rows: Vec<HazardRow> = sqlx::query_as(&format!(
            "{HAZARD_COLUMNS} WHERE h.park_id = $1 AND h.status <> 'closed'"
        ))
        .bind(park_id)
        .fetch_all(&mut *c)
        .await?;
        let hazards = rows
            .into_iter()
            .map(HazardRow::into_hazard)
            .collect::<Result<Vec<_>>>()?;
        Ok(count_by_level(&hazards, today))
    }
}
