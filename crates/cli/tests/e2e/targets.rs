//! Chain attraction (issue 15), on both engines: the candidate import's row report and all-or-nothing rule, the
//! registry's update by credit code, and the loop — a target turned into a lead is a key project, and once that
//! project produces, the gap segment's class changes.

use crate::common::{TestApp, apps, credit_code, fixture};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const HEADER: &str = "企业名称,统一社会信用代码,省份,城市,行业代码,可服务环节,营收规模,从业人员,是否上市,营收增速（%）,距离（公里）,本地合作企业信用代码,来源,来源日期\n";

async fn send_candidates(app: &TestApp, csv: &str) -> (StatusCode, Value) {
    app.send_file(
        Method::POST,
        "/api/v1/candidates/import?filename=candidates.csv",
        "text/csv",
        csv.to_string(),
    )
    .await
}

#[tokio::test]
async fn a_candidate_file_with_bad_rows_reports_each_row_and_stores_nothing() {
    for app in apps().await {
        fixture(&app).await;
        let good = credit_code("91500000MA5U7G1X3");
        let other = credit_code("91310000MA1FL0000");
        let csv = format!(
            "{HEADER}\
             宁德电池,{good},福建省,宁德,3841,auto-batt,100亿元以上,80000,是,20,1900,,协会名录,2026-03-01\n\
             坏代码公司,91500000MA5U7G1X3C,上海市,上海,3841,auto-batt,,,否,,,,协会名录,2026-03-01\n\
             无此环节,{other},广东省,深圳,9999,no-such-segment,,,否,,,,协会名录,2026-03-01\n\
             重复公司,{good},福建省,宁德,3841,,,,否,,,,协会名录,2026-03-01\n"
        );
        let (status, body) = send_candidates(&app, &csv).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            app.engine
        );
        assert_eq!(body["stored"], json!(false));
        let errors: Vec<(u64, String)> = body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["line"].as_u64().expect("line"),
                    e["column"].as_str().expect("column").to_string(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            [
                (3, "统一社会信用代码".to_string()),
                (4, "行业代码".to_string()),
                (4, "可服务环节".to_string()),
                (5, "统一社会信用代码".to_string()),
            ],
            "[{}] {body}",
            app.engine
        );
        let (_, listed) = app.get("/api/v1/candidates").await;
        assert_eq!(listed, json!([]), "[{}] nothing stored", app.engine);

        // The good rows alone are stored; the same credit code again updates the candidate.
        let csv = format!(
            "{HEADER}宁德电池,{good},福建省,宁德,3841,auto-batt,100亿元以上,80000,是,20,1900,,协会名录,2026-03-01\n"
        );
        let (status, body) = send_candidates(&app, &csv).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert_eq!(body["summary"], json!({"created": 1, "updated": 0}));
        let csv = csv.replace("宁德电池", "宁德时代电池");
        let (_, body) = send_candidates(&app, &csv).await;
        assert_eq!(body["summary"], json!({"created": 0, "updated": 1}));
        let (_, found) = app.get("/api/v1/candidates?q=时代").await;
        assert_eq!(
            found.as_array().map(Vec::len),
            Some(1),
            "[{}] {found}",
            app.engine
        );
        assert_eq!(found[0]["credit_code"], json!(good));
    }
}

#[tokio::test]
async fn a_target_turned_into_a_lead_is_a_project_and_its_production_changes_the_gap_class() {
    for app in apps().await {
        let f = fixture(&app).await;
        let chief = app
            .create("/api/v1/people", json!({"name": "李链长"}))
            .await["id"]
            .as_i64()
            .expect("id");
        app.create(
            "/api/v1/posts",
            json!({"person_id": chief, "role": "chain_chief", "chain_id": f.chain, "chief_level": "chain", "starts_on": "2026-01-01"}),
        )
        .await;
        let near = credit_code("91500000MA5U7G1X3");
        let far = credit_code("91350900MA2Y00000");
        let csv = format!(
            "{HEADER}\
             远方电池,{far},福建省,宁德,3841,,1-10亿元,500,否,5,1900,,协会名录,2026-03-01\n\
             近邻电池,{near},重庆市,重庆,3841,auto-batt,10-100亿元,3000,是,30,0,,协会名录,2026-03-01\n"
        );
        let (status, body) = send_candidates(&app, &csv).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);

        let (status, lists) = app
            .get(&format!("/api/v1/chains/{}/targets?month=2026-06", f.chain))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {lists}", app.engine);
        let battery = lists["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .find(|s| s["segment_id"] == json!(f.child_segment))
            .cloned()
            .expect("the battery segment is a gap");
        assert_eq!(battery["gap_class"], json!("broken"));
        let top = &battery["targets"][0];
        assert_eq!(top["rank"], json!(1));
        assert_eq!(
            top["candidate"]["name"],
            json!("近邻电池"),
            "[{}] {battery}",
            app.engine
        );
        assert_eq!(top["score"]["segment_match"]["value"], json!(1.0));
        assert_eq!(
            battery["targets"][1]["score"]["segment_match"]["value"],
            json!(0.5)
        );
        let candidate = top["candidate"]["id"].as_i64().expect("id");

        let project = app
            .create(
                &format!("/api/v1/chains/{}/leads", f.chain),
                json!({"segment_id": f.child_segment, "candidate_id": candidate, "on": "2026-06-01"}),
            )
            .await;
        assert_eq!(project["stage"], json!("lead"));
        assert_eq!(
            project["chief"]["id"],
            json!(chief),
            "[{}] {project}",
            app.engine
        );
        assert_eq!(project["segment_id"], json!(f.child_segment));
        let id = project["id"].as_i64().expect("id");
        let (_, projects) = app
            .get(&format!("/api/v1/projects?chain_id={}", f.chain))
            .await;
        assert!(
            projects["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|p| p["id"] == json!(id)),
            "[{}] {projects}",
            app.engine
        );
        // The same target again is refused, naming the project.
        let (status, _) = app
            .post(
                &format!("/api/v1/chains/{}/leads", f.chain),
                json!({"segment_id": f.child_segment, "candidate_id": candidate, "on": "2026-06-02"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        for (stage, on) in [
            ("signed", "2026-06-03"),
            ("started", "2026-06-05"),
            ("in_production", "2026-06-10"),
        ] {
            let (status, body) = app
                .post(
                    &format!("/api/v1/projects/{id}/stage"),
                    json!({"stage": stage, "on": on}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "[{}] {stage}: {body}", app.engine);
        }
        let class_in = |month: &'static str| {
            let app = &app;
            async move {
                let (_, health) = app
                    .get(&format!("/api/v1/chains/{}/health?month={month}", f.chain))
                    .await;
                health["diagnosis"]["segments"]
                    .as_array()
                    .expect("segments")
                    .iter()
                    .find(|s| s["segment_id"] == json!(f.child_segment))
                    .map(|s| s["gap_class"].clone())
                    .expect("segment")
            }
        };
        assert_eq!(
            class_in("2026-05").await,
            json!("broken"),
            "[{}]",
            app.engine
        );
        assert_eq!(
            class_in("2026-06").await,
            json!("single_point"),
            "[{}]",
            app.engine
        );
        let (_, lists) = app
            .get(&format!("/api/v1/chains/{}/targets?month=2026-06", f.chain))
            .await;
        assert!(
            lists["segments"]
                .as_array()
                .expect("segments")
                .iter()
                .filter(|s| s["segment_id"] == json!(f.child_segment))
                .all(|s| s["gap_class"] == json!("single_point")),
            "[{}] {lists}",
            app.engine
        );
    }
}
