//! Alerts (预警): what a chief should act on today — an appeal overdue or due within one working day, a project
//! milestone overdue, a project without progress for 90 days, a firm whose output fell by more than a fifth year
//! on year for three months running. Each rule is a pure function of the facts and the day asked about; the store
//! gathers the facts in the viewer's reach, and delivers each alert to its chief's inbox once, by its key.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire_enum;
use crate::calendar::WorkCalendar;
use crate::registry::Id;

/// A project with no dated progress (a stage reached, investment recorded, a milestone done) for this many days
/// is stalled.
pub const STALL_DAYS: i64 = 90;
/// A fall of output counts when this year's month is below this share of the same month a year earlier
/// (numerator, denominator): below 80 %, i.e. a fall of more than 20 %.
pub const OUTPUT_FALL_SHARE: (i64, i64) = (4, 5);
/// Consecutive months of falling output that raise the alert.
pub const OUTPUT_FALL_MONTHS: u32 = 3;

wire_enum! {
    /// What an alert is about.
    AlertKind {
        /// 诉求逾期: an open appeal past its due date.
        AppealOverdue = "appeal_overdue",
        /// 诉求临期: an open appeal due today or on the next working day.
        AppealDueSoon = "appeal_due_soon",
        /// 节点逾期: a project milestone not done by its due date.
        MilestoneOverdue = "milestone_overdue",
        /// 项目停滞: a project without progress for 90 days.
        ProjectStalled = "project_stalled",
        /// 产值下滑: a firm's output down more than 20 % year on year for three months running.
        OutputFalling = "output_falling",
        /// 租约到期: a lease of a park's unit ending within 90 days.
        LeaseExpiring = "lease_expiring",
        /// 隐患逾期: a park's hazard not closed by its deadline.
        HazardOverdue = "hazard_overdue",
    }
}

impl AlertKind {
    /// The object an alert of this kind links to.
    pub fn object_kind(self) -> &'static str {
        match self {
            AlertKind::AppealOverdue | AlertKind::AppealDueSoon => "appeal",
            AlertKind::MilestoneOverdue | AlertKind::ProjectStalled => "project",
            AlertKind::OutputFalling => "enterprise",
            AlertKind::LeaseExpiring => "park",
            AlertKind::HazardOverdue => "hazard",
        }
    }

    /// The kind's name in Chinese and in English, for messages (pages use their own texts).
    pub fn name_zh(self) -> &'static str {
        match self {
            AlertKind::AppealOverdue => "诉求逾期",
            AlertKind::AppealDueSoon => "诉求临期",
            AlertKind::MilestoneOverdue => "项目节点逾期",
            AlertKind::ProjectStalled => "项目停滞",
            AlertKind::OutputFalling => "企业产值下滑",
            AlertKind::LeaseExpiring => "租约即将到期",
            AlertKind::HazardOverdue => "隐患整改逾期",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            AlertKind::AppealOverdue => "Appeal overdue",
            AlertKind::AppealDueSoon => "Appeal due within one working day",
            AlertKind::MilestoneOverdue => "Milestone overdue",
            AlertKind::ProjectStalled => "Project without progress for 90 days",
            AlertKind::OutputFalling => "Output down over 20 % year on year for 3 months",
            AlertKind::LeaseExpiring => "Lease ending within 90 days",
            AlertKind::HazardOverdue => "Hazard not rectified by its deadline",
        }
    }

    /// Most pressing first: overdue before due soon, cases before projects before figures.
    pub fn rank(self) -> u8 {
        match self {
            AlertKind::AppealOverdue => 0,
            AlertKind::MilestoneOverdue => 1,
            AlertKind::AppealDueSoon => 2,
            AlertKind::ProjectStalled => 3,
            AlertKind::OutputFalling => 4,
            AlertKind::LeaseExpiring => 5,
            AlertKind::HazardOverdue => 1,
        }
    }
}

/// One alert, as a viewer sees it and as a chief is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    pub kind: AlertKind,
    /// What it links to: `appeal`, `project`, `enterprise` or `park` (a lease of its units), and its id.
    pub object_kind: String,
    pub object_id: Id,
    /// The appeal's title, the project's (and milestone's) name, the firm's name.
    pub title: String,
    /// The English name where the object has one (projects), else empty.
    pub title_en: String,
    /// The day the alert is about: the appeal's or milestone's due date, the project's last progress, the last
    /// month of falling output (its first day).
    pub on: NaiveDate,
    /// Identifies the alert for delivery: the same situation keeps its key, so it is delivered once; a new due
    /// date, new progress or a later month of falling output makes a new alert.
    pub key: String,
}

impl Alert {
    pub fn new(kind: AlertKind, object_id: Id, title: String, on: NaiveDate) -> Alert {
        Alert {
            kind,
            object_kind: kind.object_kind().to_string(),
            object_id,
            title,
            title_en: String::new(),
            on,
            key: format!("{kind}:{object_id}:{on}"),
        }
    }

    /// The key of an alert about a part of the object (a milestone of a project).
    pub fn about_part(mut self, part: Id) -> Alert {
        self.key = format!("{}:{}:{part}:{}", self.kind, self.object_id, self.on);
        self
    }

