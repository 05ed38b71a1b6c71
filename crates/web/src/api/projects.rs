//! Key projects: the list and each project, moving a project on through its stages, investment month by month
//! and against the annual plan, milestones, signing events, the figures by chain, park, chief or event, and the
//! list as CSV or XLSX.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_core::workflow::projects::*;
use chainpark_store::workflow::{MilestoneFilter, ProjectFilter, ProjectGrouping};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::appeals::AsOfQuery;
use crate::api::reports::download;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, merge_patch};
use crate::{AppState, Caller};
use chainpark_app::exports::{Cell, ExportFormat, Sheet};

/// Filters, sorting and paging of the project list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProjectQuery {
    /// Part of the name or the investor.
    pub q: Option<String>,
    pub stage: Option<ProjectStage>,
    pub chain_id: Option<i64>,
    pub park_id: Option<i64>,
    pub event_id: Option<i64>,
    pub chief_person_id: Option<i64>,
    pub include_archived: Option<bool>,
    /// Sort key (name, stage, signed_on, planned_investment, contracted_investment, updated_at); `-` for descending.
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// For the export: csv (default) or xlsx.
    pub format: Option<ExportFormat>,
}

impl ProjectQuery {
    fn filter(&self) -> ProjectFilter {
        ProjectFilter {
            q: self.q.clone(),
            stage: self.stage,
            chain_id: self.chain_id,
            park_id: self.park_id,
            event_id: self.event_id,
            chief_person_id: self.chief_person_id,
            include_archived: self.include_archived.unwrap_or(false),
        }
    }
}

/// Lists the key projects of the caller's chains and parks (all of them for leaders, analysts and admins).
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, body = Page<Project>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> ApiResult<Json<Page<Project>>> {
    let paging = Paging::new(q.limit, q.offset, q.sort.as_deref());
    Ok(Json(
        state
            .store
            .list_projects(&caller.actor(), &q.filter(), &paging)
            .await?,
    ))
}

/// Everything the filter selects, as CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/projects/export", tag = "projects", params(ProjectQuery),
    responses((status = 200, description = "text/csv or an XLSX workbook")))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> ApiResult<Response> {
    let mut paging = Paging::all();
    paging.sort = Paging::new(None, None, q.sort.as_deref()).sort;
    let page = state
        .store
        .list_projects(&caller.actor(), &q.filter(), &paging)
        .await?;
    download(
        q.format.unwrap_or_default(),
        "projects",
        vec![project_sheet(&page.items)],
    )
    .await
}

pub(crate) fn project_sheet(items: &[Project]) -> Sheet {
    let mut sheet = Sheet::new(
        "项目 Projects",
        &[
            "编号 id",
            "项目 name",
            "投资方 investor",
            "阶段 stage",
            "计划投资(万元) planned",
            "签约投资(万元) contracted",
            "完成投资(万元) completed",
            "产业链 chain_id",
            "园区 park_id",
            "链长 chief",
            "专员 officer",
            "签约活动 event_id",
            "签约 signed_on",
            "开工 started_on",
            "投产 production_on",
            "达产 capacity_on",
        ],
    );
    let date = |d: Option<NaiveDate>| Cell::from(d.map(|d| d.to_string()));
    for p in items {
        sheet.rows.push(vec![
            Cell::Int(p.id),
            p.name.clone().into(),
            p.investor.clone().into(),
            format!("{} {}", p.stage.name_zh(), p.stage).into(),
            Cell::Int(p.planned_investment),
            Cell::Int(p.contracted_investment),
            Cell::Int(p.completed_investment),
            p.chain_id.into(),
            p.park_id.into(),
            p.chief.as_ref().map(|c| c.name.clone()).into(),
            p.officer.as_ref().map(|c| c.name.clone()).into(),
            p.event_id.into(),
            date(p.stages.signed_on),
            date(p.stages.started_on),
            date(p.stages.production_on),
            date(p.stages.capacity_on),
        ]);
    }
    sheet
}

