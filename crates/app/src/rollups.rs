//! The one way the interfaces get a roll-up (the API, the pages, their exports, the scheduling report and the
//! command line): the store's cells, put through disclosure control for the caller with the configured rules.

use chainpark_core::disclosure::{DisclosureRules, figure_reach, publish};
use chainpark_core::figures::{Dimension, GrowthMethod, Rollup};
use chainpark_core::period::Period;
use chainpark_store::figures::{RollupQuery, ShareOf};
use chainpark_store::{Actor, Store, StoreError};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, AppResult};

/// A roll-up as `actor` may see it.
pub async fn rollup(
    store: &dyn Store,
    rules: &DisclosureRules,
    actor: &Actor,
    query: &RollupQuery,
) -> Result<Rollup, StoreError> {
    let cells = store.rollup(actor, query).await?;
    Ok(publish(cells, rules, &figure_reach(&actor.scope)))
}

/// A roll-up as the API's query string and the command line give it: every field as text.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// Indicator code, e.g. `added_value`, `gross_output`.
    pub indicator: String,
    /// `2021-06` (month), `2021-Q3`, `2021-H1`, `2021` (year) or `2021-YTD-09` (January to September, 累计).
    pub period: String,
    /// zone, area, chain, segment, park, district, digital_category or digital_economy (default zone).
    pub by: Option<String>,
    /// `published_totals` (default: last year's totals as reported) or `same_firms` (base restated to the firms
    /// reporting this period).
    pub method: Option<String>,
    /// `zone` (default) or `region:CODE`, e.g. `region:500000` for Chongqing city's figure of the same period.
    pub share_of: Option<String>,
}

impl StatsQuery {
    /// The roll-up this query asks for, or the field that cannot be read.
    pub fn parse(self) -> AppResult<RollupQuery> {
        let period = Period::parse(&self.period)
            .map_err(|e| AppError::bad_field("period", e.to_string()))?;
        let by = match self.by.as_deref() {
            None | Some("") => Dimension::Zone,
            Some(text) => Dimension::parse(text).ok_or_else(|| {
                let all: Vec<&str> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
                AppError::bad_field("by", format!("{text:?} is not one of {}", all.join(", ")))
            })?,
        };
        let method = match self.method.as_deref() {
            None | Some("") | Some("published_totals") => GrowthMethod::PublishedTotals,
            Some("same_firms") => GrowthMethod::SameFirms,
            Some(other) => {
                return Err(AppError::bad_field(
                    "method",
                    format!("{other:?}: use published_totals or same_firms"),
                ));
            }
        };
        let share_of = match self.share_of.as_deref() {
            None | Some("") | Some("zone") => ShareOf::Zone,
            Some(text) => match text.strip_prefix("region:") {
                Some(code) if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) => {
                    ShareOf::Region(code.to_string())
                }
                _ => {
                    return Err(AppError::bad_field(
                        "share_of",
                        format!("{text:?}: use zone or region:500000"),
                    ));
                }
            },
        };
        Ok(RollupQuery {
            indicator: self.indicator,
            period,
            by,
            method,
            share_of,
        })
    }
}
