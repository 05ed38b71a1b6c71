//! The registry's capabilities, one trait per aggregate: areas, chains, segments, supply links, people, posts,
//! parks, enterprises and the audit trail. `crate::Store` is their union with the other capabilities; every
//! engine implements each trait in `src/sql/registry/`. Bring them into scope with `crate::prelude`.
//!
//! Every `update_*` takes `expected`: the `updated_at` of the version the change was decided on. When the object
//! has changed since, the update is refused with a conflict on `version` and nothing is written (see
//! `claim_version`); `None` applies the change to whatever is stored.

use async_trait::async_trait;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;

use crate::filter::*;
use crate::{Actor, AuditEntry, Result};

/// Industry areas.
#[async_trait]
pub trait AreaStore: Send + Sync {
    async fn list_areas(
        &self,
        actor: &Actor,
        filter: &AreaFilter,
        paging: &Paging,
    ) -> Result<Page<IndustryArea>>;
    async fn get_area(&self, actor: &Actor, id: Id) -> Result<IndustryArea>;
    async fn create_area(&self, actor: &Actor, draft: IndustryAreaDraft) -> Result<IndustryArea>;
    async fn update_area(
        &self,
        actor: &Actor,
        id: Id,
        draft: IndustryAreaDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<IndustryArea>;
    async fn archive_area(&self, actor: &Actor, id: Id) -> Result<IndustryArea>;
}

/// Industry chains.
#[async_trait]
pub trait ChainStore: Send + Sync {
    async fn list_chains(
        &self,
        actor: &Actor,
        filter: &ChainFilter,
        paging: &Paging,
    ) -> Result<Page<Chain>>;
    async fn get_chain(&self, actor: &Actor, id: Id) -> Result<Chain>;
    async fn create_chain(&self, actor: &Actor, draft: ChainDraft) -> Result<Chain>;
    async fn update_chain(
        &self,
        actor: &Actor,
        id: Id,
        draft: ChainDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Chain>;
    async fn archive_chain(&self, actor: &Actor, id: Id) -> Result<Chain>;
}

/// The segments of each chain, a tree per chain.
#[async_trait]
pub trait SegmentStore: Send + Sync {
    async fn list_segments(
        &self,
        actor: &Actor,
        filter: &SegmentFilter,
        paging: &Paging,
    ) -> Result<Page<Segment>>;
    async fn get_segment(&self, actor: &Actor, id: Id) -> Result<Segment>;
    async fn create_segment(&self, actor: &Actor, draft: SegmentDraft) -> Result<Segment>;
    async fn update_segment(
        &self,
        actor: &Actor,
        id: Id,
        draft: SegmentDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Segment>;
    async fn archive_segment(&self, actor: &Actor, id: Id) -> Result<Segment>;
}

/// Supply links between segments.
#[async_trait]
pub trait LinkStore: Send + Sync {
    async fn list_links(
        &self,
        actor: &Actor,
        filter: &LinkFilter,
        paging: &Paging,
    ) -> Result<Page<SupplyLink>>;
    async fn get_link(&self, actor: &Actor, id: Id) -> Result<SupplyLink>;
    async fn create_link(&self, actor: &Actor, draft: SupplyLinkDraft) -> Result<SupplyLink>;
    async fn update_link(
        &self,
        actor: &Actor,
        id: Id,
        draft: SupplyLinkDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<SupplyLink>;
    async fn archive_link(&self, actor: &Actor, id: Id) -> Result<SupplyLink>;
}

/// People of the registry; their own contact data only for those who may see it.
#[async_trait]
pub trait PersonStore: Send + Sync {
    async fn list_people(
        &self,
        actor: &Actor,
        filter: &PersonFilter,
        paging: &Paging,
    ) -> Result<Page<Person>>;
    async fn get_person(&self, actor: &Actor, id: Id) -> Result<Person>;
    async fn create_person(&self, actor: &Actor, draft: PersonDraft) -> Result<Person>;
    async fn update_person(
        &self,
        actor: &Actor,
        id: Id,
        draft: PersonDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Person>;
    async fn archive_person(&self, actor: &Actor, id: Id) -> Result<Person>;
}

/// Posts held by people in chains, parks and enterprises; they decide what accounts reach.
#[async_trait]
pub trait PostStore: Send + Sync {
    async fn list_posts(
        &self,
        actor: &Actor,
        filter: &PostFilter,
        paging: &Paging,
    ) -> Result<Page<Post>>;
    async fn get_post(&self, actor: &Actor, id: Id) -> Result<Post>;
    async fn create_post(&self, actor: &Actor, draft: PostDraft) -> Result<Post>;
    async fn update_post(
        &self,
        actor: &Actor,
        id: Id,
        draft: PostDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Post>;
    async fn archive_post(&self, actor: &Actor, id: Id) -> Result<Post>;
}

/// Parks.
#[async_trait]
pub trait ParkStore: Send + Sync {
    async fn list_parks(
        &self,
        actor: &Actor,
        filter: &ParkFilter,
        paging: &Paging,
    ) -> Result<Page<Park>>;
    async fn get_park(&self, actor: &Actor, id: Id) -> Result<Park>;
    async fn create_park(&self, actor: &Actor, draft: ParkDraft) -> Result<Park>;
    async fn update_park(
        &self,
        actor: &Actor,
        id: Id,
        draft: ParkDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Park>;
    async fn archive_park(&self, actor: &Actor, id: Id) -> Result<Park>;
}

/// Enterprises, and what chain maps count of them.
#[async_trait]
pub trait EnterpriseStore: Send + Sync {
    async fn list_enterprises(
        &self,
        actor: &Actor,
        filter: &EnterpriseFilter,
        paging: &Paging,
    ) -> Result<Page<Enterprise>>;
    async fn get_enterprise(&self, actor: &Actor, id: Id) -> Result<Enterprise>;
    /// Which enterprises sit in which segments of a chain, with their park and flags: what a chain map counts,
    /// without loading every enterprise. Archived enterprises are left out.
    async fn chain_memberships(&self, actor: &Actor, chain_id: Id) -> Result<Vec<ChainMembership>>;
    /// How many (non-archived) enterprises sit in each chain the actor may see, counted once per chain.
    async fn chain_firm_counts(&self, actor: &Actor) -> Result<std::collections::HashMap<Id, i64>>;
    async fn create_enterprise(&self, actor: &Actor, draft: EnterpriseDraft) -> Result<Enterprise>;
    async fn update_enterprise(
        &self,
        actor: &Actor,
        id: Id,
        draft: EnterpriseDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Enterprise>;
    async fn archive_enterprise(&self, actor: &Actor, id: Id) -> Result<Enterprise>;
}

/// The audit trail.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn list_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        paging: &Paging,
    ) -> Result<Page<AuditEntry>>;
}
