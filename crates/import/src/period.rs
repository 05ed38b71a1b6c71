//! The reporting month (报告期) of a value: `2021-01`, `2021-1`, `2021/01`, `202101`, `2021年1月`, `2021.01`, a full
//! date such as `2021/1/31` (a date cell exported to CSV), or an Excel date cell.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::normalise::fold_char;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: u16,
    month: u8,
}

/// Why a text is not a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("'{0}' is not a month; write it as 2021-01, 202101 or 2021年1月")]
    NotAMonth(String),
    #[error("month {0} is outside 1..12")]
    MonthOutOfRange(u32),
    #[error("year {0} is outside 1900..2999")]
    YearOutOfRange(u32),
    #[error("day {day} does not exist in {year}-{month:02}")]
    NoSuchDay { year: u32, month: u32, day: u32 },
}

impl YearMonth {
    pub fn new(year: u32, month: u32) -> Result<YearMonth, PeriodError> {
        if !(1900..=2999).contains(&year) {
            return Err(PeriodError::YearOutOfRange(year));
        }
        if !(1..=12).contains(&month) {
            return Err(PeriodError::MonthOutOfRange(month));
        }
        Ok(YearMonth {
            year: year as u16,
            month: month as u8,
        })
    }

    pub fn year(self) -> u32 {
        u32::from(self.year)
    }

    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// Months since year 0; consecutive months differ by one.
    pub(crate) fn ordinal(self) -> u32 {
        self.year() * 12 + self.month() - 1
    }

    /// Reads the forms listed in the module documentation; full-width digits and stray spaces are tolerated.
    pub fn parse(text: &str) -> Result<YearMonth, PeriodError> {
        let mut folded = [0u8; 48];
        let mut len = 0;
        let mut chars = text.trim().chars().map(fold_char).peekable();
        while let Some(c) = chars.next() {
            // A time of day after a date ("2021-01-31 00:00:00", "2021-01-31T00:00") ends the period.
            if (c == ' ' || c == 't') && len >= 8 && chars.peek().is_some_and(char::is_ascii_digit)
            {
                break;
            }
            if c == ' ' {
                continue;
            }
            let mut buf = [0u8; 4];
            let encoded = c.encode_utf8(&mut buf).as_bytes();
            if len + encoded.len() > folded.len() {
                return Err(PeriodError::NotAMonth(text.to_string()));
            }
            folded[len..len + encoded.len()].copy_from_slice(encoded);
            len += encoded.len();
        }
        parse_folded(&folded[..len]).ok_or_else(|| PeriodError::NotAMonth(text.to_string()))?
    }
}

/// `None` when the shape is wrong; `Some(Err)` when the shape is right but a number is out of range.
fn parse_folded(b: &[u8]) -> Option<Result<YearMonth, PeriodError>> {
    let all_digits = b.iter().all(u8::is_ascii_digit);
    if all_digits && (b.len() == 6 || b.len() == 8) {
        let year = number(&b[..4])?;
        let month = number(&b[4..6])?;
        let day = if b.len() == 8 {
            Some(number(&b[6..8])?)
        } else {
            None
        };
        return Some(checked(year, month, day));
    }
    if b.len() < 6 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let year = number(&b[..4])?;
    let rest = strip_separator(&b[4..])?;
    let (month, rest) = leading_number(rest)?;
    let rest = rest
        .strip_prefix("月".as_bytes())
        .map(|r| r.strip_prefix("份".as_bytes()).unwrap_or(r))
        .unwrap_or(rest);
    if rest.is_empty() {
        return Some(checked(year, month, None));
    }
    let rest = strip_separator(rest).unwrap_or(rest);
    let (day, rest) = leading_number(rest)?;
    let rest = rest
        .strip_prefix("日".as_bytes())
        .or_else(|| rest.strip_prefix("号".as_bytes()))
        .unwrap_or(rest);
    rest.is_empty().then(|| checked(year, month, Some(day)))
}

fn strip_separator(b: &[u8]) -> Option<&[u8]> {
    match b.first()? {
        b'-' | b'/' | b'.' => Some(&b[1..]),
        _ => b.strip_prefix("年".as_bytes()),
    }
}

/// One or two leading digits and what follows them.
fn leading_number(b: &[u8]) -> Option<(u32, &[u8])> {
    let n = b.iter().take(3).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 2 {
        return None;
    }
    Some((number(&b[..n])?, &b[n..]))
}

fn number(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn checked(year: u32, month: u32, day: Option<u32>) -> Result<YearMonth, PeriodError> {
    let ym = YearMonth::new(year, month)?;
    if let Some(day) = day
        && (day == 0 || day > days_in_month(year, month))
    {
        return Err(PeriodError::NoSuchDay { year, month, day });
    }
    Ok(ym)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        YearMonth::parse(s)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        YearMonth::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(year: u32, month: u32) -> YearMonth {
        YearMonth::new(year, month).expect("valid month")
    }

    #[test]
    fn every_written_form_of_a_month_is_read() {
        for text in [
            "2021-01",
            "2021-1",
            "2021/01",
            "2021/1",
            "202101",
            "2021年1月",
            "2021年01月",
            "2021.01",
            "2021.1",
            "２０２１年１月",
            " 2021 - 01 ",
            "2021年1月份",
            "2021-01-31",
            "2021/1/31",
            "20210131",
            "2021-01-01 00:00:00",
            "2021-01-01T00:00:00",
        ] {
            assert_eq!(YearMonth::parse(text), Ok(ym(2021, 1)), "{text}");
        }
        assert_eq!(YearMonth::parse("2021.10"), Ok(ym(2021, 10)));
    }

    #[test]
    fn month_outside_one_to_twelve_is_rejected() {
        assert_eq!(
            YearMonth::parse("2021-13"),
            Err(PeriodError::MonthOutOfRange(13))
        );
        assert_eq!(
            YearMonth::parse("202100"),
            Err(PeriodError::MonthOutOfRange(0))
        );
        assert_eq!(
            YearMonth::parse("2021-02-30"),
            Err(PeriodError::NoSuchDay {
                year: 2021,
                month: 2,
                day: 30
            })
        );
    }

    #[test]
    fn text_that_is_no_month_is_rejected() {
        for text in [
            "", "January", "2021", "21-01", "2021-001", "2021-01x", "1月",
        ] {
            assert!(
                matches!(YearMonth::parse(text), Err(PeriodError::NotAMonth(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn months_order_and_display_as_iso() {
        assert!(ym(2021, 12) < ym(2022, 1));
        assert_eq!(ym(2021, 3).to_string(), "2021-03");
        assert_eq!(
            serde_json::to_string(&ym(2021, 3)).expect("json"),
            "\"2021-03\""
        );
    }
}
