//! Park work orders, the inbox and e-mail notifications on every engine. The mail goes to a real SMTP listener
//! on loopback that the test starts; a relay that refuses first must not lose the message.

use crate::common;
use crate::workflow_common::{SmtpListener, zone};
use chainpark_app::notify::{MailSettings, Mailer, deliver_due};
use chainpark_core::access::Role;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::bad_fields;

#[tokio::test]
async fn overdue_work_order_escalates_to_the_park_chief() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let staff = app
            .as_account("park.staff", Role::ParkStaff, Some(z.park_staff))
            .await;
        // A routine repair reported on 2021-09-30: due at the end of the third working day, Monday 10-11.
        let order = staff
            .create("/api/v1/work-orders", json!({"park_id": z.f.park, "facility": "3号标准厂房", "kind": "repair", "urgency": "routine",
                "title": "屋面漏水", "assignee_person_id": z.park_staff, "created_at": "2021-09-30T02:00:00Z"}))
            .await;
        let id = order["id"].as_i64().expect("id");
        assert_eq!(order["status"], "assigned", "[{}]", app.engine);
        assert!(
            order["due_at"]
                .as_str()
                .unwrap_or("")
                .starts_with("2021-10-11T15:59:59"),
            "{order}"
        );
        let (_, on_time) = staff
            .get(&format!("/api/v1/work-orders/{id}?at=2021-10-11T15:00:00Z"))
            .await;
        assert_eq!(on_time["overdue"], false);

        let (_, run) = app
            .post("/api/v1/escalations", json!({"as_of": "2021-10-11"}))
            .await;
        assert_eq!(run["work_orders"], json!([]), "[{}] {run}", app.engine);
        let (_, run) = app
            .post("/api/v1/escalations", json!({"as_of": "2021-10-12"}))
            .await;
        assert_eq!(
            run["work_orders"][0]["to"]["id"], z.park_chief,
            "[{}] {run}",
            app.engine
        );

        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (_, counts) = chief.get("/api/v1/inbox/counts").await;
        assert_eq!(
            counts["unread_by_kind"]["work_order_escalated"], 1,
            "[{}] {counts}",
            app.engine
        );

        // Closing before the work is done is refused; the assignee starts and finishes, the chief closes.
        let steps = format!("/api/v1/work-orders/{id}/steps");
        let step = |body| staff.post(&steps, body);
        let (status, _) = step(json!({"action": "close", "at": "2021-10-12T01:00:00Z"})).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "[{}] closing is the chief's",
            app.engine
        );
        let (status, problem) = chief
            .post(
                &steps,
                json!({"action": "close", "at": "2021-10-12T01:00:00Z"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(bad_fields(&problem), ["action"]);
        assert_eq!(
            step(json!({"action": "start", "at": "2021-10-12T01:00:00Z"}))
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            step(json!({"action": "finish", "at": "2021-10-12T06:00:00Z"}))
                .await
                .0,
            StatusCode::OK
        );
        let (status, closed) = chief
            .post(
                &format!("/api/v1/work-orders/{id}/steps"),
                json!({"action": "close", "note": "已验收"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        assert_eq!(closed["status"], "closed");
    }
}

#[tokio::test]
async fn work_order_of_another_park_is_refused() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let other_park = app
            .create("/api/v1/parks", json!({"area_id": z.f.area, "code": "shuitu", "name": "水土高新园", "district": "500109", "land_area_mu": 800}))
            .await["id"].as_i64().expect("id");
        let staff = app
            .as_account("park.staff", Role::ParkStaff, Some(z.park_staff))
            .await;
        let (status, _) = staff
            .post("/api/v1/work-orders", json!({"park_id": other_park, "facility": "道路", "kind": "repair", "urgency": "urgent", "title": "路灯"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (status, problem) = app
            .post("/api/v1/work-orders", json!({"park_id": z.f.park, "facility": "道路", "kind": "repair", "urgency": "urgent", "title": "路灯",
                "assignee_person_id": z.task_force}))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the assignee must serve the park: {problem}"
        );
        let order = app
            .create("/api/v1/work-orders", json!({"park_id": other_park, "facility": "道路", "kind": "security", "urgency": "emergency", "title": "围墙破损"}))
            .await;
        let (status, _) = staff
            .get(&format!("/api/v1/work-orders/{}", order["id"]))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
        let (_, list) = staff.get("/api/v1/work-orders").await;
        assert_eq!(list["total"], 0);
    }
}

#[tokio::test]
async fn mail_refused_by_the_relay_is_retried_and_arrives() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let smtp = SmtpListener::start().await;
        let mailer = Mailer::new(&MailSettings {
            smtp_url: smtp.url.clone(),
            from: "chainpark <noreply@liangjiang.example.com>".into(),
        })
        .expect("mailer");
        let appeal = app
            .create("/api/v1/appeals", json!({"enterprise_id": z.firm, "category": "supply_chain", "title": "寻找电芯隔膜供应商"}))
            .await;
        assert_eq!(appeal["handler"]["id"], z.task_force);

        smtp.refuse.store(true, std::sync::atomic::Ordering::SeqCst);
        // The rounds run at the instant the mail was queued (the system's, as every record's), not at a clock.
        let queued = app
            .store
            .list_outbox(&chainpark_store::Actor::system("test"))
            .await
            .expect("outbox");
        assert_eq!(queued.len(), 1, "[{}] one mail queued", app.engine);
        let now = queued[0].next_attempt_at;
        let first = deliver_due(&app.store, &mailer, now)
            .await
            .expect("a round");
        assert_eq!((first.sent, first.failed), (0, 1), "[{}]", app.engine);
        let outbox = app
            .store
            .list_outbox(&chainpark_store::Actor::system("test"))
            .await
            .expect("outbox");
        assert_eq!(outbox.len(), 1);
        assert!(
            outbox[0].sent_at.is_none() && !outbox[0].last_error.is_empty(),
            "kept with its error: {outbox:?}"
        );
        let (_, still) = app.get(&format!("/api/v1/appeals/{}", appeal["id"])).await;
        assert_eq!(still["status"], "submitted", "the case is untouched");

        // Not due again until the retry time; then the relay takes it.
        assert_eq!(
            deliver_due(&app.store, &mailer, now)
                .await
                .expect("round")
                .failed,
            0
        );
        smtp.refuse
            .store(false, std::sync::atomic::Ordering::SeqCst);
        let second = deliver_due(&app.store, &mailer, now + Duration::minutes(2))
            .await
            .expect("a round");
        assert_eq!((second.sent, second.failed), (1, 0), "[{}]", app.engine);
        let messages = smtp.messages();
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].contains("li.qiang@liangjiang.example.com"),
            "{}",
            messages[0]
        );
        assert!(messages[0].contains("Subject:"), "{}", messages[0]);

        let officer = app
            .as_account("tf.user", Role::ChainTaskForce, Some(z.task_force))
            .await;
        let (_, inbox) = officer.get("/api/v1/inbox?unread=true").await;
        assert_eq!(inbox["total"], 1, "[{}] {inbox}", app.engine);
        assert_eq!(inbox["items"][0]["object_id"], appeal["id"]);
        let (_, counts) = officer
            .post(
                &format!("/api/v1/inbox/{}/read", inbox["items"][0]["id"]),
                json!({}),
            )
            .await;
        assert_eq!(counts["unread"], 0, "{counts}");
        let stranger = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let (status, _) = stranger
            .post(
                &format!("/api/v1/inbox/{}/read", inbox["items"][0]["id"]),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another person's message");
    }
}

#[tokio::test]
async fn scheduling_report_of_a_park_counts_its_work_orders() {
    for app in common::apps().await {
        let z = zone(&app).await;
        for (title, created) in [
            ("屋面漏水", "2021-09-06T02:00:00Z"),
            ("路灯", "2021-09-20T02:00:00Z"),
        ] {
            app.create("/api/v1/work-orders", json!({"park_id": z.f.park, "facility": "厂房", "kind": "repair", "urgency": "routine",
                "title": title, "assignee_person_id": z.park_staff, "created_at": created}))
                .await;
        }
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (status, report) = chief
            .get(&format!(
                "/api/v1/reports/scheduling?park_id={}&month=2021-09",
                z.f.park
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {report}", app.engine);
        assert_eq!(report["subject"]["kind"], "park");
        assert_eq!(report["work_orders"]["created_in_month"], 2, "{report}");
        assert_eq!(report["work_orders"]["open"], 2);
        assert_eq!(
            report["work_orders"]["overdue"], 2,
            "both were due before the month's end"
        );
        let response = chief
            .client
            .get(format!(
                "{}/api/v1/reports/scheduling?park_id={}&month=2021-09&format=xlsx",
                app.base, z.f.park
            ))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
    }
}

/// The real server, configured with CHAINPARK_SMTP_URL, sends the handler's mail by itself.
#[tokio::test]
async fn served_binary_mails_the_handler_through_the_configured_smtp_server() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let (dir, url, store) = common::binary_database("mail").await;
    common::create_account(&store, "admin", Role::Admin, None).await;
    let smtp = SmtpListener::start().await;

    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &url])
        .env("RUST_LOG", "warn")
        .env("CHAINPARK_SMTP_URL", &smtp.url)
        .env(
            "CHAINPARK_MAIL_FROM",
            "chainpark <noreply@liangjiang.example.com>",
        )
        .env("CHAINPARK_MAIL_INTERVAL_SECS", "1")
        .env("CHAINPARK_NOW", common::TEST_NOW)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let _server = Server(child);
    let base = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.find("http://")
                .map(|at| line[at..].trim_end_matches('/').to_string())
        })
        .expect("the server prints its address");

    let mut app = common::TestApp {
        base,
        engine: "sqlite",
        store,
        client: reqwest::Client::new(),
        csrf: String::new(),
    };
    app.sign_in("admin", common::PASSWORD).await;
    let z = zone(&app).await;
    app.create(
        "/api/v1/appeals",
        json!({"enterprise_id": z.firm, "category": "supply_chain", "title": "寻找隔膜供应商"}),
    )
    .await;
    let mut messages = Vec::new();
    for _ in 0..100 {
        messages = smtp.messages();
        if !messages.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(messages.len(), 1, "one mail, to the task force");
    assert!(
        messages[0].contains("li.qiang@liangjiang.example.com"),
        "{}",
        messages[0]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_steps_of_one_work_order_let_exactly_one_pass_and_the_others_get_409() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let order = app
            .create("/api/v1/work-orders", json!({"park_id": z.f.park, "facility": "2号楼", "kind": "repair", "urgency": "routine",
                "title": "电梯异响", "assignee_person_id": z.park_staff, "created_at": "2026-06-15T02:00:00Z"}))
            .await;
        let id = order["id"].as_i64().expect("id");
        let version = order["version"].as_i64().expect("version");
        let bodies =
            vec![json!({"action": "start", "at": "2026-06-15T03:00:00Z", "version": version}); 50];
        let answers =
            common::post_all_at_once(&app, &format!("/api/v1/work-orders/{id}/steps"), bodies)
                .await;
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
        let (_, history) = app.get(&format!("/api/v1/work-orders/{id}/steps")).await;
        let starts = history
            .as_array()
            .map(|steps| steps.iter().filter(|s| s["action"] == "start").count())
            .unwrap_or(0);
        assert_eq!(starts, 1, "[{}] {history}", app.engine);
        let (_, started) = app.get(&format!("/api/v1/work-orders/{id}")).await;
        assert_eq!(started["status"], "in_progress");
        assert_eq!(
            started["version"].as_i64(),
            Some(version + 1),
            "[{}]",
            app.engine
        );
    }
}
