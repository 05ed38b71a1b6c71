//! The demo zone: loaded into every engine it answers the registry questions a newcomer asks first; and the real
//! binary serves it from a fresh data folder.

use crate::common;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::{TestApp, fresh_stores};
use chainpark_store::Actor;
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
    let mut command = Command::new(env!("CARGO_BIN_EXE_chainpark"));
    command
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir);
    start_demo_command(command)
}

/// Starts a demo command and returns the process and the URL it printed.
fn start_demo_command(mut command: Command) -> (std::process::Child, String) {
    let mut child = command
        .env("RUST_LOG", "warn")
        .env("CHAINPARK_ADMIN_PASSWORD", "admin-password-for-tests")
        .env("CHAINPARK_NOW", common::TEST_NOW)
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
    // The demo's safety inspections: hazards not closed of every level but the general one (closed in every park).
    let hazards: Value = client
        .get(format!("{url}/api/v1/hazards?open=true"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    // The zone's class list of the demo's evaluation (2,624 firms) shows one page of 50 rows with the counts of
    // the whole list and a link to the next page, which keeps the chosen order.
    let class_list = client
        .get(format!("{url}/assessment?sort=name"))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("html");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(chains["total"], 11, "{chains}");
    let shown = class_list.matches("/firms/").count();
    assert_eq!(shown, 50, "one page of the class list");
    assert!(
        class_list.contains("1–50 / 2624") && class_list.contains("offset=50"),
        "the pager of the whole list"
    );
    let next = class_list
        .split("<a href=\"")
        .find(|a| a.contains("id=\"page-next\""))
        .map(|a| {
            a.split('"')
                .next()
                .unwrap_or_default()
                .replace("&#38;", "&")
        });
    assert_eq!(
        next.as_deref(),
        Some("/assessment?run=1&sort=name&offset=50"),
        "the next page keeps the order"
    );
    let levels: std::collections::BTreeSet<&str> = hazards
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|h| h["level"].as_str())
        .collect();
    assert_eq!(
        levels.into_iter().collect::<Vec<_>>(),
        vec!["grave", "major"],
        "{hazards}"
    );
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

/// The demo's meters, as its park chief finds them: the board shows this month's electricity and water next to the
/// same month a year ago (a year of readings) and the open no-data alarm with a link to its work order; the leak of
/// 40 days ago has its night-flow alarm ended and its work order closed.
#[tokio::test]
async fn demo_park_chiefs_board_shows_a_year_of_energy_an_open_outage_and_the_leaks_closed_work_order()
 {
    let data_dir =
        std::env::temp_dir().join(format!("chainpark_demo_meters_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let (mut child, url) = start_demo(&data_dir);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed_in = client
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"username": "park.chief", "password": "chainpark-demo"}))
        .send()
        .await
        .expect("answered");
    let get = |path: String| client.get(format!("{url}{path}")).send();
    let text = |response: reqwest::Result<reqwest::Response>| async move {
        response.expect("answered").text().await.expect("text")
    };
    let alarms: Value =
        serde_json::from_str(&text(get("/api/v1/meter-alarms".into()).await).await).expect("json");
    let items = alarms["items"].as_array().cloned().unwrap_or_default();
    let of_rule = |rule: &str| {
        items
            .iter()
            .find(|a| a["rule"] == rule)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (outage, leak) = (of_rule("no_data"), of_rule("night_flow"));
    let board = text(get(format!("/parks/{}", outage["park_id"])).await).await;
    let leak_order: Value = serde_json::from_str(
        &text(get(format!("/api/v1/work-orders/{}", leak["work_order_id"])).await).await,
    )
    .unwrap_or(Value::Null);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(signed_in.status(), 200, "the demo's park chief signs in");
    assert_eq!(items.len(), 2, "a leak and an outage: {alarms}");
    assert!(outage["ended_at"].is_null(), "the outage is open: {outage}");
    assert!(!leak["ended_at"].is_null(), "the leak has ended: {leak}");
    let alarm_table = board
        .split("id=\"board-alarms\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_default();
    assert!(
        alarm_table.contains(outage["meter_code"].as_str().unwrap_or("?"))
            && alarm_table.contains("数据中断")
            && alarm_table.contains(&format!(
                "href=\"/work-orders/{}\"",
                outage["work_order_id"]
            ))
            && !alarm_table.contains("夜间流量"),
        "the board shows the open outage only: {alarm_table}"
    );
    let energy = board
        .split("id=\"board-energy\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_default();
    assert!(
        energy.contains(" kWh") && energy.contains(" m³") && !energy.contains("— "),
        "this month and the same month a year ago have figures: {energy}"
    );
    assert_eq!(leak_order["status"], "closed", "{leak_order}");
    assert_eq!(
        leak_order["park_id"], outage["park_id"],
        "in the chief's park"
    );
}

/// A demo stopped while it stores its year in the background and started again on its folder resumes the year from
/// the days still missing: its park board says how far the fill has come while it runs, and when it is done a
/// meter holds a reading on every day of the year, with no gap where the first run stopped.
#[tokio::test]
async fn demo_restarted_on_its_folder_ends_with_no_gap_of_days_in_a_meters_readings() {
    let data_dir =
        std::env::temp_dir().join(format!("chainpark_demo_resume_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    // The first run is stopped as soon as it serves, with most of the middle of its year not yet stored.
    let (mut first, _) = start_demo(&data_dir);
    let _ = first.kill();
    let _ = first.wait();
    let (mut child, url) = start_demo(&data_dir);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed_in = client
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"username": "park.chief", "password": "chainpark-demo"}))
        .send()
        .await
        .expect("answered");
    let get = |path: String| client.get(format!("{url}{path}")).send();
    let meters: Value = get("/api/v1/meters?limit=1000".into())
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    let witness = meters["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["code"].as_str().is_some_and(|c| c.ends_with("-B-W")))
        .cloned()
        .unwrap_or(Value::Null);
    // The board reports the fill until it is done (polled, not timed: the count says when).
    let board_path = format!("/parks/{}", witness["park_id"]);
    let mut progress = Vec::new();
    // Up to 15 minutes: the fill shares two cores with the rest of CI's tests.
    for _ in 0..9_000 {
        let board = get(board_path.clone())
            .await
            .expect("answered")
            .text()
            .await
            .expect("text");
        match board
            .split("id=\"board-filling\">")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
        {
            Some(filling) => progress.push(filling.to_string()),
            None => break,
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let days: Value = get(format!(
        "/api/v1/meters/{}/rollup?grain=day&from=2025-06-01T00:00:00Z&to=2026-06-16T00:00:00Z",
        witness["id"]
    ))
    .await
    .expect("answered")
    .json()
    .await
    .expect("json");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(signed_in.status(), 200, "the demo's park chief signs in");
    assert!(
        progress
            .first()
            .is_some_and(|p| p.starts_with("读数生成中")),
        "the board said the fill was running: {progress:?}"
    );
    let held: Vec<chrono::NaiveDate> = days
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["period"].as_str()?.parse().ok())
        .collect();
    let gaps: Vec<_> = held
        .windows(2)
        .filter(|w| w[1] - w[0] != chrono::Duration::days(1))
        .collect();
    assert!(
        held.len() >= 365 && gaps.is_empty(),
        "{} days held, gaps after {gaps:?}",
        held.len()
    );
}

#[tokio::test]
async fn demo_command_loads_the_demo_into_an_empty_postgresql_database_and_serves_the_dashboard() {
    let test = "demo_command_loads_the_demo_into_an_empty_postgresql_database";
    let Some(database) = common::empty_postgres_database(test).await else {
        return;
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_chainpark"));
    command.args(["demo", "--listen", "127.0.0.1:0", "--database", &database]);
    let (mut child, url) = start_demo_command(command);
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
    let status = signed_in.status();
    let dashboard = client
        .get(format!("{url}/dashboard"))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("text");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "the demo's leader account signs in");
    let text = visible_text(&dashboard);
    assert!(
        text.contains("336.28 亿元"),
        "the dashboard shows the published figure of H1 2021: {text}"
    );
    let store = chainpark_store::connect(&database).await.expect("opens");
    assert_eq!(store.engine(), "postgres");
    let problems = store.check().await.expect("check runs");
    assert!(problems.is_empty(), "{problems:?}");
}

/// The text of an HTML page as a reader sees it: tags removed, runs of white space made one space.
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_command_explains_itself() {
    for command in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["check", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
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

#[tokio::test]
async fn account_added_on_the_command_line_can_sign_in() {
    let dir = std::env::temp_dir().join(format!("chainpark_user_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let database = format!("sqlite://{}", dir.join("z.db").display());
    let added = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args([
            "user",
            "add",
            "zhang.wei",
            "--role",
            "analyst",
            "--database",
            &database,
        ])
        .env("CHAINPARK_USER_PASSWORD", "a-long-password")
        .output()
        .expect("runs");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args([
            "user",
            "add",
            "li.na",
            "--role",
            "park_chief",
            "--database",
            &database,
        ])
        .env("CHAINPARK_USER_PASSWORD", "a-long-password")
        .output()
        .expect("runs");
    assert!(
        !refused.status.success(),
        "a park chief account needs a person"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("person_id"));
    let mut server = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &database])
        .stdout(Stdio::piped())
        .spawn()
        .expect("serves");
    let stdout = server.stdout.take().expect("stdout");
    let url = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.find("http://")
                .map(|at| line[at..].trim_end_matches('/').to_string())
        })
        .expect("the address is printed");
    let signed_in = reqwest::Client::new()
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"username": "zhang.wei", "password": "a-long-password"}))
        .send()
        .await
        .expect("answered");
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(signed_in.status(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}
