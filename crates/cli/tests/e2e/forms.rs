//! The forms' answers over HTTP, on both engines: a refused form comes back as the same form with each message
//! beside its field in the page's language and the input kept (never the password); an address nothing answers
//! is an HTML page with the navigation for a browser and a problem document for the API.

use crate::common;
use crate::common::TestApp;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

/// The value of a hidden field of a form in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

async fn browse(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("answered");
    let status = response.status();
    let kind = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, kind, response.text().await.expect("body"))
}

#[tokio::test]
async fn a_refused_form_comes_back_with_each_message_beside_its_field_and_the_input_kept_but_not_the_password()
 {
    for app in common::apps().await {
        let (_, _, page) = browse(&app, "/accounts?lang=zh").await;
        let csrf = hidden(&page, "csrf");
        let response = app
            .client
            .post(format!("{}/accounts?lang=zh", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "x"),
                ("password", "short-pw"),
                ("role", "analyst"),
                ("display_name", "经济运行科 王敏"),
            ])
            .send()
            .await
            .expect("answered");
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}]",
            app.engine
        );
        let html = response.text().await.expect("body");
        assert!(
            html.contains("id=\"username-error\">须为 3 到 64 个字母、数字或 . _ -<"),
            "[{}] the message beside the username, in Chinese",
            app.engine
        );
        assert!(
            html.contains("id=\"password-error\">至少 10 个字符<"),
            "[{}] the message beside the password",
            app.engine
        );
        assert!(
            html.contains("value=\"经济运行科 王敏\""),
            "[{}] kept",
            app.engine
        );
        assert!(
            html.contains("<option value=\"analyst\" selected>"),
            "[{}] the role chosen is kept",
            app.engine
        );
        assert!(
            !html.contains("short-pw"),
            "[{}] the password never comes back",
            app.engine
        );
        assert!(
            !html.contains("must have") && !html.contains("invalid input"),
            "[{}] no developer text on the Chinese page",
            app.engine
        );
        let (_, accounts) = app.get("/api/v1/accounts").await;
        assert!(
            !accounts.to_string().contains("经济运行科"),
            "[{}] nothing was stored",
            app.engine
        );
    }
}

#[tokio::test]
async fn an_unknown_address_is_an_html_page_with_navigation_for_a_browser_and_a_problem_for_the_api()
 {
    for app in common::apps().await {
        let (status, kind, html) = browse(&app, "/no-such-page?lang=zh").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
        assert!(kind.starts_with("text/html"), "[{}] {kind}", app.engine);
        assert!(html.contains("没有找到该页面或对象"), "[{}]", app.engine);
        assert!(
            html.contains("<nav") && html.contains("href=\"/appeals\""),
            "[{}] the navigation carries on from the error page",
            app.engine
        );
        // An id that is not a number: the same page, not the framework's text.
        let (status, kind, html) = browse(&app, "/appeals/not-a-number?lang=zh").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
        assert!(kind.starts_with("text/html"), "[{}] {kind}", app.engine);
        assert!(!html.contains("Invalid URL"), "[{}] {html}", app.engine);
        // The API keeps its problem documents, whatever the client accepts.
        let (status, kind, body) = browse(&app, "/api/v1/no-such-endpoint").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
        assert!(
            kind.starts_with("application/problem+json"),
            "[{}] {kind}",
            app.engine
        );
        assert!(body.contains("\"status\":404"), "[{}] {body}", app.engine);
    }
}

#[tokio::test]
async fn a_refused_work_order_comes_back_with_the_message_beside_the_title_and_the_facility_kept() {
    for app in common::apps().await {
        let z = crate::workflow_common::zone(&app).await;
        let (_, _, page) = browse(&app, "/work-orders?lang=zh").await;
        let csrf = hidden(&page, "csrf");
        let park = z.f.park.to_string();
        let response = app
            .client
            .post(format!("{}/work-orders?lang=zh", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("park_id", park.as_str()),
                ("facility", "3号厂房"),
                ("kind", "repair"),
                ("urgency", "routine"),
                ("title", ""),
            ])
            .send()
            .await
            .expect("answered");
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}]",
            app.engine
        );
        let html = response.text().await.expect("body");
        assert!(
            html.contains("id=\"wo-title-error\">请填写此项<"),
            "[{}] the message beside the title",
            app.engine
        );
        assert!(html.contains("value=\"3号厂房\""), "[{}] kept", app.engine);
        let (_, orders) = app.get("/api/v1/work-orders").await;
        assert_eq!(orders["total"], 0, "[{}] nothing stored", app.engine);
    }
}

