//! A chain's 招商路线图 (attraction roadmap, one of its N图N清单): gap segments by priority → their top targets, each
//! score with its parts on hover in the page's language → the leads already made and their stage, with a "turn
//! into a lead" form where the policy lets the viewer steer the chain. The whole set (diagnosis, targets, leads,
//! projects, enterprises, problems) downloads as one XLSX workbook. Built by `chainpark_app::targets::target_lists`
//! with the viewer's actor, so the API's scopes apply unchanged.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainpark_app::chain_intel::{ChainHealth, parse_month};
use chainpark_app::exports::{Cell, Sheet, xlsx_bytes};
use chainpark_app::targets::{LeadInput, Target, TargetLists, target_lists, turn_into_lead};
use chainpark_core::chain_intel::{Explained, GapClass, round4};
use chainpark_core::error::FieldError;
use chainpark_core::list::Paging;
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_core::targets::{TargetScore, TargetWeights};
use chainpark_store::targets::TargetMark;
use chainpark_store::workflow::{AppealFilter, ProjectFilter};
use chainpark_store::{EnterpriseFilter, SegmentFilter};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::form::{self, Refusal};
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
    /// The exclusion form's id, and the reason typed into it (kept when it was refused) with its message.
    form_id: String,
    reason: String,
    reason_error: String,
}

/// A candidate the chain's staff excluded, with their reason.
struct ExcludedRow {
    candidate_id: Id,
    name: String,
    reason: String,
}

/// The score's weights form: each part's field, its label, the value shown (as stored, or as typed when refused)
/// and the message beside it.
struct WeightField {
    field: &'static str,
    label: &'static str,
    value: String,
    error: String,
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
    excluded: Vec<ExcludedRow>,
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
    weights: Vec<WeightField>,
    /// The weights form was refused: shown open.
    weights_open: bool,
    /// Messages of the refused form about no field it shows.
    weights_general: Vec<String>,
    marks_general: Vec<String>,
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

/// The id of the exclusion form of one target.
fn exclude_form(segment: Id, candidate: Id) -> String {
    format!("exclude-{segment}-{candidate}")
}

fn target_row(
    viewer: &Viewer,
    segment: Id,
    t: &Target,
    weights: [i64; 5],
    refused: &Refusal,
) -> TargetRow {
    let c = &t.candidate;
    let form_id = exclude_form(segment, c.id);
    TargetRow {
        rank: t.rank,
        candidate_id: c.id,
        name: c.name.clone(),
        place: format!("{}{}", c.province, c.city),
        pinned: t.pinned,
        score: value(&t.score.score),
        hover: score_hover(viewer, &t.score, weights),
        reason: refused.value(&form_id, "reason").to_string(),
        reason_error: refused.error(&form_id, "excluded_reason").to_string(),
        form_id,
    }
}

/// The weights' fields, in the order of the score's parts.
const WEIGHT_FIELDS: [(&str, &str); 5] = [
    ("segment_match", "roadmap.part.match"),
    ("scale", "roadmap.part.scale"),
    ("growth", "roadmap.part.growth"),
    ("relations", "roadmap.part.relations"),
    ("distance", "roadmap.part.distance"),
];

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<RoadmapQuery>,
) -> PageResult {
    let month = month_of(&state, &viewer, q.month.as_deref())?;
    roadmap_page(&state, &viewer, id, month, Refusal::none()).await
}

