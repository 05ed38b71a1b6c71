//! The Chinese working-day calendar that appeal and work-order deadlines are counted in: statutory holidays are
//! off, make-up working days (调休上班) are on, other days follow the week. A year counts as loaded only when its
//! State Council arrangement is there whole — holidays for all seven festivals. In a year that is not loaded,
//! days are counted on weekdays (Monday to Friday) and the deadline is *provisional*: a government office must not
//! stop for want of a notice, but nobody may take such a deadline for the law's until the year is loaded.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};

const HEADER: &str = "date,kind,name";
const EMBEDDED: &str = include_str!("../../../reference/cn_holidays.csv");

/// The seven festivals every yearly arrangement of the State Council names (国务院办公厅关于某年部分节假日安排的通知).
pub const FESTIVALS: [&str; 7] = [
    "元旦",
    "春节",
    "清明节",
    "劳动节",
    "端午节",
    "中秋节",
    "国庆节",
];

/// What a State Council notice says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// Off, though it may be a weekday (放假).
    Holiday,
    /// On, though it may be a weekend (调休上班).
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ListedDay {
    kind: DayKind,
    /// The festival the notice names, e.g. 国庆节 (or 国庆节、中秋节 when they fall together).
    name: String,
}

/// Why a calendar could not be read or loaded.
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
    #[error(
        "{}; a year counts as loaded only when its file lists the holidays of all seven festivals \
         (元旦、春节、清明节、劳动节、端午节、中秋节、国庆节), and days of a year that is not loaded \
         cannot be added on their own",
        incomplete_years(.0)
    )]
    IncompleteYears(Vec<(i32, Vec<&'static str>)>),
    #[error("no date follows {0}")]
    EndOfTime(NaiveDate),
}

fn incomplete_years(years: &[(i32, Vec<&'static str>)]) -> String {
    years
        .iter()
        .map(|(year, missing)| format!("{year} lacks {}", missing.join("、")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A due date, and the first year whose days it was counted on by weekday alone because that year's calendar
/// is not loaded (`None`: counted on loaded calendars only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDate {
    pub date: NaiveDate,
    pub provisional_year: Option<i32>,
}

/// Holidays and make-up working days as the State Council's notices list them, and the years loaded whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    listed: BTreeMap<NaiveDate, ListedDay>,
    /// The years whose listed holidays name all seven festivals.
    years: BTreeSet<i32>,
}

impl WorkCalendar {
    /// Reads `date,kind,name` rows (kind `holiday` or `workday`). A year is covered when its holiday rows name
    /// all seven festivals; rows of other years are kept as listed days of a year that is not covered.
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
            match calendar.listed.get(&date) {
                Some(listed) if listed.kind != kind => {
                    return Err(CalendarError::Conflict { line, date });
                }
                Some(_) => {}
                None => {
                    calendar.listed.insert(
                        date,
                        ListedDay {
                            kind,
                            name: name.to_string(),
                        },
                    );
                }
            }
        }
        calendar.years = calendar
            .listed_years()
            .into_iter()
            .filter(|year| calendar.missing_festivals(*year).is_empty())
            .collect();
        Ok(calendar)
    }

    /// The calendar shipped in `reference/cn_holidays.csv` (2019–2026).
    pub fn embedded() -> WorkCalendar {
        // The shipped file is part of the program and a test reads it on every build, so this cannot fail at run time.
        WorkCalendar::from_csv(EMBEDDED)
            .unwrap_or_else(|fault| panic!("reference/cn_holidays.csv: {fault}"))
    }

    /// The festivals of `year` that no listed holiday names, in the order of the year.
    pub fn missing_festivals(&self, year: i32) -> Vec<&'static str> {
        let names: Vec<&str> = self
            .listed
            .iter()
            .filter(|(date, day)| date.year() == year && day.kind == DayKind::Holiday)
            .map(|(_, day)| day.name.as_str())
            .collect();
        FESTIVALS
            .into_iter()
            .filter(|festival| !names.iter().any(|name| name.contains(festival)))
            .collect()
    }

    /// Why `file` may not be loaded on top of this calendar: it lists days of a year that neither it nor this
    /// calendar covers whole (a notice's make-up working day in the December before may be added to a loaded year).
    pub fn check_addition(&self, file: &WorkCalendar) -> Result<(), CalendarError> {
        let incomplete: Vec<(i32, Vec<&'static str>)> = file
            .listed_years()
            .into_iter()
            .filter(|year| !file.covers(*year) && !self.covers(*year))
            .map(|year| (year, file.missing_festivals(year)))
            .collect();
        if incomplete.is_empty() {
            Ok(())
        } else {
            Err(CalendarError::IncompleteYears(incomplete))
        }
    }

    /// Adds `other`, as when an administrator loads next year's notice. A year `other` covers is taken whole from
    /// it, so a corrected notice replaces the old one instead of mixing with it; days of other years are added
    /// to what is listed (and win over it).
    pub fn merge(&mut self, other: WorkCalendar) {
        for year in &other.years {
            self.listed.retain(|date, _| date.year() != *year);
        }
        self.years.extend(other.years);
        self.listed.extend(other.listed);
    }

    /// The years this calendar covers whole, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.years.iter().copied().collect()
    }

    /// The years that have at least one listed day, ascending.
    pub fn listed_years(&self) -> Vec<i32> {
        let years: BTreeSet<i32> = self.listed.keys().map(|date| date.year()).collect();
        years.into_iter().collect()
    }

    /// Whether the year's arrangement is loaded whole.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Every listed day with its kind and festival, in date order.
    pub fn days(&self) -> impl Iterator<Item = (NaiveDate, DayKind, &str)> + '_ {
        self.listed
            .iter()
            .map(|(date, day)| (*date, day.kind, day.name.as_str()))
    }

    /// Whether `date` is a working day: as listed, else by the week. In a year that is not covered the answer is
    /// only provisional (see `add_working_days`).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.listed.get(&date).map(|day| day.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The festival a listed date belongs to (for a holiday or its make-up working day), e.g. 国庆节.
    pub fn festival(&self, date: NaiveDate) -> Option<&str> {
        self.listed.get(&date).map(|day| day.name.as_str())
    }

    /// The first working day after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<DueDate, CalendarError> {
        self.add_working_days(date, 1)
    }

    /// The due date of something received on `start` that must be done within `n` working days: counting starts
    /// on the next working day after `start`, whatever time it arrived, and the due date is the n-th working day.
    /// With `n` = 0 it is due the day it arrives. The due date is provisional when a day counted lies in a year
    /// that is not covered.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<DueDate, CalendarError> {
        let mut day = start;
        let mut provisional_year = None;
        for _ in 0..n {
            loop {
                day = following(day)?;
                if provisional_year.is_none() && !self.covers(day.year()) {
                    provisional_year = Some(day.year());
                }
                if self.is_working_day(day) {
                    break;
                }
            }
        }
        Ok(DueDate {
            date: day,
            provisional_year,
        })
    }

    /// How many working days lie after `from` up to and including `to`, so that
    /// `working_days_between(start, add_working_days(start, n)?.date) == n`; 0 when `to` is not after `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut count = 0;
        let mut day = from;
        while day < to {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }

    /// The year whose arrangement an administrator should be told to load on `today` (China date): this year when
    /// it is not covered, and from 1 November next year when that one is not.
    pub fn year_to_load(&self, today: NaiveDate) -> Option<i32> {
        let year = today.year();
        if !self.covers(year) {
            Some(year)
        } else if today.month() >= 11 && !self.covers(year + 1) {
            Some(year + 1)
        } else {
            None
        }
    }
}