    /// The page of the object the alert links to.
    pub fn href(&self) -> String {
        match self.kind.object_kind() {
            "appeal" => format!("/appeals/{}", self.object_id),
            "project" => format!("/projects/{}", self.object_id),
            "park" => format!("/parks/{}", self.object_id),
            "hazard" => format!("/hazards/{}", self.object_id),
            _ => format!("/enterprises/{}", self.object_id),
        }
    }

    pub fn with_title_en(mut self, title_en: String) -> Alert {
        self.title_en = title_en;
        self
    }
}

/// Sorts alerts most pressing first, then by their day (earliest first), then by object.
pub fn sort_alerts(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        (a.kind.rank(), a.on, a.object_id, &a.key).cmp(&(b.kind.rank(), b.on, b.object_id, &b.key))
    });
}

/// The alert an open appeal due on `due` raises on `as_of`: overdue once the day has passed, due soon from the
/// working day before (today or the next working day), none before. Past the end of the calendar the next
/// working day is taken as tomorrow.
pub fn appeal_alert(
    due: NaiveDate,
    as_of: NaiveDate,
    calendar: &WorkCalendar,
) -> Option<AlertKind> {
    if as_of > due {
        return Some(AlertKind::AppealOverdue);
    }
    let next_working_day = calendar
        .next_working_day(as_of)
        .map(|d| d.date)
        .unwrap_or_else(|_| as_of.succ_opt().unwrap_or(as_of));
    (due <= next_working_day).then_some(AlertKind::AppealDueSoon)
}

/// Whether a milestone due on `due` and not done is overdue on `as_of`.
pub fn milestone_overdue(due: NaiveDate, done: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    done.is_none() && as_of > due
}

/// Whether a project whose last progress was on `last_progress` is stalled on `as_of`.
pub fn project_stalled(last_progress: NaiveDate, as_of: NaiveDate) -> bool {
    (as_of - last_progress).num_days() > STALL_DAYS
}

/// Whether one month's output fell by more than a fifth from the same month a year earlier (`last_year` > 0).
pub fn output_fell(this_year: i64, last_year: i64) -> bool {
    let (num, den) = OUTPUT_FALL_SHARE;
    last_year > 0 && (this_year as i128) * (den as i128) < (last_year as i128) * (num as i128)
}

/// The `OUTPUT_FALL_MONTHS` months (yyyymm) ending with `last`, latest first.
pub fn output_fall_window(last: u32) -> Vec<u32> {
    let mut months = Vec::new();
    let (mut year, mut month) = (last / 100, last % 100);
    for _ in 0..OUTPUT_FALL_MONTHS {
        months.push(year * 100 + month);
        if month == 1 {
            year -= 1;
            month = 12;
        } else {
            month -= 1;
        }
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    #[test]
    fn an_appeal_due_on_the_next_working_day_is_due_soon_across_a_weekend() {
        let calendar = WorkCalendar::embedded();
        // Friday 2026-06-12: the next working day is Monday 2026-06-15.
        assert_eq!(
            appeal_alert(d("2026-06-15"), d("2026-06-12"), &calendar),
            Some(AlertKind::AppealDueSoon)
        );
        assert_eq!(
            appeal_alert(d("2026-06-16"), d("2026-06-12"), &calendar),
            None
        );
        assert_eq!(
            appeal_alert(d("2026-06-12"), d("2026-06-12"), &calendar),
            Some(AlertKind::AppealDueSoon)
        );
    }

    #[test]
    fn an_appeal_is_overdue_the_day_after_its_due_date() {
        let calendar = WorkCalendar::embedded();
        assert_eq!(
            appeal_alert(d("2026-06-12"), d("2026-06-13"), &calendar),
            Some(AlertKind::AppealOverdue)
        );
    }

    #[test]
    fn a_milestone_done_late_is_not_overdue() {
        assert!(milestone_overdue(d("2026-06-01"), None, d("2026-06-02")));
        assert!(!milestone_overdue(
            d("2026-06-01"),
            Some(d("2026-06-05")),
            d("2026-06-10")
        ));
        assert!(!milestone_overdue(d("2026-06-01"), None, d("2026-06-01")));
    }

    #[test]
    fn a_project_is_stalled_after_ninety_days_without_progress() {
        assert!(!project_stalled(d("2026-03-17"), d("2026-06-15")));
        assert!(project_stalled(d("2026-03-16"), d("2026-06-15")));
    }

    #[test]
    fn output_falls_only_below_four_fifths_of_last_year() {
        assert!(output_fell(79, 100));
        assert!(!output_fell(80, 100));
        assert!(!output_fell(0, 0));
        assert!(output_fell(0, 1));
    }

    #[test]
    fn the_output_window_crosses_the_new_year() {
        assert_eq!(output_fall_window(202602), vec![202602, 202601, 202512]);
    }

    #[test]
    fn alerts_sort_overdue_cases_first() {
        let mut alerts = vec![
            Alert::new(AlertKind::OutputFalling, 1, "f".into(), d("2026-05-01")),
            Alert::new(AlertKind::AppealDueSoon, 2, "a".into(), d("2026-06-16")),
            Alert::new(AlertKind::AppealOverdue, 3, "b".into(), d("2026-06-10")),
        ];
        sort_alerts(&mut alerts);
        let kinds: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            vec![
                AlertKind::AppealOverdue,
                AlertKind::AppealDueSoon,
                AlertKind::OutputFalling
            ]
        );
    }
}
