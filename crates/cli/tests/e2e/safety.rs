//! Safety inspections on every engine, through the API and the pages: a park chief plans an inspection, records
//! one with a failed item (a hazard due in working days), opens its work order, and closes it by a re-check once
//! the work is done; the park board counts hazards by level; an inspection that misses a checklist item is
//! refused, naming the field, and stores nothing; a photo is kept and served back as sent.

use chainpark_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, apps, bad_fields};
use crate::workflow_common::zone;

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    (response.status(), response.text().await.expect("body"))
}

#[tokio::test]
async fn a_hazard_found_on_inspection_is_rectified_by_a_work_order_and_closed_by_a_recheck() {
    for admin in apps().await {
        let z = zone(&admin).await;
        let park = z.f.park;
        let chief = admin
            .as_account("safety.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let plan = chief
            .create(
                "/api/v1/inspection-plans",
                json!({"park_id": park, "title": "消防安全周检", "every_days": 7, "starts_on": "2026-06-01",
                    "checklist": ["灭火器在有效期内", "疏散通道畅通"]}),
            )
            .await;
        let plan_id = plan["id"].as_i64().expect("id");
        let items: Vec<i64> = plan["checklist"]
            .as_array()
            .expect("checklist")
            .iter()
            .map(|i| i["id"].as_i64().expect("item id"))
            .collect();
        // Missing the second item: refused, naming the field, nothing stored.
        let (status, problem) = chief
            .post(
                &format!("/api/v1/inspection-plans/{plan_id}/inspections"),
                json!({"inspector": "王安全", "inspected_at": "2026-06-15T02:00:00Z",
                    "findings": [{"item_id": items[0], "result": "pass"}]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            admin.engine
        );
        assert_eq!(bad_fields(&problem), vec!["findings"]);
        let (_, none) = chief.get("/api/v1/inspections").await;
        assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");
        let done = chief
            .create(
                &format!("/api/v1/inspection-plans/{plan_id}/inspections"),
                json!({"inspector": "王安全", "inspected_at": "2026-06-15T02:00:00Z",
                    "findings": [{"item_id": items[0], "result": "pass"},
                        {"item_id": items[1], "result": "fail", "note": "二层通道堆放纸箱",
                         "hazard": {"level": "major", "description": "疏散通道被占用"}}]}),
            )
            .await;
        let hazard = done["findings"][1]["hazard_id"].as_i64().expect("hazard");
        let (_, detail) = chief.get(&format!("/api/v1/hazards/{hazard}")).await;
        // Monday 2026-06-15 and five working days, past the Dragon Boat holiday.
        assert_eq!(detail["hazard"]["deadline"], "2026-06-23", "{detail}");
        // A photo, served back byte for byte.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[7; 1000]);
        let (status, photo) = chief
            .send_file(
                Method::POST,
                &format!(
                    "/api/v1/inspections/{}/photos?item_id={}",
                    done["id"], items[1]
                ),
                "image/png",
                png.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {photo}", admin.engine);
        let served = chief
            .client
            .get(format!(
                "{}/api/v1/inspection-photos/{}",
                chief.base, photo["id"]
            ))
            .send()
            .await
            .expect("answered");
        assert_eq!(served.headers()["content-type"], "image/png");
        assert_eq!(served.bytes().await.expect("bytes").to_vec(), png);
        // The board counts it; the hazard page offers the work order.
        let (_, board) = page(&chief, &format!("/parks/{park}")).await;
        assert!(
            board.contains("<tr data-level=\"major\"><td>较大隐患</td><td>1</td>"),
            "[{}] the board counts the major hazard",
            admin.engine
        );
        let (_, english) = page(&chief, &format!("/hazards/{hazard}?lang=en")).await;
        assert!(
            english.contains("Open a work order to rectify it"),
            "{english}"
        );
        let opened = chief
            .create(
                &format!("/api/v1/hazards/{hazard}/work-order"),
                json!({"assignee_person_id": z.park_staff}),
            )
            .await;
        assert_eq!(opened["hazard"]["status"], "rectifying");
        let order = opened["work_order"]["id"].as_i64().expect("order");
        assert_eq!(opened["work_order"]["kind"], "safety_inspection");
        let (status, early) = chief
            .post(
                &format!("/api/v1/hazards/{hazard}/rechecks"),
                json!({"passed": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {early}", admin.engine);
        for action in ["start", "finish"] {
            let (status, step) = chief
                .post(
                    &format!("/api/v1/work-orders/{order}/steps"),
                    json!({"action": action}),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "[{}] {action}: {step}",
                admin.engine
            );
        }
        let (status, closed) = chief
            .post(
                &format!("/api/v1/hazards/{hazard}/rechecks"),
                json!({"passed": true, "note": "已清理"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {closed}", admin.engine);
        assert_eq!(closed["hazard"]["status"], "closed");
        // The English page (the language chosen above stays chosen).
        let (_, board) = page(&chief, &format!("/parks/{park}?lang=en")).await;
        assert!(
            board.contains("<tr data-level=\"major\"><td>Major</td><td>0</td>"),
            "[{}] a closed hazard leaves the board: {}",
            admin.engine,
            board
                .split("board-hazards")
                .nth(1)
                .unwrap_or("")
                .chars()
                .take(600)
                .collect::<String>()
        );
    }
}

#[tokio::test]
async fn a_park_chief_records_an_inspection_through_the_page_form() {
    for admin in apps().await {
        let z = zone(&admin).await;
        let chief = admin
            .as_account("safety.form", Role::ParkChief, Some(z.park_chief))
            .await;
        let plan = chief
            .create(
                "/api/v1/inspection-plans",
                json!({"park_id": z.f.park, "title": "配电房月检", "every_days": 30, "starts_on": "2026-06-01",
                    "checklist": ["接地良好"]}),
            )
            .await;
        let (plan_id, item) = (
            plan["id"].as_i64().expect("id"),
            plan["checklist"][0]["id"].as_i64().expect("item"),
        );
        let post = |form: Vec<(String, String)>| {
            let chief = &chief;
            async move {
                let response = chief
                    .client
                    .post(format!("{}/safety/plans/{plan_id}/inspections", chief.base))
                    .form(&form)
                    .send()
                    .await
                    .expect("answered");
                (
                    response.status(),
                    response.url().path().to_string(),
                    response.text().await.expect("body"),
                )
            }
        };
        let base = |result: &str, hazard: &str| {
            vec![
                ("csrf".to_string(), chief.csrf.clone()),
                ("inspector".into(), "李电工".into()),
                ("inspected_at".into(), "2026-06-15T09:30".into()),
                (format!("result_{item}"), result.into()),
                (format!("level_{item}"), "grave".into()),
                (format!("hazard_{item}"), hazard.into()),
            ]
        };
        // A failed item without its description comes back with the message beside the item.
        let (status, _, html) = post(base("fail", "")).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}]",
            admin.engine
        );
        assert!(
            html.contains(&format!("id=\"hazard_{item}-error\">")),
            "{html}"
        );
        assert!(
            !html.contains(&format!("id=\"hazard_{item}-error\"></p>")),
            "the message is beside the field"
        );
        let (status, url, html) = post(base("fail", "接地线松脱")).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", admin.engine);
        assert!(url.starts_with("/hazards/"), "{url}");
        assert!(
            html.contains("重大隐患") && html.contains("接地线松脱"),
            "{html}"
        );
    }
}
