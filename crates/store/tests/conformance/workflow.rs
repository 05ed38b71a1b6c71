//! Appeals and work orders through the store: the closed loop, each step one version; a step decided on a stale
//! version loses (409 on `version`) and a refused step changes nothing.

use chainpark_core::registry::{PostInput, PostRole};
use chainpark_core::workflow::appeals::{
    Appeal, AppealCategory, AppealInput, AppealStatus, AppealStep, Urgency,
};
use chainpark_core::workflow::work_orders::{
    WorkOrderAction, WorkOrderInput, WorkOrderKind, WorkOrderStatus, WorkOrderStepInput,
    WorkOrderUrgency,
};
use chainpark_store::*;

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
        at(10),
    )
    .await
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
