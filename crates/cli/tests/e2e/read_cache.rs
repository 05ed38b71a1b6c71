//! What the server remembers between requests, on every engine: a caller resolved once per credential is
//! forgotten the moment a token, an account or a post changes; a roll-up's answer is forgotten the moment an
//! import or a registry change commits; and a browser that already has a roll-up gets 304, never with another
//! reach's tag.

use crate::common::{TestApp, apps, credit_code, fixture};
use chainpark_core::access::Role;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const STATS: &str = "/api/v1/stats?indicator=added_value&period=2021-01&by=chain";

/// Creates a token with the caller's credentials and returns (id, secret).
async fn token(app: &TestApp) -> (i64, String) {
    let created = app
        .create("/api/v1/tokens", json!({"name": "dashboard"}))
        .await;
    (
        created["info"]["id"].as_i64().expect("id"),
        created["token"].as_str().expect("shown once").to_string(),
    )
}

/// The status of a GET made with a bearer token.
async fn get_with_token(app: &TestApp, token: &str, path: &str) -> StatusCode {
    Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("answered")
        .status()
}

/// Asks twice, so that the second answer comes from what the server remembered.
async fn remembered(app: &TestApp, token: &str, path: &str) {
    for _ in 0..2 {
        assert_eq!(
            get_with_token(app, token, path).await,
            StatusCode::OK,
            "[{}] {path}",
            app.engine
        );
    }
}

