//! The MQTT ingest: chainpark subscribes to its broker (Mosquitto) and stores the readings meters and gateways
//! publish. Topic `park/{park code}/meter/{meter code}`, payload one reading `{"t": "2026-06-15T10:00:00+08:00",
//! "v": 123.4}` or an array of them (the amount measured in the interval ending at `t`, in the medium's unit, before
//! the meter's multiplier). QoS 1 with a persistent session (`clean_session = false`, a fixed client id): what is
//! published while chainpark is down waits at the broker. A message is acknowledged only after its readings are
//! committed, so a crash loses nothing — the broker delivers it again, and the key (meter, t) makes the repeat a
//! duplicate that changes nothing. A message that can never be stored (unknown meter, a topic whose park is not
//! the meter's, a bad payload) is logged with its reason, counted and acknowledged.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chainpark_core::list::Paging;
use chainpark_core::parkops::meters::{Meter, Reading, parse_payload};
use chainpark_core::time::Clock;
use chainpark_store::parkops::MeterFilter;
use chainpark_store::{Actor, Store};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};

use crate::meters::ingest;

/// The topics chainpark subscribes to.
pub const TOPIC_FILTER: &str = "park/+/meter/+";
/// The most messages written in one transaction.
const BATCH: usize = 2_000;
/// The largest message taken: an array of some thousand readings.
const MAX_PACKET: usize = 4 * 1024 * 1024;

/// Where the broker is and who chainpark is to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttSettings {
    pub host: String,
    pub port: u16,
    /// Fixed, so that the broker keeps chainpark's session (its subscription and the messages it has not taken)
    /// across restarts.
    pub client_id: String,
}

impl MqttSettings {
    /// Reads `mqtt://host[:port]` (or `tcp://`); the port defaults to 1883.
    pub fn parse(url: &str, client_id: &str) -> Result<MqttSettings, String> {
        let rest = url
            .strip_prefix("mqtt://")
            .or_else(|| url.strip_prefix("tcp://"))
            .ok_or_else(|| format!("MQTT URL {url:?} must start with mqtt:// or tcp://"))?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("MQTT URL {url:?}: {port:?} is not a port"))?,
            ),
            None => (rest, 1883),
        };
        if host.is_empty() {
            return Err(format!("MQTT URL {url:?} names no host"));
        }
        if client_id.is_empty() || client_id.len() > 23 {
            return Err(format!(
                "MQTT client id {client_id:?} must have 1 to 23 characters"
            ));
        }
        Ok(MqttSettings {
            host: host.to_string(),
            port,
            client_id: client_id.to_string(),
        })
    }
}

/// The park and meter codes of a topic `park/{park}/meter/{meter}`.
pub fn topic_codes(topic: &str) -> Option<(&str, &str)> {
    match topic.split('/').collect::<Vec<_>>().as_slice() {
        ["park", park, "meter", meter] if !park.is_empty() && !meter.is_empty() => {
            Some((park, meter))
        }
        _ => None,
    }
}

/// What the ingest has done since it started.
#[derive(Debug, Default)]
pub struct IngestCounters {
    pub messages: AtomicU64,
    pub stored: AtomicU64,
    pub duplicates: AtomicU64,
    pub rejected: AtomicU64,
    pub alarms: AtomicU64,
    /// Subscriptions the broker confirmed: the ingest takes what is published from the first one on.
    pub subscriptions: AtomicU64,
}

