//! Meters (计量表) and readings. A reading is the amount a meter measured in the interval that ends at its instant
//! `t` (not a register total), in thousandths of the medium's unit: amounts add up whatever order readings arrive
//! in, so the roll-ups stay exact under at-least-once delivery. A meter's multiplier (a current transformer's
//! ratio, 倍率) scales what it reports; a virtual meter has no readings of its own but a formula of other meters.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Invalid, Violations};
use crate::registry::Id;
use crate::time::{china, china_date};
use crate::workflow::appeals::text;
use crate::workflow::wire_enum;

wire_enum! {
    /// What a meter measures.
    Medium {
        /// 电, in kWh
        Electricity = "electricity",
        /// 水, in m³
        Water = "water",
        /// 燃气, in m³
        Gas = "gas",
        /// 热, in GJ
        Heat = "heat",
    }
}

impl Medium {
    /// The unit its amounts are in.
    pub fn unit(self) -> &'static str {
        match self {
            Medium::Electricity => "kWh",
            Medium::Water | Medium::Gas => "m³",
            Medium::Heat => "GJ",
        }
    }
}

wire_enum! {
    /// The length of a roll-up's period. Hours are China hours (which start with UTC hours), days and months
    /// China calendar days and months.
    Grain {
        Hour = "hour",
        Day = "day",
        Month = "month",
    }
}

/// The largest amount one reading may carry, in thousandths (10¹² units): far above any meter's interval.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Reads a decimal amount (`123.4`) into thousandths, exactly: no more than three decimals, not negative, at most
/// [`MAX_AMOUNT`].
pub fn parse_amount(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || text.ends_with('.') {
        return Err(format!(
            "{text:?} is not a non-negative decimal number such as 123.4"
        ));
    }
    if fraction.len() > 3 {
        return Err(format!(
            "{text:?} has more than three decimals (thousandths are kept)"
        ));
    }
    let whole: i64 = whole
        .parse()
        .ok()
        .filter(|w: &i64| *w <= MAX_AMOUNT / 1000)
        .ok_or_else(|| format!("{text:?} is larger than {}", MAX_AMOUNT / 1000))?;
    let fraction: i64 = format!("{fraction:0<3}").parse().unwrap_or(0);
    Ok(whole * 1000 + fraction)
}

