//! The list pages on every engine: sorted by their columns through the URL (only the listed columns; the order
//! and the filter kept by the pager), a message for an empty search, marking a milestone done from the project's
//! page, and the scheduling report reached from the navigation on the latest month with figures.

use crate::common::{self, TestApp};
use crate::workflow_common::zone;
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

/// Where each of `needles` first appears in `html`.
fn positions(html: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| html.find(n).unwrap_or_else(|| panic!("{n} is on the page")))
        .collect()
}

#[tokio::test]
async fn lists_sort_by_a_listed_column_in_both_directions_and_refuse_any_other() {
    for app in common::apps().await {
        let z = zone(&app).await;
        for (title, at) in [
            ("乙-用地咨询", "2026-06-01T02:00:00Z"),
            ("甲-融资咨询", "2026-06-02T02:00:00Z"),
            ("丙-招工咨询", "2026-06-03T02:00:00Z"),
        ] {
            app.create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "policy", "title": title, "received_at": at}),
            )
            .await;
        }
        // By default the newest first.
        let (_, html) = page(&app, "/appeals").await;
        let p = positions(&html, &["丙-招工咨询", "甲-融资咨询", "乙-用地咨询"]);
        assert!(p[0] < p[1] && p[1] < p[2], "[{}] newest first", app.engine);
        let (status, html) = page(&app, "/appeals?sort=received_on&dir=asc").await;
        assert_eq!(status, StatusCode::OK);
        let p = positions(&html, &["乙-用地咨询", "甲-融资咨询", "丙-招工咨询"]);
        assert!(p[0] < p[1] && p[1] < p[2], "[{}] oldest first", app.engine);
        assert!(
            html.contains("aria-sort=\"ascending\""),
            "[{}] the header says how the list is sorted",
            app.engine
        );
        assert!(
            html.contains("href=\"/appeals?sort=received_on&amp;dir=desc\""),
            "[{}] the current column's link turns the order around",
            app.engine
        );
        let (status, html) = page(&app, "/appeals?sort=password_hash").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}]", app.engine);
        assert!(html.contains("sort"), "[{}] the field is named", app.engine);
        let (status, _) = page(&app, "/appeals?sort=title&dir=sideways").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}]", app.engine);
        let (status, _) = page(&app, "/enterprises?sort=name&dir=desc").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn the_pager_keeps_the_filter_and_the_order() {
    for app in common::apps().await {
        let z = zone(&app).await;
        for i in 0..51 {
            app.create(
                "/api/v1/appeals",
                json!({"enterprise_id": z.firm, "category": "policy", "title": format!("批量咨询{i:02}"),
                       "received_at": "2026-06-01T02:00:00Z"}),
            )
            .await;
        }
        let (_, html) = page(&app, "/appeals?status=submitted&sort=title&dir=asc").await;
        // Askama writes `&` in an attribute as `&#38;`, the header links as `&amp;`: the same to a browser.
        let html = html.replace("&#38;", "&amp;");
        assert!(
            html.contains(
                "href=\"/appeals?status=submitted&amp;sort=title&amp;dir=asc&amp;offset=50\""
            ),
            "[{}] the next page keeps filter and order",
            app.engine
        );
    }
}

