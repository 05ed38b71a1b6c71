//! The registry in SQL, one module per aggregate, compiled once per engine (`crate::sqlite`, `crate::postgres`)
//! with that engine's `Db` and store type `Engine`. Each module implements its aggregate's trait of
//! `crate::registry`; `shared` holds what they all use.

use super::{Db, Engine};

#[macro_use]
pub(super) mod shared;

/// The people an actor may see, for the names on a case's steps.
pub(super) use shared::push_people_reach;

mod areas;
mod audit;
mod chains;
mod enterprises;
mod links;
mod parks;
mod people;
mod posts;
mod segments;
mod zone;
