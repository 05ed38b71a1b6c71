//! Layered configuration: defaults, then a TOML file, then `CHAINPARK_*` environment variables, then the command
//! line — each layer overriding the one before.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Address to listen on.
    pub listen: String,
    /// Database URL.
    pub database: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".to_string(),
            database: "sqlite://data/chainpark.db".to_string(),
        }
    }
}

#[derive(Serialize)]
struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<String>,
}

impl Settings {
    pub fn load(
        file: Option<&Path>,
        listen: Option<String>,
        database: Option<String>,
    ) -> anyhow::Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                anyhow::bail!("configuration file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        let settings: Settings = figment
            .merge(Env::prefixed("CHAINPARK_").only(&["listen", "database"]))
            .merge(Serialized::defaults(Overrides { listen, database }))
            .extract()?;
        if let Some(path) = settings.database.strip_prefix("sqlite://")
            && let Some(parent) = Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        Ok(settings)
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
