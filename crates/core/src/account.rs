//! Accounts: who signs in, with which role, and which registry person's posts give the role its scope.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Role;
use crate::error::{Invalid, Violations};
use crate::registry::Id;

/// An account as everyone may see it: never its password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Account {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The registry person whose current posts give a chief, owner, staff or enterprise account its scope.
    pub person_id: Option<Id>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// What an admin sends to create an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    pub username: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub person_id: Option<Id>,
    #[serde(default)]
    pub display_name: String,
}

/// A checked account; the password is already hashed by the caller.
#[derive(Debug, Clone)]
pub struct AccountDraft {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub person_id: Option<Id>,
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

pub fn check_password(v: &mut Violations, field: &str, password: &str) {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        v.add(
            field,
            format!("must have at least {MIN_PASSWORD_CHARS} characters"),
        );
    }
    if password.len() > 1024 {
        v.add(field, "is longer than 1024 bytes");
    }
}

impl AccountInput {
    /// Checks the input; the password is returned apart so that it can be hashed and then forgotten.
    pub fn parse(self) -> Result<(AccountDraft, String), Invalid> {
        let mut v = Violations::default();
        let username = self.username.trim().to_lowercase();
        if username.len() < 3
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            v.add(
                "username",
                "must be 3–64 characters of letters, digits, '.', '_' or '-'",
            );
        }
        check_password(&mut v, "password", &self.password);
        if self.role.needs_person() && self.person_id.is_none() {
            v.add(
                "person_id",
                format!(
                    "a {} account needs the person whose posts give its scope",
                    self.role
                ),
            );
        }
        let display_name = self.display_name.trim().to_string();
        if display_name.chars().count() > 100 {
            v.add("display_name", "is longer than 100 characters");
        }
        v.finish((
            AccountDraft {
                username,
                display_name,
                role: self.role,
                person_id: self.person_id,
            },
            self.password,
        ))
    }
}

/// An admin's change to an account.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub person_id: Option<Id>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
    /// A new password set by the admin.
    #[serde(default)]
    pub password: Option<String>,
}

/// An API token as listed: never the token itself, which is shown once, at creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    pub id: Id,
    pub account_id: Id,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether this token may create further tokens (false unless asked for when it was created).
    pub may_create_tokens: bool,
}

/// What a new password or disabling an account ended: its API tokens, revoked for good, and its sessions (all
/// but the one that changed its own password).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CredentialsEnded {
    pub tokens_revoked: u64,
    pub sessions_ended: u64,
}

/// An account after an admin's change, with what the change ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangedAccount {
    #[serde(flatten)]
    pub account: Account,
    #[serde(flatten)]
    pub ended: CredentialsEnded,
}
