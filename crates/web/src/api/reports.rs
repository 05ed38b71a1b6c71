//! Lists as files and the scheduling report (调度会). Every export takes everything its filter selects, not a
//! first page; a table is written once as rows of cells and served as CSV (UTF-8 with a byte-order mark, so
//! spreadsheet programs read the Chinese right) or XLSX.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// The file format of an export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Csv,
    Xlsx,
}

/// One cell of an exported table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    Decimal(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Decimal(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A named sheet: a header row and data rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &str, headers: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Store(chainpark_store::StoreError::Corrupt(format!("export: {e}")))
}

/// The CSV text of one sheet, through the one CSV writer (cells that begin like a formula are neutralised).
pub fn csv_bytes(sheet: &Sheet) -> Result<Vec<u8>, ApiError> {
    let header = sheet.headers.clone();
    let rows = sheet
        .rows
        .iter()
        .map(|row| row.iter().map(Cell::text).collect());
    chainpark_import::spreadsheet_csv(std::iter::once(header).chain(rows)).map_err(internal)
}

/// An XLSX workbook with one worksheet per sheet.
pub fn xlsx_bytes(sheets: &[Sheet]) -> Result<Vec<u8>, ApiError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.name.chars().take(31).collect::<String>())
            .map_err(internal)?;
        for (col, header) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, col as u16, header, &bold)
                .map_err(internal)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = (r + 1) as u32;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(t) => ws.write_string(r, col, t).map(|_| ()),
                    Cell::Int(i) => ws.write_number(r, col, *i as f64).map(|_| ()),
                    Cell::Decimal(d) => ws.write_number(r, col, *d).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(internal)?;
            }
        }
    }
    workbook.save_to_buffer().map_err(internal)
}

/// Serves sheets as a download: CSV takes the first sheet, XLSX all of them. The file is written on a blocking
/// thread, so a large export does not hold up the server's other answers.
pub async fn download(
    format: ExportFormat,
    stem: &str,
    sheets: Vec<Sheet>,
) -> Result<Response, ApiError> {
    let (bytes, mime, ext) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        Ok(match format {
            ExportFormat::Csv => (
                csv_bytes(sheets.first().ok_or_else(|| internal("no sheet"))?)?,
                "text/csv; charset=utf-8",
                "csv",
            ),
            ExportFormat::Xlsx => (
                xlsx_bytes(&sheets)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        })
    })
    .await
    .map_err(internal)??;
    let disposition = format!("attachment; filename=\"{stem}.{ext}\"");
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

// ---- the scheduling report (调度会) ----

use axum::Json;
use axum::extract::State;
use chainpark_core::figures::{Dimension, GrowthMethod};
use chainpark_core::list::Paging;
use chainpark_core::period::Period;
use chainpark_core::workflow::report::*;
use chainpark_store::figures::{RollupQuery, ShareOf};
use chainpark_store::workflow::{
    AppealFilter, MilestoneFilter, ProjectFilter, ProjectGrouping, WorkOrderFilter,
    start_of_china_day,
};
use chrono::Datelike;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiResult, Problem};
use crate::extract::ApiQuery;
use crate::{AppState, Caller};

/// The indicators a scheduling meeting looks at.
const REPORT_INDICATORS: [&str; 5] = [
    "gross_output",
    "operating_revenue",
    "profit",
    "tax",
    "fixed_asset_investment",
];

/// Which chain or park, which month, which format.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SchedulingQuery {
    /// The chain reported on (give this or `park_id`).
    pub chain_id: Option<i64>,
    pub park_id: Option<i64>,
    /// `YYYY-MM`.
    pub month: String,
    /// json (default) or xlsx.
    pub format: Option<String>,
}

/// The scheduling report of a chain or a park for a month, as JSON or (`format=xlsx`) a workbook: figures January
/// to the month with year-on-year change, projects by stage with what moved and what is overdue, appeals (and a
/// park's work orders) open and overdue at the month's end. Leaders, analysts, the admin, and the chain's or park's
/// own people.
#[utoipa::path(get, path = "/api/v1/reports/scheduling", tag = "reports", params(SchedulingQuery),
    responses((status = 200, body = SchedulingReport), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn scheduling(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SchedulingQuery>,
) -> ApiResult<Response> {
    let report = scheduling_report(&state, &caller, &q).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("xlsx") => {
            let stem = format!(
                "scheduling_{}_{}_{}",
                report.subject.kind, report.subject.id, report.month
            );
            download(ExportFormat::Xlsx, &stem, report_sheets(&report)).await
        }
        Some(other) => Err(ApiError::bad_field(
            "format",
            format!("'{other}' is not json or xlsx"),
        )),
    }
}

