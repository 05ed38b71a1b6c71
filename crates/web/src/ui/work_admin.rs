//! The pages that change the daily work's setup and records: one key project with its stages, where those who
//! answer for its chain move it to the next stage, record investment and add milestones; the admin's appeal
//! routing rules; and digital transformation (the summary, its projects and recognitions, the admin's forms).
//! Every read and change goes through the store with the viewer's actor, so the API's scopes apply unchanged.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_core::workflow::appeals::{AppealCategory, AppealRuleInput, RouteTarget};
use chainpark_core::workflow::projects::{
    InvestmentInput, MilestoneInput, ProjectInput, ProjectStage, StageDates,
};
use chainpark_core::workflow::transformation::{
    RecognitionInput, RecognitionKind, TransformationProjectInput, TransformationSummary,
};
use chainpark_store::workflow::{MilestoneFilter, TransformationFilter};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::form::{self, FormErrors, Refusal};
use super::picker::{self, Choice};
use super::{Chrome, FormPost, PageResult, Viewer, render};
use crate::AppState;
use crate::error::ApiError;
use chainpark_core::error::{Invalid, Violations};
use chainpark_core::registry::PostRole;

fn finish(viewer: &Viewer, result: Result<String, ApiError>) -> Response {
    match result {
        Ok(target) => Redirect::to(&target).into_response(),
        Err(e) => viewer.fail(e).into_response(),
    }
}

fn optional_id(field: &str, value: &str) -> Result<Option<Id>, ApiError> {
    match value.trim() {
        "" => Ok(None),
        text => text
            .parse::<Id>()
            .map(Some)
            .map_err(|_| ApiError::bad_field(field, "must be a number")),
    }
}

// ---- one project ----

struct StageRow {
    label: &'static str,
    on: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    chrome: Chrome,
    id: Id,
    name: String,
    investor: String,
    stage: &'static str,
    planned: i64,
    contracted: i64,
    completed: i64,
    stages: Vec<StageRow>,
    next: Option<(&'static str, &'static str)>,
    milestones: Vec<MilestoneRow>,
    /// The viewer may change the project (mark milestones done): the policy's answer for its chain.
    may_edit: bool,
    today: String,
    /// The form of the page refused for its input, as typed, and why.
    refused: Refusal,
}

struct MilestoneRow {
    id: Id,
    name: String,
    due_on: String,
    done_on: String,
    overdue: bool,
}

pub async fn project(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
) -> PageResult {
    project_page(&state, &viewer, id, Refusal::none()).await
}

