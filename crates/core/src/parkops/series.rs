//! Generated hourly readings (生成的逐时读数): a small spec — an hour-of-day shape per profile, a day level per
//! profile and China day, a base amount per meter — from which the store makes a long run of readings and their
//! roll-ups inside the database with set-based SQL (the store's `MeterStore::generate_readings`), so that the
//! demo's year of a few hundred meters loads in seconds even in a debug build. [`HourlySeries::amount`] is the same
//! rule in Rust, so that a test can record the same readings one by one and compare.
//!
//! The reading of meter `m` at hour `h` (counted from the first, on the hour) is
//! `base × shape[profile][china hour] × level[china day][profile] × (90 + j) / 1,000,000` in thousandths, with the
//! jitter `j = (m × 7919 + absolute hour × 104729) mod 21` (0 to 20, so ±10 %). Shapes and levels are percentages;
//! the absolute hour is Unix seconds / 3600, so the same hour gets the same jitter whatever hour the series starts
//! at. Integer arithmetic only, so both engines compute exactly the same amounts.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};

use crate::error::{Invalid, Violations};
use crate::parkops::meters::{HOUR, Reading, day_key};
use crate::registry::Id;
use crate::time::{china, china_date};

/// The most hours one series may hold: a leap year and a month.
pub const MAX_HOURS: u32 = 24 * (366 + 31);
/// The largest base amount (thousandths an hour): with shapes and levels of at most [`MAX_PERCENT`] the product
/// stays far inside 64 bits.
pub const MAX_BASE: i64 = 1_000_000_000;
/// The largest shape weight or day level, in percent.
pub const MAX_PERCENT: i64 = 1_000;
/// The most profiles one series may hold (their day levels are bound to one statement).
pub const MAX_PROFILES: usize = 8;

/// One meter of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesMeter {
    pub meter_id: Id,
    /// Index into the series' shapes and each day's levels.
    pub profile: usize,
    /// Thousandths of the medium's unit in an hour at 100 % of shape and level, before the multiplier.
    pub base: i64,
    /// Hours `from..to` (counted from the first) in which the meter sends nothing: an outage, or hours that reach
    /// the store another way.
    pub gap: Option<(u32, u32)>,
}

/// A run of hourly readings of some meters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlySeries {
    /// The instant of the first reading: the start of an hour.
    pub first: DateTime<Utc>,
    /// Readings of each meter (one an hour).
    pub hours: u32,
    /// Per profile, the weight of each China hour of the day (0–23), in percent.
    pub shapes: Vec<[i64; 24]>,
    /// Per China day from the first reading's day, the level of each profile, in percent.
    pub levels: Vec<Vec<i64>>,
    pub meters: Vec<SeriesMeter>,
}

/// One China day a series touches, with the keys of its day and month roll-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesDay {
    /// Counted from the first reading's day.
    pub index: i64,
    pub date: NaiveDate,
    /// `yyyymmdd`, the key of its day roll-up.
    pub day_key: i64,
    /// `yyyymm`, the key of its month roll-up.
    pub month_key: i64,
}

impl HourlySeries {
    /// The China hour of day of the first reading.
    pub fn first_hour_of_day(&self) -> i64 {
        i64::from(self.first.with_timezone(&china()).hour())
    }

    /// The absolute hour (Unix seconds / 3600) of the first reading.
    pub fn first_absolute_hour(&self) -> i64 {
        self.first.timestamp().div_euclid(HOUR)
    }

    /// The instant of the last reading.
    pub fn last(&self) -> DateTime<Utc> {
        self.first + Duration::hours(i64::from(self.hours.saturating_sub(1)))
    }

    /// The China days the series touches, in order.
    pub fn days(&self) -> Vec<SeriesDay> {
        let count = (self.first_hour_of_day() + i64::from(self.hours) - 1).div_euclid(24) + 1;
        let first_day = china_date(self.first);
        (0..count)
            .map(|index| {
                let date = first_day + Duration::days(index);
                SeriesDay {
                    index,
                    date,
                    day_key: day_key(date),
                    month_key: i64::from(date.year()) * 100 + i64::from(date.month()),
                }
            })
            .collect()
    }

