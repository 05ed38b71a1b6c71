//! The web pages over HTTP, on both engines: who is sent to the sign-in page, where each role lands, the sign-in
//! and sign-out forms' tokens, scopes on the pages, and exports that hold every row a filter selects.

use crate::common;
use crate::common::{Fixture, TestApp, apps, fixture, fresh_stores};
use chainpark_core::access::Role;
use chainpark_store::Actor;
use reqwest::StatusCode;

async fn page(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
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
async fn pages_send_a_visitor_to_sign_in_while_the_api_answers_401() {
    for app in apps().await {
        let visitor = app.anonymous();
        let (status, url, html) = page(&visitor, "/chains").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert_eq!(url, "/sign-in", "[{}] sent to the sign-in page", app.engine);
        assert!(html.contains("name=\"password\""), "[{}]", app.engine);
        let (status, _) = visitor.get("/api/v1/enterprises").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}]", app.engine);
        let (status, _, css) = page(&visitor, "/static/app.css").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] the stylesheet needs no session",
            app.engine
        );
        assert!(css.contains(".chain-map"), "[{}]", app.engine);
    }
}

async fn park_chief(app: &TestApp, f: &Fixture) -> TestApp {
    app.create(
        "/api/v1/posts",
        serde_json::json!({"person_id": f.person, "role": "park_chief", "park_id": f.park, "starts_on": "2021-08-01"}),
    )
    .await;
    app.as_account("yuanzhang", Role::ParkChief, Some(f.person))
        .await
}

#[tokio::test]
async fn each_role_lands_on_what_it_works_on() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (_, url, _) = page(&app, "/").await;
        assert_eq!(
            url, "/dashboard",
            "[{}] the admin lands on the dashboard",
            app.engine
        );
        let chief = park_chief(&app, &f).await;
        let (status, url, html) = page(&chief, "/").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert_eq!(
            url,
            format!("/parks/{}", f.park),
            "[{}] a park chief lands on the park",
            app.engine
        );
        assert!(html.contains("鱼复工业园"), "[{}]", app.engine);
        assert!(html.contains("1500.00 亩"), "[{}] land in mu", app.engine);
        assert!(
            html.contains("100.00 ha"),
            "[{}] and in hectares",
            app.engine
        );
    }
}

/// An enterprise (its own user's) in the fixture's child segment and park, with a transformation project, and its
/// user signed in through the sign-in form: where it lands, and that page.
async fn enterprise_user_signed_in_with_the_form(
    app: &TestApp,
    f: &Fixture,
) -> (TestApp, i64, String, String) {
    let firm = app
        .create(
            "/api/v1/enterprises",
            serde_json::json!({"credit_code": common::credit_code("91500112MA5U7G1X3"), "name": "重庆长安测试有限公司",
                "industry_code": "3670", "district": "500112", "park_id": f.park, "segment_ids": [f.child_segment]}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    app.create(
        "/api/v1/transformation/projects",
        serde_json::json!({"enterprise_id": firm, "name": "焊装线智能化改造", "investment": 500, "started_on": "2021-01-01"}),
    )
    .await;
    app.create(
        "/api/v1/posts",
        serde_json::json!({"person_id": f.person, "role": "enterprise_contact", "enterprise_id": firm, "starts_on": "2021-08-01"}),
    )
    .await;
    common::create_account(&app.store, "firm.user", Role::Enterprise, Some(f.person)).await;
    let visitor = app.anonymous();
    let (_, _, form) = page(&visitor, "/sign-in").await;
    let signed_in = visitor
        .client
        .post(format!("{}/sign-in", visitor.base))
        .form(&[
            ("username", "firm.user"),
            ("password", common::PASSWORD),
            ("next", "/"),
            ("token", hidden(&form, "token").as_str()),
        ])
        .send()
        .await
        .expect("answered");
    let url = signed_in.url().path().to_string();
    let html = signed_in.text().await.expect("body");
    (visitor, firm, url, html)
}

#[tokio::test]
async fn an_enterprise_user_lands_on_its_enterprise_after_signing_in() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (own, firm, url, html) = enterprise_user_signed_in_with_the_form(&app, &f).await;
        assert_eq!(
            url,
            format!("/enterprises/{firm}"),
            "[{}] after signing in",
            app.engine
        );
        assert!(html.contains("重庆长安测试有限公司"), "[{}]", app.engine);
        assert!(
            html.contains("焊装线智能化改造"),
            "[{}] with its transformation projects",
            app.engine
        );
        assert!(
            html.contains("鱼复工业园") && html.contains("汽车产业链") && html.contains("动力电池"),
            "[{}] and the names of its park, chain and segment",
            app.engine
        );
        let (_, url, _) = page(&own, "/").await;
        assert_eq!(
            url,
            format!("/enterprises/{firm}"),
            "[{}] and from /",
            app.engine
        );
    }
}

