//! Park operations in SQL, compiled once per engine (`crate::sqlite`, `crate::postgres`) with that engine's `Db`
//! and store type `Engine`: meters, readings with their roll-ups, alarms and the energy factors.

use super::{Db, Engine};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::list::{Page, Paging};
use chainpark_core::parkops::alarms::{Alarm, AlarmRule, MeterRules, alarm_work_order};
use chainpark_core::parkops::energy::EnergyFactor;
use chainpark_core::parkops::meters::{
    Grain, HOUR, Medium, Meter, MeterDraft, Reading, combine, formula_text, parse_formula,
    rollup_deltas,
};
use chainpark_core::parkops::series::{
    HourlySeries, JITTER_HOUR, JITTER_METER, SeriesDay, SeriesMeter,
};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chrono::{DateTime, Datelike, Utc};
use sqlx::{FromRow, QueryBuilder};

use super::tx::audit;
use super::workflow::work_orders::insert_work_order;
use crate::common::{corrupt, push_reach, sql_limit};
use crate::parkops::*;
use crate::{Actor, Result, StoreError};
type Conn = <Db as sqlx::Database>::Connection;

const METER_COLUMNS: &str = "SELECT m.id, m.code, m.name, m.park_id, k.code AS park_code, m.location, \
    m.enterprise_id, m.medium, m.multiplier, m.formula, m.no_data_hours, m.night_flow_min, m.jump_max, m.archived, \
    m.created_at, m.updated_at FROM meters m JOIN parks k ON k.id = m.park_id";
const ALARM_COLUMNS: &str = "SELECT a.id, a.meter_id, m.code AS meter_code, m.park_id, a.rule, a.started_at, \
    a.raised_at, a.detail, a.ended_at, a.work_order_id FROM meter_alarms a JOIN meters m ON m.id = a.meter_id";
/// Readings per multi-row insert: 3 parameters each stays well under both engines' limits.
const READING_CHUNK: usize = 2000;
/// Roll-up rows per multi-row upsert: 5 parameters each.
const ROLLUP_CHUNK: usize = 2000;
/// Meters per statement of a generated series: a few hundred parameters, next to the days' levels.
const SERIES_CHUNK: usize = 100;

