//! The demo's meters and their year of hourly readings, generated deterministically from the demo's space (parks by
//! code; buildings A, B, R, D; the leases in force on the clock's day) and the clock's hour.
//!
//! Every park gets a water meter per building (`{park}-A-W` …, with a night-flow watch of 0.5 m³ an hour), an
//! electricity meter for buildings B, R and D (`{park}-B-E` …), one electricity meter per leased factory unit of
//! building A on the tenant's account (`{park}-A101` …, from the lease's start), and building A's electricity as a
//! virtual meter, the sum of its units' (`{park}-A-E`). Their readings — one an hour for the 8,760 hours that end
//! at the clock's hour — follow `chainpark_core::parkops::series`: per profile (factory power in two shifts, office
//! power, dormitory power, building water, dormitory water) a shape over the China day, a level per day (working
//! days from the shipped holiday calendar, rest days and the Spring Festival lower; summer air conditioning and
//! winter heating higher; +6 % over the year), and a base per meter (40–160 kWh an hour for a factory unit, varied
//! by tenant and park). The store expands them inside the database (`generate_readings`): before the server starts
//! the first month's part (the board's "same month a year ago") and the recent days (this month, at least 14 days);
//! the months between in the background while it serves ([`store_rest`]), a day per transaction, counted on the
//! park board; then the year's whole months become the zone's `energy_use` figures. A demo stopped before its year
//! was whole goes on, when started again on its folder, from the days still missing ([`resume`]).
//!
//! Two incidents sit in the history of the park of the demo's park chief, each raised by the real rule code: 12
//! days ago building A's water leaked from midnight to 14:00 — its two days of readings go through the ingest, whose
//! night-flow rule raises the alarm and its work order at 06:00 and ends it on the next quiet night; the park's
//! staff repaired it and the chief closed the order. And building R's electricity meter has sent nothing for the
//! last 30 hours: the no-data watch (24 hours) raises the open alarm the chief's board shows, its work order
//! assigned to the staff.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use chainpark_app::meters::ReadingsFill;
use chainpark_core::calendar::WorkCalendar;
use chainpark_core::parkops::meters::{
    Grain, Medium, Meter, MeterInput, bucket, bucket_start, day_key,
};
use chainpark_core::parkops::series::{HourlySeries, SeriesMeter};
use chainpark_core::parkops::space::UnitKind;
use chainpark_core::period::Month;
use chainpark_core::registry::{Id, PostRole};
use chainpark_core::time::{Clock, china_date};
use chainpark_core::workflow::work_orders::{WorkOrderAction, WorkOrderStepInput};
use chainpark_store::parkops::MeterFilter;
use chainpark_store::prelude::*;
use chainpark_store::{Actor, ParkFilter, PostFilter};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// Hours of readings: a year.
const HOURS: u32 = 8_760;
/// The water meters' night-flow watch: 0.5 m³ in every hour from 01:00 to 05:00.
const NIGHT_FLOW_MIN: &str = "0.5";
/// The leak: 1.2 m³ an hour more.
const LEAK: i64 = 1_200;
/// The leak began this many days before the clock's day, at midnight, and was repaired at 14:00.
const LEAK_DAYS_AGO: i64 = 12;
/// Days before the clock's day (at least; from the first of its month when that is earlier) loaded before the
/// server starts, with the leak in them.
const RECENT_DAYS: i64 = 14;
const LEAK_REPAIRED_HOUR: u32 = 14;
/// The silent meter's watch, and how long it has been silent.
const SILENCE_HOURS: i32 = 24;
const SILENT_FOR: u32 = 30;

/// The demo's profiles, indices into [`SHAPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    FactoryPower = 0,
    OfficePower = 1,
    DormitoryPower = 2,
    BuildingWater = 3,
    DormitoryWater = 4,
}