/// The project's page, with `refused` (one of its forms as typed, and why) after a refusal.
async fn project_page(state: &AppState, viewer: &Viewer, id: Id, refused: Refusal) -> PageResult {
    let project = state
        .store
        .get_project(viewer.actor(), id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let milestones = state
        .store
        .list_milestones(
            viewer.actor(),
            &MilestoneFilter {
                project_id: Some(id),
                overdue: None,
                as_of: state.clock.today(),
            },
            &Paging::new(Some(Paging::MAX_LIMIT), None, None),
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .items
        .into_iter()
        .map(|m| MilestoneRow {
            id: m.id,
            name: m.name,
            due_on: m.due_on.to_string(),
            done_on: m.done_on.map(|d| d.to_string()).unwrap_or_default(),
            overdue: m.overdue,
        })
        .collect();
    let dates = serde_json::to_value(project.stages).unwrap_or_default();
    let stages = ProjectStage::ALL
        .iter()
        .map(|s| StageRow {
            label: viewer.t(&format!("project.stage.{}", s.as_str())),
            on: dates[s.date_field()]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            current: *s == project.stage,
        })
        .collect();
    let next = ProjectStage::ALL
        .iter()
        .skip_while(|s| **s != project.stage)
        .nth(1)
        .map(|s| {
            (
                s.as_str(),
                viewer.t(&format!("project.stage.{}", s.as_str())),
            )
        });
    Ok(render(ProjectPage {
        chrome: viewer.chrome(project.name.clone(), "projects"),
        id: project.id,
        stage: viewer.t(&format!("project.stage.{}", project.stage.as_str())),
        name: project.name,
        investor: project.investor,
        planned: project.planned_investment,
        contracted: project.contracted_investment,
        completed: project.completed_investment,
        stages,
        next,
        milestones,
        may_edit: viewer
            .actor()
            .scope
            .may_edit_project(project.chain_id)
            .is_ok(),
        today: state.clock.today().to_string(),
        refused,
    }))
}

/// The answer to one of the project page's forms: back to the page after the change, or the page again with the
/// form `form_id` as typed and its messages beside `fields`.
async fn project_answer(
    state: AppState,
    viewer: Viewer,
    id: Id,
    (form_id, fields): (String, &[&str]),
    typed: impl serde::Serialize,
    result: Result<String, ApiError>,
) -> Response {
    form::answer(viewer.lang, result, fields, |errors| async move {
        project_page(&state, &viewer, id, Refusal::new(form_id, &typed, errors)).await
    })
    .await
}

#[derive(Debug, Deserialize, Serialize)]
pub struct StageForm {
    stage: String,
    on: String,
}

pub async fn move_stage(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<StageForm>,
) -> Response {
    let result = async {
        let stage = ProjectStage::parse(&form.stage)
            .ok_or_else(|| ApiError::bad_field("stage", "unknown stage"))?;
        let on = date("on", &form.on)?;
        state
            .store
            .move_project(viewer.actor(), id, stage, on)
            .await?;
        Ok(format!("/projects/{id}"))
    }
    .await;
    project_answer(
        state,
        viewer,
        id,
        ("move-stage".into(), &["on"]),
        form,
        result,
    )
    .await
}

fn date(field: &str, value: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::bad_field(field, "must be a date"))
}

#[derive(Debug, Deserialize, Serialize)]
pub struct InvestmentForm {
    month: String,
    amount: String,
}

pub async fn record_investment(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<InvestmentForm>,
) -> Response {
    let result = async {
        let amount = form
            .amount
            .trim()
            .parse::<i64>()
            .map_err(|_| ApiError::bad_field("amount", "must be a number"))?;
        let investment = InvestmentInput {
            month: Some(form.month.trim().to_string()),
            year: None,
            amount,
        }
        .parse()?;
        state
            .store
            .record_investment(viewer.actor(), id, investment)
            .await?;
        Ok(format!("/projects/{id}"))
    }
    .await;
    let fields = ("record-investment".into(), &["month", "amount"][..]);
    project_answer(state, viewer, id, fields, form, result).await
}

#[derive(Debug, Deserialize, Serialize)]
pub struct MilestoneForm {
    name: String,
    due_on: String,
}

pub async fn add_milestone(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<MilestoneForm>,
) -> Response {
    let result = async {
        let draft = MilestoneInput {
            name: form.name.clone(),
            due_on: date("due_on", &form.due_on)?,
            done_on: None,
        }
        .parse()?;
        state
            .store
            .create_milestone(viewer.actor(), id, draft, state.clock.today())
            .await?;
        Ok(format!("/projects/{id}"))
    }
    .await;
    let fields = ("add-milestone".into(), &["name", "due_on"][..]);
    project_answer(state, viewer, id, fields, form, result).await
}

#[derive(Debug, Deserialize, Serialize)]
pub struct MilestoneDoneForm {
    done_on: String,
}

/// Marks a milestone of the project done on the day given (today by default in the form).
pub async fn milestone_done(
    State(state): State<AppState>,
    Path((id, milestone)): Path<(Id, Id)>,
    FormPost { viewer, form }: FormPost<MilestoneDoneForm>,
) -> Response {
    let result = async {
        let today = state.clock.today();
        let current = state
            .store
            .list_milestones(
                viewer.actor(),
                &MilestoneFilter {
                    project_id: Some(id),
                    overdue: None,
                    as_of: today,
                },
                &Paging::new(Some(Paging::MAX_LIMIT), None, None),
            )
            .await?
            .items
            .into_iter()
            .find(|m| m.id == milestone)
            .ok_or(chainpark_store::StoreError::NotFound {
                kind: "milestone",
                id: milestone,
            })?;
        let draft = MilestoneInput {
            name: current.name,
            due_on: current.due_on,
            done_on: Some(date("done_on", &form.done_on)?),
        }
        .parse()?;
        state
            .store
            .update_milestone(viewer.actor(), milestone, draft, today)
            .await?;
        Ok(format!("/projects/{id}"))
    }
    .await;
    let fields = (format!("done-{milestone}"), &["done_on"][..]);
    project_answer(state, viewer, id, fields, form, result).await
}

// ---- appeal routing rules ----

struct RuleRow {
    id: Id,
    category: &'static str,
    chain: String,
    park: String,
    target: &'static str,
    /// The named person a rule routes to, by name.
    person: String,
    note: String,
    archived: bool,
}

#[derive(Template)]
#[template(path = "appeal_rules.html")]
struct RulesPage {
    chrome: Chrome,
    rows: Vec<RuleRow>,
    categories: Vec<(&'static str, &'static str)>,
    targets: Vec<(&'static str, &'static str)>,
    /// Chains and parks by name, for the list and the form's pickers.
    chains: Vec<(Id, String)>,
    parks: Vec<(Id, String)>,
    /// The person picker: the search as typed, the people it found ("name · posts") and whether it found none.
    person_q: String,
    people: Vec<Choice>,
    nothing_found: bool,
    /// The new-rule form as typed when it was refused, and why.
    refused: Refusal,
}

/// The rules page's search for the person a rule routes to.
#[derive(Debug, Default, Deserialize)]
pub struct RulesQuery {
    #[serde(default)]
    person_q: Option<String>,
}

pub async fn rules(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<RulesQuery>,
) -> PageResult {
    rules_page(&state, &viewer, q, Refusal::none()).await
}

async fn rules_page(
    state: &AppState,
    viewer: &Viewer,
    q: RulesQuery,
    refused: Refusal,
) -> PageResult {
    let store = state.store.as_ref();
    // People are many: found by name (with their posts), never typed as a number.
    let person_q = q.person_q.as_deref().unwrap_or("").trim().to_string();
    let found = if person_q.is_empty() {
        Vec::new()
    } else {
        picker::people_matching(state, viewer, &person_q)
            .await
            .map_err(|e| viewer.fail(e))?
    };
    let chosen = refused
        .value("new-rule", "person_id")
        .trim()
        .parse::<Id>()
        .ok();
    let (people, nothing_found) =
        picker::search_or_chosen(found, &person_q, chosen, |id| async move {
            store
                .get_person(viewer.actor(), id)
                .await
                .ok()
                .map(|p| p.name)
        })
        .await;
    let all = Paging::all();
    let (chain_filter, park_filter) = (
        chainpark_store::ChainFilter::default(),
        chainpark_store::ParkFilter::default(),
    );
    let (chains, parks) = tokio::join!(
        store.list_chains(viewer.actor(), &chain_filter, &all),
        store.list_parks(viewer.actor(), &park_filter, &all),
    );
    let chains: Vec<(Id, String)> = chains
        .map_err(|e| viewer.fail(e))?
        .items
        .into_iter()
        .map(|c| (c.id, viewer.lang.pick(&c.name, &c.name_en).to_string()))
        .collect();
    let parks: Vec<(Id, String)> = parks
        .map_err(|e| viewer.fail(e))?
        .items
        .into_iter()
        .map(|p| (p.id, viewer.lang.pick(&p.name, &p.name_en).to_string()))
        .collect();
    // A chain or park the list does not know (archived) shows its number.
    let name_of = |list: &[(Id, String)], id: Option<Id>| {
        id.map(|id| {
            list.iter()
                .find(|(known, _)| *known == id)
                .map(|(_, name)| name.clone())
                .unwrap_or_else(|| format!("#{id}"))
        })
        .unwrap_or_default()
    };
    let rules = state
        .store
        .list_appeal_rules(
            viewer.actor(),
            &Paging::new(Some(Paging::MAX_LIMIT), None, None),
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let mut rows = Vec::with_capacity(rules.len());
    for r in rules {
        // A rule to a named person names them, not their number.
        let person = match r.person_id {
            Some(id) => store
                .get_person(viewer.actor(), id)
                .await
                .map(|p| p.name)
                .unwrap_or_else(|_| format!("#{id}")),
            None => String::new(),
        };
        rows.push(RuleRow {
            id: r.id,
            category: viewer.t(&format!("appeal.category.{}", r.category.as_str())),
            chain: name_of(&chains, r.chain_id),
            park: name_of(&parks, r.park_id),
            target: viewer.t(&format!("rules.target.{}", r.target.as_str())),
            person,
            note: r.note,
            archived: r.archived,
        });
    }
    let categories = AppealCategory::ALL
        .iter()
        .map(|c| {
            (
                c.as_str(),
                viewer.t(&format!("appeal.category.{}", c.as_str())),
            )
        })
        .collect();
    let targets = RouteTarget::ALL
        .iter()
        .map(|t| {
            (
                t.as_str(),
                viewer.t(&format!("rules.target.{}", t.as_str())),
            )
        })
        .collect();
    Ok(render(RulesPage {
        chrome: viewer.chrome(viewer.t("rules.title"), "appeal-rules"),
        rows,
        categories,
        targets,
        chains,
        parks,
        person_q,
        people,
        nothing_found,
        refused,
    }))
}

#[derive(Debug, Deserialize, Serialize)]
pub struct RuleForm {
    category: String,
    #[serde(default)]
    chain_id: String,
    #[serde(default)]
    park_id: String,
    target: String,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    note: String,
}

pub async fn add_rule(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<RuleForm>,
) -> Response {
    let result = async {
        let draft = AppealRuleInput {
            category: AppealCategory::parse(&form.category)
                .ok_or_else(|| ApiError::bad_field("category", "unknown category"))?,
            chain_id: optional_id("chain_id", &form.chain_id)?,
            park_id: optional_id("park_id", &form.park_id)?,
            target: RouteTarget::parse(&form.target)
                .ok_or_else(|| ApiError::bad_field("target", "unknown target"))?,
            person_id: optional_id("person_id", &form.person_id)?,
            note: form.note.clone(),
        }
        .parse()?;
        state
            .store
            .create_appeal_rule(viewer.actor(), draft, state.clock.today())
            .await?;
        Ok("/appeal-rules".to_string())
    }
    .await;
    form::answer(viewer.lang, result, RULE_FIELDS, |errors| async move {
        let refused = Refusal::new("new-rule", &form, errors);
        rules_page(&state, &viewer, RulesQuery::default(), refused).await
    })
    .await
}

/// The fields of the new-rule form, as [`FormErrors`] places their messages.
const RULE_FIELDS: &[&str] = &[
    "category",
    "chain_id",
    "park_id",
    "target",
    "person_id",
    "note",
];

/// The archive form: nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct ArchiveForm {}

pub async fn archive_rule(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, .. }: FormPost<ArchiveForm>,
) -> Response {
    let result = async {
        state.store.archive_appeal_rule(viewer.actor(), id).await?;
        Ok("/appeal-rules".to_string())
    }
    .await;
    finish(&viewer, result)
}

// ---- digital transformation ----

struct TransformationRow {
    enterprise: String,
    name: String,
    investment: i64,
    started_on: String,
    completed_on: String,
}

struct RecognitionRow {
    enterprise: String,
    kind: &'static str,
    name: String,
    recognised_on: String,
    investment: i64,
}

#[derive(Template)]
#[template(path = "transformation.html")]
struct TransformationPage {
    chrome: Chrome,
    as_of: String,
    summary: TransformationSummary,
    projects: Vec<TransformationRow>,
    recognitions: Vec<RecognitionRow>,
    kinds: Vec<(&'static str, &'static str)>,
    /// The enterprise pickers of the admin's two forms (enterprises are many: found by name or credit code).
    project_firm: FirmPicker,
    recognition_firm: FirmPicker,
    /// The recognised digital workshops of the enterprises the recognition form's search found, to tick for a
    /// factory (the field `workshop_{id}`), ticked again after a refusal.
    workshops: Vec<WorkshopChoice>,
    /// The admin's form refused for its input, as typed, and why.
    refused: Refusal,
}

struct WorkshopChoice {
    field: String,
    label: String,
    checked: bool,
}

/// One form's enterprise picker: the search as typed, what it found, and whether it found nothing.
struct FirmPicker {
    q: String,
    found: Vec<Choice>,
    nothing_found: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct AsOfQuery {
    #[serde(default)]
    as_of: Option<String>,
    /// The enterprise searches of the new-project and new-recognition forms.
    #[serde(default)]
    tp_q: Option<String>,
    #[serde(default)]
    rc_q: Option<String>,
}

/// The enterprise picker of the transformation form `form_id`: the search `q`, or the enterprise chosen before a
/// refusal.
async fn firm_picker(
    state: &AppState,
    viewer: &Viewer,
    q: Option<&str>,
    refused: &Refusal,
    form_id: &str,
) -> Result<FirmPicker, chainpark_store::StoreError> {
    let q = q.unwrap_or("").trim().to_string();
    let found = if q.is_empty() || !viewer.actor().scope.is_admin() {
        Vec::new()
    } else {
        picker::enterprises_matching(state, viewer, &q).await?
    };
    let chosen = refused
        .value(form_id, "enterprise_id")
        .trim()
        .parse::<Id>()
        .ok();
    let store = state.store.as_ref();
    let (found, nothing_found) = picker::search_or_chosen(found, &q, chosen, |id| async move {
        store
            .get_enterprise(viewer.actor(), id)
            .await
            .ok()
            .map(|e| picker::enterprise_label(&e.name, e.credit_code.as_str()))
    })
    .await;
    Ok(FirmPicker {
        q,
        found,
        nothing_found,
    })
}

pub async fn transformation(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AsOfQuery>,
) -> PageResult {
    transformation_page(&state, &viewer, q, Refusal::none()).await
}

async fn transformation_page(
    state: &AppState,
    viewer: &Viewer,
    q: AsOfQuery,
    refused: Refusal,
) -> PageResult {
    viewer.require_zone_views()?;
    let store = state.store.as_ref();
    let as_of = match q.as_of.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(text) => date("as_of", text).map_err(|e| viewer.fail(e))?,
        None => state.clock.today(),
    };
    let summary = store
        .transformation_summary(viewer.actor(), as_of)
        .await
        .map_err(|e| viewer.fail(e))?;
    let filter = TransformationFilter::default();
    let paging = Paging::new(Some(Paging::MAX_LIMIT), None, None);
    let projects = store
        .list_transformation_projects(viewer.actor(), &filter, &paging)
        .await
        .map_err(|e| viewer.fail(e))?
        .items
        .into_iter()
        .map(|p| TransformationRow {
            enterprise: p.enterprise_name,
            name: p.name,
            investment: p.investment,
            started_on: p.started_on.to_string(),
            completed_on: p.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    let recognised = store
        .list_recognitions(viewer.actor(), &filter, &paging)
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let recognition_firm = firm_picker(
        state,
        viewer,
        q.rc_q.as_deref(),
        &refused,
        "new-recognition",
    )
    .await
    .map_err(|e| viewer.fail(e))?;
    let workshops = recognised
        .iter()
        .filter(|r| {
            r.kind == RecognitionKind::DigitalWorkshop
                && recognition_firm
                    .found
                    .iter()
                    .any(|f| f.id == r.enterprise_id)
        })
        .map(|r| {
            let field = format!("workshop_{}", r.id);
            WorkshopChoice {
                checked: !refused.value("new-recognition", &field).is_empty(),
                label: format!("{} · {} ({})", r.name, r.enterprise_name, r.recognised_on),
                field,
            }
        })
        .collect();
    let recognitions = recognised
        .into_iter()
        .map(|r| RecognitionRow {
            enterprise: r.enterprise_name,
            kind: viewer.t(&format!("transformation.kind.{}", r.kind.as_str())),
            name: r.name,
            recognised_on: r.recognised_on.to_string(),
            investment: r.investment,
        })
        .collect();
    let kinds = RecognitionKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                viewer.t(&format!("transformation.kind.{}", k.as_str())),
            )
        })
        .collect();
    let project_firm = firm_picker(
        state,
        viewer,
        q.tp_q.as_deref(),
        &refused,
        "new-transformation-project",
    )
    .await
    .map_err(|e| viewer.fail(e))?;
    Ok(render(TransformationPage {
        project_firm,
        recognition_firm,
        workshops,
        chrome: viewer.chrome(viewer.t("transformation.title"), "transformation"),
        as_of: as_of.to_string(),
        summary,
        projects,
        recognitions,
        kinds,
        refused,
    }))
}