/// Adds a key project: the admin, or a chief or task-force member of its chain. Stage dates must keep their order.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectInput,
    responses((status = 201, body = Project), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ProjectInput>,
) -> ApiResult<impl IntoResponse> {
    let created = state
        .store
        .create_project(&caller.actor(), input.parse()?)
        .await?;
    let location = format!("/api/v1/projects/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Project), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Project>> {
    Ok(Json(state.store.get_project(&caller.actor(), id).await?))
}

/// Changes a project with a JSON merge patch of its input form.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)), request_body = serde_json::Value,
    responses((status = 200, body = Project), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> ApiResult<Json<Project>> {
    let current = state.store.get_project(&caller.actor(), id).await?;
    let input: ProjectInput = merge_patch(&current.to_input(), patch)?;
    Ok(Json(
        state
            .store
            .update_project(&caller.actor(), id, input.parse()?)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/archive", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Project), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Project>> {
    Ok(Json(
        state.store.archive_project(&caller.actor(), id).await?,
    ))
}

/// Moves a project forward to a stage reached on a day. Backwards, out of date order, or past a stage it needs
/// (started before signed): 422, nothing changed.
#[utoipa::path(post, path = "/api/v1/projects/{id}/stage", tag = "projects", params(("id" = i64, Path)), request_body = StageMoveInput,
    responses((status = 200, body = Project), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn move_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<StageMoveInput>,
) -> ApiResult<Json<Project>> {
    Ok(Json(
        state
            .store
            .move_project(&caller.actor(), id, input.stage, input.on)
            .await?,
    ))
}

/// Records investment completed in a month (`month`) or the annual plan (`year`), in 万元.
#[utoipa::path(post, path = "/api/v1/projects/{id}/investments", tag = "projects", params(("id" = i64, Path)), request_body = InvestmentInput,
    responses((status = 200, body = Project), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn investment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<InvestmentInput>,
) -> ApiResult<Json<Project>> {
    Ok(Json(
        state
            .store
            .record_investment(&caller.actor(), id, input.parse()?)
            .await?,
    ))
}

/// Adds a milestone with its due date.
#[utoipa::path(post, path = "/api/v1/projects/{id}/milestones", tag = "projects", params(("id" = i64, Path)), request_body = MilestoneInput,
    responses((status = 201, body = Milestone), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_milestone(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<MilestoneInput>,
) -> ApiResult<impl IntoResponse> {
    let created = state
        .store
        .create_milestone(&caller.actor(), id, input.parse()?, state.clock.today())
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Filters of the milestone list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MilestoneQuery {
    pub project_id: Option<i64>,
    /// Only overdue (true) or not overdue (false) milestones on `as_of`.
    pub overdue: Option<bool>,
    /// Default today (China time).
    pub as_of: Option<NaiveDate>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Milestones of the caller's projects, earliest due first.
#[utoipa::path(get, path = "/api/v1/milestones", tag = "projects", params(MilestoneQuery),
    responses((status = 200, body = Page<Milestone>)))]
pub async fn list_milestones(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MilestoneQuery>,
) -> ApiResult<Json<Page<Milestone>>> {
    let filter = MilestoneFilter {
        project_id: q.project_id,
        overdue: q.overdue,
        as_of: q.as_of.unwrap_or_else(|| state.clock.today()),
    };
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .list_milestones(&caller.actor(), &filter, &paging)
            .await?,
    ))
}

/// Changes a milestone (its name, due date, or the day it was done) with a JSON merge patch.
#[utoipa::path(patch, path = "/api/v1/milestones/{id}", tag = "projects", params(("id" = i64, Path), AsOfQuery), request_body = serde_json::Value,
    responses((status = 200, body = Milestone), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_milestone(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<AsOfQuery>,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> ApiResult<Json<Milestone>> {
    let as_of = q.as_of.unwrap_or_else(|| state.clock.today());
    let filter = MilestoneFilter {
        as_of,
        ..Default::default()
    };
    // Read through the scoped list so a foreign milestone answers 404.
    let all = state
        .store
        .list_milestones(&caller.actor(), &filter, &Paging::all())
        .await?;
    let current = all.items.into_iter().find(|m| m.id == id).ok_or(
        chainpark_store::StoreError::NotFound {
            kind: "milestone",
            id,
        },
    )?;
    let input = MilestoneInput {
        name: current.name,
        due_on: current.due_on,
        done_on: current.done_on,
    };
    let input: MilestoneInput = merge_patch(&input, patch)?;
    Ok(Json(
        state
            .store
            .update_milestone(&caller.actor(), id, input.parse()?, as_of)
            .await?,
    ))
}

/// How to group the figures, and on which day.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// zone (default), chain, park, chief or event.
    pub by: Option<ProjectGrouping>,
    /// Default today; investment counts the year of this day up to its month.
    pub as_of: Option<NaiveDate>,
    pub chain_id: Option<i64>,
    pub park_id: Option<i64>,
    pub event_id: Option<i64>,
}

/// Signed, started and in-production projects with the start and production rates, and investment completed
/// against the annual plan and against the time elapsed.
#[utoipa::path(get, path = "/api/v1/projects/figures", tag = "projects", params(FiguresQuery),
    responses((status = 200, body = Vec<ProjectFigures>)))]
pub async fn figures(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Json<Vec<ProjectFigures>>> {
    let filter = ProjectFilter {
        chain_id: q.chain_id,
        park_id: q.park_id,
        event_id: q.event_id,
        ..Default::default()
    };
    Ok(Json(
        state
            .store
            .project_figures(
                &caller.actor(),
                q.by.unwrap_or_default(),
                &filter,
                q.as_of.unwrap_or_else(|| state.clock.today()),
            )
            .await?,
    ))
}

/// Paging of the event list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Signing events with the number of projects signed at each and their contracted investment.
#[utoipa::path(get, path = "/api/v1/signing-events", tag = "projects", params(EventQuery),
    responses((status = 200, body = Page<SigningEvent>)))]
pub async fn list_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> ApiResult<Json<Page<SigningEvent>>> {
    Ok(Json(
        state
            .store
            .list_signing_events(&caller.actor(), &Paging::new(q.limit, q.offset, None))
            .await?,
    ))
}

/// Adds a signing event. Admin only.
#[utoipa::path(post, path = "/api/v1/signing-events", tag = "projects", request_body = SigningEventInput,
    responses((status = 201, body = SigningEvent), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create_event(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<SigningEventInput>,
) -> ApiResult<impl IntoResponse> {
    let created = state
        .store
        .create_signing_event(&caller.actor(), input.parse()?)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/signing-events/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = SigningEvent), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<SigningEvent>> {
    Ok(Json(
        state.store.get_signing_event(&caller.actor(), id).await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(figures))
        .routes(routes!(get, update))
        .routes(routes!(archive))
        .routes(routes!(move_stage))
        .routes(routes!(investment))
        .routes(routes!(create_milestone))
        .routes(routes!(list_milestones))
        .routes(routes!(update_milestone))
        .routes(routes!(list_events, create_event))
        .routes(routes!(get_event))
}
