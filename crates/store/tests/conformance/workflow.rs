//! Appeals and work orders through the store: the closed loop, each step one version; a step decided on a stale
//! version loses (409 on `version`) and a refused step changes nothing.

use chainpark_core::registry::{PostInput, PostRole};
use chainpark_core::workflow::appeals::{
    Appeal, AppealCategory, AppealInput, AppealRules, AppealStatus, AppealStep, Urgency,
};
use chainpark_core::workflow::work_orders::{
    WorkOrderAction, WorkOrderInput, WorkOrderKind, WorkOrderStatus, WorkOrderStepInput,
    WorkOrderUrgency,
};
use chainpark_store::*;
use chrono::{DateTime, TimeZone, Utc};

use crate::registry::{Zone, post_draft, zone};
use crate::support::{Db, at, conflict_field, day, invalid_fields, system};

async fn file(db: &Db, z: &Zone) -> Appeal {
    let draft = AppealInput {
        enterprise_id: z.firm,
        category: AppealCategory::Permits,
        urgency: Urgency::Normal,
        title: "环评批复".into(),
        description: String::new(),
        received_at: None,
    }
    .parse()
    .expect("a valid appeal");
    db.file_appeal(&system(), draft, at(2), at(10))
        .await
        .expect("filed")
}

async fn step(
    db: &Db,
    appeal: &Appeal,
    step: AppealStep,
    note: &str,
    hour: u32,
    version: Option<i64>,
) -> Result<Appeal> {
    db.step_appeal(
        &system(),
        appeal.id,
        step,
        note.into(),
        at(hour),
        version,
        AppealRules::default(),
        at(10),
    )
    .await
}

/// A step at an instant after the test's day (noon China time on `on`), as the clock stands then.
async fn step_on(
    db: &Db,
    appeal: &Appeal,
    step: AppealStep,
    note: &str,
    on: &str,
) -> Result<Appeal> {
    let when: DateTime<Utc> = Utc
        .from_local_datetime(&day(on).and_hms_opt(4, 0, 0).expect("noon in China"))
        .single()
        .expect("an instant");
    db.step_appeal(
        &system(),
        appeal.id,
        step,
        note.into(),
        when,
        None,
        AppealRules::default(),
        when,
    )
    .await
}

/// Filed, accepted, handled and replied to on 2026-06-15.
async fn replied(db: &Db, z: &Zone) -> Appeal {
    let mut appeal = file(db, z).await;
    let steps = [
        AppealStep::Accept { complex: false },
        AppealStep::Handle,
        AppealStep::Reply {
            text: "已批复".into(),
        },
    ];
    for (hour, next) in (3..).zip(steps) {
        appeal = step(db, &appeal, next, "已批复", hour, None)
            .await
            .expect("the step is taken");
    }
    appeal
}

pub async fn an_appeal_is_rated_once(db: Db) {
    let z = zone(&db).await;
    let appeal = replied(&db, &z).await;
    let rate = |rating| AppealStep::Rate {
        satisfied: true,
        rating,
    };
    let rated = step(&db, &appeal, rate(4), "", 7, None)
        .await
        .expect("rated");
    assert_eq!(
        (rated.status, rated.rating),
        (AppealStatus::Closed, Some(4))
    );
    let again = step(&db, &rated, rate(1), "", 8, None).await;
    assert_eq!(invalid_fields(again), ["action"]);
    let stored = current(&db, &rated).await;
    assert_eq!(
        (stored.rating, stored.version),
        (Some(4), rated.version),
        "the second rating changed nothing"
    );
}

pub async fn a_closed_appeal_is_reopened_only_within_the_configured_working_days(db: Db) {
    let z = zone(&db).await;
    let appeal = replied(&db, &z).await;
    let closed = step(
        &db,
        &appeal,
        AppealStep::Close {
            note: "回访满意".into(),
        },
        "回访满意",
        7,
        None,
    )
    .await
    .expect("closed");
    // Closed Monday 2026-06-15; five working days skip the Dragon Boat Festival (06-19..06-21).
    assert_eq!(closed.reopen_until, Some(day("2026-06-23")));
    let reopen = || AppealStep::Reopen {
        reason: "仍未解决".into(),
    };
    let late = step_on(&db, &closed, reopen(), "仍未解决", "2026-06-24").await;
    assert_eq!(invalid_fields(late), ["action"]);
    assert_eq!(current(&db, &closed).await.status, AppealStatus::Closed);
    let reopened = step_on(&db, &closed, reopen(), "仍未解决", "2026-06-23")
        .await
        .expect("re-opened on the last day");
    assert_eq!(
        (
            reopened.status,
            reopened.reopen_count,
            reopened.reopen_until,
            reopened.closed_at
        ),
        (AppealStatus::Handling, 1, None, None)
    );
    let history = db
        .appeal_steps(&system(), closed.id)
        .await
        .expect("history");
    let last = history.last().expect("a step");
    assert_eq!(
        (last.action.as_str(), last.note.as_str()),
        ("reopen", "仍未解决")
    );
}

