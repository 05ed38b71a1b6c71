//! Reporting periods of the statistics (统计期): a month, a quarter, a half-year, a year, or the cumulative period
//! from January to a month (累计, "1–N月"). Every period lies inside one calendar year, so it is a range of months
//! of that year, and "the same period last year" (上年同期) is the same range one year earlier.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month, stored as the integer `yyyymm` (202106) so that ranges and "a year earlier" (−100) are
/// plain integer arithmetic in SQL on both engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1900..=2999).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// `yyyymm`, the form kept in the store.
    pub fn key(self) -> i32 {
        self.year * 100 + self.month as i32
    }

    pub fn from_key(key: i64) -> Option<Month> {
        let year = i32::try_from(key / 100).ok()?;
        Month::new(year, u32::try_from(key % 100).ok()?)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A reporting period. All kinds are ranges of months of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// `2021-06`
    Month(Month),
    /// `2021-Q3` (第三季度)
    Quarter { year: i32, quarter: u32 },
    /// `2021-H1` (上半年)
    HalfYear { year: i32, half: u32 },
    /// `2021` (全年)
    Year(i32),
    /// `2021-YTD-09`: January to September (1–9月累计)
    YearToDate { year: i32, through: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a period; write a month 2021-06, a quarter 2021-Q3, a half-year 2021-H1, a year 2021 or a \
     cumulative period 2021-YTD-09 (January to September)"
)]
pub struct PeriodError(pub String);

impl Period {
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let bad = || PeriodError(text.to_string());
        let t = text.trim().to_ascii_uppercase();
        let mut parts = t.split('-');
        let year: i32 = parts
            .next()
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse().ok())
            .filter(|y| (1900..=2999).contains(y))
            .ok_or_else(bad)?;
        let number = |s: Option<&str>, max: u32| -> Result<u32, PeriodError> {
            s.filter(|s| !s.is_empty() && s.len() <= 2)
                .and_then(|s| s.parse::<u32>().ok())
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(bad)
        };
        let period = match parts.next() {
            None => Period::Year(year),
            Some("YTD") => Period::YearToDate {
                year,
                through: number(parts.next(), 12)?,
            },
            Some(p) if p.starts_with('Q') => Period::Quarter {
                year,
                quarter: number(p.get(1..), 4)?,
            },
            Some(p) if p.starts_with('H') => Period::HalfYear {
                year,
                half: number(p.get(1..), 2)?,
            },
            Some(p) => Period::Month(Month::new(year, number(Some(p), 12)?).ok_or_else(bad)?),
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(period)
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Month(m) => m.year,
            Period::Quarter { year, .. }
            | Period::HalfYear { year, .. }
            | Period::Year(year)
            | Period::YearToDate { year, .. } => year,
        }
    }

    /// First and last month of the year that the period covers, 1..=12.
    pub fn month_range(self) -> (u32, u32) {
        match self {
            Period::Month(m) => (m.month, m.month),
            Period::Quarter { quarter, .. } => (quarter * 3 - 2, quarter * 3),
            Period::HalfYear { half, .. } => (half * 6 - 5, half * 6),
            Period::Year(_) => (1, 12),
            Period::YearToDate { through, .. } => (1, through),
        }
    }

    pub fn first_month(self) -> Month {
        Month {
            year: self.year(),
            month: self.month_range().0,
        }
    }

    pub fn last_month(self) -> Month {
        Month {
            year: self.year(),
            month: self.month_range().1,
        }
    }

    pub fn months(self) -> impl Iterator<Item = Month> {
        let year = self.year();
        let (first, last) = self.month_range();
        (first..=last).map(move |month| Month { year, month })
    }

    /// The same period of the year before (上年同期).
    pub fn a_year_earlier(self) -> Period {
        match self {
            Period::Month(m) => Period::Month(Month {
                year: m.year - 1,
                month: m.month,
            }),
            Period::Quarter { year, quarter } => Period::Quarter {
                year: year - 1,
                quarter,
            },
            Period::HalfYear { year, half } => Period::HalfYear {
                year: year - 1,
                half,
            },
            Period::Year(year) => Period::Year(year - 1),
            Period::YearToDate { year, through } => Period::YearToDate {
                year: year - 1,
                through,
            },
        }
    }

    /// How the statistics bureau writes it: 2021年1-6月, 2021年第三季度, 2021年6月.
    pub fn label_zh(self) -> String {
        let year = self.year();
        match self {
            Period::Month(m) => format!("{year}年{}月", m.month),
            Period::Quarter { quarter, .. } => {
                format!(
                    "{year}年第{}季度",
                    ["一", "二", "三", "四"][quarter as usize - 1]
                )
            }
            Period::HalfYear { half: 1, .. } => format!("{year}年上半年"),
            Period::HalfYear { .. } => format!("{year}年下半年"),
            Period::Year(_) => format!("{year}年"),
            Period::YearToDate { through: 1, .. } => format!("{year}年1月"),
            Period::YearToDate { through, .. } => format!("{year}年1-{through}月"),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(m) => write!(f, "{m}"),
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            Period::HalfYear { year, half } => write!(f, "{year}-H{half}"),
            Period::Year(year) => write!(f, "{year}"),
            Period::YearToDate { year, through } => write!(f, "{year}-YTD-{through:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Period::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Period {
        Period::parse(text).expect("a period")
    }

    #[test]
    fn every_kind_of_period_reads_back_as_written() {
        for text in ["2021-06", "2021-Q3", "2021-H1", "2021", "2021-YTD-09"] {
            assert_eq!(p(text).to_string(), text);
        }
        assert_eq!(p("2021-q3"), p("2021-Q3"));
        assert_eq!(p("2021-6"), p("2021-06"));
    }

    #[test]
    fn cumulative_period_runs_from_january_to_the_month() {
        let ytd = p("2021-YTD-09");
        assert_eq!(ytd.month_range(), (1, 9));
        assert_eq!(ytd.label_zh(), "2021年1-9月");
        assert_eq!(p("2021-H1").month_range(), (1, 6));
        assert_eq!(p("2021-Q3").month_range(), (7, 9));
    }

    #[test]
    fn same_period_last_year_is_the_same_months_one_year_earlier() {
        assert_eq!(p("2021-H1").a_year_earlier(), p("2020-H1"));
        assert_eq!(p("2021-YTD-09").a_year_earlier(), p("2020-YTD-09"));
        assert_eq!(p("2021-01").a_year_earlier().first_month().key(), 202001);
    }

    #[test]
    fn malformed_periods_are_refused() {
        for text in [
            "",
            "21",
            "2021-13",
            "2021-Q5",
            "2021-H3",
            "2021-YTD-00",
            "2021-06-01",
            "2021-Q",
            "abcd",
        ] {
            assert!(Period::parse(text).is_err(), "{text}");
        }
    }
}