/// The weight of each China hour of the day (0–23), in percent of the meter's base.
#[rustfmt::skip]
const SHAPES: [[i64; 24]; 5] = [
    // Two shifts, 08:00 to midnight; the night keeps the lines' standby load.
    [40, 35, 35, 35, 35, 40, 55, 80, 100, 110, 110, 105, 90, 105, 110, 110, 105, 100, 95, 90, 85, 80, 60, 45],
    // Office hours with a lunch dip.
    [15, 15, 15, 15, 15, 15, 20, 40, 80, 100, 105, 105, 90, 100, 105, 100, 95, 80, 55, 40, 30, 25, 20, 15],
    // Mornings and evenings.
    [40, 30, 25, 25, 25, 30, 60, 80, 50, 30, 25, 25, 35, 30, 25, 25, 30, 50, 80, 100, 110, 105, 90, 60],
    // Working hours; almost nothing at night, well under the night-flow watch.
    [3, 2, 2, 2, 2, 4, 20, 60, 90, 100, 100, 95, 80, 90, 95, 90, 80, 60, 40, 25, 15, 10, 6, 4],
    // Showers in the morning and the evening.
    [8, 3, 2, 2, 2, 5, 40, 100, 60, 20, 15, 15, 30, 20, 15, 15, 20, 40, 80, 100, 90, 70, 40, 20],
];

/// The profiles in the order of [`SHAPES`].
const PROFILES: [Profile; 5] = [
    Profile::FactoryPower,
    Profile::OfficePower,
    Profile::DormitoryPower,
    Profile::BuildingWater,
    Profile::DormitoryWater,
];

impl Profile {
    fn medium(self) -> Medium {
        match self {
            Profile::FactoryPower | Profile::OfficePower | Profile::DormitoryPower => {
                Medium::Electricity
            }
            Profile::BuildingWater | Profile::DormitoryWater => Medium::Water,
        }
    }

    /// The day's level in percent: the kind of day, the season, and growth over the year (`day` from the first).
    fn level(self, date: NaiveDate, day: i64, calendar: &WorkCalendar) -> i64 {
        let working = calendar.is_working_day(date);
        let spring_festival =
            !working && calendar.festival(date).is_some_and(|f| f.contains("春节"));
        let holiday = !working && calendar.festival(date).is_some();
        let kind = match (self, working, spring_festival, holiday) {
            (_, true, _, _) => 100,
            (Profile::FactoryPower, _, true, _) => 20,
            (Profile::FactoryPower, _, _, true) => 35,
            (Profile::FactoryPower, _, _, _) => 55,
            (Profile::OfficePower | Profile::BuildingWater, _, _, true) => 25,
            (Profile::OfficePower | Profile::BuildingWater, _, _, _) => 35,
            (Profile::DormitoryPower | Profile::DormitoryWater, _, true, _) => 40,
            (Profile::DormitoryPower | Profile::DormitoryWater, _, _, _) => 110,
        };
        let season = match (self.medium(), date.month()) {
            (Medium::Electricity, 7 | 8) => 130,
            (Medium::Electricity, 6 | 9) => 112,
            (Medium::Electricity, 12 | 1 | 2) => 115,
            (Medium::Water, 6..=9) => 115,
            _ => 100,
        };
        kind * season * (100 + day * 6 / 365) / 10_000
    }
}

/// A meter of the demo with its place in the series.
struct Planned {
    input: MeterInput,
    profile: Profile,
    base: i64,
    /// The hour (from the first) of the first reading: the lease's start for a tenant's meter.
    from: u32,
    /// Created on this instant (installed).
    installed: DateTime<Utc>,
}

/// What the demo's meters came to: meters made, readings stored, and the part of the year still to store.
pub struct Loaded {
    pub meters: usize,
    pub readings: i64,
    pub rest: Rest,
}

/// The middle of the year, stored after the server starts: China days of the series, newest first, and the months
/// whose energy figures follow from it.
pub struct Rest {
    series: HourlySeries,
    days: Vec<(u32, u32)>,
    months: Vec<Month>,
}

impl Rest {
    /// The days still to store.
    pub fn days(&self) -> usize {
        self.days.len()
    }
}

/// The demo's year: its first hour and the China day of its last (the clock's day when it was loaded).
#[derive(Clone, Copy)]
struct Year {
    first: DateTime<Utc>,
    today: NaiveDate,
}

impl Year {
    /// The year of hours that ends at the hour of `now`.
    fn ending_at(now: DateTime<Utc>) -> Year {
        let last = DateTime::from_timestamp(bucket(Grain::Hour, now), 0).unwrap_or(now);
        Year {
            first: last - Duration::hours(i64::from(HOURS) - 1),
            today: china_date(now),
        }
    }

    /// The year whose first hour is `first` (a year stored earlier: its first meters were installed then).
    fn starting_at(first: DateTime<Utc>) -> Year {
        Year {
            first,
            today: china_date(first + Duration::hours(i64::from(HOURS) - 1)),
        }
    }

