//! The zone keeps China Standard Time (UTC+8, no daylight saving): "today" for posts, deadlines and reports is
//! the calendar day in Chongqing, not in UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The calendar day in Chongqing at the instant `at`.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china()).date_naive()
}

/// Where the application reads "now" for its rules: deadlines, overdue views, escalation, reminders and the expiry
/// of sessions and API tokens. The server runs on the system clock; tests and demonstrations fix it at an instant
/// (`CHAINPARK_NOW`), so that what they show does not depend on the day they run. The times at which records are
/// written (audit entries, imports, sessions, mail) are always the system's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// A clock that stands at `at`.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock::Fixed(at)
    }

    /// Reads an instant for a fixed clock: RFC 3339 with its offset, e.g. `2026-06-15T10:00:00+08:00`.
    pub fn parse_fixed(text: &str) -> Result<Clock, String> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|at| Clock::Fixed(at.with_timezone(&Utc)))
            .map_err(|e| {
                format!(
                    "{text:?} is not an RFC 3339 instant such as 2026-06-15T10:00:00+08:00: {e}"
                )
            })
    }

    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => at,
        }
    }

    /// The calendar day in Chongqing now.
    pub fn today(self) -> NaiveDate {
        china_date(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_chongqing() {
        let at = Utc.with_ymd_and_hms(2021, 9, 30, 17, 0, 0).unwrap();
        assert_eq!(
            china_date(at),
            NaiveDate::from_ymd_opt(2021, 10, 1).unwrap()
        );
    }

    #[test]
    fn fixed_clock_stands_at_its_instant_and_its_day_is_chongqings() {
        let clock = Clock::parse_fixed("2026-12-31T23:30:00+08:00").expect("valid");
        assert_eq!(
            clock.now(),
            Utc.with_ymd_and_hms(2026, 12, 31, 15, 30, 0).unwrap()
        );
        assert_eq!(clock.now(), clock.now());
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        let error = Clock::parse_fixed("2026-06-15").unwrap_err();
        assert!(error.contains("RFC 3339"), "{error}");
    }
}
