//! chainpark's storage. One `Store` trait says what the rest of the program may ask of the store; `sqlite` and
//! `postgres` implement it, each with its own migrations. The engine is chosen from the database URL at start-up.

// The one exception: SQLite bulk writes borrow sqlx's connection handle (figure_batches.rs).
#![deny(unsafe_code)]

pub(crate) mod accounts;
mod common;
pub mod error;
mod figure_batches;
pub mod figures;
pub mod filter;
pub mod postgres;
pub mod sqlite;
pub mod workflow;

use std::sync::Arc;

use async_trait::async_trait;
use chainpark_core::access::{Role, Scope};
use chainpark_core::account::{Account, AccountDraft, ApiToken, CredentialsEnded};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use error::StoreError;
pub use filter::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who asks: the account named in the audit trail, and the scope that every query and change is limited to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account: String,
    /// The signed-in account, when there is one (the program itself has none).
    pub account_id: Option<Id>,
    pub scope: Scope,
}

impl Actor {
    /// The program itself (the demo loader, maintenance commands): full scope.
    pub fn system(account: impl Into<String>) -> Self {
        Actor {
            account: account.into(),
            account_id: None,
            scope: Scope::system(),
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

/// A change to an account; `None` leaves a field as it is, `person_id: Some(None)` unlinks the person.
#[derive(Debug, Clone, Default)]
pub struct AccountEdit {
    pub role: Option<Role>,
    pub person_id: Option<Option<Id>>,
    pub display_name: Option<String>,
    pub disabled: Option<bool>,
    /// A new password, already hashed.
    pub password_hash: Option<String>,
    /// The hash of the session that asks for the change: a new password does not end it.
    pub keep_session: Option<String>,
}

impl AccountEdit {
    /// Only a new password: what anyone may do to their own account.
    pub fn is_password_only(&self) -> bool {
        self.role.is_none()
            && self.person_id.is_none()
            && self.display_name.is_none()
            && self.disabled.is_none()
    }
}

/// Accounts, sessions and API tokens. Session ids and tokens arrive already hashed: the store never sees them.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_account(
        &self,
        actor: &Actor,
        draft: AccountDraft,
        password_hash: String,
    ) -> Result<Account>;
    async fn list_accounts(&self, actor: &Actor, paging: &Paging) -> Result<Page<Account>>;
    async fn get_account(&self, actor: &Actor, id: Id) -> Result<Account>;
    /// Changes an account. A new password revokes the account's API tokens and ends its sessions but the one that
    /// asked for the change; disabling revokes its tokens for good and ends every session. The answer says how many.
    async fn update_account(
        &self,
        actor: &Actor,
        id: Id,
        edit: AccountEdit,
    ) -> Result<(Account, CredentialsEnded)>;
    /// The account and its password hash, for signing in.
    async fn account_for_login(&self, username: &str) -> Result<Option<(Account, String)>>;
    /// The actor an account acts as today: its scope from the posts its person holds today.
    async fn actor_for(&self, account: &Account) -> Result<Actor>;
    async fn create_session(
        &self,
        id_hash: &str,
        account_id: Id,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The account of an unexpired session of an enabled account, with the session's CSRF token.
    async fn session(&self, id_hash: &str) -> Result<Option<(Account, String)>>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// A token of the actor's account; `may_create_tokens` lets it create further tokens.
    async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        may_create_tokens: bool,
    ) -> Result<ApiToken>;
    /// A valid (unexpired, unrevoked) token of an enabled account, with its account.
    async fn token(&self, token_hash: &str) -> Result<Option<(Account, ApiToken)>>;
    async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>>;
    async fn revoke_token(&self, actor: &Actor, id: Id) -> Result<ApiToken>;
}

/// Everything the program keeps. Every change is written together with its audit entry in one transaction.
#[async_trait]
pub trait Store:
    AccountStore + figures::FigureStore + workflow::WorkflowStore + Send + Sync
{
    /// Which engine this is, for logs and `check`.
    fn engine(&self) -> &'static str;
    /// Brings the schema up to date.
    async fn migrate(&self) -> Result<()>;
    /// Looks for broken references and rules in the stored data; each problem found is one line.
    async fn check(&self) -> Result<Vec<String>>;
    /// Whether the registry holds nothing yet (the demo loads only into an empty store).
    async fn is_empty(&self) -> Result<bool>;

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
    ) -> Result<IndustryArea>;
    async fn archive_area(&self, actor: &Actor, id: Id) -> Result<IndustryArea>;

