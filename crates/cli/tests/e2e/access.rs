//! Who may see and change what, on every engine: sign-in, sessions, tokens, roles and their scopes.

use crate::common;
use crate::common::{PASSWORD, TestApp, apps, credit_code, fixture};
use chainpark_core::access::Role;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn unauthenticated_request_gets_401_but_health_does_not() {
    for app in apps().await {
        let anonymous = app.anonymous();
        let (status, problem) = anonymous.get("/api/v1/enterprises").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}]", app.engine);
        assert_eq!(problem["status"], 401);
        let (status, _) = anonymous.get("/healthz").await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    for app in apps().await {
        let anonymous = app.anonymous();
        let (s1, wrong) = anonymous
            .post(
                "/api/v1/session",
                json!({"username": "admin", "password": "not-the-password"}),
            )
            .await;
        let (s2, unknown) = anonymous
            .post(
                "/api/v1/session",
                json!({"username": "nobody", "password": "not-the-password"}),
            )
            .await;
        assert_eq!(s1, StatusCode::UNAUTHORIZED, "[{}]", app.engine);
        assert_eq!(s2, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong["detail"], unknown["detail"]);
    }
}

#[tokio::test]
async fn failed_sign_ins_make_that_account_wait_from_that_address() {
    for app in apps().await {
        let anonymous = app.anonymous();
        for _ in 0..5 {
            anonymous
                .post(
                    "/api/v1/session",
                    json!({"username": "admin", "password": "wrong-password"}),
                )
                .await;
        }
        let (status, _) = anonymous
            .post(
                "/api/v1/session",
                json!({"username": "admin", "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "[{}] even the right password waits its turn",
            app.engine
        );
    }
}

#[tokio::test]
async fn park_chief_may_change_their_park_but_not_another() {
    for app in apps().await {
        let f = fixture(&app).await;
        let other_park = app
            .create("/api/v1/parks", json!({"area_id": f.area, "code": "shuitu", "name": "水土高新园", "district": "500109", "land_area_mu": 800}))
            .await["id"]
            .as_i64()
            .expect("id");
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "park_chief", "park_id": f.park, "starts_on": "2021-08-01"}))
            .await;
        let chief = app
            .as_account("yufu.chief", Role::ParkChief, Some(f.person))
            .await;
        let (status, park) = chief
            .patch(
                &format!("/api/v1/parks/{}", f.park),
                json!({"name_en": "Yufu Industrial Park"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {park}", app.engine);
        let (status, _) = chief
            .patch(
                &format!("/api/v1/parks/{other_park}"),
                json!({"name_en": "Shuitu"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (_, unchanged) = app.get(&format!("/api/v1/parks/{other_park}")).await;
        assert_eq!(unchanged["name_en"], "", "[{}] nothing changed", app.engine);
    }
}

#[tokio::test]
async fn access_ends_when_the_post_ends() {
    for app in apps().await {
        let f = fixture(&app).await;
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "park_chief", "park_id": f.park, "starts_on": "2021-08-01", "ends_on": "2022-12-31"}))
            .await;
        let former = app
            .as_account("former.chief", Role::ParkChief, Some(f.person))
            .await;
        let (status, _) = former
            .patch(
                &format!("/api/v1/parks/{}", f.park),
                json!({"name_en": "Yufu"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn enterprise_user_sees_its_own_enterprise_and_no_other() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut ids = Vec::new();
        for (i, body) in ["91500112MA5U7G1X3", "91500112MA5U7G2X3"]
            .iter()
            .enumerate()
        {
            let e = app
                .create("/api/v1/enterprises", json!({"credit_code": credit_code(body), "name": format!("重庆测试{i}有限公司"), "industry_code": "3670",
                    "district": "500112", "segment_ids": [f.child_segment], "contact": {"contact_name": "联系人", "phone": "13800000000"}}))
                .await;
            ids.push(e["id"].as_i64().expect("id"));
        }
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "enterprise_contact", "enterprise_id": ids[0], "starts_on": "2021-08-01"}))
            .await;
        let own = app
            .as_account("firm.user", Role::Enterprise, Some(f.person))
            .await;
        let (_, mine) = own.get(&format!("/api/v1/enterprises/{}", ids[0])).await;
        assert_eq!(mine["contact"]["phone"], "13800000000", "[{}]", app.engine);
        let (status, _) = own.get(&format!("/api/v1/enterprises/{}", ids[1])).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "[{}] another firm, even in the same segment, does not exist for it",
            app.engine
        );
        let (_, list) = own.get("/api/v1/enterprises").await;
        assert_eq!(list["total"], 1, "[{}] {list}", app.engine);
        assert_eq!(list["items"][0]["id"], ids[0], "[{}]", app.engine);
        let (status, _) = own
            .patch(
                &format!("/api/v1/enterprises/{}", ids[1]),
                json!({"contact": {"phone": "023-1"}}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
        let (status, _) = own
            .patch(
                &format!("/api/v1/enterprises/{}", ids[0]),
                json!({"contact": {"contact_name": "新联系人", "phone": "023-2"}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] own contact data", app.engine);
        let (status, _) = own
            .patch(
                &format!("/api/v1/enterprises/{}", ids[0]),
                json!({"high_tech": true}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "[{}] registry fields are the admin's",
            app.engine
        );
    }
}

#[tokio::test]
async fn enterprise_user_sees_the_names_of_its_chain_segment_and_park_and_no_other() {
    for app in apps().await {
        let f = fixture(&app).await;
        let firm = app
            .create("/api/v1/enterprises", json!({"credit_code": credit_code("91500112MA5U7G1X3"), "name": "重庆测试有限公司",
                "industry_code": "3670", "district": "500112", "park_id": f.park, "segment_ids": [f.child_segment]}))
            .await["id"]
            .as_i64()
            .expect("id");
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "enterprise_contact", "enterprise_id": firm, "starts_on": "2021-08-01"}))
            .await;
        let own = app
            .as_account("firm.user", Role::Enterprise, Some(f.person))
            .await;
        let ids = |list: &serde_json::Value| -> Vec<i64> {
            list["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|i| i["id"].as_i64())
                .collect()
        };
        let (_, chains) = own.get("/api/v1/chains").await;
        assert_eq!(ids(&chains), [f.chain], "[{}] {chains}", app.engine);
        let (_, segments) = own.get("/api/v1/segments").await;
        assert_eq!(
            ids(&segments),
            [f.child_segment],
            "[{}] {segments}",
            app.engine
        );
        let (_, parks) = own.get("/api/v1/parks").await;
        assert_eq!(ids(&parks), [f.park], "[{}]", app.engine);
        let (_, areas) = own.get("/api/v1/areas").await;
        assert_eq!(areas["total"], 0, "[{}] no area", app.engine);
        for path in [
            format!("/api/v1/chains/{}", f.other_chain),
            format!("/api/v1/segments/{}", f.root_segment),
            format!("/api/v1/areas/{}", f.area),
        ] {
            let (status, _) = own.get(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "[{}] {path}", app.engine);
        }
        let (status, _) = own
            .get("/api/v1/stats?indicator=added_value&period=2021-H1&by=segment")
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}] no roll-up", app.engine);
    }
}

#[tokio::test]
async fn enterprise_user_learns_who_handles_its_appeal_and_their_office_phone_but_not_their_own_phone()
 {
    for app in apps().await {
        let f = fixture(&app).await;
        let firm = app
            .create("/api/v1/enterprises", json!({"credit_code": credit_code("91500112MA5U7G1X3"), "name": "重庆测试有限公司",
                "industry_code": "3670", "district": "500112", "park_id": f.park, "segment_ids": [f.child_segment]}))
            .await["id"]
            .as_i64()
            .expect("id");
        let official = app
            .create("/api/v1/people", json!({"name": "李娜", "phone": "13912345678", "email": "lina@gov.test", "office_phone": "023-67001234"}))
            .await["id"]
            .as_i64()
            .expect("id");
        let colleague = app
            .create(
                "/api/v1/people",
                json!({"name": "王强", "phone": "13987654321"}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        for person in [official, colleague] {
            app.create("/api/v1/posts", json!({"person_id": person, "role": "park_staff", "park_id": f.park, "starts_on": "2021-08-01"}))
                .await;
        }
        app.create(
            "/api/v1/appeal-rules",
            json!({"category": "other", "target": "person", "person_id": official}),
        )
        .await;
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "enterprise_contact", "enterprise_id": firm, "starts_on": "2021-08-01"}))
            .await;
        let own = app
            .as_account("firm.user", Role::Enterprise, Some(f.person))
            .await;
        let appeal = own
            .create(
                "/api/v1/appeals",
                json!({"enterprise_id": firm, "category": "other", "title": "用地",
                "received_at": "2026-06-15T02:00:00Z"}),
            )
            .await;
        assert_eq!(
            appeal["handler"]["name"], "李娜",
            "[{}] {appeal}",
            app.engine
        );
        let (status, handler) = own.get(&format!("/api/v1/people/{official}")).await;
        assert_eq!(status, StatusCode::OK, "[{}] {handler}", app.engine);
        assert_eq!(handler["office_phone"], "023-67001234", "[{}]", app.engine);
        assert_eq!(
            (&handler["phone"], &handler["email"]),
            (&json!(""), &json!("")),
            "[{}] not the official's own phone and e-mail",
            app.engine
        );
        let (status, _) = own.get(&format!("/api/v1/people/{colleague}")).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "[{}] nor anyone else of the park",
            app.engine
        );
        let (_, posts) = own.get("/api/v1/posts").await;
        assert_eq!(
            posts["total"], 1,
            "[{}] only its own contact post: {posts}",
            app.engine
        );
        let (_, me) = own.get(&format!("/api/v1/people/{}", f.person)).await;
        assert_eq!(me["name"], "张伟", "[{}] its own person", app.engine);
    }
}