/// The roadmap, with the refused form (if any) showing what was typed and why it was refused.
async fn roadmap_page(
    state: &AppState,
    viewer: &Viewer,
    id: Id,
    month: Month,
    refused: Refusal,
) -> PageResult {
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
    let names = segment_names(state, viewer, id).await?;
    let weights = weights_of(&lists);
    let gaps = lists
        .segments
        .iter()
        .map(|s| GapRow {
            segment_id: s.segment_id,
            name: names.get(&s.segment_id).cloned().unwrap_or_default(),
            class: s.gap_class.as_str(),
            class_label: class_label(viewer, s.gap_class),
            priority: value(&s.priority),
            priority_hover: format!("{}: {}", viewer.t("health.priority"), s.priority.hover()),
            targets: s
                .targets
                .iter()
                .take(SHOWN)
                .map(|t| target_row(viewer, s.segment_id, t, weights, &refused))
                .collect(),
            excluded: s
                .excluded
                .iter()
                .map(|t| ExcludedRow {
                    candidate_id: t.candidate.id,
                    name: t.candidate.name.clone(),
                    reason: t.excluded_reason.clone().unwrap_or_default(),
                })
                .collect(),
            leads: s
                .leads
                .iter()
                .map(|l| LeadRow {
                    project_id: l.project_id,
                    name: l.project_name.clone(),
                    stage: stage_label(viewer, l.stage),
                })
                .collect(),
        })
        .collect();
    let weight_fields = WEIGHT_FIELDS
        .iter()
        .zip(weights)
        .map(|((field, label), stored)| WeightField {
            field,
            label: viewer.t(label),
            value: if refused.is("weights") {
                refused.value("weights", field).to_string()
            } else {
                stored.to_string()
            },
            error: refused.error("weights", field).to_string(),
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
        weights: weight_fields,
        weights_open: refused.is("weights"),
        weights_general: refused.general("weights").to_vec(),
        marks_general: refused
            .general(refused_mark_form(&refused).unwrap_or_default().as_str())
            .to_vec(),
    }))
}

/// The exclusion form that was refused, if one was (its messages about no field show above the lists).
fn refused_mark_form(refused: &Refusal) -> Option<String> {
    refused
        .form()
        .filter(|f| f.starts_with("exclude-"))
        .map(str::to_string)
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

/// The pin, exclude and restore buttons of a target: `action` is `pin`, `unpin`, `exclude` (with `reason`) or
/// `restore` (neither pinned nor excluded).
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct MarkForm {
    segment_id: String,
    candidate_id: String,
    action: String,
    #[serde(default)]
    reason: String,
}

/// A target pinned, unpinned, excluded with a reason or restored, then back to its segment on the roadmap; a
/// refused exclusion (no reason) re-renders the roadmap with the message beside the reason.
pub async fn mark(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<MarkForm>,
) -> Response {
    let result = async {
        let segment_id = id_field("segment_id", &form.segment_id)?;
        let candidate_id = id_field("candidate_id", &form.candidate_id)?;
        let (pinned, excluded_reason) = match form.action.as_str() {
            "pin" => (true, None),
            "unpin" | "restore" => (false, None),
            "exclude" => (false, Some(form.reason.clone())),
            _ => {
                return Err(ApiError::bad_field(
                    "action",
                    "must be pin, unpin, exclude or restore",
                ));
            }
        };
        let actor = viewer.actor();
        state.store.get_chain(actor, id).await?;
        state
            .store
            .mark_target(
                actor,
                id,
                TargetMark {
                    segment_id,
                    candidate_id,
                    pinned,
                    excluded_reason,
                },
            )
            .await?;
        Ok::<_, ApiError>(format!("/chains/{id}/roadmap#gap-{segment_id}"))
    }
    .await;
    let form_id = exclude_form(
        form.segment_id.trim().parse().unwrap_or_default(),
        form.candidate_id.trim().parse().unwrap_or_default(),
    );
    form::answer(viewer.lang, result, &["excluded_reason"], |errors| async {
        let month = month_of(&state, &viewer, None)?;
        roadmap_page(
            &state,
            &viewer,
            id,
            month,
            Refusal::new(form_id, &form, errors),
        )
        .await
    })
    .await
}

/// The score's weights as the form posts them: whole numbers from 0 to 100.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct WeightsForm {
    segment_match: String,
    scale: String,
    growth: String,
    relations: String,
    distance: String,
}