fn whole<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, ApiError> {
    value
        .trim()
        .parse::<T>()
        .map_err(|_| ApiError::bad_field(field, "must be a number"))
}

#[derive(Debug, Deserialize, Serialize)]
pub struct TransformationProjectForm {
    enterprise_id: String,
    name: String,
    investment: String,
    started_on: String,
    #[serde(default)]
    completed_on: String,
}

pub async fn add_transformation_project(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<TransformationProjectForm>,
) -> Response {
    let result = async {
        let draft = TransformationProjectInput {
            enterprise_id: whole("enterprise_id", &form.enterprise_id)?,
            name: form.name.clone(),
            investment: whole("investment", &form.investment)?,
            started_on: date("started_on", &form.started_on)?,
            completed_on: match form.completed_on.trim() {
                "" => None,
                text => Some(date("completed_on", text)?),
            },
        }
        .parse()?;
        state
            .store
            .create_transformation_project(viewer.actor(), draft)
            .await?;
        Ok("/transformation".to_string())
    }
    .await;
    transformation_answer(state, viewer, "new-transformation-project", form, result).await
}

#[derive(Debug, Deserialize, Serialize)]
pub struct RecognitionForm {
    enterprise_id: String,
    kind: String,
    name: String,
    recognised_on: String,
    investment: String,
    cnc_rate_pct: String,
    key_process_cnc_pct: String,
    #[serde(default)]
    has_mes: Option<String>,
    cost_reduction_pct: String,
    efficiency_gain_pct: String,
    defect_reduction_pct: String,
    energy_gain_pct: String,
    /// The ticked recognised workshops a factory stands on: `workshop_{id}` fields (a checkbox each).
    #[serde(flatten)]
    ticked: BTreeMap<String, String>,
}

