//! The registry through the API, on every engine: objects, their rules, lists, archive and the audit trail.

use crate::common;
use crate::common::{apps, bad_fields, credit_code, fixture};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn enterprise(code: &str, park: i64, segment: i64) -> serde_json::Value {
    json!({
        "credit_code": code,
        "name": "重庆长安新能源科技有限公司",
        "industry_code": "3612",
        "district": "500112",
        "park_id": park,
        "segment_ids": [segment],
        "above_size": true,
        "contact": {"contact_name": "李娜", "phone": "023-67000000", "email": "li@example.cn"}
    })
}

#[tokio::test]
async fn enterprise_with_wrong_check_character_is_refused_and_nothing_is_stored() {
    for app in apps().await {
        let f = fixture(&app).await;
        let good = credit_code("91500112MA5U7G1X3");
        let last = good.chars().last().expect("18 characters");
        let wrong_last = if last == '0' { '1' } else { '0' };
        let bad = format!("{}{wrong_last}", &good[..17]);
        let (status, problem) = app
            .post(
                "/api/v1/enterprises",
                enterprise(&bad, f.park, f.root_segment),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(
            bad_fields(&problem),
            vec!["credit_code"],
            "[{}] {problem}",
            app.engine
        );
        let (_, list) = app.get("/api/v1/enterprises").await;
        assert_eq!(list["total"], 0, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn every_bad_field_of_an_enterprise_is_named_at_once() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut body = enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment);
        body["industry_code"] = json!("9999");
        body["district"] = json!("123456");
        body["name"] = json!("  ");
        let (status, problem) = app.post("/api/v1/enterprises", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        let mut fields = bad_fields(&problem);
        fields.sort();
        assert_eq!(
            fields,
            vec!["district", "industry_code", "name"],
            "[{}] {problem}",
            app.engine
        );
    }
}

#[tokio::test]
async fn duplicate_credit_code_is_a_conflict() {
    for app in apps().await {
        let f = fixture(&app).await;
        let code = credit_code("91500112MA5U7G1X3");
        app.create(
            "/api/v1/enterprises",
            enterprise(&code, f.park, f.root_segment),
        )
        .await;
        let (status, problem) = app
            .post(
                "/api/v1/enterprises",
                enterprise(&code, f.park, f.root_segment),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {problem}", app.engine);
        assert_eq!(bad_fields(&problem), vec!["credit_code"]);
        let (_, list) = app.get("/api/v1/enterprises").await;
        assert_eq!(list["total"], 1, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn enterprise_in_an_unknown_park_or_segment_is_refused() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (status, problem) = app
            .post(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), 9999, f.root_segment),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["park_id"]);
        let (status, problem) = app
            .post(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), f.park, 9999),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["segment_ids[0]"]);
    }
}

#[tokio::test]
async fn malformed_body_names_the_bad_field() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut body = enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment);
        body["above_size"] = json!("yes");
        let (status, problem) = app.post("/api/v1/enterprises", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["above_size"], "{problem}");
        let response = app
            .client
            .post(format!("{}/api/v1/areas", app.base))
            .header("content-type", "application/json")
            .header("x-csrf-token", &app.csrf)
            .body("{\"code\": ")
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "errors are problem documents"
        );
    }
}

#[tokio::test]
async fn unknown_id_is_not_found() {
    for app in apps().await {
        for path in [
            "areas",
            "chains",
            "segments",
            "supply-links",
            "people",
            "posts",
            "parks",
            "enterprises",
        ] {
            let (status, _) = app.get(&format!("/api/v1/{path}/424242")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "[{}] {path}", app.engine);
            let (status, _) = app
                .patch(&format!("/api/v1/{path}/424242"), json!({"name": "x"}))
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "[{}] {path}", app.engine);
        }
    }
}

#[tokio::test]
async fn segment_parent_in_another_chain_is_refused() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (status, problem) = app
            .post("/api/v1/segments", json!({"chain_id": f.chain, "parent_id": f.other_segment, "code": "x", "name": "x", "stage": "upstream"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["parent_id"]);
        let (_, list) = app
            .get(&format!("/api/v1/segments?chain_id={}", f.chain))
            .await;
        assert_eq!(list["total"], 2, "[{}] nothing written", app.engine);
    }
}