/// New weights of the target score, then back to the roadmap; a refused form comes back with each message beside
/// its field and the values as typed.
pub async fn weights(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<WeightsForm>,
) -> Response {
    let result = async {
        let actor = viewer.actor();
        state.store.get_chain(actor, id).await?;
        actor
            .scope
            .may_steer_chain(id)
            .map_err(chainpark_store::StoreError::from)?;
        let mut bad = Vec::new();
        let mut number = |field: &str, text: &str| -> i64 {
            text.trim().parse::<i64>().unwrap_or_else(|_| {
                bad.push(FieldError {
                    field: field.to_string(),
                    message: "must be a number".into(),
                });
                0
            })
        };
        let weights = TargetWeights {
            segment_match: number("segment_match", &form.segment_match),
            scale: number("scale", &form.scale),
            growth: number("growth", &form.growth),
            relations: number("relations", &form.relations),
            distance: number("distance", &form.distance),
        };
        if !bad.is_empty() {
            return Err(ApiError::from(chainpark_store::StoreError::Invalid(
                chainpark_core::error::Invalid(bad),
            )));
        }
        state.store.set_target_weights(actor, id, weights).await?;
        Ok::<_, ApiError>(format!("/chains/{id}/roadmap"))
    }
    .await;
    let fields: Vec<&str> = WEIGHT_FIELDS.iter().map(|(f, _)| *f).collect();
    form::answer(viewer.lang, result, &fields, |errors| async {
        let month = month_of(&state, &viewer, None)?;
        roadmap_page(
            &state,
            &viewer,
            id,
            month,
            Refusal::new("weights", &form, errors),
        )
        .await
    })
    .await
}

/// A gap segment of the printed set: name, class, priority, its top targets (rank, name, score) and its leads
/// (project, stage).
struct PrintGap {
    name: String,
    class: &'static str,
    class_label: &'static str,
    priority: String,
    targets: Vec<(usize, String, String)>,
    leads: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "chain_print.html")]
