//! The rules that turn readings into alarms (告警): no data for N hours (the meter or its link is down), a flow
//! through the night (a water leak: every hour from 01:00 to 05:00 measured at least the meter's minimum), a jump
//! (one hour above the meter's maximum). An alarm is one incident: while it is open no other alarm of the same rule
//! is raised for the meter, and it ends when the readings show the condition has passed. Each new alarm becomes one
//! work order in the meter's park.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::parkops::meters::{HOUR, Meter, bucket_label, china_hour, format_amount};
use crate::registry::Id;
use crate::time::china_date;
use crate::workflow::wire_enum;
use crate::workflow::work_orders::{WorkOrderInput, WorkOrderKind, WorkOrderUrgency};

wire_enum! {
    /// Which rule raised an alarm.
    AlarmRule {
        /// 数据中断
        NoData = "no_data",
        /// 夜间流量（疑似漏水）
        NightFlow = "night_flow",
        /// 用量突增
        Jump = "jump",
    }
}

/// A meter's alarm settings; a rule without its setting is off. Amounts in thousandths of the medium's unit,
/// multiplier applied (as the roll-ups are).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MeterRules {
    pub no_data_hours: Option<i32>,
    pub night_flow_min: Option<i64>,
    pub jump_max: Option<i64>,
}

/// The China hours of the night watched for leaks: 01:00 to 05:00, when a park's taps are shut.
pub const NIGHT_HOURS: std::ops::Range<u32> = 1..5;

/// What the readings say about one rule of one meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The condition holds: open an incident (unless one is open) that started at `at`.
    Raise { at: DateTime<Utc>, detail: String },
    /// The condition has passed at `at`: end the open incident, if any.
    Clear { at: DateTime<Utc> },
    /// Not enough readings yet to say.
    Undecided,
}

/// The night (the China date of its morning) an hour bucket belongs to, when it is one of the watched hours.
pub fn night_of(hour_key: i64) -> Option<NaiveDate> {
    let hour = china_hour(hour_key)?;
    NIGHT_HOURS
        .contains(&hour)
        .then(|| DateTime::from_timestamp(hour_key, 0).map(china_date))
        .flatten()
}

/// The hour buckets of one night's watch.
pub fn night_hours(night: NaiveDate) -> Vec<i64> {
    let first = crate::parkops::meters::bucket_start(
        crate::parkops::meters::Grain::Day,
        crate::parkops::meters::day_key(night),
    )
    .map(|midnight| midnight.timestamp() + i64::from(NIGHT_HOURS.start) * HOUR);
    first
        .map(|f| {
            (0..NIGHT_HOURS.len() as i64)
                .map(|i| f + i * HOUR)
                .collect()
        })
        .unwrap_or_default()
}

/// The night-flow rule on one night, given the meter's hourly amounts (bucket → thousandths): a leak when every
/// watched hour measured at least the minimum; passed when a watched hour measured less; undecided while an hour
/// has no reading.
pub fn judge_night(rules: &MeterRules, night: NaiveDate, hours: &BTreeMap<i64, i64>) -> Verdict {
    let Some(min) = rules.night_flow_min else {
        return Verdict::Undecided;
    };
    let watched = night_hours(night);
    let at = |bucket: i64| DateTime::from_timestamp(bucket, 0).unwrap_or_default();
    if let Some(low) = watched
        .iter()
        .find(|h| hours.get(h).is_some_and(|a| *a < min))
    {
        return Verdict::Clear { at: at(*low) };
    }
    if watched.iter().all(|h| hours.contains_key(h)) {
        let least = watched.iter().filter_map(|h| hours.get(h)).min().copied();
        return Verdict::Raise {
            at: at(watched[0]),
            detail: format!(
                "{} 01:00–05:00 每小时用量不低于 {}（最低 {}）",
                night,
                format_amount(min),
                format_amount(least.unwrap_or(0))
            ),
        };
    }
    Verdict::Undecided
}

/// The jump rule on one hour: above the maximum raises, within it clears.
pub fn judge_jump(rules: &MeterRules, hour_key: i64, amount: i64) -> Verdict {
    let Some(max) = rules.jump_max else {
        return Verdict::Undecided;
    };
    let at = DateTime::from_timestamp(hour_key, 0).unwrap_or_default();
    if amount > max {
        Verdict::Raise {
            at,
            detail: format!(
                "{} 用量 {} 超过上限 {}",
                bucket_label(crate::parkops::meters::Grain::Hour, hour_key),
                format_amount(amount),
                format_amount(max)
            ),
        }
    } else {
        Verdict::Clear { at }
    }
}

