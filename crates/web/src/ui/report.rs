//! The scheduling report (调度会) of a chain or a park for a month as a page: the same report as
//! `/api/v1/reports/scheduling`, built by the same code with the viewer's caller, so the API's scopes apply
//! unchanged (a chain owner asking for a foreign chain gets the error page).

use askama::Template;
use axum::extract::{Query, State};
use chainpark_core::access::Landing;
use chainpark_core::list::Paging;
use chainpark_core::registry::{Id, PersonRef};
use chainpark_core::time::china;
use chainpark_store::ChainFilter;
use chrono::Datelike;
use serde::Deserialize;

use super::{Chrome, PageResult, Viewer, render};
use crate::AppState;
use crate::error::ApiError;
use chainpark_app::reports::{SchedulingQuery, scheduling_report};

struct FigureRow {
    name: String,
    value: String,
    previous: String,
    yoy: String,
    firms: String,
}

struct StageRow {
    stage: &'static str,
    projects: i64,
}

struct MoveRow {
    on: String,
    project: String,
    stage: &'static str,
}

struct MilestoneRow {
    project: String,
    milestone: String,
    due_on: String,
}

struct AppealRow {
    id: Id,
    title: String,
    enterprise: String,
    status: &'static str,
    received_on: String,
    reply_due: String,
    overdue: &'static str,
    assignee: String,
}

struct WorkOrderRow {
    title: String,
    facility: String,
    kind: &'static str,
    status: &'static str,
    due_at: String,
    overdue: bool,
    assignee: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    subject_name: String,
    subject_kind: String,
    subject_id: Id,
    /// `chain_id` or `park_id`.
    subject_param: &'static str,
    month: String,
    as_of: String,
    figures: Vec<FigureRow>,
    /// Label and value of the project figures.
    project_facts: Vec<(&'static str, String)>,
    stages: Vec<StageRow>,
    moves: Vec<MoveRow>,
    milestones: Vec<MilestoneRow>,
    appeal_facts: Vec<(&'static str, String)>,
    appeals: Vec<AppealRow>,
    is_park: bool,
    work_order_facts: Vec<(&'static str, String)>,
    work_orders: Vec<WorkOrderRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    chain_id: Option<String>,
    park_id: Option<String>,
    month: Option<String>,
}

fn id(field: &str, value: &Option<String>) -> Result<Option<Id>, ApiError> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<Id>()
                .map_err(|_| ApiError::bad_field(field, "must be a number"))
        })
        .transpose()
}

fn name(person: &Option<PersonRef>) -> String {
    person.as_ref().map(|p| p.name.clone()).unwrap_or_default()
}

/// A figure's value in the page's language: from its exact hundredths and unit, or as the report wrote it.
fn written(
    lang: super::i18n::Lang,
    unit: Option<chainpark_core::figures::Unit>,
    hundredths: Option<i64>,
    display_zh: &Option<String>,
) -> String {
    match (lang, unit, hundredths) {
        (super::i18n::Lang::En, Some(unit), Some(h)) => {
            super::format::amount_with_unit(h, unit, lang)
        }
        _ => display_zh.clone().unwrap_or_default(),
    }
}

fn percent(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.1}%")).unwrap_or_default()
}

