//! Alerts (预警) on every engine: what raises one (an appeal overdue or due within one working day, a milestone
//! overdue, a project without progress for 90 days, output down more than 20 % year on year for three months),
//! who sees it (the access policy), and delivery to the responsible chief's inbox exactly once. The apps stand at
//! Monday 2026-06-15 18:00 China time.

use crate::common::{self, TestApp};
use crate::workflow_common::zone;
use chainpark_core::access::Role;
use chainpark_store::Actor;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn now() -> chrono::DateTime<chrono::Utc> {
    common::test_clock().now()
}

async fn alerts(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/alerts").await;
    assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
    body.as_array().expect("a list").clone()
}

fn has(alerts: &[Value], kind: &str, object_id: i64) -> bool {
    alerts
        .iter()
        .any(|a| a["kind"] == kind && a["object_id"] == object_id)
}

/// Messages of the caller's inbox of one kind about one object.
async fn told(app: &TestApp, kind: &str, object_id: i64) -> usize {
    let (_, inbox) = app.get("/api/v1/inbox?limit=500").await;
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["kind"] == kind && m["object_id"] == object_id)
        .count()
}

async fn credit_code_of(app: &TestApp, id: i64) -> String {
    let (_, firm) = app.get(&format!("/api/v1/enterprises/{id}")).await;
    firm["credit_code"].as_str().expect("code").to_string()
}

async fn file_appeal(app: &TestApp, firm: i64, title: &str, received_at: &str) -> i64 {
    app.create(
        "/api/v1/appeals",
        json!({"enterprise_id": firm, "category": "policy", "title": title, "received_at": received_at}),
    )
    .await["id"]
        .as_i64()
        .expect("id")
}

#[tokio::test]
async fn an_overdue_appeal_is_told_to_its_chain_chief_once_however_often_delivery_runs() {
    for app in common::apps().await {
        let z = zone(&app).await;
        // Received Wednesday 2026-06-10: a policy question is answered within 2 working days, by Friday the 12th.
        let late = file_appeal(&app, z.firm, "厂房租金减免政策咨询", "2026-06-10T02:00:00Z").await;
        // Received this Monday morning: accepted by the next working day, Tuesday the 16th.
        let soon = file_appeal(&app, z.firm, "人才公寓申请咨询", "2026-06-15T01:00:00Z").await;
        let all = alerts(&app).await;
        assert!(
            has(&all, "appeal_overdue", late),
            "[{}] {all:?}",
            app.engine
        );
        assert!(
            has(&all, "appeal_due_soon", soon),
            "[{}] {all:?}",
            app.engine
        );
        assert_eq!(all[0]["kind"], "appeal_overdue", "the most pressing first");

        let system = Actor::system("alerts");
        let first = app
            .store
            .deliver_alerts(&system, now())
            .await
            .expect("delivered");
        assert!(first.delivered >= 2, "[{}] {first:?}", app.engine);
        let again = app
            .store
            .deliver_alerts(&system, now())
            .await
            .expect("delivered");
        assert_eq!(again.delivered, 0, "[{}] nothing is told twice", app.engine);
        assert_eq!(again.alerts, first.alerts);

        let chief = app
            .as_account("chief", Role::ChainChief, Some(z.chain_chief))
            .await;
        assert_eq!(
            told(&chief, "alert_appeal_overdue", late).await,
            1,
            "[{}]",
            app.engine
        );
        assert_eq!(
            told(&chief, "alert_appeal_due_soon", soon).await,
            1,
            "[{}]",
            app.engine
        );
        let park_chief = app
            .as_account("park-chief", Role::ParkChief, Some(z.park_chief))
            .await;
        assert_eq!(
            told(&park_chief, "alert_appeal_overdue", late).await,
            0,
            "[{}] the chain's chief answers for the appeal",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_replied_appeal_raises_no_alert() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let id = file_appeal(&app, z.firm, "用电增容咨询", "2026-06-10T02:00:00Z").await;
        for (action, extra) in [
            ("accept", json!({})),
            ("handle", json!({})),
            ("reply", json!({"note": "已协调供电公司办理。"})),
        ] {
            let mut body = json!({"action": action, "at": "2026-06-11T02:00:00Z"});
            if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
                b.extend(e.clone());
            }
            let (status, answer) = app.post(&format!("/api/v1/appeals/{id}/steps"), body).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "[{}] {action}: {answer}",
                app.engine
            );
        }
        let all = alerts(&app).await;
        assert!(
            !all.iter()
                .any(|a| a["object_id"] == id && a["object_kind"] == "appeal"),
            "[{}] {all:?}",
            app.engine
        );
    }
}

