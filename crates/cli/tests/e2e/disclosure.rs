//! Statistical confidentiality of roll-ups (统计资料保密), on every engine: a cell of fewer than 3 firms, or where
//! one firm makes more than 85 % of it, is withheld from callers who may not read those firms' own figures, naming
//! the rule; a second cell is withheld where the first would follow from a published total; the thresholds come
//! from the configuration; a caller who may read every firm of a cell sees it; the pages, their exports and the
//! scheduling report say 保密 / confidential instead of the number.

use crate::common::{Fixture, TestApp, apps, credit_code, fixture, fresh_stores};
use chainpark_core::access::Role;
use chainpark_core::disclosure::DisclosureRules;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The test zone. Chain X: segment A holds one firm, segment B three; chain Y: segment C holds four, one of them
/// 96 % of it; chain Z: one segment of three small firms; three firms sit in no chain and no park. Park 1 holds
/// chain X's firms, park 2 chain Y's; chain Z's firms are in no park.
struct World {
    f: Fixture,
    park2: i64,
    /// The one firm of segment A (the fixture's root segment).
    single_firm: i64,
    /// Chain owner (链主) of chain X: reads no firm's figures.
    owner_x: TestApp,
    owner_y: TestApp,
    /// Chain chief of chain X: reads the figures of chain X's firms.
    chief_x: TestApp,
    /// Park chief of park 1 (chain X's firms).
    park1_chief: TestApp,
    /// Park chief of park 2: foreign to segment A's firm.
    park2_chief: TestApp,
}

/// Monthly (added value, gross output) in yuan of 2021; 2020 is four fifths of it.
const SINGLE: (i64, i64) = (10_000_000, 50_000_000);
const B_FIRMS: [(i64, i64); 3] = [
    (3_000_000, 15_000_000),
    (4_000_000, 20_000_000),
    (5_000_000, 25_000_000),
];
const C_FIRMS: [(i64, i64); 4] = [
    (90_000_000, 450_000_000),
    (1_000_000, 5_000_000),
    (1_000_000, 5_000_000),
    (1_000_000, 5_000_000),
];
const Z_FIRMS: [(i64, i64); 3] = [
    (500_000, 2_000_000),
    (600_000, 2_500_000),
    (700_000, 3_000_000),
];
const OUTSIDE: [(i64, i64); 3] = [
    (2_000_000, 10_000_000),
    (2_500_000, 12_000_000),
    (3_000_000, 14_000_000),
];

/// Segment A's added value of 2021-H1 in hundredths of a yuan.
const A_H1: i64 = SINGLE.0 * 6 * 100;
const B_H1: i64 = (3_000_000 + 4_000_000 + 5_000_000) * 6 * 100;

async fn account(admin: &TestApp, name: &str, role: Role, post: Value) -> TestApp {
    let person = admin.create("/api/v1/people", json!({"name": name})).await["id"]
        .as_i64()
        .expect("id");
    let mut post = post;
    post["person_id"] = json!(person);
    post["starts_on"] = json!("2021-01-01");
    admin.create("/api/v1/posts", post).await;
    admin.as_account(name, role, Some(person)).await
}

