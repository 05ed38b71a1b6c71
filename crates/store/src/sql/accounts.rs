//! Accounts in SQL, compiled once per engine (`crate::sqlite`, `crate::postgres`) with that engine's `Db` and
//! store type `Engine`.

use super::{Db, Engine};
use async_trait::async_trait;
use chainpark_core::access::Scope;
use chainpark_core::account::{Account, AccountDraft, ApiToken, CredentialsEnded};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::{Id, Post};
use chrono::{DateTime, NaiveDate, Utc};

use crate::accounts::{AccountRow, TokenRow};
use crate::registry::PostStore;
use crate::{AccountEdit, AccountStore, Actor, Result, StoreError};
type Conn = <Db as sqlx::Database>::Connection;

const ACCOUNT_COLUMNS: &str = "SELECT a.id, a.username, a.display_name, a.role, a.person_id, a.disabled, a.created_at FROM accounts a";
const TOKEN_COLUMNS: &str = "SELECT t.id, t.account_id, t.name, t.created_at, t.expires_at, t.revoked_at, t.may_create_tokens FROM api_tokens t";

async fn account_by_id(c: &mut Conn, id: Id) -> Result<Account> {
    let row: Option<AccountRow> = sqlx::query_as(&format!("{ACCOUNT_COLUMNS} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.ok_or(StoreError::NotFound {
        kind: "account",
        id,
    })?
    .into_account()
}

async fn check_person(
    c: &mut Conn,
    draft_role: chainpark_core::access::Role,
    person: Option<Id>,
) -> Result<()> {
    if let Some(person) = person {
        let found: Option<bool> = sqlx::query_scalar("SELECT archived FROM people WHERE id = $1")
            .bind(person)
            .fetch_optional(&mut *c)
            .await?;
        match found {
            None => {
                return Err(StoreError::invalid(
                    "person_id",
                    format!("{person} does not exist"),
                ));
            }
            Some(true) => {
                return Err(StoreError::invalid(
                    "person_id",
                    format!("{person} is archived"),
                ));
            }
            Some(false) => {}
        }
    } else if draft_role.needs_person() {
        return Err(StoreError::invalid(
            "person_id",
            format!("a {draft_role} account needs a person"),
        ));
    }
    Ok(())
}