#[tokio::test]
async fn an_empty_search_says_nothing_was_found() {
    for app in common::apps().await {
        zone(&app).await;
        let (status, html) =
            page(&app, "/enterprises?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E5%AE%B6").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"no-results\""), "[{}]", app.engine);
        let (_, html) = page(&app, "/enterprises").await;
        assert!(!html.contains("id=\"no-results\""), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn a_milestone_is_marked_done_from_the_projects_page() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let project = app
            .create(
                "/api/v1/projects",
                json!({"name": "电池回收项目", "investor": "某集团", "chain_id": z.f.chain, "stages": {"lead_on": "2026-05-01"}}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let milestone = app
            .create(
                &format!("/api/v1/projects/{project}/milestones"),
                json!({"name": "完成环评", "due_on": "2026-06-10"}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let (_, html) = page(&app, &format!("/projects/{project}")).await;
        assert!(
            html.contains(&format!("id=\"milestone-done-{milestone}\"")),
            "[{}] the open milestone offers the button",
            app.engine
        );
        let response = app
            .client
            .post(format!(
                "{}/projects/{project}/milestones/{milestone}/done",
                app.base
            ))
            .form(&[("csrf", app.csrf.as_str()), ("done_on", "2026-06-14")])
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "[{}]", app.engine);
        let html = response.text().await.expect("html");
        assert!(html.contains("2026-06-14"), "[{}]", app.engine);
        assert!(!html.contains(&format!("id=\"milestone-done-{milestone}\"")));
        let (_, overdue) = app
            .get("/api/v1/milestones?overdue=true&as_of=2026-06-15")
            .await;
        assert_eq!(overdue["total"], 0, "[{}] done is not overdue", app.engine);
    }
}

#[tokio::test]
async fn the_scheduling_report_is_in_the_navigation_and_opens_on_the_latest_month_with_figures() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let (_, html) = page(&app, "/dashboard").await;
        assert!(
            html.contains("href=\"/reports/scheduling\""),
            "[{}]",
            app.engine
        );
        let (_, firm) = app.get(&format!("/api/v1/enterprises/{}", z.firm)).await;
        let code = firm["credit_code"].as_str().expect("code");
        let csv = format!("统一社会信用代码,期间,指标,数值\n{code},2026-03,工业总产值,1000\n");
        let (status, report) = app
            .send_file(
                reqwest::Method::POST,
                "/api/v1/imports?filename=march.csv",
                "text/csv",
                csv,
            )
            .await;
        assert!(status.is_success(), "[{}] {report}", app.engine);
        let (status, html) = page(&app, "/reports/scheduling").await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", app.engine);
        assert!(
            html.contains("value=\"2026-03\""),
            "[{}] the latest month with figures, not the empty June",
            app.engine
        );
        assert!(
            html.contains("aria-current=\"page\" id=\"nav-report\"")
                || html.contains("id=\"nav-report\" aria-current=\"page\""),
            "[{}]",
            app.engine
        );
    }
}

/// The number after `label` in the part of `html` from `marker` on.
fn number_after(html: &str, marker: &str, label: &str) -> i64 {
    let part = html
        .split(marker)
        .nth(1)
        .expect("the marker is on the page");
    let rest = part.split(label).nth(1).expect("the label follows");
    rest.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .expect("a number")
}

