//! Signing in and out, API tokens, and accounts.

use std::time::Instant;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_core::account::{
    Account, AccountChange, AccountInput, ApiToken, ChangedAccount, CredentialsEnded,
};
use chainpark_core::error::Violations;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_store::AccountEdit;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::{self, Caller, ClientAddress, SESSION_LIFETIME, SignInRefused};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// The signed-in account, and the token to send in `X-CSRF-Token` with every change made with the cookie.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub account: Account,
    pub csrf_token: String,
}

/// Signs in with a username and password and sets the session cookie. A wrong password, an unknown user and a
/// disabled account get the same answer. After three failures for one account from one address, that pair must
/// wait before the next try (429 with `Retry-After`), twice as long after each further failure, at most 15
/// minutes; the account from elsewhere is not affected.
#[utoipa::path(post, path = "/api/v1/session", tag = "access", request_body = SignIn,
    responses((status = 200, body = SessionInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignIn>,
) -> ApiResult<Response> {
    let session = match auth::sign_in(&state, &body.username, &body.password, &address).await {
        Ok(session) => session,
        Err(SignInRefused::WrongCredentials) => {
            return Err(ApiError::Unauthorized("wrong username or password".into()));
        }
        Err(SignInRefused::Wait(wait)) => return Err(ApiError::too_many_attempts(wait)),
        Err(SignInRefused::Failed(e)) => return Err(e),
    };
    let cookie = auth::session_cookie(
        &session.secret,
        SESSION_LIFETIME.as_secs(),
        auth::is_https(&state, &headers),
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(SessionInfo {
            account: session.account,
            csrf_token: session.csrf_token,
        }),
    )
        .into_response())
}

/// The signed-in account and its CSRF token.
#[utoipa::path(get, path = "/api/v1/session", tag = "access",
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn current(caller: Caller) -> Json<SessionInfo> {
    Json(SessionInfo {
        account: caller.account,
        csrf_token: caller.csrf_token,
    })
}

/// Signs out: the session ends on the server and the cookie is cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "access",
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
) -> ApiResult<Response> {
    if let Some(hash) = &caller.session_hash {
        state.store.delete_session(hash).await?;
    }
    let cookie = auth::session_cookie("", 0, auth::is_https(&state, &headers));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the signed-in account's own password. Every API token of the account is revoked and every other
/// session ends; the session that made the change stays signed in. The answer says how many of each ended.
#[utoipa::path(post, path = "/api/v1/session/password", tag = "access", request_body = PasswordChange,
    responses((status = 200, body = CredentialsEnded), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<Json<CredentialsEnded>> {
    // Guessing the current password here is throttled like signing in, so a stolen session cannot guess faster.
    let username = &caller.account.username;
    state
        .throttle
        .attempt(username, &address, Instant::now())
        .map_err(ApiError::too_many_attempts)?;
    let current_ok = match state.store.account_for_login(username).await? {
        Some((_, hash)) => {
            chainpark_app::passwords::verify_password(&body.current_password, &hash).await?
        }
        None => false,
    };
    if !current_ok {
        return Err(ApiError::Forbidden("the current password is wrong".into()));
    }
    state.throttle.succeeded(username, &address, Instant::now());
    let mut v = Violations::default();
    chainpark_core::account::check_password(&mut v, "new_password", &body.new_password);
    v.finish(())?;
    let edit = AccountEdit {
        password_hash: Some(chainpark_app::passwords::hash_password(&body.new_password).await?),
        keep_session: caller.session_hash.clone(),
        ..AccountEdit::default()
    };
    let (_, ended) = state
        .store
        .update_account(&caller.actor(), caller.account.id, edit)
        .await?;
    Ok(Json(ended))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "statistics bureau sync".
    pub name: String,
    /// Days until it expires (1–365, default 90).
    #[serde(default)]
    pub expires_in_days: Option<i64>,
    /// Whether the new token may itself create tokens (default false).
    #[serde(default)]
    pub may_create_tokens: bool,
}

/// A new token: the only time it is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: String,
    pub info: ApiToken,
}

/// Creates an API token for the signed-in account, to send as `Authorization: Bearer <token>`. A signed-in
/// session may create tokens; a token only when it was created with `may_create_tokens`.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    if !caller.may_create_tokens() {
        return Err(ApiError::Forbidden(
            "this token may not create tokens; sign in, or use a token created with may_create_tokens".into(),
        ));
    }
    let mut v = Violations::default();
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        v.add("name", "is required (at most 100 characters)");
    }
    let days = body.expires_in_days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        v.add("expires_in_days", "must be between 1 and 365");
    }
    v.finish(())?;
    let token = chainpark_app::passwords::new_secret();
    let info = state
        .store
        .create_token(
            &caller.actor(),
            &name,
            &chainpark_app::passwords::secret_hash(&token),
            state.clock.now() + Duration::days(days),
            body.may_create_tokens,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, info })))
}

/// The signed-in account's tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access", responses((status = 200, body = Vec<ApiToken>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(state.store.list_tokens(&caller.actor()).await?))
}

/// Revokes a token at once.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "access", params(("id" = i64, Path)),
    responses((status = 200, body = ApiToken), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<ApiToken>> {
    Ok(Json(state.store.revoke_token(&caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Lists accounts (admin).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "access", params(AccountQuery),
    responses((status = 200, body = Page<Account>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiResult<Json<Page<Account>>> {
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state.store.list_accounts(&caller.actor(), &paging).await?,
    ))
}

/// Creates an account (admin). Chief, owner, staff and enterprise accounts name the person whose posts give
/// their scope.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "access", request_body = AccountInput,
    responses((status = 201, body = Account), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AccountInput>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    caller
        .actor
        .scope
        .may_administer()
        .map_err(|d| ApiError::Forbidden(d.0))?;
    let (draft, password) = input.parse()?;
    let hash = chainpark_app::passwords::hash_password(&password).await?;
    let account = state
        .store
        .create_account(&caller.actor(), draft, hash)
        .await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// One account (admin).
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "access", params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Account>> {
    Ok(Json(state.store.get_account(&caller.actor(), id).await?))
}

/// Changes an account (admin): role, person, display name, disabled, or a new password. A new password revokes
/// the account's API tokens and ends its sessions; disabling revokes its tokens for good (enabling the account
/// again does not bring them back) and ends its sessions. The answer is the account with how many ended.
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "access", params(("id" = i64, Path)), request_body = AccountChange,
    responses((status = 200, body = ChangedAccount), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(change): ApiJson<AccountChange>,
) -> ApiResult<Json<ChangedAccount>> {
    caller
        .actor
        .scope
        .may_administer()
        .map_err(|d| ApiError::Forbidden(d.0))?;
    let password_hash = match &change.password {
        Some(password) => {
            let mut v = Violations::default();
            chainpark_core::account::check_password(&mut v, "password", password);
            v.finish(())?;
            Some(chainpark_app::passwords::hash_password(password).await?)
        }
        None => None,
    };
    let edit = AccountEdit {
        role: change.role,
        person_id: change.person_id.map(Some),
        display_name: change.display_name,
        disabled: change.disabled,
        password_hash,
        keep_session: caller.session_hash.clone(),
    };
    let (account, ended) = state
        .store
        .update_account(&caller.actor(), id, edit)
        .await?;
    Ok(Json(ChangedAccount { account, ended }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in, current, sign_out))
        .routes(routes!(change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(get_account, update_account))
}