#[tokio::test]
async fn moving_a_segment_below_its_own_child_is_a_cycle() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (status, problem) = app
            .patch(
                &format!("/api/v1/segments/{}", f.root_segment),
                json!({"parent_id": f.child_segment}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), vec!["parent_id"]);
        let (_, root) = app
            .get(&format!("/api/v1/segments/{}", f.root_segment))
            .await;
        assert_eq!(
            root["parent_id"],
            serde_json::Value::Null,
            "[{}] unchanged",
            app.engine
        );
    }
}

#[tokio::test]
async fn segment_tree_can_be_any_depth() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut parent = f.child_segment;
        for depth in 0..5 {
            parent = app
                .create("/api/v1/segments", json!({"chain_id": f.chain, "parent_id": parent, "code": format!("deep-{depth}"), "name": format!("第{depth}层"), "stage": "midstream"}))
                .await["id"]
                .as_i64()
                .expect("id");
        }
        let (_, children) = app
            .get(&format!("/api/v1/segments?parent_id={}", f.child_segment))
            .await;
        assert_eq!(children["total"], 1, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn post_that_ends_before_it_starts_is_refused() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (status, problem) = app
            .post("/api/v1/posts", json!({"person_id": f.person, "role": "park_chief", "park_id": f.park, "starts_on": "2022-01-01", "ends_on": "2021-12-31"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["ends_on"]);
    }
}

#[tokio::test]
async fn park_chief_post_for_a_park_that_does_not_exist_is_refused() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (status, problem) = app
            .post("/api/v1/posts", json!({"person_id": f.person, "role": "park_chief", "park_id": 777, "starts_on": "2022-01-01"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["park_id"]);
        let (_, posts) = app.get("/api/v1/posts").await;
        assert_eq!(posts["total"], 0, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn a_park_has_one_chief_at_a_time() {
    for app in apps().await {
        let f = fixture(&app).await;
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "park_chief", "park_id": f.park, "starts_on": "2021-08-01"}))
            .await;
        let other = app.create("/api/v1/people", json!({"name": "王芳"})).await["id"]
            .as_i64()
            .expect("id");
        let (status, problem) = app
            .post("/api/v1/posts", json!({"person_id": other, "role": "park_chief", "park_id": f.park, "starts_on": "2023-01-01"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {problem}", app.engine);
        let (_, park) = app.get(&format!("/api/v1/parks/{}", f.park)).await;
        assert_eq!(park["chief"]["name"], "张伟", "[{}] {park}", app.engine);
    }
}

#[tokio::test]
async fn post_history_answers_who_led_the_chain_on_a_given_day() {
    for app in apps().await {
        let f = fixture(&app).await;
        let later = app.create("/api/v1/people", json!({"name": "刘洋"})).await["id"]
            .as_i64()
            .expect("id");
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "chain_chief", "chief_level": "chain", "chain_id": f.chain, "starts_on": "2021-08-01", "ends_on": "2022-06-30"}))
            .await;
        app.create("/api/v1/posts", json!({"person_id": later, "role": "chain_chief", "chief_level": "chain", "chain_id": f.chain, "starts_on": "2022-07-01"}))
            .await;
        let (_, march_2022) = app
            .get(&format!(
                "/api/v1/posts?chain_id={}&role=chain_chief&on=2022-03-15",
                f.chain
            ))
            .await;
        assert_eq!(march_2022["total"], 1, "[{}]", app.engine);
        assert_eq!(march_2022["items"][0]["person_id"], f.person);
        let (_, today) = app
            .get(&format!(
                "/api/v1/posts?chain_id={}&role=chain_chief&on=2026-01-01",
                f.chain
            ))
            .await;
        assert_eq!(today["items"][0]["person_id"], later, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn chain_post_without_its_chain_is_refused() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (status, problem) = app
            .post("/api/v1/posts", json!({"person_id": f.person, "role": "chain_owner", "owner_kind": "expert", "starts_on": "2022-01-01"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["chain_id"]);
    }
}

#[tokio::test]
async fn park_land_area_is_shown_in_mu_and_hectares() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (_, park) = app.get(&format!("/api/v1/parks/{}", f.park)).await;
        assert_eq!(park["land_area_mu"], 1500.0, "[{}]", app.engine);
        assert_eq!(park["land_area_ha"], 100.0, "[{}]", app.engine);
        let created = app
            .create("/api/v1/parks", json!({"area_id": f.area, "code": "lijia", "name": "礼嘉智慧公园", "district": "500112", "land_area_ha": 10}))
            .await;
        assert_eq!(created["land_area_mu"], 150.0, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn update_changes_only_the_patched_fields_and_is_audited() {
    for app in apps().await {
        let f = fixture(&app).await;
        let created = app
            .create(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment),
            )
            .await;
        let id = created["id"].as_i64().expect("id");
        let (status, updated) = app
            .patch(
                &format!("/api/v1/enterprises/{id}"),
                json!({"high_tech": true, "park_id": null}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {updated}", app.engine);
        assert_eq!(updated["high_tech"], true);
        assert_eq!(updated["park_id"], serde_json::Value::Null);
        assert_eq!(updated["name"], created["name"]);
        assert_eq!(updated["segment_ids"], json!([f.root_segment]));
        let (_, audit) = app
            .get(&format!(
                "/api/v1/audit?object_kind=enterprise&object_id={id}"
            ))
            .await;
        assert_eq!(audit["total"], 2, "[{}] create and update", app.engine);
        let change = &audit["items"][1];
        assert_eq!(change["action"], "update");
        assert_eq!(change["before"]["high_tech"], false);
        assert_eq!(change["after"]["high_tech"], true);
        assert!(change["actor"].as_str().is_some_and(|a| !a.is_empty()));
    }
}

#[tokio::test]
async fn archived_enterprise_leaves_the_list_but_is_kept() {
    for app in apps().await {
        let f = fixture(&app).await;
        let id = app
            .create(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let (status, archived) = app
            .post(&format!("/api/v1/enterprises/{id}/archive"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {archived}", app.engine);
        assert_eq!(archived["archived"], true);
        let (_, list) = app.get("/api/v1/enterprises").await;
        assert_eq!(list["total"], 0, "[{}]", app.engine);
        let (_, all) = app.get("/api/v1/enterprises?include_archived=true").await;
        assert_eq!(all["total"], 1, "[{}]", app.engine);
        let (status, _) = app.get(&format!("/api/v1/enterprises/{id}")).await;
        assert_eq!(status, StatusCode::OK, "[{}] still readable", app.engine);
    }
}

#[tokio::test]
async fn lists_filter_sort_and_page_with_a_total() {
    for app in apps().await {
        let f = fixture(&app).await;
        for i in 0..7 {
            let body = format!("91500112MA5U7G{i:02}X");
            let mut e = enterprise(&credit_code(&body), f.park, f.child_segment);
            e["name"] = json!(format!("重庆企业{i}有限公司"));
            app.create("/api/v1/enterprises", e).await;
        }
        let (_, page) = app
            .get("/api/v1/enterprises?limit=3&offset=3&sort=-name")
            .await;
        assert_eq!(page["total"], 7, "[{}]", app.engine);
        let names: Vec<&str> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["name"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            names,
            vec![
                "重庆企业3有限公司",
                "重庆企业2有限公司",
                "重庆企业1有限公司"
            ],
            "[{}]",
            app.engine
        );
        let (_, found) = app.get(&format!("/api/v1/enterprises?q={}", "企业5")).await;
        assert_eq!(found["total"], 1, "[{}]", app.engine);
        let (_, in_chain) = app
            .get(&format!("/api/v1/enterprises?chain_id={}", f.chain))
            .await;
        assert_eq!(in_chain["total"], 7, "[{}]", app.engine);
        let (_, other_chain) = app
            .get(&format!("/api/v1/enterprises?chain_id={}", f.other_chain))
            .await;
        assert_eq!(other_chain["total"], 0, "[{}]", app.engine);
        let (status, problem) = app.get("/api/v1/enterprises?sort=password").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["sort"]);
        let (status, problem) = app.get("/api/v1/enterprises?limit=many").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["limit"]);
    }
}

#[tokio::test]
async fn supply_link_from_a_segment_to_itself_is_refused() {
    for app in apps().await {
        let f = fixture(&app).await;
        let (status, problem) = app
            .post(
                "/api/v1/supply-links",
                json!({"from_segment_id": f.child_segment, "to_segment_id": f.child_segment}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert_eq!(bad_fields(&problem), vec!["to_segment_id"]);
        app.create("/api/v1/supply-links", json!({"from_segment_id": f.child_segment, "to_segment_id": f.root_segment, "note": "电池供整车"}))
            .await;
        let (_, links) = app
            .get(&format!("/api/v1/supply-links?chain_id={}", f.chain))
            .await;
        assert_eq!(links["total"], 1, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn openapi_document_is_3_1_and_lists_every_registry_path() {
    for app in apps().await {
        let (status, doc) = app.get("/api/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1")),
            "{}",
            doc["openapi"]
        );
        for path in [
            "/api/v1/areas",
            "/api/v1/enterprises/{id}",
            "/api/v1/parks/{id}/archive",
            "/api/v1/audit",
        ] {
            assert!(
                doc["paths"][path].is_object(),
                "{path} missing from the document"
            );
        }
        let (status, health) = app.get("/healthz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(health["status"], "ok");
    }
}

#[tokio::test]
async fn enterprise_is_found_by_part_of_its_name_or_its_pinyin_initials() {
    for app in apps().await {
        let f = fixture(&app).await;
        app.create(
            "/api/v1/enterprises",
            enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment),
        )
        .await;
        for q in ["长安", "CAXNY", "cqcaxny", "91500112MA5U7G1X3"] {
            let (_, found) = app.get(&format!("/api/v1/enterprises?q={q}")).await;
            assert_eq!(found["total"], 1, "[{}] q={q}", app.engine);
        }
        let (_, none) = app.get("/api/v1/enterprises?q=京东方").await;
        assert_eq!(none["total"], 0, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn chain_counts_each_firm_once_and_not_archived_ones() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut both = enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment);
        both["segment_ids"] = json!([f.root_segment, f.child_segment]);
        app.create("/api/v1/enterprises", both).await;
        let gone = app
            .create(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G2X3"), f.park, f.child_segment),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        app.post(&format!("/api/v1/enterprises/{gone}/archive"), json!({}))
            .await;
        let system = chainpark_store::Actor::system("test");
        let counts = app.store.chain_firm_counts(&system).await.expect("counts");
        assert_eq!(
            counts.get(&f.chain),
            Some(&1),
            "[{}] {counts:?}",
            app.engine
        );
        assert_eq!(counts.get(&f.other_chain), None, "[{}]", app.engine);
        let members = app
            .store
            .chain_memberships(&system, f.chain)
            .await
            .expect("members");
        assert_eq!(
            members.len(),
            2,
            "[{}] one firm in two segments",
            app.engine
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_creates_of_one_credit_code_give_one_201_and_49_conflicts() {
    for app in apps().await {
        let f = fixture(&app).await;
        let code = credit_code("91500112MA5U7G9X3");
        let bodies = (0..50)
            .map(|_| enterprise(&code, f.park, f.root_segment))
            .collect();
        let answers = common::post_all_at_once(&app, "/api/v1/enterprises", bodies).await;
        let counts = common::count_statuses(&answers);
        assert_eq!(
            counts,
            [(201, 1), (409, 49)].into(),
            "[{}] {answers:?}",
            app.engine
        );
        for (status, problem) in &answers {
            if *status == StatusCode::CONFLICT {
                assert_eq!(
                    bad_fields(problem),
                    vec!["credit_code"],
                    "[{}] {problem}",
                    app.engine
                );
            }
        }
        let (_, list) = app.get("/api/v1/enterprises").await;
        assert_eq!(list["total"], 1, "[{}]", app.engine);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_park_chief_posts_for_one_park_let_one_win() {
    for app in apps().await {
        let f = fixture(&app).await;
        let mut people = vec![f.person];
        for name in ["王芳", "刘洋", "陈静"] {
            people.push(
                app.create("/api/v1/people", json!({"name": name})).await["id"]
                    .as_i64()
                    .expect("id"),
            );
        }
        // Open-ended (the database's own index) and dated (the checked overlap, under the park's lock) at once.
        let bodies = people
            .iter()
            .enumerate()
            .map(|(i, person)| {
                let ends_on = if i % 2 == 0 { json!(null) } else { json!("2027-12-31") };
                json!({"person_id": person, "role": "park_chief", "park_id": f.park, "starts_on": "2026-06-15", "ends_on": ends_on})
            })
            .collect();
        let answers = common::post_all_at_once(&app, "/api/v1/posts", bodies).await;
        assert_eq!(
            common::count_statuses(&answers),
            [(201, 1), (409, 3)].into(),
            "[{}] {answers:?}",
            app.engine
        );
        for (status, problem) in &answers {
            if *status == StatusCode::CONFLICT {
                assert_eq!(
                    bad_fields(problem),
                    vec!["park_id"],
                    "[{}] {problem}",
                    app.engine
                );
            }
        }
        let (_, posts) = app
            .get(&format!("/api/v1/posts?park_id={}&role=park_chief", f.park))
            .await;
        assert_eq!(posts["total"], 1, "[{}] {posts}", app.engine);
        let problems = app.store.check().await.expect("check runs");
        assert_eq!(problems, Vec::<String>::new(), "[{}]", app.engine);
    }
}

#[tokio::test]
async fn a_patch_with_100000_segment_ids_is_refused_naming_the_field_and_the_limit() {
    for app in apps().await {
        let f = fixture(&app).await;
        let created = app
            .create(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment),
            )
            .await;
        let id = created["id"].as_i64().expect("id");
        let many: Vec<i64> = (1..=100_000).collect();
        let (status, problem) = app
            .patch(
                &format!("/api/v1/enterprises/{id}"),
                json!({"segment_ids": many}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(bad_fields(&problem), vec!["segment_ids"]);
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("1000"),
            "[{}] names the limit: {problem}",
            app.engine
        );
        let (status, problem) = app
            .post(
                "/api/v1/segments",
                json!({"chain_id": f.chain, "code": "many", "name": "多代码", "stage": "upstream",
                    "industry_codes": vec!["3612"; 1001]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(
            bad_fields(&problem),
            vec!["industry_codes"],
            "[{}] one error, not 1001",
            app.engine
        );
        let (_, kept) = app.get(&format!("/api/v1/enterprises/{id}")).await;
        assert_eq!(
            kept["segment_ids"],
            json!([f.root_segment]),
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_list_of_40000_enterprise_ids_is_read_in_one_statement_within_sqlite_variable_limit() {
    for app in apps().await {
        let f = fixture(&app).await;
        let created = app
            .create(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment),
            )
            .await;
        let id = created["id"].as_i64().expect("id");
        // More ids than SQLite binds in one statement (32,766): the list goes in as one parameter.
        let mut ids: Vec<i64> = (1_000_000..1_040_000).collect();
        ids.push(id);
        let filter = chainpark_store::EnterpriseFilter {
            ids: Some(ids),
            ..Default::default()
        };
        let page = app
            .store
            .list_enterprises(
                &chainpark_store::Actor::system("test"),
                &filter,
                &chainpark_core::list::Paging::all(),
            )
            .await
            .expect("a long id list is read");
        assert_eq!(page.total, 1, "[{}]", app.engine);
        assert_eq!(
            page.items[0].segment_ids,
            vec![f.root_segment],
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_archives_of_one_enterprise_write_one_audit_entry() {
    for app in apps().await {
        let f = fixture(&app).await;
        let created = app
            .create(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment),
            )
            .await;
        let id = created["id"].as_i64().expect("id");
        let answers = common::post_all_at_once(
            &app,
            &format!("/api/v1/enterprises/{id}/archive"),
            vec![json!({}); 10],
        )
        .await;
        assert_eq!(
            common::count_statuses(&answers),
            [(200, 10)].into(),
            "[{}] archiving is idempotent",
            app.engine
        );
        let (_, audit) = app
            .get(&format!(
                "/api/v1/audit?object_kind=enterprise&object_id={id}"
            ))
            .await;
        let archives = audit["items"]
            .as_array()
            .map(|items| items.iter().filter(|e| e["action"] == "archive").count())
            .unwrap_or(0);
        assert_eq!(archives, 1, "[{}] {audit}", app.engine);
    }
}

/// Many pairs of PATCHes at once, each of a different field of one enterprise: every change takes effect, none
/// undoes another by writing back the value it read before the other's change.
#[tokio::test]
async fn patches_of_different_fields_at_once_all_take_effect() {
    for app in apps().await {
        let f = fixture(&app).await;
        let id = app
            .create(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let path = format!("/api/v1/enterprises/{id}");
        for round in 0..8 {
            let name = format!("改名企业{round}有限公司");
            let high_tech = round % 2 == 0;
            let (a, b) = tokio::join!(
                app.patch(&path, json!({"name": name})),
                app.patch(&path, json!({"high_tech": high_tech})),
            );
            assert_eq!(
                (a.0, b.0),
                (StatusCode::OK, StatusCode::OK),
                "[{}] {a:?} {b:?}",
                app.engine
            );
            let (_, now) = app.get(&path).await;
            assert_eq!(
                (now["name"].as_str(), now["high_tech"].as_bool()),
                (Some(name.as_str()), Some(high_tech)),
                "[{}] round {round}: {now}",
                app.engine
            );
        }
    }
}

/// A PATCH with `If-Match` applies only to the version it names: after someone else's change it answers 412 and
/// changes nothing; with the current `ETag` it applies and answers the new `ETag`.
#[tokio::test]
async fn a_patch_naming_an_outdated_version_in_if_match_answers_412_and_changes_nothing() {
    for app in apps().await {
        let f = fixture(&app).await;
        let id = app
            .create(
                "/api/v1/enterprises",
                enterprise(&credit_code("91500112MA5U7G1X3"), f.park, f.root_segment),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        let url = format!("{}/api/v1/enterprises/{id}", app.base);
        let etag = |r: &reqwest::Response| {
            r.headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .expect("an ETag")
                .to_string()
        };
        let read = app.client.get(&url).send().await.expect("read");
        let seen = etag(&read);
        let (status, _) = app
            .patch(
                &format!("/api/v1/enterprises/{id}"),
                json!({"high_tech": true}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let patch = |tag: String, body: Value| {
            app.client
                .patch(&url)
                .header("x-csrf-token", &app.csrf)
                .header("if-match", tag)
                .json(&body)
                .send()
        };
        let stale = patch(seen, json!({"name": "过时的名称有限公司"}))
            .await
            .expect("answered");
        assert_eq!(
            stale.status(),
            StatusCode::PRECONDITION_FAILED,
            "[{}]",
            app.engine
        );
        let (_, now) = app.get(&format!("/api/v1/enterprises/{id}")).await;
        assert_ne!(now["name"], "过时的名称有限公司", "[{}]", app.engine);
        assert_eq!(now["high_tech"], true, "[{}]", app.engine);
        let current = etag(&app.client.get(&url).send().await.expect("read"));
        let fresh = patch(current.clone(), json!({"name": "当前版本有限公司"}))
            .await
            .expect("answered");
        assert_eq!(fresh.status(), StatusCode::OK, "[{}]", app.engine);
        assert_ne!(etag(&fresh), current, "[{}] a new version", app.engine);
    }
}