#[tokio::test]
async fn alerts_follow_the_access_policy() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let late = file_appeal(&app, z.firm, "污水排放许可咨询", "2026-06-10T02:00:00Z").await;
        let own = app
            .as_account("own-tf", Role::ChainTaskForce, Some(z.task_force))
            .await;
        assert!(
            has(&alerts(&own).await, "appeal_overdue", late),
            "[{}]",
            app.engine
        );
        let foreign = app
            .as_account("other-tf", Role::ChainTaskForce, Some(z.other_task_force))
            .await;
        let seen = alerts(&foreign).await;
        assert!(
            !seen
                .iter()
                .any(|a| a["object_id"] == late && a["object_kind"] == "appeal"),
            "[{}] another chain's task force sees nothing of it: {seen:?}",
            app.engine
        );
        let (status, _) = app.anonymous().get("/api/v1/alerts").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn an_overdue_milestone_and_a_project_without_progress_for_ninety_days_raise_alerts() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let project = |name: &str, stages: Value| {
            json!({"name": name, "investor": "某集团", "chain_id": z.f.chain, "park_id": z.f.park,
                   "chief_person_id": z.chain_chief, "stages": stages})
        };
        // Last progress on 2026-03-16: 91 days before the 15th of June.
        let stalled = app
            .create(
                "/api/v1/projects",
                project(
                    "储能电站项目",
                    json!({"lead_on": "2026-01-05", "visit_on": "2026-03-16"}),
                ),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        // Last progress on 2026-03-17: 90 days, not yet stalled.
        let moving = app
            .create(
                "/api/v1/projects",
                project("电驱总成项目", json!({"lead_on": "2026-03-17"})),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        app.create(
            &format!("/api/v1/projects/{moving}/milestones"),
            json!({"name": "完成土地摘牌", "due_on": "2026-06-12"}),
        )
        .await;
        let all = alerts(&app).await;
        assert!(
            has(&all, "project_stalled", stalled),
            "[{}] {all:?}",
            app.engine
        );
        assert!(
            !has(&all, "project_stalled", moving),
            "[{}] {all:?}",
            app.engine
        );
        assert!(
            has(&all, "milestone_overdue", moving),
            "[{}] {all:?}",
            app.engine
        );

        app.store
            .deliver_alerts(&Actor::system("alerts"), now())
            .await
            .expect("delivered");
        let chief = app
            .as_account("chief", Role::ChainChief, Some(z.chain_chief))
            .await;
        assert_eq!(
            told(&chief, "alert_project_stalled", stalled).await,
            1,
            "[{}]",
            app.engine
        );
        assert_eq!(
            told(&chief, "alert_milestone_overdue", moving).await,
            1,
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn output_down_more_than_a_fifth_for_three_months_running_raises_an_alert() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let (falling, steady) = (
            credit_code_of(&app, z.firm).await,
            credit_code_of(&app, z.other_firm).await,
        );
        let mut csv = String::from("统一社会信用代码,期间,指标,数值\n");
        // March to May 2026 against 2025: the first firm at 70 %, 79 % and 60 %; the other at 70 %, 85 %, 60 %.
        for (month, base, a, b) in [
            ("03", 1000, 700, 700),
            ("04", 1000, 790, 850),
            ("05", 1000, 600, 600),
        ] {
            csv.push_str(&format!("{falling},2025-{month},工业总产值,{base}\n"));
            csv.push_str(&format!("{steady},2025-{month},工业总产值,{base}\n"));
            csv.push_str(&format!("{falling},2026-{month},工业总产值,{a}\n"));
            csv.push_str(&format!("{steady},2026-{month},工业总产值,{b}\n"));
        }
        let (status, report) = app
            .send_file(
                Method::POST,
                "/api/v1/imports?filename=output.csv",
                "text/csv",
                csv,
            )
            .await;
        assert!(status.is_success(), "[{}] {report}", app.engine);
        let all = alerts(&app).await;
        assert!(
            has(&all, "output_falling", z.firm),
            "[{}] {all:?}",
            app.engine
        );
        assert!(
            !has(&all, "output_falling", z.other_firm),
            "[{}] {all:?}",
            app.engine
        );
        let other = app
            .as_account("other-tf", Role::ChainTaskForce, Some(z.other_task_force))
            .await;
        assert!(
            !has(&alerts(&other).await, "output_falling", z.firm),
            "[{}] another chain's task force does not read the firm's figures",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_chiefs_landing_page_lists_the_overdue_appeal() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let late = file_appeal(&app, z.firm, "园区道路照明维修", "2026-06-10T02:00:00Z").await;
        let chief = app
            .as_account("chief", Role::ChainChief, Some(z.chain_chief))
            .await;
        let landing = chief
            .client
            .get(format!("{}/", chief.base))
            .send()
            .await
            .expect("answered");
        assert!(
            landing.url().path().starts_with("/chains/"),
            "lands on the chain"
        );
        let html = landing.text().await.expect("html");
        assert!(html.contains("id=\"alerts\""), "[{}] {html}", app.engine);
        assert!(
            html.contains(&format!("href=\"/appeals/{late}\"")),
            "[{}]",
            app.engine
        );
        assert!(html.contains("诉求逾期"), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn the_inbox_shows_each_message_in_the_readers_language_only() {
    for app in common::apps().await {
        let z = zone(&app).await;
        file_appeal(&app, z.firm, "排污许可延续", "2026-06-10T02:00:00Z").await;
        app.store
            .deliver_alerts(&Actor::system("alerts"), now())
            .await
            .expect("delivered");
        let chief = app
            .as_account("chief", Role::ChainChief, Some(z.chain_chief))
            .await;
        let read = |path: &'static str| {
            let chief = &chief;
            async move {
                chief
                    .client
                    .get(format!("{}{path}", chief.base))
                    .send()
                    .await
                    .expect("answered")
                    .text()
                    .await
                    .expect("html")
            }
        };
        let zh = read("/inbox?lang=zh").await;
        assert!(zh.contains("预警：诉求逾期"), "[{}]", app.engine);
        assert!(!zh.contains("Alert: Appeal overdue"), "[{}]", app.engine);
        let en = read("/inbox?lang=en").await;
        assert!(en.contains("Alert: Appeal overdue"), "[{}]", app.engine);
        assert!(
            !en.contains("预警"),
            "[{}] no Chinese label on the English page",
            app.engine
        );
        assert!(
            en.contains("Due: 2026-06-11"),
            "[{}] the accept deadline of an appeal not yet accepted",
            app.engine
        );
    }
}
