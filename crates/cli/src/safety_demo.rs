//! The demo's safety inspections, generated deterministically from the parks in the store (ordered by code) and
//! the clock's day: every park gets a weekly fire-safety plan (four checklist items) and a monthly plan for its
//! substation (three items), the first inspected four weeks and one week before the clock's day, the second four and
//! three weeks before. Four weeks ago the
//! fire inspection of every park found a general hazard (blocked escape route), rectified by a work order that
//! its park's staff did, and closed by a re-check that passed; three weeks ago every third park's substation
//! inspection found a major hazard still open (past its five working days: the park chief's overdue-hazard alert),
//! and a week ago every fifth park's fire inspection a grave one, being rectified now.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use chainpark_core::list::Paging;
use chainpark_core::parkops::safety::{
    FindingInput, FindingResult, HazardInput, HazardLevel, InspectionInput, InspectionPlan,
    PlanInput, RecheckInput,
};
use chainpark_core::registry::{Id, PostRole};
use chainpark_core::time::{Clock, china};
use chainpark_core::workflow::work_orders::{WorkOrderAction, WorkOrderStepInput};
use chainpark_store::prelude::*;
use chainpark_store::{Actor, ParkFilter, PostFilter};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

const FIRE: [&str; 4] = [
    "灭火器在有效期内、压力正常",
    "疏散通道与安全出口畅通",
    "应急照明与疏散指示完好",
    "消防控制室有人值守",
];
const SUBSTATION: [&str; 3] = [
    "配电柜接地良好、无异响",
    "电缆沟无积水、无杂物",
    "绝缘工具在检验期内",
];

/// 10:00 China time of `day`.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_hms_opt(10, 0, 0).unwrap_or_default();
    china()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

async fn inspect(
    store: &Arc<dyn Store>,
    actor: &Actor,
    plan: &InspectionPlan,
    at: DateTime<Utc>,
    failed: Option<(usize, HazardLevel, &str)>,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Id>> {
    let findings = plan
        .checklist
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let fails = failed.filter(|(index, _, _)| *index == i);
            FindingInput {
                item_id: item.id,
                result: if fails.is_some() {
                    FindingResult::Fail
                } else {
                    FindingResult::Pass
                },
                note: String::new(),
                hazard: fails.map(|(_, level, description)| HazardInput {
                    level,
                    description: description.to_string(),
                    working_days: None,
                }),
            }
        })
        .collect();
    let draft = InspectionInput {
        inspector: "园区安全员".into(),
        inspected_at: at,
        findings,
    }
    .parse(plan, now)
    .map_err(|e| anyhow::anyhow!("demo inspection: {e}"))?;
    let done = store.record_inspection(actor, draft, at).await?;
    Ok(done.findings.iter().find_map(|f| f.hazard_id))
}

/// Loads the demo's inspection plans, inspections and hazards; answers (plans, inspections, hazards) made.
pub async fn load_demo(
    store: &Arc<dyn Store>,
    clock: Clock,
) -> anyhow::Result<(usize, usize, usize)> {
    let actor = Actor::system("demo");
    let now = clock.now();
    let today = clock.today();
    let mut parks = store
        .list_parks(&actor, &ParkFilter::default(), &Paging::all())
        .await?
        .items;
    parks.sort_by(|a, b| a.code.cmp(&b.code));
    let mut staff: HashMap<Id, Id> = HashMap::new();
    let filter = PostFilter {
        role: Some(PostRole::ParkStaff),
        on: Some(today),
        ..Default::default()
    };
    for post in store
        .list_posts(&actor, &filter, &Paging::all())
        .await?
        .items
    {
        if let Some(park) = post.park_id {
            staff.entry(park).or_insert(post.person_id);
        }
    }
    let (mut plans, mut inspections, mut hazards) = (0, 0, 0);
    let four_weeks = today - Duration::days(28);
    let one_week = today - Duration::days(7);
    for (i, park) in parks.iter().enumerate() {
        let plan = |title: &str, every_days: i32, items: &[&str]| PlanInput {
            park_id: park.id,
            building_id: None,
            title: title.into(),
            every_days,
            starts_on: four_weeks,
            checklist: items.iter().map(|s| s.to_string()).collect(),
        };
        let fire = store
            .create_plan(
                &actor,
                plan("消防安全周检", 7, &FIRE)
                    .parse()
                    .map_err(|e| anyhow::anyhow!("demo plan: {e}"))?,
                morning(four_weeks),
            )
            .await
            .with_context(|| format!("the fire-safety plan of park {}", park.code))?;
        let power = store
            .create_plan(
                &actor,
                plan("变配电房月检", 30, &SUBSTATION)
                    .parse()
                    .map_err(|e| anyhow::anyhow!("demo plan: {e}"))?,
                morning(four_weeks),
            )
            .await?;
        plans += 2;
        // Four weeks ago: a blocked escape route, rectified and closed.
        let found = morning(four_weeks);
        if let Some(hazard) = inspect(
            store,
            &actor,
            &fire,
            found,
            Some((1, HazardLevel::General, "二层东侧疏散通道堆放纸箱")),
            now,
        )
        .await?
        {
            hazards += 1;
            let (_, order) = store
                .open_hazard_work_order(&actor, hazard, staff.get(&park.id).copied(), found)
                .await?;
            if order.assignee.is_some() {
                for (action, days) in [(WorkOrderAction::Start, 1), (WorkOrderAction::Finish, 2)] {
                    let at = found + Duration::days(days);
                    let step = WorkOrderStepInput {
                        action,
                        note: String::new(),
                        assignee_person_id: None,
                        at: Some(at),
                        version: None,
                    };
                    store
                        .step_work_order(&actor, order.id, step, at, now)
                        .await?;
                }
                let recheck = RecheckInput {
                    passed: true,
                    note: "通道已清空".into(),
                    at: None,
                };
                store
                    .recheck_hazard(&actor, hazard, recheck, None, found + Duration::days(3))
                    .await?;
            }
        }
        inspect(store, &actor, &power, found, None, now).await?;
        inspections += 2;
        // A week ago: the weekly round, and the substation of every third park with a major hazard left open.
        let recent = morning(one_week);
        let grave = (i % 5 == 0).then_some((2, HazardLevel::Grave, "应急照明蓄电池失效"));
        if let Some(hazard) = inspect(store, &actor, &fire, recent, grave, now).await? {
            hazards += 1;
            store
                .open_hazard_work_order(&actor, hazard, staff.get(&park.id).copied(), recent)
                .await?;
        }
        let major = (i % 3 == 0).then_some((1, HazardLevel::Major, "电缆沟积水约二十厘米"));
        let three_weeks = morning(today - Duration::days(21));
        if inspect(store, &actor, &power, three_weeks, major, now)
            .await?
            .is_some()
        {
            hazards += 1;
        }
        inspections += 2;
    }
    Ok((plans, inspections, hazards))
}
