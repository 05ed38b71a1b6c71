//! A park's space in the store: buildings, their units, and the leases of units — rows of the assessment's
//! `leases` table that name a unit, so occupancy and the per-mu evaluation read the same contracts. Scope rules are
//! those of [`Kind::Building`](chainpark_core::access::Kind::Building) for buildings and units; a lease keeps
//! [`Kind::Lease`](chainpark_core::access::Kind::Lease).

use async_trait::async_trait;
use chainpark_core::assessment::land::Lease;
use chainpark_core::parkops::space::{
    Building, BuildingDraft, Occupancy, Unit, UnitDraft, UnitLease, UnitLeaseDraft,
};
use chainpark_core::registry::Id;
use chrono::{DateTime, NaiveDate, Utc};

use crate::{Actor, Result};

#[async_trait]
pub trait SpaceStore: Send + Sync {
    /// A new building of a park (the admin, the park's chief or staff); its code must be new.
    async fn create_building(
        &self,
        actor: &Actor,
        draft: BuildingDraft,
        now: DateTime<Utc>,
    ) -> Result<Building>;
    /// The buildings the actor reaches, of one park or all, by park and code.
    async fn list_buildings(&self, actor: &Actor, park_id: Option<Id>) -> Result<Vec<Building>>;
    async fn get_building(&self, actor: &Actor, id: Id) -> Result<Building>;
    /// A new unit of a building; its code must be new in the building.
    async fn create_unit(
        &self,
        actor: &Actor,
        draft: UnitDraft,
        now: DateTime<Utc>,
    ) -> Result<Unit>;
    /// The units the actor reaches of one building or of one park, by building, floor and code.
    async fn list_units(
        &self,
        actor: &Actor,
        building_id: Option<Id>,
        park_id: Option<Id>,
    ) -> Result<Vec<Unit>>;
    async fn get_unit(&self, actor: &Actor, id: Id) -> Result<Unit>;
    /// Leases a unit: a new row of `leases` naming the unit, in the unit's park and over its area. Refused when the
    /// contract number is taken, when another lease of the unit shares a day with it, or when it starts before the
    /// unit exists or runs past its end.
    async fn lease_unit(
        &self,
        actor: &Actor,
        unit_id: Id,
        draft: UnitLeaseDraft,
        now: DateTime<Utc>,
    ) -> Result<Lease>;
    /// The leases of a park's units (unarchived), with the tenants' names.
    async fn unit_leases(&self, actor: &Actor, park_id: Id) -> Result<Vec<UnitLease>>;
    /// A park's occupancy on a day (readers of everything and the park's chief and staff).
    async fn occupancy(&self, actor: &Actor, park_id: Id, on: NaiveDate) -> Result<Occupancy>;
}
