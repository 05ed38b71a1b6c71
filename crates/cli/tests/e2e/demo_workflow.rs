//! The demo's daily work, through the real binary: the dashboard's figures for September 2021 and the end of
//! 2022, the signing events of 2021, and a new user's first appeal — filed as the enterprise, routed, handled
//! by the officer it reached, and rated.

use crate::common;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const ADMIN_PASSWORD: &str = "admin-password-for-tests";

struct Session {
    base: String,
    client: Client,
    csrf: String,
}

impl Session {
    async fn sign_in(base: &str, username: &str, password: &str) -> Session {
        let client = Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let response = client
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "sign in as {username}");
        let body: Value = response.json().await.expect("json");
        Session {
            base: base.to_string(),
            client,
            csrf: body["csrf_token"].as_str().unwrap_or("").to_string(),
        }
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("json")
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("answered");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// Stops the demo process when the test ends, however it ends.
struct Demo(std::process::Child, std::path::PathBuf);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn start_demo() -> (Demo, String) {
    let data_dir =
        std::env::temp_dir().join(format!("chainpark_demo_workflow_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .env("RUST_LOG", "warn")
        .env("CHAINPARK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("CHAINPARK_NOW", common::TEST_NOW)
        .env_remove("CHAINPARK_SMTP_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let demo = Demo(child, data_dir);
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(at) = line.find("http://") {
            return (demo, line[at..].trim_end_matches('/').to_string());
        }
    }
    panic!("the demo printed no address");
}

#[tokio::test]
async fn demo_shows_the_2021_signings_the_transformation_counts_and_a_first_appeal_in_a_closed_loop()
 {
    let (demo, base) = start_demo();
    let admin = Session::sign_in(&base, "admin", ADMIN_PASSWORD).await;

    let sept = admin
        .get("/api/v1/transformation/summary?as_of=2021-09-30")
        .await;
    assert_eq!(
        (
            sept["completed_projects"].as_i64(),
            sept["digital_workshops"].as_i64(),
            sept["intelligent_factories"].as_i64()
        ),
        (Some(233), Some(60), Some(21)),
        "{sept}"
    );
    let end = admin
        .get("/api/v1/transformation/summary?as_of=2022-12-31")
        .await;
    assert_eq!(
        (
            end["completed_projects"].as_i64(),
            end["digital_workshops"].as_i64(),
            end["intelligent_factories"].as_i64()
        ),
        (Some(337), Some(79), Some(22)),
        "{end}"
    );

    let events = admin.get("/api/v1/signing-events").await;
    let batch = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["held_on"] == "2021-08-18")
        .expect("the batch")
        .clone();
    assert_eq!(
        (
            batch["project_count"].as_i64(),
            batch["contracted_investment"].as_i64()
        ),
        (Some(25), Some(4_630_000)),
        "46.3 bn yuan in 万元"
    );
    let expo = admin.get("/api/v1/projects?q=IAT").await;
    assert_eq!(expo["total"], 1);
    let figures = admin.get("/api/v1/projects/figures?as_of=2021-09-30").await;
    assert_eq!(
        (
            figures[0]["signed"].as_i64(),
            figures[0]["started"].as_i64()
        ),
        (Some(29), Some(8)),
        "{figures}"
    );
    let later = admin.get("/api/v1/projects/figures?as_of=2022-12-31").await;
    assert!(
        later[0]["in_production"].as_i64().unwrap_or(0) > 0,
        "{later}"
    );

    // A new user as the enterprise files an appeal; it reaches the chain's task force, who handles it.
    let firm = Session::sign_in(&base, "enterprise", "chainpark-demo").await;
    let me = firm.get("/api/v1/session").await;
    let person = me["account"]["person_id"]
        .as_i64()
        .expect("the enterprise account has a person");
    let posts = admin
        .get(&format!("/api/v1/posts?person_id={person}"))
        .await;
    let enterprise = posts["items"][0]["enterprise_id"]
        .as_i64()
        .expect("an enterprise contact post");
    let (status, appeal) = firm
        .post("/api/v1/appeals", json!({"enterprise_id": enterprise, "category": "supply_chain", "title": "希望对接本地电子元器件供应商"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{appeal}");
    assert_eq!(
        appeal["received_on"], "2026-06-15",
        "filed at the server's clock, fixed by CHAINPARK_NOW"
    );
    let id = appeal["id"].as_i64().expect("id");
    let handler = appeal["handler"]["id"].as_i64().expect("routed to someone");
    let (status, account) = admin
        .post("/api/v1/accounts", json!({"username": "handler.one", "password": "handler-password-1", "role": "chain_task_force", "person_id": handler}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    let officer = Session::sign_in(&base, "handler.one", "handler-password-1").await;
    let inbox = officer.get("/api/v1/inbox/counts").await;
    assert!(
        inbox["unread"].as_i64().unwrap_or(0) >= 1,
        "the handler was told: {inbox}"
    );
    for step in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "reply", "note": "已安排与两家元器件企业对接"}),
    ] {
        let (status, answer) = officer
            .post(&format!("/api/v1/appeals/{id}/steps"), step)
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let (status, rated) = firm
        .post(
            &format!("/api/v1/appeals/{id}/steps"),
            json!({"action": "rate", "satisfied": true, "rating": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rated}");
    assert_eq!(rated["status"], "closed");

    // The park chief has the park's work orders, and the overdue ones were escalated to them.
    let chief = Session::sign_in(&base, "park.chief", "chainpark-demo").await;
    let orders = chief.get("/api/v1/work-orders").await;
    assert!(orders["total"].as_i64().unwrap_or(0) >= 2, "{orders}");
    let appeals = admin.get("/api/v1/appeals?overdue=true").await;
    assert!(
        appeals["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|a| a["escalated_to"].is_object()),
        "{appeals}"
    );

    // The stored daily work keeps its rules.
    let database = format!("sqlite://{}", demo.1.join("chainpark.db").display());
    let check = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(["check", "--database", &database])
        .env("RUST_LOG", "error")
        .output()
        .expect("check runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
