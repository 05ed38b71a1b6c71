//! The admin and project pages over HTTP, on both engines: a chain chief moves a project of their chain to the
//! next stage with the form while a leader is refused; the admin adds an appeal routing rule and sees it listed.

use crate::common;
use crate::common::TestApp;
use crate::workflow_common::zone;
use chainpark_core::access::Role;
use reqwest::StatusCode;
use serde_json::json;

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

async fn submit(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let response = app
        .client
        .post(format!("{}{path}", app.base))
        .form(form)
        .send()
        .await
        .expect("answered");
    let status = response.status();
    let url = response.url().path().to_string();
    (status, url, response.text().await.expect("body"))
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_chain_chief_moves_a_project_to_the_next_stage_and_a_leader_may_not() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let id = app
            .create(
                "/api/v1/projects",
                json!({"name": "智能座舱研发中心", "investor": "某汽车集团", "chain_id": z.f.chain,
                "stages": {"lead_on": "2021-03-01"}}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let path = format!("/projects/{id}");

        let leader = app.as_account("leader.user", Role::Leader, None).await;
        let (status, html) = page(&leader, &path).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let csrf = hidden(&html, "csrf");
        let (status, _, _) = submit(
            &leader,
            &format!("{path}/stage"),
            &[("csrf", &csrf), ("stage", "visit"), ("on", "2021-04-01")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);

        let chief = app
            .as_account("chain.chief", Role::ChainChief, Some(z.chain_chief))
            .await;
        let (status, html) = page(&chief, &path).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(html.contains("id=\"move-stage\""), "[{}]", app.engine);
        assert_eq!(hidden(&html, "stage"), "visit", "[{}]", app.engine);
        let csrf = hidden(&html, "csrf");
        let (status, url, html) = submit(
            &chief,
            &format!("{path}/stage"),
            &[("csrf", &csrf), ("stage", "visit"), ("on", "2021-04-01")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert_eq!(url, path, "[{}]", app.engine);
        assert!(html.contains("2021-04-01"), "[{}]", app.engine);
        let (_, project) = app.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(project["stage"], "visit", "[{}]", app.engine);
        assert_eq!(
            project["stages"]["visit_on"], "2021-04-01",
            "[{}]",
            app.engine
        );

        let (status, _, html) = submit(
            &chief,
            &format!("{path}/investments"),
            &[("csrf", &csrf), ("month", "2021-04"), ("amount", "1200")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let (status, _, html) = submit(
            &chief,
            &format!("{path}/milestones"),
            &[
                ("csrf", &csrf),
                ("name", "完成环评"),
                ("due_on", "2021-06-30"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(html.contains("完成环评"), "[{}]", app.engine);
        let (_, project) = app.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(project["completed_investment"], 1200, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn the_admin_adds_a_routing_rule_with_the_form_and_it_is_listed() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let admin = app.as_account("admin.user", Role::Admin, None).await;
        let (status, html) = page(&admin, "/appeal-rules").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(html.contains("id=\"new-rule\""), "[{}]", app.engine);
        let csrf = hidden(&html, "csrf");
        let chain = z.f.chain.to_string();
        let (status, url, html) = submit(
            &admin,
            "/appeal-rules",
            &[
                ("csrf", &csrf),
                ("category", "finance"),
                ("chain_id", &chain),
                ("park_id", ""),
                ("target", "chain_task_force"),
                ("person_id", ""),
                ("note", "融资诉求交链办"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert_eq!(url, "/appeal-rules", "[{}]", app.engine);
        assert!(html.contains("融资诉求交链办"), "[{}] {html}", app.engine);
        // Chains and parks are picked and listed by name, not typed or shown as numbers.
        let (_, chain_body) = app.get(&format!("/api/v1/chains/{chain}")).await;
        let chain_name = chain_body["name"].as_str().expect("a name").to_string();
        assert!(
            html.contains(&format!("<option value=\"{chain}\">{chain_name}</option>")),
            "[{}] the chain picker names the chain",
            app.engine
        );
        let listed = html
            .split("融资诉求交链办")
            .next()
            .and_then(|before| before.rsplit("<tr id=\"rule-").next())
            .unwrap_or_default();
        assert!(
            listed.contains(&chain_name) && !listed.contains(&format!("#{chain}")),
            "[{}] the rule's row names its chain: {listed}",
            app.engine
        );
        let (_, rules) = app.get("/api/v1/appeal-rules").await;
        assert!(
            rules.to_string().contains("融资诉求交链办"),
            "[{}] {rules}",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_admin_adds_a_transformation_project_and_the_summary_counts_it() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let admin = app.as_account("admin.user", Role::Admin, None).await;
        let (status, html) = page(&admin, "/transformation").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let csrf = hidden(&html, "csrf");
        let firm = z.firm.to_string();
        let (status, url, html) = submit(
            &admin,
            "/transformation/projects",
            &[
                ("csrf", &csrf),
                ("enterprise_id", &firm),
                ("name", "电芯产线自动化改造"),
                ("investment", "3000"),
                ("started_on", "2021-01-10"),
                ("completed_on", "2021-06-30"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert_eq!(url, "/transformation", "[{}]", app.engine);
        assert!(html.contains("电芯产线自动化改造"), "[{}]", app.engine);
        let (_, summary) = app
            .get("/api/v1/transformation/summary?as_of=2021-09-30")
            .await;
        assert_eq!(summary["completed_projects"], 1, "[{}]", app.engine);
        let (status, html) = page(&admin, "/transformation?as_of=2021-09-30").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(html.contains("<td>1</td>"), "[{}] {html}", app.engine);
    }
}

#[tokio::test]
async fn a_chain_chief_creates_a_project_with_the_form() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let chief = app
            .as_account("chain.chief", Role::ChainChief, Some(z.chain_chief))
            .await;
        let (status, html) = page(&chief, "/projects/new").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let csrf = hidden(&html, "csrf");
        let chain = z.f.chain.to_string();
        let (status, url, html) = submit(
            &chief,
            "/projects/new",
            &[
                ("csrf", &csrf),
                ("name", "储能电站项目"),
                ("investor", "某能源集团"),
                ("chain_id", &chain),
                ("planned_investment", "50000"),
                ("lead_on", "2021-02-01"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(url.starts_with("/projects/"), "[{}] {url}", app.engine);
        assert!(html.contains("储能电站项目"), "[{}]", app.engine);
        let leader = app.as_account("leader.user", Role::Leader, None).await;
        let (status, _) = page(&leader, "/projects/new").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn the_routing_rules_person_is_found_by_name_and_the_rule_lists_the_name() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let admin = app.as_account("admin.user", Role::Admin, None).await;
        let (status, html) = page(&admin, "/appeal-rules").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(
            !html.contains("id=\"person_id\" name=\"person_id\" inputmode=\"numeric\""),
            "[{}] no number to type",
            app.engine
        );
        // The search finds the park's chief by name, shown with the post.
        let (status, html) = page(&admin, "/appeal-rules?person_q=%E9%99%88%E5%9B%AD").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let option = format!("<option value=\"{}\"", z.park_chief);
        let label = html
            .split(&option)
            .nth(1)
            .and_then(|rest| rest.split("</option>").next())
            .unwrap_or_default();
        assert!(
            label.contains("陈园 · ") && label.contains("园长"),
            "[{}] the person with the post: {label}",
            app.engine
        );
        let (_, html) = page(&admin, "/appeal-rules?person_q=nobody-like-this").await;
        assert!(html.contains("id=\"person-nothing\""), "[{}]", app.engine);
        // The rule to that person names the person in the list.
        let csrf = hidden(&html, "csrf");
        let chief = z.park_chief.to_string();
        let (status, _, html) = submit(
            &admin,
            "/appeal-rules",
            &[
                ("csrf", &csrf),
                ("category", "facilities"),
                ("chain_id", ""),
                ("park_id", ""),
                ("target", "person"),
                ("person_id", &chief),
                ("note", "设施类交陈园"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let row = html
            .split("设施类交陈园")
            .next()
            .and_then(|before| before.rsplit("<tr id=\"rule-").next())
            .unwrap_or_default();
        assert!(
            row.contains("class=\"rule-person\">陈园<"),
            "[{}] the rule's row names the person: {row}",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_transformation_forms_find_the_enterprise_by_name_and_keep_it_chosen_after_a_refusal() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let admin = app.as_account("admin.user", Role::Admin, None).await;
        // 长程 finds the firm for the project form; the recognition form's search is its own.
        let (status, html) = page(&admin, "/transformation?tp_q=%E9%95%BF%E7%A8%8B").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let project_form = html
            .split("id=\"new-transformation-project\"")
            .nth(1)
            .and_then(|rest| rest.split("</form>").next())
            .unwrap_or_default();
        assert!(
            project_form.contains(&format!(
                "<option value=\"{}\" selected>重庆长程电池有限公司（",
                z.firm
            )),
            "[{}] the one firm found is chosen, by name: {project_form}",
            app.engine
        );
        assert!(
            !project_form.contains("inputmode=\"numeric\" required value=\"\" aria-invalid=\"false\" aria-describedby=\"tp-enterprise-error\""),
            "[{}] no number to type",
            app.engine
        );
        let recognition_form = html
            .split("id=\"new-recognition\"")
            .nth(1)
            .and_then(|rest| rest.split("</form>").next())
            .unwrap_or_default();
        assert!(
            !recognition_form.contains("重庆长程电池有限公司"),
            "[{}] the other form's search is its own",
            app.engine
        );
        let (_, html) = page(&admin, "/transformation?rc_q=nothing-like-this").await;
        assert!(
            html.contains("id=\"rc-enterprise-nothing\""),
            "[{}]",
            app.engine
        );
        // A refused form keeps the firm chosen.
        let csrf = hidden(&html, "csrf");
        let firm = z.firm.to_string();
        let (status, _, html) = submit(
            &admin,
            "/transformation/projects",
            &[
                ("csrf", &csrf),
                ("enterprise_id", &firm),
                ("name", "焊装线改造"),
                ("investment", "很多"),
                ("started_on", "2021-01-10"),
                ("completed_on", ""),
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
            html.contains(&format!(
                "<option value=\"{}\" selected>重庆长程电池有限公司（",
                z.firm
            )),
            "[{}] the firm stays chosen",
            app.engine
        );
    }
}

/// A factory is recognised through the page by ticking the recognised workshops of the firm its search found, not by
/// typing their numbers; a refused form keeps them ticked.
#[tokio::test]
async fn a_factorys_workshops_are_ticked_from_the_firms_recognised_workshops_and_stay_ticked_after_a_refusal()
 {
    for app in common::apps().await {
        let z = zone(&app).await;
        let admin = app.as_account("admin.user", Role::Admin, None).await;
        let mut workshops = Vec::new();
        for (name, on) in [("电芯车间", "2021-03-01"), ("模组车间", "2021-05-01")] {
            let created = app
                .create(
                    "/api/v1/transformation/recognitions",
                    json!({"enterprise_id": z.firm, "kind": "digital_workshop", "name": name,
                        "recognised_on": on, "investment": 2500, "cnc_rate_pct": 82, "key_process_cnc_pct": 90,
                        "has_mes": true, "cost_reduction_pct": 18, "efficiency_gain_pct": 22,
                        "defect_reduction_pct": 12, "energy_gain_pct": 9, "workshop_ids": []}),
                )
                .await;
            workshops.push(created["id"].as_i64().expect("id"));
        }
        let (_, html) = page(&admin, "/transformation").await;
        assert!(
            html.contains("id=\"rc-workshops-none\"") && !html.contains("name=\"workshop_"),
            "[{}] no firm found yet, no workshop to tick",
            app.engine
        );
        let (status, html) = page(&admin, "/transformation?rc_q=%E9%95%BF%E7%A8%8B").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        for id in &workshops {
            assert!(
                html.contains(&format!("name=\"workshop_{id}\" value=\"1\">")),
                "[{}] workshop {id} offered, unticked: {html}",
                app.engine
            );
        }
        let csrf = hidden(&html, "csrf");
        let firm = z.firm.to_string();
        let (w1, w2) = (
            format!("workshop_{}", workshops[0]),
            format!("workshop_{}", workshops[1]),
        );
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("enterprise_id", firm.as_str()),
            ("kind", "intelligent_factory"),
            ("name", "电池智能工厂"),
            ("recognised_on", "2021-06-01"),
            ("investment", "很多"),
            ("cnc_rate_pct", "82"),
            ("key_process_cnc_pct", "90"),
            ("has_mes", "1"),
            ("cost_reduction_pct", "18"),
            ("efficiency_gain_pct", "22"),
            ("defect_reduction_pct", "12"),
            ("energy_gain_pct", "9"),
            (w1.as_str(), "1"),
            (w2.as_str(), "1"),
        ];
        let (status, _, html) = submit(&admin, "/transformation/recognitions", &form).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {html}",
            app.engine
        );
        for id in &workshops {
            assert!(
                html.contains(&format!("name=\"workshop_{id}\" value=\"1\" checked>")),
                "[{}] workshop {id} stays ticked",
                app.engine
            );
        }
        form[5] = ("investment", "5000");
        let (status, url, html) = submit(&admin, "/transformation/recognitions", &form).await;
        assert_eq!(
            (status, url.as_str()),
            (StatusCode::OK, "/transformation"),
            "[{}] {html}",
            app.engine
        );
        let (_, listed) = app
            .get("/api/v1/transformation/recognitions?kind=intelligent_factory")
            .await;
        let factory = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|r| r["name"] == "电池智能工厂")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            factory["workshop_ids"],
            json!(workshops),
            "[{}] {listed}",
            app.engine
        );
    }
}
