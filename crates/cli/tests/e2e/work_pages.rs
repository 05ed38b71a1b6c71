//! The daily-work pages over HTTP, on both engines: an enterprise files an appeal with the form and sees it
//! listed; the chief it was routed to finds it in the inbox (with the badge), accepts it with the form and reads
//! the message; the enterprise rates the reply; a park chief's work-order page lists only their park.

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

/// Posts a form; answers the status and the path of the page it ends on (after redirects) and its body.
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

/// The value of a hidden field of a form in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn an_enterprise_files_with_the_form_and_the_routed_chief_accepts_from_the_inbox() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let firm = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let (status, html) = page(&firm, "/appeals").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            html.contains("id=\"file-appeal\""),
            "[{}] the form is offered",
            app.engine
        );
        let csrf = hidden(&html, "csrf");
        let firm_id = z.firm.to_string();
        let form = [
            ("csrf", csrf.as_str()),
            ("enterprise_id", firm_id.as_str()),
            ("category", "facilities"),
            ("urgency", "normal"),
            ("title", "厂区道路积水"),
            ("description", "雨后3号厂房门口积水严重"),
        ];
        let mut forged = form;
        forged[0].1 = "forged";
        let (status, _, _) = submit(&firm, "/appeals", &forged).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "[{}] without the token",
            app.engine
        );
        let (_, none) = app.get("/api/v1/appeals").await;
        assert_eq!(none["total"], 0, "[{}] nothing filed", app.engine);

        let (status, url, html) = submit(&firm, "/appeals", &form).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(url.starts_with("/appeals/"), "[{}] {url}", app.engine);
        assert!(html.contains("id=\"appeal-filed\""), "[{}]", app.engine);
        let id: i64 = url
            .trim_start_matches("/appeals/")
            .parse()
            .expect("the appeal's id");
        let (_, list) = page(&firm, "/appeals").await;
        assert!(list.contains("厂区道路积水"), "[{}] listed", app.engine);
        let (_, appeal) = app.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(
            appeal["handler"]["id"], z.park_chief,
            "[{}] routed to the park chief",
            app.engine
        );
        // The enterprise may not take the handler's steps.
        let (_, firm_view) = page(&firm, &format!("/appeals/{id}")).await;
        assert!(
            !firm_view.contains("id=\"step-accept\""),
            "[{}]",
            app.engine
        );

        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (status, inbox) = page(&chief, "/inbox").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            inbox.contains(&format!("href=\"/appeals/{id}\"")),
            "[{}] {inbox}",
            app.engine
        );
        assert!(
            inbox.contains("id=\"inbox-badge\""),
            "[{}] the badge shows",
            app.engine
        );

        let (_, detail) = page(&chief, &format!("/appeals/{id}")).await;
        assert!(detail.contains("id=\"step-accept\""), "[{}]", app.engine);
        let csrf = hidden(&detail, "csrf");
        let (status, url, _) = submit(
            &chief,
            &format!("/appeals/{id}/steps"),
            &[("csrf", csrf.as_str()), ("action", "accept"), ("note", "")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert_eq!(url, format!("/appeals/{id}"));
        let (_, accepted) = app.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(accepted["status"], "accepted", "[{}]", app.engine);
        // A step the loop does not allow is refused and changes nothing.
        let (status, _, _) = submit(
            &chief,
            &format!("/appeals/{id}/steps"),
            &[
                ("csrf", csrf.as_str()),
                ("action", "close"),
                ("note", "回访"),
            ],
        )
        .await;
        assert!(status.is_client_error(), "[{}] {status}", app.engine);

        // Handle and reply with the forms, then the enterprise rates.
        for (action, note) in [("handle", ""), ("reply", "已安排排水改造，本周内完成")]
        {
            let (status, _, _) = submit(
                &chief,
                &format!("/appeals/{id}/steps"),
                &[("csrf", csrf.as_str()), ("action", action), ("note", note)],
            )
            .await;
            assert_eq!(status, StatusCode::OK, "[{}] {action}", app.engine);
        }
        let (_, firm_view) = page(&firm, &format!("/appeals/{id}")).await;
        assert!(firm_view.contains("id=\"step-rate\""), "[{}]", app.engine);
        let firm_csrf = hidden(&firm_view, "csrf");
        let (status, _, _) = submit(
            &firm,
            &format!("/appeals/{id}/steps"),
            &[
                ("csrf", firm_csrf.as_str()),
                ("action", "rate"),
                ("satisfied", "true"),
                ("rating", "5"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let (_, rated) = app.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(rated["status"], "closed", "[{}]", app.engine);
        assert_eq!(rated["rating"], 5);

        // Marking everything read clears the badge.
        let (status, _, inbox) = submit(&chief, "/inbox/read", &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(!inbox.contains("id=\"inbox-badge\""), "[{}]", app.engine);
        let (_, counts) = chief.get("/api/v1/inbox/counts").await;
        assert_eq!(counts["unread"], 0, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn the_appeal_list_filters_and_links_its_exports() {
    for app in common::apps().await {
        let z = zone(&app).await;
        app.create(
            "/api/v1/appeals",
            json!({"enterprise_id": z.firm, "category": "policy", "title": "国庆前的政策咨询",
            "received_at": "2021-09-30T02:00:00Z"}),
        )
        .await;
        let (status, html) = page(&app, "/appeals?status=submitted&overdue=true").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            html.contains("国庆前的政策咨询"),
            "[{}] overdue since 2021",
            app.engine
        );
        let link: String = html
            .split("id=\"export-xlsx\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        assert_eq!(
            link, "/api/v1/appeals/export?format=xlsx&status=submitted&overdue=true",
            "[{}] the export keeps the filter",
            app.engine
        );
        let (_, none) = page(&app, "/appeals?status=closed").await;
        assert!(!none.contains("国庆前的政策咨询"), "[{}]", app.engine);
        let (_, en) = page(&app, "/appeals?lang=en").await;
        assert!(en.contains("Enterprise appeals"), "[{}]", app.engine);
        let response = app
            .client
            .get(format!(
                "{}/api/v1/appeals/export?format=csv&status=submitted",
                app.base
            ))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "[{}]", app.engine);
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains("国庆前的政策咨询")
        );
    }
}

#[tokio::test]
async fn a_park_chief_sees_the_work_orders_of_their_park_only() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let other_park = app
            .create("/api/v1/parks", json!({"area_id": z.f.area, "code": "shuitu", "name": "水土高新园", "district": "500109", "land_area_mu": 800}))
            .await["id"].as_i64().expect("id");
        app.create(
            "/api/v1/work-orders",
            json!({"park_id": z.f.park, "facility": "3号标准厂房", "kind": "repair",
            "urgency": "routine", "title": "屋面漏水", "assignee_person_id": z.park_staff}),
        )
        .await;
        app.create(
            "/api/v1/work-orders",
            json!({"park_id": other_park, "facility": "道路", "kind": "security",
            "urgency": "emergency", "title": "围墙破损"}),
        )
        .await;
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (status, html) = page(&chief, "/work-orders").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            html.contains("屋面漏水"),
            "[{}] their park's order",
            app.engine
        );
        assert!(
            !html.contains("围墙破损"),
            "[{}] not another park's",
            app.engine
        );
        assert!(
            html.contains("href=\"/work-orders\""),
            "[{}] in the navigation",
            app.engine
        );
        assert!(!html.contains("水土高新园"), "[{}]", app.engine);
        let (_, admin) = page(&app, "/work-orders").await;
        assert!(
            admin.contains("水土高新园"),
            "[{}] parks by name",
            app.engine
        );
        assert!(
            admin.contains("屋面漏水") && admin.contains("围墙破损"),
            "[{}]",
            app.engine
        );

        let firm = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let (_, firm_home) = page(&firm, "/appeals").await;
        assert!(
            !firm_home.contains("href=\"/work-orders\""),
            "[{}] not for enterprises",
            app.engine
        );
        assert!(
            !firm_home.contains("href=\"/projects\""),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_projects_page_shows_stages_and_rates() {
    for app in common::apps().await {
        let (status, html) = page(&app, "/projects").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(html.contains("id=\"project-figures\""), "[{}]", app.engine);
        assert!(html.contains("开工率"), "[{}]", app.engine);
        let (_, en) = page(&app, "/projects?lang=en&stage=signed").await;
        assert!(en.contains("Production rate"), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn a_park_chief_opens_a_work_order_with_the_form_and_it_is_listed() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (status, html) = page(&chief, "/work-orders").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            html.contains("id=\"create-work-order\""),
            "[{}] the form is offered",
            app.engine
        );
        let csrf = hidden(&html, "csrf");
        let park = z.f.park.to_string();
        let form = [
            ("csrf", csrf.as_str()),
            ("park_id", park.as_str()),
            ("facility", "5号厂房"),
            ("kind", "repair"),
            ("urgency", "urgent"),
            ("title", "配电柜跳闸"),
            ("description", "5号厂房配电柜频繁跳闸"),
        ];
        let (status, url, html) = submit(&chief, "/work-orders", &form).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert_eq!(url, "/work-orders", "[{}]", app.engine);
        assert!(html.contains("配电柜跳闸"), "[{}] listed", app.engine);
        let (_, list) = app.get("/api/v1/work-orders").await;
        assert_eq!(list["total"], 1, "[{}]", app.engine);
        assert_eq!(list["items"][0]["park_id"], z.f.park, "[{}]", app.engine);

        let firm = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let (_, firm_csrf_page) = page(&firm, "/appeals").await;
        let firm_csrf = hidden(&firm_csrf_page, "csrf");
        let mut forged = form;
        forged[0].1 = firm_csrf.as_str();
        let (status, _, _) = submit(&firm, "/work-orders", &forged).await;
        assert!(
            status.is_client_error(),
            "[{}] not for enterprises: {status}",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_work_order_assign_select_lists_only_the_park_staff() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let created = app
            .create(
                "/api/v1/work-orders",
                json!({"park_id": z.f.park, "facility": "3号标准厂房", "kind": "repair",
                "urgency": "routine", "title": "屋面漏水"}),
            )
            .await;
        let id = created["id"].as_i64().expect("id");
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (_, html) = page(&chief, "/work-orders").await;
        let select = html
            .split(&format!("id=\"wo-{id}-assignee\""))
            .nth(1)
            .and_then(|rest| rest.split("</select>").next())
            .unwrap_or_default()
            .to_string();
        assert!(
            select.contains(&format!("value=\"{}\"", z.park_staff)),
            "[{}] the staff: {select}",
            app.engine
        );
        for other in [z.park_chief, z.chain_chief, z.task_force, z.firm_person] {
            assert!(
                !select.contains(&format!("value=\"{other}\"")),
                "[{}] not {other}: {select}",
                app.engine
            );
        }
        let csrf = hidden(&html, "csrf");
        let staff = z.park_staff.to_string();
        let (status, _, html) = submit(
            &chief,
            &format!("/work-orders/{id}/steps"),
            &[
                ("csrf", csrf.as_str()),
                ("action", "assign"),
                ("assignee_person_id", staff.as_str()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        let (_, order) = app.get(&format!("/api/v1/work-orders/{id}")).await;
        assert_eq!(order["status"], "assigned", "[{}]", app.engine);
        assert_eq!(order["assignee"]["id"], z.park_staff, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn the_appeal_list_shows_the_on_time_rate() {
    for app in common::apps().await {
        let (status, html) = page(&app, "/appeals").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(html.contains("id=\"on-time-rate\""), "[{}]", app.engine);
        assert!(html.contains("按时办结率"), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn the_appeal_assign_select_lists_the_chain_and_park_post_holders() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let appeal = app
            .create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "facilities", "title": "厂区道路积水"}),
            )
            .await;
        let id = appeal["id"].as_i64().expect("id");
        let (_, accepted) = app
            .post(
                &format!("/api/v1/appeals/{id}/steps"),
                json!({"action": "accept"}),
            )
            .await;
        assert_eq!(
            accepted["status"], "accepted",
            "[{}] {accepted}",
            app.engine
        );
        let (status, html) = page(&app, &format!("/appeals/{id}")).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let select = html
            .split("id=\"assignee-assign\"")
            .nth(1)
            .and_then(|rest| rest.split("</select>").next())
            .unwrap_or_default()
            .to_string();
        assert!(
            select.contains(&format!("value=\"{}\"", z.park_staff)),
            "[{}] {select}",
            app.engine
        );
        assert!(
            !select.contains(&format!("value=\"{}\"", z.other_task_force)),
            "[{}] not the other chain's: {select}",
            app.engine
        );
    }
}

/// The `href` of the element with this id, unescaped.
fn href_of(html: &str, id: &str) -> Option<String> {
    html.split(&format!("id=\"{id}\""))
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .and_then(|rest| rest.split('"').next())
        .filter(|_| html.contains(&format!("id=\"{id}\"")))
        .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn the_appeal_list_shows_fifty_a_page_with_links_that_keep_the_filter() {
    for app in common::apps().await {
        let z = zone(&app).await;
        for i in 0..55 {
            app.create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "policy", "title": format!("分页诉求{i:02}"),
                "received_at": "2021-09-01T02:00:00Z"}),
            )
            .await;
        }
        let rows = |html: &str| html.matches("<a href=\"/appeals/").count();
        let (status, first) = page(&app, "/appeals?status=submitted").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert_eq!(rows(&first), 50, "[{}]", app.engine);
        assert!(first.contains("1–50 / 55"), "[{}]", app.engine);
        assert_eq!(href_of(&first, "page-prev"), None, "[{}]", app.engine);
        let next = href_of(&first, "page-next").expect("a next link");
        assert_eq!(
            next, "/appeals?status=submitted&offset=50",
            "[{}]",
            app.engine
        );
        let (_, second) = page(&app, &next).await;
        assert_eq!(rows(&second), 5, "[{}]", app.engine);
        assert!(second.contains("51–55 / 55"), "[{}]", app.engine);
        assert_eq!(href_of(&second, "page-next"), None, "[{}]", app.engine);
        assert_eq!(
            href_of(&second, "page-prev").as_deref(),
            Some("/appeals?status=submitted&offset=0"),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_step_from_an_out_of_date_appeal_page_answers_409_and_changes_nothing() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let appeal = app
            .create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "policy", "title": "政策咨询",
                "received_at": "2026-06-15T02:00:00Z"}),
            )
            .await;
        let id = appeal["id"].as_i64().expect("id");
        let (_, detail) = page(&app, &format!("/appeals/{id}")).await;
        let (csrf, version) = (hidden(&detail, "csrf"), hidden(&detail, "version"));
        assert_eq!(
            version,
            appeal["version"].to_string(),
            "[{}] the forms carry the version",
            app.engine
        );
        // Someone else accepts the appeal after the page was shown.
        let (status, _) = app
            .post(
                &format!("/api/v1/appeals/{id}/steps"),
                json!({"action": "accept", "at": "2026-06-15T03:00:00Z"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let (_, accepted) = app.get(&format!("/api/v1/appeals/{id}")).await;
        let form = [
            ("csrf", csrf.as_str()),
            ("action", "assign"),
            ("assignee_person_id", &z.park_chief.to_string()),
            ("version", version.as_str()),
        ];
        let (status, _, html) = submit(&app, &format!("/appeals/{id}/steps"), &form).await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {html}", app.engine);
        let (_, unchanged) = app.get(&format!("/api/v1/appeals/{id}")).await;
        assert_eq!(
            unchanged["version"], accepted["version"],
            "[{}]",
            app.engine
        );
        assert_eq!(
            unchanged["assignee"], accepted["assignee"],
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_work_order_assign_select_has_no_default_and_a_missing_choice_comes_back_beside_it() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let created = app
            .create(
                "/api/v1/work-orders",
                json!({"park_id": z.f.park, "facility": "3号标准厂房", "kind": "repair",
                "urgency": "routine", "title": "屋面漏水"}),
            )
            .await;
        let id = created["id"].as_i64().expect("id");
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (_, html) = page(&chief, "/work-orders?lang=zh").await;
        let select = html
            .split(&format!("id=\"wo-{id}-assignee\""))
            .nth(1)
            .and_then(|rest| rest.split("</select>").next())
            .unwrap_or_default()
            .to_string();
        assert!(
            select.contains("<option value=\"\">— 请选择 —</option>")
                && !select.contains("selected"),
            "[{}] a required choice, nobody chosen: {select}",
            app.engine
        );
        let csrf = hidden(&html, "csrf");
        let (status, url, html) = submit(
            &chief,
            &format!("/work-orders/{id}/steps?lang=zh"),
            &[
                ("csrf", csrf.as_str()),
                ("action", "assign"),
                ("assignee_person_id", ""),
                ("note", "请尽快处理"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(url, format!("/work-orders/{id}/steps"), "[{}]", app.engine);
        assert!(
            html.contains("id=\"assignee-assign-error\">请填写此项<"),
            "[{}] the message beside the select: {html}",
            app.engine
        );
        assert!(
            html.contains("请尽快处理</textarea>"),
            "[{}] kept",
            app.engine
        );
        let (_, order) = app.get(&format!("/api/v1/work-orders/{id}")).await;
        assert_eq!(order["status"], "open", "[{}] unchanged", app.engine);
    }
}

#[tokio::test]
async fn the_work_order_page_shows_its_history_and_only_the_steps_the_viewer_may_take() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let created = app
            .create(
                "/api/v1/work-orders",
                json!({"park_id": z.f.park, "facility": "2号配电房", "kind": "utilities",
                "urgency": "urgent", "title": "配电柜跳闸"}),
            )
            .await;
        let id = created["id"].as_i64().expect("id");
        let path = format!("/work-orders/{id}");
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (status, html) = page(&chief, &format!("{path}?lang=zh")).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(html.contains("id=\"step-assign\""), "[{}]", app.engine);
        assert!(!html.contains("id=\"step-finish\""), "[{}]", app.engine);
        let csrf = hidden(&html, "csrf");
        let staff = z.park_staff.to_string();
        let (status, url, html) = submit(
            &chief,
            &format!("{path}/steps?lang=zh"),
            &[
                ("csrf", csrf.as_str()),
                ("action", "assign"),
                ("back", "page"),
                ("assignee_person_id", staff.as_str()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert_eq!(url, path, "[{}] back on the order's page", app.engine);
        let history = html
            .split("id=\"work-order-steps\"")
            .nth(1)
            .unwrap_or_default();
        assert!(
            history.contains("派单") && history.contains("class=\"assigned-to\""),
            "[{}] the assignment and to whom: {history}",
            app.engine
        );
        assert!(html.contains("已派"), "[{}] the status", app.engine);
        // Someone of another park sees no such order.
        let firm = app
            .as_account("firm.user", Role::Enterprise, Some(z.firm_person))
            .await;
        let (status, _) = page(&firm, &path).await;
        assert!(status.is_client_error(), "[{}] {status}", app.engine);
    }
}

/// The cells of each row of the table `id` in a page, tags stripped.
fn table_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let table = html
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_default();
    let body = table.split("<tbody>").nth(1).unwrap_or_default();
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = cell.split_once('>').map(|x| x.1).unwrap_or_default();
                    let inner = inner.split("</td>").next().unwrap_or_default();
                    let mut text = String::new();
                    let mut in_tag = false;
                    for ch in inner.chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => text.push(c),
                            _ => {}
                        }
                    }
                    text.trim().to_string()
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn every_step_of_a_work_orders_history_is_named_and_its_alarm_detail_is_shown_once() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let id = crate::meters::leaking_meter(&app, z.f.park).await;
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        for (lang, opened) in [("zh", "创建工单"), ("en", "Opened")] {
            let (status, html) = page(&chief, &format!("/work-orders/{id}?lang={lang}")).await;
            assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
            let rows = table_rows(&html, "work-order-steps");
            assert!(!rows.is_empty(), "[{}] {lang}: no history", app.engine);
            assert_eq!(
                rows[0].get(2).map(String::as_str),
                Some(opened),
                "[{}] {lang}: the opening step is named",
                app.engine
            );
            assert!(
                rows.iter().all(|r| r.get(2).is_some_and(|s| !s.is_empty())),
                "[{}] {lang}: a step without a name: {rows:?}",
                app.engine
            );
            // The alarm's detail is the order's description: written once on the page (and in the history).
            let facts = html
                .split("id=\"work-order-steps\"")
                .next()
                .unwrap_or_default();
            let detail = "01:00–05:00 每小时用量不低于";
            assert_eq!(
                facts.matches(detail).count(),
                1,
                "[{}] {lang}: the detail above the history",
                app.engine
            );
            assert!(
                facts.contains("id=\"work-order-alarm\""),
                "[{}] {lang}: the alarm is still shown",
                app.engine
            );
        }
    }
}
