//! The chiefs' daily work (DOMAIN.md §2.3–2.8): enterprise appeals in a closed loop with working-day deadlines,
//! key projects from lead to production, digital-transformation recognitions and park work orders. Everything
//! here is a pure rule — state machines, order checks, deadlines, rates — so the store and the web layer only ask.

pub mod alerts;
pub mod appeals;
pub mod demo;
pub mod projects;
pub mod report;
pub mod transformation;
pub mod work_orders;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::{CalendarError, DueDate, WorkCalendar};
use crate::error::Invalid;

/// Declares a string-valued enum with its wire names (snake_case), `ALL`, `as_str` and `parse`.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

/// A deadline that cannot be counted (past the end of the calendar) is refused on the field that asked for it.
pub fn calendar_invalid(field: &str, error: CalendarError) -> Invalid {
    Invalid::field(field, error.to_string())
}

/// The due date `n` working days after `start` (provisional in a year whose calendar is not loaded), or an
/// error naming `field`.
pub fn due_after(
    calendar: &WorkCalendar,
    field: &str,
    start: NaiveDate,
    n: u32,
) -> Result<DueDate, Invalid> {
    calendar
        .add_working_days(start, n)
        .map_err(|e| calendar_invalid(field, e))
}

/// An honest on-time rate (DOMAIN.md §2.4): cases done by their due date, over every case that is done or whose
/// due date has passed — so a case left open past its deadline counts against the rate, not only late closures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OnTimeRate {
    /// Done on or before the due date.
    pub on_time: i64,
    /// Done after the due date.
    pub late: i64,
    /// Not done, and the due date has passed.
    pub open_overdue: i64,
    /// Not done, still within the limit: not counted either way.
    pub open_in_time: i64,
    /// on_time ÷ (on_time + late + open_overdue) in per cent with one decimal; `None` when nothing is due yet.
    pub rate_percent: Option<f64>,
}

impl OnTimeRate {
    /// Counts cases given as (due date, the day the case was done if it was) on the day `as_of`.
    pub fn count(
        cases: impl IntoIterator<Item = (NaiveDate, Option<NaiveDate>)>,
        as_of: NaiveDate,
    ) -> OnTimeRate {
        let mut rate = OnTimeRate::default();
        for (due, done) in cases {
            match done {
                Some(done) if done <= due => rate.on_time += 1,
                Some(_) => rate.late += 1,
                None if as_of > due => rate.open_overdue += 1,
                None => rate.open_in_time += 1,
            }
        }
        rate.finish()
    }

    /// Recomputes the rate from the counts.
    pub fn finish(mut self) -> OnTimeRate {
        let counted = self.on_time + self.late + self.open_overdue;
        self.rate_percent = (counted > 0).then(|| percent(self.on_time, counted));
        self
    }
}

/// `part ÷ whole` in per cent, rounded to one decimal (exact integer arithmetic up to the rounding).
pub fn percent(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let tenths = (part as i128 * 1000 * 2 + whole as i128) / (whole as i128 * 2);
    tenths as f64 / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    #[test]
    fn open_overdue_cases_count_against_the_on_time_rate() {
        let rate = OnTimeRate::count(
            [
                (d("2021-10-09"), Some(d("2021-10-08"))),
                (d("2021-10-09"), Some(d("2021-10-09"))),
                (d("2021-10-09"), None),
                (d("2021-10-20"), None),
            ],
            d("2021-10-10"),
        );
        assert_eq!(
            (
                rate.on_time,
                rate.late,
                rate.open_overdue,
                rate.open_in_time
            ),
            (2, 0, 1, 1)
        );
        assert_eq!(rate.rate_percent, Some(66.7));
    }

    #[test]
    fn nothing_due_yet_has_no_rate() {
        let rate = OnTimeRate::count([(d("2021-10-20"), None)], d("2021-10-10"));
        assert_eq!(rate.rate_percent, None);
    }

    #[test]
    fn percent_rounds_half_up_to_one_decimal() {
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(2, 3), 66.7);
        assert_eq!(percent(1, 8), 12.5);
        assert_eq!(percent(0, 0), 0.0);
    }
}