pub(crate) async fn scheduling_report(
    state: &AppState,
    caller: &Caller,
    q: &SchedulingQuery,
) -> ApiResult<SchedulingReport> {
    let actor = caller.actor();
    let bad_month = || ApiError::bad_field("month", "write the month as YYYY-MM");
    let (year, month) = q
        .month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .ok_or_else(bad_month)?;
    let (from, to) = month_bounds(year, month).ok_or_else(bad_month)?;
    let scope = &actor.scope;
    scope
        .may_see_zone_views()
        .map_err(chainpark_store::StoreError::from)?;
    let (subject, dimension) = match (q.chain_id, q.park_id) {
        (Some(chain), None) => {
            // A chain owner does not learn of other chains (404), as in the registry.
            let c = state.store.get_chain(&actor, chain).await?;
            scope
                .may_read_chain_report(chain)
                .map_err(chainpark_store::StoreError::from)?;
            (
                ReportSubject {
                    kind: "chain".into(),
                    id: chain,
                    name: c.name,
                },
                Dimension::Chain,
            )
        }
        (None, Some(park)) => {
            scope
                .may_read_park_report(park)
                .map_err(chainpark_store::StoreError::from)?;
            let p = state.store.get_park(&actor, park).await?;
            (
                ReportSubject {
                    kind: "park".into(),
                    id: park,
                    name: p.name,
                },
                Dimension::Park,
            )
        }
        _ => {
            return Err(ApiError::bad_field(
                "chain_id",
                "give either chain_id or park_id",
            ));
        }
    };
    let (chain_id, park_id) = if subject.kind == "chain" {
        (Some(subject.id), None)
    } else {
        (None, Some(subject.id))
    };

    let mut figures = Vec::new();
    for code in REPORT_INDICATORS {
        let query = RollupQuery {
            indicator: code.into(),
            period: Period::YearToDate {
                year,
                through: month,
            },
            by: dimension,
            method: GrowthMethod::default(),
            share_of: ShareOf::default(),
        };
        // An indicator the zone does not keep is left out of the report rather than failing it.
        let rules = &state.disclosure;
        let Ok(rollup) = crate::rollups::rollup(state.store.as_ref(), rules, &actor, &query).await
        else {
            continue;
        };
        if let Some(g) = rollup.groups.iter().find(|g| g.group_id == subject.id) {
            figures.push(ReportFigure {
                indicator: code.into(),
                name_zh: rollup.indicator.name_zh.clone(),
                name_en: rollup.indicator.name_en.clone(),
                value_display: g.value.as_ref().map(|v| v.display_zh.clone()),
                suppressed: g.suppressed,
                previous_display: g.previous.as_ref().map(|p| p.display_zh.clone()),
                previous_suppressed: g.previous_suppressed,
                yoy_growth_percent: g.yoy_growth_percent.clone(),
                firms: g.firms,
            });
        }
    }

    let filter = ProjectFilter {
        chain_id,
        park_id,
        ..Default::default()
    };
    let projects = state
        .store
        .list_projects(&actor, &filter, &Paging::all())
        .await?
        .items;
    let project_figures = state
        .store
        .project_figures(&actor, ProjectGrouping::Zone, &filter, to)
        .await?
        .into_iter()
        .next();
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let overdue_milestones = state
        .store
        .list_milestones(
            &actor,
            &MilestoneFilter {
                project_id: None,
                overdue: Some(true),
                as_of: to,
            },
            &Paging::all(),
        )
        .await?
        .items
        .into_iter()
        .filter(|m| ids.contains(&m.project_id))
        .collect();
    let appeal_filter = AppealFilter {
        chain_id,
        park_id,
        as_of: to,
        ..Default::default()
    };
    let appeals = state
        .store
        .list_appeals(&actor, &appeal_filter, &Paging::all())
        .await?
        .items;
    let counts = appeal_counts(&appeals, from, to);
    let mut open_appeals: Vec<_> = appeals
        .into_iter()
        .filter(|a| {
            a.received_on <= to
                && a.closed_at
                    .map(chainpark_core::time::china_date)
                    .is_none_or(|d| d > to)
        })
        .collect();
    open_appeals.sort_by_key(|a| (a.overdue.is_none(), a.reply_due));
    let (work_orders, open_work_orders) = match park_id {
        Some(park) => {
            let end = start_of_china_day(to) + chrono::Duration::days(1);
            let filter = WorkOrderFilter {
                park_id: Some(park),
                status: None,
                kind: None,
                assignee_person_id: None,
                overdue: None,
                at: end,
            };
            let orders = state
                .store
                .list_work_orders(&actor, &filter, &Paging::all())
                .await?
                .items;
            let start = start_of_china_day(from);
            let open: Vec<_> = orders
                .iter()
                .filter(|w| {
                    w.created_at < end
                        && w.closed_at.is_none_or(|c| c >= end)
                        && w.done_at.is_none_or(|d| d >= end)
                })
                .cloned()
                .collect();
            let counts = WorkOrderCounts {
                created_in_month: orders
                    .iter()
                    .filter(|w| w.created_at >= start && w.created_at < end)
                    .count() as i64,
                open: open.len() as i64,
                overdue: open.iter().filter(|w| w.due_at < end).count() as i64,
            };
            (Some(counts), open)
        }
        None => (None, Vec::new()),
    };
    Ok(SchedulingReport {
        subject,
        month: format!("{year}-{month:02}"),
        as_of: to,
        figures,
        project_figures,
        projects_by_stage: stage_counts(&projects, to),
        moved_in_month: moves_between(&projects, from, to),
        overdue_milestones,
        appeals: counts,
        open_appeals,
        work_orders,
        open_work_orders,
    })
}

