//! Per-mu evaluation through the API, on every engine: land files are all or nothing with the bad row named, a
//! scheme version a run has used is never changed in place (409), and a re-run after one revised figure lists
//! exactly that firm. Who reads which result is in the authorisation matrix.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, apps, assessment_scheme, credit_code};
use crate::workflow_common::zone;

const FIGURES: &str = "统一社会信用代码,企业名称,期间,指标,数值,单位\n";

fn firm_code() -> String {
    credit_code("91500112MA5U7G1X3")
}

fn other_firm_code() -> String {
    credit_code("91500112MA5U7G2X3")
}

/// Imports added values (万元) of March 2021 and answers the import's instant: the data vintage of its figures.
async fn import_added_value(app: &TestApp, rows: &[(String, &str, &str)]) -> Value {
    let file = rows
        .iter()
        .fold(FIGURES.to_string(), |file, (code, name, value)| {
            format!("{file}{code},{name},2021-03,增加值,{value},万元\n")
        });
    let (status, answer) = app
        .send_file(
            Method::POST,
            "/api/v1/imports?filename=av.csv",
            "text/csv",
            file,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "[{}] {answer}", app.engine);
    answer["import"]["at"].clone()
}

async fn import_parcels(app: &TestApp, file: String) -> (StatusCode, Value) {
    app.send_file(
        Method::POST,
        "/api/v1/land-parcels/import?filename=parcels.csv",
        "text/csv",
        file,
    )
    .await
}

/// Both zone firms on 10 mu of the park.
async fn ten_mu_each(app: &TestApp) {
    let file = format!(
        "地块编号,园区编码,权利人统一社会信用代码,面积（亩）,用途,起始日期\n\
         YF-1,yufu,{},10,工业,2020-01-01\nYF-2,yufu,{},10,工业,2020-01-01\n",
        firm_code(),
        other_firm_code()
    );
    let (status, answer) = import_parcels(app, file).await;
    assert_eq!(status, StatusCode::OK, "[{}] {answer}", app.engine);
}

#[tokio::test]
async fn a_land_file_with_a_bad_row_stores_nothing_and_names_the_row() {
    for app in apps().await {
        zone(&app).await;
        let file = format!(
            "地块编号,园区编码,权利人统一社会信用代码,面积（亩）,用途,起始日期\n\
             YF-1,yufu,{},10,工业,2020-01-01\nYF-2,yufu,{},-3,工业,2020-01-01\nYF-3,yufu,,4.5,工业,2020-01-01\n",
            firm_code(),
            other_firm_code()
        );
        let (status, answer) = import_parcels(&app, file).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {answer}",
            app.engine
        );
        assert_eq!(answer["outcome"], "refused", "[{}] {answer}", app.engine);
        let named: Vec<(i64, String)> = answer["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["line"].as_i64().expect("line"),
                    e["column"].as_str().expect("column").to_string(),
                )
            })
            .collect();
        assert_eq!(
            named,
            [(3, "面积（亩）".to_string())],
            "[{}] {answer}",
            app.engine
        );
        let (_, stored) = app.get("/api/v1/land-parcels").await;
        assert_eq!(
            stored["total"], 0,
            "[{}] nothing stored: {stored}",
            app.engine
        );
        ten_mu_each(&app).await;
        let (_, stored) = app.get("/api/v1/land-parcels").await;
        assert_eq!(stored["total"], 2, "[{}] {stored}", app.engine);
    }
}

