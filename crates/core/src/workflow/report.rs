//! The scheduling report (调度会) of one chain or park for one month: its figures with year-on-year change, its
//! projects by stage with what moved in the month and what is overdue, and its open and overdue appeals (and, for
//! a park, work orders). The store and the figures supply the pieces; the counting is here.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::registry::Id;
use crate::workflow::OnTimeRate;
use crate::workflow::appeals::Appeal;
use crate::workflow::projects::{Milestone, Project, ProjectFigures, ProjectStage};
use crate::workflow::work_orders::WorkOrder;

/// What the report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportSubject {
    /// `chain` or `park`.
    pub kind: String,
    pub id: Id,
    pub name: String,
    /// The chain's or park's English name (empty when it has none).
    #[serde(default)]
    pub name_en: String,
}

/// One indicator, January to the report's month, with the same months a year earlier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportFigure {
    pub indicator: String,
    pub name_zh: String,
    pub name_en: String,
    /// As the bulletins write it: "336.28亿元"; absent when withheld from the reader (`suppressed`).
    pub value_display: Option<String>,
    /// Why the value is withheld (statistical confidentiality: `min_firms`, `dominance`, `secondary`).
    pub suppressed: Option<crate::disclosure::Suppression>,
    pub previous_display: Option<String>,
    pub previous_suppressed: Option<crate::disclosure::Suppression>,
    pub yoy_growth_percent: Option<String>,
    pub firms: Option<i64>,
    /// The indicator's unit and the exact values in hundredths of it, for readers who write the value in
    /// another language than `value_display`'s Chinese.
    #[serde(default)]
    pub unit: Option<crate::figures::Unit>,
    #[serde(default)]
    pub value_hundredths: Option<i64>,
    #[serde(default)]
    pub previous_hundredths: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StageCount {
    pub stage: ProjectStage,
    pub name_zh: String,
    pub projects: i64,
}

