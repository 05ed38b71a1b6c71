//! Layered configuration: defaults, then a TOML file, then `CHAINPARK_*` environment variables, then the command
//! line — each layer overriding the one before. The import limits are the table `[import]` of the file and the
//! variables `CHAINPARK_IMPORT_<KEY>` (e.g. `CHAINPARK_IMPORT_MAX_UPLOAD_BYTES`).

use std::path::{Path, PathBuf};

use chainpark_core::disclosure::DisclosureRules;
use chainpark_core::workflow::appeals::AppealRules;
use chainpark_import::ImportLimits;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Address to listen on.
    pub listen: String,
    /// Database URL.
    pub database: String,
    /// A PostgreSQL streaming replica of `database` for the reads of pages and roll-ups (GET and HEAD requests);
    /// writes, and reads the replica has not caught up with, go to `database`. None by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_database: Option<String>,
    /// Statistical disclosure control of roll-ups: `[disclosure]` with `min_firms` (3) and `dominance_percent`
    /// (85), or `CHAINPARK_DISCLOSURE_MIN_FIRMS` / `CHAINPARK_DISCLOSURE_DOMINANCE_PERCENT`.
    #[serde(default)]
    pub disclosure: DisclosureRules,
    /// The appeals' closed loop: `[appeals]` with `reopen_days` (5), the working days after closing in which the
    /// enterprise may re-open its appeal, or `CHAINPARK_APPEALS_REOPEN_DAYS`.
    #[serde(default)]
    pub appeals: AppealRules,
    /// Reverse proxies (addresses or networks such as `10.0.0.0/8`) whose `X-Forwarded-For` names the client, for
    /// throttling sign-ins per client address. None by default: the connection's peer is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Folder for uploads while they are read (default: `chainpark-spool` in the system's temporary folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spool_dir: Option<PathBuf>,
    /// Limits of imports: upload size, workbook parts, rows, cells, report.
    #[serde(default)]
    pub import: ImportLimits,
    /// A secret that Prometheus presents as a bearer token to read `/metrics` (admins read it without). None by
    /// default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_token: Option<String>,
    /// The MQTT broker meter readings arrive through (`mqtt://host:1883`); none by default: chainpark runs
    /// without one, and readings come through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mqtt: Option<String>,
    /// chainpark's client id at the broker: fixed, so that the broker keeps its session across restarts.
    #[serde(default = "default_mqtt_client_id")]
    pub mqtt_client_id: String,
}

fn default_mqtt_client_id() -> String {
    "chainpark".to_string()
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".to_string(),
            database: "sqlite://data/chainpark.db".to_string(),
            read_database: None,
            disclosure: DisclosureRules::default(),
            appeals: AppealRules::default(),
            trusted_proxies: Vec::new(),
            spool_dir: None,
            import: ImportLimits::default(),
            metrics_token: None,
            mqtt: None,
            mqtt_client_id: default_mqtt_client_id(),
        }
    }
}

#[derive(Serialize)]
struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mqtt: Option<String>,
}

impl Settings {
    /// Reads the layers and makes the folder of a SQLite database.
    pub fn load(
        file: Option<&Path>,
        listen: Option<String>,
        database: Option<String>,
    ) -> anyhow::Result<Settings> {
        Settings::load_with_mqtt(file, listen, database, None)
    }

    /// As `load`, with the command line's MQTT broker.
    pub fn load_with_mqtt(
        file: Option<&Path>,
        listen: Option<String>,
        database: Option<String>,
        mqtt: Option<String>,
    ) -> anyhow::Result<Settings> {
        let settings = Settings::read(file, listen, database, mqtt)?;
        if let Some(path) = settings.database.strip_prefix("sqlite://")
            && let Some(parent) = Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        Ok(settings)
    }

    /// Reads the layers, touching nothing.
    pub fn read(
        file: Option<&Path>,
        listen: Option<String>,
        database: Option<String>,
        mqtt: Option<String>,
    ) -> anyhow::Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                anyhow::bail!("configuration file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        let settings: Settings = figment
            .merge(
                Env::prefixed("CHAINPARK_")
                    .only(&[
                        "listen",
                        "database",
                        "read_database",
                        "spool_dir",
                        "trusted_proxies",
                        "metrics_token",
                        "disclosure_min_firms",
                        "disclosure_dominance_percent",
                        "appeals_reopen_days",
                        "mqtt",
                        "mqtt_client_id",
                    ])
                    .map(|key| {
                        let key = key.as_str().to_ascii_lowercase();
                        key.replacen("disclosure_", "disclosure.", 1)
                            .replacen("appeals_", "appeals.", 1)
                            .into()
                    }),
            )
            .merge(Env::prefixed("CHAINPARK_IMPORT_").map(|key| format!("import.{key}").into()))
            .merge(Serialized::defaults(Overrides {
                listen,
                database,
                mqtt,
            }))
            .extract()?;
        settings
            .disclosure
            .check()
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        settings
            .appeals
            .check()
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        Ok(settings)
    }

    /// The command line's read replica, which overrides the file's and the environment's.
    pub fn with_read_database(self, read_database: Option<String>) -> Settings {
        Settings {
            read_database: read_database.or(self.read_database),
            ..self
        }
    }

