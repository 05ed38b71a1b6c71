//! A park's space on every engine, through the API, the park's monthly report and the park page: a park chief adds buildings and units and
//! leases units; the occupancy of a past day counts the leases in force then; a unit on a floor the building does
//! not have is refused, naming the field, and stores nothing.

use chainpark_core::access::Role;
use reqwest::StatusCode;
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
async fn a_park_chief_sees_the_vacancy_of_a_past_day_in_the_api_and_on_the_park_page() {
    for admin in apps().await {
        let z = zone(&admin).await;
        let park = z.f.park;
        let chief = admin
            .as_account("space.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let building = chief
            .create(
                "/api/v1/buildings",
                json!({"code": "A1", "name": "一号标准厂房", "park_id": park, "floors": 3, "gross_area_m2": "6000",
                    "building_use": "标准厂房", "built_year": 2018}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let mut units = Vec::new();
        for (code, area) in [("A1-101", "1000"), ("A1-201", "3000")] {
            units.push(
                chief
                    .create(
                        &format!("/api/v1/buildings/{building}/units"),
                        json!({"code": code, "floor": if code.contains("-1") { 1 } else { 2 }, "area_m2": area,
                            "kind": "factory", "valid_from": "2020-01-01"}),
                    )
                    .await["id"]
                    .as_i64()
                    .expect("id"),
            );
        }
        chief
            .create(
                &format!("/api/v1/units/{}/leases", units[0]),
                json!({"code": "ZL-2023-001", "enterprise_id": z.firm, "monthly_rent_yuan": "18000",
                    "valid_from": "2023-01-01", "valid_to": "2024-12-31"}),
            )
            .await;
        chief
            .create(
                &format!("/api/v1/units/{}/leases", units[1]),
                json!({"code": "ZL-2025-001", "enterprise_id": z.other_firm, "valid_from": "2025-01-01"}),
            )
            .await;
        let (status, then) = chief
            .get(&format!("/api/v1/parks/{park}/occupancy?on=2024-06-30"))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {then}", admin.engine);
        assert_eq!(then["vacancy_permille"], 750, "[{}] {then}", admin.engine);
        assert_eq!(then["firms"][0]["enterprise_id"], z.firm);
        let (_, later) = chief
            .get(&format!("/api/v1/parks/{park}/occupancy?on=2025-06-30"))
            .await;
        assert_eq!(later["vacancy_permille"], 250, "[{}] {later}", admin.engine);
        assert_eq!(later["firms"][0]["enterprise_id"], z.other_firm);
        let (status, report) = chief
            .get(&format!(
                "/api/v1/reports/scheduling?park_id={park}&month=2024-06"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {report}", admin.engine);
        assert_eq!(
            report["occupancy"]["vacancy_permille"], 750,
            "[{}] the park's monthly report holds the occupancy of the month's end",
            admin.engine
        );
        let (status, html) = page(&chief, &format!("/parks/{park}?on=2024-06-30")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("id=\"park-space\"") && html.contains("75.0 %"),
            "[{}] the park page shows the vacancy of 2024-06-30",
            admin.engine
        );
        assert!(html.contains("重庆长程电池有限公司") && html.contains("2024-12-31"));
    }
}

#[tokio::test]
async fn a_unit_on_a_floor_the_building_does_not_have_is_refused_and_stores_nothing() {
    for admin in apps().await {
        let z = zone(&admin).await;
        let building = admin
            .create(
                "/api/v1/buildings",
                json!({"code": "B2", "name": "研发楼", "park_id": z.f.park, "floors": 2, "gross_area_m2": "3000",
                    "building_use": "研发楼"}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let (status, problem) = admin
            .post(
                &format!("/api/v1/buildings/{building}/units"),
                json!({"code": "B2-501", "floor": 5, "area_m2": "100", "kind": "lab", "valid_from": "2024-01-01"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(bad_fields(&problem), vec!["floor".to_string()]);
        let (_, detail) = admin.get(&format!("/api/v1/buildings/{building}")).await;
        assert_eq!(detail["units"], json!([]), "[{}] {detail}", admin.engine);
    }
}
