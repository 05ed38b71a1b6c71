//! Economic figures through the API, on every engine: spreadsheet imports (all or nothing, `accept_valid`,
//! re-imports, revisions, who may import what), roll-ups with year-on-year growth and shares, and the demo zone's
//! calibration to Liangjiang's published figures.

use crate::common;
use crate::common::{TestApp, apps, bad_fields, credit_code, fixture, fresh_stores};
use chainpark_core::access::Role;
use chainpark_core::period::Month;
use chainpark_store::Actor;
use chainpark_store::figures::{
    DemoFigureSelection, FigureValue, ImportMessage, ImportRecord, load_demo_figures,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Uploads a file as the raw request body.
async fn upload(app: &TestApp, name: &str, body: &str, accept_valid: bool) -> (StatusCode, Value) {
    let path = format!("/api/v1/imports?filename={name}&accept_valid={accept_valid}");
    app.send_file(Method::POST, &path, "text/csv", body.to_string())
        .await
}

/// Three enterprises of the fixture's automobile chain in its park, made through the API; returns credit codes
/// and ids.
pub(crate) async fn enterprises(app: &TestApp) -> (common::Fixture, Vec<(String, i64)>) {
    let f = fixture(app).await;
    let mut out = Vec::new();
    for (i, industry) in ["3612", "3612", "3911"].iter().enumerate() {
        let code = credit_code(&format!("91500000MA5U0000{i}"));
        let created = app
            .create(
                "/api/v1/enterprises",
                json!({"credit_code": code, "name": format!("测试企业{i}有限公司"), "industry_code": industry,
                       "district": "500112", "park_id": f.park, "segment_ids": [f.root_segment]}),
            )
            .await;
        out.push((code, created["id"].as_i64().expect("id")));
    }
    (f, out)
}

fn long_csv(rows: &[(&str, &str, &str, &str)]) -> String {
    let mut text = String::from("统一社会信用代码,期间,指标,数值\n");
    for (code, month, indicator, value) in rows {
        text.push_str(&format!("{code},{month},{indicator},{value}\n"));
    }
    text
}

async fn zone_value(app: &TestApp, indicator: &str, period: &str) -> Value {
    let (status, body) = app
        .get(&format!(
            "/api/v1/stats?indicator={indicator}&period={period}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
    body["groups"][0]["value"]["hundredths"].clone()
}

#[tokio::test]
async fn import_with_three_bad_rows_reports_them_and_stores_nothing() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let good = &firms[0].0;
        let unknown = credit_code("91500000MA5U9999X");
        let csv = long_csv(&[
            (good, "2021-01", "增加值", "100"),
            (&unknown, "2021-02", "增加值", "100"),
            (good, "2021-03", "不存在的指标", "100"),
            (good, "2021-04", "增加值", "12abc"),
            (good, "2021-05", "增加值", "100"),
        ]);
        let (status, body) = upload(&app, "bad.csv", &csv, false).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        let report = &body["import"]["report"];
        let lines: Vec<i64> = report["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["line"].as_i64().unwrap_or(0))
            .collect();
        assert_eq!(lines, vec![3, 4, 5], "[{}] {report}", app.engine);
        assert_eq!(body["import"]["stored"], false);
        assert_eq!(
            zone_value(&app, "added_value", "2021").await,
            Value::Null,
            "[{}]",
            app.engine
        );
        let csv_report = app
            .client
            .get(format!(
                "{}{}",
                app.base,
                body["report_csv"].as_str().unwrap_or("")
            ))
            .send()
            .await
            .expect("csv");
        assert_eq!(csv_report.status(), StatusCode::OK);
        assert_eq!(
            csv_report.text().await.expect("text").lines().count(),
            4,
            "[{}] header + 3 rows",
            app.engine
        );
    }
}

#[tokio::test]
async fn accept_valid_stores_the_good_rows() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let good = &firms[0].0;
        let csv = long_csv(&[
            (good, "2021-01", "增加值", "100"),
            (good, "2021-02", "增加值", "oops"),
            (good, "2021-03", "增加值（万元）", "2.5"),
        ]);
        let (status, body) = upload(&app, "some-bad.csv", &csv, true).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert_eq!(
            body["import"]["values_changed"], 2,
            "[{}] {body}",
            app.engine
        );
        // 100 元 + 2.5 万元 = 25,100 元.
        assert_eq!(
            zone_value(&app, "added_value", "2021-Q1").await,
            json!(2_510_000),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn reimporting_the_same_file_changes_nothing() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let csv = long_csv(&[
            (&firms[0].0, "2021-01", "营业收入", "\"1,000.00\""),
            (&firms[1].0, "2021-01", "营业收入", "500"),
        ]);
        let (first, body) = upload(&app, "revenue.csv", &csv, false).await;
        assert_eq!(first, StatusCode::CREATED, "[{}] {body}", app.engine);
        let (again, body) = upload(&app, "revenue.csv", &csv, false).await;
        assert_eq!(again, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert_eq!(
            body["import"]["values_changed"], 0,
            "[{}] {body}",
            app.engine
        );
        assert_eq!(
            body["import"]["values_unchanged"], 2,
            "[{}] {body}",
            app.engine
        );
        assert_eq!(
            zone_value(&app, "operating_revenue", "2021-01").await,
            json!(150_000),
            "[{}]",
            app.engine
        );
        let (_, history) = app
            .get(&format!(
                "/api/v1/enterprises/{}/figures?indicator=operating_revenue&period=2021",
                firms[0].1
            ))
            .await;
        assert_eq!(
            history.as_array().map(Vec::len),
            Some(1),
            "[{}] no second revision: {history}",
            app.engine
        );
    }
}

#[tokio::test]
async fn revised_value_keeps_the_old_one_readable_as_of_a_date() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let (id, code) = (firms[0].1, &firms[0].0);
        let (_, first) = upload(
            &app,
            "v1.csv",
            &long_csv(&[(code, "2021-06", "增加值", "100")]),
            false,
        )
        .await;
        let known_at = first["import"]["at"].as_str().expect("at").to_string();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let (status, _) = upload(
            &app,
            "v2.csv",
            &long_csv(&[(code, "2021-06", "增加值", "130")]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let path = format!("/api/v1/enterprises/{id}/figures?indicator=added_value&period=2021-06");
        let (_, now) = app.get(&path).await;
        assert_eq!(now[0]["value"], 13_000, "[{}] {now}", app.engine);
        let as_of = known_at.replace('+', "%2B");
        let (_, then) = app.get(&format!("{path}&as_of={as_of}")).await;
        assert_eq!(then[0]["value"], 10_000, "[{}] {then}", app.engine);
        assert_eq!(then[0]["superseded"], true, "[{}]", app.engine);
        // The roll-up moved with the revision: 130 元, not 230.
        assert_eq!(
            zone_value(&app, "added_value", "2021-06").await,
            json!(13_000),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn enterprise_user_cannot_import_another_enterprises_rows() {
    for app in apps().await {
        let (f, firms) = enterprises(&app).await;
        app.create(
            "/api/v1/posts",
            json!({"person_id": f.person, "role": "enterprise_contact", "enterprise_id": firms[0].1, "starts_on": "2021-08-01"}),
        )
        .await;
        let firm = app
            .as_account("firm0", Role::Enterprise, Some(f.person))
            .await;
        let csv = long_csv(&[
            (&firms[0].0, "2021-01", "增加值", "100"),
            (&firms[1].0, "2021-01", "增加值", "999"),
        ]);
        let (status, body) = upload(&firm, "mixed.csv", &csv, false).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        let errors = body["import"]["report"]["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(errors.len(), 1, "[{}] {body}", app.engine);
        assert_eq!(errors[0]["line"], 3);
        assert!(
            errors[0]["reason"]
                .as_str()
                .unwrap_or("")
                .contains("not one of this account's enterprises")
        );
        let (status, body) = upload(&firm, "mixed.csv", &csv, true).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021-01").await,
            json!(10_000),
            "[{}] only its own row",
            app.engine
        );
        let leader = app.as_account("leader1", Role::Leader, None).await;
        let (status, _) = upload(&leader, "any.csv", &csv, false).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "[{}] a leader reads, never imports",
            app.engine
        );
    }
}

#[tokio::test]
async fn an_enterprise_users_import_report_does_not_tell_which_credit_codes_are_registered() {
    for app in apps().await {
        let (f, firms) = enterprises(&app).await;
        app.create(
            "/api/v1/posts",
            json!({"person_id": f.person, "role": "enterprise_contact", "enterprise_id": firms[0].1, "starts_on": "2021-08-01"}),
        )
        .await;
        let firm = app
            .as_account("firm0", Role::Enterprise, Some(f.person))
            .await;
        // A credit code nobody registered is refused in exactly the same words and fields as another enterprise's.
        let unregistered = credit_code("91500000MA5U00999");
        let probe = long_csv(&[
            (&firms[1].0, "2021-01", "增加值", "999"),
            (&unregistered, "2021-01", "增加值", "999"),
        ]);
        let (_, body) = upload(&firm, "probe.csv", &probe, false).await;
        let errors = body["import"]["report"]["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(errors.len(), 2, "[{}] {body}", app.engine);
        let without_code = |e: &serde_json::Value, code: &str| {
            let mut e = e.clone();
            for key in ["reason", "reason_zh", "cell"] {
                e[key] = json!(e[key].as_str().unwrap_or("").replace(code, "CODE"));
            }
            e["line"] = json!(0);
            e
        };
        assert_eq!(
            without_code(&errors[0], &firms[1].0),
            without_code(&errors[1], &unregistered),
            "[{}] {body}",
            app.engine
        );
    }
}

#[tokio::test]
async fn employees_are_a_stock_so_a_half_year_takes_june() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let code = &firms[0].0;
        let csv = long_csv(&[
            (code, "2021-01", "从业人员", "100"),
            (code, "2021-06", "从业人员", "120"),
            (code, "2021-03", "从业人员", "110"),
        ]);
        let (status, body) = upload(&app, "staff.csv", &csv, false).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert_eq!(
            zone_value(&app, "employees", "2021-H1").await,
            json!(12_000),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn same_firms_growth_restates_last_year_to_this_years_reporters() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        // Firm 0 reports both years; firm 1 only last year (it left): published totals fall, same firms grow.
        let csv = long_csv(&[
            (&firms[0].0, "2020-01", "增加值", "100"),
            (&firms[1].0, "2020-01", "增加值", "100"),
            (&firms[0].0, "2021-01", "增加值", "150"),
        ]);
        assert_eq!(
            upload(&app, "two-years.csv", &csv, false).await.0,
            StatusCode::CREATED
        );
        let (_, published) = app
            .get("/api/v1/stats?indicator=added_value&period=2021-01")
            .await;
        assert_eq!(
            published["groups"][0]["yoy_growth_percent"], "-25.0",
            "[{}] {published}",
            app.engine
        );
        let (_, same) = app
            .get("/api/v1/stats?indicator=added_value&period=2021-01&method=same_firms")
            .await;
        assert_eq!(
            same["groups"][0]["yoy_growth_percent"], "50.0",
            "[{}] {same}",
            app.engine
        );
        assert_eq!(same["method"], "same_firms");
    }
}

#[tokio::test]
async fn a_firm_moved_to_another_segment_takes_its_figures_along() {
    for app in apps().await {
        let (f, firms) = enterprises(&app).await;
        let csv = long_csv(&[(&firms[0].0, "2021-01", "增加值", "100")]);
        assert_eq!(
            upload(&app, "a.csv", &csv, false).await.0,
            StatusCode::CREATED
        );
        let (status, body) = app
            .patch(
                &format!("/api/v1/enterprises/{}", firms[0].1),
                json!({"segment_ids": [f.other_segment]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        let (status, _) = app.post("/api/v1/figures/rebuild", json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, by_chain) = app
            .get("/api/v1/stats?indicator=added_value&period=2021-01&by=chain")
            .await;
        let groups = by_chain["groups"].as_array().cloned().unwrap_or_default();
        assert_eq!(groups.len(), 1, "[{}] {by_chain}", app.engine);
        assert_eq!(groups[0]["group_id"], f.other_chain, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn every_layout_has_a_template_to_download() {
    for app in apps().await {
        for file in ["long.csv", "wide_by_month.xlsx", "wide_by_indicator.csv"] {
            let response = app
                .client
                .get(format!("{}/api/v1/imports/templates/{file}", app.base))
                .send()
                .await
                .expect("answered");
            assert_eq!(response.status(), StatusCode::OK, "[{}] {file}", app.engine);
        }
        let (status, _) = app.get("/api/v1/imports/templates/nothing.csv").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

/// The demo registry with some of its figures, on every engine.
async fn demo_apps(selection: DemoFigureSelection) -> Vec<TestApp> {
    let zone = chainpark_core::demo::demo_zone();
    let actor = Actor::system("demo");
    let mut out = Vec::new();
    for store in fresh_stores().await {
        store
            .load_registry(&actor, &zone)
            .await
            .expect("registry loads");
        load_demo_figures(store.as_ref(), &actor, &zone, &selection)
            .await
            .expect("figures load");
        out.push(TestApp::start(store).await);
    }
    out
}

#[tokio::test]
async fn demo_digital_economy_added_value_h1_2021_is_336_28_yi_up_54_6_percent_one_third_of_chongqing()
 {
    let selection = DemoFigureSelection {
        indicators: vec!["added_value"],
        years: 2020..=2021,
    };
    for app in demo_apps(selection).await {
        let (status, body) = app
            .get("/api/v1/stats?indicator=added_value&period=2021-H1&by=digital_economy&share_of=region:500000")
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        let group = &body["groups"][0];
        assert_eq!(
            group["value"]["display_zh"], "336.28亿元",
            "[{}] {body}",
            app.engine
        );
        assert_eq!(group["value"]["hundredths"], 3_362_800_000_000i64);
        assert_eq!(
            group["yoy_growth_percent"], "54.6",
            "[{}] {body}",
            app.engine
        );
        assert_eq!(group["share_percent"], "33.3", "[{}] {body}", app.engine);
        assert_eq!(group["firms"], 6564, "[{}] {body}", app.engine);
        assert_eq!(
            group["firms_approx_zh"], "6000余家",
            "[{}] about 6,000 firms",
            app.engine
        );
    }
}

#[tokio::test]
async fn demo_industrial_output_q1_to_q3_2021_is_3161_2_yi_up_29_4_percent_automobile_1153_electronics_1650()
 {
    let selection = DemoFigureSelection {
        indicators: vec!["gross_output"],
        years: 2020..=2021,
    };
    for app in demo_apps(selection).await {
        let (_, zone) = app
            .get("/api/v1/stats?indicator=gross_output&period=2021-YTD-09")
            .await;
        assert_eq!(
            zone["groups"][0]["value"]["display_zh"], "3161.20亿元",
            "[{}] {zone}",
            app.engine
        );
        assert_eq!(
            zone["groups"][0]["yoy_growth_percent"], "29.4",
            "[{}] {zone}",
            app.engine
        );
        let (_, chains) = app
            .get("/api/v1/stats?indicator=gross_output&period=2021-YTD-09&by=chain")
            .await;
        let by_code = |code: &str| {
            chains["groups"]
                .as_array()
                .and_then(|g| g.iter().find(|g| g["code"] == code))
                .map(|g| g["value"]["display_zh"].clone())
        };
        assert_eq!(
            by_code("AUTO"),
            Some(json!("1153.00亿元")),
            "[{}] {chains}",
            app.engine
        );
        assert_eq!(
            by_code("ELEC"),
            Some(json!("1650.00亿元")),
            "[{}] {chains}",
            app.engine
        );
    }
}

#[tokio::test]
async fn import_command_stores_a_file_and_report_prints_the_rollup() {
    let (dir, url, store) = common::binary_database("cli_import").await;
    let zone = chainpark_core::demo::demo_zone();
    store
        .load_registry(&Actor::system("test"), &zone)
        .await
        .expect("registry");
    drop(store);
    let code = &zone.enterprises[0].credit_code;
    let file = dir.join("figures.csv");
    std::fs::write(
        &file,
        long_csv(&[
            (code, "2021-01", "营业收入（万元）", "12.5"),
            (code, "2021-02", "营业收入（万元）", "7.5"),
        ]),
    )
    .expect("file");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chainpark"))
            .args(args)
            .args(["--database", &url])
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs")
    };
    let imported = run(&["import", file.to_str().expect("path")]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let report = run(&[
        "report",
        "--indicator",
        "operating_revenue",
        "--period",
        "2021-Q1",
        "--format",
        "json",
    ]);
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let rollup: Value = serde_json::from_slice(&report.stdout).expect("JSON");
    assert_eq!(
        rollup["groups"][0]["value"]["decimal"], "200000.00",
        "{rollup}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_empty_or_binary_file_gets_a_clear_answer_and_stores_nothing() {
    for app in apps().await {
        enterprises(&app).await;
        for (name, body) in [
            ("empty.csv", Vec::new()),
            ("fake.xlsx", vec![0u8, 159, 146, 150, 255, 0, 1, 2, 3]),
        ] {
            let response = app
                .client
                .post(format!("{}/api/v1/imports?filename={name}", app.base))
                .header("x-csrf-token", &app.csrf)
                .body(body)
                .send()
                .await
                .expect("answered");
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{}] {name}",
                app.engine
            );
            let problem: Value = response.json().await.expect("a problem document");
            assert_eq!(
                problem["errors"][0]["field"], "file",
                "[{}] {name}: {problem}",
                app.engine
            );
        }
        assert_eq!(
            zone_value(&app, "added_value", "2021").await,
            Value::Null,
            "[{}]",
            app.engine
        );
    }
}

/// Sends a multipart form built by hand (as browsers and `curl -F` do), with the given parts: (name, file name,
/// content).
async fn upload_form(app: &TestApp, parts: &[(&str, Option<&str>, &str)]) -> (StatusCode, Value) {
    let boundary = "----chainpark-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = String::new();
    for (name, file_name, content) in parts {
        body.push_str(&format!("--{boundary}\r\n"));
        match file_name {
            Some(file) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n"
            )),
            None => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            )),
        }
        body.push_str(content);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let content_type = format!("multipart/form-data; boundary={boundary}");
    app.send_file(Method::POST, "/api/v1/imports", &content_type, body)
        .await
}

#[tokio::test]
async fn multipart_upload_imports_the_file_part_with_its_name_and_options() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let good = &firms[0].0;
        let csv = long_csv(&[
            (good, "2021-01", "增加值", "100"),
            (good, "2021-02", "增加值", "12abc"),
        ]);
        // All or nothing unless the form says otherwise: the bad row keeps the good one out.
        let (status, body) = upload_form(&app, &[("file", Some("一月.csv"), &csv)]).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        assert_eq!(body["import"]["file_name"], "一月.csv", "[{}]", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021").await,
            Value::Null,
            "[{}]",
            app.engine
        );
        let (status, body) = upload_form(
            &app,
            &[
                ("accept_valid", None, "true"),
                ("file", Some("一月.csv"), &csv),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert_eq!(body["import"]["values_changed"], 1, "[{}]", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021").await,
            json!(10_000),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn multipart_upload_without_a_file_part_names_the_missing_part() {
    for app in apps().await {
        let (status, body) = upload_form(&app, &[("accept_valid", None, "true")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}] {body}", app.engine);
        assert_eq!(
            common::bad_fields(&body),
            vec!["file".to_string()],
            "[{}] {body}",
            app.engine
        );
        let (status, body) = upload_form(
            &app,
            &[("file", Some("a.csv"), "x"), ("colour", None, "red")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}] {body}", app.engine);
        assert_eq!(
            common::bad_fields(&body),
            vec!["colour".to_string()],
            "[{}] {body}",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_100000_row_file_with_three_bad_rows_reports_exactly_those_and_stores_the_rest_only_when_asked()
 {
    let zone = chainpark_core::demo::demo_zone();
    for store in fresh_stores().await {
        store
            .load_registry(&Actor::system("test"), &zone)
            .await
            .expect("registry");
        let app = TestApp::start(store).await;
        // 100,000 rows: added value for 12 months of 2021, enterprise by enterprise.
        let mut csv = String::from("统一社会信用代码,期间,指标,数值\n");
        let bad_lines = [1_001u64, 50_002, 99_999];
        let unknown = credit_code("91500000MA5U9999X");
        for row in 0..100_000usize {
            let line = row as u64 + 2;
            let code = &zone.enterprises[row / 12].credit_code;
            let month = format!("2021-{:02}", row % 12 + 1);
            csv.push_str(&match line {
                1_001 => format!("{unknown},{month},增加值,100\n"),
                50_002 => format!("{code},{month},增加值,十二\n"),
                99_999 => format!("{code},2099-{:02},增加值,100\n", row % 12 + 1),
                _ => format!("{code},{month},增加值,100\n"),
            });
        }
        let (status, body) = upload(&app, "big.csv", &csv, false).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        let report = &body["import"]["report"];
        assert_eq!(report["rows_read"], 100_000, "[{}]", app.engine);
        let errors: Vec<(u64, String)> = report["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["line"].as_u64().unwrap_or(0),
                    e["column_letter"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            vec![
                (bad_lines[0], "A".to_string()),
                (bad_lines[1], "D".to_string()),
                (bad_lines[2], "B".to_string())
            ],
            "[{}] {report}",
            app.engine
        );
        assert!(
            report["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .all(|e| !e["reason"].as_str().unwrap_or("").is_empty()),
            "[{}] every row says why",
            app.engine
        );
        assert_eq!(
            zone_value(&app, "added_value", "2021").await,
            Value::Null,
            "[{}] nothing stored",
            app.engine
        );
        let (status, body) = upload(&app, "big.csv", &csv, true).await;
        assert_eq!(status, StatusCode::CREATED, "[{}]", app.engine);
        assert_eq!(body["import"]["values_changed"], 99_997, "[{}]", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021").await,
            json!(99_997 * 10_000),
            "[{}]",
            app.engine
        );
        let (status, body) = upload(&app, "big.csv", &csv, true).await;
        assert_eq!(status, StatusCode::CREATED, "[{}]", app.engine);
        assert_eq!(body["import"]["values_changed"], 0, "[{}]", app.engine);
        assert_eq!(
            body["import"]["values_unchanged"], 99_997,
            "[{}]",
            app.engine
        );
        assert_eq!(
            zone_value(&app, "added_value", "2021").await,
            json!(99_997 * 10_000),
            "[{}] the same file twice changes nothing",
            app.engine
        );
    }
}

const MAP_HEADER: &str = "gbt4754_code,category,mid_class,note";

/// Sends a mapping table; `query` is e.g. `mode=merge&filename=official.csv`.
async fn put_map(app: &TestApp, query: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let path = format!("/api/v1/digital-economy/map?{query}");
    app.send_file(Method::PUT, &path, "text/csv", body).await
}

async fn category_of(app: &TestApp, enterprise: i64) -> Value {
    let (status, body) = app
        .get(&format!(
            "/api/v1/enterprises/{enterprise}/digital-category"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
    body["category"].clone()
}

async fn digital_value(app: &TestApp) -> Value {
    let (status, body) = app
        .get("/api/v1/stats?indicator=added_value&period=2021-01&by=digital_economy")
        .await;
    assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
    body["groups"][0]["value"]["hundredths"].clone()
}

/// The fixture's three firms (two car makers 3612, one computer maker 3911) with 1.00 yuan of added value each.
async fn firms_with_figures(app: &TestApp) -> Vec<(String, i64)> {
    let (_, firms) = enterprises(app).await;
    let rows: Vec<(&str, &str, &str, &str)> = firms
        .iter()
        .map(|(code, _)| (code.as_str(), "2021-01", "增加值", "1"))
        .collect();
    let (status, body) = upload(app, "a.csv", &long_csv(&rows), false).await;
    assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
    firms
}

#[tokio::test]
async fn loaded_official_table_replaces_the_shipped_mapping_and_categories_and_rollups_follow() {
    for app in apps().await {
        let firms = firms_with_figures(&app).await;
        assert_eq!(
            digital_value(&app).await,
            100,
            "[{}] shipped: 3911 only",
            app.engine
        );
        let (status, change) = put_map(
            &app,
            "filename=official.csv",
            format!("{MAP_HEADER}\n361,05,0502,整车制造的数字化\n").into_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {change}", app.engine);
        assert_eq!(change["origin"], "loaded");
        assert_eq!(change["entries"], 1);
        assert_eq!(
            change["enterprises_reclassified"], 3,
            "[{}] {change}",
            app.engine
        );
        assert_eq!(category_of(&app, firms[0].1).await, "05");
        assert_eq!(category_of(&app, firms[2].1).await, Value::Null);
        assert_eq!(
            digital_value(&app).await,
            200,
            "[{}] now the car makers",
            app.engine
        );
        let (_, map) = app.get("/api/v1/digital-economy/map").await;
        assert_eq!(map["origin"], "loaded", "[{}] {map}", app.engine);
        assert_eq!(map["file_name"], "official.csv");
        assert_eq!(map["entries"][0]["industry_name"], "汽车整车制造");
        assert_eq!(map["entries"][0]["mid_class"], "0502");
    }
}

/// Reading a firm's digital-economy category stores nothing (a page that shows it neither waits for an import's
/// write lock nor sends its reads to the primary): before anything classifies the firm, the category is the one
/// the mapping in force derives from its industry code, and it follows a change of that code.
#[tokio::test]
async fn a_firms_digital_category_follows_its_industry_code_before_anything_stores_it() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        assert_eq!(
            category_of(&app, firms[2].1).await,
            "01",
            "[{}] 3911 makes computers",
            app.engine
        );
        assert_eq!(category_of(&app, firms[0].1).await, Value::Null);
        let (status, body) = app
            .patch(
                &format!("/api/v1/enterprises/{}", firms[0].1),
                json!({"industry_code": "3911"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        assert_eq!(
            category_of(&app, firms[0].1).await,
            "01",
            "[{}] the new industry code's category",
            app.engine
        );
    }
}

#[tokio::test]
async fn category_set_by_hand_survives_a_new_mapping() {
    for app in apps().await {
        let firms = firms_with_figures(&app).await;
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/api/v1/enterprises/{}/digital-category", firms[0].1),
                Some(json!({"category": "03", "overridden": true})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        let (status, change) =
            put_map(&app, "", format!("{MAP_HEADER}\n361,05,,\n").into_bytes()).await;
        assert_eq!(status, StatusCode::OK, "[{}] {change}", app.engine);
        assert_eq!(
            change["enterprises_reclassified"], 2,
            "[{}] {change}",
            app.engine
        );
        assert_eq!(category_of(&app, firms[0].1).await, "03");
        assert_eq!(category_of(&app, firms[1].1).await, "05");
    }
}

#[tokio::test]
async fn mapping_with_a_bad_line_is_refused_naming_it_and_nothing_changes() {
    for app in apps().await {
        let firms = firms_with_figures(&app).await;
        let cases: [(&[u8], &str); 4] = [
            (
                b"gbt4754_code,category,mid_class,note\n361,05,,\n3911,07,,\n",
                "line 3",
            ),
            (
                b"gbt4754_code,category,mid_class,note\n",
                "lists no industry codes",
            ),
            (b"", "empty"),
            (b"code,category\n361,05\n", "line 1"),
        ];
        for (body, reason) in cases {
            let (status, problem) = put_map(&app, "", body.to_vec()).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{}] {problem}",
                app.engine
            );
            assert_eq!(
                bad_fields(&problem),
                ["mapping"],
                "[{}] {problem}",
                app.engine
            );
            assert!(
                problem.to_string().contains(reason),
                "[{}] {reason}: {problem}",
                app.engine
            );
        }
        let (status, problem) = put_map(
            &app,
            "mode=sideways",
            format!("{MAP_HEADER}\n361,05,,\n").into_bytes(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "[{}] {problem}",
            app.engine
        );
        assert!(
            problem.to_string().contains("mode"),
            "[{}] {problem}",
            app.engine
        );
        let (_, map) = app.get("/api/v1/digital-economy/map").await;
        assert_eq!(map["origin"], "shipped", "[{}] {map}", app.engine);
        assert_eq!(category_of(&app, firms[0].1).await, Value::Null);
        assert_eq!(category_of(&app, firms[2].1).await, "01");
        assert_eq!(digital_value(&app).await, 100, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn merged_rows_extend_the_mapping_and_the_shipped_one_can_come_back() {
    for app in apps().await {
        let firms = firms_with_figures(&app).await;
        let (_, shipped) = app.get("/api/v1/digital-economy/map").await;
        let shipped_rows = shipped["entries"].as_array().map(Vec::len).unwrap_or(0);
        let (status, change) = put_map(
            &app,
            "mode=merge",
            format!("{MAP_HEADER}\n361,05,,\n").into_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {change}", app.engine);
        assert_eq!(
            change["entries"],
            shipped_rows + 1,
            "[{}] {change}",
            app.engine
        );
        assert_eq!(category_of(&app, firms[0].1).await, "05");
        assert_eq!(category_of(&app, firms[2].1).await, "01");
        assert_eq!(digital_value(&app).await, 300, "[{}]", app.engine);
        let (status, change) = common::delete(&app, "/api/v1/digital-economy/map").await;
        assert_eq!(status, StatusCode::OK, "[{}] {change}", app.engine);
        assert_eq!(change["origin"], "shipped");
        assert_eq!(
            change["enterprises_reclassified"], 2,
            "[{}] {change}",
            app.engine
        );
        assert_eq!(category_of(&app, firms[0].1).await, Value::Null);
        assert_eq!(digital_value(&app).await, 100, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn mapping_downloaded_as_csv_loads_back_unchanged() {
    for app in apps().await {
        firms_with_figures(&app).await;
        let response = app
            .client
            .get(format!("{}/api/v1/digital-economy/map.csv", app.base))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
        let csv = response.bytes().await.expect("body").to_vec();
        assert!(String::from_utf8_lossy(&csv).contains(MAP_HEADER));
        let (status, change) = put_map(&app, "filename=edited.csv", csv).await;
        assert_eq!(status, StatusCode::OK, "[{}] {change}", app.engine);
        assert_eq!(
            change["enterprises_reclassified"], 0,
            "[{}] {change}",
            app.engine
        );
        assert_eq!(digital_value(&app).await, 100, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn mapping_saved_by_excel_in_gbk_is_read() {
    for app in apps().await {
        let text = format!("{MAP_HEADER}\n361,05,,汽车整车制造按统计局口径\n");
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let (status, change) = put_map(&app, "mode=merge", gbk.into_owned()).await;
        assert_eq!(status, StatusCode::OK, "[{}] {change}", app.engine);
        let (_, map) = app.get("/api/v1/digital-economy/map").await;
        let row = map["entries"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["industry_code"] == "361"))
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(
            row["note"], "汽车整车制造按统计局口径",
            "[{}] {map}",
            app.engine
        );
    }
}

#[tokio::test]
async fn digital_map_command_loads_a_table_and_prints_the_mapping_in_force() {
    let (dir, url, store) = common::binary_database("cli_map").await;
    drop(store);
    let file = dir.join("official.csv");
    std::fs::write(&file, format!("{MAP_HEADER}\n361,05,,\n3911,01,0101,\n")).expect("file");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chainpark"))
            .arg("digital-map")
            .args(args)
            .args(["--database", &url])
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs")
    };
    let loaded = run(&[file.to_str().expect("path")]);
    let said = String::from_utf8_lossy(&loaded.stdout);
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(said.contains("official.csv, 2 industry codes"), "{said}");
    let printed = run(&["--print"]);
    assert_eq!(
        String::from_utf8_lossy(&printed.stdout),
        format!("{MAP_HEADER}\n361,05,,\n3911,01,0101,\n")
    );
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, format!("{MAP_HEADER}\n361,05,,\nC,01,,\n")).expect("file");
    let refused = run(&[bad.to_str().expect("path")]);
    let complaint = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "a bad file is refused");
    assert!(complaint.contains("line 3"), "{complaint}");
    assert_eq!(
        String::from_utf8_lossy(&run(&["--print"]).stdout),
        format!("{MAP_HEADER}\n361,05,,\n3911,01,0101,\n"),
        "the mapping in force stays as it was"
    );
    let refused = run(&[]);
    assert!(
        !refused.status.success(),
        "a file, --shipped or --print is required"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Imports beside other writes, limits, checked sums, the catalogue, archived enterprises ----

/// One application per available engine, with the URL of its database (for tampering with it).
async fn apps_with_urls() -> Vec<(TestApp, String)> {
    let mut out = Vec::new();
    for (url, store) in common::fresh_databases().await {
        out.push((TestApp::start(store).await, url));
    }
    out
}

/// A value of the store-level import protocol: `hundredths` of added value of `enterprise` in `month` of 2021.
pub(crate) fn added_value(enterprise: i64, month: u32, hundredths: i64) -> FigureValue {
    FigureValue {
        enterprise_id: enterprise,
        indicator_id: 1,
        month: Month::new(2021, month).expect("month"),
        value: hundredths,
    }
}

/// Starts an import through the store's own protocol and gives it its first batch; returns once the import has
/// taken that batch (the channel holds one message), so the import is known to be reading its "file".
pub(crate) async fn paused_import(
    app: &TestApp,
    first: Vec<FigureValue>,
) -> (
    tokio::sync::mpsc::Sender<ImportMessage>,
    tokio::task::JoinHandle<Result<ImportRecord, chainpark_store::StoreError>>,
) {
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let store = app.store.clone();
    let import = tokio::spawn(async move {
        store
            .import_figures(&Actor::system("test"), "paused.csv", receiver)
            .await
    });
    sender
        .send(ImportMessage::Values(first))
        .await
        .expect("taken");
    // The channel holds one message: this send returns only once the import took the first batch.
    sender
        .send(ImportMessage::Values(Vec::new()))
        .await
        .expect("taken");
    (sender, import)
}

pub(crate) fn finish(store: bool) -> ImportMessage {
    ImportMessage::Finish {
        store,
        report: serde_json::to_value(chainpark_import::ImportReport::generated(1)).expect("json"),
    }
}

/// A write waits for nothing an import does while it reads its file: the import below is paused in the middle of
/// its "file" while an area is created and committed; only then does the file end and the import write. (The
/// timeout only turns a regression — the write held up until the import ends, which here is never — into a
/// failure instead of a hang; nothing is timed.)
#[tokio::test]
async fn a_write_during_an_import_is_not_blocked_by_the_reading_of_its_file() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let (sender, import) = paused_import(&app, vec![added_value(firms[0].1, 1, 100)]).await;
        let write = app.create(
            "/api/v1/areas",
            json!({"code": "DURING", "name": "导入期间新建的功能区"}),
        );
        let area = tokio::time::timeout(std::time::Duration::from_secs(120), write)
            .await
            .unwrap_or_else(|_| panic!("[{}] the write waited for the import", app.engine));
        assert_eq!(area["code"], "DURING");
        sender
            .send(ImportMessage::Values(vec![added_value(firms[1].1, 1, 200)]))
            .await
            .expect("taken");
        sender.send(finish(true)).await.expect("taken");
        let record = import.await.expect("runs").expect("stored");
        assert_eq!(record.values_changed, 2, "[{}]", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021-01").await,
            json!(300),
            "[{}]",
            app.engine
        );
    }
}

/// Values another import stored while a file was read are compared again in the write transaction: the value it
/// stored moves to the history and the sums count the new value once.
#[tokio::test]
async fn values_stored_by_another_import_while_a_file_is_read_are_compared_again() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let (sender, import) = paused_import(&app, vec![added_value(firms[0].1, 3, 700)]).await;
        let (status, body) = upload(
            &app,
            "meanwhile.csv",
            &long_csv(&[(&firms[0].0, "2021-03", "增加值", "5")]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        sender.send(finish(true)).await.expect("taken");
        let record = import.await.expect("runs").expect("stored");
        assert_eq!(record.values_changed, 1, "[{}]", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021-03").await,
            json!(700),
            "[{}] 7 元, not 5 + 7",
            app.engine
        );
        let (_, history) = app
            .get(&format!(
                "/api/v1/enterprises/{}/figures?indicator=added_value&period=2021-03&as_of={}",
                firms[0].1,
                body["import"]["at"]
                    .as_str()
                    .expect("at")
                    .replace('+', "%2B")
            ))
            .await;
        assert_eq!(history[0]["value"], 500, "[{}] {history}", app.engine);
        assert_eq!(history[0]["superseded"], true, "[{}]", app.engine);
        assert!(
            app.store.check_figures().await.expect("checked").is_empty(),
            "[{}]",
            app.engine
        );
    }
}

/// An enterprise archived while its file was read stops the import in its write transaction; nothing is stored.
#[tokio::test]
async fn an_enterprise_archived_while_its_file_is_read_stops_the_import_and_nothing_is_stored() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let (sender, import) = paused_import(&app, vec![added_value(firms[0].1, 1, 100)]).await;
        let (status, body) = app
            .post(
                &format!("/api/v1/enterprises/{}/archive", firms[0].1),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        sender.send(finish(true)).await.expect("taken");
        let refused = import.await.expect("runs").expect_err("refused");
        assert!(
            refused.to_string().contains(&firms[0].0),
            "[{}] {refused}",
            app.engine
        );
        assert_eq!(
            zone_value(&app, "added_value", "2021-01").await,
            Value::Null,
            "[{}]",
            app.engine
        );
    }
}

/// Imports `values` through the store's own protocol and returns its record.
async fn import_values(app: &TestApp, values: Vec<FigureValue>, store: bool) -> ImportRecord {
    let (sender, import) = paused_import(app, values).await;
    sender.send(finish(store)).await.expect("taken");
    import.await.expect("runs").expect("imported")
}

/// One number read straight from the database at `url`.
async fn scalar(url: &str, sql: &str) -> i64 {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("SQLite");
        sqlx::query_scalar(sql)
            .fetch_one(&mut c)
            .await
            .expect("read")
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("PostgreSQL");
        sqlx::query_scalar(sql)
            .fetch_one(&mut c)
            .await
            .expect("read")
    }
}

/// A revision writes the history of the values it replaces before its write transaction; refused in that
/// transaction (an enterprise archived meanwhile), it leaves the stored values, their history and the list of
/// imports exactly as they were.
#[tokio::test]
async fn a_revision_refused_in_its_write_transaction_leaves_values_and_history_as_they_were() {
    for (app, url) in apps_with_urls().await {
        let (_, firms) = enterprises(&app).await;
        import_values(
            &app,
            vec![
                added_value(firms[0].1, 1, 100),
                added_value(firms[1].1, 1, 50),
            ],
            true,
        )
        .await;
        import_values(&app, vec![added_value(firms[0].1, 1, 200)], true).await;
        let before = (
            scalar(&url, "SELECT COUNT(*) FROM figure_history").await,
            scalar(
                &url,
                "SELECT CAST(SUM(value) AS BIGINT) FROM figure_history",
            )
            .await,
            scalar(&url, "SELECT COUNT(*) FROM figure_imports").await,
        );
        assert_eq!(before, (1, 100, 2), "[{}]", app.engine);
        let (sender, import) = paused_import(
            &app,
            vec![
                added_value(firms[0].1, 1, 300),
                added_value(firms[1].1, 1, 400),
            ],
        )
        .await;
        let (status, body) = app
            .post(
                &format!("/api/v1/enterprises/{}/archive", firms[1].1),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        sender.send(finish(true)).await.expect("taken");
        let refused = import.await.expect("runs").expect_err("refused");
        assert!(
            refused.to_string().contains(&firms[1].0),
            "[{}] {refused}",
            app.engine
        );
        let after = (
            scalar(&url, "SELECT COUNT(*) FROM figure_history").await,
            scalar(
                &url,
                "SELECT CAST(SUM(value) AS BIGINT) FROM figure_history",
            )
            .await,
            scalar(&url, "SELECT COUNT(*) FROM figure_imports").await,
        );
        assert_eq!(after, before, "[{}]", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021-01").await,
            json!(250),
            "[{}]",
            app.engine
        );
        assert!(
            app.store.check_figures().await.expect("checked").is_empty(),
            "[{}]",
            app.engine
        );
    }
}

/// History written under an import that was not stored (as a revision killed between the writing of its history
/// and its write transaction leaves it) is never read: the values read as of any instant are the stored ones.
#[tokio::test]
async fn history_written_under_an_import_that_was_not_stored_is_never_read() {
    for (app, url) in apps_with_urls().await {
        let (_, firms) = enterprises(&app).await;
        let stored = import_values(&app, vec![added_value(firms[0].1, 1, 100)], true).await;
        let unstored = import_values(&app, vec![added_value(firms[0].1, 1, 999)], false).await;
        assert!(!unstored.stored, "[{}]", app.engine);
        common::tamper(
            &url,
            &format!(
                "INSERT INTO figure_history (enterprise_id, indicator_id, month, value, recorded_at, import_id, \
                 superseded_at, superseded_by) SELECT v.enterprise_id, v.indicator_id, v.month, v.value, o.at, \
                 o.id, n.at, n.id FROM figure_values v JOIN figure_imports o ON o.id = v.import_id \
                 JOIN figure_imports n ON n.id = {}",
                unstored.id
            ),
        )
        .await;
        // As of the stored import, the history row would read as the value it replaced, beside the current one.
        let (status, figures) = app
            .get(&format!(
                "/api/v1/enterprises/{}/figures?indicator=added_value&period=2021-01&as_of={}",
                firms[0].1,
                stored.at.to_rfc3339().replace('+', "%2B")
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {figures}", app.engine);
        let read: Vec<(Value, Value)> = figures
            .as_array()
            .expect("a list")
            .iter()
            .map(|f| (f["value"].clone(), f["superseded"].clone()))
            .collect();
        assert_eq!(
            read,
            vec![(json!(100), json!(false))],
            "[{}] {figures}",
            app.engine
        );
    }
}

#[tokio::test]
async fn an_archived_enterprise_refuses_new_figures_with_a_row_error_naming_it() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let (status, _) = app
            .post(
                &format!("/api/v1/enterprises/{}/archive", firms[1].1),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let csv = long_csv(&[
            (&firms[0].0, "2021-01", "增加值", "100"),
            (&firms[1].0, "2021-01", "增加值", "999"),
        ]);
        let (status, body) = upload(&app, "archived.csv", &csv, false).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        let errors = &body["import"]["report"]["errors"];
        assert_eq!(errors[0]["line"], 3, "[{}] {body}", app.engine);
        assert_eq!(errors[0]["problem"], "archived_enterprise");
        assert!(
            errors[0]["reason"]
                .as_str()
                .unwrap_or("")
                .contains(&firms[1].0),
            "[{}] {errors}",
            app.engine
        );
        let (status, body) = upload(&app, "archived.csv", &csv, true).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021-01").await,
            json!(10_000),
            "[{}] only the active firm's row",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_value_above_the_indicators_maximum_per_firm_and_month_is_a_row_error_naming_the_limit() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let code = &firms[0].0;
        // The default for money: 10^13 yuan a month.
        let csv = long_csv(&[
            (code, "2021-01", "增加值", "10000000000000"),
            (code, "2021-02", "增加值", "10000000000000.01"),
            (code, "2021-03", "利润总额", "-10000000000001"),
        ]);
        let (status, body) = upload(&app, "huge.csv", &csv, false).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        let errors = body["import"]["report"]["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let lines: Vec<i64> = errors.iter().filter_map(|e| e["line"].as_i64()).collect();
        assert_eq!(lines, vec![3, 4], "[{}] {body}", app.engine);
        assert_eq!(errors[0]["problem"], "value_out_of_range");
        assert!(
            errors[0]["reason"]
                .as_str()
                .unwrap_or("")
                .contains("10000000000000.00 yuan per enterprise and month"),
            "[{}] {errors:?}",
            app.engine
        );
        // The catalogue sets another maximum: 1 万元.
        let (status, body) = app
            .patch(
                "/api/v1/indicators/added_value",
                json!({"max_per_month": 1_000_000}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        assert_eq!(body["max_per_month_in_force"], 1_000_000);
        let (status, body) = upload(
            &app,
            "over.csv",
            &long_csv(&[(code, "2021-01", "增加值（万元）", "1.01")]),
            false,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        assert!(
            body["import"]["report"]["errors"][0]["reason"]
                .as_str()
                .unwrap_or("")
                .contains("10000.00 yuan"),
            "[{}] {body}",
            app.engine
        );
    }
}

/// Sums that would not fit in the integers are refused (409 naming what was added up), never wrapped, turned into
/// floats or answered with a 500: within one import, against the stored totals, and in roll-ups of both methods.
#[tokio::test]
async fn totals_past_the_integers_are_refused_and_nothing_changes() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let (status, body) = app
            .patch(
                "/api/v1/indicators/added_value",
                json!({"max_per_month": i64::MAX}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        // 5 × 10^16 yuan = 5 × 10^18 fen: two of them in one month do not fit in 64 bits.
        let huge = "50000000000000000";
        let (status, body) = upload(
            &app,
            "one-import.csv",
            &long_csv(&[
                (&firms[0].0, "2021-01", "增加值", huge),
                (&firms[1].0, "2021-01", "增加值", huge),
            ]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {body}", app.engine);
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or("")
                .contains("largest amount"),
            "[{}] {body}",
            app.engine
        );
        let (status, body) = upload(
            &app,
            "first.csv",
            &long_csv(&[(&firms[0].0, "2021-01", "增加值", huge)]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        let (status, body) = upload(
            &app,
            "second.csv",
            &long_csv(&[(&firms[1].0, "2021-01", "增加值", huge)]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {body}", app.engine);
        assert_eq!(
            zone_value(&app, "added_value", "2021-01").await,
            json!(5_000_000_000_000_000_000i64),
            "[{}] the stored total is as it was, still an integer",
            app.engine
        );
        // Months that fit one by one, but not added up over a year.
        let (status, body) = upload(
            &app,
            "february.csv",
            &long_csv(&[
                (&firms[1].0, "2021-02", "增加值", huge),
                (&firms[0].0, "2022-01", "增加值", "1"),
                (&firms[1].0, "2022-02", "增加值", "1"),
            ]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        for query in [
            "indicator=added_value&period=2021",
            "indicator=added_value&period=2022&method=same_firms",
            "indicator=added_value&period=2022",
        ] {
            let (status, body) = app.get(&format!("/api/v1/stats?{query}")).await;
            assert_eq!(
                status,
                StatusCode::CONFLICT,
                "[{}] {query}: {body}",
                app.engine
            );
        }
        assert!(
            app.store.check_figures().await.expect("checked").is_empty(),
            "[{}]",
            app.engine
        );
    }
}

/// `chainpark check` compares every aggregate with the sum of its values and names the one that differs.
#[tokio::test]
async fn check_fails_naming_an_aggregate_that_differs_from_its_values() {
    for (app, url) in apps_with_urls().await {
        let (f, firms) = enterprises(&app).await;
        let (status, _) = upload(
            &app,
            "fine.csv",
            &long_csv(&[
                (&firms[0].0, "2021-01", "增加值", "100"),
                (&firms[1].0, "2021-02", "增加值", "50"),
            ]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            app.store.check_figures().await.expect("checked"),
            Vec::<String>::new()
        );
        common::tamper(
            &url,
            "UPDATE figure_aggregates SET value = value + 1 WHERE dimension = 'zone' AND month = 202102",
        )
        .await;
        common::tamper(
            &url,
            "DELETE FROM figure_aggregates WHERE dimension = 'park' AND month = 202101",
        )
        .await;
        assert_eq!(
            app.store.check_figures().await.expect("checked"),
            vec![
                format!(
                    "aggregate park {} added_value 2021-01 is missing: its values add up to 10000 (firms 1)",
                    f.park
                ),
                "aggregate zone 0 added_value 2021-02 holds 5001 (firms 1) but its values add up to 5000 (firms 1)"
                    .to_string(),
            ],
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn check_command_exits_non_zero_naming_a_tampered_aggregate() {
    let (dir, url, store) = common::binary_database("cli_check").await;
    let zone = chainpark_core::demo::demo_zone();
    let actor = Actor::system("test");
    store.load_registry(&actor, &zone).await.expect("registry");
    load_demo_figures(
        store.as_ref(),
        &actor,
        &zone,
        &DemoFigureSelection {
            indicators: vec!["added_value"],
            years: 2021..=2021,
        },
    )
    .await
    .expect("figures");
    drop(store);
    let check = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_chainpark"))
            .args(["check", "--database", &url])
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs")
    };
    let clean = check();
    assert!(
        clean.status.success(),
        "{}{}",
        String::from_utf8_lossy(&clean.stdout),
        String::from_utf8_lossy(&clean.stderr)
    );
    common::tamper(
        &url,
        "UPDATE figure_aggregates SET value = value - 100 WHERE dimension = 'digital_economy' AND month = 202106",
    )
    .await;
    let tampered = check();
    let said = String::from_utf8_lossy(&tampered.stdout);
    assert!(!tampered.status.success(), "{said}");
    assert!(
        said.contains("aggregate digital_economy 0 added_value 2021-06 holds"),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_name_or_alias_of_another_indicator_is_refused_and_imports_keep_working() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let new = |name_zh: &str, aliases: Value| json!({"code": "exports", "name_zh": name_zh, "unit": "yuan", "aggregation": "sum", "aliases": aliases});
        for (body, field) in [
            (new("营业收入", json!([])), "name_zh"),
            (new("出口额", json!(["增加值（万元）"])), "aliases[0]"),
            (new("出口额", json!(["Operating  REVENUE"])), "aliases[0]"),
        ] {
            let (status, problem) = app.post("/api/v1/indicators", body).await;
            assert_eq!(status, StatusCode::CONFLICT, "[{}] {problem}", app.engine);
            assert_eq!(
                bad_fields(&problem),
                vec![field],
                "[{}] {problem}",
                app.engine
            );
        }
        let (status, problem) = app
            .post("/api/v1/indicators", new("出口额", json!(["（万元）"])))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        let (status, problem) = app
            .patch(
                "/api/v1/indicators/gross_output",
                json!({"aliases": ["增加值"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {problem}", app.engine);
        app.create("/api/v1/indicators", new("出口额", json!(["出口"])))
            .await;
        let (status, body) = upload(
            &app,
            "after.csv",
            &long_csv(&[
                (&firms[0].0, "2021-01", "增加值", "100"),
                (&firms[0].0, "2021-01", "出口", "30"),
            ]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
    }
}

/// A catalogue made ambiguous before names were checked (here by hand) is reported by `check`; imports answer 409
/// naming the name instead of 500, until the admin fixes it with a PATCH.
#[tokio::test]
async fn an_ambiguous_catalogue_is_reported_by_check_and_refuses_imports_until_patched() {
    for (app, url) in apps_with_urls().await {
        let (_, firms) = enterprises(&app).await;
        common::tamper(
            &url,
            "UPDATE indicators SET aliases = '增加值' WHERE code = 'gross_output'",
        )
        .await;
        let problems = app.store.check_figures().await.expect("checked");
        assert!(
            problems.len() == 1 && problems[0].contains("'增加值' would mean both"),
            "[{}] {problems:?}",
            app.engine
        );
        let csv = long_csv(&[(&firms[0].0, "2021-01", "增加值", "100")]);
        let (status, body) = upload(&app, "blocked.csv", &csv, false).await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {body}", app.engine);
        assert!(
            body["detail"].as_str().unwrap_or("").contains("增加值"),
            "[{}] {body}",
            app.engine
        );
        let (status, body) = app
            .patch(
                "/api/v1/indicators/gross_output",
                json!({"aliases": ["总产值"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        let (status, body) = upload(&app, "unblocked.csv", &csv, false).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert!(app.store.check_figures().await.expect("checked").is_empty());
    }
}

#[tokio::test]
async fn an_indicator_changes_by_merge_patch_but_keeps_its_code_and_unit() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        let (status, body) = app
            .patch(
                "/api/v1/indicators/operating_revenue",
                json!({"name_en": "Revenue from operations", "aliases": ["营收", "主营业务收入"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        assert_eq!(body["name_en"], "Revenue from operations");
        assert_eq!(body["name_zh"], "营业收入", "untouched fields stay");
        let (status, body) = upload(
            &app,
            "alias.csv",
            &long_csv(&[(&firms[0].0, "2021-01", "主营业务收入", "100")]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        let (status, problem) = app
            .patch(
                "/api/v1/indicators/operating_revenue",
                json!({"unit": "person", "code": "revenue"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), vec!["code", "unit"]);
        let (status, _) = app
            .patch("/api/v1/indicators/no_such_thing", json!({"name_en": "x"}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn an_archived_indicator_refuses_new_figures_and_its_history_stays_readable() {
    for app in apps().await {
        let (_, firms) = enterprises(&app).await;
        app.create(
            "/api/v1/indicators",
            json!({"code": "exports", "name_zh": "出口额", "unit": "yuan", "aggregation": "sum"}),
        )
        .await;
        let (status, body) = upload(
            &app,
            "exports.csv",
            &long_csv(&[(&firms[0].0, "2021-01", "出口额", "100")]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        let (status, body) = app
            .post("/api/v1/indicators/exports/archive", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        assert_eq!(body["archived"], true);
        let codes = |list: &Value| -> Vec<String> {
            list.as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|i| i["code"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (_, listed) = app.get("/api/v1/indicators").await;
        assert!(!codes(&listed).contains(&"exports".to_string()));
        let (_, listed) = app.get("/api/v1/indicators?include_archived=true").await;
        assert!(codes(&listed).contains(&"exports".to_string()));
        assert_eq!(
            zone_value(&app, "exports", "2021-01").await,
            json!(10_000),
            "[{}] its history stays readable",
            app.engine
        );
        let (status, body) = upload(
            &app,
            "more-exports.csv",
            &long_csv(&[
                (&firms[0].0, "2021-02", "增加值", "100"),
                (&firms[0].0, "2021-02", "出口额", "100"),
            ]),
            false,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        let error = &body["import"]["report"]["errors"][0];
        assert_eq!(error["line"], 3, "[{}] {body}", app.engine);
        assert_eq!(error["problem"], "archived_indicator");
        assert!(error["reason"].as_str().unwrap_or("").contains("exports"));
    }
}

#[tokio::test]
async fn the_demo_import_record_downloads_its_report_as_csv_and_xlsx() {
    for app in demo_apps(DemoFigureSelection {
        indicators: vec!["added_value"],
        years: 2021..=2021,
    })
    .await
    {
        let (status, record) = app.get("/api/v1/imports/1").await;
        assert_eq!(status, StatusCode::OK, "[{}] {record}", app.engine);
        assert_eq!(record["import"]["file_name"], "demo figures");
        for (path, kind) in [
            ("/api/v1/imports/1/report.csv", "text/csv"),
            ("/api/v1/imports/1/report.xlsx", "spreadsheetml"),
        ] {
            let response = app
                .client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .expect("answered");
            assert_eq!(response.status(), StatusCode::OK, "[{}] {path}", app.engine);
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            assert!(
                content_type.contains(kind),
                "[{}] {content_type}",
                app.engine
            );
            assert!(!response.bytes().await.expect("body").is_empty());
        }
    }
}

#[tokio::test]
async fn the_import_history_page_lists_who_sent_which_file_and_what_was_stored_to_those_the_policy_lets_see()
 {
    for app in apps().await {
        let e = app.engine;
        let (f, firms) = enterprises(&app).await;
        let good = &firms[0].0;
        let csv = long_csv(&[(good, "2021-01", "增加值", "100")]);
        let (status, body) = upload(&app, "good-january.csv", &csv, false).await;
        assert_eq!(status.as_u16() / 100, 2, "[{e}] {body}");
        let stored = body["import"]["id"].as_i64().expect("id");
        let csv = long_csv(&[(good, "2021-02", "增加值", "12abc")]);
        let (status, body) = upload(&app, "bad-february.csv", &csv, false).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {body}");
        let refused = body["import"]["id"].as_i64().expect("id");

        let html = app
            .client
            .get(format!("{}/imports?lang=zh", app.base))
            .send()
            .await
            .expect("answered")
            .text()
            .await
            .expect("body");
        let row = |id: i64| {
            html.split(&format!("id=\"import-{id}\""))
                .nth(1)
                .and_then(|rest| rest.split("</tr>").next())
                .unwrap_or_default()
                .to_string()
        };
        let good_row = row(stored);
        assert!(
            good_row.contains("good-january.csv") && good_row.contains("已保存"),
            "[{e}] {good_row}"
        );
        let bad_row = row(refused);
        assert!(
            bad_row.contains("bad-february.csv")
                && bad_row.contains("已拒绝")
                && bad_row.contains(&format!("href=\"/imports/{refused}\"")),
            "[{e}] the refusal links to its row report: {bad_row}"
        );
        assert!(
            html.find(&format!("id=\"import-{refused}\""))
                < html.find(&format!("id=\"import-{stored}\"")),
            "[{e}] newest first"
        );

        // A chain chief who sent nothing sees none of them.
        let person = crate::workflow_common::person(&app, "赵六", "zhao.liu@example.com").await;
        crate::workflow_common::post(
            &app,
            json!({"person_id": person, "role": "chain_chief", "chain_id": f.chain,
            "chief_level": "chain", "starts_on": "2021-01-01"}),
        )
        .await;
        let chief = app
            .as_account("chain.chief", Role::ChainChief, Some(person))
            .await;
        let html = chief
            .client
            .get(format!("{}/imports?lang=zh", chief.base))
            .send()
            .await
            .expect("answered")
            .text()
            .await
            .expect("body");
        assert!(html.contains("id=\"no-imports\""), "[{e}] {html}");
        assert!(!html.contains("good-january.csv"), "[{e}]");
    }
}