    /// Everything wrong with the spec, each named: the first instant on the hour, 1 to [`MAX_HOURS`] hours, 1 to
    /// [`MAX_PROFILES`] shapes, a level per profile for every day, profiles that exist, bases and percentages in
    /// range, gaps within the hours, each meter once.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut v = Violations::default();
        if self.first.timestamp().rem_euclid(HOUR) != 0 || self.first.timestamp() < 0 {
            v.add("first", "must be the start of an hour after 1970");
        }
        if !(1..=MAX_HOURS).contains(&self.hours) {
            v.add("hours", format!("must be from 1 to {MAX_HOURS}"));
        }
        let percent = |x: &i64| (0..=MAX_PERCENT).contains(x);
        if self.shapes.is_empty() || self.shapes.len() > MAX_PROFILES {
            v.add("shapes", format!("needs 1 to {MAX_PROFILES} profiles"));
        }
        for (p, shape) in self.shapes.iter().enumerate() {
            if !shape.iter().all(percent) {
                v.add(
                    &format!("shapes[{p}]"),
                    format!("weights must be from 0 to {MAX_PERCENT}"),
                );
            }
        }
        let days = self.days().len();
        if self.hours >= 1 && self.levels.len() != days {
            v.add(
                "levels",
                format!("has {} days; the hours touch {days}", self.levels.len()),
            );
        }
        for (d, levels) in self.levels.iter().enumerate() {
            if levels.len() != self.shapes.len() || !levels.iter().all(percent) {
                v.add(
                    &format!("levels[{d}]"),
                    format!(
                        "needs one level from 0 to {MAX_PERCENT} for each of the {} profiles",
                        self.shapes.len()
                    ),
                );
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, m) in self.meters.iter().enumerate() {
            if m.profile >= self.shapes.len() {
                v.add(&format!("meters[{i}].profile"), "names no shape");
            }
            if !(0..=MAX_BASE).contains(&m.base) {
                v.add(
                    &format!("meters[{i}].base"),
                    format!("must be from 0 to {MAX_BASE}"),
                );
            }
            if m.meter_id <= 0 || !seen.insert(m.meter_id) {
                v.add(
                    &format!("meters[{i}].meter_id"),
                    "must name a meter, and only once",
                );
            }
            if let Some((from, to)) = m.gap
                && (from >= to || to > self.hours)
            {
                v.add(
                    &format!("meters[{i}].gap"),
                    format!("must be hours from..to within 0..{}", self.hours),
                );
            }
        }
        if self.meters.is_empty() {
            v.add("meters", "needs at least one meter");
        }
        v.finish(())
    }

    /// The meter's reading at hour `h` (counted from the first), in thousandths: `None` in its gap or past the
    /// end. The store's SQL computes exactly this.
    pub fn amount(&self, meter: &SeriesMeter, h: u32) -> Option<i64> {
        if h >= self.hours || meter.gap.is_some_and(|(from, to)| (from..to).contains(&h)) {
            return None;
        }
        let k = self.first_hour_of_day() + i64::from(h);
        let weight = *self
            .shapes
            .get(meter.profile)?
            .get(k.rem_euclid(24) as usize)?;
        let level = *self
            .levels
            .get(k.div_euclid(24) as usize)?
            .get(meter.profile)?;
        let jitter = (meter.meter_id * JITTER_METER
            + (self.first_absolute_hour() + i64::from(h)) * JITTER_HOUR)
            .rem_euclid(21);
        Some(meter.base * weight * level * (90 + jitter) / 1_000_000)
    }

    /// The reading of `meter` at hour `h`, as the store would hold it.
    pub fn reading(&self, meter: &SeriesMeter, h: u32) -> Option<Reading> {
        self.amount(meter, h).map(|value| Reading {
            meter_id: meter.meter_id,
            t: self.first + Duration::hours(i64::from(h)),
            value,
        })
    }