/// Runs the ingest until the task is dropped: connects (again after a lost connection), subscribes, and writes
/// what arrives in batches.
pub async fn run(
    store: Arc<dyn Store>,
    settings: MqttSettings,
    clock: Clock,
    counters: Arc<IngestCounters>,
) {
    let mut options = MqttOptions::new(&settings.client_id, &settings.host, settings.port);
    options
        .set_clean_session(false)
        .set_manual_acks(true)
        .set_keep_alive(Duration::from_secs(30))
        .set_max_packet_size(MAX_PACKET, MAX_PACKET);
    let (client, mut eventloop) = AsyncClient::new(options, BATCH * 2);
    let (sender, receiver) = tokio::sync::mpsc::channel::<Publish>(BATCH * 2);
    let writer = tokio::spawn(write_loop(
        store,
        client.clone(),
        receiver,
        clock,
        counters.clone(),
    ));
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!(host = %settings.host, port = settings.port, "MQTT connected");
                // The persistent session keeps the subscription, but the first connection must make it.
                if let Err(e) = client.subscribe(TOPIC_FILTER, QoS::AtLeastOnce).await {
                    tracing::error!("MQTT subscribe: {e}");
                }
            }
            Ok(Event::Incoming(Packet::SubAck(_))) => {
                counters.subscriptions.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                if sender.send(p).await.is_err() {
                    break;
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("MQTT connection: {e}; connecting again in a second");
                // A pause before reconnecting, so that a broker that is down is not hammered.
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    writer.abort();
}

/// Takes what has arrived (up to a batch), writes it in one transaction, then acknowledges it.
async fn write_loop(
    store: Arc<dyn Store>,
    client: AsyncClient,
    mut receiver: tokio::sync::mpsc::Receiver<Publish>,
    clock: Clock,
    counters: Arc<IngestCounters>,
) {
    let actor = Actor::system("mqtt");
    let mut meters = MeterIndex::default();
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        counters
            .messages
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        let readings = meters.readings(&store, &batch, &counters).await;
        // A store that fails (the database is down) is tried again; the messages stay unacknowledged meanwhile.
        loop {
            match ingest(&store, &actor, &readings, clock.now()).await {
                Ok(report) => {
                    counters
                        .stored
                        .fetch_add(report.written.stored as u64, Ordering::Relaxed);
                    counters
                        .duplicates
                        .fetch_add(report.written.duplicates as u64, Ordering::Relaxed);
                    counters
                        .alarms
                        .fetch_add(report.alarms_raised.len() as u64, Ordering::Relaxed);
                    break;
                }
                Err(e) => {
                    tracing::error!("MQTT readings not stored, trying again: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        for p in &batch {
            if let Err(e) = client.ack(p).await {
                tracing::warn!("MQTT ack: {e}");
            }
        }
    }
}

/// Meter codes → meters, reloaded when a topic names a code it does not know.
#[derive(Default)]
struct MeterIndex {
    by_code: HashMap<String, Meter>,
}

impl MeterIndex {
    async fn reload(&mut self, store: &Arc<dyn Store>) {
        match store
            .list_meters(
                &Actor::system("mqtt"),
                &MeterFilter::default(),
                &Paging::all(),
            )
            .await
        {
            Ok(page) => {
                self.by_code = page
                    .items
                    .into_iter()
                    .map(|m| (m.code.clone(), m))
                    .collect();
            }
            Err(e) => tracing::error!("MQTT: meters not read: {e}"),
        }
    }

    /// The readings of a batch of messages; those that can never be stored are logged and counted.
    async fn readings(
        &mut self,
        store: &Arc<dyn Store>,
        batch: &[Publish],
        counters: &IngestCounters,
    ) -> Vec<Reading> {
        let unknown = batch.iter().any(|p| {
            topic_codes(&p.topic).is_some_and(|(_, code)| !self.by_code.contains_key(code))
        });
        if unknown {
            self.reload(store).await;
        }
        let mut out = Vec::with_capacity(batch.len());
        for p in batch {
            match self.readings_of(p) {
                Ok(mut readings) => out.append(&mut readings),
                Err(reason) => {
                    counters.rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(topic = %p.topic, "MQTT message refused: {reason}");
                }
            }
        }
        out
    }

    fn readings_of(&self, p: &Publish) -> Result<Vec<Reading>, String> {
        let (park, code) = topic_codes(&p.topic)
            .ok_or_else(|| format!("the topic is not of the form {TOPIC_FILTER}"))?;
        let meter = self
            .by_code
            .get(code)
            .ok_or_else(|| format!("no meter has the code {code}"))?;
        if meter.park_code != park {
            return Err(format!(
                "meter {code} is in park {}, not {park}",
                meter.park_code
            ));
        }
        if meter.archived || meter.is_virtual() {
            return Err(format!(
                "meter {code} is archived or virtual: it takes no readings"
            ));
        }
        Ok(parse_payload(&p.payload)?
            .into_iter()
            .map(|(t, value)| Reading {
                meter_id: meter.id,
                t,
                value,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mqtt_url_names_host_and_port() {
        let s = MqttSettings::parse("mqtt://127.0.0.1:1884", "chainpark").expect("reads");
        assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 1884));
        assert_eq!(
            MqttSettings::parse("tcp://broker", "chainpark")
                .expect("reads")
                .port,
            1883
        );
        assert!(MqttSettings::parse("http://broker", "chainpark").is_err());
        assert!(MqttSettings::parse("mqtt://broker:x", "chainpark").is_err());
    }

    #[test]
    fn a_topic_names_a_park_and_a_meter() {
        assert_eq!(topic_codes("park/P01/meter/B1-F2"), Some(("P01", "B1-F2")));
        assert_eq!(topic_codes("park/P01/meter"), None);
        assert_eq!(topic_codes("park//meter/M"), None);
    }
}