    /// The hour (from the first) of an instant, within the year.
    fn hour_of(&self, t: DateTime<Utc>) -> u32 {
        ((t - self.first).num_hours().clamp(0, i64::from(HOURS))) as u32
    }

    /// The hours stored before serving: the first month's part (`0..early_end`, the board's month a year ago) and
    /// the recent days (`recent_start..HOURS`: this month's, and the leak's).
    fn before_serving(&self) -> anyhow::Result<(u32, u32)> {
        let days_from = china_date(self.first);
        let next_month = NaiveDate::from_ymd_opt(
            days_from.year() + i32::from(days_from.month() == 12),
            days_from.month() % 12 + 1,
            1,
        )
        .and_then(day_start)
        .context("the month after the first")?;
        let month_start = self.today.with_day(1).unwrap_or(self.today);
        let recent = day_start(month_start.min(self.today - Duration::days(RECENT_DAYS)))
            .context("the recent days")?;
        Ok((
            self.hour_of(next_month),
            self.hour_of(recent).max(self.hour_of(next_month)),
        ))
    }

    /// The middle of the year in China days (hours from the first), newest first.
    fn middle_days(&self) -> anyhow::Result<Vec<(u32, u32)>> {
        let (early_end, recent_start) = self.before_serving()?;
        Ok((early_end..recent_start)
            .step_by(24)
            .map(|from| (from, (from + 24).min(recent_start)))
            .rev()
            .collect())
    }

    /// The whole months of the year: after the first's month, before the clock's.
    fn whole_months(&self) -> Vec<Month> {
        let first = china_date(self.first);
        let (Some(mut month), Some(end)) = (
            Month::new(first.year(), first.month()),
            Month::new(self.today.year(), self.today.month()),
        ) else {
            return Vec::new();
        };
        let mut months = Vec::new();
        loop {
            month = month.next();
            if month.key() >= end.key() {
                return months;
            }
            months.push(month);
        }
    }
}

/// The demo's meters as planned from its space: the real ones with their place in the series, the virtual ones,
/// and the incidents' meters and hours.
struct Plan {
    planned: Vec<Planned>,
    virtual_meters: Vec<(DateTime<Utc>, MeterInput)>,
    chief_park: Id,
    leaking: String,
    silent: String,
    leak_from: u32,
}

