//! Generated readings (`MeterStore::generate_readings`): a series made inside the database rolls up per hour, day
//! and month exactly as the same readings recorded one by one, and a series over hours that hold readings is
//! refused and stores nothing.

use chainpark_core::parkops::meters::{Grain, Medium, MeterInput, Reading, bucket};
use chainpark_core::parkops::series::{HourlySeries, SeriesMeter};
use chainpark_core::registry::Id;
use chrono::{DateTime, Utc};

use crate::registry::zone;
use crate::support::{Db, at, conflict_field, invalid_fields, system};

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn meter(db: &Db, park: Id, code: &str) -> Id {
    let draft = MeterInput {
        code: code.into(),
        name: format!("{code} 电表"),
        park_id: park,
        location: String::new(),
        enterprise_id: None,
        medium: Medium::Electricity,
        multiplier: Some(3),
        formula: None,
        no_data_hours: None,
        night_flow_min: None,
        jump_max: None,
    }
    .parse()
    .expect("a valid meter");
    db.create_meter(&system(), draft, at(1))
        .await
        .expect("meter")
        .id
}

/// 30 hours from 20:00 on 31 May (China time): three days in two months, with two profiles and a gap of two
/// hours.
fn series(meter_id: Id) -> HourlySeries {
    let mut shapes = vec![[100; 24], [0; 24]];
    for (hour, weight) in shapes[1].iter_mut().enumerate() {
        *weight = 20 + hour as i64 * 5;
    }
    HourlySeries {
        first: instant("2026-05-31T20:00:00+08:00"),
        hours: 30,
        shapes,
        levels: vec![vec![100, 90], vec![100, 130], vec![100, 60]],
        meters: vec![SeriesMeter {
            meter_id,
            profile: 1,
            base: 12_345,
            gap: Some((6, 8)),
        }],
    }
}

/// A meter's roll-up of every grain over the span of the series' days.
async fn rollups(db: &Db, meter: Id) -> Vec<(Grain, i64, i64)> {
    let (from, to) = (
        instant("2026-05-31T00:00:00+08:00"),
        instant("2026-06-02T23:00:00+08:00"),
    );
    let mut out = Vec::new();
    for grain in [Grain::Hour, Grain::Day, Grain::Month] {
        let amounts = db
            .meter_rollup(
                &system(),
                meter,
                grain,
                bucket(grain, from),
                bucket(grain, to),
            )
            .await
            .expect("roll-up");
        out.extend(amounts.into_iter().map(|(b, a)| (grain, b, a)));
    }
    out
}

pub async fn a_generated_series_rolls_up_exactly_as_its_readings_recorded_one_by_one(db: Db) {
    let z = zone(&db).await;
    let generated = meter(&db, z.park, "GEN-1").await;
    let recorded = meter(&db, z.park, "REC-1").await;
    // Both meters already hold a reading earlier on 31 May: the day and month roll-ups add to it.
    let morning = instant("2026-05-31T09:00:00+08:00");
    for id in [generated, recorded] {
        db.record_readings(
            &system(),
            &[Reading {
                meter_id: id,
                t: morning,
                value: 5_000,
            }],
        )
        .await
        .expect("recorded");
    }
    let spec = series(generated);
    let stored = db
        .generate_readings(&system(), &spec)
        .await
        .expect("generated");
    assert_eq!(stored, 28, "30 hours less a gap of 2");
    let one_by_one: Vec<Reading> = spec
        .readings()
        .into_iter()
        .map(|r| Reading {
            meter_id: recorded,
            ..r
        })
        .collect();
    assert_eq!(one_by_one.len(), 28);
    for reading in &one_by_one {
        db.record_readings(&system(), std::slice::from_ref(reading))
            .await
            .expect("recorded");
    }
    let (mine, theirs) = (rollups(&db, generated).await, rollups(&db, recorded).await);
    assert_eq!(mine, theirs, "generated and recorded roll up alike");
    let month = |m: i64| {
        mine.iter()
            .find(|(g, b, _)| *g == Grain::Month && *b == m)
            .map(|(_, _, a)| *a)
    };
    let june: i64 = spec
        .readings()
        .iter()
        .filter(|r| bucket(Grain::Month, r.t) == 202606)
        .map(|r| r.value * 3)
        .sum();
    assert_eq!(month(202606), Some(june), "the multiplier applies");
    let may: i64 = spec
        .readings()
        .iter()
        .filter(|r| bucket(Grain::Month, r.t) == 202605)
        .map(|r| r.value * 3)
        .sum();
    assert_eq!(
        month(202605),
        Some(15_000 + may),
        "added to the held reading"
    );
    assert_eq!(
        mine.iter().filter(|(g, _, _)| *g == Grain::Hour).count(),
        29,
        "the held reading's hour and the 28 generated ones"
    );
}

pub async fn a_generated_series_over_hours_that_hold_readings_is_refused_and_stores_nothing(
    db: Db,
) {
    let z = zone(&db).await;
    let id = meter(&db, z.park, "GEN-2").await;
    let held = instant("2026-06-01T10:00:00+08:00");
    db.record_readings(
        &system(),
        &[Reading {
            meter_id: id,
            t: held,
            value: 7_000,
        }],
    )
    .await
    .expect("recorded");
    let before = rollups(&db, id).await;
    let refused = db.generate_readings(&system(), &series(id)).await;
    assert_eq!(conflict_field(refused), "meters");
    assert_eq!(rollups(&db, id).await, before, "nothing stored");
    let mut short = series(id);
    short.levels.pop();
    assert_eq!(
        invalid_fields(db.generate_readings(&system(), &short).await),
        ["levels"]
    );
    assert_eq!(rollups(&db, id).await, before, "nothing stored");
}