/// The next calendar day; only the end of chrono's range (year 262143) has none.
fn following(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.checked_add_days(Days::new(1))
        .ok_or(CalendarError::EndOfTime(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    /// A made-up arrangement for 2027 with all seven festivals (the real notice is published in the autumn before).
    const YEAR_2027: &str = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-07,holiday,春节\n\
        2027-02-08,holiday,春节\n2027-02-09,holiday,春节\n2027-02-10,holiday,春节\n2027-02-11,holiday,春节\n\
        2027-02-12,holiday,春节\n2027-02-20,workday,春节\n2027-04-05,holiday,清明节\n2027-05-01,holiday,劳动节\n\
        2027-05-03,holiday,劳动节\n2027-05-04,holiday,劳动节\n2027-05-05,holiday,劳动节\n2027-06-09,holiday,端午节\n\
        2027-09-15,holiday,中秋节\n2027-10-01,holiday,国庆节\n2027-10-04,holiday,国庆节\n2027-10-05,holiday,国庆节\n\
        2027-10-06,holiday,国庆节\n2027-10-07,holiday,国庆节\n2027-10-09,workday,国庆节\n";

    #[test]
    fn appeal_received_before_national_day_2021_is_due_on_make_up_saturday() {
        let calendar = WorkCalendar::embedded();
        let due = calendar
            .add_working_days(date("2021-09-30"), 2)
            .expect("due");
        assert_eq!(due.date, date("2021-10-09"));
        assert_eq!(due.provisional_year, None);
    }

    #[test]
    fn embedded_calendar_covers_2019_to_2026() {
        let calendar = WorkCalendar::embedded();
        assert_eq!(calendar.covered_years(), (2019..=2026).collect::<Vec<_>>());
        for year in 2019..=2026 {
            assert_eq!(
                calendar.missing_festivals(year),
                Vec::<&str>::new(),
                "{year}"
            );
        }
    }

    #[test]
    fn listed_holiday_on_a_weekday_is_off() {
        let calendar = WorkCalendar::embedded();
        assert!(!calendar.is_working_day(date("2021-10-04"))); // Monday
        assert_eq!(calendar.festival(date("2021-10-04")), Some("国庆节"));
    }

    #[test]
    fn listed_make_up_workday_on_a_weekend_is_on() {
        assert!(WorkCalendar::embedded().is_working_day(date("2021-09-26"))); // Sunday
    }

    #[test]
    fn unlisted_days_follow_the_week() {
        let calendar = WorkCalendar::embedded();
        assert!(calendar.is_working_day(date("2021-11-10"))); // Wednesday
        assert!(!calendar.is_working_day(date("2021-11-13"))); // Saturday
    }

    #[test]
    fn weekend_adjoining_a_holiday_is_off_though_not_listed() {
        // Qingming 2019: 04-05 (Fri) is listed, the weekend after it is not.
        let calendar = WorkCalendar::embedded();
        assert_eq!(calendar.festival(date("2019-04-06")), None);
        assert!(!calendar.is_working_day(date("2019-04-06")));
    }

    #[test]
    fn year_without_a_calendar_is_counted_on_weekdays_and_marked_provisional() {
        let calendar = WorkCalendar::embedded();
        // Wednesday 2026-12-30 + 5: Thu 12-31, then Fri 2027-01-01 (a holiday in every real year, but nothing is
        // loaded for 2027), Mon 01-04, Tue 01-05, Wed 01-06.
        assert_eq!(
            calendar.add_working_days(date("2026-12-30"), 5),
            Ok(DueDate {
                date: date("2027-01-06"),
                provisional_year: Some(2027)
            })
        );
        assert!(!calendar.is_working_day(date("2027-03-06"))); // Saturday
        assert!(calendar.is_working_day(date("2027-03-03"))); // Wednesday
    }

    #[test]
    fn a_deadline_that_ends_before_the_missing_year_is_not_provisional() {
        let due = WorkCalendar::embedded()
            .add_working_days(date("2026-12-28"), 3)
            .expect("due");
        assert_eq!(due.date, date("2026-12-31"));
        assert_eq!(due.provisional_year, None);
    }

    #[test]
    fn counting_starts_on_the_next_working_day_after_receipt() {
        let calendar = WorkCalendar::embedded();
        let due = |start, n| calendar.add_working_days(date(start), n).expect("due").date;
        // Received Friday 2021-11-12: day 1 is Monday 11-15.
        assert_eq!(due("2021-11-12", 1), date("2021-11-15"));
        // Received on a Saturday: day 1 is still Monday.
        assert_eq!(due("2021-11-13", 1), date("2021-11-15"));
        assert_eq!(due("2021-11-13", 0), date("2021-11-13"));
    }

    #[test]
    fn next_working_day_skips_the_spring_festival() {
        // 2021 Spring Festival: 02-11..02-17 off, 02-20 (Sat) a make-up working day.
        let calendar = WorkCalendar::embedded();
        let next = |day| calendar.next_working_day(date(day)).expect("due").date;
        assert_eq!(next("2021-02-10"), date("2021-02-18"));
        assert_eq!(next("2021-02-19"), date("2021-02-20"));
    }

    #[test]
    fn working_days_between_inverts_add_working_days() {
        let calendar = WorkCalendar::embedded();
        let start = date("2021-09-30");
        for n in 0..30 {
            let due = calendar.add_working_days(start, n).expect("due");
            assert_eq!(calendar.working_days_between(start, due.date), n);
        }
        assert_eq!(
            calendar.working_days_between(date("2021-10-09"), date("2021-09-30")),
            0
        );
    }

    #[test]
    fn loading_a_whole_later_year_covers_it_and_counts_its_holidays() {
        let mut calendar = WorkCalendar::embedded();
        let next = WorkCalendar::from_csv(YEAR_2027).expect("valid");
        assert_eq!(next.covered_years(), [2027]);
        calendar.check_addition(&next).expect("a whole year");
        calendar.merge(next);
        assert_eq!(calendar.covered_years().last(), Some(&2027));
        assert!(!calendar.is_working_day(date("2027-01-01")));
        assert!(!calendar.is_working_day(date("2026-10-01")));
        assert_eq!(
            calendar.add_working_days(date("2026-12-30"), 5),
            Ok(DueDate {
                date: date("2027-01-07"),
                provisional_year: None
            })
        );
    }

    #[test]
    fn a_file_with_part_of_a_year_does_not_cover_it_and_is_refused_naming_the_missing_festivals() {
        let part = WorkCalendar::from_csv(
            "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n",
        )
        .expect("reads");
        assert_eq!(part.covered_years(), Vec::<i32>::new());
        assert_eq!(part.listed_years(), [2027]);
        let error = WorkCalendar::embedded().check_addition(&part).unwrap_err();
        assert_eq!(
            error,
            CalendarError::IncompleteYears(vec![(
                2027,
                vec!["清明节", "劳动节", "端午节", "中秋节", "国庆节"]
            )])
        );
        assert!(
            error.to_string().starts_with("2027 lacks 清明节、劳动节"),
            "{error}"
        );
    }

    #[test]
    fn a_make_up_day_of_a_loaded_year_may_be_added_on_its_own() {
        let mut calendar = WorkCalendar::embedded();
        let extra =
            WorkCalendar::from_csv("date,kind,name\n2026-12-27,workday,元旦\n").expect("reads");
        calendar.check_addition(&extra).expect("2026 is loaded");
        calendar.merge(extra);
        assert!(calendar.is_working_day(date("2026-12-27"))); // Sunday
        assert!(calendar.covers(2026));
        assert!(
            !calendar.is_working_day(date("2026-10-01")),
            "the rest of 2026 stays"
        );
    }

    #[test]
    fn merging_a_year_already_loaded_replaces_that_year_entirely() {
        let mut calendar = WorkCalendar::embedded();
        let corrected =
            WorkCalendar::from_csv(&YEAR_2027.replace("2027-", "2026-")).expect("valid");
        calendar.merge(corrected);
        assert!(!calendar.is_working_day(date("2026-01-01")));
        assert_eq!(calendar.festival(date("2026-10-10")), None);
        assert_eq!(
            calendar.festival(date("2025-10-01")),
            Some("国庆节、中秋节")
        );
    }

    #[test]
    fn festivals_named_together_count_for_both() {
        let calendar = WorkCalendar::embedded();
        assert_eq!(
            calendar.festival(date("2025-10-01")),
            Some("国庆节、中秋节")
        );
        assert!(calendar.missing_festivals(2025).is_empty());
    }

    #[test]
    fn the_admin_is_told_from_1_november_that_next_year_is_missing_and_at_once_when_this_year_is() {
        let calendar = WorkCalendar::embedded();
        assert_eq!(calendar.year_to_load(date("2026-10-31")), None);
        assert_eq!(calendar.year_to_load(date("2026-11-01")), Some(2027));
        assert_eq!(calendar.year_to_load(date("2027-03-01")), Some(2027));
        assert_eq!(calendar.year_to_load(date("2025-11-01")), None);
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
            WorkCalendar::from_csv(&format!("\u{feff}{}", YEAR_2027.replace('\n', "\r\n")))
                .expect("valid");
        assert_eq!(calendar.covered_years(), [2027]);
    }
}
