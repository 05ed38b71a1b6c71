//! The import page: choose a CSV or XLSX file, send it to `POST /api/v1/imports` (the page's script adds the
//! session's CSRF token as the API asks), then read the report — rows read and stored, and every rejected row with
//! its line, column and reason — with the templates and the report to download, and which digital-economy mapping
//! the roll-ups use.

use askama::Template;
use axum::extract::{Path, State};
use chainpark_core::figures::may_import_figures;
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_import::ImportReport;
use chainpark_store::figures::{DigitalMapOrigin, ImportRecord};

use super::{Chrome, PageResult, Viewer, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    allowed: bool,
    templates: Vec<(&'static str, &'static str)>,
    map: MapCard,
}

/// Which digital-economy mapping is in force, for the card under the templates.
struct MapCard {
    loaded: bool,
    file_name: String,
    since: String,
    actor: String,
    rows: usize,
}

const TEMPLATES: [(&str, &str); 3] = [
    ("long", "import.long"),
    ("wide_by_month", "import.wide_month"),
    ("wide_by_indicator", "import.wide_indicator"),
];

pub async fn page(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let allowed = may_import_figures(&viewer.actor().scope).is_ok();
    let in_force = state
        .store
        .digital_economy_map(viewer.actor())
        .await
        .map_err(|e| viewer.fail(e))?;
    let map = MapCard {
        loaded: in_force.origin == DigitalMapOrigin::Loaded,
        file_name: in_force.file_name,
        since: in_force
            .since
            .map(|at| chainpark_core::time::china_date(at).to_string())
            .unwrap_or_default(),
        actor: in_force.actor.unwrap_or_default(),
        rows: in_force.map.len(),
    };
    Ok(render(ImportPage {
        chrome: viewer.chrome(viewer.t("import.title"), "import"),
        allowed,
        templates: TEMPLATES.to_vec(),
        map,
    }))
}

pub struct ErrorRow {
    pub line: u64,
    pub column: String,
    pub cell: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "import_report.html")]
struct ReportPage {
    chrome: Chrome,
    record: ImportRecord,
    report: Option<ImportReport>,
    errors: Vec<ErrorRow>,
    more_errors: bool,
}

pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
) -> PageResult {
    let record = state
        .store
        .get_import(viewer.actor(), id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let report: Option<ImportReport> = serde_json::from_value(record.report.clone()).ok();
    let zh = viewer.lang == super::i18n::Lang::Zh;
    let errors: Vec<ErrorRow> = report
        .iter()
        .flat_map(|r| r.errors.iter())
        .map(|e| ErrorRow {
            line: e.line,
            column: if e.column_letter.is_empty() || e.column == e.column_letter {
                e.column.clone()
            } else {
                format!("{} ({})", e.column, e.column_letter)
            },
            cell: e.cell.clone(),
            reason: if zh && !e.reason_zh.is_empty() {
                e.reason_zh.clone()
            } else {
                e.reason.clone()
            },
        })
        .collect();
    let more_errors = report
        .as_ref()
        .is_some_and(|r| r.error_count as usize > r.errors.len());
    Ok(render(ReportPage {
        chrome: viewer.chrome(viewer.t("import.report"), "import"),
        record,
        report,
        errors,
        more_errors,
    }))
}

/// One import in the history: when, who, which file, its rows and whether it was stored.
struct HistoryRow {
    id: Id,
    at: String,
    actor: String,
    file_name: String,
    rows_read: String,
    rows_rejected: String,
    values_changed: i64,
    stored: bool,
}

#[derive(Template)]
#[template(path = "import_history.html")]
struct HistoryPage {
    chrome: Chrome,
    rows: Vec<HistoryRow>,
    pager: super::Pager,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct HistoryQuery {
    offset: Option<i64>,
}

/// The imports the viewer may see (its own; every one for those who read everything: the policy's
/// `Scope::sees_every_import`), newest first, each linking to its row report.
pub async fn history(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<HistoryQuery>,
) -> PageResult {
    let offset = q.offset.unwrap_or(0).max(0);
    let page = state
        .store
        .list_imports(
            viewer.actor(),
            &Paging::new(Some(super::LIST_PAGE), Some(offset), None),
        )
        .await
        .map_err(|e| viewer.fail(e))?;
    let pager = super::Pager::new("/imports", "", offset, page.items.len(), page.total);
    let count = |report: &Option<ImportReport>, pick: fn(&ImportReport) -> u64| {
        report
            .as_ref()
            .map(|r| pick(r).to_string())
            .unwrap_or_else(|| "—".into())
    };
    let rows = page
        .items
        .into_iter()
        .map(|r| {
            let report: Option<ImportReport> = serde_json::from_value(r.report).ok();
            HistoryRow {
                id: r.id,
                at: r
                    .at
                    .with_timezone(&chainpark_core::time::china())
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                actor: r.actor,
                file_name: r.file_name,
                rows_read: count(&report, |r| r.rows_read),
                rows_rejected: count(&report, |r| r.rows_rejected),
                values_changed: r.values_changed,
                stored: r.stored,
            }
        })
        .collect();
    Ok(render(HistoryPage {
        chrome: viewer.chrome(viewer.t("import.history"), "import"),
        rows,
        pager,
    }))
}
