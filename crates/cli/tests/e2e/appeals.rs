//! Enterprise appeals on every engine: working-day deadlines over the National Day holiday, routing, the closed
//! loop with its rules, escalation, the on-time rate and the export.

use crate::common;
use crate::workflow_common::zone;
use chainpark_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestApp, bad_fields};

async fn file(app: &TestApp, body: Value) -> Value {
    app.create("/api/v1/appeals", body).await
}

async fn step(app: &TestApp, id: i64, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/appeals/{id}/steps"), body).await
}

#[tokio::test]
async fn overdue_appeal_escalates_on_next_working_day_after_national_day() {
    for app in common::apps().await {
        let z = zone(&app).await;
        // Filed on Thursday 2021-09-30 (10:00 in Chongqing), a policy question: reply within 2 working days.
        let appeal = file(&app, json!({"enterprise_id": z.firm, "category": "policy", "title": "研发费用加计扣除政策咨询",
            "received_at": "2021-09-30T02:00:00Z"})).await;
        let id = appeal["id"].as_i64().expect("id");
        assert_eq!(appeal["limit_days"], 2, "[{}]", app.engine);
        assert_eq!(appeal["received_on"], "2021-09-30");
        // National Day 10-01..10-07 is off; Friday 10-08 and the make-up Saturday 10-09 are working days.
        assert_eq!(appeal["reply_due"], "2021-10-09", "[{}]", app.engine);
        assert_eq!(
            appeal["handler"]["id"], z.task_force,
            "routed to the chain's task force"
        );
        let (status, _) = step(
            &app,
            id,
            json!({"action": "accept", "at": "2021-09-30T03:00:00Z"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);

        let (_, on_due_day) = app
            .get(&format!("/api/v1/appeals/{id}?as_of=2021-10-09"))
            .await;
        assert_eq!(
            on_due_day["overdue"],
            Value::Null,
            "[{}] due at the end of 10-09",
            app.engine
        );
        let (_, next_day) = app
            .get(&format!("/api/v1/appeals/{id}?as_of=2021-10-10"))
            .await;
        assert_eq!(
            next_day["overdue"], "reply",
            "[{}] overdue from 10-10",
            app.engine
        );

        let (status, run) = app
            .post("/api/v1/escalations", json!({"as_of": "2021-10-09"}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {run}", app.engine);
        assert_eq!(
            run["appeals"],
            json!([]),
            "[{}] nothing to escalate on the due day",
            app.engine
        );
        let (_, run) = app
            .post("/api/v1/escalations", json!({"as_of": "2021-10-10"}))
            .await;
        assert_eq!(run["appeals"][0]["id"], id, "[{}] {run}", app.engine);
        assert_eq!(
            run["appeals"][0]["to"]["id"], z.chain_chief,
            "escalated to the chain chief"
        );
        let (_, escalated) = app
            .get(&format!("/api/v1/appeals/{id}?as_of=2021-10-10"))
            .await;
        assert_eq!(escalated["escalated_to"]["id"], z.chain_chief);
        let at = escalated["escalated_at"].as_str().expect("escalated_at");
        assert!(
            at.starts_with("2021-10-09T16:00:00"),
            "[{}] from the start of 10-10 in Chongqing: {at}",
            app.engine
        );
        // Running again escalates nothing twice.
        let (_, again) = app
            .post("/api/v1/escalations", json!({"as_of": "2021-10-11"}))
            .await;
        assert_eq!(again["appeals"], json!([]));

        let (_, overdue) = app
            .get("/api/v1/appeals?overdue=true&as_of=2021-10-10")
            .await;
        assert_eq!(overdue["total"], 1);
        let (_, rate) = app
            .get("/api/v1/appeals/on-time-rate?as_of=2021-10-10")
            .await;
        assert_eq!(
            rate["open_overdue"], 1,
            "[{}] an open overdue case counts against the rate",
            app.engine
        );
        assert_eq!(rate["rate_percent"], 0.0);
    }
}

#[tokio::test]
async fn enterprise_files_officer_handles_and_enterprise_rates_in_a_closed_loop() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let firm = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let officer = app
            .as_account("tf.user", Role::ChainTaskForce, Some(z.task_force))
            .await;
        let appeal = file(&firm, json!({"enterprise_id": z.firm, "category": "supply_chain", "title": "寻找本地电芯隔膜供应商",
            "description": "希望对接链上隔膜企业"})).await;
        let id = appeal["id"].as_i64().expect("id");
        assert_eq!(appeal["status"], "submitted");
        assert_eq!(appeal["handler"]["id"], z.task_force, "[{}]", app.engine);

        // The enterprise cannot work its own case, and closing needs a reply first.
        let (status, _) = step(&firm, id, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        assert_eq!(
            step(&officer, id, json!({"action": "accept"})).await.0,
            StatusCode::OK
        );
        let (status, problem) =
            step(&officer, id, json!({"action": "close", "note": "已办"})).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), ["action"]);
        let (_, unchanged) = officer.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(unchanged["status"], "accepted", "nothing changed");

        assert_eq!(
            step(&officer, id, json!({"action": "handle"})).await.0,
            StatusCode::OK
        );
        let (status, replied) = step(
            &officer,
            id,
            json!({"action": "reply", "note": "已对接两家隔膜企业，见面会定于下周"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{replied}");
        assert_eq!(replied["status"], "replied");

        // Not satisfied: the rating is recorded once and the case waits for the call-back; a second rating of
        // the same answer is refused. Closed after the call-back, the enterprise re-opens it within the window,
        // and the new answer is rated (once) again.
        let (_, rated) = step(
            &firm,
            id,
            json!({"action": "rate", "satisfied": false, "rating": 2, "note": "只给了名单"}),
        )
        .await;
        assert_eq!(rated["status"], "replied", "[{}] {rated}", app.engine);
        assert_eq!(rated["rating"], 2);
        let (status, problem) = step(
            &firm,
            id,
            json!({"action": "rate", "satisfied": true, "rating": 5}),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), ["action"]);
        let (_, closed) = step(
            &officer,
            id,
            json!({"action": "close", "note": "回访：企业希望促成送检"}),
        )
        .await;
        assert_eq!(closed["status"], "closed", "[{}] {closed}", app.engine);
        assert_eq!(
            closed["reopen_until"], "2026-06-23",
            "five working days after 06-15, Dragon Boat skipped"
        );
        let (status, _) = step(
            &officer,
            id,
            json!({"action": "reopen", "note": "officers do not re-open"}),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "[{}] only the enterprise re-opens",
            app.engine
        );
        let (_, reopened) = step(
            &firm,
            id,
            json!({"action": "reopen", "note": "只给了名单，仍未对接"}),
        )
        .await;
        assert_eq!(
            reopened["status"], "handling",
            "[{}] {reopened}",
            app.engine
        );
        assert_eq!(reopened["reopen_count"], 1);
        assert_eq!(
            reopened["rating"],
            Value::Null,
            "the new answer is rated afresh"
        );
        step(
            &officer,
            id,
            json!({"action": "reply", "note": "已促成样品送检"}),
        )
        .await;
        let (_, closed) = step(
            &firm,
            id,
            json!({"action": "rate", "satisfied": true, "rating": 5}),
        )
        .await;
        assert_eq!(closed["status"], "closed", "[{}] {closed}", app.engine);
        assert_eq!(closed["rating"], 5);

        let (_, history) = firm.get(&format!("/api/v1/appeals/{id}/steps")).await;
        let actions: Vec<&str> = history
            .as_array()
            .expect("steps")
            .iter()
            .filter_map(|s| s["action"].as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "file", "accept", "handle", "reply", "rate", "close", "reopen", "reply", "rate"
            ]
        );
        let (_, audit) = app
            .get(&format!("/api/v1/audit?object_kind=appeal&object_id={id}"))
            .await;
        assert_eq!(audit["total"], 9, "[{}] every change audited", app.engine);
    }
}

#[tokio::test]
async fn enterprise_cannot_file_for_an_enterprise_it_does_not_represent() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let firm = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let (status, _) = firm
            .post(
                "/api/v1/appeals",
                json!({"enterprise_id": z.other_firm, "category": "land", "title": "用地"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (_, list) = app.get("/api/v1/appeals").await;
        assert_eq!(list["total"], 0, "nothing written");
    }
}

#[tokio::test]
async fn foreign_appeal_is_not_found_for_another_chains_task_force() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let appeal = file(
            &app,
            json!({"enterprise_id": z.firm, "category": "talent", "title": "技工招聘"}),
        )
        .await;
        let id = appeal["id"].as_i64().expect("id");
        let stranger = app
            .as_account("ic.tf", Role::ChainTaskForce, Some(z.other_task_force))
            .await;
        let (status, _) = stranger.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
        let (_, list) = stranger.get("/api/v1/appeals").await;
        assert_eq!(list["total"], 0);
        let park = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (status, _) = park.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] the firm's park chief sees it",
            app.engine
        );
        let leader = app.as_account("leader", Role::Leader, None).await;
        let (status, _) = leader
            .post(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "land", "title": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "leaders read only");
    }
}