#[tokio::test]
async fn the_dashboards_signed_count_equals_the_projects_pages_for_the_same_period() {
    for app in common::apps().await {
        let z = zone(&app).await;
        for (name, stages) in [
            (
                "去年签约项目",
                json!({"lead_on": "2025-01-10", "signed_on": "2025-05-20"}),
            ),
            (
                "去年已开工项目",
                json!({"lead_on": "2025-01-10", "signed_on": "2025-03-01", "started_on": "2025-09-01"}),
            ),
            (
                "今年签约项目",
                json!({"lead_on": "2025-11-01", "signed_on": "2026-03-02"}),
            ),
        ] {
            app.create(
                "/api/v1/projects",
                json!({"name": name, "investor": "某集团", "chain_id": z.f.chain, "stages": stages}),
            )
            .await;
        }
        let (_, dashboard) = page(&app, "/dashboard?period=2025").await;
        let signed = number_after(&dashboard, "id=\"kpi-projects\"", "签约");
        assert_eq!(
            signed, 2,
            "[{}] signed by the end of 2025, whatever the stage now",
            app.engine
        );
        assert!(
            dashboard.contains("href=\"/projects?as_of=2025-12-31\""),
            "[{}]",
            app.engine
        );
        let (_, projects) = page(&app, "/projects?as_of=2025-12-31").await;
        let listed = number_after(&projects, "id=\"project-figures\"", "data-signed=\"");
        assert_eq!(
            signed, listed,
            "[{}] the card and the page agree",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_chain_chiefs_projects_table_names_his_chain_not_the_zone() {
    for app in common::apps().await {
        let z = zone(&app).await;
        app.create(
            "/api/v1/projects",
            json!({"name": "链上项目", "investor": "某集团", "chain_id": z.f.chain, "stages": {"lead_on": "2026-01-10"}}),
        )
        .await;
        let chief = app
            .as_account(
                "chief",
                chainpark_core::access::Role::ChainChief,
                Some(z.chain_chief),
            )
            .await;
        let (_, html) = page(&chief, "/projects").await;
        let table = html.split("id=\"project-figures\"").nth(1).expect("table");
        let first_row = table.split("<tbody>").nth(1).expect("rows");
        assert!(
            !first_row
                .split("</tr>")
                .next()
                .unwrap_or_default()
                .contains("全区"),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_work_order_list_sorts_by_its_columns() {
    for app in common::apps().await {
        let z = zone(&app).await;
        for title in ["A-屋面漏水", "C-路灯不亮", "B-电梯故障"] {
            app.create(
                "/api/v1/work-orders",
                json!({"park_id": z.f.park, "facility": "3号标准厂房", "kind": "repair", "urgency": "routine",
                       "title": title, "created_at": "2026-06-15T02:00:00Z"}),
            )
            .await;
        }
        let (status, html) = page(&app, "/work-orders?sort=title&dir=desc").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let p = positions(&html, &["C-路灯不亮", "B-电梯故障", "A-屋面漏水"]);
        assert!(p[0] < p[1] && p[1] < p[2], "[{}] {p:?}", app.engine);
        assert!(
            html.contains("aria-sort=\"descending\""),
            "[{}] the title column is marked",
            app.engine
        );
        let (status, _) = page(&app, "/work-orders?sort=w.id%3BDROP").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}]", app.engine);
    }
}

/// The text of each link to `prefix<id>` in the order the page shows them.
fn linked_ids(html: &str, prefix: &str) -> Vec<i64> {
    html.split(&format!("href=\"{prefix}"))
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

#[tokio::test]
async fn the_chain_park_and_project_lists_sort_by_their_columns_in_the_url() {
    for app in common::apps().await {
        let e = app.engine;
        let z = zone(&app).await;
        // Chains by name, both ways: the order reverses.
        let (status, asc) = page(&app, "/chains?sort=name&dir=asc").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let (_, desc) = page(&app, "/chains?sort=name&dir=desc").await;
        let (up, mut down) = (linked_ids(&asc, "/chains/"), linked_ids(&desc, "/chains/"));
        assert!(
            up.contains(&z.f.chain) && up.contains(&z.f.other_chain),
            "[{e}] {up:?}"
        );
        down.reverse();
        assert_eq!(up, down, "[{e}]");
        assert!(asc.contains("aria-sort=\"ascending\""), "[{e}]");
        // Parks by name, both ways.
        let (status, asc) = page(&app, "/parks?sort=name&dir=asc").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let (_, desc) = page(&app, "/parks?sort=name&dir=desc").await;
        let list = |html: &str| {
            let table = html.split("id=\"park-list\"").nth(1).unwrap_or_default();
            linked_ids(
                table.split("</table>").next().unwrap_or_default(),
                "/parks/",
            )
        };
        let (up, mut down) = (list(&asc), list(&desc));
        down.reverse();
        assert_eq!(up, down, "[{e}]");
        // Projects by planned investment, and the pager keeps the order and the filter.
        for (name, planned) in [("乙项目", 300), ("甲项目", 100), ("丙项目", 200)] {
            app.create(
                "/api/v1/projects",
                json!({"name": name, "investor": "某集团", "chain_id": z.f.chain,
                "planned_investment": planned, "stages": {"lead_on": "2021-03-01"}}),
            )
            .await;
        }
        let (status, html) = page(
            &app,
            "/projects?stage=lead&sort=planned_investment&dir=desc",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let table = html.split("id=\"project-list\"").nth(1).unwrap_or_default();
        let p = positions(table, &["乙项目", "丙项目", "甲项目"]);
        assert!(p[0] < p[1] && p[1] < p[2], "[{e}] {p:?}");
        for bad in ["/chains?sort=c.id", "/parks?sort=x", "/projects?sort=stage"] {
            let (status, _) = page(&app, bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "[{e}] {bad}");
        }
    }
}
