//! Accounts, sessions and API tokens, for both engines (the same SQL text). Only admins manage accounts; the
//! sign-in lookups are used by the web layer before there is an actor, so they take none.

use chainpark_core::access::Role;
use chainpark_core::account::{Account, ApiToken};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::StoreError;
use crate::common::corrupt;

#[derive(FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    person_id: Option<i64>,
    disabled: bool,
    created_at: DateTime<Utc>,
}

impl AccountRow {
    pub(crate) fn into_account(self) -> Result<Account, StoreError> {
        let role = Role::parse(&self.role).ok_or_else(|| corrupt("account", self.id, "role"))?;
        Ok(Account {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            role,
            person_id: self.person_id,
            disabled: self.disabled,
            created_at: self.created_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct TokenRow {
    id: i64,
    account_id: i64,
    name: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    may_create_tokens: bool,
}

impl TokenRow {
    pub(crate) fn into_token(self) -> ApiToken {
        ApiToken {
            id: self.id,
            account_id: self.account_id,
            name: self.name,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            may_create_tokens: self.may_create_tokens,
        }
    }
}
