//! Key projects on every engine: stage order, scope, signing events, milestones and the figures.

use crate::common;
use crate::workflow_common::zone;
use chainpark_core::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::bad_fields;

#[tokio::test]
async fn stage_date_before_the_previous_stage_is_refused_and_nothing_is_written() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let (status, problem) = app
            .post(
                "/api/v1/projects",
                json!({"name": "动力电池二期", "investor": "长程电池", "chain_id": z.f.chain,
                "stages": {"signed_on": "2021-08-18", "started_on": "2021-08-01"}}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), ["stages.started_on"]);
        let (_, list) = app.get("/api/v1/projects").await;
        assert_eq!(list["total"], 0);
    }
}

#[tokio::test]
async fn project_moves_forward_through_its_stages_only() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let project = app
            .create("/api/v1/projects", json!({"name": "智能座舱研发中心", "investor": "某汽车集团", "chain_id": z.f.chain,
                "segment_id": z.f.child_segment, "park_id": z.f.park, "chief_person_id": z.chain_chief, "planned_investment": 200000,
                "stages": {"lead_on": "2021-03-01", "negotiation_on": "2021-05-10"}}))
            .await;
        let id = project["id"].as_i64().expect("id");
        assert_eq!(project["stage"], "negotiation");
        let path = format!("/api/v1/projects/{id}/stage");
        let (status, problem) = app
            .post(&path, json!({"stage": "started", "on": "2021-09-01"}))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] started before signed: {problem}",
            app.engine
        );
        let (status, signed) = app
            .post(&path, json!({"stage": "signed", "on": "2021-08-18"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{signed}");
        assert_eq!(signed["stage"], "signed");
        let (status, problem) = app
            .post(&path, json!({"stage": "started", "on": "2021-08-10"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad_fields(&problem), ["on"]);
        let (status, _) = app
            .post(&path, json!({"stage": "visit", "on": "2021-09-10"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no going back");
        let (_, started) = app
            .post(&path, json!({"stage": "started", "on": "2021-09-28"}))
            .await;
        assert_eq!(started["stage"], "started", "[{}] {started}", app.engine);
        assert_eq!(started["stages"]["started_on"], "2021-09-28");

        app.post(
            &format!("/api/v1/projects/{id}/investments"),
            json!({"year": 2021, "amount": 100000}),
        )
        .await;
        for (month, amount) in [("2021-08", 20000), ("2021-09", 30000), ("2021-10", 40000)] {
            let (status, p) = app
                .post(
                    &format!("/api/v1/projects/{id}/investments"),
                    json!({"month": month, "amount": amount}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{p}");
        }
        let (_, figures) = app
            .get("/api/v1/projects/figures?by=chain&as_of=2021-09-30")
            .await;
        let row = &figures[0];
        assert_eq!(row["key"], z.f.chain, "[{}] {figures}", app.engine);
        assert_eq!(
            (row["signed"].as_i64(), row["started"].as_i64()),
            (Some(1), Some(1))
        );
        assert_eq!(row["start_rate_percent"], 100.0);
        assert_eq!(
            row["completed_year"], 50000,
            "investment up to September only"
        );
        assert_eq!(row["plan_completion_percent"], 50.0);
        assert_eq!(row["time_progress_percent"], 75.0);
        assert_eq!(row["behind_schedule"], true);
        let (_, audit) = app
            .get(&format!("/api/v1/audit?object_kind=project&object_id={id}"))
            .await;
        assert!(
            audit["total"].as_i64().unwrap_or(0) >= 7,
            "every change audited: {audit}"
        );
    }
}

#[tokio::test]
async fn chain_chief_edits_own_chains_projects_and_cannot_see_another_chains() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let chief = app
            .as_account("auto.chief", Role::ChainChief, Some(z.chain_chief))
            .await;
        let own = chief
            .create(
                "/api/v1/projects",
                json!({"name": "电驱系统项目", "investor": "某电机公司", "chain_id": z.f.chain}),
            )
            .await;
        let (status, _) = chief
            .post(
                "/api/v1/projects",
                json!({"name": "晶圆项目", "investor": "某芯片公司", "chain_id": z.f.other_chain}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let foreign = app
            .create(
                "/api/v1/projects",
                json!({"name": "晶圆项目", "investor": "某芯片公司", "chain_id": z.f.other_chain}),
            )
            .await;
        let (status, _) = chief
            .get(&format!("/api/v1/projects/{}", foreign["id"]))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
        let (_, list) = chief.get("/api/v1/projects").await;
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["id"], own["id"]);
        let firm = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let (_, none) = firm.get("/api/v1/projects").await;
        assert_eq!(none["total"], 0, "enterprises see no projects");
    }
}

#[tokio::test]
async fn signing_event_counts_its_projects_and_milestones_go_overdue() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let event = app
            .create("/api/v1/signing-events", json!({"name": "2021智博会开幕式签约", "name_en": "Smart China Expo 2021 opening", "held_on": "2021-08-23"}))
            .await;
        let event_id = event["id"].as_i64().expect("id");
        for (name, amount) in [
            ("两江国际汽车研发基地", 300000),
            ("工业互联网智能产业总部", 100000),
        ] {
            app.create(
                "/api/v1/projects",
                json!({"name": name, "investor": "x", "chain_id": z.f.chain, "event_id": event_id,
                "contracted_investment": amount, "stages": {"signed_on": "2021-08-23"}}),
            )
            .await;
        }
        let (status, problem) = app
            .post("/api/v1/projects", json!({"name": "无签约日", "investor": "x", "chain_id": z.f.chain, "event_id": event_id}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (_, event) = app.get(&format!("/api/v1/signing-events/{event_id}")).await;
        assert_eq!(event["project_count"], 2, "[{}] {event}", app.engine);
        assert_eq!(event["contracted_investment"], 400000);

        let (_, projects) = app
            .get(&format!("/api/v1/projects?event_id={event_id}"))
            .await;
        let project = projects["items"][0]["id"].as_i64().expect("id");
        let milestone = app
            .create(
                &format!("/api/v1/projects/{project}/milestones"),
                json!({"name": "完成土地摘牌", "due_on": "2021-10-15"}),
            )
            .await;
        let (_, due) = app
            .get("/api/v1/milestones?overdue=true&as_of=2021-10-15")
            .await;
        assert_eq!(
            due["total"], 0,
            "[{}] due at the end of the day",
            app.engine
        );
        let (_, late) = app
            .get("/api/v1/milestones?overdue=true&as_of=2021-10-16")
            .await;
        assert_eq!(late["total"], 1);
        let (status, done) = app
            .patch(
                &format!("/api/v1/milestones/{}?as_of=2021-10-16", milestone["id"]),
                json!({"done_on": "2021-10-14"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["overdue"], false);
    }
}

fn recognition(enterprise: i64, kind: &str, on: &str, workshops: &[i64]) -> serde_json::Value {
    json!({"enterprise_id": enterprise, "kind": kind, "name": format!("{kind} {on}"), "recognised_on": on, "investment": 2500,
        "cnc_rate_pct": 82, "key_process_cnc_pct": 90, "has_mes": true, "cost_reduction_pct": 18, "efficiency_gain_pct": 22,
        "defect_reduction_pct": 12, "energy_gain_pct": 9, "workshop_ids": workshops})
}

#[tokio::test]
async fn a_factory_needs_two_recognised_workshops_of_its_own_enterprise() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let path = "/api/v1/transformation/recognitions";
        let w1 = app
            .create(
                path,
                recognition(z.firm, "digital_workshop", "2021-03-01", &[]),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let foreign = app
            .create(
                path,
                recognition(z.other_firm, "digital_workshop", "2021-03-01", &[]),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let (status, problem) = app
            .post(
                path,
                recognition(z.firm, "intelligent_factory", "2021-06-01", &[w1]),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), ["workshop_ids"]);
        let (status, problem) = app
            .post(
                path,
                recognition(z.firm, "intelligent_factory", "2021-06-01", &[w1, foreign]),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), ["workshop_ids[1]"]);
        let w2 = app
            .create(
                path,
                recognition(z.firm, "digital_workshop", "2021-05-01", &[]),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let mut weak = recognition(z.firm, "intelligent_factory", "2021-06-01", &[w1, w2]);
        weak["cnc_rate_pct"] = json!(65);
        let (status, problem) = app.post(path, weak).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a factory needs 70 %: {problem}"
        );
        let factory = app
            .create(
                path,
                recognition(z.firm, "intelligent_factory", "2021-06-01", &[w1, w2]),
            )
            .await;
        assert_eq!(factory["workshop_ids"], json!([w1, w2]), "[{}]", app.engine);

        app.create(
            "/api/v1/transformation/projects",
            json!({"enterprise_id": z.firm, "name": "焊装线改造", "investment": 1200,
            "started_on": "2020-10-01", "completed_on": "2021-08-31"}),
        )
        .await;
        app.create(
            "/api/v1/transformation/projects",
            json!({"enterprise_id": z.other_firm, "name": "MES建设", "investment": 900,
            "started_on": "2021-03-01"}),
        )
        .await;
        let (_, summary) = app
            .get("/api/v1/transformation/summary?as_of=2021-09-30")
            .await;
        assert_eq!(
            summary["digital_workshops"], 3,
            "[{}] {summary}",
            app.engine
        );
        assert_eq!(summary["intelligent_factories"], 1);
        assert_eq!(summary["completed_projects"], 1);
        assert_eq!(summary["projects_under_way"], 1);

        let firm = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let (_, own) = firm.get("/api/v1/transformation/projects").await;
        assert_eq!(own["total"], 1, "an enterprise sees its own records only");
        let (status, _) = firm
            .post(
                path,
                recognition(z.firm, "digital_workshop", "2021-07-01", &[]),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "recognitions are the government's to record"
        );
    }
}

#[tokio::test]
async fn scheduling_report_of_a_chain_shows_its_projects_and_open_appeals_as_json_and_xlsx() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let project = app
            .create(
                "/api/v1/projects",
                json!({"name": "电池回收项目", "investor": "x", "chain_id": z.f.chain,
                "stages": {"signed_on": "2021-08-18"}}),
            )
            .await;
        app.post(
            &format!("/api/v1/projects/{}/stage", project["id"]),
            json!({"stage": "started", "on": "2021-09-15"}),
        )
        .await;
        app.create(
            &format!("/api/v1/projects/{}/milestones", project["id"]),
            json!({"name": "环评批复", "due_on": "2021-09-10"}),
        )
        .await;
        app.create(
            "/api/v1/appeals",
            json!({"enterprise_id": z.firm, "category": "policy", "title": "补贴兑现",
            "received_at": "2021-09-27T02:00:00Z"}),
        )
        .await;
        let (status, report) = app
            .get(&format!(
                "/api/v1/reports/scheduling?chain_id={}&month=2021-09",
                z.f.chain
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {report}", app.engine);
        let started = report["projects_by_stage"]
            .as_array()
            .expect("stages")
            .iter()
            .find(|s| s["stage"] == "started")
            .expect("started");
        assert_eq!(started["projects"], 1);
        assert_eq!(report["moved_in_month"][0]["stage"], "started");
        assert_eq!(report["overdue_milestones"][0]["name"], "环评批复");
        assert_eq!(report["appeals"]["received_in_month"], 1);
        assert_eq!(
            report["appeals"]["overdue"], 1,
            "due 09-29, open at the month's end: {report}"
        );
        assert_eq!(report["open_appeals"][0]["title"], "补贴兑现");

        let response = app
            .client
            .get(format!(
                "{}/api/v1/reports/scheduling?chain_id={}&month=2021-09&format=xlsx",
                app.base, z.f.chain
            ))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(&response.bytes().await.expect("bytes")[..2], b"PK");

        let stranger = app
            .as_account("ic.tf", Role::ChainTaskForce, Some(z.other_task_force))
            .await;
        let (status, _) = stranger
            .get(&format!(
                "/api/v1/reports/scheduling?chain_id={}&month=2021-09",
                z.f.chain
            ))
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "[{}] another chain's report",
            app.engine
        );
        let (status, _) = app
            .get(&format!(
                "/api/v1/reports/scheduling?park_id={}&month=2021-13",
                z.f.park
            ))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_stage_moves_of_one_project_let_exactly_one_pass() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let project = app
            .create(
                "/api/v1/projects",
                json!({"name": "储能电池项目", "investor": "某能源集团", "chain_id": z.f.chain,
                "stages": {"lead_on": "2026-03-01", "negotiation_on": "2026-05-10"}}),
            )
            .await;
        let id = project["id"].as_i64().expect("id");
        let bodies = vec![json!({"stage": "signed", "on": "2026-06-15"}); 20];
        let answers =
            common::post_all_at_once(&app, &format!("/api/v1/projects/{id}/stage"), bodies).await;
        let counts = common::count_statuses(&answers);
        assert_eq!(counts.get(&200), Some(&1), "[{}] {answers:?}", app.engine);
        assert_eq!(
            counts.get(&409).unwrap_or(&0) + counts.get(&422).unwrap_or(&0),
            19,
            "[{}] the others lost the race (409) or came after it (422): {answers:?}",
            app.engine
        );
        let (_, signed) = app.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(signed["stage"], "signed");
        assert_eq!(
            signed["version"].as_i64(),
            project["version"].as_i64().map(|v| v + 1),
            "[{}] one change written",
            app.engine
        );
    }
}