/// Plans the demo's meters of `year` from the stored parks, buildings, units and leases (nothing is written).
async fn plan(store: &Arc<dyn Store>, year: Year) -> anyhow::Result<Plan> {
    let actor = Actor::system("demo");
    let (first, today) = (year.first, year.today);
    let chief_park = crate::accounts::demo_post(store, PostRole::ParkChief, today)
        .await?
        .park_id
        .context("the demo's park chief heads a park")?;
    let mut parks = store
        .list_parks(
            &actor,
            &ParkFilter::default(),
            &chainpark_core::list::Paging::all(),
        )
        .await?
        .items;
    parks.sort_by(|a, b| a.code.cmp(&b.code));
    let mut planned: Vec<Planned> = Vec::new();
    let mut virtual_meters: Vec<(DateTime<Utc>, MeterInput)> = Vec::new();
    for (p, park) in parks.iter().enumerate() {
        // Parks differ in size of load: 80 % to 120 %.
        let scale = |base: i64| base * (80 + (p as i64 * 7) % 41) / 100;
        let buildings = store.list_buildings(&actor, Some(park.id)).await?;
        let leases = store.unit_leases(&actor, park.id).await?;
        let meter = |code: String, name: String, medium: Medium, location: &str| MeterInput {
            code,
            name,
            park_id: park.id,
            location: location.to_string(),
            enterprise_id: None,
            medium,
            multiplier: None,
            formula: None,
            no_data_hours: None,
            night_flow_min: None,
            jump_max: None,
        };
        for building in &buildings {
            let Some(suffix) = building.code.rsplit('-').next() else {
                continue;
            };
            let (water, water_base, power) = match suffix {
                "A" | "B" => (
                    Profile::BuildingWater,
                    4_500,
                    (suffix == "B").then_some((Profile::FactoryPower, 900_000)),
                ),
                "R" => (
                    Profile::BuildingWater,
                    1_800,
                    Some((Profile::OfficePower, 260_000)),
                ),
                "D" => (
                    Profile::DormitoryWater,
                    1_200,
                    Some((Profile::DormitoryPower, 18_000)),
                ),
                _ => continue,
            };
            let mut input = meter(
                format!("{}-{suffix}-W", park.code),
                format!("{}进水", building.name),
                Medium::Water,
                &building.name,
            );
            input.night_flow_min = Some(NIGHT_FLOW_MIN.parse()?);
            planned.push(Planned {
                input,
                profile: water,
                base: scale(water_base),
                from: 0,
                installed: first,
            });
            if let Some((profile, base)) = power {
                let mut input = meter(
                    format!("{}-{suffix}-E", park.code),
                    format!("{}总电表", building.name),
                    Medium::Electricity,
                    &building.name,
                );
                if suffix == "R" && park.id == chief_park {
                    input.no_data_hours = Some(SILENCE_HOURS);
                }
                planned.push(Planned {
                    input,
                    profile,
                    base: scale(base),
                    from: 0,
                    installed: first,
                });
            }
            if suffix != "A" {
                continue;
            }
            // Building A: a meter per leased factory unit, on the tenant's account; the building is their sum.
            let mut parts = Vec::new();
            for unit in store.list_units(&actor, Some(building.id), None).await? {
                let Some(lease) = leases.iter().find(|l| {
                    l.unit_id == unit.id
                        && l.valid_from <= today
                        && l.valid_to.is_none_or(|to| to >= today)
                }) else {
                    continue;
                };
                if unit.kind != UnitKind::Factory {
                    continue;
                }
                let started = day_start(lease.valid_from).unwrap_or(first).max(first);
                let code = format!("{}-{}", park.code, unit.code);
                let mut input = meter(
                    code.clone(),
                    format!("{} {}", unit.code, lease.enterprise_name),
                    Medium::Electricity,
                    &building.name,
                );
                input.enterprise_id = Some(lease.enterprise_id);
                planned.push(Planned {
                    input,
                    profile: Profile::FactoryPower,
                    base: scale(1_000 * (40 + (lease.enterprise_id * 37).rem_euclid(121))),
                    from: year.hour_of(started),
                    installed: started,
                });
                parts.push(code);
            }
            if !parts.is_empty() {
                let mut input = meter(
                    format!("{}-A-E", park.code),
                    format!("{}总用电（各单元之和）", building.name),
                    Medium::Electricity,
                    &building.name,
                );
                input.formula = Some(parts.join(" + "));
                virtual_meters.push((first, input));
            }
        }
    }

    // The incidents' meters, in the chief's park.
    let leak_day = today - Duration::days(LEAK_DAYS_AGO);
    let leak_start = day_start(leak_day).context("the leak's day")?;
    let leak_from = year.hour_of(leak_start);
    let chief_code = parks
        .iter()
        .find(|p| p.id == chief_park)
        .map(|p| p.code.clone())
        .context("the chief's park")?;
    let leaking = format!("{chief_code}-A-W");
    let silent = format!("{chief_code}-R-E");
    Ok(Plan {
        planned,
        virtual_meters,
        chief_park,
        leaking,
        silent,
        leak_from,
    })
}

/// The series of the year's hours of the planned meters made as `made` (by code): the leaking meter's two days and
/// the silent meter's last hours are left to the incidents, a tenant's meter starts at its lease.
fn series_of(year: Year, plan: &Plan, made: &BTreeMap<String, Meter>) -> HourlySeries {
    let days_from = china_date(year.first);
    let series = HourlySeries {
        first: year.first,
        hours: HOURS,
        shapes: SHAPES.to_vec(),
        levels: Vec::new(),
        meters: Vec::new(),
    };
    let calendar = WorkCalendar::embedded();
    let levels = series
        .days()
        .iter()
        .map(|d| {
            let day = (d.date - days_from).num_days();
            PROFILES
                .iter()
                .map(|p| p.level(d.date, day, &calendar))
                .collect()
        })
        .collect();
    let meters = plan
        .planned
        .iter()
        .filter_map(|planned| {
            let meter = made.get(&planned.input.code)?;
            let gap = if meter.code == plan.leaking {
                Some((plan.leak_from, plan.leak_from + 48))
            } else if meter.code == plan.silent {
                Some((HOURS - SILENT_FOR, HOURS))
            } else {
                (planned.from > 0).then_some((0, planned.from))
            };
            Some(SeriesMeter {
                meter_id: meter.id,
                profile: planned.profile as usize,
                base: planned.base,
                gap,
            })
        })
        .collect();
    HourlySeries {
        levels,
        meters,
        ..series
    }
}

