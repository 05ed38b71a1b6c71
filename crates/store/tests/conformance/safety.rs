//! Safety inspections: a failed checklist item records a hazard due in working days on the calendar, a hazard is
//! closed only by a passing re-check after its work order is done, an overdue hazard alerts the park's chief once,
//! a photo is kept in the store byte for byte (and a file that is not the image it claims stores nothing), and
//! enterprise users and chain roles (a chain owner here) reach no inspection.

use chainpark_core::access::Role;
use chainpark_core::parkops::safety::{
    FindingInput, FindingResult, HazardInput, HazardLevel, HazardStatus, InspectionInput,
    InspectionPlan, PlanInput, RecheckInput,
};
use chainpark_core::registry::{Id, OwnerKind, PostInput, PostRole};
use chainpark_core::workflow::alerts::AlertKind;
use chainpark_core::workflow::work_orders::{WorkOrderAction, WorkOrderStepInput};
use chainpark_store::safety::HazardFilter;
use chrono::{DateTime, TimeZone, Utc};

use crate::registry::{post_draft, zone};
use crate::scopes::scoped;
use crate::support::{Db, at, audited, conflict_field, day, system};

async fn fire_plan(db: &Db, park: Id) -> InspectionPlan {
    db.create_plan(
        &system(),
        PlanInput {
            park_id: park,
            building_id: None,
            title: "消防安全周检".into(),
            every_days: 7,
            starts_on: day("2026-06-01"),
            checklist: vec!["灭火器在有效期内".into(), "疏散通道畅通".into()],
        }
        .parse()
        .expect("a valid plan"),
        at(1),
    )
    .await
    .expect("plan")
}

/// An inspection of the plan at `when`: the first item passes, the second fails with a hazard of `level`.
async fn inspect(
    db: &Db,
    plan: &InspectionPlan,
    when: DateTime<Utc>,
    level: HazardLevel,
    working_days: Option<u32>,
) -> chainpark_core::parkops::safety::Inspection {
    let draft = InspectionInput {
        inspector: "王安全".into(),
        inspected_at: when,
        findings: vec![
            FindingInput {
                item_id: plan.checklist[0].id,
                result: FindingResult::Pass,
                note: String::new(),
                hazard: None,
            },
            FindingInput {
                item_id: plan.checklist[1].id,
                result: FindingResult::Fail,
                note: "二层通道堆放纸箱".into(),
                hazard: Some(HazardInput {
                    level,
                    description: "疏散通道被占用".into(),
                    working_days,
                }),
            },
        ],
    }
    .parse(plan, at(10))
    .expect("a valid inspection");
    db.record_inspection(&system(), draft, at(10))
        .await
        .expect("recorded")
}

fn step(action: WorkOrderAction, person: Option<Id>) -> WorkOrderStepInput {
    WorkOrderStepInput {
        action,
        note: String::new(),
        assignee_person_id: person,
        at: None,
        version: None,
    }
}

pub async fn a_failed_item_records_a_hazard_due_in_working_days(db: Db) {
    let z = zone(&db).await;
    let plan = fire_plan(&db, z.park).await;
    assert_eq!(plan.next_due_on, day("2026-06-01"));
    // Monday 2026-06-15, a major hazard: five working days, skipping the Dragon Boat holiday (19th to 21st).
    let done = inspect(&db, &plan, at(2), HazardLevel::Major, None).await;
    assert_eq!(done.findings.len(), 2);
    assert_eq!(done.findings[0].hazard_id, None);
    let hazard_id = done.findings[1].hazard_id.expect("a hazard");
    let detail = db.get_hazard(&system(), hazard_id).await.expect("hazard");
    assert_eq!(detail.hazard.found_on, day("2026-06-15"));
    assert_eq!(detail.hazard.deadline, day("2026-06-23"));
    assert_eq!(detail.hazard.status, HazardStatus::Open);
    assert_eq!(detail.item, "疏散通道畅通");
    let plan = db.get_plan(&system(), plan.id).await.expect("plan");
    assert_eq!(plan.last_done_on, Some(day("2026-06-15")));
    assert_eq!(plan.next_due_on, day("2026-06-22"));
    assert_eq!(audited(&db, "hazard", hazard_id).await, vec!["create"]);
    let counts = db
        .hazard_counts(&system(), z.park, day("2026-06-24"))
        .await
        .expect("counts");
    let major = counts
        .iter()
        .find(|c| c.level == Some(HazardLevel::Major))
        .expect("major");
    assert_eq!((major.open, major.overdue), (1, 1));
}

