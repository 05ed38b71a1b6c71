//! The holiday calendar against the clock, on every engine: in a year whose State Council arrangement is not
//! loaded, deadlines are counted on weekdays and marked provisional (API and pages) instead of refused; loading
//! the year recounts them in the same transaction and clears the mark; a file with part of a year does not count;
//! from 1 November the admins are told, once, that next year's calendar is missing. Each test runs at a fixed
//! instant of its own, never at today's date.

use crate::common;
use crate::workflow_common::zone;
use chainpark_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestApp, clock_at};

/// A made-up arrangement for 2027 naming all seven festivals (the real notice comes out in the autumn before).
const YEAR_2027: &str = "date,kind,name\n\
    2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n\
    2027-02-06,holiday,春节\n2027-02-07,holiday,春节\n2027-02-08,holiday,春节\n2027-02-09,holiday,春节\n\
    2027-02-10,holiday,春节\n2027-02-11,holiday,春节\n2027-02-12,holiday,春节\n2027-02-20,workday,春节\n\
    2027-04-05,holiday,清明节\n2027-05-01,holiday,劳动节\n2027-05-03,holiday,劳动节\n2027-05-04,holiday,劳动节\n\
    2027-05-05,holiday,劳动节\n2027-06-09,holiday,端午节\n2027-09-15,holiday,中秋节\n2027-10-01,holiday,国庆节\n\
    2027-10-04,holiday,国庆节\n2027-10-05,holiday,国庆节\n2027-10-06,holiday,国庆节\n2027-10-07,holiday,国庆节\n\
    2027-10-09,workday,国庆节\n";

/// Only New Year's Day and the Spring Festival of 2027: part of a year.
const PART_OF_2027: &str =
    "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-07,holiday,春节\n";

async fn load_calendar(app: &TestApp, csv: &str) -> (StatusCode, Value) {
    app.send_file(
        reqwest::Method::POST,
        "/api/v1/calendar",
        "text/csv",
        csv.to_string(),
    )
    .await
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK, "[{}] {path}", app.engine);
    response.text().await.expect("body")
}