pub async fn add_recognition(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<RecognitionForm>,
) -> Response {
    let result = async {
        let workshop_ids = form
            .ticked
            .keys()
            .filter_map(|k| k.strip_prefix("workshop_"))
            .map(|id| whole::<Id>("workshop_ids", id))
            .collect::<Result<Vec<_>, _>>()?;
        let draft = RecognitionInput {
            enterprise_id: whole("enterprise_id", &form.enterprise_id)?,
            kind: RecognitionKind::parse(&form.kind)
                .ok_or_else(|| ApiError::bad_field("kind", "unknown kind"))?,
            name: form.name.clone(),
            recognised_on: date("recognised_on", &form.recognised_on)?,
            investment: whole("investment", &form.investment)?,
            cnc_rate_pct: whole("cnc_rate_pct", &form.cnc_rate_pct)?,
            key_process_cnc_pct: whole("key_process_cnc_pct", &form.key_process_cnc_pct)?,
            has_mes: form.has_mes.is_some(),
            cost_reduction_pct: whole("cost_reduction_pct", &form.cost_reduction_pct)?,
            efficiency_gain_pct: whole("efficiency_gain_pct", &form.efficiency_gain_pct)?,
            defect_reduction_pct: whole("defect_reduction_pct", &form.defect_reduction_pct)?,
            energy_gain_pct: whole("energy_gain_pct", &form.energy_gain_pct)?,
            workshop_ids,
        }
        .parse()?;
        state
            .store
            .create_recognition(viewer.actor(), draft)
            .await?;
        Ok("/transformation".to_string())
    }
    .await;
    transformation_answer(state, viewer, "new-recognition", form, result).await
}

