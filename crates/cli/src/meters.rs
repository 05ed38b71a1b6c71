//! Wiring of the meter readings: the MQTT ingest when a broker is configured, and the no-data watch.

use std::sync::Arc;
use std::time::Duration;

use chainpark_app::meters::watch_silence;
use chainpark_app::mqtt::{IngestCounters, MqttSettings, run};
use chainpark_core::time::Clock;
use chainpark_store::Store;

use crate::config::Settings;

/// How often the no-data rule is judged.
const SILENCE_ROUND: Duration = Duration::from_secs(300);

/// Starts the MQTT ingest (when `mqtt` is configured) and the no-data watch.
pub fn start_background(
    store: &Arc<dyn Store>,
    settings: &Settings,
    clock: Clock,
) -> anyhow::Result<()> {
    match &settings.mqtt {
        Some(url) => {
            let mqtt = MqttSettings::parse(url, &settings.mqtt_client_id)
                .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
            tracing::info!(
                host = %mqtt.host,
                port = mqtt.port,
                client_id = %mqtt.client_id,
                "taking meter readings from MQTT ({})",
                chainpark_app::mqtt::TOPIC_FILTER
            );
            tokio::spawn(run(
                store.clone(),
                mqtt,
                clock,
                Arc::new(IngestCounters::default()),
            ));
        }
        None => tracing::info!("no MQTT broker configured: meter readings come through the API"),
    }
    let store = store.clone();
    tokio::spawn(async move {
        let mut round = tokio::time::interval(SILENCE_ROUND);
        loop {
            round.tick().await;
            match watch_silence(&store, clock.now()).await {
                Ok(raised) if !raised.is_empty() => {
                    tracing::warn!("{} meter(s) fell silent: alarms raised", raised.len())
                }
                Ok(_) => {}
                Err(e) => tracing::error!("no-data watch: {e}"),
            }
        }
    });
    Ok(())
}