#[tokio::test]
async fn officials_own_phones_are_for_staff_and_enterprise_contacts_for_those_who_see_the_enterprises_contact_data()
 {
    for app in apps().await {
        let f = fixture(&app).await;
        let firm = app
            .create("/api/v1/enterprises", json!({"credit_code": credit_code("91500112MA5U7G1X3"), "name": "重庆测试有限公司",
                "industry_code": "3670", "district": "500112", "park_id": f.park, "segment_ids": [f.child_segment]}))
            .await["id"]
            .as_i64()
            .expect("id");
        let contact = app
            .create(
                "/api/v1/people",
                json!({"name": "周经理", "phone": "13800001111"}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        app.create("/api/v1/posts", json!({"person_id": contact, "role": "enterprise_contact", "enterprise_id": firm, "starts_on": "2021-08-01"}))
            .await;
        let official = app
            .create(
                "/api/v1/people",
                json!({"name": "陈主任", "phone": "13900002222"}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        app.create("/api/v1/posts", json!({"person_id": official, "role": "chain_chief", "chief_level": "chain", "chain_id": f.chain, "starts_on": "2021-08-01"}))
            .await;
        for (i, (role, post)) in [
            ("chain_task_force", json!({"chain_id": f.chain})),
            ("chain_task_force", json!({"chain_id": f.other_chain})),
            (
                "chain_owner",
                json!({"chain_id": f.chain, "owner_kind": "expert"}),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let person = app
                .create("/api/v1/people", json!({"name": format!("账户{i}")}))
                .await["id"]
                .as_i64()
                .expect("id");
            let mut post = post;
            post["person_id"] = json!(person);
            post["role"] = json!(role);
            post["starts_on"] = json!("2021-08-01");
            app.create("/api/v1/posts", post.clone()).await;
            let account_role = if role == "chain_owner" {
                Role::ChainOwner
            } else {
                Role::ChainTaskForce
            };
            let client = app
                .as_account(&format!("viewer.{i}"), account_role, Some(person))
                .await;
            let (_, seen) = client.get(&format!("/api/v1/people/{official}")).await;
            let official_phone = seen["phone"].as_str().unwrap_or("404").to_string();
            let (status, seen) = client.get(&format!("/api/v1/people/{contact}")).await;
            let contact_phone = if status == StatusCode::OK {
                seen["phone"].as_str().unwrap_or_default().to_string()
            } else {
                status.as_u16().to_string()
            };
            let expected = match i {
                // The own chain's task force: staff, and sees the chain's enterprise's contact data.
                0 => ("13900002222", "13800001111"),
                // Another chain's task force: staff, but the enterprise's contact is not theirs to see.
                1 => ("13900002222", "404"),
                // The chain's owner: the official's name, not their phone; no enterprise contact.
                _ => ("", "404"),
            };
            assert_eq!(
                (official_phone.as_str(), contact_phone.as_str()),
                expected,
                "[{}] {role} of chain {post}",
                app.engine
            );
        }
    }
}

#[tokio::test]
async fn an_overall_chain_chief_sees_the_contacts_of_every_enterprise_in_a_chain_and_of_no_other() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut contacts = Vec::new();
        for (i, segments) in [json!([f.other_segment]), json!([])]
            .into_iter()
            .enumerate()
        {
            let firm = app
                .create("/api/v1/enterprises", json!({"credit_code": credit_code(&format!("91500112MA5U7G{i}X3")),
                    "name": format!("重庆测试{i}有限公司"), "industry_code": "3670", "district": "500112", "segment_ids": segments,
                    "contact": {"phone": format!("1380000000{i}")}}))
                .await["id"]
                .as_i64()
                .expect("id");
            let contact = app
                .create("/api/v1/people", json!({"name": format!("联络{i}")}))
                .await["id"]
                .as_i64()
                .expect("id");
            app.create("/api/v1/posts", json!({"person_id": contact, "role": "enterprise_contact", "enterprise_id": firm, "starts_on": "2021-08-01"}))
                .await;
            contacts.push((firm, contact));
        }
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "chain_chief", "chief_level": "overall", "starts_on": "2021-08-01"}))
            .await;
        let chief = app
            .as_account("zong.lianzhang", Role::ChainChief, Some(f.person))
            .await;
        let (_, in_chain) = chief
            .get(&format!("/api/v1/enterprises/{}", contacts[0].0))
            .await;
        assert_eq!(
            in_chain["contact"]["phone"], "13800000000",
            "[{}]",
            app.engine
        );
        let (_, outside) = chief
            .get(&format!("/api/v1/enterprises/{}", contacts[1].0))
            .await;
        assert!(outside["contact"].is_null(), "[{}] {outside}", app.engine);
        let (status, _) = chief
            .get(&format!("/api/v1/people/{}", contacts[0].1))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let (status, _) = chief
            .get(&format!("/api/v1/people/{}", contacts[1].1))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn leader_reads_everything_and_changes_nothing() {
    for app in apps().await {
        let f = fixture(&app).await;
        let leader = app.as_account("leader", Role::Leader, None).await;
        let (status, _) = leader.get("/api/v1/audit").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let (status, _) = leader
            .patch(
                &format!("/api/v1/chains/{}", f.chain),
                json!({"name": "改名"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn chain_owner_sees_only_their_chain() {
    for app in apps().await {
        let f = fixture(&app).await;
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "chain_owner", "owner_kind": "expert", "chain_id": f.chain, "starts_on": "2021-08-01"}))
            .await;
        let owner = app
            .as_account("owner", Role::ChainOwner, Some(f.person))
            .await;
        let (_, chains) = owner.get("/api/v1/chains").await;
        assert_eq!(chains["total"], 1, "[{}]", app.engine);
        let (status, _) = owner
            .get(&format!("/api/v1/chains/{}", f.other_chain))
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "[{}] another chain is not revealed",
            app.engine
        );
        let (status, _) = owner
            .get(&format!("/api/v1/segments/{}", f.other_segment))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn chain_chief_edits_segments_of_their_chain_only() {
    for app in apps().await {
        let f = fixture(&app).await;
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "chain_chief", "chief_level": "chain", "chain_id": f.chain, "starts_on": "2021-08-01"}))
            .await;
        let chief = app
            .as_account("auto.chief", Role::ChainChief, Some(f.person))
            .await;
        let (status, _) = chief
            .post("/api/v1/segments", json!({"chain_id": f.chain, "parent_id": f.root_segment, "code": "auto-motor", "name": "电机电控", "stage": "upstream"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{}]", app.engine);
        let (status, _) = chief
            .post("/api/v1/segments", json!({"chain_id": f.other_chain, "code": "ic-fab", "name": "晶圆制造", "stage": "midstream"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn csrf_token_of_another_session_is_refused_and_nothing_changes() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut other = app.anonymous();
        other.sign_in("admin", PASSWORD).await;
        let forged = TestApp {
            csrf: other.csrf.clone(),
            ..app.anonymous()
        };
        let victim = TestApp {
            client: app.client.clone(),
            csrf: forged.csrf,
            ..app.anonymous()
        };
        let (status, _) = victim
            .patch(
                &format!("/api/v1/chains/{}", f.chain),
                json!({"name": "被篡改"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (_, chain) = app.get(&format!("/api/v1/chains/{}", f.chain)).await;
        assert_eq!(chain["name"], "汽车产业链", "[{}]", app.engine);
    }
}

#[tokio::test]
async fn forged_session_cookie_is_refused() {
    for app in apps().await {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/chains", app.base))
            .header("cookie", "chainpark_session=forged-value")
            .send()
            .await
            .expect("answered");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn signed_out_session_no_longer_works() {
    for app in apps().await {
        let (status, _) = common::delete(&app, "/api/v1/session").await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{}]", app.engine);
        let (status, _) = app.get("/api/v1/chains").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn api_token_works_until_revoked() {
    for app in apps().await {
        let (status, created) = app
            .post(
                "/api/v1/tokens",
                json!({"name": "统计局同步", "expires_in_days": 30}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {created}", app.engine);
        let token = created["token"]
            .as_str()
            .expect("token shown once")
            .to_string();
        let bearer = |path: &str| {
            reqwest::Client::new()
                .get(format!("{}{path}", app.base))
                .bearer_auth(&token)
                .send()
        };
        assert_eq!(
            bearer("/api/v1/chains").await.expect("answered").status(),
            StatusCode::OK
        );
        let (_, listed) = app.get("/api/v1/tokens").await;
        assert!(
            !listed.to_string().contains(&token),
            "[{}] the token is never shown again",
            app.engine
        );
        let id = created["info"]["id"].as_i64().expect("id");
        let (status, _) = app
            .post(&format!("/api/v1/tokens/{id}/revoke"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            bearer("/api/v1/chains").await.expect("answered").status(),
            StatusCode::UNAUTHORIZED,
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn oversized_body_is_refused_with_413() {
    for app in apps().await {
        let big = "x".repeat(chainpark_web::BODY_LIMIT + 10);
        let (status, problem) = app
            .post("/api/v1/areas", json!({"code": "BIG", "name": big}))
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "[{}]", app.engine);
        assert_eq!(problem["status"], 413);
        let (_, areas) = app.get("/api/v1/areas").await;
        assert_eq!(areas["total"], 0);
    }
}

#[tokio::test]
async fn answers_carry_security_headers() {
    for app in apps().await {
        let response = app
            .client
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .expect("answered");
        let headers = response.headers();
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap_or("")
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers.contains_key("referrer-policy"));
    }
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site_lax() {
    for app in apps().await {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/session", app.base))
            .json(&json!({"username": "admin", "password": PASSWORD}))
            .send()
            .await
            .expect("answered");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap_or("")
            .to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain HTTP: no Secure flag");
        let https = reqwest::Client::new()
            .post(format!("{}/api/v1/session", app.base))
            .header("x-forwarded-proto", "https")
            .json(&json!({"username": "admin", "password": PASSWORD}))
            .send()
            .await
            .expect("answered");
        assert!(
            https.headers()["set-cookie"]
                .to_str()
                .unwrap_or("")
                .contains("Secure"),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn scoped_account_for_a_person_that_does_not_exist_is_refused() {
    for app in apps().await {
        let (status, problem) = app
            .post("/api/v1/accounts", json!({"username": "ghost.chief", "password": "long-enough-pw", "role": "park_chief", "person_id": 4242}))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(common::bad_fields(&problem), vec!["person_id"]);
        let (_, accounts) = app.get("/api/v1/accounts").await;
        assert_eq!(accounts["total"], 1, "[{}] only the admin", app.engine);
    }
}

#[tokio::test]
async fn every_change_in_the_audit_trail_names_the_account() {
    for app in apps().await {
        fixture(&app).await;
        let (_, audit) = app.get("/api/v1/audit?object_kind=chain").await;
        assert!(audit["total"].as_i64().unwrap_or(0) >= 2);
        for entry in audit["items"].as_array().expect("items") {
            assert_eq!(entry["actor"], "admin", "[{}]", app.engine);
        }
    }
}

#[tokio::test]
async fn expired_token_and_expired_session_are_refused() {
    for app in apps().await {
        let (_, session) = app.get("/api/v1/session").await;
        let account = session["account"]["id"].as_i64().expect("id");
        // A minute before the application's (fixed) clock.
        let now = common::test_clock().now();
        let past = now - chrono::Duration::minutes(1);
        let token = chainpark_app::passwords::new_secret();
        let admin = chainpark_store::Actor {
            account: "admin".into(),
            account_id: Some(account),
            scope: chainpark_core::access::Scope::system(),
            day: None,
        };
        app.store
            .create_token(
                &admin,
                "old",
                &chainpark_app::passwords::secret_hash(&token),
                past,
                false,
            )
            .await
            .expect("stored");
        let by_token = reqwest::Client::new()
            .get(format!("{}/api/v1/chains", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("answered");
        assert_eq!(
            by_token.status(),
            StatusCode::UNAUTHORIZED,
            "[{}]",
            app.engine
        );
        let cookie = chainpark_app::passwords::new_secret();
        app.store
            .create_session(
                &chainpark_app::passwords::secret_hash(&cookie),
                account,
                "csrf",
                past,
                now,
            )
            .await
            .expect("stored");
        let by_cookie = reqwest::Client::new()
            .get(format!("{}/api/v1/chains", app.base))
            .header("cookie", format!("chainpark_session={cookie}"))
            .send()
            .await
            .expect("answered");
        assert_eq!(
            by_cookie.status(),
            StatusCode::UNAUTHORIZED,
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn disabled_account_cannot_sign_in_and_its_sessions_end() {
    for app in apps().await {
        let analyst = app.as_account("analyst.one", Role::Analyst, None).await;
        let (_, me) = analyst.get("/api/v1/session").await;
        let id = me["account"]["id"].as_i64().expect("id");
        let (status, _) = app
            .patch(&format!("/api/v1/accounts/{id}"), json!({"disabled": true}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let (status, _) = analyst.get("/api/v1/chains").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "[{}] the session ended",
            app.engine
        );
        let (status, _) = app
            .anonymous()
            .post(
                "/api/v1/session",
                json!({"username": "analyst.one", "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn own_password_change_needs_the_current_password_and_ends_other_sessions() {
    for app in apps().await {
        let analyst = app.as_account("analyst.two", Role::Analyst, None).await;
        let mut elsewhere = app.anonymous();
        elsewhere.sign_in("analyst.two", PASSWORD).await;
        let (status, _) = analyst
            .post(
                "/api/v1/session/password",
                json!({"current_password": "not-the-password", "new_password": "a-new-long-password"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}]", app.engine);
        let (status, ended) = analyst
            .post(
                "/api/v1/session/password",
                json!({"current_password": PASSWORD, "new_password": "a-new-long-password"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {ended}", app.engine);
        assert_eq!(ended["sessions_ended"], 1, "[{}] {ended}", app.engine);
        let (status, _) = elsewhere.get("/api/v1/chains").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "[{}] the other session ends with the old password",
            app.engine
        );
        let (status, _) = analyst.get("/api/v1/chains").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] the session that changed it stays signed in",
            app.engine
        );
        elsewhere
            .sign_in("analyst.two", "a-new-long-password")
            .await;
        let (status, _) = elsewhere.get("/api/v1/chains").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
    }
}
