//! Chain intelligence in the store: the facts a chain's diagnosis reads (its segments with their weights and
//! reference output, its supply links, the firms in each segment on a month's last day with their output), the
//! segments' importance weights, when firms settled in the zone and left it, and the reference tables for location
//! quotients. The arithmetic is `chainpark_core::chain_intel`'s; the SQL is in `src/sql/chain_intel.rs`.

use async_trait::async_trait;
use chainpark_core::chain_intel::{ChainFacts, ReferenceDraft, ReferenceMeasure};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Actor, Result};

/// A stored reference table (without its rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReferenceTable {
    pub id: Id,
    pub name: String,
    /// The region the figures are about: a division code (500000 = Chongqing, 100000 = the nation) or a name.
    pub region: String,
    pub measure: ReferenceMeasure,
    pub year: i32,
    pub source: String,
    /// The region's total over all codes.
    pub total: i64,
    pub file_name: String,
    pub rows: i64,
    pub imported_at: DateTime<Utc>,
    pub actor: String,
}

/// When a firm settled in the zone and, once it left, when it left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tenure {
    pub enterprise_id: Id,
    pub settled_on: NaiveDate,
    #[serde(default)]
    pub left_on: Option<NaiveDate>,
}

/// The facts of the chains a diagnosis covers, for one month.
#[derive(Debug, Clone)]
pub struct ChainFactSet {
    pub month: Month,
    /// The indicator the outputs are values of.
    pub indicator: String,
    /// The reference table the location quotients compare with, when there is one.
    pub reference: Option<ReferenceTable>,
    /// (chain id, its facts), by chain id.
    pub chains: Vec<(Id, ChainFacts)>,
}

#[async_trait]
pub trait ChainIntelStore: Send + Sync {
    /// The facts of one chain (`Some`), or of every unarchived chain the actor reaches, on `month`: the firms that
    /// had settled by the month's last day and not yet left, and the key projects in production by then, with
    /// their output that month and the same month a year earlier. `reference` names the reference table (the
    /// latest imported when `None`).
    async fn chain_facts(
        &self,
        actor: &Actor,
        chain: Option<Id>,
        month: Month,
        reference: Option<Id>,
    ) -> Result<ChainFactSet>;
    /// Sets the importance weights (hundredths) of segments of one chain; a segment not listed keeps its weight.
    async fn set_segment_weights(
        &self,
        actor: &Actor,
        chain: Id,
        weights: &[(Id, i64)],
    ) -> Result<()>;
    /// Records when a firm settled in the zone (and left it).
    async fn set_tenure(&self, actor: &Actor, tenure: Tenure) -> Result<Tenure>;
    /// Stores a reference table with its rows, in one transaction.
    async fn create_reference(
        &self,
        actor: &Actor,
        draft: ReferenceDraft,
    ) -> Result<ReferenceTable>;
    /// The reference tables, the latest first.
    async fn list_references(&self, actor: &Actor) -> Result<Vec<ReferenceTable>>;
}
