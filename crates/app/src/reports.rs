//! The scheduling report (调度会) of a chain or a park for a month: one report for the API (JSON or a workbook) and
//! the page, built with the caller's actor so that every scope applies.

use chainpark_core::disclosure::DisclosureRules;
use chainpark_core::figures::{Dimension, GrowthMethod};
use chainpark_core::list::Paging;
use chainpark_core::period::Period;
use chainpark_core::workflow::report::*;
use chainpark_store::figures::{RollupQuery, ShareOf};
use chainpark_store::workflow::{
    AppealFilter, MilestoneFilter, ProjectFilter, ProjectGrouping, WorkOrderFilter,
    start_of_china_day,
};
use chainpark_store::{Actor, Store};
use chrono::Datelike;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, AppResult};
use crate::exports::{Cell, Sheet, appeal_sheet, work_order_sheet};

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

/// The scheduling report of a chain or a park for a month, as `actor` may see it: figures January to the month
/// with year-on-year change (through the roll-ups' disclosure control with `rules`), projects by stage with what
/// moved and what is overdue, appeals (and a park's work orders) open and overdue at the month's end. Leaders,
/// analysts, the admin, and the chain's or park's own people.
pub async fn scheduling_report(
    store: &dyn Store,
    rules: &DisclosureRules,
    actor: &Actor,
    q: &SchedulingQuery,
) -> AppResult<SchedulingReport> {
    let bad_month = || AppError::bad_field("month", "write the month as YYYY-MM");
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
            let c = store.get_chain(actor, chain).await?;
            scope
                .may_read_chain_report(chain)
                .map_err(chainpark_store::StoreError::from)?;
            (
                ReportSubject {
                    kind: "chain".into(),
                    id: chain,
                    name: c.name,
                    name_en: c.name_en,
                },
                Dimension::Chain,
            )
        }
        (None, Some(park)) => {
            scope
                .may_read_park_report(park)
                .map_err(chainpark_store::StoreError::from)?;
            let p = store.get_park(actor, park).await?;
            (
                ReportSubject {
                    kind: "park".into(),
                    id: park,
                    name: p.name,
                    name_en: p.name_en,
                },
                Dimension::Park,
            )
        }
        _ => {
            return Err(AppError::bad_field(
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
        let Ok(rollup) = crate::rollups::rollup(store, rules, actor, &query).await else {
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
                unit: Some(rollup.indicator.unit),
                value_hundredths: g.value.as_ref().map(|v| v.hundredths),
                previous_hundredths: g.previous.as_ref().map(|p| p.hundredths),
            });
        }
    }

    let filter = ProjectFilter {
        chain_id,
        park_id,
        ..Default::default()
    };
    let projects = store
        .list_projects(actor, &filter, &Paging::all())
        .await?
        .items;
    let project_figures = store
        .project_figures(actor, ProjectGrouping::Zone, &filter, to)
        .await?
        .into_iter()
        .next();
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let overdue_milestones = store
        .list_milestones(
            actor,
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
    let appeals = store
        .list_appeals(actor, &appeal_filter, &Paging::all())
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
    let occupancy = match park_id {
        Some(park) => Some(store.occupancy(actor, park, to).await?),
        None => None,
    };
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
            let orders = store
                .list_work_orders(actor, &filter, &Paging::all())
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
        occupancy,
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

/// The file name (without extension) of a report's workbook.
pub fn file_stem(report: &SchedulingReport) -> String {
    format!(
        "scheduling_{}_{}_{}",
        report.subject.kind, report.subject.id, report.month
    )
}

/// The report as a workbook's sheets: a summary, then projects, moves, overdue milestones, open appeals and (for a
/// park) open work orders.
pub fn report_sheets(r: &SchedulingReport) -> Vec<Sheet> {
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
    if let Some(o) = &r.occupancy {
        let m2 = |centi: i64| Cell::Decimal(centi as f64 / 100.0);
        for (label, value) in [
            ("单元数 units", Cell::Int(o.units)),
            ("已出租单元 leased units", Cell::Int(o.leased_units)),
            ("面积(m²) area", m2(o.area_m2_centi)),
            ("已出租面积(m²) leased area", m2(o.leased_m2_centi)),
            (
                "空置率% vacancy",
                o.vacancy_permille
                    .map(|p| Cell::Decimal(p as f64 / 10.0))
                    .unwrap_or(Cell::Empty),
            ),
            (
                "户均面积(m²) space per firm",
                o.area_per_firm_m2_centi.map(m2).unwrap_or(Cell::Empty),
            ),
        ] {
            summary.rows.push(vec![
                label.into(),
                value,
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
        appeal_sheet(&r.open_appeals),
    ];
    if r.work_orders.is_some() {
        sheets.push(work_order_sheet(&r.open_work_orders));
    }
    sheets
}

/// Mails every scheduled park report due at `at` (the month before, from the schedule's day on) to the park's
/// chief, the workbook of the scheduling report attached; answers how many were mailed. A month's report is mailed
/// once per schedule, however often this runs.
pub async fn mail_scheduled_reports(
    store: &dyn Store,
    rules: &DisclosureRules,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<usize> {
    use chainpark_core::parkops::report_mail::MailAttachment;
    use chainpark_store::workflow::ReportMailing;
    let actor = Actor::system("reports");
    let mut mailed = 0;
    for (schedule, month) in store.due_report_schedules(at).await? {
        let query = SchedulingQuery {
            chain_id: None,
            park_id: Some(schedule.park_id),
            month: month.to_string(),
            format: Some("xlsx".into()),
        };
        let report = scheduling_report(store, rules, &actor, &query).await?;
        let data = crate::exports::xlsx_bytes(&report_sheets(&report))?;
        let attachment = MailAttachment {
            filename: format!("{}.xlsx", file_stem(&report)),
            content_type: crate::exports::XLSX.into(),
            data,
        };
        let name = &report.subject.name;
        let subject = chainpark_store::workflow::bilingual(
            &format!("园区月报 {month}：{name}"),
            &format!("Park report {month}: {name}"),
        );
        let body = chainpark_store::workflow::bilingual(
            &format!("{name} {month} 月度报告见附件。"),
            &format!("The report of {name} for {month} is attached."),
        );
        let done = store
            .mail_report(schedule.id, month, &subject, &body, attachment, at)
            .await?;
        if matches!(done, ReportMailing::Mailed { .. }) {
            mailed += 1;
        }
    }
    Ok(mailed)
}
