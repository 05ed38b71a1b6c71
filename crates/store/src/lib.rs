//! chainpark's storage. One `Store` trait says what the rest of the program may ask of the store; `sqlite` and
//! `postgres` implement it, each with its own migrations. The engine is chosen from the database URL at start-up.

mod common;
pub mod error;
pub mod filter;
pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use error::StoreError;
pub use filter::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who makes a change: kept with every entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account: String,
}

impl Actor {
    pub fn new(account: impl Into<String>) -> Self {
        Actor {
            account: account.into(),
        }
    }
}

/// One change in the audit trail, with the object as it was before and after.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: Id,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub object_kind: String,
    pub object_id: Id,
    /// `create`, `update` or `archive`.
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Everything the program keeps. Every change is written together with its audit entry in one transaction.
#[async_trait]
pub trait Store: Send + Sync {
    /// Which engine this is, for logs and `check`.
    fn engine(&self) -> &'static str;
    /// Brings the schema up to date.
    async fn migrate(&self) -> Result<()>;
    /// Looks for broken references and rules in the stored data; each problem found is one line.
    async fn check(&self) -> Result<Vec<String>>;
    /// Whether the registry holds nothing yet (the demo loads only into an empty store).
    async fn is_empty(&self) -> Result<bool>;

    async fn list_areas(&self, filter: &AreaFilter, paging: &Paging) -> Result<Page<IndustryArea>>;
    async fn get_area(&self, id: Id) -> Result<IndustryArea>;
    async fn create_area(&self, actor: &Actor, draft: IndustryAreaDraft) -> Result<IndustryArea>;
    async fn update_area(&self, actor: &Actor, id: Id, draft: IndustryAreaDraft) -> Result<IndustryArea>;
    async fn archive_area(&self, actor: &Actor, id: Id) -> Result<IndustryArea>;

    async fn list_chains(&self, filter: &ChainFilter, paging: &Paging) -> Result<Page<Chain>>;
    async fn get_chain(&self, id: Id) -> Result<Chain>;
    async fn create_chain(&self, actor: &Actor, draft: ChainDraft) -> Result<Chain>;
    async fn update_chain(&self, actor: &Actor, id: Id, draft: ChainDraft) -> Result<Chain>;
    async fn archive_chain(&self, actor: &Actor, id: Id) -> Result<Chain>;

    async fn list_segments(&self, filter: &SegmentFilter, paging: &Paging) -> Result<Page<Segment>>;
    async fn get_segment(&self, id: Id) -> Result<Segment>;
    async fn create_segment(&self, actor: &Actor, draft: SegmentDraft) -> Result<Segment>;
    async fn update_segment(&self, actor: &Actor, id: Id, draft: SegmentDraft) -> Result<Segment>;
    async fn archive_segment(&self, actor: &Actor, id: Id) -> Result<Segment>;

    async fn list_links(&self, filter: &LinkFilter, paging: &Paging) -> Result<Page<SupplyLink>>;
    async fn get_link(&self, id: Id) -> Result<SupplyLink>;
    async fn create_link(&self, actor: &Actor, draft: SupplyLinkDraft) -> Result<SupplyLink>;
    async fn update_link(&self, actor: &Actor, id: Id, draft: SupplyLinkDraft) -> Result<SupplyLink>;
    async fn archive_link(&self, actor: &Actor, id: Id) -> Result<SupplyLink>;

    async fn list_people(&self, filter: &PersonFilter, paging: &Paging) -> Result<Page<Person>>;
    async fn get_person(&self, id: Id) -> Result<Person>;
    async fn create_person(&self, actor: &Actor, draft: PersonDraft) -> Result<Person>;
    async fn update_person(&self, actor: &Actor, id: Id, draft: PersonDraft) -> Result<Person>;
    async fn archive_person(&self, actor: &Actor, id: Id) -> Result<Person>;

    async fn list_posts(&self, filter: &PostFilter, paging: &Paging) -> Result<Page<Post>>;
    async fn get_post(&self, id: Id) -> Result<Post>;
    async fn create_post(&self, actor: &Actor, draft: PostDraft) -> Result<Post>;
    async fn update_post(&self, actor: &Actor, id: Id, draft: PostDraft) -> Result<Post>;
    async fn archive_post(&self, actor: &Actor, id: Id) -> Result<Post>;

    async fn list_parks(&self, filter: &ParkFilter, paging: &Paging) -> Result<Page<Park>>;
    async fn get_park(&self, id: Id) -> Result<Park>;
    async fn create_park(&self, actor: &Actor, draft: ParkDraft) -> Result<Park>;
    async fn update_park(&self, actor: &Actor, id: Id, draft: ParkDraft) -> Result<Park>;
    async fn archive_park(&self, actor: &Actor, id: Id) -> Result<Park>;

    async fn list_enterprises(&self, filter: &EnterpriseFilter, paging: &Paging) -> Result<Page<Enterprise>>;
    async fn get_enterprise(&self, id: Id) -> Result<Enterprise>;
    async fn create_enterprise(&self, actor: &Actor, draft: EnterpriseDraft) -> Result<Enterprise>;
    async fn update_enterprise(&self, actor: &Actor, id: Id, draft: EnterpriseDraft) -> Result<Enterprise>;
    async fn archive_enterprise(&self, actor: &Actor, id: Id) -> Result<Enterprise>;

    async fn list_audit(&self, filter: &AuditFilter, paging: &Paging) -> Result<Page<AuditEntry>>;

    /// Loads a whole registry in one transaction (the demo zone; later, registry imports). Nothing is stored
    /// unless everything is.
    async fn load_registry(&self, actor: &Actor, zone: &chainpark_core::demo::DemoZone) -> Result<()>;
}

/// Opens the store that `url` names: `sqlite://PATH` (created if missing) or `postgres://...`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Config(format!(
            "database URL must start with sqlite: or postgres://, got {url:?}"
        )))
    }
}
