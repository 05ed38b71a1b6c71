//! Safety inspections (安全巡检) pages: the list of a viewer's plans and hazards, the form of a new plan, a plan
//! with the form that records an inspection (a result per checklist item, a hazard with each failed one), and a
//! hazard with its work order and re-checks. They read and write through the same store methods as the API, so
//! the access policy of `Kind::Inspection` applies: the park's team writes, readers of everything read.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainpark_core::error::{Invalid, Violations};
use chainpark_core::parkops::safety::{
    FindingInput, FindingResult, HazardInput, HazardLevel, HazardStatus, InspectionInput,
    PlanInput, RecheckInput, is_overdue,
};
use chainpark_core::registry::Id;
use chainpark_core::time::china;
use chainpark_store::safety::HazardFilter;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

use super::form::{self, FormErrors};
use super::picker::{self, Choice};
use super::{Chrome, FormPost, PageResult, Viewer, render};
use crate::AppState;
use crate::error::ApiError;

fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Pages of safety work: readers of everything and park chiefs and staff; anyone else 403.
fn require(viewer: &Viewer) -> Result<(), super::PageError> {
    if viewer.actor().scope.may_see_safety() {
        Ok(())
    } else {
        Err(viewer.fail(ApiError::Forbidden(
            "this account does not see safety inspections".into(),
        )))
    }
}

struct PlanLine {
    id: Id,
    title: String,
    park: String,
    every_days: i32,
    next_due: String,
    due: bool,
}

struct HazardLine {
    id: Id,
    level: &'static str,
    level_code: &'static str,
    description: String,
    park: String,
    status: &'static str,
    deadline: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "safety.html")]