/// The answer to one of the admin's transformation forms: the page after the change, or the page again with the
/// form `form_id` as typed and a message beside each bad field (every field of the form is a field of the input).
async fn transformation_answer(
    state: AppState,
    viewer: Viewer,
    form_id: &'static str,
    typed: impl Serialize,
    result: Result<String, ApiError>,
) -> Response {
    let fields: Vec<String> = match serde_json::to_value(&typed) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    form::answer(viewer.lang, result, &fields, |errors| async move {
        let refused = Refusal::new(form_id, &typed, errors);
        transformation_page(&state, &viewer, AsOfQuery::default(), refused).await
    })
    .await
}

// ---- a new project ----

#[derive(Template)]
#[template(path = "project_new.html")]
struct NewProjectPage {
    chrome: Chrome,
    /// The chains the viewer may create projects in, the parks it sees, and the chain chiefs of those chains
    /// ("name · post").
    chains: Vec<Choice>,
    parks: Vec<Choice>,
    chiefs: Vec<Choice>,
    /// The form as typed when it was refused, and why.
    form: NewProjectForm,
    errors: FormErrors,
}

/// The fields of the new-project form, as [`FormErrors`] places their messages.
const PROJECT_FIELDS: &[&str] = &[
    "name",
    "investor",
    "chain_id",
    "park_id",
    "planned_investment",
    "chief_person_id",
    "lead_on",
];

