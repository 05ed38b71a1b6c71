//! The park's monthly report mailed to its chief on a schedule the admin sets: on the schedule's day of each month
//! (or the first run after it), the report of the month before is due, once per schedule and month.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Invalid, Violations};
use crate::period::Month;
use crate::registry::Id;

/// A schedule's day is at most the 28th, so that every month has it.
pub const LAST_DAY: i32 = 28;

/// A schedule of a park's monthly report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportSchedule {
    pub id: Id,
    pub park_id: Id,
    /// The day of the month (China time) from which the last month's report is due.
    pub day_of_month: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// The last month whose report was mailed (`YYYY-MM`), if any.
    pub last_month: Option<String>,
}

/// A schedule as the admin sends it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportScheduleInput {
    pub park_id: Id,
    /// 1 to 28; default 1.
    #[serde(default = "first")]
    pub day_of_month: i32,
}

fn first() -> i32 {
    1
}

impl ReportScheduleInput {
    pub fn parse(self) -> Result<ReportScheduleInput, Invalid> {
        let mut v = Violations::default();
        if !(1..=LAST_DAY).contains(&self.day_of_month) {
            v.add("day_of_month", format!("must be from 1 to {LAST_DAY}"));
        }
        v.finish(self)
    }
}

/// The month whose report a schedule on `day_of_month` owes on `today`: the month before, from that day on.
pub fn report_due(day_of_month: i32, today: NaiveDate) -> Option<Month> {
    if (today.day() as i32) < day_of_month {
        return None;
    }
    if today.month() == 1 {
        Month::new(today.year() - 1, 12)
    } else {
        Month::new(today.year(), today.month() - 1)
    }
}

/// A file attached to a mail of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_last_months_report_is_due_from_the_schedules_day() {
        assert_eq!(report_due(5, day("2026-06-04")), None);
        assert_eq!(report_due(5, day("2026-06-05")), Month::new(2026, 5));
        assert_eq!(report_due(5, day("2026-06-30")), Month::new(2026, 5));
        assert_eq!(report_due(1, day("2027-01-01")), Month::new(2026, 12));
        let bad = ReportScheduleInput {
            park_id: 1,
            day_of_month: 31,
        };
        assert!(bad.parse().is_err());
    }
}
