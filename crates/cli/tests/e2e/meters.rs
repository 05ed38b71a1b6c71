//! Park operations on every engine: meters, readings through the API and through a real Mosquitto broker, the
//! roll-ups kept on write, virtual meters, alarms that open work orders, and energy use as an enterprise figure.
//!
//! The MQTT tests need the broker at CHAINPARK_TEST_MQTT (default mqtt://127.0.0.1:1883); without it they are
//! skipped with a message, and fail when CHAINPARK_REQUIRE_MQTT=1 (CI sets it). A broker is another process, so
//! they wait for what it delivers by polling the store (every 50 ms, up to a deadline), never by sleeping a fixed
//! time to order events.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chainpark_app::meters::watch_silence;
use chainpark_app::mqtt::{IngestCounters, MqttSettings, run};
use chainpark_core::access::Role;
use chainpark_core::parkops::meters::{Grain, bucket};
use chainpark_store::Actor;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, TestApp, bad_fields, tell};
use crate::workflow_common::zone;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn meter(app: &TestApp, body: Value) -> i64 {
    app.create("/api/v1/meters", body).await["id"]
        .as_i64()
        .expect("id")
}

async fn send(app: &TestApp, meter: i64, readings: Value) -> Value {
    let (status, report) = app
        .post(
            &format!("/api/v1/meters/{meter}/readings"),
            json!({ "readings": readings }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "[{}] {report}", app.engine);
    report
}

/// The roll-up of a meter as (period, amount) pairs.
async fn rollup(
    app: &TestApp,
    meter: i64,
    grain: &str,
    from: &str,
    to: &str,
) -> Vec<(String, String)> {
    let path = format!(
        "/api/v1/meters/{meter}/rollup?grain={grain}&from={}&to={}",
        from.replace('+', "%2B"),
        to.replace('+', "%2B")
    );
    let (status, points) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK, "[{}] {points}", app.engine);
    points
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap_or("").to_string(),
                p["amount"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn readings_roll_up_per_hour_day_and_month_exactly_and_a_duplicate_changes_nothing() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let id = meter(&app, json!({"code": "E-1", "name": "1号楼总表", "park_id": z.f.park, "medium": "electricity", "multiplier": 80})).await;
        let report = send(
            &app,
            id,
            json!([
                {"t": "2026-06-15T10:05:00+08:00", "v": 1.5},
                {"t": "2026-06-15T10:50:00+08:00", "v": 0.5},
                {"t": "2026-06-15T11:10:00+08:00", "v": 2},
                {"t": "2026-06-14T23:30:00+08:00", "v": 1},
                {"t": "2026-05-31T23:59:59+08:00", "v": 0.125},
            ]),
        )
        .await;
        assert_eq!(
            (report["stored"].as_i64(), report["duplicates"].as_i64()),
            (Some(5), Some(0)),
            "{report}"
        );
        let hours = pairs(&[("2026-06-15 10:00", "160"), ("2026-06-15 11:00", "160")]);
        let days = pairs(&[
            ("2026-05-31", "10"),
            ("2026-06-14", "80"),
            ("2026-06-15", "320"),
        ]);
        let months = pairs(&[("2026-05", "10"), ("2026-06", "400")]);
        let check = |label: &'static str| {
            let app = &app;
            let (hours, days, months) = (hours.clone(), days.clone(), months.clone());
            async move {
                assert_eq!(
                    rollup(
                        app,
                        id,
                        "hour",
                        "2026-06-15T10:00:00+08:00",
                        "2026-06-15T11:59:59+08:00"
                    )
                    .await,
                    hours,
                    "[{}] {label}",
                    app.engine
                );
                assert_eq!(
                    rollup(
                        app,
                        id,
                        "day",
                        "2026-05-01T00:00:00+08:00",
                        "2026-06-30T00:00:00+08:00"
                    )
                    .await,
                    days,
                    "[{}] {label}",
                    app.engine
                );
                assert_eq!(
                    rollup(
                        app,
                        id,
                        "month",
                        "2026-05-01T00:00:00+08:00",
                        "2026-06-30T00:00:00+08:00"
                    )
                    .await,
                    months,
                    "[{}] {label}",
                    app.engine
                );
            }
        };
        check("first").await;
        // The same instant again, even with another amount, is the reading already held.
        let again = send(
            &app,
            id,
            json!([{"t": "2026-06-15T10:05:00+08:00", "v": 9}]),
        )
        .await;
        assert_eq!(
            (again["stored"].as_i64(), again["duplicates"].as_i64()),
            (Some(0), Some(1)),
            "{again}"
        );
        check("after the duplicate").await;
        // A bad reading is named and nothing of its batch is kept.
        let (status, problem) = app
            .post(&format!("/api/v1/meters/{id}/readings"), json!({"readings": [
                {"t": "2026-06-15T12:00:00+08:00", "v": 1}, {"t": "2026-06-15T13:00:00+08:00", "v": -1}]}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(bad_fields(&problem), ["readings[1].v"]);
        assert_eq!(
            rollup(
                &app,
                id,
                "month",
                "2026-06-01T00:00:00+08:00",
                "2026-06-30T00:00:00+08:00"
            )
            .await,
            pairs(&[("2026-06", "400")])
        );
    }
}

#[tokio::test]
async fn a_virtual_meter_equals_the_sum_of_its_parts() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let u1 = meter(&app, json!({"code": "U-1", "name": "101单元", "park_id": z.f.park, "medium": "electricity", "multiplier": 2})).await;
        let u2 = meter(
            &app,
            json!({"code": "U-2", "name": "102单元", "park_id": z.f.park, "medium": "electricity"}),
        )
        .await;
        meter(
            &app,
            json!({"code": "GAS-1", "name": "食堂燃气", "park_id": z.f.park, "medium": "gas"}),
        )
        .await;
        let (status, problem) = app
            .post("/api/v1/meters", json!({"code": "B-1", "name": "1号楼", "park_id": z.f.park, "medium": "electricity", "formula": "U-1 + GAS-1"}))
            .await;
        assert_eq!(
            (status, bad_fields(&problem)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec!["formula".to_string()]
            ),
            "{problem}"
        );
        let building = meter(&app, json!({"code": "B-1", "name": "1号楼", "park_id": z.f.park, "medium": "electricity", "formula": "U-1 + U-2"})).await;
        send(&app, u1, json!([{"t": "2026-06-14T09:00:00+08:00", "v": 10}, {"t": "2026-06-15T09:00:00+08:00", "v": 1.25}])).await;
        send(
            &app,
            u2,
            json!([{"t": "2026-06-15T09:30:00+08:00", "v": 3}]),
        )
        .await;
        let days = |m| {
            rollup(
                &app,
                m,
                "day",
                "2026-06-14T00:00:00+08:00",
                "2026-06-15T23:00:00+08:00",
            )
        };
        assert_eq!(
            days(building).await,
            pairs(&[("2026-06-14", "20"), ("2026-06-15", "5.5")]),
            "[{}]",
            app.engine
        );
        let (u1_days, u2_days) = (days(u1).await, days(u2).await);
        assert_eq!((u1_days[1].1.as_str(), u2_days[0].1.as_str()), ("2.5", "3"));
        // A virtual meter takes no readings of its own.
        let (status, _) = app
            .post(
                &format!("/api/v1/meters/{building}/readings"),
                json!({"readings": [{"t": "2026-06-15T09:00:00+08:00", "v": 1}]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn night_time_flow_raises_one_alarm_and_one_work_order_in_the_park() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let staff = app
            .as_account("park.staff", Role::ParkStaff, Some(z.park_staff))
            .await;
        let id = meter(&staff, json!({"code": "W-1", "name": "2号楼进水", "park_id": z.f.park, "location": "2号楼水表井",
            "medium": "water", "night_flow_min": 0.1})).await;
        let night = json!([
            {"t": "2026-06-14T01:30:00+08:00", "v": 0.5}, {"t": "2026-06-14T02:30:00+08:00", "v": 0.4},
            {"t": "2026-06-14T03:30:00+08:00", "v": 0.6}, {"t": "2026-06-14T04:30:00+08:00", "v": 0.3},
        ]);
        let report = send(&staff, id, night).await;
        assert_eq!(
            report["alarms_raised"].as_array().map(Vec::len),
            Some(1),
            "[{}] {report}",
            app.engine
        );
        // More flow in the same night is the same incident.
        let more = send(
            &staff,
            id,
            json!([{"t": "2026-06-14T04:45:00+08:00", "v": 0.2}]),
        )
        .await;
        assert_eq!(more["alarms_raised"], json!([]), "{more}");
        let (_, alarms) = staff
            .get(&format!("/api/v1/meter-alarms?meter_id={id}"))
            .await;
        assert_eq!(alarms["total"], 1, "{alarms}");
        let alarm = &alarms["items"][0];
        assert_eq!(
            (alarm["rule"].as_str(), alarm["ended_at"].is_null()),
            (Some("night_flow"), true)
        );
        let order_id = alarm["work_order_id"].as_i64().expect("a work order");
        let (_, orders) = staff
            .get(&format!("/api/v1/work-orders?park_id={}", z.f.park))
            .await;
        assert_eq!(orders["total"], 1, "{orders}");
        let (_, order) = staff.get(&format!("/api/v1/work-orders/{order_id}")).await;
        assert_eq!(
            (
                order["kind"].as_str(),
                order["urgency"].as_str(),
                order["facility"].as_str()
            ),
            (Some("utilities"), Some("urgent"), Some("2号楼水表井")),
            "{order}"
        );
        // A quiet hour the next night ends the incident.
        let quiet = send(
            &staff,
            id,
            json!([{"t": "2026-06-15T02:30:00+08:00", "v": 0.01}]),
        )
        .await;
        assert_eq!(
            quiet["alarms_ended"].as_array().map(Vec::len),
            Some(1),
            "{quiet}"
        );
        let (_, open) = staff.get("/api/v1/meter-alarms?open=true").await;
        assert_eq!(open["total"], 0, "{open}");
    }
}

#[tokio::test]
async fn a_silent_meter_raises_one_no_data_alarm_and_its_next_reading_ends_it() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let id = meter(&app, json!({"code": "E-9", "name": "配电房", "park_id": z.f.park, "medium": "electricity", "no_data_hours": 6})).await;
        send(
            &app,
            id,
            json!([{"t": "2026-06-15T08:00:00+08:00", "v": 1}]),
        )
        .await;
        assert_eq!(
            watch_silence(&app.store, at("2026-06-15T13:59:59+08:00"))
                .await
                .expect("judged")
                .len(),
            0
        );
        assert_eq!(
            watch_silence(&app.store, at("2026-06-15T14:00:00+08:00"))
                .await
                .expect("judged")
                .len(),
            1
        );
        assert_eq!(
            watch_silence(&app.store, at("2026-06-15T18:00:00+08:00"))
                .await
                .expect("judged")
                .len(),
            0,
            "one incident, one alarm"
        );
        send(
            &app,
            id,
            json!([{"t": "2026-06-15T17:00:00+08:00", "v": 1}]),
        )
        .await;
        let (_, alarms) = app
            .get(&format!("/api/v1/meter-alarms?meter_id={id}"))
            .await;
        assert_eq!(
            alarms["items"][0]["ended_at"].as_str(),
            Some("2026-06-15T09:00:00Z"),
            "[{}] {alarms}",
            app.engine
        );
    }
}