#[derive(FromRow)]
struct MeterRow {
    id: i64,
    code: String,
    name: String,
    park_id: i64,
    park_code: String,
    location: String,
    enterprise_id: Option<i64>,
    medium: String,
    multiplier: i64,
    formula: String,
    no_data_hours: Option<i32>,
    night_flow_min: Option<i64>,
    jump_max: Option<i64>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl MeterRow {
    fn into_meter(self) -> Result<Meter> {
        let medium =
            Medium::parse(&self.medium).ok_or_else(|| corrupt("meter", self.id, "medium"))?;
        let formula = if self.formula.is_empty() {
            Vec::new()
        } else {
            parse_formula(&self.formula).map_err(|e| corrupt("meter", self.id, e))?
        };
        Ok(Meter {
            id: self.id,
            code: self.code,
            name: self.name,
            park_id: self.park_id,
            park_code: self.park_code,
            location: self.location,
            enterprise_id: self.enterprise_id,
            medium,
            multiplier: self.multiplier,
            formula,
            rules: MeterRules {
                no_data_hours: self.no_data_hours,
                night_flow_min: self.night_flow_min,
                jump_max: self.jump_max,
            },
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(FromRow)]
struct AlarmRow {
    id: i64,
    meter_id: i64,
    meter_code: String,
    park_id: i64,
    rule: String,
    started_at: DateTime<Utc>,
    raised_at: DateTime<Utc>,
    detail: String,
    ended_at: Option<DateTime<Utc>>,
    work_order_id: Option<i64>,
}

impl AlarmRow {
    fn into_alarm(self) -> Result<Alarm> {
        Ok(Alarm {
            rule: AlarmRule::parse(&self.rule).ok_or_else(|| corrupt("alarm", self.id, "rule"))?,
            id: self.id,
            meter_id: self.meter_id,
            meter_code: self.meter_code,
            park_id: self.park_id,
            started_at: self.started_at,
            raised_at: self.raised_at,
            detail: self.detail,
            ended_at: self.ended_at,
            work_order_id: self.work_order_id,
        })
    }
}

async fn meter_rows(c: &mut Conn, ids: &[Id]) -> Result<Vec<Meter>> {
    let mut qb = QueryBuilder::<Db>::new(format!("{METER_COLUMNS} WHERE m.id IN ("));
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
    let rows: Vec<MeterRow> = qb.build_query_as().fetch_all(&mut *c).await?;
    rows.into_iter().map(MeterRow::into_meter).collect()
}

async fn meter_row(c: &mut Conn, id: Id) -> Result<Meter> {
    meter_rows(c, &[id])
        .await?
        .pop()
        .ok_or(StoreError::NotFound { kind: "meter", id })
}

async fn alarm_row(c: &mut Conn, id: Id) -> Result<Alarm> {
    let row: AlarmRow = sqlx::query_as(&format!("{ALARM_COLUMNS} WHERE a.id = $1"))
        .bind(id)
        .fetch_one(&mut *c)
        .await?;
    row.into_alarm()
}

async fn open_alarm(c: &mut Conn, meter: Id, rule: AlarmRule) -> Result<Option<Alarm>> {
    let row: Option<AlarmRow> = sqlx::query_as(&format!(
        "{ALARM_COLUMNS} WHERE a.meter_id = $1 AND a.rule = $2 AND a.ended_at IS NULL"
    ))
    .bind(meter)
    .bind(rule.as_str())
    .fetch_optional(&mut *c)
    .await?;
    row.map(AlarmRow::into_alarm).transpose()
}

/// Ends an open alarm at `at` and audits it.
async fn end_open(c: &mut Conn, actor: &Actor, open: Alarm, at: DateTime<Utc>) -> Result<Alarm> {
    sqlx::query("UPDATE meter_alarms SET ended_at = $1 WHERE id = $2")
        .bind(at)
        .bind(open.id)
        .execute(&mut *c)
        .await?;
    let after = alarm_row(c, open.id).await?;
    audit(
        c,
        actor,
        "meter_alarm",
        open.id,
        "end",
        Some(&open),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// The parts of a virtual meter: unarchived real meters of the same park and medium.
async fn check_parts(c: &mut Conn, d: &MeterDraft) -> Result<()> {
    for term in &d.formula {
        let part: Option<MeterRow> = sqlx::query_as(&format!("{METER_COLUMNS} WHERE m.code = $1"))
            .bind(&term.meter_code)
            .fetch_optional(&mut *c)
            .await?;
        let problem = match part.map(MeterRow::into_meter).transpose()? {
            None => "does not exist",
            Some(p) if p.archived => "is archived",
            Some(p) if p.is_virtual() => "is virtual itself",
            Some(p) if p.park_id != d.park_id => "is in another park",
            Some(p) if p.medium != d.medium => "measures another medium",
            Some(_) => continue,
        };
        return Err(StoreError::invalid(
            "formula",
            format!("meter {} {problem}", term.meter_code),
        ));
    }
    Ok(())
}

async fn real_rollup(
    c: &mut Conn,
    id: Id,
    grain: Grain,
    from: i64,
    to: i64,
) -> Result<BTreeMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT bucket, amount FROM meter_rollups WHERE meter_id = $1 AND grain = $2 AND bucket BETWEEN $3 AND $4 \
         ORDER BY bucket",
    )
    .bind(id)
    .bind(grain.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The meters readings are written to, each checked: it exists, the actor may edit its park's meters, and it is
/// real and unarchived.
async fn writable_meters(store: &Engine, actor: &Actor, ids: &[Id]) -> Result<HashMap<Id, Meter>> {
    let meters: HashMap<Id, Meter> = {
        let mut c = store.read().await?;
        let mut found = HashMap::new();
        for chunk in ids.chunks(READING_CHUNK) {
            for m in meter_rows(&mut c, chunk).await? {
                found.insert(m.id, m);
            }
        }
        found
    };
    for id in ids {
        let m = meters
            .get(id)
            .ok_or_else(|| StoreError::invalid("meter_id", format!("meter {id} does not exist")))?;
        actor.scope.may_edit_meters(m.park_id)?;
        if m.archived || m.is_virtual() {
            return Err(StoreError::invalid(
                "meter_id",
                format!(
                    "meter {} is archived or virtual: it takes no readings",
                    m.code
                ),
            ));
        }
    }
    Ok(meters)
}

/// The roll-up upsert: a period already held adds the new amount and count.
const ROLLUP_ADD: &str = " ON CONFLICT (meter_id, grain, bucket) DO UPDATE SET amount = meter_rollups.amount + \
    excluded.amount, readings = meter_rollups.readings + excluded.readings";

/// Pushes `(id, id, ...)` of some meters.
fn push_ids(qb: &mut QueryBuilder<'_, Db>, meters: &[SeriesMeter]) {
    qb.push("(");
    let mut list = qb.separated(", ");
    for m in meters {
        list.push_bind(m.meter_id);
    }
    qb.push(")");
}

/// Inserts the generated readings of some meters of a series: [`HourlySeries::amount`] in SQL, over a recursive
/// count of the hours joined with the shapes, the day levels and the meters, bound as `VALUES` lists. In meter
/// and hour order, the order of the readings' key, so that the engine appends to its index.
async fn insert_series(c: &mut Conn, s: &HourlySeries, meters: &[SeriesMeter]) -> Result<u64> {
    let profiles: BTreeSet<usize> = meters.iter().map(|m| m.profile).collect();
    let hour_of_day = s.first_hour_of_day();
    let mut qb = QueryBuilder::<Db>::new(
        "WITH RECURSIVE hours(h) AS (SELECT 0 UNION ALL SELECT h + 1 FROM hours WHERE h + 1 < ",
    );
    qb.push_bind(i64::from(s.hours));
    qb.push("), shapes(p, hod, w) AS (");
    let shapes = profiles.iter().flat_map(|p| {
        s.shapes[*p]
            .iter()
            .enumerate()
            .map(move |(hod, w)| (*p as i64, hod as i64, *w))
    });
    qb.push_values(shapes, |mut b, (p, hod, w)| {
        b.push_bind(p).push_bind(hod).push_bind(w);
    });
    qb.push("), levels(d, p, l) AS (");
    let levels = s.levels.iter().enumerate().flat_map(|(d, levels)| {
        profiles
            .iter()
            .map(move |p| (d as i64, *p as i64, levels[*p]))
    });
    qb.push_values(levels, |mut b, (d, p, l)| {
        b.push_bind(d).push_bind(p).push_bind(l);
    });
    qb.push("), series(meter_id, p, base, gap_from, gap_to) AS (");
    qb.push_values(meters, |mut b, m| {
        let (from, to) = m.gap.unwrap_or((0, 0));
        b.push_bind(m.meter_id)
            .push_bind(m.profile as i64)
            .push_bind(m.base)
            .push_bind(i64::from(from))
            .push_bind(i64::from(to));
    });
    qb.push(") INSERT INTO meter_readings (meter_id, t, value) SELECT s.meter_id, ");
    qb.push_bind(s.first.timestamp());
    qb.push(format!(
        " + h.h * {HOUR}, s.base * sh.w * lv.l * (90 + (s.meter_id * {JITTER_METER} + ("
    ));
    qb.push_bind(s.first_absolute_hour());
    qb.push(format!(
        " + h.h) * {JITTER_HOUR}) % 21) / 1000000 FROM series s JOIN hours h ON h.h < s.gap_from OR h.h >= s.gap_to \
         JOIN shapes sh ON sh.p = s.p AND sh.hod = ("
    ));
    qb.push_bind(hour_of_day);
    qb.push(" + h.h) % 24 JOIN levels lv ON lv.p = s.p AND lv.d = (");
    qb.push_bind(hour_of_day);
    qb.push(" + h.h) / 24 ORDER BY s.meter_id, h.h");
    Ok(qb.build().execute(&mut *c).await?.rows_affected())
}

/// Adds the readings of a series just inserted for some meters to their hour, day and month roll-ups, reading
/// them back in the database: a reading is its own hour (the series' readings sit on the hour), and a day or a
/// month sums the readings in its part of the series' span — period by period through the readings' key, so that
/// no engine sorts millions of rows.
async fn roll_up_series(
    c: &mut Conn,
    s: &HourlySeries,
    days: &[SeriesDay],
    meters: &[SeriesMeter],
) -> Result<()> {
    let first = s.first.timestamp();
    let end = s.last().timestamp() + 1;
    let mut qb = QueryBuilder::<Db>::new(
        "INSERT INTO meter_rollups (meter_id, grain, bucket, amount, readings) \
         SELECT r.meter_id, 'hour', r.t, r.value * m.multiplier, 1 FROM meter_readings r \
         JOIN meters m ON m.id = r.meter_id WHERE r.t >= ",
    );
    qb.push_bind(first).push(" AND r.t < ").push_bind(end);
    qb.push(" AND r.meter_id IN ");
    push_ids(&mut qb, meters);
    qb.push(ROLLUP_ADD);
    qb.build().execute(&mut *c).await?;
    // Each period as the span of its readings within the series: (grain, bucket, from, to).
    let midnight = first - s.first_hour_of_day() * HOUR;
    let mut periods: Vec<(Grain, i64, i64, i64)> = Vec::new();
    for d in days {
        let start = midnight + d.index * 24 * HOUR;
        let span = (start.max(first), (start + 24 * HOUR).min(end));
        periods.push((Grain::Day, d.day_key, span.0, span.1));
        match periods
            .iter_mut()
            .find(|p| p.0 == Grain::Month && p.1 == d.month_key)
        {
            Some(month) => month.3 = span.1,
            None => periods.push((Grain::Month, d.month_key, span.0, span.1)),
        }
    }
    let mut qb = QueryBuilder::<Db>::new("WITH periods(grain, bucket, lo, hi) AS (");
    qb.push_values(&periods, |mut b, (grain, bucket, lo, hi)| {
        b.push_bind(grain.as_str())
            .push_bind(*bucket)
            .push_bind(*lo)
            .push_bind(*hi);
    });
    qb.push("), series(meter_id) AS (");
    qb.push_values(meters, |mut b, m| {
        b.push_bind(m.meter_id);
    });
    qb.push(
        "), sums AS (SELECT s.meter_id, p.grain, p.bucket, \
         (SELECT SUM(r.value) FROM meter_readings r WHERE r.meter_id = s.meter_id AND r.t >= p.lo AND r.t < p.hi) \
         AS amount, \
         (SELECT COUNT(*) FROM meter_readings r WHERE r.meter_id = s.meter_id AND r.t >= p.lo AND r.t < p.hi) AS n \
         FROM series s CROSS JOIN periods p) \
         INSERT INTO meter_rollups (meter_id, grain, bucket, amount, readings) \
         SELECT sums.meter_id, sums.grain, sums.bucket, CAST(sums.amount * m.multiplier AS BIGINT), sums.n \
         FROM sums JOIN meters m ON m.id = sums.meter_id WHERE sums.n > 0",
    );
    qb.push(ROLLUP_ADD);
    qb.build().execute(&mut *c).await?;
    Ok(())
}

#[async_trait]
impl MeterStore for Engine {
    async fn create_meter(
        &self,
        actor: &Actor,
        d: MeterDraft,
        now: DateTime<Utc>,
    ) -> Result<Meter> {
        actor.scope.may_edit_meters(d.park_id)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let park: Option<bool> = sqlx::query_scalar("SELECT archived FROM parks WHERE id = $1")
            .bind(d.park_id)
            .fetch_optional(&mut *c)
            .await?;
        match park {
            None => {
                return Err(StoreError::invalid(
                    "park_id",
                    format!("{} does not exist", d.park_id),
                ));
            }
            Some(true) => {
                return Err(StoreError::invalid(
                    "park_id",
                    format!("{} is archived", d.park_id),
                ));
            }
            Some(false) => {}
        }
        if let Some(e) = d.enterprise_id {
            let found: Option<bool> =
                sqlx::query_scalar("SELECT archived FROM enterprises WHERE id = $1")
                    .bind(e)
                    .fetch_optional(&mut *c)
                    .await?;
            if found != Some(false) {
                return Err(StoreError::invalid(
                    "enterprise_id",
                    format!("{e} does not exist or is archived"),
                ));
            }
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM meters WHERE code = $1")
            .bind(&d.code)
            .fetch_optional(&mut *c)
            .await?;
        if taken.is_some() {
            return Err(StoreError::conflict(
                "code",
                format!("meter code {} is taken", d.code),
            ));
        }
        check_parts(c, &d).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meters (code, name, park_id, location, enterprise_id, medium, multiplier, formula, \
             no_data_hours, night_flow_min, jump_max, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(&d.code)
        .bind(&d.name)
        .bind(d.park_id)
        .bind(&d.location)
        .bind(d.enterprise_id)
        .bind(d.medium.as_str())
        .bind(d.multiplier)
        .bind(formula_text(&d.formula))
        .bind(d.rules.no_data_hours)
        .bind(d.rules.night_flow_min)
        .bind(d.rules.jump_max)
        .bind(now)
        .bind(Utc::now())
        .fetch_one(&mut *c)
        .await?;
        let after = meter_row(c, id).await?;
        tx.commit_audited(actor, "meter", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_meters(
        &self,
        actor: &Actor,
        f: &MeterFilter,
        paging: &Paging,
    ) -> Result<Page<Meter>> {
        let mut c = self.read().await?;
        let reach = actor.scope.reach(Kind::Meter);
        let push = |qb: &mut QueryBuilder<'static, Db>| {
            qb.push(" WHERE 1 = 1");
            push_reach(qb, Kind::Meter, &reach);
            if let Some(v) = f.park_id {
                qb.push(" AND m.park_id = ").push_bind(v);
            }
            if let Some(v) = f.enterprise_id {
                qb.push(" AND m.enterprise_id = ").push_bind(v);
            }
            if let Some(v) = f.medium {
                qb.push(" AND m.medium = ").push_bind(v.as_str());
            }
        };
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM meters m");
        push(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(METER_COLUMNS);
        push(&mut rows);
        rows.push(" ORDER BY m.park_id, m.code LIMIT ")
            .push_bind(sql_limit(paging))
            .push(" OFFSET ")
            .push_bind(paging.offset);
        let items: Vec<MeterRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        Ok(Page {
            items: items
                .into_iter()
                .map(MeterRow::into_meter)
                .collect::<Result<_>>()?,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_meter(&self, actor: &Actor, id: Id) -> Result<Meter> {
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(format!("{METER_COLUMNS} WHERE m.id = "));
        qb.push_bind(id);
        push_reach(&mut qb, Kind::Meter, &actor.scope.reach(Kind::Meter));
        let row: Option<MeterRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
        row.ok_or(StoreError::NotFound { kind: "meter", id })?
            .into_meter()
    }

    async fn record_readings(
        &self,
        actor: &Actor,
        readings: &[Reading],
    ) -> Result<ReadingsWritten> {
        let mut ids: Vec<Id> = readings.iter().map(|r| r.meter_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut written = ReadingsWritten {
            received: readings.len() as i64,
            ..ReadingsWritten::default()
        };
        if ids.is_empty() {
            return Ok(written);
        }
        let meters = writable_meters(self, actor, &ids).await?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let mut months: Vec<i32> = readings
            .iter()
            .map(|r| {
                let day = chainpark_core::time::china_date(r.t);
                day.year() * 100 + day.month() as i32
            })
            .collect();
        months.sort_unstable();
        months.dedup();
        super::month_partitions(&mut *c, "meter_readings", &months).await?;
        let mut inserted: Vec<Reading> = Vec::with_capacity(readings.len());
        for chunk in readings.chunks(READING_CHUNK) {
            let mut qb =
                QueryBuilder::<Db>::new("INSERT INTO meter_readings (meter_id, t, value) ");
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.meter_id)
                    .push_bind(r.t.timestamp())
                    .push_bind(r.value);
            });
            qb.push(" ON CONFLICT (meter_id, t) DO NOTHING RETURNING meter_id, t, value");
            let rows: Vec<(i64, i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
            for (meter_id, t, value) in rows {
                let t = DateTime::from_timestamp(t, 0)
                    .ok_or_else(|| corrupt("meter", meter_id, "reading instant"))?;
                inserted.push(Reading { meter_id, t, value });
            }
        }
        let deltas = rollup_deltas(&inserted, |id| meters.get(&id).map_or(1, |m| m.multiplier))
            .map_err(|e| StoreError::invalid("readings", e))?;
        let rows: Vec<_> = deltas.into_iter().collect();
        for chunk in rows.chunks(ROLLUP_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO meter_rollups (meter_id, grain, bucket, amount, readings) ",
            );
            qb.push_values(chunk, |mut b, ((meter, grain, bucket), d)| {
                b.push_bind(*meter)
                    .push_bind(grain.as_str())
                    .push_bind(*bucket)
                    .push_bind(d.amount)
                    .push_bind(d.readings);
            });
            qb.push(
                " ON CONFLICT (meter_id, grain, bucket) DO UPDATE SET amount = meter_rollups.amount + excluded.amount, \
                 readings = meter_rollups.readings + excluded.readings",
            );
            qb.build().execute(&mut *c).await?;
            written.hours.extend(
                chunk
                    .iter()
                    .filter(|((meter, grain, _), _)| {
                        *grain == Grain::Hour
                            && meters.get(meter).is_some_and(|m| {
                                m.rules.jump_max.is_some() || m.rules.night_flow_min.is_some()
                            })
                    })
                    .map(|((meter, _, bucket), _)| (*meter, *bucket)),
            );
        }
        // A new reading ends the silence of its meter.
        let mut latest: BTreeMap<Id, DateTime<Utc>> = BTreeMap::new();
        for r in &inserted {
            let e = latest.entry(r.meter_id).or_insert(r.t);
            *e = (*e).max(r.t);
        }
        let silent: Vec<Id> = latest
            .keys()
            .copied()
            .filter(|id| {
                meters
                    .get(id)
                    .is_some_and(|m| m.rules.no_data_hours.is_some())
            })
            .collect();
        for id in silent {
            if let Some(open) = open_alarm(c, id, AlarmRule::NoData).await? {
                end_open(c, actor, open, latest[&id]).await?;
            }
        }
        tx.commit().await?;
        written.stored = inserted.len() as i64;
        written.duplicates = written.received - written.stored;
        Ok(written)
    }

    async fn generate_readings(&self, actor: &Actor, series: &HourlySeries) -> Result<i64> {
        series.check()?;
        let ids: Vec<Id> = series.meters.iter().map(|m| m.meter_id).collect();
        writable_meters(self, actor, &ids).await?;
        let (first, last) = (series.first.timestamp(), series.last().timestamp());
        let days = series.days();
        let mut months: Vec<i32> = days.iter().map(|d| d.month_key as i32).collect();
        months.dedup();
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        super::month_partitions(&mut *c, "meter_readings", &months).await?;
        for chunk in series.meters.chunks(SERIES_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT m.code FROM meter_readings r JOIN meters m ON m.id = r.meter_id WHERE r.t BETWEEN ",
            );
            qb.push_bind(first).push(" AND ").push_bind(last + HOUR - 1);
            qb.push(" AND r.meter_id IN ");
            push_ids(&mut qb, chunk);
            qb.push(" LIMIT 1");
            let held: Option<String> = qb.build_query_scalar().fetch_optional(&mut *c).await?;
            if let Some(code) = held {
                return Err(StoreError::conflict(
                    "meters",
                    format!(
                        "meter {code} holds readings between {} and {} already: a generated series fills only \
                         hours without readings",
                        series.first.to_rfc3339(),
                        series.last().to_rfc3339()
                    ),
                ));
            }
        }
        let mut stored = 0;
        for chunk in series.meters.chunks(SERIES_CHUNK) {
            stored += insert_series(c, series, chunk).await?;
            roll_up_series(c, series, &days, chunk).await?;
        }
        tx.commit().await?;
        Ok(stored as i64)
    }

    async fn meter_rollup(
        &self,
        actor: &Actor,
        id: Id,
        grain: Grain,
        from: i64,
        to: i64,
    ) -> Result<BTreeMap<i64, i64>> {
        let meter = self.get_meter(actor, id).await?;
        let mut c = self.read().await?;
        if !meter.is_virtual() {
            return real_rollup(&mut c, id, grain, from, to).await;
        }
        let mut parts = BTreeMap::new();
        for term in &meter.formula {
            let part: Option<i64> = sqlx::query_scalar("SELECT id FROM meters WHERE code = $1")
                .bind(&term.meter_code)
                .fetch_optional(&mut *c)
                .await?;
            let part =
                part.ok_or_else(|| corrupt("meter", id, format!("part {}", term.meter_code)))?;
            parts.insert(
                term.meter_code.clone(),
                real_rollup(&mut c, part, grain, from, to).await?,
            );
        }
        Ok(combine(&meter.formula, &parts))
    }

    async fn hourly_amounts(
        &self,
        meters: &[Id],
        from: i64,
        to: i64,
    ) -> Result<HashMap<Id, BTreeMap<i64, i64>>> {
        let mut c = self.read().await?;
        let mut out: HashMap<Id, BTreeMap<i64, i64>> = HashMap::new();
        for chunk in meters.chunks(READING_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT meter_id, bucket, amount FROM meter_rollups WHERE grain = 'hour' AND bucket BETWEEN ",
            );
            qb.push_bind(from).push(" AND ").push_bind(to);
            qb.push(" AND meter_id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            let rows: Vec<(i64, i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
            for (meter, bucket, amount) in rows {
                out.entry(meter).or_default().insert(bucket, amount);
            }
        }
        Ok(out)
    }

    async fn silence_watch(&self) -> Result<Vec<(Meter, Option<DateTime<Utc>>)>> {
        let mut c = self.read().await?;
        let rows: Vec<MeterRow> = sqlx::query_as(&format!(
            "{METER_COLUMNS} WHERE m.no_data_hours IS NOT NULL AND m.archived = $1 AND m.formula = '' ORDER BY m.id"
        ))
        .bind(false)
        .fetch_all(&mut *c)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let last: Option<i64> =
                sqlx::query_scalar("SELECT MAX(t) FROM meter_readings WHERE meter_id = $1")
                    .bind(row.id)
                    .fetch_one(&mut *c)
                    .await?;
            out.push((
                row.into_meter()?,
                last.and_then(|t| DateTime::from_timestamp(t, 0)),
            ));
        }
        Ok(out)
    }

    async fn raise_alarm(
        &self,
        actor: &Actor,
        meter_id: Id,
        rule: AlarmRule,
        started_at: DateTime<Utc>,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Alarm>> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let meter = meter_row(c, meter_id).await?;
        actor.scope.may_edit_meters(meter.park_id)?;
        if open_alarm(c, meter_id, rule).await?.is_some() {
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meter_alarms (meter_id, rule, started_at, raised_at, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(meter_id)
        .bind(rule.as_str())
        .bind(started_at)
        .bind(at)
        .bind(detail)
        .fetch_one(&mut *c)
        .await?;
        let draft = alarm_work_order(&meter, rule, detail).parse()?;
        let order = insert_work_order(c, actor, draft, at).await?;
        audit(
            c,
            actor,
            "work_order",
            order.id,
            "create",
            None,
            Some(&order),
        )
        .await?;
        sqlx::query("UPDATE meter_alarms SET work_order_id = $1 WHERE id = $2")
            .bind(order.id)
            .bind(id)
            .execute(&mut *c)
            .await?;
        let alarm = alarm_row(c, id).await?;
        tx.commit_audited(actor, "meter_alarm", id, "create", None, Some(&alarm))
            .await?;
        Ok(Some(alarm))
    }

    async fn end_alarm(
        &self,
        actor: &Actor,
        meter_id: Id,
        rule: AlarmRule,
        at: DateTime<Utc>,
    ) -> Result<Option<Alarm>> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let meter = meter_row(c, meter_id).await?;
        actor.scope.may_edit_meters(meter.park_id)?;
        let Some(open) = open_alarm(c, meter_id, rule).await? else {
            return Ok(None);
        };
        let ended = end_open(c, actor, open, at).await?;
        tx.commit().await?;
        Ok(Some(ended))
    }

    async fn list_alarms(
        &self,
        actor: &Actor,
        f: &AlarmFilter,
        paging: &Paging,
    ) -> Result<Page<Alarm>> {
        let mut c = self.read().await?;
        let reach = actor.scope.reach(Kind::Meter);
        let push = |qb: &mut QueryBuilder<'static, Db>| {
            qb.push(" WHERE 1 = 1");
            push_reach(qb, Kind::Meter, &reach);
            if let Some(v) = f.park_id {
                qb.push(" AND m.park_id = ").push_bind(v);
            }
            if let Some(v) = f.meter_id {
                qb.push(" AND a.meter_id = ").push_bind(v);
            }
            match f.open {
                Some(true) => {
                    qb.push(" AND a.ended_at IS NULL");
                }
                Some(false) => {
                    qb.push(" AND a.ended_at IS NOT NULL");
                }
                None => {}
            }
        };
        let mut count = QueryBuilder::<Db>::new(
            "SELECT COUNT(*) FROM meter_alarms a JOIN meters m ON m.id = a.meter_id",
        );
        push(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut rows = QueryBuilder::<Db>::new(ALARM_COLUMNS);
        push(&mut rows);
        rows.push(" ORDER BY a.raised_at DESC, a.id DESC LIMIT ")
            .push_bind(sql_limit(paging))
            .push(" OFFSET ")
            .push_bind(paging.offset);
        let items: Vec<AlarmRow> = rows.build_query_as().fetch_all(&mut *c).await?;
        Ok(Page {
            items: items
                .into_iter()
                .map(AlarmRow::into_alarm)
                .collect::<Result<_>>()?,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn enterprise_use(&self, actor: &Actor, month: Month) -> Result<Vec<EnterpriseUse>> {
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT m.enterprise_id, m.medium, CAST(SUM(r.amount) AS BIGINT) FROM meter_rollups r \
             JOIN meters m ON m.id = r.meter_id WHERE r.grain = 'month' AND r.bucket = ",
        );
        qb.push_bind(i64::from(month.key()));
        qb.push(" AND m.enterprise_id IS NOT NULL AND m.formula = ''");
        push_reach(&mut qb, Kind::Meter, &actor.scope.reach(Kind::Meter));
        qb.push(" GROUP BY m.enterprise_id, m.medium ORDER BY m.enterprise_id, m.medium");
        let rows: Vec<(i64, String, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
        rows.into_iter()
            .map(|(enterprise_id, medium, amount)| {
                Ok(EnterpriseUse {
                    enterprise_id,
                    medium: Medium::parse(&medium)
                        .ok_or_else(|| corrupt("enterprise", enterprise_id, "meter medium"))?,
                    amount,
                })
            })
            .collect()
    }

    async fn park_use(
        &self,
        actor: &Actor,
        park_id: Id,
        months: &[Month],
    ) -> Result<Vec<(i64, Medium, i64)>> {
        if months.is_empty() {
            return Ok(Vec::new());
        }
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT r.bucket, m.medium, CAST(SUM(r.amount) AS BIGINT) FROM meter_rollups r \
             JOIN meters m ON m.id = r.meter_id WHERE r.grain = 'month' AND m.formula = '' AND m.park_id = ",
        );
        qb.push_bind(park_id).push(" AND r.bucket IN (");
        let mut list = qb.separated(", ");
        for month in months {
            list.push_bind(i64::from(month.key()));
        }
        qb.push(")");
        push_reach(&mut qb, Kind::Meter, &actor.scope.reach(Kind::Meter));
        qb.push(" GROUP BY r.bucket, m.medium ORDER BY r.bucket, m.medium");
        let rows: Vec<(i64, String, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
        rows.into_iter()
            .map(|(month, medium, amount)| {
                Ok((
                    month,
                    Medium::parse(&medium)
                        .ok_or_else(|| corrupt("park", park_id, "meter medium"))?,
                    amount,
                ))
            })
            .collect()
    }

    async fn energy_factors(&self) -> Result<Vec<EnergyFactor>> {
        let mut c = self.read().await?;
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT medium, micro_kgce_per_unit, source FROM energy_factors ORDER BY medium",
        )
        .fetch_all(&mut *c)
        .await?;
        rows.into_iter()
            .map(|(medium, micro_kgce_per_unit, source)| {
                Ok(EnergyFactor {
                    medium: Medium::parse(&medium).ok_or_else(|| {
                        StoreError::Corrupt(format!("energy factor of {medium:?}"))
                    })?,
                    micro_kgce_per_unit,
                    source,
                })
            })
            .collect()
    }
}