#[tokio::test]
async fn routing_rule_sends_a_parks_land_appeals_to_its_chief_and_a_rule_to_nobody_is_refused() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let rule = app
            .create(
                "/api/v1/appeal-rules",
                json!({"category": "land", "park_id": z.f.park, "target": "park_chief"}),
            )
            .await;
        assert_eq!(rule["target"], "park_chief");
        let appeal = file(
            &app,
            json!({"enterprise_id": z.firm, "category": "land", "title": "扩建用地指标"}),
        )
        .await;
        assert_eq!(appeal["handler"]["id"], z.park_chief, "[{}]", app.engine);
        assert_eq!(appeal["rule_id"], rule["id"]);
        let (_, inbox) = app.get("/api/v1/appeal-rules").await;
        assert_eq!(inbox["total"], 1);

        // Nobody serves on the other chain's... chief post: a rule to it reaches nobody.
        let (status, problem) = app
            .post("/api/v1/appeal-rules", json!({"category": "finance", "chain_id": z.f.other_chain, "target": "chain_chief"}))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), ["target"]);
        let (status, problem) = app
            .post(
                "/api/v1/appeal-rules",
                json!({"category": "finance", "target": "person"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad_fields(&problem), ["person_id"]);
        let (_, rules) = app.get("/api/v1/appeal-rules").await;
        assert_eq!(rules["total"], 1, "nothing written");
    }
}

