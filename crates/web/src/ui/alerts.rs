//! The alert list (预警) shown on the dashboard and on a chief's landing page: what the viewer should act on at
//! the application's "now", in the viewer's reach, each linking to its object. The rules are in
//! `chainpark_core::workflow::alerts`; the same list is `GET /api/v1/alerts`.

use chainpark_core::access::Landing;
use chainpark_core::workflow::alerts::{Alert, AlertKind};

use super::i18n::Lang;
use super::{PageError, Viewer};
use crate::AppState;

/// Alerts listed on a page at most; the rest are counted.
const SHOWN: usize = 30;

pub struct AlertRow {
    pub kind: &'static str,
    pub label: &'static str,
    /// `overdue` for what is past its day, `warning` for the rest.
    pub class: &'static str,
    pub title: String,
    pub href: String,
    pub on: String,
}

pub struct AlertList {
    pub rows: Vec<AlertRow>,
    pub total: usize,
}

impl AlertList {
    pub fn more(&self) -> usize {
        self.total - self.rows.len()
    }
}

fn row(lang: Lang, alert: Alert) -> AlertRow {
    let kind = alert.kind;
    let on = match kind {
        AlertKind::OutputFalling => alert.on.format("%Y-%m").to_string(),
        _ => alert.on.to_string(),
    };
    let href = alert.href();
    let title = match lang {
        Lang::En if !alert.title_en.is_empty() => alert.title_en,
        _ => alert.title,
    };
    AlertRow {
        kind: kind.as_str(),
        label: lang.t(&format!("alerts.kind.{}", kind.as_str())),
        class: match kind {
            AlertKind::AppealOverdue | AlertKind::MilestoneOverdue | AlertKind::HazardOverdue => {
                "overdue"
            }
            _ => "warning",
        },
        title,
        href,
        on: format!("{} {on}", lang.t(&format!("alerts.on.{}", kind.as_str()))),
    }
}

/// The viewer's alerts now. They are remembered per reach and day like a roll-up (see `cache`): a repeated
/// dashboard costs a lookup, and any change moves the data version, so a replied appeal leaves the list at once.
pub async fn alert_list(state: &AppState, viewer: &Viewer) -> Result<AlertList, PageError> {
    let actor = viewer.actor();
    let reach = crate::cache::reach(actor);
    let key = format!("alerts@{}", state.clock.today());
    let remembered = state
        .cache
        .rollup(&key, &reach)
        .and_then(|answer| serde_json::from_slice::<Vec<Alert>>(&answer.body).ok());
    let alerts = match remembered {
        Some(alerts) => alerts,
        None => {
            let version = state.cache.version();
            let alerts = state
                .store
                .alerts(actor, state.clock.now())
                .await
                .map_err(|e| viewer.fail(e))?;
            if let Ok(body) = serde_json::to_vec(&alerts) {
                state
                    .cache
                    .remember_rollup(&key, &reach, body.into(), version);
            }
            alerts
        }
    };
    let total = alerts.len();
    Ok(AlertList {
        rows: alerts
            .into_iter()
            .take(SHOWN)
            .map(|a| row(viewer.lang, a))
            .collect(),
        total,
    })
}

/// The viewer's alerts on the page of a chain or park they work on (where a chief lands); `None` on other pages.
pub async fn on_own_page(
    state: &AppState,
    viewer: &Viewer,
    page: Landing,
) -> Result<Option<AlertList>, PageError> {
    let scope = &viewer.actor().scope;
    let own = match (scope.landing(), page) {
        (Landing::Chain(_), Landing::Chain(Some(id))) => {
            scope.all_chains || scope.chains.contains(&id)
        }
        (Landing::Park(_), Landing::Park(Some(id))) => scope.parks.contains(&id),
        _ => false,
    };
    if own {
        Ok(Some(alert_list(state, viewer).await?))
    } else {
        Ok(None)
    }
}
