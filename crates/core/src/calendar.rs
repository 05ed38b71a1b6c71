//! The Chinese working-day calendar that appeal and work-order deadlines are counted in: statutory holidays are
//! off, make-up working days (调休上班) are on, other days follow the week. A year no notice was loaded for is an
//! error, never a guess, because a guessed deadline is a wrong deadline.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};

const HEADER: &str = "date,kind,name";
const EMBEDDED: &str = include_str!("../../../reference/cn_holidays.csv");

/// What a State Council notice says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// Off, though it may be a weekday (放假).
    Holiday,
    /// On, though it may be a weekend (调休上班).
    Workday,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ListedDay {
    kind: DayKind,
    /// The festival the notice names, e.g. 国庆节.
    name: String,
}

/// Why a calendar could not be read or a question about it not answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("line 1: header should be '{HEADER}', found '{0}'")]
    BadHeader(String),
    #[error("line {line}: expected 3 fields date,kind,name")]
    MissingField { line: usize },
    #[error("line {line}: '{value}' is not a date (YYYY-MM-DD)")]
    BadDate { line: usize, value: String },
    #[error("line {line}: kind '{value}' should be 'holiday' or 'workday'")]
    BadKind { line: usize, value: String },
    #[error("line {line}: {date} is already listed with the other kind")]
    Conflict { line: usize, date: NaiveDate },
    #[error("no holiday calendar is loaded for {0}; load that year's State Council notice first")]
    YearNotCovered(i32),
}

/// Holidays and make-up working days for the years whose notices were loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    listed: BTreeMap<NaiveDate, ListedDay>,
    years: BTreeSet<i32>,
}

