//! A chain's 招商路线图 (attraction roadmap, one of its N图N清单): gap segments by priority → their top targets, each
//! score with its parts on hover in the page's language → the leads already made and their stage, with a "turn
//! into a lead" form where the policy lets the viewer steer the chain. The whole set (diagnosis, targets, leads,
//! projects, enterprises, problems) downloads as one XLSX workbook. Built by `chainpark_app::targets::target_lists`
//! with the viewer's actor, so the API's scopes apply unchanged.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainpark_app::chain_intel::parse_month;
use chainpark_app::exports::{Cell, Sheet, xlsx_bytes};
use chainpark_app::targets::{LeadInput, Target, TargetLists, target_lists, turn_into_lead};
use chainpark_core::chain_intel::{Explained, GapClass, round4};
use chainpark_core::list::Paging;
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_core::targets::TargetScore;
use chainpark_store::workflow::{AppealFilter, ProjectFilter};
use chainpark_store::{EnterpriseFilter, SegmentFilter};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::i18n::Lang;
use super::{Chrome, FormPost, PageError, PageResult, Viewer, render};
use crate::AppState;
use crate::download::attachment;
use crate::error::ApiError;

/// Targets shown per segment on the page (the workbook has all of the list).
const SHOWN: usize = 3;

struct TargetRow {
    rank: usize,
    candidate_id: Id,
    name: String,
    place: String,
    pinned: bool,
    score: String,
    hover: String,
}

struct LeadRow {
    project_id: Id,
    name: String,
    stage: &'static str,
}

struct GapRow {
    segment_id: Id,
    name: String,
    class: &'static str,
    class_label: &'static str,
    priority: String,
    priority_hover: String,
    targets: Vec<TargetRow>,
    leads: Vec<LeadRow>,
}

#[derive(Template)]
#[template(path = "roadmap.html")]
struct RoadmapPage {
    chrome: Chrome,
    chain_id: Id,
    chain_name: String,
    month: String,
    today: String,
    may_steer: bool,
    gaps: Vec<GapRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RoadmapQuery {
    month: Option<String>,
}

fn month_of(state: &AppState, viewer: &Viewer, text: Option<&str>) -> Result<Month, PageError> {
    let today = state.clock.today();
    match text.map(str::trim).filter(|m| !m.is_empty()) {
        Some(text) => parse_month("month", text).map_err(|e| viewer.fail(e)),
        None => Month::new(today.year(), today.month())
            .ok_or_else(|| viewer.fail(chainpark_app::AppError::internal("today is no month"))),
    }
}

fn class_label(viewer: &Viewer, class: GapClass) -> &'static str {
    viewer.t(match class {
        GapClass::Broken => "health.class.broken",
        GapClass::SinglePoint => "health.class.single_point",
        GapClass::Weak => "health.class.weak",
        GapClass::Concentrated => "health.class.concentrated",
        GapClass::Healthy => "health.class.healthy",
    })
}

fn value(e: &Explained) -> String {
    e.value
        .map(|v| format!("{:.2}", round4(v)))
        .unwrap_or_else(|| "—".into())
}

/// A score's parts in the viewer's language: "分段匹配 1.00（权重 35）· ..." — the formula of each stays as computed.
fn score_hover(viewer: &Viewer, s: &TargetScore, weights: [i64; 5]) -> String {
    let parts = [
        ("roadmap.part.match", &s.segment_match),
        ("roadmap.part.scale", &s.scale),
        ("roadmap.part.growth", &s.growth),
        ("roadmap.part.relations", &s.relations),
        ("roadmap.part.distance", &s.distance),
    ];
    let listed: Vec<String> = parts
        .iter()
        .zip(weights)
        .map(|((key, part), w)| {
            format!(
                "{} {} ({} {w}; {})",
                viewer.t(key),
                value(part),
                viewer.t("roadmap.weight"),
                part.hover()
            )
        })
        .collect();
    format!(
        "{}: {}",
        viewer.t("roadmap.score_formula"),
        listed.join(" · ")
    )
}

fn stage_label(
    viewer: &Viewer,
    stage: chainpark_core::workflow::projects::ProjectStage,
) -> &'static str {
    viewer.t(&format!("project.stage.{}", stage.as_str()))
}