pub async fn an_assignment_names_the_assignee_in_the_history(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    let staff = PostInput {
        park_id: Some(z.park),
        ..post_draft(z.person, PostRole::ParkStaff)
    };
    db.create_post(&admin, staff.parse().expect("valid"))
        .await
        .expect("post");
    let filed = file(&db, &z).await;
    let accepted = step(
        &db,
        &filed,
        AppealStep::Accept { complex: false },
        "",
        3,
        None,
    )
    .await
    .expect("accepted");
    let assigned = step(
        &db,
        &accepted,
        AppealStep::Assign {
            person_id: z.person,
        },
        "请跟进",
        4,
        None,
    )
    .await
    .expect("assigned");
    assert_eq!(assigned.assignee.as_ref().map(|p| p.id), Some(z.person));
    let person = db.get_person(&admin, z.person).await.expect("person");
    let history = db.appeal_steps(&admin, filed.id).await.expect("history");
    let last = history.last().expect("a step");
    assert_eq!(
        (
            last.action.as_str(),
            last.person_id,
            last.person_name.as_deref()
        ),
        ("assign", Some(z.person), Some(person.name.as_str()))
    );
}

async fn current(db: &Db, appeal: &Appeal) -> Appeal {
    db.get_appeal(&system(), appeal.id, day("2026-06-15"))
        .await
        .expect("read")
}

pub async fn an_appeal_runs_its_closed_loop_with_a_version_per_step(db: Db) {
    let z = zone(&db).await;
    let mut appeal = file(&db, &z).await;
    assert_eq!(appeal.status, AppealStatus::Submitted);
    let steps = [
        (
            AppealStep::Accept { complex: false },
            "",
            AppealStatus::Accepted,
        ),
        (AppealStep::Handle, "", AppealStatus::Handling),
        (
            AppealStep::Reply {
                text: "已批复".into(),
            },
            "已批复",
            AppealStatus::Replied,
        ),
        (
            AppealStep::Close {
                note: "回访满意".into(),
            },
            "回访满意",
            AppealStatus::Closed,
        ),
    ];
    for (hour, (next, note, status)) in (3..).zip(steps) {
        let version = appeal.version;
        appeal = step(&db, &appeal, next, note, hour, Some(version))
            .await
            .expect("the step is taken");
        assert_eq!(appeal.status, status);
        assert_eq!(appeal.version, version + 1, "{status}");
    }
    let stored = current(&db, &appeal).await;
    assert_eq!(
        (stored.status, stored.reply.as_str()),
        (AppealStatus::Closed, "已批复")
    );
    assert_eq!(stored.version, appeal.version);
}

pub async fn an_appeal_step_on_a_stale_version_loses(db: Db) {
    let z = zone(&db).await;
    let filed = file(&db, &z).await;
    let accepted = step(
        &db,
        &filed,
        AppealStep::Accept { complex: false },
        "",
        3,
        Some(filed.version),
    )
    .await
    .expect("accepted");
    let stale = step(&db, &filed, AppealStep::Handle, "", 4, Some(filed.version)).await;
    assert_eq!(conflict_field(stale), "version");
    let stored = current(&db, &filed).await;
    assert_eq!(
        (stored.status, stored.version),
        (AppealStatus::Accepted, accepted.version),
        "the losing step changed nothing"
    );
}

pub async fn a_work_order_step_on_a_stale_version_loses(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    let staff = PostInput {
        park_id: Some(z.park),
        ..post_draft(z.person, PostRole::ParkStaff)
    };
    db.create_post(&admin, staff.parse().expect("valid"))
        .await
        .expect("post");
    let draft = WorkOrderInput {
        park_id: z.park,
        facility: "3号厂房".into(),
        kind: WorkOrderKind::Repair,
        urgency: WorkOrderUrgency::Routine,
        title: "屋面漏水".into(),
        description: String::new(),
        limit: None,
        assignee_person_id: None,
        created_at: None,
    }
    .parse()
    .expect("a valid work order");
    let order = db
        .create_work_order(&admin, draft, at(2), at(10))
        .await
        .expect("opened");
    assert_eq!(order.status, WorkOrderStatus::Open);
    let take = |action, version| WorkOrderStepInput {
        action,
        note: String::new(),
        assignee_person_id: Some(z.person),
        at: None,
        version: Some(version),
    };
    let assigned = db
        .step_work_order(
            &admin,
            order.id,
            take(WorkOrderAction::Assign, order.version),
            at(3),
            at(10),
        )
        .await
        .expect("assigned");
    assert_eq!(
        (assigned.status, assigned.version),
        (WorkOrderStatus::Assigned, order.version + 1)
    );
    let stale = db
        .step_work_order(
            &admin,
            order.id,
            take(WorkOrderAction::Start, order.version),
            at(4),
            at(10),
        )
        .await;
    assert_eq!(conflict_field(stale), "version");
    let stored = db
        .get_work_order(&admin, order.id, at(10))
        .await
        .expect("read");
    assert_eq!(
        (stored.status, stored.version),
        (WorkOrderStatus::Assigned, assigned.version)
    );
}

pub async fn a_refused_step_changes_nothing(db: Db) {
    let z = zone(&db).await;
    let filed = file(&db, &z).await;
    let early = step(
        &db,
        &filed,
        AppealStep::Reply {
            text: "已办".into(),
        },
        "已办",
        3,
        None,
    )
    .await;
    assert_eq!(invalid_fields(early), ["action"]);
    let stored = current(&db, &filed).await;
    assert_eq!(
        (stored.status, stored.version, stored.reply.as_str()),
        (AppealStatus::Submitted, filed.version, "")
    );
}
