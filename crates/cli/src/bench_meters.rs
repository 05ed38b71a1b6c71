//! `chainpark bench-meters`: sustained ingest of meter readings from a real MQTT broker into a fresh SQLite store,
//! with the hour, day and month roll-ups kept on write. 1,000 meters of one demo park each publish their readings
//! (one a minute) as arrays of `--per-message` readings to `park/{park}/meter/{meter}` at QoS 1; the figure printed
//! is readings stored per second from the first publish to the last commit, with the roll-ups checked afterwards.
//!
//! By default the benchmark starts a Mosquitto of its own on a free port of loopback, configured for a burst: no
//! limit on messages in flight or queued per client. A stock Mosquitto (20 in flight, 1,000 queued per client) drops
//! QoS 1 messages beyond its queue when a publisher outruns the subscriber, which is a broker setting to size for
//! the zone (see README), not a property of chainpark's ingest; `--mqtt URL` uses a broker that runs already.
//!
//! With `--board`, the same store then takes a year of hourly readings of the same meters (`--hours`, 8,760 by
//! default: 8.76 M readings for 1,000 meters) through the store's batch write path for readings (the one the MQTT
//! ingest and the uploads use, roll-ups kept), one day of every meter per transaction, and two alarms with their
//! work orders; the application is then served on a free port of loopback and the park page with its board is
//! requested `--requests` times over HTTP as a signed-in leader: p50, p99, the largest time and the page's size.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chainpark_app::mqtt::{IngestCounters, MqttSettings, run};
use chainpark_core::list::Paging;
use chainpark_core::parkops::alarms::AlarmRule;
use chainpark_core::parkops::meters::{Grain, Medium, MeterInput, Reading, bucket};
use chainpark_core::time::Clock;
use chainpark_store::{Actor, ParkFilter};
use chrono::{DateTime, Duration as Span, Utc};
use clap::Args;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};

#[derive(Debug, Args)]
pub struct BenchMetersArgs {
    /// A broker that runs already; by default a private Mosquitto is started.
    #[arg(long)]
    pub mqtt: Option<String>,
    /// Folder for the benchmark's SQLite store (its file is removed afterwards).
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
    #[arg(long, default_value_t = 1000)]
    pub meters: usize,
    /// Readings of each meter.
    #[arg(long, default_value_t = 600)]
    pub readings: usize,
    /// Readings per MQTT message (a gateway's batch of one meter).
    #[arg(long, default_value_t = 100)]
    pub per_message: usize,
    /// After the ingest, load a year of hourly readings and time the park page with its board.
    #[arg(long)]
    pub board: bool,
    /// Hourly readings of each meter loaded for the board (ending at the current hour).
    #[arg(long, default_value_t = 8760)]
    pub hours: usize,
    /// Requests of the park page.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
}

/// The issue's goal for sustained ingest.
const GOAL_PER_SECOND: f64 = 50_000.0;
/// The issue's goal for the park board page.
const BOARD_P99_GOAL: Duration = Duration::from_millis(50);