/// Loads the demo's meters, their year of readings and the two incidents.
pub async fn load_demo(store: &Arc<dyn Store>, clock: Clock) -> anyhow::Result<Loaded> {
    let actor = Actor::system("demo");
    let now = clock.now();
    let year = Year::ending_at(now);
    let today = year.today;
    let plan = plan(store, year).await?;
    let mut made: BTreeMap<String, Meter> = BTreeMap::new();
    for planned in &plan.planned {
        let draft = planned
            .input
            .clone()
            .parse()
            .map_err(|e| anyhow::anyhow!("demo meter {}: {e}", planned.input.code))?;
        let meter = store.create_meter(&actor, draft, planned.installed).await?;
        made.insert(meter.code.clone(), meter);
    }
    for (installed, input) in &plan.virtual_meters {
        let draft = input
            .clone()
            .parse()
            .map_err(|e| anyhow::anyhow!("demo meter {}: {e}", input.code))?;
        store.create_meter(&actor, draft, *installed).await?;
    }
    let series = series_of(year, &plan, &made);
    // Before serving: the first month's part (the board's month a year ago) and the recent days (this month's, and
    // the leak's); the middle follows in the background.
    let (early_end, recent_start) = year.before_serving()?;
    let mut readings = 0;
    for (from, to) in [(0, early_end), (recent_start, HOURS)] {
        readings += store
            .generate_readings(&actor, &series.part(from, to))
            .await
            .context("generating the demo's readings")?;
    }
    readings += leak(
        store,
        &series,
        &made,
        &plan.leaking,
        plan.leak_from,
        plan.chief_park,
        today,
        now,
    )
    .await?;
    let raised = chainpark_app::meters::watch_silence(store, now).await?;
    if let Some(order) = raised.first().and_then(|a| a.work_order_id)
        && let Some(staff) = staff_of(store, plan.chief_park, today).await?
    {
        step(store, order, WorkOrderAction::Assign, Some(staff), now, now).await?;
    }
    Ok(Loaded {
        meters: made.len() + plan.virtual_meters.len(),
        readings,
        rest: Rest {
            series,
            days: year.middle_days()?,
            months: year.whole_months(),
        },
    })
}

/// The part of the demo's year that a demo stopped before it had stored it still lacks: the middle days that hold
/// no reading yet (a day is stored in one transaction, so a day with a reading of one of its meters is whole), or
/// none when every day is held or the store holds no demo meters. The year is the stored one — it began when its
/// first meters were installed — whatever the clock says now.
pub async fn resume(store: &Arc<dyn Store>) -> anyhow::Result<Option<Rest>> {
    let actor = Actor::system("demo");
    let meters = store
        .list_meters(
            &actor,
            &MeterFilter::default(),
            &chainpark_core::list::Paging::all(),
        )
        .await?
        .items;
    let Some(first) = meters.iter().map(|m| m.created_at).min() else {
        return Ok(None);
    };
    let year = Year::starting_at(first);
    let plan = plan(store, year).await?;
    let made: BTreeMap<String, Meter> = meters.into_iter().map(|m| (m.code.clone(), m)).collect();
    let series = series_of(year, &plan, &made);
    // A meter with readings in every hour of the year tells which days are held.
    let Some(witness) = series.meters.iter().find(|m| m.gap.is_none()) else {
        return Ok(None);
    };
    let days = year.middle_days()?;
    let day_of = |from: u32| china_date(year.first + Duration::hours(i64::from(from)));
    let (Some(newest), Some(oldest)) = (days.first(), days.last()) else {
        return Ok(None);
    };
    let held = store
        .meter_rollup(
            &actor,
            witness.meter_id,
            Grain::Day,
            day_key(day_of(oldest.0)),
            day_key(day_of(newest.0)),
        )
        .await?;
    let missing: Vec<(u32, u32)> = days
        .into_iter()
        .filter(|(from, _)| !held.contains_key(&day_key(day_of(*from))))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    Ok(Some(Rest {
        series,
        days: missing,
        months: year.whole_months(),
    }))
}

