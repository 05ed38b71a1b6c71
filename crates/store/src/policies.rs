//! The policy registry (政策清单) in the store: policy documents attached to chains. Read by those who read the
//! chain's intelligence (readers of everything, the chain's chiefs, task force and owners); written by those who
//! steer the chain (its chiefs and task force, the admin). A chain the actor does not see answers 404, as in the
//! registry. The SQL is in `src/sql/policies.rs`.

use async_trait::async_trait;
use chainpark_core::policies::{Policy, PolicyDraft};
use chainpark_core::registry::Id;

use crate::{Actor, Result};

#[async_trait]
pub trait PolicyStore: Send + Sync {
    async fn create_policy(&self, actor: &Actor, draft: PolicyDraft) -> Result<Policy>;
    /// A chain's policy documents, the latest issued first.
    async fn list_policies(&self, actor: &Actor, chain: Id) -> Result<Vec<Policy>>;
    async fn get_policy(&self, actor: &Actor, id: Id) -> Result<Policy>;
    /// Replaces a document's fields; it stays with its chain (`chain_id` must be its own).
    async fn update_policy(&self, actor: &Actor, id: Id, draft: PolicyDraft) -> Result<Policy>;
    /// Archives a document: it leaves the lists, the audit trail keeps it.
    async fn archive_policy(&self, actor: &Actor, id: Id) -> Result<Policy>;
}