pub async fn bench_meters(args: BenchMetersArgs) -> anyhow::Result<()> {
    if args.per_message == 0 || args.meters == 0 || args.readings == 0 {
        bail!("--meters, --readings and --per-message must be at least 1");
    }
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let (url, _mosquitto) = match &args.mqtt {
        Some(url) => (url.clone(), None),
        None => {
            let (url, child) = private_broker(&args.dir).await?;
            (url, Some(child))
        }
    };
    let client_id = format!("cpbench{}", std::process::id());
    let broker = MqttSettings::parse(&url, &client_id).map_err(|e| anyhow::anyhow!(e))?;
    let db = args.dir.join("bench-meters.db");
    let remove = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    };
    remove();
    let store = crate::open(&format!("sqlite://{}", db.display())).await?;
    let system = Actor::system("bench");
    store
        .load_registry(&system, &chainpark_core::demo::demo_zone())
        .await?;
    let park = store
        .list_parks(
            &system,
            &ParkFilter::default(),
            &Paging::new(Some(1), None, None),
        )
        .await?
        .items
        .into_iter()
        .next()
        .context("the demo zone has a park")?;
    let now = Utc::now();
    let mut codes = Vec::with_capacity(args.meters);
    for i in 0..args.meters {
        let code = format!("BM{i:05}");
        let draft = MeterInput {
            code: code.clone(),
            name: format!("基准表{i}"),
            park_id: park.id,
            location: String::new(),
            enterprise_id: None,
            medium: Medium::ALL[i % Medium::ALL.len()],
            multiplier: Some(1),
            formula: None,
            no_data_hours: None,
            night_flow_min: None,
            jump_max: None,
        }
        .parse()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.create_meter(&system, draft, now).await?;
        codes.push(code);
    }
    let counters = Arc::new(IngestCounters::default());
    let ingest = tokio::spawn(run(
        store.clone(),
        broker.clone(),
        Clock::System,
        counters.clone(),
    ));
    wait(
        &counters,
        |c| c.subscriptions.load(Ordering::Relaxed) > 0,
        "the subscription",
    )
    .await?;

    let first: DateTime<Utc> =
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00+08:00")?.with_timezone(&Utc);
    let mut messages = Vec::new();
    for chunk_start in (0..args.readings).step_by(args.per_message) {
        for code in &codes {
            let readings: Vec<String> = (chunk_start
                ..(chunk_start + args.per_message).min(args.readings))
                .map(|m| {
                    let t = first + Span::minutes(m as i64);
                    format!(r#"{{"t":"{}","v":1.25}}"#, t.to_rfc3339())
                })
                .collect();
            messages.push((
                format!("park/{}/meter/{code}", park.code),
                format!("[{}]", readings.join(",")),
            ));
        }
    }
    let total = (args.meters * args.readings) as u64;
    println!(
        "publishing {total} readings of {} meters in {} messages of up to {} to {} ...",
        args.meters,
        messages.len(),
        args.per_message,
        url
    );
    let started = Instant::now();
    let publisher = tokio::spawn(publish(broker.clone(), messages));
    wait(
        &counters,
        |c| c.stored.load(Ordering::Relaxed) >= total,
        "every reading",
    )
    .await?;
    let elapsed = started.elapsed();
    publisher.await??;
    ingest.abort();
    let _ = ingest.await;
    let rate = total as f64 / elapsed.as_secs_f64();
    // The roll-ups hold every reading: each meter's month is its readings × 1.25.
    let month = bucket(Grain::Month, first);
    let mut wrong = 0;
    for meter in store
        .list_meters(&system, &Default::default(), &Paging::all())
        .await?
        .items
    {
        let amounts = store
            .meter_rollup(&system, meter.id, Grain::Month, month, month)
            .await?;
        if amounts.get(&month).copied() != Some(args.readings as i64 * 1_250) {
            wrong += 1;
        }
    }
    println!(
        "stored {total} readings in {:.2} s: {:.0} readings/s (goal ≥ {GOAL_PER_SECOND:.0}) — {}; roll-ups of {} meter(s) wrong; duplicates {}, refused messages {}",
        elapsed.as_secs_f64(),
        rate,
        if rate >= GOAL_PER_SECOND {
            "met"
        } else {
            "NOT met"
        },
        wrong,
        counters.duplicates.load(Ordering::Relaxed),
        counters.rejected.load(Ordering::Relaxed),
    );
    end_session(&broker).await;
    let board = if wrong == 0 && args.board {
        board(&store, &park, &args).await
    } else {
        Ok(())
    };
    drop(store);
    remove();
    if wrong > 0 {
        bail!("{wrong} meter(s) have roll-ups that differ from their readings");
    }
    board
}