async fn account_id(app: &TestApp) -> i64 {
    let (_, me) = app.get("/api/v1/session").await;
    me["account"]["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_though_its_caller_was_remembered() {
    for app in apps().await {
        let analyst = app.as_account("analyst.revoked", Role::Analyst, None).await;
        let (id, secret) = token(&analyst).await;
        remembered(&analyst, &secret, "/api/v1/chains").await;
        let (status, body) = analyst
            .post(&format!("/api/v1/tokens/{id}/revoke"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        assert_eq!(
            get_with_token(&analyst, &secret, "/api/v1/chains").await,
            StatusCode::UNAUTHORIZED,
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_disabled_account_is_refused_at_once_on_its_token_and_its_session() {
    for app in apps().await {
        let analyst = app.as_account("analyst.off", Role::Analyst, None).await;
        let id = account_id(&analyst).await;
        let (_, secret) = token(&analyst).await;
        remembered(&analyst, &secret, "/api/v1/chains").await;
        let (status, _) = analyst.get("/api/v1/chains").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let (status, body) = app
            .patch(&format!("/api/v1/accounts/{id}"), json!({"disabled": true}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        assert_eq!(
            get_with_token(&analyst, &secret, "/api/v1/chains").await,
            StatusCode::UNAUTHORIZED,
            "[{}] the token",
            app.engine
        );
        let (status, _) = analyst.get("/api/v1/chains").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "[{}] the session",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_new_password_set_by_the_admin_ends_remembered_tokens_and_sessions_at_once() {
    for app in apps().await {
        let analyst = app.as_account("analyst.reset", Role::Analyst, None).await;
        let id = account_id(&analyst).await;
        let (_, secret) = token(&analyst).await;
        remembered(&analyst, &secret, "/api/v1/chains").await;
        let (status, body) = app
            .patch(
                &format!("/api/v1/accounts/{id}"),
                json!({"password": "a-brand-new-password"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        assert_eq!(
            get_with_token(&analyst, &secret, "/api/v1/chains").await,
            StatusCode::UNAUTHORIZED,
            "[{}] the token",
            app.engine
        );
        let (status, _) = analyst.get("/api/v1/chains").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "[{}] the session",
            app.engine
        );
    }
}

#[tokio::test]
async fn an_ended_post_takes_its_rights_away_at_once() {
    for app in apps().await {
        let f = fixture(&app).await;
        let post = app
            .create("/api/v1/posts", json!({"person_id": f.person, "role": "chain_chief", "chief_level": "chain", "chain_id": f.chain, "starts_on": "2021-08-01"}))
            .await;
        let chief = app
            .as_account("auto.chief.ended", Role::ChainChief, Some(f.person))
            .await;
        for _ in 0..2 {
            let (status, _) = chief.get("/api/v1/chains").await;
            assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        }
        // The day before the application's day (2026-06-15): the post is over.
        let (status, body) = app
            .patch(
                &format!("/api/v1/posts/{}", post["id"]),
                json!({"ends_on": "2026-06-14"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        let (status, body) = chief
            .post("/api/v1/segments", json!({"chain_id": f.chain, "parent_id": f.root_segment, "code": "auto-motor", "name": "电机电控", "stage": "upstream"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}] {body}", app.engine);
    }
}

/// One enterprise of the fixture's automobile chain with a value of added value in 2021-01.
async fn chain_with_a_value(app: &TestApp, value: &str) -> (crate::common::Fixture, String) {
    let f = fixture(app).await;
    let code = credit_code("91500000MA5U00001");
    app.create(
        "/api/v1/enterprises",
        json!({"credit_code": code, "name": "测试企业有限公司", "industry_code": "3612",
               "district": "500112", "park_id": f.park, "segment_ids": [f.root_segment]}),
    )
    .await;
    import(app, &code, value).await;
    (f, code)
}

async fn import(app: &TestApp, code: &str, value: &str) {
    let csv = format!("统一社会信用代码,期间,指标,数值\n{code},2021-01,增加值,{value}\n");
    let (status, body) = app
        .send_file(
            Method::POST,
            "/api/v1/imports?filename=a.csv",
            "text/csv",
            csv,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
}

/// The roll-up by chain, asked twice so that the second answer is the remembered one.
async fn chain_rollup(app: &TestApp) -> Value {
    let (_, first) = app.get(STATS).await;
    let (status, second) = app.get(STATS).await;
    assert_eq!(status, StatusCode::OK, "[{}] {second}", app.engine);
    assert_eq!(first, second, "[{}]", app.engine);
    second["groups"][0].clone()
}

#[tokio::test]
async fn a_committed_import_changes_the_remembered_rollup() {
    for app in apps().await {
        let (_, code) = chain_with_a_value(&app, "100").await;
        let before = chain_rollup(&app).await;
        import(&app, &code, "150").await;
        let after = chain_rollup(&app).await;
        assert_ne!(
            before["value"], after["value"],
            "[{}] {before} {after}",
            app.engine
        );
        assert_eq!(
            after["value"]["hundredths"], 15_000,
            "[{}] {after}",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_registry_change_changes_the_remembered_rollup() {
    for app in apps().await {
        let (f, _) = chain_with_a_value(&app, "100").await;
        assert_eq!(
            chain_rollup(&app).await["name"],
            "汽车产业链",
            "[{}]",
            app.engine
        );
        let (status, body) = app
            .patch(
                &format!("/api/v1/chains/{}", f.chain),
                json!({"name": "新能源汽车产业链"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
        assert_eq!(
            chain_rollup(&app).await["name"],
            "新能源汽车产业链",
            "[{}]",
            app.engine
        );
    }
}

/// A GET of the roll-up with `If-None-Match`: the status and the entity tag.
async fn conditional(app: &TestApp, etag: Option<&str>) -> (StatusCode, String) {
    let mut request = app.client.get(format!("{}{STATS}", app.base));
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let response = request.send().await.expect("answered");
    let tag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (response.status(), tag)
}

#[tokio::test]
async fn a_browser_that_has_the_rollup_gets_304_and_another_reach_never_shares_its_tag() {
    for app in apps().await {
        let (f, _) = chain_with_a_value(&app, "100").await;
        let (status, admin_tag) = conditional(&app, None).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert!(!admin_tag.is_empty(), "[{}] an entity tag", app.engine);
        assert_eq!(
            conditional(&app, Some(&admin_tag)).await,
            (StatusCode::NOT_MODIFIED, admin_tag.clone()),
            "[{}]",
            app.engine
        );
        app.create("/api/v1/posts", json!({"person_id": f.person, "role": "chain_chief", "chief_level": "chain", "chain_id": f.chain, "starts_on": "2021-08-01"}))
            .await;
        let chief = app
            .as_account("auto.chief.tags", Role::ChainChief, Some(f.person))
            .await;
        let (status, chief_tag) = conditional(&chief, Some(&admin_tag)).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        assert_ne!(chief_tag, admin_tag, "[{}]", app.engine);
        import(&app, &credit_code("91500000MA5U00001"), "150").await;
        let (status, new_tag) = conditional(&app, Some(&admin_tag)).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] a changed answer is sent again",
            app.engine
        );
        assert_ne!(new_tag, admin_tag, "[{}]", app.engine);
    }
}