/// A figure of the report, or the words saying it is withheld and by which rule.
fn withheld_or(
    value: Option<String>,
    rule: Option<chainpark_core::disclosure::Suppression>,
) -> Cell {
    match rule {
        Some(rule) => format!("保密 confidential ({})", rule.as_str()).into(),
        None => value.into(),
    }
}

fn report_sheets(r: &SchedulingReport) -> Vec<Sheet> {
    let mut summary = Sheet::new(
        "调度会 Summary",
        &[
            "项目 item",
            "数值 value",
            "上年同期 last year",
            "同比% YoY",
            "企业数 firms",
        ],
    );
    summary.rows.push(vec![
        format!("{} {}", r.subject.name, r.month).into(),
        r.subject.kind.clone().into(),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]);
    for f in &r.figures {
        summary.rows.push(vec![
            format!("{} {} (1–{}月)", f.name_zh, f.name_en, r.as_of.month()).into(),
            withheld_or(f.value_display.clone(), f.suppressed),
            withheld_or(f.previous_display.clone(), f.previous_suppressed),
            f.yoy_growth_percent.clone().into(),
            f.firms.into(),
        ]);
    }
    if let Some(p) = &r.project_figures {
        for (label, value) in [
            ("项目数 projects", p.projects),
            ("已签约 signed", p.signed),
            ("已开工 started", p.started),
            ("已投产 in production", p.in_production),
            ("年度计划投资(万元) planned", p.planned_year),
            ("年内完成投资(万元) completed", p.completed_year),
        ] {
            summary.rows.push(vec![
                label.into(),
                Cell::Int(value),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]);
        }
        for (label, value) in [
            ("开工率% start rate", p.start_rate_percent),
            ("投产率% production rate", p.production_rate_percent),
            ("投资完成率% plan completion", p.plan_completion_percent),
            ("时间进度% time elapsed", Some(p.time_progress_percent)),
        ] {
            summary.rows.push(vec![
                label.into(),
                value.map(Cell::Decimal).unwrap_or(Cell::Empty),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]);
        }
    }
    let a = &r.appeals;
    for (label, value) in [
        ("本月受理诉求 appeals received", a.received_in_month),
        ("本月办结 closed", a.closed_in_month),
        ("月末未办结 open", a.open),
        ("月末超期 overdue", a.overdue),
    ] {
        summary.rows.push(vec![
            label.into(),
            Cell::Int(value),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    summary.rows.push(vec![
        "按时办结率% on-time rate".into(),
        a.on_time
            .rate_percent
            .map(Cell::Decimal)
            .unwrap_or(Cell::Empty),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]);
    if let Some(w) = &r.work_orders {
        for (label, value) in [
            ("本月新增工单 work orders", w.created_in_month),
            ("未完成 open", w.open),
            ("超时 overdue", w.overdue),
        ] {
            summary.rows.push(vec![
                label.into(),
                Cell::Int(value),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]);
        }
    }
    let mut stages = Sheet::new("项目 Projects", &["阶段 stage", "项目数 projects"]);
    for s in &r.projects_by_stage {
        stages.rows.push(vec![
            format!("{} {}", s.name_zh, s.stage).into(),
            Cell::Int(s.projects),
        ]);
    }
    let mut moves = Sheet::new("本月进展 Moved", &["日期 on", "项目 project", "阶段 stage"]);
    for m in &r.moved_in_month {
        moves.rows.push(vec![
            m.on.to_string().into(),
            m.name.clone().into(),
            format!("{} {}", m.stage.name_zh(), m.stage).into(),
        ]);
    }
    let mut milestones = Sheet::new(
        "超期节点 Overdue",
        &["项目 project", "节点 milestone", "应完成 due_on"],
    );
    for m in &r.overdue_milestones {
        milestones.rows.push(vec![
            m.project_name.clone().into(),
            m.name.clone().into(),
            m.due_on.to_string().into(),
        ]);
    }
    let mut sheets = vec![
        summary,
        stages,
        moves,
        milestones,
        crate::api::appeals::appeal_sheet(&r.open_appeals),
    ];
    if r.work_orders.is_some() {
        sheets.push(crate::api::work_orders::work_order_sheet(
            &r.open_work_orders,
        ));
    }
    sheets
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(scheduling))
}