/// Loads `--hours` hourly readings of every meter of the park through the batch write path, raises two alarms,
/// serves the application on loopback and times the park page with its board.
async fn board(
    store: &Arc<dyn chainpark_store::prelude::Store>,
    park: &chainpark_core::registry::Park,
    args: &BenchMetersArgs,
) -> anyhow::Result<()> {
    let system = Actor::system("bench");
    let meters = store
        .list_meters(
            &system,
            &chainpark_store::parkops::MeterFilter {
                park_id: Some(park.id),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await?
        .items;
    let now = Utc::now();
    let end = bucket(Grain::Hour, now);
    let end = DateTime::from_timestamp(end, 0).unwrap_or(now);
    let start = end - Span::hours(args.hours as i64 - 1);
    let total = meters.len() * args.hours;
    println!(
        "loading {total} hourly readings of {} meters ({} hours from {} to {}) through the batch write path ...",
        meters.len(),
        args.hours,
        start.to_rfc3339(),
        end.to_rfc3339()
    );
    let started = Instant::now();
    let mut stored = 0;
    let mut duplicates = 0;
    let mut batch = Vec::with_capacity(meters.len() * 24);
    for day in (0..args.hours).step_by(24) {
        batch.clear();
        for (i, meter) in meters.iter().enumerate() {
            for hour in day..(day + 24).min(args.hours) {
                // 0.5 to 2.5 units an hour, varying by meter and hour of day.
                let value = 500 + ((i * 37 + hour * 101) % 2000) as i64;
                batch.push(Reading {
                    meter_id: meter.id,
                    t: start + Span::hours(hour as i64),
                    value,
                });
            }
        }
        let written = store.record_readings(&system, &batch).await?;
        stored += written.stored;
        duplicates += written.duplicates;
    }
    let loaded = started.elapsed();
    println!(
        "loaded in {:.1} s: {:.0} readings/s ({stored} stored, {duplicates} already held from the ingest)",
        loaded.as_secs_f64(),
        total as f64 / loaded.as_secs_f64()
    );
    for (meter, rule) in meters.iter().zip([AlarmRule::NightFlow, AlarmRule::NoData]) {
        store
            .raise_alarm(
                &system,
                meter.id,
                rule,
                end - Span::hours(3),
                "基准告警",
                end,
            )
            .await?;
    }

    let cookie = crate::bench_pages::sign_in_leader(store).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = chainpark_web::app(chainpark_web::AppState::new(store.clone()));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let url = format!("http://{address}/parks/{}", park.id);
    let header = format!("Cookie: {cookie}");
    let mut times = Vec::with_capacity(args.requests);
    let mut size = 0;
    // The first requests warm the caches of the store.
    for round in 0..args.requests.max(1) + 3 {
        let started = Instant::now();
        let body = crate::bench_api::fetch(&url, &header).await?;
        let elapsed = started.elapsed();
        let text = String::from_utf8_lossy(&body);
        if !text.contains("id=\"board-energy\"") || !text.contains("id=\"board-alarms\"") {
            server.abort();
            bail!("{url} has no board with energy and alarms");
        }
        size = body.len();
        if round >= 3 {
            times.push(elapsed);
        }
    }
    server.abort();
    times.sort_unstable();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    let (p50, p99, max) = (at(0.5), at(0.99), times[times.len() - 1]);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "park page /parks/{} with its board over {} readings of {} meters: p50 {:.2} ms, p99 {:.2} ms (goal ≤ {} ms) — {}, max {:.2} ms, {:.1} KiB, {} requests over HTTP on loopback; load average {}",
        park.id,
        stored + duplicates,
        meters.len(),
        ms(p50),
        ms(p99),
        BOARD_P99_GOAL.as_millis(),
        if p99 <= BOARD_P99_GOAL {
            "met"
        } else {
            "NOT met"
        },
        ms(max),
        size as f64 / 1024.0,
        times.len(),
        crate::bench_api::load_average()
    );
    Ok(())
}

/// A Mosquitto child process, killed when dropped.
struct Broker(std::process::Child);

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Mosquitto on a free port of loopback with no in-flight or queue limit per client.
async fn private_broker(dir: &std::path::Path) -> anyhow::Result<(String, Broker)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let conf = dir.join("bench-mosquitto.conf");
    std::fs::write(
        &conf,
        format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 0\n"
        ),
    )?;
    let child = std::process::Command::new("mosquitto")
        .arg("-c")
        .arg(&conf)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context(
            "starting mosquitto (Debian package mosquitto); or pass --mqtt URL of a running broker",
        )?;
    let broker = Broker(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if Instant::now() > deadline {
            bail!("mosquitto did not listen on port {port}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok((format!("mqtt://127.0.0.1:{port}"), broker))
}

/// Waits (polling every 20 ms, at most 10 minutes) until the counters satisfy `done`.
async fn wait(
    counters: &IngestCounters,
    done: impl Fn(&IngestCounters) -> bool,
    what: &str,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    while !done(counters) {
        if Instant::now() > deadline {
            bail!("waited 10 minutes for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Publishes every message at QoS 1 and returns when the broker has acknowledged them all.
async fn publish(broker: MqttSettings, messages: Vec<(String, String)>) -> anyhow::Result<()> {
    let mut options = MqttOptions::new(format!("{}p", broker.client_id), &broker.host, broker.port);
    options
        .set_clean_session(true)
        .set_inflight(1000)
        .set_max_packet_size(4 * 1024 * 1024, 4 * 1024 * 1024);
    let (client, mut eventloop) = AsyncClient::new(options, 1000);
    let count = messages.len();
    let sender = tokio::spawn(async move {
        for (topic, payload) in messages {
            client
                .publish(topic, QoS::AtLeastOnce, false, payload.into_bytes())
                .await?;
        }
        Ok::<_, rumqttc::ClientError>(client)
    });
    let mut acked = 0;
    while acked < count {
        if let Event::Incoming(Packet::PubAck(_)) = eventloop.poll().await? {
            acked += 1;
        }
    }
    let client = sender.await??;
    client.disconnect().await.ok();
    Ok(())
}

/// Ends the benchmark's persistent session at the broker.
async fn end_session(broker: &MqttSettings) {
    let mut options = MqttOptions::new(&broker.client_id, &broker.host, broker.port);
    options.set_clean_session(true);
    let (client, mut eventloop) = AsyncClient::new(options, 10);
    if let Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) =
        tokio::time::timeout(Duration::from_secs(5), eventloop.poll()).await
    {
        client.disconnect().await.ok();
        let _ = tokio::time::timeout(Duration::from_secs(2), eventloop.poll()).await;
    }
}