pub async fn new_project(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    new_project_page(
        &state,
        &viewer,
        NewProjectForm::default(),
        FormErrors::none(),
    )
    .await
}

async fn new_project_page(
    state: &AppState,
    viewer: &Viewer,
    form: NewProjectForm,
    errors: FormErrors,
) -> PageResult {
    if !viewer.actor().scope.may_create_projects() {
        return Err(viewer.fail(ApiError::Forbidden(
            "this account cannot create projects".into(),
        )));
    }
    let fail = |e| viewer.fail(e);
    let chains = picker::project_chains(state, viewer).await.map_err(fail)?;
    let chain_ids: Vec<Id> = chains.iter().map(|(id, _)| *id).collect();
    let chiefs = picker::post_holders(
        state,
        viewer,
        (&chain_ids, &[PostRole::ChainChief]),
        (&[], &[]),
    )
    .await
    .map_err(fail)?;
    let parks = picker::parks(state, viewer).await.map_err(fail)?;
    let picked = |value: &str| value.trim().parse::<Id>().ok();
    // A chief of one chain creates that chain's projects: it is chosen already.
    let chain = picked(&form.chain_id).or_else(|| (chains.len() == 1).then(|| chains[0].0));
    Ok(render(NewProjectPage {
        chrome: viewer.chrome(viewer.t("project.new"), "projects"),
        chains: picker::choices(chains, chain),
        parks: picker::choices(parks, picked(&form.park_id)),
        chiefs: picker::choices(chiefs, picked(&form.chief_person_id)),
        form,
        errors,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct NewProjectForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    investor: String,
    #[serde(default)]
    chain_id: String,
    #[serde(default)]
    park_id: String,
    #[serde(default)]
    planned_investment: String,
    #[serde(default)]
    chief_person_id: String,
    #[serde(default)]
    lead_on: String,
}

pub async fn create_project(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<NewProjectForm>,
) -> Response {
    let result: Result<String, ApiError> = async {
        // The form's own fields (numbers, dates) and the domain's checks, every bad field at once.
        let mut v = Violations::default();
        let mut id = |field: &str, value: &str| {
            optional_id(field, value).unwrap_or_else(|_| {
                v.add(field, "must be a number");
                None
            })
        };
        let chain_id = id("chain_id", &form.chain_id);
        let park_id = id("park_id", &form.park_id);
        let chief_person_id = id("chief_person_id", &form.chief_person_id);
        let planned_investment = match form.planned_investment.trim() {
            "" => 0,
            text => whole("planned_investment", text).unwrap_or_else(|_| {
                v.add("planned_investment", "must be a number");
                0
            }),
        };
        let lead_on = match form.lead_on.trim() {
            "" => None,
            text => date("lead_on", text).map(Some).unwrap_or_else(|_| {
                v.add("lead_on", "must be a date");
                None
            }),
        };
        let parsed = ProjectInput {
            name: form.name.clone(),
            name_en: String::new(),
            investor: form.investor.clone(),
            enterprise_id: None,
            planned_investment,
            contracted_investment: 0,
            chain_id,
            segment_id: None,
            park_id,
            chief_person_id,
            officer_person_id: None,
            event_id: None,
            stages: StageDates {
                lead_on,
                ..StageDates::default()
            },
        }
        .parse();
        if let Err(Invalid(errors)) = &parsed {
            for e in errors {
                v.add(&e.field, e.message.clone());
            }
        }
        if !v.is_empty() {
            return Err(v.into_invalid().into());
        }
        let project = state.store.create_project(viewer.actor(), parsed?).await?;
        Ok(format!("/projects/{}", project.id))
    }
    .await;
    form::answer(viewer.lang, result, PROJECT_FIELDS, |errors| async move {
        new_project_page(&state, &viewer, form, errors).await
    })
    .await
}