/// Segment names in the viewer's language.
async fn segment_names(
    state: &AppState,
    viewer: &Viewer,
    chain: Id,
) -> Result<HashMap<Id, String>, PageError> {
    let filter = SegmentFilter {
        chain_id: Some(chain),
        ..Default::default()
    };
    let english = viewer.lang == Lang::En;
    Ok(state
        .store
        .list_segments(viewer.actor(), &filter, &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items
        .into_iter()
        .map(|s| {
            let name = if english && !s.name_en.is_empty() {
                s.name_en
            } else {
                s.name
            };
            (s.id, name)
        })
        .collect())
}

fn weights_of(lists: &TargetLists) -> [i64; 5] {
    let w = lists.weights;
    [w.segment_match, w.scale, w.growth, w.relations, w.distance]
}

fn target_row(viewer: &Viewer, t: &Target, weights: [i64; 5]) -> TargetRow {
    let c = &t.candidate;
    TargetRow {
        rank: t.rank,
        candidate_id: c.id,
        name: c.name.clone(),
        place: format!("{}{}", c.province, c.city),
        pinned: t.pinned,
        score: value(&t.score.score),
        hover: score_hover(viewer, &t.score, weights),
    }
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<RoadmapQuery>,
) -> PageResult {
    let month = month_of(&state, &viewer, q.month.as_deref())?;
    let actor = viewer.actor();
    let lists = target_lists(
        state.store.as_ref(),
        &state.chain_health,
        state.cache.version(),
        actor,
        id,
        month,
    )
    .await
    .map_err(|e| viewer.fail(e))?;
    let chain = state
        .store
        .get_chain(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let names = segment_names(&state, &viewer, id).await?;
    let weights = weights_of(&lists);
    let gaps = lists
        .segments
        .iter()
        .map(|s| GapRow {
            segment_id: s.segment_id,
            name: names.get(&s.segment_id).cloned().unwrap_or_default(),
            class: s.gap_class.as_str(),
            class_label: class_label(&viewer, s.gap_class),
            priority: value(&s.priority),
            priority_hover: format!("{}: {}", viewer.t("health.priority"), s.priority.hover()),
            targets: s
                .targets
                .iter()
                .take(SHOWN)
                .map(|t| target_row(&viewer, t, weights))
                .collect(),
            leads: s
                .leads
                .iter()
                .map(|l| LeadRow {
                    project_id: l.project_id,
                    name: l.project_name.clone(),
                    stage: stage_label(&viewer, l.stage),
                })
                .collect(),
        })
        .collect();
    let chain_name = viewer.lang.pick(&chain.name, &chain.name_en).to_string();
    let chain_name = if chain_name.is_empty() {
        chain.name
    } else {
        chain_name
    };
    Ok(render(RoadmapPage {
        chrome: viewer.chrome(
            format!("{} · {}", viewer.t("roadmap.title"), chain_name),
            "chains",
        ),
        chain_id: id,
        chain_name,
        month: lists.month.clone(),
        today: state.clock.today().to_string(),
        may_steer: actor.scope.may_steer_chain(id).is_ok(),
        gaps,
    }))
}

#[derive(Debug, Deserialize)]
pub struct LeadForm {
    segment_id: String,
    candidate_id: String,
    on: String,
}

fn id_field(field: &str, value: &str) -> Result<Id, ApiError> {
    value
        .trim()
        .parse::<Id>()
        .map_err(|_| ApiError::bad_field(field, "must be a number"))
}

/// The "turn into a lead" form: the project made, then back to the roadmap.
pub async fn make_lead(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<LeadForm>,
) -> Response {
    use axum::response::{IntoResponse, Redirect};
    let result = async {
        let input = LeadInput {
            segment_id: id_field("segment_id", &form.segment_id)?,
            candidate_id: id_field("candidate_id", &form.candidate_id)?,
            on: NaiveDate::parse_from_str(form.on.trim(), "%Y-%m-%d")
                .map_err(|_| ApiError::bad_field("on", "must be a date"))?,
            chief_person_id: None,
            officer_person_id: None,
        };
        turn_into_lead(state.store.as_ref(), viewer.actor(), id, input).await?;
        Ok::<_, ApiError>(format!("/chains/{id}/roadmap"))
    }
    .await;
    match result {
        Ok(target) => Redirect::to(&target).into_response(),
        Err(e) => viewer.fail(e).into_response(),
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn number(e: &Explained) -> Cell {
    e.value.map_or(Cell::Empty, |v| Cell::Decimal(round4(v)))
}

/// The chain's N图N清单 as one workbook: diagnosis, targets, leads, projects, enterprises and problems.
pub async fn workbook(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<RoadmapQuery>,
) -> PageResult {
    let month = month_of(&state, &viewer, q.month.as_deref())?;
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let version = state.cache.version();
    let health = state
        .chain_health
        .chain(store, actor, id, month, None, version)
        .await
        .map_err(|e| viewer.fail(e))?;
    let lists = target_lists(store, &state.chain_health, version, actor, id, month)
        .await
        .map_err(|e| viewer.fail(e))?;
    let names = segment_names(&state, &viewer, id).await?;
    let name = |s: Id| names.get(&s).cloned().unwrap_or_default();
    let t = |key: &str| viewer.t(key);

    let mut diagnosis = Sheet::new(
        t("roadmap.sheet.diagnosis"),
        &[
            t("health.segment"),
            t("health.class"),
            t("health.firms"),
            t("health.share"),
            "LQ",
            "HHI",
            "Katz",
            t("health.priority"),
        ],
    );
    for s in &health.diagnosis.segments {
        diagnosis.rows.push(vec![
            text(name(s.segment_id)),
            text(class_label(&viewer, s.gap_class)),
            Cell::Int(s.firms as i64),
            number(&s.share_of_chain),
            number(&s.location_quotient),
            number(&s.hhi),
            number(&s.katz),
            number(&s.priority),
        ]);
    }
    let mut targets = Sheet::new(
        t("roadmap.sheet.targets"),
        &[
            t("health.segment"),
            t("roadmap.rank"),
            t("roadmap.candidate"),
            t("roadmap.credit_code"),
            t("roadmap.place"),
            t("roadmap.score"),
            t("roadmap.part.match"),
            t("roadmap.part.scale"),
            t("roadmap.part.growth"),
            t("roadmap.part.relations"),
            t("roadmap.part.distance"),
            t("roadmap.excluded"),
        ],
    );
    let mut leads = Sheet::new(
        t("roadmap.sheet.leads"),
        &[
            t("health.segment"),
            t("roadmap.project"),
            t("roadmap.stage"),
        ],
    );
    for s in &lists.segments {
        for target in s.targets.iter().chain(&s.excluded) {
            let c = &target.candidate;
            let sc = &target.score;
            targets.rows.push(vec![
                text(name(s.segment_id)),
                if target.rank > 0 {
                    Cell::Int(target.rank as i64)
                } else {
                    Cell::Empty
                },
                text(c.name.clone()),
                text(c.credit_code.clone()),
                text(format!("{}{}", c.province, c.city)),
                number(&sc.score),
                number(&sc.segment_match),
                number(&sc.scale),
                number(&sc.growth),
                number(&sc.relations),
                number(&sc.distance),
                text(target.excluded_reason.clone().unwrap_or_default()),
            ]);
        }
        for l in &s.leads {
            leads.rows.push(vec![
                text(name(s.segment_id)),
                text(l.project_name.clone()),
                text(stage_label(&viewer, l.stage)),
            ]);
        }
    }
    let mut projects = Sheet::new(
        t("roadmap.sheet.projects"),
        &[
            t("roadmap.project"),
            t("health.segment"),
            t("roadmap.stage"),
        ],
    );
    let project_filter = ProjectFilter {
        chain_id: Some(id),
        ..Default::default()
    };
    for p in store
        .list_projects(actor, &project_filter, &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items
    {
        projects.rows.push(vec![
            text(p.name),
            text(p.segment_id.map(name).unwrap_or_default()),
            text(stage_label(&viewer, p.stage)),
        ]);
    }
    let mut enterprises = Sheet::new(
        t("roadmap.sheet.enterprises"),
        &[t("roadmap.candidate"), t("roadmap.credit_code")],
    );
    let firm_filter = EnterpriseFilter {
        chain_id: Some(id),
        ..Default::default()
    };
    for e in store
        .list_enterprises(actor, &firm_filter, &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items
    {
        enterprises
            .rows
            .push(vec![text(e.name), text(e.credit_code.as_str())]);
    }
    let mut problems = Sheet::new(
        t("roadmap.sheet.problems"),
        &[t("roadmap.problem_kind"), t("roadmap.problem")],
    );
    for s in health
        .diagnosis
        .segments
        .iter()
        .filter(|s| s.leaf && s.gap_class.is_gap())
    {
        problems.rows.push(vec![
            text(class_label(&viewer, s.gap_class)),
            text(name(s.segment_id)),
        ]);
    }
    let appeal_filter = AppealFilter {
        chain_id: Some(id),
        open: Some(true),
        ..Default::default()
    };
    for a in store
        .list_appeals(actor, &appeal_filter, &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items
    {
        problems
            .rows
            .push(vec![text(t("roadmap.appeal")), text(a.title)]);
    }
    let sheets = vec![diagnosis, targets, leads, projects, enterprises, problems];
    let bytes = tokio::task::spawn_blocking(move || xlsx_bytes(&sheets))
        .await
        .map_err(|e| viewer.fail(chainpark_app::AppError::internal(e.to_string())))?
        .map_err(|e| viewer.fail(e))?;
    Ok(attachment(
        bytes,
        chainpark_app::exports::XLSX,
        &format!("chain-{id}-{}.xlsx", lists.month),
    ))
}
