//! The key projects by stage, with their figures by chain and park.

use askama::Template;
use axum::extract::{Query, State};
use chainpark_core::access::{Kind, Reach};
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_core::workflow::projects::ProjectStage;
use chainpark_store::workflow::{ProjectFilter, ProjectGrouping};
use serde::Deserialize;

use super::{given, name, percent};
use crate::AppState;
use crate::ui::{Chrome, PageResult, Viewer, render};

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
    sorting: crate::ui::sort::Sorting,
    pager: crate::ui::Pager,
}

/// The columns the project list sorts by (the store's keys; the stage and completed investment are not columns
/// the store orders by); by default the store's order.
const SORTABLE: &[&str] = &["name", "planned_investment"];

#[derive(Debug, Default, Deserialize)]
pub struct ProjectsQuery {
    stage: Option<String>,
    /// The day the figures count stages reached by (the dashboard links its period's end); today by default.
    as_of: Option<String>,
    offset: Option<i64>,
    sort: Option<String>,
    dir: Option<String>,
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
    let filter_query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = stage {
            query.append_pair("stage", s.as_str());
        }
        query.finish()
    };
    let sorting = crate::ui::sort::Sorting::read(
        "/projects",
        filter_query,
        q.sort.as_deref(),
        q.dir.as_deref(),
        SORTABLE,
        ("", false),
    )
    .map_err(|e| viewer.fail(e))?;
    let offset = q.offset.unwrap_or(0).max(0);
    let page = store
        .list_projects(
            viewer.actor(),
            &ProjectFilter {
                stage,
                ..ProjectFilter::default()
            },
            &Paging::new(
                Some(crate::ui::LIST_PAGE),
                Some(offset),
                sorting.store_key().as_deref(),
            ),
        )
        .await
        .map_err(|e| viewer.fail(e))?;
    let pager = crate::ui::Pager::new(
        "/projects",
        &sorting.query(),
        offset,
        page.items.len(),
        page.total,
    );
    let rows = page
        .items
        .into_iter()
        .map(|p| ProjectRow {
            id: p.id,
            stage: viewer.t(&format!("project.stage.{}", p.stage.as_str())),
            planned: p.planned_investment,
            completed: p.completed_investment,
            chief: name(&p.chief),
            name: viewer.lang.pick(&p.name, &p.name_en).to_string(),
            investor: p.investor,
        })
        .collect();
    let as_of = match given(&q.as_of) {
        Some(day) => chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
            viewer.fail(crate::error::ApiError::bad_field(
                "as_of",
                "write the day as YYYY-MM-DD",
            ))
        })?,
        None => state.clock.today(),
    };
    let mut figures = Vec::new();
    let mut found_by = Vec::new();
    for grouping in [
        ProjectGrouping::Zone,
        ProjectGrouping::Chain,
        ProjectGrouping::Park,
    ] {
        let found = store
            .project_figures(viewer.actor(), grouping, &ProjectFilter::default(), as_of)
            .await
            .map_err(|e| viewer.fail(e))?;
        found_by.push((grouping, found));
    }
    // On English pages a chain or park is named in English: its English names, by id.
    let english: std::collections::HashMap<(bool, Id), String> =
        if viewer.lang == crate::ui::i18n::Lang::En {
            let all = Paging::all();
            let chains = store
                .list_chains(viewer.actor(), &Default::default(), &all)
                .await
                .map(|p| p.items)
                .unwrap_or_default();
            let parks = store
                .list_parks(viewer.actor(), &Default::default(), &all)
                .await
                .map(|p| p.items)
                .unwrap_or_default();
            chains
                .into_iter()
                .filter(|c| !c.name_en.is_empty())
                .map(|c| ((true, c.id), c.name_en))
                .chain(
                    parks
                        .into_iter()
                        .filter(|p| !p.name_en.is_empty())
                        .map(|p| ((false, p.id), p.name_en)),
                )
                .collect()
        } else {
            Default::default()
        };
    let named = |grouping: ProjectGrouping, key: Option<Id>, name: &str| -> String {
        key.and_then(|id| english.get(&(grouping == ProjectGrouping::Chain, id)))
            .cloned()
            .unwrap_or_else(|| name.to_string())
    };
    // The first row totals what the viewer sees: the whole zone only for those who see every project; a chain
    // chief's own chain by its name.
    let total_name = if viewer.actor().scope.reach(Kind::Project) == Reach::All {
        viewer.t("projects.all").to_string()
    } else {
        match found_by
            .iter()
            .find(|(g, _)| *g == ProjectGrouping::Chain)
            .map(|(_, f)| f.as_slice())
        {
            Some([only]) => named(ProjectGrouping::Chain, only.key, &only.name),
            _ => viewer.t("projects.mine").to_string(),
        }
    };
    for (grouping, found) in found_by {
        figures.extend(found.into_iter().map(|f| FigureRow {
            name: if grouping == ProjectGrouping::Zone {
                total_name.clone()
            } else {
                named(grouping, f.key, &f.name)
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
        sorting,
        pager,
    }))
}