    async fn list_chains(
        &self,
        actor: &Actor,
        filter: &ChainFilter,
        paging: &Paging,
    ) -> Result<Page<Chain>>;
    async fn get_chain(&self, actor: &Actor, id: Id) -> Result<Chain>;
    async fn create_chain(&self, actor: &Actor, draft: ChainDraft) -> Result<Chain>;
    async fn update_chain(&self, actor: &Actor, id: Id, draft: ChainDraft) -> Result<Chain>;
    async fn archive_chain(&self, actor: &Actor, id: Id) -> Result<Chain>;

    async fn list_segments(
        &self,
        actor: &Actor,
        filter: &SegmentFilter,
        paging: &Paging,
    ) -> Result<Page<Segment>>;
    async fn get_segment(&self, actor: &Actor, id: Id) -> Result<Segment>;
    async fn create_segment(&self, actor: &Actor, draft: SegmentDraft) -> Result<Segment>;
    async fn update_segment(&self, actor: &Actor, id: Id, draft: SegmentDraft) -> Result<Segment>;
    async fn archive_segment(&self, actor: &Actor, id: Id) -> Result<Segment>;

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
    ) -> Result<SupplyLink>;
    async fn archive_link(&self, actor: &Actor, id: Id) -> Result<SupplyLink>;

    async fn list_people(
        &self,
        actor: &Actor,
        filter: &PersonFilter,
        paging: &Paging,
    ) -> Result<Page<Person>>;
    async fn get_person(&self, actor: &Actor, id: Id) -> Result<Person>;
    async fn create_person(&self, actor: &Actor, draft: PersonDraft) -> Result<Person>;
    async fn update_person(&self, actor: &Actor, id: Id, draft: PersonDraft) -> Result<Person>;
    async fn archive_person(&self, actor: &Actor, id: Id) -> Result<Person>;

    async fn list_posts(
        &self,
        actor: &Actor,
        filter: &PostFilter,
        paging: &Paging,
    ) -> Result<Page<Post>>;
    async fn get_post(&self, actor: &Actor, id: Id) -> Result<Post>;
    async fn create_post(&self, actor: &Actor, draft: PostDraft) -> Result<Post>;
    async fn update_post(&self, actor: &Actor, id: Id, draft: PostDraft) -> Result<Post>;
    async fn archive_post(&self, actor: &Actor, id: Id) -> Result<Post>;

    async fn list_parks(
        &self,
        actor: &Actor,
        filter: &ParkFilter,
        paging: &Paging,
    ) -> Result<Page<Park>>;
    async fn get_park(&self, actor: &Actor, id: Id) -> Result<Park>;
    async fn create_park(&self, actor: &Actor, draft: ParkDraft) -> Result<Park>;
    async fn update_park(&self, actor: &Actor, id: Id, draft: ParkDraft) -> Result<Park>;
    async fn archive_park(&self, actor: &Actor, id: Id) -> Result<Park>;

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
    ) -> Result<Enterprise>;
    async fn archive_enterprise(&self, actor: &Actor, id: Id) -> Result<Enterprise>;

    async fn list_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        paging: &Paging,
    ) -> Result<Page<AuditEntry>>;

    /// Loads a whole registry in one transaction (the demo zone; later, registry imports). Nothing is stored
    /// unless everything is.
    async fn load_registry(
        &self,
        actor: &Actor,
        zone: &chainpark_core::demo::DemoZone,
    ) -> Result<()>;
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