    /// The hours `from..to` (counted from the first) as a series of their own, with the same readings: shapes go by
    /// China hour, levels by China day and the jitter by absolute hour, none by where a series starts. Gaps are cut
    /// to the part. Lets a long series be stored in parts (short transactions).
    pub fn part(&self, from: u32, to: u32) -> HourlySeries {
        let to = to.min(self.hours);
        let from = from.min(to);
        let skipped_days = ((self.first_hour_of_day() + i64::from(from)) / 24) as usize;
        let mut part = HourlySeries {
            first: self.first + Duration::hours(i64::from(from)),
            hours: to - from,
            shapes: self.shapes.clone(),
            levels: Vec::new(),
            meters: self
                .meters
                .iter()
                .map(|m| SeriesMeter {
                    gap: m.gap.and_then(|(g0, g1)| {
                        let (g0, g1) = (g0.clamp(from, to) - from, g1.clamp(from, to) - from);
                        (g0 < g1).then_some((g0, g1))
                    }),
                    ..m.clone()
                })
                .collect(),
        };
        let days = part.days().len();
        part.levels = self
            .levels
            .iter()
            .skip(skipped_days)
            .take(days)
            .cloned()
            .collect();
        part
    }

    /// Every reading of the series, meter by meter in hour order (for tests and short series).
    pub fn readings(&self) -> Vec<Reading> {
        self.meters
            .iter()
            .flat_map(|m| (0..self.hours).filter_map(move |h| self.reading(m, h)))
            .collect()
    }
}

/// The jitter's multiplier of the meter id (a prime).
pub const JITTER_METER: i64 = 7_919;
/// The jitter's multiplier of the absolute hour (a prime).
pub const JITTER_HOUR: i64 = 104_729;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    fn series(first: &str, hours: u32) -> HourlySeries {
        let mut s = HourlySeries {
            first: at(first),
            hours,
            shapes: vec![[100; 24], [50; 24]],
            levels: Vec::new(),
            meters: vec![SeriesMeter {
                meter_id: 7,
                profile: 1,
                base: 2_000,
                gap: Some((2, 4)),
            }],
        };
        s.levels = vec![vec![100, 80]; s.days().len()];
        s
    }

    #[test]
    fn a_series_touches_the_china_days_of_its_hours_with_their_month_keys() {
        // 22:00 on 31 May to 01:00 on 1 June, China time: two days in two months.
        let s = series("2026-05-31T22:00:00+08:00", 4);
        let days = s.days();
        assert_eq!(
            days.iter()
                .map(|d| (d.index, d.day_key, d.month_key))
                .collect::<Vec<_>>(),
            vec![(0, 20260531, 202605), (1, 20260601, 202606)]
        );
        assert_eq!(s.first_hour_of_day(), 22);
        assert!(s.check().is_ok());
    }

    #[test]
    fn a_generated_amount_is_base_times_shape_times_level_with_at_most_ten_percent_jitter() {
        let s = series("2026-06-15T10:00:00+08:00", 6);
        let m = &s.meters[0];
        // 2.000 × 50 % × 80 % = 0.800, ±10 %.
        let a = s.amount(m, 0).expect("an amount");
        assert!((720..=880).contains(&a), "{a}");
        assert_eq!(s.amount(m, 2), None, "in the gap");
        assert_eq!(s.amount(m, 6), None, "past the end");
        assert_eq!(s.readings().len(), 4);
        // The same hour has the same amount whatever hour the series starts at.
        let later = series("2026-06-15T11:00:00+08:00", 6);
        assert_eq!(later.amount(&later.meters[0], 0), s.amount(m, 1));
    }

    #[test]
    fn a_part_of_a_series_holds_the_same_readings_as_the_whole() {
        let mut s = series("2026-05-31T20:00:00+08:00", 30);
        s.levels = vec![vec![100, 80], vec![90, 70], vec![110, 60]];
        s.meters[0].gap = Some((6, 8));
        let whole = s.readings();
        let (a, b) = (s.part(0, 7), s.part(7, 30));
        assert!(a.check().is_ok() && b.check().is_ok());
        assert_eq!(b.meters[0].gap, Some((0, 1)), "the gap cut to the part");
        let mut parts = a.readings();
        parts.extend(b.readings());
        assert_eq!(parts, whole);
    }

    #[test]
    fn a_spec_with_missing_levels_or_a_bad_gap_names_each_fault() {
        let mut s = series("2026-06-15T10:30:00+08:00", 6);
        s.levels.pop();
        s.meters[0].gap = Some((4, 9));
        s.meters[0].profile = 2;
        let fields: Vec<String> = s
            .check()
            .expect_err("refused")
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            ["first", "levels", "meters[0].profile", "meters[0].gap"]
        );
    }
}