struct SafetyPage {
    chrome: Chrome,
    parks: Vec<Choice>,
    plans: Vec<PlanLine>,
    hazards: Vec<HazardLine>,
    may_plan: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct SafetyQuery {
    park_id: Option<Id>,
}

async fn park_names(state: &AppState, viewer: &Viewer) -> Result<HashMap<Id, String>, ApiError> {
    Ok(picker::parks(state, viewer).await?.into_iter().collect())
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SafetyQuery>,
) -> PageResult {
    require(&viewer)?;
    let fail = |e| viewer.fail(e);
    let actor = viewer.actor();
    let today = state.clock.today();
    let names = park_names(&state, &viewer).await.map_err(fail)?;
    let park_name = |id: Id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let plans = state
        .store
        .list_plans(actor, q.park_id)
        .await
        .map_err(|e| viewer.fail(e))?
        .into_iter()
        .map(|p| PlanLine {
            id: p.id,
            park: park_name(p.park_id),
            every_days: p.every_days,
            due: p.next_due_on <= today,
            next_due: p.next_due_on.to_string(),
            title: p.title,
        })
        .collect();
    let hazards = state
        .store
        .list_hazards(
            actor,
            &HazardFilter {
                park_id: q.park_id,
                ..HazardFilter::default()
            },
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .into_iter()
        .map(|h| HazardLine {
            id: h.id,
            level: viewer.t(&format!("safety.level.{}", h.level)),
            level_code: h.level.as_str(),
            park: park_name(h.park_id),
            status: viewer.t(&format!("safety.status.{}", h.status)),
            deadline: h.deadline.to_string(),
            overdue: is_overdue(&h, today),
            description: h.description,
        })
        .collect();
    let scope = &actor.scope;
    let may_plan = names.keys().any(|p| scope.may_keep_safety(*p).is_ok());
    let mut parks: Vec<(Id, String)> = names.into_iter().collect();
    parks.sort();
    Ok(render(SafetyPage {
        chrome: viewer.chrome(viewer.t("safety.title"), "parks"),
        parks: picker::choices(parks, q.park_id),
        plans,
        hazards,
        may_plan,
    }))
}

// ---- a new plan ----

#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct PlanForm {
    #[serde(default)]
    park_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    every_days: String,
    #[serde(default)]
    starts_on: String,
    /// One checklist item a line.
    #[serde(default)]
    checklist: String,
}

const PLAN_FIELDS: &[&str] = &["park_id", "title", "every_days", "starts_on", "checklist"];

#[derive(Template)]
#[template(path = "safety_plan_new.html")]
struct NewPlanPage {
    chrome: Chrome,
    parks: Vec<Choice>,
    form: PlanForm,
    errors: FormErrors,
}

pub async fn new_plan(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    new_plan_page(&state, &viewer, PlanForm::default(), FormErrors::none()).await
}

async fn new_plan_page(
    state: &AppState,
    viewer: &Viewer,
    form: PlanForm,
    errors: FormErrors,
) -> PageResult {
    require(viewer)?;
    let scope = &viewer.actor().scope;
    let parks: Vec<(Id, String)> = picker::parks(state, viewer)
        .await
        .map_err(|e| viewer.fail(e))?
        .into_iter()
        .filter(|(id, _)| scope.may_keep_safety(*id).is_ok())
        .collect();
    if parks.is_empty() {
        return Err(viewer.fail(ApiError::Forbidden(
            "this account keeps no park's inspections".into(),
        )));
    }
    let picked = form
        .park_id
        .trim()
        .parse::<Id>()
        .ok()
        .or_else(|| (parks.len() == 1).then(|| parks[0].0));
    Ok(render(NewPlanPage {
        chrome: viewer.chrome(viewer.t("safety.new_plan"), "parks"),
        parks: picker::choices(parks, picked),
        form,
        errors,
    }))
}

pub async fn create_plan(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<PlanForm>,
) -> Response {
    let result: Result<String, ApiError> = async {
        let mut v = Violations::default();
        let park_id = form.park_id.trim().parse::<Id>().unwrap_or_else(|_| {
            v.add("park_id", "is required");
            0
        });
        let every_days = form.every_days.trim().parse::<i32>().unwrap_or_else(|_| {
            v.add("every_days", "must be a number");
            0
        });
        let starts_on = NaiveDate::parse_from_str(form.starts_on.trim(), "%Y-%m-%d")
            .unwrap_or_else(|_| {
                v.add("starts_on", "must be a date");
                NaiveDate::MIN
            });
        let checklist: Vec<String> = form
            .checklist
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let parsed = PlanInput {
            park_id,
            building_id: None,
            title: form.title.clone(),
            every_days,
            starts_on,
            checklist,
        }
        .parse();
        if let Err(Invalid(errors)) = &parsed {
            for e in errors {
                let field = if e.field.starts_with("checklist") {
                    "checklist"
                } else {
                    &e.field
                };
                if field != "every_days" || every_days != 0 {
                    v.add(field, e.message.clone());
                }
            }
        }
        if !v.is_empty() {
            return Err(v.into_invalid().into());
        }
        let plan = state
            .store
            .create_plan(viewer.actor(), parsed?, state.clock.now())
            .await?;
        Ok(format!("/safety/plans/{}", plan.id))
    }
    .await;
    form::answer(viewer.lang, result, PLAN_FIELDS, |errors| async move {
        new_plan_page(&state, &viewer, form, errors).await
    })
    .await
}

// ---- a plan, and the form of an inspection ----

struct ItemRow {
    id: Id,
    position: i32,
    text: String,
    result: String,
    note: String,
    level: String,
    description: String,
    result_error: String,
    hazard_error: String,
}

struct InspectionLine {
    id: Id,
    at: String,
    inspector: String,
    failed: usize,
    photos: Vec<Id>,
}

#[derive(Template)]
#[template(path = "safety_plan.html")]
struct PlanPage {
    chrome: Chrome,
    id: Id,
    title: String,
    park_id: Id,
    park: String,
    every_days: i32,
    starts_on: String,
    last_done: String,
    next_due: String,
    items: Vec<ItemRow>,
    results: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    may_record: bool,
    inspector: String,
    inspected_at: String,
    errors: FormErrors,
    inspections: Vec<InspectionLine>,
}

pub async fn plan(State(state): State<AppState>, viewer: Viewer, Path(id): Path<Id>) -> PageResult {
    plan_page(&state, &viewer, id, HashMap::new(), FormErrors::none()).await
}

async fn plan_page(
    state: &AppState,
    viewer: &Viewer,
    id: Id,
    typed: HashMap<String, String>,
    errors: FormErrors,
) -> PageResult {
    require(viewer)?;
    let actor = viewer.actor();
    let plan = state
        .store
        .get_plan(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let park = state
        .store
        .get_park(actor, plan.park_id)
        .await
        .map(|p| viewer.lang.pick(&p.name, &p.name_en).to_string())
        .unwrap_or_else(|_| format!("#{}", plan.park_id));
    let inspections = state
        .store
        .list_inspections(actor, None, Some(id))
        .await
        .map_err(|e| viewer.fail(e))?
        .into_iter()
        .map(|i| InspectionLine {
            id: i.id,
            at: when(i.inspected_at),
            failed: i
                .findings
                .iter()
                .filter(|f| f.result == FindingResult::Fail)
                .count(),
            photos: i.photos.iter().map(|p| p.id).collect(),
            inspector: i.inspector,
        })
        .collect();
    let value = |key: String| typed.get(&key).cloned().unwrap_or_default();
    let items = plan
        .checklist
        .iter()
        .map(|item| ItemRow {
            id: item.id,
            position: item.position,
            text: item.text.clone(),
            result: value(format!("result_{}", item.id)),
            note: value(format!("note_{}", item.id)),
            level: value(format!("level_{}", item.id)),
            description: value(format!("hazard_{}", item.id)),
            result_error: errors.get(&format!("result_{}", item.id)).to_string(),
            hazard_error: errors.get(&format!("hazard_{}", item.id)).to_string(),
        })
        .collect();
    let now = state.clock.now();
    Ok(render(PlanPage {
        chrome: viewer.chrome(plan.title.clone(), "parks"),
        id: plan.id,
        park_id: plan.park_id,
        park,
        every_days: plan.every_days,
        starts_on: plan.starts_on.to_string(),
        last_done: plan.last_done_on.map(|d| d.to_string()).unwrap_or_default(),
        next_due: plan.next_due_on.to_string(),
        title: plan.title,
        items,
        results: FindingResult::ALL
            .iter()
            .map(|r| (r.as_str(), viewer.t(&format!("safety.result.{r}"))))
            .collect(),
        levels: HazardLevel::ALL
            .iter()
            .map(|l| (l.as_str(), viewer.t(&format!("safety.level.{l}"))))
            .collect(),
        may_record: actor.scope.may_keep_safety(plan.park_id).is_ok(),
        inspector: typed.get("inspector").cloned().unwrap_or_default(),
        inspected_at: typed.get("inspected_at").cloned().unwrap_or_else(|| {
            now.with_timezone(&china())
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        }),
        errors,
        inspections,
    }))
}

/// A China-time `datetime-local` value.
fn china_instant(text: &str) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    china()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

pub async fn record_inspection(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<HashMap<String, String>>,
) -> Response {
    let mut fields: Vec<String> = vec!["inspector".into(), "inspected_at".into()];
    let result: Result<String, ApiError> = async {
        let plan = state.store.get_plan(viewer.actor(), id).await?;
        let now = state.clock.now();
        let mut v = Violations::default();
        let inspected_at = form
            .get("inspected_at")
            .and_then(|t| china_instant(t))
            .unwrap_or_else(|| {
                v.add("inspected_at", "must be a date and time");
                now
            });
        let mut findings = Vec::new();
        for item in &plan.checklist {
            fields.push(format!("result_{}", item.id));
            fields.push(format!("hazard_{}", item.id));
            let text = |name: &str| {
                form.get(&format!("{name}_{}", item.id))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            let Some(result) = FindingResult::parse(&text("result")) else {
                v.add(&format!("result_{}", item.id), "is required");
                continue;
            };
            let hazard = (result == FindingResult::Fail).then(|| HazardInput {
                level: HazardLevel::parse(&text("level")).unwrap_or(HazardLevel::General),
                description: text("hazard"),
                working_days: None,
            });
            findings.push(FindingInput {
                item_id: item.id,
                result,
                note: text("note"),
                hazard,
            });
        }
        if !v.is_empty() {
            return Err(v.into_invalid().into());
        }
        let input = InspectionInput {
            inspector: form.get("inspector").cloned().unwrap_or_default(),
            inspected_at,
            findings: findings.clone(),
        };
        let draft = input.parse(&plan, now).map_err(|Invalid(errors)| {
            // The domain names findings by position; the form by item.
            let mut v = Violations::default();
            for e in errors {
                let index = e
                    .field
                    .strip_prefix("findings[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok());
                match index.and_then(|i| findings.get(i)) {
                    Some(f) => v.add(&format!("hazard_{}", f.item_id), e.message),
                    None => v.add(&e.field, e.message),
                }
            }
            ApiError::from(v.into_invalid())
        })?;
        let done = state
            .store
            .record_inspection(viewer.actor(), draft, now)
            .await?;
        let first_hazard = done.findings.iter().find_map(|f| f.hazard_id);
        Ok(match first_hazard {
            Some(h) => format!("/hazards/{h}"),
            None => format!("/safety/plans/{id}"),
        })
    }
    .await;
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    form::answer(viewer.lang, result, &fields, |errors| async move {
        plan_page(&state, &viewer, id, form, errors).await
    })
    .await
}

// ---- a hazard ----

struct RecheckLine {
    at: String,
    by: String,
    passed: bool,
    note: String,
}

#[derive(Template)]
#[template(path = "hazard.html")]
struct HazardPage {
    chrome: Chrome,
    id: Id,
    version: i64,
    park_id: Id,
    park: String,
    plan_id: Id,
    plan_title: String,
    item: String,
    level: &'static str,
    level_code: &'static str,
    description: String,
    found_on: String,
    deadline: String,
    overdue: bool,
    status: &'static str,
    status_code: &'static str,
    work_order_id: Option<Id>,
    closed_at: String,
    rechecks: Vec<RecheckLine>,
    may_open_order: bool,
    may_recheck: bool,
    note: String,
    errors: FormErrors,
}

pub async fn hazard(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
) -> PageResult {
    hazard_page(&state, &viewer, id, String::new(), FormErrors::none()).await
}

async fn hazard_page(
    state: &AppState,
    viewer: &Viewer,
    id: Id,
    note: String,
    errors: FormErrors,
) -> PageResult {
    require(viewer)?;
    let actor = viewer.actor();
    let d = state
        .store
        .get_hazard(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let h = d.hazard;
    let park = state
        .store
        .get_park(actor, h.park_id)
        .await
        .map(|p| viewer.lang.pick(&p.name, &p.name_en).to_string())
        .unwrap_or_else(|_| format!("#{}", h.park_id));
    let keeps = actor.scope.may_keep_safety(h.park_id).is_ok();
    Ok(render(HazardPage {
        chrome: viewer.chrome(format!("{} · {}", viewer.t("safety.hazard"), h.id), "parks"),
        id: h.id,
        version: h.version,
        park_id: h.park_id,
        park,
        plan_id: d.plan_id,
        plan_title: d.plan_title,
        item: d.item,
        level: viewer.t(&format!("safety.level.{}", h.level)),
        level_code: h.level.as_str(),
        found_on: h.found_on.to_string(),
        deadline: h.deadline.to_string(),
        overdue: is_overdue(&h, state.clock.today()),
        status: viewer.t(&format!("safety.status.{}", h.status)),
        status_code: h.status.as_str(),
        work_order_id: h.work_order_id,
        closed_at: h.closed_at.map(when).unwrap_or_default(),
        rechecks: d
            .rechecks
            .into_iter()
            .map(|r| RecheckLine {
                at: when(r.checked_at),
                by: r.checked_by,
                passed: r.passed,
                note: r.note,
            })
            .collect(),
        may_open_order: keeps && h.status == HazardStatus::Open,
        may_recheck: keeps && h.status == HazardStatus::Rectifying,
        description: h.description,
        note,
        errors,
    }))
}

#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct WorkOrderForm {}

pub async fn open_work_order(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, .. }: FormPost<WorkOrderForm>,
) -> Response {
    let result: Result<String, ApiError> = async {
        let (_, order) = state
            .store
            .open_hazard_work_order(viewer.actor(), id, None, state.clock.now())
            .await?;
        Ok(format!("/work-orders/{}", order.id))
    }
    .await;
    form::answer(viewer.lang, result, &[], |errors| async move {
        hazard_page(&state, &viewer, id, String::new(), errors).await
    })
    .await
}

#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct RecheckForm {
    #[serde(default)]
    passed: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: String,
}

pub async fn recheck(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<RecheckForm>,
) -> Response {
    let result: Result<String, ApiError> = async {
        let input = RecheckInput {
            passed: form.passed == "yes",
            note: form.note.clone(),
            at: None,
        }
        .parse()?;
        state
            .store
            .recheck_hazard(
                viewer.actor(),
                id,
                input,
                form.version.trim().parse().ok(),
                state.clock.now(),
            )
            .await?;
        Ok(format!("/hazards/{id}"))
    }
    .await;
    let note = form.note.clone();
    form::answer(viewer.lang, result, &["note"], |errors| async move {
        hazard_page(&state, &viewer, id, note, errors).await
    })
    .await
}
