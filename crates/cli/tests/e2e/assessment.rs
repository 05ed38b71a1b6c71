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