/// An amount in thousandths as a decimal text: 123400 → "123.4".
pub fn format_amount(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let abs = milli.unsigned_abs();
    let (whole, fraction) = (abs / 1000, abs % 1000);
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{fraction:03}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

/// The key of the period of `grain` that holds the instant `t`: for hours the Unix time of the hour's start, for
/// days `yyyymmdd` and for months `yyyymm` of the China calendar. Integers, so that ranges are plain comparisons
/// in SQL on both engines.
pub fn bucket(grain: Grain, t: DateTime<Utc>) -> i64 {
    match grain {
        Grain::Hour => t.timestamp().div_euclid(3600) * 3600,
        Grain::Day => day_key(china_date(t)),
        Grain::Month => {
            let d = china_date(t);
            i64::from(d.year()) * 100 + i64::from(d.month())
        }
    }
}

/// `yyyymmdd` of a day.
pub fn day_key(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// The first instant of the period a bucket key names (`None` for a key that names no period).
pub fn bucket_start(grain: Grain, key: i64) -> Option<DateTime<Utc>> {
    let midnight = |d: NaiveDate| {
        china()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    match grain {
        Grain::Hour => DateTime::from_timestamp(key, 0),
        Grain::Day => midnight(NaiveDate::from_ymd_opt(
            i32::try_from(key / 10_000).ok()?,
            u32::try_from(key / 100 % 100).ok()?,
            u32::try_from(key % 100).ok()?,
        )?),
        Grain::Month => midnight(NaiveDate::from_ymd_opt(
            i32::try_from(key / 100).ok()?,
            u32::try_from(key % 100).ok()?,
            1,
        )?),
    }
}

/// The period a bucket key names, as people read it: `2026-06-15 10:00` (China time), `2026-06-15`, `2026-06`.
pub fn bucket_label(grain: Grain, key: i64) -> String {
    match (grain, bucket_start(grain, key)) {
        (_, None) => key.to_string(),
        (Grain::Hour, Some(t)) => t
            .with_timezone(&china())
            .format("%Y-%m-%d %H:00")
            .to_string(),
        (Grain::Day, Some(t)) => china_date(t).format("%Y-%m-%d").to_string(),
        (Grain::Month, Some(t)) => china_date(t).format("%Y-%m").to_string(),
    }
}

/// The China hour of day (0–23) of an hour bucket.
pub fn china_hour(hour_key: i64) -> Option<u32> {
    DateTime::from_timestamp(hour_key, 0).map(|t| t.with_timezone(&china()).hour())
}

/// One hour in seconds, the step between hour buckets.
pub const HOUR: i64 = 3600;

/// The instant `hours` hours before `t`.
pub fn hours_before(t: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    t - Duration::hours(i64::from(hours))
}

/// One reading of one meter: the amount (thousandths, before the multiplier) measured in the interval ending at `t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reading {
    pub meter_id: Id,
    pub t: DateTime<Utc>,
    pub value: i64,
}

/// One period of one meter's roll-up: the amount (thousandths, multiplier applied) and how many readings made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RollupDelta {
    pub amount: i64,
    pub readings: i64,
}

/// What a batch of new readings adds to the roll-ups: per (meter, grain, bucket) the amount times the meter's
/// multiplier, and the count. Readings the store already held are not in `readings` (the caller passes only those
/// it inserted), so duplicates add nothing. `multiplier` gives each meter's multiplier.
pub fn rollup_deltas(
    readings: &[Reading],
    multiplier: impl Fn(Id) -> i64,
) -> Result<BTreeMap<(Id, Grain, i64), RollupDelta>, String> {
    let mut deltas: BTreeMap<(Id, Grain, i64), RollupDelta> = BTreeMap::new();
    for r in readings {
        let amount = r
            .value
            .checked_mul(multiplier(r.meter_id))
            .ok_or_else(|| format!("meter {}: the reading at {} overflows", r.meter_id, r.t))?;
        for grain in Grain::ALL {
            let d = deltas
                .entry((r.meter_id, *grain, bucket(*grain, r.t)))
                .or_insert(RollupDelta {
                    amount: 0,
                    readings: 0,
                });
            d.amount = d
                .amount
                .checked_add(amount)
                .ok_or_else(|| format!("meter {}: the roll-up overflows", r.meter_id))?;
            d.readings += 1;
        }
    }
    Ok(deltas)
}

/// A reading as it arrives over MQTT or the API: `{"t": "2026-06-15T10:00:00+08:00", "v": 123.4}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadingInput {
    /// The end of the interval the amount was measured in (RFC 3339 with offset).
    pub t: DateTime<Utc>,
    /// The amount measured in the interval, in the medium's unit, before the meter's multiplier; at most three
    /// decimals.
    #[schema(value_type = f64)]
    pub v: serde_json::Number,
}

/// Reads an MQTT payload: one reading object, or an array of them. The error names the element and field.
pub fn parse_payload(payload: &[u8]) -> Result<Vec<(DateTime<Utc>, i64)>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| format!("not JSON: {e}"))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let input: ReadingInput =
                serde_json::from_value(item).map_err(|e| format!("reading [{i}]: {e}"))?;
            input.amount().map_err(|e| format!("reading [{i}]: {e}"))
        })
        .collect()
}

impl ReadingInput {
    /// The instant and the amount in thousandths.
    pub fn amount(&self) -> Result<(DateTime<Utc>, i64), String> {
        Ok((
            self.t,
            parse_amount(&self.v.to_string()).map_err(|e| format!("v {e}"))?,
        ))
    }
}

/// Readings of one meter sent through the API.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadingsInput {
    pub readings: Vec<ReadingInput>,
}

/// The most readings one API request may carry.
pub const MAX_READINGS_PER_REQUEST: usize = 10_000;

impl ReadingsInput {
    /// The readings of `meter`, each checked; every bad one is named (`readings[3].v`).
    pub fn parse(self, meter: Id) -> Result<Vec<Reading>, Invalid> {
        let mut v = Violations::default();
        if self.readings.len() > MAX_READINGS_PER_REQUEST {
            v.add(
                "readings",
                format!(
                    "lists {} readings; at most {MAX_READINGS_PER_REQUEST} are allowed",
                    self.readings.len()
                ),
            );
            return Err(v.into_invalid());
        }
        let mut out = Vec::with_capacity(self.readings.len());
        for (i, r) in self.readings.iter().enumerate() {
            match parse_amount(&r.v.to_string()) {
                Ok(value) => out.push(Reading {
                    meter_id: meter,
                    t: r.t,
                    value,
                }),
                Err(e) => v.add(&format!("readings[{i}].v"), e),
            }
        }
        v.finish(out)
    }
}

