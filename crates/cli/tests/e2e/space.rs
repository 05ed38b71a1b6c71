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

/// Adds a building with one unit per area (m²) to a park, from 2020, and returns the units.
async fn units(app: &TestApp, park: i64, code: &str, areas: &[&str]) -> Vec<i64> {
    let building = app
        .create(
            "/api/v1/buildings",
            json!({"code": code, "name": code, "park_id": park, "floors": 2, "gross_area_m2": "9000",
                "building_use": "标准厂房"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let mut ids = Vec::new();
    for (k, area) in areas.iter().enumerate() {
        ids.push(
            app.create(
                &format!("/api/v1/buildings/{building}/units"),
                json!({"code": format!("{code}-{k}"), "floor": 1, "area_m2": area, "kind": "factory",
                    "valid_from": "2020-01-01"}),
            )
            .await["id"]
            .as_i64()
            .expect("id"),
        );
    }
    ids
}

/// Three parks on the park chiefs' card of 2022, by hand. Vacancy on 2022-12-31 (vacant area ÷ all area):
/// 鱼复 units of 1,000 and 3,000 m², the 1,000 leased → 75 %; 水土 one unit of 2,000 m², leased from 2022-07-01
/// → 0 %; 龙兴 keeps no units → no data. Lower is better, so the efficacy coefficient runs from the ceiling:
/// 鱼复 60 + 40 × (75 − 75) ÷ (75 − 0) = 60.00, 水土 60 + 40 × (75 − 0) ÷ 75 = 100.00, 龙兴 no data = 60.00. A lease
/// that ended in 2021 leaves its unit vacant in 2022.
#[tokio::test]
async fn the_park_scorecard_scores_vacancy_at_the_periods_end_lower_better_as_computed_by_hand() {
    for admin in apps().await {
        let z = zone(&admin).await;
        let mut parks = vec![z.f.park];
        for (code, name) in [("shuitu", "水土高新园"), ("longxing", "龙兴工业园")] {
            parks.push(
                admin
                    .create(
                        "/api/v1/parks",
                        json!({"area_id": z.f.area, "code": code, "name": name, "district": "500112",
                            "land_area_mu": 1000, "location": {"lon": 106.6, "lat": 29.7}}),
                    )
                    .await["id"]
                    .as_i64()
                    .expect("id"),
            );
        }
        let yufu = units(&admin, parks[0], "A1", &["1000", "3000"]).await;
        let shuitu = units(&admin, parks[1], "S1", &["2000"]).await;
        for (unit, code, firm, from, to) in [
            (yufu[0], "ZL-1", z.firm, "2021-01-01", None),
            (yufu[1], "ZL-2", z.firm, "2020-01-01", Some("2021-12-31")),
            (shuitu[0], "ZL-3", z.other_firm, "2022-07-01", None),
        ] {
            admin
                .create(
                    &format!("/api/v1/units/{unit}/leases"),
                    json!({"code": code, "enterprise_id": firm, "valid_from": from, "valid_to": to}),
                )
                .await;
        }
        let (status, cards) = admin.get("/api/v1/scorecards/parks?period=2022").await;
        assert_eq!(status, StatusCode::OK, "[{}] {cards}", admin.engine);
        let vacancy = |park: i64| {
            let card = cards["cards"]
                .as_array()
                .expect("cards")
                .iter()
                .find(|c| c["id"] == park)
                .expect("the park's card");
            let item = card["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["code"] == "vacancy")
                .expect("a vacancy item")
                .clone();
            (
                item["value"].clone(),
                item["score_centi"].clone(),
                item["how"].clone(),
            )
        };
        assert_eq!(
            vacancy(parks[0]),
            (json!("75.0000"), json!(6000), json!("scaled")),
            "[{}] {cards}",
            admin.engine
        );
        assert_eq!(
            vacancy(parks[1]),
            (json!("0.0000"), json!(10000), json!("scaled")),
            "[{}]",
            admin.engine
        );
        assert_eq!(
            vacancy(parks[2]),
            (json!(null), json!(6000), json!("no_data")),
            "[{}]",
            admin.engine
        );
        let rule = cards["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["code"] == "vacancy")
            .expect("the vacancy rule")
            .clone();
        assert_eq!(rule["lower_is_better"], true);
        assert_eq!(rule["weight"], 10);
    }
}