#[tokio::test]
async fn deadline_in_a_year_without_a_calendar_is_provisional_and_counted_on_weekdays() {
    // Monday 2027-03-01 10:00 in Chongqing; the shipped calendar ends with 2026.
    for app in common::apps_at(clock_at("2027-03-01T10:00:00+08:00")).await {
        let z = zone(&app).await;
        let appeal = app
            .create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "land", "title": "扩建用地指标"}),
            )
            .await;
        assert_eq!(appeal["received_on"], "2027-03-01", "[{}]", app.engine);
        // Ten working days counted Monday to Friday: 03-02 ... 03-15.
        assert_eq!(appeal["accept_due"], "2027-03-02", "[{}]", app.engine);
        assert_eq!(appeal["reply_due"], "2027-03-15", "[{}]", app.engine);
        assert_eq!(appeal["deadline_provisional"], true, "[{}]", app.engine);
        assert_eq!(appeal["provisional_year"], 2027);
        let id = appeal["id"].as_i64().expect("id");

        let order = app
            .create(
                "/api/v1/work-orders",
                json!({"park_id": z.f.park, "facility": "3号厂房", "kind": "repair", "urgency": "routine",
                    "title": "屋面渗水"}),
            )
            .await;
        // Three working days: Tue 03-02, Wed 03-03, Thu 03-04, due at the end of the day in Chongqing.
        assert_eq!(
            order["due_at"], "2027-03-04T15:59:59Z",
            "[{}] {order}",
            app.engine
        );
        assert_eq!(order["deadline_provisional"], true, "[{}]", app.engine);
        let emergency = app
            .create(
                "/api/v1/work-orders",
                json!({"park_id": z.f.park, "facility": "变电站", "kind": "utilities", "urgency": "emergency",
                    "title": "停电"}),
            )
            .await;
        assert_eq!(
            emergency["deadline_provisional"], false,
            "[{}] hours need no calendar",
            app.engine
        );

        let en = page(&app, &format!("/appeals/{id}?lang=en")).await;
        assert!(
            en.contains("id=\"deadline-provisional\"")
                && en.contains("calendar for 2027 not loaded"),
            "[{}] the appeal page says why: {en}",
            app.engine
        );
        let zh = page(&app, &format!("/appeals/{id}?lang=zh")).await;
        assert!(
            zh.contains("2027年节假日安排未载入"),
            "[{}] in Chinese too",
            app.engine
        );
        let list = page(&app, "/appeals?lang=en").await;
        assert!(
            list.contains("calendar for 2027 not loaded"),
            "[{}]",
            app.engine
        );
        let orders = page(&app, "/work-orders?lang=en").await;
        assert!(
            orders.contains("calendar for 2027 not loaded"),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn loading_the_years_calendar_recounts_provisional_deadlines_and_clears_the_mark() {
    // Monday 2026-12-28: ten working days run into 2027, whose calendar is not loaded yet.
    for app in common::apps_at(clock_at("2026-12-28T10:00:00+08:00")).await {
        let z = zone(&app).await;
        let filed = app
            .create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "land", "title": "规划调整"}),
            )
            .await;
        // 12-29, 12-30, 12-31, then Mon–Fri of 2027: 01-01, 01-04 ... 01-08, 01-11.
        assert_eq!(filed["reply_due"], "2027-01-11", "[{}]", app.engine);
        assert_eq!(filed["provisional_year"], 2027);
        let filed_id = filed["id"].as_i64().expect("id");

        // Received 2026-12-01 and marked complex on accepting: 25 working days from 12-01 end on 2027-01-05.
        let complex = app
            .create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "finance", "title": "贷款贴息",
                "received_at": "2026-12-01T10:00:00+08:00"}),
            )
            .await;
        assert_eq!(complex["deadline_provisional"], false, "[{}]", app.engine);
        let complex_id = complex["id"].as_i64().expect("id");
        let (status, accepted) = app
            .post(
                &format!("/api/v1/appeals/{complex_id}/steps"),
                json!({"action": "accept", "complex": true, "at": "2026-12-01T11:00:00+08:00"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {accepted}", app.engine);
        assert_eq!(accepted["reply_due"], "2027-01-05", "[{}]", app.engine);
        assert_eq!(accepted["provisional_year"], 2027);

        // A routine safety inspection (5 working days) reported now: 12-29, 12-30, 12-31, 2027-01-01, 01-04.
        let order = app
            .create(
                "/api/v1/work-orders",
                json!({"park_id": z.f.park, "facility": "2号路", "kind": "safety_inspection",
                "urgency": "routine", "title": "消防巡检"}),
            )
            .await;
        assert_eq!(order["due_at"], "2027-01-04T15:59:59Z", "[{}]", app.engine);
        let order_id = order["id"].as_i64().expect("id");

        let (status, load) = load_calendar(&app, YEAR_2027).await;
        assert_eq!(status, StatusCode::OK, "[{}] {load}", app.engine);
        assert_eq!(load["loaded_years"], json!([2027]));
        assert_eq!(load["recounted_appeals"], json!([filed_id, complex_id]));
        assert_eq!(load["recounted_work_orders"], json!([order_id]));
        assert_eq!(
            load["years"].as_array().and_then(|y| y.last()),
            Some(&json!(2027))
        );

        // New Year's Day 2027 is off: each deadline moves one working day later, and the mark is gone.
        let (_, filed) = app.get(&format!("/api/v1/appeals/{filed_id}")).await;
        assert_eq!(filed["reply_due"], "2027-01-12", "[{}]", app.engine);
        assert_eq!(filed["deadline_provisional"], false);
        assert_eq!(filed["provisional_year"], Value::Null);
        let (_, complex) = app.get(&format!("/api/v1/appeals/{complex_id}")).await;
        assert_eq!(complex["reply_due"], "2027-01-06", "[{}]", app.engine);
        assert_eq!(complex["accept_due"], "2026-12-02", "unchanged");
        let (_, order) = app.get(&format!("/api/v1/work-orders/{order_id}")).await;
        assert_eq!(order["due_at"], "2027-01-05T15:59:59Z", "[{}]", app.engine);
        assert_eq!(order["deadline_provisional"], false);

        let (_, audit) = app
            .get(&format!(
                "/api/v1/audit?object_kind=appeal&object_id={filed_id}"
            ))
            .await;
        let recount = audit["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|e| e["action"] == "recount")
            .unwrap_or_else(|| panic!("[{}] the recount is audited: {audit}", app.engine))
            .clone();
        assert_eq!(recount["before"]["reply_due"], "2027-01-11");
        assert_eq!(recount["after"]["reply_due"], "2027-01-12");
        let (_, audit) = app
            .get(&format!(
                "/api/v1/audit?object_kind=work_order&object_id={order_id}"
            ))
            .await;
        assert!(
            audit["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|e| e["action"] == "recount"),
            "[{}] {audit}",
            app.engine
        );
        let en = page(&app, &format!("/appeals/{filed_id}?lang=en")).await;
        assert!(
            !en.contains("not loaded"),
            "[{}] the page no longer marks it",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_calendar_file_with_part_of_a_year_is_refused_and_the_year_stays_provisional() {
    for app in common::apps_at(clock_at("2027-03-01T10:00:00+08:00")).await {
        let z = zone(&app).await;
        let (status, problem) = load_calendar(&app, PART_OF_2027).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        let detail = problem.to_string();
        for missing in ["清明节", "劳动节", "端午节", "中秋节", "国庆节"] {
            assert!(
                detail.contains(missing),
                "[{}] names {missing}: {detail}",
                app.engine
            );
        }
        let (_, calendar) = app.get("/api/v1/calendar").await;
        assert_eq!(
            calendar["years"].as_array().and_then(|y| y.last()),
            Some(&json!(2026)),
            "[{}] nothing stored",
            app.engine
        );
        assert_eq!(calendar["year_to_load"], 2027, "[{}]", app.engine);
        let appeal = app
            .create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "policy", "title": "政策咨询"}),
            )
            .await;
        assert_eq!(appeal["deadline_provisional"], true, "[{}]", app.engine);

        // A make-up working day of a year already loaded may come on its own (the December before a notice).
        let (status, load) = load_calendar(&app, "date,kind,name\n2026-12-27,workday,元旦\n").await;
        assert_eq!(status, StatusCode::OK, "[{}] {load}", app.engine);
        assert_eq!(load["added_to_years"], json!([2026]));
        assert_eq!(load["loaded_years"], json!([]));
    }
}

/// The admin accounts' calendar reminders in the inbox.
async fn calendar_messages(app: &TestApp) -> Vec<Value> {
    let (_, inbox) = app.get("/api/v1/inbox").await;
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["kind"] == "calendar_missing")
        .cloned()
        .collect()
}

#[tokio::test]
async fn admins_are_told_once_from_1_november_that_next_years_calendar_is_missing() {
    let clock = clock_at("2026-11-02T09:00:00+08:00");
    for app in common::apps_at(clock).await {
        let leader = app.as_account("leader", Role::Leader, None).await;
        // On 31 October nothing is missing yet.
        let october = clock_at("2026-10-31T09:00:00+08:00").now();
        chainpark_app::notify::apply_rules(&app.store, october).await;
        assert_eq!(calendar_messages(&app).await.len(), 0, "[{}]", app.engine);

        // The server's rounds run every few minutes: the message comes once.
        for _ in 0..3 {
            chainpark_app::notify::apply_rules(&app.store, clock.now()).await;
        }
        let messages = calendar_messages(&app).await;
        assert_eq!(messages.len(), 1, "[{}] {messages:?}", app.engine);
        assert!(
            messages[0]["subject"]
                .as_str()
                .unwrap_or("")
                .contains("2027"),
            "{messages:?}"
        );
        let (_, counts) = app.get("/api/v1/inbox/counts").await;
        assert_eq!(counts["unread_by_kind"]["calendar_missing"], 1, "{counts}");
        let (status, _) = app
            .post(
                &format!("/api/v1/inbox/{}/read", messages[0]["id"]),
                json!({}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] the admin reads it",
            app.engine
        );

        let dashboard = page(&app, "/dashboard?lang=en").await;
        assert!(
            dashboard.contains("id=\"calendar-missing\"")
                && dashboard.contains("arrangement for 2027 is not loaded"),
            "[{}] the admin's dashboard says so",
            app.engine
        );
        let inbox = page(&app, "/inbox").await;
        assert!(
            inbox.contains("2027"),
            "[{}] the inbox page lists it",
            app.engine
        );
        assert!(
            !page(&leader, "/dashboard")
                .await
                .contains("calendar-missing"),
            "[{}] only the admin is asked to act",
            app.engine
        );

        let (status, _) = load_calendar(&app, YEAR_2027).await;
        assert_eq!(status, StatusCode::OK);
        chainpark_app::notify::apply_rules(&app.store, clock.now()).await;
        assert_eq!(calendar_messages(&app).await.len(), 1, "[{}]", app.engine);
        assert!(
            !page(&app, "/dashboard").await.contains("calendar-missing"),
            "[{}] gone once loaded",
            app.engine
        );
    }
}

/// `chainpark calendar FILE` through the real binary, on the database an application at 2027-03-01 filed into.
#[tokio::test]
async fn calendar_command_refuses_part_of_a_year_and_recounts_on_a_whole_one() {
    let (dir, url, store) = common::binary_database("calendar").await;
    let app = TestApp::start_at(store, clock_at("2027-03-01T10:00:00+08:00")).await;
    let z = zone(&app).await;
    let appeal = app
        .create(
            "/api/v1/appeals",
            json!({"enterprise_id": z.firm, "category": "talent", "title": "技工招聘"}),
        )
        .await;
    assert_eq!(appeal["deadline_provisional"], true);
    let id = appeal["id"].as_i64().expect("id");
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chainpark"))
            .arg("calendar")
            .arg(file)
            .args(["--database", &url])
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs")
    };
    let part = dir.join("part.csv");
    std::fs::write(&part, PART_OF_2027).expect("file");
    let refused = run(&part);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("2027 lacks 清明节、劳动节、端午节、中秋节、国庆节"),
        "{said}"
    );
    let whole = dir.join("2027.csv");
    std::fs::write(&whole, YEAR_2027).expect("file");
    let loaded = run(&whole);
    let said = String::from_utf8_lossy(&loaded.stdout);
    assert!(
        loaded.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(said.contains("loaded for 2027"), "{said}");
    assert!(said.contains("recounted: 1 appeal(s)"), "{said}");
    let (_, after) = app.get(&format!("/api/v1/appeals/{id}")).await;
    assert_eq!(after["deadline_provisional"], false, "{after}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_fixed_clock_decides_what_now_means_for_filing_and_the_future() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let appeal = app
            .create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "policy", "title": "政策咨询"}),
            )
            .await;
        assert_eq!(
            appeal["received_on"], "2026-06-15",
            "[{}] the test clock's day",
            app.engine
        );
        let (status, problem) = app
            .post(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "policy", "title": "明天的诉求",
                "received_at": "2026-06-16T10:00:00+08:00"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] after the clock's now is the future: {problem}",
            app.engine
        );
    }
}
