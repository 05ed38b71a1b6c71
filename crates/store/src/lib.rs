//! chainpark's storage. What the rest of the program may ask of the store is said by one trait per aggregate:
//! [`registry`] (areas, chains, segments, links, people, posts, parks, enterprises, audit), [`workflow`]
//! (calendar, appeals, projects, transformation, work orders, inbox), [`figures`], [`assessment`] (land parcels,
//! leases, evaluation schemes and runs), [`parkops`] (meters, readings, alarms) and [`AccountStore`]. [`Store`]
//! is their union and the one object callers hold (`Arc<dyn Store>`); `use chainpark_store::prelude::*;` brings
//! every trait into scope. `sqlite` and `postgres` implement them all from the same SQL in `src/sql/`, each with its
//! own migrations. The engine is chosen from the database URL at start-up.

// The one exception: SQLite bulk reads and writes borrow sqlx's connection handle (figure_batches.rs,
// chain_members.rs).
#![deny(unsafe_code)]
// The SQL in `src/sql/` is compiled once per engine: `sqlite.rs` and `postgres.rs` each include the same files with
// `#[path]` (see docs/decisions.md), which is what this lint is about.
#![allow(clippy::duplicate_mod)]

pub(crate) mod accounts;
pub mod assessment;
pub mod chain_intel;
mod chain_members;
mod checkpoint;
mod common;
mod disclosure_facts;
pub mod distribution;
pub mod error;
mod figure_batches;
pub mod figures;
pub mod filter;
mod import_timing;
pub mod operations;
pub mod parkops;
pub mod policies;
pub mod postgres;
pub mod registry;
pub mod replica;
pub mod safety;
pub mod space;
pub mod sqlite;
mod staging;
pub mod targets;
pub mod workflow;

use std::sync::Arc;

use async_trait::async_trait;
use chainpark_core::access::{Role, Scope};
use chainpark_core::account::{Account, AccountDraft, ApiToken, CredentialsEnded};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use error::StoreError;
pub use filter::*;

/// Every trait of the store, so that `use chainpark_store::prelude::*;` makes all of `Store`'s methods callable.
pub mod prelude {
    pub use crate::assessment::{AssessmentStore, LandStore};
    pub use crate::chain_intel::ChainIntelStore;
    pub use crate::figures::FigureStore;
    pub use crate::parkops::MeterStore;
    pub use crate::policies::PolicyStore;
    pub use crate::registry::{
        AreaStore, AuditStore, ChainStore, EnterpriseStore, LinkStore, ParkStore, PersonStore,
        PostStore, SegmentStore,
    };
    pub use crate::safety::SafetyStore;
    pub use crate::space::SpaceStore;
    pub use crate::targets::TargetStore;
    pub use crate::workflow::{
        AlertStore, AppealStore, CalendarStore, InboxStore, ProjectStore, ReportMailStore,
        TransformationStore, WorkOrderStore, WorkflowStore,
    };
    pub use crate::{AccountStore, Store};
}

use prelude::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who asks: the account named in the audit trail, the scope that every query and change is limited to, and the
/// day it acts on. The scope carries the account's registry person (`scope.person`, filled by
/// `AccountStore::actor_for`), so that the cases it handles are found without another query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account: String,
    /// The signed-in account, when there is one (the program itself has none).
    pub account_id: Option<Id>,
    pub scope: Scope,
    /// The China day the actor acts on, by the caller's clock: the day its scope's posts were resolved on
    /// (`AccountStore::actor_for`) and the day whose post holders the store shows (a park's chief). The store never
    /// reads a clock for it; an actor with no day (the program's own, unless given one with [`Actor::on`]) sees
    /// parks without their chief.
    pub day: Option<NaiveDate>,
}

impl Actor {
    /// The program itself (the demo loader, maintenance commands): full scope, no day.
    pub fn system(account: impl Into<String>) -> Self {
        Actor {
            account: account.into(),
            account_id: None,
            scope: Scope::system(),
            day: None,
        }
    }

