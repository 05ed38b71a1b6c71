//! The chain's N图N清单 pages over HTTP, on both engines: the roadmap's pin, exclude and weights forms (offered to
//! the chain's chiefs and task force, not to its owners; a refused form comes back with the message beside its
//! field and stores nothing), the diagnosed chain map with its legend, the policy registry (API and pages, its
//! forms offered to the chain's chief and not to its owner, in the workbook) and the printable set.

use crate::common::{TestApp, apps, credit_code};
use crate::workflow_common::{Zone, person, zone};
use chainpark_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

const HEADER: &str = "企业名称,统一社会信用代码,省份,城市,行业代码,可服务环节,营收规模,从业人员,是否上市,营收增速（%）,距离（公里）,本地合作企业信用代码,来源,来源日期\n";

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

async fn submit(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let response = app
        .client
        .post(format!("{}{path}", app.base))
        .form(form)
        .send()
        .await
        .expect("answered");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// The zone with two candidates for its battery segment (a gap: one firm, a single point) and
/// the chain's chief and owner signed in.
async fn roadmap_zone(app: &TestApp) -> (Zone, i64, TestApp, TestApp) {
    let z = zone(app).await;
    let near = credit_code("91500000MA5U7G1X3");
    let far = credit_code("91350900MA2Y00000");
    let csv = format!(
        "{HEADER}\
         远方电池,{far},福建省,宁德,3841,auto-batt,1-10亿元,500,否,5,1900,,协会名录,2026-03-01\n\
         近邻电池,{near},重庆市,重庆,3841,auto-batt,10-100亿元,3000,是,30,0,,协会名录,2026-03-01\n"
    );
    let (status, body) = app
        .send_file(
            Method::POST,
            "/api/v1/candidates/import?filename=c.csv",
            "text/csv",
            csv,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
    let (_, found) = app.get("/api/v1/candidates?q=近邻").await;
    let near_id = found[0]["id"].as_i64().expect("candidate");
    let chief = app
        .as_account("chain.chief", Role::ChainChief, Some(z.chain_chief))
        .await;
    let owner_person = person(app, "王链主", "owner@example.test").await;
    app.create(
        "/api/v1/posts",
        json!({"person_id": owner_person, "role": "chain_owner", "chain_id": z.f.chain, "owner_kind": "expert",
            "starts_on": "2021-01-01"}),
    )
    .await;
    let owner = app
        .as_account("chain.owner", Role::ChainOwner, Some(owner_person))
        .await;
    (z, near_id, chief, owner)
}

#[tokio::test]
async fn the_roadmap_offers_pin_exclude_and_weight_forms_to_the_chains_chief_and_not_to_its_owner()
{
    for app in apps().await {
        let (z, _, chief, owner) = roadmap_zone(&app).await;
        let path = format!("/chains/{}/roadmap?month=2026-06", z.f.chain);
        let (status, html) = page(&chief, &path).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        for form in ["target-pin", "target-exclude", "weights-form"] {
            assert!(
                html.contains(form),
                "[{}] the chief sees {form}",
                app.engine
            );
        }
        assert!(html.contains("<label for=\"exclude-"), "[{}]", app.engine);
        let (status, html) = page(&owner, &path).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(
            html.contains("近邻电池"),
            "[{}] the owner reads",
            app.engine
        );
        for form in ["target-pin", "target-exclude", "weights-form", "to-lead"] {
            assert!(
                !html.contains(form),
                "[{}] the owner sees no {form}",
                app.engine
            );
        }
        // Posting anyway is refused.
        let csrf = hidden(&html, "csrf");
        let (status, _) = submit(
            &owner,
            &format!("/chains/{}/roadmap/weights", z.f.chain),
            &[
                ("csrf", &csrf),
                ("segment_match", "50"),
                ("scale", "10"),
                ("growth", "10"),
                ("relations", "20"),
                ("distance", "10"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn an_exclusion_without_a_reason_comes_back_with_the_message_beside_the_reason_and_stores_nothing()
 {
    for app in apps().await {
        let (z, near, chief, _) = roadmap_zone(&app).await;
        let (_, html) = page(&chief, &format!("/chains/{}/roadmap", z.f.chain)).await;
        let csrf = hidden(&html, "csrf");
        let marks = format!("/chains/{}/roadmap/marks", z.f.chain);
        let segment = z.f.child_segment.to_string();
        let candidate = near.to_string();
        let (status, html) = submit(
            &chief,
            &marks,
            &[
                ("csrf", &csrf),
                ("segment_id", &segment),
                ("candidate_id", &candidate),
                ("action", "exclude"),
                ("reason", "  "),
            ],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {html}",
            app.engine
        );
        let form = format!("exclude-{segment}-{candidate}");
        let error = html
            .split(&format!("id=\"{form}-reason-error\">"))
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_default();
        assert_eq!(error, "请填写此项", "[{}]", app.engine);
        assert!(
            html.contains(&format!("id=\"{form}-reason\" name=\"reason\" value=\"  \" maxlength=\"500\" aria-invalid=\"true\"")),
            "[{}] {html}",
            app.engine
        );
        let (_, lists) = app
            .get(&format!("/api/v1/chains/{}/targets", z.f.chain))
            .await;
        let excluded: usize = lists["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .map(|s| s["excluded"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(excluded, 0, "[{}] nothing stored", app.engine);

        // With a reason: the target leaves the list and shows as excluded, with the reason.
        let (status, html) = submit(
            &chief,
            &marks,
            &[
                ("csrf", &csrf),
                ("segment_id", &segment),
                ("candidate_id", &candidate),
                ("action", "exclude"),
                ("reason", "已在西部另选址"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(
            html.contains("已在西部另选址") && html.contains("target-restore"),
            "[{}] {html}",
            app.engine
        );
        // Weights out of range: each message beside its field, the values typed kept.
        let (status, html) = submit(
            &chief,
            &format!("/chains/{}/roadmap/weights", z.f.chain),
            &[
                ("csrf", &csrf),
                ("segment_match", "150"),
                ("scale", "x"),
                ("growth", "10"),
                ("relations", "20"),
                ("distance", "10"),
            ],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {html}",
            app.engine
        );
        assert!(
            html.contains("value=\"150\"") && html.contains("value=\"x\""),
            "[{}]",
            app.engine
        );
        assert!(
            html.contains("id=\"weight-scale-error\">请填写数字</p>"),
            "[{}] {html}",
            app.engine
        );
        let (_, lists) = app
            .get(&format!("/api/v1/chains/{}/targets", z.f.chain))
            .await;
        assert_eq!(
            lists["weights"]["segment_match"],
            json!(35),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_health_page_draws_the_chain_map_by_gap_class_and_criticality_with_a_legend() {
    for app in apps().await {
        let z = zone(&app).await;
        let (status, html) = page(
            &app,
            &format!("/chains/{}/health?month=2026-06&lang=en", z.f.chain),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(html.contains("id=\"health-map\""), "[{}]", app.engine);
        assert!(html.contains("id=\"gap-legend\""), "[{}]", app.engine);
        assert!(html.contains("class=\"seg dx dx-"), "[{}]", app.engine);
        assert!(html.contains("Criticality"), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn a_chains_policies_are_filed_changed_listed_in_the_workbook_and_archived() {
    for app in apps().await {
        let (z, _, chief, owner) = roadmap_zone(&app).await;
        let input = json!({"chain_id": z.f.chain, "title": "新能源汽车若干措施", "issuer": "示例市人民政府办公厅",
            "document_number": "示府办发〔2022〕58号", "issued_on": "2022-05-20", "url": "https://example.gov.test/p58",
            "summary": "整车项目设备补助"});
        let (status, created) = chief.post("/api/v1/policies", input.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {created}", app.engine);
        let id = created["id"].as_i64().expect("id");
        // Bad input: every field named, nothing stored.
        let (status, refused) = chief
            .post(
                "/api/v1/policies",
                json!({"chain_id": z.f.chain, "title": "", "issuer": "", "document_number": "",
                    "issued_on": "2022-05-20", "url": "javascript:alert(1)"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {refused}",
            app.engine
        );
        let text = refused.to_string();
        for field in ["title", "issuer", "document_number", "url"] {
            assert!(text.contains(field), "[{}] {field}: {refused}", app.engine);
        }
        // Another chain's team may not file under this chain.
        let (status, _) = app
            .as_account("other.tf", Role::ChainTaskForce, Some(z.other_task_force))
            .await
            .post("/api/v1/policies", input.clone())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);

        let mut changed = input.clone();
        changed["summary"] = json!("整车与关键零部件项目设备补助");
        let (status, body) = chief
            .call(
                Method::PUT,
                &format!("/api/v1/policies/{id}"),
                Some(changed),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        let (status, listed) = owner
            .get(&format!("/api/v1/chains/{}/policies", z.f.chain))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {listed}", app.engine);
        assert_eq!(listed[0]["summary"], json!("整车与关键零部件项目设备补助"));
        let (status, html) = page(&owner, &format!("/chains/{}/policies", z.f.chain)).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            html.contains("新能源汽车若干措施") && html.contains("示府办发〔2022〕58号"),
            "[{}] {html}",
            app.engine
        );
        let response = chief
            .client
            .get(format!(
                "{}/chains/{}/workbook.xlsx?month=2026-06",
                app.base, z.f.chain
            ))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "[{}]", app.engine);
        let bytes = response.bytes().await.expect("bytes");
        use calamine::Reader;
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX");
        let sheet = workbook
            .worksheet_range("政策清单")
            .expect("the policy sheet");
        assert!(
            sheet.rows().any(|row| row
                .iter()
                .any(|c| c.to_string().contains("示府办发〔2022〕58号"))),
            "[{}] the workbook lists the policy",
            app.engine
        );
        // The owner reads but does not archive; the chief does, and the list is empty again.
        let (status, _) = owner
            .post(&format!("/api/v1/policies/{id}/archive"), json!({}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (status, _) = chief
            .post(&format!("/api/v1/policies/{id}/archive"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let (_, listed) = app
            .get(&format!("/api/v1/chains/{}/policies", z.f.chain))
            .await;
        assert_eq!(listed, json!([]), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn the_printable_set_holds_the_map_the_roadmap_and_the_lists() {
    for app in apps().await {
        let (z, _, chief, _) = roadmap_zone(&app).await;
        app.create(
            "/api/v1/policies",
            json!({"chain_id": z.f.chain, "title": "电池回收试点方案", "issuer": "示例市经信委",
                "document_number": "示经信发〔2021〕17号", "issued_on": "2021-09-08", "text": "全文"}),
        )
        .await;
        let (status, html) = page(
            &chief,
            &format!("/chains/{}/print?month=2026-06", z.f.chain),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        for part in [
            "id=\"print-map\"",
            "id=\"gap-legend\"",
            "id=\"print-roadmap\"",
            "近邻电池",
            "id=\"print-lists\"",
            "电池回收试点方案",
        ] {
            assert!(html.contains(part), "[{}] {part}", app.engine);
        }
    }
}

/// The text of the message beside `field` on a form page ("" when there is none).
fn field_error(html: &str, field: &str) -> String {
    html.split(&format!("id=\"{field}-error\">"))
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_chain_chief_adds_a_policy_through_the_form_and_a_refused_form_keeps_the_input_and_names_the_field()
 {
    for app in apps().await {
        let (z, _, chief, owner) = roadmap_zone(&app).await;
        let path = format!("/chains/{}/policies", z.f.chain);
        let (status, html) = page(&chief, &path).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(
            html.contains("id=\"policy-form\"") && html.contains("<label for=\"issuer\">"),
            "[{}] the chief sees the form: {html}",
            app.engine
        );
        let csrf = hidden(&html, "csrf");
        let typed = [
            ("csrf", csrf.as_str()),
            ("title", "新能源汽车若干措施"),
            ("issuer", " "),
            ("document_number", "示府办发〔2022〕58号"),
            ("issued_on", "2022-05-20"),
            ("url", "ftp://example.gov.test/p58"),
            ("text", ""),
            ("summary", "整车项目设备补助"),
        ];
        let (status, html) = submit(&chief, &path, &typed).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {html}",
            app.engine
        );
        assert_eq!(
            field_error(&html, "issuer"),
            "请填写此项",
            "[{}]",
            app.engine
        );
        assert!(
            field_error(&html, "url").starts_with("网址须以"),
            "[{}] {html}",
            app.engine
        );
        assert_eq!(field_error(&html, "title"), "", "[{}]", app.engine);
        for kept in [
            "id=\"title\" name=\"title\" required maxlength=\"200\" value=\"新能源汽车若干措施\"",
            "value=\"示府办发〔2022〕58号\"",
            "整车项目设备补助</textarea>",
            "id=\"issuer\" name=\"issuer\" required maxlength=\"200\" value=\" \" aria-invalid=\"true\"",
        ] {
            assert!(html.contains(kept), "[{}] kept {kept}: {html}", app.engine);
        }
        let (_, listed) = app
            .get(&format!("/api/v1/chains/{}/policies", z.f.chain))
            .await;
        assert_eq!(listed, json!([]), "[{}] nothing stored", app.engine);

        // The same form put right is filed, and the list shows it with its edit link.
        let mut good = typed;
        good[2] = ("issuer", "示例市人民政府办公厅");
        good[5] = ("url", "https://example.gov.test/p58");
        let (status, html) = submit(&chief, &path, &good).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let (_, listed) = app
            .get(&format!("/api/v1/chains/{}/policies", z.f.chain))
            .await;
        let id = listed[0]["id"].as_i64().expect("filed");
        assert_eq!(listed[0]["issuer"], json!("示例市人民政府办公厅"));
        assert!(
            html.contains("新能源汽车若干措施")
                && html.contains(&format!("href=\"/policies/{id}/edit\"")),
            "[{}] {html}",
            app.engine
        );

        // The owner reads the list but is offered no form, and posting anyway is refused.
        let (status, html) = page(&owner, &path).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            html.contains("新能源汽车若干措施")
                && !html.contains("policy-form")
                && !html.contains("/edit\""),
            "[{}] {html}",
            app.engine
        );
        let owner_csrf = hidden(&html, "csrf");
        let mut posted = good;
        posted[0] = ("csrf", owner_csrf.as_str());
        let (status, _) = submit(&owner, &path, &posted).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (_, listed) = app
            .get(&format!("/api/v1/chains/{}/policies", z.f.chain))
            .await;
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn a_chain_chief_changes_and_deletes_a_policy_on_its_page_and_a_refused_change_keeps_the_input()
 {
    for app in apps().await {
        let (z, _, chief, owner) = roadmap_zone(&app).await;
        let (_, created) = chief
            .post(
                "/api/v1/policies",
                json!({"chain_id": z.f.chain, "title": "电池回收试点方案", "issuer": "示例市经信委",
                    "document_number": "示经信发〔2021〕17号", "issued_on": "2021-09-08", "text": "全文"}),
            )
            .await;
        let id = created["id"].as_i64().expect("filed");
        let edit = format!("/policies/{id}/edit");
        let (status, _) = page(&owner, &edit).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (status, html) = page(&chief, &edit).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(
            html.contains("value=\"示经信发〔2021〕17号\"")
                && html.contains("value=\"2021-09-08\""),
            "[{}] the form holds the document: {html}",
            app.engine
        );
        let csrf = hidden(&html, "csrf");
        let mut typed = [
            ("csrf", csrf.as_str()),
            ("title", "电池回收利用试点方案"),
            ("issuer", "示例市经信委"),
            ("document_number", "示经信发〔2021〕17号"),
            ("issued_on", "2021-13-08"),
            ("url", ""),
            ("text", "全文（修订）"),
            ("summary", ""),
        ];
        let (status, html) = submit(&chief, &format!("/policies/{id}"), &typed).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {html}",
            app.engine
        );
        assert_eq!(
            field_error(&html, "issued_on"),
            "请填写日期（年-月-日）",
            "[{}]",
            app.engine
        );
        assert!(
            html.contains("value=\"电池回收利用试点方案\"")
                && html.contains("value=\"2021-13-08\""),
            "[{}] {html}",
            app.engine
        );
        let (_, stored) = app.get(&format!("/api/v1/policies/{id}")).await;
        assert_eq!(
            stored["title"],
            json!("电池回收试点方案"),
            "[{}]",
            app.engine
        );

        typed[4] = ("issued_on", "2021-10-08");
        let (status, html) = submit(&chief, &format!("/policies/{id}"), &typed).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(html.contains("电池回收利用试点方案"), "[{}]", app.engine);
        let (_, stored) = app.get(&format!("/api/v1/policies/{id}")).await;
        assert_eq!(stored["issued_on"], json!("2021-10-08"), "[{}]", app.engine);

        let (status, html) = submit(
            &chief,
            &format!("/policies/{id}/archive"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let (_, listed) = app
            .get(&format!("/api/v1/chains/{}/policies", z.f.chain))
            .await;
        assert_eq!(listed, json!([]), "[{}]", app.engine);
    }
}