/// The no-data rule at `now`: silent for the meter's hours since its last reading (or, never read, since it was
/// created) raises; a reading within them clears.
pub fn judge_silence(
    rules: &MeterRules,
    last_reading: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Verdict {
    let Some(hours) = rules.no_data_hours else {
        return Verdict::Undecided;
    };
    let since = last_reading.unwrap_or(created_at);
    if now - since >= chrono::Duration::hours(i64::from(hours)) {
        Verdict::Raise {
            at: since,
            detail: format!(
                "自 {} 起 {} 小时无数据",
                since
                    .with_timezone(&crate::time::china())
                    .format("%Y-%m-%d %H:%M"),
                hours
            ),
        }
    } else {
        Verdict::Clear { at: now }
    }
}

/// An alarm as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alarm {
    pub id: Id,
    pub meter_id: Id,
    pub meter_code: String,
    pub park_id: Id,
    pub rule: AlarmRule,
    /// When the condition began (the first watched hour of a leaking night, the last reading before silence).
    pub started_at: DateTime<Utc>,
    pub raised_at: DateTime<Utc>,
    pub detail: String,
    /// When the readings showed the condition had passed; open while `None`.
    pub ended_at: Option<DateTime<Utc>>,
    /// The work order the alarm became.
    pub work_order_id: Option<Id>,
}

/// The work order an alarm becomes: utilities work in the meter's park, urgent for a leak or a jump (24 hours),
/// routine for silence (a link or meter to repair in working days).
pub fn alarm_work_order(meter: &Meter, rule: AlarmRule, detail: &str) -> WorkOrderInput {
    let (what, urgency) = match rule {
        AlarmRule::NoData => ("数据中断", WorkOrderUrgency::Routine),
        AlarmRule::NightFlow => ("夜间流量，疑似漏水", WorkOrderUrgency::Urgent),
        AlarmRule::Jump => ("用量突增", WorkOrderUrgency::Urgent),
    };
    let facility = if meter.location.is_empty() {
        meter.name.clone()
    } else {
        meter.location.clone()
    };
    WorkOrderInput {
        park_id: meter.park_id,
        facility,
        kind: WorkOrderKind::Utilities,
        urgency,
        // The code (≤ 64) and at most 100 characters of the name keep the title within its 200.
        title: format!(
            "告警：{} {}（{}）",
            meter.code,
            what,
            meter.name.chars().take(100).collect::<String>()
        ),
        description: detail.to_string(),
        limit: None,
        assignee_person_id: None,
        created_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parkops::meters::{Grain, bucket};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    fn leak_rules() -> MeterRules {
        MeterRules {
            night_flow_min: Some(100),
            ..MeterRules::default()
        }
    }

    fn night() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 14).expect("date")
    }

    #[test]
    fn the_watched_night_is_four_china_hours_from_one_to_five() {
        let hours = night_hours(night());
        assert_eq!(hours.len(), 4);
        assert_eq!(
            hours[0],
            bucket(Grain::Hour, at("2026-06-14T01:00:00+08:00"))
        );
        assert_eq!(night_of(hours[3]), Some(night()));
        assert_eq!(
            night_of(bucket(Grain::Hour, at("2026-06-14T05:00:00+08:00"))),
            None
        );
    }

    #[test]
    fn night_time_flow_in_every_watched_hour_is_a_leak() {
        let hours: BTreeMap<i64, i64> =
            night_hours(night()).into_iter().map(|h| (h, 150)).collect();
        assert!(matches!(
            judge_night(&leak_rules(), night(), &hours),
            Verdict::Raise { at: t, .. } if t == at("2026-06-14T01:00:00+08:00")
        ));
    }

    #[test]
    fn one_quiet_night_hour_ends_a_leak_and_a_missing_hour_decides_nothing() {
        let mut hours: BTreeMap<i64, i64> =
            night_hours(night()).into_iter().map(|h| (h, 150)).collect();
        let third = night_hours(night())[2];
        hours.remove(&third);
        assert_eq!(
            judge_night(&leak_rules(), night(), &hours),
            Verdict::Undecided
        );
        hours.insert(third, 20);
        assert!(matches!(
            judge_night(&leak_rules(), night(), &hours),
            Verdict::Clear { .. }
        ));
    }

    #[test]
    fn an_hour_above_the_maximum_is_a_jump() {
        let rules = MeterRules {
            jump_max: Some(1_000),
            ..MeterRules::default()
        };
        assert!(matches!(
            judge_jump(&rules, 0, 1_001),
            Verdict::Raise { .. }
        ));
        assert!(matches!(
            judge_jump(&rules, 0, 1_000),
            Verdict::Clear { .. }
        ));
    }

    #[test]
    fn silence_for_the_meters_hours_raises_no_data() {
        let rules = MeterRules {
            no_data_hours: Some(6),
            ..MeterRules::default()
        };
        let created = at("2026-06-01T00:00:00Z");
        let last = Some(at("2026-06-15T00:00:00Z"));
        assert!(matches!(
            judge_silence(&rules, last, created, at("2026-06-15T06:00:00Z")),
            Verdict::Raise { at: t, .. } if t == at("2026-06-15T00:00:00Z")
        ));
        assert!(matches!(
            judge_silence(&rules, last, created, at("2026-06-15T05:59:59Z")),
            Verdict::Clear { .. }
        ));
        assert_eq!(
            judge_silence(
                &MeterRules::default(),
                None,
                created,
                at("2027-01-01T00:00:00Z")
            ),
            Verdict::Undecided
        );
    }
}