#[tokio::test]
async fn an_enterprise_users_pages_offer_no_link_to_what_it_may_not_open() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (own, _, _, html) = enterprise_user_signed_in_with_the_form(&app, &f).await;
        for zone_page in [
            "href=\"/dashboard\"",
            "href=\"/chains",
            "href=\"/parks",
            "href=\"/transformation\"",
            "href=\"/projects\"",
        ] {
            assert!(
                !html.contains(zone_page),
                "[{}] the enterprise page offers {zone_page}",
                app.engine
            );
        }
        let (_, _, search) = page(&own, "/enterprises").await;
        assert!(
            !search.contains("/enterprises/export."),
            "[{}] no registry export is offered",
            app.engine
        );
        for path in [
            "/dashboard",
            "/chains",
            &format!("/parks/{}", f.park),
            "/enterprises/export.csv",
            "/transformation",
        ] {
            let (status, _, _) = page(&own, path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "[{}] {path}", app.engine);
        }
    }
}

#[tokio::test]
async fn an_enterprise_user_sees_the_office_phone_of_whoever_handles_its_appeal() {
    for app in apps().await {
        let f = fixture(&app).await;
        let official = app
            .create(
                "/api/v1/people",
                serde_json::json!({"name": "李娜", "phone": "13912345678", "office_phone": "023-67001234"}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        app.create(
            "/api/v1/posts",
            serde_json::json!({"person_id": official, "role": "park_staff", "park_id": f.park, "starts_on": "2021-08-01"}),
        )
        .await;
        app.create(
            "/api/v1/appeal-rules",
            serde_json::json!({"category": "other", "target": "person", "person_id": official}),
        )
        .await;
        let (own, firm, _, _) = enterprise_user_signed_in_with_the_form(&app, &f).await;
        let appeal = app
            .create(
                "/api/v1/appeals",
                serde_json::json!({"enterprise_id": firm, "category": "other", "title": "用地", "received_at": "2026-06-15T02:00:00Z"}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let (status, _, html) = page(&own, &format!("/appeals/{appeal}")).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            html.contains("李娜") && html.contains("023-67001234"),
            "[{}] the name and office phone",
            app.engine
        );
        assert!(
            !html.contains("13912345678"),
            "[{}] not their own phone",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_sign_in_form_needs_its_token_and_returns_to_the_page_asked_for() {
    for app in apps().await {
        let visitor = app.anonymous();
        let (_, _, form) = page(&visitor, "/sign-in?next=/parks").await;
        let token = hidden(&form, "token");
        assert!(
            !token.is_empty(),
            "[{}] the form carries a token",
            app.engine
        );
        let post = |token: String| {
            visitor
                .client
                .post(format!("{}/sign-in", visitor.base))
                .form(&[
                    ("username", "admin"),
                    ("password", common::PASSWORD),
                    ("next", "/parks"),
                    ("token", token.as_str()),
                ])
                .send()
        };
        let forged = post("forged".into()).await.expect("answered");
        assert_eq!(
            forged.status(),
            StatusCode::FORBIDDEN,
            "[{}] a forged token",
            app.engine
        );
        let (_, _, form) = page(&visitor, "/sign-in?next=/parks").await;
        let signed_in = post(hidden(&form, "token")).await.expect("answered");
        assert_eq!(signed_in.status(), StatusCode::OK, "[{}]", app.engine);
        assert_eq!(
            signed_in.url().path(),
            "/parks",
            "[{}] back where asked",
            app.engine
        );
    }
}

#[tokio::test]
async fn signing_out_takes_the_sessions_csrf_token() {
    for app in apps().await {
        let (_, _, html) = page(&app, "/dashboard").await;
        let csrf = hidden(&html, "csrf");
        let sign_out = |csrf: &str| {
            app.client
                .post(format!("{}/sign-out", app.base))
                .form(&[("csrf", csrf)])
                .send()
        };
        let refused = sign_out("not-the-token").await.expect("answered");
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (status, url, _) = page(&app, "/dashboard").await;
        assert_eq!(
            (status, url.as_str()),
            (StatusCode::OK, "/dashboard"),
            "[{}] still signed in",
            app.engine
        );
        let done = sign_out(&csrf).await.expect("answered");
        assert_eq!(done.url().path(), "/sign-in", "[{}]", app.engine);
        let (_, url, _) = page(&app, "/dashboard").await;
        assert_eq!(url, "/sign-in", "[{}] the session has ended", app.engine);
    }
}

#[tokio::test]
async fn a_chain_owner_sees_the_map_of_their_chain_and_not_of_another() {
    for app in apps().await {
        let f = fixture(&app).await;
        app.create(
            "/api/v1/posts",
            serde_json::json!({"person_id": f.person, "role": "chain_owner", "chain_id": f.chain,
                "owner_kind": "association_head", "starts_on": "2021-08-01"}),
        )
        .await;
        let owner = app
            .as_account("lianzhu", Role::ChainOwner, Some(f.person))
            .await;
        let (status, url, html) = page(&owner, "/").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert_eq!(
            url,
            format!("/chains/{}", f.chain),
            "[{}] lands on the chain",
            app.engine
        );
        assert!(
            html.contains("class=\"chain-map\""),
            "[{}] the map is drawn",
            app.engine
        );
        assert!(
            html.contains("动力电池"),
            "[{}] with its segments",
            app.engine
        );
        assert!(html.contains("张伟"), "[{}] and its owner", app.engine);
        let (status, _, _) = page(&owner, &format!("/chains/{}", f.other_chain)).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "[{}] another chain's page: {status}",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_language_follows_the_browser_and_the_switch_is_remembered() {
    for app in apps().await {
        let english = app
            .client
            .get(format!("{}/parks", app.base))
            .header("accept-language", "en-GB,en;q=0.9")
            .send()
            .await
            .expect("answered")
            .text()
            .await
            .expect("body");
        assert!(
            english.contains(">Dashboard<"),
            "[{}] English from Accept-Language",
            app.engine
        );
        let (_, _, chinese) = page(&app, "/parks").await;
        assert!(
            chinese.contains(">驾驶舱<"),
            "[{}] Chinese by default",
            app.engine
        );
        let switched = app
            .client
            .get(format!("{}/parks?lang=en", app.base))
            .send()
            .await
            .expect("answered");
        let cookie = switched
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("chainpark_lang="))
            .unwrap_or_default()
            .to_string();
        assert!(
            cookie.starts_with("chainpark_lang=en"),
            "[{}] the choice is kept: {cookie}",
            app.engine
        );
    }
}

#[tokio::test]
async fn exports_hold_every_enterprise_the_filter_selects_not_one_page() {
    let zone = chainpark_core::demo::demo_zone();
    for store in fresh_stores().await {
        store
            .load_registry(&Actor::system("demo"), &zone)
            .await
            .expect("the demo zone loads");
        let app = TestApp::start(store).await;
        let (_, all) = app.get("/api/v1/enterprises?limit=1").await;
        let total = all["total"].as_u64().expect("a total") as usize;
        assert!(total > 6000, "[{}]", app.engine);
        let csv = app
            .client
            .get(format!("{}/enterprises/export.csv", app.base))
            .send()
            .await
            .expect("answered");
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with("text/csv"),
            "[{}]",
            app.engine
        );
        let text = csv.text().await.expect("body");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.records().count(),
            total,
            "[{}] every enterprise",
            app.engine
        );

        let (_, changan) = app
            .get("/api/v1/enterprises?q=%E9%95%BF%E5%AE%89&limit=1")
            .await;
        let changan = changan["total"].as_u64().expect("a total") as usize;
        assert!(changan >= 1, "[{}] 长安 finds firms", app.engine);
        let xlsx = app
            .client
            .get(format!(
                "{}/enterprises/export.xlsx?q=%E9%95%BF%E5%AE%89",
                app.base
            ))
            .send()
            .await
            .expect("answered")
            .bytes()
            .await
            .expect("body");
        use calamine::Reader;
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec()))
                .expect("a workbook");
        let sheet = workbook
            .worksheet_range_at(0)
            .expect("a sheet")
            .expect("readable");
        assert_eq!(
            sheet.height(),
            changan + 1,
            "[{}] a header and every match",
            app.engine
        );
        for row in sheet.rows().skip(1) {
            assert!(
                row[1].to_string().contains("长安"),
                "[{}] {}",
                app.engine,
                row[1]
            );
        }
    }
}

#[tokio::test]
async fn an_enterprise_user_saves_their_contact_data_with_the_form_and_only_with_its_token() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut ids = Vec::new();
        for (i, body) in ["91500112MA5U7G1X3", "91500112MA5U7G2X3"]
            .iter()
            .enumerate()
        {
            let e = app
                .create(
                    "/api/v1/enterprises",
                    serde_json::json!({"credit_code": common::credit_code(body), "name": format!("重庆长安测试{i}有限公司"),
                        "industry_code": "3670", "district": "500112", "segment_ids": [f.child_segment],
                        "contact": {"contact_name": "联系人", "phone": "13800000000"}}),
                )
                .await;
            ids.push(e["id"].as_i64().expect("id"));
        }
        app.create(
            "/api/v1/posts",
            serde_json::json!({"person_id": f.person, "role": "enterprise_contact", "enterprise_id": ids[0], "starts_on": "2021-08-01"}),
        )
        .await;
        let own = app
            .as_account("firm.user", Role::Enterprise, Some(f.person))
            .await;
        let (_, url, html) = page(&own, "/").await;
        assert_eq!(
            url,
            format!("/enterprises/{}", ids[0]),
            "[{}] lands on its enterprise",
            app.engine
        );
        let csrf = hidden(&html, "csrf");
        let post = |id: i64, csrf: String| {
            own.client
                .post(format!("{}/enterprises/{id}/contact", own.base))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("contact_name", "王经理"),
                    ("phone", "023-67000000"),
                    ("email", "wang@example.com"),
                    ("address", "重庆市渝北区"),
                ])
                .send()
        };
        let forged = post(ids[0], "forged".into()).await.expect("answered");
        assert_eq!(
            forged.status(),
            StatusCode::FORBIDDEN,
            "[{}] without the token",
            app.engine
        );
        let (_, unchanged) = app.get(&format!("/api/v1/enterprises/{}", ids[0])).await;
        assert_eq!(
            unchanged["contact"]["phone"], "13800000000",
            "[{}] nothing changed",
            app.engine
        );
        let saved = post(ids[0], csrf.clone()).await.expect("answered");
        assert_eq!(saved.status(), StatusCode::OK, "[{}]", app.engine);
        assert!(
            saved
                .text()
                .await
                .expect("body")
                .contains("id=\"contact-saved\""),
            "[{}]",
            app.engine
        );
        let (_, changed) = app.get(&format!("/api/v1/enterprises/{}", ids[0])).await;
        assert_eq!(
            changed["contact"]["phone"], "023-67000000",
            "[{}] saved",
            app.engine
        );
        let other = post(ids[1], csrf).await.expect("answered");
        assert!(
            other.status() == StatusCode::FORBIDDEN || other.status() == StatusCode::NOT_FOUND,
            "[{}] another enterprise's contact: {}",
            app.engine,
            other.status()
        );
        let (status, _, other_page) = page(&own, &format!("/enterprises/{}", ids[1])).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "[{}] another firm's page does not exist for it",
            app.engine
        );
        assert!(
            !other_page.contains("13800000000") && !other_page.contains("重庆长安测试1"),
            "[{}] nothing of the other firm",
            app.engine
        );
        let (_, theirs) = app.get(&format!("/api/v1/enterprises/{}", ids[1])).await;
        assert_eq!(
            theirs["contact"]["phone"], "13800000000",
            "[{}] not changed",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_chain_and_park_lists_export_every_row_as_csv_and_xlsx() {
    for app in apps().await {
        fixture(&app).await;
        for (list, rows, first) in [("chains", 2, "汽车产业链"), ("parks", 1, "鱼复工业园")]
        {
            let csv = app
                .client
                .get(format!("{}/{list}/export.csv", app.base))
                .send()
                .await
                .expect("answered")
                .text()
                .await
                .expect("body");
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            let records: Vec<_> = reader.records().map(|r| r.expect("a record")).collect();
            assert_eq!(records.len(), rows, "[{}] {list}", app.engine);
            assert!(
                records.iter().any(|r| &r[0] == first),
                "[{}] {list}: {records:?}",
                app.engine
            );
            let xlsx = app
                .client
                .get(format!("{}/{list}/export.xlsx", app.base))
                .send()
                .await
                .expect("answered")
                .bytes()
                .await
                .expect("body");
            use calamine::Reader;
            let mut workbook: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec()))
                    .expect("a workbook");
            let sheet = workbook
                .worksheet_range_at(0)
                .expect("a sheet")
                .expect("readable");
            assert_eq!(sheet.height(), rows + 1, "[{}] {list}", app.engine);
        }
    }
}