/// A term of a virtual meter's formula: another meter, added or subtracted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FormulaTerm {
    /// +1 or −1.
    pub sign: i64,
    pub meter_code: String,
}

/// Reads a formula of meter codes joined by `+` and `-` (`B1-F1 + B1-F2 - B1-PUMP`). Codes are as [`check_code`]
/// allows; a code may not appear twice.
pub fn parse_formula(text: &str) -> Result<Vec<FormulaTerm>, String> {
    let mut terms: Vec<FormulaTerm> = Vec::new();
    let mut sign = 1;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err("is empty".into());
    }
    loop {
        if let Some(r) = rest.strip_prefix('-') {
            sign = -sign;
            rest = r.trim_start();
            continue;
        }
        if let Some(r) = rest.strip_prefix('+') {
            rest = r.trim_start();
            continue;
        }
        // A code may hold '-': a minus is an operator only after a space or at the start.
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '+')
            .unwrap_or(rest.len());
        let (code, after) = rest.split_at(end);
        check_code(code)?;
        if terms.iter().any(|t| t.meter_code == code) {
            return Err(format!("names meter {code} twice"));
        }
        terms.push(FormulaTerm {
            sign,
            meter_code: code.to_string(),
        });
        rest = after.trim_start();
        if rest.is_empty() {
            return Ok(terms);
        }
        sign = match rest.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(format!("expects + or - before {rest:?}")),
        };
        rest = rest[1..].trim_start();
        if rest.is_empty() {
            return Err("ends with an operator".into());
        }
    }
}

/// A meter code: 1 to 64 letters, digits, `_`, `-` or `.` — it is the last level of the meter's MQTT topic.
pub fn check_code(code: &str) -> Result<(), String> {
    if code.is_empty() || code.len() > 64 {
        return Err(format!("meter code {code:?} must have 1 to 64 characters"));
    }
    if !code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return Err(format!(
            "meter code {code:?} may hold only letters, digits, '_', '-' and '.'"
        ));
    }
    Ok(())
}

/// The roll-up of a virtual meter: for each period, the sum of its terms' amounts with their signs. `parts` gives
/// each term's roll-up (bucket → amount); a period in which no part has an amount is absent.
pub fn combine(
    terms: &[FormulaTerm],
    parts: &BTreeMap<String, BTreeMap<i64, i64>>,
) -> BTreeMap<i64, i64> {
    let mut out: BTreeMap<i64, i64> = BTreeMap::new();
    for term in terms {
        for (bucket, amount) in parts.get(&term.meter_code).into_iter().flatten() {
            *out.entry(*bucket).or_insert(0) += term.sign * amount;
        }
    }
    out
}

/// A meter as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Meter {
    pub id: Id,
    /// Unique in the zone; the last level of its MQTT topic `park/{park code}/meter/{code}`.
    pub code: String,
    pub name: String,
    pub park_id: Id,
    pub park_code: String,
    /// Where it is: a building, a unit, a substation.
    pub location: String,
    /// The enterprise it measures, whose energy use it counts into.
    pub enterprise_id: Option<Id>,
    pub medium: Medium,
    pub multiplier: i64,
    /// A virtual meter's terms; empty for a real meter.
    pub formula: Vec<FormulaTerm>,
    pub rules: crate::parkops::alarms::MeterRules,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Meter {
    pub fn is_virtual(&self) -> bool {
        !self.formula.is_empty()
    }
}

/// A new meter as a user sends it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeterInput {
    pub code: String,
    pub name: String,
    pub park_id: Id,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub enterprise_id: Option<Id>,
    pub medium: Medium,
    /// Default 1.
    #[serde(default)]
    pub multiplier: Option<i64>,
    /// For a virtual meter: other meters' codes joined by `+` and ` - `.
    #[serde(default)]
    pub formula: Option<String>,
    /// Raise an alarm when no reading arrived for this many hours.
    #[serde(default)]
    pub no_data_hours: Option<i32>,
    /// Leak: an alarm when every hour from 01:00 to 05:00 (China time) measured at least this much.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub night_flow_min: Option<serde_json::Number>,
    /// An alarm when one hour measured more than this.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub jump_max: Option<serde_json::Number>,
}

/// A checked new meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterDraft {
    pub code: String,
    pub name: String,
    pub park_id: Id,
    pub location: String,
    pub enterprise_id: Option<Id>,
    pub medium: Medium,
    pub multiplier: i64,
    pub formula: Vec<FormulaTerm>,
    pub rules: crate::parkops::alarms::MeterRules,
}