/// Posts a form of a page as the admin (Chinese pages); answers the status and the page.
async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let response = app
        .client
        .post(format!("{}{path}?lang=zh", app.base))
        .form(form)
        .send()
        .await
        .expect("answered");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn every_inline_form_comes_back_on_its_page_with_the_message_beside_its_field() {
    for app in common::apps().await {
        let z = crate::workflow_common::zone(&app).await;
        let (_, _, page) = browse(&app, "/appeals?lang=zh").await;
        let csrf = hidden(&page, "csrf");
        let csrf = csrf.as_str();
        let e = app.engine;

        // The project page's forms: a milestone without a name, an investment that is not a number.
        let project = app
            .create(
                "/api/v1/projects",
                serde_json::json!({"name": "智能座舱研发中心", "investor": "某汽车集团",
                "chain_id": z.f.chain, "stages": {"lead_on": "2021-03-01"}}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let path = format!("/projects/{project}/milestones");
        let form = [("csrf", csrf), ("name", ""), ("due_on", "2021-06-30")];
        let (status, html) = post_form(&app, &path, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {html}");
        assert!(
            html.contains("id=\"milestone-name-error\">请填写此项<"),
            "[{e}] the message beside the milestone's name"
        );
        assert!(html.contains("value=\"2021-06-30\""), "[{e}] the date kept");
        assert!(
            html.contains("id=\"project-stages\""),
            "[{e}] the project page"
        );
        let path = format!("/projects/{project}/investments");
        let form = [("csrf", csrf), ("month", "2021-04"), ("amount", "一千")];
        let (status, html) = post_form(&app, &path, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {html}");
        assert!(
            html.contains("id=\"amount-error\">请填写数字<"),
            "[{e}] the message beside the amount: {html}"
        );
        assert!(html.contains("value=\"一千\""), "[{e}] the amount kept");
        let (_, stored) = app.get(&format!("/api/v1/projects/{project}")).await;
        assert_eq!(stored["completed_investment"], 0, "[{e}] nothing stored");

        // The admin's routing rule with a person that is not a number.
        let chain = z.f.chain.to_string();
        let form = [
            ("csrf", csrf),
            ("category", "facilities"),
            ("chain_id", chain.as_str()),
            ("target", "person"),
            ("person_id", "王敏"),
            ("note", "设施类交园区"),
        ];
        let (status, html) = post_form(&app, "/appeal-rules", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {html}");
        assert!(
            html.contains("id=\"person_id-error\">请填写数字<"),
            "[{e}] the message beside the person"
        );
        assert!(
            html.contains("value=\"设施类交园区\""),
            "[{e}] the note kept"
        );
        assert!(
            html.contains(&format!("<option value=\"{chain}\" selected>")),
            "[{e}] the chain kept"
        );

        // The enterprise's contact with an e-mail address that is none.
        let path = format!("/enterprises/{}/contact", z.firm);
        let form = [
            ("csrf", csrf),
            ("contact_name", "李强"),
            ("phone", "0571-88886666"),
            ("email", "not-an-address"),
            ("address", "科技路 1 号"),
        ];
        let (status, html) = post_form(&app, &path, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {html}");
        assert!(
            html.contains("id=\"email-error\">请填写有效的电子邮箱地址<"),
            "[{e}] the message beside the e-mail address"
        );
        assert!(html.contains("value=\"李强\""), "[{e}] the name kept");
        let (_, firm) = app.get(&format!("/api/v1/enterprises/{}", z.firm)).await;
        assert_ne!(
            firm["contact"]["contact_name"], "李强",
            "[{e}] nothing stored"
        );

        // The admin's transformation project with an investment that is not a number.
        let firm_id = z.firm.to_string();
        let form = [
            ("csrf", csrf),
            ("enterprise_id", firm_id.as_str()),
            ("name", "数字化车间改造"),
            ("investment", "很多"),
            ("started_on", "2021-01-01"),
        ];
        let (status, html) = post_form(&app, "/transformation/projects", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {html}");
        assert!(
            html.contains("id=\"tp-investment-error\">请填写数字<"),
            "[{e}] the message beside the investment"
        );
        assert!(html.contains("value=\"数字化车间改造\""), "[{e}] kept");
    }
}

#[tokio::test]
async fn the_admin_disables_and_resets_an_account_in_the_pages_and_sees_how_many_sessions_ended() {
    for app in common::apps().await {
        let e = app.engine;
        let analyst = app
            .as_account("analyst.user", chainpark_core::access::Role::Analyst, None)
            .await;
        let (status, _) = analyst.get("/api/v1/session").await;
        assert_eq!(status, StatusCode::OK, "[{e}] signed in");
        let (_, accounts) = app.get("/api/v1/accounts?limit=500").await;
        let id = accounts["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|a| a["username"] == "analyst.user")
            .and_then(|a| a["id"].as_i64())
            .expect("the account");
        let (_, _, page) = browse(&app, "/accounts?lang=zh").await;
        assert!(page.contains(&format!("id=\"disable-{id}\"")), "[{e}]");
        let csrf = hidden(&page, "csrf");

        // A password too short is refused beside the row's field, and never comes back.
        let path = format!("/accounts/{id}/password");
        let form = [("csrf", csrf.as_str()), ("password", "kurz-pw")];
        let (status, html) = post_form(&app, &path, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {html}");
        assert!(
            html.contains(&format!("id=\"password-{id}-error\">至少 10 个字符<")),
            "[{e}] the message beside the new password"
        );
        assert!(
            !html.contains("kurz-pw"),
            "[{e}] the password never comes back"
        );
        let (status, _) = analyst.get("/api/v1/session").await;
        assert_eq!(status, StatusCode::OK, "[{e}] still signed in");

        let form = [("csrf", csrf.as_str()), ("disabled", "true")];
        let path = format!("/accounts/{id}/disabled");
        let (status, html) = post_form(&app, &path, &form).await;
        assert_eq!(status, StatusCode::OK, "[{e}] {html}");
        assert!(
            html.contains("已停用账号 analyst.user：撤销 0 个接口令牌，结束 1 个登录会话"),
            "[{e}] the answer says what ended: {html}"
        );
        let (status, _) = analyst.get("/api/v1/session").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{e}] signed out");
        let (_, account) = app.get(&format!("/api/v1/accounts/{id}")).await;
        assert_eq!(account["disabled"], true, "[{e}]");

        let form = [("csrf", csrf.as_str()), ("disabled", "false")];
        let (status, html) = post_form(&app, &path, &form).await;
        assert_eq!(status, StatusCode::OK, "[{e}] {html}");
        assert!(html.contains("已启用账号 analyst.user"), "[{e}]");
        let path = format!("/accounts/{id}/password");
        let form = [("csrf", csrf.as_str()), ("password", "a-new-long-password")];
        let (status, html) = post_form(&app, &path, &form).await;
        assert_eq!(status, StatusCode::OK, "[{e}] {html}");
        assert!(html.contains("已重置密码 analyst.user"), "[{e}]");
        let mut again = app.anonymous();
        again.sign_in("analyst.user", "a-new-long-password").await;

        // Nobody but the admin may.
        let (_, _, inbox) = browse(&again, "/inbox").await;
        let own_csrf = hidden(&inbox, "csrf");
        let response = again
            .client
            .post(format!("{}/accounts/{id}/disabled", again.base))
            .form(&[("csrf", own_csrf.as_str()), ("disabled", "true")])
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "[{e}]");
    }
}