#[tokio::test]
async fn the_admin_adds_an_account_with_the_form_and_others_may_not_see_the_page() {
    for app in apps().await {
        let (status, _, html) = page(&app, "/accounts").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let csrf = hidden(&html, "csrf");
        let created = app
            .client
            .post(format!("{}/accounts", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "wang.fang"),
                ("password", "a-long-password"),
                ("role", "analyst"),
                ("person_id", ""),
                ("display_name", "王芳"),
            ])
            .send()
            .await
            .expect("answered");
        assert_eq!(created.status(), StatusCode::OK, "[{}]", app.engine);
        let body = created.text().await.expect("body");
        assert!(
            body.contains("id=\"account-created\"") && body.contains("wang.fang"),
            "[{}]",
            app.engine
        );
        let mut analyst = app.anonymous();
        analyst.sign_in("wang.fang", "a-long-password").await;
        let (status, _, _) = page(&analyst, "/accounts").await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "[{}] only the admin manages accounts",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_import_page_says_which_digital_economy_mapping_is_in_force() {
    for app in apps().await {
        let (status, _, html) = page(&app, "/import?lang=zh").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(
            html.contains("本项目自拟的近似口径"),
            "[{}] the shipped mapping is named an approximation",
            app.engine
        );
        let (status, change) = app
            .send_file(
                reqwest::Method::PUT,
                "/api/v1/digital-economy/map?filename=official.csv",
                "text/csv",
                "gbt4754_code,category,mid_class,note\n391,01,0101,\n",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {change}", app.engine);
        let (_, _, html) = page(&app, "/import?lang=zh").await;
        assert!(
            html.contains("使用已导入的对照表： official.csv"),
            "[{}] {html}",
            app.engine
        );
        assert!(html.contains("1 个行业代码"), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn a_page_whose_store_read_fails_shows_the_error_page_in_its_language() {
    for (url, store) in common::fresh_databases().await {
        let app = TestApp::start(store).await;
        let f = fixture(&app).await;
        // Every page that shows figures first reads the city's published totals; without their table that read
        // fails as a broken database would.
        common::tamper(&url, "DROP TABLE region_figures").await;
        for (path, lang, words) in [
            (
                "/dashboard?lang=en".to_string(),
                "en",
                "The server could not complete the request",
            ),
            (
                format!("/parks/{}?lang=zh", f.park),
                "zh-CN",
                "服务器未能完成该请求",
            ),
            (
                format!("/chains/{}?lang=en", f.chain),
                "en",
                "the problem has been logged",
            ),
        ] {
            let (status, _, html) = page(&app, &path).await;
            assert_eq!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "[{}] {path}",
                app.engine
            );
            assert!(
                html.contains(&format!("<html lang=\"{lang}\"")) && html.contains(words),
                "[{}] {path} shows the error page in its language: {html}",
                app.engine
            );
            assert!(
                !html.contains("region_figures"),
                "[{}] {path}: the database's words stay in the log",
                app.engine
            );
        }
    }
}

#[tokio::test]
async fn the_industry_name_stands_beside_its_code_on_the_page_and_in_the_export() {
    for app in apps().await {
        let e = app.engine;
        let z = crate::workflow_common::zone(&app).await;
        let (_, firm) = app.get(&format!("/api/v1/enterprises/{}", z.firm)).await;
        let code = firm["industry_code"].as_str().expect("a code").to_string();
        let name = chainpark_core::industry::lookup(&code)
            .expect("a code of the standard")
            .name;
        let (status, _, html) = page(&app, &format!("/enterprises/{}?lang=zh", z.firm)).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let shown = html
            .split("id=\"industry\">")
            .nth(1)
            .and_then(|rest| rest.split("</dd>").next())
            .unwrap_or_default();
        assert!(
            shown.starts_with(&code) && shown.contains(name),
            "[{e}] {shown}"
        );
        let (_, _, csv) = page(&app, "/enterprises/export.csv").await;
        let header = csv.lines().next().unwrap_or_default();
        assert!(header.contains("行业名称 industry_name"), "[{e}] {header}");
        assert!(
            csv.contains(&format!("{code},{name},")),
            "[{e}] the name beside the code in the export"
        );
    }
}