impl WorkCalendar {
    /// Reads `date,kind,name` rows (kind `holiday` or `workday`). A year is covered once any row falls in it, since
    /// every year has at least New Year's Day off.
    pub fn from_csv(text: &str) -> Result<WorkCalendar, CalendarError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()));
        match lines.next() {
            Some((_, header)) if header.trim_start_matches('\u{feff}') == HEADER => {}
            Some((_, header)) => return Err(CalendarError::BadHeader(header.to_string())),
            None => return Err(CalendarError::BadHeader(String::new())),
        }
        let mut calendar = WorkCalendar::default();
        for (line, text) in lines.filter(|(_, text)| !text.is_empty()) {
            let mut fields = text.splitn(3, ',').map(str::trim);
            let (Some(date), Some(kind), Some(name)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(CalendarError::MissingField { line });
            };
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                CalendarError::BadDate {
                    line,
                    value: date.to_string(),
                }
            })?;
            let kind = match kind {
                "holiday" => DayKind::Holiday,
                "workday" => DayKind::Workday,
                other => {
                    return Err(CalendarError::BadKind {
                        line,
                        value: other.to_string(),
                    });
                }
            };
            let day = ListedDay {
                kind,
                name: name.to_string(),
            };
            match calendar.listed.get(&date) {
                Some(listed) if listed.kind != kind => {
                    return Err(CalendarError::Conflict { line, date });
                }
                Some(_) => {}
                None => {
                    calendar.listed.insert(date, day);
                    calendar.years.insert(date.year());
                }
            }
        }
        Ok(calendar)
    }

    /// The calendar shipped in `reference/cn_holidays.csv` (2019–2026).
    pub fn embedded() -> WorkCalendar {
        // The shipped file is part of the program and a test reads it on every build, so this cannot fail at run time.
        WorkCalendar::from_csv(EMBEDDED)
            .unwrap_or_else(|fault| panic!("reference/cn_holidays.csv: {fault}"))
    }

    /// Adds the years of `other`, as when an administrator loads next year's notice. A year present in both is
    /// taken whole from `other`, so a corrected notice replaces the old one instead of mixing with it.
    pub fn merge(&mut self, other: WorkCalendar) {
        for year in &other.years {
            self.listed.retain(|date, _| date.year() != *year);
        }
        self.years.extend(other.years);
        self.listed.extend(other.listed);
    }

    /// The years this calendar can answer for, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.years.iter().copied().collect()
    }

    /// Whether `date` is a working day; an error for a year with no calendar loaded.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        if !self.years.contains(&date.year()) {
            return Err(CalendarError::YearNotCovered(date.year()));
        }
        Ok(match self.listed.get(&date).map(|day| day.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }

    /// The festival a listed date belongs to (for a holiday or its make-up working day), e.g. 国庆节.
    pub fn festival(&self, date: NaiveDate) -> Option<&str> {
        self.listed.get(&date).map(|day| day.name.as_str())
    }

    /// The first working day after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut day = date;
        loop {
            day = following(day)?;
            if self.is_working_day(day)? {
                return Ok(day);
            }
        }
    }

    /// The due date of something received on `start` that must be done within `n` working days: counting starts
    /// on the next working day after `start`, whatever time it arrived, and the due date is the n-th working day.
    /// With `n` = 0 it is due the day it arrives.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut day = start;
        for _ in 0..n {
            day = self.next_working_day(day)?;
        }
        Ok(day)
    }

    /// How many working days lie after `from` up to and including `to`, so that
    /// `working_days_between(start, add_working_days(start, n)?) == n`; 0 when `to` is not after `from`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = following(day)?;
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// The next calendar day; only the end of chrono's range (year 262143) has none, and no calendar covers it.
fn following(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.checked_add_days(Days::new(1))
        .ok_or(CalendarError::YearNotCovered(date.year().saturating_add(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    #[test]
    fn appeal_received_before_national_day_2021_is_due_on_make_up_saturday() {
        let calendar = WorkCalendar::embedded();
        assert_eq!(
            calendar.add_working_days(date("2021-09-30"), 2),
            Ok(date("2021-10-09"))
        );
    }

    #[test]
    fn embedded_calendar_covers_2019_to_2026() {
        assert_eq!(
            WorkCalendar::embedded().covered_years(),
            (2019..=2026).collect::<Vec<_>>()
        );
    }

    #[test]
    fn listed_holiday_on_a_weekday_is_off() {
        let calendar = WorkCalendar::embedded();
        assert_eq!(calendar.is_working_day(date("2021-10-04")), Ok(false)); // Monday
        assert_eq!(calendar.festival(date("2021-10-04")), Some("国庆节"));
    }

    #[test]
    fn listed_make_up_workday_on_a_weekend_is_on() {
        assert_eq!(
            WorkCalendar::embedded().is_working_day(date("2021-09-26")),
            Ok(true)
        ); // Sunday
    }

    #[test]
    fn unlisted_days_follow_the_week() {
        let calendar = WorkCalendar::embedded();
        assert_eq!(calendar.is_working_day(date("2021-11-10")), Ok(true)); // Wednesday
        assert_eq!(calendar.is_working_day(date("2021-11-13")), Ok(false)); // Saturday
    }

    #[test]
    fn weekend_adjoining_a_holiday_is_off_though_not_listed() {
        // Qingming 2019: 04-05 (Fri) is listed, the weekend after it is not.
        let calendar = WorkCalendar::embedded();
        assert_eq!(calendar.festival(date("2019-04-06")), None);
        assert_eq!(calendar.is_working_day(date("2019-04-06")), Ok(false));
    }

    #[test]
    fn year_without_a_calendar_is_an_error_not_a_guess() {
        let calendar = WorkCalendar::embedded();
        assert_eq!(
            calendar.is_working_day(date("2027-03-03")),
            Err(CalendarError::YearNotCovered(2027))
        );
        assert_eq!(
            calendar.add_working_days(date("2026-12-30"), 5),
            Err(CalendarError::YearNotCovered(2027))
        );
    }

    #[test]
    fn counting_starts_on_the_next_working_day_after_receipt() {
        let calendar = WorkCalendar::embedded();
        // Received Friday 2021-11-12: day 1 is Monday 11-15.
        assert_eq!(
            calendar.add_working_days(date("2021-11-12"), 1),
            Ok(date("2021-11-15"))
        );
        // Received on a Saturday: day 1 is still Monday.
        assert_eq!(
            calendar.add_working_days(date("2021-11-13"), 1),
            Ok(date("2021-11-15"))
        );
        assert_eq!(
            calendar.add_working_days(date("2021-11-13"), 0),
            Ok(date("2021-11-13"))
        );
    }

    #[test]
    fn next_working_day_skips_the_spring_festival() {
        // 2021 Spring Festival: 02-11..02-17 off, 02-20 (Sat) a make-up working day.
        let calendar = WorkCalendar::embedded();
        assert_eq!(
            calendar.next_working_day(date("2021-02-10")),
            Ok(date("2021-02-18"))
        );
        assert_eq!(
            calendar.next_working_day(date("2021-02-19")),
            Ok(date("2021-02-20"))
        );
    }

    #[test]
    fn working_days_between_inverts_add_working_days() {
        let calendar = WorkCalendar::embedded();
        let start = date("2021-09-30");
        for n in 0..30 {
            let due = calendar.add_working_days(start, n).expect("covered");
            assert_eq!(calendar.working_days_between(start, due), Ok(n));
        }
        assert_eq!(
            calendar.working_days_between(date("2021-10-09"), date("2021-09-30")),
            Ok(0)
        );
    }

    #[test]
    fn merging_a_later_year_extends_coverage() {
        let mut calendar = WorkCalendar::embedded();
        let next =
            WorkCalendar::from_csv("date,kind,name\n2027-01-01,holiday,元旦\n").expect("valid");
        calendar.merge(next);
        assert_eq!(calendar.covered_years().last(), Some(&2027));
        assert_eq!(calendar.is_working_day(date("2027-01-01")), Ok(false));
        assert_eq!(calendar.is_working_day(date("2026-10-01")), Ok(false));
    }

    #[test]
    fn merging_a_year_already_loaded_replaces_that_year_entirely() {
        let mut calendar = WorkCalendar::embedded();
        let corrected =
            WorkCalendar::from_csv("date,kind,name\n2026-01-01,holiday,元旦\n").expect("valid");
        calendar.merge(corrected);
        assert_eq!(calendar.is_working_day(date("2026-01-01")), Ok(false));
        assert_eq!(calendar.festival(date("2026-10-01")), None);
        assert_eq!(
            calendar.festival(date("2025-10-01")),
            Some("国庆节、中秋节")
        );
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases = [
            (
                "date,kind,name\n2027-01-01,holiday\n",
                CalendarError::MissingField { line: 2 },
            ),
            (
                "date,kind,name\n\n2027-02-30,holiday,春节\n",
                CalendarError::BadDate {
                    line: 3,
                    value: "2027-02-30".into(),
                },
            ),
            (
                "date,kind,name\n2027-01-01,off,元旦\n",
                CalendarError::BadKind {
                    line: 2,
                    value: "off".into(),
                },
            ),
            (
                "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,workday,元旦\n",
                CalendarError::Conflict {
                    line: 3,
                    date: date("2027-01-01"),
                },
            ),
            ("day,kind\n", CalendarError::BadHeader("day,kind".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(WorkCalendar::from_csv(text), Err(expected));
        }
        let message = WorkCalendar::from_csv("date,kind,name\n2027-01-01,off,元旦\n")
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("line 2:"), "{message}");
    }

    #[test]
    fn csv_tolerates_crlf_and_a_byte_order_mark() {
        let calendar =
            WorkCalendar::from_csv("\u{feff}date,kind,name\r\n2027-01-01,holiday,元旦\r\n")
                .expect("valid");
        assert_eq!(calendar.covered_years(), [2027]);
    }
}