async fn world(admin: &TestApp) -> World {
    let f = fixture(admin).await;
    let park2 = admin
        .create(
            "/api/v1/parks",
            json!({"area_id": f.area, "code": "shuitu", "name": "水土园区", "district": "500109", "land_area_mu": 900}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let chain_z = admin
        .create(
            "/api/v1/chains",
            json!({"area_id": f.area, "code": "third", "name": "第三产业链"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let segment_z = admin
        .create(
            "/api/v1/segments",
            json!({"chain_id": chain_z, "code": "third-seg", "name": "第三环节", "stage": "midstream"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let mut csv = String::from("统一社会信用代码,期间,指标,数值\n");
    let mut n = 0;
    let mut firm = |park: Option<i64>, segment: Option<i64>, values: (i64, i64)| {
        n += 1;
        let code = credit_code(&format!("91500000MA5UD{n:04}"));
        for year in [2020, 2021] {
            for month in 1..=9 {
                let (added, gross) = if year == 2021 {
                    values
                } else {
                    (values.0 * 4 / 5, values.1 * 4 / 5)
                };
                csv.push_str(&format!("{code},{year}-{month:02},增加值,{added}\n"));
                csv.push_str(&format!("{code},{year}-{month:02},工业总产值,{gross}\n"));
            }
        }
        let segments: Vec<i64> = segment.into_iter().collect();
        json!({"credit_code": code, "name": format!("保密测试企业{n}有限公司"), "industry_code": "3612",
               "district": "500112", "park_id": park, "segment_ids": segments})
    };
    let mut bodies = vec![firm(Some(f.park), Some(f.root_segment), SINGLE)];
    bodies.extend(B_FIRMS.map(|v| firm(Some(f.park), Some(f.child_segment), v)));
    bodies.extend(C_FIRMS.map(|v| firm(Some(park2), Some(f.other_segment), v)));
    bodies.extend(Z_FIRMS.map(|v| firm(None, Some(segment_z), v)));
    bodies.extend(OUTSIDE.map(|v| firm(None, None, v)));
    let mut ids = Vec::new();
    for body in bodies {
        ids.push(
            admin.create("/api/v1/enterprises", body).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    let (status, body) = admin
        .send_file(
            Method::POST,
            "/api/v1/imports?filename=disclosure.csv",
            "text/csv",
            csv,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "[{}] {body}", admin.engine);
    // A published city total makes 2021-H1 the period the pages open on.
    let (status, body) = admin
        .call(
            Method::PUT,
            "/api/v1/region-figures",
            Some(json!({"region_code": "500000", "subject": "digital_economy", "indicator": "added_value",
                        "period": "2021-H1", "value": 100_000_000_000_i64, "source": "test"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "[{}] {body}", admin.engine);
    let owner_x = account(
        admin,
        "owner.x",
        Role::ChainOwner,
        json!({"role": "chain_owner", "owner_kind": "leading_company_head", "chain_id": f.chain}),
    )
    .await;
    let owner_y = account(admin, "owner.y", Role::ChainOwner, json!({"role": "chain_owner", "owner_kind": "leading_company_head", "chain_id": f.other_chain}))
        .await;
    let chief_x = account(
        admin,
        "chief.x",
        Role::ChainChief,
        json!({"role": "chain_chief", "chain_id": f.chain, "chief_level": "chain"}),
    )
    .await;
    let park1_chief = account(
        admin,
        "park1.chief",
        Role::ParkChief,
        json!({"role": "park_chief", "park_id": f.park}),
    )
    .await;
    let park2_chief = account(
        admin,
        "park2.chief",
        Role::ParkChief,
        json!({"role": "park_chief", "park_id": park2}),
    )
    .await;
    World {
        f,
        park2,
        single_firm: ids[0],
        owner_x,
        owner_y,
        chief_x,
        park1_chief,
        park2_chief,
    }
}

/// A roll-up of added value as `app` sees it.
async fn stats(app: &TestApp, query: &str) -> Value {
    let (status, body) = app
        .get(&format!("/api/v1/stats?indicator=added_value&{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "[{}] {query}: {body}", app.engine);
    body
}

/// The group `id` of a roll-up (Null when the caller is not shown it).
fn group(rollup: &Value, id: i64) -> Value {
    rollup["groups"]
        .as_array()
        .and_then(|groups| groups.iter().find(|g| g["group_id"] == id))
        .cloned()
        .unwrap_or(Value::Null)
}

/// Asserts the group is withheld by `rule` and carries nothing from which its value follows.
fn assert_withheld(g: &Value, rule: &str, context: &str) {
    assert_eq!(g["suppressed"], rule, "{context}: {g}");
    for field in [
        "value",
        "firms",
        "firms_approx_zh",
        "yoy_growth_percent",
        "yoy_growth_percent_precise",
        "share_percent",
    ] {
        assert!(
            g[field].is_null(),
            "{context}: {field} of a withheld group: {g}"
        );
    }
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK, "[{}] {path}", app.engine);
    response.text().await.expect("text")
}

#[tokio::test]
async fn a_single_firm_segment_is_withheld_from_a_chain_owner_and_a_foreign_park_chief_by_the_min_firms_rule()
 {
    for admin in apps().await {
        let w = world(&admin).await;
        let a = w.f.root_segment;
        for (who, app) in [
            ("chain owner", &w.owner_x),
            ("foreign park chief", &w.park2_chief),
        ] {
            // The firm's own figures are closed to them ...
            let (status, _) = app
                .get(&format!(
                    "/api/v1/enterprises/{}/figures?indicator=added_value&period=2021",
                    w.single_firm
                ))
                .await;
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "[{}] {who}: {status}",
                app.engine
            );
            // ... and no roll-up gives them away: every period kind, both growth methods.
            for period in ["2021-H1", "2021-06", "2021-Q2", "2021", "2021-YTD-09"] {
                for method in ["published_totals", "same_firms"] {
                    let rollup =
                        stats(app, &format!("period={period}&by=segment&method={method}")).await;
                    assert_eq!(rollup["disclosure"]["applied"], true);
                    let g = group(&rollup, a);
                    let context = format!("[{}] {who} {period} {method}", app.engine);
                    assert_withheld(&g, "min_firms", &context);
                    assert!(
                        g["previous"].is_null(),
                        "{context}: last year's single firm: {g}"
                    );
                    assert_eq!(g["previous_suppressed"], "min_firms", "{context}: {g}");
                }
            }
            let text = stats(app, "period=2021-H1&by=segment").await.to_string();
            assert!(
                !text.contains(&A_H1.to_string()),
                "[{}] {who}: {text}",
                app.engine
            );
            // Every dimension is judged the same way: each group shows a value or names the rule withholding it.
            for by in [
                "zone",
                "area",
                "chain",
                "park",
                "district",
                "digital_category",
                "digital_economy",
            ] {
                let rollup = stats(app, &format!("period=2021-H1&by={by}")).await;
                for g in rollup["groups"].as_array().expect("groups") {
                    assert!(
                        g["value"].is_null() != g["suppressed"].is_null(),
                        "[{}] {who} by {by}: {g}",
                        app.engine
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn a_segment_where_one_firm_makes_more_than_85_percent_is_withheld_by_the_dominance_rule() {
    for admin in apps().await {
        let w = world(&admin).await;
        // Park 1's chief reads chain X's firms but not chain Y's: segment C (one firm 96 % of it) is withheld.
        let rollup = stats(&w.park1_chief, "period=2021-H1&by=segment").await;
        let context = format!("[{}] park 1's chief", admin.engine);
        assert_withheld(&group(&rollup, w.f.other_segment), "dominance", &context);
        // Chain Y's total is the same firms: withheld too, from its own chain owner as well.
        let by_chain = stats(&w.owner_y, "period=2021-H1&by=chain").await;
        assert_withheld(
            &group(&by_chain, w.f.other_chain),
            "dominance",
            "chain owner of Y",
        );
        let by_park = stats(&w.park1_chief, "period=2021-H1&by=park").await;
        assert_withheld(&group(&by_park, w.park2), "dominance", &context);
    }
}

#[tokio::test]
async fn a_second_segment_is_withheld_so_the_first_cannot_be_derived_from_the_chain_total() {
    for admin in apps().await {
        let w = world(&admin).await;
        for period in ["2021-H1", "2021-03"] {
            let context = format!("[{}] chain owner {period}", admin.engine);
            // Chain X's total is published to its owner (chain Y is withheld, and the smaller chain Z with it) ...
            let by_chain = stats(&w.owner_x, &format!("period={period}&by=chain")).await;
            let chain = group(&by_chain, w.f.chain);
            assert!(chain["value"]["hundredths"].is_i64(), "{context}: {chain}");
            // ... so with segment A withheld, segment B (the rest of the chain) is withheld as well.
            let rollup = stats(&w.owner_x, &format!("period={period}&by=segment")).await;
            assert_withheld(&group(&rollup, w.f.root_segment), "min_firms", &context);
            let b = group(&rollup, w.f.child_segment);
            assert_withheld(&b, "secondary", &context);
            assert_eq!(b["previous_suppressed"], "secondary", "{context}: {b}");
        }
        let text = stats(&w.owner_x, "period=2021-H1&by=segment")
            .await
            .to_string();
        assert!(!text.contains(&B_H1.to_string()), "{text}");
    }
}

#[tokio::test]
async fn thresholds_from_the_configuration_change_which_cells_are_withheld() {
    for (rules, expected_a, expected_b, expected_c) in [
        // Loose: every cell shown, even the single firm and the dominated segment.
        (
            DisclosureRules {
                min_firms: 1,
                dominance_percent: 100,
            },
            None,
            None,
            None,
        ),
        // Strict: four firms needed, so segment B (three) is withheld by the rule itself, and C (four) is still
        // dominated.
        (
            DisclosureRules {
                min_firms: 4,
                dominance_percent: 85,
            },
            Some("min_firms"),
            Some("min_firms"),
            Some("dominance"),
        ),
    ] {
        for store in fresh_stores().await {
            let admin = TestApp::start_with(store, |state| state.disclosure = rules).await;
            let w = world(&admin).await;
            let context = format!("[{}] {rules:?}", admin.engine);
            let rollup = stats(&w.park2_chief, "period=2021-H1&by=segment").await;
            assert_eq!(
                rollup["disclosure"]["min_firms"], rules.min_firms,
                "{context}"
            );
            for (id, expected) in [
                (w.f.root_segment, expected_a),
                (w.f.child_segment, expected_b),
            ] {
                let g = group(&rollup, id);
                match expected {
                    Some(rule) => assert_withheld(&g, rule, &context),
                    None => assert!(g["value"]["hundredths"].is_i64(), "{context}: {g}"),
                }
            }
            let rollup = stats(&w.park1_chief, "period=2021-H1&by=segment").await;
            let c = group(&rollup, w.f.other_segment);
            match expected_c {
                Some(rule) => assert_withheld(&c, rule, &context),
                None => assert!(c["value"]["hundredths"].is_i64(), "{context}: {c}"),
            }
        }
    }
}

#[tokio::test]
async fn a_caller_who_may_read_every_firm_of_a_cell_sees_it() {
    for admin in apps().await {
        let w = world(&admin).await;
        for (who, app) in [
            ("chain chief of X", &w.chief_x),
            ("park 1's chief", &w.park1_chief),
        ] {
            let context = format!("[{}] {who}", app.engine);
            let rollup = stats(app, "period=2021-H1&by=segment").await;
            let a = group(&rollup, w.f.root_segment);
            assert_eq!(a["suppressed"], Value::Null, "{context}: {a}");
            assert_eq!(a["value"]["hundredths"], A_H1, "{context}: {a}");
            assert_eq!(a["firms"], 1, "{context}: {a}");
            assert_eq!(a["yoy_growth_percent"], "25.0", "{context}: {a}");
            assert_eq!(
                group(&rollup, w.f.child_segment)["value"]["hundredths"],
                B_H1
            );
            let (status, _) = app
                .get(&format!(
                    "/api/v1/enterprises/{}/figures?indicator=added_value&period=2021",
                    w.single_firm
                ))
                .await;
            assert_eq!(status, StatusCode::OK, "{context}: the firm's own figures");
        }
        // An overall chain chief (总链长) reads the firms of every chain: the dominated segment C too.
        let overall = account(
            &admin,
            "overall.chief",
            Role::ChainChief,
            json!({"role": "chain_chief", "chief_level": "overall"}),
        )
        .await;
        let rollup = stats(&overall, "period=2021-H1&by=segment").await;
        for segment in [w.f.root_segment, w.f.child_segment, w.f.other_segment] {
            let g = group(&rollup, segment);
            assert!(
                g["value"]["hundredths"].is_i64(),
                "[{}] overall chief: {g}",
                admin.engine
            );
        }
        // Readers of everything see every cell as it is, without disclosure control.
        let rollup = stats(&admin, "period=2021-H1&by=segment").await;
        assert_eq!(rollup["disclosure"]["applied"], false);
        assert_eq!(
            group(&rollup, w.f.root_segment)["value"]["hundredths"],
            A_H1
        );
        assert!(group(&rollup, w.f.other_segment)["value"]["hundredths"].is_i64());
        assert!(
            rollup["groups"]
                .as_array()
                .expect("groups")
                .iter()
                .all(|g| g["suppressed"].is_null())
        );
    }
}

#[tokio::test]
async fn pages_exports_and_the_scheduling_report_say_confidential_instead_of_the_number() {
    for admin in apps().await {
        let w = world(&admin).await;
        let chain = w.f.chain;
        // The chain map: segments A and B (3.00 and 3.60 亿 of output in 2021-H1) are withheld from the owner.
        for (lang, word) in [("zh", "保密"), ("en", "confidential")] {
            let html = page(&w.owner_x, &format!("/chains/{chain}?lang={lang}")).await;
            assert!(
                html.contains(word),
                "[{}] {lang}: the chain page",
                admin.engine
            );
            assert!(
                !html.contains("3.00亿") && !html.contains("3.60亿"),
                "[{}] {lang}",
                admin.engine
            );
        }
        let html = page(&w.chief_x, &format!("/chains/{chain}")).await;
        assert!(
            html.contains("3.00亿") && html.contains("3.60亿"),
            "[{}] the chief reads them",
            admin.engine
        );
        assert!(
            !html.contains("保密"),
            "[{}] nothing withheld from the chief's chain map",
            admin.engine
        );

        // Park 2's output (27.90 亿, one firm 96 % of it) in the parks list, its exports and the dashboard.
        for (lang, word) in [("zh", "保密"), ("en", "confidential")] {
            let park2 = format!("/parks/{}", w.park2);
            for path in [
                "/parks",
                "/parks/export.csv",
                "/dashboard?period=2021-H1",
                &park2,
            ] {
                let text = page(
                    &w.park1_chief,
                    &format!(
                        "{path}{}lang={lang}",
                        if path.contains('?') { '&' } else { '?' }
                    ),
                )
                .await;
                assert!(text.contains(word), "[{}] {path} {lang}", admin.engine);
                // Neither the half-year (27.90 亿) nor a month of it (4.65 亿, the park's trend chart).
                assert!(
                    !text.contains("27.90") && !text.contains("4.65"),
                    "[{}] {path} {lang}",
                    admin.engine
                );
            }
            let trend = page(&admin, &park2).await;
            assert!(
                trend.contains("4.65"),
                "[{}] the leader's trend of park 2",
                admin.engine
            );
            let csv = page(&w.park1_chief, &format!("/chains/export.csv?lang={lang}")).await;
            assert!(
                csv.contains(word),
                "[{}] chains export {lang}: {csv}",
                admin.engine
            );
        }
        let response = w
            .park1_chief
            .client
            .get(format!("{}/parks/export.xlsx", admin.base))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
        let leader_csv = page(&admin, "/parks/export.csv").await;
        assert!(
            leader_csv.contains("27.90") && !leader_csv.contains("保密"),
            "[{}] {leader_csv}",
            admin.engine
        );

        // The scheduling report of chain Y for its owner: the chain's output is withheld, naming the rule.
        let y = w.f.other_chain;
        let (status, report) = w
            .owner_y
            .get(&format!(
                "/api/v1/reports/scheduling?chain_id={y}&month=2021-09"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {report}", admin.engine);
        let output = report["figures"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["indicator"] == "gross_output"))
            .cloned()
            .expect("gross output in the report");
        assert_eq!(
            output["suppressed"], "dominance",
            "[{}] {output}",
            admin.engine
        );
        assert!(
            output["value_display"].is_null() && output["firms"].is_null(),
            "{output}"
        );
        for (lang, word) in [("zh", "保密"), ("en", "confidential")] {
            let html = page(
                &w.owner_y,
                &format!("/reports/scheduling?chain_id={y}&month=2021-09&lang={lang}"),
            )
            .await;
            assert!(html.contains(word), "[{}] report page {lang}", admin.engine);
        }
        let response = w
            .owner_y
            .client
            .get(format!(
                "{}/api/v1/reports/scheduling?chain_id={y}&month=2021-09&format=xlsx",
                admin.base
            ))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[test]
fn disclosure_thresholds_from_the_environment_are_checked_when_the_program_starts() {
    let dir = std::env::temp_dir().join(format!("chainpark_disclosure_env_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let database = format!("sqlite://{}", dir.join("z.db").display());
    let migrate = |variable: &str, value: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chainpark"))
            .args(["migrate", "--database", &database])
            .env(variable, value)
            .output()
            .expect("runs")
    };
    let refused = migrate("CHAINPARK_DISCLOSURE_DOMINANCE_PERCENT", "101");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("disclosure.dominance_percent"),
        "{message}"
    );
    let refused = migrate("CHAINPARK_DISCLOSURE_MIN_FIRMS", "0");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("disclosure.min_firms"));
    let accepted = migrate("CHAINPARK_DISCLOSURE_MIN_FIRMS", "5");
    assert!(
        accepted.status.success(),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