/// Stores the rest of the year, one China day of every meter per transaction, newest first, while the server
/// serves, counting the days in `fill` (the board shows it); logs how far it got. A day that already holds readings
/// (sent meanwhile) is left as it is. Then the zone's `energy_use` figures of the year's whole months follow from
/// the readings (`chainpark_app::meters::energy_figures`), so the dashboard shows them.
pub async fn store_rest(store: Arc<dyn Store>, rest: Rest, fill: Arc<ReadingsFill>) {
    let actor = Actor::system("demo");
    let started = std::time::Instant::now();
    let (mut stored, mut skipped) = (0, 0);
    for (from, to) in &rest.days {
        match store
            .generate_readings(&actor, &rest.series.part(*from, *to))
            .await
        {
            Ok(n) => stored += n,
            Err(e) => {
                skipped += 1;
                tracing::warn!(
                    "demo readings of {}: {e}",
                    rest.series.part(*from, *to).first
                );
            }
        }
        fill.day_done();
    }
    tracing::info!(
        "demo meters: the year of readings is complete: {stored} more readings of {} days in {:.1} s ({skipped} days left out)",
        rest.days.len(),
        started.elapsed().as_secs_f64()
    );
    for month in &rest.months {
        if let Err(e) = chainpark_app::meters::energy_figures(&store, &actor, *month).await {
            tracing::warn!("demo energy figures of {month}: {e}");
        }
    }
}

/// Midnight (China time) at the start of a day.
fn day_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    bucket_start(Grain::Day, day_key(day))
}

/// The leak's two days of readings of the leaking meter, sent through the ingest in six-hour batches as its
/// gateway would, each judged at the batch's end; then the work order's steps: assigned at 08:30, started at 09:00,
/// finished at 14:30, closed the next morning after the quiet night. Answers the readings stored.
#[allow(clippy::too_many_arguments)]
async fn leak(
    store: &Arc<dyn Store>,
    series: &HourlySeries,
    made: &BTreeMap<String, Meter>,
    code: &str,
    from: u32,
    park: Id,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<i64> {
    let actor = Actor::system("demo");
    let meter = made.get(code).context("the leaking meter")?;
    let spec = series
        .meters
        .iter()
        .find(|m| m.meter_id == meter.id)
        .map(|m| SeriesMeter {
            gap: None,
            ..m.clone()
        })
        .context("the leaking meter's series")?;
    let mut stored = 0;
    let mut order = None;
    for batch in 0..8 {
        let hours = from + batch * 6..from + batch * 6 + 6;
        let readings: Vec<_> = hours
            .filter_map(|h| {
                let mut r = series.reading(&spec, h)?;
                if h - from < LEAK_REPAIRED_HOUR {
                    r.value += LEAK;
                }
                Some(r)
            })
            .collect();
        let Some(end) = readings.last().map(|r| r.t + Duration::hours(1)) else {
            continue;
        };
        let report = chainpark_app::meters::ingest(store, &actor, &readings, end).await?;
        stored += report.written.stored;
        order = order.or(report.alarms_raised.first().and_then(|a| a.work_order_id));
    }
    let order = order.context("the leak raised its alarm")?;
    let Some(staff) = staff_of(store, park, today).await? else {
        return Ok(stored);
    };
    let start = series.first + Duration::hours(i64::from(from));
    let at = |hours: i64, minutes: i64| start + Duration::hours(hours) + Duration::minutes(minutes);
    step(
        store,
        order,
        WorkOrderAction::Assign,
        Some(staff),
        at(8, 30),
        now,
    )
    .await?;
    step(store, order, WorkOrderAction::Start, None, at(9, 0), now).await?;
    step(store, order, WorkOrderAction::Finish, None, at(14, 30), now).await?;
    step(store, order, WorkOrderAction::Close, None, at(33, 0), now).await?;
    Ok(stored)
}

/// The park's staff member on `today`, who is assigned the alarms' work.
async fn staff_of(
    store: &Arc<dyn Store>,
    park: Id,
    today: NaiveDate,
) -> anyhow::Result<Option<Id>> {
    let filter = PostFilter {
        role: Some(PostRole::ParkStaff),
        on: Some(today),
        park_id: Some(park),
        ..Default::default()
    };
    Ok(store
        .list_posts(
            &Actor::system("demo"),
            &filter,
            &chainpark_core::list::Paging::all(),
        )
        .await?
        .items
        .first()
        .map(|p| p.person_id))
}

async fn step(
    store: &Arc<dyn Store>,
    order: Id,
    action: WorkOrderAction,
    assignee: Option<Id>,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let input = WorkOrderStepInput {
        action,
        note: String::new(),
        assignee_person_id: assignee,
        at: Some(at),
        version: None,
    };
    store
        .step_work_order(&Actor::system("demo"), order, input, at, now)
        .await
        .with_context(|| format!("work order {order}: {action}"))?;
    Ok(())
}
