//! The demo zone: loaded into every engine it answers the registry questions a newcomer asks first; and the real
//! binary serves it from a fresh data folder.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chainpark_store::Actor;
use common::{TestApp, fresh_stores};
use serde_json::Value;

#[tokio::test]
async fn demo_zone_has_eleven_chains_6000_enterprises_and_parks_with_chiefs() {
    let zone = chainpark_core::demo::demo_zone();
    for store in fresh_stores().await {
        store
            .load_registry(&Actor::system("demo"), &zone)
            .await
            .expect("the demo zone loads");
        let app = TestApp::start(store).await;
        let (_, chains) = app.get("/api/v1/chains").await;
        assert_eq!(chains["total"], 11, "[{}]", app.engine);
        let (_, enterprises) = app.get("/api/v1/enterprises?limit=1").await;
        assert!(
            enterprises["total"].as_i64().unwrap_or(0) >= 6000,
            "[{}] {}",
            app.engine,
            enterprises["total"]
        );
        let (_, parks) = app.get("/api/v1/parks?limit=100").await;
        let parks = parks["items"].as_array().expect("items").clone();
        assert!(parks.len() >= 15, "[{}] {} parks", app.engine, parks.len());
        for park in &parks {
            assert!(
                park["chief"]["name"].is_string(),
                "[{}] {} has no chief",
                app.engine,
                park["name"]
            );
        }
        let problems = app.store.check().await.expect("check runs");
        assert!(problems.is_empty(), "[{}] {problems:?}", app.engine);
        assert!(
            !app.store.is_empty().await.expect("count"),
            "[{}]",
            app.engine
        );
    }
}

/// Starts the real binary's demo command in a fresh folder and returns the process and the URL it printed.
fn start_demo(data_dir: &std::path::Path) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .env("CHAINPARK_ADMIN_PASSWORD", "admin-password-for-tests")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(at) = line.find("http://") {
            url = Some(line[at..].trim_end_matches('/').to_string());
            break;
        }
    }
    (child, url.expect("the demo prints its address"))
}

#[tokio::test]
async fn demo_command_serves_the_demo_zone_from_a_fresh_folder() {
    let data_dir = std::env::temp_dir().join(format!("chainpark_demo_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let (mut child, url) = start_demo(&data_dir);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed_in = client
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"username": "leader", "password": "chainpark-demo"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(
        signed_in.status(),
        200,
        "the demo's leader account signs in"
    );
    let chains: Value = client
        .get(format!("{url}/api/v1/chains"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(chains["total"], 11, "{chains}");
    assert!(
        data_dir.join("chainpark.db").exists(),
        "the store is a file in the data folder"
    );
    // A second start finds the store filled and does not load the zone twice.
    let (mut again, url) = start_demo(&data_dir);
    let chains: Value = client
        .get(format!("{url}/api/v1/chains"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    let _ = again.kill();
    let _ = again.wait();
    assert_eq!(chains["total"], 11, "{chains}");
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[test]
fn every_command_explains_itself() {
    for command in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["check", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_chainpark"))
            .args(&command)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{command:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage"), "{command:?}: {text}");
    }
}