struct PrintPage {
    chrome: Chrome,
    chain_id: Id,
    chain_name: String,
    month: String,
    completeness: String,
    completeness_hover: String,
    gap_counts: Vec<(&'static str, &'static str, usize)>,
    map_svg: String,
    gaps: Vec<PrintGap>,
    firms: usize,
    /// (segment, firms, share of the chain's output).
    segments: Vec<(String, usize, String)>,
    /// (project, segment, stage).
    projects: Vec<(String, String, &'static str)>,
    /// (kind, problem).
    problems: Vec<(&'static str, String)>,
    policies: Vec<chainpark_core::policies::Policy>,
}

/// The chain's diagnosis on `month` and its target lists, both from the remembered diagnosis: what the printable set
/// and the workbook are made of.
async fn diagnosis_and_targets(
    state: &AppState,
    viewer: &Viewer,
    id: Id,
    month: Month,
) -> Result<(ChainHealth, TargetLists), PageError> {
    let (store, actor, version) = (state.store.as_ref(), viewer.actor(), state.cache.version());
    let health = state
        .chain_health
        .chain(store, actor, id, month, None, version)
        .await
        .map_err(|e| viewer.fail(e))?;
    let lists = target_lists(store, &state.chain_health, version, actor, id, month)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok((health, lists))
}

/// The chain's N图N清单 on a few A4 pages for its scheduling meeting: the chain map coloured by gap class and
/// criticality, the attraction roadmap, and the lists (firms by segment, projects, problems, policies). The same
/// readers as the roadmap; the page's print stylesheet drops the navigation and forms.
pub async fn print(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<RoadmapQuery>,
) -> PageResult {
    let month = month_of(&state, &viewer, q.month.as_deref())?;
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let (health, lists) = diagnosis_and_targets(&state, &viewer, id, month).await?;
    let chain = store
        .get_chain(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let all_segments = store
        .list_segments(
            actor,
            &SegmentFilter {
                chain_id: Some(id),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let links = store
        .list_links(
            actor,
            &chainpark_store::LinkFilter {
                chain_id: Some(id),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let map_svg = super::chain_health::diagnosed_map(&viewer, &health, &all_segments, &links, id);
    let names = segment_names(&state, &viewer, id).await?;
    let name = |s: Id| names.get(&s).cloned().unwrap_or_default();
    let d = &health.diagnosis;
    let gaps = lists
        .segments
        .iter()
        .map(|s| PrintGap {
            name: name(s.segment_id),
            class: s.gap_class.as_str(),
            class_label: class_label(&viewer, s.gap_class),
            priority: value(&s.priority),
            targets: s
                .targets
                .iter()
                .take(SHOWN)
                .map(|t| (t.rank, t.candidate.name.clone(), value(&t.score.score)))
                .collect(),
            leads: s
                .leads
                .iter()
                .map(|l| (l.project_name.clone(), stage_label(&viewer, l.stage)))
                .collect(),
        })
        .collect();
    let mut segments: Vec<(String, usize, String)> = Vec::new();
    for (s, _) in super::chain_map::tree_order(&all_segments) {
        if let Some(found) = d.segments.iter().find(|x| x.segment_id == s.id) {
            segments.push((
                name(s.id),
                found.firms,
                found
                    .share_of_chain
                    .value
                    .map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0)),
            ));
        }
    }
    let projects = store
        .list_projects(
            actor,
            &ProjectFilter {
                chain_id: Some(id),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .items
        .into_iter()
        .map(|p| {
            (
                p.name,
                p.segment_id.map(name).unwrap_or_default(),
                stage_label(&viewer, p.stage),
            )
        })
        .collect();
    let mut problems: Vec<(&'static str, String)> = d
        .segments
        .iter()
        .filter(|s| s.leaf && s.gap_class.is_gap())
        .map(|s| (class_label(&viewer, s.gap_class), name(s.segment_id)))
        .collect();
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
        problems.push((viewer.t("roadmap.appeal"), a.title));
    }
    let policies = store
        .list_policies(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let chain_name = viewer.lang.pick(&chain.name, &chain.name_en).to_string();
    let gap_counts = vec![
        (
            "broken",
            class_label(&viewer, GapClass::Broken),
            d.gaps.broken,
        ),
        (
            "single_point",
            class_label(&viewer, GapClass::SinglePoint),
            d.gaps.single_point,
        ),
        ("weak", class_label(&viewer, GapClass::Weak), d.gaps.weak),
        (
            "concentrated",
            class_label(&viewer, GapClass::Concentrated),
            d.gaps.concentrated,
        ),
        (
            "healthy",
            class_label(&viewer, GapClass::Healthy),
            d.gaps.healthy,
        ),
    ];
    Ok(render(PrintPage {
        chrome: viewer.chrome(
            format!("{} · {}", chain_name, viewer.t("print.title")),
            "chains",
        ),
        chain_id: id,
        chain_name,
        month: health.month.clone(),
        completeness: d
            .completeness
            .value
            .map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0)),
        completeness_hover: d.completeness.hover(),
        gap_counts,
        map_svg,
        gaps,
        firms: d.firms,
        segments,
        projects,
        problems,
        policies,
    }))
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
    let (health, lists) = diagnosis_and_targets(&state, &viewer, id, month).await?;
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
    let mut policies = Sheet::new(
        t("roadmap.sheet.policies"),
        &[
            t("policies.document"),
            t("policies.issuer"),
            t("policies.number"),
            t("policies.issued_on"),
            t("policies.summary"),
            "URL",
        ],
    );
    for p in store
        .list_policies(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?
    {
        policies.rows.push(vec![
            text(p.title),
            text(p.issuer),
            text(p.document_number),
            text(p.issued_on.to_string()),
            text(p.summary),
            text(p.url),
        ]);
    }
    let sheets = vec![
        diagnosis,
        targets,
        leads,
        projects,
        enterprises,
        problems,
        policies,
    ];
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