    /// The same actor acting on `day`.
    pub fn on(self, day: NaiveDate) -> Self {
        Actor {
            day: Some(day),
            ..self
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
    /// The actor an account acts as on `today` (the application's clock decides which day that is): its scope from
    /// the posts its person holds that day.
    async fn actor_for(&self, account: &Account, today: NaiveDate) -> Result<Actor>;
    async fn create_session(
        &self,
        id_hash: &str,
        account_id: Id,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// The account of a session of an enabled account that is live at `now` (the application's clock), its CSRF
    /// token and when it expires.
    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Account, String, DateTime<Utc>)>>;
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
    /// A token of an enabled account that is valid at `now` (the application's clock: unexpired, unrevoked), with
    /// its account.
    async fn token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Account, ApiToken)>>;
    async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>>;
    async fn revoke_token(&self, actor: &Actor, id: Id) -> Result<ApiToken>;
}

/// Everything the program keeps. Every change is written together with its audit entry in one transaction.
#[async_trait]
pub trait Store:
    AccountStore
    + AreaStore
    + ChainStore
    + SegmentStore
    + LinkStore
    + PersonStore
    + PostStore
    + ParkStore
    + EnterpriseStore
    + AuditStore
    + FigureStore
    + CalendarStore
    + AppealStore
    + ProjectStore
    + TransformationStore
    + WorkOrderStore
    + InboxStore
    + AlertStore
    + WorkflowStore
    + ReportMailStore
    + LandStore
    + AssessmentStore
    + MeterStore
    + SpaceStore
    + SafetyStore
    + ChainIntelStore
    + TargetStore
    + PolicyStore
    + Send
    + Sync
{
    /// Which engine this is, for logs and `check`.
    fn engine(&self) -> &'static str;
    /// Brings the schema up to date.
    async fn migrate(&self) -> Result<()>;
    /// Looks for broken references and rules in the stored data; each problem found is one line.
    async fn check(&self) -> Result<Vec<String>>;
    /// Whether the registry holds nothing yet (the demo loads only into an empty store).
    async fn is_empty(&self) -> Result<bool>;
    /// Loads a whole registry in one transaction (the demo zone; later, registry imports). Nothing is stored
    /// unless everything is.
    async fn load_registry(
        &self,
        actor: &Actor,
        zone: &chainpark_core::demo::DemoZone,
    ) -> Result<()>;
    /// Copies the store, as of one instant, to the new file `dest` while it serves (SQLite's online backup API).
    /// A PostgreSQL store answers that `pg_dump` does this (docs/operations.md).
    async fn backup(&self, dest: &std::path::Path) -> Result<operations::BackupSummary>;
    /// The connections of the pool now, for `/metrics`.
    fn pool_status(&self) -> operations::PoolStatus;
    /// How many reads of read-only work the read replica served, and how many went to the primary because the
    /// replica had not replayed this process's writes yet (zeros without a replica), for `/metrics`.
    fn read_routing(&self) -> replica::ReadRouting;
    /// Ends the use of the store at shutdown: SQLite folds its write-ahead log into the database file; every
    /// connection closes.
    async fn close(&self) -> Result<()>;
    /// Removes the history an import wrote before its write transaction when that import was never stored (the
    /// program stopped in between, or a backup was taken then). Only while no import runs: at a restore.
    async fn discard_unfinished_import_history(&self) -> Result<u64>;
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

/// Opens the store at `url` with plain reads of read-only work (pages, roll-ups) on the streaming replica at
/// `read_url` (see [`replica`]); only a PostgreSQL store has a replica.
pub async fn connect_with_replica(url: &str, read_url: Option<&str>) -> Result<Arc<dyn Store>> {
    let Some(read_url) = read_url.filter(|u| !u.is_empty()) else {
        return connect(url).await;
    };
    let is_postgres = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
    if !is_postgres(url) || !is_postgres(read_url) {
        return Err(StoreError::Config(
            "a read database (read_database) needs a PostgreSQL database and a PostgreSQL replica"
                .to_string(),
        ));
    }
    Ok(Arc::new(
        postgres::PgStore::connect_with_replica(url, read_url).await?,
    ))
}