impl MeterInput {
    pub fn parse(self) -> Result<MeterDraft, Invalid> {
        let mut v = Violations::default();
        let code = self.code.trim().to_string();
        if let Err(e) = check_code(&code) {
            v.add("code", e);
        }
        let name = text(&mut v, "name", &self.name, true, 200);
        let location = text(&mut v, "location", &self.location, false, 200);
        let multiplier = self.multiplier.unwrap_or(1);
        if !(1..=1_000_000).contains(&multiplier) {
            v.add("multiplier", "must be from 1 to 1000000");
        }
        let formula = match self.formula.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some(f) => match parse_formula(f) {
                Ok(terms) if terms.iter().any(|t| t.meter_code == code) => {
                    v.add("formula", "may not name the meter itself");
                    Vec::new()
                }
                Ok(terms) => terms,
                Err(e) => {
                    v.add("formula", e);
                    Vec::new()
                }
            },
        };
        let threshold = |v: &mut Violations, field: &str, n: &Option<serde_json::Number>| {
            n.as_ref().and_then(|n| match parse_amount(&n.to_string()) {
                Ok(a) if a > 0 => Some(a),
                Ok(_) => {
                    v.add(field, "must be more than 0");
                    None
                }
                Err(e) => {
                    v.add(field, e);
                    None
                }
            })
        };
        let rules = crate::parkops::alarms::MeterRules {
            no_data_hours: self.no_data_hours,
            night_flow_min: threshold(&mut v, "night_flow_min", &self.night_flow_min),
            jump_max: threshold(&mut v, "jump_max", &self.jump_max),
        };
        if let Some(h) = self.no_data_hours
            && !(1..=24 * 31).contains(&h)
        {
            v.add("no_data_hours", "must be from 1 to 744 (31 days)");
        }
        if !formula.is_empty() {
            if multiplier != 1 {
                v.add(
                    "multiplier",
                    "a virtual meter takes its parts' amounts as they are",
                );
            }
            if rules != crate::parkops::alarms::MeterRules::default() {
                v.add(
                    "formula",
                    "a virtual meter has no readings of its own, so no alarm rules",
                );
            }
        }
        v.finish(MeterDraft {
            code,
            name,
            park_id: self.park_id,
            location,
            enterprise_id: self.enterprise_id,
            medium: self.medium,
            multiplier,
            formula,
            rules,
        })
    }
}

/// A formula as it is kept: `A + B - C`.
pub fn formula_text(terms: &[FormulaTerm]) -> String {
    let mut out = String::new();
    for (i, t) in terms.iter().enumerate() {
        match (i, t.sign < 0) {
            (0, false) => {}
            (0, true) => out.push_str("- "),
            (_, false) => out.push_str(" + "),
            (_, true) => out.push_str(" - "),
        }
        out.push_str(&t.meter_code);
    }
    out
}

/// One period of a meter's roll-up as the API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RollupPoint {
    /// The period's key: Unix time of the hour, `yyyymmdd` or `yyyymm`.
    pub bucket: i64,
    /// As people read it: `2026-06-15 10:00`, `2026-06-15`, `2026-06`.
    pub period: String,
    /// In the medium's unit, multiplier applied.
    #[schema(value_type = String)]
    pub amount: String,
    /// Thousandths of the unit.
    pub amount_milli: i64,
}