/// The latest month with the zone's figures up to today, where the report opens; this month when there are none.
async fn latest_month(state: &AppState, viewer: &Viewer) -> Result<String, super::PageError> {
    let today = state.clock.today();
    let this_month = today.year() as u32 * 100 + today.month();
    let latest = state
        .store
        .latest_figure_month(viewer.actor(), super::stats::GROSS_OUTPUT, this_month)
        .await
        .map_err(|e| viewer.fail(e))?
        .unwrap_or(this_month);
    Ok(format!("{}-{:02}", latest / 100, latest % 100))
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    let (mut chain_id, mut park_id) = (
        id("chain_id", &q.chain_id).map_err(|e| viewer.fail(e))?,
        id("park_id", &q.park_id).map_err(|e| viewer.fail(e))?,
    );
    // From the navigation (no chain or park named): the viewer's own chain or park, else the first chain.
    if chain_id.is_none() && park_id.is_none() {
        match viewer.actor().scope.landing() {
            Landing::Park(Some(park)) => park_id = Some(park),
            Landing::Chain(Some(chain)) => chain_id = Some(chain),
            _ => {
                chain_id = state
                    .store
                    .list_chains(
                        viewer.actor(),
                        &ChainFilter::default(),
                        &Paging::new(Some(1), None, None),
                    )
                    .await
                    .map_err(|e| viewer.fail(e))?
                    .items
                    .first()
                    .map(|c| c.id)
            }
        }
    }
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(month) => month.to_string(),
        None => latest_month(&state, &viewer).await?,
    };
    let query = SchedulingQuery {
        chain_id,
        park_id,
        month,
        format: None,
    };
    let r = scheduling_report(
        state.store.as_ref(),
        &state.disclosure,
        viewer.actor(),
        &query,
    )
    .await
    .map_err(|e| viewer.fail(e))?;
    let en = viewer.lang == super::i18n::Lang::En;
    let figures = r
        .figures
        .iter()
        .map(|f| FigureRow {
            name: if en {
                f.name_en.clone()
            } else {
                f.name_zh.clone()
            },
            value: match f.suppressed {
                Some(rule) => super::stats::withheld(viewer.lang, rule),
                None => written(viewer.lang, f.unit, f.value_hundredths, &f.value_display),
            },
            previous: match f.previous_suppressed {
                Some(rule) => super::stats::withheld(viewer.lang, rule),
                None => written(
                    viewer.lang,
                    f.unit,
                    f.previous_hundredths,
                    &f.previous_display,
                ),
            },
            yoy: f
                .yoy_growth_percent
                .as_ref()
                .map(|g| format!("{g}%"))
                .unwrap_or_default(),
            firms: f.firms.map(|n| n.to_string()).unwrap_or_default(),
        })
        .collect();
    let project_facts = match &r.project_figures {
        Some(p) => vec![
            (viewer.t("report.projects"), p.projects.to_string()),
            (viewer.t("report.signed"), p.signed.to_string()),
            (viewer.t("report.started"), p.started.to_string()),
            (
                viewer.t("report.in_production"),
                p.in_production.to_string(),
            ),
            (viewer.t("report.planned_year"), p.planned_year.to_string()),
            (
                viewer.t("report.completed_year"),
                p.completed_year.to_string(),
            ),
            (viewer.t("report.start_rate"), percent(p.start_rate_percent)),
            (
                viewer.t("report.production_rate"),
                percent(p.production_rate_percent),
            ),
            (
                viewer.t("report.plan_completion"),
                percent(p.plan_completion_percent),
            ),
            (
                viewer.t("report.time_progress"),
                percent(Some(p.time_progress_percent)),
            ),
        ],
        None => Vec::new(),
    };
    let stages = r
        .projects_by_stage
        .iter()
        .map(|s| StageRow {
            stage: viewer.t(&format!("project.stage.{}", s.stage.as_str())),
            projects: s.projects,
        })
        .collect();
    let moves = r
        .moved_in_month
        .iter()
        .map(|m| MoveRow {
            on: m.on.to_string(),
            project: m.name.clone(),
            stage: viewer.t(&format!("project.stage.{}", m.stage.as_str())),
        })
        .collect();
    let milestones = r
        .overdue_milestones
        .iter()
        .map(|m| MilestoneRow {
            project: m.project_name.clone(),
            milestone: m.name.clone(),
            due_on: m.due_on.to_string(),
        })
        .collect();
    let a = &r.appeals;
    let appeal_facts = vec![
        (viewer.t("report.received"), a.received_in_month.to_string()),
        (viewer.t("report.closed"), a.closed_in_month.to_string()),
        (viewer.t("report.open"), a.open.to_string()),
        (viewer.t("report.overdue"), a.overdue.to_string()),
        (viewer.t("report.on_time"), percent(a.on_time.rate_percent)),
    ];
    let appeals = r
        .open_appeals
        .iter()
        .map(|a| AppealRow {
            id: a.id,
            title: a.title.clone(),
            enterprise: a.enterprise_name.clone(),
            status: viewer.t(&format!("appeal.status.{}", a.status.as_str())),
            received_on: a.received_on.to_string(),
            reply_due: a.reply_due.to_string(),
            overdue: match a.overdue {
                Some(step) => viewer.t(&format!("appeal.overdue.{}", step.as_str())),
                None => "",
            },
            assignee: name(&a.assignee),
        })
        .collect();
    let work_order_facts = match &r.work_orders {
        Some(w) => vec![
            (
                viewer.t("report.wo_created"),
                w.created_in_month.to_string(),
            ),
            (viewer.t("report.open"), w.open.to_string()),
            (viewer.t("report.overdue"), w.overdue.to_string()),
        ],
        None => Vec::new(),
    };
    let work_orders = r
        .open_work_orders
        .iter()
        .map(|w| WorkOrderRow {
            title: w.title.clone(),
            facility: w.facility.clone(),
            kind: viewer.t(&format!("work_order.kind.{}", w.kind.as_str())),
            status: viewer.t(&format!("work_order.status.{}", w.status.as_str())),
            due_at: w
                .due_at
                .with_timezone(&china())
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            overdue: w.overdue,
            assignee: name(&w.assignee),
        })
        .collect();
    let is_park = r.subject.kind == "park";
    let subject_param = if is_park { "park_id" } else { "chain_id" };
    let subject = viewer
        .lang
        .pick(&r.subject.name, &r.subject.name_en)
        .to_string();
    let title = format!("{} · {subject}", viewer.t("report.title"));
    Ok(render(ReportPage {
        chrome: viewer.chrome(title, "report"),
        subject_kind: viewer
            .t(&format!("report.kind.{}", r.subject.kind))
            .to_string(),
        subject_name: subject,
        subject_id: r.subject.id,
        subject_param,
        month: r.month,
        as_of: r.as_of.to_string(),
        figures,
        project_facts,
        stages,
        moves,
        milestones,
        appeal_facts,
        appeals,
        is_park,
        work_order_facts,
        work_orders,
    }))
}
