//! The chiefs' daily work as pages: the inbox (with the badge's count in the navigation), enterprise appeals —
//! the list with its filters and exports, one appeal with its steps and deadlines, the form an enterprise files
//! with, the forms of the loop's next step and the enterprise's rating — the key projects by stage with their
//! figures, and the park work orders. Every read and change goes through the store with the viewer's actor, so
//! the API's scopes and rules apply unchanged.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chainpark_core::access::Role;
use chainpark_core::list::Paging;
use chainpark_core::registry::PostRole;
use chainpark_core::registry::{Id, PersonRef};
use chainpark_core::time::china;
use chainpark_core::workflow::appeals::{
    AppealAction, AppealCategory, AppealInput, AppealStatus, AppealStepInput, Urgency,
};
use chainpark_core::workflow::projects::ProjectStage;
use chainpark_core::workflow::work_orders::{
    WorkOrderAction, WorkOrderInput, WorkOrderKind, WorkOrderStatus, WorkOrderStepInput,
    WorkOrderUrgency,
};
use chainpark_store::workflow::{AppealFilter, ProjectFilter, ProjectGrouping, WorkOrderFilter};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Chrome, PageResult, Viewer, render};
use crate::AppState;
use crate::error::ApiError;

/// A form or query field: empty means not given.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn number(field: &str, value: &Option<String>) -> Result<Option<Id>, ApiError> {
    given(value)
        .map(|v| {
            v.parse::<Id>()
                .map_err(|_| ApiError::bad_field(field, "must be a number"))
        })
        .transpose()
}

fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn name(person: &Option<PersonRef>) -> String {
    person.as_ref().map(|p| p.name.clone()).unwrap_or_default()
}

/// "calendar for 2027 not loaded": a deadline counted on weekdays for want of that year's holiday calendar.
fn provisional(viewer: &Viewer, year: Option<i32>) -> String {
    year.map(|y| {
        viewer
            .t("deadline.provisional")
            .replace("{year}", &y.to_string())
    })
    .unwrap_or_default()
}

/// The answer to a form: a redirect to `target` after the change, or the error page.
fn finish(viewer: &Viewer, result: Result<String, ApiError>) -> Response {
    match result {
        Ok(target) => Redirect::to(&target).into_response(),
        Err(e) => viewer.fail(e).into_response(),
    }
}

// ---- the inbox ----

struct MessageRow {
    id: Id,
    subject: String,
    body: String,
    at: String,
    unread: bool,
    href: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    rows: Vec<MessageRow>,
    unread: i64,
    total: i64,
}

