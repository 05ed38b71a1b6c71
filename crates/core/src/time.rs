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
}