#[tokio::test]
async fn a_scheme_version_used_by_a_run_answers_409_and_a_new_version_is_made_instead() {
    for app in apps().await {
        zone(&app).await;
        ten_mu_each(&app).await;
        let at = import_added_value(&app, &[(firm_code(), "重庆长程电池有限公司", "1500")]).await;
        let v1 = app
            .create("/api/v1/assessment/schemes", assessment_scheme("cq-test"))
            .await;
        let id = v1["id"].as_i64().expect("id");
        let mut edited = assessment_scheme("cq-test");
        edited["name"] = json!("测试评价（修订）");
        let (status, changed) = app
            .call(
                Method::PUT,
                &format!("/api/v1/assessment/schemes/{id}"),
                Some(edited.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] unused: {changed}", app.engine);
        app.create(
            "/api/v1/assessment/runs",
            json!({"scheme_id": id, "year": 2021, "data_as_of": at}),
        )
        .await;
        edited["body"]["populations"][0]["indicators"][0]["benchmark"]["value"] = json!("3000000");
        let (status, problem) = app
            .call(
                Method::PUT,
                &format!("/api/v1/assessment/schemes/{id}"),
                Some(edited.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {problem}", app.engine);
        let why = problem["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            why.contains("used by a run"),
            "[{}] the answer names why: {problem}",
            app.engine
        );
        let (_, kept) = app.get(&format!("/api/v1/assessment/schemes/{id}")).await;
        assert_eq!(
            kept["body"], changed["body"],
            "[{}] the used version is as it was",
            app.engine
        );
        let (status, v2) = app
            .call(
                Method::POST,
                &format!("/api/v1/assessment/schemes/{id}/versions"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {v2}", app.engine);
        assert_eq!(
            (&v2["version"], &v2["based_on_id"], &v2["in_use"]),
            (&json!(2), &json!(id), &json!(false)),
            "[{}] {v2}",
            app.engine
        );
        let (status, edited_v2) = app
            .call(
                Method::PUT,
                &format!("/api/v1/assessment/schemes/{}", v2["id"]),
                Some(edited),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {edited_v2}", app.engine);
        assert_eq!(
            edited_v2["body"]["populations"][0]["indicators"][0]["benchmark"]["value"],
            "3000000"
        );
    }
}

#[tokio::test]
async fn a_rerun_after_a_revised_figure_lists_exactly_that_firm() {
    for app in apps().await {
        let z = zone(&app).await;
        ten_mu_each(&app).await;
        let first = import_added_value(
            &app,
            &[
                (firm_code(), "重庆长程电池有限公司", "1500"),
                (other_firm_code(), "重庆芯研科技有限公司", "800"),
            ],
        )
        .await;
        let scheme = app
            .create("/api/v1/assessment/schemes", assessment_scheme("rerun"))
            .await["id"]
            .clone();
        let run = |at: Value| {
            let app = &app;
            let scheme = scheme.clone();
            async move {
                app.create(
                    "/api/v1/assessment/runs",
                    json!({"scheme_id": scheme, "year": 2021, "data_as_of": at}),
                )
                .await
            }
        };
        let before = run(first.clone()).await;
        assert_eq!(before["changes"], json!([]), "[{}] a first run", app.engine);
        let revised =
            import_added_value(&app, &[(firm_code(), "重庆长程电池有限公司", "1200")]).await;
        let after = run(revised).await;
        let listed: Vec<(i64, Value)> = after["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| {
                (
                    c["enterprise_id"].as_i64().expect("id"),
                    c["inputs_changed"].clone(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [(z.firm, json!(["added_value_per_mu"]))],
            "[{}] {after}",
            app.engine
        );
        let run_id = after["run"]["id"].as_i64().expect("id");
        assert_eq!(
            after["run"]["previous_run_id"], before["run"]["id"],
            "[{}]",
            app.engine
        );
        let (_, stored) = app
            .get(&format!("/api/v1/assessment/runs/{run_id}/changes"))
            .await;
        assert_eq!(stored, after["changes"], "[{}]", app.engine);
        // 1,500 万元 on 10 mu is 1,500,000 yuan per mu: 100 × 1,500,000 ÷ 2,000,000 = 75 points, under the cap of
        // 150 % of the weight.
        let (_, first_result) = app
            .get(&format!(
                "/api/v1/assessment/runs/{}/results/{}",
                before["run"]["id"], z.firm
            ))
            .await;
        let item = &first_result["detail"]["items"][0];
        assert_eq!(
            (&item["how"], &item["points_centi"], &item["cap_centi"]),
            (&json!("scored"), &json!(7_500), &json!(15_000)),
            "[{}] {first_result}",
            app.engine
        );
    }
}

/// The chains' cards come from the data: a signed project gives its chain one point of project progress, the
/// highest value among the peers (100) against the other chain's none (60). A chain chief sees his own card whole
/// and only the total and rank of the other.
#[tokio::test]
async fn a_chain_chief_sees_his_card_from_the_data_whole_and_the_others_ranks_only() {
    for app in apps().await {
        let z = zone(&app).await;
        let project = app
            .create(
                "/api/v1/projects",
                json!({"name": "电池二期", "investor": "投资方", "chain_id": z.f.chain}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let (status, moved) = app
            .post(
                &format!("/api/v1/projects/{project}/stage"),
                json!({"stage": "signed", "on": "2021-08-18"}),
            )
            .await;
        assert!(status.is_success(), "[{}] {moved}", app.engine);
        let (status, all) = app.get("/api/v1/scorecards/chains?period=2021-09").await;
        assert_eq!(status, StatusCode::OK, "[{}] {all}", app.engine);
        let progress = |cards: &Value, chain: i64| -> (Value, Value) {
            let card = cards["cards"]
                .as_array()
                .expect("cards")
                .iter()
                .find(|c| c["id"] == chain)
                .cloned()
                .expect("the chain's card");
            let item = card["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["code"] == "project_progress")
                .cloned()
                .unwrap_or(Value::Null);
            (item["value"].clone(), item["score_centi"].clone())
        };
        assert_eq!(
            progress(&all, z.f.chain),
            (json!("1.0000"), json!(10_000)),
            "[{}] {all}",
            app.engine
        );
        assert_eq!(
            progress(&all, z.f.other_chain),
            (json!("0.0000"), json!(6_000)),
            "[{}] {all}",
            app.engine
        );
        let chief = app
            .as_account(
                "scorecard.chief",
                chainpark_core::access::Role::ChainChief,
                Some(z.chain_chief),
            )
            .await;
        let (status, seen) = chief.get("/api/v1/scorecards/chains?period=2021-09").await;
        assert_eq!(status, StatusCode::OK, "[{}] {seen}", app.engine);
        let shown: Vec<(i64, bool, usize)> = seen["cards"]
            .as_array()
            .expect("cards")
            .iter()
            .map(|c| {
                (
                    c["id"].as_i64().expect("id"),
                    c["full"].as_bool().expect("full"),
                    c["items"].as_array().map_or(0, Vec::len),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [(z.f.chain, true, 6), (z.f.other_chain, false, 0)],
            "[{}] {seen}",
            app.engine
        );
    }
}

/// The scorecards are remembered between requests: two readers of different reach asking one after the other
/// (the same remembered cards) each see only their share, and a project's move is on the next answer.
#[tokio::test]
async fn remembered_scorecards_show_each_reader_its_share_and_change_with_the_next_write() {
    for app in apps().await {
        let z = zone(&app).await;
        let project = app
            .create(
                "/api/v1/projects",
                json!({"name": "电池三期", "investor": "投资方", "chain_id": z.f.chain}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let chief = app
            .as_account(
                "remembered.chief",
                chainpark_core::access::Role::ChainChief,
                Some(z.chain_chief),
            )
            .await;
        let cards = |answer: &Value| -> Vec<(i64, bool, usize, Value)> {
            answer["cards"]
                .as_array()
                .expect("cards")
                .iter()
                .map(|c| {
                    let progress = c["items"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|i| i["code"] == "project_progress")
                        .map(|i| i["value"].clone())
                        .unwrap_or(Value::Null);
                    (
                        c["id"].as_i64().expect("id"),
                        c["full"].as_bool().expect("full"),
                        c["items"].as_array().map_or(0, Vec::len),
                        progress,
                    )
                })
                .collect()
        };
        let url = "/api/v1/scorecards/chains?period=2021-09";
        let (_, zone_view) = app.get(url).await;
        let (_, chief_view) = chief.get(url).await;
        let (_, zone_again) = app.get(url).await;
        let mut seen = cards(&zone_view);
        seen.sort_by_key(|c| c.0);
        assert_eq!(
            seen,
            [
                (z.f.chain, true, 6, json!("0.0000")),
                (z.f.other_chain, true, 6, json!("0.0000"))
            ],
            "[{}] {zone_view}",
            app.engine
        );
        assert_eq!(
            cards(&chief_view)
                .into_iter()
                .map(|c| (c.0, c.1, c.2))
                .collect::<Vec<_>>(),
            [(z.f.chain, true, 6), (z.f.other_chain, false, 0)],
            "[{}] the chief's share only: {chief_view}",
            app.engine
        );
        assert_eq!(
            zone_again, zone_view,
            "[{}] the chief's share is not what the zone is then shown",
            app.engine
        );
        let (status, moved) = app
            .post(
                &format!("/api/v1/projects/{project}/stage"),
                json!({"stage": "signed", "on": "2021-08-18"}),
            )
            .await;
        assert!(status.is_success(), "[{}] {moved}", app.engine);
        let (_, after) = app.get(url).await;
        let progress: Vec<(i64, Value)> = cards(&after).into_iter().map(|c| (c.0, c.3)).collect();
        assert!(
            progress.contains(&(z.f.chain, json!("1.0000"))),
            "[{}] the signed project counts at once: {after}",
            app.engine
        );
    }
}

/// Sends a land file through the land import page's form (multipart, with the session's token in `csrf`).
async fn land_form(app: &TestApp, kind: &str, name: &str, file: &str) -> (StatusCode, String) {
    let boundary = "chainpark-land-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n",
        app.csrf
    );
    let response = app
        .client
        .post(format!("{}/assessment/land?lang=en", app.base))
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("answered");
    (response.status(), response.text().await.expect("body"))
}

/// The land import page: a parcel file with a bad row is refused whole, the page naming each bad row's line and
/// column, and nothing stored; the corrected file is stored and the page counts what it created; a lease file
/// goes through the same form.
#[tokio::test]
async fn the_land_import_page_refuses_a_file_with_a_bad_row_naming_it_and_stores_the_corrected_file()
 {
    for admin in apps().await {
        let z = zone(&admin).await;
        let (status, form) = admin_page(&admin, "/assessment/land").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            form.contains("id=\"land-form\"") && form.contains("<label for=\"land-file\">"),
            "[{}] the admin is offered the form",
            admin.engine
        );
        let bad = format!(
            "地块编号,园区编码,权利人统一社会信用代码,面积（亩）,用途,起始日期\n\
             YF-1,yufu,{},10,工业,2020-01-01\nYF-2,nowhere,{},10,工业,2020-01-01\n\
             YF-3,yufu,{},-4,工业,2020-01-01\n",
            firm_code(),
            other_firm_code(),
            firm_code()
        );
        let (status, html) = land_form(&admin, "parcels", "parcels.csv", &bad).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {html}",
            admin.engine
        );
        assert!(
            html.contains("<tr><td>3</td><td>园区编码</td>")
                && html.contains("<tr><td>4</td><td>面积（亩）</td>"),
            "[{}] each bad row named by line and column: {html}",
            admin.engine
        );
        let (_, parcels) = admin.get("/api/v1/land-parcels").await;
        assert_eq!(parcels["total"], 0, "[{}] nothing stored", admin.engine);
        let outline = r#""{""type"": ""Polygon"", ""coordinates"": [[[106.780, 29.720], [106.782, 29.720], [106.782, 29.722], [106.780, 29.722], [106.780, 29.720]]]}""#;
        let good = format!(
            "地块编号,园区编码,权利人统一社会信用代码,面积（亩）,用途,起始日期,轮廓\n\
             YF-1,yufu,{},10,工业,2020-01-01,{outline}\nYF-2,yufu,{},12.5,工业,2020-01-01,\n",
            firm_code(),
            other_firm_code()
        );
        let (status, html) = land_form(&admin, "parcels", "parcels.csv", &good).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", admin.engine);
        assert!(
            html.contains("id=\"land-created\">2<"),
            "[{}] two parcels created: {html}",
            admin.engine
        );
        let (_, parcels) = admin.get("/api/v1/land-parcels").await;
        assert_eq!(parcels["total"], 2, "[{}]", admin.engine);
        let (_, park) = admin_page(&admin, &format!("/parks/{}?lang=en", z.f.park)).await;
        assert!(
            park.contains("id=\"park-plan\"")
                && park.contains("<polygon class=\"parcel class-none\"")
                && park.contains("<title>YF-1 · 10.00 mu</title>"),
            "[{}] the parcel with an outline on the park's plan, not yet evaluated: {}",
            admin.engine,
            park.split("id=\"park-plan\"")
                .nth(1)
                .unwrap_or(&parcels.to_string())
        );
        let leases = format!(
            "合同编号,承租企业统一社会信用代码,园区编码,面积（平方米）,起始日期\nZL-9,{},yufu,1200,2021-01-01\n",
            firm_code()
        );
        let (status, html) = land_form(&admin, "leases", "leases.csv", &leases).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", admin.engine);
        let (_, stored) = admin.get("/api/v1/leases").await;
        assert_eq!(stored["total"], 1, "[{}] {stored}", admin.engine);
    }
}

async fn admin_page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    (response.status(), response.text().await.expect("body"))
}
