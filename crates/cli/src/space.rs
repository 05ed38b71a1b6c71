//! The demo's space: buildings and units for every demo park, and leases of units to the park's firms, generated
//! deterministically from the parks and firms in the store (ordered by code and credit code) and the clock's day.
//!
//! Each park gets two standard factory buildings (4 floors, 4 units of 1,000 m² a floor) and one R&D building (6
//! floors, 6 units of 200 m²: offices, with labs on the top floor), plus a dormitory of 3 floors × 8 rooms of 40 m².
//! The park's firms take units in turn — firm i the unit i (factory units first) — and every fifth unit stays
//! vacant. Leases start on the first of a month within the last three years and run three years; the first lease
//! of each park ends 60 days after the clock's day, so the park chief has a lease-expiry alert.

use std::sync::Arc;

use chainpark_core::list::Paging;
use chainpark_core::parkops::space::{BuildingDraft, UnitDraft, UnitKind, UnitLeaseDraft};
use chainpark_core::time::Clock;
use chainpark_store::prelude::*;
use chainpark_store::{Actor, EnterpriseFilter, ParkFilter};
use chrono::{Datelike, Duration, NaiveDate};

/// (code suffix, name, use, floors, units a floor, unit area in m², kind of the units)
const BUILDINGS: [(&str, &str, &str, i32, i32, i64, UnitKind); 4] = [
    (
        "A",
        "一号标准厂房",
        "标准厂房",
        4,
        4,
        1000,
        UnitKind::Factory,
    ),
    (
        "B",
        "二号标准厂房",
        "标准厂房",
        4,
        4,
        1000,
        UnitKind::Factory,
    ),
    ("R", "研发楼", "研发办公", 6, 6, 200, UnitKind::Office),
    ("D", "人才公寓", "宿舍", 3, 8, 40, UnitKind::Dormitory),
];

/// Loads the demo's buildings, units and leases; answers (buildings, units, leases) made.
pub async fn load_demo(
    store: &Arc<dyn Store>,
    clock: Clock,
) -> anyhow::Result<(usize, usize, usize)> {
    let actor = Actor::system("demo");
    let now = clock.now();
    let today = clock.today();
    let all = Paging::all();
    let mut parks = store
        .list_parks(&actor, &ParkFilter::default(), &all)
        .await?
        .items;
    parks.sort_by(|a, b| a.code.cmp(&b.code));
    let (mut buildings, mut units_made, mut leases) = (0, 0, 0);
    for park in parks {
        let mut firms = store
            .list_enterprises(
                &actor,
                &EnterpriseFilter {
                    park_id: Some(park.id),
                    ..Default::default()
                },
                &all,
            )
            .await?
            .items;
        firms.sort_by(|a, b| a.credit_code.as_str().cmp(b.credit_code.as_str()));
        let mut units = Vec::new();
        for (suffix, name, building_use, floors, per_floor, area, kind) in BUILDINGS {
            let building = store
                .create_building(
                    &actor,
                    BuildingDraft {
                        code: format!("{}-{suffix}", park.code),
                        name: name.to_string(),
                        park_id: park.id,
                        floors,
                        gross_area_m2_centi: i64::from(floors * per_floor) * area * 100 * 6 / 5,
                        building_use: building_use.to_string(),
                        built_year: Some(2015 + (buildings as i32 % 8)),
                    },
                    now,
                )
                .await?;
            buildings += 1;
            for floor in 1..=floors {
                for n in 1..=per_floor {
                    let kind = if kind == UnitKind::Office && floor == floors {
                        UnitKind::Lab
                    } else {
                        kind
                    };
                    let unit = store
                        .create_unit(
                            &actor,
                            UnitDraft {
                                building_id: building.id,
                                code: format!("{suffix}{floor}{n:02}"),
                                floor,
                                area_m2_centi: area * 100,
                                kind,
                                valid_from: NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or(today),
                                valid_to: None,
                            },
                            now,
                        )
                        .await?;
                    units_made += 1;
                    units.push(unit);
                }
            }
        }
        let leasable = units
            .iter()
            .filter(|u| u.kind != UnitKind::Dormitory)
            .enumerate()
            .filter(|(i, _)| i % 5 != 4);
        for ((i, unit), firm) in leasable.zip(firms.iter()) {
            let (from, to) = if i == 0 {
                let to = today + Duration::days(60);
                (to - Duration::days(3 * 365), to)
            } else {
                let months_back = (i as i32 * 7) % 36 + 1;
                let start = today.year() * 12 + today.month0() as i32 - months_back;
                let from = NaiveDate::from_ymd_opt(start / 12, (start % 12) as u32 + 1, 1)
                    .unwrap_or(today);
                let to = NaiveDate::from_ymd_opt(from.year() + 3, from.month(), 1)
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(today);
                (from, to)
            };
            store
                .lease_unit(
                    &actor,
                    unit.id,
                    UnitLeaseDraft {
                        code: format!("ZL-{}-{}", park.code, unit.code),
                        enterprise_id: firm.id,
                        monthly_rent_fen: Some(unit.area_m2_centi * 25),
                        valid_from: from,
                        valid_to: Some(to),
                    },
                    now,
                )
                .await?;
            leases += 1;
        }
    }
    Ok((buildings, units_made, leases))
}