pub async fn inbox(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let store = state.store.as_ref();
    let page = store
        .list_inbox(viewer.actor(), false, &Paging::new(Some(200), None, None))
        .await
        .map_err(|e| viewer.fail(e))?;
    let counts = store
        .inbox_counts(viewer.actor())
        .await
        .map_err(|e| viewer.fail(e))?;
    let rows = page
        .items
        .into_iter()
        .map(|m| MessageRow {
            id: m.id,
            href: match m.object_kind.as_str() {
                "appeal" => format!("/appeals/{}", m.object_id),
                "work_order" => "/work-orders".to_string(),
                _ => String::new(),
            },
            subject: m.subject,
            body: m.body,
            at: when(m.created_at),
            unread: m.read_at.is_none(),
        })
        .collect();
    Ok(render(InboxPage {
        chrome: viewer.chrome(viewer.t("inbox.title"), "inbox"),
        rows,
        unread: counts.unread,
        total: counts.total,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ReadForm {
    csrf: String,
    /// One message; empty marks them all.
    #[serde(default)]
    id: Option<String>,
}

pub async fn inbox_read(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<ReadForm>,
) -> Response {
    let viewer = match Viewer::for_form(&state, &headers, uri, &form.csrf).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let result = async {
        let id = number("id", &form.id)?;
        state.store.mark_read(viewer.actor(), id).await?;
        Ok("/inbox".to_string())
    }
    .await;
    finish(&viewer, result)
}

// ---- appeals ----

struct AppealRow {
    id: Id,
    title: String,
    enterprise: String,
    category: &'static str,
    status: &'static str,
    received_on: String,
    reply_due: String,
    /// Why the deadline is provisional (empty when it is not).
    provisional: String,
    overdue: &'static str,
    assignee: String,
}

#[derive(Template)]
#[template(path = "appeals.html")]
struct AppealsPage {
    chrome: Chrome,
    rows: Vec<AppealRow>,
    total: i64,
    statuses: Vec<(&'static str, &'static str, bool)>,
    overdue: String,
    filter_query: String,
    /// The enterprises the viewer may file for (an enterprise user's own); officers type the id.
    own_enterprises: Vec<(Id, String)>,
    may_file: bool,
    is_enterprise: bool,
    categories: Vec<(&'static str, &'static str)>,
    /// The on-time rate of the appeals the filter selects, in per cent ("—" when nothing is due yet).
    on_time_rate: String,
    pager: super::Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct AppealsQuery {
    status: Option<String>,
    overdue: Option<String>,
    offset: Option<i64>,
}

pub async fn appeals(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AppealsQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let status = given(&q.status).and_then(AppealStatus::parse);
    let overdue = match given(&q.overdue) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let filter = AppealFilter {
        status,
        overdue,
        as_of: state.clock.today(),
        ..AppealFilter::default()
    };
    let offset = q.offset.unwrap_or(0).max(0);
    let page = store
        .list_appeals(
            viewer.actor(),
            &filter,
            &Paging::new(Some(super::LIST_PAGE), Some(offset), Some("-received_on")),
        )
        .await
        .map_err(|e| viewer.fail(e))?;
    let on_time_rate = store
        .appeal_on_time_rate(viewer.actor(), &filter)
        .await
        .map(|r| percent(r.rate_percent))
        .unwrap_or_else(|_| percent(None));
    let shown = page.items.len();
    let rows = page
        .items
        .into_iter()
        .map(|a| AppealRow {
            id: a.id,
            enterprise: a.enterprise_name,
            category: viewer.t(&format!("appeal.category.{}", a.category.as_str())),
            status: viewer.t(&format!("appeal.status.{}", a.status.as_str())),
            received_on: a.received_on.to_string(),
            reply_due: a.reply_due.to_string(),
            provisional: provisional(&viewer, a.provisional_year),
            overdue: match a.overdue {
                Some(step) => viewer.t(&format!("appeal.overdue.{}", step.as_str())),
                None => "",
            },
            assignee: name(&a.assignee),
            title: a.title,
        })
        .collect();
    let filter_query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = status {
            query.append_pair("status", s.as_str());
        }
        if let Some(o) = overdue {
            query.append_pair("overdue", if o { "true" } else { "false" });
        }
        query.finish()
    };
    let scope = &viewer.actor().scope;
    let is_enterprise = scope.role == Role::Enterprise;
    let mut own_enterprises = Vec::new();
    if is_enterprise {
        for id in scope.enterprises.clone() {
            if let Ok(e) = store.get_enterprise(viewer.actor(), id).await {
                own_enterprises.push((id, e.name));
            }
        }
    }
    let may_file = if is_enterprise {
        !own_enterprises.is_empty()
    } else {
        !matches!(scope.role, Role::Leader | Role::Analyst)
    };
    let pager = super::Pager::new("/appeals", &filter_query, offset, shown, page.total);
    Ok(render(AppealsPage {
        pager,
        on_time_rate,
        chrome: viewer.chrome(viewer.t("appeals.title"), "appeals"),
        rows,
        total: page.total,
        statuses: AppealStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    viewer.t(&format!("appeal.status.{}", s.as_str())),
                    Some(*s) == status,
                )
            })
            .collect(),
        overdue: given(&q.overdue).unwrap_or_default().to_string(),
        filter_query,
        own_enterprises,
        may_file,
        is_enterprise,
        categories: AppealCategory::ALL
            .iter()
            .map(|c| {
                (
                    c.as_str(),
                    viewer.t(&format!("appeal.category.{}", c.as_str())),
                )
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct FileForm {
    csrf: String,
    enterprise_id: Option<String>,
    category: String,
    #[serde(default)]
    urgency: Option<String>,
    title: String,
    #[serde(default)]
    description: String,
}

pub async fn file_appeal(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<FileForm>,
) -> Response {
    let viewer = match Viewer::for_form(&state, &headers, uri, &form.csrf).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let result = async {
        let enterprise_id = number("enterprise_id", &form.enterprise_id)?
            .ok_or_else(|| ApiError::bad_field("enterprise_id", "is required"))?;
        let category = AppealCategory::parse(form.category.trim()).ok_or_else(|| {
            ApiError::bad_field("category", format!("unknown category {:?}", form.category))
        })?;
        let urgency = match given(&form.urgency) {
            None => Urgency::Normal,
            Some(u) => Urgency::parse(u)
                .ok_or_else(|| ApiError::bad_field("urgency", "normal or urgent"))?,
        };
        let draft = AppealInput {
            enterprise_id,
            category,
            urgency,
            title: form.title.clone(),
            description: form.description.clone(),
            received_at: None,
        }
        .parse()?;
        let appeal = state
            .store
            .file_appeal(viewer.actor(), draft, state.clock.now(), state.clock.now())
            .await?;
        Ok(format!("/appeals/{}?filed=1", appeal.id))
    }
    .await;
    finish(&viewer, result)
}

/// One form of the loop's next step.
struct ActionForm {
    code: &'static str,
    label: &'static str,
    /// Asks for the person to assign.
    assign: bool,
    /// Offers to mark the case complex.
    accept: bool,
    /// The note is the reply to the enterprise.
    reply: bool,
    /// The note must be given (reply, call-back note).
    note_required: bool,
}

struct StepRow {
    at: String,
    actor: String,
    action: &'static str,
    to_status: &'static str,
    note: String,
}

#[derive(Template)]
#[template(path = "appeal.html")]
struct AppealPage {
    chrome: Chrome,
    id: Id,
    /// The version the step forms were made for: a step from a page that is out of date answers 409.
    version: i64,
    title: String,
    description: String,
    enterprise: String,
    category: &'static str,
    urgency: &'static str,
    status: &'static str,
    complex: bool,
    received_on: String,
    accept_due: String,
    reply_due: String,
    limit_days: u32,
    /// Why the deadlines are provisional (empty when they are not).
    provisional: String,
    overdue: &'static str,
    handler: String,
    assignee: String,
    /// Whom to call about the case: the office phone of the assignee (else of the handler), when the viewer sees
    /// that person.
    office_phone: String,
    escalated_to: String,
    reply: String,
    rating: String,
    steps: Vec<StepRow>,
    /// The loop's steps the viewer may try now (the store decides whether they may).
    actions: Vec<ActionForm>,
    may_rate: bool,
    filed: bool,
    /// The people holding posts in the appeal's chain or park today, for the assign form.
    people: Vec<(Id, String)>,
}

/// The people holding a post (any role) in one of `chains` or `parks` today, by name.
async fn post_holders(
    state: &AppState,
    viewer: &Viewer,
    chains: &[Id],
    parks: &[Id],
) -> Vec<(Id, String)> {
    let store = state.store.as_ref();
    let mut filters = Vec::new();
    for chain in chains {
        filters.push(chainpark_store::PostFilter {
            chain_id: Some(*chain),
            on: Some(state.clock.today()),
            ..Default::default()
        });
    }
    for park in parks {
        filters.push(chainpark_store::PostFilter {
            park_id: Some(*park),
            on: Some(state.clock.today()),
            ..Default::default()
        });
    }
    let mut ids = Vec::new();
    for filter in &filters {
        if let Ok(posts) = store
            .list_posts(viewer.actor(), filter, &Paging::all())
            .await
        {
            ids.extend(posts.items.into_iter().map(|p| p.person_id));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let mut people = Vec::new();
    for id in ids {
        if let Ok(person) = store.get_person(viewer.actor(), id).await {
            people.push((id, person.name));
        }
    }
    people
}

#[derive(Debug, Default, Deserialize)]
pub struct AppealQuery {
    filed: Option<String>,
}

pub async fn appeal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<AppealQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let a = store
        .get_appeal(viewer.actor(), id, state.clock.today())
        .await
        .map_err(|e| viewer.fail(e))?;
    let steps = store
        .appeal_steps(viewer.actor(), id)
        .await
        .map_err(|e| viewer.fail(e))?
        .into_iter()
        .map(|s| StepRow {
            at: when(s.at),
            actor: s.actor,
            action: match s.action.as_str() {
                "file" => viewer.t("appeal.action.file"),
                "escalate" => viewer.t("appeal.action.escalate"),
                other => AppealAction::parse(other)
                    .map(|x| viewer.t(&format!("appeal.action.{}", x.as_str())))
                    .unwrap_or(""),
            },
            to_status: AppealStatus::parse(&s.to_status)
                .map(|x| viewer.t(&format!("appeal.status.{}", x.as_str())))
                .unwrap_or(""),
            note: s.note,
        })
        .collect();
    let is_enterprise = viewer.actor().scope.role == Role::Enterprise;
    let actions = if is_enterprise {
        Vec::new()
    } else {
        match a.status {
            AppealStatus::Submitted => vec!["accept"],
            AppealStatus::Accepted | AppealStatus::Assigned => vec!["assign", "handle"],
            AppealStatus::Handling => vec!["assign", "reply"],
            AppealStatus::Replied => vec!["close"],
            AppealStatus::Closed => Vec::new(),
        }
    };
    let actions = actions
        .into_iter()
        .map(|code| ActionForm {
            code,
            label: viewer.t(&format!("appeal.action.{code}")),
            assign: code == "assign",
            accept: code == "accept",
            reply: code == "reply",
            note_required: code == "reply" || code == "close",
        })
        .collect();
    let may_rate =
        is_enterprise && matches!(a.status, AppealStatus::Replied | AppealStatus::Closed);
    let people = if is_enterprise {
        Vec::new()
    } else {
        let mut chains: Vec<Id> = [a.chain_id, a.route_chain_id]
            .into_iter()
            .flatten()
            .collect();
        chains.dedup();
        let mut parks: Vec<Id> = [a.park_id, a.route_park_id].into_iter().flatten().collect();
        parks.dedup();
        post_holders(&state, &viewer, &chains, &parks).await
    };
    Ok(render(AppealPage {
        people,
        chrome: viewer.chrome(a.title.clone(), "appeals"),
        id: a.id,
        version: a.version,
        description: a.description,
        enterprise: a.enterprise_name,
        category: viewer.t(&format!("appeal.category.{}", a.category.as_str())),
        urgency: viewer.t(&format!("appeal.urgency.{}", a.urgency.as_str())),
        status: viewer.t(&format!("appeal.status.{}", a.status.as_str())),
        complex: a.complex,
        received_on: a.received_on.to_string(),
        accept_due: a.accept_due.to_string(),
        reply_due: a.reply_due.to_string(),
        limit_days: a.limit_days,
        provisional: provisional(&viewer, a.provisional_year),
        overdue: match a.overdue {
            Some(step) => viewer.t(&format!("appeal.overdue.{}", step.as_str())),
            None => "",
        },
        office_phone: office_phone(store, &viewer, a.assignee.as_ref().or(a.handler.as_ref()))
            .await,
        handler: name(&a.handler),
        assignee: name(&a.assignee),
        escalated_to: name(&a.escalated_to),
        reply: a.reply,
        rating: a.rating.map(|r| r.to_string()).unwrap_or_default(),
        steps,
        actions,
        may_rate,
        filed: q.filed.is_some(),
        title: a.title,
    }))
}

/// The office phone of the person handling a case, as far as the viewer sees that person.
async fn office_phone(
    store: &dyn chainpark_store::Store,
    viewer: &Viewer,
    person: Option<&PersonRef>,
) -> String {
    match person {
        Some(p) => store
            .get_person(viewer.actor(), p.id)
            .await
            .map(|p| p.office_phone)
            .unwrap_or_default(),
        None => String::new(),
    }
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    csrf: String,
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    assignee_person_id: Option<String>,
    #[serde(default)]
    complex: Option<String>,
    #[serde(default)]
    satisfied: Option<String>,
    #[serde(default)]
    rating: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

pub async fn step_appeal(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<Id>,
    Form(form): Form<StepForm>,
) -> Response {
    let viewer = match Viewer::for_form(&state, &headers, uri, &form.csrf).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let result = async {
        let action = AppealAction::parse(form.action.trim()).ok_or_else(|| {
            ApiError::bad_field("action", format!("unknown step {:?}", form.action))
        })?;
        let rating = given(&form.rating)
            .map(|r| {
                r.parse::<i32>()
                    .map_err(|_| ApiError::bad_field("rating", "must be 1 to 5"))
            })
            .transpose()?;
        let (step, note, _) = AppealStepInput {
            action,
            note: form.note.clone(),
            assignee_person_id: number("assignee_person_id", &form.assignee_person_id)?,
            complex: Some(given(&form.complex).is_some()),
            satisfied: given(&form.satisfied).map(|s| s == "true"),
            rating,
            at: None,
            version: None,
        }
        .parse()?;
        let version = number("version", &form.version)?;
        state
            .store
            .step_appeal(
                viewer.actor(),
                id,
                step,
                note,
                state.clock.now(),
                version,
                state.clock.now(),
            )
            .await?;
        Ok(format!("/appeals/{id}"))
    }
    .await;
    finish(&viewer, result)
}

// ---- key projects ----

struct ProjectRow {
    id: Id,
    name: String,
    investor: String,
    stage: &'static str,
    planned: i64,
    completed: i64,
    chief: String,
}

struct FigureRow {
    name: String,
    projects: i64,
    signed: i64,
    started: i64,
    in_production: i64,
    start_rate: String,
    production_rate: String,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    chrome: Chrome,
    stages: Vec<(&'static str, &'static str, bool)>,
    by_stage: Vec<(&'static str, usize)>,
    rows: Vec<ProjectRow>,
    figures: Vec<FigureRow>,
    as_of: String,
    /// Offers the new-project form.
    may_create: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProjectsQuery {
    stage: Option<String>,
}

fn percent(p: Option<f64>) -> String {
    p.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

pub async fn projects(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ProjectsQuery>,
) -> PageResult {
    viewer.require_zone_views()?;
    let store = state.store.as_ref();
    let stage = given(&q.stage).and_then(ProjectStage::parse);
    let all = store
        .list_projects(viewer.actor(), &ProjectFilter::default(), &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let by_stage = ProjectStage::ALL
        .iter()
        .map(|s| {
            (
                viewer.t(&format!("project.stage.{}", s.as_str())),
                all.iter().filter(|p| p.stage == *s).count(),
            )
        })
        .collect();
    let rows = all
        .into_iter()
        .filter(|p| stage.is_none_or(|s| p.stage == s))
        .map(|p| ProjectRow {
            id: p.id,
            stage: viewer.t(&format!("project.stage.{}", p.stage.as_str())),
            planned: p.planned_investment,
            completed: p.completed_investment,
            chief: name(&p.chief),
            name: p.name,
            investor: p.investor,
        })
        .collect();
    let as_of = state.clock.today();
    let mut figures = Vec::new();
    for grouping in [
        ProjectGrouping::Zone,
        ProjectGrouping::Chain,
        ProjectGrouping::Park,
    ] {
        let found = store
            .project_figures(viewer.actor(), grouping, &ProjectFilter::default(), as_of)
            .await
            .map_err(|e| viewer.fail(e))?;
        figures.extend(found.into_iter().map(|f| FigureRow {
            name: if grouping == ProjectGrouping::Zone {
                viewer.t("projects.all").to_string()
            } else {
                f.name
            },
            projects: f.projects,
            signed: f.signed,
            started: f.started,
            in_production: f.in_production,
            start_rate: percent(f.start_rate_percent),
            production_rate: percent(f.production_rate_percent),
        }));
    }
    Ok(render(ProjectsPage {
        may_create: viewer.actor().scope.may_create_projects(),
        chrome: viewer.chrome(viewer.t("projects.title"), "projects"),
        stages: ProjectStage::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    viewer.t(&format!("project.stage.{}", s.as_str())),
                    Some(*s) == stage,
                )
            })
            .collect(),
        by_stage,
        rows,
        figures,
        as_of: as_of.to_string(),
    }))
}

// ---- park work orders ----

struct WorkOrderRow {
    id: Id,
    /// The version the step forms were made for.
    version: i64,
    park_id: Id,
    park: String,
    facility: String,
    title: String,
    kind: &'static str,
    urgency: &'static str,
    status: &'static str,
    due_at: String,
    /// Why the deadline is provisional (empty when it is not).
    provisional: String,
    overdue: bool,
    assignee: String,
    /// The steps the viewer may try now (the store decides whether they may).
    steps: Vec<(&'static str, &'static str)>,
    /// The park's current staff, for the assign form (empty: no assign form).
    staff: Vec<(Id, String)>,
}

#[derive(Template)]
#[template(path = "work_orders.html")]
struct WorkOrdersPage {
    chrome: Chrome,
    rows: Vec<WorkOrderRow>,
    total: i64,
    statuses: Vec<(&'static str, &'static str, bool)>,
    overdue: String,
    /// The parks the viewer may open orders in (empty: no form).
    create_parks: Vec<(Id, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    urgencies: Vec<(&'static str, &'static str)>,
    filter_query: String,
    pager: super::Pager,
}

/// The people holding a park-staff post of `park` today, by name.
async fn park_staff(state: &AppState, viewer: &Viewer, park: Id) -> Vec<(Id, String)> {
    let store = state.store.as_ref();
    let posts = store
        .list_posts(
            viewer.actor(),
            &chainpark_store::PostFilter {
                role: Some(PostRole::ParkStaff),
                park_id: Some(park),
                on: Some(state.clock.today()),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let mut ids: Vec<Id> = posts.iter().map(|p| p.person_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut people = Vec::new();
    for id in ids {
        if let Ok(person) = store.get_person(viewer.actor(), id).await {
            people.push((id, person.name));
        }
    }
    people
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkOrdersQuery {
    status: Option<String>,
    overdue: Option<String>,
    offset: Option<i64>,
}

pub async fn work_orders(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<WorkOrdersQuery>,
) -> PageResult {
    let status = given(&q.status).and_then(WorkOrderStatus::parse);
    let overdue = match given(&q.overdue) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let filter = WorkOrderFilter {
        park_id: None,
        status,
        kind: None,
        assignee_person_id: None,
        overdue,
        at: state.clock.now(),
    };
    let offset = q.offset.unwrap_or(0).max(0);
    let page = state
        .store
        .list_work_orders(
            viewer.actor(),
            &filter,
            &Paging::new(Some(super::LIST_PAGE), Some(offset), None),
        )
        .await
        .map_err(|e| viewer.fail(e))?;
    let filter_query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = status {
            query.append_pair("status", s.as_str());
        }
        if let Some(o) = overdue {
            query.append_pair("overdue", if o { "true" } else { "false" });
        }
        query.finish()
    };
    let pager = super::Pager::new(
        "/work-orders",
        &filter_query,
        offset,
        page.items.len(),
        page.total,
    );
    // The parks' names; a park the viewer may not see shows its number.
    let parks: std::collections::HashMap<Id, String> = state
        .store
        .list_parks(
            viewer.actor(),
            &chainpark_store::ParkFilter::default(),
            &Paging::all(),
        )
        .await
        .map(|p| p.items.into_iter().map(|p| (p.id, p.name)).collect())
        .unwrap_or_default();
    let role = viewer.actor().scope.role;
    let park_team = matches!(role, Role::Admin | Role::ParkChief | Role::ParkStaff);
    let mut staff_of: std::collections::HashMap<Id, Vec<(Id, String)>> =
        std::collections::HashMap::new();
    let mut rows = Vec::new();
    for w in page.items {
        let codes: &[&'static str] = if !park_team {
            &[]
        } else {
            match w.status {
                WorkOrderStatus::Open => &["assign"],
                WorkOrderStatus::Assigned => &["assign", "start"],
                WorkOrderStatus::InProgress => &["assign", "finish"],
                WorkOrderStatus::Done => &["close", "reject"],
                WorkOrderStatus::Closed => &[],
            }
        };
        let staff = if codes.contains(&"assign") {
            match staff_of.get(&w.park_id) {
                Some(known) => known.clone(),
                None => {
                    let found = park_staff(&state, &viewer, w.park_id).await;
                    staff_of.insert(w.park_id, found.clone());
                    found
                }
            }
        } else {
            Vec::new()
        };
        rows.push(WorkOrderRow {
            id: w.id,
            version: w.version,
            steps: codes
                .iter()
                .map(|c| (*c, viewer.t(&format!("work_order.action.{c}"))))
                .collect(),
            staff,
            park_id: w.park_id,
            park: parks
                .get(&w.park_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", w.park_id)),
            kind: viewer.t(&format!("work_order.kind.{}", w.kind.as_str())),
            urgency: viewer.t(&format!("work_order.urgency.{}", w.urgency.as_str())),
            status: viewer.t(&format!("work_order.status.{}", w.status.as_str())),
            due_at: when(w.due_at),
            provisional: provisional(&viewer, w.provisional_year),
            overdue: w.overdue,
            assignee: name(&w.assignee),
            facility: w.facility,
            title: w.title,
        });
    }
    let create_parks: Vec<(Id, String)> = match role {
        Role::Admin => {
            let mut all: Vec<(Id, String)> = parks.clone().into_iter().collect();
            all.sort();
            all
        }
        Role::ParkChief | Role::ParkStaff => viewer
            .actor()
            .scope
            .parks
            .iter()
            .map(|id| {
                (
                    *id,
                    parks.get(id).cloned().unwrap_or_else(|| format!("#{id}")),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(render(WorkOrdersPage {
        filter_query,
        pager,
        create_parks,
        kinds: WorkOrderKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str(),
                    viewer.t(&format!("work_order.kind.{}", k.as_str())),
                )
            })
            .collect(),
        urgencies: WorkOrderUrgency::ALL
            .iter()
            .map(|u| {
                (
                    u.as_str(),
                    viewer.t(&format!("work_order.urgency.{}", u.as_str())),
                )
            })
            .collect(),
        chrome: viewer.chrome(viewer.t("work_orders.title"), "work_orders"),
        rows,
        total: page.total,
        statuses: WorkOrderStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    viewer.t(&format!("work_order.status.{}", s.as_str())),
                    Some(*s) == status,
                )
            })
            .collect(),
        overdue: given(&q.overdue).unwrap_or_default().to_string(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct WorkOrderForm {
    csrf: String,
    park_id: Option<String>,
    #[serde(default)]
    facility: String,
    kind: String,
    urgency: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

pub async fn create_work_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<WorkOrderForm>,
) -> Response {
    let viewer = match Viewer::for_form(&state, &headers, uri, &form.csrf).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let result = async {
        let park_id = number("park_id", &form.park_id)?
            .ok_or_else(|| ApiError::bad_field("park_id", "is required"))?;
        let kind = WorkOrderKind::parse(form.kind.trim())
            .ok_or_else(|| ApiError::bad_field("kind", format!("unknown type {:?}", form.kind)))?;
        let urgency = WorkOrderUrgency::parse(form.urgency.trim()).ok_or_else(|| {
            ApiError::bad_field("urgency", format!("unknown urgency {:?}", form.urgency))
        })?;
        let draft = WorkOrderInput {
            park_id,
            facility: form.facility.clone(),
            kind,
            urgency,
            title: form.title.clone(),
            description: form.description.clone(),
            limit: None,
            assignee_person_id: None,
            created_at: None,
        }
        .parse()?;
        state
            .store
            .create_work_order(viewer.actor(), draft, state.clock.now(), state.clock.now())
            .await?;
        Ok("/work-orders".to_string())
    }
    .await;
    finish(&viewer, result)
}

#[derive(Debug, Deserialize)]
pub struct WorkOrderStepForm {
    csrf: String,
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    assignee_person_id: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

pub async fn step_work_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<Id>,
    Form(form): Form<WorkOrderStepForm>,
) -> Response {
    let viewer = match Viewer::for_form(&state, &headers, uri, &form.csrf).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let result = async {
        let action = WorkOrderAction::parse(form.action.trim()).ok_or_else(|| {
            ApiError::bad_field("action", format!("unknown step {:?}", form.action))
        })?;
        let step = WorkOrderStepInput {
            action,
            note: form.note.clone(),
            assignee_person_id: number("assignee_person_id", &form.assignee_person_id)?,
            at: None,
            version: number("version", &form.version)?,
        }
        .parse()?;
        state
            .store
            .step_work_order(
                viewer.actor(),
                id,
                step,
                state.clock.now(),
                state.clock.now(),
            )
            .await?;
        Ok("/work-orders".to_string())
    }
    .await;
    finish(&viewer, result)
}
