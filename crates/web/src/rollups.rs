//! The one way the interfaces get a roll-up (the API, the pages, their exports, the scheduling report and the
//! command line): the store's cells, put through disclosure control for the caller with the configured rules.

use chainpark_core::disclosure::{DisclosureRules, FigureReach, publish};
use chainpark_core::figures::Rollup;
use chainpark_store::figures::RollupQuery;
use chainpark_store::prelude::*;
use chainpark_store::{Actor, StoreError};

/// A roll-up as `actor` may see it.
pub async fn rollup(
    store: &dyn Store,
    rules: &DisclosureRules,
    actor: &Actor,
    query: &RollupQuery,
) -> Result<Rollup, StoreError> {
    let cells = store.rollup(actor, query).await?;
    Ok(publish(cells, rules, &FigureReach::of(&actor.scope)))
}