    pub fn database_for_display(&self) -> String {
        redact(&self.database)
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mqtt_broker_comes_from_the_file_or_the_command_line_and_is_off_by_default() {
        let dir =
            std::env::temp_dir().join(format!("chainpark_config_mqtt_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chainpark.toml");
        std::fs::write(
            &file,
            "mqtt = \"mqtt://broker:1883\"\nmqtt_client_id = \"zone-a\"\n",
        )
        .unwrap();
        let from_file = Settings::read(Some(&file), None, None, None).unwrap();
        assert_eq!(from_file.mqtt.as_deref(), Some("mqtt://broker:1883"));
        assert_eq!(from_file.mqtt_client_id, "zone-a");
        let overridden =
            Settings::read(Some(&file), None, None, Some("mqtt://other:1884".into())).unwrap();
        assert_eq!(overridden.mqtt.as_deref(), Some("mqtt://other:1884"));
        assert_eq!(Settings::default().mqtt, None);
    }

    #[test]
    fn command_line_overrides_the_configuration_file() {
        let dir = std::env::temp_dir().join(format!("chainpark_config_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chainpark.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\ndatabase = \"postgres://zone@db/chainpark\"\n",
        )
        .unwrap();
        let from_file = Settings::load(Some(&file), None, None).unwrap();
        assert_eq!(from_file.listen, "0.0.0.0:9000");
        assert_eq!(from_file.database, "postgres://zone@db/chainpark");
        let overridden = Settings::load(Some(&file), Some("127.0.0.1:1".into()), None).unwrap();
        assert_eq!(overridden.listen, "127.0.0.1:1");
        assert_eq!(overridden.database, "postgres://zone@db/chainpark");
        assert!(Settings::load(Some(&dir.join("missing.toml")), None, None).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn disclosure_thresholds_come_from_the_configuration_file_and_are_checked() {
        let dir = std::env::temp_dir().join(format!("chainpark_disclosure_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chainpark.toml");
        std::fs::write(
            &file,
            "database = \"postgres://zone@db/chainpark\"\n[disclosure]\nmin_firms = 5\ndominance_percent = 70\n",
        )
        .unwrap();
        let defaults = Settings::load(None, None, Some("postgres://zone@db/x".into())).unwrap();
        assert_eq!(defaults.disclosure, DisclosureRules::default());
        let from_file = Settings::load(Some(&file), None, None).unwrap();
        assert_eq!(
            from_file.disclosure,
            DisclosureRules {
                min_firms: 5,
                dominance_percent: 70
            }
        );
        std::fs::write(&file, "[disclosure]\ndominance_percent = 0\n").unwrap();
        let refused = Settings::load(Some(&file), None, Some("postgres://zone@db/x".into()))
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("disclosure.dominance_percent"),
            "{refused}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_appeals_reopen_window_comes_from_the_configuration_file_and_is_checked() {
        let dir = std::env::temp_dir().join(format!("chainpark_appeals_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chainpark.toml");
        let db = || Some("postgres://zone@db/x".to_string());
        assert_eq!(
            Settings::load(None, None, db())
                .unwrap()
                .appeals
                .reopen_days,
            5
        );
        std::fs::write(&file, "[appeals]\nreopen_days = 10\n").unwrap();
        assert_eq!(
            Settings::load(Some(&file), None, db())
                .unwrap()
                .appeals
                .reopen_days,
            10
        );
        std::fs::write(&file, "[appeals]\nreopen_days = 0\n").unwrap();
        let refused = Settings::load(Some(&file), None, db())
            .unwrap_err()
            .to_string();
        assert!(refused.contains("appeals.reopen_days"), "{refused}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn trusted_proxies_come_from_the_configuration_file_and_default_to_none() {
        let dir = std::env::temp_dir().join(format!("chainpark_proxies_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chainpark.toml");
        std::fs::write(&file, "database = \"postgres://zone@db/chainpark\"\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n",).unwrap();
        let settings = Settings::load(Some(&file), None, None).unwrap();
        assert_eq!(settings.trusted_proxies, ["127.0.0.1", "10.0.0.0/8"]);
        assert!(Settings::default().trusted_proxies.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn import_limits_come_from_the_file_and_a_misspelt_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("chainpark_limits_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chainpark.toml");
        std::fs::write(
            &file,
            "[import]\nmax_upload_bytes = 5000000\nmax_cell_chars = 1000\n",
        )
        .unwrap();
        let settings = Settings::read(Some(&file), None, None, None).unwrap();
        assert_eq!(settings.import.max_upload_bytes, 5_000_000);
        assert_eq!(settings.import.max_cell_chars, 1_000);
        assert_eq!(
            settings.import.max_listed_errors,
            ImportLimits::default().max_listed_errors
        );
        std::fs::write(&file, "[import]\nmax_uplod_bytes = 1\n").unwrap();
        assert!(Settings::read(Some(&file), None, None, None).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_read_database_comes_from_the_file_or_the_command_line_and_is_off_by_default() {
        let dir = std::env::temp_dir().join(format!("chainpark_replica_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chainpark.toml");
        std::fs::write(
            &file,
            "database = \"postgres://zone@db/chainpark\"\nread_database = \"postgres://zone@replica/chainpark\"\n",
        )
        .unwrap();
        let from_file = Settings::read(Some(&file), None, None, None).unwrap();
        assert_eq!(
            from_file.read_database.as_deref(),
            Some("postgres://zone@replica/chainpark")
        );
        let overridden =
            from_file.with_read_database(Some("postgres://zone@other/chainpark".into()));
        assert_eq!(
            overridden.read_database.as_deref(),
            Some("postgres://zone@other/chainpark")
        );
        assert_eq!(Settings::default().read_database, None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn database_password_is_hidden_in_messages() {
        assert_eq!(
            redact("postgres://zone:secret@db.example/chainpark"),
            "postgres://zone:***@db.example/chainpark"
        );
        assert_eq!(
            redact("sqlite://data/chainpark.db"),
            "sqlite://data/chainpark.db"
        );
    }
}