/// A stage a project reached in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProjectMove {
    pub project_id: Id,
    pub name: String,
    pub stage: ProjectStage,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AppealCounts {
    pub received_in_month: i64,
    pub closed_in_month: i64,
    /// Not closed at the month's end.
    pub open: i64,
    /// Overdue at the month's end.
    pub overdue: i64,
    pub on_time: OnTimeRate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WorkOrderCounts {
    pub created_in_month: i64,
    pub open: i64,
    pub overdue: i64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SchedulingReport {
    pub subject: ReportSubject,
    /// `2021-09`
    pub month: String,
    /// The month's last day: everything is as of its end.
    pub as_of: NaiveDate,
    pub figures: Vec<ReportFigure>,
    pub project_figures: Option<ProjectFigures>,
    pub projects_by_stage: Vec<StageCount>,
    pub moved_in_month: Vec<ProjectMove>,
    pub overdue_milestones: Vec<Milestone>,
    pub appeals: AppealCounts,
    /// Open at the month's end, overdue first.
    pub open_appeals: Vec<Appeal>,
    /// For a park.
    pub work_orders: Option<WorkOrderCounts>,
    pub open_work_orders: Vec<WorkOrder>,
    /// For a park: its occupancy on the month's last day (units, vacancy, space per firm).
    pub occupancy: Option<crate::parkops::space::Occupancy>,
}

/// The first and last day of a month.
pub fn month_bounds(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

/// Projects by the stage they had reached at `as_of` (projects not yet recorded then are left out).
pub fn stage_counts(projects: &[Project], as_of: NaiveDate) -> Vec<StageCount> {
    ProjectStage::ALL
        .iter()
        .map(|stage| StageCount {
            stage: *stage,
            name_zh: stage.name_zh().into(),
            projects: projects
                .iter()
                .filter(|p| p.stages.stage_on(as_of) == Some(*stage))
                .count() as i64,
        })
        .collect()
}

/// Every stage reached between `from` and `to` (both included), in date order.
pub fn moves_between(projects: &[Project], from: NaiveDate, to: NaiveDate) -> Vec<ProjectMove> {
    let mut moves: Vec<ProjectMove> = projects
        .iter()
        .flat_map(|p| {
            ProjectStage::ALL.iter().filter_map(move |s| {
                p.stages
                    .get(*s)
                    .filter(|d| *d >= from && *d <= to)
                    .map(|on| ProjectMove {
                        project_id: p.id,
                        name: p.name.clone(),
                        stage: *s,
                        on,
                    })
            })
        })
        .collect();
    moves.sort_by(|a, b| {
        a.on.cmp(&b.on)
            .then(a.project_id.cmp(&b.project_id))
            .then(a.stage.cmp(&b.stage))
    });
    moves
}

/// Appeal counts for the month ending `to`.
pub fn appeal_counts(appeals: &[Appeal], from: NaiveDate, to: NaiveDate) -> AppealCounts {
    let closed_on = |a: &Appeal| a.closed_at.map(crate::time::china_date);
    AppealCounts {
        received_in_month: appeals
            .iter()
            .filter(|a| a.received_on >= from && a.received_on <= to)
            .count() as i64,
        closed_in_month: appeals
            .iter()
            .filter(|a| closed_on(a).is_some_and(|d| d >= from && d <= to))
            .count() as i64,
        open: appeals
            .iter()
            .filter(|a| a.received_on <= to && closed_on(a).is_none_or(|d| d > to))
            .count() as i64,
        overdue: appeals.iter().filter(|a| a.overdue.is_some()).count() as i64,
        on_time: OnTimeRate::count(
            appeals.iter().filter(|a| a.received_on <= to).map(|a| {
                (
                    a.reply_due,
                    a.replied_at
                        .map(crate::time::china_date)
                        .filter(|d| *d <= to),
                )
            }),
            to,
        ),
    }
}

/// `2021-09` for a day of September 2021.
pub fn month_label(day: NaiveDate) -> String {
    format!("{}-{:02}", day.year(), day.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::projects::StageDates;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    fn project(id: Id, stages: StageDates) -> Project {
        Project {
            id,
            name: format!("p{id}"),
            name_en: String::new(),
            investor: String::new(),
            enterprise_id: None,
            planned_investment: 0,
            contracted_investment: 0,
            completed_investment: 0,
            chain_id: None,
            segment_id: None,
            park_id: None,
            chief: None,
            officer: None,
            event_id: None,
            stage: stages.current(),
            stages,
            archived: false,
            version: 1,
            updated_at: chrono::DateTime::from_timestamp(1_781_000_000, 0).expect("an instant"),
        }
    }

    #[test]
    fn projects_count_in_the_stage_they_had_reached_at_the_months_end() {
        let projects = [
            project(
                1,
                StageDates {
                    signed_on: Some(d("2021-08-18")),
                    started_on: Some(d("2021-09-10")),
                    ..Default::default()
                },
            ),
            project(
                2,
                StageDates {
                    signed_on: Some(d("2021-08-18")),
                    started_on: Some(d("2021-10-10")),
                    ..Default::default()
                },
            ),
            project(
                3,
                StageDates {
                    lead_on: Some(d("2021-10-01")),
                    ..Default::default()
                },
            ),
        ];
        let counts = stage_counts(&projects, d("2021-09-30"));
        let of = |s: ProjectStage| counts.iter().find(|c| c.stage == s).map(|c| c.projects);
        assert_eq!(of(ProjectStage::Signed), Some(1));
        assert_eq!(of(ProjectStage::Started), Some(1));
        assert_eq!(of(ProjectStage::Lead), Some(0));
        let moves = moves_between(&projects, d("2021-09-01"), d("2021-09-30"));
        assert_eq!(moves.len(), 1);
        assert_eq!(
            (moves[0].project_id, moves[0].stage),
            (1, ProjectStage::Started)
        );
    }

    #[test]
    fn month_bounds_know_december_and_february() {
        assert_eq!(
            month_bounds(2021, 12),
            Some((d("2021-12-01"), d("2021-12-31")))
        );
        assert_eq!(
            month_bounds(2024, 2),
            Some((d("2024-02-01"), d("2024-02-29")))
        );
        assert_eq!(month_bounds(2021, 13), None);
    }
}
