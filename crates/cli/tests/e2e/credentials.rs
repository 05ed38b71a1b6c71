//! Credentials on every engine: what a new password and disabling an account end, what a token may do, how failed
//! sign-ins slow down one (account, address) pair and nothing else, which address counts behind a proxy, and that
//! no cache keeps an answer.

use crate::common;
use std::sync::Arc;

use crate::common::{PASSWORD, TestApp, apps, fresh_stores};
use chainpark_core::access::Role;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Creates a token with the caller's credentials and returns (id, secret).
async fn token(app: &TestApp, body: Value) -> (i64, String) {
    let created = app.create("/api/v1/tokens", body).await;
    (
        created["info"]["id"].as_i64().expect("id"),
        created["token"].as_str().expect("shown once").to_string(),
    )
}

/// The status of a request made with a bearer token.
async fn with_token(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let request = match body {
        Some(body) => Client::new()
            .post(format!("{}{path}", app.base))
            .json(&body),
        None => Client::new().get(format!("{}{path}", app.base)),
    };
    let response = request.bearer_auth(token).send().await.expect("answered");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn account_id(app: &TestApp) -> i64 {
    let (_, me) = app.get("/api/v1/session").await;
    me["account"]["id"].as_i64().expect("id")
}

#[tokio::test]
async fn own_password_change_revokes_every_token_of_the_account_and_says_how_many() {
    for app in apps().await {
        let analyst = app.as_account("analyst.tokens", Role::Analyst, None).await;
        let mut secrets = Vec::new();
        for i in 0..3 {
            secrets.push(
                token(&analyst, json!({"name": format!("sync {i}")}))
                    .await
                    .1,
            );
        }
        let (status, _) = with_token(&analyst, &secrets[0], "/api/v1/chains", None).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
        let (status, ended) = analyst
            .post(
                "/api/v1/session/password",
                json!({"current_password": PASSWORD, "new_password": "another-long-password"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {ended}", app.engine);
        assert_eq!(ended["tokens_revoked"], 3, "[{}] {ended}", app.engine);
        for secret in &secrets {
            let (status, _) = with_token(&analyst, secret, "/api/v1/chains", None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}]", app.engine);
        }
        let (_, listed) = analyst.get("/api/v1/tokens").await;
        assert!(
            listed
                .as_array()
                .expect("tokens")
                .iter()
                .all(|t| !t["revoked_at"].is_null()),
            "[{}] {listed}",
            app.engine
        );
    }
}

#[tokio::test]
async fn admin_password_reset_revokes_the_accounts_tokens_and_ends_its_sessions() {
    for app in apps().await {
        let analyst = app.as_account("analyst.reset", Role::Analyst, None).await;
        let id = account_id(&analyst).await;
        let (_, secret) = token(&analyst, json!({"name": "nightly"})).await;
        let (status, changed) = app
            .patch(
                &format!("/api/v1/accounts/{id}"),
                json!({"password": "reset-by-the-admin"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {changed}", app.engine);
        assert_eq!(
            changed["username"], "analyst.reset",
            "[{}] the account",
            app.engine
        );
        assert_eq!(changed["tokens_revoked"], 1, "[{}] {changed}", app.engine);
        assert_eq!(changed["sessions_ended"], 1, "[{}] {changed}", app.engine);
        let (status, _) = with_token(&app, &secret, "/api/v1/chains", None).await;
        assert_eq!(
            status,
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
        let (_, admin_still) = app.get("/api/v1/chains").await;
        assert!(
            admin_still["items"].is_array(),
            "[{}] the admin's own session stays",
            app.engine
        );
    }
}

#[tokio::test]
async fn disabling_an_account_revokes_its_tokens_for_good() {
    for app in apps().await {
        let analyst = app
            .as_account("analyst.disabled", Role::Analyst, None)
            .await;
        let id = account_id(&analyst).await;
        let (_, secret) = token(&analyst, json!({"name": "report robot"})).await;
        let (status, changed) = app
            .patch(&format!("/api/v1/accounts/{id}"), json!({"disabled": true}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {changed}", app.engine);
        assert_eq!(changed["tokens_revoked"], 1, "[{}] {changed}", app.engine);
        let (status, changed) = app
            .patch(
                &format!("/api/v1/accounts/{id}"),
                json!({"disabled": false}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {changed}", app.engine);
        let (status, _) = with_token(&app, &secret, "/api/v1/chains", None).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "[{}] enabling the account again does not bring the token back",
            app.engine
        );
        let mut again = app.anonymous();
        again.sign_in("analyst.disabled", PASSWORD).await;
        let (status, _) = again.get("/api/v1/chains").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] the account itself works again",
            app.engine
        );
    }
}

#[tokio::test]
async fn a_token_cannot_create_tokens_unless_created_with_that_right() {
    for app in apps().await {
        let (_, plain) = token(&app, json!({"name": "plain"})).await;
        let (status, problem) = with_token(
            &app,
            &plain,
            "/api/v1/tokens",
            Some(json!({"name": "minted"})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}] {problem}", app.engine);
        let (_, minting) = token(
            &app,
            json!({"name": "provisioning", "may_create_tokens": true}),
        )
        .await;
        let (status, created) = with_token(
            &app,
            &minting,
            "/api/v1/tokens",
            Some(json!({"name": "minted"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {created}", app.engine);
        assert_eq!(
            created["info"]["may_create_tokens"], false,
            "[{}] {created}",
            app.engine
        );
        let (_, listed) = app.get("/api/v1/tokens").await;
        let names: Vec<(String, bool)> = listed
            .as_array()
            .expect("tokens")
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap_or("").to_string(),
                    t["may_create_tokens"] == true,
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("plain".to_string(), false),
                ("provisioning".to_string(), true),
                ("minted".to_string(), false)
            ],
            "[{}] only the three tokens made above",
            app.engine
        );
    }
}

/// The application behind a reverse proxy at 127.0.0.1 (the tests' own address), which names the client in
/// `X-Forwarded-For`.
async fn behind_proxy() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for store in fresh_stores().await {
        apps.push(
            TestApp::start_with(store, |state| {
                state.trusted_proxies = Arc::new(
                    chainpark_web::auth::TrustedProxies::parse(&["127.0.0.1"]).expect("valid"),
                );
            })
            .await,
        );
    }
    apps
}

/// Signs in through the proxy as a client at `client`.
async fn sign_in_from(
    app: &TestApp,
    client: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    Client::new()
        .post(format!("{}/api/v1/session", app.base))
        .header("x-forwarded-for", client)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn failed_sign_ins_slow_down_only_that_account_from_that_address() {
    for app in behind_proxy().await {
        common::create_account(&app.store, "zhang.wei", Role::Analyst, None).await;
        let attacker = "198.51.100.66";
        for _ in 0..3 {
            let response = sign_in_from(&app, attacker, "admin", "guess-guess-guess").await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "[{}]",
                app.engine
            );
        }
        let waiting = sign_in_from(&app, attacker, "admin", PASSWORD).await;
        assert_eq!(
            waiting.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{}]",
            app.engine
        );
        let retry_after: u64 = waiting.headers()["retry-after"]
            .to_str()
            .ok()
            .and_then(|v| v.parse().ok())
            .expect("Retry-After in seconds");
        assert!(
            (1..=5).contains(&retry_after),
            "[{}] {retry_after}",
            app.engine
        );
        let problem: Value = waiting.json().await.expect("problem");
        assert_eq!(problem["status"], 429, "[{}]", app.engine);
        let admin_elsewhere = sign_in_from(&app, "203.0.113.7", "admin", PASSWORD).await;
        assert_eq!(
            admin_elsewhere.status(),
            StatusCode::OK,
            "[{}] the right password from another address is never blocked by someone else's failures",
            app.engine
        );
        let colleague = sign_in_from(&app, attacker, "zhang.wei", PASSWORD).await;
        assert_eq!(
            colleague.status(),
            StatusCode::OK,
            "[{}] nor another account behind the attacker's address",
            app.engine
        );
    }
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
    for app in apps().await {
        // No proxy is configured: whatever the header says, every attempt comes from the tests' own address.
        for i in 0..3 {
            let response = sign_in_from(
                &app,
                &format!("198.51.100.{i}"),
                "admin",
                "guess-guess-guess",
            )
            .await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "[{}]",
                app.engine
            );
        }
        let response = sign_in_from(&app, "198.51.100.99", "admin", PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{}] a forged X-Forwarded-For does not make a new pair",
            app.engine
        );
    }
}

#[tokio::test]
async fn the_sign_in_page_slows_down_like_the_api_and_says_how_long() {
    for app in apps().await {
        let visitor = app.anonymous();
        for _ in 0..3 {
            visitor
                .post(
                    "/api/v1/session",
                    json!({"username": "admin", "password": "guess-guess-guess"}),
                )
                .await;
        }
        let form = visitor
            .client
            .get(format!("{}/sign-in", app.base))
            .send()
            .await
            .expect("answered")
            .text()
            .await
            .expect("page");
        let token = form
            .split("name=\"token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_string();
        let response = visitor
            .client
            .post(format!("{}/sign-in", app.base))
            .form(&[
                ("username", "admin"),
                ("password", PASSWORD),
                ("token", token.as_str()),
            ])
            .send()
            .await
            .expect("answered");
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{}]",
            app.engine
        );
        assert!(
            response.headers().contains_key("retry-after"),
            "[{}]",
            app.engine
        );
        let html = response.text().await.expect("page");
        assert!(html.contains("role=\"alert\""), "[{}] {html}", app.engine);
    }
}

/// The Cache-Control header of a GET.
async fn cache_control(app: &TestApp, path: &str) -> String {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    assert!(
        response.status().is_success(),
        "[{}] {path}: {}",
        app.engine,
        response.status()
    );
    response
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn no_cache_keeps_tokens_personal_data_pages_or_exports() {
    for app in apps().await {
        common::fixture(&app).await;
        let sign_in = Client::new()
            .post(format!("{}/api/v1/session", app.base))
            .json(&json!({"username": "admin", "password": PASSWORD}))
            .send()
            .await
            .expect("answered");
        assert_eq!(
            sign_in.headers()["cache-control"],
            "no-store",
            "[{}] sign-in",
            app.engine
        );
        let created = app
            .client
            .post(format!("{}/api/v1/tokens", app.base))
            .header("x-csrf-token", &app.csrf)
            .json(&json!({"name": "cache test"}))
            .send()
            .await
            .expect("answered");
        assert_eq!(
            created.headers()["cache-control"],
            "no-store",
            "[{}] a new token",
            app.engine
        );
        for path in [
            "/api/v1/session",
            "/api/v1/people",
            "/api/v1/accounts",
            "/api/v1/appeals/export",
            "/dashboard",
            "/chains",
            "/accounts",
            "/chains/export.csv",
            "/parks/export.xlsx",
            "/sign-in",
        ] {
            assert_eq!(
                cache_control(&app, path).await,
                "no-store",
                "[{}] {path}",
                app.engine
            );
        }
        assert!(
            cache_control(&app, "/static/app.css")
                .await
                .contains("max-age"),
            "[{}] the stylesheet stays cacheable",
            app.engine
        );
    }
}