#[tokio::test]
async fn an_enterprises_monthly_energy_becomes_its_energy_use_figure() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let power = meter(&app, json!({"code": "F-E", "name": "长程电池电表", "park_id": z.f.park, "enterprise_id": z.firm, "medium": "electricity"})).await;
        let gas = meter(&app, json!({"code": "F-G", "name": "长程电池燃气", "park_id": z.f.park, "enterprise_id": z.firm, "medium": "gas"})).await;
        send(&app, power, json!([{"t": "2026-05-10T10:00:00+08:00", "v": 60000}, {"t": "2026-05-20T10:00:00+08:00", "v": 40000},
            {"t": "2026-06-01T10:00:00+08:00", "v": 99999}])).await;
        send(
            &app,
            gas,
            json!([{"t": "2026-05-15T10:00:00+08:00", "v": 1000}]),
        )
        .await;
        let (status, record) = app
            .post("/api/v1/energy-figures", json!({"month": "2026-05"}))
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {record}", app.engine);
        // 100 000 kWh × 0.1229 kgce/kWh + 1 000 m³ × 1.2143 kgce/m³ = 12 290 + 1 214.3 kgce = 13.50 tce.
        let (_, figures) = app
            .get(&format!(
                "/api/v1/enterprises/{}/figures?indicator=energy_use&period=2026-05",
                z.firm
            ))
            .await;
        assert_eq!(figures[0]["value"], 1_350, "[{}] {figures}", app.engine);
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (status, _) = chief
            .post("/api/v1/energy-figures", json!({"month": "2026-05"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

/// The broker the MQTT tests use, or `None` (with a message) when it is not reachable and not required.
fn broker() -> Option<MqttSettings> {
    let url =
        std::env::var("CHAINPARK_TEST_MQTT").unwrap_or_else(|_| "mqtt://127.0.0.1:1883".into());
    let settings = MqttSettings::parse(&url, "x").expect("an MQTT URL");
    let reachable = std::net::TcpStream::connect_timeout(
        &format!("{}:{}", settings.host, settings.port)
            .parse()
            .expect("an address"),
        Duration::from_secs(2),
    )
    .is_ok();
    let required = std::env::var("CHAINPARK_REQUIRE_MQTT").is_ok_and(|v| v == "1" || v == "true");
    match (reachable, required) {
        (true, _) => Some(settings),
        (false, true) => {
            panic!("CHAINPARK_REQUIRE_MQTT is set but no MQTT broker answers at {url}")
        }
        (false, false) => {
            tell(&format!(
                "skipping the MQTT test: no broker at {url} (set CHAINPARK_REQUIRE_MQTT=1 to fail instead)"
            ));
            None
        }
    }
}

/// Publishes each (topic, payload) with QoS 1 and returns once the broker acknowledged them all.
async fn publish(broker: &MqttSettings, messages: &[(String, String)]) {
    use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
    let id = format!("pub{}{}", std::process::id(), next());
    let mut options = MqttOptions::new(id, &broker.host, broker.port);
    options.set_clean_session(true);
    let (client, mut eventloop) = AsyncClient::new(options, messages.len() + 10);
    for (topic, payload) in messages {
        client
            .publish(topic, QoS::AtLeastOnce, false, payload.as_bytes().to_vec())
            .await
            .expect("queued");
    }
    let mut acked = 0;
    while acked < messages.len() {
        match tokio::time::timeout(Duration::from_secs(20), eventloop.poll()).await {
            Ok(Ok(Event::Incoming(Packet::PubAck(_)))) => acked += 1,
            Ok(Ok(_)) => {}
            other => panic!("publishing: {other:?}"),
        }
    }
    client.disconnect().await.ok();
}

/// Ends a persistent session at the broker: connects with its client id and a clean session.
async fn end_session(broker: &MqttSettings, client_id: &str) {
    use rumqttc::{AsyncClient, Event, MqttOptions, Packet};
    let mut options = MqttOptions::new(client_id, &broker.host, broker.port);
    options.set_clean_session(true);
    let (client, mut eventloop) = AsyncClient::new(options, 10);
    loop {
        match tokio::time::timeout(Duration::from_secs(10), eventloop.poll()).await {
            Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) => break,
            Ok(Ok(_)) => {}
            _ => return,
        }
    }
    client.disconnect().await.ok();
    let _ = tokio::time::timeout(Duration::from_secs(2), eventloop.poll()).await;
}

fn next() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Polls `done` every 50 ms until it holds, failing after 30 s: what an external broker delivers is waited for, not
/// slept on.
async fn wait_for<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(Instant::now() < deadline, "waited 30 s for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn readings_over_mqtt_arrive_roll_up_ignore_duplicates_and_resume_after_a_restart_without_loss()
 {
    let Some(broker) = broker() else { return };
    for app in common::apps().await {
        let z = zone(&app).await;
        let n = next();
        let code = format!("MQ{}-{n}", std::process::id());
        let id = meter(&app, json!({"code": code, "name": "MQTT表", "park_id": z.f.park, "medium": "water", "multiplier": 10})).await;
        let topic = format!("park/yufu/meter/{code}");
        let settings = MqttSettings {
            client_id: format!("cpt{}x{n}", std::process::id()),
            ..broker.clone()
        };
        let start = |counters: Arc<IngestCounters>| {
            tokio::spawn(run(
                app.store.clone(),
                settings.clone(),
                common::test_clock(),
                counters,
            ))
        };
        let month_total = |store: Arc<dyn chainpark_store::Store>| async move {
            let month = bucket(Grain::Month, at("2026-06-15T00:00:00+08:00"));
            store
                .meter_rollup(&Actor::system("test"), id, Grain::Month, month, month)
                .await
                .expect("reads")
                .get(&month)
                .copied()
                .unwrap_or(0)
        };
        let reading = |t: &str, v: &str| (topic.clone(), format!(r#"{{"t": "{t}", "v": {v}}}"#));

        let counters = Arc::new(IngestCounters::default());
        let first = start(counters.clone());
        wait_for("the subscription", || async {
            counters.subscriptions.load(Ordering::Relaxed) > 0
        })
        .await;
        publish(&broker, &[reading("2026-06-15T10:00:00+08:00", "1.5"), reading("2026-06-15T10:30:00+08:00", "2"),
            (topic.clone(), r#"[{"t": "2026-06-15T11:00:00+08:00", "v": 0.25}, {"t": "2026-06-14T23:00:00+08:00", "v": 1}]"#.into())]).await;
        wait_for("four readings", || {
            let s = app.store.clone();
            async move { month_total(s).await == 47_500 }
        })
        .await;

        // chainpark stops; what is published meanwhile waits at the broker in chainpark's session.
        first.abort();
        let _ = first.await;
        publish(
            &broker,
            &[
                reading("2026-06-15T12:00:00+08:00", "3"),
                reading("2026-06-15T13:00:00+08:00", "0.001"),
            ],
        )
        .await;
        let counters = Arc::new(IngestCounters::default());
        let second = start(counters.clone());
        wait_for("the readings sent while chainpark was down", || {
            let s = app.store.clone();
            async move { month_total(s).await == 77_510 }
        })
        .await;

        // A duplicate (the same instant again) is taken, and changes nothing.
        publish(&broker, &[reading("2026-06-15T10:00:00+08:00", "99")]).await;
        wait_for("the duplicate", || async {
            counters.duplicates.load(Ordering::Relaxed) >= 1
        })
        .await;
        assert_eq!(
            month_total(app.store.clone()).await,
            77_510,
            "[{}]",
            app.engine
        );
        let hours = rollup(
            &app,
            id,
            "hour",
            "2026-06-15T10:00:00+08:00",
            "2026-06-15T13:00:00+08:00",
        )
        .await;
        assert_eq!(
            hours,
            pairs(&[
                ("2026-06-15 10:00", "35"),
                ("2026-06-15 11:00", "2.5"),
                ("2026-06-15 12:00", "30"),
                ("2026-06-15 13:00", "0.01")
            ]),
            "[{}]",
            app.engine
        );
        let days = rollup(
            &app,
            id,
            "day",
            "2026-06-14T00:00:00+08:00",
            "2026-06-15T23:00:00+08:00",
        )
        .await;
        assert_eq!(
            days,
            pairs(&[("2026-06-14", "10"), ("2026-06-15", "67.51")]),
            "[{}]",
            app.engine
        );
        second.abort();
        let _ = second.await;
        end_session(&broker, &settings.client_id).await;
    }
}

/// A leaking night on meter W-1 of the zone's park, as its park staff reports it; returns the alarm's work order.
pub async fn leaking_meter(app: &TestApp, park: i64) -> i64 {
    let id = meter(app, json!({"code": "W-1", "name": "2号楼进水", "park_id": park, "medium": "water", "night_flow_min": 0.1})).await;
    let report = send(app, id, json!([
        {"t": "2026-06-14T01:30:00+08:00", "v": 0.5}, {"t": "2026-06-14T02:30:00+08:00", "v": 0.4},
        {"t": "2026-06-14T03:30:00+08:00", "v": 0.6}, {"t": "2026-06-14T04:30:00+08:00", "v": 0.3},
        {"t": "2026-06-10T12:00:00+08:00", "v": 30}, {"t": "2025-06-10T12:00:00+08:00", "v": 24},
    ])).await;
    report["alarms_raised"][0]["work_order_id"]
        .as_i64()
        .expect("the alarm's work order")
}

#[tokio::test]
async fn the_park_chiefs_board_shows_energy_against_last_year_and_open_alarms_with_their_work_orders()
 {
    for app in common::apps().await {
        let z = zone(&app).await;
        let order = leaking_meter(&app, z.f.park).await;
        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        for (lang, rule, change) in [
            ("zh", "夜间流量（疑似漏水）", "+32.5 %"),
            ("en", "Night-time flow (leak)", "+32.5 %"),
        ] {
            let (status, html) = chief
                .call(
                    reqwest::Method::GET,
                    &format!("/parks/{}?lang={lang}", z.f.park),
                    None,
                )
                .await;
            let html = html.as_str().unwrap_or_default().to_string();
            assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
            assert!(
                html.contains("id=\"park-board\""),
                "[{}] {lang}: no board",
                app.engine
            );
            assert!(
                html.contains(rule) && html.contains("W-1"),
                "[{}] {lang}: no alarm",
                app.engine
            );
            assert!(
                html.contains(&format!("href=\"/work-orders/{order}\"")),
                "[{}] {lang}: no link to the order",
                app.engine
            );
            // 31.8 m³ this June (the night's 1.8 and 30 on the 10th) against 24 a year earlier.
            assert!(
                html.contains("31.8 m³") && html.contains("24 m³") && html.contains(change),
                "[{}] {lang}: energy",
                app.engine
            );
        }
        // A chain chief sees the park page but not its operations.
        let chain_chief = app
            .as_account("chain.chief", Role::ChainChief, Some(z.chain_chief))
            .await;
        let (_, html) = chain_chief
            .call(reqwest::Method::GET, &format!("/parks/{}", z.f.park), None)
            .await;
        assert!(
            !html.as_str().unwrap_or_default().contains("park-board"),
            "[{}]",
            app.engine
        );
    }
}

/// A readings file with one bad row stores nothing and names the row; the good file is stored with its roll-ups,
/// and sending it again changes nothing (duplicates are ignored, as MQTT's are).
#[tokio::test]
async fn a_readings_file_with_a_bad_row_stores_nothing_and_names_the_row() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let id = meter(
            &app,
            json!({"code": "F-01", "name": "上传表", "park_id": z.f.park, "medium": "water"}),
        )
        .await;
        let upload = |file: &'static str| {
            let app = &app;
            async move {
                let response = app
                    .client
                    .post(format!(
                        "{}/api/v1/meter-readings/file?filename=readings.csv",
                        app.base
                    ))
                    .header("x-csrf-token", &app.csrf)
                    .header("content-type", "text/csv")
                    .body(file)
                    .send()
                    .await
                    .expect("answered");
                let status = response.status();
                (status, response.json::<Value>().await.expect("json"))
            }
        };
        let (status, problem) = upload(
            "表号,时间,读数\nF-01,2026-06-01 10:00,1.5\nF-01,2026-06-01 11:00,abc\nF-01,2026-06-01 12:00,2\n",
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(bad_fields(&problem), vec!["line 3 · 读数".to_string()]);
        let day = rollup(
            &app,
            id,
            "day",
            "2026-06-01T00:00:00+08:00",
            "2026-06-01T23:00:00+08:00",
        )
        .await;
        assert!(day.is_empty(), "[{}] nothing stored: {day:?}", app.engine);
        let good = "meter,t,value\nF-01,2026-06-01 10:00,1.5\nF-01,2026-06-01 11:00,2.25\nF-01,2026-06-01 11:00,2.25\n";
        let (status, report) = upload(good).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(
            (report["stored"].as_i64(), report["duplicates"].as_i64()),
            (Some(2), Some(1)),
            "{report}"
        );
        let (_, again) = upload(good).await;
        assert_eq!(again["stored"].as_i64(), Some(0), "{again}");
        let day = rollup(
            &app,
            id,
            "day",
            "2026-06-01T00:00:00+08:00",
            "2026-06-01T23:00:00+08:00",
        )
        .await;
        assert_eq!(day, pairs(&[("2026-06-01", "3.75")]), "[{}]", app.engine);
    }
}
