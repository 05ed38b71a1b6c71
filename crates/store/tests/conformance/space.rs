//! A park's space: the vacancy of a past day counts the leases in force then, a unit lease is a row of the
//! assessment's leases (the same object), a second lease sharing a day with the first is refused and stores
//! nothing, and a lease ending within 90 days alerts the park's chief once.

use chainpark_core::access::Role;
use chainpark_core::list::Paging;
use chainpark_core::parkops::space::{BuildingDraft, UnitDraft, UnitKind, UnitLeaseDraft};
use chainpark_core::registry::{Id, PostInput, PostRole};
use chainpark_core::workflow::alerts::AlertKind;
use chainpark_store::assessment::LandFilter;

use crate::registry::{post_draft, zone};
use crate::scopes::scoped;
use crate::support::{Db, at, audited, conflict_field, day, system};

async fn building_with_units(db: &Db, park: Id, areas: &[i64]) -> (Id, Vec<Id>) {
    let admin = system();
    let building = db
        .create_building(
            &admin,
            BuildingDraft {
                code: format!("B-{park}"),
                name: "一号标准厂房".into(),
                park_id: park,
                floors: 4,
                gross_area_m2_centi: 500_000,
                building_use: "标准厂房".into(),
                built_year: Some(2019),
            },
            at(2),
        )
        .await
        .expect("building");
    let mut units = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        let unit = db
            .create_unit(
                &admin,
                UnitDraft {
                    building_id: building.id,
                    code: format!("1-{:02}", i + 1),
                    floor: 1,
                    area_m2_centi: *area,
                    kind: UnitKind::Factory,
                    valid_from: day("2020-01-01"),
                    valid_to: None,
                },
                at(2),
            )
            .await
            .expect("unit");
        units.push(unit.id);
    }
    (building.id, units)
}

fn lease(code: &str, firm: Id, from: &str, to: Option<&str>) -> UnitLeaseDraft {
    UnitLeaseDraft {
        code: code.into(),
        enterprise_id: firm,
        monthly_rent_fen: Some(1_000_000),
        valid_from: day(from),
        valid_to: to.map(day),
    }
}

pub async fn vacancy_on_a_past_date_reflects_the_leases_then(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    let (_, units) = building_with_units(&db, z.park, &[100_000, 300_000]).await;
    let first = db
        .lease_unit(
            &admin,
            units[0],
            lease("ZL-2023-01", z.firm, "2023-01-01", Some("2024-12-31")),
            at(3),
        )
        .await
        .expect("leased");
    db.lease_unit(
        &admin,
        units[1],
        lease("ZL-2025-01", z.other_firm, "2025-01-01", None),
        at(3),
    )
    .await
    .expect("leased");
    let then = db
        .occupancy(&admin, z.park, day("2024-06-30"))
        .await
        .expect("occupancy");
    assert_eq!((then.units, then.leased_units), (2, 1));
    assert_eq!(then.vacancy_permille, Some(750));
    assert_eq!(then.firms.len(), 1);
    assert_eq!(then.firms[0].enterprise_id, z.firm);
    let now = db
        .occupancy(&admin, z.park, day("2025-06-30"))
        .await
        .expect("occupancy");
    assert_eq!(now.vacancy_permille, Some(250));
    assert_eq!(now.firms[0].enterprise_id, z.other_firm);
    assert_eq!(now.area_per_firm_m2_centi, Some(300_000));
    // The unit lease is the assessment's lease: the same row, with its unit.
    let leases = db
        .list_leases(
            &admin,
            &LandFilter {
                park_id: Some(z.park),
                ..LandFilter::default()
            },
            &Paging::all(),
        )
        .await
        .expect("leases");
    let same = leases
        .items
        .iter()
        .find(|l| l.id == first.id)
        .expect("listed");
    assert_eq!(
        (same.unit_id, same.area_m2_centi),
        (Some(units[0]), 100_000)
    );
    assert_eq!(audited(&db, "lease", first.id).await, vec!["create"]);
}

pub async fn a_lease_sharing_a_day_with_another_of_the_unit_is_refused_and_stores_nothing(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    let (_, units) = building_with_units(&db, z.park, &[50_000]).await;
    db.lease_unit(
        &admin,
        units[0],
        lease("ZL-A", z.firm, "2024-01-01", Some("2024-12-31")),
        at(3),
    )
    .await
    .expect("leased");
    let refused = db
        .lease_unit(
            &admin,
            units[0],
            lease("ZL-B", z.other_firm, "2024-12-31", None),
            at(3),
        )
        .await;
    assert_eq!(conflict_field(refused), "valid_from");
    let leases = db.unit_leases(&admin, z.park).await.expect("unit leases");
    assert_eq!(
        leases.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(),
        vec!["ZL-A"]
    );
}

pub async fn a_lease_expiring_within_ninety_days_alerts_the_park_chief_once(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    let chief = scoped(
        &db,
        Role::ParkChief,
        PostInput {
            park_id: Some(z.park),
            ..post_draft(z.person, PostRole::ParkChief)
        },
    )
    .await;
    let (_, units) = building_with_units(&db, z.park, &[80_000, 90_000]).await;
    // Ends 2026-09-12, 89 days after the test's day (2026-06-15); the other lease ends a year later.
    db.lease_unit(
        &admin,
        units[0],
        lease("ZL-END", z.firm, "2024-01-01", Some("2026-09-12")),
        at(3),
    )
    .await
    .expect("leased");
    db.lease_unit(
        &admin,
        units[1],
        lease("ZL-LATER", z.firm, "2024-01-01", Some("2027-09-12")),
        at(3),
    )
    .await
    .expect("leased");
    let seen = db.alerts(&chief, at(4)).await.expect("alerts");
    let expiring: Vec<_> = seen
        .iter()
        .filter(|a| a.kind == AlertKind::LeaseExpiring)
        .collect();
    assert_eq!(expiring.len(), 1, "{seen:?}");
    assert_eq!(
        (expiring[0].object_id, expiring[0].on),
        (z.park, day("2026-09-12"))
    );
    assert!(expiring[0].title.starts_with("ZL-END"), "{:?}", expiring[0]);
    let first = db.deliver_alerts(&admin, at(4)).await.expect("delivered");
    assert_eq!((first.alerts, first.delivered), (1, 1));
    let again = db.deliver_alerts(&admin, at(5)).await.expect("delivered");
    assert_eq!((again.alerts, again.delivered), (1, 0));
    let other_park = scoped(
        &db,
        Role::ParkStaff,
        PostInput {
            park_id: Some(z.other_park),
            ..post_draft(z.person, PostRole::ParkStaff)
        },
    )
    .await;
    let foreign = db.alerts(&other_park, at(4)).await.expect("alerts");
    assert!(
        foreign.iter().all(|a| a.kind != AlertKind::LeaseExpiring),
        "{foreign:?}"
    );
}