#[async_trait]
impl AccountStore for Engine {
    async fn create_account(
        &self,
        actor: &Actor,
        d: AccountDraft,
        password_hash: String,
    ) -> Result<Account> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        check_person(c, d.role, d.person_id).await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
            .bind(&d.username)
            .fetch_optional(&mut *c)
            .await?;
        if taken.is_some() {
            return Err(StoreError::conflict(
                "username",
                format!("{} is taken", d.username),
            ));
        }
        let now = Utc::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (username, password_hash, display_name, role, person_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&d.username).bind(password_hash).bind(&d.display_name).bind(d.role.as_str()).bind(d.person_id).bind(now).bind(now)
        .fetch_one(&mut *c).await?;
        let after = account_by_id(c, id).await?;
        tx.commit_audited(actor, "account", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_accounts(&self, actor: &Actor, paging: &Paging) -> Result<Page<Account>> {
        actor.scope.may_administer()?;
        let mut c = self.read().await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&mut *c)
            .await?;
        let rows: Vec<AccountRow> = sqlx::query_as(&format!(
            "{ACCOUNT_COLUMNS} ORDER BY a.username LIMIT $1 OFFSET $2"
        ))
        .bind(paging.limit)
        .bind(paging.offset)
        .fetch_all(&mut *c)
        .await?;
        let items = rows
            .into_iter()
            .map(AccountRow::into_account)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            limit: paging.limit,
            offset: paging.offset,
        })
    }

    async fn get_account(&self, actor: &Actor, id: Id) -> Result<Account> {
        actor.scope.may_administer()?;
        account_by_id(&mut *self.read().await?, id).await
    }

    async fn update_account(
        &self,
        actor: &Actor,
        id: Id,
        edit: AccountEdit,
    ) -> Result<(Account, CredentialsEnded)> {
        // Anyone may change their own password; everything else is the admin's.
        if !(actor.account_id == Some(id) && edit.is_password_only()) {
            actor.scope.may_administer()?;
        }
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let before = account_by_id(c, id).await?;
        let new_role = edit.role.unwrap_or(before.role);
        let new_person = edit.person_id.unwrap_or(before.person_id);
        check_person(c, new_role, new_person).await?;
        let now = Utc::now();
        let disabling = edit.disabled == Some(true);
        sqlx::query("UPDATE accounts SET role = $1, person_id = $2, display_name = $3, disabled = $4, updated_at = $5 WHERE id = $6")
            .bind(new_role.as_str()).bind(new_person).bind(edit.display_name.unwrap_or(before.display_name.clone()))
            .bind(edit.disabled.unwrap_or(before.disabled)).bind(now).bind(id)
            .execute(&mut *c).await?;
        let new_password = edit.password_hash.is_some();
        if let Some(hash) = edit.password_hash {
            sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(id)
                .execute(&mut *c)
                .await?;
        }
        let mut ended = CredentialsEnded::default();
        if new_password || disabling {
            // Revoked, not deleted: re-enabling the account does not bring a token back. Every unrevoked token,
            // expired or not: which have expired is the application clock's to say, not the store's.
            ended.tokens_revoked = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
            )
            .bind(now).bind(id).execute(&mut *c).await?.rows_affected();
            // Disabling ends every session; a new password spares the session that set it.
            let keep = if disabling {
                String::new()
            } else {
                edit.keep_session.unwrap_or_default()
            };
            ended.sessions_ended =
                sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2")
                    .bind(id)
                    .bind(keep)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
        }
        let after = account_by_id(c, id).await?;
        tx.commit_audited(actor, "account", id, "update", Some(&before), Some(&after))
            .await?;
        Ok((after, ended))
    }

    async fn account_for_login(&self, username: &str) -> Result<Option<(Account, String)>> {
        let mut c = self.read().await?;
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, password_hash FROM accounts WHERE username = $1")
                .bind(username.trim().to_lowercase())
                .fetch_optional(&mut *c)
                .await?;
        match row {
            None => Ok(None),
            Some((id, hash)) => Ok(Some((account_by_id(&mut c, id).await?, hash))),
        }
    }

    async fn actor_for(&self, account: &Account, today: NaiveDate) -> Result<Actor> {
        let scope = match account.person_id {
            Some(person) if account.role.needs_person() => {
                let filter = crate::PostFilter {
                    person_id: Some(person),
                    on: Some(today),
                    ..Default::default()
                };
                let system = Actor::system("system");
                let posts: Vec<Post> = self
                    .list_posts(&system, &filter, &Paging::all())
                    .await?
                    .items;
                Scope::from_posts(account.role, &posts)
            }
            _ => Scope::zone(account.role),
        };
        let scope = Scope {
            person: account.person_id,
            ..scope
        };
        Ok(Actor {
            account: account.username.clone(),
            account_id: Some(account.id),
            scope,
            day: Some(today),
        })
    }

    async fn create_session(
        &self,
        id_hash: &str,
        account_id: Id,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *c)
            .await?;
        sqlx::query("INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id_hash).bind(account_id).bind(csrf_token).bind(Utc::now()).bind(expires_at)
            .execute(&mut *c).await?;
        tx.commit().await
    }

    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Account, String, DateTime<Utc>)>> {
        let mut c = self.read().await?;
        let row: Option<(i64, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT s.account_id, s.csrf_token, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND a.disabled = $3",
        )
        .bind(id_hash).bind(now).bind(false).fetch_optional(&mut *c).await?;
        match row {
            None => Ok(None),
            Some((account, csrf, expires_at)) => Ok(Some((
                account_by_id(&mut c, account).await?,
                csrf,
                expires_at,
            ))),
        }
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        may_create_tokens: bool,
    ) -> Result<ApiToken> {
        let account_id = actor
            .account_id
            .ok_or_else(|| StoreError::Denied("only an account can own a token".into()))?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (account_id, name, token_hash, created_at, expires_at, may_create_tokens) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(account_id).bind(name).bind(token_hash).bind(Utc::now()).bind(expires_at).bind(may_create_tokens)
        .fetch_one(&mut *c).await?;
        let row: TokenRow = sqlx::query_as(&format!("{TOKEN_COLUMNS} WHERE t.id = $1"))
            .bind(id)
            .fetch_one(&mut *c)
            .await?;
        let token = row.into_token();
        tx.commit_audited(actor, "api_token", id, "create", None, Some(&token))
            .await?;
        Ok(token)
    }

    async fn token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Account, ApiToken)>> {
        let mut c = self.read().await?;
        let row: Option<TokenRow> = sqlx::query_as(&format!(
            "{TOKEN_COLUMNS} JOIN accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND a.disabled = $3"
        ))
        .bind(token_hash).bind(now).bind(false).fetch_optional(&mut *c).await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let token = row.into_token();
                Ok(Some((
                    account_by_id(&mut c, token.account_id).await?,
                    token,
                )))
            }
        }
    }

    async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>> {
        let account_id = actor.account_id.unwrap_or(-1);
        let rows: Vec<TokenRow> = sqlx::query_as(&format!(
            "{TOKEN_COLUMNS} WHERE t.account_id = $1 ORDER BY t.id"
        ))
        .bind(account_id)
        .fetch_all(&mut *self.read().await?)
        .await?;
        Ok(rows.into_iter().map(TokenRow::into_token).collect())
    }

    async fn revoke_token(&self, actor: &Actor, id: Id) -> Result<ApiToken> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let row: Option<TokenRow> = sqlx::query_as(&format!("{TOKEN_COLUMNS} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
        let token = row
            .ok_or(StoreError::NotFound { kind: "token", id })?
            .into_token();
        // Someone else's token answers as if it did not exist.
        if Some(token.account_id) != actor.account_id && !actor.scope.is_admin() {
            return Err(StoreError::NotFound { kind: "token", id });
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(Utc::now())
            .bind(id)
            .execute(&mut *c)
            .await?;
        let row: TokenRow = sqlx::query_as(&format!("{TOKEN_COLUMNS} WHERE t.id = $1"))
            .bind(id)
            .fetch_one(&mut *c)
            .await?;
        let after = row.into_token();
        if after != token {
            tx.commit_audited(actor, "api_token", id, "revoke", Some(&token), Some(&after))
                .await?;
        }
        Ok(after)
    }
}