#[tokio::test]
async fn appeal_list_exports_everything_the_filter_selects() {
    for app in common::apps().await {
        let z = zone(&app).await;
        for i in 0..3 {
            file(&app, json!({"enterprise_id": z.firm, "category": "utilities", "title": format!("停电报修 {i}")})).await;
        }
        file(
            &app,
            json!({"enterprise_id": z.firm, "category": "talent", "title": "招聘"}),
        )
        .await;
        let response = app
            .client
            .get(format!(
                "{}/api/v1/appeals/export?category=utilities&limit=1",
                app.base
            ))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.expect("text");
        assert_eq!(
            text.lines().count(),
            4,
            "[{}] header and all three rows, not one page: {text}",
            app.engine
        );
        assert!(text.contains("停电报修 2"));
        let response = app
            .client
            .get(format!("{}/api/v1/appeals/export?format=xlsx", app.base))
            .send()
            .await
            .expect("answered");
        let bytes = response.bytes().await.expect("bytes");
        assert_eq!(&bytes[..2], b"PK", "an XLSX workbook is a zip");
    }
}

#[tokio::test]
async fn appeal_is_assigned_only_to_someone_who_answers_for_its_chain_or_park() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let appeal = file(
            &app,
            json!({"enterprise_id": z.firm, "category": "talent", "title": "技工招聘"}),
        )
        .await;
        let id = appeal["id"].as_i64().expect("id");
        step(&app, id, json!({"action": "accept"})).await;
        let (status, problem) = step(
            &app,
            id,
            json!({"action": "assign", "assignee_person_id": z.other_task_force}),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] another chain's officer: {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), ["assignee_person_id"]);
        let (status, assigned) = step(
            &app,
            id,
            json!({"action": "assign", "assignee_person_id": z.park_staff}),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] the firm's park staff: {assigned}",
            app.engine
        );
        assert_eq!(assigned["assignee"]["id"], z.park_staff);
        let staff = app
            .as_account("park.staff", Role::ParkStaff, Some(z.park_staff))
            .await;
        let (_, inbox) = staff.get("/api/v1/inbox/counts").await;
        assert_eq!(inbox["unread_by_kind"]["appeal_assigned"], 1, "{inbox}");
        assert_eq!(
            step(&staff, id, json!({"action": "handle"})).await.0,
            StatusCode::OK,
            "the assignee acts"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_steps_of_one_appeal_let_exactly_one_pass_and_the_others_get_409() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let appeal = file(
            &app,
            json!({"enterprise_id": z.firm, "category": "policy", "title": "人才公寓申请",
            "received_at": "2026-06-15T02:00:00Z"}),
        )
        .await;
        let id = appeal["id"].as_i64().expect("id");
        let version = appeal["version"].as_i64().expect("version");
        let path = format!("/api/v1/appeals/{id}/steps");

        // Fifty officers accept the appeal they all saw at the same version: one step is written.
        let bodies =
            vec![json!({"action": "accept", "at": "2026-06-15T03:00:00Z", "version": version}); 50];
        let answers = common::post_all_at_once(&app, &path, bodies).await;
        assert_eq!(
            common::count_statuses(&answers),
            [(200, 1), (409, 49)].into(),
            "[{}] {answers:?}",
            app.engine
        );
        for (status, problem) in &answers {
            if *status == StatusCode::CONFLICT {
                assert_eq!(
                    bad_fields(problem),
                    ["version"],
                    "[{}] {problem}",
                    app.engine
                );
            }
        }

        // Without a version, fifty assignments at once are judged on the appeal as each finds it, but two never
        // pass on the same state: each written step moved the version by one.
        let (_, accepted) = app.get(&format!("/api/v1/appeals/{id}")).await;
        let bodies = vec![
            json!({"action": "assign", "assignee_person_id": z.task_force, "at": "2026-06-15T04:00:00Z"});
            50
        ];
        let answers = common::post_all_at_once(&app, &path, bodies).await;
        let passed = answers
            .iter()
            .filter(|(status, _)| *status == StatusCode::OK)
            .count();
        assert!(
            answers
                .iter()
                .all(|(status, _)| *status == StatusCode::OK || *status == StatusCode::CONFLICT),
            "[{}] {answers:?}",
            app.engine
        );
        let (_, after) = app.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(
            after["version"].as_i64(),
            accepted["version"].as_i64().map(|v| v + passed as i64),
            "[{}] {after}",
            app.engine
        );
        let (_, history) = app.get(&format!("/api/v1/appeals/{id}/steps")).await;
        let count = |action: &str| {
            history
                .as_array()
                .map(|steps| steps.iter().filter(|s| s["action"] == action).count())
                .unwrap_or(0)
        };
        assert_eq!(count("accept"), 1, "[{}] {history}", app.engine);
        assert_eq!(count("assign"), passed, "[{}] {history}", app.engine);
    }
}

#[tokio::test]
async fn an_escalation_as_of_a_future_day_is_refused_and_escalates_nothing() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let appeal = file(
            &app,
            json!({"enterprise_id": z.firm, "category": "policy", "title": "政策咨询",
            "received_at": "2026-06-15T02:00:00Z"}),
        )
        .await;
        let id = appeal["id"].as_i64().expect("id");
        let (status, problem) = app
            .post("/api/v1/escalations", json!({"as_of": "9999-12-31"}))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), ["as_of"]);
        let (_, unchanged) = app.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(
            unchanged["escalated_at"],
            Value::Null,
            "[{}] {unchanged}",
            app.engine
        );
        assert_eq!(unchanged["version"], appeal["version"], "[{}]", app.engine);
    }
}