impl RollupPoint {
    pub fn new(grain: Grain, bucket: i64, amount_milli: i64) -> Self {
        RollupPoint {
            bucket,
            period: bucket_label(grain, bucket),
            amount: format_amount(amount_milli),
            amount_milli,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn amounts_are_read_exactly_to_thousandths() {
        assert_eq!(parse_amount("123.4"), Ok(123_400));
        assert_eq!(parse_amount("0.001"), Ok(1));
        assert_eq!(parse_amount("7"), Ok(7_000));
        for bad in ["-1", "1.2345", "1e3", "", ".5", "5.", "abc"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
        assert_eq!(format_amount(123_400), "123.4");
        assert_eq!(format_amount(-2_050), "-2.05");
    }

    #[test]
    fn readings_roll_up_into_china_hours_days_and_months() {
        // 23:30 China time on 31 May is 15:30 UTC: May's last hour, day and month.
        let t = at("2026-05-31T23:30:00+08:00");
        assert_eq!(bucket(Grain::Day, t), 20260531);
        assert_eq!(bucket(Grain::Month, t), 202605);
        assert_eq!(
            bucket_label(Grain::Hour, bucket(Grain::Hour, t)),
            "2026-05-31 23:00"
        );
        let next = at("2026-06-01T00:00:00+08:00");
        assert_eq!(bucket(Grain::Month, next), 202606);
        assert_eq!(bucket_start(Grain::Day, 20260601), Some(next));
    }

    #[test]
    fn roll_up_deltas_apply_the_multiplier_and_count_readings() {
        let r = |t: &str, v| Reading {
            meter_id: 1,
            t: at(t),
            value: v,
        };
        let deltas = rollup_deltas(
            &[
                r("2026-06-15T10:05:00+08:00", 1_500),
                r("2026-06-15T10:50:00+08:00", 500),
            ],
            |_| 80,
        )
        .expect("sums");
        let hour = bucket(Grain::Hour, at("2026-06-15T10:00:00+08:00"));
        assert_eq!(
            deltas[&(1, Grain::Hour, hour)],
            RollupDelta {
                amount: 160_000,
                readings: 2
            }
        );
        assert_eq!(deltas[&(1, Grain::Month, 202606)].amount, 160_000);
    }

    #[test]
    fn a_payload_is_one_reading_or_an_array_and_a_bad_one_is_named() {
        let one =
            parse_payload(br#"{"t": "2026-06-15T10:00:00+08:00", "v": 123.4}"#).expect("reads");
        assert_eq!(one, vec![(at("2026-06-15T02:00:00Z"), 123_400)]);
        let many = parse_payload(
            br#"[{"t": "2026-06-15T10:00:00+08:00", "v": 1}, {"t": "2026-06-15T11:00:00+08:00", "v": 2}]"#,
        )
        .expect("reads");
        assert_eq!(many.len(), 2);
        let bad =
            parse_payload(br#"[{"t": "2026-06-15T10:00:00+08:00", "v": 1}, {"t": "x", "v": 1}]"#)
                .expect_err("refused");
        assert!(bad.starts_with("reading [1]"), "{bad}");
        let negative =
            parse_payload(br#"{"t": "2026-06-15T10:00:00+08:00", "v": -1}"#).expect_err("refused");
        assert!(negative.contains("v "), "{negative}");
    }

    #[test]
    fn a_formula_adds_and_subtracts_meters_whose_codes_may_hold_hyphens() {
        let terms = parse_formula("B1-F1 + B1-F2 - PUMP.1").expect("reads");
        assert_eq!(
            terms
                .iter()
                .map(|t| (t.sign, t.meter_code.as_str()))
                .collect::<Vec<_>>(),
            vec![(1, "B1-F1"), (1, "B1-F2"), (-1, "PUMP.1")]
        );
        assert_eq!(formula_text(&terms), "B1-F1 + B1-F2 - PUMP.1");
        assert!(parse_formula("A + A").is_err());
        assert!(parse_formula("A +").is_err());
        assert!(parse_formula("A * B").is_err());
    }

    #[test]
    fn a_virtual_meter_equals_the_signed_sum_of_its_parts() {
        let terms = parse_formula("U1 + U2 - U3").expect("reads");
        let parts = BTreeMap::from([
            ("U1".to_string(), BTreeMap::from([(1, 100), (2, 50)])),
            ("U2".to_string(), BTreeMap::from([(1, 20)])),
            ("U3".to_string(), BTreeMap::from([(2, 10)])),
        ]);
        assert_eq!(combine(&terms, &parts), BTreeMap::from([(1, 120), (2, 40)]));
    }

    #[test]
    fn a_virtual_meter_may_not_name_itself_or_carry_rules() {
        let input = |formula: &str, jump: Option<i64>| MeterInput {
            code: "B1".into(),
            name: "一号楼".into(),
            park_id: 1,
            location: String::new(),
            enterprise_id: None,
            medium: Medium::Electricity,
            multiplier: None,
            formula: Some(formula.into()),
            no_data_hours: None,
            night_flow_min: None,
            jump_max: jump.map(serde_json::Number::from),
        };
        let fields = |e: Invalid| e.0.into_iter().map(|f| f.field).collect::<Vec<_>>();
        assert_eq!(
            fields(input("B1 + U2", None).parse().expect_err("refused")),
            ["formula"]
        );
        assert_eq!(
            fields(input("U1 + U2", Some(5)).parse().expect_err("refused")),
            ["formula"]
        );
        assert_eq!(
            input("U1 + U2", None)
                .parse()
                .expect("accepted")
                .formula
                .len(),
            2
        );
    }
}