pub async fn a_hazard_closes_only_on_a_passed_recheck_after_its_work_order_is_done(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    // The person the work is assigned to serves the park.
    scoped(
        &db,
        Role::ParkStaff,
        PostInput {
            park_id: Some(z.park),
            ..post_draft(z.person, PostRole::ParkStaff)
        },
    )
    .await;
    let plan = fire_plan(&db, z.park).await;
    let done = inspect(&db, &plan, at(2), HazardLevel::Grave, None).await;
    let id = done.findings[1].hazard_id.expect("a hazard");
    let passed = |note: &str| RecheckInput {
        passed: true,
        note: note.into(),
        at: None,
    };
    let early = db.recheck_hazard(&admin, id, passed(""), None, at(3)).await;
    assert_eq!(conflict_field(early), "status");
    let (hazard, order) = db
        .open_hazard_work_order(&admin, id, None, at(3))
        .await
        .expect("work order");
    assert_eq!(hazard.status, HazardStatus::Rectifying);
    assert_eq!(hazard.work_order_id, Some(order.id));
    assert_eq!(order.park_id, z.park);
    let twice = db.open_hazard_work_order(&admin, id, None, at(3)).await;
    assert_eq!(conflict_field(twice), "status");
    let unfinished = db.recheck_hazard(&admin, id, passed(""), None, at(4)).await;
    assert_eq!(conflict_field(unfinished), "status");
    let finish = |order: Id, hour: u32| {
        let db = &db;
        let admin = &admin;
        async move {
            for action in [
                WorkOrderAction::Assign,
                WorkOrderAction::Start,
                WorkOrderAction::Finish,
            ] {
                let person = (action == WorkOrderAction::Assign).then_some(z.person);
                db.step_work_order(admin, order, step(action, person), at(hour), at(hour))
                    .await
                    .expect("step");
            }
        }
    };
    finish(order.id, 5).await;
    let failed = db
        .recheck_hazard(
            &admin,
            id,
            RecheckInput {
                passed: false,
                note: "纸箱仍在".into(),
                at: None,
            },
            Some(hazard.version),
            at(6),
        )
        .await
        .expect("re-checked");
    assert_eq!(failed.hazard.status, HazardStatus::Open);
    assert_eq!(failed.hazard.closed_at, None);
    let (_, second) = db
        .open_hazard_work_order(&admin, id, None, at(7))
        .await
        .expect("second work order");
    finish(second.id, 8).await;
    let closed = db
        .recheck_hazard(&admin, id, passed("已清理"), None, at(9))
        .await
        .expect("re-checked");
    assert_eq!(closed.hazard.status, HazardStatus::Closed);
    assert_eq!(closed.hazard.closed_at, Some(at(9)));
    assert_eq!(
        closed.rechecks.iter().map(|r| r.passed).collect::<Vec<_>>(),
        vec![false, true]
    );
    assert_eq!(
        audited(&db, "hazard", id).await,
        vec!["create", "work_order", "recheck", "work_order", "recheck"]
    );
    let open = db
        .list_hazards(
            &admin,
            &HazardFilter {
                park_id: Some(z.park),
                open: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert!(open.is_empty(), "{open:?}");
}

pub async fn an_overdue_hazard_alerts_the_park_chief_once(db: Db) {
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
    let plan = fire_plan(&db, z.park).await;
    // Found Monday 2026-06-01, two working days: due 2026-06-03, overdue on the test's day (2026-06-15).
    let found = Utc
        .with_ymd_and_hms(2026, 6, 1, 2, 0, 0)
        .single()
        .expect("an instant");
    let done = inspect(&db, &plan, found, HazardLevel::General, Some(2)).await;
    let id = done.findings[1].hazard_id.expect("a hazard");
    // One in time (found today, ten working days) raises nothing.
    inspect(&db, &plan, at(2), HazardLevel::General, None).await;
    let seen = db.alerts(&chief, at(4)).await.expect("alerts");
    let overdue: Vec<_> = seen
        .iter()
        .filter(|a| a.kind == AlertKind::HazardOverdue)
        .collect();
    assert_eq!(overdue.len(), 1, "{seen:?}");
    assert_eq!(
        (overdue[0].object_id, overdue[0].on),
        (id, day("2026-06-03"))
    );
    assert_eq!(overdue[0].href(), format!("/hazards/{id}"));
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
        foreign.iter().all(|a| a.kind != AlertKind::HazardOverdue),
        "{foreign:?}"
    );
}

pub async fn a_photo_is_kept_byte_for_byte_and_a_false_one_stores_nothing(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    let plan = fire_plan(&db, z.park).await;
    let done = inspect(&db, &plan, at(2), HazardLevel::General, None).await;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend((0..=255u8).cycle().take(70_000));
    let photo = db
        .add_photo(
            &admin,
            done.id,
            Some(plan.checklist[1].id),
            "image/png",
            png.clone(),
            at(3),
        )
        .await
        .expect("photo");
    assert_eq!(photo.size, png.len() as i64);
    let (info, bytes) = db.get_photo(&admin, photo.id).await.expect("read");
    assert_eq!((info.content_type.as_str(), bytes), ("image/png", png));
    let svg = db
        .add_photo(
            &admin,
            done.id,
            None,
            "image/png",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            at(3),
        )
        .await;
    assert!(svg.is_err(), "{svg:?}");
    let stored = db
        .get_inspection(&admin, done.id)
        .await
        .expect("inspection");
    assert_eq!(stored.photos.len(), 1);
}

pub async fn inspections_are_reached_by_the_parks_team_only(db: Db) {
    let z = zone(&db).await;
    let plan = fire_plan(&db, z.park).await;
    let done = inspect(&db, &plan, at(2), HazardLevel::General, None).await;
    let hazard = done.findings[1].hazard_id.expect("a hazard");
    let staff = scoped(
        &db,
        Role::ParkStaff,
        PostInput {
            park_id: Some(z.park),
            ..post_draft(z.person, PostRole::ParkStaff)
        },
    )
    .await;
    assert_eq!(db.list_plans(&staff, None).await.expect("plans").len(), 1);
    assert!(db.get_hazard(&staff, hazard).await.is_ok());
    let chain_chief = scoped(
        &db,
        Role::ChainOwner,
        PostInput {
            chain_id: Some(z.chain),
            owner_kind: Some(OwnerKind::Expert),
            ..post_draft(z.person, PostRole::ChainOwner)
        },
    )
    .await;
    assert!(
        db.list_plans(&chain_chief, None)
            .await
            .expect("plans")
            .is_empty()
    );
    assert!(db.get_hazard(&chain_chief, hazard).await.is_err());
    assert!(
        db.list_hazards(&chain_chief, &HazardFilter::default())
            .await
            .expect("hazards")
            .is_empty()
    );
    assert!(
        db.hazard_counts(&chain_chief, z.park, day("2026-06-15"))
            .await
            .is_err()
    );
}
